/* runner_offsets.c — the open batch's consumed input: the next offset per (input topic,
 * partition) in an array, made into librdkafka's list only at commit or abort, and which
 * input topic a record is from, by the consumer's topic handle. Not the records'
 * processing (runner_loop.c) nor the transaction (runner_txn.c). */
#include <string.h>

#include "runner_int.h"

/* The consumer's handles of the two input topics, held so that a record's topic pointer
 * is compared with them (a held handle is never freed, so its address is never reused). */
static void topics_attach(runner_t *r) {
    runner_offsets_t *o = &r->batch_offsets;
    assert(r->consumer);
    if (o->topics[RUNNER_SIDE_EVENTS])
        return;
    o->topics[RUNNER_SIDE_EVENTS] = rd_kafka_topic_new(r->consumer, r->config->topic_events,
                                                       NULL);
    o->topics[RUNNER_SIDE_PROFILES] =
        rd_kafka_topic_new(r->consumer, r->config->topic_profiles, NULL);
}

int runner_offsets_side(runner_t *r, const rd_kafka_message_t *m) {
    runner_offsets_t *o = &r->batch_offsets;
    assert(m && m->rkt);
    topics_attach(r);
    if (m->rkt == o->topics[RUNNER_SIDE_EVENTS])
        return RUNNER_SIDE_EVENTS;
    if (m->rkt == o->topics[RUNNER_SIDE_PROFILES])
        return RUNNER_SIDE_PROFILES;
    return strcmp(rd_kafka_topic_name(m->rkt), r->config->topic_profiles) == 0
               ? RUNNER_SIDE_PROFILES
               : RUNNER_SIDE_EVENTS;
}

void runner_offsets_detach(runner_t *r) {
    runner_offsets_t *o = &r->batch_offsets;
    assert(r);
    for (int side = 0; side < 2; side++) {
        if (o->topics[side])
            rd_kafka_topic_destroy(o->topics[side]);
        o->topics[side] = NULL;
    }
}

void runner_offsets_track(runner_t *r, int side, const rd_kafka_message_t *m) {
    runner_offsets_t *o = &r->batch_offsets;
    assert(r->txn_state == RUNNER_TXN_OPEN && m->offset >= 0 && o->ready);
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
