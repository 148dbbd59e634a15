/* journey_loops.c — the minimum period of a loop that sends: for every send node, the
 * shortest time round any cycle through it, counting at each node the least time a
 * contact can spend there, must be at least the journey's loop period minimum. This file
 * does not look for loops without a wait (journey_validate.c) nor check single nodes. */
#include "journey_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

/* One way out of a node and the least time a contact spends in the node taking it. */
typedef struct loop_step {
    uint16_t to;
    int64_t least_ms;
} loop_step_t;

/* A heap entry of the shortest-path search: a node reached after dist_ms. */
typedef struct loop_reach {
    int64_t dist_ms;
    uint16_t node;
} loop_reach_t;

typedef struct loops {
    journey_build_t *b;
    size_t *first_step; /* per node, its first step; nodes_count + 1 entries */
    loop_step_t *steps;
    size_t steps_count;
    int64_t *dist_ms;   /* per node, the shortest time from the send; -1: not reached */
    uint16_t *prev;     /* per node, the node before it on that shortest way */
    loop_reach_t *heap; /* steps_count + 1 entries: each step pushes at most once */
    size_t heap_count;
} loops_t;

static void loops_step_add(loops_t *l, uint16_t to, int64_t least_ms) {
    if (l->steps)
        l->steps[l->steps_count] = (loop_step_t){.to = to, .least_ms = least_ms};
    l->steps_count++;
}

/* The ways out of node n (a send's on_capped node too). A wait for a duration takes it;
 * a time-of-day wait counts 0 (entered just before the time, it ends at once); an event
 * can come at any moment, so a wait's event exit and a branch path without `after` count
 * 0; condition, split, update, task and send nodes move on at once. With l->steps NULL,
 * only counts. */
static void loops_node_steps(loops_t *l, const journey_node_t *node) {
    switch (node->kind) {
    case JOURNEY_NODE_SEND:
        loops_step_add(l, node->u.send.next, 0);
        if (node->u.send.on_capped == JOURNEY_ON_CAPPED_NODE)
            loops_step_add(l, node->u.send.capped_to, 0);
        break;
    case JOURNEY_NODE_UPDATE:
        loops_step_add(l, node->u.update.next, 0);
        break;
    case JOURNEY_NODE_TASK:
        loops_step_add(l, node->u.task.next, 0);
        break;
    case JOURNEY_NODE_EXIT:
        break;
    case JOURNEY_NODE_CONDITION:
        loops_step_add(l, node->u.condition.then_to, 0);
        loops_step_add(l, node->u.condition.else_to, 0);
        break;
    case JOURNEY_NODE_SPLIT:
        for (size_t i = 0; i < node->u.split.arms_count; i++)
            loops_step_add(l, node->u.split.arms[i].to, 0);
        break;
    case JOURNEY_NODE_WAIT: {
        const journey_wait_t *w = &node->u.wait;
        loops_step_add(l, w->next, w->kind == JOURNEY_WAIT_DURATION ? w->duration_ms : 0);
        if (w->kind == JOURNEY_WAIT_EVENT)
            loops_step_add(l, w->timeout_to, w->timeout_ms);
        break;
    }
    case JOURNEY_NODE_BRANCH: {
        const journey_branch_t *br = &node->u.branch;
        for (size_t i = 0; i < br->paths_count; i++)
            loops_step_add(l, br->paths[i].to, br->paths[i].after_ms);
        loops_step_add(l, br->otherwise_to, br->otherwise_after_ms);
        break;
    }
    }
}

static void loops_heap_push(loops_t *l, uint16_t node, int64_t dist_ms) {
    size_t i = l->heap_count++;
    while (i > 0 && l->heap[(i - 1) / 2].dist_ms > dist_ms) {
        l->heap[i] = l->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    l->heap[i] = (loop_reach_t){.dist_ms = dist_ms, .node = node};
}

static loop_reach_t loops_heap_pop(loops_t *l) {
    loop_reach_t top = l->heap[0], last = l->heap[--l->heap_count];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= l->heap_count)
            break;
        if (c + 1 < l->heap_count && l->heap[c + 1].dist_ms < l->heap[c].dist_ms)
            c++;
        if (l->heap[c].dist_ms >= last.dist_ms)
            break;
        l->heap[i] = l->heap[c];
        i = c;
    }
    l->heap[i] = last;
    return top;
}

/* Dijkstra from send node s, only over ways shorter than min_ms. Returns the shortest
 * time round a loop back to s, or -1 when every loop through s takes at least min_ms;
 * *last is then the node before s on that loop, and prev[] leads from it back to s. */
static int64_t loops_shortest_back(loops_t *l, uint16_t s, int64_t min_ms, uint16_t *last) {
    size_t count = l->b->journey->nodes_count;
    int64_t back_ms = -1;
    for (size_t n = 0; n < count; n++)
        l->dist_ms[n] = -1;
    l->dist_ms[s] = 0;
    l->heap_count = 0;
    loops_heap_push(l, s, 0);
    while (l->heap_count > 0) {
        loop_reach_t r = loops_heap_pop(l);
        if (back_ms >= 0 && r.dist_ms >= back_ms)
            break; /* nothing left can close a shorter loop */
        if (r.dist_ms > l->dist_ms[r.node])
            continue; /* a stale entry */
        for (size_t e = l->first_step[r.node]; e < l->first_step[r.node + 1]; e++) {
            const loop_step_t *step = &l->steps[e];
            if (step->least_ms >= min_ms - r.dist_ms)
                continue; /* as long as the minimum or longer: allowed */
            int64_t d = r.dist_ms + step->least_ms;
            if (step->to == s) {
                if (back_ms < 0 || d < back_ms) {
                    back_ms = d;
                    *last = r.node;
                }
            } else if (l->dist_ms[step->to] < 0 || d < l->dist_ms[step->to]) {
                l->dist_ms[step->to] = d;
                l->prev[step->to] = r.node;
                loops_heap_push(l, step->to, d);
            }
        }
    }
    return back_ms;
}

/* A duration as journeys write it, in the largest unit that divides it ("90m", "1ms"). */
static void loops_duration_format(int64_t ms, char *buf, size_t size) {
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (ms > 0 && ms % units[i].ms == 0) {
            snprintf(buf, size, "%" PRId64 "%s", ms / units[i].ms, units[i].unit);
            return;
        }
    }
    snprintf(buf, size, "%" PRId64 "ms", ms);
}

/* "FILE:LINE:COLUMN: loop ... sends every ..." at send node s, naming the loop's nodes
 * from s round to s (the path is traced backwards from last into order, then printed). */
static sy_err_t loops_fail(loops_t *l, uint16_t s, uint16_t last, int64_t back_ms,
                           int64_t min_ms) {
    const journey_t *j = l->b->journey;
    uint16_t *order = l->prev + j->nodes_count; /* scratch: nodes_count entries */
    size_t len = 0;
    for (uint16_t n = last; n != s; n = l->prev[n])
        order[len++] = n;
    char cycle[512], took[32], least[32];
    int used = snprintf(cycle, sizeof cycle, "%s", j->nodes[s].id);
    for (size_t i = len; i-- > 0 && used >= 0 && (size_t)used < sizeof cycle;)
        used += snprintf(cycle + used, sizeof cycle - (size_t)used, " -> %s",
                         j->nodes[order[i]].id);
    if (used >= 0 && (size_t)used < sizeof cycle)
        snprintf(cycle + used, sizeof cycle - (size_t)used, " -> %s", j->nodes[s].id);
    loops_duration_format(back_ms, took, sizeof took);
    loops_duration_format(min_ms, least, sizeof least);
    const journey_doc_node_t *map = l->b->node_maps[s];
    return journey_fail(l->b, SY_ERR_JOURNEY, map->line, map->column,
                        "loop %s can send every %s, less than the minimum period %s "
                        "(journeys.loop.period.min.ms); make a wait on it longer",
                        cycle, took, least);
}

static sy_err_t loops_index(loops_t *l) {
    const journey_t *j = l->b->journey;
    for (size_t n = 0; n < j->nodes_count; n++)
        loops_node_steps(l, &j->nodes[n]); /* count only */
    size_t count = j->nodes_count;
    l->first_step = calloc(count + 1, sizeof *l->first_step);
    l->steps = calloc(l->steps_count + 1, sizeof *l->steps);
    l->heap = calloc(l->steps_count + 1, sizeof *l->heap);
    l->dist_ms = calloc(count, sizeof *l->dist_ms);
    l->prev = calloc(2 * count, sizeof *l->prev);
    if (!l->first_step || !l->steps || !l->heap || !l->dist_ms || !l->prev)
        return journey_fail(l->b, SY_ERR_NOMEM, 1, 1, "out of memory");
    l->steps_count = 0;
    for (size_t n = 0; n < count; n++) {
        l->first_step[n] = l->steps_count;
        loops_node_steps(l, &j->nodes[n]);
    }
    l->first_step[count] = l->steps_count;
    return SY_OK;
}

sy_err_t journey_validate_loops(journey_build_t *b, int64_t min_ms) {
    loops_t l = {.b = b};
    sy_err_t err = loops_index(&l);
    for (size_t s = 0; !err && s < b->journey->nodes_count; s++) {
        if (b->journey->nodes[s].kind != JOURNEY_NODE_SEND)
            continue;
        uint16_t last = 0;
        int64_t back_ms = loops_shortest_back(&l, (uint16_t)s, min_ms, &last);
        if (back_ms >= 0)
            err = loops_fail(&l, (uint16_t)s, last, back_ms, min_ms);
    }
    free(l.first_step);
    free(l.steps);
    free(l.heap);
    free(l.dist_ms);
    free(l.prev);
    return err;
}
