/* sy_hash.h — the project's fixed, non-cryptographic hashes: FNV-1a (32 and 64 bit) and
 * MurmurHash3's 64-bit finalizer. Their outputs are persisted or shared (action ids,
 * split buckets, derived transactional ids), so they never change and never depend on
 * the platform. Not for anything an attacker chooses the input of. */
#ifndef SY_HASH_H
#define SY_HASH_H

#include <stddef.h>
#include <stdint.h>

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

#endif
