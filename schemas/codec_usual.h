/* codec_usual.h — the readers of the usual encoding, shared by the fused decoders
 * (codec_decode_event.c, codec_decode_profile.c): a cursor kept in registers and no
 * messages. Every count, index and branch in one byte, every string's length in one or
 * two, a long within 8 bytes: anything else, valid or not, makes them return false, and
 * the caller reads the body again the checked way, which accepts it or refuses it with
 * the guard's messages. They take no error path of their own. Internal to schemas/. */
#ifndef CODEC_USUAL_H
#define CODEC_USUAL_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "codec_int.h"

typedef struct usual {
    const uint8_t *p, *end;
    char *scratch; /* next free byte; borrowed */
} usual_t;

/* A one-byte varint of a value from 0 to 63 (high bit and zigzag sign bit clear). */
__attribute__((always_inline))
static inline bool usual_small(usual_t *u, size_t *v) {
    /* no assert: the hot byte step; the record reader asserts the cursor */
    if (u->p >= u->end || (*u->p & 0x81) != 0)
        return false;
    *v = *u->p++ >> 1;
    return true;
}

/* A string's length in one byte, or in two (under 8192 bytes). */
__attribute__((always_inline))
static inline bool usual_length(usual_t *u, size_t *size) {
    const uint8_t *p = u->p;
    size_t v;
    /* no assert: the hot length step; the record reader asserts the cursor */
    if (p >= u->end)
        return false;
    v = *p;
    if ((v & 0x81) != 0) { /* not one byte of a length under 64 */
        if ((v & 0x80) == 0 || u->end - p < 2 || (p[1] & 0x80) != 0)
            return false;
        v = (v & 0x7f) | (size_t)p[1] << 7;
        if (v & 1) /* a negative length */
            return false;
        p++;
    }
    u->p = p + 1;
    *size = v >> 1;
    return true;
}

/* A string, copied NUL-terminated into scratch: checked plain ASCII as it is copied, or
 * else UTF-8 without NUL by the guard's own test. */
__attribute__((always_inline))
static inline bool usual_string(usual_t *u, const char **out, size_t *len) {
    size_t size;
    /* no assert: the hot string step; the record reader asserts scratch */
    if (!usual_length(u, &size) || size > (size_t)(u->end - u->p))
        return false;
    if (!codec_ascii_copy((uint8_t *)u->scratch, u->p, size)) {
        if (!codec_utf8_valid(u->p, size))
            return false;
        memcpy(u->scratch, u->p, size);
    }
    u->scratch[size] = '\0';
    *out = u->scratch;
    *len = size;
    u->scratch += size + 1;
    u->p += size;
    return true;
}

/* The branch of a ["null", T] union: 0 or 1, in one byte; *present when 1. */
__attribute__((always_inline))
static inline bool usual_branch(usual_t *u, bool *present) {
    /* no assert: the hot byte step; the record reader asserts the cursor */
    if (u->p >= u->end || (*u->p != 0 && *u->p != 2))
        return false;
    *present = *u->p++ != 0;
    return true;
}

/* A ["null", "string"]: branch 0 (NULL, length 0) or branch 1 and its string. */
__attribute__((always_inline))
static inline bool usual_opt_string(usual_t *u, const char **out, size_t *len) {
    bool present = false;
    /* no assert: usual_branch and usual_string check */
    *out = NULL;
    *len = 0;
    return usual_branch(u, &present) && (!present || usual_string(u, out, len));
}

static inline bool usual_enum(usual_t *u, const codec_guard_t *node, int32_t *index) {
    size_t v;
    assert(node->type == AVRO_ENUM);
    if (!usual_small(u, &v) || v >= node->count)
        return false;
    *index = (int32_t)v;
    return true;
}

/* A long of at most 8 bytes, with 8 bytes left to read them as one word: the bytes up to
 * the first without a continuation bit, their 7-bit groups gathered by three shifts. */
static inline bool usual_long(usual_t *u, int64_t *out) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v, stops, x;
    assert(u->p <= u->end);
    if (u->end - u->p < 8)
        return false;
    memcpy(&v, u->p, sizeof v);
    stops = ~v & UINT64_C(0x8080808080808080); /* the last byte has its high bit clear */
    if (stops == 0)
        return false;
    u->p += __builtin_ctzll(stops) / 8 + 1;
    x = v & (stops ^ (stops - 1)) & UINT64_C(0x7f7f7f7f7f7f7f7f);
    x = (x & UINT64_C(0x007f007f007f007f)) | (x & UINT64_C(0x7f007f007f007f00)) >> 1;
    x = (x & UINT64_C(0x00003fff00003fff)) | (x & UINT64_C(0x3fff00003fff0000)) >> 2;
    x = (x & UINT64_C(0x000000000fffffff)) | (x & UINT64_C(0x0fffffff00000000)) >> 4;
    *out = (int64_t)(x >> 1) ^ -(int64_t)(x & 1);
    return true;
#else
    (void)u, (void)out; /* no assert: big-endian hosts take the guard's step */
    return false;
#endif
}

/* A double's 8 little-endian bytes, as codec_guard_double reads them. */
static inline bool usual_double(usual_t *u, double *out) {
    uint64_t bits = 0;
    assert(u->p <= u->end);
    if (u->end - u->p < 8)
        return false;
    for (int i = 7; i >= 0; i--)
        bits = bits << 8 | u->p[i];
    memcpy(out, &bits, sizeof *out);
    u->p += 8;
    return true;
}

/* Blocks of one-byte counts, max items at most in all (more: false, and the checked way
 * says how many), each read by item(u, its index, ctx); the count into *count. Always
 * inline, so that item is too. */
__attribute__((always_inline))
static inline bool usual_blocks(usual_t *u, size_t max,
                                bool (*item)(usual_t *, size_t, void *), void *ctx,
                                size_t *count) {
    size_t n = 0, block;
    assert(u->p <= u->end && item);
    for (;;) {
        if (!usual_small(u, &block))
            return false;
        if (block == 0)
            break;
        if (block > max - n)
            return false;
        for (; block > 0; block--, n++)
            if (!item(u, n, ctx))
                return false;
    }
    *count = n;
    return true;
}

#endif
