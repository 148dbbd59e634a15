/* engine_audience.c — audience entry: a journey whose entry is `when:` over contact.*
 * enters a contact when an update from the profiles topic turns that condition from false
 * to true. The condition is read on the stored profile just before and just after the
 * update, for every such journey, before any contact walks. Update nodes of journeys enter
 * no one, and the deploy-time scan of stored contacts is not here. */
#include "engine.h"

#include <assert.h>

#include "engine_int.h"

/* The walk's journey's `when` over the contact's profile as the engine last read it. */
static sy_err_t when_holds(engine_walk_t *w, bool *holds) {
    assert(w->journey->entry_when != NULL);
    sy_err_t err = engine_profile_load_always(w);
    if (err != SY_OK)
        return err;
    expr_env_t env = {.profile = &w->engine->profile, .now_ms = w->t};
    *holds = expr_eval_bool(w->journey->entry_when, &env);
    return SY_OK;
}

/* Which journeys of the order have `when` true for w's contact's stored profile now: bit
 * i of held. The profile is read once, afresh. */
static sy_err_t when_all(engine_walk_t *w, uint64_t held[ENGINE_INDEX_WORDS]) {
    engine_t *e = w->engine;
    assert(e->order_count <= ENGINE_INDEX_WORDS * 64);
    e->profile_loaded = false; /* the store may have changed since the last read */
    for (size_t i = 0; i < e->order_count; i++) {
        bool holds = false;
        if (!e->order[i]->entry_when)
            continue;
        w->journey = e->order[i];
        sy_err_t err = when_holds(w, &holds);
        if (err != SY_OK)
            return err;
        held[i / 64] |= (uint64_t)holds << (i % 64);
    }
    return SY_OK;
}

/* Walk w's contact into w->journey unless it is in it now or re-entry forbids it. */
static sy_err_t audience_enter(engine_walk_t *w) {
    engine_t *e = w->engine;
    const journey_t *j = w->journey;
    assert(j->entry_when && j->nodes_count > 0);
    sy_err_t err = state_store_instance_get(e->store, w->partition, w->contact_id, j->id,
                                            &w->instance, w->errbuf, w->errbuf_size);
    if (err != SY_OK && err != SY_ERR_NOT_FOUND)
        return err;
    bool found = err == SY_OK;
    if ((found && w->instance.status == STATE_INSTANCE_ACTIVE) ||
        !engine_rules_reentry_allows(w, found))
        return SY_OK;
    w->instance = (state_instance_t){.status = STATE_INSTANCE_ACTIVE,
                                     .journey_version = j->version,
                                     .occurrence = found ? w->instance.occurrence + 1 : 1,
                                     .entered_at_ms = w->t};
    w->cause = SY_CAUSE_ENTRY;
    err = engine_walk_to(w, -1, 0, NULL);
    if (err == SY_OK) {
        assert(w->instance.node < j->nodes_count); /* before it is encoded */
        err = state_store_instance_put(e->store, w->partition, w->contact_id, j->id,
                                       &w->instance);
    }
    return err;
}

static bool any_audience(const engine_t *e) {
    assert(e->order_count == 0 || e->order);
    for (size_t i = 0; i < e->order_count; i++)
        if (e->order[i]->entry_when)
            return true;
    return false;
}

sy_err_t engine_audience_on_profile(engine_t *e, int32_t partition,
                                    const sy_profile_update_t *update, char *errbuf,
                                    size_t errbuf_size) {
    assert(e && update && update->contact_id);
    bool audience = any_audience(e);
    uint64_t before[ENGINE_INDEX_WORDS] = {0}, after[ENGINE_INDEX_WORDS] = {0};
    engine_walk_t w = {.engine = e, .partition = partition, .contact_id = update->contact_id,
                       .t = update->updated_at_ms, .errbuf = errbuf,
                       .errbuf_size = errbuf_size};
    sy_err_t err = audience ? when_all(&w, before) : SY_OK;
    if (err == SY_OK)
        err = state_store_profile_apply(e->store, partition, update, errbuf, errbuf_size);
    e->profile_loaded = false;
    if (err == SY_OK)
        err = engine_safety_on_profile(e, partition, update, errbuf, errbuf_size);
    if (err != SY_OK || !audience)
        return err;
    if ((err = when_all(&w, after)) != SY_OK)
        return err;
    for (size_t i = 0; i < e->order_count && err == SY_OK; i++) {
        if (!(after[i / 64] >> (i % 64) & 1) || (before[i / 64] >> (i % 64) & 1))
            continue;
        w.journey = e->order[i];
        e->profile_loaded = false;
        err = audience_enter(&w);
    }
    return err;
}
