/* codec_decode.c — the public decoders: a checked Avro body read field by field in schema
 * order into the records.h structs, then limits and domain rules. Strings are copied,
 * NUL-terminated, into a scratch buffer the codec reuses. The frame and the body checks
 * happen before, in codec_read (codec.c); the primitives are codec_wire.h. */
#include "codec_wire.h"

#include <assert.h>

static sy_err_t decode_limit(const char *rec, const char *field, size_t count, size_t max,
                             char *errbuf, size_t errbuf_size) {
    assert(count > max);
    return codec_fail(SY_ERR_LIMIT, errbuf, errbuf_size,
                      "%s: %zu %s exceed the limit of %zu", rec, count, field, max);
}

/* A map<string> into kvs[max]; entries beyond max are read and counted, not kept. */
static sy_err_t read_kvs(codec_rd_t *r, const char *rec, const char *field, sy_kv_t *kvs,
                         size_t max, size_t *count, char *errbuf, size_t errbuf_size) {
    size_t n = 0;
    assert(r->p <= r->end && kvs && max > 0);
    for (int64_t block; (block = codec_rd_block(r)) > 0 && !r->bad;) {
        for (int64_t i = 0; i < block && !r->bad; i++, n++) {
            sy_kv_t spare, *kv = n < max ? &kvs[n] : &spare;
            kv->key = codec_rd_string(r);
            kv->value = codec_rd_string(r);
        }
    }
    if (n > max)
        return decode_limit(rec, field, n, max, errbuf, errbuf_size);
    *count = n;
    return SY_OK;
}

/* Keys of a decoded map must differ (a generic reader would keep only the last). Inline:
 * every event calls it, and the usual map (under two entries) has nothing to repeat. */
static inline sy_err_t check_keys(codec_t *codec, const sy_kv_t *kvs,
                                  const sy_attr_t *attrs, size_t count, char *errbuf,
                                  size_t errbuf_size) {
    assert(count <= CODEC_KEYSET_SLOTS / 2); /* the map's limit was checked first */
    if (count < 2) /* the usual map: nothing to repeat */
        return SY_OK;
    size_t keys = codec_keyset_distinct(&codec->keys, kvs, attrs, count);
    if (keys == count)
        return SY_OK;
    return codec_fail(SY_ERR_MALFORMED, errbuf, errbuf_size,
                      "malformed Avro body: a map repeats a key (%zu entries, %zu keys)",
                      count, keys);
}

static sy_err_t read_event(codec_t *codec, codec_rd_t *r, sy_event_t *e, char *errbuf,
                           size_t errbuf_size) {
    sy_err_t err;
    e->event_id = codec_rd_string(r);
    e->contact_id = codec_rd_string(r);
    e->occurred_at_ms = codec_rd_long(r);
    e->channel = (sy_channel_t)codec_rd_int(r);
    e->type = (sy_event_type_t)codec_rd_int(r);
    e->message_id = codec_rd_opt_string(r);
    e->journey_id = codec_rd_opt_string(r);
    e->node_id = codec_rd_opt_string(r);
    e->name = codec_rd_opt_string(r);
    e->link = codec_rd_opt_string(r);
    e->text = codec_rd_opt_string(r);
    e->bounce = codec_rd_present(r) ? (sy_bounce_t)codec_rd_int(r) : SY_BOUNCE_NONE;
    e->has_value = codec_rd_present(r);
    e->value = e->has_value ? codec_rd_double(r) : 0;
    err = read_kvs(r, "EngagementEvent", "props", e->props, SY_EVENT_PROPS_MAX,
                   &e->props_count, errbuf, errbuf_size);
    if (err != SY_OK || r->bad)
        return err;
    assert(e->props_count <= SY_EVENT_PROPS_MAX && e->contact_id && e->event_id);
    return check_keys(codec, e->props, NULL, e->props_count, errbuf, errbuf_size);
}

/* One ["null", "boolean", "long", "double", "string"]; the order is sy_value_kind_t's. */
static void read_attr_value(codec_rd_t *r, sy_value_t *out) {
    assert(r->p <= r->end);
    out->kind = (sy_value_kind_t)codec_rd_long(r);
    switch (out->kind) {
    case SY_VALUE_BOOL:
        out->u.b = r->p < r->end && *r->p++ != 0;
        break;
    case SY_VALUE_LONG: out->u.l = codec_rd_long(r); break;
    case SY_VALUE_DOUBLE: out->u.d = codec_rd_double(r); break;
    case SY_VALUE_STRING: out->u.s = codec_rd_string(r); break;
    case SY_VALUE_NULL: break;
    default: r->bad = true; break;
    }
}

static sy_err_t read_profile_update(codec_t *codec, codec_rd_t *r, sy_profile_update_t *p,
                                    char *errbuf, size_t errbuf_size) {
    const char *rec = "ProfileUpdate";
    size_t n = 0;
    p->contact_id = codec_rd_string(r);
    p->updated_at_ms = codec_rd_long(r);
    for (int64_t block; (block = codec_rd_block(r)) > 0 && !r->bad;)
        for (int64_t i = 0; i < block && !r->bad; i++, n++) {
            sy_attr_t spare, *a = n < SY_PROFILE_ATTRS_MAX ? &p->set[n] : &spare;
            a->name = codec_rd_string(r);
            read_attr_value(r, &a->value);
        }
    if (n > SY_PROFILE_ATTRS_MAX)
        return decode_limit(rec, "set", n, SY_PROFILE_ATTRS_MAX, errbuf, errbuf_size);
    p->set_count = n;
    n = 0;
    for (int64_t block; (block = codec_rd_block(r)) > 0 && !r->bad;)
        for (int64_t i = 0; i < block && !r->bad; i++, n++) {
            const char *name = codec_rd_string(r);
            if (n < SY_PROFILE_ATTRS_MAX)
                p->unset[n] = name;
        }
    if (n > SY_PROFILE_ATTRS_MAX)
        return decode_limit(rec, "unset", n, SY_PROFILE_ATTRS_MAX, errbuf, errbuf_size);
    p->unset_count = n;
    if (r->bad)
        return SY_OK;
    assert(p->set_count <= SY_PROFILE_ATTRS_MAX && p->unset_count <= SY_PROFILE_ATTRS_MAX);
    return check_keys(codec, NULL, p->set, p->set_count, errbuf, errbuf_size);
}

/* Version 2's call-to-action fields, after params. */
static void read_action_cta(codec_rd_t *r, sy_action_t *a) {
    assert(r->p <= r->end || r->bad);
    a->tracking_display = codec_rd_opt_string(r);
    a->tracking_tel = codec_rd_opt_string(r);
    a->tracking_cta = codec_rd_opt_string(r);
    a->tracking_fallback = false;
    if (codec_rd_present(r)) {
        if (r->p < r->end)
            a->tracking_fallback = *r->p++ != 0;
        else
            r->bad = true;
    }
}

/* An ActionCommand of version 2 (id 8), or of version 1 (id 3, v1: no call-to-action
 * fields, which read as NULL / false). */
static sy_err_t read_action(codec_t *codec, codec_rd_t *r, sy_action_t *a, bool v1,
                            char *errbuf, size_t errbuf_size) {
    sy_err_t err;
    a->action_id = codec_rd_string(r);
    a->contact_id = codec_rd_string(r);
    a->channel = (sy_channel_t)codec_rd_int(r);
    a->template_id = codec_rd_string(r);
    a->not_before_ms = codec_rd_long(r);
    a->journey_id = codec_rd_string(r);
    a->journey_version = codec_rd_int(r);
    a->node_id = codec_rd_string(r);
    a->occurrence = codec_rd_int(r);
    a->tracking_number = codec_rd_opt_string(r);
    a->contact_id_len = a->journey_id_len = 0; /* not given: the rules measure them */
    a->journey_part = a->node_part = a->template_part = NULL; /* none: field by field */
    err = read_kvs(r, "ActionCommand", "params", a->params, SY_ACTION_PARAMS_MAX,
                   &a->params_count, errbuf, errbuf_size);
    if (err != SY_OK || r->bad)
        return err;
    if (v1) {
        a->tracking_display = a->tracking_tel = a->tracking_cta = NULL;
        a->tracking_fallback = false;
    } else {
        read_action_cta(r, a);
    }
    assert(a->params_count <= SY_ACTION_PARAMS_MAX);
    return check_keys(codec, a->params, NULL, a->params_count, errbuf, errbuf_size);
}

static void read_decision(codec_rd_t *r, sy_decision_t *d) {
    assert(r->p <= r->end && r->scratch);
    d->contact_id = codec_rd_string(r);
    d->journey_id = codec_rd_string(r);
    d->journey_version = codec_rd_int(r);
    d->from_node = codec_rd_opt_string(r);
    d->to_node = codec_rd_string(r);
    d->path = codec_rd_opt_string(r);
    d->cause = (sy_cause_t)codec_rd_int(r);
    d->cause_event_id = codec_rd_opt_string(r);
    d->decided_at_ms = codec_rd_long(r);
    d->contact_id_len = d->journey_id_len = 0; /* not given: the rules measure them */
    d->journey_part = d->from_part = d->to_part = NULL; /* none: field by field */
}

static void read_contact_update(codec_rd_t *r, sy_contact_update_t *u) {
    assert(r->p <= r->end && r->scratch);
    u->contact_id = codec_rd_string(r);
    u->journey_id = codec_rd_string(r);
    u->journey_version = codec_rd_int(r);
    u->node_id = codec_rd_string(r);
    u->op = (sy_update_op_t)codec_rd_int(r);
    u->name = codec_rd_string(r);
    u->value = codec_rd_opt_string(r);
    u->at_ms = codec_rd_long(r);
}

/* ["null", "bytes"]: NULL and 0 when null; a present empty value is not NULL. */
static void read_opt_bytes(codec_rd_t *r, const void **buf, size_t *len) {
    assert(r->p <= r->end);
    *buf = NULL;
    *len = 0;
    if (codec_rd_present(r))
        *buf = codec_rd_bytes(r, len);
}

static void read_dead_letter(codec_rd_t *r, sy_dead_letter_t *d) {
    assert(r->p <= r->end && r->scratch);
    d->source_topic = codec_rd_string(r);
    d->partition = codec_rd_int(r);
    d->offset = codec_rd_long(r);
    d->error_code = codec_rd_string(r);
    d->error = codec_rd_string(r);
    read_opt_bytes(r, &d->key, &d->key_len);
    read_opt_bytes(r, &d->value, &d->value_len);
    d->failed_at_ms = codec_rd_long(r);
}

static void read_conversion(codec_rd_t *r, sy_conversion_t *c) {
    assert(r && c);
    c->contact_id = codec_rd_string(r);
    c->journey_id = codec_rd_string(r);
    c->journey_version = (int32_t)codec_rd_long(r);
    c->node_id = codec_rd_string(r);
    c->action_id = codec_rd_string(r);
    c->rule = codec_rd_string(r);
    c->value = codec_rd_double(r);
    c->currency = codec_rd_string(r);
    c->call_id = codec_rd_string(r);
    c->tracking_number = codec_rd_string(r);
    c->converted_at_ms = codec_rd_long(r);
}

/* The domain rules of record kind id on out. */
static sy_err_t decode_rules(sy_schema_id_t id, const void *out, char *errbuf,
                             size_t errbuf_size) {
    size_t event_ids_len[CODEC_EVENT_IDS], decision_ids_len[CODEC_DECISION_IDS];
    size_t action_ids_len[CODEC_ACTION_IDS];
    assert(out);
    switch (id) {
    case SY_SCHEMA_ENGAGEMENT_EVENT:
        return codec_rules_event(out, event_ids_len, false, errbuf, errbuf_size);
    case SY_SCHEMA_PROFILE_UPDATE:
        return codec_rules_profile_update(out, errbuf, errbuf_size);
    case SY_SCHEMA_ACTION_COMMAND_V1:
    case SY_SCHEMA_ACTION_COMMAND:
        return codec_rules_action(out, action_ids_len, false, errbuf, errbuf_size);
    case SY_SCHEMA_ROUTING_DECISION:
        return codec_rules_decision(out, decision_ids_len, false, errbuf, errbuf_size);
    case SY_SCHEMA_CONTACT_UPDATE:
        return codec_rules_contact_update(out, errbuf, errbuf_size);
    case SY_SCHEMA_DEAD_LETTER: return codec_rules_dead_letter(out, errbuf, errbuf_size);
    case SY_SCHEMA_CONVERSION: return codec_rules_conversion(out, errbuf, errbuf_size);
    }
    return SY_OK;
}

sy_err_t codec_extract(codec_t *codec, sy_schema_id_t id, const uint8_t *body,
                       size_t body_len, char *scratch, void *out, char *errbuf,
                       size_t errbuf_size) {
    codec_rd_t r = {.p = body, .end = body + body_len, .scratch = scratch, .bad = false};
    sy_err_t err = SY_OK;
    assert(id >= SY_SCHEMA_ID_MIN && id <= SY_SCHEMA_ID_MAX && out != NULL);
    switch (id) {
    case SY_SCHEMA_ENGAGEMENT_EVENT:
        err = read_event(codec, &r, out, errbuf, errbuf_size);
        break;
    case SY_SCHEMA_PROFILE_UPDATE:
        err = read_profile_update(codec, &r, out, errbuf, errbuf_size);
        break;
    case SY_SCHEMA_ACTION_COMMAND_V1:
    case SY_SCHEMA_ACTION_COMMAND:
        err = read_action(codec, &r, out, id == SY_SCHEMA_ACTION_COMMAND_V1, errbuf,
                          errbuf_size);
        break;
    case SY_SCHEMA_ROUTING_DECISION: read_decision(&r, out); break;
    case SY_SCHEMA_CONTACT_UPDATE: read_contact_update(&r, out); break;
    case SY_SCHEMA_DEAD_LETTER: read_dead_letter(&r, out); break;
    case SY_SCHEMA_CONVERSION: read_conversion(&r, out); break;
    }
    if (err != SY_OK)
        return err;
    /* The guard passed this body; a reader that disagrees with it is a codec bug, but an
     * input's fault is still reported as one rather than trusted. */
    assert(r.p <= r.end || r.bad);
    if (r.bad || r.p != r.end)
        return codec_fail(SY_ERR_MALFORMED, errbuf, errbuf_size,
                          "malformed Avro body: %zu of %zu bytes read as %s",
                          (size_t)(r.p - body), body_len, codec->schemas[id].name);
    return decode_rules(id, out, errbuf, errbuf_size);
}

/* Read a frame of schema id and extract it into out. */
static sy_err_t codec_decode(codec_t *codec, const void *buf, size_t len, sy_schema_id_t id,
                             void *out, char *errbuf, size_t errbuf_size) {
    codec_schema_t *s = &codec->schemas[id];
    const uint8_t *body;
    size_t body_len;
    sy_schema_id_t got;
    sy_err_t err = codec_read(codec, buf, len, id, &got, &body, &body_len, errbuf,
                              errbuf_size);
    if (err != SY_OK)
        return err;
    assert(got == id && body_len + CODEC_FRAME_HEADER_BYTES == len);
    err = codec_scratch_reserve(&s->scratch, &s->scratch_size, body_len, errbuf,
                                errbuf_size);
    if (err != SY_OK)
        return err;
    assert(s->scratch_size > body_len); /* every string of the body fits, with its NUL */
    return codec_extract(codec, id, body, body_len, s->scratch, out, errbuf, errbuf_size);
}

/* A frame of schema id for a one-pass reader: its body, after the frame checks only, and
 * room in the schema's scratch for every string of it with its NUL. */
static sy_err_t fused_body(codec_t *codec, sy_schema_id_t id, const void *buf, size_t len,
                           const uint8_t **body, size_t *body_len, char *errbuf,
                           size_t errbuf_size) {
    codec_schema_t *s = &codec->schemas[id];
    assert(body && body_len);
    sy_err_t err = codec_read_frame(codec, buf, len, id, body, body_len, errbuf, errbuf_size);
    if (err == SY_OK && *body_len >= s->scratch_size) /* else it holds the body already */
        err = codec_scratch_reserve(&s->scratch, &s->scratch_size, *body_len, errbuf,
                                    errbuf_size);
    return err;
}

/* An event read as it is guarded (codec_decode_event.c), then the same limit, map-key
 * and rule checks, in the same order, as codec_extract's. */
static sy_err_t decode_event_fused(codec_t *codec, const void *buf, size_t len,
                                   sy_event_t *e, char *errbuf, size_t errbuf_size) {
    codec_schema_t *s = &codec->schemas[SY_SCHEMA_ENGAGEMENT_EVENT];
    const uint8_t *body;
    size_t body_len, props = 0, ids_len[CODEC_EVENT_IDS];
    sy_err_t err = fused_body(codec, SY_SCHEMA_ENGAGEMENT_EVENT, buf, len, &body, &body_len,
                              errbuf, errbuf_size);
    if (err == SY_OK)
        err = codec_fused_event(s->guard, body, body_len, s->scratch, e, ids_len, &props,
                                errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    assert(s->scratch_size > body_len);
    if (props > SY_EVENT_PROPS_MAX)
        return decode_limit("EngagementEvent", "props", props, SY_EVENT_PROPS_MAX, errbuf,
                            errbuf_size);
    e->props_count = props;
    err = check_keys(codec, e->props, NULL, e->props_count, errbuf, errbuf_size);
    return err != SY_OK ? err : codec_rules_event(e, ids_len, true, errbuf, errbuf_size);
}

sy_err_t codec_decode_event(codec_t *codec, const void *buf, size_t len, sy_event_t *out,
                            char *errbuf, size_t errbuf_size) {
    assert(codec && (buf || !len) && out);
    if (codec->event_fused)
        return decode_event_fused(codec, buf, len, out, errbuf, errbuf_size);
    return codec_decode(codec, buf, len, SY_SCHEMA_ENGAGEMENT_EVENT, out, errbuf,
                        errbuf_size);
}

/* The usual update read without the guard (codec_decode_profile.c), then the map-key and
 * rule checks codec_extract makes after it; any other frame or body the checked way. */
static sy_err_t decode_profile_fused(codec_t *codec, const void *buf, size_t len,
                                     sy_profile_update_t *p, char *errbuf,
                                     size_t errbuf_size) {
    codec_schema_t *s = &codec->schemas[SY_SCHEMA_PROFILE_UPDATE];
    const uint8_t *body;
    size_t body_len;
    char frame_error[8]; /* unused: a frame the usual way refuses is read again below */
    bool usual = fused_body(codec, SY_SCHEMA_PROFILE_UPDATE, buf, len, &body, &body_len,
                            frame_error, sizeof frame_error) == SY_OK &&
                 codec_usual_profile_update(body, body_len, s->scratch, p);
    if (!usual)
        return codec_decode(codec, buf, len, SY_SCHEMA_PROFILE_UPDATE, p, errbuf,
                            errbuf_size);
    assert(p->set_count <= SY_PROFILE_ATTRS_MAX && p->unset_count <= SY_PROFILE_ATTRS_MAX);
    sy_err_t err = check_keys(codec, NULL, p->set, p->set_count, errbuf, errbuf_size);
    return err != SY_OK ? err : codec_rules_profile_update(p, errbuf, errbuf_size);
}

sy_err_t codec_decode_profile_update(codec_t *codec, const void *buf, size_t len,
                                     sy_profile_update_t *out, char *errbuf,
                                     size_t errbuf_size) {
    assert(codec && (buf || !len) && out);
    if (codec->profile_fused)
        return decode_profile_fused(codec, buf, len, out, errbuf, errbuf_size);
    return codec_decode(codec, buf, len, SY_SCHEMA_PROFILE_UPDATE, out, errbuf,
                        errbuf_size);
}

sy_err_t codec_decode_action(codec_t *codec, const void *buf, size_t len, sy_action_t *out,
                             char *errbuf, size_t errbuf_size) {
    sy_schema_id_t got = 0;
    assert(codec && (buf || !len) && out);
    /* Either version: a version 1 frame (an older writer's) reads with its own schema;
     * anything else is checked against version 2 and reported as such. */
    bool v1 = codec_frame_schema(buf, len, &got, NULL, 0) == SY_OK &&
              got == SY_SCHEMA_ACTION_COMMAND_V1;
    return codec_decode(codec, buf, len, v1 ? SY_SCHEMA_ACTION_COMMAND_V1
                                            : SY_SCHEMA_ACTION_COMMAND, out, errbuf,
                        errbuf_size);
}

sy_err_t codec_decode_decision(codec_t *codec, const void *buf, size_t len,
                               sy_decision_t *out, char *errbuf, size_t errbuf_size) {
    assert(codec && (buf || !len) && out);
    return codec_decode(codec, buf, len, SY_SCHEMA_ROUTING_DECISION, out, errbuf,
                        errbuf_size);
}

sy_err_t codec_decode_contact_update(codec_t *codec, const void *buf, size_t len,
                                     sy_contact_update_t *out, char *errbuf,
                                     size_t errbuf_size) {
    assert(codec && (buf || !len) && out);
    return codec_decode(codec, buf, len, SY_SCHEMA_CONTACT_UPDATE, out, errbuf,
                        errbuf_size);
}

sy_err_t codec_decode_dead_letter(codec_t *codec, const void *buf, size_t len,
                                  sy_dead_letter_t *out, char *errbuf, size_t errbuf_size) {
    assert(codec && (buf || !len) && out);
    return codec_decode(codec, buf, len, SY_SCHEMA_DEAD_LETTER, out, errbuf, errbuf_size);
}

sy_err_t codec_decode_conversion(codec_t *codec, const void *buf, size_t len,
                                 sy_conversion_t *out, char *errbuf, size_t errbuf_size) {
    assert(codec && (buf || !len) && out);
    return codec_decode(codec, buf, len, SY_SCHEMA_CONVERSION, out, errbuf, errbuf_size);
}
