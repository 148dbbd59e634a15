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

#include "scaling_steps.h"

#ifndef SCALING_CONTACTS
#define SCALING_CONTACTS 3000
#endif
/* The service's default session timeout and heartbeat interval (RUNNER_SESSION_TIMEOUT_MS,
 * RUNNER_HEARTBEAT_MS). The broker counts the session from the member's last heartbeat,
 * which can be one interval before its stop: a restart quicker than the difference, counted
 * from the stop, keeps the member's partitions. */
#define SESSION_TIMEOUT_MS 6000
#define HEARTBEAT_INTERVAL_MS 2000

/* Static membership: C restarted within the session timeout keeps its partitions, and A
 * and B see no rebalance. */
static void restart_within_session(scaling_t *s) {
    scaling_wait_rebalance_ended(s, "before restarting C");
    int before_a = scaling_rebalance_lines(scaling_log(s, 0));
    int before_b = scaling_rebalance_lines(scaling_log(s, 1));
    int owned = timeline_owned(&s->timeline, s->run[2]);
    long long stopped_at = sy_clock_mono_ms();
    scaling_stop(s, 2, SIGTERM);
    scaling_start(s, 2);
    scaling_wait_settled(s, "restart C");
    long long back_ms = sy_clock_mono_ms() - stopped_at;
    printf("restart C: back with %d partitions (had %d) %.1f s after its stop\n",
           timeline_owned(&s->timeline, s->run[2]), owned, back_ms / 1000.0);
    if (back_ms >= SESSION_TIMEOUT_MS - HEARTBEAT_INTERVAL_MS) {
        printf("restart C: slower than the session timeout less a heartbeat interval: a "
               "rebalance was allowed\n");
        return;
    }
    cr_expect(eq(int, timeline_owned(&s->timeline, s->run[2]), owned),
              "C came back with other partitions");
    cr_expect(eq(int, scaling_rebalance_lines(scaling_log(s, 0)), before_a),
              "A saw a rebalance when C restarted within the session timeout");
    cr_expect(eq(int, scaling_rebalance_lines(scaling_log(s, 1)), before_b),
              "B saw a rebalance when C restarted within the session timeout");
}

/* 1 → 3 → (C restarted) → 2 → 3 → 1, producing a share of the input before each step. */
static void scale(scaling_t *s) {
    size_t share = s->w.count / 6;
    s->step_ms = sy_clock_wall_ms();
    scaling_produce(s, share);
    scaling_start(s, 0);
    scaling_wait_settled(s, "1 instance");
    scaling_produce(s, share);
    scaling_start(s, 1);
    scaling_start(s, 2);
    scaling_wait_settled(s, "1 -> 3");
    scaling_gaps_print(s, "1 -> 3: two join");
    restart_within_session(s);
    scaling_gaps_print(s, "C restarted within the session timeout");
    scaling_produce(s, share);
    scaling_pause(s, 100, 1500);
    scaling_stop(s, 1, SIGKILL);
    scaling_wait_settled(s, "3 -> 2 (kill -9 B)");
    scaling_gaps_print(s, "3 -> 2: kill -9");
    scaling_produce(s, share);
    scaling_start(s, 3);
    scaling_wait_settled(s, "2 -> 3 (D joins, empty state)");
    scaling_gaps_print(s, "2 -> 3: one joins");
    scaling_produce(s, share);
    scaling_pause(s, 100, 1500);
    scaling_stop(s, 2, SIGTERM);
    scaling_pause(s, 100, 1500);
    scaling_stop(s, 0, SIGKILL);
    scaling_wait_settled(s, "3 -> 1 (SIGTERM C, kill -9 A)");
    scaling_gaps_print(s, "3 -> 1: a stop and a kill -9");
}

static void scaling_run(int standbys) {
    static scaling_t s; /* large: the timeline */
    char value[16];
    printf("test_scaling: %d standby replica(s)\n", standbys);
    scaling_prepare(&s, standbys ? "fault-scaling-sb" : "fault-scaling", SCALING_CONTACTS);
    snprintf(value, sizeof value, "%d", standbys);
    fault_config_set(&s.base, "state.standby.replicas", value);
    fault_config_set(&s.base, "batch.records.max", "100");
    scaling_slots_prepare(&s);
    scale(&s);
    scaling_finish(&s);
}

Test(fault_scaling, one_three_two_three_one_instances_exactly_once, .timeout = 600) {
    scaling_run(0);
}

Test(fault_scaling, with_one_standby_replica, .timeout = 600) {
    scaling_run(1);
}
