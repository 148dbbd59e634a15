/* schema_registry.h — what schema ids mean when switchyard works with a schema registry:
 * the registry's ids of the output subjects (<topic>-value, registered at open), and for
 * input frames a cache of writer ids, each fetched once and turned into a resolver to the
 * embedded reader schema (or the reason it cannot be read). Not HTTP (registry_client.h),
 * not Avro resolution (codec.h). Without schema.registry.url there is no such object and
 * frames keep the embedded ids 1 to 8. */
#ifndef SY_SCHEMA_REGISTRY_H
#define SY_SCHEMA_REGISTRY_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "config.h"
#include "records.h"
#include "sy_error.h"

/* Writer schema ids one process keeps: every version of two input subjects an upstream
 * could plausibly have live at once, with a wide margin. A frame of one id more goes to the
 * dead-letter topic. */
#define SCHEMA_REGISTRY_IDS_MAX 256

/* The registry's ids of switchyard's output subjects. */
typedef struct schema_registry_outputs {
    uint32_t decisions;
    uint32_t actions[SY_CHANNEL__COUNT];
    uint32_t contact_updates;
    uint32_t dlq;
} schema_registry_outputs_t;

typedef struct schema_registry schema_registry_t;

/* When config names a registry: connect, register (or look up) the output schemas under
 * <topic>-value for every output topic of config, and set *out; otherwise set *out to
 * NULL and succeed. codec (borrowed) must outlive the object, and is used from the
 * caller's thread only; stop (borrowed, may be NULL) ends retries early. config is borrowed
 * for the call. Errors: SY_ERR_IO (the registry is unreachable after
 * REGISTRY_START_ATTEMPTS tries, or refused a schema: errbuf says which and why),
 * SY_ERR_CONFIG, SY_ERR_NOMEM, SY_ERR_KAFKA_RETRIABLE (told to stop). */
sy_err_t schema_registry_open(schema_registry_t **out, const sy_config_t *config,
                              codec_t *codec, atomic_int *stop, char *errbuf,
                              size_t errbuf_size);

/* Close; schema_registry_close(NULL) is a no-op. */
void schema_registry_close(schema_registry_t *reg);

/* The output subjects' ids; borrowed from reg. */
const schema_registry_outputs_t *schema_registry_outputs(const schema_registry_t *reg);

/* Make buf, an input frame of a topic whose records switchyard reads as reader, readable
 * by reader's codec_decode_*: *frame, *frame_len are buf itself when reg is NULL, else a
 * frame of the embedded schema owned by reg until its next call. A writer id not seen
 * before is fetched from the registry once, retried with backoff until stop.
 * Errors: the input's fault, with errbuf saying why (for the dead-letter topic):
 * SY_ERR_UNKNOWN_SCHEMA (no such id in the registry), SY_ERR_WRONG_SCHEMA (the writer's
 * schema cannot be read as reader's), SY_ERR_LIMIT, and the decoders' frame errors; not
 * the input's fault: SY_ERR_IO (a registry failure that is not a retry's to mend),
 * SY_ERR_KAFKA_RETRIABLE (told to stop while the registry was away), SY_ERR_NOMEM. */
sy_err_t schema_registry_input(schema_registry_t *reg, sy_schema_id_t reader,
                               const void *buf, size_t len, const void **frame,
                               size_t *frame_len, char *errbuf, size_t errbuf_size);

#endif
