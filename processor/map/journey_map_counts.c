/* journey_map_counts.c — the counts a journey map shows: entries per node and per edge,
 * made on first use and kept in the order added (so a map of the same counts is the same
 * bytes). Lookups are linear: a journey has tens of nodes and edges. Not the JSON reader
 * (journey_map_counts_json.c). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "journey_map.h"

static bool str_same(const char *a, const char *b) {
    return a ? b && strcmp(a, b) == 0 : b == NULL;
}

/* A copy of s, or NULL; *ok false when out of memory (s NULL is no failure). */
static char *str_copy(const char *s, bool *ok) {
    char *copy = s ? strdup(s) : NULL;
    if (s && !copy)
        *ok = false;
    return copy;
}

const journey_map_node_counts_t *journey_map_counts_node_find(
    const journey_map_counts_t *counts, const char *node) {
    for (size_t i = 0; i < counts->nodes_count; i++)
        if (strcmp(counts->nodes[i].node, node) == 0)
            return &counts->nodes[i];
    return NULL;
}

journey_map_node_counts_t *journey_map_counts_node(journey_map_counts_t *counts,
                                                   const char *node) {
    const journey_map_node_counts_t *found = journey_map_counts_node_find(counts, node);
    if (found)
        return &counts->nodes[found - counts->nodes];
    journey_map_node_counts_t *nodes =
        realloc(counts->nodes, (counts->nodes_count + 1) * sizeof *nodes);
    if (!nodes)
        return NULL;
    counts->nodes = nodes;
    journey_map_node_counts_t *entry = &nodes[counts->nodes_count];
    *entry = (journey_map_node_counts_t){.node = strdup(node)};
    if (!entry->node)
        return NULL;
    counts->nodes_count++;
    return entry;
}

sy_err_t journey_map_counts_edge_add(journey_map_counts_t *counts, const char *from,
                                     const char *path, const char *to, uint64_t took) {
    for (size_t i = 0; i < counts->edges_count; i++) {
        journey_map_edge_counts_t *e = &counts->edges[i];
        if (str_same(e->from, from) && str_same(e->path, path) && str_same(e->to, to)) {
            e->took += took;
            return SY_OK;
        }
    }
    journey_map_edge_counts_t *edges =
        realloc(counts->edges, (counts->edges_count + 1) * sizeof *edges);
    if (!edges)
        return SY_ERR_NOMEM;
    counts->edges = edges;
    bool ok = true;
    journey_map_edge_counts_t e = {str_copy(from, &ok), str_copy(path, &ok),
                                   str_copy(to, &ok), took};
    if (!ok) {
        free(e.from);
        free(e.path);
        free(e.to);
        return SY_ERR_NOMEM;
    }
    edges[counts->edges_count++] = e;
    return SY_OK;
}

void journey_map_counts_deinit(journey_map_counts_t *counts) {
    if (!counts)
        return;
    for (size_t i = 0; i < counts->nodes_count; i++)
        free(counts->nodes[i].node);
    for (size_t i = 0; i < counts->edges_count; i++) {
        free(counts->edges[i].from);
        free(counts->edges[i].path);
        free(counts->edges[i].to);
    }
    free(counts->nodes);
    free(counts->edges);
    free(counts->journey);
    *counts = (journey_map_counts_t){0};
}

const journey_map_counts_t *journey_map_counts_set_find(const journey_map_counts_set_t *set,
                                                        const char *id, int32_t version) {
    for (size_t i = 0; i < set->count; i++) {
        const journey_map_counts_t *c = &set->journeys[i];
        if (c->journey && strcmp(c->journey, id) == 0 &&
            (c->version == 0 || c->version == version))
            return c;
    }
    return NULL;
}

void journey_map_counts_set_free(journey_map_counts_set_t *set) {
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        journey_map_counts_deinit(&set->journeys[i]);
    free(set->journeys);
    free(set);
}

bool journey_map_counts_call_revenue_add(journey_map_node_counts_t *n, const char *currency,
                                         double amount) {
    size_t at = 0;
    assert(n && currency && strlen(currency) == 3);
    assert(n->call_revenue_count <= JOURNEY_MAP_CURRENCIES_MAX);
    while (at < n->call_revenue_count && strcmp(n->call_revenue[at].currency, currency) < 0)
        at++;
    if (at < n->call_revenue_count && strcmp(n->call_revenue[at].currency, currency) == 0) {
        n->call_revenue[at].amount += amount;
        return true;
    }
    if (n->call_revenue_count == JOURNEY_MAP_CURRENCIES_MAX)
        return false;
    memmove(&n->call_revenue[at + 1], &n->call_revenue[at],
            (n->call_revenue_count - at) * sizeof n->call_revenue[0]);
    n->call_revenue[at] = (journey_map_call_revenue_t){.amount = amount};
    memcpy(n->call_revenue[at].currency, currency, 4);
    n->call_revenue_count++;
    return true;
}
