/* engine_best.c — the gate's cross-channel parts: fatigue (skip a marketing send on a
 * channel the contact keeps ignoring while it engages elsewhere) and the choice of a
 * best-channel send (the allowed channel of among with the highest 30-day engagement
 * rate). The engagement memory they read is engine_engagement.c's; the rest of the gate
 * engine_safety.c's. */
#include "engine.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "sy_str.h"

/* The fatigue rule of channel in journey j: its own, else the config's; NULL for none. */
static const journey_fatigue_t *fatigue_rule(const engine_t *e, const journey_t *j,
                                             sy_channel_t channel) {
    assert((unsigned)channel < SY_CHANNEL__COUNT);
    const journey_fatigue_t *f = &j->fatigue[channel];
    if (f->mode == JOURNEY_FATIGUE_CONFIG)
        f = &e->safety.fatigue[channel];
    return f->mode == JOURNEY_FATIGUE_RULE ? f : NULL;
}

/* Did the contact engage on a channel other than channel at or after since_ms? */
static bool engaged_elsewhere(const state_engagement_t *m, sy_channel_t channel,
                              int64_t since_ms) {
    assert((unsigned)channel < SY_CHANNEL__COUNT);
    for (int c = 0; c < SY_CHANNEL__COUNT; c++)
        if (c != (int)channel && m->channels[c].engaged_ms != INT64_MIN &&
            m->channels[c].engaged_ms >= since_ms)
            return true;
    return false;
}

sy_err_t engine_fatigue_check(engine_walk_t *w, const journey_send_t *send,
                              engine_verdict_t *verdict) {
    engine_t *e = w->engine;
    assert(verdict->kind == ENGINE_VERDICT_SEND);
    if (send->category != JOURNEY_CATEGORY_MARKETING || send->channel == SY_CHANNEL_TASK)
        return SY_OK;
    const journey_fatigue_t *f = fatigue_rule(e, w->journey, send->channel);
    if (!f)
        return SY_OK;
    sy_err_t err = engine_engagement_load_walk(w);
    if (err != SY_OK)
        return err;
    const state_engagement_t *m = &e->engagement;
    if (m->channels[send->channel].ignored_streak < f->ignored ||
        !engaged_elsewhere(m, send->channel, sy_time_add_ms(w->t, -f->elsewhere_ms)))
        return SY_OK;
    snprintf(e->reason, sizeof e->reason, "fatigued:%s", sy_channel_name(send->channel));
    verdict->kind = ENGINE_VERDICT_CAPPED;
    verdict->reason = e->reason;
    verdict->to = send->on_capped == JOURNEY_ON_CAPPED_NODE ? send->capped_to : send->next;
    return SY_OK;
}

sy_err_t engine_best_has_address(engine_walk_t *w, sy_channel_t channel, bool *has) {
    const char *attr = w->engine->safety.address_attr[channel];
    assert((unsigned)channel < SY_CHANNEL__COUNT);
    *has = true;
    if (!attr[0])
        return SY_OK;
    sy_err_t err = engine_profile_load_always(w);
    if (err != SY_OK)
        return err;
    const char *value = engine_profile_zone(w->engine, attr); /* a string attribute */
    *has = value != NULL && value[0] != '\0';
    return SY_OK;
}

/* Whether one channel of a best-channel send is allowed for the contact (consent and
 * lists, said by suppressed; an address, fatigue, caps): NULL, or a word saying why not. */
static sy_err_t best_probe(engine_walk_t *w, const journey_send_t *one, bool suppressed,
                           const char **why) {
    engine_t *e = w->engine;
    engine_verdict_t v = {.kind = ENGINE_VERDICT_SEND};
    int64_t release = w->t;
    int release_rule = -1;
    bool has = false;
    assert(one->best);
    *why = NULL;
    if (suppressed) {
        *why = "suppressed";
        return SY_OK;
    }
    sy_err_t err = engine_best_has_address(w, one->channel, &has);
    if (err == SY_OK && !has)
        *why = "no_address";
    else if (err == SY_OK && (err = engine_fatigue_check(w, one, &v)) == SY_OK &&
             v.kind != ENGINE_VERDICT_SEND)
        *why = "fatigued";
    else if (err == SY_OK && engine_caps_binding(&e->safety, &e->consent, one->channel,
                                                 one->category, w->t, &release,
                                                 &release_rule) >= 0)
        *why = "capped";
    return err;
}

/* Bytes of the list of channels in a best path: 6 of "," channel "=" and a rate or a
 * word, under 24 bytes each. */
#define BEST_LIST_BYTES 160

/* sy_str_put of the one-character string c at list[at] (BEST_LIST_BYTES), without
 * measuring it: the same bytes and result. */
static size_t best_list_put_char(char *list, size_t at, char c) {
    assert(c != '\0');
    if (at + 1 < BEST_LIST_BYTES) {
        list[at] = c;
        list[at + 1] = '\0';
    } else if (at < BEST_LIST_BYTES) {
        list[at] = '\0'; /* no room for c: truncated before it */
    }
    return at + 1;
}

/* Append "sep channel=what" to list (BEST_LIST_BYTES). */
static void best_list_add(char *list, size_t *used, char sep, sy_channel_t c,
                          const char *what) {
    assert(*used < BEST_LIST_BYTES);
    size_t end = best_list_put_char(list, *used, sep);
    end = sy_str_put(list, BEST_LIST_BYTES, end, sy_channel_name(c));
    end = best_list_put_char(list, end, '=');
    end = sy_str_put(list, BEST_LIST_BYTES, end, what);
    *used = end < BEST_LIST_BYTES ? end : BEST_LIST_BYTES - 1;
}

/* snprintf's "%.3g" of rate, written without the formatter for the commonest rates: none
 * yet, and all. */
static void rate_text_put(char *text, size_t size, double rate) {
    assert(text && size >= 2);
    if (rate == 0.0 && !signbit(rate))
        sy_str_copy(text, size, "0");
    else if (rate == 1.0)
        sy_str_copy(text, size, "1");
    else
        snprintf(text, size, "%.3g", rate);
}

/* Pick the channel: the allowed one of among with the highest engagement_rate_30d (no
 * sends yet reads as 0), ties to the first in among; -1 when none is allowed. The path
 * names each channel with its rate or why it was not allowed. */
static sy_err_t best_pick(engine_walk_t *w, const journey_send_t *send,
                          uint32_t suppressed, int *chosen, char *list) {
    engine_t *e = w->engine;
    journey_send_t one = *send;
    char rate_text[JOURNEY_BEST_CHANNELS_MAX][16];
    double best_rate = -1.0;
    size_t used = 0;
    assert(send->best && send->among_count <= JOURNEY_BEST_CHANNELS_MAX);
    sy_err_t err = engine_engagement_load_walk(w);
    *chosen = -1;
    list[0] = '\0';
    for (size_t i = 0; err == SY_OK && i < send->among_count; i++) {
        const char *why = NULL;
        one.channel = send->among[i];
        if ((err = best_probe(w, &one, (suppressed >> one.channel) & 1u, &why)) != SY_OK)
            break;
        double rate = engine_engagement_rate(&e->engagement.channels[one.channel],
                                             STATE_ENGAGEMENT_ENGAGED, 1);
        rate = isnan(rate) ? 0.0 : rate;
        rate_text_put(rate_text[i], sizeof rate_text[i], rate);
        best_list_add(list, &used, i ? ',' : ';', one.channel, why ? why : rate_text[i]);
        if (!why && rate > best_rate) {
            best_rate = rate;
            *chosen = (int)one.channel;
        }
    }
    return err;
}

sy_err_t engine_best_pick(engine_walk_t *w, const journey_send_t *send, uint32_t suppressed,
                          int *chosen) {
    engine_t *e = w->engine;
    char list[BEST_LIST_BYTES];
    assert(send->best && send->among_count >= 2);
    sy_err_t err = best_pick(w, send, suppressed, chosen, list);
    if (err != SY_OK)
        return err;
    _Static_assert(BEST_LIST_BYTES + 16 <= ENGINE_BEST_PATH_BYTES, "a best path fits");
    size_t end = sy_str_put(e->best_path, sizeof e->best_path, 0, "best:");
    end = sy_str_put(e->best_path, sizeof e->best_path, end,
                     *chosen >= 0 ? sy_channel_name((sy_channel_t)*chosen) : "none");
    sy_str_put(e->best_path, sizeof e->best_path, end, list);
    return SY_OK;
}
