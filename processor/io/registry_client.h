/* registry_client.h — a client of the Confluent Schema Registry REST API over HTTP
 * (libcurl): register a schema under a subject, fetch a schema by id, each retried with
 * bounded exponential backoff while a stop flag allows. Not the cache of ids and resolvers
 * that decides what a frame means: schema_registry.h. */
#ifndef SY_REGISTRY_CLIENT_H
#define SY_REGISTRY_CLIENT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sy_error.h"

/* Retries of a failed request that may succeed later (no answer, 5xx, 408, 429): the wait
 * doubles from the first to the last, with jitter, and is cut short by a stop request. */
#define REGISTRY_RETRY_FIRST_MS 100
#define REGISTRY_RETRY_LAST_MS 5000
/* Attempts at start (register, look up): about 12 s in all before the service gives up. */
#define REGISTRY_START_ATTEMPTS 6
/* Largest registry answer read (a schema's JSON with its envelope): far above any
 * schema switchyard can read, small enough to refuse a runaway answer. */
#define REGISTRY_ANSWER_BYTES_MAX (1024 * 1024)

typedef struct registry_client registry_client_t;

/* Open a client of config's schema.registry.* options (borrowed for the call). stop
 * (borrowed, outliving the client; may be NULL) ends retries early. *out is set only on
 * success. Errors: SY_ERR_CONFIG (no url, both basic and bearer authentication),
 * SY_ERR_NOMEM. */
sy_err_t registry_client_open(registry_client_t **out, const sy_config_t *config,
                              atomic_int *stop, char *errbuf, size_t errbuf_size);

/* Close a client; registry_client_close(NULL) is a no-op. */
void registry_client_close(registry_client_t *rc);

/* Register schema_json (an Avro schema's JSON text, borrowed) under subject, or find it
 * there when it already is, and set *id to its id. attempts bounds the tries (0: until
 * stop). Errors: SY_ERR_IO (the registry did not answer, or refused: errbuf has its
 * message), SY_ERR_KAFKA_RETRIABLE (told to stop while retrying). */
sy_err_t registry_client_register(registry_client_t *rc, const char *subject,
                                  const char *schema_json, int attempts, uint32_t *id,
                                  char *errbuf, size_t errbuf_size);

/* Fetch the schema of id: *schema_json is its JSON text, NUL-terminated, owned by the
 * caller (free()). attempts as above. Errors: SY_ERR_NOT_FOUND (the registry knows no such
 * id), SY_ERR_IO, SY_ERR_KAFKA_RETRIABLE (told to stop while retrying). */
sy_err_t registry_client_schema(registry_client_t *rc, uint32_t id, int attempts,
                                char **schema_json, char *errbuf, size_t errbuf_size);

#endif
