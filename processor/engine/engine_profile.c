/* engine_profile.c — the contact profile as the engine sees it: read from the state store
 * into buffers the engine allocated at open, at most once per input and only for journeys
 * that read it; the evaluation environment built on it; set/unset attribute updates
 * (flags as the bool true) written back so later steps see them; and profile updates
 * from the profiles topic. */
#include "engine.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

/* Does any step of this walk read the profile? Only a journey that declares attributes
 * can (expressions and templates), or one with a time-of-day wait (the time zone). */
static bool journey_reads_profile(const journey_t *j) {
    assert(j->attrs_count == 0 || j->attrs);
    if (j->attrs_count > 0 || j->reads_flags)
        return true;
    for (size_t i = 0; i < j->nodes_count; i++)
        if (j->nodes[i].kind == JOURNEY_NODE_WAIT &&
            j->nodes[i].u.wait.kind == JOURNEY_WAIT_TIME_OF_DAY)
            return true;
    return false;
}

/* Read the profile of w's contact into the engine's buffers. */
static sy_err_t profile_read(engine_walk_t *w) {
    engine_t *e = w->engine;
    size_t count = 0;
    assert(w->partition >= 0 && w->contact_id);
    sy_err_t err =
        w->key ? state_store_profile_get_at(e->store, w->key, e->profile_attrs,
                                            SY_PROFILE_ATTRS_MAX, &count, e->profile_buf,
                                            STATE_PROFILE_BYTES_MAX, w->errbuf, w->errbuf_size)
               : state_store_profile_get(e->store, w->partition, w->contact_id,
                                         e->profile_attrs, SY_PROFILE_ATTRS_MAX, &count,
                                         e->profile_buf, STATE_PROFILE_BYTES_MAX, w->errbuf,
                                         w->errbuf_size);
    if (err != SY_OK)
        return err;
    assert(count <= SY_PROFILE_ATTRS_MAX);
    e->profile.count = count;
    e->profile_loaded = true;
    return SY_OK;
}

sy_err_t engine_profile_load(engine_walk_t *w) {
    engine_t *e = w->engine;
    assert(e != NULL);
    if (e->profile_loaded)
        return SY_OK;
    if (!journey_reads_profile(w->journey)) {
        e->profile.count = 0; /* nothing reads it: an empty profile, not loaded */
        return SY_OK;
    }
    return profile_read(w);
}

sy_err_t engine_profile_load_always(engine_walk_t *w) {
    assert(w->engine != NULL);
    return w->engine->profile_loaded ? SY_OK : profile_read(w);
}

/* bsearch's order of a name against an attribute: the profile is sorted by name. */
static int attr_name_cmp(const void *name, const void *attr) {
    /* no assert: bsearch's comparator, called with the pointers it was given */
    return strcmp(name, ((const sy_attr_t *)attr)->name);
}

const char *engine_profile_zone(const engine_t *e, const char *attr) {
    if (!attr || e->profile.count == 0)
        return NULL;
    assert(e->profile.count <= SY_PROFILE_ATTRS_MAX);
    const sy_attr_t *a = bsearch(attr, e->profile.attrs, e->profile.count, sizeof *a,
                                 attr_name_cmp);
    return a && a->value.kind == SY_VALUE_STRING ? a->value.u.s : NULL;
}

/* The declared type of attribute name in j, or -1 when j does not declare it. */
static int attr_type(const journey_t *j, const char *name) {
    assert(name);
    for (size_t i = 0; i < j->attrs_count; i++)
        if (strcmp(j->attrs[i].name, name) == 0)
            return (int)j->attrs[i].type;
    return -1;
}

/* A rendered value typed as the journey declares the attribute, so expressions read it
 * back as that type; text that does not parse as it stays a string. */
static sy_value_t value_typed(const journey_t *j, const char *name, const char *text) {
    assert(text);
    sy_value_t v = {.kind = SY_VALUE_STRING, .u.s = text};
    int type = attr_type(j, name);
    if (type == EXPR_TYPE_NUMBER) {
        char *end = NULL;
        double d = strtod(text, &end);
        if (end != text && *end == '\0')
            v = (sy_value_t){.kind = SY_VALUE_DOUBLE, .u.d = d};
    } else if (type == EXPR_TYPE_BOOL && (!strcmp(text, "true") || !strcmp(text, "false"))) {
        v = (sy_value_t){.kind = SY_VALUE_BOOL, .u.b = text[0] == 't'};
    }
    return v;
}

sy_err_t engine_walk_env(engine_walk_t *w, expr_env_t *env) {
    assert(w->engine != NULL && env != NULL);
    sy_err_t err = engine_profile_load(w);
    if (err != SY_OK)
        return err;
    engine_walk_env_bare(w, env);
    return SY_OK;
}

void engine_walk_env_bare(engine_walk_t *w, expr_env_t *env) {
    engine_t *e = w->engine;
    assert(e->profile.attrs == e->profile_attrs);
    if (!e->profile_loaded)
        e->profile.count = 0; /* not read for this input: empty, never another's */
    *env = (expr_env_t){
        .event = w->event,
        .profile = &w->engine->profile,
        .seen_mask = w->instance.seen_mask,
        .now_ms = w->t,
        .entered_at_ms = w->instance.entered_at_ms,
        .entries = w->instance.occurrence,
        .engagement = engine_engagement_var,
        .engagement_ctx = w,
    };
}

sy_err_t engine_profile_apply(engine_walk_t *w, const journey_update_t *update,
                              const char *value) {
    sy_profile_update_t *u = w->engine->profile_update;
    assert(update->name && value);
    u->contact_id = w->contact_id;
    u->updated_at_ms = w->t;
    u->set_count = 0;
    u->unset_count = 0;
    if (update->op == SY_UPDATE_SET_ATTRIBUTE) {
        sy_value_t flag = {.kind = SY_VALUE_BOOL, .u.b = true};
        u->set[0] = (sy_attr_t){.name = update->name,
                                .value = update->flag ? flag
                                                      : value_typed(w->journey, update->name,
                                                                    value)};
        u->set_count = 1;
    } else if (update->op == SY_UPDATE_UNSET_ATTRIBUTE) {
        u->unset[0] = update->name;
        u->unset_count = 1;
    } else {
        return SY_OK; /* lists and opt-outs are not profile attributes */
    }
    sy_err_t err = state_store_profile_apply(w->engine->store, w->partition, u, w->errbuf,
                                             w->errbuf_size);
    w->engine->profile_loaded = false; /* the next reader sees the change */
    return err;
}
