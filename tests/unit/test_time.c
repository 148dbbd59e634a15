/* test_time.c — unit tests of base/sy_time.h: the instant grammar (accepted and refused
 * forms), the instant and duration bounds, format/parse round trips, civil dates against
 * a day-by-day count, saturating sums, and the codec refusing event times outside the
 * bounds. Not the expressions that use times (test_expr.c). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "sy_time.h"

#define T0_MS INT64_C(1793606400000) /* 2026-11-02T08:00:00.000Z */

Test(time, iso_instants_in_every_accepted_form) {
    static const struct {
        const char *text;
        int64_t ms;
    } cases[] = {
        {"2026-11-02T08:00:00Z", T0_MS},
        {"2026-11-02T08:00:00.250Z", T0_MS + 250},
        {"2026-11-02T08:00:00.2Z", T0_MS + 200},
        {"2026-11-02T08:00:00.123456789Z", T0_MS + 123},
        {"2026-11-02T09:00:00+01:00", T0_MS},
        {"2026-11-02T03:30:00-04:30", T0_MS},
        {"2026-11-01T10:00:00.250+01:00", INT64_C(1793523600250)},
        {"1970-01-01T00:00:00Z", 0},
        {"1969-12-31T23:59:59.999Z", -1},
        {"2024-02-29T00:00:00Z", INT64_C(1709164800000)},
        {"0000-01-01T00:00:00Z", SY_TIME_MIN_MS},
        {"9999-12-31T23:59:59.999Z", SY_TIME_MAX_MS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t ms = 42;
        cr_assert(sy_time_parse_iso(cases[i].text, &ms), "'%s' refused", cases[i].text);
        cr_assert(eq(i64, ms, cases[i].ms), "'%s' is %lld, want %lld", cases[i].text,
                     (long long)ms, (long long)cases[i].ms);
    }
}

Test(time, iso_refuses_other_forms_impossible_dates_and_out_of_bounds) {
    static const char *const bad[] = {
        "2026-11-02T08:00:00",        "2026-11-02 08:00:00Z",     "2026-11-02t08:00:00Z",
        "2026-11-02T08:00:00z",       "2026-11-02T08:00:00+0100", "2026-11-02T08:00Z",
        "2026-11-02T08:00:00.Z",      "2026-11-02T08:00:00.1234567890Z",
        "2026-02-29T08:00:00Z",       "1900-02-29T00:00:00Z",     "2026-04-31T00:00:00Z",
        "2026-11-02T24:00:00Z",       "2026-11-02T08:60:00Z",     "2026-11-02T08:00:60Z",
        "2026-11-02T08:00:00+24:00",  "2026-11-02T08:00:00+01:60", "2026-11-02T08:00:00Z ",
        "+2026-11-02T08:00:00Z",      "0000-01-01T00:00:00+00:01", "",
        "9999-12-31T23:59:59.999-00:01", "1793606400000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 42;
        cr_assert_not(sy_time_parse_iso(bad[i], &ms), "accepted '%s'", bad[i]);
        cr_assert(eq(i64, ms, 42), "'%s' changed *ms on failure", bad[i]);
    }
}

Test(time, instants_as_epoch_milliseconds_within_the_bounds) {
    int64_t ms = 42;
    cr_assert(sy_time_parse("1793606400000", &ms));
    cr_assert(eq(i64, ms, T0_MS), "got %lld", (long long)ms);
    cr_assert(sy_time_parse("0", &ms));
    cr_assert(eq(i64, ms, 0), "got %lld", (long long)ms);
    cr_assert(sy_time_parse("253402300799999", &ms));
    cr_assert(eq(i64, ms, SY_TIME_MAX_MS), "got %lld", (long long)ms);
    cr_assert(sy_time_parse("2026-11-02T08:00:00Z", &ms));
    cr_assert(eq(i64, ms, T0_MS), "got %lld", (long long)ms);
    static const char *const bad[] = {"253402300800000", "9223372036854775807",
                                      "99999999999999999999", "-1", "+5", "12a", " 1", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ms = 42;
        cr_assert_not(sy_time_parse(bad[i], &ms), "accepted '%s'", bad[i]);
        cr_assert(eq(i64, ms, 42), "'%s' changed *ms on failure", bad[i]);
    }
    cr_assert(sy_time_in_bounds(SY_TIME_MIN_MS) && sy_time_in_bounds(SY_TIME_MAX_MS));
    cr_assert_not(sy_time_in_bounds(SY_TIME_MIN_MS - 1));
    cr_assert_not(sy_time_in_bounds(SY_TIME_MAX_MS + 1));
}

Test(time, format_and_parse_round_trip_across_the_bounds) {
    static const int64_t cases[] = {SY_TIME_MIN_MS, -1, 0, 1, T0_MS + 999,
                                    INT64_C(951782400000), SY_TIME_MAX_MS};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[SY_TIME_TEXT_BYTES];
        int64_t back = 42;
        sy_time_format_ms(cases[i], text);
        cr_assert(sy_time_parse_iso(text, &back), "'%s' refused", text);
        cr_assert(eq(i64, back, cases[i]), "'%s' reads back as %lld, want %lld", text,
                     (long long)back, (long long)cases[i]);
    }
    char text[SY_TIME_TEXT_BYTES];
    sy_time_format_ms(T0_MS + 250, text);
    cr_assert_str_eq(text, "2026-11-02T08:00:00.250Z");
    sy_time_format_ms(INT64_MAX, text); /* any int64 formats without overflow */
    cr_assert_str_eq(text, "292278994-08-17T07:12:55.807Z");
    sy_time_format_ms(INT64_MIN, text);
    cr_assert_str_eq(text, "-292275055-05-16T16:47:04.192Z");
}

/* Civil dates against a plain day-by-day walk from 0000-01-01 to 9999-12-31. */
Test(time, civil_dates_match_a_day_by_day_count) {
    int64_t day = sy_time_days_from_civil(0, 1, 1);
    cr_assert(eq(i64, day * 86400000, SY_TIME_MIN_MS), "0000-01-01 is day %lld", (long long)day);
    for (int64_t y = 0; y <= 9999; y++) {
        for (int m = 1; m <= 12; m++) {
            for (int d = 1; d <= sy_time_days_in_month(y, m); d++, day++) {
                int64_t yy;
                int mm, dd;
                cr_assert(eq(i64, sy_time_days_from_civil(y, m, d), day), "%lld-%d-%d",
                             (long long)y, m, d);
                sy_time_civil_from_days(day, &yy, &mm, &dd);
                cr_assert(yy == y && mm == m && dd == d, "day %lld is %lld-%d-%d, want "
                          "%lld-%d-%d", (long long)day, (long long)yy, mm, dd, (long long)y,
                          m, d);
            }
        }
    }
    cr_assert(eq(i64, day, 2932897), "days through 9999-12-31: %lld", (long long)day);
    cr_assert(sy_time_is_leap(2000) && sy_time_is_leap(2024) && !sy_time_is_leap(1900));
}

Test(time, civil_dates_far_outside_the_bounds_round_trip) {
    static const int64_t days[] = {-100000000000, -719468, -1, 0, 1, 100000000000};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        int64_t y;
        int m, d;
        sy_time_civil_from_days(days[i], &y, &m, &d);
        cr_assert(eq(i64, sy_time_days_from_civil(y, m, d), days[i]), "day %lld",
                     (long long)days[i]);
    }
}

Test(time, durations_within_the_bound) {
    int64_t ms = 42;
    cr_assert(eq(i64, sy_duration_parse("24h", &ms), SY_DURATION_OK));
    cr_assert(eq(i64, ms, 86400000), "got %lld", (long long)ms);
    cr_assert(eq(i64, sy_duration_parse(SY_DURATION_MAX_TEXT, &ms), SY_DURATION_OK));
    cr_assert(eq(i64, ms, SY_DURATION_MAX_MS), "got %lld", (long long)ms);
    static const char *const too_large[] = {"36526d", "9223372036854775807ms",
                                            "106751991167d", "99999999999999999999d"};
    for (size_t i = 0; i < sizeof too_large / sizeof too_large[0]; i++)
        cr_assert(eq(i64, sy_duration_parse(too_large[i], &ms), SY_DURATION_TOO_LARGE), "'%s'",
                     too_large[i]);
    static const char *const bad[] = {"", "0s", "-5m", "5", "h", "5 h", "1.5h", "5w", "5H"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(eq(i64, sy_duration_parse(bad[i], &ms), SY_DURATION_BAD), "'%s'", bad[i]);
    char text[SY_DURATION_TEXT_BYTES];
    sy_duration_format(90000, text, sizeof text);
    cr_assert_str_eq(text, "90s");
    sy_duration_format(1500, text, sizeof text);
    cr_assert_str_eq(text, "1500ms");
    sy_duration_format(0, text, sizeof text);
    cr_assert_str_eq(text, "0s");
}

Test(time, due_time_sums_saturate_instead_of_overflowing) {
    cr_assert(eq(i64, sy_time_add_ms(T0_MS, 1000), T0_MS + 1000));
    cr_assert(eq(i64, sy_time_add_ms(INT64_MAX - 1, 9223372036854775), INT64_MAX));
    cr_assert(eq(i64, sy_time_add_ms(INT64_MIN + 1, -5), INT64_MIN));
    cr_assert(eq(i64, sy_time_add_ms(SY_TIME_MAX_MS, SY_DURATION_MAX_MS),
                 SY_TIME_MAX_MS + SY_DURATION_MAX_MS));
}

/* An event time outside the bounds is a bad record on both sides of the codec. */
Test(time, codec_refuses_event_times_outside_the_bounds) {
    char errbuf[512];
    codec_t *codec = NULL;
    cr_assert(eq(i64, codec_open(&codec, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    sy_event_t e = {.event_id = "e1", .contact_id = "c1", .occurred_at_ms = INT64_MAX,
                    .channel = SY_CHANNEL_SMS, .type = SY_EVENT_SENT,
                    .bounce = SY_BOUNCE_NONE};
    const void *frame = NULL;
    size_t len = 0;
    sy_err_t err = codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf);
    cr_assert(eq(i64, err, SY_ERR_INVALID_RECORD), "encode: %s", sy_err_name(err));
    cr_assert(strstr(errbuf, "occurred_at") && strstr(errbuf, "outside"), "%s", errbuf);
    e.occurred_at_ms = SY_TIME_MAX_MS;
    err = codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf);
    cr_assert(eq(i64, err, SY_OK), "encode: %s", errbuf);
    codec_close(codec);
}
