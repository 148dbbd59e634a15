/* journey_profile.c — the `profile:` section: the contact attributes a journey reads,
 * each with a type (bool, number, string, time) and an optional default of that type.
 * Reading the attributes of a contact at run time is expr.h's business, not this file's. */
#include "journey_int.h"
#include "sy_time.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const profile_attr_keys[] = {"type", "default", NULL};

static const struct {
    const char *name;
    expr_type_t type;
} profile_types[] = {
    {"bool", EXPR_TYPE_BOOL},
    {"number", EXPR_TYPE_NUMBER},
    {"string", EXPR_TYPE_STRING},
    {"time", EXPR_TYPE_TIME},
};
#define PROFILE_TYPES_COUNT (sizeof profile_types / sizeof profile_types[0])

static const char *profile_type_name(expr_type_t type) {
    for (size_t k = 0; k < PROFILE_TYPES_COUNT; k++) {
        if (profile_types[k].type == type)
            return profile_types[k].name;
    }
    return "?";
}

/* An attribute name as expressions write it after `contact.`. */
static bool profile_name_valid(const char *name) {
    size_t len = strlen(name);
    if (len == 0 || len > SY_ID_BYTES_MAX || (name[0] >= '0' && name[0] <= '9'))
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
           len;
}

/* The default written at value, of attr's type, into attr->default_value. */
static sy_err_t profile_default(journey_build_t *b, expr_attr_t *attr,
                                const journey_doc_node_t *value) {
    const char *t = value->kind == JOURNEY_DOC_SCALAR ? value->text : "";
    sy_value_t *out = &attr->default_value;
    bool ok = value->kind == JOURNEY_DOC_SCALAR && !journey_doc_is_null(value);
    char *end = NULL;
    if (ok && attr->type == EXPR_TYPE_BOOL) {
        ok = value->plain && (strcmp(t, "true") == 0 || strcmp(t, "false") == 0);
        *out = (sy_value_t){.kind = SY_VALUE_BOOL, .u.b = strcmp(t, "true") == 0};
    } else if (ok && attr->type == EXPR_TYPE_NUMBER) {
        double d = strtod(t, &end);
        ok = value->plain && end != t && *end == '\0' && isfinite(d);
        *out = (sy_value_t){.kind = SY_VALUE_DOUBLE, .u.d = d};
    } else if (ok && attr->type == EXPR_TYPE_TIME) {
        int64_t ms = 0;
        ok = sy_time_parse(t, &ms);
        *out = (sy_value_t){.kind = SY_VALUE_LONG, .u.l = ms};
    } else if (ok) {
        char *copy = strdup(t);
        if (!copy)
            return journey_fail(b, SY_ERR_NOMEM, value->line, value->column, "out of memory");
        *out = (sy_value_t){.kind = SY_VALUE_STRING, .u.s = copy};
    }
    if (!ok) {
        *out = (sy_value_t){.kind = SY_VALUE_NULL};
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "default of contact attribute '%s' must be a %s, not '%s'",
                            attr->name, profile_type_name(attr->type), t);
    }
    attr->has_default = true;
    return SY_OK;
}

static sy_err_t profile_attr(journey_build_t *b, const journey_doc_node_t *profile,
                             size_t i) {
    const journey_doc_key_t *key = &profile->keys[i];
    const journey_doc_node_t *map = profile->items[i], *type;
    expr_attr_t *attr = &b->journey->attrs[b->journey->attrs_count];
    if (!profile_name_valid(key->text))
        return journey_fail(b, SY_ERR_JOURNEY, key->line, key->column,
                            "bad contact attribute name '%s': use a-z, A-Z, 0-9 and '_', "
                            "not starting with a digit", key->text);
    sy_err_t err = journey_keys_check(b, map, profile_attr_keys, "a profile attribute");
    if (!err)
        err = journey_need(b, map, "type", "a profile attribute", &type);
    if (err)
        return err;
    attr->name = strdup(key->text);
    if (!attr->name)
        return journey_fail(b, SY_ERR_NOMEM, key->line, key->column, "out of memory");
    b->journey->attrs_count++; /* attr->name is owned by the journey from here */
    size_t k = 0;
    while (k < PROFILE_TYPES_COUNT && !(type->kind == JOURNEY_DOC_SCALAR &&
                                        strcmp(type->text, profile_types[k].name) == 0))
        k++;
    if (k == PROFILE_TYPES_COUNT)
        return journey_fail(b, SY_ERR_JOURNEY, type->line, type->column,
                            "unknown type '%s' for contact attribute '%s' (expected bool, "
                            "number, string, time)",
                            type->kind == JOURNEY_DOC_SCALAR ? type->text : "", attr->name);
    attr->type = profile_types[k].type;
    const journey_doc_node_t *value = journey_doc_get(map, "default");
    return value ? profile_default(b, attr, value) : SY_OK;
}

sy_err_t journey_profile_build(journey_build_t *b, const journey_doc_node_t *root) {
    const journey_doc_node_t *profile = journey_doc_get(root, "profile");
    if (!profile || journey_doc_is_null(profile))
        return SY_OK;
    if (profile->kind != JOURNEY_DOC_MAP)
        return journey_fail(b, SY_ERR_JOURNEY, profile->line, profile->column,
                            "'profile' must be a map of attribute name to {type, default}");
    if (profile->count > JOURNEY_ATTRS_MAX)
        return journey_fail(b, SY_ERR_LIMIT, profile->keys[JOURNEY_ATTRS_MAX].line,
                            profile->keys[JOURNEY_ATTRS_MAX].column,
                            "more than %d profile attributes", JOURNEY_ATTRS_MAX);
    b->journey->attrs = calloc(profile->count ? profile->count : 1, sizeof *b->journey->attrs);
    if (!b->journey->attrs)
        return journey_fail(b, SY_ERR_NOMEM, profile->line, profile->column, "out of memory");
    for (size_t i = 0; i < profile->count; i++) {
        sy_err_t err = profile_attr(b, profile, i);
        if (err)
            return err;
    }
    return SY_OK;
}
