/* journey_validate.c — checks on the journey as a graph of its edges (next, to, then,
 * else, arms, timeout_to, paths, otherwise): every node is reachable from the first, and
 * every cycle passes through a wait or branch node, which take time; any other cycle would
 * move a contact round it without end. Per-node checks are elsewhere. */
#include "journey_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { VISIT_NEW, VISIT_OPEN, VISIT_DONE };

typedef struct validate {
    journey_build_t *b;
    size_t *first_edge; /* per node, its first edge; nodes_count + 1 entries */
    uint8_t *state;     /* per node, VISIT_* */
    uint16_t *stack;    /* the open path of the depth-first walk */
    size_t depth;
} validate_t;

/* Edges come grouped by their `from` node in ascending order (nodes are built in file
 * order), so the edges of node n are edges[first_edge[n] .. first_edge[n + 1]). */
static void validate_index_edges(validate_t *v) {
    const journey_build_t *b = v->b;
    size_t e = 0;
    for (size_t n = 0; n <= b->journey->nodes_count; n++) {
        while (e < b->edges_count && b->edges[e].from < n)
            e++;
        v->first_edge[n] = e;
    }
}

static sy_err_t validate_reachable(validate_t *v) {
    const journey_t *j = v->b->journey;
    size_t head = 0, tail = 0;
    v->stack[tail++] = 0;
    v->state[0] = VISIT_DONE;
    while (head < tail) {
        uint16_t n = v->stack[head++];
        for (size_t e = v->first_edge[n]; e < v->first_edge[n + 1]; e++) {
            uint16_t to = v->b->edges[e].to;
            if (v->state[to] == VISIT_NEW) {
                v->state[to] = VISIT_DONE;
                v->stack[tail++] = to;
            }
        }
    }
    for (size_t n = 0; n < j->nodes_count; n++) {
        if (v->state[n] != VISIT_NEW)
            continue;
        const journey_doc_node_t *map = v->b->node_maps[n];
        return journey_fail(v->b, SY_ERR_JOURNEY, map->line, map->column,
                            "node '%s' cannot be reached from the first node '%s'",
                            j->nodes[n].id, j->nodes[0].id);
    }
    return SY_OK;
}

/* "a -> b -> a" for the cycle from the open node `to` down the stack and back. */
static sy_err_t validate_loop_fail(validate_t *v, const journey_edge_t *edge) {
    const journey_t *j = v->b->journey;
    char cycle[512];
    size_t used = 0, start = 0;
    while (v->stack[start] != edge->to)
        start++;
    cycle[0] = '\0';
    for (size_t i = start; i < v->depth && used < sizeof cycle; i++) {
        int n = snprintf(cycle + used, sizeof cycle - used, "%s -> ", j->nodes[v->stack[i]].id);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    return journey_fail(v->b, SY_ERR_JOURNEY, edge->line, edge->column,
                        "loop without a wait: %s%s", cycle, j->nodes[edge->to].id);
}

/* Wait and branch nodes hold a contact until an event or a timer: a cycle through one
 * is a journey that repeats over time, not a spin. */
static bool validate_takes_time(const validate_t *v, uint16_t n) {
    journey_node_kind_t kind = v->b->journey->nodes[n].kind;
    return kind == JOURNEY_NODE_WAIT || kind == JOURNEY_NODE_BRANCH;
}

/* Depth-first from node n over the edges of nodes that do not take time; an edge to a
 * node still open closes a cycle. Depth is at most JOURNEY_NODES_MAX. */
static sy_err_t validate_acyclic(validate_t *v, uint16_t n) {
    v->state[n] = VISIT_OPEN;
    v->stack[v->depth++] = n;
    size_t last = validate_takes_time(v, n) ? v->first_edge[n] : v->first_edge[n + 1];
    for (size_t e = v->first_edge[n]; e < last; e++) {
        const journey_edge_t *edge = &v->b->edges[e];
        if (v->state[edge->to] == VISIT_OPEN)
            return validate_loop_fail(v, edge);
        if (v->state[edge->to] == VISIT_NEW) {
            sy_err_t err = validate_acyclic(v, edge->to);
            if (err)
                return err;
        }
    }
    v->depth--;
    v->state[n] = VISIT_DONE;
    return SY_OK;
}

sy_err_t journey_validate_graph(journey_build_t *b) {
    size_t count = b->journey->nodes_count;
    validate_t v = {.b = b};
    sy_err_t err = SY_OK;
    v.first_edge = calloc(count + 1, sizeof *v.first_edge);
    v.state = calloc(count, sizeof *v.state);
    v.stack = calloc(count, sizeof *v.stack);
    if (!v.first_edge || !v.state || !v.stack) {
        err = journey_fail(b, SY_ERR_NOMEM, 1, 1, "out of memory");
        goto fail;
    }
    validate_index_edges(&v);
    err = validate_reachable(&v);
    if (err)
        goto fail;
    memset(v.state, VISIT_NEW, count);
    for (size_t n = 0; !err && n < count; n++) {
        if (v.state[n] == VISIT_NEW)
            err = validate_acyclic(&v, (uint16_t)n);
    }
fail:
    free(v.first_edge);
    free(v.state);
    free(v.stack);
    return err;
}
