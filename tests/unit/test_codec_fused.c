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

/* Header and the fields before `upto` of a valid email "sent" event (field index). */
static wire_t event_upto(int upto) {
    wire_t h = {{0, 0, 0, 0, 1}, 5};
    if (upto > 0)
        w_str(&h, "e1");
    if (upto > 1)
        w_str(&h, "c1");
    if (upto > 2)
        w_long(&h, 1000);
    for (int i = 3; i < upto && i < 13; i++)
        w_long(&h, 0); /* channel EMAIL, type SENT, then null branches */
    return h;
}

/* The decoder refuses h with err and a message holding want, the same as the guard. */
static void expect_refused(const wire_t *h, sy_err_t err, const char *want) {
    sy_event_t e;
    expect_refused_as_guard(h, codec_decode_event(codec, h->b, h->n, &e, errbuf, sizeof errbuf),
                            err, want);
}

Test(codec, fused_decode_accepts_the_hand_made_event) {
    wire_t h = event_upto(13);
    w_long(&h, 0);
    sy_event_t e;
    expect_err(codec_decode_event(codec, h.b, h.n, &e, errbuf, sizeof errbuf), SY_OK);
    cr_expect(eq(str, (char *)e.event_id, "e1"));
    cr_expect(eq(str, (char *)e.contact_id, "c1"));
    cr_expect(eq(i64, e.occurred_at_ms, 1000));
    cr_expect(e.message_id == NULL && e.bounce == SY_BOUNCE_NONE && !e.has_value);
}

Test(codec, fused_decode_refuses_bad_strings_as_the_guard_did) {
    wire_t h = event_upto(0);
    expect_refused(&h, SY_ERR_TRUNCATED, "field 'event_id': string length ends after 0 bytes");
    w_long(&h, -1);
    expect_refused(&h, SY_ERR_MALFORMED, "negative string length -1 at byte 5");
    h = event_upto(0);
    w_long(&h, INT64_C(1) << 40);
    expect_refused(&h, SY_ERR_MALFORMED, "exceeds any frame");
    h = event_upto(0);
    w_long(&h, 9);
    w_raw(&h, "ab", 2);
    expect_refused(&h, SY_ERR_TRUNCATED, "string of 9 bytes, 2 left");
    h = event_upto(1);
    w_long(&h, 3);
    w_raw(&h, "a\0b", 3);
    expect_refused(&h, SY_ERR_MALFORMED, "field 'contact_id': string holds a NUL");
    h = event_upto(1);
    w_long(&h, 10);
    w_raw(&h, "abcdefghi\xc3", 10); /* a cut two-byte character after eight ASCII */
    expect_refused(&h, SY_ERR_MALFORMED, "invalid UTF-8 byte 0xc3");
    h = event_upto(0);
    w_raw(&h, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x81\x01", 11);
    expect_refused(&h, SY_ERR_MALFORMED, "string length is longer than 10 bytes");
    h = event_upto(0);
    w_raw(&h, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 10);
    expect_refused(&h, SY_ERR_MALFORMED, "string length overflows 64 bits");
}

Test(codec, fused_decode_refuses_bad_numbers_enums_and_unions_as_the_guard_did) {
    wire_t h = event_upto(2);
    w_raw(&h, "\x80", 1);
    expect_refused(&h, SY_ERR_TRUNCATED, "field 'occurred_at': long ends after 1 bytes");
    h = event_upto(3);
    w_long(&h, 9);
    expect_refused(&h, SY_ERR_MALFORMED, "enum Channel index 9 out of range (9 symbols)");
    h = event_upto(3);
    w_raw(&h, "\xff\xff\xff\xff\x7f", 5);
    expect_refused(&h, SY_ERR_MALFORMED, "field 'channel': enum index overflows 32 bits");
    h = event_upto(4);
    w_long(&h, -1);
    expect_refused(&h, SY_ERR_MALFORMED, "enum EventType index -1 out of range");
    h = event_upto(5);
    w_long(&h, 2);
    expect_refused(&h, SY_ERR_MALFORMED,
                   "field 'message_id': union branch 2 out of range (2 branches)");
    h = event_upto(10);
    w_long(&h, 1);
    expect_refused(&h, SY_ERR_TRUNCATED, "field 'text': string length ends");
    h = event_upto(11);
    w_long(&h, 1);
    w_long(&h, 2);
    expect_refused(&h, SY_ERR_MALFORMED, "enum BounceKind index 2 out of range (2 symbols)");
    h = event_upto(12);
    w_long(&h, 1);
    w_raw(&h, "\0\0\0\0", 4);
    expect_refused(&h, SY_ERR_TRUNCATED, "field 'value': double needs 8 bytes, 4 left");
}

Test(codec, fused_decode_refuses_bad_blocks_and_trailing_bytes_as_the_guard_did) {
    wire_t h = event_upto(13);
    w_raw(&h, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10); /* INT64_MIN */
    expect_refused(&h, SY_ERR_MALFORMED, "field 'props': block count -9223372036854775808");
    h = event_upto(13);
    w_long(&h, -1);
    w_long(&h, -5);
    expect_refused(&h, SY_ERR_MALFORMED, "negative block byte size -5");
    h = event_upto(13);
    w_long(&h, -1);
    w_long(&h, 50);
    expect_refused(&h, SY_ERR_TRUNCATED, "block of 50 bytes, 0 left");
    h = event_upto(13);
    w_long(&h, INT64_C(1) << 40);
    expect_refused(&h, SY_ERR_MALFORMED, "exceeds any frame");
    h = event_upto(13);
    w_long(&h, 30);
    expect_refused(&h, SY_ERR_TRUNCATED, "block of 30 items, 0 bytes left");
    h = event_upto(13);
    w_long(&h, -1);
    w_long(&h, 5);
    w_str(&h, "k");
    w_str(&h, "v");
    w_raw(&h, "\0\0", 2);
    expect_refused(&h, SY_ERR_MALFORMED, "block byte size 5 does not match its items (4 bytes)");
    h = event_upto(13);
    w_long(&h, 0);
    w_raw(&h, "zz", 2);
    expect_refused(&h, SY_ERR_MALFORMED, "Avro body: 2 trailing bytes after the record");
}

/* A frame holding more props than the limit: structure first, then the limit. */
Test(codec, fused_decode_checks_the_body_before_the_props_limit) {
    wire_t h = event_upto(13);
    w_long(&h, SY_EVENT_PROPS_MAX + 1);
    char key[16];
    for (int i = 0; i <= SY_EVENT_PROPS_MAX; i++) {
        snprintf(key, sizeof key, "k%d", i);
        w_str(&h, key);
        w_str(&h, "");
    }
    w_long(&h, 0);
    wire_t trailing = h;
    w_raw(&trailing, "x", 1);
    expect_refused(&trailing, SY_ERR_MALFORMED, "1 trailing bytes after the record");
    expect_refused(&h, SY_ERR_LIMIT, "EngagementEvent:");
}

/* The frame of e with every varint pad bytes longer than it needs; with pad > 0, props
 * as one block of negative count and its byte size. pad 0 is the encoder's frame. */
static wire_t event_frame(const sy_event_t *e, int pad) {
    wire_t h = {{0, 0, 0, 0, SY_SCHEMA_ENGAGEMENT_EVENT}, 5}, items = {{0}, 0};
    const char *opt[] = {e->message_id, e->journey_id, e->node_id, e->name, e->link, e->text};
    uint64_t bits;
    w_str_pad(&h, e->event_id, pad);
    w_str_pad(&h, e->contact_id, pad);
    w_long_pad(&h, e->occurred_at_ms, pad);
    w_long_pad(&h, e->channel, pad);
    w_long_pad(&h, e->type, pad);
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++) {
        w_long_pad(&h, opt[i] != NULL, pad);
        if (opt[i])
            w_str_pad(&h, opt[i], pad);
    }
    w_long_pad(&h, e->bounce != SY_BOUNCE_NONE, pad);
    if (e->bounce != SY_BOUNCE_NONE)
        w_long_pad(&h, e->bounce, pad);
    w_long_pad(&h, e->has_value, pad);
    memcpy(&bits, &e->value, sizeof bits);
    for (int i = 0; e->has_value && i < 8; i++)
        w_raw(&h, &(uint8_t){(uint8_t)(bits >> 8 * i)}, 1);
    for (size_t i = 0; i < e->props_count; i++) {
        w_str_pad(&items, e->props[i].key, pad);
        w_str_pad(&items, e->props[i].value, pad);
    }
    if (e->props_count > 0 && pad > 0) {
        w_long_pad(&h, -(int64_t)e->props_count, pad);
        w_long_pad(&h, (int64_t)items.n, pad);
    } else if (e->props_count > 0) {
        w_long(&h, (int64_t)e->props_count);
    }
    w_raw(&h, items.b, items.n);
    w_long_pad(&h, 0, pad);
    return h;
}

/* h decodes to want, and with pad 0 it is what the encoder writes for want. */
static void expect_decodes_to(const wire_t *h, const sy_event_t *want, int pad) {
    sy_event_t got;
    const void *frame;
    size_t len;
    if (pad == 0) {
        expect_err(codec_encode_event(codec, want, &frame, &len, errbuf, sizeof errbuf), SY_OK);
        cr_assert(eq(sz, len, h->n));
        cr_expect(memcmp(frame, h->b, len) == 0, "the hand-made frame is the encoder's");
    }
    uint8_t *copy = exact_copy(h->b, h->n);
    sy_err_t err = codec_decode_event(codec, copy, h->n, &got, errbuf, sizeof errbuf);
    free(copy);
    expect_err(err, SY_OK);
    expect_event_eq(&got, want);
}

/* The usual encoding (one-byte counts, indexes and branches; strings of one- or two-byte
 * length) is read by its own reader, any other by the guard's steps (pad > 0: an enum
 * index of two bytes). Both give the same record. */
Test(codec, fused_decode_reads_every_encoding_of_an_event_alike) {
    char link[80];
    sy_event_t events[3] = {event_full(), event_full(), event_full()};
    events[0].text = "plain \"quoted\""; /* every string short and ASCII */
    memset(link, 'l', sizeof link - 1);
    link[sizeof link - 1] = '\0';
    events[1].text = events[0].text;
    events[1].link = link; /* strings of 79 bytes: a two-byte length */
    events[1].props[1].value = link;
    /* events[2]: a UTF-8 text */
    for (size_t i = 0; i < 3; i++)
        for (int pad = 0; pad <= 2; pad++) {
            wire_t h = event_frame(&events[i], pad);
            expect_decodes_to(&h, &events[i], pad);
        }
    sy_event_t min = event_min();
    wire_t h = event_frame(&min, 0);
    expect_decodes_to(&h, &min, 0);
}

/* The time, read from one word when it fits in 8 bytes, else by the guard's step: every
 * width from 1 to 10 bytes, at each width's edges and the bounds of the rules. */
Test(codec, fused_decode_reads_times_of_every_varint_width) {
    const int64_t times[] = {0, 1, -1, 63, -64, 64, -65, 8191, 8192, -8193, INT64_C(1) << 20,
                             INT64_C(1) << 27, INT64_C(1) << 34, INT64_C(1) << 41,
                             INT64_C(1) << 47, T0_MS, -T0_MS, SY_TIME_MIN_MS,
                             SY_TIME_MAX_MS};
    sy_event_t e = event_min();
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        e.occurred_at_ms = times[i];
        for (int pad = 0; pad <= 2; pad++) {
            wire_t h = event_frame(&e, pad);
            expect_decodes_to(&h, &e, pad);
        }
        wire_t h = event_upto(2); /* the widest form: 10 bytes */
        uint64_t u = ((uint64_t)times[i] << 1) ^ (uint64_t)(times[i] >> 63);
        for (int b = 0; b < 9; b++, u >>= 7)
            w_raw(&h, &(uint8_t){(uint8_t)((u & 0x7f) | 0x80)}, 1);
        w_raw(&h, &(uint8_t){(uint8_t)u}, 1);
        for (int f = 3; f < 14; f++)
            w_long(&h, 0);
        expect_decodes_to(&h, &(sy_event_t){.event_id = "e1", .contact_id = "c1",
                                            .occurred_at_ms = times[i],
                                            .bounce = SY_BOUNCE_NONE}, 1);
    }
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
