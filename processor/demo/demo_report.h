/* demo_report.h — tallies the demo's output records (decisions, actions, contact
 * updates) and prints what the journeys did in words a person can follow. */
#ifndef SY_DEMO_REPORT_H
#define SY_DEMO_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "journey.h"
#include "records.h"
#include "runner.h"

/* Distinct rows a report keeps per table: journeys have at most dozens of paths. */
#define DEMO_REPORT_ROWS_MAX 256

typedef struct demo_report_row {
    char label[192];
    uint64_t count;
} demo_report_row_t;

typedef struct demo_report_table {
    size_t count;
    demo_report_row_t rows[DEMO_REPORT_ROWS_MAX];
} demo_report_table_t;

typedef struct demo_report {
    const journey_set_t *journeys;
    uint64_t entries;
    uint64_t branch_entries; /* decisions into a branch node */
    uint64_t branch_exits;   /* decisions out of a branch node */
    demo_report_table_t paths;   /* "journey  branch  path -> node" */
    demo_report_table_t actions; /* "channel template" */
    demo_report_table_t updates; /* "op name" */
} demo_report_t;

void demo_report_init(demo_report_t *report, const journey_set_t *journeys);
void demo_report_decision(demo_report_t *report, const sy_decision_t *decision);
void demo_report_action(demo_report_t *report, const sy_action_t *action);
void demo_report_contact_update(demo_report_t *report, const sy_contact_update_t *update);

/* Print the tallies; in_* say what the world fed in, stats what the runner committed. */
void demo_report_print(const demo_report_t *report, FILE *out, const runner_stats_t *stats,
                       uint64_t in_entries, uint64_t in_engagements, uint64_t in_app_opens);

#endif
