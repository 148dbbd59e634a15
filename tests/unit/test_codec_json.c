/* test_codec_json.c — codec_to_json: events with ISO times and lower-case enums, absent
 * fields as null, profile values and dead-letter bytes, every output kind, refusals as the
 * decoders refuse, and a decoded record left alone; the output writer (codec_json_decision,
 * ...) against it, byte for byte, and its refusals as the encoders'. */
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

/* --- the output writer (codec_json_decision, ...) against codec_to_json --------------- */

/* The writer's line for *rec equals codec_to_json's text of the frame encode writes for it,
 * byte for byte, and its length counts the text; when want is not NULL, both are want. */
#define EXPECT_JSON(encode, write, rec, draw, want)                                         \
    do {                                                                                    \
        const void *frame_;                                                                 \
        size_t len_, got_len_ = 0;                                                          \
        const char *got_ = NULL, *want_text_ = (want);                                      \
        expect_err(encode(codec, (rec), &frame_, &len_, errbuf, sizeof errbuf), SY_OK);     \
        char *old_ = json_of_frame(frame_, len_);                                           \
        if (want_text_)                                                                     \
            cr_expect_str_eq(old_, want_text_, "codec_to_json");                            \
        expect_err(write(codec, (rec), &got_, &got_len_, errbuf, sizeof errbuf), SY_OK);    \
        cr_assert_eq(got_len_, strlen(got_), "draw %d: the length counts the text",        \
                     (int)(draw));                                                          \
        cr_assert_str_eq(got_, old_, "draw %d", (int)(draw));                               \
        free(old_);                                                                         \
    } while (0)

#define EXPECT_SAME_JSON(encode, write, rec, draw) EXPECT_JSON(encode, write, rec, draw, NULL)

#define JSON_DRAWS 2000

Test(codec, json_writer_matches_to_json_on_seeded_random_records_of_every_output_kind) {
    static gen_t g = {.rng = 7};
    sy_action_t a;
    sy_decision_t d;
    sy_contact_update_t u;
    sy_dead_letter_t dl;
    sy_conversion_t c;
    for (int i = 0; i < JSON_DRAWS; i++) {
        g.used = 0;
        gen_action(&g, &a);
        gen_decision(&g, &d);
        gen_contact_update(&g, &u);
        gen_dead_letter(&g, &dl);
        gen_conversion(&g, &c);
        EXPECT_SAME_JSON(codec_encode_action, codec_json_action, &a, i);
        EXPECT_SAME_JSON(codec_encode_decision, codec_json_decision, &d, i);
        EXPECT_SAME_JSON(codec_encode_contact_update, codec_json_contact_update, &u, i);
        EXPECT_SAME_JSON(codec_encode_dead_letter, codec_json_dead_letter, &dl, i);
        EXPECT_SAME_JSON(codec_encode_conversion, codec_json_conversion, &c, i);
    }
}

/* Every length to 40 and every place of a byte JSON escapes (or of a UTF-8 pair), in a
 * decision's path: the writer's eight-at-a-time scan and its overlapping tail agree with
 * json-c. */
Test(codec, json_writer_escapes_a_byte_at_every_place_of_every_length) {
    static const char *const odd[] = {"\x01", "\n", "\"", "\\", "\x1f", "\xc3\xa9", "/",
                                      "\x7f"};
    char path[48];
    sy_decision_t d = {.contact_id = "c-1", .journey_id = "j", .journey_version = 1,
                       .to_node = "n", .path = path, .cause = SY_CAUSE_ENTRY,
                       .decided_at_ms = 1};
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
                EXPECT_SAME_JSON(codec_encode_decision, codec_json_decision, &d,
                                 n * 100 + at);
            }
        }
    }
}

/* A string with every kind of byte the writer treats apart, and its JSON text: quotes,
 * backslash and control bytes escaped; '/', 0x7f and UTF-8 as they are. */
#define ODD "a/\"b\\\x01\n\t\x7f\xc3\xa9\xe2\x82\xac"
#define ODD_JSON "\"a/\\\"b\\\\\\u0001\\n\\t\x7f\xc3\xa9\xe2\x82\xac\""

/* Both codec_to_json's text of the frame encode writes for *rec and the writer's line for
 * it are want. */
#define EXPECT_PINNED_JSON(encode, write, rec, want) EXPECT_JSON(encode, write, rec, 0, want)

Test(codec, json_writer_writes_awkward_strings_of_each_output_kind_as_pinned) {
    sy_decision_t d = {.contact_id = ODD, .journey_id = "j", .journey_version = -3,
                       .to_node = "n", .path = ODD, .cause = SY_CAUSE_TIMER,
                       .decided_at_ms = 1764547200000};
    EXPECT_PINNED_JSON(codec_encode_decision, codec_json_decision, &d,
        "{\"schema\":\"RoutingDecision\",\"contact_id\":" ODD_JSON ",\"journey_id\":\"j\","
        "\"journey_version\":-3,\"from_node\":null,\"to_node\":\"n\",\"path\":" ODD_JSON
        ",\"cause\":\"timer\",\"cause_event_id\":null,"
        "\"decided_at\":\"2025-12-01T00:00:00.000Z\"}");
    sy_action_t a = {.action_id = "a1", .contact_id = "c1", .channel = SY_CHANNEL_IN_APP,
                     .template_id = ODD, .not_before_ms = -1, .journey_id = "j",
                     .journey_version = 2, .node_id = "n", .occurrence = 1,
                     .tracking_number = "+12125550100", .params_count = 2,
                     .params = {{"k/1", ODD}, {"\x1f", ""}}, .tracking_cta = "button",
                     .tracking_fallback = true};
    EXPECT_PINNED_JSON(codec_encode_action, codec_json_action, &a,
        "{\"schema\":\"ActionCommand\",\"action_id\":\"a1\",\"contact_id\":\"c1\","
        "\"channel\":\"in_app\",\"template_id\":" ODD_JSON ","
        "\"not_before\":\"1969-12-31T23:59:59.999Z\",\"journey_id\":\"j\","
        "\"journey_version\":2,\"node_id\":\"n\",\"occurrence\":1,"
        "\"tracking_number\":\"+12125550100\",\"params\":{\"k/1\":" ODD_JSON ","
        "\"\\u001f\":\"\"},\"tracking_display\":null,\"tracking_tel\":null,"
        "\"tracking_cta\":\"button\",\"tracking_fallback\":true}");
    sy_contact_update_t u = {.contact_id = "c1", .journey_id = "j", .journey_version = 1,
                             .node_id = "n", .op = SY_UPDATE_SET_ATTRIBUTE, .name = ODD,
                             .value = ODD, .at_ms = 253402300800000};
    EXPECT_PINNED_JSON(codec_encode_contact_update, codec_json_contact_update, &u,
        "{\"schema\":\"ContactUpdate\",\"contact_id\":\"c1\",\"journey_id\":\"j\","
        "\"journey_version\":1,\"node_id\":\"n\",\"op\":\"set_attribute\",\"name\":" ODD_JSON
        ",\"value\":" ODD_JSON ",\"at\":253402300800000}");
    sy_conversion_t c = {.contact_id = "c1", .journey_id = "j", .journey_version = 1,
                         .node_id = "n", .action_id = "a1", .rule = ODD, .value = 0.1,
                         .currency = "USD", .call_id = "CA1", .tracking_number = "+1",
                         .converted_at_ms = 0};
    EXPECT_PINNED_JSON(codec_encode_conversion, codec_json_conversion, &c,
        "{\"schema\":\"Conversion\",\"contact_id\":\"c1\",\"journey_id\":\"j\","
        "\"journey_version\":1,\"node_id\":\"n\",\"action_id\":\"a1\",\"rule\":" ODD_JSON
        ",\"value\":0.1,\"currency\":\"USD\",\"call_id\":\"CA1\",\"tracking_number\":\"+1\","
        "\"converted_at\":\"1970-01-01T00:00:00.000Z\"}");
    sy_dead_letter_t dl = {.source_topic = "events", .partition = -1, .offset = INT64_MIN,
                           .error_code = "malformed", .error = ODD, .key = "",
                           .key_len = 0, .value = "\xff\x00\x10", .value_len = 3,
                           .failed_at_ms = 1};
    EXPECT_PINNED_JSON(codec_encode_dead_letter, codec_json_dead_letter, &dl,
        "{\"schema\":\"DeadLetter\",\"source_topic\":\"events\",\"partition\":-1,"
        "\"offset\":-9223372036854775808,\"error_code\":\"malformed\",\"error\":" ODD_JSON
        ",\"key\":\"\",\"value\":\"/wAQ\",\"failed_at\":\"1970-01-01T00:00:00.001Z\"}");
}

/* The writer's verdict on *rec is its encoder's: the same error and message, or both
 * accept it and the line equals codec_to_json's of the frame. */
#define EXPECT_SAME_VERDICT(encode, write, rec, want_err)                                   \
    do {                                                                                    \
        const void *frame_;                                                                 \
        size_t len_, json_len_;                                                             \
        const char *json_;                                                                  \
        char want_[256];                                                                    \
        expect_err(encode(codec, (rec), &frame_, &len_, want_, sizeof want_), (want_err));  \
        expect_err(write(codec, (rec), &json_, &json_len_, errbuf, sizeof errbuf),          \
                   (want_err));                                                             \
        if ((want_err) != SY_OK)                                                            \
            cr_expect_str_eq(errbuf, want_);                                                \
        else                                                                                \
            EXPECT_SAME_JSON(encode, write, rec, 0);                                        \
    } while (0)

/* Refused by the rules, by a string that is not UTF-8 (found as the text is written), by a
 * repeated map key or a frame over SY_FRAME_BYTES_MAX (records the writer leaves to the
 * encoder before writing); and long or UTF-8 records the encoder accepts. */
Test(codec, json_writer_refuses_what_the_encoder_refuses_with_its_message) {
    static char big[SY_FRAME_BYTES_MAX + 1];
    sy_decision_t d = decision_full();
    sy_action_t a = action_full();
    sy_contact_update_t u = contact_update_full();
    sy_dead_letter_t dl = dead_letter_full();
    d.contact_id = NULL;
    EXPECT_SAME_VERDICT(codec_encode_decision, codec_json_decision, &d, SY_ERR_INVALID_RECORD);
    d = decision_full();
    d.path = "caf\xc3\xa9 \xc3";
    EXPECT_SAME_VERDICT(codec_encode_decision, codec_json_decision, &d, SY_ERR_INVALID_RECORD);
    cr_expect(strstr(errbuf, "UTF-8") != NULL, "%s", errbuf);
    memset(big, 'p', sizeof big - 1);
    d.path = big; /* over SY_FRAME_BYTES_MAX alone */
    EXPECT_SAME_VERDICT(codec_encode_decision, codec_json_decision, &d, SY_ERR_LIMIT);
    big[200000] = '\0'; /* long, within the limit: the encoder's verdict, then the text */
    EXPECT_SAME_VERDICT(codec_encode_decision, codec_json_decision, &d, SY_OK);
    a.template_id = "bad \xc3";
    EXPECT_SAME_VERDICT(codec_encode_action, codec_json_action, &a, SY_ERR_INVALID_RECORD);
    a = action_full();
    a.params_count = 2;
    a.params[0] = (sy_kv_t){"k", "1"};
    a.params[1] = (sy_kv_t){"k", "2"};
    EXPECT_SAME_VERDICT(codec_encode_action, codec_json_action, &a, SY_ERR_INVALID_RECORD);
    a.params[1] = (sy_kv_t){"\xc3\xa9", "\xe2\x82\xac"};
    EXPECT_SAME_VERDICT(codec_encode_action, codec_json_action, &a, SY_OK);
    u.value = "\xff";
    EXPECT_SAME_VERDICT(codec_encode_contact_update, codec_json_contact_update, &u,
                        SY_ERR_INVALID_RECORD);
    dl.error = "\xed\xa0\x80"; /* a surrogate: not UTF-8 */
    EXPECT_SAME_VERDICT(codec_encode_dead_letter, codec_json_dead_letter, &dl,
                        SY_ERR_INVALID_RECORD);
    dl.error = NULL;
    EXPECT_SAME_VERDICT(codec_encode_dead_letter, codec_json_dead_letter, &dl,
                        SY_ERR_INVALID_RECORD);
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
            EXPECT_SAME_JSON(codec_encode_decision, codec_json_decision, &d, i);
    }
}
