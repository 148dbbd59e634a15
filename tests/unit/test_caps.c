/* test_caps.c — frequency caps and quiet hours (engine_safety.h, engine_caps.c,
 * engine_quiet.c): the rules read from safety.caps and safety.quiet_hours.* with each bad
 * part named, counting in exact windows, the release of a held send, a pruned cap log that
 * counts as the whole history would, and quiet hours across midnight and DST changes. The
 * gate inside the engine is pinned by the simulate transcript in tests/cli. No Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "engine_safety.h"
#include "sy_time.h"
#include "tz.h"

#define H_MS INT64_C(3600000)
#define DAY_MS (24 * H_MS)
#define T0_MS INT64_C(1793523600000) /* 2026-11-02T09:00:00Z */

static char errbuf[512];
static engine_safety_conf_t conf;
static state_consent_t log_c;

static void setup(void) {
    engine_safety_conf_default(&conf);
    memset(&log_c, 0, sizeof log_c);
}

TestSuite(caps, .init = setup);

static void caps_ok(const char *text) {
    cr_assert(eq(int, engine_safety_caps_parse(&conf, text, errbuf, sizeof errbuf), SY_OK),
              "%s: %s", text, errbuf);
}

static void caps_fail(const char *text, const char *want) {
    engine_safety_conf_t fresh;
    engine_safety_conf_default(&fresh);
    cr_assert(eq(int, engine_safety_caps_parse(&fresh, text, errbuf, sizeof errbuf),
                 SY_ERR_CONFIG), "%s", text);
    cr_assert(eq(str, errbuf, (char *)want), "%s", text);
}

Test(caps, rules_are_read_for_a_channel_or_all_and_each_category) {
    caps_ok("email_daily:email:marketing:2/24h, promo_weekly:all:marketing:5/7d,"
            "receipts:sms:transactional:50/30d,any_push:push:any:1/1h");
    cr_assert(eq(sz, conf.caps_count, 4));
    cr_assert(eq(str, conf.caps[0].name, "email_daily"));
    cr_assert(eq(int, conf.caps[0].channel, SY_CHANNEL_EMAIL));
    cr_assert(eq(int, conf.caps[0].category, JOURNEY_CATEGORY_MARKETING));
    cr_assert(eq(int, conf.caps[0].count_max, 2));
    cr_assert(eq(i64, conf.caps[0].window_ms, DAY_MS));
    cr_assert(eq(int, conf.caps[1].channel, -1));
    cr_assert(eq(i64, conf.caps[1].window_ms, 7 * DAY_MS));
    cr_assert(eq(int, conf.caps[2].category, JOURNEY_CATEGORY_TRANSACTIONAL));
    cr_assert(eq(int, conf.caps[3].category, -1));
}

Test(caps, a_bad_rule_names_its_bad_part) {
    caps_fail("daily", "caps: rule 'daily': write NAME:CHANNEL:CATEGORY:N/WINDOW");
    caps_fail("daily:email:marketing:2", "caps: rule 'daily:email:marketing:2': write "
              "NAME:CHANNEL:CATEGORY:N/WINDOW");
    caps_fail("Daily:email:marketing:2/24h", "caps: rule 'Daily:email:marketing:2/24h': "
              "name 'Daily' is not 1 to 128 of a-z, 0-9, '_', '.', '-'");
    caps_fail("d:fax:marketing:2/24h", "caps: rule 'd:fax:marketing:2/24h': channel 'fax' "
              "is not a channel or all");
    caps_fail("d:email:promo:2/24h", "caps: rule 'd:email:promo:2/24h': category 'promo' "
              "is not marketing, transactional or any");
    caps_fail("d:email:any:0/24h", "caps: rule 'd:email:any:0/24h': N '0' is not a whole "
              "number from 1 to 50");
    caps_fail("d:email:any:51/24h", "caps: rule 'd:email:any:51/24h': N '51' is not a "
              "whole number from 1 to 50");
    caps_fail("d:email:any:2/day", "caps: rule 'd:email:any:2/day': window 'day' is not a "
              "duration (24h, 7d, 30d)");
    caps_fail("d:email:any:2/24h,d:sms:any:2/24h", "caps: rule 'd:sms:any:2/24h': a second "
              "rule named 'd'");
    char many[1024];
    size_t n = 0;
    for (int i = 0; i <= ENGINE_SAFETY_CAPS_MAX; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "r%d:all:any:1/1h,", i);
    caps_fail(many, "caps: rule 'r16:all:any:1/1h': more than 16 rules");
}

static void quiet_fail(const char *text, const char *want) {
    cr_assert(eq(int, engine_safety_quiet_parse(&conf, SY_CHANNEL_SMS, text, errbuf,
                                                sizeof errbuf), SY_ERR_CONFIG), "%s", text);
    cr_assert(eq(str, errbuf, (char *)want), "%s", text);
}

Test(caps, quiet_hours_are_read_and_a_bad_part_is_named) {
    cr_assert(eq(int, engine_safety_quiet_parse(&conf, SY_CHANNEL_SMS, "21:00-08:30", errbuf,
                                                sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(conf.quiet[SY_CHANNEL_SMS].on);
    cr_assert(eq(int, conf.quiet[SY_CHANNEL_SMS].start_minute, 21 * 60));
    cr_assert(eq(int, conf.quiet[SY_CHANNEL_SMS].end_minute, 8 * 60 + 30));
    quiet_fail("21:00", "'21:00' is not HH:MM-HH:MM (as 21:00-08:00)");
    quiet_fail("24:00-08:00", "start '24:00' is not a time HH:MM (00:00 to 23:59)");
    quiet_fail("21:00-8:00", "end '8:00' is not a time HH:MM (00:00 to 23:59)");
    quiet_fail("21:60-08:00", "start '21:60' is not a time HH:MM (00:00 to 23:59)");
    quiet_fail("08:00-08:00", "start and end are both 08:00: leave the option empty for no "
               "quiet hours");
    cr_assert(eq(int, engine_safety_quiet_parse(&conf, SY_CHANNEL_SMS, "", errbuf,
                                                sizeof errbuf), SY_OK));
    cr_assert(not(conf.quiet[SY_CHANNEL_SMS].on), "empty: none");
}

/* The spread must fit outside every channel's quiet hours, or a held send would leave
 * inside the next ones. */
Test(caps, a_spread_longer_than_the_open_part_of_the_day_is_refused) {
    engine_safety_quiet_parse(&conf, SY_CHANNEL_VOICE, "09:00-07:00", errbuf, sizeof errbuf);
    conf.quiet_spread_ms = 2 * H_MS;
    cr_assert(eq(int, engine_safety_quiet_check(&conf, errbuf, sizeof errbuf), SY_OK));
    conf.quiet_spread_ms = 2 * H_MS + 1;
    cr_assert(eq(int, engine_safety_quiet_check(&conf, errbuf, sizeof errbuf),
                 SY_ERR_CONFIG));
    cr_assert(eq(str, errbuf, "safety.quiet_hours.spread.ms: 7200001 ms is longer than the "
                 "7200000 ms outside voice's quiet hours: held sends would leave inside "
                 "them"));
}

static void log_add(int channel, int category, int64_t t) {
    log_c.sends[log_c.sends_count++] = (state_consent_send_t){t, (uint8_t)channel,
                                                              (uint8_t)category};
}

/* The window is (t - W, t]: a send exactly W ago no longer counts. */
Test(caps, a_rule_counts_its_channel_and_category_in_its_window_only) {
    caps_ok("email_daily:email:marketing:2/24h,all_daily:all:any:3/24h");
    log_add(SY_CHANNEL_EMAIL, 0, T0_MS);
    log_add(SY_CHANNEL_SMS, 0, T0_MS + H_MS);
    log_add(SY_CHANNEL_EMAIL, 1, T0_MS + 2 * H_MS);
    log_add(SY_CHANNEL_EMAIL, 0, T0_MS + 3 * H_MS);
    const engine_cap_rule_t *email = &conf.caps[0], *all = &conf.caps[1];
    cr_assert(eq(int, engine_caps_count(email, &log_c, T0_MS + 3 * H_MS), 2));
    cr_assert(eq(int, engine_caps_count(all, &log_c, T0_MS + 3 * H_MS), 4));
    cr_assert(eq(int, engine_caps_count(email, &log_c, T0_MS + DAY_MS - 1), 2));
    cr_assert(eq(int, engine_caps_count(email, &log_c, T0_MS + DAY_MS), 1), "W ago: out");
    cr_assert(eq(int, engine_caps_count(email, &log_c, T0_MS + 2 * H_MS), 1), "not later");
    int64_t release = 0;
    int rule = -1;
    /* Marketing email at 04h: both rules bind; the latest release wins. */
    int first = engine_caps_binding(&conf, &log_c, SY_CHANNEL_EMAIL,
                                    JOURNEY_CATEGORY_MARKETING, T0_MS + 4 * H_MS, &release,
                                    &rule);
    cr_assert(eq(int, first, 0));
    cr_assert(eq(int, rule, 1), "all_daily needs two of four to leave: later");
    cr_assert(eq(i64, release, T0_MS + H_MS + DAY_MS));
    /* A transactional SMS: only all_daily matches. */
    first = engine_caps_binding(&conf, &log_c, SY_CHANNEL_SMS, JOURNEY_CATEGORY_TRANSACTIONAL,
                                T0_MS + 4 * H_MS, &release, &rule);
    cr_assert(eq(int, first, 1));
    /* After the first email left its window only all_daily binds, at 3 of 3. */
    first = engine_caps_binding(&conf, &log_c, SY_CHANNEL_EMAIL, JOURNEY_CATEGORY_MARKETING,
                                T0_MS + DAY_MS, &release, &rule);
    cr_assert(eq(int, first, 1));
    cr_assert(eq(i64, release, T0_MS + H_MS + DAY_MS));
    first = engine_caps_binding(&conf, &log_c, SY_CHANNEL_PUSH, JOURNEY_CATEGORY_MARKETING,
                                T0_MS + H_MS + DAY_MS, &release, &rule);
    cr_assert(eq(int, first, -1), "two in the window: under both");
}

/* The caps decide alike over a and b at t: each rule's count up to its N, and for every
 * kind of send the binding rule and the release. */
static void binding_same(const state_consent_t *a, const state_consent_t *b, int64_t t,
                         int step) {
    for (size_t r = 0; r < conf.caps_count; r++) {
        int n = conf.caps[r].count_max, ca = engine_caps_count(&conf.caps[r], a, t),
            cb = engine_caps_count(&conf.caps[r], b, t);
        cr_assert(eq(int, ca < n ? ca : n, cb < n ? cb : n), "rule %s, step %d",
                  conf.caps[r].name, step);
    }
    for (int ch = SY_CHANNEL_EMAIL; ch <= SY_CHANNEL_PUSH; ch++)
        for (int cat = 0; cat < 2; cat++) {
            int64_t ra = 0, rb = 0;
            int rule_a = -1, rule_b = -1;
            int fa = engine_caps_binding(&conf, a, (sy_channel_t)ch, (journey_category_t)cat,
                                         t, &ra, &rule_a);
            int fb = engine_caps_binding(&conf, b, (sy_channel_t)ch, (journey_category_t)cat,
                                         t, &rb, &rule_b);
            cr_assert(eq(int, fa, fb), "channel %d category %d, step %d", ch, cat, step);
            cr_assert(eq(int, rule_a, rule_b), "step %d", step);
            cr_assert(eq(i64, fa < 0 ? 0 : ra, fb < 0 ? 0 : rb), "release, step %d", step);
        }
}

/* No window of any rule over the whole history holds more than its N: for each send x,
 * the sends a rule counts in (x - window, x]. */
static void no_window_over_a_cap(const state_consent_send_t *all, size_t n) {
    for (size_t r = 0; r < conf.caps_count; r++) {
        const engine_cap_rule_t *rule = &conf.caps[r];
        for (size_t x = 0; x < n; x++) {
            int count = 0;
            for (size_t k = 0; k < n; k++) {
                const state_consent_send_t *e = &all[k];
                bool matches = (rule->channel < 0 || rule->channel == e->channel) &&
                               (rule->category < 0 || rule->category == e->category);
                count += matches && e->time_ms <= all[x].time_ms &&
                         e->time_ms > all[x].time_ms - rule->window_ms;
            }
            cr_assert(le(int, count, rule->count_max), "rule %s, window ending at send %zu",
                      rule->name, x);
        }
    }
}

/* Sends at random times, a fifth of them late (stamped up to 30 h before the newest),
 * each made only when no cap binds, as the gate makes them: no window of the history
 * ever holds more than a rule's N, the pruned log decides at every later time as the
 * whole history would, and it keeps at most two windows' worth (2N) per rule. */
Test(caps, the_pruned_log_counts_exactly_as_the_whole_history_late_sends_included) {
    enum { STEPS = 1500 };
    static state_consent_send_t all[STEPS];
    caps_ok("e2:email:marketing:2/24h,a12:all:marketing:12/7d,s3:sms:any:3/1h,t3:all:"
            "transactional:3/2d,w50:all:any:50/2d");
    uint64_t x = 88172645463325252u;
    int64_t newest = T0_MS;
    size_t n = 0, log_max = 0;
    for (int i = 0; i < STEPS; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        newest += (int64_t)(x % (3 * H_MS));
        int64_t t = (x >> 40) % 5 == 0 ? newest - (int64_t)((x >> 8) % (30 * H_MS)) : newest;
        sy_channel_t ch = (sy_channel_t)(x >> 20) % 3 == 0 ? SY_CHANNEL_EMAIL
                          : (x >> 22) % 2 ? SY_CHANNEL_SMS : SY_CHANNEL_PUSH;
        journey_category_t cat = (journey_category_t)((x >> 30) % 3 == 0);
        int64_t release = 0;
        int rule = -1;
        if (engine_caps_binding(&conf, &log_c, ch, cat, t, &release, &rule) >= 0)
            continue;
        if (engine_caps_record(&conf, &log_c, ch, cat, t))
            all[n++] = (state_consent_send_t){t, (uint8_t)ch, (uint8_t)cat};
        log_max = log_c.sends_count > log_max ? log_c.sends_count : log_max;
        static state_consent_t whole;
        size_t from = n > STATE_CONSENT_SENDS_MAX ? n - STATE_CONSENT_SENDS_MAX : 0;
        whole.sends_count = 0;
        for (size_t k = from; k < n; k++) { /* oldest first, as the log keeps them */
            size_t at = whole.sends_count++;
            while (at > 0 && whole.sends[at - 1].time_ms > all[k].time_ms) {
                whole.sends[at] = whole.sends[at - 1];
                at--;
            }
            whole.sends[at] = all[k];
        }
        for (int64_t later = -30 * H_MS; later <= 2 * DAY_MS; later += 13 * H_MS)
            binding_same(&log_c, &whole, newest + later, i);
    }
    no_window_over_a_cap(all, n);
    cr_assert(le(sz, log_max, (size_t)(2 * (2 + 12 + 3 + 3 + 50))), "kept %zu", log_max);
    cr_assert(gt(sz, n, (size_t)STEPS / 10), "enough sends went to test: %zu", n);
}

/* A send of a late event falls in windows that end after it: with two emails allowed a
 * day and one sent at 20:00, a late one stamped 10:00 goes (two in the day ending at
 * 20:00), but a later-arriving one stamped 09:00 is capped — its own day, ending at 09:00,
 * holds none, but the day ending at 20:00 would hold three. */
Test(caps, a_late_send_is_counted_in_the_windows_after_it) {
    int64_t release = 0;
    int rule = -1;
    caps_ok("e2:email:marketing:2/24h");
    engine_caps_record(&conf, &log_c, SY_CHANNEL_EMAIL, JOURNEY_CATEGORY_MARKETING,
                       T0_MS + 11 * H_MS);
    cr_assert(eq(int, engine_caps_binding(&conf, &log_c, SY_CHANNEL_EMAIL,
                                          JOURNEY_CATEGORY_MARKETING, T0_MS + H_MS, &release,
                                          &rule),
                 -1));
    engine_caps_record(&conf, &log_c, SY_CHANNEL_EMAIL, JOURNEY_CATEGORY_MARKETING,
                       T0_MS + H_MS);
    cr_assert(eq(int, engine_caps_binding(&conf, &log_c, SY_CHANNEL_EMAIL,
                                          JOURNEY_CATEGORY_MARKETING, T0_MS, &release, &rule),
                 0));
    /* The first instant a send breaks no window: when the 10:00 send leaves one. */
    cr_assert(eq(i64, release, T0_MS + H_MS + DAY_MS));
    /* Stamped a window and more before the newest send: the log cannot vouch for the
     * windows before it, so it is capped too. */
    cr_assert(eq(int, engine_caps_binding(&conf, &log_c, SY_CHANNEL_EMAIL,
                                          JOURNEY_CATEGORY_MARKETING,
                                          T0_MS + 11 * H_MS - DAY_MS - H_MS, &release, &rule),
                 0));
}

/* Quiet hours. */

static int64_t at(const char *iso) {
    int64_t ms = 0;
    cr_assert(sy_time_parse_iso(iso, &ms), "%s", iso);
    return ms;
}

/* The release of contact "c1" at iso under quiet hours text in zone, without spread. */
static int64_t release_of(const char *text, const char *zone, const char *iso) {
    engine_safety_quiet_parse(&conf, SY_CHANNEL_SMS, text, errbuf, sizeof errbuf);
    return engine_quiet_release(&conf.quiet[SY_CHANNEL_SMS], zone, "c1", 0, at(iso));
}

Test(caps, quiet_hours_across_midnight_and_within_a_day) {
    int64_t t = at("2026-11-02T22:00:00Z");
    cr_assert(eq(i64, release_of("21:00-08:00", NULL, "2026-11-02T22:00:00Z"),
                 at("2026-11-03T08:00:00Z")));
    cr_assert(eq(i64, release_of("21:00-08:00", NULL, "2026-11-03T07:59:59Z"),
                 at("2026-11-03T08:00:00Z")));
    cr_assert(eq(i64, release_of("21:00-08:00", NULL, "2026-11-02T21:00:00Z"),
                 at("2026-11-03T08:00:00Z")), "start inclusive");
    cr_assert(eq(i64, release_of("21:00-08:00", NULL, "2026-11-03T08:00:00Z"),
                 at("2026-11-03T08:00:00Z")), "end exclusive: not held");
    cr_assert(eq(i64, release_of("21:00-08:00", NULL, "2026-11-02T20:59:59Z"),
                 at("2026-11-02T20:59:59Z")));
    cr_assert(eq(i64, release_of("12:00-14:00", NULL, "2026-11-02T13:30:00Z"),
                 at("2026-11-02T14:00:00Z")));
    cr_assert(eq(i64, release_of("12:00-14:00", NULL, "2026-11-02T22:00:00Z"),
                 at("2026-11-02T22:00:00Z")), "outside a daytime window");
    /* Berlin is UTC+1 in November: 22:00Z is 23:00 there. */
    cr_assert(eq(i64, release_of("21:00-08:00", "Europe/Berlin", "2026-11-02T22:00:00Z"),
                 at("2026-11-03T07:00:00Z")));
    (void)t;
}

/* DST: the local clock decides, on the days it jumps. */
Test(caps, quiet_hours_follow_dst_changes_in_new_york_and_berlin) {
    /* New York springs forward 2026-03-08 02:00 EST -> 03:00 EDT: 08:00 is 12:00Z. */
    cr_assert(eq(i64, release_of("21:00-08:00", "America/New_York", "2026-03-08T06:00:00Z"),
                 at("2026-03-08T12:00:00Z")));
    /* It falls back 2026-11-01 02:00 EDT -> 01:00 EST: 08:00 EST is 13:00Z. */
    cr_assert(eq(i64, release_of("21:00-08:00", "America/New_York", "2026-11-01T05:30:00Z"),
                 at("2026-11-01T13:00:00Z")));
    /* Quiet until 01:30 on the fall-back day: 01:30 EDT first; 01:00-01:30 EST, an hour
     * later, is quiet again and ends at 01:30 EST. */
    cr_assert(eq(i64, release_of("00:00-01:30", "America/New_York", "2026-11-01T04:30:00Z"),
                 at("2026-11-01T05:30:00Z")));
    cr_assert(eq(i64, release_of("00:00-01:30", "America/New_York", "2026-11-01T06:10:00Z"),
                 at("2026-11-01T06:30:00Z")));
    /* Berlin springs forward 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist;
     * quiet hours ending then end at the gap's end, 03:00 CEST (01:00Z). */
    cr_assert(eq(i64, release_of("01:00-02:30", "Europe/Berlin", "2026-03-29T00:30:00Z"),
                 at("2026-03-29T01:00:00Z")));
    /* Berlin falls back 2026-10-25 03:00 CEST -> 02:00 CET: 06:00 CET is 05:00Z. */
    cr_assert(eq(i64, release_of("22:00-06:00", "Europe/Berlin", "2026-10-25T00:30:00Z"),
                 at("2026-10-25T05:00:00Z")));
}

/* Releases spread over the spread window, each contact at its own stable offset, and
 * none inside the quiet hours, also round a fall-back hour that repeats them. */
Test(caps, the_spread_is_stable_and_never_releases_inside_quiet_hours) {
    engine_safety_quiet_parse(&conf, SY_CHANNEL_SMS, "00:00-01:30", errbuf, sizeof errbuf);
    const engine_quiet_hours_t *q = &conf.quiet[SY_CHANNEL_SMS];
    const char *zone = "America/New_York";
    int64_t t = at("2026-11-01T04:30:00Z"), end = at("2026-11-01T05:30:00Z");
    int64_t spread = 40 * 60000, lo = INT64_MAX, hi = INT64_MIN;
    for (int i = 0; i < 200; i++) {
        char id[16];
        snprintf(id, sizeof id, "c%d", i);
        int64_t r = engine_quiet_release(q, zone, id, spread, t);
        cr_assert(eq(i64, engine_quiet_release(q, zone, id, spread, t), r), "stable");
        cr_assert(eq(i64, engine_quiet_release(q, zone, id, spread, r), r),
                  "%s released at %lld, inside quiet hours", id, (long long)r);
        int64_t local = r + (int64_t)tz_offset_s(zone, r) * 1000;
        int minute = (int)((local % DAY_MS) / 60000);
        cr_assert(ge(int, minute, 90), "%s at local minute %d", id, minute);
        if (r < end + 30 * 60000) { /* before the repeated hour: the first end's spread */
            lo = r < lo ? r : lo;
            hi = r > hi ? r : hi;
        }
    }
    cr_assert(ge(i64, lo, end));
    cr_assert(lt(i64, hi, end + spread));
    cr_assert(gt(i64, hi - lo, 20 * 60000), "spread out, not one burst");
}

/* From a service config: every option is read, and an error names the option. */
static sy_err_t from_config(const char *extra) {
    char text[1024];
    sy_config_t *config = NULL;
    snprintf(text, sizeof text, "kafka.bootstrap.servers = x\njourneys.dir = .\n"
             "state.dir = s\n%s", extra);
    cr_assert(eq(int, config_parse(&config, text, "t.conf", "/tmp", errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    sy_err_t err = engine_safety_conf_from_config(&conf, config, errbuf, sizeof errbuf);
    config_free(config);
    return err;
}

Test(caps, the_service_config_sets_caps_and_quiet_hours_and_names_a_bad_option) {
    cr_assert(eq(int, from_config("safety.caps = d:email:marketing:2/24h\n"
                                  "safety.quiet_hours.voice = 21:00-08:00\n"
                                  "safety.quiet_hours.spread.ms = 60000\n"
                                  "safety.quiet_hours.timezone.attribute = tz\n"
                                  "safety.quiet_hours.timezone.default = Europe/Paris\n"),
                 SY_OK), "%s", errbuf);
    cr_assert(eq(sz, conf.caps_count, 1));
    cr_assert(conf.quiet[SY_CHANNEL_VOICE].on);
    cr_assert(not(conf.quiet[SY_CHANNEL_SMS].on));
    cr_assert(eq(i64, conf.quiet_spread_ms, 60000));
    cr_assert(eq(str, conf.timezone_attr, "tz"));
    cr_assert(eq(str, conf.timezone_default, "Europe/Paris"));
    cr_assert(eq(int, from_config("safety.caps = d:email:marketing:2/week\n"), SY_ERR_CONFIG));
    cr_assert(eq(str, errbuf, "safety.caps: rule 'd:email:marketing:2/week': window 'week' is "
                 "not a duration (24h, 7d, 30d)"));
    cr_assert(eq(int, from_config("safety.quiet_hours.web = 21:00-25:00\n"), SY_ERR_CONFIG));
    cr_assert(eq(str, errbuf, "safety.quiet_hours.web: end '25:00' is not a time HH:MM "
                 "(00:00 to 23:59)"));
    cr_assert(eq(int, from_config("safety.quiet_hours.sms = 06:30-06:00\n"), SY_ERR_CONFIG),
              "the default hour of spread is longer than 06:00-06:30");
    cr_assert_not_null(strstr(errbuf, "outside sms's quiet hours"), "%s", errbuf);
}

Test(caps, a_fatigue_rule_reads_ignored_and_engaged_elsewhere) {
    sy_err_t err = engine_safety_fatigue_parse(&conf, SY_CHANNEL_EMAIL,
                                               "ignored:5,engaged_elsewhere:14d", errbuf,
                                               sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "%s", errbuf);
    cr_expect(eq(int, conf.fatigue[SY_CHANNEL_EMAIL].mode, JOURNEY_FATIGUE_RULE));
    cr_expect(eq(int, conf.fatigue[SY_CHANNEL_EMAIL].ignored, 5));
    cr_expect(eq(i64, conf.fatigue[SY_CHANNEL_EMAIL].elsewhere_ms, 14 * INT64_C(86400000)));
    cr_assert(eq(int, engine_safety_fatigue_parse(&conf, SY_CHANNEL_EMAIL, "", errbuf,
                                                  sizeof errbuf), SY_OK));
    cr_expect(eq(int, conf.fatigue[SY_CHANNEL_EMAIL].mode, JOURNEY_FATIGUE_CONFIG),
              "empty: no rule");
}

Test(caps, a_bad_fatigue_rule_names_its_bad_part) {
    static const struct {
        const char *text, *why;
    } cases[] = {
        {"ignored:0,engaged_elsewhere:14d", "ignored must be 1 to 1000, not '0'"},
        {"ignored:5,engaged_elsewhere:2w", "bad duration '2w' (write 14d, 72h)"},
        {"ignored:5", "write both ignored:N and engaged_elsewhere:D"},
        {"ignored:5,clicks:3", "'clicks:3' is neither ignored:N nor engaged_elsewhere:D"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sy_err_t err = engine_safety_fatigue_parse(&conf, SY_CHANNEL_SMS, cases[i].text,
                                                   errbuf, sizeof errbuf);
        cr_expect(eq(int, err, SY_ERR_CONFIG), "%s", cases[i].text);
        cr_expect(eq(str, errbuf, (char *)cases[i].why), "%s", cases[i].text);
    }
}

Test(caps, the_config_reads_fatigue_and_address_options) {
    sy_config_t *config = NULL;
    const char *text = "state.dir = /tmp/x\njourneys.dir = /tmp/y\n"
                       "kafka.bootstrap.servers = k:9092\n"
                       "safety.fatigue.email = ignored:3,engaged_elsewhere:7d\n"
                       "safety.address.push = app_token\n";
    cr_assert(eq(int, config_parse(&config, text, "t.conf", "/srv", errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_assert(eq(int, engine_safety_conf_from_config(&conf, config, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_expect(eq(int, conf.fatigue[SY_CHANNEL_EMAIL].ignored, 3));
    cr_expect(eq(int, conf.fatigue[SY_CHANNEL_SMS].mode, JOURNEY_FATIGUE_CONFIG));
    cr_expect(eq(str, conf.address_attr[SY_CHANNEL_PUSH], "app_token"));
    cr_expect(eq(str, conf.address_attr[SY_CHANNEL_EMAIL], "email"), "the default");
    cr_expect(eq(str, conf.address_attr[SY_CHANNEL_WEB], ""), "none needed");
    config_free(config);
}
