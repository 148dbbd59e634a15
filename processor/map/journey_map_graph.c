/* journey_map_graph.c — the journey map's graph: the layout's settings, one node per
 * journey node with its kind's shape and colour, its id, a short detail and its counts,
 * the entry marker and the goal and exit terminals. The edges are journey_map_edges.c's;
 * laying out and rendering is journey_map_render.c's. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey_map_int.h"
#include "sy_time.h"

/* How a kind of node looks: a Graphviz shape and a fill colour. */
typedef struct node_look {
    const char *kind;
    const char *shape;
    const char *fill;
} node_look_t;

static const node_look_t node_looks[] = {
    [JOURNEY_NODE_SEND] = {"send", "box", "#cfe2ff"},
    [JOURNEY_NODE_BRANCH] = {"branch", "hexagon", "#d1f2d9"},
    [JOURNEY_NODE_UPDATE] = {"update", "note", "#fff3bf"},
    [JOURNEY_NODE_EXIT] = {"exit", "doubleoctagon", "#dee2e6"},
    [JOURNEY_NODE_WAIT] = {"wait", "ellipse", "#e3fafc"},
    [JOURNEY_NODE_CONDITION] = {"condition", "diamond", "#ffe8cc"},
    [JOURNEY_NODE_SPLIT] = {"split", "trapezium", "#f3d9fa"},
    [JOURNEY_NODE_TASK] = {"task", "component", "#e5dbff"},
};

static void event_name(const journey_event_match_t *m, char *buf, size_t size) {
    if (m->type == SY_EVENT_CUSTOM)
        snprintf(buf, size, "custom.%s", m->name ? m->name : "");
    else
        snprintf(buf, size, "%s.%s", sy_channel_name(m->channel), sy_event_type_name(m->type));
}

static void wait_detail(journey_map_label_t *l, const journey_wait_t *w) {
    char text[SY_ID_BYTES_MAX + 16], timeout[SY_DURATION_TEXT_BYTES];
    switch (w->kind) {
    case JOURNEY_WAIT_DURATION:
        sy_duration_format(w->duration_ms, text, sizeof text);
        journey_map_label_add(l, "wait %s", text);
        break;
    case JOURNEY_WAIT_TIME_OF_DAY:
        journey_map_label_add(l, "wait until %02d:%02d", w->minute_of_day / 60,
                              w->minute_of_day % 60);
        break;
    case JOURNEY_WAIT_EVENT:
        event_name(&w->watch.events[0], text, sizeof text);
        sy_duration_format(w->timeout_ms, timeout, sizeof timeout);
        journey_map_label_add(l, "wait for ");
        journey_map_label_text(l, text, JOURNEY_MAP_DETAIL_CHARS);
        journey_map_label_add(l, " (%s)", timeout);
        break;
    }
}

/* The line under the id: what the node does. */
static void node_detail(journey_map_label_t *l, const journey_t *j, const journey_node_t *n) {
    switch (n->kind) {
    case JOURNEY_NODE_SEND:
        journey_map_label_add(l, "send %s: ", sy_channel_name(n->u.send.channel));
        journey_map_label_text(l, n->u.send.template_id, JOURNEY_MAP_DETAIL_CHARS);
        if (n->u.send.category == JOURNEY_CATEGORY_TRANSACTIONAL)
            journey_map_label_add(l, " (transactional)");
        break;
    case JOURNEY_NODE_TASK:
        journey_map_label_add(l, "task: ");
        journey_map_label_text(l, n->u.task.queue, JOURNEY_MAP_DETAIL_CHARS);
        break;
    case JOURNEY_NODE_UPDATE:
        journey_map_label_add(l, "%s ", sy_update_op_name(n->u.update.op));
        journey_map_label_text(l, n->u.update.name, JOURNEY_MAP_DETAIL_CHARS);
        break;
    case JOURNEY_NODE_CONDITION:
        journey_map_label_add(l, "if ");
        journey_map_label_text(l, n->u.condition.text, JOURNEY_MAP_DETAIL_CHARS);
        break;
    case JOURNEY_NODE_SPLIT:
        journey_map_label_add(l, "split %zu ways", n->u.split.arms_count);
        break;
    case JOURNEY_NODE_BRANCH:
        journey_map_label_add(l, "branch on ");
        journey_map_label_text(l, j->nodes[n->u.branch.message_node].id, 0);
        break;
    case JOURNEY_NODE_WAIT:
        wait_detail(l, &n->u.wait);
        break;
    case JOURNEY_NODE_EXIT:
        journey_map_label_add(l, "exit");
        break;
    }
}

/* The count lines the counts' show bits ask for; terminal: a rule's end, where contacts
 * do not stay (no "at"). */
static void node_counts(journey_map_label_t *l, const journey_map_counts_t *c,
                        const char *name, bool terminal) {
    if (!c)
        return;
    const journey_map_node_counts_t *n = journey_map_counts_node_find(c, name);
    journey_map_node_counts_t zero = {0};
    if (!n)
        n = &zero;
    if ((c->show & JOURNEY_MAP_SHOW_AT) && !terminal)
        journey_map_label_add(l, "\\nat %" PRIu64, n->at);
    if (c->show & JOURNEY_MAP_SHOW_ENTERED)
        journey_map_label_add(l, "\\nin %" PRIu64, n->entered);
    if ((c->show & JOURNEY_MAP_SHOW_CONVERSIONS) && !terminal)
        journey_map_label_add(l, "\\nconversions %" PRIu64, n->conversions);
    if ((c->show & JOURNEY_MAP_SHOW_REVENUE) && !terminal)
        journey_map_label_add(l, "\\nrevenue %.2f", n->revenue);
    for (size_t i = 0; (c->show & JOURNEY_MAP_SHOW_CALL_REVENUE) && !terminal &&
                       i < n->call_revenue_count; i++)
        journey_map_label_add(l, "\\ncalls %.2f %s", n->call_revenue[i].amount,
                              n->call_revenue[i].currency);
}

/* A node named name (copied) with shape, fill and label; NULL when out of memory. */
static Agnode_t *node_add(journey_map_build_t *b, const char *name, const char *shape,
                          const char *fill, const char *label) {
    char key[SY_ID_BYTES_MAX + 16], id[SY_ID_BYTES_MAX + 24];
    snprintf(key, sizeof key, "%s", name);
    Agnode_t *n = agnode(b->g, key, 1);
    if (!n)
        return NULL;
    snprintf(id, sizeof id, "node-%s", name);
    journey_map_set(n, "id", id);
    journey_map_set(n, "shape", shape);
    journey_map_set(n, "fillcolor", fill);
    journey_map_set(n, "label", label);
    return n;
}

static sy_err_t nodes_add(journey_map_build_t *b) {
    const journey_t *j = b->journey;
    for (size_t i = 0; i < j->nodes_count; i++) {
        const journey_node_t *node = &j->nodes[i];
        const node_look_t *look = &node_looks[node->kind];
        journey_map_label_t l = {.len = 0};
        journey_map_label_text(&l, node->id, 0);
        journey_map_label_line(&l);
        node_detail(&l, j, node);
        node_counts(&l, b->counts, node->id, false);
        Agnode_t *n = node_add(b, node->id, look->shape, look->fill, l.text);
        if (!n)
            return SY_ERR_NOMEM;
        journey_map_set(n, "class", look->kind);
    }
    return SY_OK;
}

/* The entry marker, the "any node" marker of the rules and a terminal per rule. */
static sy_err_t markers_add(journey_map_build_t *b) {
    const journey_t *j = b->journey;
    journey_map_label_t l = {.len = 0};
    char event[SY_ID_BYTES_MAX + 16];
    event_name(&j->entry, event, sizeof event);
    journey_map_label_add(&l, "entry\\n");
    if (j->entry_when_text) /* audience entry: a profile change, no event */
        journey_map_label_add(&l, "when ");
    journey_map_label_text(&l, j->entry_when_text ? j->entry_when_text : event, 0);
    if (!node_add(b, JOURNEY_MAP_ENTRY, "cds", "#ffffff", l.text))
        return SY_ERR_NOMEM;
    if (j->goals_count + j->exits_count > 0 &&
        !node_add(b, JOURNEY_MAP_ANY, "plaintext", "#ffffff", "any node"))
        return SY_ERR_NOMEM;
    for (size_t i = 0; i < j->goals_count + j->exits_count; i++) {
        bool goal = i < j->goals_count;
        const journey_rule_t *rule = goal ? &j->goals[i] : &j->exits[i - j->goals_count];
        char name[SY_ID_BYTES_MAX + 8];
        snprintf(name, sizeof name, "%s:%s", goal ? "goal" : "exit", rule->name);
        l = (journey_map_label_t){.len = 0};
        journey_map_label_text(&l, name, 0);
        node_counts(&l, b->counts, name, true);
        Agnode_t *n = node_add(b, name, "box", goal ? "#b2f2bb" : "#ffc9c9", l.text);
        if (!n)
            return SY_ERR_NOMEM;
        journey_map_set(n, "class", goal ? "goal" : "rule-exit");
    }
    return SY_OK;
}

static void graph_style(journey_map_build_t *b) {
    char title[SY_ID_BYTES_MAX + 32];
    snprintf(title, sizeof title, "%s v%" PRId32, b->journey->id, b->journey->version);
    agattr(b->g, AGRAPH, "label", "");
    journey_map_set(b->g, "label", title);
    journey_map_set(b->g, "labelloc", "t");
    journey_map_set(b->g, "fontname", "Helvetica");
    journey_map_set(b->g, "fontsize", "16");
    journey_map_set(b->g, "rankdir", "TB");
    journey_map_set(b->g, "nodesep", "0.35");
    journey_map_set(b->g, "ranksep", "0.45");
    agattr(b->g, AGNODE, "fontname", "Helvetica");
    agattr(b->g, AGNODE, "fontsize", "11");
    agattr(b->g, AGNODE, "style", "filled");
    agattr(b->g, AGNODE, "margin", "0.15,0.06"); /* room for a browser's wider fonts */
    agattr(b->g, AGEDGE, "fontname", "Helvetica");
    agattr(b->g, AGEDGE, "fontsize", "10");
    agattr(b->g, AGEDGE, "color", "#495057");
}

sy_err_t journey_map_graph_build(Agraph_t *g, const journey_t *journey,
                                 const journey_map_counts_t *counts, char *errbuf,
                                 size_t errbuf_size) {
    journey_map_build_t b = {.g = g, .journey = journey, .counts = counts};
    if (counts && counts->edges_count &&
        !(b.used = calloc(counts->edges_count, sizeof *b.used))) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return SY_ERR_NOMEM;
    }
    graph_style(&b);
    sy_err_t err = nodes_add(&b);
    if (err == SY_OK)
        err = markers_add(&b);
    if (err == SY_OK)
        err = journey_map_edges_draw(&b);
    if (err != SY_OK)
        snprintf(errbuf, errbuf_size, "journey %s: out of memory drawing its map",
                 journey->id);
    free(b.used);
    return err;
}
