/* journey_map.h — the journey map: a journey's graph laid out by Graphviz as SVG, nodes by
 * kind with their ids, edges labelled with path names, and optionally the counts of a run
 * (contacts at each node, moves along each edge, conversions and revenue); the counts'
 * JSON file format (docs/observability.md); an HTML page holding maps side by side.
 * It does not gather counts (the service, replay --what-if and the caller do) and does not
 * serve HTTP. */
#ifndef SY_JOURNEY_MAP_H
#define SY_JOURNEY_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "journey.h"
#include "sy_error.h"

/* Bytes of a counts file: one journey of JOURNEY_NODES_MAX nodes with all its edges is
 * well under 1 MiB; 64 MiB holds JOURNEY_SET_MAX of them. A bigger file is a mistake. */
#define JOURNEY_MAP_COUNTS_FILE_BYTES_MAX (64 * 1024 * 1024)

/* Currencies one node shows call revenue in: an account sells in a handful; more are a
 * mistake and are refused by the counts file (and left out of a live map). */
#define JOURNEY_MAP_CURRENCIES_MAX 8

/* The revenue of the tracked calls' conversions in one currency. */
typedef struct journey_map_call_revenue {
    char currency[4]; /* ISO 4217 */
    double amount;
} journey_map_call_revenue_t;

/* The numbers of one node. Absent from the counts: all zero. */
typedef struct journey_map_node_counts {
    char *node;           /* node id (owned) */
    uint64_t at;          /* contacts now at the node (a gauge) */
    uint64_t entered;     /* moves into the node (decisions; a contact coming back counts
                           * again) */
    uint64_t conversions; /* conversions credited to the node (the source of the counts
                           * says how: a send's tracked calls, for one) */
    double revenue;       /* their revenue, in the account's currency */
    size_t call_revenue_count; /* currencies in call_revenue */
    journey_map_call_revenue_t call_revenue[JOURNEY_MAP_CURRENCIES_MAX]; /* a send node's:
                           * the conversions of the calls to the numbers it leased, sorted
                           * by currency */
} journey_map_node_counts_t;

/* The moves along one edge: from a node (NULL: the journey's entry) by a path (NULL: the
 * move without a name, a send's or an update's `next`) to a node (NULL: wherever that
 * path leads; "goal:NAME" and "exit:NAME" for the journey's rules). */
typedef struct journey_map_edge_counts {
    char *from; /* owned, or NULL */
    char *path; /* owned, or NULL */
    char *to;   /* owned, or NULL */
    uint64_t took;
} journey_map_edge_counts_t;

/* Which numbers the counts carry: the map shows those (0 where a node or an edge has no
 * entry) and no others. */
typedef enum journey_map_show {
    JOURNEY_MAP_SHOW_AT = 1 << 0,          /* "at N" on nodes */
    JOURNEY_MAP_SHOW_ENTERED = 1 << 1,     /* "in N" on nodes */
    JOURNEY_MAP_SHOW_CONVERSIONS = 1 << 2, /* "conversions N" on nodes */
    JOURNEY_MAP_SHOW_REVENUE = 1 << 3,     /* "revenue N.NN" on nodes */
    JOURNEY_MAP_SHOW_TOOK = 1 << 4,        /* "took N" on edges with a path name */
    JOURNEY_MAP_SHOW_TOOK_UNNAMED = 1 << 5, /* "took N" on edges without one too */
    JOURNEY_MAP_SHOW_CALL_REVENUE = 1 << 6, /* "calls N.NN CUR" on nodes that have some */
} journey_map_show_t;

/* The counts of one journey version. Zero-initialised: empty, shows nothing. */
typedef struct journey_map_counts {
    char *journey;   /* journey id (owned), or NULL */
    int32_t version; /* 0: any version */
    unsigned show;   /* journey_map_show_t bits */
    size_t nodes_count;
    journey_map_node_counts_t *nodes; /* owned */
    size_t edges_count;
    journey_map_edge_counts_t *edges; /* owned; in the order added */
} journey_map_counts_t;

/* The node's entry, made (all zero) when missing; NULL when out of memory. node is copied.
 * The pointer is valid until the next call on counts. */
journey_map_node_counts_t *journey_map_counts_node(journey_map_counts_t *counts,
                                                   const char *node);

/* The node's entry, or NULL when counts has none. */
const journey_map_node_counts_t *journey_map_counts_node_find(
    const journey_map_counts_t *counts, const char *node);

/* Add amount to node n's call revenue in currency (3 letters), sorted in; false when n
 * already has JOURNEY_MAP_CURRENCIES_MAX other currencies. */
bool journey_map_counts_call_revenue_add(journey_map_node_counts_t *n, const char *currency,
                                         double amount);

/* Add took to the edge (from, path, to) (each may be NULL; copied), made when missing.
 * Errors: SY_ERR_NOMEM. */
sy_err_t journey_map_counts_edge_add(journey_map_counts_t *counts, const char *from,
                                     const char *path, const char *to, uint64_t took);

/* Free what counts holds and zero it; NULL is a no-op. */
void journey_map_counts_deinit(journey_map_counts_t *counts);

/* A counts file: the counts of several journey versions. */
typedef struct journey_map_counts_set {
    size_t count;
    journey_map_counts_t *journeys; /* owned */
} journey_map_counts_set_t;

/* Read a counts file (JSON, docs/observability.md "Journey map"):
 *   {"journeys":[{"id":"J","version":1,
 *     "nodes":{"NODE":{"at":3,"entered":9,"conversions":0,"revenue":0.0,
 *                      "call_revenue":{"USD":100.0}}},
 *     "edges":[{"from":"NODE","path":"P","to":"NODE","took":17}]}]}
 * Every count is a whole number >= 0 (revenue any number >= 0); every key but "id" may be
 * absent; "from", "path" and "to" may be null. Nodes always show "at"; "entered",
 * "conversions" and "revenue" show when any node of the journey has them, "call_revenue"
 * (at most JOURNEY_MAP_CURRENCIES_MAX currencies) on the nodes that have it; every edge shows
 * "took". *out is set only on success (free with journey_map_counts_set_free). Errors:
 * SY_ERR_IO, SY_ERR_LIMIT (larger than JOURNEY_MAP_COUNTS_FILE_BYTES_MAX), SY_ERR_INVALID_ARG
 * (not that format: errbuf reads "PATH: where: what"), SY_ERR_NOMEM. */
sy_err_t journey_map_counts_set_load(journey_map_counts_set_t **out, const char *path,
                                     char *errbuf, size_t errbuf_size);

/* As journey_map_counts_set_load, from text (borrowed); source names it in messages. */
sy_err_t journey_map_counts_set_parse(journey_map_counts_set_t **out, const char *text,
                                      size_t len, const char *source, char *errbuf,
                                      size_t errbuf_size);

/* The counts of journey id at version (those with version 0 match any), or NULL. */
const journey_map_counts_t *journey_map_counts_set_find(const journey_map_counts_set_t *set,
                                                        const char *id, int32_t version);

/* Free a counts set; NULL is a no-op. */
void journey_map_counts_set_free(journey_map_counts_set_t *set);

/* Lay journey out and render it as SVG into *svg (malloc'd, NUL-terminated, the caller's
 * to free) of *svg_len bytes. Nodes by kind (shape and colour) with their id and a short
 * detail; an "entry" node with the entry event; edges labelled with path names (branch
 * paths and otherwise, condition then/else, split arms with their share, wait event and
 * timeout); each goal and exit rule as an edge from an "any node" marker to a terminal
 * "goal:NAME" or "exit:NAME" node; a send's on_capped node, matching moves whose path
 * starts with "capped:". counts (borrowed; NULL: no numbers) adds the numbers its show
 * bits name; counted moves by a path the journey does not draw (a send the safety gate
 * stopped or held) become one dashed edge per from, reason (the path before any '@') and
 * to, and counts naming nodes the journey lacks are left out. The same journey and counts
 * give the same bytes.
 * *svg and *svg_len are set only on success. Errors: SY_ERR_NOMEM, SY_ERR_INVALID_ARG
 * (Graphviz refused the graph: its message in errbuf). Graphviz keeps global state: one
 * thread at a time (a caller serving maps from several threads holds a lock around it). */
sy_err_t journey_map_render_svg(const journey_t *journey, const journey_map_counts_t *counts,
                                char **svg, size_t *svg_len, char *errbuf,
                                size_t errbuf_size);

/* A copy of what journey_map_render_svg reads of journey (ids, kinds, each node's detail,
 * where each path leads, the entry and rule events) into *out: owned, sharing nothing with
 * journey (borrowed, read only), so it may be drawn on another thread after journey is
 * freed. It does not run (no expressions, parameters or templates) and draws the same map
 * as journey. Free it with journey_free. *out is set only on success. Errors:
 * SY_ERR_NOMEM. Any thread. */
sy_err_t journey_map_outline_copy(const journey_t *journey, journey_t **out);

/* One map of an HTML page: its caption (NULL: none) and its SVG (both borrowed). */
typedef struct journey_map_figure {
    const char *caption;
    const char *svg;
} journey_map_figure_t;

/* Write an HTML page titled title (borrowed; escaped) holding the figures side by side,
 * each SVG inline (its XML prolog dropped). Returns false when a write to out failed. */
bool journey_map_html_write(FILE *out, const char *title, const journey_map_figure_t *figures,
                            size_t figures_count);

/* Save text (len bytes: an SVG) to path, replacing it. Errors: SY_ERR_IO ("PATH: reason"). */
sy_err_t journey_map_save_text(const char *path, const char *text, size_t len, char *errbuf,
                               size_t errbuf_size);

/* Save journey_map_html_write's page to path, replacing it. Errors: SY_ERR_IO. */
sy_err_t journey_map_save_html(const char *path, const char *title,
                               const journey_map_figure_t *figures, size_t figures_count,
                               char *errbuf, size_t errbuf_size);

#endif
