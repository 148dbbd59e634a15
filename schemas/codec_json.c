/* codec_json.c — codec_to_json: any framed record as one compact JSON line for people.
 * Walks the schema and the decoded Avro value together; enums lower case, timestamps
 * ISO-8601 UTC, bytes base64. Not a JSON decoder, and not used on the hot path. */
#include <assert.h>
#include <ctype.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_int.h"
#include "sy_time.h"

static json_object *json_datum(avro_value_t *v, avro_schema_t s, bool timestamp);

/* RFC 4648 base64 with padding. */
static json_object *json_base64(const uint8_t *p, size_t n) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t out_len = (n + 2) / 3 * 4, o = 0;
    char *out = malloc(out_len + 1);
    json_object *j;
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t w = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            w |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            w |= p[i + 2];
        out[o++] = alphabet[w >> 18 & 63];
        out[o++] = alphabet[w >> 12 & 63];
        out[o++] = i + 1 < n ? alphabet[w >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[w & 63] : '=';
    }
    assert(o == out_len);
    out[o] = '\0';
    j = json_object_new_string_len(out, (int)o);
    free(out);
    return j;
}

/* The shortest of %.15g and %.17g that reads back as d; non-finite numbers become null. */
static json_object *json_double(double d) {
    char text[32];
    if (!isfinite(d))
        return NULL;
    snprintf(text, sizeof text, "%.15g", d);
    if (strtod(text, NULL) != d)
        snprintf(text, sizeof text, "%.17g", d);
    assert(strtod(text, NULL) == d); /* %.17g reads back as any double */
    return json_object_new_double_s(d, text);
}

static json_object *json_long(int64_t l, bool timestamp) {
    char text[SY_TIME_TEXT_BYTES];
    if (timestamp && sy_time_in_bounds(l)) {
        sy_time_format_ms(l, text);
        assert(memchr(text, '\0', sizeof text)); /* the format fits its buffer */
        return json_object_new_string(text);
    }
    return json_object_new_int64(l);
}

static json_object *json_enum(avro_value_t *v, avro_schema_t s) {
    char text[128];
    int index = 0;
    const char *symbol;
    size_t i;
    assert(avro_typeof(s) == AVRO_ENUM);
    avro_value_get_enum(v, &index);
    symbol = avro_schema_enum_get(s, index);
    for (i = 0; symbol != NULL && symbol[i] != '\0' && i + 1 < sizeof text; i++)
        text[i] = (char)tolower((unsigned char)symbol[i]);
    text[i] = '\0';
    return json_object_new_string(text);
}

/* Array or map items into a JSON array or object. */
static json_object *json_items(avro_value_t *v, avro_schema_t s, bool is_map) {
    avro_schema_t item = is_map ? avro_schema_map_values(s) : avro_schema_array_items(s);
    json_object *j = is_map ? json_object_new_object() : json_object_new_array();
    size_t n = 0;
    assert(avro_typeof(s) == (is_map ? AVRO_MAP : AVRO_ARRAY));
    avro_value_get_size(v, &n);
    for (size_t i = 0; j != NULL && i < n; i++) {
        avro_value_t child;
        const char *key = NULL;
        avro_value_get_by_index(v, i, &child, &key);
        if (is_map)
            json_object_object_add(j, key, json_datum(&child, item, false));
        else
            json_object_array_add(j, json_datum(&child, item, false));
    }
    return j;
}

/* The fields of a record into obj; timestamps: bit i marks field i as timestamp-millis. */
static void json_fields(json_object *obj, avro_value_t *v, avro_schema_t s,
                        uint64_t timestamps) {
    size_t n = avro_schema_record_size(s);
    assert(obj && avro_typeof(s) == AVRO_RECORD);
    for (size_t i = 0; i < n; i++) {
        avro_value_t child;
        const char *name = NULL;
        bool ts = i < 64 && (timestamps >> i & 1);
        avro_value_get_by_index(v, i, &child, &name);
        json_object_object_add(obj, name,
            json_datum(&child, avro_schema_record_field_get_by_index(s, (int)i), ts));
    }
}

static json_object *json_datum(avro_value_t *v, avro_schema_t s, bool timestamp) {
    const void *bytes = NULL;
    const char *str = NULL;
    size_t size = 0;
    int32_t i32 = 0;
    int64_t i64 = 0;
    double d = 0;
    float f = 0;
    int b = 0;
    avro_value_t branch;
    json_object *obj;
    assert(v && s);
    switch (avro_typeof(s)) {
    case AVRO_BOOLEAN: avro_value_get_boolean(v, &b); return json_object_new_boolean(b);
    case AVRO_INT32: avro_value_get_int(v, &i32); return json_object_new_int(i32);
    case AVRO_INT64: avro_value_get_long(v, &i64); return json_long(i64, timestamp);
    case AVRO_FLOAT: avro_value_get_float(v, &f); return json_double(f);
    case AVRO_DOUBLE: avro_value_get_double(v, &d); return json_double(d);
    case AVRO_STRING:
        avro_value_get_string(v, &str, &size);
        return json_object_new_string_len(str ? str : "", size ? (int)size - 1 : 0);
    case AVRO_BYTES:
        avro_value_get_bytes(v, &bytes, &size);
        return json_base64(bytes, size);
    case AVRO_FIXED:
        avro_value_get_fixed(v, &bytes, &size);
        return json_base64(bytes, size);
    case AVRO_ENUM: return json_enum(v, s);
    case AVRO_UNION:
        avro_value_get_current_branch(v, &branch);
        avro_value_get_discriminant(v, &b);
        return json_datum(&branch, avro_schema_union_branch(s, b), timestamp);
    case AVRO_ARRAY: return json_items(v, s, false);
    case AVRO_MAP: return json_items(v, s, true);
    case AVRO_RECORD:
        obj = json_object_new_object();
        if (obj != NULL)
            json_fields(obj, v, s, 0);
        return obj;
    case AVRO_LINK: return json_datum(v, avro_schema_link_target(s), timestamp);
    default: return NULL; /* AVRO_NULL */
    }
}

sy_err_t codec_to_json(codec_t *codec, const void *buf, size_t len, char **json,
                       char *errbuf, size_t errbuf_size) {
    sy_schema_id_t id;
    const uint8_t *body;
    size_t body_len;
    codec_schema_t *s;
    json_object *root = NULL;
    const char *text;
    codec_any_record_t *scratch = malloc(sizeof *scratch);
    sy_err_t err = SY_ERR_NOMEM;
    assert(codec && json);
    if (scratch == NULL)
        goto fail;
    err = codec_read(codec, buf, len, 0, &id, &body, &body_len, errbuf, errbuf_size);
    if (err == SY_OK)
        err = codec_scratch_reserve(&codec->json_scratch, &codec->json_scratch_size,
                                    body_len, errbuf, errbuf_size);
    if (err != SY_OK)
        goto fail;
    /* The same map keys, limits and rules as the decoders; the struct is not needed. */
    err = codec_extract(codec, id, body, body_len, codec->json_scratch, scratch, errbuf,
                        errbuf_size);
    if (err != SY_OK)
        goto fail;
    assert(id >= SY_SCHEMA_ID_MIN && id <= SY_SCHEMA_ID_MAX); /* codec_read checked it */
    s = &codec->schemas[id];
    avro_value_reset(&s->json_value);
    avro_reader_memory_set_source(codec->reader, (const char *)body, (int64_t)body_len);
    if (avro_value_read(codec->reader, &s->json_value) != 0) {
        err = codec_fail(SY_ERR_MALFORMED, errbuf, errbuf_size, "malformed Avro body: %s",
                         avro_strerror());
        goto fail;
    }
    err = SY_ERR_NOMEM;
    root = json_object_new_object();
    if (root == NULL)
        goto fail;
    json_object_object_add(root, "schema", json_object_new_string(s->name));
    json_fields(root, &s->json_value, s->schema, s->timestamp_fields);
    text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE);
    if (text == NULL || (*json = strdup(text)) == NULL)
        goto fail;
    err = SY_OK;
fail:
    if (err == SY_ERR_NOMEM)
        sy_errf(errbuf, errbuf_size, "rendering JSON: out of memory");
    json_object_put(root);
    free(scratch);
    return err;
}
