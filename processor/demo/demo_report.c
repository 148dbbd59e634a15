/* demo_report.c — counting output records by label and printing them: branch paths in
 * the journey's own priority order, with what each path waits for. */
#include "demo_report.h"

#include <inttypes.h>
#include <string.h>

void demo_report_init(demo_report_t *r, const journey_set_t *journeys) {
    memset(r, 0, sizeof *r);
    r->journeys = journeys;
}

static demo_report_row_t *row_find(const demo_report_table_t *t, const char *label) {
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->rows[i].label, label) == 0)
            return (demo_report_row_t *)&t->rows[i];
    return NULL;
}

static void tally(demo_report_table_t *t, const char *label) {
    demo_report_row_t *row = row_find(t, label);
    if (row) {
        row->count++;
    } else if (t->count < DEMO_REPORT_ROWS_MAX) {
        snprintf(t->rows[t->count].label, sizeof t->rows[0].label, "%s", label);
        t->rows[t->count++].count = 1;
    }
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

/* Paths are counted under "journey/version/branch/path". */
static void path_key(char *buf, size_t size, const char *journey_id, int32_t version,
                     const char *node_id, const char *path) {
    snprintf(buf, size, "%s/%d/%s/%s", journey_id, (int)version, node_id, path);
}

void demo_report_decision(demo_report_t *r, const sy_decision_t *d) {
    char key[192];
    const journey_node_t *to = node_named(r, d->journey_id, d->journey_version, d->to_node);
    const journey_node_t *from =
        node_named(r, d->journey_id, d->journey_version, d->from_node);
    if (!d->from_node)
        r->entries++;
    if (to && to->kind == JOURNEY_NODE_BRANCH)
        r->branch_entries++;
    if (from && from->kind == JOURNEY_NODE_BRANCH) {
        r->branch_exits++;
        path_key(key, sizeof key, d->journey_id, d->journey_version, d->from_node,
                 d->path ? d->path : "?");
        tally(&r->paths, key);
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

/* "sms.clicked", "custom.survey_completed" */
static const char *match_name(const journey_event_match_t *m) {
    return m->type == SY_EVENT_CUSTOM ? m->name : sy_event_type_name(m->type);
}

/* "email.delivered + email.opened, not email.opened, within 24h" */
static void path_condition(const journey_path_t *p, char *buf, size_t size) {
    size_t n = 0;
    for (size_t i = 0; i < p->when_count && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s.%s", i ? " + " : "",
                              sy_channel_name(p->when[i].channel), match_name(&p->when[i]));
    for (size_t i = 0; i < p->unless_count && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, ", not %s.%s",
                              sy_channel_name(p->unless[i].channel), match_name(&p->unless[i]));
    if (p->within_ms && n < size)
        n += (size_t)snprintf(buf + n, size - n, " within %" PRId64 "h",
                              p->within_ms / 3600000);
    if (p->after_ms && n < size)
        snprintf(buf + n, size - n, " after %" PRId64 "h", p->after_ms / 3600000);
}

static void print_path(const demo_report_t *r, FILE *out, const journey_t *j,
                       const journey_node_t *node, const char *name, uint16_t to,
                       const char *condition) {
    char key[192];
    path_key(key, sizeof key, j->id, j->version, node->id, name);
    const demo_report_row_t *row = row_find(&r->paths, key);
    fprintf(out, "    %-17s -> %-16s %8" PRIu64 "   %s\n", name, j->nodes[to].id,
            row ? row->count : 0, condition);
}

static void print_branches(const demo_report_t *r, FILE *out) {
    char condition[256];
    for (size_t i = 0; i < r->journeys->count; i++) {
        const journey_t *j = r->journeys->journeys[i];
        for (size_t n = 0; n < j->nodes_count; n++) {
            const journey_node_t *node = &j->nodes[n];
            if (node->kind != JOURNEY_NODE_BRANCH)
                continue;
            const journey_branch_t *b = &node->u.branch;
            fprintf(out, "\nJourney %s v%d, branch '%s' on the message of '%s':\n"
                         "    %-17s    %-16s %8s   %s\n",
                    j->id, (int)j->version, node->id, j->nodes[b->message_node].id, "path",
                    "next node", "contacts", "when");
            for (size_t p = 0; p < b->paths_count; p++) {
                path_condition(&b->paths[p], condition, sizeof condition);
                print_path(r, out, j, node, b->paths[p].name, b->paths[p].to, condition);
            }
            snprintf(condition, sizeof condition, "no path held after %" PRId64 "h",
                     b->otherwise_after_ms / 3600000);
            print_path(r, out, j, node, b->otherwise_name, b->otherwise_to, condition);
        }
    }
}

static void print_table(FILE *out, const char *title, const demo_report_table_t *t) {
    fprintf(out, "\n%s\n", title);
    for (size_t i = 0; i < t->count; i++)
        fprintf(out, "    %-40s %8" PRIu64 "\n", t->rows[i].label, t->rows[i].count);
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
    fprintf(out, "\n%" PRIu64 " times a contact entered a journey; %" PRIu64
                 " were still waiting at a branch when the world ended.\n",
            r->entries, r->branch_entries - r->branch_exits);
    print_branches(r, out);
    print_table(out, "Action commands (channel, template):", &r->actions);
    print_table(out, "Contact updates (operation, list or attribute):", &r->updates);
}
