/* test_example_journeys.c — the example journeys of examples/journeys, driven
 * through every path by `switchyard simulate` over tests/journeys/paths/<journey>.jsonl;
 * and the language's features (seen() conditions, lower()/trim(), flags, a window from
 * an event in a branch) over tests/journeys/language/, the engagement memory's values
 * over tests/journeys/engagement/, and audience entry (`when:`) over
 * tests/journeys/audience/. Each .expect lists, per contact,
 * the exact decisions (with the time of those a timer caused), action commands and
 * contact updates, in order. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "child.h"
#include "transcript.h"

#define PATHS_DIR SY_SOURCE_ROOT "/tests/journeys/paths"
#define EXAMPLES_DIR SY_SOURCE_ROOT "/examples/journeys"
#define LANGUAGE_DIR SY_SOURCE_ROOT "/tests/journeys/language"
#define ENGAGEMENT_DIR SY_SOURCE_ROOT "/tests/journeys/engagement"
#define AUDIENCE_DIR SY_SOURCE_ROOT "/tests/journeys/audience"

/* simulate the journeys of journeys_dir over dir/name.jsonl, into t. */
static void simulate(const char *journeys_dir, const char *dir, const char *name,
                     transcripts_t *t) {
    char command[1024], line[8192];
    snprintf(command, sizeof command, "%s simulate --journeys %s --events %s/%s.jsonl",
             SWITCHYARD_BIN, journeys_dir, dir, name);
    FILE *p = popen(command, "r");
    cr_assert_not_null(p, "%s", command);
    while (fgets(line, sizeof line, p))
        transcript_add_json(t, line, NULL);
    int status = pclose(p);
    cr_assert(eq(int, child_exit_code(status), 0), "%s: status %d", command, status);
}

/* Compare with dir/name.expect: "contact: token | token" per line, # comments. Every
 * contact with output must be listed; a contact listed with nothing after the colon must
 * have no output at all. */
static void check_in(const char *journeys_dir, const char *dir, const char *journey) {
    transcripts_t t = {0};
    char path[512], line[TRANSCRIPT_BYTES + 128];
    size_t listed = 0;
    simulate(journeys_dir, dir, journey, &t);
    snprintf(path, sizeof path, "%s/%s.expect", dir, journey);
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

/* An example journey over its path file. */
static void check(const char *journey) { check_in(EXAMPLES_DIR, PATHS_DIR, journey); }

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

Test(example_journeys, coffee_newsletter_fatigue_routes_a_fatigued_email_to_a_push,
     .timeout = 120) {
    check("coffee_newsletter_fatigue");
}

Test(example_journeys, coffee_order_ready_sends_on_the_best_allowed_channel, .timeout = 120) {
    check("coffee_order_ready");
}

Test(example_journeys, abandoned_cart_push_every_path, .timeout = 120) {
    check("abandoned_cart_push");
}

Test(engagement_journeys, decayed_rates_streaks_and_times_match_the_hand_worked_values,
     .timeout = 120) {
    check_in(ENGAGEMENT_DIR "/journeys", ENGAGEMENT_DIR, "eng_rates");
}

Test(example_journeys, high_value_path_entered_once_when_ltv_reaches_500, .timeout = 120) {
    check_in(EXAMPLES_DIR "/audience", PATHS_DIR, "high_value_path");
}

Test(example_journeys, coffee_push_promo_claims_the_offer_link_in_either_order,
     .timeout = 120) {
    check_in(EXAMPLES_DIR, LANGUAGE_DIR, "coffee_push_promo_orders");
}

Test(example_journeys, an_inbound_sms_reply_naming_no_message_answers_the_branch_message,
     .timeout = 120) {
    check_in(EXAMPLES_DIR, LANGUAGE_DIR, "sms_inbound_reply");
}

Test(language_journeys, seen_condition_lower_and_trim_read_a_reply, .timeout = 120) {
    check_in(LANGUAGE_DIR "/journeys", LANGUAGE_DIR, "lang_reply");
}

Test(language_journeys, flag_unflag_and_has_flag, .timeout = 120) {
    check_in(LANGUAGE_DIR "/journeys", LANGUAGE_DIR, "lang_flags");
}

Test(language_journeys, a_window_from_the_click_inside_a_branch, .timeout = 120) {
    check_in(LANGUAGE_DIR "/journeys", LANGUAGE_DIR, "lang_click_window");
}

Test(audience_journeys, entered_when_a_profile_update_turns_when_true, .timeout = 120) {
    check_in(AUDIENCE_DIR "/journeys", AUDIENCE_DIR, "aud_enter");
}

/* Under simulate a journey is deployed before the first input: its on_deploy scan sees an
 * empty store and enters no one; changes enter as ever. */
Test(audience_journeys, on_deploy_scan_under_simulate_enters_by_changes_only, .timeout = 120) {
    check_in(AUDIENCE_DIR "/scan_journeys", AUDIENCE_DIR, "aud_scan");
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
    check_tripled("abandoned_cart_push");
}
