/* engine.c — the engine's entry points: open and close, swapping journeys, and handing
 * each event to every journey of its contact (goals and exits first, then the node the
 * contact waits at, else entry). The walk itself is engine_walk.c; timers engine_timer.c. */
#include "engine.h"

#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

sy_err_t engine_open(engine_t **out, const journey_set_t *journeys, state_store_t *store,
                     const engine_sink_t *sink, char *errbuf, size_t errbuf_size) {
    (void)errbuf;
    (void)errbuf_size;
    engine_t *e = calloc(1, sizeof *e);
    if (!e)
        goto fail;
    e->profile_attrs = calloc(SY_PROFILE_ATTRS_MAX, sizeof *e->profile_attrs);
    e->profile_buf = malloc(STATE_PROFILE_BYTES_MAX);
    e->profile_update = calloc(1, sizeof *e->profile_update);
    e->render_buf = malloc(ENGINE_RENDER_BYTES_MAX);
    if (!e->profile_attrs || !e->profile_buf || !e->profile_update || !e->render_buf)
        goto fail;
    e->journeys = journeys;
    e->store = store;
    e->sink = *sink;
    e->profile.attrs = e->profile_attrs;
    *out = e;
    return SY_OK;
fail:
    engine_close(e);
    return SY_ERR_NOMEM;
}

void engine_close(engine_t *engine) {
    if (!engine)
        return;
    free(engine->profile_attrs);
    free(engine->profile_buf);
    free(engine->profile_update);
    free(engine->render_buf);
    free(engine);
}

void engine_journeys_set(engine_t *engine, const journey_set_t *journeys) {
    engine->journeys = journeys;
}

const journey_t *engine_journey_find(const engine_t *e, const char *id, int32_t version) {
    for (size_t i = 0; i < e->journeys->count; i++) {
        const journey_t *j = e->journeys->journeys[i];
        if (j->version == version && strcmp(j->id, id) == 0)
            return j;
    }
    return NULL;
}

/* True when j is the newest loaded version of its id: new entries go there. */
static bool journey_is_latest(const journey_set_t *set, const journey_t *j) {
    for (size_t i = 0; i < set->count; i++) {
        const journey_t *o = set->journeys[i];
        if (o->version > j->version && strcmp(o->id, j->id) == 0)
            return false;
    }
    return true;
}

/* An active instance: goal and exit rules first, then the node it waits at. */
static sy_err_t on_event_active(engine_walk_t *w, const sy_event_t *ev, bool *changed) {
    bool ended = false;
    sy_err_t err = engine_rules_end(w, &ended);
    if (err != SY_OK || ended) {
        *changed = ended;
        return err;
    }
    switch (w->journey->nodes[w->instance.node].kind) {
    case JOURNEY_NODE_BRANCH:
        return engine_branch_on_event(w, ev, changed);
    case JOURNEY_NODE_WAIT:
        return engine_wait_on_event(w, ev, changed);
    default: /* contacts only rest at branches and waits */
        return SY_OK;
    }
}

static sy_err_t on_event_journey(engine_t *e, int32_t partition, const journey_t *latest,
                                 const sy_event_t *ev, char *errbuf, size_t errbuf_size) {
    engine_walk_t w = {.engine = e, .partition = partition, .contact_id = ev->contact_id,
                       .journey = latest, .cause = SY_CAUSE_EVENT, .event = ev,
                       .t = ev->occurred_at_ms, .errbuf = errbuf,
                       .errbuf_size = errbuf_size};
    bool changed = false;
    sy_err_t err = state_store_instance_get(e->store, partition, ev->contact_id, latest->id,
                                            &w.instance, errbuf, errbuf_size);
    if (err != SY_OK && err != SY_ERR_NOT_FOUND)
        return err;
    bool found = err == SY_OK;
    if (found && w.instance.status == STATE_INSTANCE_ACTIVE) {
        w.journey = engine_journey_find(e, latest->id, w.instance.journey_version);
        if (!w.journey)
            return SY_OK; /* its version is no longer loaded: it waits for it */
        err = on_event_active(&w, ev, &changed);
    } else {
        err = engine_rules_entry(&w, found, &changed);
    }
    if (err == SY_OK && changed)
        err = state_store_instance_put(e->store, partition, ev->contact_id, latest->id,
                                       &w.instance);
    return err;
}

sy_err_t engine_on_event(engine_t *e, int32_t partition, const sy_event_t *event,
                         char *errbuf, size_t errbuf_size) {
    e->profile_loaded = false; /* a new input: its contact's profile is read afresh */
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
