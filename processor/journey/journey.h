/* journey.h — journeys as the engine runs them: the model, and loading it from YAML (or
 * JSON) files with validation that names file:line:column. A journey that fails
 * validation is never returned, not even in part. This file does not run journeys: see
 * engine.h. */
#ifndef SY_JOURNEY_H
#define SY_JOURNEY_H

#include <stdint.h>

#include "event_match.h"
#include "expr.h"
#include "records.h"
#include "sy_error.h"
#include "sy_limits.h"

/* Nodes per journey (sy_limits.h says why). */
#define JOURNEY_NODES_MAX SY_JOURNEY_NODES_MAX
/* Paths per branch and events per when/unless list: a branch reads one message's
 * outcomes, of which there are at most SY_EVENT_TYPE__COUNT kinds. */
#define JOURNEY_PATHS_MAX 32
#define JOURNEY_MATCHES_MAX 16
/* Journeys loaded at once; the engine visits each for every event of a contact. */
#define JOURNEY_SET_MAX 256
/* Events a branch or wait watches (seen bits; sy_limits.h). */
#define JOURNEY_WATCH_MAX SY_WATCH_MAX
/* Goal and exit rules per journey; arms per split; declared profile attributes (half
 * of what a profile may hold: a journey reads a part of the contact). */
#define JOURNEY_RULES_MAX 16
#define JOURNEY_SPLIT_ARMS_MAX 16
#define JOURNEY_ATTRS_MAX 512
/* A journey's `priority:` range. */
#define JOURNEY_PRIORITY_MIN (-1000)
#define JOURNEY_PRIORITY_MAX 1000

typedef enum journey_node_kind {
    JOURNEY_NODE_SEND,
    JOURNEY_NODE_BRANCH,
    JOURNEY_NODE_UPDATE,
    JOURNEY_NODE_EXIT,
    JOURNEY_NODE_WAIT,
    JOURNEY_NODE_CONDITION,
    JOURNEY_NODE_SPLIT,
    JOURNEY_NODE_TASK,
} journey_node_kind_t;

/* One path of a branch. It holds at time t when every `when` event was seen since the
 * node was entered (when_mask, bits of the branch's watch list), no `unless` event was
 * (unless_mask), the `if` expression holds (when there is one), t <= entered + within_ms
 * (when within_ms > 0) and t >= entered + after_ms (when after_ms > 0). */
typedef struct journey_path {
    char *name;
    size_t when_count;
    journey_event_match_t when[JOURNEY_MATCHES_MAX];
    size_t unless_count;
    journey_event_match_t unless[JOURNEY_MATCHES_MAX];
    uint32_t when_mask;   /* the when list as watch bits */
    uint32_t unless_mask; /* the unless list as watch bits */
    expr_t *filter;       /* `if:`, or NULL; may use seen(), event.*, contact.* */
    int64_t within_ms;
    int64_t after_ms;
    uint16_t to; /* node index */
    int line;    /* where the path starts in its file, for messages */
} journey_path_t;

/* A send parameter: a literal or a template over contact and event fields. */
typedef struct journey_param {
    char *name;
    char *text;              /* as written */
    expr_template_t *value;  /* compiled text */
} journey_param_t;

/* What a send is, for consent (docs/safety.md): an opt-out of a channel stops marketing on
 * it; only an opt-out of everything, a hard bounce or a suppression list stops
 * transactional messages. */
typedef enum journey_category {
    JOURNEY_CATEGORY_MARKETING = 0, /* the default */
    JOURNEY_CATEGORY_TRANSACTIONAL = 1,
} journey_category_t;

/* What a send over a frequency cap does (`on_capped:`, docs/safety.md). */
typedef enum journey_on_capped {
    JOURNEY_ON_CAPPED_SKIP = 0, /* the default: move on to next without the message */
    JOURNEY_ON_CAPPED_DELAY,    /* wait at the send until the caps allow it */
    JOURNEY_ON_CAPPED_NODE,     /* go to capped_to instead */
} journey_on_capped_t;

/* Channels one best-channel send picks among: the six a journey sends on. */
#define JOURNEY_BEST_CHANNELS_MAX 6

typedef struct journey_send {
    sy_channel_t channel; /* best: among[0] */
    journey_category_t category; /* `category:`, marketing when absent */
    journey_on_capped_t on_capped;
    uint16_t capped_to; /* ON_CAPPED_NODE: the node a capped contact goes to */
    char *template_id;
    size_t params_count; /* literal parameters, in file order; keys and values owned */
    sy_kv_t *params;     /* name and text as written (text may hold {{...}} holes) */
    journey_param_t *param_templates; /* params_count of them, same order */
    uint16_t next;
    bool on_loop; /* a contact can pass it more than once per occurrence (a loop) */
    /* `tracking:` (docs/call_tracking.md): lease a number of pool tracking_pool (owned;
     * NULL: no tracking number) for tracking_lease_ms (0: the pool's lease); the
     * contact's device class is read from attribute tracking_device_attr (owned; NULL:
     * none declared, the call-to-action is the number as text). */
    char *tracking_pool;
    int tracking_line, tracking_column; /* where `pool:` is written, for messages */
    int64_t tracking_lease_ms;
    char *tracking_device_attr;
    /* `channel: best`: picked per contact among `among` (docs/journeys.md#best-channel),
     * each with its template (template_id is among[0]'s). */
    bool best;
    size_t among_count;
    sy_channel_t among[JOURNEY_BEST_CHANNELS_MAX]; /* in tie-break order */
    char *templates[SY_CHANNEL__COUNT];            /* by channel, owned; best only */
} journey_send_t;

/* Fatigue (docs/safety.md#fatigue) of one channel in a journey: the config's rule
 * (CONFIG, also when the journey says nothing), none (OFF), or the journey's own. */
typedef enum journey_fatigue_mode {
    JOURNEY_FATIGUE_CONFIG = 0,
    JOURNEY_FATIGUE_OFF,
    JOURNEY_FATIGUE_RULE,
} journey_fatigue_mode_t;

/* Skip a marketing send on the channel when the contact ignored its last `ignored` sends
 * there and engaged on another channel within `elsewhere_ms` before the send. */
#define JOURNEY_FATIGUE_IGNORED_MAX 1000
typedef struct journey_fatigue {
    journey_fatigue_mode_t mode;
    int ignored;          /* N: 1..JOURNEY_FATIGUE_IGNORED_MAX */
    int64_t elsewhere_ms; /* D: > 0 */
} journey_fatigue_t;

/* The events a branch or a wait listens to. Bit i of an instance's seen_mask says
 * watch[i] was seen since the node was entered. An entry with on_message set counts only
 * when the event reports an outcome of the branch's message (by message id, or journey
 * and node); others count for any event of the contact (custom business events). An
 * entry with a filter (seen(push.clicked, link == "offer")) counts only an event for
 * which the filter holds, evaluated with that event when it arrives; each distinct
 * (event type, filter text) has its own entry. */
typedef struct journey_watch {
    size_t count;
    journey_event_match_t events[JOURNEY_WATCH_MAX];
    bool on_message[JOURNEY_WATCH_MAX];
    expr_t *filters[JOURNEY_WATCH_MAX];      /* NULL: every event of the type counts */
    char *filter_texts[JOURNEY_WATCH_MAX];   /* the filter as written, or NULL */
} journey_watch_t;

typedef struct journey_branch {
    uint16_t message_node; /* the send node whose message the paths read */
    journey_watch_t watch;
    size_t paths_count;    /* in priority order */
    journey_path_t *paths;
    char *otherwise_name;  /* "otherwise" */
    int64_t otherwise_after_ms; /* the node closes at entered + this; always > 0 */
    uint16_t otherwise_to;
} journey_branch_t;

typedef struct journey_update {
    sy_update_op_t op;
    bool flag;   /* `flag: name` (SET_ATTRIBUTE to the bool true) or `unflag: name` (UNSET) */
    char *name;  /* attribute, list or channel (owned) */
    char *value; /* for SET_ATTRIBUTE, else NULL (owned); may hold {{...}} holes */
    expr_template_t *value_template; /* compiled value, or NULL */
    uint16_t next;
} journey_update_t;

typedef enum journey_wait_kind {
    JOURNEY_WAIT_DURATION,    /* `for: 2h` */
    JOURNEY_WAIT_TIME_OF_DAY, /* `until: "09:30"` in the contact's time zone */
    JOURNEY_WAIT_EVENT,       /* `event: custom.app_open`, with a timeout path */
} journey_wait_kind_t;

typedef struct journey_wait {
    journey_wait_kind_t kind;
    int64_t duration_ms;      /* DURATION */
    int minute_of_day;        /* TIME_OF_DAY: 0..1439 */
    char *timezone_attr;      /* TIME_OF_DAY: contact attribute naming an IANA zone
                               * ("timezone" unless `timezone:` says otherwise); UTC when
                               * the contact has none */
    journey_watch_t watch;    /* EVENT: watch.events[0] is the awaited event */
    expr_t *filter;           /* EVENT: `if:` on the awaited event, or NULL */
    int64_t timeout_ms;       /* EVENT: > 0 */
    uint16_t timeout_to;      /* EVENT: where the contact goes on timeout */
    uint16_t next;            /* where the contact goes when the wait ends */
} journey_wait_t;

typedef struct journey_condition {
    expr_t *test; /* BOOL over contact.*, event.* (the event that brought the contact) */
    char *text;
    uint16_t then_to;
    uint16_t else_to;
} journey_condition_t;

/* A/B/n split and holdout: a contact goes to arm i when its bucket (a hash of contact,
 * journey and node, in [0, 10000)) falls in arm i's share. Shares add up to 100%. */
typedef struct journey_split_arm {
    char *name;
    int basis_points; /* percent * 100 */
    uint16_t to;
} journey_split_arm_t;

typedef struct journey_split {
    size_t arms_count;
    journey_split_arm_t arms[JOURNEY_SPLIT_ARMS_MAX];
} journey_split_t;

/* A hand-off outside the journey: an action command on the task channel. */
typedef struct journey_task {
    char *queue;       /* becomes the action's template id */
    size_t params_count;
    sy_kv_t *params;
    journey_param_t *param_templates;
    uint16_t next;
    bool on_loop; /* as journey_send_t's */
} journey_task_t;

typedef struct journey_node {
    char *id;
    /* Made at load for the records (codec_part.h), or NULL (that record field is then
     * written field by field): id's part, and a send's template_id's or a task's queue's
     * (the action's template), each owned. */
    sy_part_t *id_part, *template_part;
    journey_node_kind_t kind;
    int line;
    union {
        journey_send_t send;
        journey_branch_t branch;
        journey_update_t update;
        journey_wait_t wait;
        journey_condition_t condition;
        journey_split_t split;
        journey_task_t task;
    } u;
} journey_node_t;

typedef enum journey_reentry {
    JOURNEY_REENTRY_NEVER,    /* once per contact, ever */
    JOURNEY_REENTRY_ALWAYS,   /* again whenever the entry event comes and it is not active */
    JOURNEY_REENTRY_COOLDOWN, /* again once cooldown_ms passed since the last entry */
} journey_reentry_t;

/* An event rule: entry, goal or exit. */
typedef struct journey_rule {
    char *name;                  /* goals and exits: the rule's name (defaults to the event) */
    journey_event_match_t event;
    expr_t *filter;              /* `if:`, or NULL */
    int line;
} journey_rule_t;

/* A migration map: contacts in flight on from_version are moved node to node into this
 * version when it is deployed. Nodes of the old version not in the map keep their
 * contacts on the old version. */
typedef struct journey_migration {
    int32_t from_version; /* 0: no migration */
    size_t count;
    char **from_nodes;    /* node ids of the old version */
    uint16_t *to_nodes;   /* node indexes of this version */
} journey_migration_t;

typedef struct journey {
    char *id;
    int32_t version;
    sy_part_t *part;             /* id and version made at load for the records
                                  * (codec_part.h), or NULL; owned */
    char *source;                /* the file it came from */
    journey_event_match_t entry; /* the event that enters a contact (= entry_rule.event) */
    journey_rule_t entry_rule;   /* with its `if:` filter */
    expr_t *entry_when;          /* `entry: {when:}` over contact.*, or NULL: a profile
                                  * update that makes it true enters (no entry event) */
    char *entry_when_text;       /* the `when` as written, or NULL */
    bool entry_scan;             /* `on_deploy: scan`: at deploy, the stored contacts whose
                                  * profile matches `when` enter (engine_audience.c) */
    int32_t priority;            /* `priority:`, -1000..1000, 0 when absent: when a cap
                                  * allows fewer sends than journeys want at one instant,
                                  * higher goes first (ties: id ascending) */
    journey_reentry_t reentry;
    int64_t reentry_cooldown_ms; /* COOLDOWN */
    size_t goals_count;          /* reaching one ends the instance at once, as converted */
    journey_rule_t *goals;
    size_t exits_count;          /* matching one ends the instance at once */
    journey_rule_t *exits;
    size_t conversions_count;    /* `conversions:`: call-tracking conversion rules for the
                                  * calls to the numbers this journey's sends leased */
    struct journey_conversion *conversions; /* owned (journey_conversion.h) */
    size_t attrs_count;          /* the `profile:` declarations */
    expr_attr_t *attrs;
    bool reads_flags;            /* an expression uses has_flag(): the profile is read */
    journey_migration_t migration;
    journey_fatigue_t fatigue[SY_CHANNEL__COUNT]; /* `fatigue:`, by channel */
    size_t nodes_count;          /* nodes[0] is where a contact enters */
    journey_node_t *nodes;
} journey_t;

/* Conversion rules one journey may carry (the config's and a journey's share a call's 32
 * bits, engine_calls.h). */
#define JOURNEY_CONVERSIONS_MAX 8

/* The least time round a loop of nodes that sends, unless the deployment says otherwise
 * (journeys.loop.period.min.ms): a journey whose contacts could be sent a message more
 * often than this, round and round, is refused. */
#define JOURNEY_LOOP_PERIOD_MIN_MS_DEFAULT INT64_C(3600000)

/* What a deployment may tune in journey validation. A NULL journey_load_opts_t pointer
 * means the defaults. */
typedef struct journey_load_opts {
    int64_t loop_period_min_ms; /* >= 1; see JOURNEY_LOOP_PERIOD_MIN_MS_DEFAULT */
} journey_load_opts_t;

/* Parse and validate one journey from text; source names it in messages. On error
 * errbuf reads "FILE:LINE:COLUMN: problem" and *out is untouched.
 * Errors: SY_ERR_JOURNEY, SY_ERR_LIMIT, SY_ERR_NOMEM. text is borrowed. */
sy_err_t journey_parse(journey_t **out, const char *text, size_t len, const char *source,
                       char *errbuf, size_t errbuf_size);

/* As journey_parse, reading the file at path. Adds SY_ERR_IO. */
sy_err_t journey_load_file(journey_t **out, const char *path, char *errbuf,
                           size_t errbuf_size);

/* As journey_parse and journey_load_file, with opts (borrowed; NULL: the defaults). */
sy_err_t journey_parse_opts(journey_t **out, const char *text, size_t len,
                            const char *source, const journey_load_opts_t *opts,
                            char *errbuf, size_t errbuf_size);
sy_err_t journey_load_file_opts(journey_t **out, const char *path,
                                const journey_load_opts_t *opts, char *errbuf,
                                size_t errbuf_size);

/* Free a journey; journey_free(NULL) is a no-op. */
void journey_free(journey_t *journey);

/* Index of the node named id, or -1. The journey's own id strings are found by address
 * first (the engine's decisions and counts name nodes by them), any other by text; a
 * journey's node ids are unique, so both find the same node. */
int journey_node_index(const journey_t *journey, const char *id);

/* Parse a duration ("500ms", "90s", "30m", "24h", "7d") into *ms. Returns false on a
 * malformed, non-positive or too long duration (sy_duration_parse says which). */
bool journey_duration_parse(const char *text, int64_t *ms);

/* All journeys of a directory (*.yaml, *.yml, *.json), sorted by file name. All or
 * nothing: if any file fails, the error names it and *out is untouched. Two files with
 * the same journey id and version are an error, and so is a directory with no journey
 * file (SY_ERR_JOURNEY, naming the directory). */
typedef struct journey_set {
    size_t count;
    journey_t **journeys; /* owned */
} journey_set_t;

sy_err_t journey_set_load_dir(journey_set_t **out, const char *dir, char *errbuf,
                              size_t errbuf_size);
/* As journey_set_load_dir, with opts (borrowed; NULL: the defaults). */
sy_err_t journey_set_load_dir_opts(journey_set_t **out, const char *dir,
                                   const journey_load_opts_t *opts, char *errbuf,
                                   size_t errbuf_size);
void journey_set_free(journey_set_t *set);

#endif
