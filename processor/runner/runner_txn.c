/* runner_txn.c — the steps of one Kafka transaction per batch: the outputs, the dead
 * letters, the changelog records and the consumed offsets commit together (KIP-447, with
 * the consumer's group metadata); the state store is written after, so it never runs
 * ahead of Kafka. Errors follow librdkafka's classes: retriable → retry, abortable →
 * abort and redo, fatal → stop. at_least_once commits through runner_flush.c instead.
 * When a batch ends (committed, pipelined, redone, abandoned): runner_pipeline.c. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

/* Upper bounds of the commit-latency buckets, in ms (RUNNER_COMMIT_BUCKETS, runner.h);
 * the last bucket takes everything longer than the bound before it. */
static const double commit_bucket_ms[RUNNER_COMMIT_BUCKETS] = {
    1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200, 300, 500,
    1000, 2000, 5000, 10000, 30000, 1e300};

static size_t commit_bucket(uint64_t us) {
    size_t i = 0;
    assert(commit_bucket_ms[RUNNER_COMMIT_BUCKETS - 1] > 1e299); /* the last takes all */
    while (i < RUNNER_COMMIT_BUCKETS - 1 && (double)us > commit_bucket_ms[i] * 1000.0)
        i++;
    return i;
}

static void latency_max_raise(_Atomic uint64_t *max, uint64_t us) {
    assert(max);
    if (us > atomic_load(max)) /* one writer: the runner's thread */
        atomic_store(max, us);
}

/* A committed batch's commit latency and its phases (phase_us) into the histograms the
 * stop line reads. */
static void commit_latency_add(runner_t *r, uint64_t us, const uint64_t *phase_us) {
    assert(r->txn_state == RUNNER_TXN_COMMITTING && phase_us);
    atomic_fetch_add(&r->commit_hist[commit_bucket(us)], 1);
    atomic_fetch_add(&r->commit_us_total, us);
    latency_max_raise(&r->commit_us_max, us);
    for (int p = 0; p < RUNNER_PHASES; p++) {
        atomic_fetch_add(&r->phase_hist[p][commit_bucket(phase_us[p])], 1);
        latency_max_raise(&r->phase_us_max[p], phase_us[p]);
    }
}

/* The q-quantile of a histogram in commit_bucket_ms's buckets whose largest value is
 * max_ms: the upper bound of the bucket that holds it, never above max_ms; 0 if empty. */
static double hist_quantile_ms(const uint64_t *histogram, double max_ms, double q) {
    uint64_t count = 0, seen = 0;
    assert(histogram && q >= 0 && q <= 1);
    for (int i = 0; i < RUNNER_COMMIT_BUCKETS; i++)
        count += histogram[i];
    if (!count)
        return 0;
    uint64_t rank = (uint64_t)(q * (double)count + 0.999999);
    for (int i = 0; i < RUNNER_COMMIT_BUCKETS; i++) {
        seen += histogram[i];
        if (seen >= rank)
            return commit_bucket_ms[i] < max_ms ? commit_bucket_ms[i] : max_ms;
    }
    return max_ms;
}

double runner_commit_ms_quantile(const runner_stats_t *s, double q) {
    assert(s);
    return hist_quantile_ms(s->commit_ms_histogram, s->commit_ms_max, q);
}

double runner_phase_ms_quantile(const runner_stats_t *s, runner_phase_t phase, double q) {
    assert(s && (unsigned)phase < RUNNER_PHASES);
    return hist_quantile_ms(s->phase_ms_histogram[phase], s->phase_ms_max[phase], q);
}

sy_err_t runner_txn_error(rd_kafka_error_t *error, const char *what, char *errbuf,
                          size_t errbuf_size) {
    assert(error);
    sy_err_t err = rd_kafka_error_is_fatal(error)            ? SY_ERR_KAFKA_FATAL
                   : rd_kafka_error_txn_requires_abort(error) ? SY_ERR_KAFKA_ABORT
                   : rd_kafka_error_is_retriable(error)       ? SY_ERR_KAFKA_RETRIABLE
                                                              : SY_ERR_KAFKA_FATAL;
    snprintf(errbuf, errbuf_size, "%s: %s", what, rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return err;
}

static bool exactly_once(const runner_t *r) {
    assert(r->config);
    return r->config->processing_guarantee == CONFIG_EXACTLY_ONCE;
}

sy_err_t runner_txn_begin(runner_t *r, char *errbuf, size_t errbuf_size) {
    if (r->txn_state == RUNNER_TXN_OPEN)
        return SY_OK;
    assert(r->txn_state == RUNNER_TXN_IDLE); /* never from inside a commit or an abort */
    /* Behind a batch still committing, the transaction begins when that one has
     * committed (runner_pipeline.c); the outputs are held until then. */
    bool held = r->inflight.active;
    rd_kafka_error_t *error =
        exactly_once(r) && !held ? rd_kafka_begin_transaction(r->producer) : NULL;
    if (error)
        return runner_txn_error(error, "begin transaction", errbuf, errbuf_size);
    if (!held)
        runner_changelog_batch_reset(r);
    runner_offsets_reset(r);
    r->batch_held = held;
    r->txn_state = RUNNER_TXN_OPEN;
    r->batch_started_ms = sy_clock_mono_ms();
    memset(&r->batch, 0, sizeof r->batch);
    return SY_OK;
}

/* Seek every partition of the dropped batch back to its committed offset. */
static rd_kafka_resp_err_t rewind_once(runner_t *r) {
    assert(r->txn_state == RUNNER_TXN_ABORTING && r->offsets->cnt > 0);
    rd_kafka_topic_partition_list_t *committed = rd_kafka_topic_partition_list_copy(r->offsets);
    rd_kafka_resp_err_t kerr = rd_kafka_committed(r->consumer, committed, RUNNER_TXN_SLICE_MS);
    for (int i = 0; !kerr && i < committed->cnt; i++)
        if (committed->elems[i].offset < 0)
            committed->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_error_t *error =
        kerr ? NULL : rd_kafka_seek_partitions(r->consumer, committed, RUNNER_TXN_SLICE_MS);
    if (error) {
        kerr = rd_kafka_error_code(error);
        rd_kafka_error_destroy(error);
    }
    rd_kafka_topic_partition_list_destroy(committed);
    return kerr;
}

/* Rewind, trying again with backoff until it works: a batch not rewound would be
 * skipped. Stopping ends the tries: the next start reads from the committed offsets. */
static void rewind_consumer(runner_t *r) {
    assert(r->txn_state == RUNNER_TXN_ABORTING);
    char why[256];
    while (r->offsets->cnt && !atomic_load(r->stop)) {
        int64_t tried_at = sy_clock_mono_ms();
        rd_kafka_resp_err_t kerr = rewind_once(r);
        if (!kerr)
            return;
        snprintf(why, sizeof why, "rewind after abort: %s", rd_kafka_err2str(kerr));
        if (kerr == RD_KAFKA_RESP_ERR__STATE || kerr == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
            log_error("%s", why); /* no longer ours: its next owner reads from the commit */
            return;
        }
        runner_retry_wait(r, tried_at, why);
    }
}

/* One call of the transactional API, blocking at most RUNNER_TXN_SLICE_MS. */
typedef rd_kafka_error_t *txn_call_fn(runner_t *r);

static rd_kafka_error_t *call_send_offsets(runner_t *r) {
    assert(r->txn_state == RUNNER_TXN_COMMITTING && r->offsets->cnt > 0);
    rd_kafka_consumer_group_metadata_t *cgmd = rd_kafka_consumer_group_metadata(r->consumer);
    rd_kafka_error_t *error = rd_kafka_send_offsets_to_transaction(r->producer, r->offsets,
                                                                   cgmd, RUNNER_TXN_SLICE_MS);
    rd_kafka_consumer_group_metadata_destroy(cgmd);
    return error;
}

static rd_kafka_error_t *call_commit(runner_t *r) {
    assert(r->txn_state == RUNNER_TXN_COMMITTING);
    return rd_kafka_commit_transaction(r->producer, RUNNER_TXN_SLICE_MS);
}

static rd_kafka_error_t *call_abort(runner_t *r) {
    assert(r->txn_state == RUNNER_TXN_ABORTING);
    return rd_kafka_abort_transaction(r->producer, RUNNER_TXN_SLICE_MS);
}

/* librdkafka's rule for the transactional API: a retriable error (a timeout among them)
 * means call the same function again — never an earlier step of the transaction — and
 * it picks up where it was. Tries with backoff until the call succeeds, fails otherwise,
 * or the runner must stop (SY_ERR_KAFKA_RETRIABLE then). */
static sy_err_t txn_call_retrying(runner_t *r, txn_call_fn *call, const char *what,
                                  char *errbuf, size_t errbuf_size) {
    assert(r->txn_state == RUNNER_TXN_COMMITTING || r->txn_state == RUNNER_TXN_ABORTING);
    for (;;) {
        int64_t tried_at = sy_clock_mono_ms();
        rd_kafka_error_t *error = call(r);
        if (!error)
            return SY_OK;
        sy_err_t err = runner_txn_error(error, what, errbuf, errbuf_size);
        if (err != SY_ERR_KAFKA_RETRIABLE || !runner_retry_wait(r, tried_at, errbuf))
            return err;
    }
}

/* Abort the open transaction (retrying while retriable), drop the batch's state and, when
 * asked and not stopping, rewind. A failed abort leaves the producer unusable: r->fatal. */
static void batch_drop(runner_t *r, bool rewind) {
    /* From a commit that failed, or from the loop when a produce failed mid-batch. */
    assert(r->txn_state == RUNNER_TXN_COMMITTING || r->txn_state == RUNNER_TXN_OPEN);
    r->txn_state = RUNNER_TXN_ABORTING;
    char why[512];
    sy_err_t err = exactly_once(r) ? txn_call_retrying(r, call_abort, "abort transaction",
                                                       why, sizeof why)
                                   : SY_OK;
    if (err == SY_ERR_KAFKA_FATAL && !atomic_load(r->stop)) {
        char renew_why[256];
        err = runner_producer_renew(r, renew_why, sizeof renew_why);
        if (err != SY_OK)
            snprintf(why + strlen(why), sizeof why - strlen(why), "; %s", renew_why);
    }
    if (err != SY_OK) {
        log_error("%s", why);
        if (r->fatal == SY_OK) {
            r->fatal = err == SY_ERR_KAFKA_RETRIABLE ? SY_ERR_KAFKA_RETRIABLE
                                                     : SY_ERR_KAFKA_FATAL;
            snprintf(r->fatal_msg, sizeof r->fatal_msg, "%s", why);
        }
    }
    state_store_abort(r->store);
    runner_offsets_settle(r);
    if (rewind)
        rewind_consumer(r);
}

/* txn_call_retrying, its time (retries and their waits included) added to the committing
 * batch's transaction phase. */
static sy_err_t txn_call_timed(runner_t *r, txn_call_fn *call, const char *what,
                               char *errbuf, size_t errbuf_size) {
    uint64_t began = (uint64_t)sy_clock_mono_us();
    assert(r->txn_state == RUNNER_TXN_COMMITTING);
    sy_err_t err = txn_call_retrying(r, call, what, errbuf, errbuf_size);
    r->commit_phases.txn_us += (uint64_t)sy_clock_mono_us() - began;
    return err;
}

/* Wait until the broker has acknowledged every record of the batch: the flush that
 * commit_transaction begins with, made before it so that the wait is timed apart from the
 * transaction calls (the commit then finds nothing to flush); at_least_once's flushes'
 * wait (runner_flush_wait). Skipped, or ended, when a record failed: the commit reports
 * that at once, as it did. */
static sy_err_t acks_wait(runner_t *r, char *errbuf, size_t errbuf_size) {
    assert(r->txn_state == RUNNER_TXN_COMMITTING && !r->commit_phases.acked);
    if (r->changelog.failed)
        return SY_OK;
    sy_err_t err = runner_flush_wait(r, "records", errbuf, errbuf_size);
    r->commit_phases.acked = err == SY_OK && !r->changelog.failed;
    return err;
}

sy_err_t runner_txn_kafka_commit(runner_t *r, bool offsets_sent, char *errbuf,
                                 size_t errbuf_size) {
    /* send_offsets and commit belong to the commit of an open transaction. */
    assert(r->txn_state == RUNNER_TXN_COMMITTING && exactly_once(r));
    sy_err_t err = SY_OK;
    if (r->offsets->cnt && !offsets_sent)
        err = txn_call_timed(r, call_send_offsets, "send offsets to transaction", errbuf,
                             errbuf_size);
    if (err == SY_OK && !r->commit_phases.acked) {
        uint64_t began = (uint64_t)sy_clock_mono_us();
        err = acks_wait(r, errbuf, errbuf_size);
        r->commit_phases.ack_us += (uint64_t)sy_clock_mono_us() - began;
    }
    if (err == SY_OK)
        err = txn_call_timed(r, call_commit, "commit transaction", errbuf, errbuf_size);
    return err;
}

static void totals_add(runner_t *r) {
    assert(r->txn_state == RUNNER_TXN_COMMITTING);
    atomic_fetch_add(&r->total_records, r->batch.records);
    atomic_fetch_add(&r->total_decisions, r->batch.decisions);
    atomic_fetch_add(&r->total_actions, r->batch.actions);
    atomic_fetch_add(&r->total_contact_updates, r->batch.contact_updates);
    atomic_fetch_add(&r->total_dead_letters, r->batch.dead_letters);
    atomic_fetch_add(&r->total_timers_fired, r->batch.timers_fired);
    atomic_fetch_add(&r->total_duplicates, r->batch.duplicates);
    atomic_fetch_add(&r->total_transactions, 1);
    atomic_fetch_add(&r->total_overlapped, r->batch.overlapped);
}

static void batch_close(runner_t *r) {
    assert(r->txn_state == RUNNER_TXN_COMMITTING || r->txn_state == RUNNER_TXN_ABORTING);
    r->txn_state = RUNNER_TXN_IDLE;
    memset(&r->batch, 0, sizeof r->batch);
    runner_metrics_batch_reset(r);
    rd_kafka_topic_partition_list_destroy(r->offsets);
    r->offsets = rd_kafka_topic_partition_list_new(16);
}

/* Abort and drop the open batch (rewinding or not), then wait the backoff's delay. */
static void batch_redo(runner_t *r, const char *why, bool rewind) {
    assert(why != NULL && r->txn_state != RUNNER_TXN_IDLE);
    log_write_limited(&r->retry_log, LOG_WARN,
                      "%s; aborting the batch and processing it again", why);
    if (why != r->redo_why)
        snprintf(r->redo_why, sizeof r->redo_why, "%s", why);
    r->redo_pending = true;
    runner_metrics_abort(r);
    int64_t failed_at = sy_clock_mono_ms();
    batch_drop(r, rewind);
    batch_close(r);
    runner_retry_wait(r, failed_at, NULL);
}

void runner_txn_batch_redo(runner_t *r, const char *why, bool rewind) {
    /* no assert: batch_redo checks */
    batch_redo(r, why, rewind);
}

/* The runner stops with the batch uncommitted: one try at aborting its transaction (a
 * transaction left open is aborted by the broker at its timeout, or fenced by the next
 * start: never committed), its state dropped, no rewind, no new producer. */
static void batch_abandon(runner_t *r) {
    assert(r->txn_state == RUNNER_TXN_OPEN || r->txn_state == RUNNER_TXN_COMMITTING);
    r->txn_state = RUNNER_TXN_ABORTING;
    rd_kafka_error_t *error = exactly_once(r) ? call_abort(r) : NULL;
    if (error) {
        log_warn("abort transaction: %s (the broker aborts it at its timeout, or the next "
                 "start fences it)", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    }
    runner_metrics_abort(r);
    state_store_abort(r->store);
    batch_close(r);
}

void runner_txn_batch_abandon(runner_t *r) {
    if (r->txn_state == RUNNER_TXN_IDLE)
        return;
    assert(r->txn_state == RUNNER_TXN_OPEN || r->txn_state == RUNNER_TXN_COMMITTING);
    batch_abandon(r);
}

sy_err_t runner_txn_close(runner_t *r, char *errbuf, size_t errbuf_size) {
    assert(r->txn_state == RUNNER_TXN_OPEN && !r->batch_held); /* never re-entered */
    r->txn_state = RUNNER_TXN_COMMITTING;
    r->commit_phases = (runner_commit_phases_t){0};
    runner_offsets_settle(r);
    /* The live counts commit (and are changelogged) with the batch that changed them. */
    sy_err_t err = runner_counts_stage(r, errbuf, errbuf_size);
    if (err == SY_OK && !exactly_once(r))
        err = runner_flush_commit(r, errbuf, errbuf_size);
    else if (err == SY_OK)
        err = runner_changelog_produce(r, errbuf, errbuf_size);
    return err;
}

/* The commit failed with err (errbuf says why): redo, drop or abandon the batch. */
static sy_err_t outcome_failed(runner_t *r, sy_err_t err, bool rewind, char *errbuf,
                               size_t errbuf_size) {
    assert(err != SY_OK && r->txn_state == RUNNER_TXN_COMMITTING);
    if (err == SY_ERR_KAFKA_FATAL && exactly_once(r) && !atomic_load(r->stop)) {
        /* The producer is lost (a broker that dropped the transaction): the batch is
         * redone on a new one (batch_drop renews it, or says why it cannot). */
        batch_redo(r, errbuf, rewind);
        return SY_OK;
    }
    if (err == SY_ERR_KAFKA_ABORT) {
        rd_kafka_poll(r->producer, 0); /* the delivery reports say which record failed */
        size_t len = strlen(errbuf);
        if (r->changelog.failed && len < errbuf_size)
            snprintf(errbuf + len, errbuf_size - len, " (%s)", r->changelog.failure);
        batch_redo(r, errbuf, rewind);
        return SY_OK;
    }
    if (err == SY_ERR_KAFKA_RETRIABLE) {
        /* Told to stop while the commit kept failing: what Kafka committed is the state;
         * the batch is aborted where it can be, and the next start processes it again. */
        char why[512];
        snprintf(why, sizeof why, "%s", errbuf);
        snprintf(errbuf, errbuf_size, "stopped before the batch could be committed (the "
                 "next start processes it again): %s", why);
        batch_drop(r, rewind);
        batch_close(r);
        return err;
    }
    batch_abandon(r); /* Kafka did not commit: neither does anyone later */
    return err;
}

/* The phases of the commit that took commit_us (runner_phase_t), each within it. */
static void commit_phases_us(const runner_t *r, uint64_t commit_us,
                             uint64_t phase_us[RUNNER_PHASES]) {
    const runner_commit_phases_t *p = &r->commit_phases;
    assert(phase_us);
    phase_us[RUNNER_PHASE_ACKNOWLEDGE] = p->ack_us < commit_us ? p->ack_us : commit_us;
    phase_us[RUNNER_PHASE_TRANSACTION] = p->txn_us < commit_us ? p->txn_us : commit_us;
}

sy_err_t runner_txn_outcome(runner_t *r, sy_err_t err, uint64_t start_us, bool rewind,
                            char *errbuf, size_t errbuf_size) {
    assert(r->txn_state == RUNNER_TXN_COMMITTING);
    uint64_t commit_us = (uint64_t)sy_clock_mono_us() - start_us;
    if (err != SY_OK)
        return outcome_failed(r, err, rewind, errbuf, errbuf_size);
    uint64_t phase_us[RUNNER_PHASES];
    commit_phases_us(r, commit_us, phase_us);
    commit_latency_add(r, commit_us, phase_us);
    runner_retry_reset(r);
    r->redo_pending = false;
    r->producer_renewals = 0;
    totals_add(r);
    runner_counts_committed(r); /* the node and path gauges, then all is published */
    runner_metrics_publish(r, commit_us, phase_us);
    /* The state, with the changelog offsets it reflects, after Kafka has the batch: a
     * crash before this write loses nothing, the restore reads it from the changelog. */
    runner_changelog_checkpoint(r);
    err = state_store_sealed(r->store) ? state_store_commit_sealed(r->store, errbuf, errbuf_size)
                                       : state_store_commit(r->store, errbuf, errbuf_size);
    batch_close(r);
    return err;
}
