/* ingest_json.h — what the JSON bodies of ingest share: parsing a body strictly (UTF-8
 * checked, bounded depth) with its root kept by the batch, and reading members by type.
 * Not the mappings (ingest_sendgrid.c, ingest_api.c). */
#ifndef SY_INGEST_JSON_H
#define SY_INGEST_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "ingest_batch.h"

/* Nesting a webhook body may have: SendGrid's events are an array of flat objects with a
 * few arrays (category) inside; the JSON endpoint's events are two levels deep. */
#define INGEST_JSON_DEPTH_MAX 8

/* Parse len bytes of body; the root is owned by b (freed at its reset) and *root set.
 * Errors: SY_ERR_INVALID_RECORD (not JSON: errbuf says where), SY_ERR_NOMEM. */
sy_err_t ingest_json_parse(ingest_batch_t *b, const char *body, size_t len,
                           json_object **root, char *errbuf, size_t errbuf_size);

/* The string member key of obj, or NULL (absent or not a string); borrowed from obj. */
const char *ingest_json_str(json_object *obj, const char *key);

/* The integer member key of obj into *out; false when absent or not an integer. */
bool ingest_json_int(json_object *obj, const char *key, int64_t *out);

/* A string, integer, double or boolean member as text (in b's arena), or NULL. */
const char *ingest_json_scalar(ingest_arena_t *arena, json_object *obj, const char *key);

#endif
