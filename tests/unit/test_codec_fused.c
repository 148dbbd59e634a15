/* test_codec_fused.c — the input event's one-pass decode (guard and read together): every
 * check the guard made on an event body still refuses, with the guard's message, and on
 * 100,000 seeded mutations of valid event frames the decoder gives exactly the result and
 * message of codec_to_json, which still guards the whole body first and reads it after. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_fixture.h"

/* A frame built by hand: the event header, then body bytes. */
typedef struct hand {
    uint8_t b[512];
    size_t n;
} hand_t;

static void put_raw(hand_t *h, const void *p, size_t n) {
    cr_assert_leq(h->n + n, sizeof h->b);
    memcpy(h->b + h->n, p, n);
    h->n += n;
}

static void put_long(hand_t *h, int64_t v) {
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    for (; u >= 0x80; u >>= 7)
        put_raw(h, &(uint8_t){(uint8_t)(u | 0x80)}, 1);
    put_raw(h, &(uint8_t){(uint8_t)u}, 1);
}

static void put_str(hand_t *h, const char *s) {
    put_long(h, (int64_t)strlen(s));
    put_raw(h, s, strlen(s));
}

/* Header and the fields before `upto` of a valid email "sent" event (field index). */
static hand_t event_upto(int upto) {
    hand_t h = {{0, 0, 0, 0, 1}, 5};
    if (upto > 0)
        put_str(&h, "e1");
    if (upto > 1)
        put_str(&h, "c1");
    if (upto > 2)
        put_long(&h, 1000);
    for (int i = 3; i < upto && i < 13; i++)
        put_long(&h, 0); /* channel EMAIL, type SENT, then null branches */
    return h;
}

/* The decoder refuses h with err and a message holding want, the same as the guard. */
static void expect_refused(const hand_t *h, sy_err_t err, const char *want) {
    sy_event_t e;
    char guard_msg[512];
    char *json = NULL;
    sy_err_t guard_err = codec_to_json(codec, h->b, h->n, &json, guard_msg, sizeof guard_msg);
    free(json);
    expect_err(codec_decode_event(codec, h->b, h->n, &e, errbuf, sizeof errbuf), err);
    cr_expect(strstr(errbuf, want) != NULL, "message \"%s\" lacks \"%s\"", errbuf, want);
    cr_expect(eq(int, (int)guard_err, (int)err));
    cr_expect(eq(str, errbuf, guard_msg));
}

Test(codec, fused_decode_accepts_the_hand_made_event) {
    hand_t h = event_upto(13);
    put_long(&h, 0);
    sy_event_t e;
    expect_err(codec_decode_event(codec, h.b, h.n, &e, errbuf, sizeof errbuf), SY_OK);
    cr_expect(eq(str, (char *)e.event_id, "e1"));
    cr_expect(eq(str, (char *)e.contact_id, "c1"));
    cr_expect(eq(i64, e.occurred_at_ms, 1000));
    cr_expect(e.message_id == NULL && e.bounce == SY_BOUNCE_NONE && !e.has_value);
}

Test(codec, fused_decode_refuses_bad_strings_as_the_guard_did) {
    hand_t h = event_upto(0);
    expect_refused(&h, SY_ERR_TRUNCATED, "field 'event_id': string length ends after 0 bytes");
    put_long(&h, -1);
    expect_refused(&h, SY_ERR_MALFORMED, "negative string length -1 at byte 5");
    h = event_upto(0);
    put_long(&h, INT64_C(1) << 40);
    expect_refused(&h, SY_ERR_MALFORMED, "exceeds any frame");
    h = event_upto(0);
    put_long(&h, 9);
    put_raw(&h, "ab", 2);
    expect_refused(&h, SY_ERR_TRUNCATED, "string of 9 bytes, 2 left");
    h = event_upto(1);
    put_long(&h, 3);
    put_raw(&h, "a\0b", 3);
    expect_refused(&h, SY_ERR_MALFORMED, "field 'contact_id': string holds a NUL");
    h = event_upto(1);
    put_long(&h, 10);
    put_raw(&h, "abcdefghi\xc3", 10); /* a cut two-byte character after eight ASCII */
    expect_refused(&h, SY_ERR_MALFORMED, "invalid UTF-8 byte 0xc3");
    h = event_upto(0);
    put_raw(&h, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x81\x01", 11);
    expect_refused(&h, SY_ERR_MALFORMED, "string length is longer than 10 bytes");
    h = event_upto(0);
    put_raw(&h, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10);
    expect_refused(&h, SY_ERR_MALFORMED, "string length overflows 64 bits");
}

Test(codec, fused_decode_refuses_bad_numbers_enums_and_unions_as_the_guard_did) {
    hand_t h = event_upto(2);
    put_raw(&h, "\x80", 1);
    expect_refused(&h, SY_ERR_TRUNCATED, "field 'occurred_at': long ends after 1 bytes");
    h = event_upto(3);
    put_long(&h, 9);
    expect_refused(&h, SY_ERR_MALFORMED, "enum Channel index 9 out of range (9 symbols)");
    h = event_upto(3);
    put_raw(&h, "\xff\xff\xff\xff\x7f", 5);
    expect_refused(&h, SY_ERR_MALFORMED, "field 'channel': enum index overflows 32 bits");
    h = event_upto(4);
    put_long(&h, -1);
    expect_refused(&h, SY_ERR_MALFORMED, "enum EventType index -1 out of range");
    h = event_upto(5);
    put_long(&h, 2);
    expect_refused(&h, SY_ERR_MALFORMED,
                   "field 'message_id': union branch 2 out of range (2 branches)");
    h = event_upto(10);
    put_long(&h, 1);
    expect_refused(&h, SY_ERR_TRUNCATED, "field 'text': string length ends");
    h = event_upto(11);
    put_long(&h, 1);
    put_long(&h, 2);
    expect_refused(&h, SY_ERR_MALFORMED, "enum BounceKind index 2 out of range (2 symbols)");
    h = event_upto(12);
    put_long(&h, 1);
    put_raw(&h, "\0\0\0\0", 4);
    expect_refused(&h, SY_ERR_TRUNCATED, "field 'value': double needs 8 bytes, 4 left");
}

Test(codec, fused_decode_refuses_bad_blocks_and_trailing_bytes_as_the_guard_did) {
    hand_t h = event_upto(13);
    put_raw(&h, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10); /* INT64_MIN */
    expect_refused(&h, SY_ERR_MALFORMED, "field 'props': block count -9223372036854775808");
    h = event_upto(13);
    put_long(&h, -1);
    put_long(&h, -5);
    expect_refused(&h, SY_ERR_MALFORMED, "negative block byte size -5");
    h = event_upto(13);
    put_long(&h, -1);
    put_long(&h, 50);
    expect_refused(&h, SY_ERR_TRUNCATED, "block of 50 bytes, 0 left");
    h = event_upto(13);
    put_long(&h, INT64_C(1) << 40);
    expect_refused(&h, SY_ERR_MALFORMED, "exceeds any frame");
    h = event_upto(13);
    put_long(&h, 30);
    expect_refused(&h, SY_ERR_TRUNCATED, "block of 30 items, 0 bytes left");
    h = event_upto(13);
    put_long(&h, -1);
    put_long(&h, 5);
    put_str(&h, "k");
    put_str(&h, "v");
    put_raw(&h, "\0\0", 2);
    expect_refused(&h, SY_ERR_MALFORMED, "block byte size 5 does not match its items (4 bytes)");
    h = event_upto(13);
    put_long(&h, 0);
    put_raw(&h, "zz", 2);
    expect_refused(&h, SY_ERR_MALFORMED, "Avro body: 2 trailing bytes after the record");
}

/* A frame holding more props than the limit: structure first, then the limit. */
Test(codec, fused_decode_checks_the_body_before_the_props_limit) {
    hand_t h = event_upto(13);
    put_long(&h, SY_EVENT_PROPS_MAX + 1);
    char key[16];
    for (int i = 0; i <= SY_EVENT_PROPS_MAX; i++) {
        snprintf(key, sizeof key, "k%d", i);
        put_str(&h, key);
        put_str(&h, "");
    }
    put_long(&h, 0);
    hand_t trailing = h;
    put_raw(&trailing, "x", 1);
    expect_refused(&trailing, SY_ERR_MALFORMED, "1 trailing bytes after the record");
    expect_refused(&h, SY_ERR_LIMIT, "EngagementEvent:");
}

#define FUSED_RUNS 100000

Test(codec, fused_decode_agrees_with_the_guard_on_seeded_mutations, .timeout = 600) {
    sy_event_t full = event_full(), e;
    const void *frame;
    size_t len;
    char guard_msg[512];
    expect_err(codec_encode_event(codec, &full, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    uint8_t valid[512], buf[600];
    cr_assert_lt(len, sizeof valid);
    memcpy(valid, frame, len);
    uint64_t rng = UINT64_C(0x6f75736564);
    size_t compared = 0;
    for (int run = 0; run < FUSED_RUNS; run++) {
        size_t n = len;
        memcpy(buf, valid, len);
        for (uint64_t edits = 1 + rng_next(&rng) % 4; edits--;) {
            uint64_t r = rng_next(&rng);
            size_t at = 5 + (size_t)(r >> 16) % (n - 5 ? n - 5 : 1);
            if (r % 4 == 0 && n > 5)
                n = 5 + (size_t)(r >> 24) % (n - 5); /* cut the body */
            else if (at < n && r % 4 == 1)
                buf[at] = (uint8_t)(r >> 40);
            else if (at < n)
                buf[at] ^= (uint8_t)(1u << (r >> 8 & 7));
        }
        char *json = NULL;
        sy_err_t want = codec_to_json(codec, buf, n, &json, guard_msg, sizeof guard_msg);
        free(json);
        sy_err_t got = codec_decode_event(codec, buf, n, &e, errbuf, sizeof errbuf);
        cr_assert(eq(int, (int)got, (int)want), "run %d: %s / %s", run, errbuf, guard_msg);
        if (got != SY_OK)
            cr_assert(eq(str, errbuf, guard_msg), "run %d", run);
        compared += got != SY_OK;
    }
    cr_expect(gt(sz, compared, FUSED_RUNS / 2), "most mutations are refused: %zu", compared);
}
