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
#include "store_fixture.h"
#include "sy_hash.h"

#define T0_MS 1727773200000LL /* 2024-10-01T09:00:00Z */
#define H_MS (3600LL * 1000)

static void setup(void) { store_fixture_open("admit"); }

TestSuite(admit, .init = setup, .fini = store_fixture_close);

/* Was the id seen at t (window and most ids as given)? */
static bool seen(const char *contact, uint64_t hash, int64_t t, int64_t window_ms,
                 size_t ids_max) {
    state_event_ids_conf_t conf = {window_ms, ids_max};
    bool was = true;
    sy_err_t err = state_store_event_id_seen(sf.store, 0, contact, hash, t, &conf, &was,
                                             sf.errbuf, sizeof sf.errbuf);
    cr_assert(eq(int, err, SY_OK), "event_id_seen: %d %s", err, sf.errbuf);
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
    cr_assert(eq(int, state_store_event_ids_get(sf.store, 0, "ann", ids, &count, sf.errbuf,
                                                sizeof sf.errbuf), SY_OK));
    cr_assert(eq(sz, count, 3));
    cr_assert(eq(u64, ids[0].hash, 101));
    cr_assert(eq(i64, ids[2].time_ms, T0_MS + 3));
    cr_assert(not(seen("ann", 100, T0_MS, 24 * H_MS, 3)), "the oldest id was forgotten");
}

Test(admit, ids_commit_and_come_back_through_the_changelog) {
    cr_assert(not(seen("ann", 7, T0_MS, 24 * H_MS, 64)));
    store_fixture_copy_commit();
    cr_assert(seen("ann", 7, T0_MS, 24 * H_MS, 64), "committed ids are read back");
    state_event_id_t ids[STATE_EVENT_IDS_MAX];
    size_t count = 0;
    cr_assert(eq(int, state_store_event_ids_get(sf.copy, 0, "ann", ids, &count, sf.errbuf,
                                                sizeof sf.errbuf), SY_OK));
    cr_assert(eq(sz, count, 1), "the restored store holds the id");
    cr_assert(eq(u64, ids[0].hash, 7));
    store_fixture_expect_bad_value_refused(STATE_CHANGELOG_CF_EVENT_IDS);
}

/* The rule of state_store_event_id_seen as its header states it, on a plain array: the
 * reference the store's record (read in place, added to without decoding when nothing is
 * forgotten) must match in every answer and every id kept, in order. */
typedef struct ids_model {
    state_event_id_t ids[STATE_EVENT_IDS_MAX + 1];
    size_t count;
} ids_model_t;

static bool model_seen(ids_model_t *m, uint64_t hash, int64_t t, int64_t window_ms,
                       size_t ids_max) {
    int64_t now = t;
    for (size_t i = 0; i < m->count; i++)
        now = m->ids[i].time_ms > now ? m->ids[i].time_ms : now;
    for (size_t i = 0; i < m->count; i++)
        if (m->ids[i].hash == hash && m->ids[i].time_ms >= now - window_ms)
            return true;
    m->ids[m->count++] = (state_event_id_t){hash, t};
    size_t kept = 0;
    for (size_t i = 0; i < m->count; i++)
        if (m->ids[i].time_ms >= now - window_ms)
            m->ids[kept++] = m->ids[i];
    for (; kept > ids_max; kept--) {
        size_t oldest = 0;
        for (size_t i = 1; i < kept; i++)
            oldest = m->ids[i].time_ms < m->ids[oldest].time_ms ? i : oldest;
        memmove(&m->ids[oldest], &m->ids[oldest + 1], (kept - oldest - 1) * sizeof m->ids[0]);
    }
    m->count = kept;
    return false;
}

Test(admit, ids_kept_and_duplicates_follow_the_rule_over_a_long_mixed_run) {
    static ids_model_t model;
    state_event_id_t ids[STATE_EVENT_IDS_MAX];
    uint64_t x = 42;
    int64_t t = T0_MS;
    for (int step = 0; step < 3000; step++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t hash = (x >> 33) % 12;
        t += (int64_t)((x >> 45) % 61) - 20; /* mostly forward, sometimes back */
        size_t ids_max = step < 2000 ? 6 : 64;
        bool want = model_seen(&model, hash, t, 100, ids_max);
        cr_assert(eq(int, seen("ann", hash, t, 100, ids_max), want), "step %d", step);
        size_t count = 0;
        cr_assert(eq(int, state_store_event_ids_get(sf.store, 0, "ann", ids, &count,
                                                    sf.errbuf, sizeof sf.errbuf), SY_OK));
        cr_assert(eq(sz, count, model.count), "step %d", step);
        for (size_t i = 0; i < count; i++) {
            cr_assert(eq(u64, ids[i].hash, model.ids[i].hash), "step %d id %zu", step, i);
            cr_assert(eq(i64, ids[i].time_ms, model.ids[i].time_ms), "step %d id %zu", step,
                      i);
        }
    }
}

/* ---- engine_admit_event ---- */

static sy_err_t admit(const char *id, int64_t t, int64_t wall_ms, bool *duplicate) {
    engine_admit_conf_t conf = engine_admit_conf_default();
    sy_event_t ev = {.event_id = id, .contact_id = "ann", .occurred_at_ms = t,
                     .channel = SY_CHANNEL_CUSTOM, .type = SY_EVENT_CUSTOM, .name = "x"};
    sf.errbuf[0] = '\0';
    return engine_admit_event(sf.store, &conf, 0, &ev, wall_ms, duplicate, sf.errbuf,
                              sizeof sf.errbuf);
}

Test(admit, a_time_far_ahead_of_the_partition_or_the_clock_is_implausible) {
    bool dup = false;
    /* Nothing to compare with yet: any time in bounds passes. */
    cr_assert(eq(int, admit("a", T0_MS, INT64_MIN, &dup), SY_OK));
    cr_assert(eq(int, admit("b", SY_TIME_MAX_MS + 1, INT64_MIN, &dup),
                 SY_ERR_IMPLAUSIBLE_TIME));
    cr_assert(sy_err_is_input_fault(SY_ERR_IMPLAUSIBLE_TIME));
    state_store_stream_time_set(sf.store, 0, T0_MS);
    int64_t gap = ENGINE_FUTURE_GAP_MAX_MS_DEFAULT;
    cr_assert(eq(int, admit("c", T0_MS + gap, INT64_MIN, &dup), SY_OK));
    cr_assert(eq(int, admit("d", T0_MS + gap + 1, INT64_MIN, &dup), SY_ERR_IMPLAUSIBLE_TIME));
    cr_assert_not_null(strstr(sf.errbuf, "events.future.gap.max.ms"), "%s", sf.errbuf);
    cr_assert(eq(int, admit("d", T0_MS + 1, INT64_MIN, &dup), SY_OK));
    cr_assert(not(dup), "an implausible event records no id");
}

Test(admit, with_the_wall_clock_only_a_time_a_day_ahead_of_it_is_implausible) {
    bool dup = false;
    int64_t skew = ENGINE_FUTURE_SKEW_MAX_MS_DEFAULT;
    cr_assert(eq(int, admit("a", T0_MS + skew, T0_MS, &dup), SY_OK));
    cr_assert(eq(int, admit("b", T0_MS + skew + 1, T0_MS, &dup), SY_ERR_IMPLAUSIBLE_TIME));
    cr_assert_not_null(strstr(sf.errbuf, "wall clock"), "%s", sf.errbuf);
    cr_assert(eq(int, admit("a", T0_MS + skew, T0_MS, &dup), SY_OK));
    cr_assert(dup, "the same id again is a duplicate");
}

Test(admit, an_event_id_is_kept_as_its_fnv1a64_hash_at_every_length) {
    const char *letters = "abcdefghijklmnopqrstuvwxyz0123456789-abcdefghij";
    char id[64];
    state_event_id_t ids[STATE_EVENT_IDS_MAX];
    for (size_t len = 1; len <= strlen(letters); len++) {
        bool dup = true;
        memcpy(id, letters, len);
        id[len] = '\0';
        cr_assert(eq(int, admit(id, T0_MS + (int64_t)len, INT64_MIN, &dup), SY_OK), "%s",
                  sf.errbuf);
        cr_assert(not(dup), "%s", id);
        size_t count = 0;
        cr_assert(eq(int, state_store_event_ids_get(sf.store, 0, "ann", ids, &count,
                                                    sf.errbuf, sizeof sf.errbuf), SY_OK));
        cr_assert(eq(sz, count, len));
        cr_assert(eq(u64, ids[count - 1].hash, sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, id, len)),
                  "%s", id);
    }
}
