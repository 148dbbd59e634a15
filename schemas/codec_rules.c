/* codec_rules.c — the limits and domain rules a record must meet, checked on the C struct
 * after decoding and before encoding, so the codec never writes what it would refuse.
 * Not the wire checks: those are codec.c (frame) and codec_guard.c (Avro body). */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "codec_int.h"
#include "sy_time.h"

/* rules_id_len's messages, for an id that breaks its rule. */
static sy_err_t rules_id_fail(const char *rec, const char *field, const char *id, size_t len,
                              char *errbuf, size_t errbuf_size) {
    assert(rec && field && (id || len == 0));
    if (id == NULL)
        return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size, "%s: %s is missing",
                          rec, field);
    if (len == 0)
        return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size, "%s: %s is empty", rec,
                          field);
    return codec_fail(SY_ERR_LIMIT, errbuf, errbuf_size,
                      "%s: %s of %zu bytes exceeds SY_ID_BYTES_MAX (%d)", rec, field, len,
                      SY_ID_BYTES_MAX);
}

/* An identifier: required ones must be present; present ones non-empty and short. len is
 * strlen(id) (0 for NULL), measured once by the caller. */
static inline sy_err_t rules_id_len(const char *rec, const char *field, const char *id,
                                    size_t len, bool required, char *errbuf,
                                    size_t errbuf_size) {
    /* no assert: the check of every id, inline; rules_id_fail asserts */
    if (id != NULL ? len - 1 < SY_ID_BYTES_MAX : !required) /* 1 to the limit, or absent */
        return SY_OK;
    return rules_id_fail(rec, field, id, len, errbuf, errbuf_size);
}

static sy_err_t rules_id(const char *rec, const char *field, const char *id, bool required,
                         char *errbuf, size_t errbuf_size) {
    /* no assert: a one-line call of rules_id_len, which asserts on failure */
    return rules_id_len(rec, field, id, id ? strlen(id) : 0, required, errbuf, errbuf_size);
}

/* A record whose ids' lengths pass through len: the fused reader measured them, or the
 * rules measure them here for the writer. */
typedef struct rules_ids {
    const char *rec;
    size_t *len;   /* by the ids' CODEC_*_ID indexes */
    bool measured; /* len holds them already */
    char *errbuf;
    size_t errbuf_size;
} rules_ids_t;

/* rules_id_len of the id at index at of ids' record: its length from ids->len when
 * measured, else given (the record's own length of it, 0 when not given) or strlen(id),
 * 0 for NULL, kept there. */
static inline sy_err_t rules_id_given(const rules_ids_t *ids, const char *field,
                                      const char *id, int at, size_t given, bool required) {
    /* no assert: the check of every id, inline; rules_id_fail asserts */
    if (!ids->measured)
        ids->len[at] = id == NULL ? 0 : given != 0 ? given : strlen(id);
    return rules_id_len(ids->rec, field, id, ids->len[at], required, ids->errbuf,
                        ids->errbuf_size);
}

/* rules_id_given of an id whose record gives no length of it. */
static inline sy_err_t rules_id_kept(const rules_ids_t *ids, const char *field, const char *id,
                                     int at, bool required) {
    /* no assert: a one-line call of rules_id_given, which asserts on failure */
    return rules_id_given(ids, field, id, at, 0, required);
}

static sy_err_t rules_string(const char *rec, const char *field, const char *s,
                             char *errbuf, size_t errbuf_size) {
    assert(rec && field);
    if (s != NULL)
        return SY_OK;
    return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size, "%s: %s is missing", rec,
                      field);
}

static sy_err_t rules_count(const char *rec, const char *field, size_t count, size_t max,
                            char *errbuf, size_t errbuf_size) {
    assert(rec && field && max > 0);
    if (count <= max)
        return SY_OK;
    return codec_fail(SY_ERR_LIMIT, errbuf, errbuf_size, "%s: %zu %s exceed the limit of %zu",
                      rec, count, field, max);
}

static inline sy_err_t rules_kvs(const char *rec, const char *field, const sy_kv_t *kvs,
                          size_t count, size_t max, char *errbuf, size_t errbuf_size) {
    sy_err_t err = rules_count(rec, field, count, max, errbuf, errbuf_size);
    assert(kvs || count == 0);
    for (size_t i = 0; err == SY_OK && i < count; i++)
        if (kvs[i].key == NULL || kvs[i].value == NULL)
            err = codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                             "%s: %s entry %zu has a NULL key or value", rec, field, i);
    return err;
}

static sy_err_t rules_enum(const char *rec, const char *field, int v, int count,
                           char *errbuf, size_t errbuf_size) {
    assert(count > 0);
    if (v >= 0 && v < count)
        return SY_OK;
    return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                      "%s: %s %d is not a known value", rec, field, v);
}

/* The event type must be one its channel reports; a custom event needs a name. */
static sy_err_t rules_event_type(const sy_event_t *e, char *errbuf, size_t errbuf_size) {
    const char *r = "EngagementEvent";
    sy_err_t err = rules_enum(r, "channel", (int)e->channel, SY_CHANNEL__COUNT, errbuf,
                              errbuf_size);
    if (err == SY_OK)
        err = rules_enum(r, "type", (int)e->type, SY_EVENT_TYPE__COUNT, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    assert((unsigned)e->channel < SY_CHANNEL__COUNT && (unsigned)e->type < SY_EVENT_TYPE__COUNT);
    if (!sy_event_type_allowed(e->channel, e->type))
        return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                          "%s: channel %s does not report event type %s", r,
                          sy_channel_name(e->channel), sy_event_type_name(e->type));
    if (e->type == SY_EVENT_CUSTOM && (e->name == NULL || e->name[0] == '\0'))
        return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                          "%s: a custom event needs a name", r);
    if (e->bounce < SY_BOUNCE_NONE || e->bounce > SY_BOUNCE_SOFT)
        return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                          "%s: bounce %d is not a known value", r, (int)e->bounce);
    if (e->has_value && !isfinite(e->value))
        return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                          "%s: value is not a finite number", r);
    return SY_OK;
}

/* An event or update time: within the instant bounds, so that no due time computed from
 * it can overflow and no far-future time drags a partition's stream time along. */
static sy_err_t rules_time(const char *rec, const char *field, int64_t ms, char *errbuf,
                           size_t errbuf_size) {
    assert(rec && field);
    if (sy_time_in_bounds(ms))
        return SY_OK;
    return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                      "%s: %s %" PRId64 " is outside the years 0000 to 9999 (epoch ms %" PRId64
                      " to %" PRId64 ")",
                      rec, field, ms, SY_TIME_MIN_MS, SY_TIME_MAX_MS);
}

sy_err_t codec_rules_event(const sy_event_t *e, size_t *ids_len, bool ids_measured,
                           char *errbuf, size_t errbuf_size) {
    const char *r = "EngagementEvent";
    const rules_ids_t ids = {r, ids_len, ids_measured, errbuf, errbuf_size};
    assert(e && ids_len);
    sy_err_t err = rules_id_kept(&ids, "event_id", e->event_id, CODEC_EVENT_EVENT_ID, true);
    if (err == SY_OK)
        err = rules_id_kept(&ids, "contact_id", e->contact_id, CODEC_EVENT_CONTACT_ID, true);
    if (err == SY_OK)
        err = rules_id_kept(&ids, "message_id", e->message_id, CODEC_EVENT_MESSAGE_ID, false);
    if (err == SY_OK)
        err = rules_id_kept(&ids, "journey_id", e->journey_id, CODEC_EVENT_JOURNEY_ID, false);
    if (err == SY_OK)
        err = rules_id_kept(&ids, "node_id", e->node_id, CODEC_EVENT_NODE_ID, false);
    if (err == SY_OK)
        err = rules_time(r, "occurred_at", e->occurred_at_ms, errbuf, errbuf_size);
    if (err == SY_OK)
        err = rules_event_type(e, errbuf, errbuf_size);
    if (err == SY_OK)
        err = rules_kvs(r, "props", e->props, e->props_count, SY_EVENT_PROPS_MAX, errbuf,
                        errbuf_size);
    return err;
}

static sy_err_t rules_attr(const sy_attr_t *a, size_t i, char *errbuf, size_t errbuf_size) {
    const char *r = "ProfileUpdate";
    assert(a);
    if (a->name == NULL || a->name[0] == '\0')
        return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                          "%s: set entry %zu has no name", r, i);
    if ((unsigned)a->value.kind > SY_VALUE_STRING)
        return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                          "%s: set %s has value kind %d", r, a->name, (int)a->value.kind);
    if (a->value.kind == SY_VALUE_STRING && a->value.u.s == NULL)
        return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                          "%s: set %s has a NULL string", r, a->name);
    return SY_OK;
}

sy_err_t codec_rules_profile_update(const sy_profile_update_t *p, char *errbuf,
                                    size_t errbuf_size) {
    const char *r = "ProfileUpdate";
    assert(p);
    sy_err_t err = rules_id(r, "contact_id", p->contact_id, true, errbuf, errbuf_size);
    if (err == SY_OK)
        err = rules_time(r, "updated_at", p->updated_at_ms, errbuf, errbuf_size);
    if (err == SY_OK)
        err = rules_count(r, "set", p->set_count, SY_PROFILE_ATTRS_MAX, errbuf, errbuf_size);
    if (err == SY_OK)
        err = rules_count(r, "unset", p->unset_count, SY_PROFILE_ATTRS_MAX, errbuf,
                          errbuf_size);
    for (size_t i = 0; err == SY_OK && i < p->set_count; i++)
        err = rules_attr(&p->set[i], i, errbuf, errbuf_size);
    for (size_t i = 0; err == SY_OK && i < p->unset_count; i++)
        if (p->unset[i] == NULL || p->unset[i][0] == '\0')
            err = codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                             "%s: unset entry %zu has no name", r, i);
    return err;
}

sy_err_t codec_rules_action(const sy_action_t *a, size_t *ids_len, bool ids_measured,
                            char *errbuf, size_t errbuf_size) {
    const char *r = "ActionCommand";
    const rules_ids_t ids = {r, ids_len, ids_measured, errbuf, errbuf_size};
    assert(a && ids_len);
    sy_err_t err = rules_id_kept(&ids, "action_id", a->action_id, CODEC_ACTION_ACTION_ID, true);
    if (err == SY_OK)
        err = rules_id_given(&ids, "contact_id", a->contact_id, CODEC_ACTION_CONTACT_ID,
                             a->contact_id_len, true);
    if (err == SY_OK)
        err = rules_enum(r, "channel", (int)a->channel, SY_CHANNEL__COUNT, errbuf,
                         errbuf_size);
    if (err == SY_OK)
        err = rules_string(r, "template_id", a->template_id, errbuf, errbuf_size);
    if (err == SY_OK)
        err = rules_id_given(&ids, "journey_id", a->journey_id, CODEC_ACTION_JOURNEY_ID,
                             a->journey_id_len, true);
    if (err == SY_OK)
        err = rules_id_given(&ids, "node_id", a->node_id, CODEC_ACTION_NODE_ID,
                             codec_part_given(a->node_part, a->node_id), true);
    if (err == SY_OK)
        err = rules_kvs(r, "params", a->params, a->params_count, SY_ACTION_PARAMS_MAX,
                        errbuf, errbuf_size);
    return err;
}

sy_err_t codec_rules_decision(const sy_decision_t *d, size_t *ids_len, bool ids_measured,
                              char *errbuf, size_t errbuf_size) {
    const char *r = "RoutingDecision";
    const rules_ids_t ids = {r, ids_len, ids_measured, errbuf, errbuf_size};
    assert(d && ids_len);
    sy_err_t err = rules_id_given(&ids, "contact_id", d->contact_id,
                                  CODEC_DECISION_CONTACT_ID, d->contact_id_len, true);
    if (err == SY_OK)
        err = rules_id_given(&ids, "journey_id", d->journey_id, CODEC_DECISION_JOURNEY_ID,
                             d->journey_id_len, true);
    if (err == SY_OK)
        err = rules_id_given(&ids, "from_node", d->from_node, CODEC_DECISION_FROM_NODE,
                             codec_part_given(d->from_part, d->from_node), false);
    if (err == SY_OK)
        err = rules_id_given(&ids, "to_node", d->to_node, CODEC_DECISION_TO_NODE,
                             codec_part_given(d->to_part, d->to_node), true);
    if (err == SY_OK)
        err = rules_enum(r, "cause", (int)d->cause, SY_CAUSE__COUNT, errbuf, errbuf_size);
    if (err == SY_OK)
        err = rules_id_kept(&ids, "cause_event_id", d->cause_event_id,
                            CODEC_DECISION_CAUSE_EVENT_ID, false);
    return err;
}

sy_err_t codec_rules_contact_update(const sy_contact_update_t *u, char *errbuf,
                                    size_t errbuf_size) {
    const char *r = "ContactUpdate";
    assert(u);
    sy_err_t err = rules_id(r, "contact_id", u->contact_id, true, errbuf, errbuf_size);
    if (err == SY_OK)
        err = rules_id(r, "journey_id", u->journey_id, true, errbuf, errbuf_size);
    if (err == SY_OK)
        err = rules_id(r, "node_id", u->node_id, true, errbuf, errbuf_size);
    if (err == SY_OK)
        err = rules_enum(r, "op", (int)u->op, SY_UPDATE_OP__COUNT, errbuf, errbuf_size);
    if (err == SY_OK && (u->name == NULL || u->name[0] == '\0'))
        err = codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size, "%s: name is %s", r,
                         u->name == NULL ? "missing" : "empty");
    bool consent = u->op == SY_UPDATE_OPT_OUT || u->op == SY_UPDATE_OPT_IN;
    if (err == SY_OK && consent && sy_channel_parse(u->name) < 0)
        err = codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                         "%s: %s names channel '%s', which does not exist", r,
                         sy_update_op_name(u->op), u->name);
    return err;
}

sy_err_t codec_rules_dead_letter(const sy_dead_letter_t *d, char *errbuf,
                                 size_t errbuf_size) {
    const char *r = "DeadLetter";
    assert(d);
    sy_err_t err = rules_string(r, "source_topic", d->source_topic, errbuf, errbuf_size);
    if (err == SY_OK)
        err = rules_string(r, "error_code", d->error_code, errbuf, errbuf_size);
    if (err == SY_OK)
        err = rules_string(r, "error", d->error, errbuf, errbuf_size);
    return err;
}

sy_err_t codec_rules_conversion(const sy_conversion_t *c, char *errbuf, size_t errbuf_size) {
    const char *ids[] = {c->contact_id, c->journey_id, c->node_id, c->action_id, c->rule,
                         c->call_id, c->tracking_number};
    assert(c);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (!ids[i] || !ids[i][0] || strlen(ids[i]) > SY_ID_BYTES_MAX)
            return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                              "Conversion: an empty or over-long id");
    if (!c->currency || strlen(c->currency) != 3 ||
        strspn(c->currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
        return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                          "Conversion: currency must be three upper-case letters (ISO 4217)");
    if (!isfinite(c->value))
        return codec_fail(SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                          "Conversion: value must be finite");
    return SY_OK;
}
