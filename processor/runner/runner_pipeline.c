/* runner_pipeline.c — pipelined commits under exactly_once (issue 16, item 8): a due
 * batch is closed (its changelog produced, its state sealed in the store) and its
 * transaction's offsets and commit go on without blocking while the next batch is
 * processed. Transactions stay one at a time and in order: the next batch's transaction
 * begins only once this one has committed, its outputs held until then (runner_held.c),
 * so one contact's records never interleave and none is visible before the batch before
 * it. A failed commit drops both batches and rewinds the consumer to the committed
 * offsets, as a failed blocking commit drops one. Also the batch's ends the loop, the
 * rebalances and the stop ask for (runner_txn_commit, _redo, _drop, _abandon), each
 * ending a commit on its way first. Not the transaction's steps (runner_txn.c). */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

/* Exchange the open batch's counters, tables, offsets list and start time with the
 * committing batch's (or the spares). Kept series pointers into the live table are
 * checked against its moved count (runner_counts.c): both tables get new counts. */
static void slot_swap(runner_t *r) {
    runner_inflight_t *f = &r->inflight;
    assert(f->offsets && r->offsets);
    runner_counts_t batch = r->batch;
    r->batch = f->batch;
    f->batch = batch;
    admin_table_t table = r->metrics;
    r->metrics = f->metrics;
    f->metrics = table;
    table = r->live;
    r->live = f->live;
    f->live = table;
    uint64_t moved = (r->live.moved > f->live.moved ? r->live.moved : f->live.moved) + 1;
    r->live.moved = moved;
    f->live.moved = moved + 1;
    rd_kafka_topic_partition_list_t *offsets = r->offsets;
    r->offsets = f->offsets;
    f->offsets = offsets;
    int64_t started = r->batch_started_ms;
    r->batch_started_ms = f->batch_started_ms;
    f->batch_started_ms = started;
}

/* The committing batch becomes the runner's (committing) and the open one steps aside;
 * returns the open batch's state, for leave(). */
static runner_txn_state_t enter(runner_t *r) {
    runner_txn_state_t next = r->txn_state;
    assert(r->inflight.active && (next == RUNNER_TXN_IDLE || next == RUNNER_TXN_OPEN));
    slot_swap(r);
    r->txn_state = RUNNER_TXN_COMMITTING;
    r->inflight.active = false;
    return next;
}

/* The held outputs, in order, into the open transaction; then none is held. Errors: as
 * runner_produce. */
static sy_err_t held_produce(runner_t *r) {
    runner_held_t *h = &r->held;
    sy_err_t err = SY_OK;
    assert(r->txn_state == RUNNER_TXN_OPEN && !r->batch_held);
    for (size_t i = 0; i < h->count && err == SY_OK; i++) {
        runner_held_record_t *rec = &h->records[i];
        err = runner_produce(r, rec->topic, RD_KAFKA_PARTITION_UA, h->bytes + rec->key_at,
                             rec->key_len, h->bytes + rec->value_at, rec->value_len,
                             rec->headers, false);
        rec->headers = NULL; /* taken by the produce, delivered or not */
    }
    runner_held_drop(r); /* the records after a failed one: their headers freed */
    return err;
}

/* The open batch's Kafka transaction, now that the one before it committed: begun, and
 * its held outputs produced into it. A produce that fails redoes the batch. */
static sy_err_t next_begin(runner_t *r, char *errbuf, size_t errbuf_size) {
    assert(r->txn_state == RUNNER_TXN_OPEN && r->batch_held && !r->inflight.active);
    rd_kafka_error_t *error = rd_kafka_begin_transaction(r->producer);
    if (error) { /* the runner stops (as when a blocking begin fails): nothing to hold */
        runner_held_drop(r);
        return runner_txn_error(error, "begin transaction", errbuf, errbuf_size);
    }
    runner_changelog_batch_reset(r);
    r->batch_held = false;
    if (held_produce(r) == SY_ERR_KAFKA_ABORT)
        runner_txn_batch_redo(r, r->fatal_msg, true);
    return SY_OK;
}

/* The committing batch's commit ended with err (entered): its outcome; then the open
 * batch steps back in — begun on Kafka when the commit succeeded, dropped with it when
 * it failed (its state goes with the store's abort, its offsets join the rewind). */
static sy_err_t leave(runner_t *r, runner_txn_state_t next, sy_err_t err, uint64_t start_us,
                      bool rewind, char *errbuf, size_t errbuf_size) {
    runner_inflight_t *f = &r->inflight;
    assert(r->txn_state == RUNNER_TXN_COMMITTING && !f->active);
    bool failed = err != SY_OK;
    /* Counted with the batch's totals and metrics when it committed. */
    r->batch.overlapped = next == RUNNER_TXN_OPEN && r->batch_held;
    if (failed) {
        runner_held_drop(r);
        admin_table_zero(&f->metrics);
        admin_table_zero(&f->live);
        memset(&f->batch, 0, sizeof f->batch);
    }
    sy_err_t out = runner_txn_outcome(r, err, start_us, rewind, errbuf, errbuf_size);
    assert(r->txn_state == RUNNER_TXN_IDLE);
    slot_swap(r);
    r->txn_state = failed ? RUNNER_TXN_IDLE : next;
    if (failed) {
        runner_offsets_reset(r);
        r->batch_held = false;
    } else if (out == SY_OK && r->txn_state == RUNNER_TXN_OPEN && r->batch_held) {
        out = next_begin(r, errbuf, errbuf_size);
    }
    return out;
}

sy_err_t runner_pipeline_close(runner_t *r, char *errbuf, size_t errbuf_size) {
    runner_inflight_t *f = &r->inflight;
    sy_err_t err = runner_pipeline_finish(r, true, errbuf, errbuf_size);
    if (err != SY_OK || r->txn_state == RUNNER_TXN_IDLE)
        return err;
    assert(r->config->processing_guarantee == CONFIG_EXACTLY_ONCE && !f->active);
    uint64_t start_us = (uint64_t)sy_clock_mono_us();
    err = runner_txn_close(r, errbuf, errbuf_size);
    if (err == SY_OK)
        err = state_store_seal(r->store, errbuf, errbuf_size);
    if (err != SY_OK)
        return runner_txn_outcome(r, err, start_us, true, errbuf, errbuf_size);
    slot_swap(r); /* the closed batch into the slot, the spares out */
    r->txn_state = RUNNER_TXN_IDLE;
    f->active = true;
    f->start_us = start_us;
    f->offsets_sent = f->offsets->cnt == 0;
    if (!runner_committer_start(r, f->offsets, f->offsets_sent))
        return runner_pipeline_finish(r, true, errbuf, errbuf_size);
    return SY_OK;
}

/* Would the loop's own calls resume where the committer's stopped? When its wait for the
 * acknowledgements ran out (no error, not committed), or a call failed with an error that
 * is retriable, and neither fatal nor in need of an abort. */
static bool calls_resumable(const rd_kafka_error_t *error, bool committed) {
    /* no assert: every pair is an answer (committed: not resumed) */
    if (!error)
        return !committed;
    return rd_kafka_error_is_retriable(error) && !rd_kafka_error_is_fatal(error) &&
           !rd_kafka_error_txn_requires_abort(error);
}

/* The committing batch's calls ended (joined: error theirs, NULL none failed), or none
 * was made (no thread could be started: error NULL); resume: make them, or resume from
 * the one that failed or ran out, on this thread with backoff (runner_txn_kafka_commit);
 * then the outcome. */
static sy_err_t committer_end(runner_t *r, rd_kafka_error_t *error, bool resume, bool rewind,
                              char *errbuf, size_t errbuf_size) {
    runner_inflight_t *f = &r->inflight;
    assert(f->active && !runner_committer_running(r));
    const char *what = f->offsets_sent ? "commit transaction" : "send offsets to transaction";
    sy_err_t err = error ? runner_txn_error(error, what, errbuf, errbuf_size) : SY_OK;
    bool offsets_sent = f->offsets_sent;
    uint64_t start_us = f->start_us;
    runner_txn_state_t next = enter(r);
    if (resume)
        err = runner_txn_kafka_commit(r, offsets_sent, errbuf, errbuf_size);
    return leave(r, next, err, start_us, rewind, errbuf, errbuf_size);
}

sy_err_t runner_pipeline_drive(runner_t *r, char *errbuf, size_t errbuf_size) {
    runner_inflight_t *f = &r->inflight;
    if (!f->active || !runner_committer_done(r))
        return SY_OK;
    assert(r->txn_state == RUNNER_TXN_IDLE || r->txn_state == RUNNER_TXN_OPEN);
    bool committed;
    rd_kafka_error_t *error = runner_committer_join(r, &f->offsets_sent, &committed);
    return committer_end(r, error, calls_resumable(error, committed), true, errbuf,
                         errbuf_size);
}

sy_err_t runner_pipeline_finish(runner_t *r, bool rewind, char *errbuf, size_t errbuf_size) {
    runner_inflight_t *f = &r->inflight;
    assert(errbuf);
    if (!f->active)
        return SY_OK;
    rd_kafka_error_t *error = NULL;
    bool resume = true; /* no thread could be started: the calls on this one */
    if (runner_committer_running(r)) {
        bool committed;
        error = runner_committer_join(r, &f->offsets_sent, &committed);
        resume = calls_resumable(error, committed);
    }
    return committer_end(r, error, resume, rewind, errbuf, errbuf_size);
}

static void pipeline_abandon(runner_t *r) {
    runner_inflight_t *f = &r->inflight;
    assert(f->active);
    runner_committer_discard(r);
    /* The open batch first: nothing of it reached Kafka, its state goes with the store's
     * abort below. */
    runner_held_drop(r);
    runner_offsets_reset(r);
    r->batch_held = false;
    memset(&r->batch, 0, sizeof r->batch);
    admin_table_zero(&r->metrics);
    admin_table_zero(&r->live);
    enter(r);
    runner_txn_batch_abandon(r); /* the committing one: aborted, its state dropped */
    slot_swap(r);
    r->txn_state = RUNNER_TXN_IDLE;
}

void runner_pipeline_free(runner_t *r) {
    /* no assert: NULL-safe teardown */
    if (!r)
        return;
    runner_inflight_t *f = &r->inflight;
    runner_committer_discard(r); /* a close after an error that left it running */
    admin_table_deinit(&f->metrics);
    admin_table_deinit(&f->live);
    if (f->offsets)
        rd_kafka_topic_partition_list_destroy(f->offsets);
    f->offsets = NULL;
}

/* ---- the batch's ends as the loop, the rebalances and the stop ask for them ---- */

sy_err_t runner_txn_commit(runner_t *r, char *errbuf, size_t errbuf_size) {
    assert(r && errbuf);
    sy_err_t err = runner_pipeline_finish(r, true, errbuf, errbuf_size);
    if (err != SY_OK || r->txn_state == RUNNER_TXN_IDLE)
        return err;
    uint64_t start_us = (uint64_t)sy_clock_mono_us();
    err = runner_txn_close(r, errbuf, errbuf_size);
    if (err == SY_OK && r->config->processing_guarantee == CONFIG_EXACTLY_ONCE)
        err = runner_txn_kafka_commit(r, false, errbuf, errbuf_size);
    return runner_txn_outcome(r, err, start_us, true, errbuf, errbuf_size);
}

/* A batch still committing behind the open one ends first: its failure drops the open
 * batch too. Then the open batch, if any, is redone (rewind) or dropped. */
static void open_batch_redo(runner_t *r, const char *why, bool rewind) {
    char reason[512], errbuf[512];
    assert(why);
    snprintf(reason, sizeof reason, "%s", why); /* why may be r->fatal_msg */
    sy_err_t err = runner_pipeline_finish(r, rewind, errbuf, sizeof errbuf);
    if (err != SY_OK && r->fatal == SY_OK) {
        r->fatal = err;
        snprintf(r->fatal_msg, sizeof r->fatal_msg, "%s", errbuf);
    }
    if (r->txn_state != RUNNER_TXN_IDLE)
        runner_txn_batch_redo(r, reason, rewind);
}

void runner_txn_redo(runner_t *r, const char *why) {
    /* no assert: open_batch_redo checks */
    open_batch_redo(r, why, true);
}

void runner_txn_drop(runner_t *r, const char *why) {
    /* no assert: open_batch_redo checks */
    open_batch_redo(r, why, false);
}

void runner_txn_abandon(runner_t *r) {
    assert(r);
    if (r->inflight.active)
        pipeline_abandon(r); /* both batches, the open one's state with them */
    runner_txn_batch_abandon(r);
}
