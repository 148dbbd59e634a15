/* codec_decode.c — the public decoders: from a checked, read Avro value to the records.h
 * structs, then limits and domain rules. Strings in the structs borrow from the value.
 * The frame and the body checks happen before, in codec_read (codec.c). */
#include <string.h>

#include "codec_int.h"

static sy_err_t extract_limit(const char *rec, const char *field, size_t count, size_t max,
                              char *errbuf, size_t errbuf_size) {
    return codec_fail(SY_ERR_LIMIT, errbuf, errbuf_size,
                      "%s: %zu %s exceed the limit of %zu", rec, count, field, max);
}

/* A map<string> field into kvs[max]. */
static sy_err_t extract_kvs(avro_value_t *v, const char *rec, const char *field,
                            sy_kv_t *kvs, size_t max, size_t *count, char *errbuf,
                            size_t errbuf_size) {
    avro_value_t map = codec_value_field(v, field);
    size_t n = codec_value_size(v, field);
    if (n > max)
        return extract_limit(rec, field, n, max, errbuf, errbuf_size);
    for (size_t i = 0; i < n; i++) {
        avro_value_t elem;
        size_t size;
        avro_value_get_by_index(&map, i, &elem, &kvs[i].key);
        avro_value_get_string(&elem, &kvs[i].value, &size);
    }
    *count = n;
    return SY_OK;
}

static sy_err_t extract_event(avro_value_t *v, sy_event_t *e, size_t *map_entries,
                              char *errbuf, size_t errbuf_size) {
    sy_err_t err;
    e->event_id = codec_value_string(v, "event_id");
    e->contact_id = codec_value_string(v, "contact_id");
    e->occurred_at_ms = codec_value_long(v, "occurred_at");
    e->channel = (sy_channel_t)codec_value_enum(v, "channel");
    e->type = (sy_event_type_t)codec_value_enum(v, "type");
    e->message_id = codec_value_opt_string(v, "message_id");
    e->journey_id = codec_value_opt_string(v, "journey_id");
    e->node_id = codec_value_opt_string(v, "node_id");
    e->name = codec_value_opt_string(v, "name");
    e->link = codec_value_opt_string(v, "link");
    e->text = codec_value_opt_string(v, "text");
    e->bounce = (sy_bounce_t)codec_value_opt_enum(v, "bounce");
    e->has_value = codec_value_opt_double(v, "value", &e->value);
    err = extract_kvs(v, "EngagementEvent", "props", e->props, SY_EVENT_PROPS_MAX,
                      &e->props_count, errbuf, errbuf_size);
    *map_entries = e->props_count;
    return err != SY_OK ? err : codec_rules_event(e, errbuf, errbuf_size);
}

static void extract_attr(avro_value_t *u, sy_value_t *out) {
    avro_value_t branch;
    int disc = 0, b = 0;
    avro_value_get_discriminant(u, &disc);
    avro_value_get_current_branch(u, &branch);
    out->kind = (sy_value_kind_t)disc; /* union order is sy_value_kind_t order */
    switch (out->kind) {
    case SY_VALUE_BOOL: avro_value_get_boolean(&branch, &b); out->u.b = b != 0; break;
    case SY_VALUE_LONG: avro_value_get_long(&branch, &out->u.l); break;
    case SY_VALUE_DOUBLE: avro_value_get_double(&branch, &out->u.d); break;
    case SY_VALUE_STRING: {
        size_t size;
        avro_value_get_string(&branch, &out->u.s, &size);
        break;
    }
    default: out->kind = SY_VALUE_NULL; break;
    }
}

static sy_err_t extract_profile_update(avro_value_t *v, sy_profile_update_t *p,
                                       size_t *map_entries, char *errbuf,
                                       size_t errbuf_size) {
    const char *r = "ProfileUpdate";
    avro_value_t set = codec_value_field(v, "set");
    avro_value_t unset = codec_value_field(v, "unset");
    p->contact_id = codec_value_string(v, "contact_id");
    p->updated_at_ms = codec_value_long(v, "updated_at");
    p->set_count = codec_value_size(v, "set");
    p->unset_count = codec_value_size(v, "unset");
    *map_entries = p->set_count;
    if (p->set_count > SY_PROFILE_ATTRS_MAX)
        return extract_limit(r, "set", p->set_count, SY_PROFILE_ATTRS_MAX, errbuf,
                             errbuf_size);
    if (p->unset_count > SY_PROFILE_ATTRS_MAX)
        return extract_limit(r, "unset", p->unset_count, SY_PROFILE_ATTRS_MAX, errbuf,
                             errbuf_size);
    for (size_t i = 0; i < p->set_count; i++) {
        avro_value_t u;
        avro_value_get_by_index(&set, i, &u, &p->set[i].name);
        extract_attr(&u, &p->set[i].value);
    }
    for (size_t i = 0; i < p->unset_count; i++) {
        avro_value_t s;
        size_t size;
        avro_value_get_by_index(&unset, i, &s, NULL);
        avro_value_get_string(&s, &p->unset[i], &size);
    }
    return codec_rules_profile_update(p, errbuf, errbuf_size);
}

static sy_err_t extract_action(avro_value_t *v, sy_action_t *a, size_t *map_entries,
                               char *errbuf, size_t errbuf_size) {
    sy_err_t err;
    a->action_id = codec_value_string(v, "action_id");
    a->contact_id = codec_value_string(v, "contact_id");
    a->channel = (sy_channel_t)codec_value_enum(v, "channel");
    a->template_id = codec_value_string(v, "template_id");
    a->not_before_ms = codec_value_long(v, "not_before");
    a->journey_id = codec_value_string(v, "journey_id");
    a->journey_version = codec_value_int(v, "journey_version");
    a->node_id = codec_value_string(v, "node_id");
    a->occurrence = codec_value_int(v, "occurrence");
    a->tracking_number = codec_value_opt_string(v, "tracking_number");
    err = extract_kvs(v, "ActionCommand", "params", a->params, SY_ACTION_PARAMS_MAX,
                      &a->params_count, errbuf, errbuf_size);
    *map_entries = a->params_count;
    return err != SY_OK ? err : codec_rules_action(a, errbuf, errbuf_size);
}

static sy_err_t extract_decision(avro_value_t *v, sy_decision_t *d, char *errbuf,
                                 size_t errbuf_size) {
    d->contact_id = codec_value_string(v, "contact_id");
    d->journey_id = codec_value_string(v, "journey_id");
    d->journey_version = codec_value_int(v, "journey_version");
    d->from_node = codec_value_opt_string(v, "from_node");
    d->to_node = codec_value_string(v, "to_node");
    d->path = codec_value_opt_string(v, "path");
    d->cause = (sy_cause_t)codec_value_enum(v, "cause");
    d->cause_event_id = codec_value_opt_string(v, "cause_event_id");
    d->decided_at_ms = codec_value_long(v, "decided_at");
    return codec_rules_decision(d, errbuf, errbuf_size);
}

static sy_err_t extract_contact_update(avro_value_t *v, sy_contact_update_t *u,
                                       char *errbuf, size_t errbuf_size) {
    u->contact_id = codec_value_string(v, "contact_id");
    u->journey_id = codec_value_string(v, "journey_id");
    u->journey_version = codec_value_int(v, "journey_version");
    u->node_id = codec_value_string(v, "node_id");
    u->op = (sy_update_op_t)codec_value_enum(v, "op");
    u->name = codec_value_string(v, "name");
    u->value = codec_value_opt_string(v, "value");
    u->at_ms = codec_value_long(v, "at");
    return codec_rules_contact_update(u, errbuf, errbuf_size);
}

static sy_err_t extract_dead_letter(avro_value_t *v, sy_dead_letter_t *d, char *errbuf,
                                    size_t errbuf_size) {
    d->source_topic = codec_value_string(v, "source_topic");
    d->partition = codec_value_int(v, "partition");
    d->offset = codec_value_long(v, "offset");
    d->error_code = codec_value_string(v, "error_code");
    d->error = codec_value_string(v, "error");
    codec_value_opt_bytes(v, "key", &d->key, &d->key_len);
    codec_value_opt_bytes(v, "value", &d->value, &d->value_len);
    d->failed_at_ms = codec_value_long(v, "failed_at");
    return codec_rules_dead_letter(d, errbuf, errbuf_size);
}

sy_err_t codec_extract(sy_schema_id_t id, avro_value_t *value, size_t map_entries,
                       void *out, char *errbuf, size_t errbuf_size) {
    size_t decoded_entries = 0;
    sy_err_t err = SY_OK;
    switch (id) {
    case SY_SCHEMA_ENGAGEMENT_EVENT:
        err = extract_event(value, out, &decoded_entries, errbuf, errbuf_size);
        break;
    case SY_SCHEMA_PROFILE_UPDATE:
        err = extract_profile_update(value, out, &decoded_entries, errbuf, errbuf_size);
        break;
    case SY_SCHEMA_ACTION_COMMAND:
        err = extract_action(value, out, &decoded_entries, errbuf, errbuf_size);
        break;
    case SY_SCHEMA_ROUTING_DECISION:
        err = extract_decision(value, out, errbuf, errbuf_size);
        break;
    case SY_SCHEMA_CONTACT_UPDATE:
        err = extract_contact_update(value, out, errbuf, errbuf_size);
        break;
    case SY_SCHEMA_DEAD_LETTER:
        err = extract_dead_letter(value, out, errbuf, errbuf_size);
        break;
    }
    /* avro-c keeps the last of repeated map keys; the guard counted every entry. */
    if (err != SY_ERR_LIMIT && decoded_entries < map_entries)
        err = codec_fail(SY_ERR_MALFORMED, errbuf, errbuf_size,
                         "malformed Avro body: a map repeats a key (%zu entries, %zu keys)",
                         map_entries, decoded_entries);
    return err;
}

/* Read a frame of schema id and extract it into out. */
static sy_err_t codec_decode(codec_t *codec, const void *buf, size_t len, sy_schema_id_t id,
                             void *out, char *errbuf, size_t errbuf_size) {
    sy_schema_id_t got;
    size_t map_entries = 0;
    sy_err_t err = codec_read(codec, buf, len, id, false, &got, &map_entries, errbuf,
                              errbuf_size);
    if (err != SY_OK)
        return err;
    return codec_extract(id, &codec->schemas[id].decode_value, map_entries, out, errbuf,
                         errbuf_size);
}

sy_err_t codec_decode_event(codec_t *codec, const void *buf, size_t len, sy_event_t *out,
                            char *errbuf, size_t errbuf_size) {
    return codec_decode(codec, buf, len, SY_SCHEMA_ENGAGEMENT_EVENT, out, errbuf,
                        errbuf_size);
}

sy_err_t codec_decode_profile_update(codec_t *codec, const void *buf, size_t len,
                                     sy_profile_update_t *out, char *errbuf,
                                     size_t errbuf_size) {
    return codec_decode(codec, buf, len, SY_SCHEMA_PROFILE_UPDATE, out, errbuf,
                        errbuf_size);
}

sy_err_t codec_decode_action(codec_t *codec, const void *buf, size_t len, sy_action_t *out,
                             char *errbuf, size_t errbuf_size) {
    return codec_decode(codec, buf, len, SY_SCHEMA_ACTION_COMMAND, out, errbuf,
                        errbuf_size);
}

sy_err_t codec_decode_decision(codec_t *codec, const void *buf, size_t len,
                               sy_decision_t *out, char *errbuf, size_t errbuf_size) {
    return codec_decode(codec, buf, len, SY_SCHEMA_ROUTING_DECISION, out, errbuf,
                        errbuf_size);
}

sy_err_t codec_decode_contact_update(codec_t *codec, const void *buf, size_t len,
                                     sy_contact_update_t *out, char *errbuf,
                                     size_t errbuf_size) {
    return codec_decode(codec, buf, len, SY_SCHEMA_CONTACT_UPDATE, out, errbuf,
                        errbuf_size);
}

sy_err_t codec_decode_dead_letter(codec_t *codec, const void *buf, size_t len,
                                  sy_dead_letter_t *out, char *errbuf, size_t errbuf_size) {
    return codec_decode(codec, buf, len, SY_SCHEMA_DEAD_LETTER, out, errbuf, errbuf_size);
}
