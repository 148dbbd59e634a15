/* test_engine_split.c — split nodes: the arms' shares over 10,000 contacts, and the same
 * arm for a contact on two engines. The environment is engine_fixture.h's; no Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

/* ---- splits ---- */

static const char split_yaml[] =
    "id: ab\n"
    "version: 1\n"
    "entry: {event: custom.signup}\n"
    "nodes:\n"
    "  - id: pick\n"
    "    split:\n"
    "      - {name: a, percent: 45, to: done}\n"
    "      - {name: b, percent: 35.5, to: done}\n"
    "      - {name: holdout, percent: 19.5, to: done}\n"
    "  - id: done\n"
    "    exit: {}\n";

/* A sink that counts the split's arms (decisions leaving "pick"). */
typedef struct arm_counter {
    size_t a, b, holdout, other;
    char last[REC_STR];
} arm_counter_t;

static sy_err_t count_arm(void *ctx, const sy_decision_t *d) {
    arm_counter_t *c = ctx;
    if (!d->from_node || strcmp(d->from_node, "pick") != 0)
        return SY_OK;
    copy_str(c->last, d->path);
    if (!strcmp(c->last, "a"))
        c->a++;
    else if (!strcmp(c->last, "b"))
        c->b++;
    else if (!strcmp(c->last, "holdout"))
        c->holdout++;
    else
        c->other++;
    return SY_OK;
}

static sy_err_t ignore_action(void *ctx, const sy_action_t *a) {
    (void)ctx;
    (void)a;
    return SY_OK;
}

static sy_err_t ignore_update(void *ctx, const sy_contact_update_t *u) {
    (void)ctx;
    (void)u;
    return SY_OK;
}

/* Enter n contacts ("split-<i>") into the split journey on a counting engine. */
static void split_run(const char *store_name, size_t first, size_t n, arm_counter_t *c) {
    journey_t *j = journey_text(split_yaml);
    journey_set_t set = {.count = 1, .journeys = &j};
    state_store_t *store = NULL;
    engine_t *engine = NULL;
    sy_err_t err = state_store_open(&store, store_name, true, STATE_CACHE_BYTES_DEFAULT,
                                    errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open returned %d; %s", err, errbuf);
    engine_sink_t sink = {count_arm, ignore_action, ignore_update, c, NULL};
    err = engine_open(&engine, &set, store, &sink, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "engine_open returned %d; %s", err, errbuf);
    char id[64];
    for (size_t i = first; i < first + n; i++) {
        snprintf(id, sizeof id, "split-%zu", i);
        sy_event_t ev = event_make("signup", id, T0_MS, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
        ev.name = "signup";
        err = engine_on_event(engine, PARTITION, &ev, errbuf, sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "engine_on_event returned %d; %s", err, errbuf);
    }
    engine_close(engine);
    state_store_close(store);
    journey_free(j);
}

static void expect_share(size_t got, size_t total, double share, const char *arm) {
    double frac = (double)got / (double)total;
    cr_assert(frac >= share - 0.02 && frac <= share + 0.02,
              "arm %s took %.4f of contacts, want %.4f +- 0.02", arm, frac, share);
}

Test(engine_lang, split_shares_hold_within_two_percent_over_10000_contacts) {
    arm_counter_t c = {0};
    split_run("engine-split", 0, 10000, &c);
    cr_assert(eq(sz, c.a + c.b + c.holdout, 10000), "%zu contacts split, want 10000",
              c.a + c.b + c.holdout);
    cr_assert(eq(sz, c.other, 0), "%zu decisions on an unknown arm", c.other);
    expect_share(c.a, 10000, 0.45, "a");
    expect_share(c.b, 10000, 0.355, "b");
    expect_share(c.holdout, 10000, 0.195, "holdout");
}

Test(engine_lang, split_sends_a_contact_to_the_same_arm_on_two_engines) {
    for (size_t i = 0; i < 20; i++) {
        arm_counter_t first = {0}, second = {0};
        split_run("engine-split-1", i, 1, &first);
        split_run("engine-split-2", i, 1, &second);
        cr_assert(eq(str, first.last, second.last), "contact %zu: arm '%s', then '%s'", i,
                  first.last, second.last);
    }
}
