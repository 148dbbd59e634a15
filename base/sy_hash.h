/* sy_hash.h — the project's fixed, non-cryptographic hashes: FNV-1a (32 and 64 bit) and
 * MurmurHash3's 64-bit finalizer. Their outputs are persisted or shared (action ids,
 * split buckets, derived transactional ids), so they never change and never depend on
 * the platform. Apart: sy_hash_table64, for in-memory tables only, which may change, and
 * sy_hash_key_equal, those tables' key compare.
 * Not for anything an attacker chooses the input of. */
#ifndef SY_HASH_H
#define SY_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SY_HASH_FNV32_OFFSET UINT32_C(2166136261)
#define SY_HASH_FNV64_OFFSET UINT64_C(14695981039346656037)
#define SY_HASH_FNV64_PRIME UINT64_C(1099511628211)

/* Continue the 32-bit FNV-1a hash h over len bytes at p. */
static inline uint32_t sy_hash_fnv1a32(uint32_t h, const void *p, size_t len) {
    const unsigned char *b = p;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * UINT32_C(16777619);
    return h;
}

/* Continue the 64-bit FNV-1a hash h over len bytes at p. */
static inline uint64_t sy_hash_fnv1a64(uint64_t h, const void *p, size_t len) {
    const unsigned char *b = p;
#pragma GCC unroll 8 /* eight steps a count and compare: GCC -O2 leaves the loop as is */
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * SY_HASH_FNV64_PRIME;
    return h;
}

/* MurmurHash3's finalizer: spreads every input bit over the output, which FNV-1a's low
 * bits alone do poorly (a modulus of them is biased). */
static inline uint64_t sy_hash_mix64(uint64_t x) {
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

/* The last len - i bytes at p (fewer than 8) as memcpy puts them in a zeroed word. With
 * 8 or more bytes, one load of the last 8 shifted, not a memcpy of a variable length (a
 * call to libc's in every lookup). */
static inline uint64_t sy_hash_tail64(const unsigned char *p, size_t i, size_t len) {
    uint64_t tail = 0;
    size_t rest = len - i;
    if (len < 8 || !rest) {
        memcpy(&tail, p + i, rest);
        return tail;
    }
    memcpy(&tail, p + len - 8, sizeof tail);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return tail << (64 - 8 * rest);
#else
    return tail >> (64 - 8 * rest);
#endif
}

/* A hash for the keys of in-memory hash tables, 8 bytes a step (FNV-1a's byte a step was
 * the state store's costliest lookup part): seed, then len bytes at p, mixed. Never
 * persisted nor shared — its value depends on the platform's byte order and may change —
 * so never for anything that outlives the process or orders an output. */
static inline uint64_t sy_hash_table64(uint64_t seed, const void *p, size_t len) {
    const unsigned char *b = p;
    uint64_t h = seed ^ (uint64_t)len * UINT64_C(0x9e3779b97f4a7c15);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t word;
        memcpy(&word, b + i, sizeof word);
        h = (h ^ word) * UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 32;
    }
    return sy_hash_mix64((h ^ sy_hash_tail64(b, i, len)) * UINT64_C(0xc4ceb9fe1a85ec53));
}

/* Whether the len bytes at a and b are the same: the key compare of in-memory hash tables,
 * whose keys are short, 8 bytes a step and the last 8 bytes overlapping, not a call to
 * libc's memcmp; a key of 8 to 16 bytes (a contact's) in two steps and no loop. */
static inline int sy_hash_key_equal(const void *a, const void *b, size_t len) {
    const unsigned char *x = a, *y = b;
    uint64_t u, v, w, z;
    if (len < 8)
        return memcmp(x, y, len) == 0;
    if (len <= 16) {
        memcpy(&u, x, sizeof u);
        memcpy(&v, y, sizeof v);
        memcpy(&w, x + len - 8, sizeof w);
        memcpy(&z, y + len - 8, sizeof z);
        return ((u ^ v) | (w ^ z)) == 0;
    }
    for (size_t i = 0; i + 8 < len; i += 8) {
        memcpy(&u, x + i, sizeof u);
        memcpy(&v, y + i, sizeof v);
        if (u != v)
            return 0;
    }
    memcpy(&u, x + len - 8, sizeof u);
    memcpy(&v, y + len - 8, sizeof v);
    return u == v;
}

/* MurmurHash2 as Kafka's Java client computes it (Utils.murmur2), whose partitioner
 * (murmur2_random) the service's producers use: the partition of a key among n is
 * (sy_hash_murmur2(key, len) & 0x7fffffff) % n. */
static inline uint32_t sy_hash_murmur2(const void *p, size_t len) {
    const uint32_t m = 0x5bd1e995, seed = 0x9747b28c;
    const unsigned char *data = p;
    size_t i = 0;
    uint32_t h = seed ^ (uint32_t)len;
    for (; i + 4 <= len; i += 4) {
        uint32_t k = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 |
                     (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24;
        k *= m;
        k ^= k >> 24;
        k *= m;
        h = h * m ^ k;
    }
    switch (len - i) {
    case 3:
        h ^= (uint32_t)data[i + 2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)data[i + 1] << 8;
        /* fall through */
    case 1:
        h ^= data[i];
        h *= m;
        break;
    default:
        break;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return h;
}

#endif
