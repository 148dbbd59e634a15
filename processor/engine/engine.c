/* engine.c — the engine's front door: every entry point of engine.h. Open and close,
 * swapping journeys (and ordering them by priority), handing each event to every journey
 * of its contact (goals and exits first, then the node the contact waits at, else
 * entry), and firing the timers that fell due (a contact's timers due at once in
 * priority order). Node kinds and rules only decide; this file moves the contact
 * (engine_walk.c). */
#include "engine.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

sy_err_t engine_open(engine_t **out, const journey_set_t *journeys, state_store_t *store,
                     const engine_sink_t *sink, char *errbuf, size_t errbuf_size) {
    (void)errbuf;
    (void)errbuf_size;
    assert(out && journeys && store && sink && sink->decision && sink->action &&
           sink->contact_update);
    engine_t *e = calloc(1, sizeof *e);
    if (!e)
        goto fail;
    e->profile_attrs = calloc(SY_PROFILE_ATTRS_MAX, sizeof *e->profile_attrs);
    e->profile_buf = malloc(STATE_PROFILE_BYTES_MAX);
    e->profile_update = calloc(1, sizeof *e->profile_update);
    e->render_buf = malloc(ENGINE_RENDER_BYTES_MAX);
    e->order = calloc(JOURNEY_SET_MAX, sizeof *e->order);
    e->order_slots = calloc(JOURNEY_SET_MAX, sizeof *e->order_slots);
    e->timer_run = calloc(ENGINE_TIMER_RUN_MAX, sizeof *e->timer_run);
    e->call = calloc(1, sizeof *e->call);
    if (!e->profile_attrs || !e->profile_buf || !e->profile_update || !e->render_buf ||
        !e->order || !e->order_slots || !e->timer_run || !e->call)
        goto fail;
    e->store = store;
    e->sink = *sink;
    e->profile.attrs = e->profile_attrs;
    state_engagement_clear(&e->engagement); /* a record for the store to read over */
    engine_safety_conf_default(&e->safety);
    engine_journeys_set(e, journeys);
    *out = e;
    return SY_OK;
fail:
    engine_close(e);
    return SY_ERR_NOMEM;
}

void engine_close(engine_t *engine) {
    /* no assert: NULL and a half-opened engine are both closed */
    if (!engine)
        return;
    free(engine->profile_attrs);
    free(engine->profile_buf);
    free(engine->profile_update);
    free(engine->render_buf);
    free(engine->order);
    free(engine->order_slots);
    free(engine->timer_run);
    free(engine->call);
    for (size_t p = 0; p < STATE_PARTITIONS_MAX; p++)
        free(engine->calls_sweep[p]);
    engine_index_free(engine);
    free(engine);
}


/* The loaded journey with this id and version, or NULL. */
static const journey_t *journey_find(const engine_t *e, const char *id, int32_t version) {
    /* no assert: the lookup loop of every event and timer; its callers assert */
    for (size_t i = 0; i < e->journeys->count; i++) {
        const journey_t *j = e->journeys->journeys[i];
        if (j->version == version && strcmp(j->id, id) == 0)
            return j;
    }
    return NULL;
}

/* True when j is the newest loaded version of its id: new entries go there. */
static bool journey_is_latest(const journey_set_t *set, const journey_t *j) {
    assert(j->version > 0); /* the loader numbers versions from 1 */
    for (size_t i = 0; i < set->count; i++) {
        const journey_t *o = set->journeys[i];
        if (o->version > j->version && strcmp(o->id, j->id) == 0)
            return false;
    }
    return true;
}

/* The order events visit journeys in, and timer runs fire: priority descending, then id
 * ascending (one version of an id is in the order). */
static int order_cmp(const void *a, const void *b) {
    const journey_t *x = *(const journey_t *const *)a, *y = *(const journey_t *const *)b;
    assert(x != y);
    if (x->priority != y->priority)
        return x->priority > y->priority ? -1 : 1;
    return strcmp(x->id, y->id);
}

void engine_journeys_set(engine_t *engine, const journey_set_t *journeys) {
    assert(engine && journeys && journeys->count <= JOURNEY_SET_MAX);
    engine->journeys = journeys;
    engine->order_count = 0;
    for (size_t i = 0; i < journeys->count; i++)
        if (journey_is_latest(journeys, journeys->journeys[i]))
            engine->order[engine->order_count++] = journeys->journeys[i];
    qsort(engine->order, engine->order_count, sizeof *engine->order, order_cmp);
    for (size_t i = 0; i < engine->order_count; i++) {
        engine->order_slots[i] = state_store_instance_slot(engine->store, engine->order[i]->id);
        engine->order_id_lens[i] = strlen(engine->order[i]->id);
    }
    engine_index_build(engine);
}

/* Where the journey of id (len bytes, not NUL-terminated) stands in the engine's order;
 * journeys not loaded come last. Lengths first: most ids differ there. */
static size_t order_rank(const engine_t *e, const char *id, size_t len) {
    assert(e->order_count <= JOURNEY_SET_MAX);
    for (size_t i = 0; i < e->order_count; i++)
        if (e->order_id_lens[i] == len && memcmp(e->order[i]->id, id, len) == 0)
            return i;
    return e->order_count;
}

/* Carry out what the node the contact rests at decided: walk on, or stay. */
static sy_err_t move_apply(engine_walk_t *w, const engine_move_t *move, bool *changed) {
    if (!move->go)
        return SY_OK;
    /* The loader checks every path's target: a move outside the journey is a bug. */
    assert(move->to < w->journey->nodes_count && w->instance.node < w->journey->nodes_count);
    *changed = true;
    return engine_walk_to(w, w->instance.node, move->to, move->path);
}

/* An active instance: goal and exit rules first, then the node it waits at. Every event
 * kind read here must be in the engine's index (engine_index.c: journey_kinds), or the
 * journey is never asked about it. */
static sy_err_t on_event_active(engine_walk_t *w, const sy_event_t *ev, bool *changed) {
    const char *kind = NULL;
    const journey_rule_t *rule = NULL;
    engine_move_t move = {.go = false};
    assert(w->instance.status == STATE_INSTANCE_ACTIVE &&
           w->instance.node < w->journey->nodes_count);
    sy_err_t err = engine_rules_end(w, &kind, &rule);
    if (err != SY_OK)
        return err;
    if (rule) {
        *changed = true;
        return engine_walk_end(w, kind, rule);
    }
    switch (w->journey->nodes[w->instance.node].kind) {
    case JOURNEY_NODE_BRANCH:
        err = engine_branch_on_event(w, ev, changed, &move);
        break;
    case JOURNEY_NODE_WAIT:
        err = engine_wait_on_event(w, ev, changed, &move);
        break;
    default: /* a held send (or a node contacts never rest at) ignores other events */
        return SY_OK;
    }
    return err == SY_OK ? move_apply(w, &move, changed) : err;
}

/* A contact without an active instance: walk it in when the entry rule admits it. */
static sy_err_t on_event_entry(engine_walk_t *w, bool found, bool *changed) {
    bool entered = false;
    assert(!found || w->instance.status != STATE_INSTANCE_ACTIVE);
    sy_err_t err = engine_rules_entry(w, found, &entered);
    if (err != SY_OK || !entered)
        return err;
    assert(w->instance.status == STATE_INSTANCE_ACTIVE && w->journey->nodes_count > 0);
    *changed = true;
    return engine_walk_to(w, -1, 0, NULL);
}

/* Set every field of w but its instance, which the caller reads from the store (or
 * clears when there is none): field by field, where an initializer would clear the whole
 * walk, instance included, on every event and timer. */
static void walk_begin(engine_walk_t *w, engine_t *e, int32_t partition,
                       const char *contact_id, sy_cause_t cause, const sy_event_t *ev,
                       int64_t t, char *errbuf, size_t errbuf_size) {
    assert(e && contact_id && errbuf);
    w->engine = e;
    w->partition = partition;
    w->contact_id = contact_id;
    w->journey = NULL;
    w->contact_id_len = w->journey_id_len = 0; /* see walk_key_set */
    w->key = NULL; /* set with the lengths, once the instance key is made */
    w->cause = cause;
    w->event = ev;
    w->t = t;
    w->errbuf = errbuf;
    w->errbuf_size = errbuf_size;
    w->best_chosen = false;
    w->best_channel = (sy_channel_t)0;
}

/* The ids' lengths of w from its instance key (borrowed, w's key from now on), made of w's
 * contact and journey ids: the partition's 2 bytes, the contact id, a NUL, the journey id. */
static inline void walk_key_set(engine_walk_t *w, const state_instance_key_t *key) {
    /* no assert: two stores on every journey read; state_instance_key_* made the key, its
     * ids within SY_ID_BYTES_MAX, and the rules check the lengths again */
    w->contact_id_len = (uint16_t)(key->contact_len - 2);
    w->journey_id_len = (uint16_t)(key->len - key->contact_len - 1);
    w->key = key;
}

/* The event in journey e->order[order_i]. key: the contact's instance key (its part made;
 * the journey's is set here, with the journey's slot and id length from the order). */
static sy_err_t on_event_journey(engine_t *e, int32_t partition, size_t order_i,
                                 const sy_event_t *ev, state_instance_key_t *key,
                                 char *errbuf, size_t errbuf_size) {
    const journey_t *latest = e->order[order_i];
    engine_walk_t w;
    walk_begin(&w, e, partition, ev->contact_id, SY_CAUSE_EVENT, ev, ev->occurred_at_ms,
               errbuf, errbuf_size);
    w.journey = latest;
    bool changed = false;
    assert(latest && ev->contact_id);
    sy_err_t err = state_instance_key_journey_len(key, latest->id, e->order_id_lens[order_i],
                                                  e->order_slots[order_i]);
    if (err == SY_OK)
        err = state_store_instance_get_at(e->store, key, &w.instance, errbuf, errbuf_size);
    if (err != SY_OK && err != SY_ERR_NOT_FOUND)
        return err;
    bool found = err == SY_OK;
    walk_key_set(&w, key);
    if (!found)
        w.instance = (state_instance_t){0}; /* none: entry reads it as a fresh one */
    if (found && w.instance.status == STATE_INSTANCE_ACTIVE) {
        w.journey = w.instance.journey_version == latest->version
                        ? latest /* mostly: only a migration leaves older ones behind */
                        : journey_find(e, latest->id, w.instance.journey_version);
        if (!w.journey)
            return SY_OK; /* its version is no longer loaded: it waits for it */
        err = on_event_active(&w, ev, &changed);
    } else {
        err = on_event_entry(&w, found, &changed);
    }
    if (err == SY_OK && changed) {
        assert(w.instance.node < w.journey->nodes_count); /* before it is encoded */
        err = state_store_instance_put_at(e->store, key, &w.instance);
    }
    return err;
}

sy_err_t engine_journeys_on_event(engine_t *e, int32_t partition, const sy_event_t *event,
                                  char *errbuf, size_t errbuf_size) {
    sy_err_t err;
    assert(e && event && event->contact_id);
    /* Only the journeys that read this kind of event: the others would read the
     * contact's instance and leave it as it is. */
    uint64_t reads[ENGINE_INDEX_WORDS];
    engine_index_journeys(e, event, reads);
    /* The contact's part of the instance key once, for every journey read. */
    state_instance_key_t key;
    bool key_made = false;
    /* The set bits in order, a word at a time; those past the order count are not
     * journeys (an index that asks every journey sets them all). */
    for (size_t word = 0; word * 64 < e->order_count; word++) {
        uint64_t bits = reads[word];
        size_t left = e->order_count - word * 64;
        if (left < 64)
            bits &= (UINT64_C(1) << left) - 1;
        for (; bits; bits &= bits - 1) {
            size_t i = word * 64 + (size_t)__builtin_ctzll(bits);
            if (!key_made && (err = state_instance_key_contact(&key, partition,
                                                               event->contact_id)) != SY_OK)
                return err;
            key_made = true;
            err = on_event_journey(e, partition, i, event, &key, errbuf, errbuf_size);
            if (err != SY_OK)
                return err;
        }
    }
    return SY_OK;
}

sy_err_t engine_on_profile(engine_t *e, int32_t partition, const sy_profile_update_t *update,
                           char *errbuf, size_t errbuf_size) {
    assert(e && update && update->contact_id);
    e->profile_loaded = false; /* a new input: its contact's profile is read afresh */
    e->engagement_loaded = false;
    /* Stored, then seen by the gate, then audience entries (engine_audience.c). */
    return engine_audience_on_profile(e, partition, update, errbuf, errbuf_size);
}

sy_err_t engine_schedule_node_timers(engine_t *engine, int32_t partition,
                                     const char *contact_id, const journey_t *journey,
                                     state_instance_t *instance) {
    char errbuf[256];
    assert(engine && contact_id && journey && instance);
    if (instance->node >= journey->nodes_count)
        return SY_ERR_INVALID_ARG;
    engine_walk_t w = {.engine = engine, .partition = partition, .contact_id = contact_id,
                       .journey = journey, .cause = SY_CAUSE_TIMER,
                       .t = instance->node_entered_at_ms, .instance = *instance,
                       .errbuf = errbuf, .errbuf_size = sizeof errbuf};
    w.instance.timer = STATE_INSTANCE_TIMER_NONE; /* any timer of where it was is stale */
    engine->profile_loaded = false;
    engine->engagement_loaded = false;
    sy_err_t err = engine_walk_timers(&w, instance->node, instance->node_entered_at_ms);
    if (err == SY_OK) {
        instance->timer = w.instance.timer;
        instance->timer_due_ms = w.instance.timer_due_ms;
    }
    return err;
}

/* What the node w rests at decides when its timer fires. */
static sy_err_t on_timer_node(engine_walk_t *w, uint16_t node, bool *changed) {
    engine_move_t move = {.go = false};
    sy_err_t err;
    assert(node == w->instance.node && node < w->journey->nodes_count);
    switch (w->journey->nodes[node].kind) {
    case JOURNEY_NODE_BRANCH:
        err = engine_branch_on_timer(w, &move);
        break;
    case JOURNEY_NODE_WAIT:
        err = engine_wait_on_timer(w, &move);
        break;
    case JOURNEY_NODE_SEND: /* a held send: through the gate again */
        *changed = true;
        return engine_walk_resume(w);
    default:
        return SY_OK;
    }
    return err == SY_OK ? move_apply(w, &move, changed) : err;
}

static sy_err_t fire_timer(engine_t *e, const state_timer_t *timer, int64_t now_ms,
                           char *errbuf, size_t errbuf_size) {
    assert(timer->due_ms <= now_ms); /* the store hands out due timers only */
    engine_walk_t w; /* its instance is read below; a timer without one returns */
    walk_begin(&w, e, timer->partition, timer->contact_id, SY_CAUSE_TIMER, NULL,
               timer->due_ms, errbuf, errbuf_size);
    state_instance_key_t key; /* made once for the read and the write */
    sy_err_t err = state_timer_instance_key(timer, &key);
    if (err != SY_OK)
        return err;
    /* the journey id's length: the key's, after the contact's part and its NUL */
    size_t rank = order_rank(e, timer->journey_id, key.len - key.contact_len - 1);
    const journey_t *latest = rank < e->order_count ? e->order[rank] : NULL;
    key.slot = latest ? e->order_slots[rank] : -1;
    err = state_store_instance_get_at(e->store, &key, &w.instance, errbuf, errbuf_size);
    if (err == SY_ERR_NOT_FOUND)
        return SY_OK;
    if (err != SY_OK)
        return err;
    if (!state_timer_live(&w.instance, timer))
        return SY_OK;
    w.journey = latest && latest->version == w.instance.journey_version
                    ? latest
                    : journey_find(e, timer->journey_id, w.instance.journey_version);
    if (!w.journey || timer->node >= w.journey->nodes_count)
        return SY_OK;
    walk_key_set(&w, &key);
    e->profile_loaded = false;
    e->engagement_loaded = false;
    w.instance.timer = STATE_INSTANCE_TIMER_NONE; /* fired: the node sets the next, if any */
    bool changed = true;
    err = on_timer_node(&w, timer->node, &changed);
    if (err == SY_OK && changed) {
        assert(w.instance.node < w.journey->nodes_count); /* before it is encoded */
        err = state_store_instance_put_at(e->store, &key, &w.instance);
    }
    return err;
}

/* Take the run of timers that starts with the due timer in e->timer_run[0] (already taken
 * from the index): the next ones due at the same time for the same contact, in other
 * journeys (the index keeps them adjacent). *count of them in e->timer_run, in priority
 * order. Each is read straight into its place in the run. */
static sy_err_t timer_run_take(engine_t *e, size_t *count, char *errbuf, size_t errbuf_size) {
    state_timer_t *run = e->timer_run;
    size_t rank[ENGINE_TIMER_RUN_MAX], n = 1;
    sy_err_t err = SY_OK;
    assert(e->order_count <= JOURNEY_SET_MAX);
    while (n < ENGINE_TIMER_RUN_MAX &&
           (err = state_store_timer_take_run(e->store, &run[0], &run[n], errbuf,
                                             errbuf_size)) == SY_OK)
        n++;
    if (err != SY_OK && err != SY_ERR_NOT_FOUND)
        return err;
    /* Insertion sort by rank: a run is a handful of journeys. */
    for (size_t i = 0; i < n && n > 1; i++) {
        state_timer_t t = run[i];
        size_t r = order_rank(e, t.journey_id, strlen(t.journey_id)), k = i;
        for (; k > 0 && rank[k - 1] > r; k--) {
            run[k] = run[k - 1];
            rank[k] = rank[k - 1];
        }
        run[k] = t;
        rank[k] = r;
    }
    *count = n;
    return SY_OK;
}

sy_err_t engine_fire_timers(engine_t *e, int32_t partition, int64_t now_ms, size_t *fired,
                            char *errbuf, size_t errbuf_size) {
    sy_err_t err;
    size_t count = 0;
    assert(e && fired);
    *fired = 0;
    while ((err = state_store_timer_take(e->store, partition, now_ms, &e->timer_run[0], errbuf,
                                         errbuf_size)) == SY_OK) {
        if ((err = timer_run_take(e, &count, errbuf, errbuf_size)) != SY_OK)
            return err;
        for (size_t i = 0; i < count; i++) {
            if ((err = fire_timer(e, &e->timer_run[i], now_ms, errbuf, errbuf_size)) != SY_OK)
                return err;
            (*fired)++;
        }
    }
    return err == SY_ERR_NOT_FOUND ? SY_OK : err;
}

sy_err_t engine_advance_stream_time(engine_t *e, int32_t partition, int64_t event_ms,
                                    size_t *fired, char *errbuf, size_t errbuf_size) {
    *fired = 0;
    if (event_ms <= state_store_stream_time_get(e->store, partition))
        return SY_OK;
    assert(event_ms > INT64_MIN); /* above the stream time: event_ms - 1 is defined */
    sy_err_t err = engine_fire_timers(e, partition, event_ms - 1, fired, errbuf, errbuf_size);
    if (err == SY_OK)
        state_store_stream_time_set(e->store, partition, event_ms);
    return err;
}
