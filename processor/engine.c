/* engine.c — the journey walk: entry, send/update/exit steps, and the multi-engagement
 * branch that waits on a message's outcomes and its timers. All times are event times,
 * so the same input gives the same output. */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action_id.h"

struct engine {
    const journey_set_t *journeys;
    state_store_t *store;
    engine_sink_t sink;
};

/* One contact's walk through one journey, caused by one event or timer at time t. */
typedef struct walk {
    engine_t *engine;
    int32_t partition;
    const char *contact_id;
    const journey_t *journey;
    state_instance_t instance;
    sy_cause_t cause;
    const char *cause_event_id; /* NULL for timers */
    int64_t t;
} walk_t;

sy_err_t engine_open(engine_t **out, const journey_set_t *journeys, state_store_t *store,
                     const engine_sink_t *sink, char *errbuf, size_t errbuf_size) {
    (void)errbuf;
    (void)errbuf_size;
    engine_t *e = calloc(1, sizeof *e);
    if (!e)
        return SY_ERR_NOMEM;
    e->journeys = journeys;
    e->store = store;
    e->sink = *sink;
    *out = e;
    return SY_OK;
}

void engine_close(engine_t *engine) { free(engine); }

static uint32_t match_mask(const journey_event_match_t *matches, size_t count) {
    uint32_t mask = 0;
    for (size_t i = 0; i < count; i++)
        mask |= UINT32_C(1) << matches[i].type;
    return mask;
}

int engine_branch_eval(const journey_branch_t *branch, uint32_t seen_mask,
                       int64_t entered_ms, int64_t t) {
    for (size_t i = 0; i < branch->paths_count; i++) {
        const journey_path_t *p = &branch->paths[i];
        if (p->within_ms > 0 && t > entered_ms + p->within_ms)
            continue;
        if (p->after_ms > 0 && t < entered_ms + p->after_ms)
            continue;
        uint32_t when = match_mask(p->when, p->when_count);
        if ((seen_mask & when) != when)
            continue;
        if (seen_mask & match_mask(p->unless, p->unless_count))
            continue;
        return (int)i;
    }
    if (t >= entered_ms + branch->otherwise_after_ms)
        return (int)branch->paths_count;
    return -1;
}

static sy_err_t emit_decision(walk_t *w, int from, uint16_t to, const char *path) {
    const journey_t *j = w->journey;
    sy_decision_t d = {
        .contact_id = w->contact_id,
        .journey_id = j->id,
        .journey_version = j->version,
        .from_node = from >= 0 ? j->nodes[from].id : NULL,
        .to_node = j->nodes[to].id,
        .path = path,
        .cause = w->cause,
        .cause_event_id = w->cause_event_id,
        .decided_at_ms = w->t,
    };
    return w->engine->sink.decision(w->engine->sink.ctx, &d);
}

static sy_err_t emit_action(walk_t *w, const journey_node_t *node) {
    char action_id[ACTION_ID_BYTES];
    const journey_send_t *send = &node->u.send;
    sy_action_t a = {
        .action_id = action_id,
        .contact_id = w->contact_id,
        .channel = send->channel,
        .template_id = send->template_id,
        .not_before_ms = w->t,
        .journey_id = w->journey->id,
        .journey_version = w->journey->version,
        .node_id = node->id,
        .occurrence = (int32_t)w->instance.occurrence,
        .tracking_number = NULL,
        .params_count = send->params_count,
    };
    if (send->params_count > SY_ACTION_PARAMS_MAX)
        return SY_ERR_LIMIT;
    if (send->params_count)
        memcpy(a.params, send->params, send->params_count * sizeof *send->params);
    action_id_format(action_id, w->contact_id, w->journey->id, w->journey->version,
                     node->id, w->instance.occurrence);
    return w->engine->sink.action(w->engine->sink.ctx, &a);
}

static sy_err_t emit_update(walk_t *w, const journey_node_t *node) {
    sy_contact_update_t u = {
        .contact_id = w->contact_id,
        .journey_id = w->journey->id,
        .journey_version = w->journey->version,
        .node_id = node->id,
        .op = node->u.update.op,
        .name = node->u.update.name,
        .value = node->u.update.value,
        .at_ms = w->t,
    };
    return w->engine->sink.contact_update(w->engine->sink.ctx, &u);
}

/* A timer for each moment the branch's answer can change without an event: every
 * path's `after`, and the close of the node. */
static sy_err_t schedule_branch_timers(walk_t *w, uint16_t node_index) {
    const journey_branch_t *b = &w->journey->nodes[node_index].u.branch;
    state_timer_t timer = {.partition = w->partition, .node = node_index,
                           .node_entered_at_ms = w->t};
    snprintf(timer.contact_id, sizeof timer.contact_id, "%s", w->contact_id);
    snprintf(timer.journey_id, sizeof timer.journey_id, "%s", w->journey->id);
    for (size_t i = 0; i <= b->paths_count; i++) {
        int64_t delay = i < b->paths_count ? b->paths[i].after_ms : b->otherwise_after_ms;
        int duplicate = delay <= 0 || (i < b->paths_count && delay == b->otherwise_after_ms);
        for (size_t k = 0; k < i && !duplicate; k++)
            duplicate = b->paths[k].after_ms == delay;
        if (duplicate)
            continue;
        timer.due_ms = w->t + delay;
        sy_err_t err = state_store_timer_add(w->engine->store, &timer);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}

/* Move from node `from` (-1 on entry) to `to` and on through sends and updates until
 * the contact waits at a branch or exits. Validation made the graph acyclic. */
static sy_err_t walk_to(walk_t *w, int from, uint16_t to, const char *path) {
    for (;;) {
        sy_err_t err = emit_decision(w, from, to, path);
        if (err != SY_OK)
            return err;
        const journey_node_t *node = &w->journey->nodes[to];
        w->instance.node = to;
        w->instance.node_entered_at_ms = w->t;
        switch (node->kind) {
        case JOURNEY_NODE_SEND:
            err = emit_action(w, node);
            from = to;
            to = node->u.send.next;
            break;
        case JOURNEY_NODE_UPDATE:
            err = emit_update(w, node);
            from = to;
            to = node->u.update.next;
            break;
        case JOURNEY_NODE_BRANCH:
            w->instance.seen_mask = 0;
            return schedule_branch_timers(w, to);
        case JOURNEY_NODE_EXIT:
            w->instance.status = STATE_INSTANCE_DONE;
            return SY_OK;
        default: /* the full language's kinds arrive with issue 3 */
            return SY_ERR_INVALID_ARG;
        }
        if (err != SY_OK)
            return err;
        path = NULL;
    }
}

static sy_err_t take_path(walk_t *w, int path_index) {
    const journey_branch_t *b = &w->journey->nodes[w->instance.node].u.branch;
    int from = w->instance.node;
    if ((size_t)path_index == b->paths_count)
        return walk_to(w, from, b->otherwise_to, b->otherwise_name);
    return walk_to(w, from, b->paths[path_index].to, b->paths[path_index].name);
}

/* The loaded journey with this id and version, or NULL. */
static const journey_t *journey_find(const journey_set_t *set, const char *id,
                                     int32_t version) {
    for (size_t i = 0; i < set->count; i++) {
        const journey_t *j = set->journeys[i];
        if (j->version == version && strcmp(j->id, id) == 0)
            return j;
    }
    return NULL;
}

/* True when j is the newest loaded version of its id: new entries go there. */
static int journey_is_latest(const journey_set_t *set, const journey_t *j) {
    for (size_t i = 0; i < set->count; i++) {
        const journey_t *o = set->journeys[i];
        if (o->version > j->version && strcmp(o->id, j->id) == 0)
            return 0;
    }
    return 1;
}

static int event_matches(const journey_event_match_t *m, const sy_event_t *ev) {
    if (m->channel != ev->channel || m->type != ev->type)
        return 0;
    return m->type != SY_EVENT_CUSTOM || (ev->name && strcmp(m->name, ev->name) == 0);
}

/* Does ev report an outcome of the message the contact's branch waits on? By message id
 * (the action id providers echo back), else by journey and node. */
static int event_refers_to_message(const walk_t *w, const journey_branch_t *b,
                                   const sy_event_t *ev) {
    const journey_node_t *msg = &w->journey->nodes[b->message_node];
    if (ev->channel != msg->u.send.channel)
        return 0;
    if (ev->message_id) {
        char id[ACTION_ID_BYTES];
        action_id_format(id, w->contact_id, w->journey->id, w->journey->version, msg->id,
                         w->instance.occurrence);
        return strcmp(id, ev->message_id) == 0;
    }
    return ev->journey_id && ev->node_id && strcmp(ev->journey_id, w->journey->id) == 0 &&
           strcmp(ev->node_id, msg->id) == 0;
}

static sy_err_t on_event_active(walk_t *w, const sy_event_t *ev, int *changed) {
    const journey_node_t *node = &w->journey->nodes[w->instance.node];
    if (node->kind != JOURNEY_NODE_BRANCH || !event_refers_to_message(w, &node->u.branch, ev))
        return SY_OK;
    *changed = 1;
    w->instance.seen_mask |= UINT32_C(1) << ev->type;
    int path = engine_branch_eval(&node->u.branch, w->instance.seen_mask,
                                  w->instance.node_entered_at_ms, w->t);
    return path >= 0 ? take_path(w, path) : SY_OK;
}

static sy_err_t on_event_journey(engine_t *e, int32_t partition, const journey_t *latest,
                                 const sy_event_t *ev, char *errbuf, size_t errbuf_size) {
    walk_t w = {.engine = e, .partition = partition, .contact_id = ev->contact_id,
                .journey = latest, .cause = SY_CAUSE_EVENT,
                .cause_event_id = ev->event_id, .t = ev->occurred_at_ms};
    int changed = 0;
    sy_err_t err = state_store_instance_get(e->store, partition, ev->contact_id, latest->id,
                                            &w.instance, errbuf, errbuf_size);
    if (err != SY_OK && err != SY_ERR_NOT_FOUND)
        return err;
    int active = err == SY_OK && w.instance.status == STATE_INSTANCE_ACTIVE;
    if (active) {
        w.journey = journey_find(e->journeys, latest->id, w.instance.journey_version);
        if (!w.journey)
            return SY_OK; /* its version is no longer loaded: it waits for it */
        err = on_event_active(&w, ev, &changed);
    } else if (event_matches(&latest->entry, ev)) {
        uint32_t occurrence = err == SY_OK ? w.instance.occurrence + 1 : 1;
        w.instance = (state_instance_t){.status = STATE_INSTANCE_ACTIVE,
                                        .journey_version = latest->version,
                                        .occurrence = occurrence,
                                        .entered_at_ms = ev->occurred_at_ms};
        w.cause = SY_CAUSE_ENTRY;
        changed = 1;
        err = walk_to(&w, -1, 0, NULL);
    } else {
        return SY_OK;
    }
    if (err == SY_OK && changed)
        err = state_store_instance_put(e->store, partition, ev->contact_id, latest->id,
                                       &w.instance);
    return err;
}

sy_err_t engine_on_event(engine_t *e, int32_t partition, const sy_event_t *event,
                         char *errbuf, size_t errbuf_size) {
    for (size_t i = 0; i < e->journeys->count; i++) {
        const journey_t *j = e->journeys->journeys[i];
        if (!journey_is_latest(e->journeys, j))
            continue;
        sy_err_t err = on_event_journey(e, partition, j, event, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}

static sy_err_t fire_timer(engine_t *e, const state_timer_t *timer, char *errbuf,
                           size_t errbuf_size) {
    walk_t w = {.engine = e, .partition = timer->partition,
                .contact_id = timer->contact_id, .cause = SY_CAUSE_TIMER,
                .t = timer->due_ms};
    sy_err_t err = state_store_instance_get(e->store, timer->partition, timer->contact_id,
                                            timer->journey_id, &w.instance, errbuf,
                                            errbuf_size);
    if (err == SY_ERR_NOT_FOUND)
        return SY_OK;
    if (err != SY_OK)
        return err;
    /* Stale: the contact moved on (or re-entered) since the timer was set. */
    if (w.instance.status != STATE_INSTANCE_ACTIVE || w.instance.node != timer->node ||
        w.instance.node_entered_at_ms != timer->node_entered_at_ms)
        return SY_OK;
    w.journey = journey_find(e->journeys, timer->journey_id, w.instance.journey_version);
    if (!w.journey || w.journey->nodes[timer->node].kind != JOURNEY_NODE_BRANCH)
        return SY_OK;
    const journey_branch_t *b = &w.journey->nodes[timer->node].u.branch;
    int path = engine_branch_eval(b, w.instance.seen_mask, w.instance.node_entered_at_ms,
                                  w.t);
    if (path < 0)
        return SY_OK;
    err = take_path(&w, path);
    if (err == SY_OK)
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
