/* test_action_id.c — unit tests of processor/engine/action_id.h: the ids are pinned (they
 * are on the wire and in replay transcripts, so they must never change), and the digit by
 * digit hashing of the numbers agrees with their printf text for edge and random values. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "action_id.h"
#include "sy_hash.h"

/* The definition, with the numbers printed: what the ids were first computed as. */
typedef struct ref_hash {
    uint64_t a, b;
} ref_hash_t;

static void ref_field(ref_hash_t *h, const char *s) {
    uint32_t len = (uint32_t)strlen(s);
    unsigned char bytes[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                              (unsigned char)(len >> 8), (unsigned char)len};
    for (size_t i = 0; i < 4 + (size_t)len; i++) {
        unsigned char c = i < 4 ? bytes[i] : (unsigned char)s[i - 4];
        h->a = (h->a ^ c) * UINT64_C(1099511628211);
        h->b = (h->b ^ c) * UINT64_C(0x100000001b3) + UINT64_C(0x9e3779b97f4a7c15);
    }
}

static void ref_format(char out[ACTION_ID_BYTES], const char *contact, const char *journey,
                       int32_t version, const char *node, uint32_t occurrence,
                       int64_t pass_at_ms) {
    ref_hash_t h = {UINT64_C(1469598103934665603), UINT64_C(0x84222325cbf29ce4)};
    char numbers[32];
    ref_field(&h, contact);
    ref_field(&h, journey);
    snprintf(numbers, sizeof numbers, "%d:%u", (int)version, (unsigned)occurrence);
    ref_field(&h, numbers);
    ref_field(&h, node);
    if (pass_at_ms != ACTION_ID_ONE_PASS) {
        snprintf(numbers, sizeof numbers, "%lld", (long long)pass_at_ms);
        ref_field(&h, numbers);
    }
    snprintf(out, ACTION_ID_BYTES, "%016llx%016llx", (unsigned long long)sy_hash_mix64(h.a),
             (unsigned long long)sy_hash_mix64(h.b ^ h.a));
}

Test(action_id, ids_are_pinned) {
    char id[ACTION_ID_BYTES];
    action_id_format(id, "c1", "coffee_email_promo", 1, "promo_email", 1, ACTION_ID_ONE_PASS);
    cr_assert(eq(str, id, "815fda55bf07f0f34a1a35ff08194890"));
    action_id_format(id, "", "", INT32_MIN, "", UINT32_MAX, INT64_MIN + 1);
    cr_assert(eq(str, id, "f1445158c127fcb3cec4fd3e8699b42c"));
    action_id_format(id, "k3", "j", -7, "n", 0, -1700000000000LL);
    cr_assert(eq(str, id, "e621d76fc68274fdf390aea5a2023da8"));
    action_id_format(id, "x", "y", 0, "z", 10, 0);
    cr_assert(eq(str, id, "2be1b4cd9eeda9313187fcf451f90816"));
}

Test(action_id, numbers_hash_as_their_printed_text) {
    static const int32_t versions[] = {INT32_MIN, -10, -1, 0, 1, 9, 10, 99, 100, INT32_MAX};
    static const uint32_t occurrences[] = {0, 1, 9, 10, 4294967295u};
    static const int64_t passes[] = {ACTION_ID_ONE_PASS, INT64_MIN + 1, -1, 0, 7,
                                     1700000000000LL, INT64_MAX};
    char got[ACTION_ID_BYTES], want[ACTION_ID_BYTES];
    for (size_t v = 0; v < sizeof versions / sizeof *versions; v++)
        for (size_t o = 0; o < sizeof occurrences / sizeof *occurrences; o++)
            for (size_t p = 0; p < sizeof passes / sizeof *passes; p++) {
                action_id_format(got, "c", "j", versions[v], "n", occurrences[o], passes[p]);
                ref_format(want, "c", "j", versions[v], "n", occurrences[o], passes[p]);
                cr_assert(eq(str, got, want), "version %d occurrence %u pass %lld",
                          versions[v], occurrences[o], (long long)passes[p]);
            }
}

Test(action_id, random_fields_give_the_reference_id) {
    uint64_t x = 42;
    char got[ACTION_ID_BYTES], want[ACTION_ID_BYTES], contact[24], node[24];
    for (int i = 0; i < 20000; i++) {
        x = x * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        snprintf(contact, sizeof contact, "c%llu", (unsigned long long)(x >> 40));
        snprintf(node, sizeof node, "n%u", (unsigned)(x >> 60));
        int64_t pass = (x >> 3 & 1) ? ACTION_ID_ONE_PASS : (int64_t)(x >> 1) - (int64_t)(x >> 2);
        action_id_format(got, contact, "journey", (int32_t)(x >> 32), node, (uint32_t)x, pass);
        ref_format(want, contact, "journey", (int32_t)(x >> 32), node, (uint32_t)x, pass);
        cr_assert(eq(str, got, want), "draw %d", i);
    }
}

/* Fields of every length up to past 256, where the length prefix's second byte turns
 * nonzero, and of every remainder of the four-byte steps. */
Test(action_id, fields_of_every_length_give_the_reference_id) {
    static char letters[601], high[601], contact[601], node[601];
    char got[ACTION_ID_BYTES], want[ACTION_ID_BYTES];
    for (size_t i = 0; i < 600; i++) {
        letters[i] = (char)('a' + i % 26);
        high[i] = (char)(0x80 + i % 100);
    }
    for (size_t len = 0; len <= 600; len++) {
        memcpy(contact, letters, len);
        contact[len] = '\0';
        memcpy(node, high, 600 - len);
        node[600 - len] = '\0';
        action_id_format(got, contact, "j", 3, node, 2, (int64_t)len);
        ref_format(want, contact, "j", 3, node, 2, (int64_t)len);
        cr_assert(eq(str, got, want), "length %zu", len);
    }
}

/* The lengths that matter for action_id_format_n: not given (0), a short id, and the
 * length prefix's turn from one byte to two (255, 256: ids are shorter, the hash is not). */
Test(action_id, lengths_given_make_the_same_id_as_measured) {
    static const size_t lens[] = {1, 2, 128, 255, 256};
    static char contact[300], journey[300];
    char want[ACTION_ID_BYTES], got[ACTION_ID_BYTES];
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t n = lens[i], m = lens[sizeof lens / sizeof lens[0] - 1 - i];
        memset(contact, 'c', n);
        contact[n] = '\0';
        memset(journey, 'j', m);
        journey[m] = '\0';
        action_id_format(want, contact, journey, 3, "node", 2, ACTION_ID_ONE_PASS);
        action_id_format_n(got, contact, n, journey, m, 3, "node", 2, ACTION_ID_ONE_PASS);
        cr_assert(eq(str, got, want), "contact of %zu bytes, journey of %zu", n, m);
        action_id_format_n(got, contact, 0, journey, m, 3, "node", 2, ACTION_ID_ONE_PASS);
        cr_assert(eq(str, got, want), "contact not given, journey of %zu", m);
        action_id_format_n(got, contact, n, journey, 0, 3, "node", 2, -5);
        action_id_format(want, contact, journey, 3, "node", 2, -5);
        cr_assert(eq(str, got, want), "contact of %zu bytes, journey not given", n);
    }
    action_id_format_n(got, "c1", 2, "coffee_email_promo", 18, 1, "promo_email", 1,
                       ACTION_ID_ONE_PASS);
    cr_assert(eq(str, got, "815fda55bf07f0f34a1a35ff08194890")); /* the pinned id */
}
