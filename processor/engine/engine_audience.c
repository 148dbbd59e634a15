/* engine_audience.c — audience entry: a journey whose entry is `when:` over contact.*
 * enters a contact when an update from the profiles topic turns that condition from false
 * to true. The condition is read on the stored profile just before and just after the
 * update, for every such journey, before any contact walks. Update nodes of journeys enter
 * no one. Also the deploy-time scan's slice (`on_deploy: scan`): the stored contacts that
 * already match enter; when a slice runs and where its cursor lives is the caller's. */
#include "engine.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

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

/* Walk w's contact into w->journey unless it is in it now or re-entry forbids it; a scan
 * also skips a contact that entered this version before, by any path (a profile change
 * during the scan, a scan slice redone). *entered says whether it entered. */
static sy_err_t audience_enter(engine_walk_t *w, bool scan, bool *entered) {
    engine_t *e = w->engine;
    const journey_t *j = w->journey;
    assert(j->entry_when && j->nodes_count > 0);
    sy_err_t err = state_store_instance_get(e->store, w->partition, w->contact_id, j->id,
                                            &w->instance, w->errbuf, w->errbuf_size);
    if (err != SY_OK && err != SY_ERR_NOT_FOUND)
        return err;
    bool found = err == SY_OK;
    *entered = false;
    if ((found && w->instance.status == STATE_INSTANCE_ACTIVE) ||
        (scan && found && w->instance.journey_version == j->version) ||
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
    *entered = err == SY_OK;
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
        bool entered;
        w.journey = e->order[i];
        e->profile_loaded = false;
        err = audience_enter(&w, false, &entered);
    }
    return err;
}

/* One slice of a scan: the walk's journey, and how many of the visited contacts entered. */
typedef struct scan_slice {
    engine_walk_t walk;
    uint64_t entered;
    char *last; /* the last contact visited: the cursor (scan_t's, borrowed) */
} scan_slice_t;

static sy_err_t scan_visit(void *ctx, int32_t partition, const char *contact_id) {
    scan_slice_t *slice = ctx;
    engine_walk_t *w = &slice->walk;
    engine_t *e = w->engine;
    bool holds = false, entered = false;
    assert(partition == w->partition && strlen(contact_id) <= SY_ID_BYTES_MAX);
    w->contact_id = contact_id;
    e->profile_loaded = false; /* a new contact: its profile and engagement read afresh */
    e->engagement_loaded = false;
    sy_err_t err = when_holds(w, &holds);
    if (err == SY_OK && holds)
        err = audience_enter(w, true, &entered);
    slice->entered += entered;
    snprintf(slice->last, SY_ID_BYTES_MAX + 1, "%s", contact_id);
    return err;
}

sy_err_t engine_audience_scan(engine_t *e, int32_t partition, const journey_t *journey,
                              int64_t t_ms, size_t max, state_scan_t *scan, char *errbuf,
                              size_t errbuf_size) {
    assert(e && journey && scan && max > 0);
    if (!journey->entry_when || !journey->entry_scan || journey->nodes_count == 0) {
        snprintf(errbuf, errbuf_size, "journey %s has no on_deploy: scan", journey->id);
        return SY_ERR_INVALID_ARG;
    }
    if (scan->done)
        return SY_OK;
    char cursor[SY_ID_BYTES_MAX + 1];
    snprintf(cursor, sizeof cursor, "%s", scan->cursor);
    scan_slice_t slice = {.walk = {.engine = e, .partition = partition, .journey = journey,
                                   .t = t_ms, .errbuf = errbuf, .errbuf_size = errbuf_size},
                          .last = scan->cursor};
    size_t visited = 0;
    sy_err_t err = state_store_profiles_after(e->store, partition, cursor, max, scan_visit,
                                              &slice, &visited, errbuf, errbuf_size);
    e->profile_loaded = false;
    e->engagement_loaded = false;
    if (err != SY_OK)
        return err;
    scan->scanned += visited;
    scan->entered += slice.entered;
    scan->done = visited < max;
    return state_store_scan_put(e->store, partition, journey->id, journey->version, scan);
}
