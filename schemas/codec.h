/* codec.h — Avro records in the Confluent wire format: magic byte 0, 4-byte big-endian
 * schema id (records.h), Avro binary body. Decode, encode, and render as JSON for people.
 * Not a schema registry client: the schemas are compiled into the binary; records written
 * with another version of a schema are read through a resolver given its text. */
#ifndef SY_CODEC_H
#define SY_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "sy_error.h"

/* A codec holds the parsed schemas and reusable decode and encode buffers.
 * One codec per thread: a codec is not thread-safe. */
typedef struct codec codec_t;

/* Open a codec. *out is set only on success. */
sy_err_t codec_open(codec_t **out, char *errbuf, size_t errbuf_size);

/* Close a codec; codec_close(NULL) is a no-op. */
void codec_close(codec_t *codec);

/* Read the frame header of buf: the schema id, when the frame is long enough, starts with
 * magic 0 and names a known schema. Errors: SY_ERR_TRUNCATED, SY_ERR_BAD_MAGIC,
 * SY_ERR_UNKNOWN_SCHEMA. */
sy_err_t codec_frame_schema(const void *buf, size_t len, sy_schema_id_t *id,
                            char *errbuf, size_t errbuf_size);

/* Decoders. Each checks the frame header and that the schema is the one asked for
 * (SY_ERR_WRONG_SCHEMA otherwise), validates the Avro body against the schema without
 * ever reading past buf+len (SY_ERR_TRUNCATED, SY_ERR_MALFORMED: bad enum index, bad
 * union branch, negative or oversized length, trailing bytes), checks the limits of
 * sy_limits.h (SY_ERR_LIMIT) and the domain rules (SY_ERR_INVALID_RECORD: empty ids, an
 * event type its channel does not report, a custom event without a name).
 * On success *out is filled; its strings are borrowed from the codec and stay valid until
 * the next decode of the same record kind on this codec. buf is borrowed for the call. */
sy_err_t codec_decode_event(codec_t *codec, const void *buf, size_t len, sy_event_t *out,
                            char *errbuf, size_t errbuf_size);
sy_err_t codec_decode_profile_update(codec_t *codec, const void *buf, size_t len,
                                     sy_profile_update_t *out, char *errbuf,
                                     size_t errbuf_size);
sy_err_t codec_decode_action(codec_t *codec, const void *buf, size_t len, sy_action_t *out,
                             char *errbuf, size_t errbuf_size);
sy_err_t codec_decode_decision(codec_t *codec, const void *buf, size_t len,
                               sy_decision_t *out, char *errbuf, size_t errbuf_size);
sy_err_t codec_decode_contact_update(codec_t *codec, const void *buf, size_t len,
                                     sy_contact_update_t *out, char *errbuf,
                                     size_t errbuf_size);
sy_err_t codec_decode_dead_letter(codec_t *codec, const void *buf, size_t len,
                                  sy_dead_letter_t *out, char *errbuf, size_t errbuf_size);

/* Encoders. Each writes a complete wire frame. On success *frame and *frame_len point at
 * a buffer owned by the codec, valid until the next encode on this codec (copy it, or
 * produce it with RD_KAFKA_MSG_F_COPY). The input record is borrowed for the call.
 * Errors: SY_ERR_INVALID_RECORD for a record that breaks the schema (a NULL required
 * string), SY_ERR_LIMIT when the frame would exceed SY_FRAME_BYTES_MAX. */
sy_err_t codec_encode_event(codec_t *codec, const sy_event_t *rec, const void **frame,
                            size_t *frame_len, char *errbuf, size_t errbuf_size);
sy_err_t codec_encode_profile_update(codec_t *codec, const sy_profile_update_t *rec,
                                     const void **frame, size_t *frame_len, char *errbuf,
                                     size_t errbuf_size);
sy_err_t codec_encode_action(codec_t *codec, const sy_action_t *rec, const void **frame,
                             size_t *frame_len, char *errbuf, size_t errbuf_size);
sy_err_t codec_encode_decision(codec_t *codec, const sy_decision_t *rec, const void **frame,
                               size_t *frame_len, char *errbuf, size_t errbuf_size);
sy_err_t codec_encode_contact_update(codec_t *codec, const sy_contact_update_t *rec,
                                     const void **frame, size_t *frame_len, char *errbuf,
                                     size_t errbuf_size);
sy_err_t codec_encode_dead_letter(codec_t *codec, const sy_dead_letter_t *rec,
                                  const void **frame, size_t *frame_len, char *errbuf,
                                  size_t errbuf_size);

/* The embedded schema of id as JSON text (its .avsc file), static; NULL for an unknown id.
 * What a schema registry is told. */
const char *codec_schema_json(sy_schema_id_t id);

/* Decode a conversion (schema id 7), as the other decoders. */
sy_err_t codec_decode_conversion(codec_t *codec, const void *buf, size_t len,
                                 sy_conversion_t *out, char *errbuf, size_t errbuf_size);

/* Encode a conversion (schema id 7) as codec_encode_action does. Errors:
 * SY_ERR_INVALID_RECORD (an empty id, a value not finite, a currency not three upper-case
 * letters), SY_ERR_LIMIT. */
sy_err_t codec_encode_conversion(codec_t *codec, const sy_conversion_t *rec,
                                 const void **frame, size_t *frame_len, char *errbuf,
                                 size_t errbuf_size);

/* A resolver reads frames written with another version (the writer's schema) of one of the
 * embedded schemas (the reader's) by Avro schema resolution. One per writer schema; it
 * borrows its codec, which must outlive it, and shares its thread. */
typedef struct codec_resolver codec_resolver_t;

/* Make a resolver from the writer's schema text (borrowed for the call) to the embedded
 * schema reader. *out is set only on success. Errors: SY_ERR_WRONG_SCHEMA (the text is not
 * a schema, or not a record of the reader's name: errbuf says why), SY_ERR_NOMEM. */
sy_err_t codec_resolver_new(codec_t *codec, sy_schema_id_t reader, const char *writer_json,
                            size_t writer_json_len, codec_resolver_t **out, char *errbuf,
                            size_t errbuf_size);

/* True when the writer's schema equals the reader's (avro_schema_equal): frames are then
 * only relabelled, never decoded twice. */
bool codec_resolver_identity(const codec_resolver_t *res);

/* Read buf, a frame of any schema id whose body the resolver's writer wrote, and set *frame,
 * *frame_len to the same record as a frame of the reader's embedded schema, owned by the
 * resolver until its next call: hand it to the reader's codec_decode_*. Errors: those of
 * the decoders for the writer's body, SY_ERR_WRONG_SCHEMA when the record cannot be resolved
 * (a symbol or a union branch the reader lacks, a field without default), SY_ERR_LIMIT. */
sy_err_t codec_resolve_frame(codec_resolver_t *res, const void *buf, size_t len,
                             const void **frame, size_t *frame_len, char *errbuf,
                             size_t errbuf_size);

/* Free a resolver; codec_resolver_free(NULL) is a no-op. */
void codec_resolver_free(codec_resolver_t *res);

/* Rewrite the schema id in the header of the frame the last encode on codec wrote (a
 * registry's id for the subject it goes to). The frame pointer the encoder gave stays. */
void codec_frame_relabel(codec_t *codec, uint32_t schema_id);

/* Render any framed record as one line of JSON for people (`switchyard` tools, logs, the
 * demo). On success *json is a NUL-terminated string the caller owns and frees with
 * free(). Same errors as the decoders. */
sy_err_t codec_to_json(codec_t *codec, const void *buf, size_t len, char **json,
                       char *errbuf, size_t errbuf_size);

/* The JSON line of one output record of simulate and replay: the text codec_to_json
 * renders for the frame the record's encoder (codec_encode_decision, ...) writes, byte for
 * byte, written straight from rec into a buffer codec owns. rec is borrowed for the call.
 * It is refused exactly as that encoder refuses it, with its errors and messages
 * (SY_ERR_INVALID_RECORD, SY_ERR_LIMIT); the usual record is not encoded, but one the rules
 * alone cannot settle is (the last encoded frame is then overwritten). SY_ERR_NOMEM. On
 * success *json is NUL-terminated, *json_len bytes, without a newline, borrowed until the
 * next call on codec. */
sy_err_t codec_json_decision(codec_t *codec, const sy_decision_t *rec, const char **json,
                             size_t *json_len, char *errbuf, size_t errbuf_size);
sy_err_t codec_json_action(codec_t *codec, const sy_action_t *rec, const char **json,
                           size_t *json_len, char *errbuf, size_t errbuf_size);
sy_err_t codec_json_contact_update(codec_t *codec, const sy_contact_update_t *rec,
                                   const char **json, size_t *json_len, char *errbuf,
                                   size_t errbuf_size);
sy_err_t codec_json_conversion(codec_t *codec, const sy_conversion_t *rec, const char **json,
                               size_t *json_len, char *errbuf, size_t errbuf_size);
sy_err_t codec_json_dead_letter(codec_t *codec, const sy_dead_letter_t *rec, const char **json,
                                size_t *json_len, char *errbuf, size_t errbuf_size);

#endif
