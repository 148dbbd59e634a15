/* test_scaling.c — more than one instance in one group on a real broker: the standard
 * workload (several thousand contacts through the coffee email promo, whose branch timers
 * fire in event time) on 12 partitions, while instances are scaled 1 → 3 → 2 → 3 → 1 under
 * load by starting them, stopping them with SIGTERM and killing them with SIGKILL at
 * seeded random moments (SWITCHYARD_FAULT_SEED repeats a run), and one instance restarted
 * within the session timeout gets its partitions back without a rebalance (static
 * membership). At the end, read with read_committed: every action exactly once, none
 * missing, and every contact's outputs those of `switchyard simulate` over the same input.
 * Prints, from the instances' logs, the gaps during which a partition was processed by no
 * one, by step; once without standby replicas and once with one. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fault_common.h"
#include "scaling_timeline.h"

#ifndef SCALING_CONTACTS
#define SCALING_CONTACTS 3000
#endif
#define SLOTS 4
#define SETTLE_TIMEOUT_MS 120000
#define CATCH_UP_TIMEOUT_MS 180000
/* The service's default session timeout (RUNNER_SESSION_TIMEOUT_MS): a restart quicker
 * than this keeps the member's partitions. */
#define SESSION_TIMEOUT_MS 10000

typedef struct scaling {
    service_t base;        /* the topics, group and workload */
    service_t slot[SLOTS]; /* instances A..D: own config and state directory */
    int run[SLOTS];        /* the slot's current run in the timeline; -1 none */
    int runs_of[SLOTS];
    timeline_t timeline;
    fault_workload_t w;
    size_t produced;
    unsigned seed;
    long long step_ms; /* when the current step began (wall) */
} scaling_t;

/* Rename every topic with a prefix and create them anew with 12 partitions. */
static void topics_prepare(scaling_t *s) {
    service_t *b = &s->base;
    char *names[] = {b->events, b->decisions, b->actions_prefix, b->contact_updates, b->dlq,
                     b->changelog, b->profiles};
    char tmp[SERVICE_TOPIC_BYTES], command[512];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(tmp, sizeof tmp, "s12.%.140s", names[i]);
        memcpy(names[i], tmp, SERVICE_TOPIC_BYTES);
    }
    fault_config_set(b, "topic.prefix", "s12.");
    /* The group as the fixtures name it: the events topic without ".events". */
    snprintf(tmp, sizeof tmp, "%.*s", (int)(strlen(b->events) - strlen(".events")), b->events);
    fault_config_set(b, "group.id", tmp);
    fault_config_set(b, "topics.partitions", "12");
    fault_partitions = TIMELINE_PARTITIONS;
    snprintf(command, sizeof command, "'%s' topics create --config '%s' >/dev/null 2>&1",
             SWITCHYARD_BIN, b->config_path);
    cr_assert(eq(int, system(command), 0), "%s", command);
}

static void slots_prepare(scaling_t *s, int standbys) {
    char value[16];
    snprintf(value, sizeof value, "%d", standbys);
    fault_config_set(&s->base, "state.standby.replicas", value);
    fault_config_set(&s->base, "batch.records.max", "100");
    for (int k = 0; k < SLOTS; k++) {
        service_t *svc = &s->slot[k];
        *svc = s->base;
        snprintf(svc->config_path, sizeof svc->config_path, "%s/slot-%c.conf", s->base.dir,
                 'A' + k);
        snprintf(svc->state_dir, sizeof svc->state_dir, "%s/state-%c", s->base.dir, 'A' + k);
        service_copy_file(s->base.config_path, svc->config_path);
        fault_config_set(svc, "state.dir", svc->state_dir);
        s->run[k] = -1;
    }
}

static void produce_more(scaling_t *s, size_t count) {
    size_t to = s->produced + count < s->w.count ? s->produced + count : s->w.count;
    fault_produce_lines(&s->base, &s->w, s->produced, to);
    s->produced = to;
}

static void start(scaling_t *s, int k) {
    char log[256];
    snprintf(log, sizeof log, "%s/slot-%c-run-%d.log", s->base.dir, 'A' + k, s->runs_of[k]++);
    s->run[k] = timeline_run_add(&s->timeline, log);
    cr_assert_geq(s->run[k], 0, "too many runs");
    fault_start(&s->slot[k], log, 0);
    printf("  start %c (log %s)\n", 'A' + k, log);
}

/* SIGTERM (clean) or SIGKILL; a clean stop must exit 0. */
static void stop(scaling_t *s, int k, int sig) {
    int status = 0;
    cr_assert(fault_alive(&s->slot[k], &status), "%c exited by itself (status %d); log %s",
              'A' + k, status, s->timeline.runs[s->run[k]].log);
    s->timeline.runs[s->run[k]].ended_ms = sy_clock_wall_ms();
    child_signal_and_wait(s->slot[k].pid, sig, 60000, &status);
    s->slot[k].pid = 0;
    printf("  %s %c\n", sig == SIGKILL ? "SIGKILL" : "SIGTERM", 'A' + k);
    if (sig == SIGTERM)
        cr_expect(eq(int, child_exit_code(status), 0), "%c stopped with status %d; log %s",
                  'A' + k, status, s->timeline.runs[s->run[k]].log);
    s->run[k] = -1;
}

/* A seeded random pause under load. */
static void pause_random(scaling_t *s, long min_ms, long span_ms) {
    support_clock_sleep_ms(min_ms + (long)(rand_r(&s->seed) % (unsigned)(span_ms + 1)));
}

/* Wait until every partition is processed by a live instance and each live one has some. */
static void wait_settled(scaling_t *s, const char *step) {
    long long start = sy_clock_mono_ms();
    for (;;) {
        timeline_read(&s->timeline);
        if (timeline_settled(&s->timeline))
            break;
        for (int k = 0; k < SLOTS; k++) {
            int status = 0;
            if (s->run[k] >= 0)
                cr_assert(fault_alive(&s->slot[k], &status), "%s: %c exited (status %d); "
                          "log %s", step, 'A' + k, status, s->timeline.runs[s->run[k]].log);
        }
        cr_assert_lt(sy_clock_mono_ms() - start, SETTLE_TIMEOUT_MS, "%s: the group did not "
                     "settle in %d s", step, SETTLE_TIMEOUT_MS / 1000);
        support_clock_sleep_ms(250);
    }
    printf("%s: settled after %.1f s:", step, (sy_clock_mono_ms() - start) / 1000.0);
    for (int k = 0; k < SLOTS; k++)
        if (s->run[k] >= 0)
            printf(" %c %d", 'A' + k, timeline_owned(&s->timeline, s->run[k]));
    printf(" partitions\n");
    fflush(stdout);
}

/* The gaps of the step that began at s->step_ms: count, largest, mean. */
static void gaps_print(scaling_t *s, const char *step) {
    timeline_gap_t gaps[TIMELINE_GAPS_MAX];
    timeline_read(&s->timeline);
    int n = timeline_gaps(&s->timeline, s->step_ms, gaps, TIMELINE_GAPS_MAX);
    long long max = 0, sum = 0;
    for (int i = 0; i < n; i++) {
        sum += gaps[i].ms;
        max = gaps[i].ms > max ? gaps[i].ms : max;
    }
    printf("  gaps (%s): %d partition handoffs, longest %.1f s, mean %.1f s; %ld changelog "
           "records restored\n", step, n, max / 1000.0, n ? sum / 1000.0 / n : 0.0,
           timeline_restored(&s->timeline, s->step_ms));
    fflush(stdout);
    s->step_ms = sy_clock_wall_ms();
}

/* Lines of a log that say the group moved partitions. */
static int rebalance_lines(const char *log) {
    char line[4096];
    int n = 0;
    FILE *f = fopen(log, "r");
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, "info: assigned ") || strstr(line, "info: revoked ");
    if (f)
        fclose(f);
    return n;
}

/* Static membership: C restarted within the session timeout keeps its partitions, and A
 * and B see no rebalance. */
static void restart_within_session(scaling_t *s) {
    int before_a = rebalance_lines(s->timeline.runs[s->run[0]].log);
    int before_b = rebalance_lines(s->timeline.runs[s->run[1]].log);
    int owned = timeline_owned(&s->timeline, s->run[2]);
    long long stopped_at = sy_clock_mono_ms();
    stop(s, 2, SIGTERM);
    start(s, 2);
    wait_settled(s, "restart C");
    long long back_ms = sy_clock_mono_ms() - stopped_at;
    printf("restart C: back with %d partitions (had %d) %.1f s after its stop\n",
           timeline_owned(&s->timeline, s->run[2]), owned, back_ms / 1000.0);
    if (back_ms >= SESSION_TIMEOUT_MS) {
        printf("restart C: slower than the session timeout: a rebalance was allowed\n");
        return;
    }
    cr_expect(eq(int, timeline_owned(&s->timeline, s->run[2]), owned),
              "C came back with other partitions");
    cr_expect(eq(int, rebalance_lines(s->timeline.runs[s->run[0]].log), before_a),
              "A saw a rebalance when C restarted within the session timeout");
    cr_expect(eq(int, rebalance_lines(s->timeline.runs[s->run[1]].log), before_b),
              "B saw a rebalance when C restarted within the session timeout");
}

/* 1 → 3 → (C restarted) → 2 → 3 → 1, producing a share of the input before each step. */
static void scale(scaling_t *s) {
    size_t share = s->w.count / 6;
    s->step_ms = sy_clock_wall_ms();
    produce_more(s, share);
    start(s, 0);
    wait_settled(s, "1 instance");
    produce_more(s, share);
    start(s, 1);
    start(s, 2);
    wait_settled(s, "1 -> 3");
    gaps_print(s, "1 -> 3: two join");
    restart_within_session(s);
    gaps_print(s, "C restarted within the session timeout");
    produce_more(s, share);
    pause_random(s, 100, 1500);
    stop(s, 1, SIGKILL);
    wait_settled(s, "3 -> 2 (kill -9 B)");
    gaps_print(s, "3 -> 2: kill -9");
    produce_more(s, share);
    start(s, 3);
    wait_settled(s, "2 -> 3 (D joins, empty state)");
    gaps_print(s, "2 -> 3: one joins");
    produce_more(s, share);
    pause_random(s, 100, 1500);
    stop(s, 2, SIGTERM);
    pause_random(s, 100, 1500);
    stop(s, 0, SIGKILL);
    wait_settled(s, "3 -> 1 (SIGTERM C, kill -9 A)");
    gaps_print(s, "3 -> 1: a stop and a kill -9");
}

static void scaling_run(int standbys) {
    static scaling_t s; /* large: the timeline */
    fault_outputs_t want, got;
    memset(&s, 0, sizeof s);
    s.seed = fault_seed_from_env();
    printf("test_scaling: %d standby replica(s), seed %u (SWITCHYARD_FAULT_SEED repeats "
           "it), %d contacts\n", standbys, s.seed, SCALING_CONTACTS);
    service_prepare(&s.base, standbys ? "fault-scaling-sb" : "fault-scaling");
    topics_prepare(&s);
    slots_prepare(&s, standbys);
    fault_workload_write(&s.w, s.base.dir, SCALING_CONTACTS);
    fault_outputs_init(&want, SCALING_CONTACTS);
    fault_outputs_init(&got, SCALING_CONTACTS);
    fault_simulate(&s.w, &want);
    scale(&s);
    produce_more(&s, s.w.count);
    int status = 0, caught_up = fault_wait_caught_up(&s.slot[3], CATCH_UP_TIMEOUT_MS, &status);
    cr_assert(eq(int, caught_up, 1), "D did not consume the whole input (%s)",
              caught_up < 0 ? "it exited" : "timed out");
    stop(&s, 3, SIGTERM);
    fault_read_outputs(&s.base, &got);
    long problems = fault_compare(&want, &got);
    cr_assert(eq(long, problems, 0), "the outputs differ from the reference in %ld places",
              problems);
    fault_outputs_free(&want);
    fault_outputs_free(&got);
    fault_workload_free(&s.w);
    service_cleanup(&s.base);
}

Test(fault_scaling, one_three_two_three_one_instances_exactly_once, .timeout = 600) {
    scaling_run(0);
}

Test(fault_scaling, with_one_standby_replica, .timeout = 600) {
    scaling_run(1);
}
