/* runner_committer.c — the committing batch's blocking Kafka calls (its offsets sent to
 * the transaction, the wait for its records' acknowledgements, then the commit) on a
 * thread of their own, while the loop processes the next batch (runner_pipeline.c). Each
 * call blocks at most RUNNER_TXN_SLICE_MS, as the loop's own calls do: a retriable
 * failure, or a wait that ran out, is tried again by the loop, which resumes the calls.
 * The loop leaves the producer alone meanwhile (the next batch's outputs are held and
 * the producer is not polled), so the calls, and the delivery reports the wait serves,
 * run on this thread only. Each call is timed here, into the committer's phases. */
#include <stdio.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

static uint64_t now_us(void) {
    return (uint64_t)sy_clock_mono_us(); /* no assert: a clock read */
}

/* The wait commit_transaction would begin with (its flush), made apart so that it is
 * timed apart: false when the slice ran out first. */
static bool committer_acked(runner_committer_t *c) {
    uint64_t began = now_us();
    assert(c->producer && !c->phases.acked);
    c->phases.acked =
        rd_kafka_flush(c->producer, RUNNER_TXN_SLICE_MS) == RD_KAFKA_RESP_ERR_NO_ERROR;
    c->phases.ack_us += now_us() - began;
    return c->phases.acked;
}

static void *committer_main(void *arg) {
    runner_committer_t *c = arg;
    rd_kafka_error_t *error = NULL;
    assert(c && c->producer && c->offsets);
    uint64_t began = now_us();
    if (!c->offsets_sent) {
        error = rd_kafka_send_offsets_to_transaction(c->producer, c->offsets, c->cgmd,
                                                     RUNNER_TXN_SLICE_MS);
        c->offsets_sent = !error;
        c->phases.txn_us += now_us() - began;
    }
    if (!error && (!c->acked_wait || committer_acked(c))) {
        began = now_us();
        error = rd_kafka_commit_transaction(c->producer, RUNNER_TXN_SLICE_MS);
        c->phases.txn_us += now_us() - began;
        c->committed = !error;
    }
    c->error = error;
    atomic_store(&c->done, true);
    return NULL;
}

bool runner_committer_start(runner_t *r, const rd_kafka_topic_partition_list_t *offsets,
                            bool offsets_sent) {
    runner_committer_t *c = &r->inflight.committer;
    assert(!c->running && offsets);
    c->producer = r->producer;
    c->offsets = offsets;
    c->offsets_sent = offsets_sent;
    c->acked_wait = !r->changelog.failed;
    c->committed = false;
    c->phases = (runner_commit_phases_t){0};
    c->error = NULL;
    c->cgmd = offsets_sent ? NULL : rd_kafka_consumer_group_metadata(r->consumer);
    atomic_store(&c->done, false);
    if (pthread_create(&c->thread, NULL, committer_main, c) != 0) {
        log_warn("could not start the committer thread: committing on the loop's thread");
        if (c->cgmd)
            rd_kafka_consumer_group_metadata_destroy(c->cgmd);
        c->cgmd = NULL;
        return false;
    }
    c->running = true;
    return true;
}

bool runner_committer_running(const runner_t *r) {
    assert(r);
    return r->inflight.committer.running;
}

bool runner_committer_done(runner_t *r) {
    runner_committer_t *c = &r->inflight.committer;
    assert(c->running);
    return atomic_load(&c->done);
}

rd_kafka_error_t *runner_committer_join(runner_t *r, bool *offsets_sent, bool *committed) {
    runner_committer_t *c = &r->inflight.committer;
    assert(c->running && offsets_sent && committed);
    pthread_join(c->thread, NULL);
    c->running = false;
    if (c->cgmd)
        rd_kafka_consumer_group_metadata_destroy(c->cgmd);
    c->cgmd = NULL;
    *offsets_sent = c->offsets_sent;
    *committed = c->committed;
    r->commit_phases = c->phases;
    rd_kafka_error_t *error = c->error;
    c->error = NULL;
    return error;
}

void runner_committer_discard(runner_t *r) {
    assert(r);
    if (!runner_committer_running(r))
        return;
    bool offsets_sent, committed; /* what is left of the batch is aborted: not asked */
    rd_kafka_error_t *error = runner_committer_join(r, &offsets_sent, &committed);
    if (error)
        rd_kafka_error_destroy(error);
}
