/* profile_codec.c — profiles as bytes: varint lengths and counts, zigzag varints for
 * longs, IEEE doubles little-endian. Names are not NUL-terminated on disk; decoding
 * copies them out with their NUL. */
#include "profile_codec.h"

#include <assert.h>
#include <string.h>

#include "state_store.h"

/* A key is the 2-byte partition and the contact id. */
_Static_assert(STATE_PARTITIONS_MAX <= 1 << 16, "a partition fits the 2-byte key prefix");
_Static_assert(2 + SY_ID_BYTES_MAX <= PROFILE_KEY_BYTES_MAX, "every profile key fits");

/* A writer that stops (ok = 0) rather than run past the end of its buffer. */
typedef struct out {
    uint8_t *buf;
    size_t size, len;
    int ok;
} out_t;

static void put_bytes(out_t *o, const void *p, size_t n) {
    assert(o->len <= o->size && (p || !n));
    if (!o->ok || o->size - o->len < n) {
        o->ok = 0;
        return;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

static void put_varint(out_t *o, uint64_t v) {
    /* no assert: the hot varint leaf; put_bytes asserts the output's bounds */
    uint8_t tmp[10];
    size_t n = 0;
    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    put_bytes(o, tmp, n);
}

static void put_string(out_t *o, const char *s) {
    assert(s);
    size_t n = strlen(s);
    put_varint(o, n);
    put_bytes(o, s, n);
}

static void put_value(out_t *o, const sy_value_t *v) {
    assert(!o->ok || o->len <= o->size);
    uint8_t kind = (uint8_t)v->kind;
    put_bytes(o, &kind, 1);
    switch (v->kind) {
    case SY_VALUE_NULL:
        break;
    case SY_VALUE_BOOL: {
        uint8_t b = v->u.b ? 1 : 0;
        put_bytes(o, &b, 1);
        break;
    }
    case SY_VALUE_LONG:
        put_varint(o, ((uint64_t)v->u.l << 1) ^ (uint64_t)(v->u.l >> 63));
        break;
    case SY_VALUE_DOUBLE: {
        uint64_t bits;
        uint8_t le[8];
        memcpy(&bits, &v->u.d, sizeof bits);
        for (int i = 0; i < 8; i++)
            le[i] = (uint8_t)(bits >> (8 * i));
        put_bytes(o, le, 8);
        break;
    }
    case SY_VALUE_STRING:
        put_string(o, v->u.s);
        break;
    default:
        o->ok = 0;
    }
}

size_t profile_codec_encode(uint8_t *buf, size_t buf_size, const sy_attr_t *attrs,
                            size_t count) {
    out_t o = {buf, buf_size, 0, 1};
    assert((buf || !buf_size) && (attrs || !count));
    uint8_t version = PROFILE_CODEC_VERSION;
    put_bytes(&o, &version, 1);
    put_varint(&o, count);
    for (size_t i = 0; i < count && o.ok; i++) {
        put_string(&o, attrs[i].name);
        put_value(&o, &attrs[i].value);
    }
    return o.ok ? o.len : 0;
}

/* A reader over the encoding and the strings area it copies into: cursors, not offsets, so
 * a bound is one compare and an advance one add. */
typedef struct in {
    const uint8_t *p, *end;
    char *s, *s_end;
} in_t;

static inline int get_varint(in_t *in, uint64_t *v) {
    /* no assert: the hot varint leaf; its callers assert the input's bounds */
    const uint8_t *p = in->p;
    if (p < in->end && *p < 0x80) { /* lengths, counts and small longs: one byte */
        *v = *p;
        in->p = p + 1;
        return 1;
    }
    uint64_t out = 0;
    for (unsigned shift = 0; shift < 70 && p < in->end; shift += 7) {
        uint8_t b = *p++;
        out |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = out;
            in->p = p;
            return 1;
        }
    }
    return 0;
}

/* Is there a zero byte in w: the classic test, exact as a yes or no. */
#define HAS_ZERO64(w) (((w) - 0x0101010101010101u) & ~(w) & 0x8080808080808080u)
#define HAS_ZERO32(w) (((w) - 0x01010101u) & ~(w) & 0x80808080u)

/* Copy n bytes from src to dst; 0 when one of them is NUL (it would cut the name short).
 * Whole words, the last one overlapping the one before: no byte loop past 3 bytes. */
static inline int copy_no_nul(char *dst, const uint8_t *src, size_t n) {
    /* no assert: the hot copy leaf; get_string asserts both bounds */
    if (n >= 8) {
        uint64_t w, zero = 0;
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&w, src + i, 8);
            memcpy(dst + i, &w, 8);
            zero |= HAS_ZERO64(w);
        }
        memcpy(&w, src + n - 8, 8);
        memcpy(dst + n - 8, &w, 8);
        return !(zero | HAS_ZERO64(w));
    }
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, src, 4);
        memcpy(&hi, src + n - 4, 4);
        memcpy(dst, &lo, 4);
        memcpy(dst + n - 4, &hi, 4);
        return !(HAS_ZERO32(lo) | HAS_ZERO32(hi));
    }
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        dst[i] = (char)src[i];
        ok &= src[i] != 0;
    }
    return ok;
}

static inline const char *get_string(in_t *in) {
    uint64_t n;
    if (!get_varint(in, &n) || n > (uint64_t)(in->end - in->p) ||
        n >= (uint64_t)(in->s_end - in->s))
        return NULL;
    char *s = in->s;
    assert(in->p + n <= in->end && s + n < in->s_end);
    if (!copy_no_nul(s, in->p, (size_t)n))
        return NULL;
    s[n] = '\0';
    in->p += n;
    in->s = s + n + 1;
    return s;
}

static inline int get_value(in_t *in, sy_value_t *v) {
    assert(in->p <= in->end);
    if (in->p >= in->end)
        return 0;
    uint64_t u;
    switch (*in->p++) {
    case SY_VALUE_NULL:
        v->kind = SY_VALUE_NULL;
        return 1;
    case SY_VALUE_BOOL:
        if (in->p >= in->end || *in->p > 1)
            return 0;
        v->kind = SY_VALUE_BOOL;
        v->u.b = *in->p++ == 1;
        return 1;
    case SY_VALUE_LONG:
        if (!get_varint(in, &u))
            return 0;
        v->kind = SY_VALUE_LONG;
        v->u.l = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
        return 1;
    case SY_VALUE_DOUBLE:
        if (in->end - in->p < 8)
            return 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(&u, in->p, 8); /* the disk's byte order: one load, not eight */
#else
        u = 0;
        for (int i = 7; i >= 0; i--)
            u = (u << 8) | in->p[i];
#endif
        in->p += 8;
        v->kind = SY_VALUE_DOUBLE;
        memcpy(&v->u.d, &u, sizeof v->u.d);
        return 1;
    case SY_VALUE_STRING:
        v->kind = SY_VALUE_STRING;
        return (v->u.s = get_string(in)) != NULL;
    default:
        return 0;
    }
}

int profile_codec_decode(const uint8_t *buf, size_t len, sy_attr_t *attrs, size_t attrs_max,
                         size_t *count, char *strings, size_t strings_size) {
    assert((buf || !len) && strings);
    if (len < 1 || buf[0] != PROFILE_CODEC_VERSION)
        return 0;
    in_t in = {buf + 1, buf + len, strings, strings + strings_size};
    uint64_t n;
    if (!get_varint(&in, &n))
        return 0;
    if (n > attrs_max)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!(attrs[i].name = get_string(&in)) || !get_value(&in, &attrs[i].value))
            return 0;
    }
    if (in.p != in.end)
        return 0;
    *count = (size_t)n;
    assert(*count <= attrs_max && in.s <= in.s_end);
    return 1;
}
