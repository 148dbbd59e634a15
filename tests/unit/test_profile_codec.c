/* test_profile_codec.c — unit tests of the profile encoding (state/profile_codec.h): round
 * trips of every value kind, every truncation and every extension of a valid encoding
 * refused, embedded NULs and bad kinds refused, the attribute and strings limits, and the
 * contact key. Pure functions: no RocksDB. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <string.h>

#include "profile_codec.h"
#include "state_store.h"

/* Room for the profiles these tests encode: a few attributes of short strings. */
#define VALUE_BYTES_MAX 512
#define ATTRS_MAX 8

/* Five attributes, one of each kind, sorted by name; a long string spans several words. */
static const sy_attr_t sample[] = {
    {"a_null", {.kind = SY_VALUE_NULL}},
    {"b_bool", {.kind = SY_VALUE_BOOL, .u.b = 1}},
    {"c_long", {.kind = SY_VALUE_LONG, .u.l = -1234567890123LL}},
    {"d_double", {.kind = SY_VALUE_DOUBLE, .u.d = 3.25}},
    {"e_string_with_a_name_past_eight_bytes",
     {.kind = SY_VALUE_STRING, .u.s = "a value of more than sixteen bytes"}},
};
#define SAMPLE_COUNT (sizeof sample / sizeof sample[0])

static size_t encode_sample(uint8_t *value) {
    size_t len = profile_codec_encode(value, VALUE_BYTES_MAX, sample, SAMPLE_COUNT);
    cr_assert(gt(sz, len, 0));
    return len;
}

static int decode(const uint8_t *value, size_t len, sy_attr_t *attrs, size_t *count,
                  char *strings, size_t strings_size) {
    return profile_codec_decode(value, len, attrs, ATTRS_MAX, count, strings, strings_size);
}

Test(profile_codec, every_value_kind_round_trips) {
    uint8_t value[VALUE_BYTES_MAX];
    size_t len = encode_sample(value), count = 0;
    sy_attr_t back[ATTRS_MAX];
    char strings[VALUE_BYTES_MAX];
    cr_assert(eq(int, decode(value, len, back, &count, strings, len), 1));
    cr_assert(eq(sz, count, SAMPLE_COUNT));
    for (size_t i = 0; i < count; i++) {
        cr_assert(eq(str, (char *)back[i].name, (char *)sample[i].name));
        cr_assert(eq(int, back[i].value.kind, sample[i].value.kind), "%s", sample[i].name);
    }
    cr_assert(eq(int, back[1].value.u.b, 1));
    cr_assert(eq(i64, back[2].value.u.l, sample[2].value.u.l));
    cr_assert(eq(dbl, back[3].value.u.d, 3.25));
    cr_assert(eq(str, (char *)back[4].value.u.s, (char *)sample[4].value.u.s));
}

Test(profile_codec, longs_of_every_size_round_trip) {
    const int64_t longs[] = {0, 1, -1, 63, -64, 64, 8191, -8193, INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        sy_attr_t one = {"n", {.kind = SY_VALUE_LONG, .u.l = longs[i]}}, back;
        uint8_t value[32];
        char strings[32];
        size_t len = profile_codec_encode(value, sizeof value, &one, 1), count = 0;
        cr_assert(eq(int, decode(value, len, &back, &count, strings, sizeof strings), 1));
        cr_assert(eq(i64, back.value.u.l, longs[i]));
    }
}

/* Each proper prefix of a valid encoding is malformed, and count is left alone. */
Test(profile_codec, every_truncation_is_refused) {
    uint8_t value[VALUE_BYTES_MAX];
    size_t len = encode_sample(value);
    sy_attr_t back[ATTRS_MAX];
    char strings[VALUE_BYTES_MAX];
    for (size_t cut = 0; cut < len; cut++) {
        size_t count = 99;
        cr_assert(eq(int, decode(value, cut, back, &count, strings, sizeof strings), 0),
                  "a profile cut to %zu of %zu bytes", cut, len);
        cr_assert(eq(sz, count, 99));
    }
}

Test(profile_codec, trailing_bytes_are_refused) {
    uint8_t value[VALUE_BYTES_MAX];
    size_t len = encode_sample(value), count = 0;
    sy_attr_t back[ATTRS_MAX];
    char strings[VALUE_BYTES_MAX];
    value[len] = 0;
    cr_assert(eq(int, decode(value, len + 1, back, &count, strings, sizeof strings), 0));
}

/* A NUL inside a name or a string value, at every position of either: refused. */
Test(profile_codec, an_embedded_nul_is_refused) {
    uint8_t value[VALUE_BYTES_MAX];
    size_t len = encode_sample(value);
    sy_attr_t back[ATTRS_MAX];
    char strings[VALUE_BYTES_MAX];
    const char *texts[] = {sample[4].name, sample[4].value.u.s};
    for (size_t t = 0; t < 2; t++) {
        const uint8_t *at = memmem(value, len, texts[t], strlen(texts[t]));
        cr_assert(not(eq(ptr, (void *)at, NULL)));
        for (size_t i = 0; i < strlen(texts[t]); i++) {
            uint8_t copy[VALUE_BYTES_MAX];
            size_t count = 99;
            memcpy(copy, value, len);
            copy[(size_t)(at - value) + i] = 0;
            cr_assert(eq(int, decode(copy, len, back, &count, strings, sizeof strings), 0),
                      "a NUL at byte %zu of \"%s\"", i, texts[t]);
            cr_assert(eq(sz, count, 99));
        }
    }
}

Test(profile_codec, bad_version_kind_and_bool_are_refused) {
    sy_attr_t one = {"b", {.kind = SY_VALUE_BOOL, .u.b = 0}}, back;
    uint8_t value[16];
    char strings[16];
    size_t len = profile_codec_encode(value, sizeof value, &one, 1), count = 0;
    cr_assert(eq(sz, len, 6)); /* version, count, name length, 'b', kind, value */
    value[0] = PROFILE_CODEC_VERSION + 1;
    cr_assert(eq(int, decode(value, len, &back, &count, strings, sizeof strings), 0));
    len = profile_codec_encode(value, sizeof value, &one, 1);
    value[len - 1] = 2; /* a bool is 0 or 1 */
    cr_assert(eq(int, decode(value, len, &back, &count, strings, sizeof strings), 0));
    value[len - 1] = 0;
    value[len - 2] = 0x7f; /* no such kind */
    cr_assert(eq(int, decode(value, len, &back, &count, strings, sizeof strings), 0));
    value[len - 2] = SY_VALUE_BOOL;
    cr_assert(eq(int, decode(value, len, &back, &count, strings, sizeof strings), 1));
}

/* A varint of more than ten bytes, and a length past the end: malformed. */
Test(profile_codec, overlong_varints_and_lengths_are_refused) {
    uint8_t value[16] = {PROFILE_CODEC_VERSION};
    sy_attr_t back[ATTRS_MAX];
    char strings[16];
    size_t count = 0;
    memset(value + 1, 0x80, 11);
    value[12] = 0;
    cr_assert(eq(int, decode(value, 13, back, &count, strings, sizeof strings), 0));
    const uint8_t too_long[] = {PROFILE_CODEC_VERSION, 1, 0xff, 0xff, 0xff, 0xff, 0xff,
                                0xff, 0xff, 0xff, 0xff, 0x01, 'a'};
    cr_assert(eq(int, decode(too_long, sizeof too_long, back, &count, strings,
                             sizeof strings), 0));
}

Test(profile_codec, more_attributes_than_room_is_a_limit) {
    uint8_t value[VALUE_BYTES_MAX];
    size_t len = encode_sample(value), count = 0;
    sy_attr_t back[ATTRS_MAX];
    char strings[VALUE_BYTES_MAX];
    cr_assert(eq(int, profile_codec_decode(value, len, back, SAMPLE_COUNT - 1, &count,
                                           strings, sizeof strings), -1));
}

/* A strings area one byte short of the names and strings with their NULs: malformed. */
Test(profile_codec, a_strings_area_too_small_is_refused) {
    uint8_t value[VALUE_BYTES_MAX];
    size_t len = encode_sample(value), count = 0, need = 0;
    sy_attr_t back[ATTRS_MAX];
    char strings[VALUE_BYTES_MAX];
    for (size_t i = 0; i < SAMPLE_COUNT; i++)
        need += strlen(sample[i].name) + 1;
    need += strlen(sample[4].value.u.s) + 1;
    cr_assert(eq(int, decode(value, len, back, &count, strings, need - 1), 0));
    cr_assert(eq(int, decode(value, len, back, &count, strings, need), 1));
}

Test(profile_codec, the_key_is_the_partition_then_the_contact_id) {
    uint8_t key[PROFILE_KEY_BYTES_MAX];
    char id[SY_ID_BYTES_MAX + 2];
    cr_assert(eq(sz, profile_codec_key(key, 0x0102, "c-42"), 6));
    cr_assert(eq(int, memcmp(key, "\x01\x02" "c-42", 6), 0));
    memset(id, 'x', SY_ID_BYTES_MAX);
    id[SY_ID_BYTES_MAX] = '\0';
    cr_assert(eq(sz, profile_codec_key(key, 3, id), 2 + SY_ID_BYTES_MAX));
    cr_assert(eq(int, memcmp(key + 2, id, SY_ID_BYTES_MAX), 0));
    id[SY_ID_BYTES_MAX] = 'x';
    id[SY_ID_BYTES_MAX + 1] = '\0';
    cr_assert(eq(sz, profile_codec_key(key, 3, id), 0), "an id of %d bytes",
              SY_ID_BYTES_MAX + 1);
    cr_assert(eq(sz, profile_codec_key(key, 3, ""), 2));
}

/* Names of 1 to 17 bytes, each with a NUL at each position: refused; without, decoded. */
Test(profile_codec, a_nul_in_a_short_name_is_refused_at_every_length) {
    for (size_t n = 1; n <= 17; n++) {
        char name[24];
        memset(name, 'n', n);
        name[n] = '\0';
        sy_attr_t one = {name, {.kind = SY_VALUE_NULL}}, back;
        uint8_t value[32];
        char strings[32];
        size_t len = profile_codec_encode(value, sizeof value, &one, 1), count = 0;
        cr_assert(eq(int, decode(value, len, &back, &count, strings, sizeof strings), 1));
        cr_assert(eq(str, (char *)back.name, name));
        for (size_t i = 0; i < n; i++) {
            uint8_t copy[32];
            memcpy(copy, value, len);
            copy[3 + i] = 0; /* after version, count and the name's length */
            cr_assert(eq(int, decode(copy, len, &back, &count, strings, sizeof strings), 0),
                      "a NUL at byte %zu of a %zu-byte name", i, n);
        }
    }
}
