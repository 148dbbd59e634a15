/* test_simulate_vs_service.c — the same event files that drive the four example journeys
 * through `switchyard simulate` (tests/journeys/paths/) go through `switchyard run` on a
 * real broker, in event-time mode: every contact gets the same routing decisions, action
 * commands and contact updates, read back with read_committed. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "child.h"
#include "service_fixture.h"
#include "transcript.h"

#define PATHS_DIR SY_SOURCE_ROOT "/tests/journeys/paths"
#define READ_TIMEOUT_MS 120000
#define LINE_BYTES 8192

static const char *const kinds[] = {"RoutingDecision", "ActionCommand", "ContactUpdate"};
enum { KINDS = 3 };

static const char *const channels[] = {"email", "sms", "push", "voice", "in_app", "task"};
enum { CHANNELS = 6 };

typedef struct expected {
    transcripts_t by_kind[KINDS];
    long counts[KINDS];
    long actions_per_channel[CHANNELS];
} expected_t;

static expected_t want;
static transcripts_t got[KINDS];
static void simulate(const char *journey) {
    char command[1024], line[LINE_BYTES];
    snprintf(command, sizeof command,
             "%s simulate --journeys %s/examples/journeys --events %s/%s.jsonl 2>/dev/null",
             SWITCHYARD_BIN, SY_SOURCE_ROOT, PATHS_DIR, journey);
    FILE *p = popen(command, "r");
    cr_assert_not_null(p, "%s", command);
    while (fgets(line, sizeof line, p)) {
        for (int k = 0; k < KINDS; k++) {
            transcript_add_json(&want.by_kind[k], line, kinds[k]);
            if (strstr(line, kinds[k]))
                want.counts[k]++;
        }
        for (int c = 0; c < CHANNELS; c++) {
            char field[64];
            snprintf(field, sizeof field, "\"channel\":\"%s\"", channels[c]);
            want.actions_per_channel[c] += strstr(line, "ActionCommand") && strstr(line, field);
        }
    }
    cr_assert(eq(int, pclose(p), 0), "%s failed", command);
}

static void compare(const char *journey) {
    char topic[SERVICE_TOPIC_BYTES + 16];
    service_t svc;
    long undecodable = 0;
    memset(&want, 0, sizeof want);
    memset(got, 0, sizeof got);
    simulate(journey);
    service_prepare_with_journeys(&svc, "sim-vs-run", SY_SOURCE_ROOT "/examples/journeys");
    service_start(&svc);
    char path[512];
    snprintf(path, sizeof path, "%s/%s.jsonl", PATHS_DIR, journey);
    long profiles = service_produce_jsonl(&svc, path, 1);
    if (profiles)
        service_wait_profiles_read(&svc, profiles);
    service_produce_jsonl(&svc, path, 0);

    long n = harness_consume_json(harness_bootstrap(), svc.decisions, "read_committed",
                                  want.counts[0], READ_TIMEOUT_MS, harness_json_to_transcripts,
                                  &got[0], &undecodable);
    cr_assert(eq(long, n, want.counts[0]), "%s: decisions %ld, simulate made %ld", journey, n,
              want.counts[0]);
    long actions = 0;
    for (int c = 0; c < CHANNELS; c++) {
        if (!want.actions_per_channel[c])
            continue;
        service_action_topic(&svc, channels[c], topic, sizeof topic);
        actions += harness_consume_json(harness_bootstrap(), topic, "read_committed",
                                        want.actions_per_channel[c], READ_TIMEOUT_MS,
                                        harness_json_to_transcripts, &got[1], &undecodable);
    }
    long updates = want.counts[2] == 0 ? 0
                   : harness_consume_json(harness_bootstrap(), svc.contact_updates,
                                          "read_committed", want.counts[2], READ_TIMEOUT_MS,
                                          harness_json_to_transcripts, &got[2], &undecodable);
    int status = service_stop(&svc, 60000);
    cr_assert(eq(long, undecodable, 0), "%s: %ld output records do not decode", journey,
              undecodable);
    cr_assert(eq(long, actions, want.counts[1]), "%s: actions %ld vs %ld", journey, actions,
              want.counts[1]);
    cr_assert(eq(long, updates, want.counts[2]), "%s: updates %ld vs %ld", journey, updates,
              want.counts[2]);
    for (int k = 0; k < KINDS; k++)
        for (size_t i = 0; i < want.by_kind[k].count; i++) {
            static char w[TRANSCRIPT_BYTES], g[TRANSCRIPT_BYTES];
            const char *contact = want.by_kind[k].items[i].contact;
            if (k == 0) { /* decisions: one topic, in order */
                snprintf(w, sizeof w, "%s", want.by_kind[k].items[i].text);
                snprintf(g, sizeof g, "%s", transcript_of(&got[k], contact));
            } else {
                transcript_sorted(want.by_kind[k].items[i].text, w, sizeof w);
                transcript_sorted(transcript_of(&got[k], contact), g, sizeof g);
            }
            cr_expect(eq(str, g, w), "%s %s of %s:\n  simulate: %s\n  service:  %s", journey,
                      kinds[k], contact, w, g);
        }
    cr_assert(eq(int, child_exit_code(status), 0), "exit status %d", status);
    service_cleanup(&svc);
}

Test(simulate_vs_service, coffee_email_promo, .timeout = 300) { compare("coffee_email_promo"); }
Test(simulate_vs_service, coffee_sms_feedback, .timeout = 300) { compare("coffee_sms_feedback"); }
Test(simulate_vs_service, coffee_push_promo, .timeout = 300) { compare("coffee_push_promo"); }
Test(simulate_vs_service, coffee_voice_reactivation, .timeout = 300) {
    compare("coffee_voice_reactivation");
}
