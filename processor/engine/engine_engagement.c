/* engine_engagement.c — the engagement memory in the engine: which events and sends
 * update a contact's record (state_engagement.c keeps it), how its counters decay in
 * event time, and what the variables contact.engagement.<channel>.<field> read
 * (docs/expressions.md#engagement). Not the channel choice or fatigue that use it
 * (engine_best.c). */
#include "engine.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "engine_int.h"
#include "log.h"

#define DAY_MS INT64_C(86400000)
/* Half-lives of the three horizons: a counted thing weighs 1 when it happens and half as
 * much every half-life later. */
static const int64_t half_life_ms[STATE_ENGAGEMENT_HORIZONS] = {7 * DAY_MS, 30 * DAY_MS,
                                                                90 * DAY_MS};

/* What an event counts as on its channel (engine_safety_on_event has classified an SMS
 * reply's keyword before). */
typedef enum engagement_kind {
    ENGAGEMENT_NONE,
    ENGAGEMENT_DELIVERED,
    ENGAGEMENT_OPEN,   /* email.opened, push.opened, in_app.shown, web.shown */
    ENGAGEMENT_CLICK,  /* *.clicked */
    ENGAGEMENT_REPLY,  /* sms.replied that is no keyword */
    ENGAGEMENT_ANSWER, /* voice.answered */
} engagement_kind_t;

static bool channel_has_engagement(sy_channel_t c) {
    /* no assert: every value is answered */
    return c == SY_CHANNEL_EMAIL || c == SY_CHANNEL_SMS || c == SY_CHANNEL_PUSH ||
           c == SY_CHANNEL_VOICE || c == SY_CHANNEL_IN_APP || c == SY_CHANNEL_WEB;
}

static engagement_kind_t event_kind(const engine_t *e, const sy_event_t *ev) {
    assert(ev != NULL);
    if (!channel_has_engagement(ev->channel))
        return ENGAGEMENT_NONE;
    switch (ev->type) {
    case SY_EVENT_DELIVERED:
        return ENGAGEMENT_DELIVERED;
    case SY_EVENT_OPENED:
        return ENGAGEMENT_OPEN;
    case SY_EVENT_SHOWN:
        return ev->channel == SY_CHANNEL_IN_APP || ev->channel == SY_CHANNEL_WEB
                   ? ENGAGEMENT_OPEN : ENGAGEMENT_NONE;
    case SY_EVENT_CLICKED:
        return ENGAGEMENT_CLICK;
    case SY_EVENT_REPLIED: /* STOP and START are about consent, not engagement */
        return e->event_keyword ? ENGAGEMENT_NONE : ENGAGEMENT_REPLY;
    case SY_EVENT_ANSWERED:
        return ENGAGEMENT_ANSWER;
    default:
        return ENGAGEMENT_NONE;
    }
}

/* 2^(-dt / half-life): the weight now of something dt_ms ago (dt_ms >= 0). */
static double decay(int64_t dt_ms, int horizon) {
    assert(dt_ms >= 0 && horizon >= 0 && horizon < STATE_ENGAGEMENT_HORIZONS);
    return exp2(-(double)dt_ms / (double)half_life_ms[horizon]);
}

/* Add one to counter (and to ENGAGED unless it is SENDS) of ch at t: the counters are
 * first decayed to t when t is later than their time; an earlier t (a late event) adds
 * its weight at their time instead. Either way each counter is the sum over what it
 * counted of 2^(-(T - t_i) / H), T the counters' time: the order of events is lost. */
static void counters_add(state_engagement_channel_t *ch, int counter, int64_t t) {
    double f[STATE_ENGAGEMENT_HORIZONS];
    assert(counter >= 0 && counter < STATE_ENGAGEMENT_COUNTERS);
    if (ch->updated_ms == INT64_MIN)
        ch->updated_ms = t;
    bool later = t > ch->updated_ms, late = t < ch->updated_ms;
    int64_t dt = later ? t - ch->updated_ms : ch->updated_ms - t;
    /* The weights of dt, the exp2 calls in a row; none when t is the counters' time (a
     * third of the adds, a channel's first among them), where no weight is used. */
    for (int h = 0; h < STATE_ENGAGEMENT_HORIZONS; h++)
        f[h] = 1.0;
    if (dt != 0)
        for (int h = 0; h < STATE_ENGAGEMENT_HORIZONS; h++)
            f[h] = decay(dt, h);
    for (int h = 0; h < STATE_ENGAGEMENT_HORIZONS; h++) {
        double add = late ? f[h] : 1.0;
        float *c = ch->decayed[h];
        if (later)
            for (int k = 0; k < STATE_ENGAGEMENT_COUNTERS; k++)
                c[k] = (float)((double)c[k] * f[h]);
        c[counter] = (float)((double)c[counter] + add);
        if (counter != STATE_ENGAGEMENT_SENDS && counter != STATE_ENGAGEMENT_ENGAGED)
            c[STATE_ENGAGEMENT_ENGAGED] = (float)((double)c[STATE_ENGAGEMENT_ENGAGED] + add);
    }
    if (later)
        ch->updated_ms = t;
}

static int64_t time_max(int64_t a, int64_t b) {
    /* no assert: pure */
    return a > b ? a : b;
}

/* Is (partition, contact_id) the contact in the key of the cached record? (The key holds
 * the partition's two bytes, big-endian, then the id, no terminator: as many bytes equal,
 * then contact_id's end.) */
static bool engagement_contact_is(const engine_t *e, int32_t partition,
                                  const char *contact_id) {
    const state_engagement_key_t *key = &e->engagement_key;
    assert(key->len >= 2);
    size_t n = key->len - 2;
    return (key->bytes[0] << 8 | key->bytes[1]) == partition &&
           strncmp((const char *)key->bytes + 2, contact_id, n) == 0 && contact_id[n] == '\0';
}

/* Read the record of the contact whose key e->engagement_key now holds into the cache,
 * no channel decoded yet; a failed read leaves no contact's record there. */
static sy_err_t engagement_read(engine_t *e, char *errbuf, size_t errbuf_size) {
    assert(e->engagement_key.len > 2);
    sy_err_t err = state_store_engagement_value_get_at(e->store, &e->engagement_key,
                                                       &e->engagement_value, errbuf,
                                                       errbuf_size);
    e->engagement_decoded = 0;
    e->engagement_loaded = err == SY_OK;
    return err;
}

/* Channel c of the cached record, decoded on its first use since the read. */
static inline state_engagement_channel_t *engagement_channel(engine_t *e, sy_channel_t c) {
    assert(e->engagement_loaded && (unsigned)c < SY_CHANNEL__COUNT);
    state_engagement_channel_t *ch = &e->engagement.channels[c];
    if (!(e->engagement_decoded >> c & 1u)) {
        state_engagement_value_channel_get(&e->engagement_value, c, ch);
        e->engagement_decoded |= UINT32_C(1) << c;
    }
    return ch;
}

/* After a load that returned err: with SY_OK, every channel of the cached record decoded,
 * for the readers of e->engagement elsewhere. */
static sy_err_t engagement_decode_all(engine_t *e, sy_err_t err) {
    assert(e != NULL);
    if (err != SY_OK || e->engagement_decoded == STATE_ENGAGEMENT_CHANNELS_ALL)
        return err;
    state_engagement_value_decode(&e->engagement_value, e->engagement_decoded,
                                  &e->engagement);
    e->engagement_decoded = STATE_ENGAGEMENT_CHANNELS_ALL;
    return err;
}

/* engine_engagement_load, the channels left to decode on their use. */
static sy_err_t engagement_load(engine_t *e, int32_t partition, const char *contact_id,
                                char *errbuf, size_t errbuf_size) {
    assert(e != NULL && contact_id != NULL);
    if (e->engagement_loaded && engagement_contact_is(e, partition, contact_id))
        return SY_OK;
    e->engagement_loaded = false; /* the key is rewritten: it names no cached record now */
    sy_err_t err = state_engagement_key_make(&e->engagement_key, partition, contact_id, errbuf,
                                             errbuf_size);
    return err == SY_OK ? engagement_read(e, errbuf, errbuf_size) : err;
}

sy_err_t engine_engagement_load(engine_t *e, int32_t partition, const char *contact_id,
                                char *errbuf, size_t errbuf_size) {
    /* no assert: engagement_load asserts */
    return engagement_decode_all(e, engagement_load(e, partition, contact_id, errbuf,
                                                    errbuf_size));
}

/* engagement_load of the contact whose records key is key's contact part. */
static sy_err_t engagement_load_at(engine_t *e, const state_instance_key_t *key, char *errbuf,
                                   size_t errbuf_size) {
    state_engagement_key_t *held = &e->engagement_key;
    assert(key->contact_len > 2 && key->contact_len <= sizeof held->bytes);
    if (e->engagement_loaded && held->len == key->contact_len &&
        memcmp(held->bytes, key->bytes, held->len) == 0) /* the partition and the id */
        return SY_OK;
    state_engagement_key_from(held, key);
    return engagement_read(e, errbuf, errbuf_size);
}

/* engagement_load of w's contact (engine_engagement_load_walk, the channels left to
 * decode on their use). */
static sy_err_t engagement_load_walk(engine_walk_t *w) {
    /* no assert: engagement_load_at and engagement_load assert */
    return w->key ? engagement_load_at(w->engine, w->key, w->errbuf, w->errbuf_size)
                  : engagement_load(w->engine, w->partition, w->contact_id, w->errbuf,
                                    w->errbuf_size);
}

sy_err_t engine_engagement_load_walk(engine_walk_t *w) {
    /* no assert: engagement_load_walk asserts */
    return engagement_decode_all(w->engine, engagement_load_walk(w));
}

/* The cached record, changed in channel alone since it was read or last stored, into the
 * pending batch by the key made when it was read. */
static sy_err_t engagement_store(engine_t *e, sy_channel_t channel) {
    assert(e->engagement_loaded && e->engagement_value.len > 0);
    return state_store_engagement_put_channel_at(e->store, &e->engagement_key, &e->engagement,
                                                 &e->engagement_value, channel);
}

sy_err_t engine_engagement_on_event(engine_t *e, int32_t partition, const sy_event_t *ev,
                                    char *errbuf, size_t errbuf_size) {
    assert(e != NULL && ev->contact_id != NULL);
    engagement_kind_t kind = event_kind(e, ev);
    if (kind == ENGAGEMENT_NONE)
        return SY_OK;
    sy_err_t err = engagement_load(e, partition, ev->contact_id, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    state_engagement_channel_t *ch = engagement_channel(e, ev->channel);
    int64_t t = ev->occurred_at_ms;
    if (kind == ENGAGEMENT_DELIVERED) {
        if (ch->updated_ms == INT64_MIN)
            ch->updated_ms = t;
        ch->delivered_ms = time_max(ch->delivered_ms, t);
        return engagement_store(e, ev->channel);
    }
    counters_add(ch, kind == ENGAGEMENT_OPEN    ? STATE_ENGAGEMENT_OPENS
                     : kind == ENGAGEMENT_CLICK ? STATE_ENGAGEMENT_CLICKS
                                                : STATE_ENGAGEMENT_ENGAGED, t);
    ch->engaged_ms = time_max(ch->engaged_ms, t);
    /* A late engagement, stamped before the latest send, was not with that send: at least
     * it is still ignored (how many sends came after t the record does not know). */
    ch->ignored_streak = t >= ch->sent_ms ? 0 : ch->ignored_streak > 0 ? 1 : 0;
    return engagement_store(e, ev->channel);
}

sy_err_t engine_engagement_on_send(engine_walk_t *w, sy_channel_t channel) {
    engine_t *e = w->engine;
    assert((unsigned)channel < SY_CHANNEL__COUNT);
    if (!channel_has_engagement(channel))
        return SY_OK;
    sy_err_t err = engagement_load_walk(w);
    if (err != SY_OK)
        return err;
    state_engagement_channel_t *ch = engagement_channel(e, channel);
    counters_add(ch, STATE_ENGAGEMENT_SENDS, w->t);
    ch->sent_ms = time_max(ch->sent_ms, w->t);
    if (ch->ignored_streak < UINT16_MAX)
        ch->ignored_streak++;
    return engagement_store(e, channel);
}

double engine_engagement_rate(const state_engagement_channel_t *ch, int counter, int horizon) {
    assert(counter > STATE_ENGAGEMENT_SENDS && counter < STATE_ENGAGEMENT_COUNTERS);
    double sends = ch->decayed[horizon][STATE_ENGAGEMENT_SENDS];
    if (ch->updated_ms == INT64_MIN || !(sends > 0.0))
        return NAN;
    double rate = (double)ch->decayed[horizon][counter] / sends;
    return rate > 1.0 ? 1.0 : rate;
}

/* A time variable: absent when it never happened. */
static void value_time(int64_t ms, expr_engagement_value_t *out) {
    assert(out != NULL);
    out->absent = ms == INT64_MIN;
    out->ms = ms;
}

void engine_engagement_var(void *ctx, sy_channel_t channel, expr_engagement_field_t field,
                           int64_t now_ms, expr_engagement_value_t *out) {
    static const int counter_of[] = {STATE_ENGAGEMENT_ENGAGED, STATE_ENGAGEMENT_OPENS,
                                     STATE_ENGAGEMENT_CLICKS};
    engine_walk_t *w = ctx;
    assert(w != NULL && (unsigned)channel < SY_CHANNEL__COUNT);
    if (engagement_load_walk(w) != SY_OK) {
        log_warn("contact %s: engagement not readable (%s): read as none", w->contact_id,
                 w->errbuf);
        return; /* out keeps its absent default */
    }
    const state_engagement_channel_t *ch = engagement_channel(w->engine, channel);
    int measure = (int)field / EXPR_ENGAGEMENT_HORIZONS, h = (int)field % EXPR_ENGAGEMENT_HORIZONS;
    if (field >= EXPR_ENGAGEMENT_ENGAGED_AT && field <= EXPR_ENGAGEMENT_DELIVERED_AT) {
        value_time(field == EXPR_ENGAGEMENT_ENGAGED_AT ? ch->engaged_ms
                   : field == EXPR_ENGAGEMENT_SENT_AT  ? ch->sent_ms
                                                       : ch->delivered_ms, out);
        return;
    }
    if (field == EXPR_ENGAGEMENT_IGNORED_STREAK) {
        out->n = ch->ignored_streak;
        return;
    }
    if (field >= EXPR_ENGAGEMENT_SENDS) { /* decayed to now (not back before the record) */
        double sends = ch->decayed[h][STATE_ENGAGEMENT_SENDS];
        out->n = ch->updated_ms == INT64_MIN || now_ms <= ch->updated_ms
                     ? sends : sends * decay(now_ms - ch->updated_ms, h);
        return;
    }
    double rate = engine_engagement_rate(ch, counter_of[measure], h);
    out->absent = isnan(rate);
    out->n = out->absent ? 0 : rate;
}
