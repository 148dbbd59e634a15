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

/* When rule r, which counts `count` >= N sends at t_ms, allows one more: once the
 * (count - N + 1) oldest of them have left its window. */
static int64_t rule_release(const engine_cap_rule_t *r, const state_consent_t *c,
                            int64_t t_ms, int count) {
    int skip = count - r->count_max;
    assert(skip >= 0);
    for (size_t i = 0; i < c->sends_count; i++) {
        const state_consent_send_t *s = &c->sends[i];
        if (!rule_matches(r, s->channel, s->category) || !rule_window_holds(r, s->time_ms, t_ms))
            continue;
        if (skip-- == 0)
            return sy_time_add_ms(s->time_ms, r->window_ms);
    }
    return t_ms; /* unreachable: count of them are in the window */
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
        int count = engine_caps_count(r, c, t_ms);
        if (count < r->count_max)
            continue;
        int64_t release = rule_release(r, c, t_ms, count);
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
 * last): an entry stays while some rule it matches still counts it at t_ms (inside the
 * window, fewer than N newer matching entries). */
static void log_keep(const engine_safety_conf_t *conf, const state_consent_t *c, size_t pos,
                     const state_consent_send_t *s, int64_t t_ms, bool *keep) {
    int newer[ENGINE_SAFETY_CAPS_MAX] = {0};
    assert(pos <= c->sends_count);
    for (size_t k = c->sends_count + 1; k-- > 0;) {
        const state_consent_send_t *e = k == pos ? s : &c->sends[k < pos ? k : k - 1];
        keep[k] = false;
        for (size_t i = 0; i < conf->caps_count; i++) {
            const engine_cap_rule_t *r = &conf->caps[i];
            if (!rule_matches(r, e->channel, e->category))
                continue;
            if (newer[i] < r->count_max && e->time_ms > sy_time_add_ms(t_ms, -r->window_ms))
                keep[k] = true;
            newer[i]++;
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
    log_keep(conf, c, pos, &s, t_ms, keep);
    size_t n = 0;
    for (size_t k = 0; k <= c->sends_count; k++)
        if (keep[k])
            kept[n++] = k == pos ? s : c->sends[k < pos ? k : k - 1];
    /* Each rule keeps at most its N: the log never outgrows the record. */
    assert(n <= STATE_CONSENT_SENDS_MAX);
    memcpy(c->sends, kept, n * sizeof *kept);
    c->sends_count = n;
    return true;
}
