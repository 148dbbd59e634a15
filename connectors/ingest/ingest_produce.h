/* ingest_produce.h — ingest's one idempotent producer to the events topic: a request's
 * events are encoded (Avro, Confluent framing), produced keyed by contact with the
 * service's partitioner, and the request waits until the broker acknowledged every one of
 * them, or a bound passes. Not HTTP, not the parsing. */
#ifndef SY_INGEST_PRODUCE_H
#define SY_INGEST_PRODUCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ingest_batch.h"
#include "sy_error.h"

typedef struct ingest_producer ingest_producer_t;

/* A producer for config's topic.events and kafka.* properties (config borrowed: it must
 * outlive the producer), with a thread serving its delivery reports. Errors:
 * SY_ERR_CONFIG (librdkafka refuses a property: errbuf names it), SY_ERR_NOMEM. */
sy_err_t ingest_producer_open(ingest_producer_t **out, const sy_config_t *config,
                              char *errbuf, size_t errbuf_size);

/* Flush what is in flight for up to timeout_ms, stop the thread, free. NULL-safe. */
void ingest_producer_close(ingest_producer_t *producer, int timeout_ms);

/* Encode every event of batch (borrowed for the call), then produce them and wait up to
 * timeout_ms for the broker's acknowledgement of all. SY_OK only when every one was
 * acknowledged. Errors: SY_ERR_INVALID_RECORD or SY_ERR_LIMIT (an event the codec refuses:
 * nothing was produced; errbuf names it), SY_ERR_KAFKA_RETRIABLE (not acknowledged in
 * time, or a delivery failed: some events may still reach the topic; a retry is harmless
 * since the engine deduplicates by event id), SY_ERR_KAFKA_FATAL (the producer failed for
 * good), SY_ERR_NOMEM. From any thread. */
sy_err_t ingest_producer_send(ingest_producer_t *producer, const ingest_batch_t *batch,
                              int64_t timeout_ms, char *errbuf, size_t errbuf_size);

/* True once the producer failed for good (fatal idempotence error): the process should
 * stop and be restarted. */
bool ingest_producer_fatal(const ingest_producer_t *producer);

#endif
