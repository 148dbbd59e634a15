/* codec_wire.h — the Avro binary primitives the codec's hand-written readers and writers
 * share: zigzag varints, doubles, strings and bytes, read from a validated body or written
 * into the codec's frame buffer. Private to schemas/; not a general Avro library: it
 * knows nothing of schemas, and reading trusts codec_guard_check to have run first. */
#ifndef SY_CODEC_WIRE_H
#define SY_CODEC_WIRE_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "codec_int.h"

/* A zigzag varint of 64 bits takes at most 10 bytes (7 bits each). */
#define CODEC_WIRE_VARINT_BYTES_MAX 10

/* Reads a body codec_guard_check has passed. Strings are copied, NUL-terminated, into
 * scratch: each string's length prefix takes at least one byte, so a scratch as large as
 * the body always holds them all. bad is set, never cleared, on anything unexpected. */
typedef struct codec_rd {
    const uint8_t *p;
    const uint8_t *end;
    char *scratch; /* next free byte; borrowed */
    bool bad;
} codec_rd_t;

static inline int64_t codec_rd_long(codec_rd_t *r) {
    /* no assert: the hot varint leaf; codec_extract asserts the reader's bounds */
    uint64_t u = 0;
    for (int shift = 0; shift < 7 * CODEC_WIRE_VARINT_BYTES_MAX; shift += 7) {
        if (r->p >= r->end)
            break;
        uint8_t b = *r->p++;
        u |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0)
            return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    }
    r->bad = true;
    return 0;
}

static inline int32_t codec_rd_int(codec_rd_t *r) {
    /* no assert: a cast of codec_rd_long, whose range the guard checked */
    return (int32_t)codec_rd_long(r);
}

/* Length-prefixed bytes, copied into scratch; NUL-terminated so strings read as C. */
static inline const char *codec_rd_bytes(codec_rd_t *r, size_t *len) {
    assert(r->p <= r->end && r->scratch);
    int64_t n = codec_rd_long(r);
    char *s = r->scratch;
    *len = 0;
    if (r->bad || n < 0 || n > r->end - r->p) {
        r->bad = true; /* and write nothing: only a length read keeps scratch in bounds */
        return "";
    }
    memcpy(s, r->p, (size_t)n);
    s[n] = '\0';
    r->p += n;
    r->scratch += n + 1;
    *len = (size_t)n;
    return s;
}

static inline const char *codec_rd_string(codec_rd_t *r) {
    /* no assert: a one-line wrapper of codec_rd_bytes */
    size_t len;
    return codec_rd_bytes(r, &len);
}

/* ["null", T]: true when the value branch follows. */
static inline bool codec_rd_present(codec_rd_t *r) {
    /* no assert: a one-line wrapper of codec_rd_long */
    return codec_rd_long(r) == 1;
}

static inline const char *codec_rd_opt_string(codec_rd_t *r) {
    /* no assert: a one-line wrapper of codec_rd_bytes */
    return codec_rd_present(r) ? codec_rd_string(r) : NULL;
}

static inline double codec_rd_double(codec_rd_t *r) {
    uint64_t u = 0;
    double d;
    assert(r->p <= r->end);
    if (r->end - r->p < 8) {
        r->bad = true;
        return 0;
    }
    for (int i = 7; i >= 0; i--)
        u = u << 8 | r->p[i];
    r->p += 8;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* The item count of the next block of a map or array: a negative count is followed by
 * the block's byte size, which a reader going item by item skips. */
static inline int64_t codec_rd_block(codec_rd_t *r) {
    int64_t n = codec_rd_long(r);
    if (n < 0) {
        assert(n != INT64_MIN); /* the guard refuses it */
        n = -n;
        (void)codec_rd_long(r);
    }
    return n;
}

/* Writes at out[pos..], growing codec->out within SY_FRAME_BYTES_MAX. err is sticky:
 * after a failure every write is skipped, and errbuf holds the first failure's text. */
typedef struct codec_wr {
    codec_t *codec;
    uint8_t *out;  /* codec->out, kept here; codec_wr_grow renews it */
    size_t pos;
    size_t room;   /* codec->out_size while err is SY_OK, 0 after a failure: a failed writer
                    * has no room, so every write goes to codec_wr_grow, which skips it */
    sy_err_t err;
    bool not_utf8; /* err is SY_ERR_INVALID_RECORD because a string is not UTF-8 */
    char *errbuf;
    size_t errbuf_size;
} codec_wr_t;

/* codec.c: grow codec->out for need more bytes at w->pos; false (w->err set) when not. */
bool codec_wr_grow(codec_wr_t *w, size_t need);

/* Make room for need more bytes at w->pos; false after any failure. */
static inline bool codec_wr_reserve(codec_wr_t *w, size_t need) {
    /* no assert: called for every field; encode_finish asserts the writer's bounds */
    if (w->pos + need <= w->room)
        return true;
    return codec_wr_grow(w, need);
}

/* The 7-bit groups of u (below 2^56) one to a byte, low group first, high bits clear:
 * 56 bits split in halves, quarters, then eighths, each step moving the upper part of every
 * lane left into the lane's free bits. Three steps instead of a loop per byte. */
static inline uint64_t codec_wire_spread7(uint64_t u) {
    /* no assert: a pure word function; its caller bounds u */
    u = (u & UINT64_C(0x000000000FFFFFFF)) | (u & UINT64_C(0x00FFFFFFF0000000)) << 4;
    u = (u & UINT64_C(0x00003FFF00003FFF)) | (u & UINT64_C(0x0FFFC0000FFFC000)) << 2;
    return (u & UINT64_C(0x007F007F007F007F)) | (u & UINT64_C(0x3F803F803F803F80)) << 1;
}

/* The varint of u at o (room for CODEC_WIRE_VARINT_BYTES_MAX); its length. Most are one
 * byte (a string's length, an enum, a branch): that case goes first. A value of 2 to 8
 * bytes (a time in ms takes 6) is spread into one word, its continuation bits set on all
 * bytes but its last, and stored whole: the bytes past its length are within the room and
 * are the next field's to overwrite. */
static inline size_t codec_wire_put_varint(uint8_t *o, uint64_t u) {
    /* no assert: the hot varint leaf; its callers reserve the room */
    size_t n = 0;
    if (__builtin_expect(u < 0x80, 1)) {
        o[0] = (uint8_t)u;
        return 1;
    }
    if (u < UINT64_C(1) << 56) {
        uint64_t x = codec_wire_spread7(u); /* not 0: u is */
        n = (size_t)(71 - __builtin_clzll(x)) >> 3; /* its bytes to the highest set, 2 to 8 */
        x |= UINT64_C(0x8080808080808080) >> (8 * (9 - n)); /* on bytes 0 to n - 2 */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        x = __builtin_bswap64(x);
#endif
        memcpy(o, &x, sizeof x);
        return n;
    }
    while (u >= 0x80) {
        o[n++] = (uint8_t)(u | 0x80);
        u >>= 7;
    }
    o[n++] = (uint8_t)u;
    return n;
}

/* The zigzag varint of v at o (room for CODEC_WIRE_VARINT_BYTES_MAX); its length. */
static inline size_t codec_wire_put_long(uint8_t *o, int64_t v) {
    /* no assert: a one-line wrapper of codec_wire_put_varint */
    return codec_wire_put_varint(o, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static inline void codec_wr_long(codec_wr_t *w, int64_t v) {
    /* no assert: the hot varint leaf; codec_wr_reserve asserts the writer's bounds */
    if (!codec_wr_reserve(w, CODEC_WIRE_VARINT_BYTES_MAX))
        return;
    w->pos += codec_wire_put_long(w->out + w->pos, v);
}

static inline void codec_wr_bytes(codec_wr_t *w, const void *buf, size_t len) {
    assert(buf || len == 0);
    codec_wr_long(w, (int64_t)len);
    if (len == 0 || !codec_wr_reserve(w, len))
        return;
    memcpy(w->out + w->pos, buf, len);
    w->pos += len;
}

/* codec.c: codec_wr_string_len step by step (the UTF-8 check, then the length and the
 * bytes, each reserved), for when the string may not fit, a write failed before, or it
 * has a byte that is not plain ASCII. */
void codec_wr_string_slow(codec_wr_t *w, const char *s, size_t len);

/* The string s of len bytes (strlen(s), measured by the caller). A string that is not
 * UTF-8 is refused here: what we write must pass what we read. When it fits, it is copied
 * and checked in one pass (codec_ascii_copy); only a string with a byte that is not plain
 * ASCII takes codec_wr_string_slow (checked by codec_utf8_valid, then written). */
static inline void codec_wr_string_len(codec_wr_t *w, const char *s, size_t len) {
    /* no assert: the hot string leaf; s is one the rules or codec_wr_string saw non-NULL,
     * len its strlen, and codec_wr_string_slow asserts both */
    if (w->pos + CODEC_WIRE_VARINT_BYTES_MAX + len > w->room) { /* or a write failed */
        codec_wr_string_slow(w, s, len);
        return;
    }
    uint8_t *o = w->out + w->pos;
    size_t n = codec_wire_put_long(o, (int64_t)len);
    if (!codec_ascii_copy(o + n, (const uint8_t *)s, len)) { /* the UTF-8 way, written again */
        codec_wr_string_slow(w, s, len);
        return;
    }
    w->pos += n + len;
}

/* The rules refuse NULL required strings first; this only keeps a slip from crashing. */
static inline void codec_wr_string(codec_wr_t *w, const char *s) {
    /* no assert: strlen, then codec_wr_string_len, which asserts */
    if (s == NULL) {
        w->err = w->err != SY_OK ? w->err : SY_ERR_INVALID_RECORD;
        w->room = 0;
        return;
    }
    codec_wr_string_len(w, s, strlen(s));
}

/* ["null", string]: branch 0 for NULL, else branch 1 and the string. */
static inline void codec_wr_opt_string(codec_wr_t *w, const char *s) {
    /* no assert: a union branch and codec_wr_string, which asserts */
    codec_wr_long(w, s != NULL);
    if (s != NULL)
        codec_wr_string(w, s);
}

static inline void codec_wr_double(codec_wr_t *w, double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    if (!codec_wr_reserve(w, 8))
        return;
    assert(w->pos + 8 <= w->room);
    for (int i = 0; i < 8; i++)
        w->out[w->pos + (size_t)i] = (uint8_t)(u >> (8 * i));
    w->pos += 8;
}

/* ---- Runs: several fields written under one reservation ----
 * A record's writer may put a run of fields down through a cursor (codec_wire_put_*),
 * with one reservation for the run, when that reservation shows that writing the same
 * fields one by one (codec_wr_*) could not fail for room: same bytes, same outcome. */

/* codec.c: grow codec->out so that max bytes fit at w->pos, only when w->pos + max is
 * within what codec_wr_grow may reserve; the run's cursor, or NULL (w->err untouched). */
uint8_t *codec_wr_run_grow(codec_wr_t *w, size_t max);

/* The cursor for a run of fields at w->pos whose codec_wr_* calls would reserve at most max
 * bytes from w->pos in all (10 for a long, 10 + len for a string, 8 for a double, 1 for a
 * boolean), or NULL when the run must be written field by field: after a failure, or near
 * SY_FRAME_BYTES_MAX, where one of those calls could fail part way. */
static inline uint8_t *codec_wr_run_start(codec_wr_t *w, size_t max) {
    /* no assert: the fast test of every run; codec_wr_run_grow asserts */
    if (w->pos + max <= w->room)
        return w->out + w->pos;
    return codec_wr_run_grow(w, max);
}

/* End the run whose cursor reached end; not_utf8: a string in it is not UTF-8, which fails
 * the writer as codec_wr_string would have. */
static inline void codec_wr_run_end(codec_wr_t *w, const uint8_t *end, bool not_utf8) {
    assert(end <= w->out + w->room); /* within what the run reserved */
    w->pos = (size_t)(end - w->out);
    if (not_utf8) {
        w->not_utf8 = true;
        w->err = SY_ERR_INVALID_RECORD;
        w->room = 0;
    }
}

/* Two words as one 16-byte vector (GCC's and Clang's vector extension: SSE2 on x86-64,
 * NEON on arm64), for copying strings 16 bytes a load. */
typedef uint64_t codec_wire_v2_t __attribute__((vector_size(16)));

/* Copy s[0..len) to o and say whether no byte has its high bit set. For the writer's strings,
 * whose len is their strlen, so that no byte is NUL: true says plain ASCII. Above 16 bytes,
 * 16 at a time, the last 16 as one load overlapping them (an id of 17 to 32 bytes is two
 * loads, no loop); 8 to 16 bytes, the first 8 and the last 8; 4 to 7, the first 4 and the
 * last 4; under 4, byte by byte. */
static inline bool codec_wire_copy_7bit(uint8_t *o, const char *s, size_t len) {
    const uint64_t highs = UINT64_C(0x8080808080808080);
    uint64_t v, w, seen = 0;
    uint32_t lo, hi;
    /* no assert: the copy of every string a run writes; its caller reserved o[0..len) */
    if (len > 16) {
        codec_wire_v2_t x, all;
        memcpy(&all, s, sizeof all);
        memcpy(o, &all, sizeof all);
        for (size_t i = 16; i + 16 < len; i += 16) {
            memcpy(&x, s + i, sizeof x);
            memcpy(o + i, &x, sizeof x);
            all |= x;
        }
        memcpy(&x, s + len - 16, sizeof x);
        memcpy(o + len - 16, &x, sizeof x);
        all |= x;
        return ((all[0] | all[1]) & highs) == 0;
    }
    if (len >= 8) {
        memcpy(&v, s, sizeof v);
        memcpy(&w, s + len - 8, sizeof w);
        memcpy(o, &v, sizeof v);
        memcpy(o + len - 8, &w, sizeof w);
        return ((v | w) & highs) == 0;
    }
    if (len >= 4) {
        memcpy(&lo, s, sizeof lo);
        memcpy(&hi, s + len - 4, sizeof hi);
        memcpy(o, &lo, sizeof lo);
        memcpy(o + len - 4, &hi, sizeof hi);
        return ((lo | hi) & (uint32_t)highs) == 0;
    }
    for (size_t i = 0; i < len; i++) {
        o[i] = (uint8_t)s[i];
        seen |= (uint8_t)s[i];
    }
    return (seen & 0x80) == 0;
}

/* The 8 bytes of d, little-endian, at o (codec_wr_double's); 8. */
static inline size_t codec_wire_put_double(uint8_t *o, double d) {
    uint64_t u;
    assert(o);
    memcpy(&u, &d, sizeof u);
    for (int i = 0; i < 8; i++)
        o[i] = (uint8_t)(u >> (8 * i));
    return 8;
}

/* The string s of len bytes (its strlen) at o, its length first: codec_wr_string_len's
 * bytes, with room for them reserved by the run. A string that is not plain ASCII is
 * checked (codec_utf8_valid) after the copy; *not_utf8 is set when it fails, else kept.
 * Returns the bytes written. */
__attribute__((always_inline))
static inline size_t codec_wire_put_string(uint8_t *o, const char *s, size_t len,
                                           bool *not_utf8) {
    /* no assert: the string leaf of runs; s is one the rules saw non-NULL */
    size_t n = codec_wire_put_varint(o, (uint64_t)len << 1); /* len's zigzag: len >= 0 */
    if (!codec_wire_copy_7bit(o + n, s, len) && !codec_utf8_valid((const uint8_t *)s, len))
        *not_utf8 = true;
    return n + len;
}

/* A prepared part's Avro (codec_part.c) at o, room for it reserved by the run: the value
 * alone (a string; a journey's id and version), or with opt the ["null", string] branch
 * before it. The cursor after it. */
static inline uint8_t *codec_wire_put_part(uint8_t *o, const sy_part_t *p, bool opt) {
    /* no assert: the copy of every part; codec_part_given or codec_part_journey asserted
     * that the record's field is p's */
    const uint8_t *from = p->avro + !opt;
    size_t len = p->avro_len - !opt;
    (void)codec_wire_copy_7bit(o, (const char *)from, len); /* a copy: its bytes are set */
    return o + len;
}

#endif
