/* test_time_regressions.c — the time inputs that once broke switchyard, kept in
 * tests/regressions/: durations whose due time overflowed int64 (refused by validation
 * against the duration bound) and a recorded event at INT64_MAX (a dead letter, not a
 * burst of early timers). Not the grammar itself: test_time.c. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journey.h"
#include "replay.h"

#define REGRESSIONS SY_SOURCE_ROOT "/tests/regressions/"

static char errbuf[1024];

static void load_refused(const char *name, const char *want) {
    journey_t *j = NULL;
    sy_err_t err = journey_load_file(&j, name, errbuf, sizeof errbuf);
    cr_assert(eq(i64, err, SY_ERR_JOURNEY), "%s: got %s (%s)", name, sy_err_name(err), errbuf);
    cr_assert_null(j);
    cr_assert(strstr(errbuf, want) != NULL, "message \"%s\" lacks \"%s\"", errbuf, want);
}

Test(time_regressions, wait_for_a_duration_past_the_bound_is_refused_with_its_place) {
    load_refused(REGRESSIONS "wait-for-106751991167d.yaml",
                 "wait-for-106751991167d.yaml:8:12: duration '106751991167d' is too large: "
                 "the longest is 36525d (100 years)");
}

Test(time_regressions, otherwise_after_a_duration_past_the_bound_is_refused_with_its_place) {
    load_refused(REGRESSIONS "branch-otherwise-after-106751991167d.yaml",
                 "branch-otherwise-after-106751991167d.yaml:36:16: duration "
                 "'106751991167d' is too large: the longest is 36525d (100 years)");
}

Test(time_regressions, int64_max_milliseconds_is_called_too_large_not_malformed) {
    static const char text[] = "id: j\nversion: 1\nentry: {event: custom.go}\nnodes:\n"
                               "  - id: hold\n    wait: {for: 9223372036854775807ms}\n"
                               "    next: done\n  - id: done\n    exit: {}\n";
    journey_t *j = NULL;
    sy_err_t err = journey_parse(&j, text, sizeof text - 1, "big.yaml", errbuf, sizeof errbuf);
    cr_assert(eq(i64, err, SY_ERR_JOURNEY), "got %s (%s)", sy_err_name(err), errbuf);
    cr_assert_str_eq(errbuf, "big.yaml:6:17: duration '9223372036854775807ms' is too large: "
                             "the longest is 36525d (100 years)");
}

/* The whole output of a replay of recording over the example journeys. */
static char *replay_output(const char *recording, replay_stats_t *stats) {
    char path[] = "/tmp/sy-time-regressions-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    const char *recordings[] = {recording};
    replay_conf_t conf = {.journeys_dir = SY_SOURCE_ROOT "/examples/journeys",
                          .recordings = recordings, .recordings_count = 1,
                          .output_path = path, .partitions = 1,
                          .until = SIMULATE_UNTIL_END};
    replay_stage_t stage;
    sy_err_t err = replay_run(&conf, stats, &stage, errbuf, sizeof errbuf);
    cr_assert(eq(i64, err, SY_OK), "replay: %s (%s)", sy_err_name(err), errbuf);
    FILE *f = fdopen(fd, "r");
    static char out[16384];
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    fclose(f);
    unlink(path);
    return out;
}

Test(time_regressions, event_time_at_int64_max_is_a_dead_letter_and_fires_nothing_early) {
    replay_stats_t stats;
    const char *out = replay_output(REGRESSIONS "recording-event-time-int64max.avro", &stats);
    cr_assert(eq(i64, stats.records, 2), "records: %llu", (unsigned long long)stats.records);
    cr_assert(eq(i64, stats.dead_letters, 1), "dead letters: %llu",
                 (unsigned long long)stats.dead_letters);
    cr_assert(strstr(out, "\"error\":\"EngagementEvent: occurred_at 9223372036854774807 is "
                          "outside the years 0000 to 9999") != NULL, "%s", out);
    /* bob's event is the bad one: he never enters; ann's close fires a day after entry. */
    cr_assert_null(strstr(out, "\"contact_id\":\"bob\",\"journey_id\""), "%s", out);
    cr_assert(strstr(out, "\"path\":\"otherwise\",\"cause\":\"timer\",\"cause_event_id\":null,"
                          "\"decided_at\":\"2026-11-03T08:00:00.000Z\"") != NULL, "%s", out);
    cr_assert_null(strstr(out, "\"decided_at\":-"), "%s", out);
}

/* docs/expressions.md's stored time is also a valid profile default (it was "must be a
 * time" when defaults had a grammar of their own). */
Test(time_regressions, the_documented_time_with_fraction_and_offset_is_a_profile_default) {
    static const char text[] = "id: j\nversion: 1\nprofile:\n  since:\n    type: time\n"
                               "    default: \"2026-11-01T10:00:00.250+01:00\"\n"
                               "entry: {event: custom.go}\nnodes:\n  - id: done\n"
                               "    exit: {}\n";
    journey_t *j = NULL;
    sy_err_t err = journey_parse(&j, text, sizeof text - 1, "p.yaml", errbuf, sizeof errbuf);
    cr_assert(eq(i64, err, SY_OK), "got %s (%s)", sy_err_name(err), errbuf);
    cr_assert(eq(i64, j->attrs_count, 1), "attrs %zu", j->attrs_count);
    cr_assert(eq(i64, j->attrs[0].default_value.u.l, INT64_C(1793523600250)), "default %lld",
                 (long long)j->attrs[0].default_value.u.l);
    journey_free(j);
}
