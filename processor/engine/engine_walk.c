/* engine_walk.c — one contact's walk through a journey's nodes: a routing decision for
 * every move, sends, tasks and updates on the way, conditions and splits decided at once,
 * until the contact rests at a branch or a wait (their timers set) or a held send, exits,
 * or ends at a goal or exit rule. engine.c calls it; what a resting contact's node decides is
 * engine_branch.c's and engine_wait.c's, and how actions are rendered engine_render.c's. */
#include "engine.h"

#include <assert.h>
#include <stdio.h>

#include "engine_int.h"

/* One decision from node `from` (-1: none) to node `to`, or (to -1) to rule_node, a
 * "goal:"/"exit:" name. The journey's prepared parts go with it (journey_parts.c). */
static sy_err_t decision_emit(engine_walk_t *w, int from, int to, const char *rule_node,
                              const char *path) {
    const journey_t *j = w->journey;
    assert(from < (int)j->nodes_count && (to >= 0 ? to < (int)j->nodes_count : !!rule_node));
    /* Every field set once (no zeroing first): the nodes' ids with their parts. */
    const journey_node_t *f = from >= 0 ? &j->nodes[from] : NULL;
    const journey_node_t *t = to >= 0 ? &j->nodes[to] : NULL;
    sy_decision_t d = {
        .contact_id = w->contact_id,
        .journey_id = j->id,
        .journey_version = j->version,
        .from_node = f ? f->id : NULL,
        .to_node = t ? t->id : rule_node,
        .path = path,
        .cause = w->cause,
        .cause_event_id = w->event ? w->event->event_id : NULL,
        .decided_at_ms = w->t,
        .contact_id_len = w->contact_id_len,
        .journey_id_len = w->journey_id_len,
        .journey_part = j->part,
        .from_part = f ? f->id_part : NULL,
        .to_part = t ? t->id_part : NULL,
    };
    return w->engine->sink.decision(w->engine->sink.ctx, &d);
}

/* A condition's side: "then" or "else". */
static sy_err_t condition_pick(engine_walk_t *w, const journey_condition_t *c,
                               uint16_t *to, const char **path) {
    expr_env_t env;
    assert(c->then_to < w->journey->nodes_count && c->else_to < w->journey->nodes_count);
    sy_err_t err = engine_walk_env(w, &env);
    if (err != SY_OK)
        return err;
    bool holds = c->test && expr_eval_bool(c->test, &env);
    *to = holds ? c->then_to : c->else_to;
    *path = holds ? "then" : "else";
    return SY_OK;
}

sy_err_t engine_walk_timers(engine_walk_t *w, uint16_t node, int64_t entered_ms) {
    assert(node < w->journey->nodes_count);
    switch (w->journey->nodes[node].kind) {
    case JOURNEY_NODE_BRANCH:
        return engine_branch_timers(w, node, entered_ms);
    case JOURNEY_NODE_WAIT:
        return engine_wait_timers(w, node, entered_ms);
    case JOURNEY_NODE_SEND: /* a held send moved here: it passes the gate again at once */
        return engine_timer_add(w, node, entered_ms, entered_ms);
    default:
        return SY_OK;
    }
}

/* The contact rests at node (a branch or a wait) from now on: fresh seen bits, timers. */
static sy_err_t rest_at(engine_walk_t *w, uint16_t node) {
    assert(w->instance.node == node && w->instance.status == STATE_INSTANCE_ACTIVE);
    w->instance.seen_mask = 0;
    return engine_walk_timers(w, node, w->t);
}

/* A send the gate holds: a decision from the send to itself saying why and until when;
 * the contact rests at the send (entered now) with a timer at the release time. */
static sy_err_t send_hold(engine_walk_t *w, uint16_t at, const engine_verdict_t *v) {
    assert(v->kind == ENGINE_VERDICT_HELD && v->release_ms > w->t);
    sy_err_t err = decision_emit(w, at, at, NULL, v->reason);
    if (err != SY_OK)
        return err;
    w->instance.node = at;
    w->instance.node_entered_at_ms = w->t;
    return engine_timer_add(w, at, w->t, v->release_ms);
}

/* A send node: through the gate, then sent, stopped (moving on to *to with the reason as
 * *path) or held (*rest). */
static sy_err_t send_step(engine_walk_t *w, uint16_t at, uint16_t *to, const char **path,
                          bool *rest) {
    const journey_node_t *node = &w->journey->nodes[at];
    engine_verdict_t verdict;
    assert(node->kind == JOURNEY_NODE_SEND);
    *to = node->u.send.next;
    sy_err_t err = engine_safety_check(w, &node->u.send, &verdict);
    if (err != SY_OK)
        return err;
    switch (verdict.kind) {
    case ENGINE_VERDICT_SEND:
        if (node->u.send.best) /* the move on says which channel and why */
            *path = w->engine->best_path;
        return engine_render_action(w, node);
    case ENGINE_VERDICT_CAPPED:
        *to = verdict.to;
        *path = verdict.reason; /* the move on says why nothing was sent */
        return SY_OK;
    case ENGINE_VERDICT_SUPPRESSED:
        *path = verdict.reason;
        return SY_OK;
    case ENGINE_VERDICT_HELD:
        *rest = true;
        return send_hold(w, at, &verdict);
    }
    return SY_ERR_INVALID_ARG;
}

/* Run the node the contact just entered. *to and *path say where it goes next; *rest is
 * set when it stays (branch, wait, exit). */
static sy_err_t node_step(engine_walk_t *w, uint16_t at, uint16_t *to, const char **path,
                          bool *rest) {
    const journey_node_t *node = &w->journey->nodes[at];
    *path = NULL;
    switch (node->kind) {
    case JOURNEY_NODE_SEND:
        return send_step(w, at, to, path, rest);
    case JOURNEY_NODE_TASK:
        *to = node->u.task.next;
        return engine_render_action(w, node);
    case JOURNEY_NODE_UPDATE:
        *to = node->u.update.next;
        return engine_render_update(w, node);
    case JOURNEY_NODE_CONDITION:
        return condition_pick(w, &node->u.condition, to, path);
    case JOURNEY_NODE_SPLIT: {
        const journey_split_t *s = &node->u.split;
        size_t arm = engine_split_arm(s, w->contact_id, w->journey->id, node->id);
        assert(arm < s->arms_count);
        *to = s->arms[arm].to;
        *path = s->arms[arm].name;
        return SY_OK;
    }
    case JOURNEY_NODE_BRANCH:
    case JOURNEY_NODE_WAIT:
        *rest = true;
        return rest_at(w, at);
    case JOURNEY_NODE_EXIT:
        *rest = true;
        w->instance.status = STATE_INSTANCE_DONE;
        return SY_OK;
    }
    return SY_ERR_INVALID_ARG;
}

sy_err_t engine_walk_to(engine_walk_t *w, int from, uint16_t to, const char *path) {
    /* The loader guarantees every loop passes a branch or a wait, so a walk visits each
     * node at most once; the bound only stops a journey that broke that promise. */
    for (size_t steps = 0; steps <= w->journey->nodes_count; steps++) {
        /* Every move lands on a node of the journey: the loader checked each target. */
        assert(to < w->journey->nodes_count && from < (int)w->journey->nodes_count);
        sy_err_t err = decision_emit(w, from, to, NULL, path);
        if (err != SY_OK)
            return err;
        w->instance.node = to;
        w->instance.node_entered_at_ms = w->t;
        w->instance.timer = STATE_INSTANCE_TIMER_NONE; /* one of the node left is stale */
        bool rest = false;
        uint16_t next = to;
        if ((err = node_step(w, to, &next, &path, &rest)) != SY_OK || rest)
            return err;
        from = to;
        to = next;
    }
    return SY_ERR_JOURNEY;
}

sy_err_t engine_walk_resume(engine_walk_t *w) {
    uint16_t at = w->instance.node, next = at;
    const char *path = NULL;
    bool rest = false;
    assert(at < w->journey->nodes_count && w->journey->nodes[at].kind == JOURNEY_NODE_SEND);
    sy_err_t err = send_step(w, at, &next, &path, &rest);
    if (err != SY_OK || rest)
        return err;
    return engine_walk_to(w, at, next, path);
}

sy_err_t engine_walk_end(engine_walk_t *w, const char *kind, const journey_rule_t *rule) {
    char *to = w->engine->rule_node;
    assert(w->instance.status == STATE_INSTANCE_ACTIVE && kind && rule);
    int n = snprintf(to, ENGINE_RULE_NODE_BYTES, "%s:%s", kind, rule->name ? rule->name : "");
    if (n < 0 || n >= ENGINE_RULE_NODE_BYTES)
        return SY_ERR_LIMIT;
    w->instance.status = STATE_INSTANCE_DONE;
    return decision_emit(w, w->instance.node, -1, to, NULL);
}
