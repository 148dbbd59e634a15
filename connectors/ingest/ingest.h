/* ingest.h — `switchyard ingest`: the HTTP server that takes provider webhooks (SendGrid's
 * Event Webhook, Twilio's Messaging and Voice callbacks, a JSON endpoint for business,
 * in-app and push events) and produces them as engagement events to the events topic,
 * answering 2xx only once the broker acknowledged them (docs/connectors.md). Not the
 * parsing of each format (ingest_batch.h) nor the senders of messages. */
#ifndef SY_INGEST_H
#define SY_INGEST_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sy_error.h"

typedef struct ingest ingest_t;

/* Load the keys, start the producer, the profiles index and the HTTP server on
 * ingest.listen. config is borrowed and must outlive the server; stop (borrowed) is
 * what ingest_run watches. Errors: SY_ERR_CONFIG (a bad listen address, key, TLS file or
 * kafka.* property: errbuf names the option), SY_ERR_IO (cannot listen), SY_ERR_NOMEM. */
sy_err_t ingest_open(ingest_t **out, const sy_config_t *config, atomic_int *stop,
                     char *errbuf, size_t errbuf_size);

/* The port the server listens on. */
uint16_t ingest_port(const ingest_t *ingest);

/* Serve until *stop is set (SY_OK) or the producer fails for good (SY_ERR_KAFKA_FATAL). */
sy_err_t ingest_run(ingest_t *ingest, char *errbuf, size_t errbuf_size);

/* Stop the server (requests in flight finish), flush the producer, free. NULL-safe. */
void ingest_close(ingest_t *ingest);

#endif
