/* engine_timer.c — the engine's timers: firing those that fell due (stale ones do
 * nothing), adding one, and setting a node's timers for deploy-time migration. What a
 * branch or a wait does when its timer fires is engine_branch.c and engine_wait.c. */
#include "engine.h"

#include <stdio.h>

#include "engine_int.h"

sy_err_t engine_timer_add(const engine_walk_t *w, uint16_t node, int64_t entered_ms,
                          int64_t due_ms) {
    state_timer_t timer = {.partition = w->partition, .node = node,
                           .node_entered_at_ms = entered_ms, .due_ms = due_ms};
    int n = snprintf(timer.contact_id, sizeof timer.contact_id, "%s", w->contact_id);
    int m = snprintf(timer.journey_id, sizeof timer.journey_id, "%s", w->journey->id);
    if (n < 0 || (size_t)n >= sizeof timer.contact_id || m < 0 ||
        (size_t)m >= sizeof timer.journey_id)
        return SY_ERR_LIMIT;
    return state_store_timer_add(w->engine->store, &timer);
}

sy_err_t engine_schedule_node_timers(engine_t *engine, int32_t partition,
                                     const char *contact_id, const journey_t *journey,
                                     uint16_t node, int64_t node_entered_at_ms) {
    char errbuf[256];
    if (node >= journey->nodes_count)
        return SY_ERR_INVALID_ARG;
    engine_walk_t w = {.engine = engine, .partition = partition, .contact_id = contact_id,
                       .journey = journey, .cause = SY_CAUSE_TIMER,
                       .t = node_entered_at_ms, .errbuf = errbuf,
                       .errbuf_size = sizeof errbuf};
    engine->profile_loaded = false;
    switch (journey->nodes[node].kind) {
    case JOURNEY_NODE_BRANCH:
        return engine_branch_timers(&w, node, node_entered_at_ms);
    case JOURNEY_NODE_WAIT:
        return engine_wait_timers(&w, node, node_entered_at_ms);
    default:
        return SY_OK;
    }
}

static sy_err_t fire_timer(engine_t *e, const state_timer_t *timer, char *errbuf,
                           size_t errbuf_size) {
    engine_walk_t w = {.engine = e, .partition = timer->partition,
                       .contact_id = timer->contact_id, .cause = SY_CAUSE_TIMER,
                       .t = timer->due_ms, .errbuf = errbuf, .errbuf_size = errbuf_size};
    sy_err_t err = state_store_instance_get(e->store, timer->partition, timer->contact_id,
                                            timer->journey_id, &w.instance, errbuf,
                                            errbuf_size);
    if (err == SY_ERR_NOT_FOUND)
        return SY_OK;
    if (err != SY_OK)
        return err;
    /* Stale: the contact moved on, ended (goal, exit) or re-entered since it was set. */
    if (w.instance.status != STATE_INSTANCE_ACTIVE || w.instance.node != timer->node ||
        w.instance.node_entered_at_ms != timer->node_entered_at_ms)
        return SY_OK;
    w.journey = engine_journey_find(e, timer->journey_id, w.instance.journey_version);
    if (!w.journey || timer->node >= w.journey->nodes_count)
        return SY_OK;
    e->profile_loaded = false;
    bool changed = false;
    switch (w.journey->nodes[timer->node].kind) {
    case JOURNEY_NODE_BRANCH:
        err = engine_branch_on_timer(&w, &changed);
        break;
    case JOURNEY_NODE_WAIT:
        err = engine_wait_on_timer(&w, &changed);
        break;
    default:
        return SY_OK;
    }
    if (err == SY_OK && changed)
        err = state_store_instance_put(e->store, timer->partition, timer->contact_id,
                                       timer->journey_id, &w.instance);
    return err;
}

sy_err_t engine_fire_timers(engine_t *e, int32_t partition, int64_t now_ms, size_t *fired,
                            char *errbuf, size_t errbuf_size) {
    state_timer_t timer;
    sy_err_t err;
    *fired = 0;
    while ((err = state_store_timer_next(e->store, partition, now_ms, &timer, errbuf,
                                         errbuf_size)) == SY_OK) {
        if ((err = state_store_timer_remove(e->store, &timer)) != SY_OK)
            return err;
        if ((err = fire_timer(e, &timer, errbuf, errbuf_size)) != SY_OK)
            return err;
        (*fired)++;
    }
    return err == SY_ERR_NOT_FOUND ? SY_OK : err;
}

sy_err_t engine_advance_stream_time(engine_t *e, int32_t partition, int64_t event_ms,
                                    size_t *fired, char *errbuf, size_t errbuf_size) {
    *fired = 0;
    if (event_ms <= state_store_stream_time_get(e->store, partition))
        return SY_OK;
    sy_err_t err = engine_fire_timers(e, partition, event_ms - 1, fired, errbuf, errbuf_size);
    if (err == SY_OK)
        state_store_stream_time_set(e->store, partition, event_ms);
    return err;
}
