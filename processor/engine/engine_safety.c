/* engine_safety.c — consent and suppression in the engine (engine_safety.h): the events,
 * SMS keywords and update nodes that change a contact's consent record, and the gate
 * every send passes (engine_safety_check: suppression, then quiet hours, then caps). The
 * record is the store's (state_consent.c); the settings are engine_safety_conf.c's; the
 * quiet hours and caps themselves engine_quiet.c's and engine_caps.c's. */
#include "engine_safety.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "log.h"
#include "sy_str.h"

void engine_safety_set(engine_t *e, const engine_safety_conf_t *conf) {
    assert(e != NULL && conf->lists_count <= ENGINE_SAFETY_LISTS_MAX);
    e->safety = *conf;
}

void engine_safety_counts_get(const engine_t *e, engine_safety_counts_t *out) {
    assert(e != NULL && out != NULL);
    *out = e->counts;
}

static bool keyword_in(const engine_safety_keywords_t *k, const char *text, size_t len) {
    assert(k->count <= ENGINE_SAFETY_KEYWORDS_MAX);
    for (size_t i = 0; i < k->count; i++)
        if (strlen(k->words[i]) == len && strncasecmp(k->words[i], text, len) == 0)
            return true;
    return false;
}

int engine_safety_keyword(const engine_safety_conf_t *conf, const char *text) {
    assert(conf != NULL);
    if (!text)
        return 0;
    size_t len = strlen(text);
    while (len && isspace((unsigned char)*text))
        text++, len--;
    while (len && isspace((unsigned char)text[len - 1]))
        len--;
    if (keyword_in(&conf->stop_all, text, len))
        return ENGINE_KEYWORD_STOP_ALL;
    if (keyword_in(&conf->stop, text, len))
        return ENGINE_KEYWORD_STOP;
    return keyword_in(&conf->start, text, len) ? ENGINE_KEYWORD_START : 0;
}

/* Set slot of c to status at t unless the slot changed later than t (a late event does
 * not undo a newer change). True when it changed. */
static bool slot_set(state_consent_t *c, int slot, state_consent_status_t status,
                     state_consent_cause_t cause, int64_t t) {
    assert(slot >= 0 && slot < STATE_CONSENT_SLOTS);
    state_consent_slot_t *s = &c->slots[slot];
    if (s->status != STATE_CONSENT_UNKNOWN && s->time_ms > t)
        return false;
    if (s->status == status && s->cause == cause)
        return false;
    *s = (state_consent_slot_t){(uint8_t)status, (uint8_t)cause, t};
    return true;
}

/* An opt-in or opt-out (from an event, a keyword, a journey or a profile) of slot of c at
 * t: as slot_set, except that it never lifts a suppression (a dead address stays dead
 * whatever the consent: an unsubscribe after a hard bounce must not reopen transactional
 * email to it). */
static bool consent_set(state_consent_t *c, int slot, state_consent_status_t status,
                        state_consent_cause_t cause, int64_t t) {
    assert(status == STATE_CONSENT_OPTED_IN || status == STATE_CONSENT_OPTED_OUT);
    if (c->slots[slot].status == STATE_CONSENT_SUPPRESSED)
        return false;
    return slot_set(c, slot, status, cause, t);
}

/* What an event does to consent, into c; true when c changed. *keyword is set to the
 * keyword list an SMS reply matched. */
static bool event_consent(const engine_safety_conf_t *conf, const sy_event_t *ev,
                          state_consent_t *c, int *keyword) {
    int64_t t = ev->occurred_at_ms;
    bool changed = false;
    assert((unsigned)ev->channel < SY_CHANNEL__COUNT && (unsigned)ev->type < SY_EVENT_TYPE__COUNT);
    if (conf->opt_out_all_event[ev->channel][ev->type])
        changed |= consent_set(c, STATE_CONSENT_ALL, STATE_CONSENT_OPTED_OUT,
                            STATE_CONSENT_CAUSE_EVENT, t);
    if (conf->opt_out_event[ev->channel][ev->type])
        changed |= consent_set(c, ev->channel, STATE_CONSENT_OPTED_OUT, STATE_CONSENT_CAUSE_EVENT,
                            t);
    if (conf->bounce_hard_suppress && ev->channel == SY_CHANNEL_EMAIL &&
        ev->type == SY_EVENT_BOUNCED && ev->bounce == SY_BOUNCE_HARD)
        changed |= slot_set(c, SY_CHANNEL_EMAIL, STATE_CONSENT_SUPPRESSED,
                            STATE_CONSENT_CAUSE_BOUNCE, t);
    *keyword = ev->channel == SY_CHANNEL_SMS && ev->type == SY_EVENT_REPLIED
                   ? engine_safety_keyword(conf, ev->text) : 0;
    if (*keyword == ENGINE_KEYWORD_STOP_ALL)
        changed |= consent_set(c, STATE_CONSENT_ALL, STATE_CONSENT_OPTED_OUT,
                            STATE_CONSENT_CAUSE_KEYWORD, t);
    if (*keyword == ENGINE_KEYWORD_STOP || *keyword == ENGINE_KEYWORD_STOP_ALL)
        changed |= consent_set(c, SY_CHANNEL_SMS, STATE_CONSENT_OPTED_OUT,
                            STATE_CONSENT_CAUSE_KEYWORD, t);
    if (*keyword == ENGINE_KEYWORD_START) {
        changed |= consent_set(c, SY_CHANNEL_SMS, STATE_CONSENT_OPTED_IN,
                            STATE_CONSENT_CAUSE_KEYWORD, t);
        if (c->slots[STATE_CONSENT_ALL].cause == STATE_CONSENT_CAUSE_KEYWORD)
            changed |= consent_set(c, STATE_CONSENT_ALL, STATE_CONSENT_OPTED_IN,
                                STATE_CONSENT_CAUSE_KEYWORD, t);
    }
    return changed;
}

/* Could ev change consent at all? Most events cannot: they cost no state read. */
static bool event_is_source(const engine_safety_conf_t *conf, const sy_event_t *ev) {
    assert((unsigned)ev->channel < SY_CHANNEL__COUNT);
    return conf->opt_out_event[ev->channel][ev->type] ||
           conf->opt_out_all_event[ev->channel][ev->type] ||
           (ev->channel == SY_CHANNEL_SMS && ev->type == SY_EVENT_REPLIED) ||
           (ev->channel == SY_CHANNEL_EMAIL && ev->type == SY_EVENT_BOUNCED);
}

/* A keyword opt-out's contact update: made by the engine, not a journey. */
static sy_err_t keyword_update(engine_t *e, const sy_event_t *ev) {
    assert(ev->channel == SY_CHANNEL_SMS);
    sy_contact_update_t u = {.contact_id = ev->contact_id, .journey_id = "consent",
                             .journey_version = 0, .node_id = "sms_keyword",
                             .op = SY_UPDATE_OPT_OUT, .name = "sms", .value = NULL,
                             .at_ms = ev->occurred_at_ms};
    return e->sink.contact_update(e->sink.ctx, &u);
}

sy_err_t engine_safety_on_event(engine_t *e, int32_t partition, const sy_event_t *ev,
                                char *errbuf, size_t errbuf_size) {
    state_consent_t c;
    int keyword = 0;
    assert(e != NULL && ev->contact_id != NULL);
    e->event_as_opt_out = NULL;
    e->event_keyword = 0;
    if (!event_is_source(&e->safety, ev))
        return SY_OK;
    sy_err_t err = state_store_consent_get(e->store, partition, ev->contact_id, &c, errbuf,
                                           errbuf_size);
    if (err == SY_OK && event_consent(&e->safety, ev, &c, &keyword))
        err = state_store_consent_put(e->store, partition, ev->contact_id, &c, errbuf,
                                      errbuf_size);
    e->event_keyword = keyword;
    if (err != SY_OK || (keyword != ENGINE_KEYWORD_STOP && keyword != ENGINE_KEYWORD_STOP_ALL))
        return err;
    /* Journeys' rules see the reply as sms.opted_out too. */
    e->opt_out_event = *ev;
    e->opt_out_event.type = SY_EVENT_OPTED_OUT;
    e->event_as_opt_out = &e->opt_out_event;
    return keyword_update(e, ev);
}

/* The configured suppression list named name, or NULL. */
static const engine_safety_list_t *list_find(const engine_safety_conf_t *conf,
                                             const char *name) {
    assert(conf->lists_count <= ENGINE_SAFETY_LISTS_MAX);
    for (size_t i = 0; i < conf->lists_count; i++)
        if (strcmp(conf->lists[i].name, name) == 0)
            return &conf->lists[i];
    return NULL;
}

/* Add (in) or remove contact c's membership of list name; true when c changed. */
static bool list_member_set(state_consent_t *c, const char *name, bool in, int64_t t) {
    assert(c->lists_count <= STATE_CONSENT_LISTS_MAX && strlen(name) <= SY_ID_BYTES_MAX);
    for (size_t i = 0; i < c->lists_count; i++) {
        if (strcmp(c->lists[i].name, name) != 0)
            continue;
        if (in)
            return false;
        memmove(&c->lists[i], &c->lists[i + 1], (c->lists_count - i - 1) * sizeof *c->lists);
        c->lists_count--;
        return true;
    }
    if (!in || c->lists_count == STATE_CONSENT_LISTS_MAX)
        return false;
    state_consent_list_t *l = &c->lists[c->lists_count++];
    snprintf(l->name, sizeof l->name, "%s", name);
    l->time_ms = t;
    return true;
}

/* Read the consent of w's contact into *out: by the contact part of w's key when the walk
 * has one, else by its partition and contact id. */
static sy_err_t walk_consent_get(engine_walk_t *w, state_consent_t *out) {
    engine_t *e = w->engine;
    assert(w->contact_id != NULL && out != NULL);
    return w->key ? state_store_consent_get_at(e->store, w->key, out, w->errbuf,
                                               w->errbuf_size)
                  : state_store_consent_get(e->store, w->partition, w->contact_id, out,
                                            w->errbuf, w->errbuf_size);
}

/* Write c as the consent of w's contact, keyed as walk_consent_get reads it. */
static sy_err_t walk_consent_put(engine_walk_t *w, const state_consent_t *c) {
    engine_t *e = w->engine;
    assert(w->contact_id != NULL && c != NULL);
    return w->key ? state_store_consent_put_at(e->store, w->key, c)
                  : state_store_consent_put(e->store, w->partition, w->contact_id, c,
                                            w->errbuf, w->errbuf_size);
}

sy_err_t engine_safety_on_update(engine_walk_t *w, const journey_update_t *up) {
    state_consent_t c;
    engine_t *e = w->engine;
    assert(up->name != NULL);
    bool consent = up->op == SY_UPDATE_OPT_OUT || up->op == SY_UPDATE_OPT_IN;
    int channel = consent ? sy_channel_parse(up->name) : -1;
    bool list = (up->op == SY_UPDATE_ADD_TO_LIST || up->op == SY_UPDATE_REMOVE_FROM_LIST) &&
                list_find(&e->safety, up->name);
    if (channel < 0 && !list)
        return SY_OK;
    sy_err_t err = walk_consent_get(w, &c);
    if (err != SY_OK)
        return err;
    state_consent_status_t status = up->op == SY_UPDATE_OPT_IN ? STATE_CONSENT_OPTED_IN
                                                                : STATE_CONSENT_OPTED_OUT;
    bool changed = channel >= 0 ? consent_set(&c, channel, status,
                                              STATE_CONSENT_CAUSE_JOURNEY, w->t)
                                : list_member_set(&c, up->name,
                                                  up->op == SY_UPDATE_ADD_TO_LIST, w->t);
    return changed ? walk_consent_put(w, &c) : SY_OK;
}

/* The consent slot a profile attribute sets: consent.<channel> of a channel a send can
 * use, or consent.all; -1 for another consent.* name, -2 for a name that is not one. */
static int profile_attr_slot(const char *name) {
    static const char prefix[] = "consent.";
    assert(name != NULL);
    if (strncmp(name, prefix, sizeof prefix - 1) != 0)
        return -2;
    const char *rest = name + sizeof prefix - 1;
    if (strcmp(rest, "all") == 0)
        return STATE_CONSENT_ALL;
    int c = sy_channel_parse(rest);
    return c == SY_CHANNEL_CALL || c == SY_CHANNEL_CUSTOM || c == SY_CHANNEL_TASK ? -1 : c;
}

/* What a consent attribute's value says: opted_in or opted_out in any case; UNKNOWN for
 * anything else. */
static state_consent_status_t profile_attr_status(const sy_value_t *v) {
    assert(v != NULL);
    if (v->kind != SY_VALUE_STRING)
        return STATE_CONSENT_UNKNOWN;
    if (strcasecmp(v->u.s, "opted_in") == 0)
        return STATE_CONSENT_OPTED_IN;
    return strcasecmp(v->u.s, "opted_out") == 0 ? STATE_CONSENT_OPTED_OUT
                                                : STATE_CONSENT_UNKNOWN;
}

/* One warning per engine for a consent attribute it ignores: a run of bad profiles says
 * so once, not once a record. */
static void profile_attr_warn(engine_t *e, const char *contact_id, const sy_attr_t *a,
                              bool bad_name) {
    static const char *const kinds[] = {"null", "a boolean", "a number", "a number"};
    assert(a->value.kind <= SY_VALUE_STRING);
    if (e->consent_attr_warned)
        return;
    e->consent_attr_warned = true;
    char what[128];
    if (bad_name)
        snprintf(what, sizeof what, "names no channel");
    else if (a->value.kind == SY_VALUE_STRING)
        snprintf(what, sizeof what, "is \"%.64s\", not opted_in or opted_out", a->value.u.s);
    else
        snprintf(what, sizeof what, "is %s, not opted_in or opted_out", kinds[a->value.kind]);
    log_warn("profile of contact %s: %s %s: ignored (consent attributes are consent.<channel> "
             "of email, sms, push, voice, in_app or web, and consent.all; later bad ones are "
             "ignored without a warning)", contact_id, a->name, what);
}

sy_err_t engine_safety_on_profile(engine_t *e, int32_t partition,
                                  const sy_profile_update_t *u, char *errbuf,
                                  size_t errbuf_size) {
    state_consent_t c;
    bool read = false, changed = false;
    assert(e != NULL && u->set_count <= SY_PROFILE_ATTRS_MAX);
    for (size_t i = 0; i < u->set_count; i++) {
        int slot = profile_attr_slot(u->set[i].name);
        state_consent_status_t status = profile_attr_status(&u->set[i].value);
        if (slot == -2)
            continue;
        if (slot < 0 || status == STATE_CONSENT_UNKNOWN) {
            profile_attr_warn(e, u->contact_id, &u->set[i], slot < 0);
            continue;
        }
        if (!read) {
            sy_err_t err = state_store_consent_get(e->store, partition, u->contact_id, &c,
                                                   errbuf, errbuf_size);
            if (err != SY_OK)
                return err;
            read = true;
        }
        changed |= consent_set(&c, slot, status, STATE_CONSENT_CAUSE_PROFILE,
                               u->updated_at_ms);
    }
    return changed ? state_store_consent_put(e->store, partition, u->contact_id, &c, errbuf,
                                             errbuf_size)
                   : SY_OK;
}

/* Is slot of c closed at t: opted out (or suppressed) at or before t? */
static bool slot_closed(const state_consent_t *c, int slot, int64_t t, bool suppressed_only) {
    assert(slot >= 0 && slot < STATE_CONSENT_SLOTS);
    const state_consent_slot_t *s = &c->slots[slot];
    if (s->time_ms > t)
        return false;
    return s->status == STATE_CONSENT_SUPPRESSED ||
           (!suppressed_only && s->status == STATE_CONSENT_OPTED_OUT);
}

/* The suppression list of c that blocks channel, or NULL. */
static const char *list_blocking(const engine_safety_conf_t *conf, const state_consent_t *c,
                                 sy_channel_t channel) {
    assert(c->lists_count <= STATE_CONSENT_LISTS_MAX);
    for (size_t i = 0; i < c->lists_count; i++) {
        const engine_safety_list_t *l = list_find(conf, c->lists[i].name);
        if (l && (l->channel < 0 || l->channel == (int)channel))
            return l->name;
    }
    return NULL;
}

/* The suppression or consent reason that stops send for c at t (in the engine's reason
 * buffer), or NULL. */
static const char *gate_suppressed(engine_t *e, const state_consent_t *c,
                                   const journey_send_t *send, int64_t t) {
    bool marketing = send->category == JOURNEY_CATEGORY_MARKETING;
    const char *list = list_blocking(&e->safety, c, send->channel);
    assert((unsigned)send->channel < SY_CHANNEL__COUNT);
    if (list)
        snprintf(e->reason, sizeof e->reason, "suppressed:list:%s", list);
    else if (slot_closed(c, send->channel, t, true))
        snprintf(e->reason, sizeof e->reason, "suppressed:hard_bounce");
    else if (slot_closed(c, STATE_CONSENT_ALL, t, false) ||
             (marketing && slot_closed(c, send->channel, t, false)))
        snprintf(e->reason, sizeof e->reason, "suppressed:opted_out");
    else
        return NULL;
    return e->reason;
}

/* The caps for send at w's time, c being the contact's record: CAPPED or HELD into
 * *verdict when a rule binds (on_capped says which), else nothing. */
static void gate_capped(engine_walk_t *w, const journey_send_t *send,
                        const state_consent_t *c, engine_verdict_t *verdict) {
    char when[SY_TIME_TEXT_BYTES];
    engine_t *e = w->engine;
    int64_t release = w->t;
    int release_rule = -1;
    int first = engine_caps_binding(&e->safety, c, send->channel, send->category, w->t,
                                    &release, &release_rule);
    if (first < 0)
        return;
    assert(release_rule >= 0 && release > w->t);
    if (send->on_capped == JOURNEY_ON_CAPPED_DELAY) {
        sy_time_format_ms(release, when);
        verdict->rule = e->safety.caps[release_rule].name;
        snprintf(e->reason, sizeof e->reason, "held:capped:%s@%s", verdict->rule, when);
        verdict->kind = ENGINE_VERDICT_HELD;
        verdict->release_ms = release;
    } else {
        verdict->rule = e->safety.caps[first].name;
        snprintf(e->reason, sizeof e->reason, "capped:%s", verdict->rule);
        verdict->kind = ENGINE_VERDICT_CAPPED;
        verdict->to = send->on_capped == JOURNEY_ON_CAPPED_NODE ? send->capped_to : send->next;
    }
    verdict->reason = e->reason;
}

/* A best-channel send on a channel the contact has no address on: SUPPRESSED with path
 * no_address:<channel>; else *verdict is untouched. */
static sy_err_t gate_address(engine_walk_t *w, const journey_send_t *send,
                             engine_verdict_t *verdict) {
    bool has = true;
    engine_t *e = w->engine;
    assert(verdict->kind == ENGINE_VERDICT_SEND);
    sy_err_t err = engine_best_has_address(w, send->channel, &has);
    if (err != SY_OK || has)
        return err;
    sy_str_put(e->reason, sizeof e->reason, sy_str_copy(e->reason, sizeof e->reason,
                                                         "no_address:"),
               sy_channel_name(send->channel));
    verdict->kind = ENGINE_VERDICT_SUPPRESSED;
    verdict->reason = e->reason;
    return SY_OK;
}

/* Count a verdict that stops or holds the send. */
static void gate_count(engine_t *e, const engine_verdict_t *verdict) {
    assert(verdict != NULL);
    if (verdict->kind == ENGINE_VERDICT_SUPPRESSED)
        e->counts.suppressed++;
    if (verdict->kind == ENGINE_VERDICT_HELD)
        e->counts.held++;
    if (verdict->kind == ENGINE_VERDICT_CAPPED && strncmp(verdict->reason, "fatigued:", 9) == 0)
        e->counts.fatigued++;
    else if (verdict->kind == ENGINE_VERDICT_CAPPED)
        e->counts.capped++;
}

/* The gate for send, the contact's consent read into e->consent (by the caller: a
 * best-channel send has read it to pick the channel, and nothing has written it since). */
static sy_err_t safety_gate(engine_walk_t *w, const journey_send_t *send, bool check_address,
                            engine_verdict_t *verdict) {
    engine_t *e = w->engine;
    state_consent_t *c = &e->consent;
    sy_err_t err = SY_OK;
    assert((unsigned)send->channel < SY_CHANNEL__COUNT);
    *verdict = (engine_verdict_t){.kind = ENGINE_VERDICT_SEND};
    if ((verdict->reason = gate_suppressed(e, c, send, w->t)) != NULL)
        verdict->kind = ENGINE_VERDICT_SUPPRESSED;
    if (verdict->kind == ENGINE_VERDICT_SEND && check_address)
        err = gate_address(w, send, verdict);
    if (err == SY_OK && verdict->kind == ENGINE_VERDICT_SEND)
        err = engine_fatigue_check(w, send, verdict);
    if (err == SY_OK && verdict->kind == ENGINE_VERDICT_SEND)
        err = engine_quiet_check(w, send, verdict);
    if (err != SY_OK)
        return err;
    if (verdict->kind == ENGINE_VERDICT_SEND)
        gate_capped(w, send, c, verdict);
    gate_count(e, verdict);
    if (verdict->kind != ENGINE_VERDICT_SEND)
        return SY_OK;
    if ((err = engine_engagement_on_send(w, send->channel)) != SY_OK ||
        !engine_caps_record(&e->safety, c, send->channel, send->category, w->t))
        return err;
    return walk_consent_put(w, c);
}

/* A best-channel send: pick the channel, then the gate on it (quiet hours may still hold
 * it), or on among[0] for its reason when none is allowed. */
static sy_err_t best_gate(engine_walk_t *w, const journey_send_t *send,
                          engine_verdict_t *verdict) {
    engine_t *e = w->engine;
    journey_send_t one = *send;
    uint32_t suppressed = 0;
    int chosen = -1;
    assert(send->best && send->among_count <= JOURNEY_BEST_CHANNELS_MAX);
    sy_err_t err = walk_consent_get(w, &e->consent);
    for (size_t i = 0; err == SY_OK && i < send->among_count; i++) {
        one.channel = send->among[i];
        if (gate_suppressed(e, &e->consent, &one, w->t))
            suppressed |= 1u << one.channel;
    }
    if (err == SY_OK)
        err = engine_best_pick(w, send, suppressed, &chosen);
    if (err != SY_OK)
        return err;
    one.channel = chosen >= 0 ? (sy_channel_t)chosen : send->among[0];
    err = safety_gate(w, &one, true, verdict);
    if (err == SY_OK && verdict->kind == ENGINE_VERDICT_SEND) {
        w->best_chosen = true;
        w->best_channel = one.channel;
    }
    return err;
}

sy_err_t engine_safety_check(engine_walk_t *w, const journey_send_t *send,
                             engine_verdict_t *verdict) {
    assert(w != NULL && send != NULL);
    w->best_chosen = false;
    if (send->best)
        return best_gate(w, send, verdict);
    sy_err_t err = walk_consent_get(w, &w->engine->consent);
    return err == SY_OK ? safety_gate(w, send, false, verdict) : err;
}
