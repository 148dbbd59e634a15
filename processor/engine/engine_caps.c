/* engine_caps.c — frequency caps over a contact's cap log (the recent sends kept in its
 * consent record, oldest first): how many sends a rule counts at an instant, which rules
 * bind and when a held send may go, and recording a send while dropping only what no rule
 * can count any more, so every rule stays exact in a bounded log. Pure: the record is
 * read and written by the gate (engine_safety.c). Not quiet hours (engine_quiet.c). */
#include "engine.h"

#include <assert.h>
#include <string.h>

#include "engine_int.h"

static bool rule_matches(const engine_cap_rule_t *r, int channel, int category) {
    assert(r->count_max >= 1 && r->count_max <= ENGINE_SAFETY_CAP_SENDS_MAX);
    return (r->channel < 0 || r->channel == channel) &&
           (r->category < 0 || r->category == category);
}

/* Is time_ms inside r's window ending at t_ms, (t_ms - window, t_ms]? */
static bool rule_window_holds(const engine_cap_rule_t *r, int64_t time_ms, int64_t t_ms) {
    assert(r->window_ms > 0);
    return time_ms <= t_ms && time_ms > sy_time_add_ms(t_ms, -r->window_ms);
}

int engine_caps_count(const engine_cap_rule_t *r, const state_consent_t *c, int64_t t_ms) {
    int count = 0;
    assert(c->sends_count <= STATE_CONSENT_SENDS_MAX);
    for (size_t i = 0; i < c->sends_count; i++) {
        const state_consent_send_t *s = &c->sends[i];
        if (rule_matches(r, s->channel, s->category) && rule_window_holds(r, s->time_ms, t_ms))
            count++;
    }
    return count;
}

/* The newest send of c that r matches, or INT64_MIN. */
static int64_t rule_newest(const engine_cap_rule_t *r, const state_consent_t *c) {
    assert(c->sends_count <= STATE_CONSENT_SENDS_MAX);
    for (size_t i = c->sends_count; i-- > 0;)
        if (rule_matches(r, c->sends[i].channel, c->sends[i].category))
            return c->sends[i].time_ms;
    return INT64_MIN;
}

/* Would one more send at t_ms put more than N of r's sends in some window of r? The
 * windows a send at t_ms falls in end at t_ms or at a later send less than a window after
 * it (a send stamped earlier than sends already made: a late event). The log keeps r's
 * sends of the two windows before its newest (engine_caps_record); a send older than one
 * window before that newest cannot be counted exactly and is held back. */
static bool rule_binds_at(const engine_cap_rule_t *r, const state_consent_t *c,
                          int64_t t_ms) {
    assert(r->window_ms > 0 && r->count_max >= 1);
    int64_t newest = rule_newest(r, c);
    if (newest == INT64_MIN)
        return false;
    if (t_ms <= sy_time_add_ms(newest, -r->window_ms))
        return true;
    if (engine_caps_count(r, c, t_ms) >= r->count_max)
        return true;
    int64_t horizon = sy_time_add_ms(t_ms, r->window_ms);
    for (size_t i = 0; i < c->sends_count; i++) {
        const state_consent_send_t *s = &c->sends[i];
        if (s->time_ms > t_ms && s->time_ms < horizon &&
            rule_matches(r, s->channel, s->category) &&
            engine_caps_count(r, c, s->time_ms) >= r->count_max)
            return true;
    }
    return false;
}

/* The earliest time after t_ms at which r lets a send go: r binds until one of its sends
 * leaves a window, so the candidates are each send's time plus the window (the last of
 * them always frees it). */
static int64_t rule_release(const engine_cap_rule_t *r, const state_consent_t *c,
                            int64_t t_ms) {
    int64_t best = INT64_MAX;
    for (size_t i = 0; i < c->sends_count; i++) {
        const state_consent_send_t *s = &c->sends[i];
        int64_t leaves = sy_time_add_ms(s->time_ms, r->window_ms);
        if (rule_matches(r, s->channel, s->category) && leaves > t_ms && leaves < best &&
            !rule_binds_at(r, c, leaves))
            best = leaves;
    }
    assert(best != INT64_MAX); /* the newest send's leaving time frees it */
    return best;
}

int engine_caps_binding(const engine_safety_conf_t *conf, const state_consent_t *c,
                        sy_channel_t channel, journey_category_t category, int64_t t_ms,
                        int64_t *release_ms, int *release_rule) {
    int first = -1;
    assert(conf->caps_count <= ENGINE_SAFETY_CAPS_MAX);
    for (size_t i = 0; i < conf->caps_count; i++) {
        const engine_cap_rule_t *r = &conf->caps[i];
        if (!rule_matches(r, (int)channel, (int)category))
            continue;
        if (!rule_binds_at(r, c, t_ms))
            continue;
        int64_t release = rule_release(r, c, t_ms);
        if (first < 0 || release > *release_ms) {
            *release_ms = release;
            *release_rule = (int)i;
        }
        if (first < 0)
            first = (int)i;
    }
    return first;
}

/* Keep flags of the log with the new send s inserted at pos (count + 1 entries, newest
 * last): an entry stays while some rule it matches may still need it, that is while it
 * is within two of the rule's windows of the rule's newest send (a late send is checked
 * against the windows on both sides of it: rule_binds_at). The gate lets no window hold
 * more than N, so a rule keeps at most 2N. */
static void log_keep(const engine_safety_conf_t *conf, const state_consent_t *c, size_t pos,
                     const state_consent_send_t *s, bool *keep) {
    int64_t newest[ENGINE_SAFETY_CAPS_MAX];
    assert(pos <= c->sends_count && conf->caps_count <= ENGINE_SAFETY_CAPS_MAX);
    for (size_t i = 0; i < conf->caps_count; i++)
        newest[i] = INT64_MIN;
    for (size_t k = c->sends_count + 1; k-- > 0;) {
        const state_consent_send_t *e = k == pos ? s : &c->sends[k < pos ? k : k - 1];
        keep[k] = false;
        for (size_t i = 0; i < conf->caps_count; i++) {
            const engine_cap_rule_t *r = &conf->caps[i];
            if (!rule_matches(r, e->channel, e->category))
                continue;
            if (newest[i] == INT64_MIN)
                newest[i] = e->time_ms;
            if (e->time_ms > sy_time_add_ms(newest[i], -2 * r->window_ms))
                keep[k] = true;
        }
    }
}

bool engine_caps_record(const engine_safety_conf_t *conf, state_consent_t *c,
                        sy_channel_t channel, journey_category_t category, int64_t t_ms) {
    state_consent_send_t kept[STATE_CONSENT_SENDS_MAX + 1];
    bool keep[STATE_CONSENT_SENDS_MAX + 1];
    state_consent_send_t s = {t_ms, (uint8_t)channel, (uint8_t)category};
    bool counted = false;
    assert(c->sends_count <= STATE_CONSENT_SENDS_MAX);
    for (size_t i = 0; i < conf->caps_count && !counted; i++)
        counted = rule_matches(&conf->caps[i], (int)channel, (int)category);
    if (!counted)
        return false;
    size_t pos = c->sends_count; /* after every send at or before t_ms: oldest first */
    while (pos > 0 && c->sends[pos - 1].time_ms > t_ms)
        pos--;
    log_keep(conf, c, pos, &s, keep);
    size_t n = 0;
    for (size_t k = 0; k <= c->sends_count; k++)
        if (keep[k])
            kept[n++] = k == pos ? s : c->sends[k < pos ? k : k - 1];
    /* Each rule keeps at most 2N while the rules stay as they were; after the config
     * tightens them the oldest go first (docs/safety.md). */
    size_t drop = n > STATE_CONSENT_SENDS_MAX ? n - STATE_CONSENT_SENDS_MAX : 0;
    memcpy(c->sends, kept + drop, (n - drop) * sizeof *kept);
    c->sends_count = n - drop;
    return true;
}
