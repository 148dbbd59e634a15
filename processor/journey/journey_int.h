/* journey_int.h — private to the journey loader: the state of one build (document tree
 * to journey_t) shared by the journey_*.c files, and the helpers they share (positions,
 * keys, references, expressions). Nothing here is for the engine; journey.h is the
 * public face. */
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
    int64_t loop_period_min_ms; /* journey_load_opts_t's, for journey_validate_loops */
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

/* journey_best.c: `channel: best` of a send map: among (2 to 6 distinct channels) and a
 * template for each (`templates:`, no `template:`). */
sy_err_t journey_send_best(journey_build_t *b, journey_send_t *send,
                           const journey_doc_node_t *map);

/* journey_best.c: the channels a best-channel send node map picks among, as a mask of
 * bit c per channel c; 0 when it is not one (or not yet valid). */
uint32_t journey_best_channels(const journey_doc_node_t *send_map);

/* journey_best.c: `fatigue:` of a journey (value NULL: absent): off, or a map of channel
 * to off or {ignored: N, engaged_elsewhere: D}. */
sy_err_t journey_fatigue_build(journey_build_t *b, const journey_doc_node_t *value);

/* An event type ("email.opened", "custom.store_visit") into *out; out->name is owned
 * by *out on success only. */
sy_err_t journey_event(journey_build_t *b, const journey_doc_node_t *value,
                       journey_event_match_t *out);

/* Where seen(channel.type) adds to: a branch's (or wait's) watch list. Events on
 * message_channel (-1: none) count only when they report the node's message. */
typedef struct journey_watch_ctx {
    journey_build_t *b;
    journey_watch_t *watch;
    int message_channel;
    uint32_t message_channels; /* a best-channel message: bit c for each channel it may use */
    bool failed_nomem;
} journey_watch_ctx_t;

/* The bit of (match, filter) in ctx's watch list, adding it (with its own copies of the
 * name and filter text) when new; -1 when the list is full or memory runs out
 * (failed_nomem). filter (NULL for none) is ctx's from the call on: kept, or freed when
 * the pair already has a bit or on -1. filter_text[0..filter_len) identifies it. */
int journey_watch_add(journey_watch_ctx_t *ctx, const journey_event_match_t *match,
                      expr_t *filter, const char *filter_text, size_t filter_len);

/* The scope of expressions and templates in this journey: the `profile:` attributes,
 * event.* defined, seen() only when watch is not NULL (borrowed for the scope's life). */
expr_scope_t journey_scope(const journey_build_t *b, journey_watch_ctx_t *watch);

/* Compiles the BOOL expression written at value into *out (owned by the caller on
 * success only); a compile error points into the text: "FILE:LINE:COLUMN: problem". */
sy_err_t journey_expr(journey_build_t *b, const journey_doc_node_t *value,
                      const expr_scope_t *scope, expr_t **out);

/* As journey_expr, for a template ("Hi {{contact.first_name}}"). */
sy_err_t journey_template(journey_build_t *b, const journey_doc_node_t *value,
                          const expr_scope_t *scope, expr_template_t **out);

/* A params map (send, task) into *params (name and text as written, owned) and
 * *templates (compiled; their name and text point into *params). A send's (send) may
 * read action.* variables. On error everything already read stays in *params /
 * *templates with *count set, for journey_free. */
sy_err_t journey_params_build(journey_build_t *b, const journey_doc_node_t *map, bool send,
                              size_t *count, sy_kv_t **params, journey_param_t **templates);

/* The `profile:`, `entry`, `goals`, `exits` and `migrate` sections of the root map. */
/* journey_tracking.c: a send's `tracking:` map (pool, lease, device_attribute). */
sy_err_t journey_tracking_build(journey_build_t *b, journey_send_t *send,
                                const journey_doc_node_t *map);
sy_err_t journey_profile_build(journey_build_t *b, const journey_doc_node_t *root);
sy_err_t journey_rules_build(journey_build_t *b, const journey_doc_node_t *root);

/* journey_tracking.c: `conversions:` (NULL: none), a list of up to
 * JOURNEY_CONVERSIONS_MAX conversion rules with unique names. */
sy_err_t journey_conversions_build(journey_build_t *b, const journey_doc_node_t *seq);
sy_err_t journey_migrate_build(journey_build_t *b, const journey_doc_node_t *root);

/* Builds nodes[index] of kind wait, condition or split from its body. */
sy_err_t journey_wait_build(journey_build_t *b, uint16_t index,
                            const journey_doc_node_t *wait);
sy_err_t journey_condition_build(journey_build_t *b, uint16_t index,
                                 const journey_doc_node_t *condition);
sy_err_t journey_split_build(journey_build_t *b, uint16_t index,
                             const journey_doc_node_t *split);

/* Builds nodes[index] of kind branch from its `branch` value. */
sy_err_t journey_branch_build(journey_build_t *b, uint16_t index,
                              const journey_doc_node_t *branch);

/* Builds every node from the `nodes` list, then checks the graph. */
sy_err_t journey_nodes_build(journey_build_t *b, const journey_doc_node_t *nodes);

/* Every node reachable from nodes[0], and no cycle that does not pass through a wait
 * or branch node (those take time; any other cycle would spin without end). */
sy_err_t journey_validate_graph(journey_build_t *b);
/* journey_parts.c: the prepared parts of a journey built whole (its part, each node's);
 * SY_ERR_NOMEM, with those made so far kept for journey_free. */
sy_err_t journey_parts_make(journey_t *journey);

/* Every cycle through a send node takes at least min_ms, counting at each node the least
 * time a contact can spend there (journey_loops.c says how); otherwise SY_ERR_JOURNEY at
 * the send, naming the loop, its shortest period and the minimum. Needs node_maps. */
sy_err_t journey_validate_loops(journey_build_t *b, int64_t min_ms);

#endif
