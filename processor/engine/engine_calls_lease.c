/* engine_calls_lease.c — leasing a tracking number to a send. Each pool's numbers are
 * split among the input partitions by where a call to them will arrive (the partitioner
 * of the key "call:<number>"), and a contact leases only from its own partition's share:
 * one partition owns each number's leases, so no number is ever leased twice, whatever
 * the instances do. Never-leased numbers go first, then expired ones oldest first; ties
 * are broken by a hash of the action id, so a replay leases the same numbers. */
#include "engine_calls.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "sy_hash.h"
#include "sy_str.h"

int32_t engine_calls_owner(const char *number, int32_t partitions) {
    char key[sizeof ENGINE_CALLS_KEY_PREFIX + SY_PHONE_E164_BYTES];
    assert(number && partitions > 0 && strlen(number) < SY_PHONE_E164_BYTES);
    size_t prefix = sizeof ENGINE_CALLS_KEY_PREFIX - 1, n = strlen(number);
    memcpy(key, ENGINE_CALLS_KEY_PREFIX, prefix);
    memcpy(key + prefix, number, n);
    uint32_t h = sy_hash_murmur2(key, prefix + n);
    return (int32_t)((h & 0x7fffffff) % (uint32_t)partitions);
}

void engine_calls_set(engine_t *engine, const engine_calls_conf_t *conf, int32_t partitions) {
    assert(engine && (!conf || partitions > 0));
    engine->calls = conf;
    engine->calls_partitions = partitions;
}

void engine_calls_counts_get(const engine_t *engine, engine_calls_counts_t *out) {
    assert(engine && out);
    *out = engine->calls_counts;
}

/* Why a number can or cannot be leased at t: its rank (INT64_MIN never leased, else its
 * last lease's end), or live (held by another lease), or already this action's. */
typedef enum { NUMBER_FREE, NUMBER_LIVE, NUMBER_MINE } number_state_t;

static sy_err_t number_state(engine_walk_t *w, const engine_calls_pool_t *pool,
                             const char *number, const char *action_id,
                             number_state_t *state, int64_t *rank) {
    state_lease_t lease;
    sy_err_t err = state_store_lease_get(w->engine->store, w->partition, pool->name, number,
                                         &lease, w->errbuf, w->errbuf_size);
    *state = NUMBER_FREE;
    *rank = INT64_MIN;
    if (err == SY_ERR_NOT_FOUND)
        return SY_OK;
    if (err != SY_OK)
        return err;
    assert(lease.expires_at_ms > lease.leased_at_ms);
    if (engine_calls_expired(w->engine->calls, lease.expires_at_ms, w->t))
        return SY_OK; /* ended past the retention: as never leased, swept or not */
    if (strcmp(lease.action_id, action_id) == 0)
        *state = NUMBER_MINE;
    else if (lease.expires_at_ms > w->t)
        *state = NUMBER_LIVE;
    *rank = lease.expires_at_ms;
    return SY_OK;
}

/* Choose among the numbers of pool this partition owns (those whose national number
 * starts with area, when area is not NULL): *chosen the index, or -1 when none is free. */
static sy_err_t number_choose(engine_walk_t *w, const engine_calls_pool_t *pool,
                              const char *area, const char *action_id, int *chosen) {
    assert(pool && action_id && chosen);
    engine_t *e = w->engine;
    int64_t best = INT64_MAX, rank;
    size_t ties = 0;
    number_state_t state;
    *chosen = -1;
    for (size_t i = 0; i < pool->numbers_count; i++) {
        const char *number = pool->numbers[i], *national = sy_phone_national(number);
        if (engine_calls_owner(number, e->calls_partitions) != w->partition ||
            (area && (!national || strncmp(national, area, strlen(area)) != 0)))
            continue;
        sy_err_t err = number_state(w, pool, number, action_id, &state, &rank);
        if (err != SY_OK)
            return err;
        if (state == NUMBER_MINE) { /* this send leased it already: the same number */
            *chosen = (int)i;
            return SY_OK;
        }
        if (state == NUMBER_LIVE || rank > best)
            continue;
        if (rank < best)
            ties = 0;
        best = rank;
        e->calls_ties[ties++] = (uint16_t)i;
    }
    if (ties) {
        uint64_t h = sy_hash_mix64(sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, action_id,
                                                   strlen(action_id)));
        *chosen = e->calls_ties[h % ties];
    }
    return SY_OK;
}

/* The contact's string attribute attr, copied into out (out_size bytes), or "" . */
static sy_err_t attr_read(engine_walk_t *w, const char *attr, char *out, size_t out_size) {
    assert(out_size > 0);
    out[0] = '\0';
    if (!attr)
        return SY_OK;
    sy_err_t err = engine_profile_load_always(w);
    const char *value = err == SY_OK ? engine_profile_zone(w->engine, attr) : NULL;
    if (value && strlen(value) < out_size)
        memcpy(out, value, strlen(value) + 1);
    return err;
}

/* The click-to-call link of a's number into e->call_link: click_base_url "/c/" and the
 * token ingest's GET /c/<token> reads; "" without click_base_url. */
static void call_link_fill(engine_t *e, const sy_action_t *a) {
    char token[CALLS_TOKEN_BYTES];
    assert(a->tracking_number && a->action_id);
    e->call_link[0] = '\0';
    if (!e->calls || !e->calls->click_base_url[0] ||
        calls_token_format(a->contact_id, a->action_id, a->tracking_number, token) != SY_OK)
        return; /* no base configured; ids the engine made always make a token */
    snprintf(e->call_link, sizeof e->call_link, "%s/c/%s", e->calls->click_base_url, token);
}

/* Fill a's tracking fields with number (the engine's buffers). */
static sy_err_t action_fill(engine_walk_t *w, const journey_send_t *send, const char *number,
                            sy_action_t *a) {
    engine_t *e = w->engine;
    char device[32];
    assert(sy_phone_e164_valid(number));
    memcpy(e->tracking_number, number, strlen(number) + 1);
    sy_phone_display(number, e->tracking_display);
    sy_phone_tel_uri(number, e->tracking_tel);
    sy_err_t err = attr_read(w, send->tracking_device_attr, device, sizeof device);
    a->tracking_number = e->tracking_number;
    a->tracking_display = e->tracking_display;
    a->tracking_tel = e->tracking_tel;
    a->tracking_cta = strcmp(device, "smartphone") == 0 ? "button" : "text";
    call_link_fill(e, a);
    return err;
}

sy_err_t engine_calls_lease(engine_walk_t *w, const journey_send_t *send, sy_action_t *a) {
    engine_t *e = w->engine;
    char area[16];
    int chosen = -1;
    assert(send->tracking_pool && a->action_id);
    const engine_calls_pool_t *pool = engine_calls_pool_find(e->calls, send->tracking_pool);
    if (!pool)
        return SY_OK; /* no such pool configured (validate says so): no number */
    sy_err_t err = attr_read(w, pool->area_code_attr, area, sizeof area);
    if (err == SY_OK && area[0])
        err = number_choose(w, pool, area, a->action_id, &chosen);
    if (err == SY_OK && chosen < 0)
        err = number_choose(w, pool, NULL, a->action_id, &chosen);
    if (err != SY_OK)
        return err;
    if (chosen < 0) {
        e->calls_counts.fallback++;
        a->tracking_fallback = true;
        return action_fill(w, send, pool->fallback, a);
    }
    int64_t lease_ms = send->tracking_lease_ms > 0 ? send->tracking_lease_ms : pool->lease_ms;
    state_lease_t lease = {.leased_at_ms = w->t,
                           .expires_at_ms = w->t > INT64_MAX - lease_ms ? INT64_MAX
                                                                         : w->t + lease_ms,
                           .journey_version = w->journey->version};
    sy_str_copy(lease.contact_id, sizeof lease.contact_id, w->contact_id);
    sy_str_copy(lease.journey_id, sizeof lease.journey_id, w->journey->id);
    sy_str_copy(lease.node_id, sizeof lease.node_id, a->node_id);
    sy_str_copy(lease.action_id, sizeof lease.action_id, a->action_id);
    err = state_store_lease_put(e->store, w->partition, pool->name, pool->numbers[chosen],
                                &lease);
    if (err == SY_OK)
        err = engine_calls_sweep(e, w->partition, w->t, w->errbuf, w->errbuf_size);
    if (err != SY_OK)
        return err;
    e->calls_counts.leased++;
    return action_fill(w, send, pool->numbers[chosen], a);
}
