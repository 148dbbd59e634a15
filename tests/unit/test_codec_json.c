/* test_codec_json.c — codec_to_json: events with ISO times and lower-case enums, absent
 * fields as null, profile values and dead-letter bytes, every output kind, refusals as the
 * decoders refuse, and a decoded record left alone. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_fixture.h"
#include "codec_random.h"

/* --- JSON -------------------------------------------------------------------------------- */

static char *json_of_frame(const void *frame, size_t len) {
    char *json = NULL;
    sy_err_t err = codec_to_json(codec, frame, len, &json, errbuf, sizeof errbuf);
    expect_err(err, SY_OK);
    return json;
}

Test(codec, to_json_renders_event_with_iso_time_and_lower_case_enums) {
    sy_event_t e = event_full();
    const void *frame;
    size_t len;
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    char *json = json_of_frame(frame, len);
    cr_expect_str_eq(json,
        "{\"schema\":\"EngagementEvent\",\"event_id\":\"evt-1\",\"contact_id\":\"contact-42\","
        "\"occurred_at\":\"2026-11-01T09:00:00.000Z\",\"channel\":\"email\","
        "\"type\":\"bounced\",\"message_id\":\"act-9\",\"journey_id\":\"coffee\","
        "\"node_id\":\"promo\",\"name\":\"mail_bounce\","
        "\"link\":\"https://example.com/o?x=1\",\"text\":\"caf\xc3\xa9 \\\"quoted\\\"\","
        "\"bounce\":\"hard\",\"value\":12.5,"
        "\"props\":{\"provider\":\"sendgrid\",\"reason\":\"mailbox full\"}}");
    free(json);
}

Test(codec, to_json_renders_absent_fields_as_null) {
    sy_event_t e = event_min();
    const void *frame;
    size_t len;
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    char *json = json_of_frame(frame, len);
    cr_expect_str_eq(json,
        "{\"schema\":\"EngagementEvent\",\"event_id\":\"e1\",\"contact_id\":\"c1\","
        "\"occurred_at\":\"1970-01-01T00:00:00.000Z\",\"channel\":\"sms\",\"type\":\"sent\","
        "\"message_id\":null,\"journey_id\":null,\"node_id\":null,\"name\":null,"
        "\"link\":null,\"text\":null,\"bounce\":null,\"value\":null,\"props\":{}}");
    free(json);
}

Test(codec, to_json_renders_profile_values_and_dead_letter_bytes_as_base64) {
    static sy_profile_update_t p;
    sy_dead_letter_t d = dead_letter_full();
    const void *frame;
    size_t len;
    init_profile_full(&p);
    expect_err(codec_encode_profile_update(codec, &p, &frame, &len, errbuf, sizeof errbuf),
               SY_OK);
    char *json = json_of_frame(frame, len);
    cr_expect_str_eq(json,
        "{\"schema\":\"ProfileUpdate\",\"contact_id\":\"contact-42\","
        "\"updated_at\":\"2026-11-01T09:00:00.000Z\",\"set\":{\"nickname\":null,"
        "\"vip\":true,\"visits\":-7,\"ltv\":1234.25,\"tier\":\"gold\"},"
        "\"unset\":[\"old_tier\",\"temp\"]}");
    free(json);
    expect_err(codec_encode_dead_letter(codec, &d, &frame, &len, errbuf, sizeof errbuf),
               SY_OK);
    json = json_of_frame(frame, len);
    cr_expect_str_eq(json,
        "{\"schema\":\"DeadLetter\",\"source_topic\":\"events\",\"partition\":7,"
        "\"offset\":123456789012,\"error_code\":\"malformed\","
        "\"error\":\"enum out of range\",\"key\":\"YzE=\",\"value\":\"AP8Qfw==\","
        "\"failed_at\":\"2026-11-01T09:00:00.000Z\"}");
    free(json);
}

Test(codec, to_json_renders_action_decision_and_contact_update) {
    sy_action_t a = action_full();
    sy_decision_t d = decision_min();
    sy_contact_update_t u = contact_update_full();
    const void *frame;
    size_t len;
    expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    char *json = json_of_frame(frame, len);
    cr_expect(strstr(json, "\"channel\":\"voice\",\"template_id\":\"reactivate\"") != NULL,
              "%s", json);
    free(json);
    expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    json = json_of_frame(frame, len);
    /* INT64_MAX ms is past year 9999: rendered as the number */
    cr_expect(strstr(json, "\"cause\":\"timer\",\"cause_event_id\":null,"
                           "\"decided_at\":9223372036854775807}") != NULL, "%s", json);
    free(json);
    expect_err(codec_encode_contact_update(codec, &u, &frame, &len, errbuf, sizeof errbuf),
               SY_OK);
    json = json_of_frame(frame, len);
    cr_expect(strstr(json, "{\"schema\":\"ContactUpdate\",") == json, "%s", json);
    cr_expect(strstr(json, "\"op\":\"set_attribute\"") != NULL, "%s", json);
    free(json);
}

Test(codec, to_json_refuses_what_the_decoders_refuse) {
    wire_t w;
    char *json = NULL;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_ANSWERED);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(codec_to_json(codec, w.b, w.n, &json, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    w.b[0] = 9;
    expect_err(codec_to_json(codec, w.b, w.n, &json, errbuf, sizeof errbuf),
               SY_ERR_BAD_MAGIC);
    expect_err(codec_to_json(codec, w.b, 3, &json, errbuf, sizeof errbuf), SY_ERR_TRUNCATED);
    cr_expect_null(json);
}

Test(codec, to_json_leaves_a_decoded_record_alone) {
    sy_event_t in = event_full(), out;
    sy_event_t other = event_min();
    const void *frame;
    size_t len;
    ROUND_TRIP(codec_encode_event, codec_decode_event, &in, &out);
    expect_err(codec_encode_event(codec, &other, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    free(json_of_frame(frame, len));
    expect_event_eq(&out, &in);
}

/* --- the direct JSON writer (codec_json_of_written) against codec_to_json ------------- */

/* The writer's text of the frame just encoded equals codec_to_json's, byte for byte. */
static void expect_same_json(const void *frame, size_t len, int draw) {
    char *want = json_of_frame(frame, len);
    const char *got = NULL;
    size_t got_len = 0;
    expect_err(codec_json_of_written(codec, frame, len, &got, &got_len, errbuf,
                                     sizeof errbuf), SY_OK);
    cr_assert_eq(got_len, strlen(got), "draw %d: the length counts the text", draw);
    cr_assert_str_eq(got, want, "draw %d", draw);
    free(want);
}

#define JSON_DRAWS 2000

Test(codec, json_writer_matches_to_json_on_seeded_random_records_of_every_kind) {
    static gen_t g = {.rng = 7};
    static sy_profile_update_t p;
    sy_event_t e;
    sy_action_t a;
    sy_decision_t d;
    sy_contact_update_t u;
    sy_dead_letter_t dl;
    const void *frame;
    size_t len;
    for (int i = 0; i < JSON_DRAWS; i++) {
        g.used = 0;
        gen_event(&g, &e);
        gen_profile_update(&g, &p);
        gen_action(&g, &a);
        expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf), SY_OK);
        expect_same_json(frame, len, i);
        expect_err(codec_encode_profile_update(codec, &p, &frame, &len, errbuf,
                                               sizeof errbuf), SY_OK);
        expect_same_json(frame, len, i);
        expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf), SY_OK);
        expect_same_json(frame, len, i);
        g.used = 0;
        gen_decision(&g, &d);
        gen_contact_update(&g, &u);
        gen_dead_letter(&g, &dl);
        expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf),
                   SY_OK);
        expect_same_json(frame, len, i);
        expect_err(codec_encode_contact_update(codec, &u, &frame, &len, errbuf,
                                               sizeof errbuf), SY_OK);
        expect_same_json(frame, len, i);
        expect_err(codec_encode_dead_letter(codec, &dl, &frame, &len, errbuf, sizeof errbuf),
                   SY_OK);
        expect_same_json(frame, len, i);
    }
}

/* Every length to 40 and every place of a byte JSON escapes (or of a UTF-8 pair), in a
 * decision's path: the writer's eight-at-a-time scan and its overlapping tail agree with
 * json-c. */
Test(codec, json_writer_escapes_a_byte_at_every_place_of_every_length) {
    static const char *const odd[] = {"\x01", "\n", "\"", "\\", "\x1f", "\xc3\xa9"};
    char path[48];
    sy_decision_t d = {.contact_id = "c-1", .journey_id = "j", .journey_version = 1,
                       .to_node = "n", .path = path, .cause = SY_CAUSE_ENTRY,
                       .decided_at_ms = 1};
    const void *frame;
    size_t len;
    for (size_t n = 0; n <= 40; n++) {
        for (size_t at = 0; at <= n; at++) {
            for (size_t k = 0; k < sizeof odd / sizeof *odd; k++) {
                for (size_t i = 0; i < n; i++)
                    path[i] = (char)('a' + (i * 7) % 26);
                path[n] = '\0';
                if (at < n) { /* at == n: plain only */
                    size_t m = strlen(odd[k]);
                    if (at + m > n)
                        continue;
                    memcpy(path + at, odd[k], m);
                }
                expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf,
                                                 sizeof errbuf), SY_OK);
                expect_same_json(frame, len, (int)(n * 100 + at));
            }
        }
    }
}

Test(codec, json_writer_refuses_a_cut_body_and_a_bad_header) {
    sy_event_t e = event_full();
    const void *frame;
    size_t len;
    const char *json;
    size_t json_len;
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    unsigned char copy[1024];
    cr_assert_lt(len, sizeof copy);
    memcpy(copy, frame, len);
    for (size_t cut = 5; cut < len; cut++) /* 5: the header alone */
        expect_err(codec_json_of_written(codec, copy, cut, &json, &json_len, errbuf,
                                         sizeof errbuf), SY_ERR_MALFORMED);
    cr_assert(strstr(errbuf, "malformed Avro body:") != NULL, "%s", errbuf);
    copy[0] = 1;
    expect_err(codec_json_of_written(codec, copy, len, &json, &json_len, errbuf,
                                     sizeof errbuf), SY_ERR_BAD_MAGIC);
}

Test(codec, json_writer_matches_to_json_on_edge_times) {
    static const int64_t times[] = {INT64_MIN, -62167219200001, -62167219200000, -86400001,
                                    -1, 0, 1, 86399999, 1764547200000, 253402300799999,
                                    253402300800000, INT64_MAX};
    sy_decision_t d = decision_full();
    const void *frame;
    size_t len;
    for (size_t i = 0; i < sizeof times / sizeof *times; i++) {
        d.decided_at_ms = times[i];
        sy_err_t err = codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf);
        if (err == SY_OK) /* a time the rules refuse is never written */
            expect_same_json(frame, len, (int)i);
    }
}
