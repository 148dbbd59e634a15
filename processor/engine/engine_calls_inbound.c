/* engine_calls_inbound.c — inbound calls to tracking numbers. Ingest keys each callback
 * of a call (inbound, status, transcription) by "call:<number>", so it arrives in the
 * partition that owns the number's leases, where the contact it was leased to lives too
 * (engine_calls_lease.c). Here the call is attributed to the lease live at its first
 * callback's time, kept (state_call_t), handed to the contact's journeys as call.inbound,
 * and checked against the conversion rules. Not the leasing, not the HTTP side. */
#include "engine_calls.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

/* The value of ev's property key, or NULL. */
static const char *prop(const sy_event_t *ev, const char *key) {
    assert(ev->props_count <= SY_EVENT_PROPS_MAX);
    for (size_t i = 0; i < ev->props_count; i++)
        if (strcmp(ev->props[i].key, key) == 0)
            return ev->props[i].value;
    return NULL;
}

/* The pool holding number, or NULL. */
static const engine_calls_pool_t *pool_of(const engine_calls_conf_t *conf, const char *number) {
    assert(conf && number);
    for (size_t p = 0; p < conf->pools_count; p++)
        for (size_t i = 0; i < conf->pools[p].numbers_count; i++)
            if (strcmp(conf->pools[p].numbers[i], number) == 0)
                return &conf->pools[p];
    return NULL;
}

/* Twilio's final call statuses: the call's outcome once one arrives. */
static bool status_final(const char *status) {
    /* no assert: NULL is a status that is not final */
    static const char *const finals[] = {"completed", "busy", "no-answer", "failed",
                                         "canceled", NULL};
    for (size_t i = 0; status && finals[i]; i++)
        if (strcmp(status, finals[i]) == 0)
            return true;
    return false;
}

/* A new call to number at ev's time: attributed when a lease of it was live then. */
static sy_err_t call_start(engine_t *e, int32_t partition, const engine_calls_pool_t *pool,
                           const char *number, const sy_event_t *ev, char *errbuf,
                           size_t errbuf_size) {
    assert(e && number && ev);
    state_call_t *c = e->call;
    memset(c, 0, sizeof *c);
    c->started_at_ms = ev->occurred_at_ms;
    c->duration_s = -1;
    snprintf(c->number, sizeof c->number, "%s", number);
    if (!pool)
        return SY_OK;
    snprintf(c->pool, sizeof c->pool, "%s", pool->name);
    sy_err_t err = state_store_lease_get(e->store, partition, pool->name, number, &c->lease,
                                         errbuf, errbuf_size);
    if (err == SY_ERR_NOT_FOUND)
        return SY_OK;
    c->attributed = err == SY_OK && c->lease.leased_at_ms <= c->started_at_ms &&
                    c->started_at_ms < c->lease.expires_at_ms;
    if (!c->attributed)
        memset(&c->lease, 0, sizeof c->lease);
    return err;
}

/* What this callback adds to the call: caller, outcome, duration, transcript. */
static void call_merge(state_call_t *c, const sy_event_t *ev) {
    assert(c && ev);
    const char *from = prop(ev, "from"), *status = prop(ev, "status");
    const char *duration = prop(ev, "duration");
    if (from && strlen(from) < sizeof c->caller)
        memcpy(c->caller, from, strlen(from) + 1);
    if (status_final(status))
        snprintf(c->outcome, sizeof c->outcome, "%s", status);
    if (duration) {
        char *end;
        errno = 0;
        long s = strtol(duration, &end, 10);
        if (!*end && end != duration && !errno && s >= 0 && s <= INT32_MAX)
            c->duration_s = (int32_t)s;
    }
    if (ev->text) { /* longer transcripts are cut at a character boundary */
        size_t n = strlen(ev->text);
        if (n >= sizeof c->transcript)
            for (n = sizeof c->transcript - 1; n > 0 && (ev->text[n] & 0xc0) == 0x80; n--)
                ;
        memcpy(c->transcript, ev->text, n);
        c->transcript[n] = '\0';
        c->has_transcript = true;
    }
}

/* ev as the contact's event: its message, journey and node, the call's duration as
 * value and transcript as text, and the tracking number among its props. */
static void event_attribute(const state_call_t *c, const sy_event_t *ev, sy_event_t *out) {
    assert(c->attributed && ev && out);
    *out = *ev;
    out->contact_id = c->lease.contact_id;
    out->message_id = c->lease.action_id;
    out->journey_id = c->lease.journey_id;
    out->node_id = c->lease.node_id;
    out->has_value = c->duration_s >= 0;
    out->value = c->duration_s >= 0 ? c->duration_s : 0;
    out->text = c->has_transcript ? c->transcript : NULL;
    if (!prop(ev, "tracking_number") && out->props_count < SY_EVENT_PROPS_MAX)
        out->props[out->props_count++] = (sy_kv_t){"tracking_number", c->number};
}

/* The value of a conversion by rule on callback ev: fixed, or the number in ev's
 * value_field property; false when that is missing or not a finite number yet. */
static bool rule_value(const engine_calls_rule_t *rule, const sy_event_t *ev, double *value) {
    assert(rule && ev && value);
    if (!rule->value_field) {
        *value = rule->value;
        return true;
    }
    const char *text = prop(ev, rule->value_field);
    char *end;
    if (!text || !*text)
        return false;
    errno = 0;
    *value = strtod(text, &end);
    return !*end && !errno && isfinite(*value);
}

/* One conversion: the record to the sink, then call.converted to the contact's journeys. */
static sy_err_t convert(engine_t *e, int32_t partition, const engine_calls_rule_t *rule,
                        double value, const sy_event_t *call_ev, char *errbuf,
                        size_t errbuf_size) {
    assert(e->call->attributed && rule && call_ev);
    const state_call_t *c = e->call;
    char event_id[SY_ID_BYTES_MAX + 1];
    const char *call_id = prop(call_ev, "call_id");
    sy_conversion_t conv = {
        .contact_id = c->lease.contact_id, .journey_id = c->lease.journey_id,
        .journey_version = c->lease.journey_version, .node_id = c->lease.node_id,
        .action_id = c->lease.action_id, .rule = rule->name, .value = value,
        .currency = rule->currency, .call_id = call_id ? call_id : call_ev->event_id,
        .tracking_number = c->number, .converted_at_ms = call_ev->occurred_at_ms};
    sy_err_t err = e->sink.conversion ? e->sink.conversion(e->sink.ctx, &conv) : SY_OK;
    if (err != SY_OK)
        return err;
    e->calls_counts.conversions++;
    /* The id is the call's and the rule's: a replay or a redelivery gives the same one. */
    snprintf(event_id, sizeof event_id, "%.60s:%.60s", conv.call_id, rule->name);
    sy_event_t ev = {.event_id = event_id, .contact_id = c->lease.contact_id,
                     .occurred_at_ms = call_ev->occurred_at_ms, .channel = SY_CHANNEL_CALL,
                     .type = SY_EVENT_CONVERTED, .message_id = c->lease.action_id,
                     .journey_id = c->lease.journey_id, .node_id = c->lease.node_id,
                     .bounce = SY_BOUNCE_NONE, .has_value = true, .value = value,
                     .props_count = 4};
    ev.props[0] = (sy_kv_t){"rule", rule->name};
    ev.props[1] = (sy_kv_t){"currency", rule->currency};
    ev.props[2] = (sy_kv_t){"call_id", conv.call_id};
    ev.props[3] = (sy_kv_t){"tracking_number", c->number};
    e->profile_loaded = false;
    return engine_journeys_on_event(e, partition, &ev, errbuf, errbuf_size);
}

/* The rule of bit `bit` for the call: the config's rules first, then those of the loaded
 * journey version the call is attributed to; NULL past them. */
static const engine_calls_rule_t *rule_at(const engine_t *e, const journey_t *j, size_t bit) {
    assert(e->calls);
    if (bit < e->calls->rules_count)
        return &e->calls->rules[bit];
    if (bit >= ENGINE_CALLS_RULES_MAX && j &&
        bit - ENGINE_CALLS_RULES_MAX < j->conversions_count)
        return &j->conversions[bit - ENGINE_CALLS_RULES_MAX];
    return NULL;
}

/* The loaded journey version of the call's lease, or NULL. */
static const journey_t *lease_journey(const engine_t *e, const state_lease_t *lease) {
    assert(e && lease);
    for (size_t i = 0; e->journeys && i < e->journeys->count; i++) {
        const journey_t *j = e->journeys->journeys[i];
        if (j->version == lease->journey_version && strcmp(j->id, lease->journey_id) == 0)
            return j;
    }
    return NULL;
}

/* Every rule (the config's, then the journey's) that holds now and has not converted this
 * call yet: *converted set when one did (the call must be written again). */
static sy_err_t rules_apply(engine_t *e, int32_t partition, const sy_event_t *ev,
                            bool *converted, char *errbuf, size_t errbuf_size) {
    state_call_t *c = e->call;
    char caller[STATE_CALL_CALLER_BYTES];
    engine_walk_t w = {.engine = e, .partition = partition, .contact_id = c->lease.contact_id,
                       .t = ev->occurred_at_ms, .errbuf = errbuf, .errbuf_size = errbuf_size};
    const journey_t *j = lease_journey(e, &c->lease);
    assert(c->attributed && e->calls->rules_count <= ENGINE_CALLS_RULES_MAX);
    for (size_t i = 0; i < ENGINE_CALLS_RULES_MAX + JOURNEY_CONVERSIONS_MAX; i++) {
        const engine_calls_rule_t *rule = rule_at(e, j, i);
        double value;
        if (!rule || (c->converted_mask & (UINT32_C(1) << i)))
            continue;
        caller[0] = '\0';
        e->profile_loaded = false; /* the journeys may have changed the contact */
        sy_err_t err = rule->caller_attr ? engine_profile_load_always(&w) : SY_OK;
        const char *v = rule->caller_attr ? engine_profile_zone(e, rule->caller_attr) : NULL;
        if (err != SY_OK)
            return err;
        if (v && strlen(v) < sizeof caller)
            memcpy(caller, v, strlen(v) + 1);
        if (engine_calls_rule_eval(rule, c, caller[0] ? caller : NULL) != ENGINE_CALLS_YES ||
            !rule_value(rule, ev, &value))
            continue;
        c->converted_mask |= UINT32_C(1) << i; /* before the journeys run: no second time */
        *converted = true;
        if ((err = state_store_call_put(e->store, partition, prop(ev, "call_id") ?
                                        prop(ev, "call_id") : ev->event_id, c)) != SY_OK ||
            (err = convert(e, partition, rule, value, ev, errbuf, errbuf_size)) != SY_OK)
            return err;
    }
    return SY_OK;
}

sy_err_t engine_calls_on_event(engine_t *e, int32_t partition, const sy_event_t *ev,
                               bool *handled, char *errbuf, size_t errbuf_size) {
    size_t prefix = sizeof ENGINE_CALLS_KEY_PREFIX - 1;
    assert(e && ev && handled);
    if (!e->calls || ev->channel != SY_CHANNEL_CALL || ev->type != SY_EVENT_INBOUND ||
        strncmp(ev->contact_id, ENGINE_CALLS_KEY_PREFIX, prefix) != 0)
        return SY_OK;
    *handled = true;
    const char *number = ev->contact_id + prefix, *call_id = prop(ev, "call_id");
    if (!call_id || !*call_id || strlen(call_id) > SY_ID_BYTES_MAX)
        call_id = ev->event_id;
    if (strlen(number) >= SY_PHONE_E164_BYTES)
        return SY_OK; /* no pool holds it: nothing to attribute, nothing to keep */
    sy_err_t err = state_store_call_get(e->store, partition, call_id, e->call, errbuf,
                                        errbuf_size);
    if (err == SY_OK &&
        engine_calls_expired(e->calls, e->call->started_at_ms, ev->occurred_at_ms))
        err = SY_ERR_NOT_FOUND; /* past the retention: gone, swept or not */
    bool fresh = err == SY_ERR_NOT_FOUND;
    if (fresh)
        err = call_start(e, partition, pool_of(e->calls, number), number, ev, errbuf,
                         errbuf_size);
    if (err != SY_OK)
        return err;
    call_merge(e->call, ev);
    if ((err = state_store_call_put(e->store, partition, call_id, e->call)) != SY_OK)
        return err;
    if (fresh)
        e->call->attributed ? e->calls_counts.attributed++ : e->calls_counts.unattributed++;
    if (e->call->attributed) {
        sy_event_t attributed;
        bool converted = false;
        event_attribute(e->call, ev, &attributed);
        e->profile_loaded = false;
        err = engine_journeys_on_event(e, partition, &attributed, errbuf, errbuf_size);
        if (err == SY_OK)
            err = rules_apply(e, partition, ev, &converted, errbuf, errbuf_size);
    }
    return err == SY_OK ? engine_calls_sweep(e, partition, ev->occurred_at_ms, errbuf,
                                             errbuf_size)
                        : err;
}
