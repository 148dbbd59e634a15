/* test_record_replay.c — a live run recorded and replayed: the service runs an example
 * journey file on the broker (time.mode = event), `switchyard record` captures its events
 * and profiles topics, `switchyard replay` re-runs the recordings into files and into
 * output topics of its own, and every contact gets the decisions of the live run, read
 * back with read_committed; replayed straight from the topics, the output is the bytes of
 * the recordings' replay. Needs the broker (tests/broker/with_kafka.sh). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "service_fixture.h"
#include "transcript.h"

#define PATHS_DIR SY_SOURCE_ROOT "/tests/journeys/paths"
#define READ_TIMEOUT_MS 120000
#define LINE_BYTES 8192

static int run(const char *args) {
    char command[4096];
    snprintf(command, sizeof command, "%s %s", SWITCHYARD_BIN, args);
    int status = system(command);
    return child_exit_code(status);
}

/* The decisions of a replay's JSON lines, and how many. */
static long file_decisions(const char *path, transcripts_t *t) {
    char line[LINE_BYTES];
    long n = 0;
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    while (fgets(line, sizeof line, f)) {
        transcript_add_json(t, line, "RoutingDecision");
        n += strstr(line, "\"schema\":\"RoutingDecision\"") != NULL;
    }
    fclose(f);
    return n;
}

static void expect_same(const transcripts_t *want, const transcripts_t *got,
                        const char *what) {
    cr_assert(eq(sz, got->count, want->count), "%s: %zu contacts, live %zu", what, got->count,
              want->count);
    for (size_t i = 0; i < want->count; i++) {
        const char *contact = want->items[i].contact;
        cr_expect(eq(str, (char *)transcript_of(got, contact), (char *)want->items[i].text),
                  "%s, contact %s:\n  %s: %s\n  live:   %s", what, contact, what,
                  transcript_of(got, contact), want->items[i].text);
    }
}

/* Record the service's input topics into the service's directory. */
static void record_topic(const service_t *svc, const char *topic, const char *file) {
    char args[1024];
    snprintf(args, sizeof args, "record --topic %s --out %s/%s --bootstrap %s", topic,
             svc->dir, file, harness_bootstrap());
    cr_assert(eq(int, run(args), 0), "switchyard %s failed", args);
}

static transcripts_t live, replayed, produced;

/* Largest replay output of these tests: a few hundred JSON lines. */
#define OUTPUT_BYTES_MAX (1 << 20)
static char file_a[OUTPUT_BYTES_MAX], file_b[OUTPUT_BYTES_MAX];

static void read_whole(const char *dir, const char *name, char *buf) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    size_t n = fread(buf, 1, OUTPUT_BYTES_MAX - 1, f);
    cr_assert_lt(n, (size_t)OUTPUT_BYTES_MAX - 1, "%s: larger than the test expects", path);
    buf[n] = '\0';
    fclose(f);
}

static void record_replay(const char *journey) {
    char args[2048];
    service_t svc, out;
    long undecodable = 0;
    memset(&live, 0, sizeof live);
    memset(&replayed, 0, sizeof replayed);
    memset(&produced, 0, sizeof produced);
    service_prepare_with_journeys(&svc, "rec-replay", SY_SOURCE_ROOT "/examples/journeys");
    service_start(&svc);
    char path[512];
    snprintf(path, sizeof path, "%s/%s.jsonl", PATHS_DIR, journey);
    long profiles = service_produce_jsonl(&svc, path, 1);
    if (profiles)
        service_wait_profiles_read(&svc, profiles);
    cr_assert_gt(service_produce_jsonl(&svc, path, 0), 0);
    record_topic(&svc, svc.profiles, "profiles.rec");
    record_topic(&svc, svc.events, "events.rec");

    /* The service fires a timer only when a later event passes it: --until input. */
    snprintf(args, sizeof args,
             "replay --journeys %s --recording %s/profiles.rec --recording %s/events.rec "
             "--until input --out %s/replay.jsonl",
             svc.journeys_dir, svc.dir, svc.dir, svc.dir);
    cr_assert(eq(int, run(args), 0), "switchyard %s failed", args);
    snprintf(args, sizeof args, "%s/replay.jsonl", svc.dir);
    long n = file_decisions(args, &replayed);
    cr_assert_gt(n, 0, "the replay made no decisions");
    long got = harness_consume_json(harness_bootstrap(), svc.decisions, "read_committed", n,
                                    READ_TIMEOUT_MS, harness_json_to_transcripts, &live,
                                    &undecodable);
    int status = service_stop(&svc, 60000);
    cr_assert(eq(long, got, n), "%s: the live run made %ld decisions, the replay %ld", journey,
              got,
              n);
    expect_same(&live, &replayed, "replay");

    /* Straight from the topics, profiles first: the bytes of the replay of the recordings. */
    snprintf(args, sizeof args,
             "replay --journeys %s --topic %s --profiles-topic %s --bootstrap %s "
             "--until input --out %s/replay-topic.jsonl",
             svc.journeys_dir, svc.events, svc.profiles, harness_bootstrap(), svc.dir);
    cr_assert(eq(int, run(args), 0), "switchyard %s failed", args);
    read_whole(svc.dir, "replay.jsonl", file_a);
    read_whole(svc.dir, "replay-topic.jsonl", file_b);
    cr_assert(eq(str, file_b, file_a), "replay --topic differs from replay --recording");

    /* The same replay produced to output topics of its own (out's config). */
    service_prepare(&out, "rec-replay-out");
    snprintf(args, sizeof args,
             "replay --journeys %s --recording %s/profiles.rec --recording %s/events.rec "
             "--until input --config %s",
             svc.journeys_dir, svc.dir, svc.dir, out.config_path);
    cr_assert(eq(int, run(args), 0), "switchyard %s failed", args);
    got = harness_consume_json(harness_bootstrap(), out.decisions, "read_committed", n,
                               READ_TIMEOUT_MS, harness_json_to_transcripts, &produced,
                               &undecodable);
    cr_assert(eq(long, undecodable, 0), "%s: %ld decisions do not decode", journey,
              undecodable);
    cr_assert(eq(long, got, n), "%s: the replay produced %ld decisions, wrote %ld", journey, got,
              n);
    expect_same(&live, &produced, "replay to Kafka");
    cr_assert(eq(int, child_exit_code(status), 0), "service exit status %d",
              status);
    service_cleanup(&out);
    service_cleanup(&svc);
}

Test(record_replay, voice_reactivation_with_profiles, .timeout = 300) {
    record_replay("coffee_voice_reactivation");
}

Test(record_replay, email_promo_with_timers, .timeout = 300) {
    record_replay("coffee_email_promo");
}
