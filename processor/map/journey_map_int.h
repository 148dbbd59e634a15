/* journey_map_int.h — between the map's parts: labels (journey_map_label.c), nodes
 * (journey_map_graph.c), edges (journey_map_edges.c) and the renderer
 * (journey_map_render.c). Not part of the public API (journey_map.h). */
#ifndef SY_JOURNEY_MAP_INT_H
#define SY_JOURNEY_MAP_INT_H

#include <cgraph.h>

#include "journey_map.h"

/* Bytes of one node's or edge's label: an id (SY_ID_BYTES_MAX), a detail cut to
 * JOURNEY_MAP_DETAIL_CHARS and a few count lines. */
#define JOURNEY_MAP_LABEL_BYTES 1024
/* Characters of a detail (a condition's expression, a template id) shown before "...":
 * a map stays readable; the journey file has the whole text. */
#define JOURNEY_MAP_DETAIL_CHARS 40

/* Pseudo nodes; journey node ids never hold '(' (journey.h), so these cannot clash. */
#define JOURNEY_MAP_ENTRY "(entry)"
#define JOURNEY_MAP_ANY "(any node)"

/* A label in Graphviz's escString syntax: lines end with "\n"; text is escaped. */
typedef struct journey_map_label {
    char text[JOURNEY_MAP_LABEL_BYTES];
    size_t len;
} journey_map_label_t;

/* Append formatted text as is (the caller's format holds no user text). */
void journey_map_label_add(journey_map_label_t *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append text escaped (backslashes doubled, control characters as spaces), cut after
 * max_chars bytes with "..." (0: no cut). */
void journey_map_label_text(journey_map_label_t *l, const char *text, size_t max_chars);

/* End the current line. */
void journey_map_label_line(journey_map_label_t *l);

/* Set an attribute of a graph, node or edge. Graphviz copies name and value. */
void journey_map_set(void *object, const char *name, const char *value);

/* What the graph builder carries from node to node. */
typedef struct journey_map_build {
    Agraph_t *g;
    const journey_t *journey;
    const journey_map_counts_t *counts; /* borrowed, or NULL */
    bool *used;        /* per counts edge: a drawn edge took its number (owned) */
    size_t edges;      /* edges drawn: the next one's key */
} journey_map_build_t;

/* The node named name (a journey node id, a pseudo node or a rule's terminal), or NULL
 * when the graph has none. */
Agnode_t *journey_map_node(journey_map_build_t *b, const char *name);

/* Draw every edge of the journey, of its rules, and the counted moves it does not draw.
 * Errors: SY_ERR_NOMEM. */
sy_err_t journey_map_edges_draw(journey_map_build_t *b);

/* Add journey's nodes and edges, with counts (borrowed, or NULL), to g, an empty directed
 * graph. Errors: SY_ERR_NOMEM (errbuf says so). */
sy_err_t journey_map_graph_build(Agraph_t *g, const journey_t *journey,
                                 const journey_map_counts_t *counts, char *errbuf,
                                 size_t errbuf_size);

#endif
