/* test_handoff.c — how partitions change hands between instances on a real broker, with
 * exactly-once checked at the end (every action once, outputs equal to `switchyard
 * simulate`): kill -9 of one of three instances under load with one standby replica, the
 * survivors fencing its transactional producer (and once with fencing off, client.id set
 * by the config), printing how long its partitions waited; and the eager path (the range
 * assignor) scaling 1 → 2 → 1. Prints figures, asserts no timing. Not the long scaling
 * schedule (test_scaling.c). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stdio.h>

#include "scaling_steps.h"

#ifndef HANDOFF_CONTACTS
#define HANDOFF_CONTACTS 1500
#endif
#define MEMBERS_TIMEOUT_MS 60000
#define FENCE_TIMEOUT_MS 60000
#define CATCH_UP_TIMEOUT_MS 180000

/* Wait until slot k has described the group with n members (so it knows every member). */
static void wait_members(scaling_t *s, int k, int n) {
    char needle[64];
    snprintf(needle, sizeof needle, "the group has %d member(s)", n);
    long waited = fault_wait_log(&s->slot[k], scaling_log(s, k), needle, MEMBERS_TIMEOUT_MS,
                                 NULL);
    cr_assert_geq(waited, 0, "%c never saw %d members; log %s", 'A' + k, n, scaling_log(s, k));
}

/* Whether a survivor (A or C) logged a fence of another member, waiting for it (fenced):
 * or only looking (not fenced: the line must be absent). */
static int survivors_fenced(scaling_t *s, int wait) {
    long long start = sy_clock_mono_ms();
    for (;;) {
        int found = fault_file_contains(scaling_log(s, 0), "fenced transactional id") ||
                    fault_file_contains(scaling_log(s, 2), "fenced transactional id");
        if (found || !wait || sy_clock_mono_ms() - start > FENCE_TIMEOUT_MS)
            return found;
        support_clock_sleep_ms(250);
    }
}

/* Seconds from the kill (wall ms) to the first line of A's or C's log with needle, or -1. */
static double survivors_after(scaling_t *s, long long killed_wall_ms, const char *needle) {
    long long a = timeline_first_line(scaling_log(s, 0), needle, killed_wall_ms);
    long long c = timeline_first_line(scaling_log(s, 2), needle, killed_wall_ms);
    long long first = a < 0 ? c : c < 0 ? a : a < c ? a : c;
    return first < 0 ? -1.0 : (first - killed_wall_ms) / 1000.0;
}

static void kill_one_of_three(int fence) {
    static scaling_t s; /* large: the timeline */
    scaling_prepare(&s, fence ? "fault-handoff" : "fault-handoff-unfenced", HANDOFF_CONTACTS);
    fault_config_set(&s.base, "state.standby.replicas", "1");
    fault_config_set(&s.base, "batch.records.max", "100");
    if (!fence) /* the members' client ids then say nothing of their transactional ids */
        fault_config_set(&s.base, "kafka.client.id", "switchyard-handoff");
    scaling_slots_prepare(&s);
    size_t third = s.w.count / 3;
    s.step_ms = sy_clock_wall_ms();
    scaling_produce(&s, third);
    for (int k = 0; k < 3; k++)
        scaling_start(&s, k);
    scaling_wait_settled(&s, "3 instances");
    if (fence)
        for (int k = 0; k < 3; k += 2)
            wait_members(&s, k, 3);
    scaling_gaps_print(&s, "3 instances start");
    scaling_produce(&s, third);
    scaling_pause(&s, 100, 1000);
    long long killed_at = sy_clock_mono_ms(), killed_wall = sy_clock_wall_ms();
    scaling_stop(&s, 1, SIGKILL);
    int status = 0;
    cr_assert(eq(int, fault_wait_caught_up(&s.slot[0], CATCH_UP_TIMEOUT_MS, &status), 1),
              "A and C did not process the input produced before the kill");
    long long processed_ms = sy_clock_mono_ms() - killed_at;
    scaling_wait_settled(&s, "3 -> 2 (kill -9 B)");
    long long gap_ms = scaling_gaps_print(&s, "kill -9 B");
    printf("kill -9 B (%s): its partitions owned again after %.1f s (longest gap); all input "
           "produced before the kill committed %.1f s after it\n",
           fence ? "fenced by the survivors" : "no fencing", gap_ms / 1000.0,
           processed_ms / 1000.0);
    int fenced = survivors_fenced(&s, fence);
    cr_expect(eq(int, fenced, fence), "%s", fence ? "no survivor fenced B's transactional id"
                                                  : "a survivor fenced with client.id set");
    printf("kill -9 B: after the kill, the survivors were assigned its partitions at %.1f s, "
           "fenced it at %.1f s, restored them at %.1f s (-1: never)\n",
           survivors_after(&s, killed_wall, "info: assigned "),
           survivors_after(&s, killed_wall, "fenced transactional id"),
           survivors_after(&s, killed_wall, "restored partition"));
    scaling_finish(&s);
}

Test(fault_handoff, kill9_one_of_three_fenced_by_survivors, .timeout = 600) {
    kill_one_of_three(1);
}

Test(fault_handoff, kill9_one_of_three_without_fencing, .timeout = 600) {
    kill_one_of_three(0);
}

/* The eager protocol (range assignor): every member gives up all its partitions at each
 * rebalance. 1 → 2 (a join) → 1 (a clean stop) under load, exactly once. */
Test(fault_handoff, eager_assignor_scale_up_and_down, .timeout = 600) {
    static scaling_t s;
    scaling_prepare(&s, "fault-handoff-eager", HANDOFF_CONTACTS);
    fault_config_set(&s.base, "kafka.partition.assignment.strategy", "range");
    fault_config_set(&s.base, "batch.records.max", "100");
    scaling_slots_prepare(&s);
    size_t third = s.w.count / 3;
    s.step_ms = sy_clock_wall_ms();
    scaling_produce(&s, third);
    scaling_start(&s, 0);
    scaling_wait_settled(&s, "1 instance (range)");
    scaling_produce(&s, third);
    scaling_start(&s, 1);
    scaling_wait_settled(&s, "1 -> 2 (range)");
    scaling_gaps_print(&s, "1 -> 2: one joins, eager");
    cr_assert(fault_file_contains(scaling_log(&s, 0), "(eager)"),
              "A's rebalances were not eager; log %s", scaling_log(&s, 0));
    scaling_produce(&s, third / 2);
    scaling_pause(&s, 100, 1000);
    scaling_stop(&s, 1, SIGTERM);
    scaling_wait_settled(&s, "2 -> 1 (range, SIGTERM B)");
    scaling_gaps_print(&s, "2 -> 1: a clean stop, eager");
    scaling_finish(&s);
}
