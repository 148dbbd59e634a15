/* journey.h — journeys as the engine runs them: the model, and loading it from YAML (or
 * JSON) files with validation that names file:line:column. A journey that fails
 * validation is never returned, not even in part. This file does not run journeys: see
 * engine.h. */
#ifndef SY_JOURNEY_H
#define SY_JOURNEY_H

#include <stdint.h>

#include "records.h"
#include "sy_error.h"

/* Nodes per journey: indexes are uint16_t in state; marketers' journeys have dozens. */
#define JOURNEY_NODES_MAX 1024
/* Paths per branch and events per when/unless list: a branch reads one message's
 * outcomes, of which there are at most SY_EVENT_TYPE__COUNT kinds. */
#define JOURNEY_PATHS_MAX 32
#define JOURNEY_MATCHES_MAX 16
/* Journeys loaded at once; the engine visits each for every event of a contact. */
#define JOURNEY_SET_MAX 256

typedef enum journey_node_kind {
    JOURNEY_NODE_SEND,
    JOURNEY_NODE_BRANCH,
    JOURNEY_NODE_UPDATE,
    JOURNEY_NODE_EXIT,
} journey_node_kind_t;

/* An event type as journeys write it: "email.opened", "custom.store_visit". */
typedef struct journey_event_match {
    sy_channel_t channel;
    sy_event_type_t type;
    char *name; /* custom event name (owned), NULL unless type is SY_EVENT_CUSTOM */
} journey_event_match_t;

/* One path of a branch. It holds at time t when every `when` event was seen on the
 * branch's message, no `unless` event was, t <= entered + within_ms (when within_ms > 0)
 * and t >= entered + after_ms (when after_ms > 0). */
typedef struct journey_path {
    char *name;
    size_t when_count;
    journey_event_match_t when[JOURNEY_MATCHES_MAX];
    size_t unless_count;
    journey_event_match_t unless[JOURNEY_MATCHES_MAX];
    int64_t within_ms;
    int64_t after_ms;
    uint16_t to; /* node index */
    int line;    /* where the path starts in its file, for messages */
} journey_path_t;

typedef struct journey_send {
    sy_channel_t channel;
    char *template_id;
    size_t params_count; /* literal parameters, in file order; keys and values owned */
    sy_kv_t *params;
    uint16_t next;
} journey_send_t;

typedef struct journey_branch {
    uint16_t message_node; /* the send node whose message the paths read */
    size_t paths_count;    /* in priority order */
    journey_path_t *paths;
    char *otherwise_name;  /* "otherwise" */
    int64_t otherwise_after_ms; /* the node closes at entered + this; always > 0 */
    uint16_t otherwise_to;
} journey_branch_t;

typedef struct journey_update {
    sy_update_op_t op;
    char *name;  /* attribute, list or channel (owned) */
    char *value; /* for SET_ATTRIBUTE, else NULL (owned) */
    uint16_t next;
} journey_update_t;

typedef struct journey_node {
    char *id;
    journey_node_kind_t kind;
    int line;
    union {
        journey_send_t send;
        journey_branch_t branch;
        journey_update_t update;
    } u;
} journey_node_t;

typedef struct journey {
    char *id;
    int32_t version;
    char *source;                /* the file it came from */
    journey_event_match_t entry; /* the event that enters a contact */
    size_t nodes_count;          /* nodes[0] is where a contact enters */
    journey_node_t *nodes;
} journey_t;

/* Parse and validate one journey from text; source names it in messages. On error
 * errbuf reads "FILE:LINE:COLUMN: problem" and *out is untouched.
 * Errors: SY_ERR_JOURNEY, SY_ERR_LIMIT, SY_ERR_NOMEM. text is borrowed. */
sy_err_t journey_parse(journey_t **out, const char *text, size_t len, const char *source,
                       char *errbuf, size_t errbuf_size);

/* As journey_parse, reading the file at path. Adds SY_ERR_IO. */
sy_err_t journey_load_file(journey_t **out, const char *path, char *errbuf,
                           size_t errbuf_size);

/* Free a journey; journey_free(NULL) is a no-op. */
void journey_free(journey_t *journey);

/* Index of the node named id, or -1. */
int journey_node_index(const journey_t *journey, const char *id);

/* Parse a duration ("500ms", "90s", "30m", "24h", "7d") into *ms. Returns false on a
 * malformed or non-positive duration. */
bool journey_duration_parse(const char *text, int64_t *ms);

/* All journeys of a directory (*.yaml, *.yml, *.json), sorted by file name. All or
 * nothing: if any file fails, the error names it and *out is untouched. Two files with
 * the same journey id and version are an error. */
typedef struct journey_set {
    size_t count;
    journey_t **journeys; /* owned */
} journey_set_t;

sy_err_t journey_set_load_dir(journey_set_t **out, const char *dir, char *errbuf,
                              size_t errbuf_size);
void journey_set_free(journey_set_t *set);

#endif
