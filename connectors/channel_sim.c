/* channel_sim.c — deterministic recipient behaviour: each decision is a uniform draw
 * hashed from the seed, the action id and a salt naming the decision. */
#include "channel_sim.h"

#include <stdio.h>
#include <string.h>

#include "sy_str.h"

#define MINUTE_MS (60 * INT64_C(1000))
#define HOUR_MS (60 * MINUTE_MS)

enum { SALT_OUTCOME = 1, SALT_DELIVER_DELAY, SALT_OPENED, SALT_OPEN_DELAY, SALT_CLICKED };

void channel_sim_init(channel_sim_t *sim, uint64_t seed) {
    memset(sim, 0, sizeof *sim);
    sim->seed = seed;
    sim->profiles[SY_CHANNEL_EMAIL] = (channel_sim_profile_t){
        .reached = {0.82, SY_EVENT_DELIVERED},
        .failures = {{0.08, SY_EVENT_BOUNCED}, {0.05, SY_EVENT_BLOCKED}},
        .engaged = {0.55, SY_EVENT_OPENED}, .not_engaged_type = CHANNEL_SIM_NO_EVENT,
        .clicked = {0.40, SY_EVENT_CLICKED},
        .reach_delay_min_ms = 30 * 1000, .reach_delay_max_ms = 10 * MINUTE_MS,
        .engage_delay_min_ms = 5 * MINUTE_MS, .engage_delay_max_ms = 30 * HOUR_MS};
    sim->profiles[SY_CHANNEL_SMS] = (channel_sim_profile_t){
        .reached = {0.95, SY_EVENT_DELIVERED},
        .failures = {{0.05, SY_EVENT_FAILED}, {0.0, CHANNEL_SIM_NO_EVENT}},
        .engaged = {0.25, SY_EVENT_REPLIED}, .not_engaged_type = CHANNEL_SIM_NO_EVENT,
        .clicked = {0.30, SY_EVENT_CLICKED}, .clicked_alone = 0.20,
        .reach_delay_min_ms = 1000, .reach_delay_max_ms = MINUTE_MS,
        .engage_delay_min_ms = MINUTE_MS, .engage_delay_max_ms = 12 * HOUR_MS};
    sim->profiles[SY_CHANNEL_PUSH] = (channel_sim_profile_t){
        .reached = {0.95, SY_EVENT_DELIVERED},
        .failures = {{0.05, SY_EVENT_FAILED}, {0.0, CHANNEL_SIM_NO_EVENT}},
        .engaged = {0.30, SY_EVENT_OPENED}, .not_engaged_type = CHANNEL_SIM_NO_EVENT,
        .clicked = {0.50, SY_EVENT_CLICKED},
        .reach_delay_min_ms = 1000, .reach_delay_max_ms = MINUTE_MS,
        .engage_delay_min_ms = MINUTE_MS, .engage_delay_max_ms = 6 * HOUR_MS};
    sim->profiles[SY_CHANNEL_VOICE] = (channel_sim_profile_t){
        .reached = {0.85, SY_EVENT_ATTEMPTED},
        .failures = {{0.10, SY_EVENT_NOT_ATTEMPTED}, {0.05, SY_EVENT_BLOCKED}},
        .engaged = {0.55, SY_EVENT_ANSWERED}, .not_engaged_type = SY_EVENT_NOT_ANSWERED,
        .clicked = {0.0, CHANNEL_SIM_NO_EVENT},
        .reach_delay_min_ms = 1000, .reach_delay_max_ms = 30 * 1000,
        .engage_delay_min_ms = 5 * 1000, .engage_delay_max_ms = 40 * 1000};
}

uint64_t channel_sim_key_hash(uint64_t seed, const char *key) {
    uint64_t h = UINT64_C(1469598103934665603) ^ seed;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * UINT64_C(1099511628211);
    return h;
}

double channel_sim_uniform_at(uint64_t key_hash, uint64_t salt) {
    uint64_t h = key_hash ^ salt * UINT64_C(0x9e3779b97f4a7c15);
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return (double)(h >> 11) / (double)(UINT64_C(1) << 53);
}

double channel_sim_uniform(uint64_t seed, const char *key, uint64_t salt) {
    return channel_sim_uniform_at(channel_sim_key_hash(seed, key), salt);
}

/* A delay in [min_ms, max_ms] drawn for the key hashed as key_hash. */
static int64_t delay(uint64_t key_hash, uint64_t salt, int64_t min_ms, int64_t max_ms) {
    return min_ms + (int64_t)(channel_sim_uniform_at(key_hash, salt) * (double)(max_ms - min_ms));
}

static channel_sim_event_t *add(channel_sim_event_t *out, size_t *n,
                                const sy_action_t *action, sy_event_type_t type,
                                int64_t at_ms) {
    channel_sim_event_t *ev = &out[(*n)++];
    /* field by field: a memset of the whole event (three id buffers) cost more than the
     * copies that fill them */
    ev->name = NULL;
    ev->props_count = 0;
    size_t end = sy_str_copy(ev->event_id, sizeof ev->event_id, action->action_id);
    end = sy_str_put(ev->event_id, sizeof ev->event_id, end, ".");
    sy_str_put(ev->event_id, sizeof ev->event_id, end, sy_event_type_name(type));
    sy_str_copy(ev->contact_id, sizeof ev->contact_id, action->contact_id);
    sy_str_copy(ev->message_id, sizeof ev->message_id, action->action_id);
    ev->channel = action->channel;
    ev->type = type;
    ev->bounce = SY_BOUNCE_NONE;
    ev->occurred_at_ms = at_ms;
    return ev;
}

/* After reaching: engaged (and maybe clicked), or the not-engaged report. key_hash: the
 * action id's (channel_sim_key_hash), every draw of one action made from it. */
static void respond_engagement(const channel_sim_profile_t *p, const sy_action_t *action,
                               uint64_t key_hash, int64_t reached_at,
                               channel_sim_event_t *out, size_t *n) {
    int64_t at = reached_at + delay(key_hash, SALT_OPEN_DELAY, p->engage_delay_min_ms,
                                    p->engage_delay_max_ms);
    if (channel_sim_uniform_at(key_hash, SALT_OPENED) < p->engaged.probability) {
        add(out, n, action, p->engaged.type, at);
        if (p->clicked.type != CHANNEL_SIM_NO_EVENT &&
            channel_sim_uniform_at(key_hash, SALT_CLICKED) < p->clicked.probability)
            add(out, n, action, p->clicked.type, at + MINUTE_MS);
    } else {
        if (p->not_engaged_type != CHANNEL_SIM_NO_EVENT)
            add(out, n, action, p->not_engaged_type, at);
        if (channel_sim_uniform_at(key_hash, SALT_CLICKED) < p->clicked_alone)
            add(out, n, action, p->clicked.type, at);
    }
}

size_t channel_sim_respond(const channel_sim_t *sim, const sy_action_t *action,
                           channel_sim_event_t *out) {
    const channel_sim_profile_t *p = &sim->profiles[action->channel];
    size_t n = 0;
    if (p->reached.probability <= 0)
        return 0;
    uint64_t key_hash = channel_sim_key_hash(sim->seed, action->action_id);
    int64_t at = action->not_before_ms + delay(key_hash, SALT_DELIVER_DELAY,
                                               p->reach_delay_min_ms, p->reach_delay_max_ms);
    double outcome = channel_sim_uniform_at(key_hash, SALT_OUTCOME);
    double bound = p->reached.probability;
    if (outcome < bound) {
        add(out, &n, action, p->reached.type, at);
        respond_engagement(p, action, key_hash, at, out, &n);
        return n;
    }
    for (int i = 0; i < 2; i++) {
        bound += p->failures[i].probability;
        if (outcome < bound && p->failures[i].type != CHANNEL_SIM_NO_EVENT) {
            channel_sim_event_t *ev = add(out, &n, action, p->failures[i].type, at);
            if (ev->type == SY_EVENT_BOUNCED)
                ev->bounce = SY_BOUNCE_HARD;
            return n;
        }
    }
    return n;
}

void channel_sim_event_view(const channel_sim_event_t *ev, sy_event_t *out) {
    memset(out, 0, sizeof *out);
    out->event_id = ev->event_id;
    out->contact_id = ev->contact_id;
    out->occurred_at_ms = ev->occurred_at_ms;
    out->channel = ev->channel;
    out->type = ev->type;
    out->bounce = ev->bounce;
    out->name = ev->name;
    out->props_count = ev->props_count;
    for (size_t i = 0; i < ev->props_count; i++)
        out->props[i] = ev->props[i];
    out->message_id = ev->message_id[0] ? ev->message_id : NULL;
}
