/* kafka_produce.h — what every switchyard producer does the same way: produce a copy of a
 * record (or of a partition's records at once), waiting while librdkafka's queue is full,
 * and the headers a dead letter carries (docs/records.md). Used by the service
 * (runner_output.c, runner_changelog.c) and replay's Kafka output (output_kafka.c). Not a
 * producer of its own: callers own their rd_kafka_t. */
#ifndef SY_KAFKA_PRODUCE_H
#define SY_KAFKA_PRODUCE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "records.h"

/* How long one wait for room in a full producer queue lasts before producing again:
 * short enough to keep the pipeline moving, long enough to let deliveries drain. */
#define KAFKA_PRODUCE_QUEUE_WAIT_MS 50

/* Topics a producer keeps a handle of: a producer writes to a handful of topics. */
#define KAFKA_TOPICS_MAX 32

/* One producer's topic handles by name, made on first use. A record produced by a topic's
 * name makes librdkafka look the topic up and take and drop a reference each time; a
 * handle held here skips that. Zero-initialised is empty; kafka_topics_clear before the
 * producer is destroyed. A topic string given to it is compared by its address first, so
 * it must stay unchanged and alive until kafka_topics_clear (callers pass configured
 * names). Not thread-safe. */
typedef struct kafka_topics {
    rd_kafka_t *producer; /* the handles' producer; NULL while empty */
    size_t count;
    char *names[KAFKA_TOPICS_MAX];
    const char *given[KAFKA_TOPICS_MAX]; /* borrowed: a caller's string of each name */
    rd_kafka_topic_t *handles[KAFKA_TOPICS_MAX];
} kafka_topics_t;

/* Destroy every handle and forget them (topics is then empty); NULL is a no-op. */
void kafka_topics_clear(kafka_topics_t *topics);

/* Produce a copy of value to topic/partition (RD_KAFKA_PARTITION_UA: the partitioner's
 * choice) keyed by key, with opaque for the delivery report; polls while the queue is
 * full, until *stop is set (stop may be NULL: no stop). headers (or NULL) are taken, also
 * on failure. topics (or NULL) keeps producer's handle of topic for the next records: one
 * topics is used with one producer only. Returns librdkafka's error
 * (RD_KAFKA_RESP_ERR__QUEUE_FULL when stopped). */
rd_kafka_resp_err_t kafka_produce_copy(rd_kafka_t *producer, kafka_topics_t *topics,
                                       const char *topic,
                                       int32_t partition, const void *key, size_t key_len,
                                       const void *value, size_t value_len,
                                       rd_kafka_headers_t *headers, void *opaque,
                                       const atomic_int *stop);

/* Produce copies of count records (count <= KAFKA_PRODUCE_BATCH_MAX; each its payload,
 * len, key, key_len and _private as the delivery report's opaque) to one partition of
 * topic at once, waiting while the queue is full as kafka_produce_copy does; records is
 * scratch (their err fields are overwritten). Records refused for a full queue are
 * produced again after the wait, so their order may change: for records whose order does
 * not matter (each of a different key). Returns the first error other than a full queue,
 * or RD_KAFKA_RESP_ERR__QUEUE_FULL when stopped; *produced counts those enqueued. */
#define KAFKA_PRODUCE_BATCH_MAX 256
rd_kafka_resp_err_t kafka_produce_copies(rd_kafka_t *producer, kafka_topics_t *topics,
                                         const char *topic, int32_t partition,
                                         rd_kafka_message_t *records, size_t count,
                                         size_t *produced, const atomic_int *stop);

/* The headers of a dead letter: switchyard.topic, .partition, .offset, .error and
 * .error.message, from dl (borrowed for the call). The caller owns the result. */
rd_kafka_headers_t *kafka_dead_letter_headers(const sy_dead_letter_t *dl);

#endif
