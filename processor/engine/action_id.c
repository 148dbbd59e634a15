/* action_id.c — two independent 64-bit FNV-1a hashes over the length-prefixed fields,
 * each finished with a 64-bit mixer: 128 bits, stable across machines and versions. */
#include "action_id.h"
#include "sy_hash.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct hash2 {
    uint64_t a, b;
} hash2_t;

static void hash2_bytes(hash2_t *h, const void *data, size_t len) {
    const unsigned char *p = data;
    assert(data || len == 0);
    for (size_t i = 0; i < len; i++) {
        h->a = (h->a ^ p[i]) * UINT64_C(1099511628211);
        h->b = (h->b ^ p[i]) * UINT64_C(0x100000001b3) + UINT64_C(0x9e3779b97f4a7c15);
    }
}

/* Length-prefixed, so ("ab","c") and ("a","bc") differ. */
static void hash2_field(hash2_t *h, const char *s) {
    size_t size = strlen(s);
    assert(size <= UINT32_MAX); /* ids are bounded far below */
    uint32_t len = (uint32_t)size;
    unsigned char prefix[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                               (unsigned char)(len >> 8), (unsigned char)len};
    hash2_bytes(h, prefix, sizeof prefix);
    hash2_bytes(h, s, len);
}

void action_id_format(char out[ACTION_ID_BYTES], const char *contact_id,
                      const char *journey_id, int32_t journey_version, const char *node_id,
                      uint32_t occurrence, int64_t pass_at_ms) {
    hash2_t h = {UINT64_C(1469598103934665603), UINT64_C(0x84222325cbf29ce4)};
    char numbers[32];
    assert(out && contact_id && journey_id && node_id);
    hash2_field(&h, contact_id);
    hash2_field(&h, journey_id);
    snprintf(numbers, sizeof numbers, "%d:%u", (int)journey_version, (unsigned)occurrence);
    hash2_field(&h, numbers);
    hash2_field(&h, node_id);
    if (pass_at_ms != ACTION_ID_ONE_PASS) {
        snprintf(numbers, sizeof numbers, "%lld", (long long)pass_at_ms);
        hash2_field(&h, numbers);
    }
    snprintf(out, ACTION_ID_BYTES, "%016llx%016llx", (unsigned long long)sy_hash_mix64(h.a),
             (unsigned long long)sy_hash_mix64(h.b ^ h.a));
}
