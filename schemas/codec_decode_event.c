/* codec_decode_event.c — the input events' body guarded and read in one pass. The usual
 * encoding (one-byte counts, indexes and branches, strings of one- or two-byte length) is
 * read first by a reader that keeps its cursor in registers and reports nothing: anything
 * else makes it give up, and the body is read again from the start with each field checked
 * by the guard's own steps (codec_guard.c), in schema order, with the guard's messages.
 * Strings are still copied, NUL-terminated, into the codec's scratch (records.h hands out
 * C strings). Limits, map keys and rules stay codec_decode.c's. */
#include <assert.h>
#include <string.h>

#include "codec_int.h"

/* EngagementEvent's fields, in schema order; engagement_event.avsc. */
enum {
    EV_EVENT_ID, EV_CONTACT_ID, EV_OCCURRED_AT, EV_CHANNEL, EV_TYPE, EV_MESSAGE_ID,
    EV_JOURNEY_ID, EV_NODE_ID, EV_NAME, EV_LINK, EV_TEXT, EV_BOUNCE, EV_VALUE, EV_PROPS,
    EV_FIELDS
};

/* The type of field i, or of branch 1 of its ["null", T] union when opt. */
static avro_type_t field_type(const codec_guard_t *root, int i, bool opt) {
    const codec_guard_t *n = root->children[i];
    assert(n);
    if (!opt)
        return n->type;
    if (n->type != AVRO_UNION || n->count != 2 || !n->children ||
        n->children[0]->type != AVRO_NULL)
        return AVRO_LINK; /* a type no fused field has */
    return n->children[1]->type;
}

bool codec_event_fusable(const codec_guard_t *root) {
    static const avro_type_t want[EV_FIELDS] = {
        AVRO_STRING, AVRO_STRING, AVRO_INT64, AVRO_ENUM, AVRO_ENUM, AVRO_STRING,
        AVRO_STRING, AVRO_STRING, AVRO_STRING, AVRO_STRING, AVRO_STRING, AVRO_ENUM,
        AVRO_DOUBLE, AVRO_MAP};
    assert(root);
    if (root->type != AVRO_RECORD || root->count != EV_FIELDS || !root->children)
        return false;
    for (int i = 0; i < EV_FIELDS; i++)
        if (field_type(root, i, i >= EV_MESSAGE_ID && i <= EV_VALUE) != want[i])
            return false;
    const codec_guard_t *props = root->children[EV_PROPS];
    return props->children && props->children[0]->type == AVRO_STRING;
}

/* The usual event, read with its cursor in registers and no messages: every count, index
 * and branch in one byte, every string's length in one or two, the time within 8. Anything
 * else, valid or not, makes these readers return false, and codec_fused_event reads the
 * body again through the guard's steps, which accept it or refuse it with their messages:
 * they take no error path of their own. */
typedef struct usual {
    const uint8_t *p, *end;
    char *scratch; /* next free byte; borrowed */
} usual_t;

/* A one-byte varint of a value from 0 to 63 (high bit and zigzag sign bit clear). */
__attribute__((always_inline))
static inline bool usual_small(usual_t *u, size_t *v) {
    /* no assert: the hot byte step; usual_event asserts the cursor */
    if (u->p >= u->end || (*u->p & 0x81) != 0)
        return false;
    *v = *u->p++ >> 1;
    return true;
}

/* A string's length in one byte, or in two (under 8192 bytes). */
__attribute__((always_inline))
static inline bool usual_length(usual_t *u, size_t *size) {
    const uint8_t *p = u->p;
    size_t v;
    /* no assert: the hot length step; usual_event asserts the cursor */
    if (p >= u->end)
        return false;
    v = *p;
    if ((v & 0x81) != 0) { /* not one byte of a length under 64 */
        if ((v & 0x80) == 0 || u->end - p < 2 || (p[1] & 0x80) != 0)
            return false;
        v = (v & 0x7f) | (size_t)p[1] << 7;
        if (v & 1) /* a negative length */
            return false;
        p++;
    }
    u->p = p + 1;
    *size = v >> 1;
    return true;
}

/* A string, copied NUL-terminated into scratch: checked plain ASCII as it is copied, or
 * else UTF-8 without NUL by the guard's own test. */
__attribute__((always_inline))
static inline bool usual_string(usual_t *u, const char **out, size_t *len) {
    size_t size;
    /* no assert: the hot string step; usual_event asserts scratch */
    if (!usual_length(u, &size) || size > (size_t)(u->end - u->p))
        return false;
    if (!codec_ascii_copy((uint8_t *)u->scratch, u->p, size)) {
        if (!codec_utf8_valid(u->p, size))
            return false;
        memcpy(u->scratch, u->p, size);
    }
    u->scratch[size] = '\0';
    *out = u->scratch;
    *len = size;
    u->scratch += size + 1;
    u->p += size;
    return true;
}

/* The branch of a ["null", T] union: 0 or 1, in one byte; *present when 1. */
__attribute__((always_inline))
static inline bool usual_branch(usual_t *u, bool *present) {
    /* no assert: the hot byte step; usual_event asserts the cursor */
    if (u->p >= u->end || (*u->p != 0 && *u->p != 2))
        return false;
    *present = *u->p++ != 0;
    return true;
}

/* A ["null", "string"]: branch 0 (NULL, length 0) or branch 1 and its string. */
__attribute__((always_inline))
static inline bool usual_opt_string(usual_t *u, const char **out, size_t *len) {
    bool present = false;
    /* no assert: usual_branch and usual_string check */
    *out = NULL;
    *len = 0;
    return usual_branch(u, &present) && (!present || usual_string(u, out, len));
}

static inline bool usual_enum(usual_t *u, const codec_guard_t *node, int32_t *index) {
    size_t v;
    assert(node->type == AVRO_ENUM);
    if (!usual_small(u, &v) || v >= node->count)
        return false;
    *index = (int32_t)v;
    return true;
}

/* A long of at most 8 bytes, with 8 bytes left to read them as one word: the bytes up to
 * the first without a continuation bit, their 7-bit groups gathered by three shifts. */
static inline bool usual_long(usual_t *u, int64_t *out) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v, stops, x;
    assert(u->p <= u->end);
    if (u->end - u->p < 8)
        return false;
    memcpy(&v, u->p, sizeof v);
    stops = ~v & UINT64_C(0x8080808080808080); /* the last byte has its high bit clear */
    if (stops == 0)
        return false;
    u->p += __builtin_ctzll(stops) / 8 + 1;
    x = v & (stops ^ (stops - 1)) & UINT64_C(0x7f7f7f7f7f7f7f7f);
    x = (x & UINT64_C(0x007f007f007f007f)) | (x & UINT64_C(0x7f007f007f007f00)) >> 1;
    x = (x & UINT64_C(0x00003fff00003fff)) | (x & UINT64_C(0x3fff00003fff0000)) >> 2;
    x = (x & UINT64_C(0x000000000fffffff)) | (x & UINT64_C(0x0fffffff00000000)) >> 4;
    *out = (int64_t)(x >> 1) ^ -(int64_t)(x & 1);
    return true;
#else
    (void)u, (void)out; /* no assert: big-endian hosts take the guard's step */
    return false;
#endif
}

/* A double's 8 little-endian bytes, as codec_guard_double reads them. */
static inline bool usual_double(usual_t *u, double *out) {
    uint64_t bits = 0;
    assert(u->p <= u->end);
    if (u->end - u->p < 8)
        return false;
    for (int i = 7; i >= 0; i--)
        bits = bits << 8 | u->p[i];
    memcpy(out, &bits, sizeof *out);
    u->p += 8;
    return true;
}

/* props: blocks of one-byte counts, SY_EVENT_PROPS_MAX entries at most in all. */
static inline bool usual_props(usual_t *u, sy_event_t *e, size_t *seen) {
    size_t n = 0, count, len;
    assert(u->p <= u->end);
    for (;;) {
        if (!usual_small(u, &count))
            return false;
        if (count == 0)
            break;
        if (count > SY_EVENT_PROPS_MAX - n)
            return false;
        for (; count > 0; count--, n++)
            if (!usual_string(u, &e->props[n].key, &len) ||
                !usual_string(u, &e->props[n].value, &len))
                return false;
    }
    *seen = n;
    return true;
}

/* The usual event, fields in schema order, into e as codec_fused_event reads it. */
static inline bool usual_event(const codec_guard_t *root, usual_t *u, sy_event_t *e,
                               size_t *ids_len, size_t *props_seen) {
    size_t len; /* of name, link and text: not ids */
    int32_t channel = 0, type = 0, bounce = SY_BOUNCE_NONE;
    bool present = false;
    assert(u->p <= u->end && u->scratch);
    if (!usual_string(u, &e->event_id, &ids_len[CODEC_EVENT_EVENT_ID]) ||
        !usual_string(u, &e->contact_id, &ids_len[CODEC_EVENT_CONTACT_ID]) ||
        !usual_long(u, &e->occurred_at_ms) ||
        !usual_enum(u, root->children[EV_CHANNEL], &channel) ||
        !usual_enum(u, root->children[EV_TYPE], &type) ||
        !usual_opt_string(u, &e->message_id, &ids_len[CODEC_EVENT_MESSAGE_ID]) ||
        !usual_opt_string(u, &e->journey_id, &ids_len[CODEC_EVENT_JOURNEY_ID]) ||
        !usual_opt_string(u, &e->node_id, &ids_len[CODEC_EVENT_NODE_ID]) ||
        !usual_opt_string(u, &e->name, &len) || !usual_opt_string(u, &e->link, &len) ||
        !usual_opt_string(u, &e->text, &len))
        return false;
    e->channel = (sy_channel_t)channel;
    e->type = (sy_event_type_t)type;
    if (!usual_branch(u, &present) ||
        (present && !usual_enum(u, root->children[EV_BOUNCE]->children[1], &bounce)))
        return false;
    e->bounce = (sy_bounce_t)bounce;
    if (!usual_branch(u, &e->has_value))
        return false;
    e->value = 0;
    if (e->has_value && !usual_double(u, &e->value))
        return false;
    return usual_props(u, e, props_seen) && u->p == u->end;
}

/* Any event: a walk, each item through the guard's step, and where its strings go. */
typedef struct fused {
    codec_guard_walk_t g;
    char *scratch; /* next free byte; borrowed */
} fused_t;

/* A checked string, copied NUL-terminated into scratch; *len its length. */
static sy_err_t fused_string(fused_t *f, const char **out, size_t *len) {
    const uint8_t *data = NULL;
    size_t size = 0;
    sy_err_t err = codec_guard_string(&f->g, &data, &size);
    /* no assert: codec_guard_string asserts and keeps the string within the body */
    if (err != SY_OK)
        return err;
    memcpy(f->scratch, data, size);
    f->scratch[size] = '\0';
    *out = f->scratch;
    *len = size;
    f->scratch += size + 1;
    return SY_OK;
}

/* The ["null", T] union of node: *present when branch 1 (T's value is the caller's). */
static sy_err_t fused_branch(fused_t *f, const codec_guard_t *node, bool *present) {
    int32_t index = 0;
    sy_err_t err = codec_guard_union(&f->g, node, &index);
    /* no assert: codec_guard_union asserts the node and checks the index */
    *present = index == 1;
    return err;
}

/* Optional string field i of root into *out (NULL when null), its length into *len. */
static sy_err_t fused_opt(fused_t *f, const codec_guard_t *root, int i, const char **out,
                          size_t *len) {
    bool present = false;
    sy_err_t err;
    assert(i >= EV_MESSAGE_ID && i <= EV_TEXT);
    f->g.field = root->fields[i];
    *out = NULL;
    *len = 0;
    err = fused_branch(f, root->children[i], &present);
    return err != SY_OK || !present ? err : fused_string(f, out, len);
}

/* The string map props: entries beyond SY_EVENT_PROPS_MAX are checked, counted, dropped. */
static sy_err_t fused_props(fused_t *f, sy_event_t *e, size_t *seen) {
    size_t n = 0;
    assert(f->g.p <= f->g.end);
    for (;;) {
        int64_t count;
        const uint8_t *block_end;
        sy_err_t err = codec_guard_block(&f->g, false, &count, &block_end);
        if (err != SY_OK || count == 0) {
            *seen = n;
            return err;
        }
        const uint8_t *block_start = f->g.p;
        for (int64_t i = 0; i < count; i++, n++) {
            sy_kv_t spare, *kv = n < SY_EVENT_PROPS_MAX ? &e->props[n] : &spare;
            size_t len;
            if ((err = fused_string(f, &kv->key, &len)) != SY_OK ||
                (err = fused_string(f, &kv->value, &len)) != SY_OK)
                return err;
        }
        if ((err = codec_guard_block_done(&f->g, block_start, block_end)) != SY_OK)
            return err;
    }
}

/* The fields from channel to value: enums, optional strings, the bounce and the value. */
static sy_err_t fused_middle(fused_t *f, const codec_guard_t *root, sy_event_t *e,
                             size_t *ids_len) {
    size_t len; /* of name, link and text: not ids */
    int32_t index = 0;
    bool present = false;
    sy_err_t err;
    assert(root->count == EV_FIELDS);
    f->g.field = root->fields[EV_CHANNEL];
    if ((err = codec_guard_enum(&f->g, root->children[EV_CHANNEL], &index)) != SY_OK)
        return err;
    e->channel = (sy_channel_t)index;
    f->g.field = root->fields[EV_TYPE];
    if ((err = codec_guard_enum(&f->g, root->children[EV_TYPE], &index)) != SY_OK)
        return err;
    e->type = (sy_event_type_t)index;
    if ((err = fused_opt(f, root, EV_MESSAGE_ID, &e->message_id,
                         &ids_len[CODEC_EVENT_MESSAGE_ID])) != SY_OK ||
        (err = fused_opt(f, root, EV_JOURNEY_ID, &e->journey_id,
                         &ids_len[CODEC_EVENT_JOURNEY_ID])) != SY_OK ||
        (err = fused_opt(f, root, EV_NODE_ID, &e->node_id, &ids_len[CODEC_EVENT_NODE_ID])) !=
            SY_OK ||
        (err = fused_opt(f, root, EV_NAME, &e->name, &len)) != SY_OK ||
        (err = fused_opt(f, root, EV_LINK, &e->link, &len)) != SY_OK ||
        (err = fused_opt(f, root, EV_TEXT, &e->text, &len)) != SY_OK)
        return err;
    f->g.field = root->fields[EV_BOUNCE];
    const codec_guard_t *bounce = root->children[EV_BOUNCE];
    if ((err = fused_branch(f, bounce, &present)) != SY_OK ||
        (present && (err = codec_guard_enum(&f->g, bounce->children[1], &index)) != SY_OK))
        return err;
    e->bounce = present ? (sy_bounce_t)index : SY_BOUNCE_NONE;
    f->g.field = root->fields[EV_VALUE];
    if ((err = fused_branch(f, root->children[EV_VALUE], &e->has_value)) != SY_OK)
        return err;
    e->value = 0;
    return e->has_value ? codec_guard_double(&f->g, &e->value) : SY_OK;
}

/* Any other event, or a bad body: read again from the start, each item through the guard's
 * step, failing with its message. */
static sy_err_t fused_event(const codec_guard_t *root, const uint8_t *body, size_t body_len,
                            char *scratch, sy_event_t *e, size_t *ids_len, size_t *props_seen,
                            char *errbuf, size_t errbuf_size) {
    fused_t f = {.scratch = scratch};
    sy_err_t err;
    assert(root && root->count == EV_FIELDS && scratch && e && ids_len && props_seen);
    codec_guard_walk_start(&f.g, body, body_len, CODEC_FRAME_HEADER_BYTES, errbuf,
                           errbuf_size);
    f.g.field = root->fields[EV_EVENT_ID];
    if ((err = fused_string(&f, &e->event_id, &ids_len[CODEC_EVENT_EVENT_ID])) != SY_OK)
        return err;
    f.g.field = root->fields[EV_CONTACT_ID];
    if ((err = fused_string(&f, &e->contact_id, &ids_len[CODEC_EVENT_CONTACT_ID])) != SY_OK)
        return err;
    f.g.field = root->fields[EV_OCCURRED_AT];
    if ((err = codec_guard_long(&f.g, &e->occurred_at_ms)) != SY_OK)
        return err;
    if ((err = fused_middle(&f, root, e, ids_len)) != SY_OK)
        return err;
    f.g.field = root->fields[EV_PROPS];
    if ((err = fused_props(&f, e, props_seen)) != SY_OK)
        return err;
    return f.g.p == f.g.end ? SY_OK : codec_guard_finish(&f.g); /* trailing bytes? */
}

sy_err_t codec_fused_event(const codec_guard_t *root, const uint8_t *body, size_t body_len,
                           char *scratch, sy_event_t *e, size_t *ids_len, size_t *props_seen,
                           char *errbuf, size_t errbuf_size) {
    usual_t u = {.p = body, .end = body + body_len, .scratch = scratch};
    assert(root && root->count == EV_FIELDS && scratch && e && ids_len && props_seen);
    if (usual_event(root, &u, e, ids_len, props_seen))
        return SY_OK;
    return fused_event(root, body, body_len, scratch, e, ids_len, props_seen, errbuf,
                       errbuf_size);
}
