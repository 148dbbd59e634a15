/* engine.h — moves contacts through journeys. Given an engagement event, or a timer that
 * fell due, it reads and writes the contacts' instances in the state store and hands the
 * routing decisions, action commands and contact updates to an output sink. It knows
 * nothing of Kafka: the runner, `simulate` and the benchmarks drive it alike. */
#ifndef SY_ENGINE_H
#define SY_ENGINE_H

#include "expr.h"
#include "journey.h"
#include "records.h"
#include "state_store.h"
#include "sy_error.h"

/* Where outputs go. Each call borrows the record for its duration; a non-SY_OK return
 * stops the engine's work on the current input and is returned to the caller. */
typedef struct engine_sink {
    sy_err_t (*decision)(void *ctx, const sy_decision_t *decision);
    sy_err_t (*action)(void *ctx, const sy_action_t *action);
    sy_err_t (*contact_update)(void *ctx, const sy_contact_update_t *update);
    void *ctx;
    /* Optional (NULL: dropped): a conversion of an attributed call (engine_calls.h). */
    sy_err_t (*conversion)(void *ctx, const sy_conversion_t *conversion);
} engine_sink_t;

typedef struct engine engine_t;

/* Open an engine over journeys and store, both borrowed and outliving the engine. */
sy_err_t engine_open(engine_t **out, const journey_set_t *journeys, state_store_t *store,
                     const engine_sink_t *sink, char *errbuf, size_t errbuf_size);

/* engine_close(NULL) is a no-op. */
void engine_close(engine_t *engine);

/* Use journeys (borrowed, outliving its use) from the next input on. Call between
 * batches, from the thread that drives the engine. */
void engine_journeys_set(engine_t *engine, const journey_set_t *journeys);

/* Set the timer a contact's *instance at its node of journey needs, as if it had entered
 * that node at its node_entered_at_ms: a branch's first moment, a wait's due time or
 * timeout; other node kinds need none (SY_OK). *instance records it (timer,
 * timer_due_ms): the caller then stores the instance. For deploy-time migration of
 * contacts in flight. Errors: SY_ERR_STATE, SY_ERR_INVALID_ARG (node out of range). */
sy_err_t engine_schedule_node_timers(engine_t *engine, int32_t partition,
                                     const char *contact_id, const journey_t *journey,
                                     state_instance_t *instance);

/* Apply one event of partition: enter journeys it starts, record it as an outcome of
 * the message it refers to and take the branch path that then holds. Times are the
 * event's own (occurred_at_ms). Errors: SY_ERR_STATE, SY_ERR_LIMIT, or a sink's error. */
sy_err_t engine_on_event(engine_t *engine, int32_t partition, const sy_event_t *event,
                         char *errbuf, size_t errbuf_size);

/* Apply one profile update of partition (borrowed): merge it into the contact's stored
 * profile, then change the contact's consent as its attributes consent.<channel> and
 * consent.all say (opted_in, opted_out; docs/safety.md) at the update's time. A consent
 * attribute of another value is ignored, with one warning per engine. Profiles move no
 * time and fire no timer. Errors: SY_ERR_LIMIT (over the store's profile limits: the
 * record's fault; nothing applied), SY_ERR_STATE, SY_ERR_NOMEM. */
sy_err_t engine_on_profile(engine_t *engine, int32_t partition,
                           const sy_profile_update_t *update, char *errbuf,
                           size_t errbuf_size);

/* One slice of the deploy-time scan (`on_deploy: scan`) of journey (a loaded version whose
 * entry is `when:` with on_deploy: scan; borrowed) over partition: visit at most max stored
 * profiles after scan->cursor, in contact id order, and enter at t_ms each contact whose
 * profile matches the journey's `when`, unless it is in the journey now, entered this
 * version before, or re-entry forbids it. Updates *scan (cursor, counts, done when the
 * partition's end was reached) and writes it to the pending batch, with the entries, so
 * both commit together. A done scan does nothing. Errors: SY_ERR_INVALID_ARG (no scan
 * entry), SY_ERR_STATE, SY_ERR_NOMEM, or the sink's. */
sy_err_t engine_audience_scan(engine_t *engine, int32_t partition, const journey_t *journey,
                              int64_t t_ms, size_t max, state_scan_t *scan, char *errbuf,
                              size_t errbuf_size);

/* Fire every timer of partition due at or before now_ms, in due order. *fired counts
 * them (stale ones included). Errors as engine_on_event. */
sy_err_t engine_fire_timers(engine_t *engine, int32_t partition, int64_t now_ms,
                            size_t *fired, char *errbuf, size_t errbuf_size);

/* Event-time mode: move partition's stream time (the highest event time seen on it) to
 * event_ms when that is later, first firing, in due order, every timer due before it.
 * *fired counts them. The one rule the service, `simulate` and the benchmarks share, so
 * they decide alike. Errors as engine_fire_timers; the time does not move on an error. */
sy_err_t engine_advance_stream_time(engine_t *engine, int32_t partition, int64_t event_ms,
                                    size_t *fired, char *errbuf, size_t errbuf_size);

/* The path a branch takes at env->now_ms, the node entered at node_entered_ms: the first
 * path (priority order) whose window admits the time, whose when_mask bits are all in
 * env->seen_mask and unless_mask bits none, and whose `if` holds in env; a path index,
 * branch->paths_count for otherwise (at or after the close), or -1 when the branch keeps
 * waiting. Bits of seen_mask are the branch's watch list. Pure; env borrowed. */
int engine_branch_eval(const journey_branch_t *branch, int64_t node_entered_ms,
                       const expr_env_t *env);

#endif
