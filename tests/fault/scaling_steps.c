/* scaling_steps.c — the steps of the multi-instance fault tests (scaling_steps.h). Not
 * their schedules (test_scaling.c, test_handoff.c) nor the timeline (scaling_timeline.c). */
#include "scaling_steps.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define SETTLE_TIMEOUT_MS 120000
#define CATCH_UP_TIMEOUT_MS 180000

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

void scaling_prepare(scaling_t *s, const char *name, int contacts) {
    memset(s, 0, sizeof *s);
    s->seed = fault_seed_from_env();
    printf("%s: seed %u (SWITCHYARD_FAULT_SEED repeats it), %d contacts\n", name, s->seed,
           contacts);
    service_prepare(&s->base, name);
    topics_prepare(s);
    fault_workload_write(&s->w, s->base.dir, contacts);
    fault_outputs_init(&s->want, contacts);
    fault_simulate(&s->w, &s->want);
}

void scaling_slots_prepare(scaling_t *s) {
    for (int k = 0; k < SCALING_SLOTS; k++) {
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

void scaling_produce(scaling_t *s, size_t count) {
    size_t to = s->produced + count < s->w.count ? s->produced + count : s->w.count;
    fault_produce_lines(&s->base, &s->w, s->produced, to);
    s->produced = to;
}

void scaling_start(scaling_t *s, int k) {
    char log[256];
    snprintf(log, sizeof log, "%s/slot-%c-run-%d.log", s->base.dir, 'A' + k, s->runs_of[k]++);
    s->run[k] = timeline_run_add(&s->timeline, log);
    cr_assert_geq(s->run[k], 0, "too many runs");
    fault_start(&s->slot[k], log, 0);
    printf("  start %c (log %s)\n", 'A' + k, log);
}

const char *scaling_log(const scaling_t *s, int k) {
    return s->run[k] >= 0 ? s->timeline.runs[s->run[k]].log : "(not running)";
}

void scaling_stop(scaling_t *s, int k, int sig) {
    int status = 0;
    cr_assert(fault_alive(&s->slot[k], &status), "%c exited by itself (status %d); log %s",
              'A' + k, status, scaling_log(s, k));
    s->timeline.runs[s->run[k]].ended_ms = sy_clock_wall_ms();
    child_signal_and_wait(s->slot[k].pid, sig, 60000, &status);
    s->slot[k].pid = 0;
    printf("  %s %c\n", sig == SIGKILL ? "SIGKILL" : "SIGTERM", 'A' + k);
    if (sig == SIGTERM)
        cr_expect(eq(int, child_exit_code(status), 0), "%c stopped with status %d; log %s",
                  'A' + k, status, scaling_log(s, k));
    s->run[k] = -1;
}

void scaling_pause(scaling_t *s, long min_ms, long span_ms) {
    support_clock_sleep_ms(min_ms + (long)(rand_r(&s->seed) % (unsigned)(span_ms + 1)));
}

void scaling_wait_settled(scaling_t *s, const char *step) {
    long long start = sy_clock_mono_ms();
    for (;;) {
        timeline_read(&s->timeline);
        if (timeline_settled(&s->timeline))
            break;
        for (int k = 0; k < SCALING_SLOTS; k++) {
            int status = 0;
            if (s->run[k] >= 0)
                cr_assert(fault_alive(&s->slot[k], &status), "%s: %c exited (status %d); "
                          "log %s", step, 'A' + k, status, scaling_log(s, k));
        }
        cr_assert_lt(sy_clock_mono_ms() - start, SETTLE_TIMEOUT_MS, "%s: the group did not "
                     "settle in %d s", step, SETTLE_TIMEOUT_MS / 1000);
        support_clock_sleep_ms(250);
    }
    printf("%s: settled after %.1f s:", step, (sy_clock_mono_ms() - start) / 1000.0);
    for (int k = 0; k < SCALING_SLOTS; k++)
        if (s->run[k] >= 0)
            printf(" %c %d", 'A' + k, timeline_owned(&s->timeline, s->run[k]));
    printf(" partitions\n");
    fflush(stdout);
}

long long scaling_gaps_print(scaling_t *s, const char *step) {
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
    return max;
}

int scaling_rebalance_lines(const char *log) {
    char line[4096];
    int n = 0;
    FILE *f = fopen(log, "r");
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, "info: assigned ") || strstr(line, "info: revoked ");
    if (f)
        fclose(f);
    return n;
}

/* 1 when every rebalance in log has ended for its member (or it saw none). A revocation
 * ends none: under the cooperative protocol librdkafka follows it with the same round's
 * incremental assignment (possibly empty; its debug log says "cooperative assign after
 * revoke") and rejoins, so the next round's assignment ends it; under the eager protocol
 * the next assignment does. */
static int rebalance_ended(const char *log) {
    char line[4096];
    enum { ENDED, AFTER_REVOKE, AFTER_COMPANION } at = ENDED;
    FILE *f = fopen(log, "r");
    while (f && fgets(line, sizeof line, f)) {
        if (strstr(line, "info: revoked "))
            at = AFTER_REVOKE;
        else if (strstr(line, "info: assigned "))
            at = at == AFTER_REVOKE && strstr(line, "(cooperative)") ? AFTER_COMPANION : ENDED;
    }
    if (f)
        fclose(f);
    return at == ENDED;
}

void scaling_wait_rebalance_ended(scaling_t *s, const char *step) {
    long long start = sy_clock_mono_ms();
    for (;;) {
        int ended = 1;
        for (int k = 0; k < SCALING_SLOTS; k++)
            if (s->run[k] >= 0 && !rebalance_ended(scaling_log(s, k)))
                ended = 0;
        if (ended)
            return;
        cr_assert_lt(sy_clock_mono_ms() - start, SETTLE_TIMEOUT_MS, "%s: a rebalance did not "
                     "end in %d s", step, SETTLE_TIMEOUT_MS / 1000);
        support_clock_sleep_ms(250);
    }
}

void scaling_finish(scaling_t *s) {
    fault_outputs_t got;
    int live = -1;
    for (int k = 0; k < SCALING_SLOTS; k++)
        live = s->run[k] >= 0 ? k : live;
    cr_assert_geq(live, 0, "no instance left to finish the input");
    scaling_produce(s, s->w.count);
    int status = 0;
    int caught_up = fault_wait_caught_up(&s->slot[live], CATCH_UP_TIMEOUT_MS, &status);
    cr_assert(eq(int, caught_up, 1), "%c did not consume the whole input (%s)", 'A' + live,
              caught_up < 0 ? "it exited" : "timed out");
    for (int k = 0; k < SCALING_SLOTS; k++)
        if (s->run[k] >= 0)
            scaling_stop(s, k, SIGTERM);
    fault_outputs_init(&got, s->w.contacts);
    fault_read_outputs(&s->base, &got);
    long problems = fault_compare(&s->want, &got);
    cr_assert(eq(long, problems, 0), "the outputs differ from the reference in %ld places",
              problems);
    fault_outputs_free(&s->want);
    fault_outputs_free(&got);
    fault_workload_free(&s->w);
    service_cleanup(&s->base);
}
