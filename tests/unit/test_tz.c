/* test_tz.c — unit tests of tz.h against the system's zoneinfo (tzdata): offsets in
 * summer and winter, before the first transition, after the last one (the POSIX footer,
 * north and south), and the next wall-clock time of day across DST changes.
 * Every expected number was computed with python3's zoneinfo module (same tzdata), e.g.
 *   datetime(2024,7,15,12,tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/Paris"))
 *       .utcoffset()  -> 7200 s
 * and for the next 09:30: datetime(y,m,d,9,30,tzinfo=ZoneInfo(zone)).timestamp() over
 * the candidate days, keeping the first instant strictly after the start that exists. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>

#include "tz.h"
#include "tz_int.h"

#define NINE_THIRTY (9 * 60 + 30)

static void assert_offset(const char *zone, int64_t instant_ms, int32_t expected) {
    int32_t got = tz_offset_s(zone, instant_ms);
    cr_assert(eq(i32, got, expected), "tz_offset_s(%s, %lld) = %d, expected %d",
              zone ? zone : "NULL",
              (long long)instant_ms, got, expected);
}

static void assert_next(const char *zone, int64_t after_ms, int minute, int64_t expected) {
    int64_t got = tz_next_minute_of_day(zone, after_ms, minute);
    cr_assert(eq(i64, got, expected), "tz_next_minute_of_day(%s, %lld, %d) = %lld, expected %lld",
              zone ? zone : "NULL", (long long)after_ms, minute, (long long)got,
              (long long)expected);
}

Test(tz, utc_has_offset_zero) {
    assert_offset("UTC", 1721044800000LL, 0);
    assert_offset("Etc/UTC", 1705320000000LL, 0);
}

Test(tz, europe_paris_summer_and_winter) {
    assert_offset("Europe/Paris", 1721044800000LL, 7200); /* 2024-07-15T12:00Z */
    assert_offset("Europe/Paris", 1705320000000LL, 3600); /* 2024-01-15T12:00Z */
}

Test(tz, america_new_york_summer_and_winter) {
    assert_offset("America/New_York", 1721044800000LL, -14400);
    assert_offset("America/New_York", 1705320000000LL, -18000);
}

Test(tz, half_hour_zone) {
    assert_offset("Asia/Kolkata", 1714521600000LL, 19800); /* 2024-05-01T00:00Z */
}

Test(tz, before_the_first_transitions_uses_the_64_bit_history) {
    /* 1900-01-01T00:00Z: Paris Mean Time, +0:09:21; outside the 32-bit range. */
    assert_offset("Europe/Paris", -2208988800000LL, 561);
}

Test(tz, after_the_last_transition_the_footer_rule_holds) {
    assert_offset("Europe/Paris", 2855865600000LL, 7200);     /* 2060-07-01T00:00Z */
    assert_offset("Europe/Paris", 2869084800000LL, 3600);     /* 2060-12-01T00:00Z */
    assert_offset("America/New_York", 2372914799000LL, -18000); /* 2045-03-12T06:59:59Z */
    assert_offset("America/New_York", 2372914800000LL, -14400); /* 2045-03-12T07:00:00Z */
    /* Southern hemisphere: daylight time spans the new year. */
    assert_offset("Australia/Sydney", 2525385600000LL, 39600); /* 2050-01-10T00:00Z */
    assert_offset("Australia/Sydney", 2541024000000LL, 36000); /* 2050-07-10T00:00Z */
}

Test(tz, unknown_or_refused_zone_is_utc) {
    assert_offset("Mars/Olympus_Mons", 1721044800000LL, 0);
    assert_offset(NULL, 1721044800000LL, 0);
    assert_offset("", 1721044800000LL, 0);
    assert_offset("../zoneinfo/Europe/Paris", 1721044800000LL, 0);
    assert_offset("Europe/../Europe/Paris", 1721044800000LL, 0);
    assert_offset("/usr/share/zoneinfo/Europe/Paris", 1721044800000LL, 0);
    /* 2024-07-15T07:00Z → 09:30 UTC the same day. */
    assert_next("Mars/Olympus_Mons", 1721026800000LL, NINE_THIRTY, 1721035800000LL);
    assert_next(NULL, 1721026800000LL, NINE_THIRTY, 1721035800000LL);
}

Test(tz, next_time_of_day_in_utc) {
    assert_next("UTC", 1721026800000LL, NINE_THIRTY, 1721035800000LL);
    /* Just after 09:30: tomorrow. */
    assert_next("UTC", 1721035800001LL, NINE_THIRTY, 1721122200000LL);
}

Test(tz, next_time_of_day_is_strictly_after) {
    /* 2024-07-15T07:30Z is 09:30 in Paris: the next one is the 16th, 07:30Z. */
    assert_next("Europe/Paris", 1721028600000LL, NINE_THIRTY, 1721115000000LL);
    assert_next("Europe/Paris", 1721028599999LL, NINE_THIRTY, 1721028600000LL);
    /* 2024-07-15T08:00Z, already past: tomorrow. */
    assert_next("Europe/Paris", 1721030400000LL, NINE_THIRTY, 1721115000000LL);
}

Test(tz, next_time_of_day_on_dst_change_days_in_paris) {
    /* 2024-03-31T00:00Z (spring forward that night) → 09:30 CEST = 07:30Z. */
    assert_next("Europe/Paris", 1711843200000LL, NINE_THIRTY, 1711870200000LL);
    /* 2024-10-27T00:00Z (fall back that night) → 09:30 CET = 08:30Z. */
    assert_next("Europe/Paris", 1729987200000LL, NINE_THIRTY, 1730017800000LL);
}

Test(tz, next_time_of_day_on_dst_change_days_in_new_york) {
    /* 2024-03-09T15:00Z (the day before) and 2024-03-10T01:00Z (the evening before,
     * local) → 09:30 EDT on the 10th = 13:30Z. */
    assert_next("America/New_York", 1709996400000LL, NINE_THIRTY, 1710077400000LL);
    assert_next("America/New_York", 1710032400000LL, NINE_THIRTY, 1710077400000LL);
    /* 2024-11-03T05:00Z (01:00 EDT, fall-back day) → 09:30 EST = 14:30Z. */
    assert_next("America/New_York", 1730610000000LL, NINE_THIRTY, 1730644200000LL);
}

Test(tz, spring_gap_waits_until_the_gap_ends) {
    /* 02:30 does not exist in New York on 2024-03-10: from 01:00Z on the 10th (20:00 EST
     * the evening before) the wait ends at the gap's end, 03:00 EDT = 07:00Z. */
    assert_next("America/New_York", 1710032400000LL, 2 * 60 + 30, 1710054000000LL);
    /* At the gap's end exactly: the next 02:30 is on the 11th, 02:30 EDT = 06:30Z. */
    assert_next("America/New_York", 1710054000000LL, 2 * 60 + 30, 1710138600000LL);
    /* The same in 2045, past the file's transitions: from the footer rule. */
    assert_next("America/New_York", 2372907600000LL, 2 * 60 + 30, 2372914800000LL);
}

Test(tz, repeated_hour_gives_the_first_then_the_second) {
    /* 01:30 happens twice in New York on 2024-11-03: 05:30Z (EDT) and 06:30Z (EST). */
    assert_next("America/New_York", 1730610600000LL, 90, 1730611800000LL);
    assert_next("America/New_York", 1730611800000LL, 90, 1730615400000LL);
}

Test(tz, next_time_of_day_from_the_footer_rule) {
    /* 2060-07-01T06:00Z → 09:30 CEST = 07:30Z. */
    assert_next("Europe/Paris", 2855887200000LL, NINE_THIRTY, 2855892600000LL);
}

/* The POSIX footer forms directly (tz_int.h): hand-made rules, instants from python3's
 * datetime(..., tzinfo=timezone.utc).timestamp(). */
static void assert_footer(const char *text, int64_t t_s, int32_t expected) {
    tz_footer_t f;
    cr_assert(tz_footer_parse(text, &f), "tz_footer_parse(%s) refused it", text);
    int32_t got = tz_footer_offset_s(&f, t_s);
    cr_assert(eq(i32, got, expected), "%s at %lld: %d, expected %d", text, (long long)t_s, got,
              expected);
}

Test(tz, footer_without_daylight_time) {
    assert_footer("<-03>3", 1906502400, -10800);
    assert_footer("IST-5:30", 1906502400, 19800);
    assert_footer("<+0545>-5:45", 1906502400, 20700);
}

Test(tz, footer_julian_rule_never_counts_february_29) {
    /* AAA3BBB,J60/2,J300/2: daylight time from 1 March 02:00 to day 300, 02:00. */
    const char *rule = "AAA3BBB,J60/2,J300/2";
    assert_footer(rule, 1894665600, -10800); /* 2030-01-15 */
    assert_footer(rule, 1906502400, -7200);  /* 2030-06-01 */
    assert_footer(rule, 1919303999, -7200);  /* 2030-10-27T03:59:59Z, 01:59:59 local */
    assert_footer(rule, 1919304000, -10800); /* 2030-10-27T04:00Z */
    assert_footer(rule, 1961668800, -10800); /* 2032-02-29T12:00Z: still standard */
    assert_footer(rule, 1961729999, -10800); /* 2032-03-01T04:59:59Z */
    assert_footer(rule, 1961730000, -7200);  /* 2032-03-01T05:00Z, 02:00 local */
}

Test(tz, footer_forms_not_supported_are_refused) {
    tz_footer_t f;
    cr_assert_not(tz_footer_parse("EST5EDT", &f), "a daylight name without a rule");
    cr_assert_not(tz_footer_parse("E5", &f), "a two-letter name");
    cr_assert_not(tz_footer_parse("CET-1CEST,M13.5.0,M10.5.0/3", &f), "month 13");
    cr_assert_not(tz_footer_parse("CET-1CEST,M3.5.0", &f), "a rule without an end");
}
