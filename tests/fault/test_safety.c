/* test_safety.c — no message goes where it must not, under faults (docs/safety.md): 400
 * contacts in five time zones go through the journeys of tests/fault/journeys_safety
 * (marketing SMS, calls and email in loops from several journeys, transactional
 * receipts, a higher-priority flash sale held while a cap binds) under three frequency
 * caps and SMS and voice quiet hours, from 2026-03-05 to 04-02, across the US and EU
 * daylight-saving changes. They opt out mid-journey (STOP as people type it, STOPALL, an
 * SMS "unsubscribe", email unsubscribes, a journey's opt_out), some opt back in (START),
 * and some events arrive two or three times. `switchyard run` on a real broker takes the
 * input in chunks while it is killed with SIGKILL 20 times (seeded; SWITCHYARD_FAULT_SEED
 * repeats a run) and the broker restarts once under it. Read with read_committed at the
 * end, the actions must hold the safety properties computed by the test from the input and
 * config alone (safety_check.h), and every output must be what `switchyard simulate
 * --config` gives. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fault_common.h"
#include "safety_check.h"
#include "safety_workload.h"

#define SAFETY_JOURNEYS SY_SOURCE_ROOT "/tests/fault/journeys_safety"
/* One binds across journeys per channel, one across channels, one on email. */
#define SAFETY_CAPS "sms_daily:sms:marketing:1/24h,email_2d:email:marketing:1/48h," \
                    "promo_weekly:all:marketing:5/7d"
#define SAFETY_QUIET_SMS "21:00-08:00"
#define SAFETY_QUIET_VOICE "20:00-09:00"

#define KILLS 20
/* The run during which the broker restarts (counting from 0). */
#define BROKER_RESTART_RUN 11
/* Kill times after assignment: long enough that most runs commit some transactions. */
#define KILL_MIN_MS 100
#define KILL_SPAN_MS 1900
#define CATCH_UP_TIMEOUT_MS 300000

/* The config's safety options, and the rules the checks read from the same strings. */
static void safety_configure(service_t *svc, safety_rules_t *rules) {
    memset(rules, 0, sizeof *rules);
    fault_config_fast_rejoin(svc);
    /* Small transactions: every run commits many times before its kill. */
    fault_config_set(svc, "batch.records.max", "50");
    fault_config_set(svc, "safety.caps", SAFETY_CAPS);
    fault_config_set(svc, "safety.quiet_hours.sms", SAFETY_QUIET_SMS);
    fault_config_set(svc, "safety.quiet_hours.voice", SAFETY_QUIET_VOICE);
    safety_rules_caps(rules, SAFETY_CAPS);
    safety_rules_quiet(rules, "sms", SAFETY_QUIET_SMS);
    safety_rules_quiet(rules, "voice", SAFETY_QUIET_VOICE);
}

/* The checks can fail: a send after contact c0001's STOP, an SMS at 03:00 in New York
 * (c0000), two emails an hour apart with one id (c0008), one email twice (c0016) must each
 * be caught. */
static void assert_checks_catch_planted_violations(const safety_workload_t *w) {
    safety_rules_t rules = {0};
    safety_actions_t a = {0};
    safety_report_t r;
    char line[512];
    long long stop_ms = w->contacts[1].changes[0].at_ms;
    const struct { int contact; const char *channel, *node, *id; long long at_ms; } plant[] = {
        {1, "sms", "offer_sms", "p1", stop_ms + 3600000LL},
        {0, "sms", "offer_sms", "p2", 1773126000000LL}, /* 2026-03-10T07:00Z, 03:00 EDT */
        {8, "email", "digest_email", "p3", 1773999000000LL},
        {8, "email", "digest_email", "p3", 1774002600000LL},
        {16, "email", "digest_email", "p4", 1774002600000LL},
        {16, "email", "digest_email", "p4", 1774002600000LL},
    };
    safety_rules_caps(&rules, SAFETY_CAPS);
    safety_rules_quiet(&rules, "sms", SAFETY_QUIET_SMS);
    cr_assert(eq(str, (char *)w->contacts[1].changes[0].channel, "sms"));
    printf("planted violations (each must be caught):\n");
    for (size_t i = 0; i < sizeof plant / sizeof plant[0]; i++) {
        snprintf(line, sizeof line,
                 "{\"schema\":\"ActionCommand\",\"action_id\":\"%s\",\"contact_id\":"
                 "\"c%04d\",\"channel\":\"%s\",\"journey_id\":\"safety\",\"node_id\":"
                 "\"%s\",\"not_before\":\"1970-01-01T00:00:00.000Z\"}",
                 plant[i].id, plant[i].contact, plant[i].channel, plant[i].node);
        safety_actions_add_json(&a, line);
        a.items[a.count - 1].at_ms = plant[i].at_ms;
    }
    safety_check(w, &rules, &a, &r);
    cr_assert(ge(long, r.after_opt_out, 1), "a send after STOP was not caught");
    cr_assert(ge(long, r.in_quiet_hours, 1), "an SMS at 03:00 local was not caught");
    cr_assert(ge(long, r.over_cap, 1), "two emails within the email cap were not caught");
    cr_assert(ge(long, r.shared_ids, 1), "two sends with one action id were not caught");
    cr_assert(ge(long, r.duplicate_ids, 1), "one send made twice was not caught");
    safety_actions_free(&a);
}

/* Run k: start, feed the next chunk (run 0: the profiles first, then a third of the
 * events), restart the broker in run BROKER_RESTART_RUN, and SIGKILL the service a random
 * time after it got its partitions. */
static void run_and_kill(service_t *svc, const safety_workload_t *w, int k, size_t *produced,
                         unsigned *seed) {
    char log[256], what[32];
    size_t count = w->file.count, chunk = (count - count / 3) / KILLS + 1;
    snprintf(log, sizeof log, "%s/run-%02d.log", svc->dir, k);
    snprintf(what, sizeof what, "start %d", k + 1);
    long assigned_ms = fault_start_and_wait_assigned(svc, log, what);
    long long assigned_at = sy_clock_mono_ms();
    if (k == 0) {
        service_produce_jsonl(svc, w->file.path, 1);
        service_wait_profiles_read(svc, w->profiles);
        chunk = count / 3;
    }
    size_t from = *produced, to = from + chunk < count ? from + chunk : count;
    fault_produce_lines(svc, &w->file, from, to);
    *produced = to;
    if (k == BROKER_RESTART_RUN)
        fault_broker_restart(svc, log);
    long delay = fault_kill_later(svc, assigned_at, KILL_MIN_MS, KILL_SPAN_MS, seed, k, log);
    long committed = 0, end = 0;
    fault_group_committed(svc, &committed, &end);
    printf("kill %2d/%d: partitions after %.1f s, events %zu..%zu produced%s, SIGKILL %.2f s "
           "after assignment, %ld of %ld input records committed\n",
           k + 1, KILLS, assigned_ms / 1000.0, from, to,
           k == BROKER_RESTART_RUN ? ", broker restarted" : "", delay / 1000.0, committed, end);
    fflush(stdout);
}

/* Decisions of every contact whose path starts with prefix ("[suppressed:"). */
static long decisions_with(const fault_outputs_t *o, const char *prefix) {
    long n = 0;
    for (size_t s = 0; s < o->shard_count; s++)
        for (size_t i = 0; i < o->shards[FAULT_DECISIONS][s].count; i++)
            for (const char *p = o->shards[FAULT_DECISIONS][s].items[i].text;
                 (p = strstr(p, prefix)) != NULL; p++)
                n++;
    return n;
}

/* The longest transcript of the reference: below the bound, so nothing was cut off. */
static void assert_transcripts_whole(const fault_outputs_t *o) {
    size_t longest = 0;
    for (int k = 0; k < FAULT_KINDS; k++)
        for (size_t s = 0; s < o->shard_count; s++)
            for (size_t i = 0; i < o->shards[k][s].count; i++) {
                size_t len = strlen(o->shards[k][s].items[i].text);
                longest = len > longest ? len : longest;
            }
    cr_assert_lt(longest, (size_t)TRANSCRIPT_BYTES - 1, "a contact's outputs fill a transcript "
                 "(%zu bytes): the comparison would miss their end", longest);
}

static void feed_through_faults(service_t *svc, const safety_workload_t *w, unsigned seed) {
    char log[256];
    size_t produced = 0;
    int status = 0;
    for (int k = 0; k < KILLS; k++)
        run_and_kill(svc, w, k, &produced, &seed);
    snprintf(log, sizeof log, "%s/run-final.log", svc->dir);
    fault_start_and_wait_assigned(svc, log, "final start");
    printf("final start: producing events %zu..%zu\n", produced, w->file.count);
    fault_produce_lines(svc, &w->file, produced, w->file.count);
    int caught_up = fault_wait_caught_up(svc, CATCH_UP_TIMEOUT_MS, &status);
    if (caught_up != 1)
        fault_print_log_problems(log, 8);
    cr_assert(eq(int, caught_up, 1), "the service did not consume the whole input (%s)",
              caught_up < 0 ? "it exited" : "timed out");
    status = service_stop(svc, 60000);
    printf("stopped with SIGTERM: %s %d\n", WIFEXITED(status) ? "exit" : "signal",
           WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    cr_expect(eq(int, child_exit_code(status), 0), "exit status %d", status);
}

static void check_safety(const service_t *svc, const safety_workload_t *w,
                         const safety_rules_t *rules) {
    safety_actions_t actions = {0};
    safety_report_t r;
    safety_actions_read(svc, &actions);
    safety_check(w, rules, &actions, &r);
    printf("safety: %ld actions checked (%ld marketing): %ld after an opt-out; %ld in quiet "
           "hours of %ld checked (%ld after a DST change); %ld windows over a cap; %ld sends "
           "made twice; %ld sends with an earlier send's action id\n",
           r.checked, r.marketing, r.after_opt_out, r.in_quiet_hours, r.quiet_checked,
           r.quiet_after_dst, r.over_cap, r.duplicate_ids, r.shared_ids);
    fflush(stdout);
    cr_expect(gt(long, r.checked, 0), "the service sent nothing");
    cr_expect(eq(long, r.after_opt_out, 0), "actions after an opt-out (see above)");
    cr_expect(eq(long, r.in_quiet_hours, 0), "actions inside quiet hours (see above)");
    cr_expect(eq(long, r.over_cap, 0), "windows over a cap (see above)");
    cr_expect(eq(long, r.duplicate_ids, 0), "sends made twice (see above)");
    /* The action id is the senders' dedupe key: each pass of a loop through a send is a
     * message of its own, with its own id (records.md: action_id). */
    cr_expect(eq(long, r.shared_ids, 0), "sends with an earlier send's action id (see above): "
              "senders that dedupe on it drop them");
    safety_actions_free(&actions);
}

Test(fault_safety, no_message_where_it_must_not_go_across_kills_and_a_broker_restart,
     .timeout = 900) {
    service_t svc;
    safety_workload_t *w = calloc(1, sizeof *w);
    safety_rules_t rules;
    fault_outputs_t want, got;
    char config_arg[256];
    unsigned seed = fault_seed_from_env();
    cr_assert_not_null(w, "out of memory");
    printf("test_safety: seed %u (SWITCHYARD_FAULT_SEED=%u repeats the kill times)\n", seed,
           seed);
    service_prepare_with_journeys(&svc, "fault-safety", SAFETY_JOURNEYS);
    safety_configure(&svc, &rules);
    safety_workload_write(w, svc.dir);
    assert_checks_catch_planted_violations(w);
    fault_outputs_init(&want, SAFETY_CONTACTS);
    fault_outputs_init(&got, SAFETY_CONTACTS);
    /* The service fires a timer when a later record passes it: --until input. */
    snprintf(config_arg, sizeof config_arg, "--until input --config %s", svc.config_path);
    fault_simulate_journeys(&w->file, svc.journeys_dir, config_arg, &want);
    assert_transcripts_whole(&want);

    feed_through_faults(&svc, w, seed);

    fault_read_outputs(&svc, &got);
    long problems = fault_compare(&want, &got);
    long suppressed = decisions_with(&got, "[suppressed:");
    long capped = decisions_with(&got, "[capped:"), held = decisions_with(&got, "[held:");
    printf("decisions of sends not made: %ld suppressed, %ld capped, %ld held\n", suppressed,
           capped, held);
    check_safety(&svc, w, &rules);
    cr_expect(eq(long, problems, 0), "after %d kills and a broker restart the outputs differ "
              "from simulate in %ld places (see above)", KILLS, problems);
    /* The run must have tested something: the gate stopped sends, the rules bound. */
    cr_expect(gt(long, suppressed, 0), "no send was suppressed: the opt-outs tested nothing");
    cr_expect(gt(long, capped, 0), "no send was capped: the caps tested nothing");
    cr_expect(gt(long, held, 0), "no send was held: the holds tested nothing");
    fault_outputs_free(&want);
    fault_outputs_free(&got);
    safety_workload_free(w);
    free(w);
    service_cleanup(&svc);
}
