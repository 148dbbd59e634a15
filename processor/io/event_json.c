/* event_json.c — a JSON line of an event file into an sy_event_t or sy_profile_update_t
 * (format in docs/simulate.md). Strings are borrowed from the parsed json-c object, which
 * the parser keeps until the next line. Times are sy_time.h's; no JSON is written. */
#include "event_json.h"
#include "event_json_int.h"

#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sy_time.h"

struct event_json {
    const char *source;        /* borrowed */
    struct json_tokener *tok;  /* owned, strict, UTF-8 checked */
    json_object *root;         /* owned: the current line; records point into it */
    long line_no;
    const char *where;         /* "" or "profile.": prefix of field names in messages */
    char default_event_id[32]; /* "line-<n>" */
    sy_event_t event;
    sy_profile_update_t profile;
};

static sy_err_t ej_fail(const event_json_t *p, sy_err_t err, char *errbuf, size_t errbuf_size,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static sy_err_t ej_fail(const event_json_t *p, sy_err_t err, char *errbuf, size_t errbuf_size,
                        const char *fmt, ...) {
    va_list ap;
    int n = snprintf(errbuf, errbuf_size, "%s:%ld: ", p->source, p->line_no);
    if (n >= 0 && (size_t)n < errbuf_size) {
        va_start(ap, fmt);
        vsnprintf(errbuf + n, errbuf_size - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return err;
}

sy_err_t event_json_open(event_json_t **out, const char *source, char *errbuf,
                         size_t errbuf_size) {
    event_json_t *p = calloc(1, sizeof *p);
    if (p)
        p->tok = json_tokener_new_ex(EVENT_JSON_DEPTH_MAX);
    if (!p || !p->tok) {
        free(p);
        snprintf(errbuf, errbuf_size, "%s: out of memory", source);
        return SY_ERR_NOMEM;
    }
    json_tokener_set_flags(p->tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    p->source = source;
    *out = p;
    return SY_OK;
}

void event_json_close(event_json_t *p) {
    if (!p)
        return;
    json_object_put(p->root);
    json_tokener_free(p->tok);
    free(p);
}

/* ---- members ---- */

/* Every member of obj is one of names (NULL-terminated). */
static sy_err_t ej_fields_known(const event_json_t *p, json_object *obj,
                                const char *const *names, char *errbuf, size_t errbuf_size) {
    json_object_object_foreach(obj, key, value) {
        (void)value;
        size_t i = 0;
        while (names[i] && strcmp(names[i], key) != 0)
            i++;
        if (!names[i])
            return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                           "unknown field '%s%s'", p->where, key);
    }
    return SY_OK;
}

/* The member name of obj; NULL when absent or JSON null. */
static json_object *ej_member(json_object *obj, const char *name) {
    json_object *value = NULL;
    return json_object_object_get_ex(obj, name, &value) ? value : NULL;
}

/* A string value named what in messages; refuses a NUL character (\u0000). */
static sy_err_t ej_string_value(const event_json_t *p, json_object *value, const char *what,
                                const char **out, char *errbuf, size_t errbuf_size) {
    if (!json_object_is_type(value, json_type_string))
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "'%s%s' must be a string", p->where, what);
    const char *s = json_object_get_string(value);
    if (strlen(s) != (size_t)json_object_get_string_len(value))
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "'%s%s' contains a NUL character", p->where, what);
    *out = s;
    return SY_OK;
}

/* An optional string member: *out NULL when absent or null. */
static sy_err_t ej_string(const event_json_t *p, json_object *obj, const char *name,
                          const char **out, char *errbuf, size_t errbuf_size) {
    json_object *value = ej_member(obj, name);
    *out = NULL;
    return value ? ej_string_value(p, value, name, out, errbuf, errbuf_size) : SY_OK;
}

/* An identifier member: non-empty, at most SY_ID_BYTES_MAX bytes. */
static sy_err_t ej_id(const event_json_t *p, json_object *obj, const char *name,
                      bool required, const char **out, char *errbuf, size_t errbuf_size) {
    sy_err_t err = ej_string(p, obj, name, out, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    if (!*out)
        return required ? ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                                  "'%s%s' is missing", p->where, name)
                        : SY_OK;
    if ((*out)[0] == '\0')
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size, "'%s%s' is empty",
                       p->where, name);
    if (strlen(*out) > SY_ID_BYTES_MAX)
        return ej_fail(p, SY_ERR_LIMIT, errbuf, errbuf_size,
                       "'%s%s' is longer than %d bytes", p->where, name, SY_ID_BYTES_MAX);
    return SY_OK;
}

/* "time": an ISO-8601 string or an integer of epoch milliseconds. */
static sy_err_t ej_time(const event_json_t *p, json_object *obj, int64_t *ms, char *errbuf,
                        size_t errbuf_size) {
    json_object *value = ej_member(obj, "time");
    if (!value)
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size, "'%stime' is missing",
                       p->where);
    bool ok = json_object_is_type(value, json_type_int) ||
              (json_object_is_type(value, json_type_string) &&
               sy_time_parse_iso(json_object_get_string(value), ms));
    if (!ok)
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "'%stime' is not an ISO-8601 time (2026-11-02T08:00:00Z) or epoch "
                       "milliseconds: %.64s",
                       p->where, json_object_to_json_string(value));
    if (json_object_is_type(value, json_type_int))
        *ms = json_object_get_int64(value);
    if (!sy_time_in_bounds(*ms))
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "'%stime' is outside the years 0000 to 9999", p->where);
    return SY_OK;
}

/* ---- events ---- */

/* "a, b, c" of the names of the event types channel reports. */
static void ej_types_list(sy_channel_t channel, char *buf, size_t size) {
    size_t n = 0;
    buf[0] = '\0';
    for (int t = 0; t < SY_EVENT_TYPE__COUNT; t++)
        if (sy_event_type_allowed(channel, (sy_event_type_t)t) && n < size)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
                                  sy_event_type_name((sy_event_type_t)t));
    if (n == 0)
        snprintf(buf, size, "no events");
}

static void ej_channels_list(char *buf, size_t size) {
    size_t n = 0;
    for (int c = 0; c < SY_CHANNEL__COUNT && n < size; c++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
                              sy_channel_name((sy_channel_t)c));
}

/* "channel.type" as journeys write it; custom events are "custom.<name>". */
static sy_err_t ej_type(const event_json_t *p, const char *text, sy_event_t *ev,
                        char *errbuf, size_t errbuf_size) {
    char channel[16], list[256];
    const char *dot = strchr(text, '.');
    size_t channel_len = dot ? (size_t)(dot - text) : 0;
    if (!dot || channel_len >= sizeof channel)
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "unknown event type '%s' (write channel.type: email.opened, "
                       "custom.store_visit)", text);
    memcpy(channel, text, channel_len);
    channel[channel_len] = '\0';
    int c = sy_channel_parse(channel);
    if (c < 0) {
        ej_channels_list(list, sizeof list);
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "unknown event type '%s' (channels: %s)", text, list);
    }
    ev->channel = (sy_channel_t)c;
    if (ev->channel == SY_CHANNEL_CUSTOM && dot[1] != '\0') {
        ev->type = SY_EVENT_CUSTOM;
        ev->name = dot + 1;
        return SY_OK;
    }
    int t = sy_event_type_parse(dot + 1);
    if (ev->channel == SY_CHANNEL_CUSTOM || t < 0 ||
        !sy_event_type_allowed(ev->channel, (sy_event_type_t)t)) {
        ej_types_list(ev->channel, list, sizeof list);
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "unknown event type '%s' (%s reports %s)", text, channel,
                       ev->channel == SY_CHANNEL_CUSTOM ? "custom.<name>" : list);
    }
    ev->type = (sy_event_type_t)t;
    return SY_OK;
}

/* event_id (default line-<n>), contact_id, time, type. */
static sy_err_t ej_event_core(event_json_t *p, json_object *obj, char *errbuf,
                              size_t errbuf_size) {
    sy_event_t *ev = &p->event;
    const char *type = NULL;
    sy_err_t err = ej_id(p, obj, "event_id", false, &ev->event_id, errbuf, errbuf_size);
    if (err == SY_OK && !ev->event_id) {
        snprintf(p->default_event_id, sizeof p->default_event_id, "line-%ld", p->line_no);
        ev->event_id = p->default_event_id;
    }
    if (err == SY_OK)
        err = ej_id(p, obj, "contact_id", true, &ev->contact_id, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ej_time(p, obj, &ev->occurred_at_ms, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ej_string(p, obj, "type", &type, errbuf, errbuf_size);
    if (err == SY_OK && !type)
        err = ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size, "'type' is missing");
    if (err == SY_OK)
        err = ej_type(p, type, ev, errbuf, errbuf_size);
    return err;
}

/* message_id, or journey_id + node_id, or journey_id + message (a send node's id). */
static sy_err_t ej_event_refs(event_json_t *p, json_object *obj, char *errbuf,
                              size_t errbuf_size) {
    sy_event_t *ev = &p->event;
    const char *message = NULL;
    sy_err_t err = ej_id(p, obj, "message_id", false, &ev->message_id, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ej_id(p, obj, "journey_id", false, &ev->journey_id, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ej_id(p, obj, "node_id", false, &ev->node_id, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ej_id(p, obj, "message", false, &message, errbuf, errbuf_size);
    if (err != SY_OK || !message)
        return err;
    if (ev->message_id || ev->node_id)
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "'message' and '%s' both given: use one",
                       ev->message_id ? "message_id" : "node_id");
    if (!ev->journey_id)
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "'message' needs 'journey_id' (the journey of the send node)");
    ev->node_id = message;
    return SY_OK;
}

static sy_err_t ej_event_props(event_json_t *p, json_object *props, char *errbuf,
                               size_t errbuf_size) {
    sy_event_t *ev = &p->event;
    char what[64];
    if (!json_object_is_type(props, json_type_object))
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "'props' must be an object of strings");
    if (json_object_object_length(props) > SY_EVENT_PROPS_MAX)
        return ej_fail(p, SY_ERR_LIMIT, errbuf, errbuf_size, "more than %d props",
                       SY_EVENT_PROPS_MAX);
    json_object_object_foreach(props, key, value) {
        snprintf(what, sizeof what, "props.%s", key);
        sy_kv_t *kv = &ev->props[ev->props_count++];
        kv->key = key;
        sy_err_t err = value ? ej_string_value(p, value, what, &kv->value, errbuf, errbuf_size)
                             : ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                                       "'%s' must be a string", what);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}

/* link, text, bounce, value, props. */
static sy_err_t ej_event_extras(event_json_t *p, json_object *obj, char *errbuf,
                                size_t errbuf_size) {
    sy_event_t *ev = &p->event;
    const char *bounce = NULL;
    json_object *value = ej_member(obj, "value"), *props = ej_member(obj, "props");
    sy_err_t err = ej_string(p, obj, "link", &ev->link, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ej_string(p, obj, "text", &ev->text, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ej_string(p, obj, "bounce", &bounce, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    if (bounce && strcmp(bounce, "hard") != 0 && strcmp(bounce, "soft") != 0)
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "'bounce' must be \"hard\" or \"soft\", not '%.32s'", bounce);
    ev->bounce = !bounce ? SY_BOUNCE_NONE : bounce[0] == 'h' ? SY_BOUNCE_HARD : SY_BOUNCE_SOFT;
    if (value) {
        if (!json_object_is_type(value, json_type_int) &&
            !json_object_is_type(value, json_type_double))
            return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                           "'value' must be a number");
        ev->has_value = true;
        ev->value = json_object_get_double(value);
        if (!isfinite(ev->value))
            return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                           "'value' must be a finite number");
    }
    return props ? ej_event_props(p, props, errbuf, errbuf_size) : SY_OK;
}

static sy_err_t ej_event(event_json_t *p, json_object *obj, char *errbuf, size_t errbuf_size) {
    static const char *const fields[] = {
        "event_id", "contact_id", "time", "type", "message_id", "journey_id", "node_id",
        "message",  "link",       "text", "bounce", "value", "props", NULL};
    memset(&p->event, 0, sizeof p->event);
    sy_err_t err = ej_fields_known(p, obj, fields, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ej_event_core(p, obj, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ej_event_refs(p, obj, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ej_event_extras(p, obj, errbuf, errbuf_size);
    return err;
}

/* ---- profile updates ---- */

static sy_err_t ej_attr_value(const event_json_t *p, json_object *value, const char *what,
                              sy_value_t *out, char *errbuf, size_t errbuf_size) {
    switch (value ? json_object_get_type(value) : json_type_null) {
    case json_type_null:
        out->kind = SY_VALUE_NULL;
        return SY_OK;
    case json_type_boolean:
        out->kind = SY_VALUE_BOOL;
        out->u.b = json_object_get_boolean(value);
        return SY_OK;
    case json_type_int:
        out->kind = SY_VALUE_LONG;
        out->u.l = json_object_get_int64(value);
        return SY_OK;
    case json_type_double:
        out->kind = SY_VALUE_DOUBLE;
        out->u.d = json_object_get_double(value);
        return SY_OK;
    case json_type_string:
        out->kind = SY_VALUE_STRING;
        return ej_string_value(p, value, what, &out->u.s, errbuf, errbuf_size);
    default:
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "'%s%s' must be null, a boolean, a number or a string", p->where,
                       what);
    }
}

static sy_err_t ej_profile_set(event_json_t *p, json_object *set, char *errbuf,
                               size_t errbuf_size) {
    sy_profile_update_t *u = &p->profile;
    char what[160];
    if (!json_object_is_type(set, json_type_object))
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "'profile.set' must be an object");
    if (json_object_object_length(set) > SY_PROFILE_ATTRS_MAX)
        return ej_fail(p, SY_ERR_LIMIT, errbuf, errbuf_size,
                       "more than %d attributes in 'profile.set'", SY_PROFILE_ATTRS_MAX);
    json_object_object_foreach(set, key, value) {
        if (key[0] == '\0')
            return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                           "'profile.set' has an empty attribute name");
        snprintf(what, sizeof what, "set.%s", key);
        sy_attr_t *attr = &u->set[u->set_count++];
        attr->name = key;
        sy_err_t err = ej_attr_value(p, value, what, &attr->value, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}

static sy_err_t ej_profile_unset(event_json_t *p, json_object *unset, char *errbuf,
                                 size_t errbuf_size) {
    sy_profile_update_t *u = &p->profile;
    if (!json_object_is_type(unset, json_type_array))
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "'profile.unset' must be an array of attribute names");
    size_t n = json_object_array_length(unset);
    if (n > SY_PROFILE_ATTRS_MAX)
        return ej_fail(p, SY_ERR_LIMIT, errbuf, errbuf_size,
                       "more than %d names in 'profile.unset'", SY_PROFILE_ATTRS_MAX);
    for (size_t i = 0; i < n; i++) {
        json_object *name = json_object_array_get_idx(unset, i);
        const char *s = NULL;
        sy_err_t err = name ? ej_string_value(p, name, "unset[]", &s, errbuf, errbuf_size)
                            : SY_ERR_INVALID_RECORD;
        if (err == SY_OK && s[0] != '\0') {
            u->unset[u->unset_count++] = s;
            continue;
        }
        return ej_fail(p, err == SY_OK ? SY_ERR_INVALID_RECORD : err, errbuf, errbuf_size,
                       "'profile.unset' entry %zu must be a non-empty string", i + 1);
    }
    return SY_OK;
}

static sy_err_t ej_profile(event_json_t *p, json_object *root, char *errbuf,
                           size_t errbuf_size) {
    static const char *const root_fields[] = {"profile", NULL};
    static const char *const fields[] = {"contact_id", "time", "set", "unset", NULL};
    sy_profile_update_t *u = &p->profile;
    json_object *obj = ej_member(root, "profile");
    sy_err_t err = ej_fields_known(p, root, root_fields, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    if (!json_object_is_type(obj, json_type_object))
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "'profile' must be an object");
    p->where = "profile.";
    memset(u, 0, sizeof *u);
    err = ej_fields_known(p, obj, fields, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ej_id(p, obj, "contact_id", true, &u->contact_id, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ej_time(p, obj, &u->updated_at_ms, errbuf, errbuf_size);
    if (err == SY_OK && ej_member(obj, "set"))
        err = ej_profile_set(p, ej_member(obj, "set"), errbuf, errbuf_size);
    if (err == SY_OK && ej_member(obj, "unset"))
        err = ej_profile_unset(p, ej_member(obj, "unset"), errbuf, errbuf_size);
    return err;
}

/* ---- lines ---- */

/* Parse text as exactly one JSON object into p->root. */
static sy_err_t ej_json(event_json_t *p, const char *text, size_t len, char *errbuf,
                        size_t errbuf_size) {
    const char *nul = memchr(text, '\0', len);
    if (nul)
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "not JSON: a NUL byte at column %zu", (size_t)(nul - text) + 1);
    json_tokener_reset(p->tok);
    json_object *root = json_tokener_parse_ex(p->tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(p->tok);
    size_t end = json_tokener_get_parse_end(p->tok);
    if (jerr == json_tokener_continue) {
        /* A top-level literal ("null", 12) waits for more; a NUL says the text ended. */
        root = json_tokener_parse_ex(p->tok, "", 1);
        jerr = json_tokener_get_error(p->tok);
        end = len;
    }
    if (jerr != json_tokener_success)
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "not JSON: %s at column %zu", json_tokener_error_desc(jerr), end + 1);
    if (end < len || !json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        return ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                       "not JSON: a line must be one object, an event or "
                       "{\"profile\": {...}}");
    }
    char key[64];
    size_t column;
    sy_err_t err = SY_OK;
    if (event_json_key_repeated(text, len, key, sizeof key, &column, &err) || err) {
        json_object_put(root);
        return err ? ej_fail(p, err, errbuf, errbuf_size, "out of memory")
                   : ej_fail(p, SY_ERR_INVALID_RECORD, errbuf, errbuf_size,
                             "key \"%s\" is given twice in one object (column %zu)", key,
                             column);
    }
    p->root = root;
    return SY_OK;
}

sy_err_t event_json_parse(event_json_t *p, const char *text, size_t len, long line_no,
                          event_json_line_t *out, char *errbuf, size_t errbuf_size) {
    sy_err_t err;
    p->line_no = line_no;
    p->where = "";
    json_object_put(p->root);
    p->root = NULL;
    if (len > EVENT_JSON_LINE_BYTES_MAX)
        return ej_fail(p, SY_ERR_LIMIT, errbuf, errbuf_size,
                       "a line of %zu bytes is longer than %d", len,
                       EVENT_JSON_LINE_BYTES_MAX);
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' ||
                       text[len - 1] == '\r' || text[len - 1] == '\n'))
        len--;
    while (len > 0 && (text[0] == ' ' || text[0] == '\t')) {
        text++;
        len--;
    }
    if (len == 0 || text[0] == '#') {
        *out = (event_json_line_t){.kind = EVENT_JSON_SKIP};
        return SY_OK;
    }
    err = ej_json(p, text, len, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    bool profile = json_object_object_get_ex(p->root, "profile", NULL);
    err = profile ? ej_profile(p, p->root, errbuf, errbuf_size)
                  : ej_event(p, p->root, errbuf, errbuf_size);
    if (err != SY_OK) {
        json_object_put(p->root);
        p->root = NULL;
        return err;
    }
    *out = (event_json_line_t){
        .kind = profile ? EVENT_JSON_PROFILE : EVENT_JSON_EVENT,
        .event = profile ? NULL : &p->event,
        .profile = profile ? &p->profile : NULL,
    };
    return SY_OK;
}
