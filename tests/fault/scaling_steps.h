/* scaling_steps.h — the steps the multi-instance fault tests (test_scaling, test_handoff)
 * are made of: one group of up to four instances (slots A–D, each with its own config and
 * state directory) on 12-partition topics, started, stopped with SIGTERM or killed with
 * SIGKILL, waiting until the group has settled, printing a step's handoff gaps from the
 * instances' logs (scaling_timeline.h), and the final exactly-once check against
 * `switchyard simulate`. Not a schedule of steps: each test has its own.
 * Test code: asserts with Criterion, bounded waits only. */
#ifndef SCALING_STEPS_H
#define SCALING_STEPS_H

#include <stddef.h>

#include "fault_common.h"
#include "scaling_timeline.h"

#define SCALING_SLOTS 4

typedef struct scaling {
    service_t base;                /* the topics, group and workload */
    service_t slot[SCALING_SLOTS]; /* instances A..D: own config and state directory */
    int run[SCALING_SLOTS];        /* the slot's current run in the timeline; -1 none */
    int runs_of[SCALING_SLOTS];
    timeline_t timeline;
    fault_workload_t w;
    fault_outputs_t want; /* simulate's outputs over the workload */
    size_t produced;
    unsigned seed;
    long long step_ms; /* when the current step began (wall) */
} scaling_t;

/* A new service named name on 12-partition topics, the workload for contacts contacts
 * and its reference outputs; the seed from SWITCHYARD_FAULT_SEED or the clock. Settings
 * go into s->base's config (fault_config_set) before scaling_slots_prepare. Asserts. */
void scaling_prepare(scaling_t *s, const char *name, int contacts);

/* Give each slot a copy of s->base's config with its own state.dir. */
void scaling_slots_prepare(scaling_t *s);

/* Produce the next count lines of the workload (fewer at its end). */
void scaling_produce(scaling_t *s, size_t count);

/* Start slot k with a new log (a new run in the timeline). */
void scaling_start(scaling_t *s, int k);

/* Stop slot k with sig (SIGTERM or SIGKILL); a SIGTERM must exit 0. Asserts it was alive. */
void scaling_stop(scaling_t *s, int k, int sig);

/* A seeded random pause of min_ms to min_ms + span_ms. */
void scaling_pause(scaling_t *s, long min_ms, long span_ms);

/* Wait (SETTLE_TIMEOUT_MS at most) until every partition is processed by a live instance
 * and each live one has its share; asserts the live ones stay alive. */
void scaling_wait_settled(scaling_t *s, const char *step);

/* Print the gaps of the step that began at s->step_ms (count, longest, mean, changelog
 * records restored) and begin the next step; returns the longest gap in ms. */
long long scaling_gaps_print(scaling_t *s, const char *step);

/* Lines of a log that say the group moved partitions. */
int scaling_rebalance_lines(const char *log);

/* Wait until the group's last rebalance has ended in every live instance's log: its last
 * such line is an assignment that is not the companion of a revocation. A cooperative
 * member that gives partitions up logs "revoked" and, in the same round, "assigned"
 * (possibly nothing), then rejoins and logs the next round's assignment; the shares are
 * even, and every log can end with an assignment, before that last line comes (a member
 * busy committing serves the callback late). */
void scaling_wait_rebalance_ended(scaling_t *s, const char *step);

/* The log of slot k's current run. */
const char *scaling_log(const scaling_t *s, int k);

/* Produce the rest of the workload, wait until slot last's group has committed it all,
 * stop every live slot with SIGTERM and check, under read_committed, every action exactly
 * once and every contact's outputs equal to simulate's; frees everything. Asserts. */
void scaling_finish(scaling_t *s);

#endif
