/* expr_var.c — the variables expressions and templates share: names resolved once at
 * compile time (contact.<attr>, event.*, now, journey.*, action.call_link), values read at
 * run time from a profile, an event, the instance and the message being sent. One place,
 * so both read a variable alike.
 * Not seen(): the compiler resolves that through the scope's watch list. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"
#include "sy_time.h"

static const struct {
    const char *name;
    expr_var_kind_t kind;
    expr_type_t type;
} var_fixed[] = {
    {"event.id", EXPR_VAR_EVENT_ID, EXPR_TYPE_STRING},
    {"event.contact_id", EXPR_VAR_EVENT_CONTACT_ID, EXPR_TYPE_STRING},
    {"event.type", EXPR_VAR_EVENT_TYPE, EXPR_TYPE_STRING},
    {"event.channel", EXPR_VAR_EVENT_CHANNEL, EXPR_TYPE_STRING},
    {"event.name", EXPR_VAR_EVENT_NAME, EXPR_TYPE_STRING},
    {"event.link", EXPR_VAR_EVENT_LINK, EXPR_TYPE_STRING},
    {"event.text", EXPR_VAR_EVENT_TEXT, EXPR_TYPE_STRING},
    {"event.value", EXPR_VAR_EVENT_VALUE, EXPR_TYPE_NUMBER},
    {"event.time", EXPR_VAR_EVENT_TIME, EXPR_TYPE_TIME},
    {"event.message_id", EXPR_VAR_EVENT_MESSAGE_ID, EXPR_TYPE_STRING},
    {"now", EXPR_VAR_NOW, EXPR_TYPE_TIME},
    {"journey.entered_at", EXPR_VAR_ENTERED_AT, EXPR_TYPE_TIME},
    {"journey.entries", EXPR_VAR_ENTRIES, EXPR_TYPE_NUMBER},
    {"action.call_link", EXPR_VAR_ACTION_CALL_LINK, EXPR_TYPE_STRING},
};

static bool var_prefixed(const char *name, size_t len, const char *prefix) {
    size_t n = strlen(prefix);
    return len > n && memcmp(name, prefix, n) == 0;
}

/* Convert a stored (or declared default) value to type; false when it is not one. */
static bool var_convert(const sy_value_t *v, expr_type_t type, expr_cell_t *out) {
    switch (type) {
    case EXPR_TYPE_BOOL:
        if (v->kind != SY_VALUE_BOOL)
            return false;
        out->u.b = v->u.b;
        return true;
    case EXPR_TYPE_NUMBER:
        if (v->kind != SY_VALUE_LONG && v->kind != SY_VALUE_DOUBLE)
            return false;
        out->u.n = v->kind == SY_VALUE_LONG ? (double)v->u.l : v->u.d;
        return true;
    case EXPR_TYPE_STRING:
        if (v->kind != SY_VALUE_STRING || v->u.s == NULL)
            return false;
        out->u.s = v->u.s;
        return true;
    case EXPR_TYPE_DURATION:
    case EXPR_TYPE_TIME:
        if (v->kind == SY_VALUE_LONG) {
            out->u.ms = v->u.l;
            return true;
        }
        return type == EXPR_TYPE_TIME && v->kind == SY_VALUE_STRING && v->u.s &&
               sy_time_parse(v->u.s, &out->u.ms);
    }
    return false;
}

/* A declared default as a constant; a default that is not of the declared type is
 * treated as no default (the journey loader reports it). */
static expr_var_status_t var_contact_default(const expr_attr_t *attr, expr_strings_t *strings,
                                             expr_var_t *out) {
    expr_cell_t cell;
    if (!attr->has_default || !var_convert(&attr->default_value, attr->type, &cell))
        return EXPR_VAR_OK;
    out->has_default = true;
    if (attr->type == EXPR_TYPE_STRING)
        return expr_strings_add(strings, cell.u.s, strlen(cell.u.s), &out->default_value.str)
                   ? EXPR_VAR_NOMEM
                   : EXPR_VAR_OK;
    if (attr->type == EXPR_TYPE_BOOL)
        out->default_value.b = cell.u.b;
    else if (attr->type == EXPR_TYPE_NUMBER)
        out->default_value.n = cell.u.n;
    else
        out->default_value.ms = cell.u.ms;
    return EXPR_VAR_OK;
}

static expr_var_status_t var_contact(const expr_scope_t *scope, const char *attr_name,
                                     size_t len, expr_strings_t *strings, expr_var_t *out) {
    for (size_t i = 0; i < scope->attrs_count; i++) {
        const expr_attr_t *attr = &scope->attrs[i];
        if (strlen(attr->name) != len || memcmp(attr->name, attr_name, len) != 0)
            continue;
        out->kind = EXPR_VAR_CONTACT;
        out->type = attr->type;
        if (expr_strings_add(strings, attr_name, len, &out->name))
            return EXPR_VAR_NOMEM;
        return var_contact_default(attr, strings, out);
    }
    return EXPR_VAR_UNDECLARED;
}

expr_var_status_t expr_var_resolve(const expr_scope_t *scope, const char *name, size_t len,
                                   expr_strings_t *strings, expr_var_t *out) {
    memset(out, 0, sizeof *out);
    if (expr_engagement_resolve(name, len, out))
        return EXPR_VAR_OK;
    if (var_prefixed(name, len, "contact."))
        return var_contact(scope, name + 8, len - 8, strings, out);
    bool event = var_prefixed(name, len, "event.");
    if (event && !scope->has_event)
        return EXPR_VAR_NO_EVENT;
    if (var_prefixed(name, len, "action.") && !scope->has_action)
        return EXPR_VAR_NO_ACTION;
    if (var_prefixed(name, len, "event.props.")) {
        out->kind = EXPR_VAR_EVENT_PROP;
        out->type = EXPR_TYPE_STRING;
        return expr_strings_add(strings, name + 12, len - 12, &out->name) ? EXPR_VAR_NOMEM
                                                                          : EXPR_VAR_OK;
    }
    for (size_t i = 0; i < sizeof var_fixed / sizeof var_fixed[0]; i++) {
        if (strlen(var_fixed[i].name) == len && memcmp(var_fixed[i].name, name, len) == 0) {
            out->kind = var_fixed[i].kind;
            out->type = var_fixed[i].type;
            return EXPR_VAR_OK;
        }
    }
    return EXPR_VAR_UNKNOWN;
}

bool expr_var_always_present(const expr_var_t *var) {
    switch (var->kind) {
    case EXPR_VAR_CONTACT:
        return var->has_default;
    case EXPR_VAR_EVENT_ID:
    case EXPR_VAR_EVENT_CONTACT_ID:
    case EXPR_VAR_EVENT_TYPE:
    case EXPR_VAR_EVENT_CHANNEL:
    case EXPR_VAR_EVENT_TIME:
    case EXPR_VAR_NOW:
    case EXPR_VAR_ENTERED_AT:
    case EXPR_VAR_ENTRIES:
    case EXPR_VAR_SEEN:
    case EXPR_VAR_FLAG:
        return true;
    case EXPR_VAR_ENGAGEMENT:
        return expr_engagement_always_present(var);
    default:
        return false;
    }
}

static int var_attr_cmp(const void *key, const void *elem) {
    return strcmp(key, ((const sy_attr_t *)elem)->name);
}

static void var_read_contact(const expr_var_t *var, const char *strings,
                             const expr_env_t *env, bool use_default, expr_cell_t *out) {
    const char *name = strings + var->name;
    const sy_attr_t *attr = NULL;
    if (env->profile->count > 0)
        attr = bsearch(name, env->profile->attrs, env->profile->count, sizeof *attr,
                       var_attr_cmp);
    if (attr && var_convert(&attr->value, var->type, out))
        return;
    if (!use_default || !var->has_default) {
        out->absent = true;
        return;
    }
    if (var->type == EXPR_TYPE_STRING)
        out->u.s = strings + var->default_value.str;
    else if (var->type == EXPR_TYPE_BOOL)
        out->u.b = var->default_value.b;
    else if (var->type == EXPR_TYPE_NUMBER)
        out->u.n = var->default_value.n;
    else
        out->u.ms = var->default_value.ms;
}

/* has_flag(name): the attribute is the bool true, or the text "true" (a flag set before
 * flags were typed, or by a profile update that sends text). Never absent. */
static void var_read_flag(const expr_var_t *var, const char *strings, const expr_env_t *env,
                          expr_cell_t *out) {
    const sy_attr_t *attr = NULL;
    if (env->profile->count > 0)
        attr = bsearch(strings + var->name, env->profile->attrs, env->profile->count,
                       sizeof *attr, var_attr_cmp);
    out->u.b = attr && ((attr->value.kind == SY_VALUE_BOOL && attr->value.u.b) ||
                        (attr->value.kind == SY_VALUE_STRING && attr->value.u.s &&
                         strcmp(attr->value.u.s, "true") == 0));
}

/* "email.opened", or "custom.<name>" for business events, into scratch. */
static const char *var_event_type(const sy_event_t *ev, expr_scratch_t *scratch) {
    const char *channel = sy_channel_name(ev->channel);
    const char *type = ev->type == SY_EVENT_CUSTOM ? ev->name : sy_event_type_name(ev->type);
    if (!channel || !type)
        return NULL;
    size_t channel_len = strlen(channel), type_len = strlen(type);
    if (channel_len + 1 + type_len >= sizeof scratch->event_type)
        return NULL;
    memcpy(scratch->event_type, channel, channel_len);
    scratch->event_type[channel_len] = '.';
    memcpy(scratch->event_type + channel_len + 1, type, type_len + 1);
    return scratch->event_type;
}

static const char *var_event_prop(const sy_event_t *ev, const char *key) {
    for (size_t i = 0; i < ev->props_count; i++)
        if (ev->props[i].key && strcmp(ev->props[i].key, key) == 0)
            return ev->props[i].value;
    return NULL;
}

/* A string field of the event; NULL is absent. */
static const char *var_event_string(const expr_var_t *var, const char *strings,
                                    const sy_event_t *ev, expr_scratch_t *scratch) {
    switch (var->kind) {
    case EXPR_VAR_EVENT_ID:
        return ev->event_id;
    case EXPR_VAR_EVENT_CONTACT_ID:
        return ev->contact_id;
    case EXPR_VAR_EVENT_TYPE:
        return var_event_type(ev, scratch);
    case EXPR_VAR_EVENT_CHANNEL:
        return sy_channel_name(ev->channel);
    case EXPR_VAR_EVENT_NAME:
        return ev->type == SY_EVENT_CUSTOM ? ev->name : NULL;
    case EXPR_VAR_EVENT_LINK:
        return ev->link;
    case EXPR_VAR_EVENT_TEXT:
        return ev->text;
    case EXPR_VAR_EVENT_MESSAGE_ID:
        return ev->message_id;
    case EXPR_VAR_EVENT_PROP:
        return var_event_prop(ev, strings + var->name);
    default:
        return NULL;
    }
}

static void var_read_event(const expr_var_t *var, const char *strings, const expr_env_t *env,
                           expr_scratch_t *scratch, expr_cell_t *out) {
    const sy_event_t *ev = env->event;
    if (!ev) {
        out->absent = true;
    } else if (var->kind == EXPR_VAR_EVENT_VALUE) {
        out->absent = !ev->has_value;
        out->u.n = ev->value;
    } else if (var->kind == EXPR_VAR_EVENT_TIME) {
        out->u.ms = ev->occurred_at_ms;
    } else {
        out->u.s = var_event_string(var, strings, ev, scratch);
        out->absent = out->u.s == NULL;
    }
}

void expr_var_read(const expr_var_t *var, const char *strings, const expr_env_t *env,
                   bool use_default, expr_scratch_t *scratch, expr_cell_t *out) {
    memset(out, 0, sizeof *out);
    switch (var->kind) {
    case EXPR_VAR_CONTACT:
        var_read_contact(var, strings, env, use_default, out);
        return;
    case EXPR_VAR_NOW:
        out->u.ms = env->now_ms;
        return;
    case EXPR_VAR_ENTERED_AT:
        out->u.ms = env->entered_at_ms;
        return;
    case EXPR_VAR_ENTRIES:
        out->u.n = env->entries;
        return;
    case EXPR_VAR_ACTION_CALL_LINK:
        out->u.s = env->call_link;
        out->absent = env->call_link == NULL;
        return;
    case EXPR_VAR_SEEN:
        out->u.b = (env->seen_mask >> var->bit) & 1u;
        return;
    case EXPR_VAR_FLAG:
        var_read_flag(var, strings, env, out);
        return;
    case EXPR_VAR_ENGAGEMENT:
        expr_engagement_read(var, env, out);
        return;
    default:
        var_read_event(var, strings, env, scratch, out);
        return;
    }
}

sy_err_t expr_var_compile(const char *text, const expr_tok_t *tok, const expr_scope_t *scope,
                          expr_strings_t *strings, expr_var_t *out, int *column,
                          char *errbuf, size_t errbuf_size) {
    const char *name = text + tok->offset;
    int len = (int)tok->len;
    switch (expr_var_resolve(scope, name, tok->len, strings, out)) {
    case EXPR_VAR_OK:
        return SY_OK;
    case EXPR_VAR_UNDECLARED:
        return expr_error(SY_ERR_JOURNEY, text, tok->offset, column, errbuf, errbuf_size,
                          "unknown variable '%.*s' (not declared in profile:)", len, name);
    case EXPR_VAR_NO_EVENT:
        return expr_error(SY_ERR_JOURNEY, text, tok->offset, column, errbuf, errbuf_size,
                          "event fields are not defined here");
    case EXPR_VAR_NO_ACTION:
        return expr_error(SY_ERR_JOURNEY, text, tok->offset, column, errbuf, errbuf_size,
                          "'%.*s' is defined in a send's params only", len, name);
    case EXPR_VAR_NOMEM:
        return expr_error(SY_ERR_NOMEM, text, tok->offset, column, errbuf, errbuf_size,
                          "out of memory");
    default:
        return expr_error(SY_ERR_JOURNEY, text, tok->offset, column, errbuf, errbuf_size,
                          "unknown variable '%.*s'", len, name);
    }
}

bool expr_var_ops_read_profile(const expr_op_t *ops, size_t count) {
    assert(ops != NULL || count == 0);
    for (size_t i = 0; i < count; i++)
        if (ops[i].code == EXPR_OP_VAR && (ops[i].u.var.kind == EXPR_VAR_CONTACT ||
                                           ops[i].u.var.kind == EXPR_VAR_FLAG))
            return true;
    return false;
}

bool expr_reads_profile(const expr_t *expr) {
    assert(expr != NULL);
    return expr->reads_profile;
}
