/* engine_split.c — A/B/n splits and holdouts: a contact's bucket in [0, 10000) is a hash
 * of contact, journey and node ids, so the same contact takes the same arm on every run
 * and machine. A fixed 64-bit hash written here, never the platform's. */
#include "engine.h"

#include <assert.h>
#include <string.h>

#include "engine_int.h"
#include "sy_hash.h"

#define SPLIT_BUCKETS 10000 /* basis points: shares have up to two decimals of percent */

/* FNV-1a over s and its NUL, so "ab","c" and "a","bc" differ. */
static uint64_t fnv1a(uint64_t h, const char *s) {
    assert(s);
    return sy_hash_fnv1a64(h, s, strlen(s) + 1);
}

size_t engine_split_arm(const journey_split_t *split, const char *contact_id,
                        const char *journey_id, const char *node_id) {
    uint64_t h = fnv1a(fnv1a(fnv1a(SY_HASH_FNV64_OFFSET, contact_id), journey_id), node_id);
    int bucket = (int)(sy_hash_mix64(h) % SPLIT_BUCKETS);
    int upto = 0;
    assert(split->arms_count > 0); /* the loader rejects a split without arms */
    for (size_t i = 0; i < split->arms_count; i++) {
        upto += split->arms[i].basis_points;
        if (bucket < upto)
            return i;
    }
    return split->arms_count - 1; /* shares add up to 100%: only if the loader erred */
}
