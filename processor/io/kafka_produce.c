/* kafka_produce.c — the produce loops (a record; a partition's records at once) and the
 * dead-letter headers of kafka_produce.h. */
#include "kafka_produce.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kafka_topics_clear(kafka_topics_t *topics) {
    if (!topics)
        return;
    for (size_t i = 0; i < topics->count; i++) {
        rd_kafka_topic_destroy(topics->handles[i]);
        free(topics->names[i]);
    }
    *topics = (kafka_topics_t){0};
}

/* producer's handle of topic, kept in topics; NULL when there is none to keep (no room, no
 * memory, a name librdkafka refuses): the record is then produced by name. The caller's
 * string is looked for by address before the names are compared. */
static rd_kafka_topic_t *topic_handle(kafka_topics_t *topics, rd_kafka_t *producer,
                                      const char *topic) {
    assert(!topics->producer || topics->producer == producer);
    for (size_t i = 0; i < topics->count; i++)
        if (topics->given[i] == topic)
            return topics->handles[i];
    for (size_t i = 0; i < topics->count; i++)
        if (strcmp(topics->names[i], topic) == 0) {
            topics->given[i] = topic;
            return topics->handles[i];
        }
    if (topics->count == KAFKA_TOPICS_MAX)
        return NULL;
    char *name = strdup(topic);
    rd_kafka_topic_t *handle = name ? rd_kafka_topic_new(producer, topic, NULL) : NULL;
    if (!handle) {
        free(name);
        return NULL;
    }
    topics->producer = producer;
    topics->names[topics->count] = name;
    topics->given[topics->count] = topic;
    topics->handles[topics->count++] = handle;
    return handle;
}

/* One produce by handle, or by name without one; headers taken only on success. A record
 * without headers by handle goes through rd_kafka_produce: the same record as
 * rd_kafka_producev makes, without parsing its argument list (a fifth of its cost). */
static rd_kafka_resp_err_t produce_once(rd_kafka_t *producer, rd_kafka_topic_t *handle,
                                        const char *topic, int32_t partition,
                                        const void *key, size_t key_len, const void *value,
                                        size_t value_len, rd_kafka_headers_t *headers,
                                        void *opaque) {
    assert(handle || topic);
    if (handle && !headers)
        return rd_kafka_produce(handle, partition, RD_KAFKA_MSG_F_COPY, (void *)value,
                                value_len, key, key_len, opaque) == -1
                   ? rd_kafka_last_error()
                   : RD_KAFKA_RESP_ERR_NO_ERROR;
    if (handle)
        return rd_kafka_producev(
            producer, RD_KAFKA_V_RKT(handle), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(opaque),
            RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
    return rd_kafka_producev(
        producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(opaque),
        RD_KAFKA_V_HEADERS(headers), RD_KAFKA_V_END);
}

/* The queue was full: false when *stop is set (stop may be NULL), else serve the
 * producer's callbacks for KAFKA_PRODUCE_QUEUE_WAIT_MS, while deliveries make room. */
static bool room_wait(rd_kafka_t *producer, const atomic_int *stop) {
    assert(producer);
    if (stop && atomic_load(stop))
        return false;
    rd_kafka_poll(producer, KAFKA_PRODUCE_QUEUE_WAIT_MS);
    return true;
}

rd_kafka_resp_err_t kafka_produce_copy(rd_kafka_t *producer, kafka_topics_t *topics,
                                       const char *topic, int32_t partition, const void *key,
                                       size_t key_len, const void *value, size_t value_len,
                                       rd_kafka_headers_t *headers, void *opaque,
                                       const atomic_int *stop) {
    rd_kafka_topic_t *handle = topics ? topic_handle(topics, producer, topic) : NULL;
    for (;;) {
        rd_kafka_resp_err_t err = produce_once(producer, handle, topic, partition, key,
                                               key_len, value, value_len, headers, opaque);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || !room_wait(producer, stop)) {
            if (err != RD_KAFKA_RESP_ERR_NO_ERROR && headers)
                rd_kafka_headers_destroy(headers);
            return err;
        }
    }
}

/* The records of records[0..count) refused for a full queue moved to its front, in order;
 * their number. The first other error, if any, into *err. */
static size_t refused_keep(rd_kafka_message_t *records, size_t count,
                           rd_kafka_resp_err_t *err) {
    size_t kept = 0;
    assert(records && err);
    for (size_t i = 0; i < count; i++) {
        if (records[i].err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
            records[kept++] = records[i];
        else if (records[i].err && *err == RD_KAFKA_RESP_ERR_NO_ERROR)
            *err = records[i].err;
    }
    return kept;
}

rd_kafka_resp_err_t kafka_produce_copies(rd_kafka_t *producer, kafka_topics_t *topics,
                                         const char *topic, int32_t partition,
                                         rd_kafka_message_t *records, size_t count,
                                         size_t *produced, const atomic_int *stop) {
    assert(count <= KAFKA_PRODUCE_BATCH_MAX && partition >= 0 && produced);
    rd_kafka_topic_t *handle = topics ? topic_handle(topics, producer, topic) : NULL;
    rd_kafka_topic_t *own = handle ? NULL : rd_kafka_topic_new(producer, topic, NULL);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    *produced = 0;
    if (!handle && !own)
        return rd_kafka_last_error();
    while (count > 0 && err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        int good = rd_kafka_produce_batch(handle ? handle : own, partition,
                                          RD_KAFKA_MSG_F_COPY, records, (int)count);
        *produced += good > 0 ? (size_t)good : 0;
        if ((size_t)good == count)
            break;
        count = refused_keep(records, count, &err);
        if (count > 0 && err == RD_KAFKA_RESP_ERR_NO_ERROR && !room_wait(producer, stop))
            err = RD_KAFKA_RESP_ERR__QUEUE_FULL;
    }
    if (own)
        rd_kafka_topic_destroy(own);
    return err;
}

rd_kafka_headers_t *kafka_dead_letter_headers(const sy_dead_letter_t *dl) {
    char partition[16], offset[32];
    rd_kafka_headers_t *h = rd_kafka_headers_new(5);
    snprintf(partition, sizeof partition, "%" PRId32, dl->partition);
    snprintf(offset, sizeof offset, "%" PRId64, dl->offset);
    rd_kafka_header_add(h, "switchyard.topic", -1, dl->source_topic, -1);
    rd_kafka_header_add(h, "switchyard.partition", -1, partition, -1);
    rd_kafka_header_add(h, "switchyard.offset", -1, offset, -1);
    rd_kafka_header_add(h, "switchyard.error", -1, dl->error_code, -1);
    rd_kafka_header_add(h, "switchyard.error.message", -1, dl->error, -1);
    return h;
}
