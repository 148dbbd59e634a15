/* test_engine.c — unit tests of the engine on the coffee email promo: entry, every path
 * of the multi-engagement branch with its windows and timers, message matching, stale
 * timers, re-entry, engine_branch_eval itself and deterministic output; then the full
 * language on small journeys written here: entry filters and re-entry, goals and exits,
 * watched events and path `if`s, waits, conditions, splits, tasks, rendered parameters,
 * updates seen by later steps, and node timers for migration. In-memory state store, and
 * a sink that records what the engine emits. No Kafka: the runner is not here. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action_id.h"
#include "engine.h"
#include "journey.h"
#include "state_store.h"

#define H_MS (60LL * 60 * 1000)
/* 2024-10-01T09:00:00Z: the contact becomes eligible for the promo. */
#define T0_MS 1727773200000LL
#define PARTITION 3
#define JOURNEY_ID "coffee_email_promo"
#define COFFEE_PATH SY_SOURCE_ROOT "/examples/journeys/coffee_email_promo.yaml"

static const char contact[] = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f";
static const char other_contact[] = "0a0b0c0d-1111-4222-8333-444455556666";

static char errbuf[1024];

/* ---- a sink that records; strings are copied, "<null>" stands for NULL ---- */

#define REC_MAX 64
#define REC_STR 160
#define REC_LINE 512

typedef struct rec_decision {
    char contact[REC_STR], journey[REC_STR], from[REC_STR], to[REC_STR], path[REC_STR];
    char cause_event[REC_STR];
    int32_t version;
    sy_cause_t cause;
    int64_t at_ms;
} rec_decision_t;

#define REC_PARAMS 4

typedef struct rec_action {
    char action_id[REC_STR], contact[REC_STR], template_id[REC_STR], journey[REC_STR];
    char node[REC_STR];
    size_t params_count;
    char params[REC_PARAMS][2][REC_STR]; /* key, value */
    sy_channel_t channel;
    int64_t not_before_ms;
    int32_t version, occurrence;
} rec_action_t;

typedef struct rec_update {
    char contact[REC_STR], journey[REC_STR], node[REC_STR], name[REC_STR], value[REC_STR];
    sy_update_op_t op;
    int64_t at_ms;
} rec_update_t;

typedef struct recorder {
    size_t decisions_count, actions_count, updates_count, lines_count;
    rec_decision_t decisions[REC_MAX];
    rec_action_t actions[REC_MAX];
    rec_update_t updates[REC_MAX];
    char lines[3 * REC_MAX][REC_LINE]; /* every output in order, for determinism */
} recorder_t;

static void copy_str(char *dst, const char *src) {
    snprintf(dst, REC_STR, "%s", src ? src : "<null>");
}

static char *next_line(recorder_t *r) {
    cr_assert_lt(r->lines_count, 3 * REC_MAX, "too many outputs recorded");
    return r->lines[r->lines_count++];
}

static sy_err_t record_decision(void *ctx, const sy_decision_t *d) {
    recorder_t *r = ctx;
    cr_assert_lt(r->decisions_count, REC_MAX, "too many decisions");
    rec_decision_t *out = &r->decisions[r->decisions_count++];
    copy_str(out->contact, d->contact_id);
    copy_str(out->journey, d->journey_id);
    copy_str(out->from, d->from_node);
    copy_str(out->to, d->to_node);
    copy_str(out->path, d->path);
    copy_str(out->cause_event, d->cause_event_id);
    out->version = d->journey_version;
    out->cause = d->cause;
    out->at_ms = d->decided_at_ms;
    snprintf(next_line(r), REC_LINE, "decision %s %s v%d %s->%s path=%s cause=%d/%s at=%lld",
             out->contact, out->journey, (int)out->version, out->from, out->to, out->path,
             (int)out->cause, out->cause_event, (long long)out->at_ms);
    return SY_OK;
}

static sy_err_t record_action(void *ctx, const sy_action_t *a) {
    recorder_t *r = ctx;
    cr_assert_lt(r->actions_count, REC_MAX, "too many actions");
    rec_action_t *out = &r->actions[r->actions_count++];
    copy_str(out->action_id, a->action_id);
    copy_str(out->contact, a->contact_id);
    copy_str(out->template_id, a->template_id);
    copy_str(out->journey, a->journey_id);
    copy_str(out->node, a->node_id);
    out->channel = a->channel;
    out->not_before_ms = a->not_before_ms;
    out->version = a->journey_version;
    out->occurrence = a->occurrence;
    out->params_count = a->params_count;
    for (size_t i = 0; i < a->params_count && i < REC_PARAMS; i++) {
        copy_str(out->params[i][0], a->params[i].key);
        copy_str(out->params[i][1], a->params[i].value);
    }
    snprintf(next_line(r), REC_LINE, "action %s %s %d %s %s v%d %s #%d nb=%lld",
             out->action_id, out->contact, (int)out->channel, out->template_id,
             out->journey, (int)out->version, out->node, (int)out->occurrence,
             (long long)out->not_before_ms);
    return SY_OK;
}

static sy_err_t record_update(void *ctx, const sy_contact_update_t *u) {
    recorder_t *r = ctx;
    cr_assert_lt(r->updates_count, REC_MAX, "too many contact updates");
    rec_update_t *out = &r->updates[r->updates_count++];
    copy_str(out->contact, u->contact_id);
    copy_str(out->journey, u->journey_id);
    copy_str(out->node, u->node_id);
    copy_str(out->name, u->name);
    copy_str(out->value, u->value);
    out->op = u->op;
    out->at_ms = u->at_ms;
    snprintf(next_line(r), REC_LINE, "update %s %s %s op=%d %s=%s at=%lld", out->contact,
             out->journey, out->node, (int)out->op, out->name, out->value,
             (long long)out->at_ms);
    return SY_OK;
}

/* ---- one engine over the coffee journey and an in-memory store ---- */

typedef struct env {
    journey_t *journey;
    journey_set_t set;
    state_store_t *store;
    engine_t *engine;
    recorder_t rec;
} env_t;

static journey_t *coffee_load(void) {
    journey_t *j = NULL;
    errbuf[0] = '\0';
    sy_err_t err = journey_load_file(&j, COFFEE_PATH, errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "loading %s returned %d; errbuf: %s", COFFEE_PATH, err, errbuf);
    return j;
}

/* An engine over journey (taken) and a fresh in-memory store named store_name. */
static void env_open_with(env_t *env, const char *store_name, journey_t *journey) {
    memset(env, 0, sizeof *env);
    env->journey = journey;
    env->set = (journey_set_t){.count = 1, .journeys = &env->journey};
    errbuf[0] = '\0';
    sy_err_t err = state_store_open(&env->store, store_name, true,
                                    STATE_CACHE_BYTES_DEFAULT, errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "state_store_open returned %d; errbuf: %s", err, errbuf);
    engine_sink_t sink = {record_decision, record_action, record_update, &env->rec};
    err = engine_open(&env->engine, &env->set, env->store, &sink, errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "engine_open returned %d; errbuf: %s", err, errbuf);
}

static void env_open(env_t *env, const char *store_name) {
    env_open_with(env, store_name, coffee_load());
}

static void env_close(env_t *env) {
    engine_close(env->engine);
    state_store_close(env->store);
    journey_free(env->journey);
    memset(env, 0, sizeof *env);
}

static env_t fx;

static void fx_setup(void) { env_open(&fx, "engine-test"); }
static void fx_teardown(void) { env_close(&fx); }

TestSuite(engine, .init = fx_setup, .fini = fx_teardown);

/* Fire timers up to and including now_ms; returns how many fired (stale included). */
static size_t advance(env_t *env, int64_t now_ms) {
    size_t fired = 0;
    errbuf[0] = '\0';
    sy_err_t err = engine_fire_timers(env->engine, PARTITION, now_ms, &fired, errbuf,
                                      sizeof errbuf);
    cr_assert_eq(err, SY_OK, "engine_fire_timers(%lld) returned %d; errbuf: %s",
                 (long long)now_ms, err, errbuf);
    return fired;
}

/* As the runner does in event time: timers due before the event fire first. */
static void feed(env_t *env, const sy_event_t *ev) {
    advance(env, ev->occurred_at_ms - 1);
    errbuf[0] = '\0';
    sy_err_t err = engine_on_event(env->engine, PARTITION, ev, errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "engine_on_event(%s) returned %d; errbuf: %s", ev->event_id,
                 err, errbuf);
}

static sy_event_t event_make(const char *event_id, const char *contact_id, int64_t t,
                             sy_channel_t channel, sy_event_type_t type) {
    sy_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.event_id = event_id;
    ev.contact_id = contact_id;
    ev.occurred_at_ms = t;
    ev.channel = channel;
    ev.type = type;
    ev.bounce = SY_BOUNCE_NONE;
    return ev;
}

static void feed_entry(env_t *env, const char *event_id, const char *contact_id, int64_t t) {
    sy_event_t ev = event_make(event_id, contact_id, t, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    ev.name = "promo_eligible";
    feed(env, &ev);
}

/* An email outcome echoing message_id (the action id), which may be NULL. */
static void feed_email(env_t *env, const char *event_id, const char *contact_id, int64_t t,
                       sy_event_type_t type, const char *message_id) {
    sy_event_t ev = event_make(event_id, contact_id, t, SY_CHANNEL_EMAIL, type);
    ev.message_id = message_id;
    feed(env, &ev);
}

typedef struct action_id_buf {
    char s[ACTION_ID_BYTES];
} action_id_buf_t;

static action_id_buf_t action_id_of(const char *contact_id, const char *node_id,
                                    uint32_t occurrence) {
    action_id_buf_t id;
    action_id_format(id.s, contact_id, JOURNEY_ID, 1, node_id, occurrence);
    return id;
}

/* The promo email's id for contact_id's nth entry: what providers echo back. */
static action_id_buf_t promo_id(const char *contact_id, uint32_t occurrence) {
    return action_id_of(contact_id, "promo_email", occurrence);
}

static void expect_counts(const recorder_t *r, size_t decisions, size_t actions,
                          size_t updates) {
    cr_assert_eq(r->decisions_count, decisions, "%zu decisions, want %zu (last: %s)",
                 r->decisions_count, decisions,
                 r->lines_count ? r->lines[r->lines_count - 1] : "none");
    cr_assert_eq(r->actions_count, actions, "%zu actions, want %zu", r->actions_count,
                 actions);
    cr_assert_eq(r->updates_count, updates, "%zu contact updates, want %zu",
                 r->updates_count, updates);
}

static void expect_decision(const recorder_t *r, size_t i, const char *from, const char *to,
                            const char *path, sy_cause_t cause, const char *cause_event,
                            int64_t at_ms) {
    cr_assert_lt(i, r->decisions_count, "no decision %zu (%zu recorded)", i,
                 r->decisions_count);
    const rec_decision_t *d = &r->decisions[i];
    cr_assert_str_eq(d->contact, contact, "decision %zu contact '%s'", i, d->contact);
    cr_assert_str_eq(d->journey, JOURNEY_ID, "decision %zu journey '%s'", i, d->journey);
    cr_assert_eq(d->version, 1, "decision %zu version %d, want 1", i, (int)d->version);
    cr_assert_str_eq(d->from, from, "decision %zu from '%s', want '%s'", i, d->from, from);
    cr_assert_str_eq(d->to, to, "decision %zu to '%s', want '%s'", i, d->to, to);
    cr_assert_str_eq(d->path, path, "decision %zu path '%s', want '%s'", i, d->path, path);
    cr_assert_eq(d->cause, cause, "decision %zu cause %d, want %d", i, d->cause, cause);
    cr_assert_str_eq(d->cause_event, cause_event, "decision %zu cause event '%s', want '%s'",
                     i, d->cause_event, cause_event);
    cr_assert_eq(d->at_ms, at_ms, "decision %zu at %lld, want %lld", i, (long long)d->at_ms,
                 (long long)at_ms);
}

static void expect_action(const recorder_t *r, size_t i, sy_channel_t channel,
                          const char *template_id, const char *node, uint32_t occurrence,
                          int64_t not_before_ms) {
    cr_assert_lt(i, r->actions_count, "no action %zu (%zu recorded)", i, r->actions_count);
    const rec_action_t *a = &r->actions[i];
    action_id_buf_t want_id = action_id_of(contact, node, occurrence);
    cr_assert_eq(a->channel, channel, "action %zu channel %d, want %d", i, a->channel,
                 channel);
    cr_assert_str_eq(a->template_id, template_id, "action %zu template '%s', want '%s'", i,
                     a->template_id, template_id);
    cr_assert_str_eq(a->node, node, "action %zu node '%s', want '%s'", i, a->node, node);
    cr_assert_str_eq(a->action_id, want_id.s, "action %zu id '%s', want '%s'", i,
                     a->action_id, want_id.s);
    cr_assert_str_eq(a->contact, contact, "action %zu contact '%s'", i, a->contact);
    cr_assert_str_eq(a->journey, JOURNEY_ID, "action %zu journey '%s'", i, a->journey);
    cr_assert_eq(a->version, 1, "action %zu version %d, want 1", i, (int)a->version);
    cr_assert_eq(a->occurrence, (int32_t)occurrence, "action %zu occurrence %d, want %u", i,
                 (int)a->occurrence, occurrence);
    cr_assert_eq(a->not_before_ms, not_before_ms, "action %zu not before %lld, want %lld",
                 i, (long long)a->not_before_ms, (long long)not_before_ms);
}

static void expect_update(const recorder_t *r, size_t i, const char *node, const char *list,
                          int64_t at_ms) {
    cr_assert_lt(i, r->updates_count, "no contact update %zu (%zu recorded)", i,
                 r->updates_count);
    const rec_update_t *u = &r->updates[i];
    cr_assert_eq(u->op, SY_UPDATE_ADD_TO_LIST, "update %zu op %d, want add_to_list (%d)", i,
                 u->op, SY_UPDATE_ADD_TO_LIST);
    cr_assert_str_eq(u->name, list, "update %zu list '%s', want '%s'", i, u->name, list);
    cr_assert_str_eq(u->value, "<null>", "update %zu value '%s', want none", i, u->value);
    cr_assert_str_eq(u->node, node, "update %zu node '%s', want '%s'", i, u->node, node);
    cr_assert_str_eq(u->contact, contact, "update %zu contact '%s'", i, u->contact);
    cr_assert_str_eq(u->journey, JOURNEY_ID, "update %zu journey '%s'", i, u->journey);
    cr_assert_eq(u->at_ms, at_ms, "update %zu at %lld, want %lld", i, (long long)u->at_ms,
                 (long long)at_ms);
}

/* Entry at T0 and its two decisions and one email, checked. */
static void enter_at_t0(void) {
    feed_entry(&fx, "entry-1", contact, T0_MS);
    expect_counts(&fx.rec, 2, 1, 0);
}

/* ---- entry ---- */

Test(engine, entry_on_promo_eligible_sends_promo_email_and_waits_at_branch) {
    feed_entry(&fx, "entry-1", contact, T0_MS);
    expect_counts(&fx.rec, 2, 1, 0);
    expect_decision(&fx.rec, 0, "<null>", "promo_email", "<null>", SY_CAUSE_ENTRY, "entry-1",
                    T0_MS);
    expect_decision(&fx.rec, 1, "promo_email", "outcome", "<null>", SY_CAUSE_ENTRY,
                    "entry-1", T0_MS);
    expect_action(&fx.rec, 0, SY_CHANNEL_EMAIL, "autumn_promo", "promo_email", 1, T0_MS);
    action_id_buf_t want = promo_id(contact, 1);
    cr_assert_str_eq(fx.rec.actions[0].action_id, want.s, "promo id '%s', want '%s'",
                     fx.rec.actions[0].action_id, want.s);

    state_instance_t inst;
    sy_err_t err = state_store_instance_get(fx.store, PARTITION, contact, JOURNEY_ID, &inst,
                                            errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "instance_get returned %d; %s", err, errbuf);
    cr_assert_eq(inst.status, STATE_INSTANCE_ACTIVE, "status %d, want active", inst.status);
    cr_assert_eq(inst.node, 1, "waits at node %u, want 1 (outcome)", inst.node);
    cr_assert_eq(inst.occurrence, 1, "occurrence %u, want 1", inst.occurrence);
}

Test(engine, unrelated_event_enters_nothing) {
    sy_event_t visit = event_make("visit-1", contact, T0_MS, SY_CHANNEL_CUSTOM,
                                  SY_EVENT_CUSTOM);
    visit.name = "store_visit";
    feed(&fx, &visit);
    sy_event_t unnamed = event_make("custom-1", contact, T0_MS, SY_CHANNEL_CUSTOM,
                                    SY_EVENT_CUSTOM);
    feed(&fx, &unnamed);
    action_id_buf_t id = promo_id(contact, 1);
    feed_email(&fx, "open-1", contact, T0_MS + 1, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 0, 0, 0);
    state_instance_t inst;
    sy_err_t err = state_store_instance_get(fx.store, PARTITION, contact, JOURNEY_ID, &inst,
                                            errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_ERR_NOT_FOUND, "instance_get returned %d, want SY_ERR_NOT_FOUND",
                 err);
}

Test(engine, entry_event_while_active_does_not_reenter) {
    enter_at_t0();
    feed_entry(&fx, "entry-2", contact, T0_MS + H_MS);
    expect_counts(&fx.rec, 2, 1, 0);
}

/* ---- the branch's paths ---- */

Test(engine, delivered_then_opened_within_24h_sends_discount_and_exits) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    expect_counts(&fx.rec, 2, 1, 0);
    feed_email(&fx, "opened-1", contact, T0_MS + 2 * H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
    expect_decision(&fx.rec, 2, "outcome", "discount_email", "opened", SY_CAUSE_EVENT,
                    "opened-1", T0_MS + 2 * H_MS);
    expect_decision(&fx.rec, 3, "discount_email", "done", "<null>", SY_CAUSE_EVENT,
                    "opened-1", T0_MS + 2 * H_MS);
    expect_action(&fx.rec, 1, SY_CHANNEL_EMAIL, "personal_discount", "discount_email", 1,
                  T0_MS + 2 * H_MS);

    /* The contact is done: more outcomes of the same message change nothing. */
    feed_email(&fx, "clicked-1", contact, T0_MS + 3 * H_MS, SY_EVENT_CLICKED, id.s);
    feed_email(&fx, "opened-2", contact, T0_MS + 4 * H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
}

Test(engine, opened_before_delivered_report_still_takes_opened_path) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "opened-1", contact, T0_MS + H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 2, 1, 0);
    feed_email(&fx, "delivered-1", contact, T0_MS + 2 * H_MS, SY_EVENT_DELIVERED, id.s);
    expect_decision(&fx.rec, 2, "outcome", "discount_email", "opened", SY_CAUSE_EVENT,
                    "delivered-1", T0_MS + 2 * H_MS);
}

Test(engine, opened_at_exactly_24h_still_takes_opened_path) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    feed_email(&fx, "opened-1", contact, T0_MS + 24 * H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
    expect_decision(&fx.rec, 2, "outcome", "discount_email", "opened", SY_CAUSE_EVENT,
                    "opened-1", T0_MS + 24 * H_MS);
    /* The not_opened timer due at the same instant is stale by now. */
    cr_assert_eq(advance(&fx, T0_MS + 72 * H_MS), 2, "want the 24h and 72h timers fired");
    expect_counts(&fx.rec, 4, 2, 0);
}

Test(engine, delivered_not_opened_sends_push_when_timer_fires_at_24h) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    size_t fired = advance(&fx, T0_MS + 24 * H_MS - 1);
    cr_assert_eq(fired, 0, "%zu timers fired before 24h, want 0", fired);
    expect_counts(&fx.rec, 2, 1, 0);
    fired = advance(&fx, T0_MS + 24 * H_MS);
    cr_assert_eq(fired, 1, "%zu timers fired at 24h, want 1", fired);
    expect_counts(&fx.rec, 4, 2, 0);
    expect_decision(&fx.rec, 2, "outcome", "push_nudge", "not_opened", SY_CAUSE_TIMER,
                    "<null>", T0_MS + 24 * H_MS);
    expect_decision(&fx.rec, 3, "push_nudge", "done", "<null>", SY_CAUSE_TIMER, "<null>",
                    T0_MS + 24 * H_MS);
    expect_action(&fx.rec, 1, SY_CHANNEL_PUSH, "autumn_promo_reminder", "push_nudge", 1,
                  T0_MS + 24 * H_MS);

    /* A late open changes nothing, and neither does the 72h close. */
    feed_email(&fx, "opened-1", contact, T0_MS + 25 * H_MS, SY_EVENT_OPENED, id.s);
    cr_assert_eq(advance(&fx, T0_MS + 72 * H_MS), 1, "want the 72h timer fired (stale)");
    expect_counts(&fx.rec, 4, 2, 0);
}

Test(engine, open_one_ms_after_24h_comes_after_the_push) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    /* feed fires the timers due before the open first, as the runner does. */
    feed_email(&fx, "opened-1", contact, T0_MS + 24 * H_MS + 1, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
    expect_decision(&fx.rec, 2, "outcome", "push_nudge", "not_opened", SY_CAUSE_TIMER,
                    "<null>", T0_MS + 24 * H_MS);
    expect_action(&fx.rec, 1, SY_CHANNEL_PUSH, "autumn_promo_reminder", "push_nudge", 1,
                  T0_MS + 24 * H_MS);
}

Test(engine, bounced_adds_to_data_cleansing_list) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    sy_event_t ev = event_make("bounced-1", contact, T0_MS + 5 * 60 * 1000, SY_CHANNEL_EMAIL,
                               SY_EVENT_BOUNCED);
    ev.message_id = id.s;
    ev.bounce = SY_BOUNCE_HARD;
    feed(&fx, &ev);
    expect_counts(&fx.rec, 4, 1, 1);
    expect_decision(&fx.rec, 2, "outcome", "flag_cleansing", "bounced", SY_CAUSE_EVENT,
                    "bounced-1", T0_MS + 5 * 60 * 1000);
    expect_decision(&fx.rec, 3, "flag_cleansing", "done", "<null>", SY_CAUSE_EVENT,
                    "bounced-1", T0_MS + 5 * 60 * 1000);
    expect_update(&fx.rec, 0, "flag_cleansing", "data_cleansing", T0_MS + 5 * 60 * 1000);
    cr_assert_eq(advance(&fx, T0_MS + 72 * H_MS), 2, "want the 24h and 72h timers fired");
    expect_counts(&fx.rec, 4, 1, 1);
}

Test(engine, blocked_adds_to_suppression_list) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "blocked-1", contact, T0_MS + 60 * 1000, SY_EVENT_BLOCKED, id.s);
    expect_counts(&fx.rec, 4, 1, 1);
    expect_decision(&fx.rec, 2, "outcome", "suppress", "blocked", SY_CAUSE_EVENT,
                    "blocked-1", T0_MS + 60 * 1000);
    expect_decision(&fx.rec, 3, "suppress", "done", "<null>", SY_CAUSE_EVENT, "blocked-1",
                    T0_MS + 60 * 1000);
    expect_update(&fx.rec, 0, "suppress", "suppression", T0_MS + 60 * 1000);
}

Test(engine, no_engagement_closes_with_otherwise_at_72h) {
    enter_at_t0();
    size_t fired = advance(&fx, T0_MS + 72 * H_MS - 1);
    cr_assert_eq(fired, 1, "%zu timers fired before 72h, want 1 (the 24h one)", fired);
    expect_counts(&fx.rec, 2, 1, 0);
    fired = advance(&fx, T0_MS + 72 * H_MS);
    cr_assert_eq(fired, 1, "%zu timers fired at 72h, want 1", fired);
    expect_counts(&fx.rec, 3, 1, 0);
    expect_decision(&fx.rec, 2, "outcome", "done", "otherwise", SY_CAUSE_TIMER, "<null>",
                    T0_MS + 72 * H_MS);
    cr_assert_eq(advance(&fx, INT64_MAX), 0, "timers left after the branch closed");
}

Test(engine, delivered_and_opened_after_24h_waits_for_otherwise) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "opened-1", contact, T0_MS + 30 * H_MS, SY_EVENT_OPENED, id.s);
    feed_email(&fx, "delivered-1", contact, T0_MS + 31 * H_MS, SY_EVENT_DELIVERED, id.s);
    /* opened is past its 24h window; not_opened is excluded by the open. */
    expect_counts(&fx.rec, 2, 1, 0);
    advance(&fx, T0_MS + 72 * H_MS);
    expect_counts(&fx.rec, 3, 1, 0);
    expect_decision(&fx.rec, 2, "outcome", "done", "otherwise", SY_CAUSE_TIMER, "<null>",
                    T0_MS + 72 * H_MS);
}

/* ---- which events count for the message ---- */

Test(engine, message_id_of_another_contact_or_occurrence_does_not_count) {
    action_id_buf_t theirs = promo_id(other_contact, 1), next = promo_id(contact, 2);
    action_id_buf_t discount = action_id_of(contact, "discount_email", 1);
    enter_at_t0();
    feed_email(&fx, "d-other", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, theirs.s);
    feed_email(&fx, "o-other", contact, T0_MS + H_MS, SY_EVENT_OPENED, theirs.s);
    feed_email(&fx, "d-next", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, next.s);
    feed_email(&fx, "o-next", contact, T0_MS + H_MS, SY_EVENT_OPENED, next.s);
    feed_email(&fx, "b-node", contact, T0_MS + H_MS, SY_EVENT_BOUNCED, discount.s);
    expect_counts(&fx.rec, 2, 1, 0);
    /* Had any delivered counted, not_opened would hold at 24h. */
    advance(&fx, T0_MS + 24 * H_MS);
    expect_counts(&fx.rec, 2, 1, 0);
}

Test(engine, outcome_on_another_channel_does_not_count) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    sy_event_t ev = event_make("push-blocked", contact, T0_MS + H_MS, SY_CHANNEL_PUSH,
                               SY_EVENT_FAILED);
    ev.message_id = id.s;
    feed(&fx, &ev);
    sy_event_t sms = event_make("sms-blocked", contact, T0_MS + H_MS, SY_CHANNEL_SMS,
                                SY_EVENT_DELIVERED);
    sms.message_id = id.s;
    feed(&fx, &sms);
    advance(&fx, T0_MS + 24 * H_MS);
    expect_counts(&fx.rec, 2, 1, 0);
}

Test(engine, event_without_message_id_counts_by_journey_and_node) {
    enter_at_t0();
    sy_event_t wrong_node = event_make("d-wrong-node", contact, T0_MS + H_MS,
                                       SY_CHANNEL_EMAIL, SY_EVENT_BOUNCED);
    wrong_node.journey_id = JOURNEY_ID;
    wrong_node.node_id = "discount_email";
    feed(&fx, &wrong_node);
    sy_event_t wrong_journey = event_make("d-wrong-journey", contact, T0_MS + H_MS,
                                          SY_CHANNEL_EMAIL, SY_EVENT_BOUNCED);
    wrong_journey.journey_id = "sms_feedback";
    wrong_journey.node_id = "promo_email";
    feed(&fx, &wrong_journey);
    sy_event_t journey_only = event_make("d-journey-only", contact, T0_MS + H_MS,
                                         SY_CHANNEL_EMAIL, SY_EVENT_BOUNCED);
    journey_only.journey_id = JOURNEY_ID;
    feed(&fx, &journey_only);
    expect_counts(&fx.rec, 2, 1, 0);

    sy_event_t delivered = event_make("delivered-1", contact, T0_MS + 2 * H_MS,
                                      SY_CHANNEL_EMAIL, SY_EVENT_DELIVERED);
    delivered.journey_id = JOURNEY_ID;
    delivered.node_id = "promo_email";
    feed(&fx, &delivered);
    sy_event_t opened = delivered;
    opened.event_id = "opened-1";
    opened.type = SY_EVENT_OPENED;
    opened.occurred_at_ms = T0_MS + 3 * H_MS;
    feed(&fx, &opened);
    expect_counts(&fx.rec, 4, 2, 0);
    expect_decision(&fx.rec, 2, "outcome", "discount_email", "opened", SY_CAUSE_EVENT,
                    "opened-1", T0_MS + 3 * H_MS);
}

Test(engine, events_of_one_contact_do_not_move_another) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_entry(&fx, "entry-other", other_contact, T0_MS + 1);
    expect_counts(&fx.rec, 4, 2, 0);
    /* The other contact's provider echoes our contact's id: it is not theirs. */
    feed_email(&fx, "blocked-x", other_contact, T0_MS + H_MS, SY_EVENT_BLOCKED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
    feed_email(&fx, "blocked-1", contact, T0_MS + H_MS, SY_EVENT_BLOCKED, id.s);
    expect_counts(&fx.rec, 6, 2, 1);
    expect_decision(&fx.rec, 4, "outcome", "suppress", "blocked", SY_CAUSE_EVENT,
                    "blocked-1", T0_MS + H_MS);
}

/* ---- timers and re-entry ---- */

Test(engine, stale_timers_do_nothing_after_opened_path) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    feed_email(&fx, "opened-1", contact, T0_MS + 2 * H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
    size_t fired = advance(&fx, T0_MS + 24 * H_MS);
    cr_assert_eq(fired, 1, "%zu timers fired at 24h, want 1 (stale)", fired);
    fired = advance(&fx, T0_MS + 72 * H_MS);
    cr_assert_eq(fired, 1, "%zu timers fired at 72h, want 1 (stale)", fired);
    expect_counts(&fx.rec, 4, 2, 0);
}

Test(engine, reentry_after_exit_is_occurrence_2_with_new_action_id) {
    action_id_buf_t first = promo_id(contact, 1), second = promo_id(contact, 2);
    enter_at_t0();
    feed_email(&fx, "bounced-1", contact, T0_MS + H_MS, SY_EVENT_BOUNCED, first.s);
    expect_counts(&fx.rec, 4, 1, 1);

    int64_t t1 = T0_MS + 3 * H_MS;
    feed_entry(&fx, "entry-2", contact, t1);
    expect_counts(&fx.rec, 6, 2, 1);
    expect_decision(&fx.rec, 4, "<null>", "promo_email", "<null>", SY_CAUSE_ENTRY, "entry-2",
                    t1);
    expect_decision(&fx.rec, 5, "promo_email", "outcome", "<null>", SY_CAUSE_ENTRY,
                    "entry-2", t1);
    expect_action(&fx.rec, 1, SY_CHANNEL_EMAIL, "autumn_promo", "promo_email", 2, t1);
    cr_assert_str_neq(fx.rec.actions[1].action_id, fx.rec.actions[0].action_id,
                      "re-entry reused action id '%s'", fx.rec.actions[0].action_id);
    cr_assert_str_eq(fx.rec.actions[1].action_id, second.s, "id '%s', want '%s'",
                     fx.rec.actions[1].action_id, second.s);

    /* The first email's outcomes no longer count; the second's do. */
    feed_email(&fx, "blocked-old", contact, t1 + H_MS, SY_EVENT_BLOCKED, first.s);
    expect_counts(&fx.rec, 6, 2, 1);
    feed_email(&fx, "delivered-2", contact, t1 + H_MS, SY_EVENT_DELIVERED, second.s);
    /* The first entry's 24h and 72h timers are stale; the second's 24h one fires. */
    size_t fired = advance(&fx, T0_MS + 24 * H_MS);
    cr_assert_eq(fired, 1, "%zu timers fired at T0+24h, want 1 (stale)", fired);
    expect_counts(&fx.rec, 6, 2, 1);
    advance(&fx, t1 + 24 * H_MS);
    expect_counts(&fx.rec, 8, 3, 1);
    expect_decision(&fx.rec, 6, "outcome", "push_nudge", "not_opened", SY_CAUSE_TIMER,
                    "<null>", t1 + 24 * H_MS);
    expect_action(&fx.rec, 2, SY_CHANNEL_PUSH, "autumn_promo_reminder", "push_nudge", 2,
                  t1 + 24 * H_MS);
}

Test(engine, committed_state_and_timers_carry_across_batches) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    sy_err_t err = state_store_commit(fx.store, errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "commit returned %d; %s", err, errbuf);
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    err = state_store_commit(fx.store, errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "commit returned %d; %s", err, errbuf);
    advance(&fx, T0_MS + 24 * H_MS);
    expect_counts(&fx.rec, 4, 2, 0);
    expect_decision(&fx.rec, 2, "outcome", "push_nudge", "not_opened", SY_CAUSE_TIMER,
                    "<null>", T0_MS + 24 * H_MS);
}

Test(engine, aborted_batch_replays_to_the_same_outputs) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    sy_err_t err = state_store_commit(fx.store, errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "commit returned %d; %s", err, errbuf);
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    feed_email(&fx, "opened-1", contact, T0_MS + 2 * H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
    state_store_abort(fx.store);
    /* The transaction was aborted: the batch is processed again from committed state. */
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    feed_email(&fx, "opened-1", contact, T0_MS + 2 * H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 6, 3, 0);
    for (size_t i = 0; i < 3; i++)
        cr_assert_str_eq(fx.rec.lines[3 + i], fx.rec.lines[6 + i], "replayed output %zu:\n"
                         "  %s\nwant\n  %s", i, fx.rec.lines[6 + i], fx.rec.lines[3 + i]);
}

/* ---- engine_branch_eval ---- */

static const journey_branch_t *coffee_branch(void) {
    int index = journey_node_index(fx.journey, "outcome");
    cr_assert_eq(index, 1, "outcome is node %d, want 1", index);
    return &fx.journey->nodes[index].u.branch;
}

#define SEEN(type) (UINT32_C(1) << (type))

/* The branch's watch bits for a set of outcome types (SEEN bits): what those outcomes of
 * its message set. Types the branch does not watch set nothing. */
static uint32_t watch_bits_of(const journey_branch_t *b, uint32_t types) {
    uint32_t bits = 0;
    for (size_t i = 0; i < b->watch.count; i++)
        if (types & SEEN(b->watch.events[i].type))
            bits |= UINT32_C(1) << i;
    return bits;
}

static void expect_eval(const journey_branch_t *b, uint32_t seen, int64_t t_rel, int want) {
    expr_profile_t profile = {0};
    expr_env_t env = {.profile = &profile, .seen_mask = watch_bits_of(b, seen),
                      .now_ms = T0_MS + t_rel, .entered_at_ms = T0_MS, .entries = 1};
    int got = engine_branch_eval(b, T0_MS, &env);
    cr_assert_eq(got, want, "seen 0x%x at entered%+lld ms: path %d, want %d", seen,
                 (long long)t_rel, got, want);
}

Test(engine, branch_eval_first_holding_path_wins) {
    const journey_branch_t *b = coffee_branch();
    uint32_t opened = SEEN(SY_EVENT_DELIVERED) | SEEN(SY_EVENT_OPENED);
    expect_eval(b, opened | SEEN(SY_EVENT_BOUNCED), H_MS, 0);
    expect_eval(b, SEEN(SY_EVENT_BOUNCED) | SEEN(SY_EVENT_BLOCKED), H_MS, 2);
    expect_eval(b, SEEN(SY_EVENT_DELIVERED) | SEEN(SY_EVENT_BLOCKED), 24 * H_MS, 1);
    expect_eval(b, SEEN(SY_EVENT_BLOCKED), H_MS, 3);

    /* A hand-built branch: the same two holding paths, in both orders. */
    journey_path_t paths[2];
    memset(paths, 0, sizeof paths);
    paths[0].name = "a";
    paths[0].when_count = 1;
    paths[0].when[0] = (journey_event_match_t){SY_CHANNEL_SMS, SY_EVENT_REPLIED, NULL};
    paths[1].name = "b";
    paths[1].when_count = 1;
    paths[1].when[0] = (journey_event_match_t){SY_CHANNEL_SMS, SY_EVENT_CLICKED, NULL};
    paths[0].when_mask = 1; /* watch bit 0: sms.replied */
    paths[1].when_mask = 2; /* watch bit 1: sms.clicked */
    journey_branch_t hand = {.paths_count = 2, .paths = paths, .otherwise_after_ms = H_MS};
    hand.watch.count = 2;
    hand.watch.events[0] = paths[0].when[0];
    hand.watch.events[1] = paths[1].when[0];
    uint32_t both = SEEN(SY_EVENT_REPLIED) | SEEN(SY_EVENT_CLICKED);
    expect_eval(&hand, both, 1, 0);
    journey_path_t swapped[2] = {paths[1], paths[0]};
    hand.paths = swapped;
    expect_eval(&hand, both, 1, 0);
    cr_assert_str_eq(swapped[0].name, "b", "path 0 is '%s'", swapped[0].name);
    expect_eval(&hand, SEEN(SY_EVENT_REPLIED), 1, 1);
}

Test(engine, branch_eval_within_excludes_after_deadline) {
    const journey_branch_t *b = coffee_branch();
    uint32_t opened = SEEN(SY_EVENT_DELIVERED) | SEEN(SY_EVENT_OPENED);
    expect_eval(b, opened, 0, 0);
    expect_eval(b, opened, 24 * H_MS, 0);
    expect_eval(b, opened, 24 * H_MS + 1, -1);
    expect_eval(b, opened, 72 * H_MS, 4);
}

Test(engine, branch_eval_after_excludes_before_delay) {
    const journey_branch_t *b = coffee_branch();
    uint32_t delivered = SEEN(SY_EVENT_DELIVERED);
    expect_eval(b, delivered, 0, -1);
    expect_eval(b, delivered, 24 * H_MS - 1, -1);
    expect_eval(b, delivered, 24 * H_MS, 1);
    expect_eval(b, delivered, 72 * H_MS + 1, 1);
}

Test(engine, branch_eval_unless_excludes_path) {
    const journey_branch_t *b = coffee_branch();
    uint32_t opened = SEEN(SY_EVENT_DELIVERED) | SEEN(SY_EVENT_OPENED);
    /* not_opened's time has come, but the open excludes it; opened's window is over. */
    expect_eval(b, opened, 25 * H_MS, -1);
    expect_eval(b, opened | SEEN(SY_EVENT_CLICKED), 25 * H_MS, -1);
    expect_eval(b, SEEN(SY_EVENT_DELIVERED) | SEEN(SY_EVENT_CLICKED), 25 * H_MS, 1);
}

Test(engine, branch_eval_otherwise_at_close_time_and_waits_before) {
    const journey_branch_t *b = coffee_branch();
    expect_eval(b, 0, 0, -1);
    expect_eval(b, 0, H_MS, -1);
    expect_eval(b, SEEN(SY_EVENT_DELIVERED), H_MS, -1);
    expect_eval(b, SEEN(SY_EVENT_SENT) | SEEN(SY_EVENT_CLICKED), 48 * H_MS, -1);
    expect_eval(b, 0, 72 * H_MS - 1, -1);
    expect_eval(b, 0, 72 * H_MS, (int)b->paths_count);
    expect_eval(b, SEEN(SY_EVENT_OPENED), 100 * H_MS, (int)b->paths_count);
}

/* ---- determinism ---- */

/* Five contacts, one per path, interleaved; commit_each commits after every event. */
static void run_scenario(env_t *env, bool commit_each) {
    static const char *const contacts[] = {"c-opened", "c-push", "c-bounced", "c-blocked",
                                           "c-silent"};
    char ids[5][ACTION_ID_BYTES], event_id[64];
    int64_t t = T0_MS;
    int n = 0;
    for (size_t i = 0; i < 5; i++) {
        snprintf(event_id, sizeof event_id, "e%d", n++);
        feed_entry(env, event_id, contacts[i], t + (int64_t)i * 1000);
        action_id_format(ids[i], contacts[i], JOURNEY_ID, 1, "promo_email", 1);
    }
    static const struct {
        size_t contact;
        sy_event_type_t type;
        int64_t at_ms;
    } script[] = {
        {0, SY_EVENT_DELIVERED, 60 * 1000}, {1, SY_EVENT_DELIVERED, 90 * 1000},
        {2, SY_EVENT_BOUNCED, 2 * H_MS},    {0, SY_EVENT_OPENED, 3 * H_MS},
        {3, SY_EVENT_BLOCKED, 5 * H_MS},    {1, SY_EVENT_OPENED, 30 * H_MS},
        {4, SY_EVENT_SENT, 80 * H_MS},
    };
    for (size_t k = 0; k < sizeof script / sizeof script[0]; k++) {
        snprintf(event_id, sizeof event_id, "e%d", n++);
        size_t c = script[k].contact;
        feed_email(env, event_id, contacts[c], t + script[k].at_ms, script[k].type, ids[c]);
        if (commit_each) {
            sy_err_t err = state_store_commit(env->store, errbuf, sizeof errbuf);
            cr_assert_eq(err, SY_OK, "commit returned %d; %s", err, errbuf);
        }
    }
    advance(env, INT64_MAX);
}

static void expect_same_outputs(const recorder_t *a, const recorder_t *b) {
    cr_assert_eq(a->lines_count, b->lines_count, "%zu outputs, then %zu", a->lines_count,
                 b->lines_count);
    for (size_t i = 0; i < a->lines_count; i++)
        cr_assert_str_eq(a->lines[i], b->lines[i], "output %zu differs:\n  %s\n  %s", i,
                         a->lines[i], b->lines[i]);
}

Test(engine, same_events_into_fresh_stores_give_identical_outputs) {
    static env_t second;
    run_scenario(&fx, false);
    env_open(&second, "engine-test-second");
    run_scenario(&second, false);
    /* 5 entries x (2 decisions + 1 email); opened, push, bounced, blocked: 2 decisions and
     * one action or update each; silent: the otherwise decision. */
    cr_assert_eq(fx.rec.decisions_count, 10 + 8 + 1, "%zu decisions, want 19",
                 fx.rec.decisions_count);
    cr_assert_eq(fx.rec.actions_count, 5 + 2, "%zu actions, want 7", fx.rec.actions_count);
    cr_assert_eq(fx.rec.updates_count, 2, "%zu updates, want 2", fx.rec.updates_count);
    expect_same_outputs(&fx.rec, &second.rec);
    env_close(&second);
}

Test(engine, commit_boundaries_do_not_change_outputs) {
    static env_t committing;
    run_scenario(&fx, false);
    env_open(&committing, "engine-test-committing");
    run_scenario(&committing, true);
    expect_same_outputs(&fx.rec, &committing.rec);
    env_close(&committing);
}

/* ==== the full language, on small journeys written here ==== */

static env_t lx;

static void lx_teardown(void) { env_close(&lx); }

TestSuite(engine_lang, .fini = lx_teardown);

static journey_t *journey_text(const char *yaml) {
    journey_t *j = NULL;
    errbuf[0] = '\0';
    sy_err_t err = journey_parse(&j, yaml, strlen(yaml), "test.yaml", errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "journey_parse returned %d; errbuf: %s", err, errbuf);
    return j;
}

static void lx_open(const char *yaml) { env_open_with(&lx, "engine-lang", journey_text(yaml)); }

static void profile_set(env_t *env, const char *contact_id, const char *name,
                        sy_value_t value) {
    static sy_profile_update_t u;
    memset(&u, 0, sizeof u);
    u.contact_id = contact_id;
    u.updated_at_ms = T0_MS - 1000;
    u.set_count = 1;
    u.set[0] = (sy_attr_t){.name = name, .value = value};
    errbuf[0] = '\0';
    sy_err_t err = state_store_profile_apply(env->store, PARTITION, &u, errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "profile_apply(%s) returned %d; %s", name, err, errbuf);
}

static sy_value_t str_value(const char *s) {
    return (sy_value_t){.kind = SY_VALUE_STRING, .u.s = s};
}

static sy_value_t num_value(double d) {
    return (sy_value_t){.kind = SY_VALUE_DOUBLE, .u.d = d};
}

/* A custom business event of contact (value < 0: none). */
static void feed_custom(env_t *env, const char *event_id, int64_t t, const char *name,
                        double value) {
    sy_event_t ev = event_make(event_id, contact, t, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    ev.name = name;
    ev.has_value = value >= 0;
    ev.value = value >= 0 ? value : 0;
    feed(env, &ev);
}

/* An outcome of channel/type reporting message node_id of occurrence, and a link. */
static void feed_outcome(env_t *env, const char *event_id, int64_t t, sy_channel_t channel,
                         sy_event_type_t type, const char *node_id, uint32_t occurrence,
                         const char *link) {
    char id[ACTION_ID_BYTES];
    action_id_format(id, contact, env->journey->id, env->journey->version, node_id,
                     occurrence);
    sy_event_t ev = event_make(event_id, contact, t, channel, type);
    ev.message_id = id;
    ev.link = link;
    feed(env, &ev);
}

static void expect_move(const env_t *env, size_t i, const char *from, const char *to,
                        const char *path, sy_cause_t cause, const char *cause_event,
                        int64_t at_ms) {
    const recorder_t *r = &env->rec;
    cr_assert_lt(i, r->decisions_count, "no decision %zu (%zu recorded)", i,
                 r->decisions_count);
    const rec_decision_t *d = &r->decisions[i];
    cr_assert_str_eq(d->contact, contact, "decision %zu contact '%s'", i, d->contact);
    cr_assert_str_eq(d->journey, env->journey->id, "decision %zu journey '%s'", i,
                     d->journey);
    cr_assert_str_eq(d->from, from, "decision %zu from '%s', want '%s'", i, d->from, from);
    cr_assert_str_eq(d->to, to, "decision %zu to '%s', want '%s'", i, d->to, to);
    cr_assert_str_eq(d->path, path, "decision %zu path '%s', want '%s'", i, d->path, path);
    cr_assert_eq(d->cause, cause, "decision %zu cause %d, want %d", i, d->cause, cause);
    cr_assert_str_eq(d->cause_event, cause_event, "decision %zu cause event '%s', want '%s'",
                     i, d->cause_event, cause_event);
    cr_assert_eq(d->at_ms, at_ms, "decision %zu at %lld, want %lld", i, (long long)d->at_ms,
                 (long long)at_ms);
}

static void expect_act(const env_t *env, size_t i, sy_channel_t channel,
                       const char *template_id, const char *node, uint32_t occurrence,
                       int64_t not_before_ms) {
    const recorder_t *r = &env->rec;
    cr_assert_lt(i, r->actions_count, "no action %zu (%zu recorded)", i, r->actions_count);
    const rec_action_t *a = &r->actions[i];
    char want_id[ACTION_ID_BYTES];
    action_id_format(want_id, contact, env->journey->id, env->journey->version, node,
                     occurrence);
    cr_assert_eq(a->channel, channel, "action %zu channel %d, want %d", i, a->channel,
                 channel);
    cr_assert_str_eq(a->template_id, template_id, "action %zu template '%s', want '%s'", i,
                     a->template_id, template_id);
    cr_assert_str_eq(a->node, node, "action %zu node '%s', want '%s'", i, a->node, node);
    cr_assert_str_eq(a->action_id, want_id, "action %zu id '%s', want '%s'", i,
                     a->action_id, want_id);
    cr_assert_eq(a->occurrence, (int32_t)occurrence, "action %zu occurrence %d, want %u", i,
                 (int)a->occurrence, occurrence);
    cr_assert_eq(a->not_before_ms, not_before_ms, "action %zu not before %lld, want %lld",
                 i, (long long)a->not_before_ms, (long long)not_before_ms);
}

static void expect_param(const env_t *env, size_t i, size_t k, const char *key,
                         const char *value) {
    const rec_action_t *a = &env->rec.actions[i];
    cr_assert_lt(k, a->params_count, "action %zu has %zu params, want %zu+", i,
                 a->params_count, k + 1);
    cr_assert_str_eq(a->params[k][0], key, "action %zu param %zu '%s', want '%s'", i, k,
                     a->params[k][0], key);
    cr_assert_str_eq(a->params[k][1], value, "action %zu param %s = '%s', want '%s'", i,
                     key, a->params[k][1], value);
}

static void expect_instance(const env_t *env, state_instance_status_t status,
                            uint32_t occurrence) {
    state_instance_t inst;
    sy_err_t err = state_store_instance_get(env->store, PARTITION, contact, env->journey->id,
                                            &inst, errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "instance_get returned %d; %s", err, errbuf);
    cr_assert_eq(inst.status, status, "instance status %d, want %d", inst.status, status);
    cr_assert_eq(inst.occurrence, occurrence, "occurrence %u, want %u", inst.occurrence,
                 occurrence);
}

/* ---- entry filter, re-entry, goals and exits ---- */

/* %s: the re-entry policy. */
static const char shop_yaml[] =
    "id: shop\n"
    "version: 1\n"
    "entry:\n"
    "  event: custom.store_visit\n"
    "  if: event.value >= 10\n"
    "  reentry: %s\n"
    "goals:\n"
    "  - name: purchased\n"
    "    event: custom.purchase\n"
    "    if: event.value >= 5\n"
    "exits:\n"
    "  - event: sms.opted_out\n"
    "nodes:\n"
    "  - id: hello\n"
    "    send: {channel: sms, template: hello}\n"
    "    next: outcome\n"
    "  - id: outcome\n"
    "    branch:\n"
    "      message: hello\n"
    "      paths:\n"
    "        - name: replied\n"
    "          when: [sms.replied]\n"
    "          to: done\n"
    "      otherwise: {after: 48h, to: done}\n"
    "  - id: done\n"
    "    exit: {}\n";

static void shop_open(const char *reentry) {
    static char yaml[sizeof shop_yaml + 64];
    snprintf(yaml, sizeof yaml, shop_yaml, reentry);
    lx_open(yaml);
}

/* Enter at t, then reach the purchase goal an hour later. */
static void shop_visit_and_buy(int64_t t, uint32_t occurrence) {
    size_t before = lx.rec.decisions_count;
    feed_custom(&lx, "visit", t, "store_visit", 12);
    expect_counts(&lx.rec, before + 2, occurrence, 0);
    expect_act(&lx, occurrence - 1, SY_CHANNEL_SMS, "hello", "hello", occurrence, t);
    feed_custom(&lx, "buy", t + H_MS, "purchase", 7);
    expect_move(&lx, before + 2, "outcome", "goal:purchased", "<null>", SY_CAUSE_EVENT,
                "buy", t + H_MS);
    expect_instance(&lx, STATE_INSTANCE_DONE, occurrence);
}

Test(engine_lang, entry_filter_lets_only_matching_events_in) {
    shop_open("always");
    feed_custom(&lx, "small", T0_MS, "store_visit", 3);
    feed_custom(&lx, "no-value", T0_MS + 1, "store_visit", -1);
    expect_counts(&lx.rec, 0, 0, 0);
    feed_custom(&lx, "big", T0_MS + 2, "store_visit", 10);
    expect_counts(&lx.rec, 2, 1, 0);
    expect_move(&lx, 0, "<null>", "hello", "<null>", SY_CAUSE_ENTRY, "big", T0_MS + 2);
    expect_move(&lx, 1, "hello", "outcome", "<null>", SY_CAUSE_ENTRY, "big", T0_MS + 2);
    expect_instance(&lx, STATE_INSTANCE_ACTIVE, 1);
}

Test(engine_lang, reentry_never_keeps_a_contact_out_after_its_first_instance) {
    shop_open("never");
    shop_visit_and_buy(T0_MS, 1);
    feed_custom(&lx, "visit-2", T0_MS + 100 * H_MS, "store_visit", 50);
    expect_counts(&lx.rec, 3, 1, 0);
}

Test(engine_lang, reentry_always_enters_again_after_the_instance_ends) {
    shop_open("always");
    shop_visit_and_buy(T0_MS, 1);
    shop_visit_and_buy(T0_MS + 2 * H_MS, 2);
    expect_counts(&lx.rec, 6, 2, 0);
}

Test(engine_lang, reentry_cooldown_admits_from_exactly_the_cooldown_on) {
    int64_t cooldown = 30 * 24 * H_MS;
    shop_open("{cooldown: 30d}");
    shop_visit_and_buy(T0_MS, 1);
    feed_custom(&lx, "early", T0_MS + cooldown - 1, "store_visit", 12);
    expect_counts(&lx.rec, 3, 1, 0);
    shop_visit_and_buy(T0_MS + cooldown, 2);
}

Test(engine_lang, goal_ends_instance_mid_branch_and_its_timers_do_nothing) {
    shop_open("always");
    feed_custom(&lx, "visit", T0_MS, "store_visit", 12);
    feed_custom(&lx, "cheap", T0_MS + H_MS, "purchase", 2); /* the goal's `if` fails */
    expect_counts(&lx.rec, 2, 1, 0);
    feed_custom(&lx, "buy", T0_MS + 2 * H_MS, "purchase", 9);
    expect_counts(&lx.rec, 3, 1, 0);
    expect_move(&lx, 2, "outcome", "goal:purchased", "<null>", SY_CAUSE_EVENT, "buy",
                T0_MS + 2 * H_MS);
    size_t fired = advance(&lx, T0_MS + 100 * H_MS);
    cr_assert_eq(fired, 1, "%zu timers fired, want 1 (the stale close)", fired);
    feed_outcome(&lx, "reply", T0_MS + 101 * H_MS, SY_CHANNEL_SMS, SY_EVENT_REPLIED, "hello",
                 1, NULL);
    expect_counts(&lx.rec, 3, 1, 0);
}

Test(engine_lang, exit_rule_ends_instance_on_opt_out) {
    shop_open("always");
    feed_custom(&lx, "visit", T0_MS, "store_visit", 12);
    sy_event_t ev = event_make("stop", contact, T0_MS + H_MS, SY_CHANNEL_SMS,
                               SY_EVENT_OPTED_OUT);
    feed(&lx, &ev);
    expect_counts(&lx.rec, 3, 1, 0);
    expect_move(&lx, 2, "outcome", "exit:sms.opted_out", "<null>", SY_CAUSE_EVENT, "stop",
                T0_MS + H_MS);
    expect_instance(&lx, STATE_INSTANCE_DONE, 1);
}

/* ---- branch: watched business events, path `if`, per-path windows ---- */

static const char feedback_yaml[] =
    "id: feedback\n"
    "version: 1\n"
    "entry: {event: custom.store_visit}\n"
    "nodes:\n"
    "  - id: ask\n"
    "    send: {channel: sms, template: feedback_ask}\n"
    "    next: outcome\n"
    "  - id: outcome\n"
    "    branch:\n"
    "      message: ask\n"
    "      paths:\n"
    "        - name: replied\n"
    "          when: [sms.replied]\n"
    "          within: 24h\n"
    "          to: thanks\n"
    "        - name: menu\n"
    "          when: [sms.clicked]\n"
    "          if: seen(sms.clicked) and event.link == \"https://coffee.example/menu\"\n"
    "          to: menu_push\n"
    "        - name: survey_pending\n"
    "          when: [sms.clicked]\n"
    "          unless: [custom.survey_completed]\n"
    "          after: 24h\n"
    "          to: reminder\n"
    "      otherwise: {after: 48h, to: done}\n"
    "  - id: thanks\n"
    "    send: {channel: sms, template: thanks}\n"
    "    next: done\n"
    "  - id: menu_push\n"
    "    send: {channel: push, template: menu}\n"
    "    next: done\n"
    "  - id: reminder\n"
    "    send: {channel: email, template: survey_reminder}\n"
    "    next: done\n"
    "  - id: done\n"
    "    exit: {}\n";

#define SURVEY_LINK "https://coffee.example/survey"
#define MENU_LINK "https://coffee.example/menu"

static void feedback_enter(void) {
    lx_open(feedback_yaml);
    feed_custom(&lx, "visit", T0_MS, "store_visit", -1);
    expect_counts(&lx.rec, 2, 1, 0);
}

Test(engine_lang, branch_unless_on_a_watched_business_event_blocks_the_path) {
    feedback_enter();
    feed_outcome(&lx, "click", T0_MS + H_MS, SY_CHANNEL_SMS, SY_EVENT_CLICKED, "ask", 1,
                 SURVEY_LINK);
    /* No message id: a business event counts for any event of the contact. */
    feed_custom(&lx, "survey", T0_MS + 3 * H_MS, "survey_completed", -1);
    advance(&lx, T0_MS + 24 * H_MS);
    expect_counts(&lx.rec, 2, 1, 0);
    advance(&lx, T0_MS + 48 * H_MS);
    expect_counts(&lx.rec, 3, 1, 0);
    expect_move(&lx, 2, "outcome", "done", "otherwise", SY_CAUSE_TIMER, "<null>",
                T0_MS + 48 * H_MS);
}

Test(engine_lang, branch_after_path_takes_the_click_without_survey_at_its_timer) {
    feedback_enter();
    feed_outcome(&lx, "click", T0_MS + H_MS, SY_CHANNEL_SMS, SY_EVENT_CLICKED, "ask", 1,
                 SURVEY_LINK);
    expect_counts(&lx.rec, 2, 1, 0);
    advance(&lx, T0_MS + 24 * H_MS - 1);
    expect_counts(&lx.rec, 2, 1, 0);
    advance(&lx, T0_MS + 24 * H_MS);
    expect_counts(&lx.rec, 4, 2, 0);
    expect_move(&lx, 2, "outcome", "reminder", "survey_pending", SY_CAUSE_TIMER, "<null>",
                T0_MS + 24 * H_MS);
    expect_move(&lx, 3, "reminder", "done", "<null>", SY_CAUSE_TIMER, "<null>",
                T0_MS + 24 * H_MS);
    expect_act(&lx, 1, SY_CHANNEL_EMAIL, "survey_reminder", "reminder", 1, T0_MS + 24 * H_MS);
}

Test(engine_lang, branch_path_if_reads_seen_and_the_events_link) {
    feedback_enter();
    feed_outcome(&lx, "click", T0_MS + H_MS, SY_CHANNEL_SMS, SY_EVENT_CLICKED, "ask", 1,
                 MENU_LINK);
    expect_counts(&lx.rec, 4, 2, 0);
    expect_move(&lx, 2, "outcome", "menu_push", "menu", SY_CAUSE_EVENT, "click",
                T0_MS + H_MS);
    expect_act(&lx, 1, SY_CHANNEL_PUSH, "menu", "menu_push", 1, T0_MS + H_MS);
}

Test(engine_lang, branch_within_path_holds_to_its_deadline_only) {
    feedback_enter();
    feed_outcome(&lx, "late", T0_MS + 24 * H_MS + 1, SY_CHANNEL_SMS, SY_EVENT_REPLIED, "ask",
                 1, NULL);
    expect_counts(&lx.rec, 2, 1, 0);
    env_close(&lx);
    feedback_enter();
    feed_outcome(&lx, "reply", T0_MS + 24 * H_MS, SY_CHANNEL_SMS, SY_EVENT_REPLIED, "ask", 1,
                 NULL);
    expect_counts(&lx.rec, 4, 2, 0);
    expect_move(&lx, 2, "outcome", "thanks", "replied", SY_CAUSE_EVENT, "reply",
                T0_MS + 24 * H_MS);
}

/* ---- waits ---- */

static const char wait_yaml[] =
    "id: waits\n"
    "version: 1\n"
    "profile:\n"
    "  tz: {type: string, default: \"UTC\"}\n"
    "entry: {event: custom.signup}\n"
    "exits:\n"
    "  - event: sms.opted_out\n"
    "nodes:\n"
    "  - id: pause\n"
    "    wait: {for: 2h}\n"
    "    next: morning\n"
    "  - id: morning\n"
    "    wait: {until: \"09:30\", timezone: tz}\n"
    "    next: await_open\n"
    "  - id: await_open\n"
    "    wait:\n"
    "      event: custom.app_open\n"
    "      if: event.props.screen == \"home\"\n"
    "      timeout: 48h\n"
    "      timeout_to: nudge\n"
    "    next: welcome\n"
    "  - id: welcome\n"
    "    send: {channel: push, template: welcome}\n"
    "    next: done\n"
    "  - id: nudge\n"
    "    send: {channel: sms, template: nudge}\n"
    "    next: done\n"
    "  - id: done\n"
    "    exit: {}\n";

/* 2024-10-02T07:30:00Z: 09:30 in Paris (CEST, UTC+2) the day after T0 (11:00 there). */
#define PARIS_0930_MS (T0_MS + 22 * H_MS + 30 * 60 * 1000)

static void app_open(int64_t t, const char *event_id, const char *screen) {
    sy_event_t ev = event_make(event_id, contact, t, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    ev.name = "app_open";
    ev.props_count = 1;
    ev.props[0] = (sy_kv_t){"screen", screen};
    feed(&lx, &ev);
}

/* Enter at T0 in Paris and reach the event wait at 09:30 local the next day. */
static void waits_reach_event_wait(void) {
    lx_open(wait_yaml);
    profile_set(&lx, contact, "tz", str_value("Europe/Paris"));
    feed_custom(&lx, "signup", T0_MS, "signup", -1);
    advance(&lx, PARIS_0930_MS);
    expect_counts(&lx.rec, 3, 0, 0);
}

Test(engine_lang, wait_for_then_until_the_contacts_local_time) {
    lx_open(wait_yaml);
    profile_set(&lx, contact, "tz", str_value("Europe/Paris"));
    feed_custom(&lx, "signup", T0_MS, "signup", -1);
    expect_counts(&lx.rec, 1, 0, 0);
    expect_move(&lx, 0, "<null>", "pause", "<null>", SY_CAUSE_ENTRY, "signup", T0_MS);
    advance(&lx, T0_MS + 2 * H_MS - 1);
    expect_counts(&lx.rec, 1, 0, 0);
    advance(&lx, T0_MS + 2 * H_MS);
    expect_counts(&lx.rec, 2, 0, 0);
    expect_move(&lx, 1, "pause", "morning", "<null>", SY_CAUSE_TIMER, "<null>",
                T0_MS + 2 * H_MS);
    advance(&lx, PARIS_0930_MS - 1);
    expect_counts(&lx.rec, 2, 0, 0);
    advance(&lx, PARIS_0930_MS);
    expect_counts(&lx.rec, 3, 0, 0);
    expect_move(&lx, 2, "morning", "await_open", "<null>", SY_CAUSE_TIMER, "<null>",
                PARIS_0930_MS);
}

Test(engine_lang, wait_until_without_a_zone_is_utc) {
    lx_open(wait_yaml);
    feed_custom(&lx, "signup", T0_MS, "signup", -1);
    advance(&lx, T0_MS + 2 * H_MS);
    /* T0+2h is 11:00 UTC: the next 09:30 UTC is the next day. */
    int64_t due = T0_MS + 24 * H_MS + 30 * 60 * 1000;
    advance(&lx, due - 1);
    expect_counts(&lx.rec, 2, 0, 0);
    advance(&lx, due);
    expect_move(&lx, 2, "morning", "await_open", "<null>", SY_CAUSE_TIMER, "<null>", due);
}

Test(engine_lang, wait_event_takes_next_when_the_event_and_its_if_come_in_time) {
    waits_reach_event_wait();
    app_open(PARIS_0930_MS + H_MS, "open-settings", "settings");
    expect_counts(&lx.rec, 3, 0, 0);
    app_open(PARIS_0930_MS + 2 * H_MS, "open-home", "home");
    expect_counts(&lx.rec, 5, 1, 0);
    expect_move(&lx, 3, "await_open", "welcome", "event", SY_CAUSE_EVENT, "open-home",
                PARIS_0930_MS + 2 * H_MS);
    expect_move(&lx, 4, "welcome", "done", "<null>", SY_CAUSE_EVENT, "open-home",
                PARIS_0930_MS + 2 * H_MS);
    expect_act(&lx, 0, SY_CHANNEL_PUSH, "welcome", "welcome", 1, PARIS_0930_MS + 2 * H_MS);
    size_t fired = advance(&lx, PARIS_0930_MS + 48 * H_MS);
    cr_assert_eq(fired, 1, "%zu timers fired, want 1 (the stale timeout)", fired);
    expect_counts(&lx.rec, 5, 1, 0);
}

Test(engine_lang, wait_event_times_out_at_exactly_the_timeout) {
    waits_reach_event_wait();
    app_open(PARIS_0930_MS + 48 * H_MS, "open-late", "home");
    expect_counts(&lx.rec, 3, 0, 0);
    advance(&lx, PARIS_0930_MS + 48 * H_MS);
    expect_counts(&lx.rec, 5, 1, 0);
    expect_move(&lx, 3, "await_open", "nudge", "timeout", SY_CAUSE_TIMER, "<null>",
                PARIS_0930_MS + 48 * H_MS);
    expect_act(&lx, 0, SY_CHANNEL_SMS, "nudge", "nudge", 1, PARIS_0930_MS + 48 * H_MS);
}

Test(engine_lang, exit_rule_ends_instance_mid_wait) {
    lx_open(wait_yaml);
    feed_custom(&lx, "signup", T0_MS, "signup", -1);
    sy_event_t ev = event_make("stop", contact, T0_MS + H_MS, SY_CHANNEL_SMS,
                               SY_EVENT_OPTED_OUT);
    feed(&lx, &ev);
    expect_counts(&lx.rec, 2, 0, 0);
    expect_move(&lx, 1, "pause", "exit:sms.opted_out", "<null>", SY_CAUSE_EVENT, "stop",
                T0_MS + H_MS);
    size_t fired = advance(&lx, T0_MS + 100 * H_MS);
    cr_assert_eq(fired, 1, "%zu timers fired, want 1 (stale)", fired);
    expect_counts(&lx.rec, 2, 0, 0);
}

/* ---- conditions, tasks, rendered parameters, updates seen by later steps ---- */

static const char tier_yaml[] =
    "id: tier\n"
    "version: 1\n"
    "profile:\n"
    "  ltv: {type: number, default: 0}\n"
    "  first_name: {type: string, default: \"there\"}\n"
    "entry: {event: custom.store_visit}\n"
    "nodes:\n"
    "  - id: check\n"
    "    condition: {if: contact.ltv >= 100, then: vip_call, else: mark}\n"
    "  - id: vip_call\n"
    "    task:\n"
    "      queue: manual_calls\n"
    "      params: {name: \"{{contact.first_name}}\", reason: \"ltv {{contact.ltv}}\"}\n"
    "    next: done\n"
    "  - id: mark\n"
    "    update: {set_attribute: {name: ltv, value: \"1{{contact.ltv}}0\"}}\n"
    "    next: recheck\n"
    "  - id: recheck\n"
    "    condition: {if: contact.ltv >= 100, then: vip_call, else: done}\n"
    "  - id: done\n"
    "    exit: {}\n";

Test(engine_lang, condition_then_over_profile_ltv_hands_a_task_with_params) {
    lx_open(tier_yaml);
    profile_set(&lx, contact, "ltv", num_value(250));
    profile_set(&lx, contact, "first_name", str_value("Ada"));
    feed_custom(&lx, "visit", T0_MS, "store_visit", -1);
    expect_counts(&lx.rec, 3, 1, 0);
    expect_move(&lx, 0, "<null>", "check", "<null>", SY_CAUSE_ENTRY, "visit", T0_MS);
    expect_move(&lx, 1, "check", "vip_call", "then", SY_CAUSE_ENTRY, "visit", T0_MS);
    expect_move(&lx, 2, "vip_call", "done", "<null>", SY_CAUSE_ENTRY, "visit", T0_MS);
    expect_act(&lx, 0, SY_CHANNEL_TASK, "manual_calls", "vip_call", 1, T0_MS);
    cr_assert_eq(lx.rec.actions[0].params_count, 2, "%zu params, want 2",
                 lx.rec.actions[0].params_count);
    expect_param(&lx, 0, 0, "name", "Ada");
    expect_param(&lx, 0, 1, "reason", "ltv 250");
}

Test(engine_lang, condition_else_then_set_attribute_is_seen_by_the_next_condition) {
    lx_open(tier_yaml);
    feed_custom(&lx, "visit", T0_MS, "store_visit", -1);
    expect_counts(&lx.rec, 5, 1, 1);
    expect_move(&lx, 1, "check", "mark", "else", SY_CAUSE_ENTRY, "visit", T0_MS);
    expect_move(&lx, 2, "mark", "recheck", "<null>", SY_CAUSE_ENTRY, "visit", T0_MS);
    expect_move(&lx, 3, "recheck", "vip_call", "then", SY_CAUSE_ENTRY, "visit", T0_MS);
    const rec_update_t *u = &lx.rec.updates[0];
    cr_assert_eq(u->op, SY_UPDATE_SET_ATTRIBUTE, "update op %d", u->op);
    cr_assert_str_eq(u->name, "ltv", "update name '%s'", u->name);
    cr_assert_str_eq(u->value, "100", "update value '%s', want '100'", u->value);
    cr_assert_str_eq(u->node, "mark", "update node '%s'", u->node);
    /* Defaults where the profile has nothing; the updated ltv where it has. */
    expect_param(&lx, 0, 0, "name", "there");
    expect_param(&lx, 0, 1, "reason", "ltv 100");
}

static const char params_yaml[] =
    "id: params\n"
    "version: 1\n"
    "profile:\n"
    "  first_name: {type: string, default: \"there\"}\n"
    "entry: {event: custom.store_visit}\n"
    "nodes:\n"
    "  - id: hello\n"
    "    send:\n"
    "      channel: sms\n"
    "      template: hello\n"
    "      params:\n"
    "        greeting: \"Hi {{contact.first_name}}!\"\n"
    "        store: \"{{event.props.store | \\\"our store\\\"}}\"\n"
    "        code: \"FIXED10\"\n"
    "    next: done\n"
    "  - id: done\n"
    "    exit: {}\n";

Test(engine_lang, send_params_render_profile_values_event_fields_and_defaults) {
    lx_open(params_yaml);
    profile_set(&lx, contact, "first_name", str_value("Grace"));
    sy_event_t ev = event_make("visit", contact, T0_MS, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    ev.name = "store_visit";
    ev.props_count = 1;
    ev.props[0] = (sy_kv_t){"store", "Rue Cler"};
    feed(&lx, &ev);
    expect_counts(&lx.rec, 2, 1, 0);
    expect_act(&lx, 0, SY_CHANNEL_SMS, "hello", "hello", 1, T0_MS);
    cr_assert_eq(lx.rec.actions[0].params_count, 3, "%zu params, want 3",
                 lx.rec.actions[0].params_count);
    expect_param(&lx, 0, 0, "greeting", "Hi Grace!");
    expect_param(&lx, 0, 1, "store", "Rue Cler");
    expect_param(&lx, 0, 2, "code", "FIXED10");
    /* Re-entry on a visit without the property: the inline default. */
    feed_custom(&lx, "visit-2", T0_MS + H_MS, "store_visit", -1);
    expect_counts(&lx.rec, 4, 2, 0);
    expect_act(&lx, 1, SY_CHANNEL_SMS, "hello", "hello", 2, T0_MS + H_MS);
    expect_param(&lx, 1, 0, "greeting", "Hi Grace!");
    expect_param(&lx, 1, 1, "store", "our store");
}

/* ---- splits ---- */

static const char split_yaml[] =
    "id: ab\n"
    "version: 1\n"
    "entry: {event: custom.signup}\n"
    "nodes:\n"
    "  - id: pick\n"
    "    split:\n"
    "      - {name: a, percent: 45, to: done}\n"
    "      - {name: b, percent: 35.5, to: done}\n"
    "      - {name: holdout, percent: 19.5, to: done}\n"
    "  - id: done\n"
    "    exit: {}\n";

/* A sink that counts the split's arms (decisions leaving "pick"). */
typedef struct arm_counter {
    size_t a, b, holdout, other;
    char last[REC_STR];
} arm_counter_t;

static sy_err_t count_arm(void *ctx, const sy_decision_t *d) {
    arm_counter_t *c = ctx;
    if (!d->from_node || strcmp(d->from_node, "pick") != 0)
        return SY_OK;
    copy_str(c->last, d->path);
    if (!strcmp(c->last, "a"))
        c->a++;
    else if (!strcmp(c->last, "b"))
        c->b++;
    else if (!strcmp(c->last, "holdout"))
        c->holdout++;
    else
        c->other++;
    return SY_OK;
}

static sy_err_t ignore_action(void *ctx, const sy_action_t *a) {
    (void)ctx;
    (void)a;
    return SY_OK;
}

static sy_err_t ignore_update(void *ctx, const sy_contact_update_t *u) {
    (void)ctx;
    (void)u;
    return SY_OK;
}

/* Enter n contacts ("split-<i>") into the split journey on a counting engine. */
static void split_run(const char *store_name, size_t first, size_t n, arm_counter_t *c) {
    journey_t *j = journey_text(split_yaml);
    journey_set_t set = {.count = 1, .journeys = &j};
    state_store_t *store = NULL;
    engine_t *engine = NULL;
    sy_err_t err = state_store_open(&store, store_name, true, STATE_CACHE_BYTES_DEFAULT,
                                    errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "state_store_open returned %d; %s", err, errbuf);
    engine_sink_t sink = {count_arm, ignore_action, ignore_update, c};
    err = engine_open(&engine, &set, store, &sink, errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "engine_open returned %d; %s", err, errbuf);
    char id[64];
    for (size_t i = first; i < first + n; i++) {
        snprintf(id, sizeof id, "split-%zu", i);
        sy_event_t ev = event_make("signup", id, T0_MS, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
        ev.name = "signup";
        err = engine_on_event(engine, PARTITION, &ev, errbuf, sizeof errbuf);
        cr_assert_eq(err, SY_OK, "engine_on_event returned %d; %s", err, errbuf);
    }
    engine_close(engine);
    state_store_close(store);
    journey_free(j);
}

static void expect_share(size_t got, size_t total, double share, const char *arm) {
    double frac = (double)got / (double)total;
    cr_assert(frac >= share - 0.02 && frac <= share + 0.02,
              "arm %s took %.4f of contacts, want %.4f +- 0.02", arm, frac, share);
}

Test(engine_lang, split_shares_hold_within_two_percent_over_10000_contacts) {
    arm_counter_t c = {0};
    split_run("engine-split", 0, 10000, &c);
    cr_assert_eq(c.a + c.b + c.holdout, 10000, "%zu contacts split, want 10000",
                 c.a + c.b + c.holdout);
    cr_assert_eq(c.other, 0, "%zu decisions on an unknown arm", c.other);
    expect_share(c.a, 10000, 0.45, "a");
    expect_share(c.b, 10000, 0.355, "b");
    expect_share(c.holdout, 10000, 0.195, "holdout");
}

Test(engine_lang, split_sends_a_contact_to_the_same_arm_on_two_engines) {
    for (size_t i = 0; i < 20; i++) {
        arm_counter_t first = {0}, second = {0};
        split_run("engine-split-1", i, 1, &first);
        split_run("engine-split-2", i, 1, &second);
        cr_assert_str_eq(first.last, second.last, "contact %zu: arm '%s', then '%s'", i,
                         first.last, second.last);
    }
}

/* ---- node timers for deploy-time migration ---- */

static void instance_place(env_t *env, const char *node_id, int64_t entered_ms) {
    int node = journey_node_index(env->journey, node_id);
    cr_assert_geq(node, 0, "no node %s", node_id);
    state_instance_t inst = {.status = STATE_INSTANCE_ACTIVE, .node = (uint16_t)node,
                             .journey_version = env->journey->version, .occurrence = 1,
                             .entered_at_ms = entered_ms, .node_entered_at_ms = entered_ms};
    sy_err_t err = state_store_instance_put(env->store, PARTITION, contact, env->journey->id,
                                            &inst);
    cr_assert_eq(err, SY_OK, "instance_put returned %d", err);
    err = engine_schedule_node_timers(env->engine, PARTITION, contact, env->journey,
                                      (uint16_t)node, entered_ms);
    cr_assert_eq(err, SY_OK, "engine_schedule_node_timers returned %d", err);
}

Test(engine_lang, schedule_node_timers_sets_a_waits_due_time) {
    lx_open(wait_yaml);
    instance_place(&lx, "pause", T0_MS);
    advance(&lx, T0_MS + 2 * H_MS - 1);
    expect_counts(&lx.rec, 0, 0, 0);
    advance(&lx, T0_MS + 2 * H_MS);
    expect_counts(&lx.rec, 1, 0, 0);
    expect_move(&lx, 0, "pause", "morning", "<null>", SY_CAUSE_TIMER, "<null>",
                T0_MS + 2 * H_MS);
}

Test(engine_lang, schedule_node_timers_sets_a_branchs_after_and_close) {
    env_open_with(&lx, "engine-lang", coffee_load());
    instance_place(&lx, "outcome", T0_MS);
    action_id_buf_t id = promo_id(contact, 1);
    feed_email(&lx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    advance(&lx, T0_MS + 24 * H_MS);
    expect_counts(&lx.rec, 2, 1, 0);
    expect_move(&lx, 0, "outcome", "push_nudge", "not_opened", SY_CAUSE_TIMER, "<null>",
                T0_MS + 24 * H_MS);
    size_t fired = advance(&lx, T0_MS + 72 * H_MS);
    cr_assert_eq(fired, 1, "%zu timers fired at the close, want 1 (stale)", fired);
}

Test(engine_lang, schedule_node_timers_needs_none_elsewhere_and_checks_the_node) {
    lx_open(tier_yaml);
    sy_err_t err = engine_schedule_node_timers(lx.engine, PARTITION, contact, lx.journey, 0,
                                               T0_MS);
    cr_assert_eq(err, SY_OK, "condition node: %d, want SY_OK", err);
    err = engine_schedule_node_timers(lx.engine, PARTITION, contact, lx.journey,
                                      (uint16_t)lx.journey->nodes_count, T0_MS);
    cr_assert_eq(err, SY_ERR_INVALID_ARG, "node out of range: %d, want invalid arg", err);
    size_t fired = advance(&lx, INT64_MAX);
    cr_assert_eq(fired, 0, "%zu timers fired, want 0", fired);
}

/* ---- swapping the journey set between batches ---- */

Test(engine_lang, journeys_set_keeps_contacts_on_their_version_and_enters_the_newest) {
    lx_open(wait_yaml);
    feed_custom(&lx, "signup", T0_MS, "signup", -1);
    static char v2_yaml[sizeof wait_yaml];
    snprintf(v2_yaml, sizeof v2_yaml, "%s", wait_yaml);
    memcpy(strstr(v2_yaml, "version: 1"), "version: 2", 10);
    journey_t *v2 = journey_text(v2_yaml);
    journey_t *both[2] = {lx.journey, v2};
    journey_set_t set = {.count = 2, .journeys = both};
    engine_journeys_set(lx.engine, &set);
    advance(&lx, T0_MS + 2 * H_MS);
    expect_counts(&lx.rec, 2, 0, 0);
    cr_assert_eq(lx.rec.decisions[1].version, 1, "moved on version %d, want 1",
                 (int)lx.rec.decisions[1].version);
    sy_event_t ev = event_make("signup-other", other_contact, T0_MS + 3 * H_MS,
                               SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    ev.name = "signup";
    feed(&lx, &ev);
    expect_counts(&lx.rec, 3, 0, 0);
    cr_assert_eq(lx.rec.decisions[2].version, 2, "entered version %d, want 2",
                 (int)lx.rec.decisions[2].version);
    engine_journeys_set(lx.engine, &lx.set);
    journey_free(v2);
}

/* DESIGN.md: calls feed branches ("called after the email"). An inbound call to a tracking
 * number is not an outcome of the email message, so it counts for any event of the
 * contact; its properties are readable by the path's `if`. */
static const char called_yaml[] =
    "id: called\n"
    "version: 1\n"
    "entry: {event: custom.promo_eligible}\n"
    "nodes:\n"
    "  - id: promo\n"
    "    send: {channel: email, template: promo}\n"
    "    next: outcome\n"
    "  - id: outcome\n"
    "    branch:\n"
    "      message: promo\n"
    "      paths:\n"
    "        - name: called\n"
    "          when: [call.inbound]\n"
    "          if: event.props.duration_s != \"\"\n"
    "          within: 72h\n"
    "          to: thanks\n"
    "        - name: opened\n"
    "          when: [email.opened]\n"
    "          to: done\n"
    "      otherwise: {after: 72h, to: done}\n"
    "  - id: thanks\n"
    "    send: {channel: sms, template: thanks_for_calling}\n"
    "    next: done\n"
    "  - id: done\n"
    "    exit: {}\n";

Test(engine_lang, an_inbound_call_after_the_email_takes_the_called_path) {
    lx_open(called_yaml);
    feed_custom(&lx, "in", T0_MS, "promo_eligible", -1);
    expect_counts(&lx.rec, 2, 1, 0);
    sy_event_t call = event_make("call-1", contact, T0_MS + 5 * H_MS, SY_CHANNEL_CALL,
                                 SY_EVENT_INBOUND);
    call.props_count = 1;
    call.props[0] = (sy_kv_t){"duration_s", "185"};
    feed(&lx, &call);
    expect_counts(&lx.rec, 4, 2, 0);
    expect_move(&lx, 2, "outcome", "thanks", "called", SY_CAUSE_EVENT, "call-1",
                T0_MS + 5 * H_MS);
    expect_act(&lx, 1, SY_CHANNEL_SMS, "thanks_for_calling", "thanks", 1, T0_MS + 5 * H_MS);
    env_close(&lx);
}
