/* test_codec_guard.c — the limits and domain rules the codec guards on both sides
 * (property counts, ids, event types a channel reports, required strings, UTF-8, frame
 * size), buffer reuse across decodes, and the record name tables of records.h. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_fixture.h"
#include "codec_int.h"

/* --- limits and domain rules ---------------------------------------------------------- */

Test(codec, decode_rejects_more_props_than_the_limit) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_long(&w, SY_EVENT_PROPS_MAX + 1);
    for (int i = 0; i <= SY_EVENT_PROPS_MAX; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        w_str(&w, key);
        w_str(&w, "v");
    }
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_LIMIT);
    expect_msg("65 props exceed the limit of 64");
}

Test(codec, encode_rejects_more_props_than_the_limit) {
    sy_event_t e = event_full();
    const void *frame;
    size_t len;
    for (size_t i = 0; i < SY_EVENT_PROPS_MAX; i++)
        e.props[i] = (sy_kv_t){"k", "v"};
    e.props_count = SY_EVENT_PROPS_MAX + 1; /* the count alone must be refused */
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_LIMIT);
    expect_msg("props");
}

Test(codec, encode_rejects_repeated_map_key) {
    sy_action_t a = action_full();
    const void *frame;
    size_t len;
    a.params[1].key = a.params[0].key;
    expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("repeats a key");
}

Test(codec, decode_rejects_empty_event_id_and_contact_id) {
    wire_t w;
    sy_event_t e;
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_str(&w, "");
    w_str(&w, "c1");
    w_raw(&w, "\0\0\0", 3);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_INVALID_RECORD);
    expect_msg("event_id is empty");
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_str(&w, "e1");
    w_str(&w, "");
    w_raw(&w, "\0\0\0", 3);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_INVALID_RECORD);
    expect_msg("contact_id is empty");
}

Test(codec, decode_rejects_event_type_its_channel_does_not_report) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_ANSWERED);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_INVALID_RECORD);
    expect_msg("channel email does not report event type answered");
}

Test(codec, decode_rejects_custom_event_without_name) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_INVALID_RECORD);
    expect_msg("custom event needs a name");
}

Test(codec, decode_rejects_id_longer_than_the_limit) {
    char id[SY_ID_BYTES_MAX + 2];
    wire_t w;
    sy_event_t e;
    memset(id, 'x', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_str(&w, id);
    w_str(&w, "c1");
    w_raw(&w, "\0\0\0", 3);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_LIMIT);
    expect_msg("SY_ID_BYTES_MAX");
}

/* An event frame with the given ids (event_id, contact_id, message_id, journey_id,
 * node_id; NULL for an absent optional one), channel 0, type 0, nothing else. */
static void w_event_ids(wire_t *w, const char *const ids[5]) {
    w_header(w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_str(w, ids[0]);
    w_str(w, ids[1]);
    w_raw(w, "\0\0\0", 3);
    for (int i = 2; i < 5; i++) {
        w_long(w, ids[i] != NULL);
        if (ids[i] != NULL)
            w_str(w, ids[i]);
    }
    for (int i = 0; i < 5; i++)
        w_long(w, 0); /* name, link, text, bounce, value: null */
    w_long(w, 0);     /* props: empty */
}

/* The longest id SY_ID_BYTES_MAX allows, and one byte more. */
static char id_longest[SY_ID_BYTES_MAX + 1], id_over[SY_ID_BYTES_MAX + 2];

static void ids_init(void) {
    memset(id_longest, 'x', sizeof id_longest - 1);
    id_longest[sizeof id_longest - 1] = '\0';
    memset(id_over, 'y', sizeof id_over - 1);
    id_over[sizeof id_over - 1] = '\0';
}

/* Every id is held to SY_ID_BYTES_MAX, by name, whether the writer's rules measure it or
 * the reader hands over the length it read: the longest passes both ways, one byte more
 * is refused both ways, an empty one is refused. */
Test(codec, every_event_id_is_held_to_its_limit_both_ways) {
    static const char *const event_fields[] = {"event_id", "contact_id", "message_id",
                                               "journey_id", "node_id"};
    const char *longest = id_longest, *over = id_over;
    char want[96];
    const void *frame;
    size_t len;
    ids_init();
    for (int i = 0; i < 5; i++) {
        const char *ids[5] = {"e1", "c1", "m1", "j1", "n1"};
        sy_event_t e = event_full(), got;
        const char **field[] = {&e.event_id, &e.contact_id, &e.message_id, &e.journey_id,
                                &e.node_id};
        wire_t w;
        snprintf(want, sizeof want, "%s of %d bytes exceeds", event_fields[i],
                 SY_ID_BYTES_MAX + 1);
        *field[i] = longest;
        expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf), SY_OK);
        expect_err(codec_decode_event(codec, frame, len, &got, errbuf, sizeof errbuf), SY_OK);
        const char *got_ids[] = {got.event_id, got.contact_id, got.message_id, got.journey_id,
                                 got.node_id};
        cr_assert_str_eq(got_ids[i], longest, "%s", event_fields[i]);
        *field[i] = over;
        expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
                   SY_ERR_LIMIT);
        expect_msg(want);
        *field[i] = "";
        expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
                   SY_ERR_INVALID_RECORD);
        expect_msg(event_fields[i]);
        expect_msg("is empty");
        ids[i] = over;
        w_event_ids(&w, ids);
        expect_err(decode_event_wire(&w, &got), SY_ERR_LIMIT);
        expect_msg(want);
        ids[i] = "";
        w_event_ids(&w, ids);
        expect_err(decode_event_wire(&w, &got), SY_ERR_INVALID_RECORD);
        expect_msg(event_fields[i]);
        expect_msg("is empty");
        ids[i] = longest;
        w_event_ids(&w, ids);
        expect_err(decode_event_wire(&w, &got), SY_OK);
    }
}

Test(codec, every_decision_id_is_held_to_its_limit_both_ways) {
    static const char *const decision_fields[] = {"contact_id", "journey_id", "from_node",
                                                  "to_node", "cause_event_id"};
    const char *longest = id_longest, *over = id_over;
    char want[96];
    const void *frame;
    size_t len;
    ids_init();
    for (int i = 0; i < 5; i++) {
        sy_decision_t d = decision_full(), got;
        const char **field[] = {&d.contact_id, &d.journey_id, &d.from_node, &d.to_node,
                                &d.cause_event_id};
        snprintf(want, sizeof want, "%s of %d bytes exceeds", decision_fields[i],
                 SY_ID_BYTES_MAX + 1);
        *field[i] = longest;
        expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf),
                   SY_OK);
        expect_err(codec_decode_decision(codec, frame, len, &got, errbuf, sizeof errbuf),
                   SY_OK);
        const char *got_ids[] = {got.contact_id, got.journey_id, got.from_node, got.to_node,
                                 got.cause_event_id};
        cr_assert_str_eq(got_ids[i], longest, "%s", decision_fields[i]);
        *field[i] = over;
        expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf),
                   SY_ERR_LIMIT);
        expect_msg(want);
    }
}

Test(codec, every_action_id_is_held_to_its_limit_both_ways) {
    const char *longest = id_longest, *over = id_over;
    char want[96];
    const void *frame;
    size_t len;
    ids_init();
    for (int i = 0; i < 4; i++) {
        static const char *const action_fields[] = {"action_id", "contact_id", "journey_id",
                                                    "node_id"};
        sy_action_t a = action_full(), got;
        const char **field[] = {&a.action_id, &a.contact_id, &a.journey_id, &a.node_id};
        snprintf(want, sizeof want, "%s of %d bytes exceeds", action_fields[i],
                 SY_ID_BYTES_MAX + 1);
        *field[i] = longest;
        expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf), SY_OK);
        expect_err(codec_decode_action(codec, frame, len, &got, errbuf, sizeof errbuf), SY_OK);
        const char *got_ids[] = {got.action_id, got.contact_id, got.journey_id, got.node_id};
        cr_assert_str_eq(got_ids[i], longest, "%s", action_fields[i]);
        *field[i] = over;
        expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf),
                   SY_ERR_LIMIT);
        expect_msg(want);
    }
}

Test(codec, encode_rejects_null_required_string) {
    sy_event_t e = event_full();
    sy_action_t a = action_full();
    sy_dead_letter_t d = dead_letter_full();
    const void *frame;
    size_t len;
    e.contact_id = NULL;
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("contact_id is missing");
    a.template_id = NULL;
    expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("template_id is missing");
    d.error = NULL;
    expect_err(codec_encode_dead_letter(codec, &d, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("error is missing");
}

Test(codec, encode_rejects_string_that_is_not_utf8) {
    sy_event_t e = event_full();
    const void *frame;
    size_t len;
    e.text = "bad \xff byte";
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("UTF-8");
    e.link = "https://example.com/\xc3("; /* a second bad string: the first reason stands */
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("not UTF-8");
}

Test(codec, encode_rejects_out_of_range_enum_and_bad_event_type) {
    sy_event_t e = event_full();
    sy_contact_update_t u = contact_update_min();
    const void *frame;
    size_t len;
    e.type = SY_EVENT_TYPE__COUNT;
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    e = event_full();
    e.channel = SY_CHANNEL_TASK;
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("channel task does not report event type bounced");
    u.name = "fax";
    expect_err(codec_encode_contact_update(codec, &u, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("fax");
}

Test(codec, encode_rejects_frame_larger_than_the_limit) {
    sy_event_t e = event_full();
    const void *frame;
    size_t len;
    char *big = malloc(SY_FRAME_BYTES_MAX + 1);
    memset(big, 'a', SY_FRAME_BYTES_MAX);
    big[SY_FRAME_BYTES_MAX] = '\0';
    e.text = big;
    sy_err_t err = codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf);
    free(big);
    expect_err(err, SY_ERR_LIMIT);
    expect_msg("SY_FRAME_BYTES_MAX");
}

/* --- buffer reuse ----------------------------------------------------------------------- */

Test(codec, decoding_twice_gives_the_second_records_strings) {
    sy_event_t a = event_full(), b = event_min(), out;
    const void *frame;
    size_t len;
    b.event_id = "a-much-longer-event-id-than-before-0123456789";
    b.contact_id = "z";
    b.props_count = 1;
    b.props[0] = (sy_kv_t){"only", "one"};
    ROUND_TRIP(codec_encode_event, codec_decode_event, &a, &out);
    expect_event_eq(&out, &a);
    ROUND_TRIP(codec_encode_event, codec_decode_event, &b, &out);
    expect_event_eq(&out, &b);
    /* and back to the first, after the buffers grew and were reset */
    ROUND_TRIP(codec_encode_event, codec_decode_event, &a, &out);
    expect_event_eq(&out, &a);
    /* an encode of another kind leaves the decoded event alone */
    sy_decision_t d = decision_full();
    expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    expect_event_eq(&out, &a);
}

Test(codec, failed_decode_leaves_the_codec_usable) {
    sy_event_t in = event_full(), out;
    wire_t w;
    w_event_head(&w, SY_CHANNEL_EMAIL, 99);
    expect_err(decode_event_wire(&w, &out), SY_ERR_MALFORMED);
    ROUND_TRIP(codec_encode_event, codec_decode_event, &in, &out);
    expect_event_eq(&out, &in);
}

/* --- name tables -------------------------------------------------------------------------- */

Test(records, names_are_lower_case_and_parse_back) {
    for (int c = 0; c < SY_CHANNEL__COUNT; c++)
        cr_expect(eq(int, sy_channel_parse(sy_channel_name((sy_channel_t)c)), c), "channel %d", c);
    for (int t = 0; t < SY_EVENT_TYPE__COUNT; t++)
        cr_expect(eq(int, sy_event_type_parse(sy_event_type_name((sy_event_type_t)t)), t),
                  "type %d", t);
    cr_expect_str_eq(sy_channel_name(SY_CHANNEL_IN_APP), "in_app");
    cr_expect_str_eq(sy_event_type_name(SY_EVENT_NOT_ATTEMPTED), "not_attempted");
    cr_expect_str_eq(sy_event_type_name(SY_EVENT_SPAM_REPORT), "spam_report");
    cr_expect_str_eq(sy_cause_name(SY_CAUSE_TIMER), "timer");
    cr_expect_str_eq(sy_update_op_name(SY_UPDATE_REMOVE_FROM_LIST), "remove_from_list");
    cr_expect_str_eq(sy_update_op_name(SY_UPDATE_OPT_IN), "opt_in");
    cr_expect_null(sy_channel_name(SY_CHANNEL__COUNT));
    cr_expect_null(sy_event_type_name((sy_event_type_t)-1));
    cr_expect(eq(int, sy_channel_parse("EMAIL"), -1));
    cr_expect(eq(int, sy_event_type_parse(NULL), -1));
}

Test(records, each_channel_allows_exactly_its_event_types) {
    static const char *const allowed[SY_CHANNEL__COUNT] = {
        [SY_CHANNEL_EMAIL] = " sent delivered opened clicked bounced blocked unsubscribed"
                             " spam_report ",
        [SY_CHANNEL_SMS] = " sent delivered failed replied clicked opted_out ",
        [SY_CHANNEL_PUSH] = " sent delivered opened clicked dismissed failed ",
        [SY_CHANNEL_VOICE] = " attempted not_attempted answered not_answered blocked"
                             " voicemail ",
        [SY_CHANNEL_CALL] = " inbound converted ",
        [SY_CHANNEL_IN_APP] = " shown clicked ",
        [SY_CHANNEL_CUSTOM] = " custom ",
        [SY_CHANNEL_TASK] = " ",
        [SY_CHANNEL_WEB] = " sent delivered shown clicked dismissed failed ",
    };
    for (int c = 0; c < SY_CHANNEL__COUNT; c++)
        for (int t = 0; t < SY_EVENT_TYPE__COUNT; t++) {
            char word[32];
            snprintf(word, sizeof word, " %s ", sy_event_type_name((sy_event_type_t)t));
            bool want = strstr(allowed[c], word) != NULL;
            cr_expect(eq(int, sy_event_type_allowed((sy_channel_t)c, (sy_event_type_t)t), want),
                      "%s %s: want %d", sy_channel_name((sy_channel_t)c), word, want);
        }
    cr_expect_not(sy_event_type_allowed(SY_CHANNEL__COUNT, SY_EVENT_SENT));
}

/* --- the plain-ASCII scan every string read and written goes through --------------------- */

/* codec_ascii_prefix against the definition, byte by byte: for every length up to 40 and
 * every place of one byte that ends the plain run (NUL, a high bit, a UTF-8 lead byte),
 * the run ends there; with none, it is the whole string. Words are read eight at a time,
 * the last ones overlapping: every place must be seen. */
Test(codec, ascii_prefix_stops_at_the_first_byte_that_is_not_plain_ascii) {
    static const uint8_t stops[] = {0x00, 0x80, 0xc3, 0xff};
    uint8_t s[48];
    for (size_t n = 0; n <= 40; n++) {
        for (size_t i = 0; i < n; i++)
            s[i] = (uint8_t)(0x01 + (i * 37) % 0x7f); /* every plain byte, 0x01 to 0x7f */
        cr_assert_eq(codec_ascii_prefix(s, n), n, "length %zu, all plain", n);
        for (size_t at = 0; at < n; at++)
            for (size_t k = 0; k < sizeof stops; k++) {
                uint8_t kept = s[at];
                s[at] = stops[k];
                cr_assert_eq(codec_ascii_prefix(s, n), at, "length %zu, 0x%02x at %zu", n,
                             stops[k], at);
                s[at] = kept;
            }
    }
}

/* codec_ascii_copy against the definition: for every length up to 40 it copies exactly
 * the n bytes (the guard bytes around dst stay), and says the string is plain ASCII unless
 * one byte anywhere is not (NUL, a high bit, a UTF-8 lead byte): the overlapping tail
 * words must see every place, and the copy must be right either way. */
Test(codec, ascii_copy_copies_n_bytes_and_finds_any_byte_that_is_not_plain_ascii) {
    static const uint8_t stops[] = {0x00, 0x80, 0xc3, 0xff};
    uint8_t s[48], d[48 + 2];
    for (size_t n = 0; n <= 40; n++) {
        for (size_t i = 0; i < n; i++)
            s[i] = (uint8_t)(0x01 + (i * 37) % 0x7f); /* every plain byte, 0x01 to 0x7f */
        for (size_t at = 0; at <= n; at++)
            for (size_t k = 0; k < sizeof stops; k++) {
                uint8_t kept = at < n ? s[at] : 0;
                if (at < n)
                    s[at] = stops[k];
                memset(d, 0xaa, sizeof d);
                bool plain = codec_ascii_copy(d + 1, s, n);
                cr_assert_eq(plain, at == n, "length %zu, 0x%02x at %zu: %d", n, stops[k],
                             at, plain);
                cr_assert_eq(memcmp(d + 1, s, n), 0, "length %zu: the copy", n);
                cr_assert_eq(d[0], 0xaa, "length %zu: a byte before the copy", n);
                cr_assert_eq(d[n + 1], 0xaa, "length %zu: a byte after the copy", n);
                if (at < n)
                    s[at] = kept;
            }
    }
}
