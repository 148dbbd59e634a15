/* test_kill9.c — exactly once across crashes (DESIGN.md, "Exactly once"): the standard
 * workload (3,000 contacts through the coffee email promo, event time) waits on the events
 * topic of `switchyard run` on a real broker — half of it before the first start, the rest
 * in chunks between kills — while the service, committing small transactions (50 records)
 * so that kills land between a Kafka commit and its RocksDB write, is killed with SIGKILL
 * 20 times, each time 0.05–1.2 s (seeded; SWITCHYARD_FAULT_SEED repeats a run) after it
 * got its partitions and restored their state, and restarted on the same state directory
 * and config. Then it runs until its group has committed the whole input and stops on
 * SIGTERM. Read with read_committed, the outputs must be those of `switchyard simulate`
 * over the same file:
 * every action id exactly once, and every contact's decisions, actions and contact
 * updates as in the reference, and the final state (inspected on a sample) what a run
 * without faults leaves. Each kill line says how far the group had committed. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <json-c/json.h>

#include "fault_common.h"

#define KILLS 20
#define CHUNKS 24
#define KILL_MIN_MS 50
#define KILL_SPAN_MS 1150
/* Records per transaction: small, so that every run commits many times before its kill. */
#define KILL9_BATCH_RECORDS "50"
#define CATCH_UP_TIMEOUT_MS 240000

/* The final state a run without faults leaves: after the app opens ten days later every
 * contact has left the promo through its exit node, entered once, with no timer pending.
 * Checked with `switchyard inspect --json` on every 100th contact. */
static void assert_final_state(const service_t *svc) {
    char command[1024], out[65536], contact[16];
    int checked = 0;
    for (int i = 0; i < FAULT_CONTACTS; i += 100) {
        snprintf(contact, sizeof contact, "c%04d", i); /* as fault_workload_write names them */
        snprintf(command, sizeof command,
                 "%s inspect --contact %s --state-dir %s --journeys %s/examples/journeys --json",
                 SWITCHYARD_BIN, contact, svc->state_dir, SY_SOURCE_ROOT);
        FILE *p = popen(command, "r");
        cr_assert_not_null(p, "%s", command);
        size_t n = fread(out, 1, sizeof out - 1, p);
        out[n] = '\0';
        cr_assert(eq(int, pclose(p), 0), "%s failed:\n%s", command, out);
        json_object *o = json_tokener_parse(out), *instances, *inst, *v, *timers;
        cr_assert_not_null(o, "inspect printed no JSON:\n%s", out);
        cr_assert(json_object_object_get_ex(o, "instances", &instances) &&
                  json_object_array_length(instances) == 1, "%s: not one instance:\n%s",
                  contact, out);
        inst = json_object_array_get_idx(instances, 0);
        json_object_object_get_ex(inst, "status", &v);
        cr_assert(eq(str, (char *)json_object_get_string(v), "done"), "%s:\n%s", contact, out);
        json_object_object_get_ex(inst, "node", &v);
        cr_assert(eq(str, (char *)json_object_get_string(v), "done"), "%s:\n%s", contact, out);
        json_object_object_get_ex(inst, "occurrence", &v);
        cr_assert(eq(i32, json_object_get_int(v), 1), "%s entered more than once:\n%s",
                  contact, out);
        json_object_object_get_ex(inst, "timers", &timers);
        for (size_t t = 0; timers && t < json_object_array_length(timers); t++) {
            json_object_object_get_ex(json_object_array_get_idx(timers, t), "stale", &v);
            cr_assert(json_object_get_boolean(v), "%s has a live timer:\n%s",
                      contact, out);
        }
        json_object_put(o);
        checked++;
    }
    printf("final state: %d sampled contacts done at 'done', entered once, no live timer\n",
           checked);
}

/* Run k: start the service, produce the next chunk of w's events after *produced, and
 * SIGKILL it a random time (from *seed) after it got its partitions. */
static void run_and_kill(service_t *svc, const fault_workload_t *w, int k, size_t chunk,
                         size_t *produced, unsigned *seed) {
    char log[256], what[32];
    snprintf(log, sizeof log, "%s/run-%02d.log", svc->dir, k);
    snprintf(what, sizeof what, "start %d", k + 1);
    long assigned_ms = fault_start_and_wait_assigned(svc, log, what);
    long long assigned_at = sy_clock_mono_ms();
    size_t from = *produced, to = *produced + chunk < w->count ? *produced + chunk : w->count;
    fault_produce_lines(svc, w, from, to);
    *produced = to;
    long delay = fault_kill_later(svc, assigned_at, KILL_MIN_MS, KILL_SPAN_MS, seed, k, log);
    long committed = 0, end = 0;
    fault_group_committed(svc, &committed, &end);
    printf("kill %2d/%d: partitions after %.1f s, events %zu..%zu produced, SIGKILL "
           "%.2f s after assignment, %ld of %ld input records committed\n",
           k + 1, KILLS, assigned_ms / 1000.0, from, to, delay / 1000.0, committed, end);
    fflush(stdout);
}

Test(fault_kill9, every_action_exactly_once_across_twenty_kills, .timeout = 840) {
    service_t svc;
    fault_workload_t w;
    fault_outputs_t want;
    char log[256];
    unsigned seed = fault_seed_from_env();
    printf("test_kill9: seed %u (SWITCHYARD_FAULT_SEED=%u repeats the kill times)\n", seed,
           seed);
    service_prepare(&svc, "fault-kill9");
    fault_config_fast_rejoin(&svc);
    fault_config_set(&svc, "batch.records.max", KILL9_BATCH_RECORDS);
    fault_workload_write(&w, svc.dir, FAULT_CONTACTS);
    fault_outputs_init(&want, FAULT_CONTACTS);
    fault_simulate(&w, &want);

    /* A backlog before the first start: the first runs are killed mid-stream. */
    size_t produced = w.count / 2, chunk = (w.count - produced + CHUNKS - 1) / CHUNKS;
    fault_produce_lines(&svc, &w, 0, produced);
    for (int k = 0; k < KILLS; k++)
        run_and_kill(&svc, &w, k, chunk, &produced, &seed);

    snprintf(log, sizeof log, "%s/run-final.log", svc.dir);
    fault_start_and_wait_assigned(&svc, log, "final start");
    printf("final start: producing events %zu..%zu\n", produced, w.count);
    fault_produce_lines(&svc, &w, produced, w.count);
    fault_finish(&svc, log, CATCH_UP_TIMEOUT_MS, &want, "after the kills");
    assert_final_state(&svc);
    fault_outputs_free(&want);
    fault_workload_free(&w);
    service_cleanup(&svc);
}
