/* journey_int.h — private to the journey loader: the state of one build (document tree
 * to journey_t) shared by journey_build.c, journey_branch.c, journey_event.c and
 * journey_validate.c. Nothing here is for the engine; journey.h is the public face. */
#ifndef SY_JOURNEY_INT_H
#define SY_JOURNEY_INT_H

#include "journey.h"
#include "journey_doc.h"

#ifdef __GNUC__
#define JOURNEY_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define JOURNEY_PRINTF(f, a)
#endif

/* A `next` or `to` reference: a graph edge, with where it is written for messages. */
typedef struct journey_edge {
    uint16_t from;
    uint16_t to;
    int line;
    int column;
} journey_edge_t;

typedef struct journey_build {
    journey_t *journey; /* being built (owned until handed to the caller) */
    const char *source; /* borrowed */
    char *errbuf;       /* borrowed */
    size_t errbuf_size;
    const journey_doc_node_t **node_maps; /* per node, its map in the tree (borrowed) */
    size_t edges_count;
    size_t edges_cap;
    journey_edge_t *edges; /* owned, in file order: grouped by `from` */
} journey_build_t;

/* Writes "SOURCE:LINE:COLUMN: message" into the errbuf and returns err. */
sy_err_t journey_fail(journey_build_t *b, sy_err_t err, int line, int column,
                      const char *fmt, ...) JOURNEY_PRINTF(5, 6);

/* True for a journey or node id: 1 to SY_ID_BYTES_MAX bytes of a-z, 0-9, '_', '.', '-'
 * (they go into state keys and action ids, so they stay plain). */
bool journey_id_valid(const char *id);

/* Every key of map is one of allowed (NULL-terminated); where names the map in the
 * message ("journey", "send"). Also fails when map is not a map. */
sy_err_t journey_keys_check(journey_build_t *b, const journey_doc_node_t *map,
                            const char *const *allowed, const char *where);

/* The value of a required key; "missing 'key' in where" when absent. */
sy_err_t journey_need(journey_build_t *b, const journey_doc_node_t *map, const char *key,
                      const char *where, const journey_doc_node_t **out);

/* A copy of a non-empty scalar (owned by the caller); key names it in the message. */
sy_err_t journey_string(journey_build_t *b, const journey_doc_node_t *value,
                        const char *key, char **out);

/* The node a reference names; key ("next", "to", "message") names it in the message. */
sy_err_t journey_ref(journey_build_t *b, const journey_doc_node_t *value, const char *key,
                     uint16_t *out);

/* The required reference map[key] from node `from`, recorded as a graph edge. */
sy_err_t journey_target(journey_build_t *b, uint16_t from, const journey_doc_node_t *map,
                        const char *key, const char *where, uint16_t *out);

/* A duration value (journey_duration_parse) into *ms. */
sy_err_t journey_duration(journey_build_t *b, const journey_doc_node_t *value, int64_t *ms);

/* An event type ("email.opened", "custom.store_visit") into *out; out->name is owned
 * by *out on success only. */
sy_err_t journey_event(journey_build_t *b, const journey_doc_node_t *value,
                       journey_event_match_t *out);

/* Builds nodes[index] of kind branch from its `branch` value. */
sy_err_t journey_branch_build(journey_build_t *b, uint16_t index,
                              const journey_doc_node_t *branch);

/* Builds every node from the `nodes` list, then checks the graph. */
sy_err_t journey_nodes_build(journey_build_t *b, const journey_doc_node_t *nodes);

/* Every node reachable from nodes[0], and no cycle. */
sy_err_t journey_validate_graph(journey_build_t *b);

#endif
