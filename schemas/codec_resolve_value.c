/* codec_resolve_value.c — Avro schema resolution of one decoded value: copy a value read
 * with the writer's schema into a value of the reader's schema as the Avro spec says:
 * record fields by name (the reader's defaults for fields the writer lacks), enum symbols by
 * name (the reader's default for unknown ones), unions by branch, int→long→float→double,
 * string↔bytes. The reader's defaults are found once per plan (one writer). Not the
 * reading or writing of bytes: codec_resolve.c. */
#include <assert.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_int.h"

/* The reader schema's nesting is bounded by the embedded schemas; this guards a writer
 * schema that nests deeper than any reader could (a recursive one). */
#define RESOLVE_DEPTH_MAX 32

typedef struct resolve_ctx {
    codec_resolve_plan_t *plan; /* the reader's JSON and defaults; borrowed */
    const char *path;         /* the reader's top-level field being resolved, or "" */
    char *errbuf;
    size_t errbuf_size;
} resolve_ctx_t;

static sy_err_t resolve_value(resolve_ctx_t *c, avro_value_t *src, avro_value_t *dst,
                              int depth);

/* "enum Channel" for a named type, "string" for the others. */
static const char *resolve_type_text(avro_schema_t s, char *buf, size_t size) {
    static const char *const kinds[] = {[AVRO_RECORD] = "record", [AVRO_ENUM] = "enum",
                                        [AVRO_FIXED] = "fixed"};
    assert(s != NULL && size > 0);
    if (is_avro_named_type(s))
        snprintf(buf, size, "%s %s", kinds[avro_typeof(s)], avro_schema_name(s));
    else
        snprintf(buf, size, "%s", is_avro_union(s) ? "union" : avro_schema_type_name(s));
    return buf;
}

static sy_err_t resolve_fail(resolve_ctx_t *c, avro_schema_t w, avro_schema_t r) {
    char wt[128], rt[128];
    assert(c->path != NULL); /* "" above the reader's fields, a field name below */
    return codec_fail(SY_ERR_WRONG_SCHEMA, c->errbuf, c->errbuf_size,
                      "%s%s: the writer's %s cannot be read as the reader's %s",
                      c->path[0] ? "field " : "", c->path[0] ? c->path : "record",
                      resolve_type_text(w, wt, sizeof wt), resolve_type_text(r, rt, sizeof rt));
}

/* True when a writer value of schema w can be read as schema r (no union on either side):
 * same type (named types: same name), or a promotion the spec allows. */
static bool resolve_matches(avro_schema_t w, avro_schema_t r, bool promote) {
    avro_type_t wt = avro_typeof(w), rt = avro_typeof(r);
    assert(wt != AVRO_UNION && rt != AVRO_UNION); /* resolve_value takes unions apart */
    if (wt == rt)
        return !is_avro_named_type(w) || strcmp(avro_schema_name(w), avro_schema_name(r)) == 0;
    if (!promote)
        return false;
    switch (rt) {
    case AVRO_INT64: return wt == AVRO_INT32;
    case AVRO_FLOAT: return wt == AVRO_INT32 || wt == AVRO_INT64;
    case AVRO_DOUBLE: return wt == AVRO_INT32 || wt == AVRO_INT64 || wt == AVRO_FLOAT;
    case AVRO_STRING: return wt == AVRO_BYTES;
    case AVRO_BYTES: return wt == AVRO_STRING;
    default: return false;
    }
}

/* Into a reader union: the first branch of the same type, else the first a promotion
 * reaches. */
static sy_err_t resolve_into_union(resolve_ctx_t *c, avro_value_t *src, avro_value_t *dst,
                                   int depth) {
    avro_schema_t w = avro_value_get_schema(src), r = avro_value_get_schema(dst);
    avro_value_t branch;
    assert(is_avro_union(r) && !is_avro_union(w));
    for (int promote = 0; promote <= 1; promote++)
        for (size_t i = 0; i < avro_schema_union_size(r); i++) {
            if (!resolve_matches(w, avro_schema_union_branch(r, (int)i), promote))
                continue;
            if (avro_value_set_branch(dst, (int)i, &branch) != 0)
                return codec_fail(SY_ERR_NOMEM, c->errbuf, c->errbuf_size, "%s",
                                  avro_strerror());
            return resolve_value(c, src, &branch, depth + 1);
        }
    return resolve_fail(c, w, r);
}

static sy_err_t resolve_number(resolve_ctx_t *c, avro_value_t *src, avro_value_t *dst) {
    avro_schema_t w = avro_value_get_schema(src), r = avro_value_get_schema(dst);
    int32_t i32 = 0;
    int64_t i64 = 0;
    float f = 0;
    double d = 0;
    /* resolve_matches let through only numbers read as numbers */
    assert(avro_typeof(r) >= AVRO_INT32 && avro_typeof(r) <= AVRO_DOUBLE);
    switch (avro_typeof(w)) {
    case AVRO_INT32: avro_value_get_int(src, &i32); d = i32; i64 = i32; f = (float)i32; break;
    case AVRO_INT64: avro_value_get_long(src, &i64); d = (double)i64; f = (float)i64; break;
    case AVRO_FLOAT: avro_value_get_float(src, &f); d = f; break;
    case AVRO_DOUBLE: avro_value_get_double(src, &d); break;
    default: return resolve_fail(c, w, r);
    }
    switch (avro_typeof(r)) {
    case AVRO_INT32: return avro_value_set_int(dst, i32) == 0 ? SY_OK : SY_ERR_NOMEM;
    case AVRO_INT64: return avro_value_set_long(dst, i64) == 0 ? SY_OK : SY_ERR_NOMEM;
    case AVRO_FLOAT: return avro_value_set_float(dst, f) == 0 ? SY_OK : SY_ERR_NOMEM;
    default: return avro_value_set_double(dst, d) == 0 ? SY_OK : SY_ERR_NOMEM;
    }
}

/* Strings and bytes hold the same bytes; avro-c counts a string's NUL in its size. */
static sy_err_t resolve_bytes(resolve_ctx_t *c, avro_value_t *src, avro_value_t *dst) {
    const void *buf = NULL;
    size_t size = 0;
    bool from_string = avro_typeof(avro_value_get_schema(src)) == AVRO_STRING;
    assert(from_string || avro_typeof(avro_value_get_schema(src)) == AVRO_BYTES);
    int rc = from_string ? avro_value_get_string(src, (const char **)&buf, &size)
                         : avro_value_get_bytes(src, &buf, &size);
    if (rc == 0 && from_string && size > 0)
        size--;
    if (rc == 0 && from_string && avro_typeof(avro_value_get_schema(dst)) == AVRO_STRING)
        rc = avro_value_set_string_len(dst, buf ? buf : "", size + 1);
    else if (rc == 0 && avro_typeof(avro_value_get_schema(dst)) == AVRO_STRING) {
        char *copy = malloc(size + 1); /* bytes hold no NUL of their own: add one */
        rc = copy == NULL ? ENOMEM : 0;
        if (copy != NULL) {
            memcpy(copy, buf, size);
            copy[size] = '\0';
            rc = avro_value_set_string_len(dst, copy, size + 1);
        }
        free(copy);
    } else if (rc == 0)
        rc = avro_value_set_bytes(dst, (void *)buf, size);
    return rc == 0 ? SY_OK
                   : codec_fail(SY_ERR_NOMEM, c->errbuf, c->errbuf_size, "%s", avro_strerror());
}

/* The JSON object of the reader's named type name (a record or an enum), or NULL. */
static json_object *json_named_find(json_object *j, const char *name) {
    json_object *v;
    assert(name != NULL && name[0] != '\0'); /* an Avro name is never empty */
    if (json_object_is_type(j, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(j); i++)
            if ((v = json_named_find(json_object_array_get_idx(j, i), name)) != NULL)
                return v;
        return NULL;
    }
    if (!json_object_is_type(j, json_type_object))
        return NULL;
    if (json_object_object_get_ex(j, "name", &v) && json_object_is_type(v, json_type_string) &&
        json_object_object_get_ex(j, "type", &v) && json_object_is_type(v, json_type_string) &&
        (strcmp(json_object_get_string(v), "record") == 0 ||
         strcmp(json_object_get_string(v), "enum") == 0)) {
        json_object_object_get_ex(j, "name", &v);
        if (strcmp(json_object_get_string(v), name) == 0)
            return j;
    }
    json_object_object_foreach(j, key, child) {
        (void)key;
        if ((v = json_named_find(child, name)) != NULL)
            return v;
    }
    return NULL;
}

/* Set dst from a JSON default. Unions take the first branch (the spec's rule); maps and
 * arrays only the empty default, the one the reader schemas use. */
static sy_err_t default_set(resolve_ctx_t *c, json_object *j, avro_value_t *dst) {
    avro_schema_t r = avro_value_get_schema(dst);
    avro_value_t branch;
    int rc = 0;
    switch (avro_typeof(r)) {
    case AVRO_UNION:
        if (avro_value_set_branch(dst, 0, &branch) != 0)
            return SY_ERR_NOMEM;
        return default_set(c, j, &branch);
    case AVRO_NULL: rc = avro_value_set_null(dst); break;
    case AVRO_BOOLEAN: rc = avro_value_set_boolean(dst, json_object_get_boolean(j)); break;
    case AVRO_INT32: rc = avro_value_set_int(dst, json_object_get_int(j)); break;
    case AVRO_INT64: rc = avro_value_set_long(dst, json_object_get_int64(j)); break;
    case AVRO_FLOAT: rc = avro_value_set_float(dst, (float)json_object_get_double(j)); break;
    case AVRO_DOUBLE: rc = avro_value_set_double(dst, json_object_get_double(j)); break;
    case AVRO_STRING: rc = avro_value_set_string(dst, json_object_get_string(j)); break;
    case AVRO_ENUM:
        rc = avro_schema_enum_get_by_name(r, json_object_get_string(j));
        rc = rc < 0 ? EINVAL : avro_value_set_enum(dst, rc);
        break;
    case AVRO_MAP: case AVRO_ARRAY: /* the reader schemas' defaults: {} and [] */
        assert((json_object_is_type(j, json_type_object) && json_object_object_length(j) == 0) ||
               (json_object_is_type(j, json_type_array) && json_object_array_length(j) == 0));
        rc = avro_value_reset(dst);
        break;
    default: rc = EINVAL;
    }
    return rc == 0 ? SY_OK
                   : codec_fail(SY_ERR_WRONG_SCHEMA, c->errbuf, c->errbuf_size,
                                "the reader's default for a %s cannot be used",
                                avro_schema_type_name(r));
}

/* The default of owner's field number field in the reader's JSON, or of the enum owner when
 * field is -1. False: the reader gives none. */
static bool default_lookup(json_object *reader_json, avro_schema_t owner, int field,
                           json_object **out) {
    json_object *named = json_named_find(reader_json, avro_schema_name(owner)), *fields;
    assert(field >= -1 && (field < 0 ? is_avro_enum(owner) : is_avro_record(owner)));
    *out = NULL;
    if (named == NULL)
        return false;
    if (field < 0)
        return json_object_object_get_ex(named, "default", out);
    const char *name = avro_schema_record_field_name(owner, field);
    if (json_object_object_get_ex(named, "fields", &fields))
        for (size_t i = 0; i < json_object_array_length(fields); i++) {
            json_object *f = json_object_array_get_idx(fields, i), *v;
            if (json_object_object_get_ex(f, "name", &v) &&
                strcmp(json_object_get_string(v), name) == 0)
                return json_object_object_get_ex(f, "default", out);
        }
    return false;
}

/* The reader's default of owner's field (or the enum owner's, field -1) from the plan, or
 * looked up once and kept there. False: the reader gives none. */
static bool default_find(resolve_ctx_t *c, avro_schema_t owner, int field,
                         json_object **out) {
    codec_resolve_plan_t *plan = c->plan;
    assert(plan->count <= CODEC_RESOLVE_DEFAULTS_MAX);
    for (size_t i = 0; i < plan->count; i++)
        if (plan->defaults[i].owner == owner && plan->defaults[i].field == field)
            return *out = plan->defaults[i].value, plan->defaults[i].found;
    bool found = default_lookup(plan->reader_json, owner, field, out);
    if (plan->count < CODEC_RESOLVE_DEFAULTS_MAX)
        plan->defaults[plan->count++] = (codec_resolve_default_t){owner, field, found, *out};
    return found;
}

/* A reader field the writer lacks takes the reader's default; none: incompatible. */
static sy_err_t resolve_field_default(resolve_ctx_t *c, avro_schema_t r, int field,
                                      avro_value_t *dst) {
    json_object *def;
    assert(is_avro_record(r) && field >= 0);
    if (default_find(c, r, field, &def))
        return default_set(c, def, dst);
    return codec_fail(SY_ERR_WRONG_SCHEMA, c->errbuf, c->errbuf_size,
                      "the writer's %s has no field %s and the reader's gives no default",
                      avro_schema_name(r), avro_schema_record_field_name(r, field));
}

static sy_err_t resolve_record(resolve_ctx_t *c, avro_value_t *src, avro_value_t *dst,
                               int depth) {
    avro_schema_t r = avro_value_get_schema(dst);
    size_t count = 0;
    assert(is_avro_record(r) && is_avro_record(avro_value_get_schema(src)));
    avro_value_get_size(dst, &count);
    for (size_t i = 0; i < count; i++) {
        const char *name = avro_schema_record_field_name(r, (int)i);
        avro_value_t from, to;
        sy_err_t err;
        if (avro_value_get_by_index(dst, i, &to, NULL) != 0)
            return SY_ERR_NOMEM;
        if (depth == 0)
            c->path = name;
        if (avro_value_get_by_name(src, name, &from, NULL) != 0)
            err = resolve_field_default(c, r, (int)i, &to);
        else
            err = resolve_value(c, &from, &to, depth + 1);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}

/* Enum symbols by name; an unknown symbol takes the reader's default, if it has one. */
static sy_err_t resolve_enum(resolve_ctx_t *c, avro_value_t *src, avro_value_t *dst) {
    avro_schema_t w = avro_value_get_schema(src), r = avro_value_get_schema(dst);
    int index = 0;
    assert(is_avro_enum(w) && is_avro_enum(r));
    avro_value_get_enum(src, &index);
    const char *symbol = avro_schema_enum_get(w, index);
    int to = symbol ? avro_schema_enum_get_by_name(r, symbol) : -1;
    json_object *def;
    if (to < 0 && default_find(c, r, -1, &def) && json_object_is_type(def, json_type_string))
        to = avro_schema_enum_get_by_name(r, json_object_get_string(def));
    if (to < 0)
        return codec_fail(SY_ERR_WRONG_SCHEMA, c->errbuf, c->errbuf_size,
                          "symbol %s is not in the reader's enum %s, which has no default",
                          symbol ? symbol : "?", avro_schema_name(r));
    return avro_value_set_enum(dst, to) == 0 ? SY_OK : SY_ERR_NOMEM;
}

static sy_err_t resolve_items(resolve_ctx_t *c, avro_value_t *src, avro_value_t *dst,
                              bool map, int depth) {
    size_t count = 0;
    assert(avro_typeof(avro_value_get_schema(src)) == (map ? AVRO_MAP : AVRO_ARRAY));
    avro_value_get_size(src, &count);
    for (size_t i = 0; i < count; i++) {
        avro_value_t from, to;
        const char *key = NULL;
        int rc = avro_value_get_by_index(src, i, &from, &key);
        if (rc == 0)
            rc = map ? avro_value_add(dst, key, &to, NULL, NULL)
                     : avro_value_append(dst, &to, NULL);
        if (rc != 0)
            return codec_fail(SY_ERR_NOMEM, c->errbuf, c->errbuf_size, "%s", avro_strerror());
        sy_err_t err = resolve_value(c, &from, &to, depth + 1);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}

static sy_err_t resolve_value(resolve_ctx_t *c, avro_value_t *src, avro_value_t *dst,
                              int depth) {
    avro_schema_t w = avro_value_get_schema(src), r = avro_value_get_schema(dst);
    avro_value_t branch;
    int flag = 0;
    assert(!is_avro_link(r)); /* the embedded reader schemas are not recursive */
    if (depth > RESOLVE_DEPTH_MAX)
        return codec_fail(SY_ERR_WRONG_SCHEMA, c->errbuf, c->errbuf_size,
                          "writer's schema nests deeper than %d", RESOLVE_DEPTH_MAX);
    if (is_avro_union(w)) {
        if (avro_value_get_current_branch(src, &branch) != 0)
            return codec_fail(SY_ERR_MALFORMED, c->errbuf, c->errbuf_size, "no union branch");
        return resolve_value(c, &branch, dst, depth + 1);
    }
    if (is_avro_union(r))
        return resolve_into_union(c, src, dst, depth);
    if (!resolve_matches(w, r, true))
        return resolve_fail(c, w, r);
    switch (avro_typeof(r)) {
    case AVRO_NULL: return avro_value_set_null(dst) == 0 ? SY_OK : SY_ERR_NOMEM;
    case AVRO_BOOLEAN:
        avro_value_get_boolean(src, &flag);
        return avro_value_set_boolean(dst, flag) == 0 ? SY_OK : SY_ERR_NOMEM;
    case AVRO_INT32: case AVRO_INT64: case AVRO_FLOAT: case AVRO_DOUBLE:
        return resolve_number(c, src, dst);
    case AVRO_STRING: case AVRO_BYTES: return resolve_bytes(c, src, dst);
    case AVRO_ENUM: return resolve_enum(c, src, dst);
    case AVRO_RECORD: return resolve_record(c, src, dst, depth);
    case AVRO_ARRAY: case AVRO_MAP:
        return resolve_items(c, src, dst, avro_typeof(r) == AVRO_MAP, depth);
    default: /* fixed and the rest: not in switchyard's reader schemas */
        return resolve_fail(c, w, r);
    }
}

sy_err_t codec_resolve_value(codec_resolve_plan_t *plan, avro_value_t *src, avro_value_t *dst,
                             char *errbuf, size_t errbuf_size) {
    resolve_ctx_t c = {plan, "", errbuf, errbuf_size};
    assert(plan->reader_json != NULL && is_avro_record(avro_value_get_schema(dst)));
    return resolve_value(&c, src, dst, 0);
}
