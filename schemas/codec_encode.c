/* codec_encode.c — the public encoders: records.h structs checked by the same rules as
 * decoding, copied into the schema's reusable Avro value and written as a wire frame.
 * The buffer and frame header are codec_write's job (codec.c). */
#include "codec_int.h"

static int fill_event(avro_value_t *v, const sy_event_t *e) {
    int rc = codec_value_set_string(v, "event_id", e->event_id);
    rc = rc ? rc : codec_value_set_string(v, "contact_id", e->contact_id);
    rc = rc ? rc : codec_value_set_long(v, "occurred_at", e->occurred_at_ms);
    rc = rc ? rc : codec_value_set_enum(v, "channel", (int)e->channel);
    rc = rc ? rc : codec_value_set_enum(v, "type", (int)e->type);
    rc = rc ? rc : codec_value_set_opt_string(v, "message_id", e->message_id);
    rc = rc ? rc : codec_value_set_opt_string(v, "journey_id", e->journey_id);
    rc = rc ? rc : codec_value_set_opt_string(v, "node_id", e->node_id);
    rc = rc ? rc : codec_value_set_opt_string(v, "name", e->name);
    rc = rc ? rc : codec_value_set_opt_string(v, "link", e->link);
    rc = rc ? rc : codec_value_set_opt_string(v, "text", e->text);
    rc = rc ? rc : codec_value_set_opt_enum(v, "bounce", (int)e->bounce);
    rc = rc ? rc : codec_value_set_opt_double(v, "value", e->has_value, e->value);
    rc = rc ? rc : codec_value_set_kvs(v, "props", e->props, e->props_count);
    return rc;
}

static int fill_attr(avro_value_t *map, const sy_attr_t *a) {
    avro_value_t u, branch;
    int rc = avro_value_add(map, a->name, &u, NULL, NULL);
    /* union order is sy_value_kind_t order */
    rc = rc ? rc : avro_value_set_branch(&u, (int)a->value.kind, &branch);
    if (rc != 0)
        return rc;
    switch (a->value.kind) {
    case SY_VALUE_BOOL: return avro_value_set_boolean(&branch, a->value.u.b);
    case SY_VALUE_LONG: return avro_value_set_long(&branch, a->value.u.l);
    case SY_VALUE_DOUBLE: return avro_value_set_double(&branch, a->value.u.d);
    case SY_VALUE_STRING: return codec_value_lend_string(&branch, a->value.u.s);
    default: return avro_value_set_null(&branch);
    }
}

static int fill_profile_update(avro_value_t *v, const sy_profile_update_t *p) {
    avro_value_t set = codec_value_field(v, "set");
    avro_value_t unset = codec_value_field(v, "unset");
    int rc = codec_value_set_string(v, "contact_id", p->contact_id);
    rc = rc ? rc : codec_value_set_long(v, "updated_at", p->updated_at_ms);
    for (size_t i = 0; rc == 0 && i < p->set_count; i++)
        rc = fill_attr(&set, &p->set[i]);
    for (size_t i = 0; rc == 0 && i < p->unset_count; i++) {
        avro_value_t s;
        rc = avro_value_append(&unset, &s, NULL);
        rc = rc ? rc : codec_value_lend_string(&s, p->unset[i]);
    }
    return rc;
}

static int fill_action(avro_value_t *v, const sy_action_t *a) {
    int rc = codec_value_set_string(v, "action_id", a->action_id);
    rc = rc ? rc : codec_value_set_string(v, "contact_id", a->contact_id);
    rc = rc ? rc : codec_value_set_enum(v, "channel", (int)a->channel);
    rc = rc ? rc : codec_value_set_string(v, "template_id", a->template_id);
    rc = rc ? rc : codec_value_set_long(v, "not_before", a->not_before_ms);
    rc = rc ? rc : codec_value_set_string(v, "journey_id", a->journey_id);
    rc = rc ? rc : codec_value_set_int(v, "journey_version", a->journey_version);
    rc = rc ? rc : codec_value_set_string(v, "node_id", a->node_id);
    rc = rc ? rc : codec_value_set_int(v, "occurrence", a->occurrence);
    rc = rc ? rc : codec_value_set_opt_string(v, "tracking_number", a->tracking_number);
    rc = rc ? rc : codec_value_set_kvs(v, "params", a->params, a->params_count);
    return rc;
}

static int fill_decision(avro_value_t *v, const sy_decision_t *d) {
    int rc = codec_value_set_string(v, "contact_id", d->contact_id);
    rc = rc ? rc : codec_value_set_string(v, "journey_id", d->journey_id);
    rc = rc ? rc : codec_value_set_int(v, "journey_version", d->journey_version);
    rc = rc ? rc : codec_value_set_opt_string(v, "from_node", d->from_node);
    rc = rc ? rc : codec_value_set_string(v, "to_node", d->to_node);
    rc = rc ? rc : codec_value_set_opt_string(v, "path", d->path);
    rc = rc ? rc : codec_value_set_enum(v, "cause", (int)d->cause);
    rc = rc ? rc : codec_value_set_opt_string(v, "cause_event_id", d->cause_event_id);
    rc = rc ? rc : codec_value_set_long(v, "decided_at", d->decided_at_ms);
    return rc;
}

static int fill_contact_update(avro_value_t *v, const sy_contact_update_t *u) {
    int rc = codec_value_set_string(v, "contact_id", u->contact_id);
    rc = rc ? rc : codec_value_set_string(v, "journey_id", u->journey_id);
    rc = rc ? rc : codec_value_set_int(v, "journey_version", u->journey_version);
    rc = rc ? rc : codec_value_set_string(v, "node_id", u->node_id);
    rc = rc ? rc : codec_value_set_enum(v, "op", (int)u->op);
    rc = rc ? rc : codec_value_set_string(v, "name", u->name);
    rc = rc ? rc : codec_value_set_opt_string(v, "value", u->value);
    rc = rc ? rc : codec_value_set_long(v, "at", u->at_ms);
    return rc;
}

static int fill_dead_letter(avro_value_t *v, const sy_dead_letter_t *d) {
    int rc = codec_value_set_string(v, "source_topic", d->source_topic);
    rc = rc ? rc : codec_value_set_int(v, "partition", d->partition);
    rc = rc ? rc : codec_value_set_long(v, "offset", d->offset);
    rc = rc ? rc : codec_value_set_string(v, "error_code", d->error_code);
    rc = rc ? rc : codec_value_set_string(v, "error", d->error);
    rc = rc ? rc : codec_value_set_opt_bytes(v, "key", d->key, d->key_len);
    rc = rc ? rc : codec_value_set_opt_bytes(v, "value", d->value, d->value_len);
    rc = rc ? rc : codec_value_set_long(v, "failed_at", d->failed_at_ms);
    return rc;
}

/* After filling: a map field must hold every entry given, or a key was repeated. */
static sy_err_t encode_check_keys(avro_value_t *v, const char *rec, const char *field,
                                  size_t count, char *errbuf, size_t errbuf_size) {
    size_t keys = codec_value_size(v, field);
    if (keys == count)
        return SY_OK;
    return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                      "%s: %s repeats a key (%zu entries, %zu keys)", rec, field, count, keys);
}

/* rules passed, value filled with rc: check keys of field (when not NULL), then write. */
static sy_err_t encode_finish(codec_t *codec, sy_schema_id_t id, int rc, const char *field,
                              size_t count, const void **frame, size_t *frame_len,
                              char *errbuf, size_t errbuf_size) {
    codec_schema_t *s = &codec->schemas[id];
    sy_err_t err;
    if (rc != 0)
        return codec_fail(SY_ERR_NOMEM, errbuf, errbuf_size, "%s: building the value: %s",
                          s->name, avro_strerror());
    if (field != NULL) {
        err = encode_check_keys(&s->encode_value, s->name, field, count, errbuf,
                                errbuf_size);
        if (err != SY_OK)
            return err;
    }
    return codec_write(codec, id, frame, frame_len, errbuf, errbuf_size);
}

/* The encode value of id, reset for a new record. */
static avro_value_t *encode_value(codec_t *codec, sy_schema_id_t id) {
    avro_value_t *v = &codec->schemas[id].encode_value;
    avro_value_reset(v);
    return v;
}

sy_err_t codec_encode_event(codec_t *codec, const sy_event_t *rec, const void **frame,
                            size_t *frame_len, char *errbuf, size_t errbuf_size) {
    sy_schema_id_t id = SY_SCHEMA_ENGAGEMENT_EVENT;
    sy_err_t err = codec_rules_event(rec, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    return encode_finish(codec, id, fill_event(encode_value(codec, id), rec), "props",
                         rec->props_count, frame, frame_len, errbuf, errbuf_size);
}

sy_err_t codec_encode_profile_update(codec_t *codec, const sy_profile_update_t *rec,
                                     const void **frame, size_t *frame_len, char *errbuf,
                                     size_t errbuf_size) {
    sy_schema_id_t id = SY_SCHEMA_PROFILE_UPDATE;
    sy_err_t err = codec_rules_profile_update(rec, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    return encode_finish(codec, id, fill_profile_update(encode_value(codec, id), rec), "set",
                         rec->set_count, frame, frame_len, errbuf, errbuf_size);
}

sy_err_t codec_encode_action(codec_t *codec, const sy_action_t *rec, const void **frame,
                             size_t *frame_len, char *errbuf, size_t errbuf_size) {
    sy_schema_id_t id = SY_SCHEMA_ACTION_COMMAND;
    sy_err_t err = codec_rules_action(rec, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    return encode_finish(codec, id, fill_action(encode_value(codec, id), rec), "params",
                         rec->params_count, frame, frame_len, errbuf, errbuf_size);
}

sy_err_t codec_encode_decision(codec_t *codec, const sy_decision_t *rec, const void **frame,
                               size_t *frame_len, char *errbuf, size_t errbuf_size) {
    sy_schema_id_t id = SY_SCHEMA_ROUTING_DECISION;
    sy_err_t err = codec_rules_decision(rec, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    return encode_finish(codec, id, fill_decision(encode_value(codec, id), rec), NULL, 0,
                         frame, frame_len, errbuf, errbuf_size);
}

sy_err_t codec_encode_contact_update(codec_t *codec, const sy_contact_update_t *rec,
                                     const void **frame, size_t *frame_len, char *errbuf,
                                     size_t errbuf_size) {
    sy_schema_id_t id = SY_SCHEMA_CONTACT_UPDATE;
    sy_err_t err = codec_rules_contact_update(rec, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    return encode_finish(codec, id, fill_contact_update(encode_value(codec, id), rec), NULL,
                         0, frame, frame_len, errbuf, errbuf_size);
}

sy_err_t codec_encode_dead_letter(codec_t *codec, const sy_dead_letter_t *rec,
                                  const void **frame, size_t *frame_len, char *errbuf,
                                  size_t errbuf_size) {
    sy_schema_id_t id = SY_SCHEMA_DEAD_LETTER;
    sy_err_t err = codec_rules_dead_letter(rec, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    return encode_finish(codec, id, fill_dead_letter(encode_value(codec, id), rec), NULL, 0,
                         frame, frame_len, errbuf, errbuf_size);
}
