/* runner_inbox.c — the consumed set: input records taken from the consumer in one call and
 * processed in order over one or more loop turns (a batch may end inside it; the rest goes
 * to the next transaction), and the open batch's next offset per (topic, partition), made
 * into librdkafka's list only at commit or abort. Not the processing of a record
 * (runner_loop.c) nor the transaction (runner_txn.c). */
#include <string.h>

#include "runner_int.h"

/* Which input topic m is from: RUNNER_SIDE_EVENTS or RUNNER_SIDE_PROFILES. The consumer's
 * topic handles are held (never freed under us), so a pointer compare settles it. */
int runner_inbox_side(runner_t *r, const rd_kafka_message_t *m) {
    runner_inbox_t *in = &r->inbox;
    assert(m && m->rkt);
    if (m->rkt == in->topics[RUNNER_SIDE_EVENTS])
        return RUNNER_SIDE_EVENTS;
    if (m->rkt == in->topics[RUNNER_SIDE_PROFILES])
        return RUNNER_SIDE_PROFILES;
    return strcmp(rd_kafka_topic_name(m->rkt), r->config->topic_events) == 0
               ? RUNNER_SIDE_EVENTS
               : RUNNER_SIDE_PROFILES;
}

/* The consumer's queue and topic handles, taken once per consumer. */
static void inbox_attach(runner_t *r) {
    runner_inbox_t *in = &r->inbox;
    assert(r->consumer);
    if (in->queue)
        return;
    in->queue = rd_kafka_queue_get_consumer(r->consumer);
    in->topics[RUNNER_SIDE_EVENTS] = rd_kafka_topic_new(r->consumer, r->config->topic_events,
                                                        NULL);
    in->topics[RUNNER_SIDE_PROFILES] =
        rd_kafka_topic_new(r->consumer, r->config->topic_profiles, NULL);
}

/* A rebalance ran while the set was taken: records of a partition processed here before
 * it and restoring after it (revoked or lost, then assigned again) may predate the
 * revocation (a lost batch's records among them), so they are dropped unread: its restore
 * resumes from the committed offset the new assignment starts at. */
static void inbox_drop_reassigned(runner_t *r) {
    runner_inbox_t *in = &r->inbox;
    assert(in->next == 0);
    for (size_t i = 0; i < in->count; i++) {
        rd_kafka_message_t *m = in->messages[i];
        int32_t p = m->partition;
        if (m->err || p < 0 || p >= STATE_PARTITIONS_MAX)
            continue;
        uint8_t now = r->restore.phase[p];
        bool restoring = now == RUNNER_RESTORE_QUEUED || now == RUNNER_RESTORE_READING;
        if (restoring && in->phase_before[p] == RUNNER_RESTORE_OWNED) {
            rd_kafka_message_destroy(m);
            in->messages[i] = NULL;
        }
    }
}

size_t runner_inbox_fill(runner_t *r, int wait_ms) {
    runner_inbox_t *in = &r->inbox;
    assert(r->consumer && wait_ms >= 0);
    if (in->next < in->count)
        return in->count - in->next;
    in->next = in->count = 0;
    uint64_t rebalances = in->rebalances;
    memcpy(in->phase_before, r->restore.phase, sizeof in->phase_before);
    /* The first record through the poll: it waits, and serves errors and callbacks. */
    rd_kafka_message_t *m = rd_kafka_consumer_poll(r->consumer, wait_ms);
    if (!m)
        return 0;
    in->messages[0] = m;
    size_t taken = 1, room = RUNNER_INBOX_MAX;
    if (r->txn_state == RUNNER_TXN_OPEN &&
        (uint64_t)r->config->batch_records_max > r->batch.records)
        room = (size_t)((uint64_t)r->config->batch_records_max - r->batch.records);
    if (room > RUNNER_INBOX_MAX)
        room = RUNNER_INBOX_MAX;
    if (!m->err && room > 1) { /* an error is handled alone (a fatal one renews) */
        inbox_attach(r);
        /* The rest without waiting: only what the consumer has fetched already. */
        ssize_t n = rd_kafka_consume_batch_queue(in->queue, 0, in->messages + 1, room - 1);
        taken += n > 0 ? (size_t)n : 0;
    }
    in->count = taken; /* not before: a callback in the call finds the set empty */
    if (in->rebalances != rebalances)
        inbox_drop_reassigned(r);
    return in->count;
}

rd_kafka_message_t *runner_inbox_take(runner_t *r) {
    runner_inbox_t *in = &r->inbox;
    /* no assert: any state; NULL once the set is done */
    while (in->next < in->count) {
        rd_kafka_message_t *m = in->messages[in->next++];
        if (m)
            return m;
    }
    return NULL;
}

bool runner_inbox_pending(const runner_t *r) {
    assert(r);
    for (size_t i = r->inbox.next; i < r->inbox.count; i++)
        if (r->inbox.messages[i])
            return true;
    return false;
}

void runner_inbox_settle(runner_t *r) {
    runner_inbox_t *in = &r->inbox;
    assert(r->txn_state == RUNNER_TXN_IDLE);
    for (size_t i = in->next; i < in->count; i++) {
        rd_kafka_message_t *m = in->messages[i];
        if (!m || m->err || runner_restore_admit(r, m))
            continue; /* kept: errors and records of processed partitions, in order */
        rd_kafka_message_destroy(m); /* noted to be read again at resume, or not ours */
        in->messages[i] = NULL;
    }
}

void runner_inbox_discard(runner_t *r, bool rewind) {
    runner_inbox_t *in = &r->inbox;
    assert(r);
    for (size_t i = in->next; i < in->count; i++) {
        rd_kafka_message_t *m = in->messages[i];
        if (!m)
            continue;
        /* Records of a processed partition: its rewind (to the committed offset) reads
         * them again. Restoring ones are noted by the admission for their resume. */
        if (rewind && !m->err && runner_restore_admit(r, m) &&
            !rd_kafka_topic_partition_list_find(r->offsets, rd_kafka_topic_name(m->rkt),
                                                m->partition))
            rd_kafka_topic_partition_list_add(r->offsets, rd_kafka_topic_name(m->rkt),
                                              m->partition)->offset = m->offset;
        rd_kafka_message_destroy(m);
    }
    in->next = in->count = 0;
}

void runner_inbox_close(runner_t *r) {
    runner_inbox_t *in = &r->inbox;
    assert(r);
    runner_inbox_discard(r, false);
    for (int side = 0; side < 2; side++) {
        if (in->topics[side])
            rd_kafka_topic_destroy(in->topics[side]);
        in->topics[side] = NULL;
    }
    if (in->queue)
        rd_kafka_queue_destroy(in->queue);
    in->queue = NULL;
}

void runner_offsets_track(runner_t *r, int side, const rd_kafka_message_t *m) {
    runner_offsets_t *o = &r->batch_offsets;
    assert(r->txn_state == RUNNER_TXN_OPEN && m->offset >= 0);
    assert(m->partition >= 0 && m->partition < STATE_PARTITIONS_MAX && (side & ~1) == 0);
    int64_t *next = &o->next[side][m->partition];
    if (*next < 0)
        o->touched[o->touched_count++] = (uint16_t)(side * STATE_PARTITIONS_MAX + m->partition);
    *next = m->offset + 1;
}

void runner_offsets_settle(runner_t *r) {
    runner_offsets_t *o = &r->batch_offsets;
    const char *topics[2] = {r->config->topic_events, r->config->topic_profiles};
    assert(o->touched_count <= 2 * STATE_PARTITIONS_MAX);
    for (size_t i = 0; i < o->touched_count; i++) {
        int side = o->touched[i] / STATE_PARTITIONS_MAX;
        int32_t p = o->touched[i] % STATE_PARTITIONS_MAX;
        rd_kafka_topic_partition_t *tp =
            rd_kafka_topic_partition_list_find(r->offsets, topics[side], p);
        if (!tp)
            tp = rd_kafka_topic_partition_list_add(r->offsets, topics[side], p);
        tp->offset = o->next[side][p];
    }
}

void runner_offsets_reset(runner_t *r) {
    runner_offsets_t *o = &r->batch_offsets;
    assert(o->touched_count <= 2 * STATE_PARTITIONS_MAX);
    if (!o->ready) { /* first use: every offset none */
        memset(o->next, 0xff, sizeof o->next);
        o->ready = true;
    }
    for (size_t i = 0; i < o->touched_count; i++)
        o->next[o->touched[i] / STATE_PARTITIONS_MAX][o->touched[i] % STATE_PARTITIONS_MAX] = -1;
    o->touched_count = 0;
}
