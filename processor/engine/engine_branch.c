/* engine_branch.c — the multi-engagement branch: which events it watches (its message's
 * outcomes, or any event of the contact), the seen bits they set, the path that holds
 * (priority, when/unless, `if`, within/after, otherwise at the close) and its timers.
 * It decides; engine.c moves the contact. */
#include "engine.h"

#include <assert.h>
#include <string.h>

#include "action_id_pass.h"
#include "engine_int.h"
#include "sy_time.h"

int engine_branch_eval(const journey_branch_t *branch, int64_t node_entered_ms,
                       const expr_env_t *env) {
    int64_t t = env->now_ms;
    assert(env && (branch->paths || branch->paths_count == 0));
    for (size_t i = 0; i < branch->paths_count; i++) {
        const journey_path_t *p = &branch->paths[i];
        if (p->within_ms > 0 && t > sy_time_add_ms(node_entered_ms, p->within_ms))
            continue;
        if (p->after_ms > 0 && t < sy_time_add_ms(node_entered_ms, p->after_ms))
            continue;
        if ((env->seen_mask & p->when_mask) != p->when_mask)
            continue;
        if (env->seen_mask & p->unless_mask)
            continue;
        if (p->filter && !expr_eval_bool(p->filter, env))
            continue;
        return (int)i;
    }
    if (t >= sy_time_add_ms(node_entered_ms, branch->otherwise_after_ms))
        return (int)branch->paths_count;
    return -1;
}

/* The first moment after after_ms at which the branch's answer can change without an
 * event: a path's `after` or the close of the node, counted from entered_ms. 0 when none
 * is left. */
static int branch_next_moment(const journey_branch_t *b, int64_t entered_ms, int64_t after_ms,
                              int64_t *due_ms) {
    int found = 0;
    assert(b->paths || b->paths_count == 0);
    for (size_t i = 0; i <= b->paths_count; i++) {
        int64_t delay = i < b->paths_count ? b->paths[i].after_ms : b->otherwise_after_ms;
        if (delay <= 0)
            continue;
        int64_t at = sy_time_add_ms(entered_ms, delay);
        if (at > after_ms && (!found || at < *due_ms)) {
            *due_ms = at;
            found = 1;
        }
    }
    return found;
}

/* One timer at a time: the branch's first moment on entry, the next one each time a
 * moment passes with the contact still there (engine_branch_on_timer). A contact that
 * moves on before its branch closes leaves no timer behind for the later moments. */
sy_err_t engine_branch_timers(engine_walk_t *w, uint16_t node, int64_t entered_ms) {
    const journey_branch_t *b = &w->journey->nodes[node].u.branch;
    int64_t due_ms = 0;
    assert(w->journey->nodes[node].kind == JOURNEY_NODE_BRANCH);
    if (!branch_next_moment(b, entered_ms, INT64_MIN, &due_ms))
        return SY_OK;
    return engine_timer_add(w, node, entered_ms, due_ms);
}

/* Does ev report an outcome of the message the contact's branch waits on? By message id
 * (the action id providers echo back), else by journey and node. A message on a loop has
 * an id per pass: that of its last pass, which the instance remembers (after another
 * looped send, or a version migration, only journey and node can tell). */
static bool refers_to_message(const engine_walk_t *w, const journey_branch_t *b,
                              const sy_event_t *ev) {
    assert(b->message_node < w->journey->nodes_count);
    char id[ACTION_ID_BYTES];
    if (ev->message_id &&
        action_id_of_pass_n(id, w->contact_id, w->contact_id_len, w->journey,
                            w->journey_id_len, b->message_node, &w->instance))
        return strcmp(id, ev->message_id) == 0;
    return ev->journey_id && ev->node_id && strcmp(ev->journey_id, w->journey->id) == 0 &&
           strcmp(ev->node_id, w->journey->nodes[b->message_node].id) == 0;
}

/* A reply that names no message (an inbound SMS carries no id of what it answers)
 * answers the contact's latest message on its channel: the branch's own when nothing was
 * sent to the contact on that channel since the branch was entered (engagement memory
 * keeps each channel's latest send, from every journey). */
static sy_err_t answers_message(engine_walk_t *w, const sy_event_t *ev, bool *answers) {
    assert(ev->channel < SY_CHANNEL__COUNT);
    *answers = false;
    if (ev->type != SY_EVENT_REPLIED || ev->message_id || ev->journey_id || ev->node_id)
        return SY_OK;
    engine_t *e = w->engine;
    sy_err_t err = engine_engagement_load_walk(w);
    if (err == SY_OK)
        *answers = e->engagement.channels[ev->channel].sent_ms <= w->instance.node_entered_at_ms;
    return err;
}

/* Whether ev reports on the branch's message (refers_to_message or answers_message). */
static sy_err_t on_message(engine_walk_t *w, const sy_event_t *ev, int *refers) {
    bool answers = false;
    assert(w->instance.node < w->journey->nodes_count);
    const journey_branch_t *b = &w->journey->nodes[w->instance.node].u.branch;
    sy_err_t err = answers_message(w, ev, &answers);
    *refers = answers || refers_to_message(w, b, ev);
    return err;
}

sy_err_t engine_watch_bits(engine_walk_t *w, const journey_watch_t *watch,
                           const sy_event_t *ev, uint32_t *bits) {
    expr_env_t env;
    bool env_ready = false;
    int refers = -1; /* computed once, when first needed: only a branch's entries are */
    assert(watch->count <= JOURNEY_WATCH_MAX && bits);
    *bits = 0;
    for (size_t i = 0; i < watch->count && i < JOURNEY_WATCH_MAX; i++) {
        if (!event_match_test(&watch->events[i], ev))
            continue;
        sy_err_t err = SY_OK;
        if (watch->on_message[i] && refers < 0 && (err = on_message(w, ev, &refers)) != SY_OK)
            return err;
        if (watch->on_message[i] && !refers)
            continue;
        if (watch->filters[i] && !env_ready) {
            if ((err = engine_walk_env(w, &env)) != SY_OK)
                return err;
            env.event = ev; /* the condition reads the event seen */
            env_ready = true;
        }
        if (!watch->filters[i] || expr_eval_bool(watch->filters[i], &env))
            *bits |= UINT32_C(1) << i;
    }
    return SY_OK;
}

/* Evaluate the branch w rests at: the path that holds, if one does. */
static sy_err_t branch_decide(engine_walk_t *w, engine_move_t *move) {
    const journey_branch_t *b = &w->journey->nodes[w->instance.node].u.branch;
    expr_env_t env;
    bool filtered = false; /* only a path's `if:` may read the profile */
    for (size_t i = 0; i < b->paths_count; i++)
        filtered = filtered || (b->paths[i].filter && expr_reads_profile(b->paths[i].filter));
    sy_err_t err = SY_OK;
    if (filtered)
        err = engine_walk_env(w, &env);
    else
        engine_walk_env_bare(w, &env);
    if (err != SY_OK)
        return err;
    int path = engine_branch_eval(b, w->instance.node_entered_at_ms, &env);
    if (path < 0)
        return SY_OK;
    assert((size_t)path <= b->paths_count);
    move->go = true;
    if ((size_t)path == b->paths_count) {
        move->to = b->otherwise_to;
        move->path = b->otherwise_name;
    } else {
        move->to = b->paths[path].to;
        move->path = b->paths[path].name;
    }
    return SY_OK;
}

sy_err_t engine_branch_on_event(engine_walk_t *w, const sy_event_t *ev, bool *changed,
                                engine_move_t *move) {
    assert(w->journey->nodes[w->instance.node].kind == JOURNEY_NODE_BRANCH);
    const journey_branch_t *b = &w->journey->nodes[w->instance.node].u.branch;
    /* A path counts events since the contact entered the branch: one stamped before,
     * however late it arrives, is not an outcome of this stay. */
    if (ev->occurred_at_ms < w->instance.node_entered_at_ms)
        return SY_OK;
    uint32_t bits = 0;
    sy_err_t err = engine_watch_bits(w, &b->watch, ev, &bits);
    if (err != SY_OK)
        return err;
    if (!bits)
        return SY_OK; /* not an event this branch reads */
    w->instance.seen_mask |= bits;
    *changed = true;
    return branch_decide(w, move);
}

sy_err_t engine_branch_on_timer(engine_walk_t *w, engine_move_t *move) {
    const journey_branch_t *b = &w->journey->nodes[w->instance.node].u.branch;
    int64_t entered_ms = w->instance.node_entered_at_ms, due_ms = 0;
    assert(w->cause == SY_CAUSE_TIMER && !move->go);
    sy_err_t err = branch_decide(w, move);
    /* Staying: the timer of the next moment, if one is left (w->t is this one's). */
    if (err != SY_OK || move->go || !branch_next_moment(b, entered_ms, w->t, &due_ms))
        return err;
    return engine_timer_add(w, w->instance.node, entered_ms, due_ms);
}
