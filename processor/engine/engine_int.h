/* engine_int.h — what the engine's files share: the engine itself, one contact's walk
 * through one journey, and the steps each file provides. Private to processor/engine/;
 * the public contract is engine.h. */
#ifndef SY_ENGINE_INT_H
#define SY_ENGINE_INT_H

#include <stdbool.h>

#include "calls_http.h"
#include "engine.h"
#include "engine_calls.h"
#include "engine_safety.h"
#include "expr.h"
#include "sy_time.h"

/* Bytes of all rendered parameters of one action (or one attribute value): an action
 * carries at most SY_ACTION_PARAMS_MAX parameters, and 64 KiB leaves each about 1 KiB
 * while keeping the action far below SY_FRAME_BYTES_MAX. */
#define ENGINE_RENDER_BYTES_MAX (64 * 1024)

/* "goal:" or "exit:" and a rule name: rule names are identifiers (SY_ID_BYTES_MAX). */
#define ENGINE_RULE_NODE_BYTES (SY_ID_BYTES_MAX + 8)

/* The longest reason: "held:capped:", a rule name (SY_ID_BYTES_MAX), '@' and a release
 * time (SY_TIME_TEXT_BYTES, NUL included); "suppressed:list:<name>" is shorter. */
#define ENGINE_REASON_BYTES (SY_ID_BYTES_MAX + 16 + SY_TIME_TEXT_BYTES)

/* Timers fired as one run (same due time, same contact, in priority order): a contact
 * has one timer per journey id and due time (the index's key), and at most
 * JOURNEY_SET_MAX journeys are loaded; a longer run is fired in parts. */
#define ENGINE_TIMER_RUN_MAX JOURNEY_SET_MAX
/* Words of a set of journeys of the engine's order, one bit each (engine_index.c). */
#define ENGINE_INDEX_WORDS ((JOURNEY_SET_MAX + 63) / 64)

/* A best-channel send's decision path: "best:", the channel, then each channel of among
 * with its rate or why it was not allowed: at most 6 of about 20 bytes. */
#define ENGINE_BEST_PATH_BYTES 192

/* engine_safety_keyword's answers. */
enum { ENGINE_KEYWORD_STOP = 1, ENGINE_KEYWORD_STOP_ALL = 2, ENGINE_KEYWORD_START = 3 };

struct engine {
    const journey_set_t *journeys; /* borrowed; swapped between batches */
    state_store_t *store;          /* borrowed */
    engine_sink_t sink;
    /* The current input's contact profile, read on first use (engine_profile_env). The
     * buffers are allocated once at open: nothing is allocated per event. */
    bool profile_loaded;
    expr_profile_t profile;
    sy_attr_t *profile_attrs;      /* SY_PROFILE_ATTRS_MAX, owned */
    void *profile_buf;             /* STATE_PROFILE_BYTES_MAX, owned */
    sy_profile_update_t *profile_update; /* one, for update nodes; owned */
    char *render_buf;              /* ENGINE_RENDER_BYTES_MAX, owned */
    char rule_node[ENGINE_RULE_NODE_BYTES];
    engine_safety_conf_t safety;
    engine_safety_counts_t counts;    /* sends the gate did not let through */
    char reason[ENGINE_REASON_BYTES]; /* the last stopped send's reason */
    state_consent_t consent;          /* the gate's copy of the contact's record (large) */
    /* The newest version of each loaded journey, in the order an event visits them:
     * priority descending, then id ascending. Built when the journeys are set. */
    const journey_t **order;          /* JOURNEY_SET_MAX, owned */
    int *order_slots; /* JOURNEY_SET_MAX, owned: state_store_instance_slot of order[i] */
    size_t order_id_lens[JOURNEY_SET_MAX]; /* strlen of order[i]->id: a timer's rank */
    size_t order_count;
    state_timer_t *timer_run;         /* ENGINE_TIMER_RUN_MAX, owned */
    /* The current input as sms.opted_out when it is an SMS keyword opt-out (rules match
     * it too), else NULL; points at opt_out_event. */
    const sy_event_t *event_as_opt_out;
    sy_event_t opt_out_event;
    bool consent_attr_warned; /* a bad consent.* profile attribute was logged once */
    /* Call tracking (engine_calls.h): the conf (borrowed; NULL: none), the input
     * partitions that share each pool, what it did, the call being attributed (owned,
     * large), the tracking texts of the action being rendered, and a pool's candidate
     * numbers while one is chosen. */
    const engine_calls_conf_t *calls;
    int32_t calls_partitions;
    engine_calls_counts_t calls_counts;
    state_call_t *call;
    char tracking_number[SY_PHONE_E164_BYTES];
    char tracking_display[SY_PHONE_DISPLAY_BYTES];
    char tracking_tel[SY_PHONE_TEL_BYTES];
    char call_link[ENGINE_CALLS_CLICK_BASE_BYTES + 3 + CALLS_TOKEN_BYTES]; /* "": none */
    uint16_t calls_ties[ENGINE_CALLS_POOL_NUMBERS_MAX];
    state_leases_cursor_t *calls_sweep[STATE_PARTITIONS_MAX]; /* each owned, made at its
                                                                * partition's first sweep */
    /* Event kind -> the journeys of the order that read it (engine_index.c), owned;
     * NULL: every journey is asked. Rebuilt when the journeys are set. */
    struct engine_index_slot *index;
    size_t index_capacity; /* power of two */
    int event_keyword; /* the current event's SMS keyword (engine_safety_keyword), or 0 */
    /* The engagement memory of the current input's contact, read on first use
     * (engine_engagement_load); every change goes to the store at once. */
    bool engagement_loaded;
    state_engagement_key_t engagement_key; /* its contact's: the partition, then the id */
    /* Its value as read or last written: a change of one channel encodes that one alone
     * (state_store_engagement_put_channel_at). */
    state_engagement_value_t engagement_value;
    /* Its channels decoded from the value, each when first used (an event or a send uses
     * one of the few a record has): those engagement_decoded names (bit c: channel c);
     * engine_engagement_load decodes them all. */
    state_engagement_t engagement;
    uint32_t engagement_decoded;
    char best_path[ENGINE_BEST_PATH_BYTES]; /* the last best-channel send's choice */
};

/* One contact's walk through one journey, caused by one event or timer at time t. The
 * walks of events and timers are set field by field (engine.c: walk_begin, then the
 * instance): a new field is set there too. */
typedef struct engine_walk {
    engine_t *engine;
    int32_t partition;
    const char *contact_id;
    const journey_t *journey;
    /* strlen(contact_id) and strlen(journey->id) when the walk's instance key gave them (a
     * walk on an event or a timer), else 0: handed to the sink's records, which measure
     * an id whose length is 0. 0 in a walk that changes its contact_id (a scan's). */
    uint16_t contact_id_len, journey_id_len;
    /* The instance key the walk's instance is read by (borrowed; its contact part is the
     * key of the contact's records, read by it), or NULL in a walk without one (a scan's,
     * a schedule's, a call's): the records are read by partition and contact_id then. */
    const state_instance_key_t *key;
    state_instance_t instance;
    sy_cause_t cause;
    const sy_event_t *event; /* what caused the walk; NULL for timers */
    int64_t t;
    char *errbuf;
    size_t errbuf_size;
    /* A best-channel send the gate let through: its channel (the action's). */
    bool best_chosen;
    sy_channel_t best_channel;
} engine_walk_t;

/* What the node a contact rests at decided on an event or a timer: move on along a path,
 * or stay. Node kinds only decide; engine.c moves the contact (engine_walk_to). */
typedef struct engine_move {
    bool go;          /* false: the contact stays where it is */
    uint16_t to;      /* the node it moves to, when go */
    const char *path; /* the path's name (borrowed from the journey), or NULL */
} engine_move_t;

/* engine_walk.c: move from node `from` (-1 on entry) to `to` and on until the contact
 * waits (branch, wait) or exits; a decision for every move. */
sy_err_t engine_walk_to(engine_walk_t *w, int from, uint16_t to, const char *path);

/* engine_walk.c: end the instance at a goal or exit rule (kind "goal" or "exit", rule's
 * name): one decision to "<kind>:<name>" from the current node; its timers go stale. */
sy_err_t engine_walk_end(engine_walk_t *w, const char *kind, const journey_rule_t *rule);

/* engine_walk.c: set the timers a contact resting at node (a branch or a wait) since
 * entered_ms needs; other kinds need none. */
sy_err_t engine_walk_timers(engine_walk_t *w, uint16_t node, int64_t entered_ms);

/* engine_profile.c: the contact's profile, read once per input when first needed. */
sy_err_t engine_profile_load(engine_walk_t *w);

/* engine_profile.c: the evaluation environment of w, with its cause event (or none);
 * loads the profile when the journey reads it. */
sy_err_t engine_walk_env(engine_walk_t *w, expr_env_t *env);
/* The same environment without reading the profile, for evaluations that read no
 * contact.*: the profile already read for this input, or an empty one. */
void engine_walk_env_bare(engine_walk_t *w, expr_env_t *env);

/* engine_branch.c: the bits of watch (a branch's or a wait's) that ev sets in *bits:
 * entries of its type, for a branch's message only when ev reports an outcome of that
 * message, and with a filter only when the filter holds for ev. */
sy_err_t engine_watch_bits(engine_walk_t *w, const journey_watch_t *watch,
                           const sy_event_t *ev, uint32_t *bits);

/* engine_profile.c: apply a set/unset attribute update node to the stored profile. */
sy_err_t engine_profile_apply(engine_walk_t *w, const journey_update_t *update,
                              const char *value);

/* engine_render.c: the action of a send or task node, params rendered, to the sink. */
sy_err_t engine_render_action(engine_walk_t *w, const journey_node_t *node);

/* engine_calls_lease.c: lease a number of send's pool (tracking_pool set) to w's contact
 * for action a, whose action_id is set: a's tracking fields point into the engine's
 * tracking buffers. A pool the conf lacks leaves them NULL. Errors: the store's. */
sy_err_t engine_calls_lease(engine_walk_t *w, const journey_send_t *send, sy_action_t *a);

/* engine_calls_sweep.c: delete the next few calls and ended leases of partition that are
 * past the retention at event time t_ms, in the pending batch (changelogged). Errors:
 * the store's. */
sy_err_t engine_calls_sweep(engine_t *e, int32_t partition, int64_t t_ms, char *errbuf,
                            size_t errbuf_size);

/* engine_calls_inbound.c: when ev is a call to a tracking number (its contact id is
 * ENGINE_CALLS_KEY_PREFIX and the number), attribute it, run the contact's journeys on
 * the attributed call.inbound and on each call.converted its rules make, and set
 * *handled: such an event reaches no journey as it came. Errors: the store's, a sink's. */
sy_err_t engine_calls_on_event(engine_t *e, int32_t partition, const sy_event_t *ev,
                               bool *handled, char *errbuf, size_t errbuf_size);

/* engine.c: hand ev to every journey of its contact (goals and exits, the node it waits
 * at, else entry), in the engine's order. */
sy_err_t engine_journeys_on_event(engine_t *e, int32_t partition, const sy_event_t *ev,
                                  char *errbuf, size_t errbuf_size);

/* engine_render.c: the contact update of an update node, to the sink and the profile. */
sy_err_t engine_render_update(engine_walk_t *w, const journey_node_t *node);

/* engine_branch.c: on entering a branch, its timers; on an event, record it (*changed
 * when it sets seen bits) and decide; on a timer, decide. */
sy_err_t engine_branch_timers(engine_walk_t *w, uint16_t node, int64_t entered_ms);
sy_err_t engine_branch_on_event(engine_walk_t *w, const sy_event_t *ev, bool *changed,
                                engine_move_t *move);
sy_err_t engine_branch_on_timer(engine_walk_t *w, engine_move_t *move);

/* engine_wait.c: the same for wait nodes. */
sy_err_t engine_wait_timers(engine_walk_t *w, uint16_t node, int64_t entered_ms);
sy_err_t engine_wait_on_event(engine_walk_t *w, const sy_event_t *ev, bool *changed,
                              engine_move_t *move);
sy_err_t engine_wait_on_timer(engine_walk_t *w, engine_move_t *move);

/* engine_rules.c: entry of a contact without an active instance (found: it has a done
 * one in w->instance). When the entry rule admits w's event, w->instance becomes the new
 * instance, w->cause SY_CAUSE_ENTRY, and *entered is set; the walk is the caller's. */
sy_err_t engine_rules_entry(engine_walk_t *w, bool found, bool *entered);

/* engine_rules.c: does the re-entry policy let w's contact in again, whose last instance
 * (not active) is w->instance when found? */
bool engine_rules_reentry_allows(const engine_walk_t *w, bool found);

/* engine_audience.c: store a profile update from the profiles topic, let the gate see it,
 * and enter the contact into every journey whose `when` entry it turned from false to
 * true (in the order events visit journeys). */
sy_err_t engine_audience_on_profile(engine_t *e, int32_t partition,
                                    const sy_profile_update_t *update, char *errbuf,
                                    size_t errbuf_size);

/* engine_rules.c: the first goal, else exit, rule that holds for w's event: *rule (NULL
 * when none) and *kind ("goal" or "exit"). */
sy_err_t engine_rules_end(engine_walk_t *w, const char **kind, const journey_rule_t **rule);

/* What the gate decided for one send. */
typedef enum engine_verdict_kind {
    ENGINE_VERDICT_SEND,       /* send it */
    ENGINE_VERDICT_SUPPRESSED, /* not sent: opted out, hard bounce, suppression list */
    ENGINE_VERDICT_CAPPED,     /* not sent, over a cap: go to `to` */
    ENGINE_VERDICT_HELD,       /* not yet: wait at the send until release_ms */
} engine_verdict_kind_t;

typedef struct engine_verdict {
    engine_verdict_kind_t kind;
    const char *reason; /* unless SEND: the decision path, in the engine's reason buffer */
    const char *rule;   /* CAPPED, and HELD by a cap: the rule's name (the conf's) */
    uint16_t to;        /* CAPPED: the send's next (skip) or its on_capped node */
    int64_t release_ms; /* HELD: when the send passes the gate again */
} engine_verdict_t;

/* engine_safety.c: the gate every send passes, at w's time: suppression and consent,
 * then quiet hours, then caps. *verdict says whether it goes and, when not, why; a send
 * that goes is counted in the contact's cap log. Errors: the store's. */
sy_err_t engine_safety_check(engine_walk_t *w, const journey_send_t *send,
                             engine_verdict_t *verdict);

/* engine_quiet.c: is a send of w's contact on send's channel at w's time inside quiet
 * hours? If so *verdict becomes HELD with the release time (the end of the quiet hours
 * plus the contact's spread) and path held:quiet_hours@<ISO>; else it is untouched.
 * Transactional sends are never held. Errors: the store's (reading the profile). */
sy_err_t engine_quiet_check(engine_walk_t *w, const journey_send_t *send,
                            engine_verdict_t *verdict);

/* engine_walk.c: a contact resting at a send node (held) whose timer fired: pass the gate
 * again at w's time and walk on from there, or stay held. */
sy_err_t engine_walk_resume(engine_walk_t *w);

/* engine_profile.c: the value of the contact's string attribute attr (a zone name), or
 * NULL; the profile loaded as engine_profile_load leaves it. */
const char *engine_profile_zone(const engine_t *engine, const char *attr);

/* engine_profile.c: load the profile of w's contact even when w's journey declares no
 * attribute (quiet hours read the time zone). */
sy_err_t engine_profile_load_always(engine_walk_t *w);

/* engine_safety.c: before the journeys see ev, apply what it does to its contact's consent
 * (opt-out events, hard bounces, SMS keywords: a keyword opt-out also makes a contact
 * update and sets engine->event_as_opt_out). Errors: the store's, the sink's. */
sy_err_t engine_safety_on_event(engine_t *engine, int32_t partition, const sy_event_t *ev,
                                char *errbuf, size_t errbuf_size);

/* engine_safety.c: what an update node does to consent: opt_out and opt_in (of its
 * channel, at w's time, unless the channel changed later), and add_to_list and
 * remove_from_list of a configured suppression list. Errors: the store's. */
sy_err_t engine_safety_on_update(engine_walk_t *w, const journey_update_t *up);

/* engine_safety.c: what a profile update's consent.<channel> and consent.all attributes
 * do to the contact's consent, at the update's time. Errors: the store's. */
sy_err_t engine_safety_on_profile(engine_t *engine, int32_t partition,
                                  const sy_profile_update_t *update, char *errbuf,
                                  size_t errbuf_size);

/* engine_engagement.c: read the engagement memory of contact_id into engine->engagement,
 * every channel, unless it holds it already. Errors: the store's. */
sy_err_t engine_engagement_load(engine_t *engine, int32_t partition, const char *contact_id,
                                char *errbuf, size_t errbuf_size);

/* engine_engagement.c: engine_engagement_load of w's contact, by the contact part of w's
 * key when it has one (not made again). Errors: the store's. */
sy_err_t engine_engagement_load_walk(engine_walk_t *w);

/* engine_engagement.c: what ev (deliveries, opens, clicks, replies, answers) does to its
 * contact's engagement memory, before the journeys see it. Errors: the store's. */
sy_err_t engine_engagement_on_event(engine_t *engine, int32_t partition, const sy_event_t *ev,
                                    char *errbuf, size_t errbuf_size);

/* engine_engagement.c: a send on channel went out at w's time: count it, and one more
 * ignored. Errors: the store's. */
sy_err_t engine_engagement_on_send(engine_walk_t *w, sy_channel_t channel);

/* engine_engagement.c: the decayed rate of counter (ENGAGED, OPENS, CLICKS) over sends at
 * horizon (0: 7 days, 1: 30, 2: 90), at most 1; NAN when nothing was sent. Pure. */
double engine_engagement_rate(const state_engagement_channel_t *ch, int counter, int horizon);

/* engine_engagement.c: the expression environment's engagement reader; ctx is the walk
 * (engine_walk_t). */
void engine_engagement_var(void *ctx, sy_channel_t channel, expr_engagement_field_t field,
                           int64_t now_ms, expr_engagement_value_t *out);

/* engine_best.c: the fatigue rule of send's channel in w's journey binds at w's time:
 * CAPPED (to next, or to the on_capped node) with path fatigued:<channel> into *verdict;
 * else it is untouched. Marketing sends only. Errors: the store's. */
sy_err_t engine_fatigue_check(engine_walk_t *w, const journey_send_t *send,
                              engine_verdict_t *verdict);

/* engine_best.c: does the contact of w have an address on channel (the profile attribute
 * the config names for it holds text; a channel without one always has)? Errors: the
 * store's (reading the profile). */
sy_err_t engine_best_has_address(engine_walk_t *w, sy_channel_t channel, bool *has);

/* engine_best.c: the channel of a best-channel send for w's contact: the allowed channel
 * of among (not in the suppressed mask, bit c per channel c; an address, no fatigue, no
 * cap binding) with the highest 30-day engagement rate (none yet: 0), ties to the first
 * in among; *chosen -1 when none is allowed. The path (best:<channel>;<channel>=<rate or
 * why not>,...) goes to engine->best_path. The contact's consent is in engine->consent.
 * Errors: the store's. */
sy_err_t engine_best_pick(engine_walk_t *w, const journey_send_t *send, uint32_t suppressed,
                          int *chosen);

/* engine_split.c: the arm a contact takes at a split node. */
size_t engine_split_arm(const journey_split_t *split, const char *contact_id,
                        const char *journey_id, const char *node_id);

/* engine_timer.c: add a timer for w's contact at node of w's journey. */
sy_err_t engine_timer_add(engine_walk_t *w, uint16_t node, int64_t entered_ms,
                          int64_t due_ms);

/* Rebuild the index of which journeys read which event kinds, after order changed. On
 * out of memory there is none, and every journey is asked for every event. */
void engine_index_build(engine_t *e);

/* The journeys of e's order that ev can move, as bits of journeys (bit i: order[i]):
 * those that read ev's kind in any loaded version; all of them when e has no index or
 * the event is also seen as an opt-out. Call after engine_safety_on_event. */
void engine_index_journeys(const engine_t *e, const sy_event_t *ev,
                           uint64_t journeys[ENGINE_INDEX_WORDS]);

/* Free the index (the engine closes). */
void engine_index_free(engine_t *e);

#endif
