/* test_wallclock_timer.c — wall-clock timers on a real broker (DESIGN.md, "Time"): a
 * journey that waits 3 s (`wait: {for: 3s}`) and then sends an email, run by
 * `switchyard run` with time.mode = wallclock.
 * - An entry stamped now gives an action command whose Kafka record timestamp (CreateTime,
 *   set when the service produced it) is at or after the wait's due time (entry + 3 s)
 *   and at most 1,000 ms after it.
 * - Killed with SIGKILL 1 s into the wait and restarted once the due time has passed, the
 *   service fires the timer at start-up: the action appears exactly once (read_committed),
 *   not before its due time. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "fault_common.h"

#define WAIT_MS 3000
#define LATE_MAX_MS 1000
#define ASSIGN_TIMEOUT_MS 60000
#define ACTION_TIMEOUT_MS 30000

static const char journey_yaml[] =
    "# Written by tests/fault/test_wallclock_timer.c: wait 3 s, then one email.\n"
    "id: fault_wallclock_wait\n"
    "version: 1\n"
    "entry:\n"
    "  event: custom.wait_test\n"
    "nodes:\n"
    "  - id: pause\n"
    "    wait: {for: 3s}\n"
    "    next: ping\n"
    "  - id: ping\n"
    "    send:\n"
    "      channel: email\n"
    "      template: after_wait\n"
    "    next: done\n"
    "  - id: done\n"
    "    exit: {}\n";

typedef struct sent {
    codec_t *codec;
    const char *contact;
    long count;       /* action commands of contact */
    long long ts_ms;  /* record timestamp of the first */
    int create_time;  /* its timestamp type is CreateTime */
} sent_t;

static void on_action(void *ctx, const rd_kafka_message_t *m) {
    sent_t *s = ctx;
    sy_action_t a;
    char errbuf[256];
    rd_kafka_timestamp_type_t type;
    if (codec_decode_action(s->codec, m->payload, m->len, &a, errbuf, sizeof errbuf) != SY_OK ||
        strcmp(a.contact_id, s->contact) != 0)
        return;
    if (s->count++ == 0) {
        s->ts_ms = rd_kafka_message_timestamp(m, &type);
        s->create_time = type == RD_KAFKA_TIMESTAMP_CREATE_TIME;
    }
}

/* A service running the wait journey alone, in wall-clock time. */
static void prepare(service_t *svc, const char *name) {
    char dir[256], path[300];
    service_prepare(svc, name);
    snprintf(dir, sizeof dir, "%s/journeys", svc->dir);
    cr_assert(eq(int, mkdir(dir, 0755), 0), "mkdir %s", dir);
    snprintf(path, sizeof path, "%s/fault_wallclock_wait.yaml", dir);
    cr_assert(eq(int, text_file_write(path, journey_yaml), 0), "write %s", path);
    fault_config_set(svc, "journeys.dir", dir);
    fault_config_set(svc, "time.mode", "wallclock");
    fault_config_fast_rejoin(svc);
}

static void start_assigned(service_t *svc, const char *log) {
    int status = 0;
    fault_start(svc, log, 0);
    long waited = fault_wait_log(svc, log, "assigned", ASSIGN_TIMEOUT_MS, &status);
    if (waited < 0)
        fault_print_log_problems(log, 8);
    cr_assert_geq(waited, 0, "the service got no partitions (status %d)", status);
    printf("service started; partitions after %.1f s\n", waited / 1000.0);
}

/* Produce contact's entry stamped at_ms (Unix ms). */
static void produce_entry(const service_t *svc, const char *contact, long long at_ms) {
    char event_id[64];
    snprintf(event_id, sizeof event_id, "%s-entry", contact);
    sy_event_t e = {.event_id = event_id, .contact_id = contact, .occurred_at_ms = at_ms,
                    .channel = SY_CHANNEL_CUSTOM, .type = SY_EVENT_CUSTOM,
                    .name = "wait_test", .bounce = SY_BOUNCE_NONE};
    service_produce_events(svc, &e, 1);
}

/* Read contact's actions (read_committed): until one is there (expected 1) or to the end
 * (expected -1). */
static sent_t read_sent(const service_t *svc, const char *contact, long expected) {
    char errbuf[256], email[SERVICE_TOPIC_BYTES + 16];
    sent_t s = {.contact = contact};
    cr_assert(eq(int, codec_open(&s.codec, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    service_action_topic(svc, "email", email, sizeof email);
    long n = harness_consume_all(harness_bootstrap(), email, "read_committed", expected,
                                 ACTION_TIMEOUT_MS, on_action, &s);
    cr_assert_geq(n, 0, "could not read %s", email);
    codec_close(s.codec);
    return s;
}

Test(fault_wallclock_timer, wait_fires_within_a_second_of_its_due_time, .timeout = 300) {
    service_t svc;
    char log[256];
    prepare(&svc, "fault-wallclock");
    snprintf(log, sizeof log, "%s/run.log", svc.dir);
    start_assigned(&svc, log);
    long long entry = sy_clock_wall_ms(), due = entry + WAIT_MS;
    produce_entry(&svc, "w-live", entry);
    sent_t s = read_sent(&svc, "w-live", 1);
    printf("entry at %lld, due at %lld; %ld action(s), record timestamp %lld (%+lld ms from "
           "due, %s)\n",
           entry, due, s.count, s.ts_ms, s.ts_ms - due, s.create_time ? "CreateTime" : "other");
    int status = service_stop(&svc, 60000);
    cr_assert(eq(long, s.count, 1), "actions after the wait: %ld, expected 1", s.count);
    cr_expect(s.create_time, "the action's timestamp is not CreateTime");
    cr_assert_geq(s.ts_ms, due, "the action was produced %lld ms before its due time",
                  due - s.ts_ms);
    cr_assert_leq(s.ts_ms - due, LATE_MAX_MS, "the action came %lld ms after its due time "
                  "(at most %d)", s.ts_ms - due, LATE_MAX_MS);
    cr_expect(eq(int, child_exit_code(status), 0), "exit status %d", status);
    service_cleanup(&svc);
}

Test(fault_wallclock_timer, timer_due_while_down_fires_once_at_start_up, .timeout = 300) {
    service_t svc;
    char log[256];
    int status = 0;
    prepare(&svc, "fault-wallclock-restart");
    snprintf(log, sizeof log, "%s/run-1.log", svc.dir);
    start_assigned(&svc, log);
    long long entry = sy_clock_wall_ms(), due = entry + WAIT_MS;
    produce_entry(&svc, "w-restart", entry);
    long long now = sy_clock_wall_ms();
    if (entry + 1000 > now)
        support_clock_sleep_ms((long)(entry + 1000 - now));
    child_signal_and_wait(svc.pid, SIGKILL, 10000, &status);
    svc.pid = 0;
    printf("SIGKILL %lld ms after the entry (due at +%d ms)\n", sy_clock_wall_ms() - entry,
           WAIT_MS);
    now = sy_clock_wall_ms();
    if (due + 500 > now)
        support_clock_sleep_ms((long)(due + 500 - now));
    snprintf(log, sizeof log, "%s/run-2.log", svc.dir);
    long long restart = sy_clock_wall_ms();
    printf("restarting %lld ms after the due time\n", restart - due);
    start_assigned(&svc, log);
    sent_t first = read_sent(&svc, "w-restart", 1);
    printf("first read: %ld action(s); record timestamp %+lld ms from due, %+lld ms from "
           "the restart\n", first.count, first.ts_ms - due, first.ts_ms - restart);
    support_clock_sleep_ms(1000); /* a second firing, if any, would be committed by now */
    status = service_stop(&svc, 60000);
    sent_t all = read_sent(&svc, "w-restart", -1);
    printf("after SIGTERM: %ld action(s) for w-restart in the topic\n", all.count);
    cr_assert(eq(long, all.count, 1),
              "the timer that fell due while the service was down gave %ld "
              "actions, expected exactly 1", all.count);
    cr_assert_geq(all.ts_ms, due, "the action was produced %lld ms before its due time",
                  due - all.ts_ms);
    cr_expect(eq(int, child_exit_code(status), 0), "exit status %d", status);
    service_cleanup(&svc);
}
