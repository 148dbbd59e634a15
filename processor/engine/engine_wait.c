/* engine_wait.c — wait nodes: for a duration, until a time of day in the contact's time
 * zone, or until an event (with a timeout path). Sets the one timer each needs and decides
 * to move the contact on when it fires or the awaited event comes; engine.c moves it. */
#include "engine.h"

#include <assert.h>
#include <string.h>

#include "engine_int.h"
#include "sy_time.h"
#include "tz.h"

sy_err_t engine_wait_timers(engine_walk_t *w, uint16_t node, int64_t entered_ms) {
    const journey_wait_t *wait = &w->journey->nodes[node].u.wait;
    int64_t due_ms = entered_ms;
    assert(w->journey->nodes[node].kind == JOURNEY_NODE_WAIT);
    switch (wait->kind) {
    case JOURNEY_WAIT_DURATION:
        due_ms = sy_time_add_ms(entered_ms, wait->duration_ms);
        break;
    case JOURNEY_WAIT_TIME_OF_DAY: {
        sy_err_t err = engine_profile_load(w);
        if (err != SY_OK)
            return err;
        const char *zone = engine_profile_zone(w->engine, wait->timezone_attr);
        due_ms = tz_next_minute_of_day(zone, entered_ms, wait->minute_of_day);
        break;
    }
    case JOURNEY_WAIT_EVENT:
        due_ms = sy_time_add_ms(entered_ms, wait->timeout_ms);
        break;
    }
    return engine_timer_add(w, node, entered_ms, due_ms);
}

sy_err_t engine_wait_on_event(engine_walk_t *w, const sy_event_t *ev, bool *changed,
                              engine_move_t *move) {
    assert(w->journey->nodes[w->instance.node].kind == JOURNEY_NODE_WAIT);
    const journey_wait_t *wait = &w->journey->nodes[w->instance.node].u.wait;
    if (wait->kind != JOURNEY_WAIT_EVENT || wait->watch.count == 0 ||
        !event_match_test(&wait->watch.events[0], ev))
        return SY_OK;
    /* The timer is due at the timeout; an event at that very time no longer counts, nor
     * one stamped before the contact began to wait, however late it arrives. */
    if (w->t < w->instance.node_entered_at_ms ||
        w->t >= sy_time_add_ms(w->instance.node_entered_at_ms, wait->timeout_ms))
        return SY_OK;
    uint32_t bits = 0; /* bit 0, and seen(<the awaited type>, condition) that hold */
    sy_err_t err = engine_watch_bits(w, &wait->watch, ev, &bits);
    if (err != SY_OK)
        return err;
    w->instance.seen_mask |= bits;
    *changed = true;
    if (wait->filter) {
        expr_env_t env;
        err = engine_walk_env(w, &env);
        if (err != SY_OK)
            return err;
        if (!expr_eval_bool(wait->filter, &env))
            return SY_OK;
    }
    *move = (engine_move_t){.go = true, .to = wait->next, .path = "event"};
    return SY_OK;
}

sy_err_t engine_wait_on_timer(engine_walk_t *w, engine_move_t *move) {
    const journey_wait_t *wait = &w->journey->nodes[w->instance.node].u.wait;
    assert(w->cause == SY_CAUSE_TIMER && !move->go);
    if (wait->kind == JOURNEY_WAIT_EVENT)
        *move = (engine_move_t){.go = true, .to = wait->timeout_to, .path = "timeout"};
    else
        *move = (engine_move_t){.go = true, .to = wait->next, .path = NULL};
    return SY_OK;
}
