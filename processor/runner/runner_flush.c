/* runner_flush.c — the commit of processing.guarantee = at_least_once: no transactions.
 * The batch's outputs are flushed (every record delivered), then its changelog records
 * produced and flushed, then the consumed offsets committed synchronously; the runner
 * writes the state after. A crash before the offsets commit makes the batch's input be
 * processed again: outputs may repeat, none is lost. Also the wait for delivered records
 * that exactly_once's commit makes before committing (runner_flush_wait). Not
 * exactly_once's transaction: runner_txn.c. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

/* Longest one flush call blocks before we look at the batch's delivery failures. */
#define RUNNER_FLUSH_SLICE_MS 1000

sy_err_t runner_flush_wait(runner_t *r, const char *what, char *errbuf, size_t errbuf_size) {
    int64_t last_log_ms = sy_clock_mono_ms();
    assert(r->txn_state == RUNNER_TXN_COMMITTING && what);
    for (;;) {
        int64_t tried_at = sy_clock_mono_ms();
        rd_kafka_resp_err_t err = rd_kafka_flush(r->producer, RUNNER_FLUSH_SLICE_MS);
        if (r->changelog.failed || !err)
            return SY_OK;
        if (sy_clock_mono_ms() - last_log_ms >= RUNNER_WAIT_LOG_MS) {
            last_log_ms = sy_clock_mono_ms();
            log_warn("flushing the batch's %s: %d record(s) not yet delivered; waiting for "
                     "the broker", what, rd_kafka_outq_len(r->producer));
        }
        /* Each flush call waits itself; a stop request gets the runner's grace, then ends
         * the wait. */
        if (atomic_load(r->stop) && !runner_retry_wait(r, tried_at, NULL)) {
            snprintf(errbuf, errbuf_size, "stopped while flushing the batch's %s: %d "
                     "record(s) not delivered", what, rd_kafka_outq_len(r->producer));
            return SY_ERR_KAFKA_RETRIABLE;
        }
    }
}

/* runner_flush_wait, a failed record of the batch an abort with its failure. */
static sy_err_t flush_all(runner_t *r, const char *what, char *errbuf, size_t errbuf_size) {
    /* no assert: runner_flush_wait asserts */
    sy_err_t err = runner_flush_wait(r, what, errbuf, errbuf_size);
    if (err == SY_OK && r->changelog.failed) {
        snprintf(errbuf, errbuf_size, "%s", r->changelog.failure);
        return SY_ERR_KAFKA_ABORT;
    }
    return err;
}

/* Errors of an offset commit that a broker coming back cures. */
static int commit_error_retriable(rd_kafka_resp_err_t err) {
    assert(err != RD_KAFKA_RESP_ERR_NO_ERROR);
    switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
        return 1;
    default:
        return 0;
    }
}

/* Commit the consumed offsets; while the coordinator is away, retry with backoff until
 * *stop. Any other error (the group rebalanced) only means the input is processed again. */
static sy_err_t offsets_commit(runner_t *r, char *errbuf, size_t errbuf_size) {
    assert(r->txn_state == RUNNER_TXN_COMMITTING);
    while (r->offsets->cnt) {
        int64_t tried_at = sy_clock_mono_ms();
        rd_kafka_resp_err_t err = rd_kafka_commit(r->consumer, r->offsets, 0);
        if (!err)
            return SY_OK;
        if (!commit_error_retriable(err)) {
            log_warn("commit offsets: %s; the batch's input may be processed again",
                     rd_kafka_err2str(err));
            return SY_OK;
        }
        snprintf(errbuf, errbuf_size, "commit offsets: %s", rd_kafka_err2str(err));
        if (!runner_retry_wait(r, tried_at, errbuf))
            return SY_ERR_KAFKA_RETRIABLE;
        rd_kafka_poll(r->producer, 0);
    }
    return SY_OK;
}

sy_err_t runner_flush_commit(runner_t *r, char *errbuf, size_t errbuf_size) {
    /* Outputs first: a changelog record must never reach Kafka before the actions of
     * the state change it holds, or a crash could restore a state whose actions were
     * never sent. */
    assert(r->config->processing_guarantee != CONFIG_EXACTLY_ONCE);
    uint64_t start_us = (uint64_t)sy_clock_mono_us();
    sy_err_t err = flush_all(r, "outputs", errbuf, errbuf_size);
    if (err == SY_OK)
        err = runner_changelog_produce(r, errbuf, errbuf_size);
    if (err == SY_OK)
        err = flush_all(r, "changelog records", errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    /* The commit's phases: until every record is acknowledged (the two flushes and the
     * changelog's produce between them), then the offsets commit in place of the
     * transaction calls. */
    uint64_t acked_us = (uint64_t)sy_clock_mono_us();
    r->commit_phases = (runner_commit_phases_t){.acked = true, .ack_us = acked_us - start_us};
    err = offsets_commit(r, errbuf, errbuf_size);
    r->commit_phases.txn_us = (uint64_t)sy_clock_mono_us() - acked_us;
    return err;
}
