/* codec_int.h — private details shared by the codec's files (codec*.c): the codec struct,
 * the schema tables, and the steps of decoding and encoding. Other modules use codec.h;
 * nothing here is a public contract. */
#ifndef SY_CODEC_INT_H
#define SY_CODEC_INT_H

#include <assert.h>
#include <avro.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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

/* codec_guard.c: a schema compiled once for codec_guard_check and the fused readers. One
 * node per schema node, owned by its parent (the root by the codec's schema). Nodes deeper
 * than the guard's depth limit keep no children: the walks refuse them before looking,
 * so a recursive schema compiles to a finite tree. */
typedef struct codec_guard codec_guard_t;
struct codec_guard {
    avro_type_t type;
    const char *name;         /* enum name, borrowed from the avro-c schema */
    size_t count;             /* enum symbols, union branches, record fields, fixed size */
    codec_guard_t **children; /* owned: union branches, record fields, array/map items,
                               * link target */
    const char **fields;      /* record field names, borrowed from the avro-c schema */
};

/* One loaded schema with its reusable buffers. All fields are owned by the codec. */
typedef struct codec_schema {
    sy_schema_id_t id;
    const char *name;          /* record name ("EngagementEvent"), borrowed from schema */
    avro_schema_t schema;
    avro_value_iface_t *iface;
    avro_value_t json_value;   /* codec_to_json reads here */
    uint64_t timestamp_fields; /* bit i set: top-level field i is timestamp-millis */
    codec_guard_t *guard;      /* schema compiled for the guard */
    char *scratch;             /* decoded records of this kind borrow their strings here */
    size_t scratch_size;
} codec_schema_t;

/* Slots of the key set: a power of two at least twice the largest map a record may hold
 * (SY_PROFILE_ATTRS_MAX), so probes stay short. */
#define CODEC_KEYSET_SLOTS 2048
_Static_assert(CODEC_KEYSET_SLOTS >= 2 * SY_PROFILE_ATTRS_MAX, "a profile update's map fits");

/* codec_keys.c: the keys of one map, to find a repeat. Keys are borrowed. */
typedef struct codec_keyset {
    uint32_t gen;                          /* slot i is in use when stamp[i] == gen */
    size_t count;
    uint32_t stamp[CODEC_KEYSET_SLOTS];
    const char *key[CODEC_KEYSET_SLOTS];
} codec_keyset_t;

/* The quoted date and the T before a time of day, "YYYY-MM-DDT: the part of a
 * timestamp's JSON text that the outputs of one day share. */
#define CODEC_JSON_DATE_BYTES 12

/* Room for an enum name's JSON text, its quotes included: the longest name ("in_app",
 * "custom") takes 8, and the writer copies the whole room, under the 32 bytes the line's
 * bound gives each enum (codec_json_write.c's JSON_FIXED_BYTES). */
#define CODEC_JSON_NAME_BYTES 16

struct codec {
    codec_schema_t schemas[SY_SCHEMA_ID_MAX + 1]; /* indexed by id; [0] unused */
    avro_reader_t reader;                         /* owned; codec_to_json's, per body */
    char *out;                                    /* owned encode buffer, grows to fit */
    size_t out_size;
    char *json_scratch;                           /* owned; codec_to_json's strings */
    size_t json_scratch_size;
    bool event_fused;                             /* events are read by codec_fused_event */
    bool profile_fused; /* usual updates are read by codec_usual_profile_update */
    char *json_out;                               /* owned; codec_json_write.c's lines */
    size_t json_out_size;
    /* codec_json_write.c's one-day cache: the quoted date "YYYY-MM-DDT of day
     * json_date_days (since the epoch), valid once json_date_set. */
    bool json_date_set;
    int64_t json_date_days;
    char json_date[CODEC_JSON_DATE_BYTES];
    /* codec_json_write.c's enum names: each cause's and channel's JSON text (quoted) and
     * its length, written once by the writer's string step, valid once json_names_set. */
    bool json_names_set;
    uint8_t json_cause_len[SY_CAUSE__COUNT], json_channel_len[SY_CHANNEL__COUNT];
    char json_cause[SY_CAUSE__COUNT][CODEC_JSON_NAME_BYTES];
    char json_channel[SY_CHANNEL__COUNT][CODEC_JSON_NAME_BYTES];
    codec_keyset_t keys;
};

/* Format errbuf (sy_errf: it may be NULL or 0 bytes), then evaluate to err, so that a
 * codec function reports and returns in one statement: return codec_fail(err, ...). */
#define codec_fail(err, errbuf, errbuf_size, ...) \
    (sy_errf((errbuf), (errbuf_size), __VA_ARGS__), (err))

/* codec_schema.c: the schema id table; load and unload one schema. */
const char *codec_schema_file(sy_schema_id_t id);
const codec_schema_text_t *codec_schema_text(sy_schema_id_t id);
sy_err_t codec_schema_load(codec_schema_t *s, sy_schema_id_t id, char *errbuf,
                           size_t errbuf_size);
void codec_schema_unload(codec_schema_t *s);

/* codec_guard.c: where a walk over one body is. The fused readers (codec_decode_event.c)
 * make one with codec_guard_walk_start and read through the guard's steps below, so they
 * refuse what the guard refuses, with its messages. */
typedef struct codec_guard_walk {
    const uint8_t *start; /* borrowed body */
    const uint8_t *p;     /* next byte to read */
    const uint8_t *end;   /* one past the last byte */
    size_t base;          /* frame offset of start, for messages */
    size_t map_entries;
    const char *field;    /* innermost record field, for messages; NULL at top */
    int depth;
    char *errbuf;
    size_t errbuf_size;
} codec_guard_walk_t;

/* codec_guard.c: nesting deeper than this is refused; switchyard's schemas nest three. */
#define CODEC_GUARD_DEPTH_MAX 32

/* codec_guard.c: the guard's steps, one Avro item each at g->p, for the fused readers:
 * each checks what the guard's walk checks there and fails with its message (naming
 * g->field, which the reader sets as the walk would). Start a walk over body (frame offset
 * base) with codec_guard_walk_start (here, inline) and end it with codec_guard_finish
 * (trailing bytes). */
static inline void codec_guard_walk_start(codec_guard_walk_t *g, const uint8_t *body,
                                          size_t len, size_t base, char *errbuf,
                                          size_t errbuf_size) {
    assert(g && (body != NULL || len == 0));
    *g = (codec_guard_walk_t){
        .start = body, .p = body, .end = body + len, .base = base,
        .errbuf = errbuf, .errbuf_size = errbuf_size,
    };
}
sy_err_t codec_guard_finish(codec_guard_walk_t *g);
/* A string: UTF-8 without NUL; *data, *size where its bytes are in the body. */
sy_err_t codec_guard_string(codec_guard_walk_t *g, const uint8_t **data, size_t *size);
sy_err_t codec_guard_long(codec_guard_walk_t *g, int64_t *out);
sy_err_t codec_guard_double(codec_guard_walk_t *g, double *out);
/* An enum index within node's symbols; a union branch within node's branches (the branch
 * itself is the caller's to read). */
sy_err_t codec_guard_enum(codec_guard_walk_t *g, const codec_guard_t *node, int32_t *index);
sy_err_t codec_guard_union(codec_guard_walk_t *g, const codec_guard_t *node, int32_t *index);
/* One block header of a map or array: *count items (0: the end), *block_end when the
 * block gives its byte size; after its items, codec_guard_block_done checks that size. */
sy_err_t codec_guard_block(codec_guard_walk_t *g, bool zero_size_items, int64_t *count,
                           const uint8_t **block_end);
sy_err_t codec_guard_block_done(codec_guard_walk_t *g, const uint8_t *block_start,
                                const uint8_t *block_end);

/* codec_guard_compile.c: compile schema (borrowed; it must outlive *out) for the guard.
 * *out set only on success. Errors: SY_ERR_NOMEM. codec_guard_free(NULL) is a no-op. */
sy_err_t codec_guard_compile(avro_schema_t schema, codec_guard_t **out);
void codec_guard_free(codec_guard_t *guard);

/* codec_guard.c: check that body[0..len) is exactly one valid Avro datum of the compiled
 * schema guard, never reading past body+len. Offsets in messages are frame offsets: base +
 * body offset. *map_entries counts every map entry seen (to find duplicate keys after
 * decoding). */
sy_err_t codec_guard_check(const codec_guard_t *guard, const uint8_t *body, size_t len,
                           size_t base, size_t *map_entries, char *errbuf,
                           size_t errbuf_size);

/* codec.c: check the frame of buf (want 0 accepts any known schema) and guard its body.
 * On success *id is the frame's schema and *body, *body_len its checked Avro body. */
sy_err_t codec_read(codec_t *codec, const void *buf, size_t len, sy_schema_id_t want,
                    sy_schema_id_t *id, const uint8_t **body, size_t *body_len,
                    char *errbuf, size_t errbuf_size);
/* codec.c: codec_read's frame checks only (want is one schema), for a fused reader that
 * guards the body itself as it reads it. */
sy_err_t codec_read_frame(codec_t *codec, const void *buf, size_t len, sy_schema_id_t want,
                          const uint8_t **body, size_t *body_len, char *errbuf,
                          size_t errbuf_size);

/* codec_decode_event.c: true when the compiled EngagementEvent schema has the fields the
 * fused reader expects (else events go through codec_read and codec_extract). */
bool codec_event_fusable(const codec_guard_t *root);
/* The ids of an event, a decision and an action, in the order their rules check them. Their
 * lengths (0 for an absent id) pass from the fused reader to the rules and from the rules
 * to the writer, so that each id is measured once. */
enum {
    CODEC_EVENT_EVENT_ID, CODEC_EVENT_CONTACT_ID, CODEC_EVENT_MESSAGE_ID,
    CODEC_EVENT_JOURNEY_ID, CODEC_EVENT_NODE_ID, CODEC_EVENT_IDS
};
enum {
    CODEC_DECISION_CONTACT_ID, CODEC_DECISION_JOURNEY_ID, CODEC_DECISION_FROM_NODE,
    CODEC_DECISION_TO_NODE, CODEC_DECISION_CAUSE_EVENT_ID, CODEC_DECISION_IDS
};
enum {
    CODEC_ACTION_ACTION_ID, CODEC_ACTION_CONTACT_ID, CODEC_ACTION_JOURNEY_ID,
    CODEC_ACTION_NODE_ID, CODEC_ACTION_IDS
};

/* codec_decode_profile.c: true when the compiled ProfileUpdate schema has the fields the
 * usual reader expects (else updates go through codec_read and codec_extract only). */
bool codec_profile_fusable(const codec_guard_t *root);
/* codec_decode_profile.c: the usual ProfileUpdate body (codec_usual.h) into *p, its
 * strings copied, NUL-terminated, into scratch (body_len + 1 bytes); false for anything
 * else, valid or not, and *p is then undefined: the caller decodes the body the checked
 * way. Never more than SY_PROFILE_ATTRS_MAX entries in set or unset; limits past those,
 * map keys and rules are the caller's. */
bool codec_usual_profile_update(const uint8_t *body, size_t body_len, char *scratch,
                                sy_profile_update_t *p);

/* codec_decode_event.c: guard and read the EngagementEvent body in one pass into e, its
 * strings copied, NUL-terminated, into scratch (body_len + 1 bytes), the lengths of its
 * ids into ids_len[CODEC_EVENT_IDS]. It refuses what codec_guard_check refuses, with its
 * messages (frame offsets: body at base 5). Entries of props beyond SY_EVENT_PROPS_MAX are
 * checked and counted in *props_seen, not kept; limits, map keys and rules are the
 * caller's. */
sy_err_t codec_fused_event(const codec_guard_t *root, const uint8_t *body, size_t body_len,
                           char *scratch, sy_event_t *e, size_t *ids_len, size_t *props_seen,
                           char *errbuf, size_t errbuf_size);

/* Eight bytes at a time (SWAR): v holds 8 bytes read with memcpy. Non-zero when a byte
 * of v is below c (c at most 0x80): the subtraction borrows into its high bit. */
static inline uint64_t codec_word_has_below(uint64_t v, uint8_t c) {
    /* no assert: a pure word test */
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    return (v - ones * c) & ~v & highs;
}

/* Non-zero when a byte of v equals c. */
static inline uint64_t codec_word_has_byte(uint64_t v, uint8_t c) {
    /* no assert: a pure word test */
    return codec_word_has_below(v ^ (UINT64_C(0x0101010101010101) * c), 1);
}

/* The length of the longest prefix of s[0..n) whose bytes all pass byte_plain: the whole
 * words that pass word_plain (true when all 8 bytes of v pass), then, when every whole word
 * did and fewer than 8 bytes are left, those bytes as one word overlapping what was checked
 * (the last 8, or for 4 to 7 bytes the first 4 and the last 4 together), which settles the
 * common all-plain string at once; else byte by byte. For the scans below, inlined. */
static inline size_t codec_word_prefix(const uint8_t *s, size_t n, bool (*word_plain)(uint64_t),
                                       bool (*byte_plain)(uint8_t)) {
    size_t i = 0;
    uint64_t v;
    uint32_t lo, hi;
    assert(s || n == 0);
    for (; i + 8 <= n; i += 8) {
        memcpy(&v, s + i, sizeof v);
        if (!word_plain(v))
            break;
    }
    if (i + 8 > n && i < n && n >= 4) { /* every whole word plain, a tail left */
        if (n >= 8) {
            memcpy(&v, s + n - 8, sizeof v);
        } else {
            memcpy(&lo, s, sizeof lo);
            memcpy(&hi, s + n - 4, sizeof hi);
            v = (uint64_t)hi << 32 | lo;
        }
        if (word_plain(v))
            return n;
    }
    while (i < n && byte_plain(s[i]))
        i++;
    return i;
}

/* Non-zero when a byte of v is not plain ASCII (1 to 0x7f: a NUL or a high bit):
 * codec_word_has_below(v, 1) | (v & highs), folded, as (x & ~v) | v is x | v. */
static inline uint64_t codec_word_not_ascii(uint64_t v) {
    /* no assert: a pure word test */
    return ((v - UINT64_C(0x0101010101010101)) | v) & UINT64_C(0x8080808080808080);
}

/* Copy src[0..n) to dst (which does not overlap it) and say whether every byte was plain
 * ASCII (1 to 0x7f): one pass that reads each byte once, for the strings the codec reads
 * and writes, so the common string costs no separate scan. Whole words, then the tail as
 * one word overlapping what was copied (the last 8, or the first 4 and the last 4), then
 * for under 4 bytes byte by byte. dst[0..n) only is written. False says nothing of where:
 * callers check the slow way (codec_utf8_valid, the guard's string step). */
static inline bool codec_ascii_copy(uint8_t *dst, const uint8_t *src, size_t n) {
    uint64_t v, bad = 0;
    uint32_t lo, hi;
    size_t i = 0;
    /* no assert: the leaf every string read or written goes through; its callers hold
     * the buffers (the writer reserved n bytes at dst, the reader has n left at src) */
    for (; i + 8 <= n; i += 8) {
        memcpy(&v, src + i, sizeof v);
        memcpy(dst + i, &v, sizeof v);
        bad |= (v - UINT64_C(0x0101010101010101)) | v; /* codec_word_not_ascii, unmasked */
    }
    if (i == n)
        return (bad & UINT64_C(0x8080808080808080)) == 0;
    if (n >= 8) {
        memcpy(&v, src + n - 8, sizeof v);
        memcpy(dst + n - 8, &v, sizeof v);
        return ((bad | codec_word_not_ascii(v)) & UINT64_C(0x8080808080808080)) == 0;
    }
    if (n >= 4) {
        memcpy(&lo, src, sizeof lo);
        memcpy(&hi, src + n - 4, sizeof hi);
        memcpy(dst, &lo, sizeof lo);
        memcpy(dst + n - 4, &hi, sizeof hi);
        return codec_word_not_ascii((uint64_t)hi << 32 | lo) == 0;
    }
    for (; i < n; i++) {
        dst[i] = src[i];
        bad |= (uint8_t)(src[i] - 1) >= 0x7f;
    }
    return bad == 0;
}

/* codec_guard.c: the index of the first byte of s[0..n) that is not ASCII without NUL
 * (1 to 0x7f), n when there is none. */
size_t codec_ascii_prefix(const uint8_t *s, size_t n);

/* codec_guard.c: true when s[0..len) is UTF-8 without NUL, as the guard wants strings. */
bool codec_utf8_valid(const uint8_t *s, size_t len);

/* codec.c: finish the frame of schema id whose body is codec->out[5..5+body_len): write
 * the header and set *frame. The body is not guarded again: the writers put down valid
 * Avro by construction and check every string's UTF-8 as they write it (codec_wire.h);
 * test_codec has avro-c read back what they write. */
sy_err_t codec_write(codec_t *codec, sy_schema_id_t id, size_t body_len, const void **frame,
                     size_t *frame_len, char *errbuf, size_t errbuf_size);
/* codec.c: grow *buf (owned, *size bytes) to hold at least need + 1 bytes. */
sy_err_t codec_scratch_reserve(char **buf, size_t *size, size_t need, char *errbuf,
                               size_t errbuf_size);

/* codec_decode.c: read the checked body of schema id into out (the matching sy_*_t),
 * check map keys, limits and domain rules. Strings and bytes are copied into scratch,
 * which must hold body_len + 1 bytes; out borrows them from it. */
sy_err_t codec_extract(codec_t *codec, sy_schema_id_t id, const uint8_t *body,
                       size_t body_len, char *scratch, void *out, char *errbuf,
                       size_t errbuf_size);

/* codec_keys.c: how many distinct keys the count entries of a map hold, the keys being
 * kvs[i].key, or attrs[i].name when kvs is NULL. count is at most CODEC_KEYSET_SLOTS / 2
 * (callers check the map's limit first). set is scratch, reused. */
size_t codec_keyset_distinct(codec_keyset_t *set, const sy_kv_t *kvs, const sy_attr_t *attrs,
                             size_t count);

/* Any record, for callers that hold one record of a kind known only at run time. */
typedef union codec_any_record {
    sy_event_t event;
    sy_profile_update_t profile_update;
    sy_action_t action;
    sy_decision_t decision;
    sy_contact_update_t contact_update;
    sy_dead_letter_t dead_letter;
} codec_any_record_t;

/* codec_rules.c: limits and domain rules, the same for decode and encode. The rules of
 * events, decisions and actions take ids_len, the lengths of the record's ids
 * (CODEC_EVENT_IDS, CODEC_DECISION_IDS or CODEC_ACTION_IDS of them, in the order above):
 * read when ids_measured (the fused reader measured them), else measured into it for the
 * writer (a decision's or action's contact and journey ids: their lengths the record
 * gives, when not 0). */
sy_err_t codec_rules_event(const sy_event_t *rec, size_t *ids_len, bool ids_measured,
                           char *errbuf, size_t errbuf_size);
sy_err_t codec_rules_profile_update(const sy_profile_update_t *rec, char *errbuf,
                                    size_t errbuf_size);
sy_err_t codec_rules_action(const sy_action_t *rec, size_t *ids_len, bool ids_measured,
                            char *errbuf, size_t errbuf_size);
sy_err_t codec_rules_decision(const sy_decision_t *rec, size_t *ids_len, bool ids_measured,
                              char *errbuf, size_t errbuf_size);
sy_err_t codec_rules_contact_update(const sy_contact_update_t *rec, char *errbuf,
                                    size_t errbuf_size);
sy_err_t codec_rules_dead_letter(const sy_dead_letter_t *rec, char *errbuf,
                                 size_t errbuf_size);
sy_err_t codec_rules_conversion(const sy_conversion_t *rec, char *errbuf, size_t errbuf_size);

/* Defaults a resolution plan keeps: the largest embedded schema has 14 fields and 3 enums,
 * so every default of one reader fits; past this a default is looked up each time. */
#define CODEC_RESOLVE_DEFAULTS_MAX 32

/* One reader default, found in the reader's JSON once: of a record's field, or the default
 * symbol of an enum (field -1). */
typedef struct codec_resolve_default {
    avro_schema_t owner; /* the reader's record or enum; borrowed from the codec */
    int field;           /* the record's field index, or -1 for the enum's default */
    bool found;          /* false: the reader gives no default */
    json_object *value;  /* borrowed from the plan's reader_json; NULL is JSON null */
} codec_resolve_default_t;

/* What a resolver keeps between records of one writer: the reader schema's JSON (for its
 * defaults) and the defaults looked up so far. Zeroed, with reader_json set, to start. */
typedef struct codec_resolve_plan {
    json_object *reader_json; /* owned by the resolver */
    size_t count;
    codec_resolve_default_t defaults[CODEC_RESOLVE_DEFAULTS_MAX];
} codec_resolve_plan_t;

/* codec_resolve_value.c: copy src, a value of the writer's schema, into dst, a value of the
 * reader's schema, by Avro's resolution rules, reading and adding to the plan's defaults.
 * Errors: SY_ERR_WRONG_SCHEMA (the value cannot be resolved: errbuf says why),
 * SY_ERR_NOMEM. */
sy_err_t codec_resolve_value(codec_resolve_plan_t *plan, avro_value_t *src, avro_value_t *dst,
                             char *errbuf, size_t errbuf_size);

/* ---- Prepared parts (codec_part.c) ----
 * A string made into the bytes its field takes in both outputs, once, by the writers' own
 * steps (codec_wire_put_string, codec_json_part_text); a record that carries it has them
 * copied instead of writing the field again. Made only from a string that passes the id
 * rules (1 to SY_ID_BYTES_MAX bytes of UTF-8), so a record's part says its field passes. */
struct sy_part {
    const char *of;    /* the string it was made from (borrowed; it must outlive the part
                        * and not change): a record's field given the part points at it */
    int32_t version;   /* a journey part's version; 0 for the others */
    bool journey;      /* of is a journey id, version its version (codec_part_make_journey) */
    uint16_t len;      /* strlen(of) */
    uint16_t avro_len; /* bytes at avro: branch 1 of ["null", string] (one byte, 2), then
                        * the string (a journey part: and the version, a long) */
    uint16_t json_len; /* bytes at json: the quoted, escaped string (a journey part: then
                        * ,"journey_version": and the version) */
    const char *json;  /* in the same block, after avro */
    uint8_t avro[];
};

/* Bytes a part's Avro takes at most for a string of len bytes: the branch, the length
 * and the string, a version (varints of 10 bytes at most); its JSON: 6 per byte and the
 * quotes (json_string_bound), then the version's key and digits (under 40). */
#define CODEC_PART_AVRO_BYTES(len) (21 + (size_t)(len))
#define CODEC_PART_JSON_BYTES(len) (6 * (size_t)(len) + 2 + 40)

/* The length of string field s that a record's part p for it (or NULL) gives: p's, or 0
 * without one, as a length a producer did not give. A part given must be s's own
 * (records.h). */
static inline size_t codec_part_given(const sy_part_t *p, const char *s) {
    assert(p == NULL || (p->of == s && !p->journey));
    return p != NULL ? p->len : 0;
}

/* The length of string field s given its part p (or NULL): p's, or strlen(s) (0 for
 * NULL). */
static inline size_t codec_part_len(const sy_part_t *p, const char *s) {
    /* no assert: codec_part_given asserts */
    size_t given = codec_part_given(p, s);
    return given != 0 ? given : s != NULL ? strlen(s) : 0;
}

/* Whether a record's journey part p (or NULL) may stand for its id and version: a part
 * given must be made from both (records.h). */
static inline bool codec_part_journey(const sy_part_t *p, const char *id, int32_t version) {
    assert(p == NULL || (p->journey && p->of == id && p->version == version));
    return p != NULL;
}

/* codec_json_write.c: the JSON text of a part at o (room for CODEC_PART_JSON_BYTES(len)):
 * s[0..len) as a JSON string; with version (a journey part), then ,"journey_version": and
 * it, as the records' texts write them. Returns the bytes written. */
size_t codec_json_part_text(char *o, const char *s, size_t len, const int32_t *version);

#endif
