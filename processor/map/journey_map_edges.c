/* journey_map_edges.c — the journey map's edges: every move a journey can make (entry,
 * next, a send's on_capped node, branch paths and otherwise, condition then/else, split
 * arms, wait event and timeout, goal and exit rules), each labelled with the path name its
 * decisions carry and, with counts, the moves that took it; then the counted moves the
 * journey does not draw (a send the safety gate stopped or held goes on by its reason) as
 * dashed edges, one per reason. Not the nodes (journey_map_graph.c). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "journey_map_int.h"

/* One edge to draw. */
typedef struct edge_spec {
    const char *from;  /* graph node name: a journey node id or JOURNEY_MAP_ENTRY/ANY */
    const char *path;  /* the path name decisions carry, or NULL */
    const char *to;    /* graph node name */
    const char *label; /* first label line (NULL: path) */
    const char *note;  /* second label line (a split arm's share), or NULL */
    bool prefix;       /* counted moves match when their path starts with path */
    bool rule;         /* a goal or exit rule: counted by `to` alone */
    bool extra;        /* a counted move the journey does not draw */
} edge_spec_t;

static bool str_same(const char *a, const char *b) {
    return a ? b && strcmp(a, b) == 0 : b == NULL;
}

/* Whether a counted move is one of e's; to NULL in the counts: wherever the path leads. */
static bool edge_counts_match(const edge_spec_t *e, const journey_map_edge_counts_t *x) {
    if (e->rule)
        return x->to && strcmp(x->to, e->to) == 0;
    const char *from = strcmp(e->from, JOURNEY_MAP_ENTRY) == 0 ? NULL : e->from;
    bool path = e->prefix ? x->path && strncmp(x->path, e->path, strlen(e->path)) == 0
                          : str_same(x->path, e->path);
    return str_same(x->from, from) && (from == NULL || path) &&
           (x->to == NULL || strcmp(x->to, e->to) == 0);
}

/* The moves along e, each counted move marked used. */
static uint64_t edge_took(journey_map_build_t *b, const edge_spec_t *e) {
    uint64_t took = 0;
    for (size_t i = 0; i < b->counts->edges_count; i++) {
        if (!b->used[i] && edge_counts_match(e, &b->counts->edges[i])) {
            took += b->counts->edges[i].took;
            b->used[i] = true;
        }
    }
    return took;
}

static sy_err_t edge_draw(journey_map_build_t *b, const edge_spec_t *e, uint64_t took) {
    Agnode_t *from = journey_map_node(b, e->from), *to = journey_map_node(b, e->to);
    if (!from || !to)
        return SY_ERR_NOMEM; /* every name drawn was added as a node first */
    char key[32];
    snprintf(key, sizeof key, "e%zu", b->edges++);
    Agedge_t *edge = agedge(b->g, from, to, key, 1);
    if (!edge)
        return SY_ERR_NOMEM;
    journey_map_label_t l = {.len = 0};
    const char *first = e->label ? e->label : e->path;
    if (first)
        journey_map_label_text(&l, first, JOURNEY_MAP_DETAIL_CHARS);
    if (e->note)
        journey_map_label_add(&l, "%s%s", l.len ? "\\n" : "", e->note);
    unsigned want = e->path ? JOURNEY_MAP_SHOW_TOOK : JOURNEY_MAP_SHOW_TOOK_UNNAMED;
    if (b->counts && (b->counts->show & want))
        journey_map_label_add(&l, "%stook %" PRIu64, l.len ? "\\n" : "", took);
    if (l.len)
        journey_map_set(edge, "label", l.text);
    if (e->rule || e->extra)
        journey_map_set(edge, "style", "dashed");
    journey_map_set(edge, "class", e->extra ? "extra" : e->rule ? "rule" : "path");
    return SY_OK;
}

static sy_err_t edge(journey_map_build_t *b, edge_spec_t e) {
    return edge_draw(b, &e, b->counts ? edge_took(b, &e) : 0);
}

static sy_err_t split_edges(journey_map_build_t *b, const journey_node_t *n) {
    sy_err_t err = SY_OK;
    for (size_t i = 0; err == SY_OK && i < n->u.split.arms_count; i++) {
        const journey_split_arm_t *arm = &n->u.split.arms[i];
        char share[32];
        if (arm->basis_points % 100)
            snprintf(share, sizeof share, "%d.%02d%%", arm->basis_points / 100,
                     arm->basis_points % 100);
        else
            snprintf(share, sizeof share, "%d%%", arm->basis_points / 100);
        const char *to = b->journey->nodes[arm->to].id;
        err = edge(b, (edge_spec_t){.from = n->id, .path = arm->name, .to = to, .note = share});
    }
    return err;
}

static sy_err_t branch_edges(journey_map_build_t *b, const journey_node_t *n) {
    const journey_branch_t *br = &n->u.branch;
    const journey_node_t *nodes = b->journey->nodes;
    sy_err_t err = SY_OK;
    for (size_t i = 0; err == SY_OK && i < br->paths_count; i++)
        err = edge(b, (edge_spec_t){.from = n->id, .path = br->paths[i].name,
                                    .to = nodes[br->paths[i].to].id});
    if (err == SY_OK)
        err = edge(b, (edge_spec_t){.from = n->id, .path = br->otherwise_name,
                                    .to = nodes[br->otherwise_to].id});
    return err;
}

/* Where a node goes on by `next` when it has only that, or -1. */
static int node_next(const journey_node_t *n) {
    switch (n->kind) {
    case JOURNEY_NODE_SEND:
        return n->u.send.next;
    case JOURNEY_NODE_TASK:
        return n->u.task.next;
    case JOURNEY_NODE_UPDATE:
        return n->u.update.next;
    case JOURNEY_NODE_WAIT:
        return n->u.wait.kind == JOURNEY_WAIT_EVENT ? -1 : n->u.wait.next;
    default:
        return -1;
    }
}

static sy_err_t node_edges(journey_map_build_t *b, const journey_node_t *n) {
    const journey_node_t *nodes = b->journey->nodes;
    int next = node_next(n);
    sy_err_t err = next >= 0 ? edge(b, (edge_spec_t){.from = n->id, .to = nodes[next].id})
                             : SY_OK;
    if (err == SY_OK && n->kind == JOURNEY_NODE_SEND &&
        n->u.send.on_capped == JOURNEY_ON_CAPPED_NODE) /* its moves: "capped:RULE" */
        err = edge(b, (edge_spec_t){.from = n->id, .path = "capped:", .prefix = true,
                                    .label = "on_capped", .to = nodes[n->u.send.capped_to].id});
    if (next >= 0 || err != SY_OK)
        return err;
    switch (n->kind) {
    case JOURNEY_NODE_WAIT: {
        sy_err_t err = edge(b, (edge_spec_t){.from = n->id, .path = "event",
                                             .to = nodes[n->u.wait.next].id});
        return err ? err : edge(b, (edge_spec_t){.from = n->id, .path = "timeout",
                                                 .to = nodes[n->u.wait.timeout_to].id});
    }
    case JOURNEY_NODE_CONDITION: {
        const journey_condition_t *c = &n->u.condition;
        sy_err_t err = edge(b, (edge_spec_t){.from = n->id, .path = "then",
                                             .to = nodes[c->then_to].id});
        return err ? err : edge(b, (edge_spec_t){.from = n->id, .path = "else",
                                                 .to = nodes[c->else_to].id});
    }
    case JOURNEY_NODE_SPLIT:
        return split_edges(b, n);
    case JOURNEY_NODE_BRANCH:
        return branch_edges(b, n);
    default:
        return SY_OK; /* exit */
    }
}

/* Goal and exit rules: from "any node" to their terminal, labelled with their event. */
static sy_err_t rule_edges(journey_map_build_t *b) {
    const journey_t *j = b->journey;
    sy_err_t err = SY_OK;
    for (size_t i = 0; err == SY_OK && i < j->goals_count + j->exits_count; i++) {
        bool goal = i < j->goals_count;
        const journey_rule_t *rule = goal ? &j->goals[i] : &j->exits[i - j->goals_count];
        char to[SY_ID_BYTES_MAX + 8], event[SY_ID_BYTES_MAX + 16];
        snprintf(to, sizeof to, "%s:%s", goal ? "goal" : "exit", rule->name);
        if (rule->event.type == SY_EVENT_CUSTOM)
            snprintf(event, sizeof event, "custom.%s", rule->event.name);
        else
            snprintf(event, sizeof event, "%s.%s", sy_channel_name(rule->event.channel),
                     sy_event_type_name(rule->event.type));
        err = edge(b, (edge_spec_t){.from = JOURNEY_MAP_ANY, .to = to, .label = event,
                                    .rule = true});
    }
    return err;
}

/* Where counted move x goes on the map: its `to`, or a node's only `next`; NULL when
 * that is not on the map. */
static const char *extra_to(journey_map_build_t *b, const journey_map_edge_counts_t *x) {
    int from = x->from ? journey_node_index(b->journey, x->from) : -1;
    if (x->from && from < 0)
        return NULL;
    const char *to = x->to;
    if (!to && from >= 0 && node_next(&b->journey->nodes[from]) >= 0)
        to = b->journey->nodes[node_next(&b->journey->nodes[from])].id;
    return to && to[0] != '(' && journey_map_node(b, to) ? to : NULL;
}

/* The length of path's reason: a hold's path ends in "@TIME", which differs per hold. */
static size_t reason_len(const char *path) {
    return path ? strcspn(path, "@") : 0;
}

static bool same_reason(const char *a, const char *b) {
    size_t n = reason_len(a);
    return a && b ? n == reason_len(b) && strncmp(a, b, n) == 0 : a == b;
}

/* Counted moves no drawn edge took: dashed edges, one per from, reason and to, when both
 * ends are on the map. */
static sy_err_t extra_edges(journey_map_build_t *b) {
    sy_err_t err = SY_OK;
    for (size_t i = 0; err == SY_OK && b->counts && i < b->counts->edges_count; i++) {
        const journey_map_edge_counts_t *x = &b->counts->edges[i];
        const char *to = b->used[i] ? NULL : extra_to(b, x);
        if (!to)
            continue;
        uint64_t took = 0;
        for (size_t k = i; k < b->counts->edges_count; k++) {
            const journey_map_edge_counts_t *y = &b->counts->edges[k];
            const char *y_to = b->used[k] ? NULL : extra_to(b, y);
            if (y_to && strcmp(y_to, to) == 0 && str_same(y->from, x->from) &&
                same_reason(y->path, x->path)) {
                took += y->took;
                b->used[k] = true;
            }
        }
        char label[SY_ID_BYTES_MAX + 1];
        snprintf(label, sizeof label, "%.*s", (int)reason_len(x->path), x->path ? x->path : "");
        edge_spec_t e = {.from = x->from ? x->from : JOURNEY_MAP_ENTRY, .path = x->path,
                         .label = x->path ? label : NULL, .to = to, .extra = true};
        err = edge_draw(b, &e, took);
    }
    return err;
}

sy_err_t journey_map_edges_draw(journey_map_build_t *b) {
    const journey_t *j = b->journey;
    sy_err_t err = edge(b, (edge_spec_t){.from = JOURNEY_MAP_ENTRY, .to = j->nodes[0].id});
    for (size_t i = 0; err == SY_OK && i < j->nodes_count; i++)
        err = node_edges(b, &j->nodes[i]);
    if (err == SY_OK)
        err = rule_edges(b);
    if (err == SY_OK)
        err = extra_edges(b);
    return err;
}
