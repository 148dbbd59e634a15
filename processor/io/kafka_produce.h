/* kafka_produce.h — what every switchyard producer does the same way: produce a copy of a
 * record, waiting while librdkafka's queue is full, and the headers a dead letter carries
 * (docs/records.md). Used by the service (runner_output.c) and replay's Kafka output
 * (output_kafka.c). Not a producer of its own: callers own their rd_kafka_t. */
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

/* Produce a copy of value to topic/partition (RD_KAFKA_PARTITION_UA: the partitioner's
 * choice) keyed by key, with opaque for the delivery report; polls while the queue is
 * full, until *stop is set (stop may be NULL: no stop). headers (or NULL) are taken, also
 * on failure. Returns librdkafka's error (RD_KAFKA_RESP_ERR__QUEUE_FULL when stopped). */
rd_kafka_resp_err_t kafka_produce_copy(rd_kafka_t *producer, const char *topic,
                                       int32_t partition, const void *key, size_t key_len,
                                       const void *value, size_t value_len,
                                       rd_kafka_headers_t *headers, void *opaque,
                                       const atomic_int *stop);

/* The headers of a dead letter: switchyard.topic, .partition, .offset, .error and
 * .error.message, from dl (borrowed for the call). The caller owns the result. */
rd_kafka_headers_t *kafka_dead_letter_headers(const sy_dead_letter_t *dl);

#endif
