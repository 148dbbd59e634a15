/* codec_value.c — typed getters and setters for fields of avro-c generic record values,
 * by field name. They know the shapes switchyard's schemas use (["null", T] unions,
 * map<string>); they know nothing of records.h structs. */
#include <assert.h>

#include "codec_int.h"

/* The null branch of every optional field is branch 0 (["null", T]). */
#define CODEC_BRANCH_NULL 0
#define CODEC_BRANCH_VALUE 1

avro_value_t codec_value_field(avro_value_t *rec, const char *field) {
    avro_value_t child;
    int rc = avro_value_get_by_name(rec, field, &child, NULL);
    assert(rc == 0 && "field named by the codec exists in the schema");
    (void)rc;
    return child;
}

/* The value branch of an optional field, or false when it is null. */
static bool codec_value_opt(avro_value_t *rec, const char *field, avro_value_t *branch) {
    avro_value_t u = codec_value_field(rec, field);
    int disc = -1;
    avro_value_get_discriminant(&u, &disc);
    if (disc != CODEC_BRANCH_VALUE)
        return false;
    avro_value_get_current_branch(&u, branch);
    return true;
}

static const char *codec_value_str(avro_value_t *v) {
    const char *s = NULL;
    size_t size = 0;
    int rc = avro_value_get_string(v, &s, &size);
    assert(rc == 0 && "field is a string");
    (void)rc;
    return s != NULL ? s : "";
}

const char *codec_value_string(avro_value_t *rec, const char *field) {
    avro_value_t v = codec_value_field(rec, field);
    return codec_value_str(&v);
}

const char *codec_value_opt_string(avro_value_t *rec, const char *field) {
    avro_value_t v;
    return codec_value_opt(rec, field, &v) ? codec_value_str(&v) : NULL;
}

int64_t codec_value_long(avro_value_t *rec, const char *field) {
    avro_value_t v = codec_value_field(rec, field);
    int64_t out = 0;
    avro_value_get_long(&v, &out);
    return out;
}

int32_t codec_value_int(avro_value_t *rec, const char *field) {
    avro_value_t v = codec_value_field(rec, field);
    int32_t out = 0;
    avro_value_get_int(&v, &out);
    return out;
}

int codec_value_enum(avro_value_t *rec, const char *field) {
    avro_value_t v = codec_value_field(rec, field);
    int out = 0;
    avro_value_get_enum(&v, &out);
    return out;
}

int codec_value_opt_enum(avro_value_t *rec, const char *field) {
    avro_value_t v;
    int out = -1;
    if (codec_value_opt(rec, field, &v))
        avro_value_get_enum(&v, &out);
    return out;
}

bool codec_value_opt_double(avro_value_t *rec, const char *field, double *out) {
    avro_value_t v;
    *out = 0;
    if (!codec_value_opt(rec, field, &v))
        return false;
    avro_value_get_double(&v, out);
    return true;
}

bool codec_value_opt_bytes(avro_value_t *rec, const char *field, const void **buf,
                           size_t *len) {
    avro_value_t v;
    *buf = NULL;
    *len = 0;
    if (!codec_value_opt(rec, field, &v))
        return false;
    avro_value_get_bytes(&v, buf, len);
    if (*buf == NULL)
        *buf = ""; /* present but empty: still not NULL */
    return true;
}

/* Lend s to the value instead of copying it: avro_value_set_string would allocate a copy
 * of every string of every record. s must outlive the encode that reads the value; the
 * next reset drops the loan without touching s (the wrapped buffer has no free). */
int codec_value_lend_string(avro_value_t *v, const char *s) {
    avro_wrapped_buffer_t buf;
    int rc = avro_wrapped_buffer_new_string(&buf, s);
    return rc ? rc : avro_value_give_string_len(v, &buf);
}

int codec_value_set_string(avro_value_t *rec, const char *field, const char *s) {
    avro_value_t v = codec_value_field(rec, field);
    return codec_value_lend_string(&v, s);
}

/* Select the null or the value branch of an optional field. */
static int codec_value_set_opt(avro_value_t *rec, const char *field, bool has,
                               avro_value_t *branch) {
    avro_value_t u = codec_value_field(rec, field);
    return avro_value_set_branch(&u, has ? CODEC_BRANCH_VALUE : CODEC_BRANCH_NULL, branch);
}

int codec_value_set_opt_string(avro_value_t *rec, const char *field, const char *s) {
    avro_value_t v;
    int rc = codec_value_set_opt(rec, field, s != NULL, &v);
    if (rc != 0 || s == NULL)
        return rc;
    return codec_value_lend_string(&v, s);
}

int codec_value_set_long(avro_value_t *rec, const char *field, int64_t x) {
    avro_value_t v = codec_value_field(rec, field);
    return avro_value_set_long(&v, x);
}

int codec_value_set_int(avro_value_t *rec, const char *field, int32_t x) {
    avro_value_t v = codec_value_field(rec, field);
    return avro_value_set_int(&v, x);
}

int codec_value_set_enum(avro_value_t *rec, const char *field, int x) {
    avro_value_t v = codec_value_field(rec, field);
    return avro_value_set_enum(&v, x);
}

int codec_value_set_opt_enum(avro_value_t *rec, const char *field, int x) {
    avro_value_t v;
    int rc = codec_value_set_opt(rec, field, x >= 0, &v);
    if (rc != 0 || x < 0)
        return rc;
    return avro_value_set_enum(&v, x);
}

int codec_value_set_opt_double(avro_value_t *rec, const char *field, bool has, double x) {
    avro_value_t v;
    int rc = codec_value_set_opt(rec, field, has, &v);
    if (rc != 0 || !has)
        return rc;
    return avro_value_set_double(&v, x);
}

int codec_value_set_opt_bytes(avro_value_t *rec, const char *field, const void *buf,
                              size_t len) {
    avro_value_t v;
    int rc = codec_value_set_opt(rec, field, buf != NULL, &v);
    if (rc != 0 || buf == NULL)
        return rc;
    /* avro-c copies the bytes; its signature lacks the const. */
    return avro_value_set_bytes(&v, (void *)(uintptr_t)buf, len);
}

int codec_value_set_kvs(avro_value_t *rec, const char *field, const sy_kv_t *kvs,
                        size_t count) {
    avro_value_t map = codec_value_field(rec, field);
    for (size_t i = 0; i < count; i++) {
        avro_value_t v;
        int rc = avro_value_add(&map, kvs[i].key, &v, NULL, NULL);
        if (rc == 0)
            rc = codec_value_lend_string(&v, kvs[i].value);
        if (rc != 0)
            return rc;
    }
    return 0;
}

size_t codec_value_size(avro_value_t *rec, const char *field) {
    avro_value_t v = codec_value_field(rec, field);
    size_t size = 0;
    avro_value_get_size(&v, &size);
    return size;
}
