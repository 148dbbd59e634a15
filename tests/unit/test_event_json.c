/* test_event_json.c — unit tests of the JSON-lines reader of `switchyard simulate`
 * (processor/io/event_json.h): every event field, both time forms and offsets, custom events,
 * the "message" shorthand, profile lines, skipped lines, and every error message with its
 * file:line. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "event_json.h"
#include "sy_time.h"

#define T0_MS INT64_C(1793606400000) /* 2026-11-02T08:00:00.000Z */

static event_json_t *parser;
static event_json_line_t line;
static char errbuf[512];

static void parser_setup(void) {
    sy_err_t err = event_json_open(&parser, "events.jsonl", errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "event_json_open: %s", errbuf);
}

static void parser_teardown(void) {
    event_json_close(parser);
    parser = NULL;
}

TestSuite(event_json, .init = parser_setup, .fini = parser_teardown);

static sy_err_t parse_at(const char *text, long line_no) {
    errbuf[0] = '\0';
    return event_json_parse(parser, text, strlen(text), line_no, &line, errbuf,
                            sizeof errbuf);
}

static const sy_event_t *event_ok(const char *text) {
    sy_err_t err = parse_at(text, 3);
    cr_assert(eq(int, err, SY_OK), "parse failed: %s (%s)", sy_err_name(err), errbuf);
    cr_assert(eq(int, line.kind, EVENT_JSON_EVENT), "kind %d for %s", (int)line.kind, text);
    cr_assert_null(line.profile);
    return line.event;
}

/* The line fails with want and exactly the message "events.jsonl:7: " + message. */
static void expect_error(const char *text, sy_err_t want, const char *message) {
    char expected[512];
    sy_err_t err = parse_at(text, 7);
    snprintf(expected, sizeof expected, "events.jsonl:7: %s", message);
    cr_assert(eq(int, err, want), "got %s, want %s for %s (%s)", sy_err_name(err),
              sy_err_name(want),
              text, errbuf);
    cr_assert_str_eq(errbuf, expected);
}

/* As expect_error, for a message that only starts with message. */
static void expect_error_prefix(const char *text, const char *message) {
    char expected[512];
    sy_err_t err = parse_at(text, 7);
    snprintf(expected, sizeof expected, "events.jsonl:7: %s", message);
    cr_assert(eq(int, err, SY_ERR_INVALID_RECORD), "got %s for %s (%s)", sy_err_name(err), text,
              errbuf);
    cr_assert(strncmp(errbuf, expected, strlen(expected)) == 0, "message \"%s\" does not "
              "start with \"%s\"", errbuf, expected);
}

#define EV(fields) "{\"contact_id\":\"c1\",\"time\":\"2026-11-02T08:00:00Z\"," fields "}"

/* ---- events ---- */

Test(event_json, every_event_field_is_read) {
    const sy_event_t *e = event_ok(
        "{\"event_id\":\"e1\",\"contact_id\":\"c1\",\"time\":\"2026-11-02T08:00:00Z\","
        "\"type\":\"email.bounced\",\"message_id\":\"a1\",\"journey_id\":\"j1\","
        "\"node_id\":\"n1\",\"link\":\"https://x.test/o\",\"text\":\"caf\\u00e9\","
        "\"bounce\":\"hard\",\"value\":12.5,\"props\":{\"store\":\"Leeds\",\"n\":\"2\"}}");
    cr_assert_str_eq(e->event_id, "e1");
    cr_assert_str_eq(e->contact_id, "c1");
    cr_assert(eq(i64, e->occurred_at_ms, T0_MS), "%lld", (long long)e->occurred_at_ms);
    cr_assert(eq(int, e->channel, SY_CHANNEL_EMAIL));
    cr_assert(eq(int, e->type, SY_EVENT_BOUNCED));
    cr_assert_str_eq(e->message_id, "a1");
    cr_assert_str_eq(e->journey_id, "j1");
    cr_assert_str_eq(e->node_id, "n1");
    cr_assert_null(e->name);
    cr_assert_str_eq(e->link, "https://x.test/o");
    cr_assert_str_eq(e->text, "caf\xc3\xa9");
    cr_assert(eq(int, e->bounce, SY_BOUNCE_HARD));
    cr_assert(e->has_value);
    cr_assert_float_eq(e->value, 12.5, 1e-12);
    cr_assert(eq(sz, e->props_count, 2));
    cr_assert_str_eq(e->props[0].key, "store");
    cr_assert_str_eq(e->props[0].value, "Leeds");
    cr_assert_str_eq(e->props[1].key, "n");
    cr_assert_str_eq(e->props[1].value, "2");
}

Test(event_json, absent_and_null_fields_are_absent_and_event_id_defaults_to_the_line) {
    const sy_event_t *e = event_ok(EV("\"type\":\"sms.replied\",\"link\":null"));
    cr_assert_str_eq(e->event_id, "line-3");
    cr_assert(eq(int, e->channel, SY_CHANNEL_SMS));
    cr_assert(eq(int, e->type, SY_EVENT_REPLIED));
    cr_assert_null(e->message_id);
    cr_assert_null(e->journey_id);
    cr_assert_null(e->node_id);
    cr_assert_null(e->link);
    cr_assert_null(e->text);
    cr_assert(eq(int, e->bounce, SY_BOUNCE_NONE));
    cr_assert_not(e->has_value);
    cr_assert(eq(sz, e->props_count, 0));
}

Test(event_json, soft_bounce_and_integer_value) {
    const sy_event_t *e = event_ok(EV("\"type\":\"email.bounced\",\"bounce\":\"soft\","
                                      "\"value\":40"));
    cr_assert(eq(int, e->bounce, SY_BOUNCE_SOFT));
    cr_assert(e->has_value);
    cr_assert_float_eq(e->value, 40.0, 1e-12);
}

Test(event_json, custom_events_take_their_name_from_the_type) {
    const sy_event_t *e = event_ok(EV("\"type\":\"custom.store_visit\",\"value\":3.5,"
                                      "\"props\":{\"store\":\"Leeds\"}"));
    cr_assert(eq(int, e->channel, SY_CHANNEL_CUSTOM));
    cr_assert(eq(int, e->type, SY_EVENT_CUSTOM));
    cr_assert_str_eq(e->name, "store_visit");
    cr_assert_str_eq(e->props[0].value, "Leeds");
}

Test(event_json, every_channel_is_written_as_journeys_write_it) {
    static const struct {
        const char *type;
        sy_channel_t channel;
        sy_event_type_t event;
    } cases[] = {
        {"email.spam_report", SY_CHANNEL_EMAIL, SY_EVENT_SPAM_REPORT},
        {"sms.opted_out", SY_CHANNEL_SMS, SY_EVENT_OPTED_OUT},
        {"push.dismissed", SY_CHANNEL_PUSH, SY_EVENT_DISMISSED},
        {"voice.not_attempted", SY_CHANNEL_VOICE, SY_EVENT_NOT_ATTEMPTED},
        {"call.inbound", SY_CHANNEL_CALL, SY_EVENT_INBOUND},
        {"in_app.shown", SY_CHANNEL_IN_APP, SY_EVENT_SHOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, EV("\"type\":\"%s\""), cases[i].type);
        const sy_event_t *e = event_ok(text);
        cr_assert(eq(int, e->channel, cases[i].channel), "%s", cases[i].type);
        cr_assert(eq(int, e->type, cases[i].event), "%s", cases[i].type);
    }
}

Test(event_json, message_names_the_send_node_of_the_journey) {
    const sy_event_t *e = event_ok(EV("\"type\":\"email.opened\",\"journey_id\":"
                                      "\"coffee_email_promo\",\"message\":\"promo_email\""));
    cr_assert_null(e->message_id);
    cr_assert_str_eq(e->journey_id, "coffee_email_promo");
    cr_assert_str_eq(e->node_id, "promo_email");
}

/* ---- time ---- */

static int64_t time_of(const char *time_json) {
    char text[256];
    snprintf(text, sizeof text,
             "{\"contact_id\":\"c1\",\"type\":\"email.opened\",\"time\":%s}", time_json);
    return event_ok(text)->occurred_at_ms;
}

Test(event_json, iso_times_with_offsets_and_fractions) {
    cr_assert(eq(i64, time_of("\"2026-11-02T08:00:00Z\""), T0_MS));
    cr_assert(eq(i64, time_of("\"2026-11-02T09:00:00+01:00\""), T0_MS));
    cr_assert(eq(i64, time_of("\"2026-11-02T02:30:00-05:30\""), T0_MS));
    cr_assert(eq(i64, time_of("\"2026-11-02T08:00:00.5Z\""), T0_MS + 500));
    cr_assert(eq(i64, time_of("\"2026-11-02T08:00:00.25Z\""), T0_MS + 250));
    cr_assert(eq(i64, time_of("\"2026-11-02T08:00:00.123456789Z\""), T0_MS + 123));
    cr_assert(eq(i64, time_of("\"2026-11-02T09:00:00.999+01:00\""), T0_MS + 999));
    cr_assert(eq(i64, time_of("\"1970-01-01T00:00:00Z\""), 0));
    cr_assert(eq(i64, time_of("\"1969-12-31T23:59:59.999Z\""), -1));
    cr_assert(eq(i64, time_of("\"2028-02-29T00:00:00Z\""), INT64_C(1835395200000)));
    cr_assert(eq(i64, time_of("\"0000-01-01T00:00:00Z\""), INT64_C(-62167219200000)));
    cr_assert(eq(i64, time_of("\"9999-12-31T23:59:59.999Z\""), INT64_C(253402300799999)));
}

Test(event_json, epoch_millisecond_times) {
    cr_assert(eq(i64, time_of("1793606400000"), T0_MS));
    cr_assert(eq(i64, time_of("0"), 0));
    cr_assert(eq(i64, time_of("-1000"), -1000));
}

Test(event_json, time_parse_refuses_what_is_not_iso_8601) {
    static const char *const bad[] = {
        "2026-11-02T08:00:00",       "2026-11-02 08:00:00Z",     "2026-11-02T08:00Z",
        "2026-11-02T08:00:00.Z",     "2026-11-02T08:00:00.1234567890Z",
        "2026-13-02T08:00:00Z",      "2026-02-29T08:00:00Z",     "2026-11-31T08:00:00Z",
        "2026-11-02T24:00:00Z",      "2026-11-02T08:60:00Z",     "2026-11-02T08:00:60Z",
        "2026-11-02T08:00:00+0100",  "2026-11-02T08:00:00+24:00", "2026-11-02T08:00:00+01:60",
        "2026-11-02T08:00:00Zjunk",  "26-11-02T08:00:00Z",       "",
        "2026-11-02T08:00:00z",      "2026-00-02T08:00:00Z",     "2026-11-00T08:00:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 42;
        cr_assert_not(sy_time_parse_iso(bad[i], &ms), "accepted '%s'", bad[i]);
    }
}

/* ---- profiles and skipped lines ---- */

Test(event_json, profile_lines_set_and_unset_typed_attributes) {
    sy_err_t err = parse_at("{\"profile\":{\"contact_id\":\"c1\",\"time\":1793606400000,"
                            "\"set\":{\"first_name\":\"Ann\",\"ltv\":540,\"score\":0.5,"
                            "\"vip\":true,\"nick\":null},\"unset\":[\"x\",\"y\"]}}",
                            4);
    cr_assert(eq(int, err, SY_OK), "%s", errbuf);
    cr_assert(eq(int, line.kind, EVENT_JSON_PROFILE));
    cr_assert_null(line.event);
    const sy_profile_update_t *u = line.profile;
    cr_assert_str_eq(u->contact_id, "c1");
    cr_assert(eq(i64, u->updated_at_ms, T0_MS));
    cr_assert(eq(sz, u->set_count, 5));
    cr_assert_str_eq(u->set[0].name, "first_name");
    cr_assert(eq(int, u->set[0].value.kind, SY_VALUE_STRING));
    cr_assert_str_eq(u->set[0].value.u.s, "Ann");
    cr_assert(eq(int, u->set[1].value.kind, SY_VALUE_LONG));
    cr_assert(eq(i64, u->set[1].value.u.l, 540));
    cr_assert(eq(int, u->set[2].value.kind, SY_VALUE_DOUBLE));
    cr_assert_float_eq(u->set[2].value.u.d, 0.5, 1e-12);
    cr_assert(eq(int, u->set[3].value.kind, SY_VALUE_BOOL));
    cr_assert(u->set[3].value.u.b);
    cr_assert(eq(int, u->set[4].value.kind, SY_VALUE_NULL));
    cr_assert(eq(sz, u->unset_count, 2));
    cr_assert_str_eq(u->unset[0], "x");
    cr_assert_str_eq(u->unset[1], "y");
}

Test(event_json, a_profile_line_may_only_set_or_only_unset) {
    cr_assert(eq(int, parse_at("{\"profile\":{\"contact_id\":\"c1\","
                       "\"time\":\"2026-11-02T08:00:00Z\",\"unset\":[\"x\"]}}", 1),
              SY_OK), "%s", errbuf);
    cr_assert(eq(sz, line.profile->set_count, 0));
    cr_assert(eq(sz, line.profile->unset_count, 1));
}

Test(event_json, blank_lines_comments_and_line_ends_are_skipped) {
    static const char *const skipped[] = {"", "\n", "   \t\r\n", "# a comment",
                                          "  # indented comment\n"};
    for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) {
        cr_assert(eq(int, parse_at(skipped[i], 1), SY_OK), "'%s': %s", skipped[i], errbuf);
        cr_assert(eq(int, line.kind, EVENT_JSON_SKIP), "'%s'", skipped[i]);
    }
    const sy_event_t *e = event_ok(EV("\"type\":\"email.opened\"") "\r\n");
    cr_assert(eq(int, e->type, SY_EVENT_OPENED));
}

Test(event_json, a_line_may_hold_exactly_one_byte_count) {
    /* text is read up to len, not up to a NUL: the rest of the buffer is not the line. */
    const char *text = EV("\"type\":\"email.opened\"") "garbage";
    size_t len = strlen(text) - strlen("garbage");
    cr_assert(eq(int, event_json_parse(parser, text, len, 1, &line, errbuf, sizeof errbuf), SY_OK),
              "%s", errbuf);
}

/* ---- errors ---- */

Test(event_json, unknown_event_types_list_what_the_channel_reports) {
    expect_error(EV("\"type\":\"email.opend\""), SY_ERR_INVALID_RECORD,
                 "unknown event type 'email.opend' (email reports sent, delivered, opened, "
                 "clicked, bounced, blocked, unsubscribed, spam_report)");
    expect_error(EV("\"type\":\"voice.opened\""), SY_ERR_INVALID_RECORD,
                 "unknown event type 'voice.opened' (voice reports blocked, attempted, "
                 "not_attempted, answered, not_answered, voicemail)");
    expect_error(EV("\"type\":\"emial.opened\""), SY_ERR_INVALID_RECORD,
                 "unknown event type 'emial.opened' (channels: email, sms, push, voice, "
                 "call, in_app, custom, task, web)");
    expect_error(EV("\"type\":\"opened\""), SY_ERR_INVALID_RECORD,
                 "unknown event type 'opened' (write channel.type: email.opened, "
                 "custom.store_visit)");
    expect_error(EV("\"type\":\"custom.\""), SY_ERR_INVALID_RECORD,
                 "unknown event type 'custom.' (custom reports custom.<name>)");
    expect_error(EV("\"type\":\"task.sent\""), SY_ERR_INVALID_RECORD,
                 "unknown event type 'task.sent' (task reports no events)");
    expect_error(EV("\"type\":\"email.custom\""), SY_ERR_INVALID_RECORD,
                 "unknown event type 'email.custom' (email reports sent, delivered, opened, "
                 "clicked, bounced, blocked, unsubscribed, spam_report)");
}

Test(event_json, missing_fields_are_named) {
    expect_error("{\"contact_id\":\"c1\",\"type\":\"email.opened\"}", SY_ERR_INVALID_RECORD,
                 "'time' is missing");
    expect_error("{\"time\":0,\"type\":\"email.opened\"}", SY_ERR_INVALID_RECORD,
                 "'contact_id' is missing");
    expect_error("{\"contact_id\":\"c1\",\"time\":0}", SY_ERR_INVALID_RECORD,
                 "'type' is missing");
    expect_error("{\"contact_id\":null,\"time\":0,\"type\":\"email.opened\"}",
                 SY_ERR_INVALID_RECORD, "'contact_id' is missing");
}

Test(event_json, malformed_fields_are_named) {
    expect_error(EV("\"type\":\"email.opened\",\"event_id\":\"\""), SY_ERR_INVALID_RECORD,
                 "'event_id' is empty");
    expect_error(EV("\"type\":\"email.opened\",\"message_id\":7"), SY_ERR_INVALID_RECORD,
                 "'message_id' must be a string");
    expect_error(EV("\"type\":5"), SY_ERR_INVALID_RECORD, "'type' must be a string");
    expect_error(EV("\"type\":\"sms.replied\",\"text\":\"a\\u0000b\""), SY_ERR_INVALID_RECORD,
                 "'text' contains a NUL character");
    expect_error(EV("\"type\":\"email.bounced\",\"bounce\":\"firm\""), SY_ERR_INVALID_RECORD,
                 "'bounce' must be \"hard\" or \"soft\", not 'firm'");
    expect_error(EV("\"type\":\"custom.purchase\",\"value\":\"12\""), SY_ERR_INVALID_RECORD,
                 "'value' must be a number");
    expect_error(EV("\"type\":\"custom.purchase\",\"props\":[1]"), SY_ERR_INVALID_RECORD,
                 "'props' must be an object of strings");
    expect_error(EV("\"type\":\"custom.purchase\",\"props\":{\"n\":2}"),
                 SY_ERR_INVALID_RECORD, "'props.n' must be a string");
    expect_error(EV("\"type\":\"custom.purchase\",\"props\":{\"n\":null}"),
                 SY_ERR_INVALID_RECORD, "'props.n' must be a string");
    expect_error(EV("\"type\":\"email.opened\",\"tpye\":\"x\""), SY_ERR_INVALID_RECORD,
                 "unknown field 'tpye'");
}

Test(event_json, bad_times_are_named) {
    expect_error("{\"contact_id\":\"c1\",\"type\":\"email.opened\","
                 "\"time\":\"2026-11-02 08:00\"}",
                 SY_ERR_INVALID_RECORD,
                 "'time' is not an ISO-8601 time (2026-11-02T08:00:00Z) or epoch "
                 "milliseconds: \"2026-11-02 08:00\"");
    expect_error("{\"contact_id\":\"c1\",\"type\":\"email.opened\",\"time\":1.5}",
                 SY_ERR_INVALID_RECORD,
                 "'time' is not an ISO-8601 time (2026-11-02T08:00:00Z) or epoch "
                 "milliseconds: 1.5");
    expect_error("{\"contact_id\":\"c1\",\"type\":\"email.opened\","
                 "\"time\":253402300800000}",
                 SY_ERR_INVALID_RECORD, "'time' is outside the years 0000 to 9999");
}

Test(event_json, message_shorthand_errors) {
    expect_error(EV("\"type\":\"email.opened\",\"message\":\"promo_email\""),
                 SY_ERR_INVALID_RECORD,
                 "'message' needs 'journey_id' (the journey of the send node)");
    expect_error(EV("\"type\":\"email.opened\",\"journey_id\":\"j\",\"node_id\":\"n\","
                    "\"message\":\"promo_email\""),
                 SY_ERR_INVALID_RECORD, "'message' and 'node_id' both given: use one");
    expect_error(EV("\"type\":\"email.opened\",\"journey_id\":\"j\",\"message_id\":\"a\","
                    "\"message\":\"promo_email\""),
                 SY_ERR_INVALID_RECORD, "'message' and 'message_id' both given: use one");
}

Test(event_json, lines_that_are_not_json_objects) {
    expect_error("{\"contact_id\":", SY_ERR_INVALID_RECORD,
                 "not JSON: unexpected end of data at column 15");
    expect_error_prefix("{contact_id: 1}", "not JSON: ");
    expect_error_prefix("{\"a\":1,}", "not JSON: ");
    expect_error_prefix("[1,2]", "not JSON: a line must be one object");
    expect_error_prefix("null", "not JSON: a line must be one object");
    expect_error_prefix(EV("\"type\":\"email.opened\"") " {}",
                        "not JSON: unexpected character at column ");
    expect_error_prefix("{\"text\":\"\xff\"}", "not JSON: ");
    char with_nul[] = "{\"a\":\"x\0y\"}";
    cr_assert(eq(int, event_json_parse(parser, with_nul, sizeof with_nul - 1, 7, &line, errbuf,
                               sizeof errbuf),
              SY_ERR_INVALID_RECORD));
    cr_assert_str_eq(errbuf, "events.jsonl:7: not JSON: a NUL byte at column 8");
}

Test(event_json, limits) {
    char text[8192];
    size_t n = (size_t)snprintf(text, sizeof text, "{\"contact_id\":\"");
    memset(text + n, 'c', SY_ID_BYTES_MAX + 1);
    n += SY_ID_BYTES_MAX + 1;
    snprintf(text + n, sizeof text - n, "\",\"time\":0,\"type\":\"email.opened\"}");
    expect_error(text, SY_ERR_LIMIT, "'contact_id' is longer than 128 bytes");

    n = (size_t)snprintf(text, sizeof text, EV("\"type\":\"custom.x\",\"props\":{"));
    n -= 1; /* drop EV's closing brace: the props object goes on */
    for (int i = 0; i <= SY_EVENT_PROPS_MAX; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s\"p%d\":\"v\"", i ? "," : "", i);
    snprintf(text + n, sizeof text - n, "}}");
    expect_error(text, SY_ERR_LIMIT, "more than 64 props");

    static char big[EVENT_JSON_LINE_BYTES_MAX + 2];
    memset(big, ' ', sizeof big - 1);
    expect_error(big, SY_ERR_LIMIT, "a line of 1048577 bytes is longer than 1048576");
}

Test(event_json, profile_errors) {
    expect_error("{\"profile\":[]}", SY_ERR_INVALID_RECORD, "'profile' must be an object");
    expect_error("{\"profile\":{\"contact_id\":\"c1\",\"time\":0},\"type\":\"x\"}",
                 SY_ERR_INVALID_RECORD, "unknown field 'type'");
    expect_error("{\"profile\":{\"time\":0}}", SY_ERR_INVALID_RECORD,
                 "'profile.contact_id' is missing");
    expect_error("{\"profile\":{\"contact_id\":\"c1\"}}", SY_ERR_INVALID_RECORD,
                 "'profile.time' is missing");
    expect_error("{\"profile\":{\"contact_id\":\"c1\",\"time\":0,\"sett\":{}}}",
                 SY_ERR_INVALID_RECORD, "unknown field 'profile.sett'");
    expect_error("{\"profile\":{\"contact_id\":\"c1\",\"time\":0,\"set\":[]}}",
                 SY_ERR_INVALID_RECORD, "'profile.set' must be an object");
    expect_error("{\"profile\":{\"contact_id\":\"c1\",\"time\":0,\"set\":{\"\":1}}}",
                 SY_ERR_INVALID_RECORD, "'profile.set' has an empty attribute name");
    expect_error("{\"profile\":{\"contact_id\":\"c1\",\"time\":0,\"set\":{\"a\":[1]}}}",
                 SY_ERR_INVALID_RECORD,
                 "'profile.set.a' must be null, a boolean, a number or a string");
    expect_error("{\"profile\":{\"contact_id\":\"c1\",\"time\":0,\"unset\":\"x\"}}",
                 SY_ERR_INVALID_RECORD,
                 "'profile.unset' must be an array of attribute names");
    expect_error("{\"profile\":{\"contact_id\":\"c1\",\"time\":0,\"unset\":[\"a\",\"\"]}}",
                 SY_ERR_INVALID_RECORD, "'profile.unset' entry 2 must be a non-empty string");
    expect_error("{\"profile\":{\"contact_id\":\"c1\",\"time\":0,\"unset\":[\"a\",3]}}",
                 SY_ERR_INVALID_RECORD, "'profile.unset' entry 2 must be a non-empty string");
}

Test(event_json, a_failed_line_does_not_spoil_the_next) {
    expect_error(EV("\"type\":\"email.opend\""), SY_ERR_INVALID_RECORD,
                 "unknown event type 'email.opend' (email reports sent, delivered, opened, "
                 "clicked, bounced, blocked, unsubscribed, spam_report)");
    const sy_event_t *e = event_ok(EV("\"event_id\":\"e2\",\"type\":\"email.opened\""));
    cr_assert_str_eq(e->event_id, "e2");
    cr_assert_null(e->name);
}
