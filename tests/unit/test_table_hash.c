/* test_table_hash.c — unit tests of sy_hash_table64 (base/sy_hash.h), the in-memory tables'
 * hash: every byte of a key counts wherever it is (the 8-byte steps and the tail), so does
 * its length and the seed, keys like the store's spread evenly over a table's low bits
 * (its slot index), and the tail's shortcut reads the bytes a copy would; and
 * sy_hash_key_equal, the tables' key compare, as memcmp answers at every length. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "sy_hash.h"

Test(table_hash, a_change_in_any_byte_changes_the_hash) {
    unsigned char key[40];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (unsigned char)('a' + i % 26);
    for (size_t len = 1; len <= sizeof key; len++) {
        uint64_t base = sy_hash_table64(0, key, len);
        for (size_t i = 0; i < len; i++) {
            key[i] ^= 1;
            cr_assert(ne(u64, sy_hash_table64(0, key, len), base), "len %zu, byte %zu", len, i);
            key[i] ^= 1;
        }
    }
}

Test(table_hash, the_length_and_the_seed_count) {
    const unsigned char key[9] = {0};
    cr_assert(ne(u64, sy_hash_table64(0, key, 8), sy_hash_table64(0, key, 9)));
    cr_assert(ne(u64, sy_hash_table64(0, key, 3), sy_hash_table64(0, key, 4)));
    cr_assert(ne(u64, sy_hash_table64(1, key, 4), sy_hash_table64(2, key, 4)));
}

Test(table_hash, contact_keys_spread_over_the_low_bits) {
    enum { KEYS = 65536, SLOTS = 4096 };
    static unsigned load[SLOTS];
    char key[32];
    unsigned most = 0;
    for (int i = 0; i < KEYS; i++) {
        int len = snprintf(key, sizeof key, "\x01%ccontact-%06d", (char)(i % 7), i);
        unsigned *slot = &load[sy_hash_table64(0, key, (size_t)len) & (SLOTS - 1)];
        most = ++*slot > most ? *slot : most;
    }
    /* 16 keys a slot on average; a uniform hash puts about 34 in the fullest. */
    cr_assert(most <= 48, "%u keys in the fullest of %d slots", most, SLOTS);
}

/* The hash as it was with the tail copied byte for byte: the shortcut for keys of 8 bytes
 * or more reads the same tail. */
static uint64_t hash_bytewise_tail(uint64_t seed, const unsigned char *b, size_t len) {
    uint64_t h = seed ^ (uint64_t)len * UINT64_C(0x9e3779b97f4a7c15);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t word;
        memcpy(&word, b + i, sizeof word);
        h = (h ^ word) * UINT64_C(0xff51afd7ed558ccd);
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    memcpy(&tail, b + i, len - i);
    return sy_hash_mix64((h ^ tail) * UINT64_C(0xc4ceb9fe1a85ec53));
}

Test(table_hash, the_tail_is_read_as_its_bytes_are) {
    unsigned char key[40];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (unsigned char)(7 + 31 * i);
    for (size_t len = 0; len <= sizeof key; len++)
        cr_assert(eq(u64, sy_hash_table64(5, key, len), hash_bytewise_tail(5, key, len)),
                  "len %zu", len);
}

Test(table_hash, key_equal_answers_as_memcmp_for_a_change_in_any_byte) {
    unsigned char a[40], b[40];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = b[i] = (unsigned char)(3 + 17 * i);
    for (size_t len = 0; len <= sizeof a; len++) {
        cr_assert(eq(int, sy_hash_key_equal(a, b, len), 1), "len %zu", len);
        for (size_t i = 0; i < len; i++) {
            b[i] ^= 0x80;
            cr_assert(eq(int, sy_hash_key_equal(a, b, len), 0), "len %zu, byte %zu", len, i);
            b[i] ^= 0x80;
        }
        if (len < sizeof a) { /* a byte beyond len is not compared */
            b[len] ^= 1;
            cr_assert(eq(int, sy_hash_key_equal(a, b, len), 1), "len %zu, byte after", len);
            b[len] ^= 1;
        }
    }
}
