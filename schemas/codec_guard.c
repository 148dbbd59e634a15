/* codec_guard.c — checks an Avro binary body against its schema before avro-c sees it.
 * avro-c 1.11 trusts enum and union indexes and allocates string lengths before checking
 * them against the input; this walk refuses such bodies and never reads past the end.
 * The schema is compiled once into a tree of plain nodes (avro-c's schema accessors cost
 * a hash lookup per field). It is not a decoder: it keeps no values, only counts map
 * entries. */
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_int.h"

/* Deeper nesting than this is refused; switchyard's schemas nest three levels. */
#define GUARD_DEPTH_MAX CODEC_GUARD_DEPTH_MAX

typedef codec_guard_walk_t guard_t;

static sy_err_t guard_datum(guard_t *g, const codec_guard_t *node);

static size_t guard_at(const guard_t *g, const uint8_t *p) {
    assert(p >= g->start && p <= g->end);
    return g->base + (size_t)(p - g->start);
}

static size_t guard_left(const guard_t *g) {
    assert(g->p <= g->end);
    return (size_t)(g->end - g->p);
}

/* Report err for the item that starts at p. */
__attribute__((format(printf, 4, 5)))
static sy_err_t guard_fail(guard_t *g, sy_err_t err, const uint8_t *p, const char *fmt, ...) {
    char what[192];
    va_list ap;
    assert(err != SY_OK);
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return codec_fail(err, g->errbuf, g->errbuf_size, "%s Avro body: %s%s%s%s at byte %zu",
                      err == SY_ERR_TRUNCATED ? "truncated" : "malformed",
                      g->field ? "field '" : "", g->field ? g->field : "",
                      g->field ? "': " : "", what, guard_at(g, p));
}

/* A zigzag varint of at most max_bytes bytes; the last byte may carry only last_bits. */
static sy_err_t guard_varint(guard_t *g, const char *what, int max_bytes, int last_bits,
                             int64_t *out) {
    const uint8_t *at = g->p;
    uint64_t v = 0;
    assert(max_bytes > 1 && max_bytes <= 10 && last_bits > 0 && last_bits < 7);
    if (at < g->end && *at < 0x80) { /* one byte, the usual case: never the last of many */
        g->p++;
        *out = (int64_t)(*at >> 1) ^ -(int64_t)(*at & 1);
        return SY_OK;
    }
    for (int i = 0; i < max_bytes; i++) {
        uint8_t b;
        if (g->p >= g->end)
            return guard_fail(g, SY_ERR_TRUNCATED, at, "%s ends after %d bytes", what, i);
        b = *g->p++;
        if (i == max_bytes - 1 && (b & 0x7f) >> last_bits != 0)
            return guard_fail(g, SY_ERR_MALFORMED, at, "%s overflows %d bits", what,
                              7 * (max_bytes - 1) + last_bits);
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
            *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
            return SY_OK;
        }
    }
    return guard_fail(g, SY_ERR_MALFORMED, at, "%s is longer than %d bytes", what,
                      max_bytes);
}

static sy_err_t guard_long(guard_t *g, const char *what, int64_t *out) {
    /* no assert: a one-line call of guard_varint, which asserts */
    return guard_varint(g, what, 10, 1, out);
}

static sy_err_t guard_int(guard_t *g, const char *what, int32_t *out) {
    int64_t v = 0;
    sy_err_t err = guard_varint(g, what, 5, 4, &v);
    /* no assert: the hot varint wrapper; guard_varint asserts its bounds (5 bytes of
     * which the last carries 4 bits: 32 bits, the cast keeps every value) */
    *out = (int32_t)v;
    return err;
}

static sy_err_t guard_skip(guard_t *g, size_t n, const char *what) {
    assert(what);
    if (guard_left(g) < n)
        return guard_fail(g, SY_ERR_TRUNCATED, g->p, "%s needs %zu bytes, %zu left", what, n,
                          guard_left(g));
    g->p += n;
    return SY_OK;
}

/* Length of the UTF-8 sequence starting at s (at most n bytes), or 0 when invalid. NUL is
 * refused too: decoded strings are C strings. */
static size_t guard_utf8_char(const uint8_t *s, size_t n) {
    uint32_t c;
    size_t len;
    /* no assert: the per-character leaf; both callers pass n > 0 and assert their input */
    if (s[0] == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, c = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, c = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, c = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
        (len == 4 && (c < 0x10000 || c > 0x10ffff)))
        return 0;
    return len;
}


/* Plain ASCII: 1 to 0x7f (no NUL, no high bit). */
static bool ascii_word(uint64_t v) {
    /* no assert: a pure word test */
    return !codec_word_not_ascii(v);
}

static bool ascii_byte(uint8_t c) {
    /* no assert: a pure byte test */
    return (uint8_t)(c - 1) < 0x7f;
}

size_t codec_ascii_prefix(const uint8_t *s, size_t n) {
    /* no assert: codec_word_prefix asserts */
    return codec_word_prefix(s, n, ascii_word, ascii_byte);
}

bool codec_utf8_valid(const uint8_t *s, size_t len) {
    /* no assert: the loop of every string written; codec_wr_string asserts */
    size_t i = codec_ascii_prefix(s, len);
    while (i < len) {
        size_t n = guard_utf8_char(s + i, len - i);
        if (!n)
            return false;
        i += n;
        i += codec_ascii_prefix(s + i, len - i);
    }
    return true;
}

/* A string or bytes length and its content; strings must be UTF-8 without NUL. On
 * success *data and *size (both may be NULL) say where the content is. */
static sy_err_t guard_sized(guard_t *g, bool is_string, const uint8_t **data, size_t *size) {
    const char *what = is_string ? "string" : "bytes";
    const uint8_t *at = g->p;
    int64_t len;
    sy_err_t err = guard_long(g, is_string ? "string length" : "bytes length", &len);
    if (err != SY_OK)
        return err;
    if (len < 0)
        return guard_fail(g, SY_ERR_MALFORMED, at, "negative %s length %" PRId64, what, len);
    if (len > SY_FRAME_BYTES_MAX)
        return guard_fail(g, SY_ERR_MALFORMED, at,
                          "%s length %" PRId64 " exceeds any frame (%d bytes)", what, len,
                          SY_FRAME_BYTES_MAX);
    if ((uint64_t)len > guard_left(g))
        return guard_fail(g, SY_ERR_TRUNCATED, at, "%s of %" PRId64 " bytes, %zu left",
                          what, len, guard_left(g));
    const uint8_t *end = g->p + len;
    for (const uint8_t *s = g->p; is_string && s < end;) {
        s += codec_ascii_prefix(s, (size_t)(end - s));
        if (s == end)
            break;
        size_t n = guard_utf8_char(s, (size_t)(end - s));
        if (n == 0)
            return guard_fail(g, SY_ERR_MALFORMED, s,
                              "string holds a NUL or invalid UTF-8 byte 0x%02x", *s);
        s += n;
    }
    assert((uint64_t)len <= guard_left(g));
    if (data)
        *data = g->p;
    if (size)
        *size = (size_t)len;
    g->p += len;
    return SY_OK;
}

static sy_err_t guard_bytes(guard_t *g, bool is_string) {
    /* no assert: a one-line call of guard_sized, which asserts */
    return guard_sized(g, is_string, NULL, NULL);
}

sy_err_t codec_guard_enum(guard_t *g, const codec_guard_t *node, int32_t *index) {
    const uint8_t *at = g->p;
    int count = (int)node->count;
    assert(node->type == AVRO_ENUM);
    sy_err_t err = guard_int(g, "enum index", index);
    if (err != SY_OK)
        return err;
    if (*index < 0 || *index >= count)
        return guard_fail(g, SY_ERR_MALFORMED, at,
                          "enum %s index %" PRId32 " out of range (%d symbols)",
                          node->name, *index, count);
    return SY_OK;
}

sy_err_t codec_guard_union(guard_t *g, const codec_guard_t *node, int32_t *index) {
    const uint8_t *at = g->p;
    size_t count = node->count;
    assert(node->type == AVRO_UNION && (node->children || count == 0));
    sy_err_t err = guard_int(g, "union branch", index);
    if (err != SY_OK)
        return err;
    if (*index < 0 || (size_t)*index >= count)
        return guard_fail(g, SY_ERR_MALFORMED, at,
                          "union branch %" PRId32 " out of range (%zu branches)", *index,
                          count);
    return SY_OK;
}

static sy_err_t guard_union(guard_t *g, const codec_guard_t *node) {
    int32_t index;
    sy_err_t err = codec_guard_union(g, node, &index);
    /* no assert: codec_guard_union asserts the node and checks the index */
    return err != SY_OK ? err : guard_datum(g, node->children[index]);
}

/* One block header of an array or map: *count items, and *block_end when it has a size. */
sy_err_t codec_guard_block(guard_t *g, bool zero_size_items, int64_t *count,
                           const uint8_t **block_end) {
    const uint8_t *at = g->p;
    int64_t size;
    sy_err_t err = guard_long(g, "block count", count);
    *block_end = NULL;
    if (err != SY_OK || *count >= 0)
        goto check;
    if (*count == INT64_MIN)
        return guard_fail(g, SY_ERR_MALFORMED, at, "block count %" PRId64 " out of range",
                          *count);
    *count = -*count;
    if ((err = guard_long(g, "block byte size", &size)) != SY_OK)
        return err;
    if (size < 0)
        return guard_fail(g, SY_ERR_MALFORMED, at, "negative block byte size %" PRId64,
                          size);
    if ((uint64_t)size > guard_left(g))
        return guard_fail(g, SY_ERR_TRUNCATED, at,
                          "block of %" PRId64 " bytes, %zu left", size, guard_left(g));
    *block_end = g->p + size;
    assert(*block_end <= g->end);
check:
    if (err != SY_OK || *count == 0)
        return err;
    if (*count > SY_FRAME_BYTES_MAX)
        return guard_fail(g, SY_ERR_MALFORMED, at, "block count %" PRId64 " exceeds any frame",
                          *count);
    if (!zero_size_items && (uint64_t)*count > guard_left(g))
        return guard_fail(g, SY_ERR_TRUNCATED, at, "block of %" PRId64 " items, %zu bytes left",
                          *count, guard_left(g));
    return SY_OK;
}

/* Array or map: blocks until a zero count; negative counts carry a byte size. */
static sy_err_t guard_blocks(guard_t *g, const codec_guard_t *node, bool is_map) {
    assert(node->count == 1 && node->children && node->children[0]);
    const codec_guard_t *item = node->children[0];
    bool zero_size_items = !is_map && item->type == AVRO_NULL;
    for (;;) {
        const uint8_t *block_start, *block_end;
        int64_t count;
        sy_err_t err = codec_guard_block(g, zero_size_items, &count, &block_end);
        if (err != SY_OK || count == 0)
            return err;
        block_start = g->p;
        for (int64_t i = 0; i < count; i++) {
            if (is_map && (err = guard_bytes(g, true)) != SY_OK)
                return err;
            if ((err = guard_datum(g, item)) != SY_OK)
                return err;
            g->map_entries += is_map;
        }
        if ((err = codec_guard_block_done(g, block_start, block_end)) != SY_OK)
            return err;
    }
}

sy_err_t codec_guard_block_done(guard_t *g, const uint8_t *block_start,
                                const uint8_t *block_end) {
    assert(block_start >= g->start && block_start <= g->p);
    if (block_end != NULL && g->p != block_end)
        return guard_fail(g, SY_ERR_MALFORMED, block_start,
                          "block byte size %zu does not match its items (%zu bytes)",
                          (size_t)(block_end - block_start), (size_t)(g->p - block_start));
    return SY_OK;
}

static sy_err_t guard_record(guard_t *g, const codec_guard_t *node) {
    const char *outer = g->field;
    assert(node->type == AVRO_RECORD && (node->fields || node->count == 0));
    for (size_t i = 0; i < node->count; i++) {
        sy_err_t err;
        g->field = node->fields[i];
        err = guard_datum(g, node->children[i]);
        if (err != SY_OK)
            return err;
    }
    g->field = outer;
    return SY_OK;
}

static sy_err_t guard_boolean(guard_t *g) {
    assert(g->p <= g->end);
    if (g->p >= g->end)
        return guard_fail(g, SY_ERR_TRUNCATED, g->p, "boolean needs 1 byte, 0 left");
    if (*g->p > 1)
        return guard_fail(g, SY_ERR_MALFORMED, g->p, "boolean byte %u is neither 0 nor 1",
                          *g->p);
    g->p++;
    return SY_OK;
}

static sy_err_t guard_datum(guard_t *g, const codec_guard_t *node) {
    sy_err_t err;
    int32_t ignored_int;
    int64_t ignored_long;
    if (++g->depth > GUARD_DEPTH_MAX)
        return guard_fail(g, SY_ERR_MALFORMED, g->p, "nesting deeper than %d",
                          GUARD_DEPTH_MAX);
    assert(node);
    switch (node->type) {
    case AVRO_NULL: err = SY_OK; break;
    case AVRO_BOOLEAN: err = guard_boolean(g); break;
    case AVRO_INT32: err = guard_int(g, "int", &ignored_int); break;
    case AVRO_INT64: err = guard_long(g, "long", &ignored_long); break;
    case AVRO_FLOAT: err = guard_skip(g, 4, "float"); break;
    case AVRO_DOUBLE: err = guard_skip(g, 8, "double"); break;
    case AVRO_STRING: err = guard_bytes(g, true); break;
    case AVRO_BYTES: err = guard_bytes(g, false); break;
    case AVRO_FIXED:
        err = guard_skip(g, node->count, "fixed");
        break;
    case AVRO_ENUM: err = codec_guard_enum(g, node, &ignored_int); break;
    case AVRO_UNION: err = guard_union(g, node); break;
    case AVRO_ARRAY: err = guard_blocks(g, node, false); break;
    case AVRO_MAP: err = guard_blocks(g, node, true); break;
    case AVRO_RECORD: err = guard_record(g, node); break;
    case AVRO_LINK: err = guard_datum(g, node->children[0]); break;
    default:
        err = guard_fail(g, SY_ERR_MALFORMED, g->p, "schema type %d unknown to the guard",
                         (int)node->type);
        break;
    }
    g->depth--;
    return err;
}

sy_err_t codec_guard_finish(guard_t *g) {
    assert(g->p <= g->end);
    g->field = NULL;
    if (g->p != g->end)
        return guard_fail(g, SY_ERR_MALFORMED, g->p, "%zu trailing bytes after the record",
                          guard_left(g));
    return SY_OK;
}

sy_err_t codec_guard_string(guard_t *g, const uint8_t **data, size_t *size) {
    /* no assert: a one-line call of guard_sized, which asserts */
    return guard_sized(g, true, data, size);
}

sy_err_t codec_guard_long(guard_t *g, int64_t *out) {
    /* no assert: a one-line call of guard_varint, which asserts */
    return guard_long(g, "long", out);
}

sy_err_t codec_guard_double(guard_t *g, double *out) {
    const uint8_t *at = g->p;
    uint64_t u = 0;
    sy_err_t err = guard_skip(g, 8, "double");
    /* no assert: guard_skip asserts and checks the 8 bytes are there */
    for (int i = 7; err == SY_OK && i >= 0; i--)
        u = u << 8 | at[i];
    memcpy(out, &u, sizeof *out);
    return err;
}

sy_err_t codec_guard_check(const codec_guard_t *guard, const uint8_t *body, size_t len,
                           size_t base, size_t *map_entries, char *errbuf,
                           size_t errbuf_size) {
    guard_t g;
    codec_guard_walk_start(&g, body, len, base, errbuf, errbuf_size);
    assert(guard != NULL);
    sy_err_t err = guard_datum(&g, guard);
    if (err != SY_OK)
        return err;
    assert(g.depth == 0 && g.p <= g.end);
    if ((err = codec_guard_finish(&g)) != SY_OK)
        return err;
    *map_entries = g.map_entries;
    return SY_OK;
}
