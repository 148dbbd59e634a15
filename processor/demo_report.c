/* demo_report.c — counting rows by label and printing them as aligned tables. */
#include "demo_report.h"

#include <inttypes.h>
#include <string.h>

void demo_report_init(demo_report_t *r, const journey_set_t *journeys) {
    memset(r, 0, sizeof *r);
    r->journeys = journeys;
}

static void tally(demo_report_table_t *t, const char *label) {
    for (size_t i = 0; i < t->count; i++) {
        if (strcmp(t->rows[i].label, label) == 0) {
            t->rows[i].count++;
            return;
        }
    }
    if (t->count == DEMO_REPORT_ROWS_MAX)
        return;
    snprintf(t->rows[t->count].label, sizeof t->rows[0].label, "%s", label);
    t->rows[t->count++].count = 1;
}

static const journey_node_t *node_named(const demo_report_t *r, const char *journey_id,
                                        int32_t version, const char *node_id) {
    for (size_t i = 0; node_id && i < r->journeys->count; i++) {
        const journey_t *j = r->journeys->journeys[i];
        if (j->version != version || strcmp(j->id, journey_id) != 0)
            continue;
        int index = journey_node_index(j, node_id);
        return index >= 0 ? &j->nodes[index] : NULL;
    }
    return NULL;
}

void demo_report_decision(demo_report_t *r, const sy_decision_t *d) {
    char label[192];
    const journey_node_t *to = node_named(r, d->journey_id, d->journey_version, d->to_node);
    const journey_node_t *from =
        node_named(r, d->journey_id, d->journey_version, d->from_node);
    if (!d->from_node)
        r->entries++;
    if (to && to->kind == JOURNEY_NODE_BRANCH)
        r->branch_entries++;
    if (from && from->kind == JOURNEY_NODE_BRANCH) {
        r->branch_exits++;
        snprintf(label, sizeof label, "%-20s %-14s %-12s -> %s", d->journey_id, d->from_node,
                 d->path ? d->path : "?", d->to_node);
        tally(&r->paths, label);
    }
}

void demo_report_action(demo_report_t *r, const sy_action_t *a) {
    char label[192];
    snprintf(label, sizeof label, "%-6s %s", sy_channel_name(a->channel), a->template_id);
    tally(&r->actions, label);
}

void demo_report_contact_update(demo_report_t *r, const sy_contact_update_t *u) {
    char label[192];
    snprintf(label, sizeof label, "%-18s %s", sy_update_op_name(u->op), u->name);
    tally(&r->updates, label);
}

static void print_table(FILE *out, const char *title, const demo_report_table_t *t) {
    fprintf(out, "\n%s\n", title);
    for (size_t i = 0; i < t->count; i++)
        fprintf(out, "    %-64s %8" PRIu64 "\n", t->rows[i].label, t->rows[i].count);
    if (!t->count)
        fprintf(out, "    (none)\n");
}

void demo_report_print(const demo_report_t *r, FILE *out, const runner_stats_t *s,
                       uint64_t in_entries, uint64_t in_engagements, uint64_t in_app_opens) {
    fprintf(out, "\nInput:  %" PRIu64 " entry events, %" PRIu64
                 " engagement events from the simulated providers,\n"
                 "        %" PRIu64 " app-open events (they only move event time on)\n",
            in_entries, in_engagements, in_app_opens);
    fprintf(out, "Output: %" PRIu64 " routing decisions, %" PRIu64 " action commands, %" PRIu64
                 " contact updates, %" PRIu64 " dead letters,\n        %" PRIu64
                 " timers fired, in %" PRIu64 " transactions\n",
            s->decisions, s->actions, s->contact_updates, s->dead_letters, s->timers_fired,
            s->transactions);
    fprintf(out, "\n%" PRIu64 " contacts entered a journey.\n", r->entries);
    print_table(out, "Contacts per branch path (journey, branch, path -> next node):",
                &r->paths);
    fprintf(out, "    %-64s %8" PRIu64 "\n", "still waiting at a branch when the world ended",
            r->branch_entries - r->branch_exits);
    print_table(out, "Action commands (channel, template):", &r->actions);
    print_table(out, "Contact updates (operation, list or attribute):", &r->updates);
}
