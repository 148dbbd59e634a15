/* action_id.c — two independent 64-bit lanes in the manner of FNV-1a (the second also adds
 * a constant at each step) over the length-prefixed fields, each finished with a 64-bit
 * mixer: 128 bits, stable across machines and versions. The numbers are hashed as their
 * decimal text, written here digit by digit (no printf); the id is their 32 hex digits. */
#include "action_id.h"
#include "sy_hash.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef struct hash2 {
    uint64_t a, b;
} hash2_t;

/* Decimal text of the widest number hashed: a sign and 20 digits. */
#define ACTION_ID_DECIMAL_BYTES 21

/* The 64-bit FNV prime of both lanes, and the b lane's added constant. */
#define ACTION_ID_PRIME UINT64_C(0x100000001b3)
#define ACTION_ID_B_ADD UINT64_C(0x9e3779b97f4a7c15)
/* Three steps over zero bytes, folded: a*P^3, and b*P^3 + K*(P^2 + P + 1). */
#define ACTION_ID_PRIME3 (ACTION_ID_PRIME * ACTION_ID_PRIME * ACTION_ID_PRIME)
#define ACTION_ID_B_ADD3                                                                   \
    (ACTION_ID_B_ADD * (ACTION_ID_PRIME * ACTION_ID_PRIME + ACTION_ID_PRIME + 1))

/* One step of each lane over byte c. */
static inline void hash2_step(uint64_t *a, uint64_t *b, unsigned char c) {
    /* no assert: pure arithmetic on the caller's locals */
    *a = (*a ^ c) * ACTION_ID_PRIME;
    *b = (*b ^ c) * ACTION_ID_PRIME + ACTION_ID_B_ADD;
}

/* One field to hash: size bytes at s (borrowed), not NUL-terminated. */
typedef struct hash2_field {
    const char *s;
    size_t size;
} hash2_field_t;

/* Length-prefixed, so ("ab","c") and ("a","bc") differ. The prefix is the length's 4 bytes,
 * big-endian; below 256 its first three are zero, and their steps fold into one. The bytes
 * go four a turn, then the one to three left: the same steps in the same order, with less
 * counting and branching. */
static inline void hash2_field(uint64_t *lane_a, uint64_t *lane_b, const hash2_field_t *f) {
    const unsigned char *p = (const unsigned char *)f->s, *end = p + f->size;
    uint32_t len = (uint32_t)f->size;
    uint64_t a = *lane_a, b = *lane_b;
    if (f->size < 256) {
        a *= ACTION_ID_PRIME3;
        b = b * ACTION_ID_PRIME3 + ACTION_ID_B_ADD3;
    } else {
        assert(f->size <= UINT32_MAX); /* ids are bounded far below */
        hash2_step(&a, &b, (unsigned char)(len >> 24));
        hash2_step(&a, &b, (unsigned char)(len >> 16));
        hash2_step(&a, &b, (unsigned char)(len >> 8));
    }
    hash2_step(&a, &b, (unsigned char)len);
    for (; end - p >= 4; p += 4) {
        hash2_step(&a, &b, p[0]);
        hash2_step(&a, &b, p[1]);
        hash2_step(&a, &b, p[2]);
        hash2_step(&a, &b, p[3]);
    }
    switch (end - p) {
    case 3:
        hash2_step(&a, &b, end[-3]);
        /* fall through */
    case 2:
        hash2_step(&a, &b, end[-2]);
        /* fall through */
    case 1:
        hash2_step(&a, &b, end[-1]);
        break;
    default:
        break;
    }
    *lane_a = a;
    *lane_b = b;
}

/* The fields in order, the lanes kept in locals from the first byte to the last. */
static void hash2_fields(hash2_t *h, const hash2_field_t *fields, size_t count) {
    assert(h && fields);
    uint64_t a = h->a, b = h->b;
    for (size_t i = 0; i < count; i++)
        hash2_field(&a, &b, &fields[i]);
    h->a = a;
    h->b = b;
}

/* The decimal text of v, with a '-' when negative, written to end back from *end: returns
 * where it starts. */
static char *decimal_before(char *end, uint64_t magnitude, bool negative) {
    assert(end);
    char *p = end;
    for (; magnitude >= 10; magnitude /= 10)
        *--p = (char)('0' + magnitude % 10);
    *--p = (char)('0' + magnitude); /* the leading digit, without a division */
    if (negative)
        *--p = '-';
    return p;
}

static uint64_t magnitude_of(int64_t v) {
    /* no assert: total on every int64, INT64_MIN included */
    return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* "version:occurrence", as "%d:%u" printed it, written back from end: its field. */
static hash2_field_t version_occurrence_before(char *end, int32_t version,
                                               uint32_t occurrence) {
    assert(end);
    char *p = decimal_before(end, occurrence, false);
    *--p = ':';
    p = decimal_before(p, magnitude_of(version), version < 0);
    return (hash2_field_t){p, (size_t)(end - p)};
}

#ifdef __SSE2__
/* The 32 hex digits of hi then lo, most significant first, with SSE2 (every x86-64 has
 * it): the 16 bytes' high and low nibbles interleaved, then each nibble n turned into
 * '0' + n, plus 'a' - '0' - 10 when n > 9. */
static void hex128(char out[32], uint64_t hi, uint64_t lo) {
    assert(out);
    const __m128i nibble = _mm_set1_epi8(0x0f);
    __m128i v = _mm_set_epi64x((int64_t)__builtin_bswap64(lo), (int64_t)__builtin_bswap64(hi));
    __m128i high = _mm_and_si128(_mm_srli_epi16(v, 4), nibble);
    __m128i low = _mm_and_si128(v, nibble);
    __m128i first = _mm_unpacklo_epi8(high, low), second = _mm_unpackhi_epi8(high, low);
    const __m128i nine = _mm_set1_epi8(9), zero = _mm_set1_epi8('0');
    const __m128i letters = _mm_set1_epi8('a' - '0' - 10);
    first = _mm_add_epi8(_mm_add_epi8(first, zero),
                         _mm_and_si128(_mm_cmpgt_epi8(first, nine), letters));
    second = _mm_add_epi8(_mm_add_epi8(second, zero),
                          _mm_and_si128(_mm_cmpgt_epi8(second, nine), letters));
    _mm_storeu_si128((__m128i *)(void *)out, first);
    _mm_storeu_si128((__m128i *)(void *)(out + 16), second);
}
#else
static const char hex_digits[] = "0123456789abcdef";

/* The 32 hex digits of hi then lo, most significant first, a nibble at a time. */
static void hex128(char out[32], uint64_t hi, uint64_t lo) {
    assert(out);
    for (int i = 0; i < 16; i++) {
        out[i] = hex_digits[hi >> (60 - 4 * i) & 0xf];
        out[16 + i] = hex_digits[lo >> (60 - 4 * i) & 0xf];
    }
}
#endif

void action_id_format_n(char out[ACTION_ID_BYTES], const char *contact_id,
                        size_t contact_id_len, const char *journey_id, size_t journey_id_len,
                        int32_t journey_version, const char *node_id, uint32_t occurrence,
                        int64_t pass_at_ms) {
    hash2_t h = {UINT64_C(1469598103934665603), UINT64_C(0x84222325cbf29ce4)};
    char numbers[2 * ACTION_ID_DECIMAL_BYTES + 1], pass[ACTION_ID_DECIMAL_BYTES];
    assert(out && contact_id && journey_id && node_id);
    hash2_field_t fields[5] = {
        {contact_id, contact_id_len ? contact_id_len : strlen(contact_id)},
        {journey_id, journey_id_len ? journey_id_len : strlen(journey_id)},
        version_occurrence_before(numbers + sizeof numbers, journey_version, occurrence),
        {node_id, strlen(node_id)},
        {NULL, 0},
    };
    size_t count = 4;
    if (pass_at_ms != ACTION_ID_ONE_PASS) {
        char *p = decimal_before(pass + sizeof pass, magnitude_of(pass_at_ms), pass_at_ms < 0);
        fields[count++] = (hash2_field_t){p, (size_t)(pass + sizeof pass - p)};
    }
    hash2_fields(&h, fields, count);
    hex128(out, sy_hash_mix64(h.a), sy_hash_mix64(h.b ^ h.a));
    out[32] = '\0';
}

void action_id_format(char out[ACTION_ID_BYTES], const char *contact_id,
                      const char *journey_id, int32_t journey_version, const char *node_id,
                      uint32_t occurrence, int64_t pass_at_ms) {
    /* no assert: a call of action_id_format_n, which asserts */
    action_id_format_n(out, contact_id, 0, journey_id, 0, journey_version, node_id,
                       occurrence, pass_at_ms);
}
