/* codec_int.h — private details shared by the codec's files (codec*.c): the codec struct,
 * the schema tables, and the steps of decoding and encoding. Other modules use codec.h;
 * nothing here is a public contract. */
#ifndef SY_CODEC_INT_H
#define SY_CODEC_INT_H

#include <avro.h>
#include <stdbool.h>
#include <stdint.h>

#include "codec.h"

/* Magic byte 0 and a 4-byte big-endian schema id precede every Avro body. */
#define CODEC_FRAME_HEADER_BYTES 5

/* A schema's JSON text, compiled in by embed_schemas.py (generated schemas_embedded.c). */
typedef struct codec_schema_text {
    const char *file; /* "engagement_event.avsc" */
    const char *json; /* NUL-terminated */
    size_t json_len;
} codec_schema_text_t;
extern const codec_schema_text_t codec_schema_texts[];
extern const size_t codec_schema_texts_count;

/* codec_guard.c: a schema compiled for codec_guard_check. */
typedef struct codec_guard codec_guard_t;

/* One loaded schema with its reusable values. All fields are owned by the codec. */
typedef struct codec_schema {
    sy_schema_id_t id;
    const char *name;          /* record name ("EngagementEvent"), borrowed from schema */
    avro_schema_t schema;
    avro_value_iface_t *iface;
    avro_value_t decode_value; /* decoded records borrow their strings from it */
    avro_value_t json_value;   /* codec_to_json reads here, so it leaves decodes alone */
    avro_value_t encode_value;
    uint64_t timestamp_fields; /* bit i set: top-level field i is timestamp-millis */
    codec_guard_t *guard;      /* schema compiled for the guard */
} codec_schema_t;

struct codec {
    codec_schema_t schemas[SY_SCHEMA_ID_MAX + 1]; /* indexed by id; [0] unused */
    avro_reader_t reader;                         /* owned; re-pointed at each body */
    avro_writer_t writer;                         /* owned; re-pointed at out */
    char *out;                                    /* owned encode buffer, grows to fit */
    size_t out_size;
};

/* Format errbuf (which may be NULL or 0 bytes) and return err. */
sy_err_t codec_fail(sy_err_t err, char *errbuf, size_t errbuf_size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* codec_schema.c: the schema id table; load and unload one schema. */
const char *codec_schema_file(sy_schema_id_t id);
sy_err_t codec_schema_load(codec_schema_t *s, sy_schema_id_t id, char *errbuf,
                           size_t errbuf_size);
void codec_schema_unload(codec_schema_t *s);

/* codec_guard.c: compile schema (borrowed; it must outlive *out) for the guard. *out set
 * only on success. Errors: SY_ERR_NOMEM. codec_guard_free(NULL) is a no-op. */
sy_err_t codec_guard_compile(avro_schema_t schema, codec_guard_t **out);
void codec_guard_free(codec_guard_t *guard);

/* codec_guard.c: check that body[0..len) is exactly one valid Avro datum of the compiled
 * schema guard, never reading past body+len. Offsets in messages are frame offsets: base +
 * body offset. *map_entries counts every map entry seen (to find duplicate keys after
 * decoding). */
sy_err_t codec_guard_check(const codec_guard_t *guard, const uint8_t *body, size_t len,
                           size_t base, size_t *map_entries, char *errbuf,
                           size_t errbuf_size);

/* codec.c: check the frame of buf (want 0 accepts any known schema), guard the body and
 * read it into value (reset first). *id and *map_entries are set on success. */
sy_err_t codec_read(codec_t *codec, const void *buf, size_t len, sy_schema_id_t want,
                    bool for_json, sy_schema_id_t *id, size_t *map_entries, char *errbuf,
                    size_t errbuf_size);
/* codec.c: write the schema's encode_value as a frame into codec->out. */
sy_err_t codec_write(codec_t *codec, sy_schema_id_t id, const void **frame,
                     size_t *frame_len, char *errbuf, size_t errbuf_size);

/* codec_decode.c: fill the record struct for id (out points at the matching sy_*_t) from
 * value, check limits and domain rules. Strings borrow from value. */
sy_err_t codec_extract(sy_schema_id_t id, avro_value_t *value, size_t map_entries,
                       void *out, char *errbuf, size_t errbuf_size);

/* Any record, for callers that hold one record of a kind known only at run time. */
typedef union codec_any_record {
    sy_event_t event;
    sy_profile_update_t profile_update;
    sy_action_t action;
    sy_decision_t decision;
    sy_contact_update_t contact_update;
    sy_dead_letter_t dead_letter;
} codec_any_record_t;

/* codec_rules.c: limits and domain rules, the same for decode and encode. */
sy_err_t codec_rules_event(const sy_event_t *rec, char *errbuf, size_t errbuf_size);
sy_err_t codec_rules_profile_update(const sy_profile_update_t *rec, char *errbuf,
                                    size_t errbuf_size);
sy_err_t codec_rules_action(const sy_action_t *rec, char *errbuf, size_t errbuf_size);
sy_err_t codec_rules_decision(const sy_decision_t *rec, char *errbuf, size_t errbuf_size);
sy_err_t codec_rules_contact_update(const sy_contact_update_t *rec, char *errbuf,
                                    size_t errbuf_size);
sy_err_t codec_rules_dead_letter(const sy_dead_letter_t *rec, char *errbuf,
                                 size_t errbuf_size);

/* codec_value.c: typed access to fields of a generic Avro record value. The getters
 * assert on a schema mismatch (a programmer error: the schemas are ours); the setters
 * return 0 or an avro-c error number (out of memory). Strings are borrowed. */
const char *codec_value_string(avro_value_t *rec, const char *field);
const char *codec_value_opt_string(avro_value_t *rec, const char *field);
int64_t codec_value_long(avro_value_t *rec, const char *field);
int32_t codec_value_int(avro_value_t *rec, const char *field);
int codec_value_enum(avro_value_t *rec, const char *field);
int codec_value_opt_enum(avro_value_t *rec, const char *field); /* -1 when null */
bool codec_value_opt_double(avro_value_t *rec, const char *field, double *out);
bool codec_value_opt_bytes(avro_value_t *rec, const char *field, const void **buf,
                           size_t *len);
avro_value_t codec_value_field(avro_value_t *rec, const char *field);
size_t codec_value_size(avro_value_t *rec, const char *field); /* map or array */

/* Point v at the C string s without copying it; s must outlive the encode. */
int codec_value_lend_string(avro_value_t *v, const char *s);
int codec_value_set_string(avro_value_t *rec, const char *field, const char *s);
int codec_value_set_opt_string(avro_value_t *rec, const char *field, const char *s);
int codec_value_set_long(avro_value_t *rec, const char *field, int64_t v);
int codec_value_set_int(avro_value_t *rec, const char *field, int32_t v);
int codec_value_set_enum(avro_value_t *rec, const char *field, int v);
int codec_value_set_opt_enum(avro_value_t *rec, const char *field, int v); /* <0: null */
int codec_value_set_opt_double(avro_value_t *rec, const char *field, bool has, double v);
int codec_value_set_opt_bytes(avro_value_t *rec, const char *field, const void *buf,
                              size_t len);
int codec_value_set_kvs(avro_value_t *rec, const char *field, const sy_kv_t *kvs,
                        size_t count);

/* codec_time.c: "2026-11-01T09:00:00.000Z" for epoch ms into buf (at least 32 bytes);
 * false when the year is outside 0000..9999. */
bool codec_time_format_ms(int64_t ms, char *buf, size_t buf_size);

#endif
