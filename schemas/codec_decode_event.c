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
#include "codec_usual.h"

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

/* One entry of props: its key and value. */
static inline bool usual_prop(usual_t *u, size_t i, void *ctx) {
    sy_kv_t *kv = &((sy_event_t *)ctx)->props[i];
    size_t len;
    assert(i < SY_EVENT_PROPS_MAX);
    return usual_string(u, &kv->key, &len) && usual_string(u, &kv->value, &len);
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
    return usual_blocks(u, SY_EVENT_PROPS_MAX, usual_prop, e, props_seen) && u->p == u->end;
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
