/* runner_scan.c — the deploy-time scan between batches: for the newest loaded version of
 * each journey with `on_deploy: scan` and each partition this instance processes, enter
 * the stored contacts that already match, a slice at a time at journeys.scan.rate, each
 * slice a transaction of its own that also writes the scan's cursor. Not which contacts
 * enter (engine_audience.c) nor how a cursor is stored (state_scans.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

/* The newest loaded version of each id whose entry scans at deploy, i of the set. */
static bool scan_journey(const journey_set_t *set, size_t i) {
    assert(i < set->count);
    const journey_t *j = set->journeys[i];
    bool newest = i + 1 == set->count || strcmp(set->journeys[i + 1]->id, j->id) != 0;
    return newest && j->entry_scan;
}

/* Whether the cursor of (entry, partition) was seen done (committed). A done scan stays
 * done wherever its partition goes: its cursor is never deleted, and the changelog
 * restores it. */
static bool done_known(const runner_journey_t *entry, int32_t p) {
    assert(p >= 0 && p < STATE_PARTITIONS_MAX);
    return entry->scan_done && (entry->scan_done[p / 64] >> (p % 64) & 1);
}

static void done_note(runner_journey_t *entry, int32_t p) {
    assert(p >= 0 && p < STATE_PARTITIONS_MAX);
    if (!entry->scan_done &&
        !(entry->scan_done = calloc(STATE_PARTITIONS_MAX / 64, sizeof *entry->scan_done)))
        return; /* without memory the cursor is read again: still right */
    entry->scan_done[p / 64] |= UINT64_C(1) << (p % 64);
}

/* The scans with work left, their committed cursors read: up to RUNNER_SCAN_WORK_MAX. */
static sy_err_t work_find(runner_t *r, char *errbuf, size_t errbuf_size) {
    runner_scan_t *sc = &r->scan;
    runner_journeys_t *js = r->journeys;
    sc->work_count = 0;
    assert(r->txn_state == RUNNER_TXN_IDLE);
    for (size_t i = 0; i < js->count && sc->work_count < RUNNER_SCAN_WORK_MAX; i++) {
        const journey_t *j = js->set.journeys[i];
        if (!scan_journey(&js->set, i))
            continue;
        runner_journey_t *entry = &js->entries[i];
        assert(entry->journey == j); /* the set points into the entries, in their order */
        for (int a = 0; a < r->assigned->cnt && sc->work_count < RUNNER_SCAN_WORK_MAX; a++) {
            int32_t p = r->assigned->elems[a].partition;
            if (strcmp(r->assigned->elems[a].topic, r->config->topic_events) != 0 ||
                p < 0 || p >= STATE_PARTITIONS_MAX ||
                r->restore.phase[p] != RUNNER_RESTORE_OWNED || done_known(entry, p))
                continue;
            runner_scan_work_t *w = &sc->work[sc->work_count];
            sy_err_t err = state_store_scan_get(r->store, p, j->id, j->version, &w->scan,
                                                errbuf, errbuf_size);
            if (err == SY_ERR_NOT_FOUND)
                w->scan = (state_scan_t){.done = false};
            else if (err != SY_OK)
                return err;
            if (err == SY_OK && w->scan.done) {
                done_note(entry, p);
                continue;
            }
            w->journey = j;
            w->partition = p;
            sc->work_count++;
        }
    }
    return SY_OK;
}

/* The time scan entries happen at: the wall clock, or in time.mode = event the partition's
 * stream time (the wall clock while it has seen no event). */
static int64_t entry_time_ms(runner_t *r, int32_t p) {
    assert(p >= 0 && p < STATE_PARTITIONS_MAX);
    if (r->config->time_mode != CONFIG_TIME_EVENT)
        return sy_clock_wall_ms();
    int64_t t = state_store_stream_time_get(r->store, p);
    return t == INT64_MIN ? sy_clock_wall_ms() : t;
}

/* One transaction: a slice of each scan of the work list, each with its cursor. */
static sy_err_t slice_run(runner_t *r, size_t budget, char *errbuf, size_t errbuf_size) {
    runner_scan_t *sc = &r->scan;
    assert(budget > 0 && sc->work_count > 0);
    sy_err_t err = runner_txn_begin(r, errbuf, errbuf_size);
    for (size_t i = 0; i < sc->work_count && err == SY_OK; i++) {
        runner_scan_work_t *w = &sc->work[i];
        if (w->scan.scanned == 0 && w->scan.cursor[0] == '\0')
            log_info("journeys: scan of '%s' version %d began on partition %" PRId32,
                     w->journey->id, (int)w->journey->version, w->partition);
        r->batch_partition = w->partition;
        err = engine_audience_scan(r->engine, w->partition, w->journey,
                                   entry_time_ms(r, w->partition), budget, &w->scan, errbuf,
                                   errbuf_size);
    }
    if (err != SY_OK)
        return err;
    uint64_t committed = atomic_load(&r->total_transactions);
    err = runner_txn_commit(r, errbuf, errbuf_size);
    if (err != SY_OK || atomic_load(&r->total_transactions) == committed)
        return err; /* aborted: the committed cursors redo the slice */
    for (size_t i = 0; i < sc->work_count; i++) {
        const runner_scan_work_t *w = &sc->work[i];
        if (w->scan.done)
            log_info("journeys: scan of '%s' version %d done on partition %" PRId32
                     ": %" PRIu64 " stored contacts visited, %" PRIu64 " entered",
                     w->journey->id, (int)w->journey->version, w->partition,
                     w->scan.scanned, w->scan.entered);
    }
    return SY_OK;
}

sy_err_t runner_scan_step(runner_t *r, char *errbuf, size_t errbuf_size) {
    runner_scan_t *sc = &r->scan;
    assert(r->journeys && r->config->journeys_scan_rate > 0);
    if (r->txn_state != RUNNER_TXN_IDLE)
        return SY_OK;
    int64_t now = sy_clock_mono_ms();
    int64_t gap = sc->last_ms ? now - sc->last_ms : RUNNER_SCAN_GAP_MS;
    if (gap < RUNNER_SCAN_GAP_MS)
        return SY_OK;
    sc->last_ms = now;
    sy_err_t err = work_find(r, errbuf, errbuf_size);
    sc->busy = err == SY_OK && sc->work_count > 0;
    if (!sc->busy)
        return err;
    /* A slice walks committed profiles: a commit on its way ends first. */
    err = runner_pipeline_finish(r, true, errbuf, errbuf_size);
    if (err != SY_OK || r->txn_state != RUNNER_TXN_IDLE)
        return err;
    /* A second's worth at most, however long the loop was away. */
    int64_t rate = r->config->journeys_scan_rate;
    int64_t budget = gap >= 1000 ? rate : rate * gap / 1000;
    return slice_run(r, budget > 0 ? (size_t)budget : 1, errbuf, errbuf_size);
}
