/* codec_encode.c — the public encoders: records.h structs checked by the same rules as
 * decoding, then written field by field in schema order straight into the codec's frame
 * buffer (events, actions and decisions as runs under one reservation, codec_wire.h;
 * the parts a producer prepared, codec_part.h, copied as made).
 * Avro binary is canonical, so these are the bytes any Avro writer would make. The frame
 * header and the final guard are codec_write's job (codec.c). */
#include "codec_rules_usual.h"
#include "codec_wire.h"

#include <assert.h>

/* A map or array of count items is one block of count, then the end block 0; an empty
 * one is the end block alone (as avro-c writes it). */
static void write_block_head(codec_wr_t *w, size_t count) {
    assert(count <= INT64_MAX);
    if (count > 0)
        codec_wr_long(w, (int64_t)count);
}

static void write_kvs(codec_wr_t *w, const sy_kv_t *kvs, size_t count) {
    assert(kvs || !count);
    write_block_head(w, count);
    for (size_t i = 0; i < count; i++) {
        codec_wr_string(w, kvs[i].key);
        codec_wr_string(w, kvs[i].value);
    }
    codec_wr_long(w, 0);
}

/* ["null", string] of an id the rules measured (len). */
static inline void write_opt_id(codec_wr_t *w, const char *s, size_t len) {
    assert(s || len == 0);
    codec_wr_long(w, s != NULL);
    if (s != NULL)
        codec_wr_string_len(w, s, len);
}

/* ids_len: the lengths codec_rules_event measured. Field by field, up to the props: see
 * write_event. */
static void write_event_steps(codec_wr_t *w, const sy_event_t *e, const size_t *ids_len) {
    /* The rules passed: what is written is what a decoder accepts. */
    assert(e->props_count <= SY_EVENT_PROPS_MAX && (unsigned)e->channel < SY_CHANNEL__COUNT);
    codec_wr_string_len(w, e->event_id, ids_len[CODEC_EVENT_EVENT_ID]);
    codec_wr_string_len(w, e->contact_id, ids_len[CODEC_EVENT_CONTACT_ID]);
    codec_wr_long(w, e->occurred_at_ms);
    codec_wr_long(w, e->channel);
    codec_wr_long(w, e->type);
    write_opt_id(w, e->message_id, ids_len[CODEC_EVENT_MESSAGE_ID]);
    write_opt_id(w, e->journey_id, ids_len[CODEC_EVENT_JOURNEY_ID]);
    write_opt_id(w, e->node_id, ids_len[CODEC_EVENT_NODE_ID]);
    codec_wr_opt_string(w, e->name);
    codec_wr_opt_string(w, e->link);
    codec_wr_opt_string(w, e->text);
    codec_wr_long(w, e->bounce >= 0);
    if (e->bounce >= 0)
        codec_wr_long(w, e->bounce);
    codec_wr_long(w, e->has_value);
    if (e->has_value)
        codec_wr_double(w, e->value);
}

/* ["null", string] of a string of len bytes (0 when s is NULL) at the run's cursor o; the
 * cursor after it. */
static inline uint8_t *put_opt_string(uint8_t *o, const char *s, size_t len, bool *not_utf8) {
    /* no assert: a branch byte and codec_wire_put_string, for each optional string of a run */
    *o = s != NULL ? 2 : 0; /* the branch, zigzag: 1 is 2 */
    if (s == NULL)
        return o + 1;
    return o + 1 + codec_wire_put_string(o + 1, s, len, not_utf8);
}

/* A required string field s of len bytes at the run's cursor o: from its part p when the
 * record gives one (codec_part_given asserts it is s's), else codec_wire_put_string. */
static inline uint8_t *put_field(uint8_t *o, const sy_part_t *p, const char *s, size_t len,
                                 bool *not_utf8) {
    /* no assert: a branch and a copy or codec_wire_put_string, for each field of a run */
    if (codec_part_given(p, s) != 0)
        return codec_wire_put_part(o, p, false);
    return o + codec_wire_put_string(o, s, len, not_utf8);
}

/* The journey's id of len bytes and its version at the run's cursor o: from the journey
 * part p when given, else field by field. */
static inline uint8_t *put_journey(uint8_t *o, const sy_part_t *p, const char *id, size_t len,
                                   int32_t version, bool *not_utf8) {
    /* no assert: codec_part_journey asserts that p is id's and version's */
    if (codec_part_journey(p, id, version))
        return codec_wire_put_part(o, p, false);
    o += codec_wire_put_string(o, id, len, not_utf8);
    return o + codec_wire_put_long(o, version);
}

/* What write_event_steps's codec_wr_* calls reserve at most besides the strings' bytes:
 * 10 for each of its 20 varints (2 ids' lengths, 3 numbers, 6 optional strings' branches
 * and lengths, 2 for the bounce, 1 for has_value) and 8 for the value; and 10 for the end
 * block of empty props, which the run writes too. */
#define EVENT_RUN_FIXED_BYTES (21 * CODEC_WIRE_VARINT_BYTES_MAX + 8)

/* write_event_steps's bytes as one run (codec_wr_run_start), or by it near the limit; then
 * the props (in the run when there are none). */
static void write_event(codec_wr_t *w, const sy_event_t *e, const size_t *ids_len) {
    const size_t *len = ids_len;
    size_t name_len = e->name ? strlen(e->name) : 0, link_len = e->link ? strlen(e->link) : 0;
    size_t text_len = e->text ? strlen(e->text) : 0;
    size_t max = EVENT_RUN_FIXED_BYTES + len[CODEC_EVENT_EVENT_ID] +
                 len[CODEC_EVENT_CONTACT_ID] + len[CODEC_EVENT_MESSAGE_ID] +
                 len[CODEC_EVENT_JOURNEY_ID] + len[CODEC_EVENT_NODE_ID] + name_len + link_len +
                 text_len;
    uint8_t *o = codec_wr_run_start(w, max);
    bool bad = false;
    if (o == NULL) {
        write_event_steps(w, e, ids_len);
        write_kvs(w, e->props, e->props_count);
        return;
    }
    assert(e->props_count <= SY_EVENT_PROPS_MAX && (unsigned)e->channel < SY_CHANNEL__COUNT);
    o += codec_wire_put_string(o, e->event_id, len[CODEC_EVENT_EVENT_ID], &bad);
    o += codec_wire_put_string(o, e->contact_id, len[CODEC_EVENT_CONTACT_ID], &bad);
    o += codec_wire_put_long(o, e->occurred_at_ms);
    o += codec_wire_put_long(o, e->channel);
    o += codec_wire_put_long(o, e->type);
    o = put_opt_string(o, e->message_id, len[CODEC_EVENT_MESSAGE_ID], &bad);
    o = put_opt_string(o, e->journey_id, len[CODEC_EVENT_JOURNEY_ID], &bad);
    o = put_opt_string(o, e->node_id, len[CODEC_EVENT_NODE_ID], &bad);
    o = put_opt_string(o, e->name, name_len, &bad);
    o = put_opt_string(o, e->link, link_len, &bad);
    o = put_opt_string(o, e->text, text_len, &bad);
    o += codec_wire_put_long(o, e->bounce >= 0);
    if (e->bounce >= 0)
        o += codec_wire_put_long(o, e->bounce);
    o += codec_wire_put_long(o, e->has_value);
    if (e->has_value)
        o += codec_wire_put_double(o, e->value);
    if (e->props_count == 0)
        *o++ = 0; /* no props: write_kvs's end block alone */
    codec_wr_run_end(w, o, bad);
    if (e->props_count > 0)
        write_kvs(w, e->props, e->props_count);
}

/* One ["null", "boolean", "long", "double", "string"]; the order is sy_value_kind_t's. */
static void write_attr_value(codec_wr_t *w, const sy_value_t *v) {
    assert((unsigned)v->kind <= SY_VALUE_STRING); /* the rules refuse other kinds */
    codec_wr_long(w, v->kind);
    switch (v->kind) {
    case SY_VALUE_BOOL:
        if (codec_wr_reserve(w, 1))
            w->out[w->pos++] = v->u.b ? 1 : 0;
        break;
    case SY_VALUE_LONG: codec_wr_long(w, v->u.l); break;
    case SY_VALUE_DOUBLE: codec_wr_double(w, v->u.d); break;
    case SY_VALUE_STRING: codec_wr_string(w, v->u.s); break;
    default: break;
    }
}

static void write_profile_update(codec_wr_t *w, const sy_profile_update_t *p) {
    assert(p->set_count <= SY_PROFILE_ATTRS_MAX && p->unset_count <= SY_PROFILE_ATTRS_MAX);
    codec_wr_string(w, p->contact_id);
    codec_wr_long(w, p->updated_at_ms);
    write_block_head(w, p->set_count);
    for (size_t i = 0; i < p->set_count; i++) {
        codec_wr_string(w, p->set[i].name);
        write_attr_value(w, &p->set[i].value);
    }
    codec_wr_long(w, 0);
    write_block_head(w, p->unset_count);
    for (size_t i = 0; i < p->unset_count; i++)
        codec_wr_string(w, p->unset[i]);
    codec_wr_long(w, 0);
}

/* ids_len: the lengths codec_rules_action measured. Field by field, up to the tracking
 * number: see write_action. */
static void write_action_steps(codec_wr_t *w, const sy_action_t *a, const size_t *ids_len) {
    assert(a->params_count <= SY_ACTION_PARAMS_MAX && (unsigned)a->channel < SY_CHANNEL__COUNT);
    codec_wr_string_len(w, a->action_id, ids_len[CODEC_ACTION_ACTION_ID]);
    codec_wr_string_len(w, a->contact_id, ids_len[CODEC_ACTION_CONTACT_ID]);
    codec_wr_long(w, a->channel);
    codec_wr_string(w, a->template_id);
    codec_wr_long(w, a->not_before_ms);
    codec_wr_string_len(w, a->journey_id, ids_len[CODEC_ACTION_JOURNEY_ID]);
    codec_wr_long(w, a->journey_version);
    codec_wr_string_len(w, a->node_id, ids_len[CODEC_ACTION_NODE_ID]);
    codec_wr_long(w, a->occurrence);
    codec_wr_opt_string(w, a->tracking_number);
}

/* What write_action_steps's codec_wr_* calls reserve at most besides the strings' bytes:
 * 10 for each of its 11 varints (5 strings' lengths, 4 numbers, the tracking number's
 * branch and length). */
#define ACTION_RUN_FIXED_BYTES (11 * CODEC_WIRE_VARINT_BYTES_MAX)

/* The most params write_action_tail_run takes: a usual action has one or two. */
#define ACTION_TAIL_RUN_PARAMS_MAX 8

/* The usual action's params and call-to-action fields (it has no tracking number, so they
 * are four null branches) as one run: write_kvs's bytes, then those four. False, with
 * nothing written, for another action or when the run must go field by field. */
static bool write_action_tail_run(codec_wr_t *w, const sy_action_t *a) {
    size_t lens[2 * ACTION_TAIL_RUN_PARAMS_MAX], count = a->params_count;
    bool bad = false;
    assert(count <= SY_ACTION_PARAMS_MAX);
    if (count > ACTION_TAIL_RUN_PARAMS_MAX || a->tracking_number != NULL ||
        a->tracking_display != NULL || a->tracking_tel != NULL || a->tracking_cta != NULL)
        return false;
    /* write_kvs's count, end block, and a length per string; the four branches */
    size_t max = (2 + 2 * count + 4) * CODEC_WIRE_VARINT_BYTES_MAX;
    for (size_t i = 0; i < count; i++) {
        lens[2 * i] = strlen(a->params[i].key); /* the rules refuse NULL ones */
        lens[2 * i + 1] = strlen(a->params[i].value);
        max += lens[2 * i] + lens[2 * i + 1];
    }
    uint8_t *o = codec_wr_run_start(w, max);
    if (o == NULL)
        return false;
    if (count > 0)
        o += codec_wire_put_long(o, (int64_t)count);
    for (size_t i = 0; i < count; i++) {
        o += codec_wire_put_string(o, a->params[i].key, lens[2 * i], &bad);
        o += codec_wire_put_string(o, a->params[i].value, lens[2 * i + 1], &bad);
    }
    memset(o, 0, 5); /* the end block, then the four null branches */
    codec_wr_run_end(w, o + 5, bad);
    return true;
}

/* write_action_steps's bytes as one run (codec_wr_run_start), or by it near the limit; then
 * the params and version 2's call-to-action fields. */
static void write_action(codec_wr_t *w, const sy_action_t *a, const size_t *ids_len) {
    const size_t *len = ids_len;
    /* the rules refuse a NULL template */
    size_t template_len = codec_part_len(a->template_part, a->template_id);
    size_t number_len = a->tracking_number ? strlen(a->tracking_number) : 0;
    size_t max = ACTION_RUN_FIXED_BYTES + len[CODEC_ACTION_ACTION_ID] +
                 len[CODEC_ACTION_CONTACT_ID] + len[CODEC_ACTION_JOURNEY_ID] +
                 len[CODEC_ACTION_NODE_ID] + template_len + number_len;
    uint8_t *o = codec_wr_run_start(w, max);
    bool bad = false;
    if (o == NULL) {
        write_action_steps(w, a, ids_len);
    } else {
        assert(a->params_count <= SY_ACTION_PARAMS_MAX);
        o += codec_wire_put_string(o, a->action_id, len[CODEC_ACTION_ACTION_ID], &bad);
        o += codec_wire_put_string(o, a->contact_id, len[CODEC_ACTION_CONTACT_ID], &bad);
        o += codec_wire_put_long(o, a->channel);
        o = put_field(o, a->template_part, a->template_id, template_len, &bad);
        o += codec_wire_put_long(o, a->not_before_ms);
        o = put_journey(o, a->journey_part, a->journey_id, len[CODEC_ACTION_JOURNEY_ID],
                        a->journey_version, &bad);
        o = put_field(o, a->node_part, a->node_id, len[CODEC_ACTION_NODE_ID], &bad);
        o += codec_wire_put_long(o, a->occurrence);
        o = put_opt_string(o, a->tracking_number, number_len, &bad);
        codec_wr_run_end(w, o, bad);
    }
    if (write_action_tail_run(w, a))
        return;
    write_kvs(w, a->params, a->params_count);
    /* Version 2's call-to-action fields; tracking_fallback is null without a number. */
    codec_wr_opt_string(w, a->tracking_display);
    codec_wr_opt_string(w, a->tracking_tel);
    codec_wr_opt_string(w, a->tracking_cta);
    codec_wr_long(w, a->tracking_number != NULL);
    if (a->tracking_number != NULL && codec_wr_reserve(w, 1))
        w->out[w->pos++] = a->tracking_fallback ? 1 : 0;
}

/* ids_len: the lengths codec_rules_decision measured. Field by field: see write_decision. */
static void write_decision_steps(codec_wr_t *w, const sy_decision_t *d, const size_t *ids_len) {
    assert((unsigned)d->cause < SY_CAUSE__COUNT);
    codec_wr_string_len(w, d->contact_id, ids_len[CODEC_DECISION_CONTACT_ID]);
    codec_wr_string_len(w, d->journey_id, ids_len[CODEC_DECISION_JOURNEY_ID]);
    codec_wr_long(w, d->journey_version);
    write_opt_id(w, d->from_node, ids_len[CODEC_DECISION_FROM_NODE]);
    codec_wr_string_len(w, d->to_node, ids_len[CODEC_DECISION_TO_NODE]);
    codec_wr_opt_string(w, d->path);
    codec_wr_long(w, d->cause);
    write_opt_id(w, d->cause_event_id, ids_len[CODEC_DECISION_CAUSE_EVENT_ID]);
    codec_wr_long(w, d->decided_at_ms);
}

/* What write_decision_steps's codec_wr_* calls reserve at most besides the strings' bytes:
 * 10 for each of its 12 varints (3 ids' lengths, 3 numbers, 3 optional strings' branches
 * and lengths). */
#define DECISION_RUN_FIXED_BYTES (12 * CODEC_WIRE_VARINT_BYTES_MAX)

/* write_decision_steps's bytes as one run (codec_wr_run_start), or by it near the limit. */
static void write_decision(codec_wr_t *w, const sy_decision_t *d, const size_t *ids_len) {
    const size_t *len = ids_len;
    size_t path_len = d->path ? strlen(d->path) : 0;
    size_t max = DECISION_RUN_FIXED_BYTES + len[CODEC_DECISION_CONTACT_ID] +
                 len[CODEC_DECISION_JOURNEY_ID] + len[CODEC_DECISION_FROM_NODE] +
                 len[CODEC_DECISION_TO_NODE] + len[CODEC_DECISION_CAUSE_EVENT_ID] + path_len;
    uint8_t *o = codec_wr_run_start(w, max);
    bool bad = false;
    assert((unsigned)d->cause < SY_CAUSE__COUNT);
    if (o == NULL) {
        write_decision_steps(w, d, ids_len);
        return;
    }
    o += codec_wire_put_string(o, d->contact_id, len[CODEC_DECISION_CONTACT_ID], &bad);
    o = put_journey(o, d->journey_part, d->journey_id, len[CODEC_DECISION_JOURNEY_ID],
                    d->journey_version, &bad);
    if (codec_part_given(d->from_part, d->from_node) != 0)
        o = codec_wire_put_part(o, d->from_part, true);
    else
        o = put_opt_string(o, d->from_node, len[CODEC_DECISION_FROM_NODE], &bad);
    o = put_field(o, d->to_part, d->to_node, len[CODEC_DECISION_TO_NODE], &bad);
    o = put_opt_string(o, d->path, path_len, &bad);
    o += codec_wire_put_long(o, d->cause);
    o = put_opt_string(o, d->cause_event_id, len[CODEC_DECISION_CAUSE_EVENT_ID], &bad);
    o += codec_wire_put_long(o, d->decided_at_ms);
    codec_wr_run_end(w, o, bad);
}

static void write_contact_update(codec_wr_t *w, const sy_contact_update_t *u) {
    assert((unsigned)u->op < SY_UPDATE_OP__COUNT && u->name);
    codec_wr_string(w, u->contact_id);
    codec_wr_string(w, u->journey_id);
    codec_wr_long(w, u->journey_version);
    codec_wr_string(w, u->node_id);
    codec_wr_long(w, u->op);
    codec_wr_string(w, u->name);
    codec_wr_opt_string(w, u->value);
    codec_wr_long(w, u->at_ms);
}

/* ["null", "bytes"]: NULL is null; a present empty value is bytes of length 0. */
static void write_opt_bytes(codec_wr_t *w, const void *buf, size_t len) {
    assert(w->codec);
    codec_wr_long(w, buf != NULL);
    if (buf != NULL)
        codec_wr_bytes(w, buf, len);
}

static void write_dead_letter(codec_wr_t *w, const sy_dead_letter_t *d) {
    assert(d->source_topic && d->error_code && d->error);
    codec_wr_string(w, d->source_topic);
    codec_wr_long(w, d->partition);
    codec_wr_long(w, d->offset);
    codec_wr_string(w, d->error_code);
    codec_wr_string(w, d->error);
    write_opt_bytes(w, d->key, d->key_len);
    write_opt_bytes(w, d->value, d->value_len);
    codec_wr_long(w, d->failed_at_ms);
}

/* A map's keys must differ: a reader would keep only one of a repeated key. */
static sy_err_t encode_check_keys(codec_t *codec, const char *rec, const char *field,
                                  const sy_kv_t *kvs, const sy_attr_t *attrs, size_t count,
                                  char *errbuf, size_t errbuf_size) {
    assert(count <= CODEC_KEYSET_SLOTS / 2); /* the rules checked the map's limit */
    if (count < 2) /* the usual map: nothing to repeat */
        return SY_OK;
    size_t keys = codec_keyset_distinct(&codec->keys, kvs, attrs, count);
    if (keys == count)
        return SY_OK;
    return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                      "%s: %s repeats a key (%zu entries, %zu keys)", rec, field, count, keys);
}

/* A writer at the start of the body of codec->out. */
static codec_wr_t encode_start(codec_t *codec, char *errbuf, size_t errbuf_size) {
    assert(codec->out_size >= CODEC_FRAME_HEADER_BYTES);
    return (codec_wr_t){.codec = codec, .out = (uint8_t *)codec->out,
                        .pos = CODEC_FRAME_HEADER_BYTES, .room = codec->out_size,
                        .err = SY_OK, .errbuf = errbuf, .errbuf_size = errbuf_size};
}

/* The body is written (or w->err says why not): finish the frame. */
static sy_err_t encode_finish(codec_wr_t *w, sy_schema_id_t id, const void **frame,
                              size_t *frame_len) {
    assert(id >= SY_SCHEMA_ID_MIN && id <= SY_SCHEMA_ID_MAX);
    assert(w->err != SY_OK || (w->pos >= CODEC_FRAME_HEADER_BYTES &&
                               w->pos <= w->codec->out_size));
    if (w->err == SY_ERR_INVALID_RECORD)
        return codec_fail(w->err, w->errbuf, w->errbuf_size,
                          w->not_utf8 ? "%s: a string is not UTF-8"
                                      : "%s: a required string is NULL",
                          w->codec->schemas[id].name);
    if (w->err != SY_OK)
        return w->err;
    return codec_write(w->codec, id, w->pos - CODEC_FRAME_HEADER_BYTES, frame, frame_len,
                       w->errbuf, w->errbuf_size);
}

sy_err_t codec_encode_event(codec_t *codec, const sy_event_t *rec, const void **frame,
                            size_t *frame_len, char *errbuf, size_t errbuf_size) {
    assert(codec && rec && frame && frame_len);
    codec_wr_t w = encode_start(codec, errbuf, errbuf_size);
    size_t ids_len[CODEC_EVENT_IDS];
    sy_err_t err = codec_rules_event(rec, ids_len, false, errbuf, errbuf_size);
    err = err != SY_OK ? err
                       : encode_check_keys(codec, "EngagementEvent", "props", rec->props,
                                           NULL, rec->props_count, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    write_event(&w, rec, ids_len);
    return encode_finish(&w, SY_SCHEMA_ENGAGEMENT_EVENT, frame, frame_len);
}

sy_err_t codec_encode_profile_update(codec_t *codec, const sy_profile_update_t *rec,
                                     const void **frame, size_t *frame_len, char *errbuf,
                                     size_t errbuf_size) {
    assert(codec && rec && frame && frame_len);
    codec_wr_t w = encode_start(codec, errbuf, errbuf_size);
    sy_err_t err = codec_rules_profile_update(rec, errbuf, errbuf_size);
    err = err != SY_OK ? err
                       : encode_check_keys(codec, "ProfileUpdate", "set", NULL, rec->set,
                                           rec->set_count, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    write_profile_update(&w, rec);
    return encode_finish(&w, SY_SCHEMA_PROFILE_UPDATE, frame, frame_len);
}

sy_err_t codec_encode_action(codec_t *codec, const sy_action_t *rec, const void **frame,
                             size_t *frame_len, char *errbuf, size_t errbuf_size) {
    assert(codec && rec && frame && frame_len);
    codec_wr_t w = encode_start(codec, errbuf, errbuf_size);
    size_t ids_len[CODEC_ACTION_IDS];
    sy_err_t err = codec_rules_action_usual(rec, ids_len)
                       ? SY_OK
                       : codec_rules_action(rec, ids_len, false, errbuf, errbuf_size);
    err = err != SY_OK ? err
                       : encode_check_keys(codec, "ActionCommand", "params", rec->params,
                                           NULL, rec->params_count, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    write_action(&w, rec, ids_len);
    return encode_finish(&w, SY_SCHEMA_ACTION_COMMAND, frame, frame_len);
}

sy_err_t codec_encode_decision(codec_t *codec, const sy_decision_t *rec, const void **frame,
                               size_t *frame_len, char *errbuf, size_t errbuf_size) {
    assert(codec && rec && frame && frame_len);
    codec_wr_t w = encode_start(codec, errbuf, errbuf_size);
    size_t ids_len[CODEC_DECISION_IDS];
    if (!codec_rules_decision_usual(rec, ids_len)) {
        sy_err_t err = codec_rules_decision(rec, ids_len, false, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
    }
    write_decision(&w, rec, ids_len);
    return encode_finish(&w, SY_SCHEMA_ROUTING_DECISION, frame, frame_len);
}

sy_err_t codec_encode_contact_update(codec_t *codec, const sy_contact_update_t *rec,
                                     const void **frame, size_t *frame_len, char *errbuf,
                                     size_t errbuf_size) {
    assert(codec && rec && frame && frame_len);
    codec_wr_t w = encode_start(codec, errbuf, errbuf_size);
    sy_err_t err = codec_rules_contact_update(rec, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    write_contact_update(&w, rec);
    return encode_finish(&w, SY_SCHEMA_CONTACT_UPDATE, frame, frame_len);
}

sy_err_t codec_encode_dead_letter(codec_t *codec, const sy_dead_letter_t *rec,
                                  const void **frame, size_t *frame_len, char *errbuf,
                                  size_t errbuf_size) {
    assert(codec && rec && frame && frame_len);
    codec_wr_t w = encode_start(codec, errbuf, errbuf_size);
    sy_err_t err = codec_rules_dead_letter(rec, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    write_dead_letter(&w, rec);
    return encode_finish(&w, SY_SCHEMA_DEAD_LETTER, frame, frame_len);
}

/* ---- Conversion (schema id 7) ---- */

sy_err_t codec_encode_conversion(codec_t *codec, const sy_conversion_t *rec,
                                 const void **frame, size_t *frame_len, char *errbuf,
                                 size_t errbuf_size) {
    assert(codec && rec && frame && frame_len);
    codec_wr_t w = encode_start(codec, errbuf, errbuf_size);
    sy_err_t err = codec_rules_conversion(rec, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    codec_wr_string(&w, rec->contact_id);
    codec_wr_string(&w, rec->journey_id);
    codec_wr_long(&w, rec->journey_version);
    codec_wr_string(&w, rec->node_id);
    codec_wr_string(&w, rec->action_id);
    codec_wr_string(&w, rec->rule);
    codec_wr_double(&w, rec->value);
    codec_wr_string(&w, rec->currency);
    codec_wr_string(&w, rec->call_id);
    codec_wr_string(&w, rec->tracking_number);
    codec_wr_long(&w, rec->converted_at_ms);
    return encode_finish(&w, SY_SCHEMA_CONVERSION, frame, frame_len);
}
