/* action_id.c — two independent 64-bit lanes in the manner of FNV-1a (the second also adds
 * a constant at each step) over the length-prefixed fields, each finished with a 64-bit
 * mixer: 128 bits, stable across machines and versions. The numbers are hashed as their
 * decimal text, written here digit by digit (no printf). */
#include "action_id.h"
#include "sy_hash.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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

/* The two hex digits of every byte, so a byte is written with one lookup (and a NUL, so no
 * compiler warns of a string initializer without one). */
static const char hex_pairs[2 * 256 + 1] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* Written out rather than looped: the compiler keeps the loop, at two more instructions a
 * byte. */
static inline void hex32(char out[8], uint32_t v) {
    /* no assert: hex64 checks out */
    memcpy(out, hex_pairs + 2 * (v >> 24), 2);
    memcpy(out + 2, hex_pairs + 2 * (v >> 16 & 0xff), 2);
    memcpy(out + 4, hex_pairs + 2 * (v >> 8 & 0xff), 2);
    memcpy(out + 6, hex_pairs + 2 * (v & 0xff), 2);
}

static void hex64(char out[16], uint64_t v) {
    assert(out);
    hex32(out, (uint32_t)(v >> 32));
    hex32(out + 8, (uint32_t)v);
}

void action_id_format(char out[ACTION_ID_BYTES], const char *contact_id,
                      const char *journey_id, int32_t journey_version, const char *node_id,
                      uint32_t occurrence, int64_t pass_at_ms) {
    hash2_t h = {UINT64_C(1469598103934665603), UINT64_C(0x84222325cbf29ce4)};
    char numbers[2 * ACTION_ID_DECIMAL_BYTES + 1], pass[ACTION_ID_DECIMAL_BYTES];
    assert(out && contact_id && journey_id && node_id);
    hash2_field_t fields[5] = {
        {contact_id, strlen(contact_id)},
        {journey_id, strlen(journey_id)},
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
    hex64(out, sy_hash_mix64(h.a));
    hex64(out + 16, sy_hash_mix64(h.b ^ h.a));
    out[32] = '\0';
}
