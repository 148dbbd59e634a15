/* test_engine_batches.c — the engine across timers, batches and replays: stale timers,
 * re-entry as a new occurrence, state carried across committed batches, an aborted batch
 * replayed, and the same outputs for the same events whatever the commit boundaries.
 * The environment is engine_fixture.h's; no Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

/* ---- timers and re-entry ---- */

Test(engine, stale_timers_do_nothing_after_opened_path) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    feed_email(&fx, "opened-1", contact, T0_MS + 2 * H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
    size_t fired = advance(&fx, T0_MS + 24 * H_MS);
    cr_assert(eq(sz, fired, 1), "%zu timers fired at 24h, want 1 (stale)", fired);
    /* The close's timer was never set: the contact had left before the 24h moment. */
    fired = advance(&fx, T0_MS + 72 * H_MS);
    cr_assert(eq(sz, fired, 0), "%zu timers fired at 72h, want 0", fired);
    expect_counts(&fx.rec, 4, 2, 0);
}

Test(engine, reentry_after_exit_is_occurrence_2_with_new_action_id) {
    action_id_buf_t first = promo_id(contact, 1), second = promo_id(contact, 2);
    enter_at_t0();
    feed_email(&fx, "bounced-1", contact, T0_MS + H_MS, SY_EVENT_BOUNCED, first.s);
    expect_counts(&fx.rec, 4, 1, 1);

    int64_t t1 = T0_MS + 3 * H_MS;
    feed_entry(&fx, "entry-2", contact, t1);
    expect_counts(&fx.rec, 6, 2, 1);
    expect_decision(&fx.rec, 4, "<null>", "promo_email", "<null>", SY_CAUSE_ENTRY, "entry-2",
                    t1);
    expect_decision(&fx.rec, 5, "promo_email", "outcome", "<null>", SY_CAUSE_ENTRY,
                    "entry-2", t1);
    expect_action(&fx.rec, 1, SY_CHANNEL_EMAIL, "autumn_promo", "promo_email", 2, t1);
    cr_assert(ne(str, fx.rec.actions[1].action_id, fx.rec.actions[0].action_id),
              "re-entry reused action id '%s'", fx.rec.actions[0].action_id);
    cr_assert(eq(str, fx.rec.actions[1].action_id, second.s), "id '%s', want '%s'",
              fx.rec.actions[1].action_id, second.s);

    /* The first email's outcomes no longer count; the second's do. */
    feed_email(&fx, "blocked-old", contact, t1 + H_MS, SY_EVENT_BLOCKED, first.s);
    expect_counts(&fx.rec, 6, 2, 1);
    feed_email(&fx, "delivered-2", contact, t1 + H_MS, SY_EVENT_DELIVERED, second.s);
    /* The first entry's 24h timer is stale; the second's 24h one fires. */
    size_t fired = advance(&fx, T0_MS + 24 * H_MS);
    cr_assert(eq(sz, fired, 1), "%zu timers fired at T0+24h, want 1 (stale)", fired);
    expect_counts(&fx.rec, 6, 2, 1);
    advance(&fx, t1 + 24 * H_MS);
    expect_counts(&fx.rec, 8, 3, 1);
    expect_decision(&fx.rec, 6, "outcome", "push_nudge", "not_opened", SY_CAUSE_TIMER,
                    "<null>", t1 + 24 * H_MS);
    expect_action(&fx.rec, 2, SY_CHANNEL_PUSH, "autumn_promo_reminder", "push_nudge", 2,
                  t1 + 24 * H_MS);
}

Test(engine, committed_state_and_timers_carry_across_batches) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    sy_err_t err = state_store_commit(fx.store, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "commit returned %d; %s", err, errbuf);
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    err = state_store_commit(fx.store, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "commit returned %d; %s", err, errbuf);
    advance(&fx, T0_MS + 24 * H_MS);
    expect_counts(&fx.rec, 4, 2, 0);
    expect_decision(&fx.rec, 2, "outcome", "push_nudge", "not_opened", SY_CAUSE_TIMER,
                    "<null>", T0_MS + 24 * H_MS);
}

Test(engine, aborted_batch_replays_to_the_same_outputs) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    sy_err_t err = state_store_commit(fx.store, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "commit returned %d; %s", err, errbuf);
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    feed_email(&fx, "opened-1", contact, T0_MS + 2 * H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
    state_store_abort(fx.store);
    /* The transaction was aborted: the batch is processed again from committed state. */
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    feed_email(&fx, "opened-1", contact, T0_MS + 2 * H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 6, 3, 0);
    for (size_t i = 0; i < 3; i++)
        cr_assert(eq(str, fx.rec.lines[3 + i], fx.rec.lines[6 + i]), "replayed output %zu:\n"
                  "  %s\nwant\n  %s", i, fx.rec.lines[6 + i], fx.rec.lines[3 + i]);
}

/* ---- determinism ---- */

/* Five contacts, one per path, interleaved; commit_each commits after every event. */
static void run_scenario(env_t *env, bool commit_each) {
    static const char *const contacts[] = {"c-opened", "c-push", "c-bounced", "c-blocked",
                                           "c-silent"};
    char ids[5][ACTION_ID_BYTES], event_id[64];
    int64_t t = T0_MS;
    int n = 0;
    for (size_t i = 0; i < 5; i++) {
        snprintf(event_id, sizeof event_id, "e%d", n++);
        feed_entry(env, event_id, contacts[i], t + (int64_t)i * 1000);
        action_id_format(ids[i], contacts[i], JOURNEY_ID, 1, "promo_email", 1,
                         ACTION_ID_ONE_PASS);
    }
    static const struct {
        size_t contact;
        sy_event_type_t type;
        int64_t at_ms;
    } script[] = {
        {0, SY_EVENT_DELIVERED, 60 * 1000}, {1, SY_EVENT_DELIVERED, 90 * 1000},
        {2, SY_EVENT_BOUNCED, 2 * H_MS},    {0, SY_EVENT_OPENED, 3 * H_MS},
        {3, SY_EVENT_BLOCKED, 5 * H_MS},    {1, SY_EVENT_OPENED, 30 * H_MS},
        {4, SY_EVENT_SENT, 80 * H_MS},
    };
    for (size_t k = 0; k < sizeof script / sizeof script[0]; k++) {
        snprintf(event_id, sizeof event_id, "e%d", n++);
        size_t c = script[k].contact;
        feed_email(env, event_id, contacts[c], t + script[k].at_ms, script[k].type, ids[c]);
        if (commit_each) {
            sy_err_t err = state_store_commit(env->store, errbuf, sizeof errbuf);
            cr_assert(eq(int, err, SY_OK), "commit returned %d; %s", err, errbuf);
        }
    }
    advance(env, INT64_MAX);
}

static void expect_same_outputs(const recorder_t *a, const recorder_t *b) {
    cr_assert(eq(sz, a->lines_count, b->lines_count), "%zu outputs, then %zu", a->lines_count,
              b->lines_count);
    for (size_t i = 0; i < a->lines_count; i++)
        cr_assert(eq(str, (char *)a->lines[i], (char *)b->lines[i]),
                  "output %zu differs:\n  %s\n  %s", i,
                  a->lines[i], b->lines[i]);
}

Test(engine, same_events_into_fresh_stores_give_identical_outputs) {
    static env_t second;
    run_scenario(&fx, false);
    env_open(&second, "engine-test-second");
    run_scenario(&second, false);
    /* 5 entries x (2 decisions + 1 email); opened, push, bounced, blocked: 2 decisions and
     * one action or update each; silent: the otherwise decision. */
    cr_assert(eq(sz, fx.rec.decisions_count, 10 + 8 + 1), "%zu decisions, want 19",
              fx.rec.decisions_count);
    cr_assert(eq(sz, fx.rec.actions_count, 5 + 2), "%zu actions, want 7", fx.rec.actions_count);
    cr_assert(eq(sz, fx.rec.updates_count, 2), "%zu updates, want 2", fx.rec.updates_count);
    expect_same_outputs(&fx.rec, &second.rec);
    env_close(&second);
}

Test(engine, commit_boundaries_do_not_change_outputs) {
    static env_t committing;
    run_scenario(&fx, false);
    env_open(&committing, "engine-test-committing");
    run_scenario(&committing, true);
    expect_same_outputs(&fx.rec, &committing.rec);
    env_close(&committing);
}
