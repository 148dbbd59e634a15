/* output_kafka.h — the outputs of a replay produced to the config's output topics by an
 * idempotent producer (no transaction: a replay is re-run whole, not resumed): decisions
 * to topic.decisions, actions to topic.actions.prefix + channel, contact updates to
 * topic.contact_updates, conversions to topic.conversions, dead letters to topic.dlq with
 * the service's headers; every record keyed by contact id. Not the service's
 * transactional output (runner_output.c). */
#ifndef SY_OUTPUT_KAFKA_H
#define SY_OUTPUT_KAFKA_H

#include <stddef.h>

#include "config.h"
#include "engine.h"
#include "records.h"
#include "sy_error.h"

/* How long output_kafka_close waits for the last records to be acknowledged. */
#define OUTPUT_KAFKA_FLUSH_MS 60000

typedef struct output_kafka output_kafka_t;

/* Create the producer from config's kafka.* properties (borrowed for the call; bootstrap,
 * when not NULL, overrides kafka.bootstrap.servers). *out is set only on success.
 * Errors: SY_ERR_CONFIG (a property librdkafka refuses), SY_ERR_NOMEM. */
sy_err_t output_kafka_open(output_kafka_t **out, const sy_config_t *config,
                           const char *bootstrap, char *errbuf, size_t errbuf_size);

/* An engine sink producing through out (its ctx is out: out must outlive the engine). A
 * sink call fails with SY_ERR_KAFKA_FATAL when a produce is refused or a delivery
 * failed; output_kafka_error says why. */
engine_sink_t output_kafka_sink(output_kafka_t *out);

/* Produce one dead letter (borrowed for the call) with headers switchyard.topic,
 * .partition, .offset, .error and .error.message, as the service does. */
sy_err_t output_kafka_dead_letter(output_kafka_t *out, const sy_dead_letter_t *dead_letter,
                                  char *errbuf, size_t errbuf_size);

/* Why the last call failed; "" when none did. Borrowed from out. */
const char *output_kafka_error(const output_kafka_t *out);

/* Wait up to OUTPUT_KAFKA_FLUSH_MS for every record to be acknowledged, then free out
 * (also on error). Errors: SY_ERR_KAFKA_RETRIABLE when records are still unacknowledged,
 * SY_ERR_KAFKA_FATAL when a delivery failed. output_kafka_close(NULL, ...) is a no-op. */
sy_err_t output_kafka_close(output_kafka_t *out, char *errbuf, size_t errbuf_size);

#endif
