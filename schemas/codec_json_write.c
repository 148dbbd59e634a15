/* codec_json_write.c — the JSON text of a framed record, written straight from its Avro
 * body and the compiled schema (codec_int.h's codec_guard_t) into a buffer the codec
 * reuses: no generic values, no JSON objects. The text is codec_to_json's, byte for byte.
 * Not a validator: the walk stays within the body and stops at the first thing it does
 * not expect, but limits, map keys and domain rules are the decoders' job. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_wire.h"
#include "sy_time.h"

/* The text grows into codec->json_out; bad is sticky (a body the walk cannot follow, or
 * out of memory when nomem). */
typedef struct json_wr {
    codec_t *codec;
    codec_rd_t rd; /* the body; its scratch is unused */
    size_t len;    /* text bytes so far */
    int depth;
    bool bad, nomem;
} json_wr_t;

/* Nesting the writer follows; the guard refuses deeper bodies anyway. */
#define JSON_DEPTH_MAX 32

/* json_reserve's growing half, for a buffer without the room: doubles it until it has. */
static bool json_grow(json_wr_t *w, size_t need) {
    codec_t *c = w->codec;
    assert(w->len <= c->json_out_size);
    size_t size = c->json_out_size ? c->json_out_size : 1024;
    while (size < w->len + need + 1)
        size *= 2;
    char *grown = realloc(c->json_out, size);
    if (!grown) {
        w->bad = w->nomem = true;
        return false;
    }
    c->json_out = grown;
    c->json_out_size = size;
    return !w->bad;
}

/* Room for need more bytes and a NUL; false when the walk went bad or memory ran out. */
static inline bool json_reserve(json_wr_t *w, size_t need) {
    /* no assert: the test in front of json_grow, which asserts */
    if (w->len + need + 1 <= w->codec->json_out_size)
        return !w->bad;
    return json_grow(w, need);
}

static void json_put(json_wr_t *w, const char *s, size_t n) {
    assert(s || n == 0);
    if (!json_reserve(w, n))
        return;
    memcpy(w->codec->json_out + w->len, s, n);
    w->len += n;
}

#define json_lit(w, s) json_put((w), (s), sizeof(s) - 1)

/* Bytes a JSON string writes as they are: none under 0x20, no quote, no backslash (those
 * it escapes). Eight at a time, then one. */
static bool json_plain_word(uint64_t v) {
    /* no assert: a pure word test */
    return !(codec_word_has_below(v, 0x20) | codec_word_has_byte(v, '"') |
             codec_word_has_byte(v, '\\'));
}

static bool json_plain_byte(uint8_t c) {
    /* no assert: a pure byte test */
    return c >= 0x20 && c != '"' && c != '\\';
}

/* How many bytes s starts with (of n) that JSON does not escape. */
static size_t json_plain_prefix(const char *s, size_t n) {
    /* no assert: codec_word_prefix asserts */
    return codec_word_prefix((const uint8_t *)s, n, json_plain_word, json_plain_byte);
}

/* A JSON string as json-c escapes it with its "no slash escape" flag: the two-letter
 * escapes for \b \n \r \t \f " and backslash, \u00xx for other bytes under 0x20. Runs
 * with nothing to escape are copied whole. */
static void json_string(json_wr_t *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    assert(s || n == 0);
    if (!json_reserve(w, 6 * n + 2))
        return;
    char *o = w->codec->json_out + w->len;
    *o++ = '"';
    for (size_t i = 0; i < n;) {
        size_t run = i + json_plain_prefix(s + i, n - i);
        memcpy(o, s + i, run - i);
        o += run - i;
        if ((i = run) == n)
            break;
        unsigned char c = (unsigned char)s[i++];
        const char *two = c == '\b' ? "\\b" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                        : c == '\t' ? "\\t" : c == '\f' ? "\\f" : c == '"' ? "\\\""
                        : c == '\\' ? "\\\\" : NULL;
        if (two) {
            *o++ = two[0];
            *o++ = two[1];
        } else {
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
        }
    }
    *o++ = '"';
    w->len = (size_t)(o - w->codec->json_out);
}

/* v as exactly n decimal digits, zero-padded, at o. */
static char *json_digits(char *o, int64_t v, int n) {
    assert(v >= 0 && n > 0);
    for (int i = n - 1; i >= 0; i--, v /= 10)
        o[i] = (char)('0' + v % 10);
    return o + n;
}

/* ms within the instant bounds (years 0000 to 9999) as sy_time_format_ms writes it,
 * "YYYY-MM-DDTHH:MM:SS.mmmZ", quoted, without printf. */
static void json_time(json_wr_t *w, int64_t ms) {
    const int64_t day_ms = INT64_C(86400000);
    int64_t days = ms / day_ms, rest = ms % day_ms, y;
    int m, d;
    assert(sy_time_in_bounds(ms));
    if (rest < 0) {
        rest += day_ms;
        days--;
    }
    sy_time_civil_from_days(days, &y, &m, &d);
    if (!json_reserve(w, 26))
        return;
    char *o = w->codec->json_out + w->len;
    *o++ = '"';
    o = json_digits(o, y, 4);
    *o++ = '-';
    o = json_digits(o, m, 2);
    *o++ = '-';
    o = json_digits(o, d, 2);
    *o++ = 'T';
    o = json_digits(o, rest / 3600000, 2);
    *o++ = ':';
    o = json_digits(o, rest / 60000 % 60, 2);
    *o++ = ':';
    o = json_digits(o, rest / 1000 % 60, 2);
    *o++ = '.';
    o = json_digits(o, rest % 1000, 3);
    *o++ = 'Z';
    *o++ = '"';
    w->len = (size_t)(o - w->codec->json_out);
}

static void json_int64(json_wr_t *w, int64_t v) {
    char text[24], *end = text + sizeof text, *p = end;
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    assert(w);
    do {
        *--p = (char)('0' + m % 10);
        m /= 10;
    } while (m);
    if (v < 0)
        *--p = '-';
    json_put(w, p, (size_t)(end - p));
}

/* The shortest of %.15g and %.17g that reads back as d; null when not finite. */
static void json_double(json_wr_t *w, double d) {
    char text[32];
    assert(w);
    if (!isfinite(d)) {
        json_lit(w, "null");
        return;
    }
    snprintf(text, sizeof text, "%.15g", d);
    if (strtod(text, NULL) != d)
        snprintf(text, sizeof text, "%.17g", d);
    json_put(w, text, strlen(text));
}

/* RFC 4648 base64 with padding, quoted. */
static void json_base64(json_wr_t *w, const uint8_t *p, size_t n) {
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    assert(p || n == 0);
    if (!json_reserve(w, (n + 2) / 3 * 4 + 2))
        return;
    char *o = w->codec->json_out + w->len;
    *o++ = '"';
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        *o++ = alphabet[v >> 18 & 63];
        *o++ = alphabet[v >> 12 & 63];
        *o++ = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? alphabet[v & 63] : '=';
    }
    *o++ = '"';
    w->len = (size_t)(o - w->codec->json_out);
}

/* The next n body bytes, or NULL (bad set) when fewer are left. */
static const uint8_t *json_take(json_wr_t *w, size_t n) {
    assert(w->rd.p <= w->rd.end);
    if (w->bad || (size_t)(w->rd.end - w->rd.p) < n) {
        w->bad = true;
        return NULL;
    }
    const uint8_t *at = w->rd.p;
    w->rd.p += n;
    return at;
}

/* A length-prefixed string or bytes: its content, or NULL (bad set). */
static const uint8_t *json_take_sized(json_wr_t *w, size_t *n) {
    assert(w->rd.p <= w->rd.end && n);
    int64_t len = codec_rd_long(&w->rd);
    w->bad |= w->rd.bad || len < 0;
    *n = w->bad ? 0 : (size_t)len;
    return w->bad ? NULL : json_take(w, *n);
}

static void json_datum(json_wr_t *w, const codec_guard_t *node, bool timestamp);

/* Array or map blocks until a zero count, into [..] or {..}. */
static void json_blocks(json_wr_t *w, const codec_guard_t *node, bool is_map) {
    assert(node->count == 1);
    const codec_guard_t *item = node->children ? node->children[0] : NULL;
    bool first = true;
    json_put(w, is_map ? "{" : "[", 1);
    for (int64_t block; !w->bad && (block = codec_rd_block(&w->rd)) != 0;) {
        w->bad |= w->rd.bad || block < 0 || !item;
        for (int64_t i = 0; i < block && !w->bad; i++, first = false) {
            if (!first)
                json_lit(w, ",");
            if (is_map) {
                size_t n;
                const uint8_t *key = json_take_sized(w, &n);
                if (key)
                    json_string(w, (const char *)key, n);
                json_lit(w, ":");
            }
            json_datum(w, item, false);
        }
    }
    json_put(w, is_map ? "}" : "]", 1);
}

/* The fields of a record, after an opening brace already written; timestamps: bit i
 * marks field i as timestamp-millis. */
static void json_fields(json_wr_t *w, const codec_guard_t *node, uint64_t timestamps,
                        bool first) {
    assert(node->type == AVRO_RECORD);
    w->bad |= node->count && (!node->children || !node->fields);
    for (size_t i = 0; i < node->count && !w->bad; i++, first = false) {
        if (node->field_keys && node->field_keys[i]) { /* ,"name": or "name": first */
            json_put(w, node->field_keys[i] + first, node->field_key_lens[i] - first);
        } else {
            if (!first)
                json_lit(w, ",");
            json_string(w, node->fields[i], strlen(node->fields[i]));
            json_lit(w, ":");
        }
        json_datum(w, node->children[i], i < 64 && (timestamps >> i & 1));
    }
    json_lit(w, "}");
}

static void json_long(json_wr_t *w, int64_t v, bool timestamp) {
    assert(w);
    if (timestamp && sy_time_in_bounds(v))
        json_time(w, v);
    else
        json_int64(w, v);
}

/* An enum index or union branch below count, or -1 (bad set). */
static int64_t json_index(json_wr_t *w, size_t count) {
    assert(w->rd.p <= w->rd.end);
    int64_t i = codec_rd_long(&w->rd);
    w->bad |= w->rd.bad || i < 0 || (uint64_t)i >= count;
    return w->bad ? -1 : i;
}

/* The scalar kinds; false when node is not one. */
static bool json_scalar(json_wr_t *w, const codec_guard_t *node, bool timestamp) {
    const uint8_t *p;
    size_t n;
    uint32_t f;
    float fl;
    assert(node);
    switch (node->type) {
    case AVRO_NULL: json_lit(w, "null"); return true;
    case AVRO_BOOLEAN:
        if ((p = json_take(w, 1)) && *p > 1)
            w->bad = true;
        else if (p)
            json_put(w, *p ? "true" : "false", *p ? 4 : 5);
        return true;
    case AVRO_INT32: json_int64(w, codec_rd_int(&w->rd)); return true;
    case AVRO_INT64: json_long(w, codec_rd_long(&w->rd), timestamp); return true;
    case AVRO_FLOAT:
        if ((p = json_take(w, 4))) {
            f = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                (uint32_t)p[3] << 24;
            memcpy(&fl, &f, sizeof fl);
            json_double(w, fl);
        }
        return true;
    case AVRO_DOUBLE: json_double(w, codec_rd_double(&w->rd)); return true;
    case AVRO_STRING:
        if ((p = json_take_sized(w, &n)))
            json_string(w, (const char *)p, n);
        return true;
    case AVRO_BYTES:
        if ((p = json_take_sized(w, &n)))
            json_base64(w, p, n);
        return true;
    case AVRO_FIXED:
        if ((p = json_take(w, node->count)))
            json_base64(w, p, node->count);
        return true;
    default: return false;
    }
}

static void json_datum(json_wr_t *w, const codec_guard_t *node, bool timestamp) {
    int64_t i;
    assert(node);
    if (w->bad || ++w->depth > JSON_DEPTH_MAX || json_scalar(w, node, timestamp)) {
        w->bad |= w->depth > JSON_DEPTH_MAX || w->rd.bad;
        w->depth--;
        return;
    }
    switch (node->type) {
    case AVRO_ENUM:
        if ((i = json_index(w, node->count)) >= 0)
            json_string(w, node->symbols[i], strlen(node->symbols[i]));
        break;
    case AVRO_UNION:
        if ((i = json_index(w, node->count)) >= 0 && node->children)
            json_datum(w, node->children[i], timestamp);
        break;
    case AVRO_ARRAY: json_blocks(w, node, false); break;
    case AVRO_MAP: json_blocks(w, node, true); break;
    case AVRO_RECORD:
        json_lit(w, "{");
        json_fields(w, node, 0, true);
        break;
    case AVRO_LINK:
        if (node->children)
            json_datum(w, node->children[0], timestamp);
        break;
    default: w->bad = true; break;
    }
    w->bad |= w->rd.bad || (node->type == AVRO_UNION && !node->children);
    w->depth--;
}

sy_err_t codec_json_write(codec_t *codec, sy_schema_id_t id, const uint8_t *body,
                          size_t body_len, const char **json, size_t *json_len,
                          char *errbuf, size_t errbuf_size) {
    assert(codec && id >= SY_SCHEMA_ID_MIN && id <= SY_SCHEMA_ID_MAX && json && json_len);
    const codec_schema_t *s = &codec->schemas[id];
    json_wr_t w = {.codec = codec, .rd = {.p = body, .end = body + body_len}};
    json_lit(&w, "{\"schema\":");
    json_string(&w, s->name, strlen(s->name));
    json_fields(&w, s->guard, s->timestamp_fields, false);
    if (w.nomem)
        return codec_fail(SY_ERR_NOMEM, errbuf, errbuf_size, "rendering JSON: out of memory");
    if (w.bad || w.rd.p != w.rd.end)
        return codec_fail(SY_ERR_MALFORMED, errbuf, errbuf_size,
                          "malformed Avro body: %zu of %zu bytes rendered as %s",
                          (size_t)(w.rd.p - body), body_len, s->name);
    assert(w.len < codec->json_out_size);
    codec->json_out[w.len] = '\0';
    *json = codec->json_out;
    *json_len = w.len;
    return SY_OK;
}
