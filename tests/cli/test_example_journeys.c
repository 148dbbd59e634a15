/* test_example_journeys.c — the four coffee-chain journeys of examples/journeys, driven
 * through every path by `switchyard simulate` over tests/journeys/paths/<journey>.jsonl.
 * Each <journey>.expect lists, per contact, the exact decisions (with the time of those a
 * timer caused), action commands and contact updates, in order. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "child.h"
#include "transcript.h"

#define PATHS_DIR SY_SOURCE_ROOT "/tests/journeys/paths"

static void simulate(const char *journey, transcripts_t *t) {
    char command[1024], line[8192];
    snprintf(command, sizeof command,
             "%s simulate --journeys %s/examples/journeys --events %s/%s.jsonl", SWITCHYARD_BIN,
             SY_SOURCE_ROOT, PATHS_DIR, journey);
    FILE *p = popen(command, "r");
    cr_assert_not_null(p, "%s", command);
    while (fgets(line, sizeof line, p))
        transcript_add_json(t, line, NULL);
    int status = pclose(p);
    cr_assert(eq(int, child_exit_code(status), 0), "%s: status %d", command, status);
}

/* Compare with <journey>.expect: "contact: token | token" per line, # comments. Every
 * contact with output must be listed; a contact listed with nothing after the colon must
 * have no output at all. */
static void check(const char *journey) {
    transcripts_t t = {0};
    char path[512], line[TRANSCRIPT_BYTES + 128];
    size_t listed = 0;
    simulate(journey, &t);
    snprintf(path, sizeof path, "%s/%s.expect", PATHS_DIR, journey);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "open %s", path);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *colon = strchr(line, ':');
        if (line[0] == '#' || !colon)
            continue;
        *colon = '\0';
        const char *expected = colon + 1 + (colon[1] == ' ');
        const char *got = transcript_of(&t, line);
        listed += got[0] != '\0';
        cr_expect(eq(str, (char *)got, (char *)expected),
                  "%s, contact %s:\n  expected: %s\n  got:      %s",
                  journey, line, expected, got);
    }
    fclose(f);
    cr_assert(eq(sz, listed, t.count), "%s: %zu contacts have output but only %zu are in %s",
              journey, t.count, listed, path);
}

Test(example_journeys, coffee_email_promo_every_path, .timeout = 120) {
    check("coffee_email_promo");
}

Test(example_journeys, coffee_sms_feedback_every_path, .timeout = 120) {
    check("coffee_sms_feedback");
}

Test(example_journeys, coffee_push_promo_every_path, .timeout = 120) {
    check("coffee_push_promo");
}

Test(example_journeys, coffee_voice_reactivation_every_path, .timeout = 120) {
    check("coffee_voice_reactivation");
}

/* Providers deliver at least once: every event line of a path file three times (same
 * event_id) gives byte for byte the output of the file as written. */
static char once[512 * 1024], thrice[512 * 1024];

static void check_tripled(const char *journey) {
    char command[1024];
    snprintf(command, sizeof command,
             "%s simulate --journeys %s/examples/journeys --events %s/%s.jsonl 2>/dev/null",
             SWITCHYARD_BIN, SY_SOURCE_ROOT, PATHS_DIR, journey);
    cr_assert(eq(int, child_run(command, once, sizeof once), 0), "%s", command);
    snprintf(command, sizeof command,
             "awk '{print} /^\\{/ {print; print}' %s/%s.jsonl | %s simulate --journeys "
             "%s/examples/journeys --events - 2>/dev/null", PATHS_DIR, journey,
             SWITCHYARD_BIN, SY_SOURCE_ROOT);
    cr_assert(eq(int, child_run(command, thrice, sizeof thrice), 0), "%s", command);
    cr_assert_gt(strlen(once), 0);
    cr_assert(eq(str, thrice, once), "%s: every event three times changes the output",
              journey);
}

Test(example_journeys, every_path_file_with_each_event_three_times_gives_the_same_output,
     .timeout = 120) {
    check_tripled("coffee_email_promo");
    check_tripled("coffee_sms_feedback");
    check_tripled("coffee_push_promo");
    check_tripled("coffee_voice_reactivation");
}
