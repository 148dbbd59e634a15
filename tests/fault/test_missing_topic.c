/* test_missing_topic.c — an output topic that goes missing while `switchyard run` works
 * (docs/service.md, "Operating errors"): with kafka.allow.auto.create.topics = false, the
 * email action topic is deleted after the service got its partitions, then the standard
 * workload (fault_common.h) is produced. The service must say clearly which topic is
 * missing, keep its log bounded while its commit is retried (it backs off instead of
 * spinning), and stop within 5 s of a SIGTERM with exit code 1; started again while the
 * topic is still missing, it must refuse to start, naming the topic and the command that
 * creates it; once the topic exists again, a restart must give, read with read_committed,
 * exactly the outputs of `switchyard simulate` (every action once). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "fault_common.h"

#define CONTACTS 600
#define ASSIGN_TIMEOUT_MS 60000
/* librdkafka fails records of an unknown topic after topic.metadata.propagation.max.ms
 * (30 s by default): the error must be in the log well within this. */
#define ERROR_TIMEOUT_MS 90000
/* How long the service runs on after that error, and the most log lines it may write
 * from its start to the end of that time (a spinning commit loop wrote millions). */
#define MISSING_RUN_MS 20000
#define MISSING_LOG_LINES_MAX 200
#define STOP_TIMEOUT_MS 5000
#define CATCH_UP_TIMEOUT_MS 120000

/* Lines of the file at path; those holding both a and b in *both. */
static long log_lines(const char *path, const char *a, const char *b, long *both) {
    char line[4096];
    long lines = 0;
    *both = 0;
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f)) {
        lines++;
        *both += strstr(line, a) && strstr(line, b);
    }
    if (f)
        fclose(f);
    return lines;
}

/* Wait until a line of log names topic as unknown; the milliseconds waited, or -1. */
static long wait_topic_error(service_t *svc, const char *log, const char *topic) {
    long long start = sy_clock_mono_ms();
    long named = 0;
    while (sy_clock_mono_ms() - start < ERROR_TIMEOUT_MS && fault_alive(svc, NULL)) {
        log_lines(log, topic, "nknown topic", &named);
        if (named)
            return (long)(sy_clock_mono_ms() - start);
        support_clock_sleep_ms(200);
    }
    return -1;
}

static void start_and_wait_assigned(service_t *svc, const char *log) {
    int status = 0;
    fault_start(svc, log, 0);
    long waited = fault_wait_log(svc, log, "state restored; processing", ASSIGN_TIMEOUT_MS,
                                 &status);
    if (waited < 0)
        fault_print_log_problems(log, 8);
    cr_assert(ge(long, waited, 0), "the service got no partitions (exit status %d); log %s",
              svc->pid ? -1 : status, log);
}

/* SIGTERM: the service must exit by itself within STOP_TIMEOUT_MS, with exit code 1 and
 * the reason in its log (the batch could not be committed). */
static void stop_within_bound(service_t *svc, const char *log, const char *when) {
    int status = 0;
    cr_assert(fault_alive(svc, &status), "%s: the service exited by itself (status %d)", when,
              status);
    long long stop_at = sy_clock_mono_ms();
    int killed = child_signal_and_wait(svc->pid, SIGTERM, STOP_TIMEOUT_MS, &status);
    long long took = sy_clock_mono_ms() - stop_at;
    svc->pid = 0;
    printf("%s: SIGTERM: %s after %lld ms, %s %d\n", when, killed ? "killed" : "exited", took,
           WIFEXITED(status) ? "exit" : "signal",
           WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    cr_assert(eq(int, killed, 0), "%s: SIGTERM not honoured within %d ms", when,
              STOP_TIMEOUT_MS);
    cr_expect(eq(int, child_exit_code(status), 1), "%s: exit status %d (documented: 1, the "
              "batch could not be committed)", when, status);
    cr_expect(fault_file_contains(log, "stopped before the batch could be committed"),
              "%s: the log does not say why it stopped", when);
    cr_expect(fault_file_contains(log, "commit transaction"), "%s: no commit retry in the log",
              when);
}

/* Started while a topic it writes is missing: the start check refuses, exit 1, naming the
 * topic and the command that creates it. */
static void start_refused(service_t *svc, const char *email, const char *log) {
    int status = 0;
    fault_start(svc, log, 0);
    long long start = sy_clock_mono_ms();
    while (fault_alive(svc, &status) && sy_clock_mono_ms() - start < ASSIGN_TIMEOUT_MS)
        support_clock_sleep_ms(100);
    int exited = svc->pid == 0;
    fault_print_log_problems(log, 4);
    cr_assert(exited, "the service started although %s is missing", email);
    cr_expect(eq(int, child_exit_code(status), 1), "exit status %d (documented: 1)", status);
    long named = 0;
    log_lines(log, email, "switchyard topics create", &named);
    cr_expect(gt(long, named, 0), "the log does not name %s and the command that creates it",
              email);
}

/* With the email topic gone: a clear error, a bounded log while the commit is retried,
 * SIGTERM within 5 s, exit 1. */
static void run_with_topic_missing(service_t *svc, const char *email, const char *log) {
    long long started_at = sy_clock_mono_ms();
    long waited = wait_topic_error(svc, log, email);
    if (waited < 0)
        fault_print_log_problems(log, 8);
    cr_assert(ge(long, waited, 0), "no error naming %s as unknown in the log", email);
    /* A while longer with the error going on: the log must not grow with it. */
    support_clock_sleep_ms(MISSING_RUN_MS);
    long named = 0, lines = log_lines(log, email, "nknown topic", &named);
    printf("topic missing: error after %.1f s; %ld log lines in %.1f s, %ld naming %s\n",
           waited / 1000.0, lines, (sy_clock_mono_ms() - started_at) / 1000.0, named,
           email);
    fault_print_log_problems(log, 8);
    cr_expect(lt(long, lines, MISSING_LOG_LINES_MAX), "%ld log lines: the service spins",
              lines);
    stop_within_bound(svc, log, "topic missing");
}

Test(fault_missing_topic, a_missing_output_topic_is_a_clear_bounded_error_then_exactly_once,
     .timeout = 420) {
    service_t svc;
    fault_workload_t w;
    fault_outputs_t want;
    char log[256], email[SERVICE_TOPIC_BYTES + 8], errbuf[512] = "";
    service_prepare(&svc, "fault-missing");
    fault_config_fast_rejoin(&svc);
    fault_config_set(&svc, "kafka.allow.auto.create.topics", "false");
    fault_workload_write(&w, svc.dir, CONTACTS);
    fault_outputs_init(&want, CONTACTS);
    fault_simulate(&w, &want);
    service_action_topic(&svc, "email", email, sizeof email);
    const char *names[] = {email};

    snprintf(log, sizeof log, "%s/run-missing.log", svc.dir);
    start_and_wait_assigned(&svc, log);
    cr_assert(eq(int, harness_delete_topics(harness_bootstrap(), names, 1, errbuf,
                                            sizeof errbuf), SY_OK), "delete %s: %s", email,
              errbuf);
    printf("deleted %s while the service runs\n", email);
    fault_produce_lines(&svc, &w, 0, w.count);
    run_with_topic_missing(&svc, email, log);
    snprintf(log, sizeof log, "%s/run-missing-2.log", svc.dir);
    start_refused(&svc, email, log);

    cr_assert(eq(int, harness_create_topics(harness_bootstrap(), names, 1, SERVICE_PARTITIONS,
                                            errbuf, sizeof errbuf), SY_OK), "create %s: %s",
              email, errbuf);
    snprintf(log, sizeof log, "%s/run-after.log", svc.dir);
    start_and_wait_assigned(&svc, log);
    fault_finish(&svc, log, CATCH_UP_TIMEOUT_MS, &want, "after the topic came back");
    fault_outputs_free(&want);
    fault_workload_free(&w);
    service_cleanup(&svc);
}
