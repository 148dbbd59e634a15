/* ingest_batch.h — the engagement events one webhook request carries, parsed and checked
 * before any is produced (a request is taken whole or refused whole), with the strings
 * they point at in an arena the batch owns, and the parsers of each provider's format.
 * Not HTTP (ingest_http.c), not signatures (ingest_sign.h), not Kafka (ingest_produce.c). */
#ifndef SY_INGEST_BATCH_H
#define SY_INGEST_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "sy_error.h"

/* Events one request may carry: SendGrid posts batches of some hundreds; far above, and
 * with the body limit, it bounds what one request holds in memory (each event ~1 KiB). */
#define INGEST_BATCH_EVENTS_MAX 10000
/* Form parameters one Twilio request may carry: Twilio sends a few dozen. */
#define INGEST_FORM_PARAMS_MAX 256
/* Bytes of an arena chunk: one chunk holds a typical request's strings. */
#define INGEST_ARENA_CHUNK_BYTES 65536

typedef struct ingest_arena_chunk ingest_arena_chunk_t;

/* Strings of one request, freed at once. Zero-initialise. */
typedef struct ingest_arena {
    ingest_arena_chunk_t *head; /* owned list, newest first */
} ingest_arena_t;

/* A copy of len bytes of s, '\0'-terminated, owned by the arena; NULL out of memory. */
char *ingest_arena_strndup(ingest_arena_t *arena, const char *s, size_t len);
char *ingest_arena_strdup(ingest_arena_t *arena, const char *s);
/* printf into the arena; NULL out of memory. */
char *ingest_arena_printf(ingest_arena_t *arena, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ingest_arena_reset(ingest_arena_t *arena);

/* Name and value of one decoded form or query parameter (both in the batch's arena). */
typedef struct ingest_param {
    const char *name;
    const char *value;
} ingest_param_t;

typedef struct ingest_form {
    size_t count;
    ingest_param_t params[INGEST_FORM_PARAMS_MAX];
} ingest_form_t;

/* Which profile attribute an address is looked up by. */
typedef enum ingest_address {
    INGEST_ADDRESS_EMAIL,
    INGEST_ADDRESS_PHONE,
} ingest_address_t;

/* What finding a contact by address says. */
typedef enum ingest_find {
    INGEST_FIND_FOUND,
    INGEST_FIND_UNKNOWN,  /* the profiles read so far name no contact with that address */
    INGEST_FIND_NOT_YET,  /* not found, and the profiles are not read to their end yet */
} ingest_find_t;

/* Finds the contact of an address: writes its id into contact_id (size bytes).
 * Called from the request's thread; NULL fn: nothing is ever found. */
typedef struct ingest_finder {
    ingest_find_t (*fn)(void *opaque, ingest_address_t kind, const char *address,
                        char *contact_id, size_t size);
    void *opaque;
} ingest_finder_t;

/* The events of one request. Zero-initialise; ingest_batch_reset empties it (keeping the
 * event array), ingest_batch_deinit frees it. */
typedef struct ingest_batch {
    sy_event_t *events; /* owned; strings in arena */
    size_t count;
    size_t cap;
    size_t skipped;   /* provider events that map to no engagement event (docs) */
    size_t unmatched; /* events whose contact could not be found: logged, not produced */
    bool not_yet;     /* an address was unknown while the profiles are still being read */
    ingest_arena_t arena;
    void *json;       /* owned json-c root the events borrow strings from, or NULL */
} ingest_batch_t;

/* A new zeroed event at the end of the batch (bounce SY_BOUNCE_NONE); NULL when out of
 * memory or over INGEST_BATCH_EVENTS_MAX (then *err says which). */
sy_event_t *ingest_batch_add(ingest_batch_t *batch, sy_err_t *err);

/* As ingest_batch_add for the contact a finder looked up (found says how that went): the
 * new event with contact_id set when found; otherwise NULL with *err SY_OK, counted as
 * unmatched (and not_yet set when the profiles are still being read). */
sy_event_t *ingest_batch_add_found(ingest_batch_t *batch, ingest_find_t found,
                                   const char *contact_id, sy_err_t *err);
/* Add a prop (key static or in the arena; value copied). False when out of memory or the
 * event has SY_EVENT_PROPS_MAX already (the prop is then left out). */
bool ingest_batch_prop(ingest_batch_t *batch, sy_event_t *event, const char *key,
                       const char *value);
void ingest_batch_reset(ingest_batch_t *batch);
void ingest_batch_deinit(ingest_batch_t *batch);

/* Decode an application/x-www-form-urlencoded text (a body, or a URL's query without the
 * `?`) into form, strings in batch's arena; '+' is a space. Errors: SY_ERR_INVALID_RECORD
 * (a bad %-escape, or a NUL), SY_ERR_LIMIT (over INGEST_FORM_PARAMS_MAX), SY_ERR_NOMEM. */
sy_err_t ingest_form_parse(ingest_batch_t *batch, const char *text, size_t len,
                           ingest_form_t *form, char *errbuf, size_t errbuf_size);
/* The value of the first parameter called name, or NULL. */
const char *ingest_form_get(const ingest_form_t *form, const char *name);

/* SendGrid's Event Webhook: a JSON array of events (docs/connectors.md has the mapping).
 * Errors, for a 400 naming the event: SY_ERR_INVALID_RECORD (not a JSON array of objects,
 * an event without sg_event_id, event or timestamp, an id or URL over the limits),
 * SY_ERR_LIMIT (over INGEST_BATCH_EVENTS_MAX), SY_ERR_NOMEM. body borrowed for the call. */
sy_err_t ingest_sendgrid_parse(const char *body, size_t len, const ingest_finder_t *finder,
                               ingest_batch_t *batch, char *errbuf, size_t errbuf_size);

/* Which Twilio callback a request is. */
typedef enum ingest_twilio_kind {
    INGEST_TWILIO_MESSAGE_STATUS,
    INGEST_TWILIO_MESSAGE_INBOUND,
    INGEST_TWILIO_VOICE_STATUS,
} ingest_twilio_kind_t;

/* A Twilio callback's form parameters (and the callback URL's query, where the sender put
 * contact_id and action_id) into at most one event; now_ms stamps it (Twilio's callbacks
 * carry no time). Errors: SY_ERR_INVALID_RECORD (MessageSid/CallSid or the status
 * missing, an inbound message without From or Body). */
sy_err_t ingest_twilio_parse(ingest_twilio_kind_t kind, const ingest_form_t *form,
                             const ingest_form_t *query, int64_t now_ms,
                             const ingest_finder_t *finder, ingest_batch_t *batch,
                             char *errbuf, size_t errbuf_size);

/* The JSON endpoint: one event object or an array of them, each as a line of an event file
 * (docs/simulate.md) with a required event_id. Errors: SY_ERR_INVALID_RECORD, SY_ERR_LIMIT,
 * SY_ERR_NOMEM. */
sy_err_t ingest_api_parse(const char *body, size_t len, ingest_batch_t *batch,
                          char *errbuf, size_t errbuf_size);

#endif
