/* runner_committer.c — the committing batch's two blocking Kafka calls (its offsets sent
 * to the transaction, then the commit) on a thread of their own, while the loop processes
 * the next batch (runner_pipeline.c). Each call blocks at most RUNNER_TXN_SLICE_MS, as
 * the loop's own calls do: a retriable failure is tried again by the loop, which resumes
 * the call. The loop leaves the producer alone meanwhile (the next batch's outputs are
 * held and the producer is not polled), so the calls, and the delivery reports the
 * commit's flush serves, run on this thread only. */
#include <stdio.h>

#include "log.h"
#include "runner_int.h"

static void *committer_main(void *arg) {
    runner_committer_t *c = arg;
    rd_kafka_error_t *error = NULL;
    assert(c && c->producer && c->offsets);
    if (!c->offsets_sent) {
        error = rd_kafka_send_offsets_to_transaction(c->producer, c->offsets, c->cgmd,
                                                     RUNNER_TXN_SLICE_MS);
        c->offsets_sent = !error;
    }
    if (!error)
        error = rd_kafka_commit_transaction(c->producer, RUNNER_TXN_SLICE_MS);
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

rd_kafka_error_t *runner_committer_join(runner_t *r, bool *offsets_sent) {
    runner_committer_t *c = &r->inflight.committer;
    assert(c->running && offsets_sent);
    pthread_join(c->thread, NULL);
    c->running = false;
    if (c->cgmd)
        rd_kafka_consumer_group_metadata_destroy(c->cgmd);
    c->cgmd = NULL;
    *offsets_sent = c->offsets_sent;
    rd_kafka_error_t *error = c->error;
    c->error = NULL;
    return error;
}

void runner_committer_discard(runner_t *r) {
    assert(r);
    if (!runner_committer_running(r))
        return;
    bool offsets_sent; /* what is left of the batch is aborted: not asked */
    rd_kafka_error_t *error = runner_committer_join(r, &offsets_sent);
    if (error)
        rd_kafka_error_destroy(error);
}
