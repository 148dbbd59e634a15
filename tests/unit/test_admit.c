/* test_admit.c — what an input event passes before the engine (engine_admit.h): event
 * ids kept per contact in the state store (window, most ids, commit, changelog round
 * trip) and the plausibility of event times (bounds, ahead of the partition's event time
 * or of the wall clock). In-memory RocksDB; no Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine_admit.h"
#include "state_store.h"

#define T0_MS 1727773200000LL /* 2024-10-01T09:00:00Z */
#define H_MS (3600LL * 1000)

static char errbuf[1024];
static state_store_t *store, *copy;

static state_store_t *open_store(const char *name) {
    state_store_t *s = NULL;
    sy_err_t err = state_store_open(&s, name, true, STATE_CACHE_BYTES_DEFAULT, errbuf,
                                    sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open: %d %s", err, errbuf);
    return s;
}

static void setup(void) {
    store = open_store("admit");
}

static void teardown(void) {
    state_store_close(store);
    state_store_close(copy);
    copy = NULL;
}

TestSuite(admit, .init = setup, .fini = teardown);

/* Was the id seen at t (window and most ids as given)? */
static bool seen(const char *contact, uint64_t hash, int64_t t, int64_t window_ms,
                 size_t ids_max) {
    state_event_ids_conf_t conf = {window_ms, ids_max};
    bool was = true;
    sy_err_t err = state_store_event_id_seen(store, 0, contact, hash, t, &conf, &was, errbuf,
                                             sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "event_id_seen: %d %s", err, errbuf);
    return was;
}

Test(admit, an_id_is_seen_within_the_window_and_forgotten_after_it) {
    cr_assert(not(seen("ann", 1, T0_MS, 24 * H_MS, 64)));
    cr_assert(seen("ann", 1, T0_MS, 24 * H_MS, 64));
    cr_assert(not(seen("ben", 1, T0_MS, 24 * H_MS, 64)), "ids are per contact");
    /* A later event of ann moves her window: 24h after T0 the id still counts ... */
    cr_assert(not(seen("ann", 2, T0_MS + 24 * H_MS, 24 * H_MS, 64)));
    cr_assert(seen("ann", 1, T0_MS, 24 * H_MS, 64));
    /* ... one millisecond more and it is forgotten, so a redelivery is new again. */
    cr_assert(not(seen("ann", 3, T0_MS + 24 * H_MS + 1, 24 * H_MS, 64)));
    cr_assert(not(seen("ann", 1, T0_MS, 24 * H_MS, 64)));
}

Test(admit, at_most_ids_max_are_kept_the_oldest_going_first) {
    for (uint64_t i = 0; i < 4; i++)
        cr_assert(not(seen("ann", 100 + i, T0_MS + (int64_t)i, 24 * H_MS, 3)));
    state_event_id_t ids[STATE_EVENT_IDS_MAX];
    size_t count = 0;
    cr_assert(eq(int, state_store_event_ids_get(store, 0, "ann", ids, &count, errbuf,
                                                sizeof errbuf), SY_OK));
    cr_assert(eq(sz, count, 3));
    cr_assert(eq(u64, ids[0].hash, 101));
    cr_assert(eq(i64, ids[2].time_ms, T0_MS + 3));
    cr_assert(not(seen("ann", 100, T0_MS, 24 * H_MS, 3)), "the oldest id was forgotten");
}

static sy_err_t replay_op(void *ctx, state_changelog_cf_t cf, int32_t partition,
                          const uint8_t *key, size_t key_len, const uint8_t *value,
                          size_t value_len) {
    (void)partition;
    return state_store_changelog_apply(ctx, cf, key, key_len, value, value_len, errbuf,
                                       sizeof errbuf);
}

Test(admit, ids_commit_and_come_back_through_the_changelog) {
    cr_assert(not(seen("ann", 7, T0_MS, 24 * H_MS, 64)));
    copy = open_store("admit-copy");
    cr_assert(eq(int, state_store_pending_each(store, replay_op, copy), SY_OK), "%s", errbuf);
    cr_assert(eq(int, state_store_commit(store, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, state_store_commit(copy, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(seen("ann", 7, T0_MS, 24 * H_MS, 64), "committed ids are read back");
    state_event_id_t ids[STATE_EVENT_IDS_MAX];
    size_t count = 0;
    cr_assert(eq(int, state_store_event_ids_get(copy, 0, "ann", ids, &count, errbuf,
                                                sizeof errbuf), SY_OK));
    cr_assert(eq(sz, count, 1), "the restored store holds the id");
    cr_assert(eq(u64, ids[0].hash, 7));
    uint8_t bad[] = {1, 2, 3};
    uint8_t key[] = {0, 0, 'a', 'n', 'n'};
    cr_assert(eq(int, state_store_changelog_apply(copy, STATE_CHANGELOG_CF_EVENT_IDS, key,
                                                  sizeof key, bad, sizeof bad, errbuf,
                                                  sizeof errbuf), SY_ERR_INVALID_ARG));
}

/* ---- engine_admit_event ---- */

static sy_err_t admit(const char *id, int64_t t, int64_t wall_ms, bool *duplicate) {
    engine_admit_conf_t conf = engine_admit_conf_default();
    sy_event_t ev = {.event_id = id, .contact_id = "ann", .occurred_at_ms = t,
                     .channel = SY_CHANNEL_CUSTOM, .type = SY_EVENT_CUSTOM, .name = "x"};
    errbuf[0] = '\0';
    return engine_admit_event(store, &conf, 0, &ev, wall_ms, duplicate, errbuf,
                              sizeof errbuf);
}

Test(admit, a_time_far_ahead_of_the_partition_or_the_clock_is_implausible) {
    bool dup = false;
    /* Nothing to compare with yet: any time in bounds passes. */
    cr_assert(eq(int, admit("a", T0_MS, INT64_MIN, &dup), SY_OK));
    cr_assert(eq(int, admit("b", SY_TIME_MAX_MS + 1, INT64_MIN, &dup),
                 SY_ERR_IMPLAUSIBLE_TIME));
    cr_assert(sy_err_is_input_fault(SY_ERR_IMPLAUSIBLE_TIME));
    state_store_stream_time_set(store, 0, T0_MS);
    int64_t gap = ENGINE_FUTURE_GAP_MAX_MS_DEFAULT;
    cr_assert(eq(int, admit("c", T0_MS + gap, INT64_MIN, &dup), SY_OK));
    cr_assert(eq(int, admit("d", T0_MS + gap + 1, INT64_MIN, &dup), SY_ERR_IMPLAUSIBLE_TIME));
    cr_assert_not_null(strstr(errbuf, "events.future.gap.max.ms"), "%s", errbuf);
    cr_assert(eq(int, admit("d", T0_MS + 1, INT64_MIN, &dup), SY_OK));
    cr_assert(not(dup), "an implausible event records no id");
}

Test(admit, with_the_wall_clock_only_a_time_a_day_ahead_of_it_is_implausible) {
    bool dup = false;
    int64_t skew = ENGINE_FUTURE_SKEW_MAX_MS_DEFAULT;
    cr_assert(eq(int, admit("a", T0_MS + skew, T0_MS, &dup), SY_OK));
    cr_assert(eq(int, admit("b", T0_MS + skew + 1, T0_MS, &dup), SY_ERR_IMPLAUSIBLE_TIME));
    cr_assert_not_null(strstr(errbuf, "wall clock"), "%s", errbuf);
    cr_assert(eq(int, admit("a", T0_MS + skew, T0_MS, &dup), SY_OK));
    cr_assert(dup, "the same id again is a duplicate");
}
