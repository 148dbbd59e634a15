/* test_codec_wire.c — the decoder on hand-made frames: a minimal event accepted, every
 * frame error (truncation, magic byte, schema ids) and every Avro body error (enums,
 * unions, string lengths, varints, UTF-8, map blocks, repeated keys) refused with its
 * error and message. Frames are built with codec_fixture.h's wire_t. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_fixture.h"

/* --- hand-made frames -------------------------------------------------------------------- */

Test(codec, decode_accepts_a_hand_made_minimal_event) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_PUSH, SY_EVENT_DISMISSED);
    w_event_nulls(&w);
    w_long(&w, 0); /* props: no blocks */
    expect_err(decode_event_wire(&w, &e), SY_OK);
    cr_expect_str_eq(e.event_id, "e1");
    cr_expect(eq(int, e.type, SY_EVENT_DISMISSED));
}

/* --- frame errors ----------------------------------------------------------------------- */

Test(codec, decode_rejects_every_truncation_of_a_valid_frame) {
    sy_event_t in = event_full(), out;
    const void *frame;
    size_t len;
    expect_err(codec_encode_event(codec, &in, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    uint8_t *whole = exact_copy(frame, len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = exact_copy(whole, n);
        sy_err_t err = codec_decode_event(codec, cut, n, &out, errbuf, sizeof errbuf);
        free(cut);
        cr_assert(ne(int, err, SY_OK), "a frame cut to %zu of %zu bytes decoded", n, len);
        if (n < 5)
            cr_assert(eq(int, err, SY_ERR_TRUNCATED), "cut to %zu: got %s", n, sy_err_name(err));
    }
    free(whole);
}

Test(codec, decode_rejects_wrong_magic_byte) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_long(&w, 0);
    w.b[0] = 1;
    expect_err(decode_event_wire(&w, &e), SY_ERR_BAD_MAGIC);
    expect_msg("magic");
}

Test(codec, decode_rejects_unknown_schema_ids) {
    const uint32_t ids[] = {0, SY_SCHEMA_ID_MAX + 1, 0x01000001u, 0xffffffffu};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        wire_t w;
        sy_event_t e;
        sy_schema_id_t id;
        w_header(&w, ids[i]);
        w_byte(&w, 0);
        expect_err(decode_event_wire(&w, &e), SY_ERR_UNKNOWN_SCHEMA);
        expect_msg("unknown schema id");
        expect_err(codec_frame_schema(w.b, w.n, &id, errbuf, sizeof errbuf),
                   SY_ERR_UNKNOWN_SCHEMA);
    }
}

Test(codec, decode_rejects_frame_of_another_schema) {
    sy_decision_t d = decision_full();
    sy_event_t e;
    const void *frame;
    size_t len;
    expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    expect_err(codec_decode_event(codec, frame, len, &e, errbuf, sizeof errbuf),
               SY_ERR_WRONG_SCHEMA);
    expect_msg("RoutingDecision");
    expect_msg("EngagementEvent");
}

Test(codec, frame_schema_reads_the_id_of_each_kind) {
    sy_contact_update_t u = contact_update_full();
    const void *frame;
    size_t len;
    sy_schema_id_t id = 0;
    expect_err(codec_encode_contact_update(codec, &u, &frame, &len, errbuf, sizeof errbuf),
               SY_OK);
    expect_err(codec_frame_schema(frame, len, &id, errbuf, sizeof errbuf), SY_OK);
    cr_expect(eq(int, id, SY_SCHEMA_CONTACT_UPDATE), "id %d", id);
    expect_err(codec_frame_schema(frame, 4, &id, errbuf, sizeof errbuf), SY_ERR_TRUNCATED);
}

/* --- Avro body errors ----------------------------------------------------------------- */

Test(codec, decode_rejects_enum_index_out_of_range) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, 42);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("enum EventType index 42 out of range (21 symbols) at byte 13");
    expect_msg("field 'type'");
}

Test(codec, decode_rejects_negative_enum_index) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, -1, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("enum Channel index -1 out of range (9 symbols) at byte 12");
}

Test(codec, decode_rejects_union_branch_out_of_range) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_long(&w, 2); /* message_id: ["null","string"] has branches 0 and 1 */
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("union branch 2 out of range (2 branches) at byte 14");
    expect_msg("message_id");
}

Test(codec, decode_rejects_negative_string_length) {
    wire_t w;
    sy_event_t e;
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_long(&w, -3);
    w_raw(&w, "abcdefgh", 8);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("negative string length -3 at byte 5");
}

Test(codec, decode_rejects_huge_string_length_without_allocating_it) {
    wire_t w;
    sy_event_t e;
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_long(&w, INT64_C(1) << 40);
    w_raw(&w, "abc", 3);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("string length 1099511627776 exceeds any frame");
}

Test(codec, decode_reports_string_longer_than_the_frame_as_truncated) {
    wire_t w;
    sy_event_t e;
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_long(&w, 100);
    w_raw(&w, "abc", 3);
    expect_err(decode_event_wire(&w, &e), SY_ERR_TRUNCATED);
    expect_msg("string of 100 bytes, 3 left");
}

Test(codec, decode_rejects_trailing_bytes) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_long(&w, 0);
    size_t end = w.n;
    w_raw(&w, "xy", 2);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    char want[64];
    snprintf(want, sizeof want, "2 trailing bytes after the record at byte %zu", end);
    expect_msg(want);
}

Test(codec, decode_rejects_boolean_byte_other_than_0_or_1) {
    wire_t w;
    sy_profile_update_t *p = malloc(sizeof *p);
    w_header(&w, SY_SCHEMA_PROFILE_UPDATE);
    w_str(&w, "c1");
    w_long(&w, 0);
    w_long(&w, 1);   /* set: one entry */
    w_str(&w, "vip");
    w_long(&w, 1);   /* branch boolean */
    w_byte(&w, 2);   /* frame byte 15 */
    w_long(&w, 0);   /* end of set */
    w_long(&w, 0);   /* unset: empty */
    uint8_t *copy = exact_copy(w.b, w.n);
    sy_err_t err = codec_decode_profile_update(codec, copy, w.n, p, errbuf, sizeof errbuf);
    free(copy);
    free(p);
    expect_err(err, SY_ERR_MALFORMED);
    expect_msg("boolean byte 2 is neither 0 nor 1 at byte 15");
}

Test(codec, decode_rejects_varint_longer_than_ten_bytes) {
    wire_t w;
    sy_event_t e;
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_str(&w, "e1");
    w_str(&w, "c1");
    for (int i = 0; i < 11; i++)
        w_byte(&w, 0x80);
    w_byte(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("long is longer than 10 bytes at byte 11");
}

Test(codec, decode_rejects_int_that_overflows_32_bits) {
    wire_t w;
    sy_decision_t d;
    w_header(&w, SY_SCHEMA_ROUTING_DECISION);
    w_str(&w, "c");
    w_str(&w, "j");
    w_long(&w, INT64_C(1) << 33); /* journey_version is an int */
    w_raw(&w, "\0\x02n\0\0\0\0", 7);
    uint8_t *copy = exact_copy(w.b, w.n);
    sy_err_t err = codec_decode_decision(codec, copy, w.n, &d, errbuf, sizeof errbuf);
    free(copy);
    expect_err(err, SY_ERR_MALFORMED);
    expect_msg("int overflows 32 bits");
}

Test(codec, decode_rejects_invalid_utf8_and_nul_in_strings) {
    const char *bad[] = {"a\xff", "a\0b", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82"};
    const size_t bad_len[] = {2, 3, 2, 3, 2};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wire_t w;
        sy_event_t e;
        w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
        w_long(&w, (int64_t)bad_len[i]);
        w_raw(&w, bad[i], bad_len[i]);
        w_str(&w, "c1");
        w_long(&w, 0);
        w_long(&w, 0);
        w_long(&w, 0);
        w_event_nulls(&w);
        w_long(&w, 0);
        expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
        expect_msg("invalid UTF-8");
    }
}

/* props as one block with a negative count and a byte size */
static void w_props_sized_block(wire_t *w, int64_t size_delta) {
    wire_t items = {.n = 0};
    w_str(&items, "k1");
    w_str(&items, "v1");
    w_str(&items, "k2");
    w_str(&items, "v2");
    w_long(w, -2);
    w_long(w, (int64_t)items.n + size_delta);
    w_raw(w, items.b, items.n);
    w_long(w, 0);
}

Test(codec, decode_accepts_map_block_with_negative_count_and_byte_size) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_props_sized_block(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_OK);
    cr_assert(eq(sz, e.props_count, 2), "props %zu", e.props_count);
    cr_expect_str_eq(e.props[1].key, "k2");
    cr_expect_str_eq(e.props[1].value, "v2");
}

Test(codec, decode_rejects_block_byte_size_that_does_not_match_its_items) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_props_sized_block(&w, 1);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("does not match its items");
}

Test(codec, decode_rejects_negative_block_byte_size) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_long(&w, -1);
    w_long(&w, -5);
    w_str(&w, "k");
    w_str(&w, "v");
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("negative block byte size -5");
}

Test(codec, decode_rejects_map_that_repeats_a_key) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_long(&w, 2);
    w_str(&w, "k");
    w_str(&w, "v1");
    w_str(&w, "k");
    w_str(&w, "v2");
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("repeats a key");
}
