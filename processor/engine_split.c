/* engine_split.c — A/B/n splits and holdouts: a contact's bucket in [0, 10000) is a hash
 * of contact, journey and node ids, so the same contact takes the same arm on every run
 * and machine. A fixed 64-bit hash written here, never the platform's. */
#include "engine.h"

#include <string.h>

#include "engine_int.h"

#define SPLIT_BUCKETS 10000 /* basis points: shares have up to two decimals of percent */

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

/* FNV-1a over s and its NUL, so "ab","c" and "a","bc" differ. */
static uint64_t fnv1a(uint64_t h, const char *s) {
    size_t n = strlen(s) + 1;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= FNV_PRIME;
    }
    return h;
}

/* MurmurHash3's finalizer: FNV-1a's low bits alone spread poorly over a modulus. */
static uint64_t mix64(uint64_t h) {
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

size_t engine_split_arm(const journey_split_t *split, const char *contact_id,
                        const char *journey_id, const char *node_id) {
    uint64_t h = fnv1a(fnv1a(fnv1a(FNV_OFFSET, contact_id), journey_id), node_id);
    int bucket = (int)(mix64(h) % SPLIT_BUCKETS);
    int upto = 0;
    for (size_t i = 0; i < split->arms_count; i++) {
        upto += split->arms[i].basis_points;
        if (bucket < upto)
            return i;
    }
    return split->arms_count - 1; /* shares add up to 100%: only if the loader erred */
}
