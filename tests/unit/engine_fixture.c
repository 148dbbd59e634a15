/* engine_fixture.c — the engine tests' environment (engine_fixture.h): a sink that
 * records what the engine emits, an engine over the coffee promo or a journey given as
 * text with an in-memory store, the suites `engine` and `engine_lang`, and the feeding and
 * checking helpers the test files share. The tests themselves are in test_engine_*.c. */
#include "engine_fixture.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char contact[] = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f";
const char other_contact[] = "0a0b0c0d-1111-4222-8333-444455556666";

char errbuf[1024];

/* ---- a sink that records; strings are copied, "<null>" stands for NULL ---- */

void copy_str(char *dst, const char *src) {
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

journey_t *coffee_load(void) {
    journey_t *j = NULL;
    errbuf[0] = '\0';
    sy_err_t err = journey_load_file(&j, COFFEE_PATH, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "loading %s returned %d; errbuf: %s", COFFEE_PATH, err, errbuf);
    return j;
}

/* An engine over journey (taken) and a fresh in-memory store named store_name. */
void env_open_with(env_t *env, const char *store_name, journey_t *journey) {
    memset(env, 0, sizeof *env);
    env->journey = journey;
    env->set = (journey_set_t){.count = 1, .journeys = &env->journey};
    errbuf[0] = '\0';
    sy_err_t err = state_store_open(&env->store, store_name, true,
                                    STATE_CACHE_BYTES_DEFAULT, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open returned %d; errbuf: %s", err, errbuf);
    engine_sink_t sink = {record_decision, record_action, record_update, &env->rec, NULL};
    err = engine_open(&env->engine, &env->set, env->store, &sink, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "engine_open returned %d; errbuf: %s", err, errbuf);
}

void env_open(env_t *env, const char *store_name) {
    env_open_with(env, store_name, coffee_load());
}

void env_close(env_t *env) {
    engine_close(env->engine);
    state_store_close(env->store);
    journey_free(env->journey);
    memset(env, 0, sizeof *env);
}

env_t fx;

static void fx_setup(void) { env_open(&fx, "engine-test"); }
static void fx_teardown(void) { env_close(&fx); }

TestSuite(engine, .init = fx_setup, .fini = fx_teardown);

/* Fire timers up to and including now_ms; returns how many fired (stale included). */
size_t advance(env_t *env, int64_t now_ms) {
    size_t fired = 0;
    errbuf[0] = '\0';
    sy_err_t err = engine_fire_timers(env->engine, PARTITION, now_ms, &fired, errbuf,
                                      sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "engine_fire_timers(%lld) returned %d; errbuf: %s",
              (long long)now_ms, err, errbuf);
    return fired;
}

/* As the runner does in event time: timers due before the event fire first. */
void feed(env_t *env, const sy_event_t *ev) {
    advance(env, ev->occurred_at_ms - 1);
    errbuf[0] = '\0';
    sy_err_t err = engine_on_event(env->engine, PARTITION, ev, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "engine_on_event(%s) returned %d; errbuf: %s", ev->event_id,
              err, errbuf);
}

sy_event_t event_make(const char *event_id, const char *contact_id, int64_t t,
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

void feed_entry(env_t *env, const char *event_id, const char *contact_id, int64_t t) {
    sy_event_t ev = event_make(event_id, contact_id, t, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    ev.name = "promo_eligible";
    feed(env, &ev);
}

/* An email outcome echoing message_id (the action id), which may be NULL. */
void feed_email(env_t *env, const char *event_id, const char *contact_id, int64_t t,
                       sy_event_type_t type, const char *message_id) {
    sy_event_t ev = event_make(event_id, contact_id, t, SY_CHANNEL_EMAIL, type);
    ev.message_id = message_id;
    feed(env, &ev);
}

action_id_buf_t action_id_of(const char *contact_id, const char *node_id,
                                    uint32_t occurrence) {
    action_id_buf_t id;
    action_id_format(id.s, contact_id, JOURNEY_ID, 1, node_id, occurrence,
                     ACTION_ID_ONE_PASS);
    return id;
}

/* The promo email's id for contact_id's nth entry: what providers echo back. */
action_id_buf_t promo_id(const char *contact_id, uint32_t occurrence) {
    return action_id_of(contact_id, "promo_email", occurrence);
}

void expect_counts(const recorder_t *r, size_t decisions, size_t actions,
                          size_t updates) {
    cr_assert(eq(sz, r->decisions_count, decisions), "%zu decisions, want %zu (last: %s)",
              r->decisions_count, decisions,
              r->lines_count ? r->lines[r->lines_count - 1] : "none");
    cr_assert(eq(sz, r->actions_count, actions), "%zu actions, want %zu", r->actions_count,
              actions);
    cr_assert(eq(sz, r->updates_count, updates), "%zu contact updates, want %zu",
              r->updates_count, updates);
}

void expect_decision(const recorder_t *r, size_t i, const char *from, const char *to,
                            const char *path, sy_cause_t cause, const char *cause_event,
                            int64_t at_ms) {
    cr_assert_lt(i, r->decisions_count, "no decision %zu (%zu recorded)", i,
                 r->decisions_count);
    const rec_decision_t *d = &r->decisions[i];
    cr_assert(eq(str, (char *)d->contact, (char *)contact), "decision %zu contact '%s'", i,
              d->contact);
    cr_assert(eq(str, (char *)d->journey, JOURNEY_ID), "decision %zu journey '%s'", i, d->journey);
    cr_assert(eq(i32, d->version, 1), "decision %zu version %d, want 1", i, (int)d->version);
    cr_assert(eq(str, (char *)d->from, (char *)from), "decision %zu from '%s', want '%s'", i,
              d->from, from);
    cr_assert(eq(str, (char *)d->to, (char *)to), "decision %zu to '%s', want '%s'", i, d->to, to);
    cr_assert(eq(str, (char *)d->path, (char *)path), "decision %zu path '%s', want '%s'", i,
              d->path, path);
    cr_assert(eq(int, d->cause, cause), "decision %zu cause %d, want %d", i, d->cause, cause);
    cr_assert(eq(str, (char *)d->cause_event, (char *)cause_event),
              "decision %zu cause event '%s', want '%s'",
              i, d->cause_event, cause_event);
    cr_assert(eq(i64, d->at_ms, at_ms), "decision %zu at %lld, want %lld", i, (long long)d->at_ms,
              (long long)at_ms);
}

void expect_action(const recorder_t *r, size_t i, sy_channel_t channel,
                          const char *template_id, const char *node, uint32_t occurrence,
                          int64_t not_before_ms) {
    cr_assert_lt(i, r->actions_count, "no action %zu (%zu recorded)", i, r->actions_count);
    const rec_action_t *a = &r->actions[i];
    action_id_buf_t want_id = action_id_of(contact, node, occurrence);
    cr_assert(eq(int, a->channel, channel), "action %zu channel %d, want %d", i, a->channel,
              channel);
    cr_assert(eq(str, (char *)a->template_id, (char *)template_id),
              "action %zu template '%s', want '%s'", i,
              a->template_id, template_id);
    cr_assert(eq(str, (char *)a->node, (char *)node), "action %zu node '%s', want '%s'", i,
              a->node, node);
    cr_assert(eq(str, (char *)a->action_id, want_id.s), "action %zu id '%s', want '%s'", i,
              a->action_id, want_id.s);
    cr_assert(eq(str, (char *)a->contact, (char *)contact), "action %zu contact '%s'", i,
              a->contact);
    cr_assert(eq(str, (char *)a->journey, JOURNEY_ID), "action %zu journey '%s'", i, a->journey);
    cr_assert(eq(i32, a->version, 1), "action %zu version %d, want 1", i, (int)a->version);
    cr_assert(eq(i32, a->occurrence, (int32_t)occurrence), "action %zu occurrence %d, want %u", i,
              (int)a->occurrence, occurrence);
    cr_assert(eq(i64, a->not_before_ms, not_before_ms), "action %zu not before %lld, want %lld",
              i, (long long)a->not_before_ms, (long long)not_before_ms);
}

void expect_update(const recorder_t *r, size_t i, const char *node, const char *list,
                          int64_t at_ms) {
    cr_assert_lt(i, r->updates_count, "no contact update %zu (%zu recorded)", i,
                 r->updates_count);
    const rec_update_t *u = &r->updates[i];
    cr_assert(eq(int, u->op, SY_UPDATE_ADD_TO_LIST), "update %zu op %d, want add_to_list (%d)", i,
              u->op, SY_UPDATE_ADD_TO_LIST);
    cr_assert(eq(str, (char *)u->name, (char *)list), "update %zu list '%s', want '%s'", i,
              u->name, list);
    cr_assert(eq(str, (char *)u->value, "<null>"), "update %zu value '%s', want none", i,
              u->value);
    cr_assert(eq(str, (char *)u->node, (char *)node), "update %zu node '%s', want '%s'", i,
              u->node, node);
    cr_assert(eq(str, (char *)u->contact, (char *)contact), "update %zu contact '%s'", i,
              u->contact);
    cr_assert(eq(str, (char *)u->journey, JOURNEY_ID), "update %zu journey '%s'", i, u->journey);
    cr_assert(eq(i64, u->at_ms, at_ms), "update %zu at %lld, want %lld", i, (long long)u->at_ms,
              (long long)at_ms);
}

/* Entry at T0 and its two decisions and one email, checked. */
void enter_at_t0(void) {
    feed_entry(&fx, "entry-1", contact, T0_MS);
    expect_counts(&fx.rec, 2, 1, 0);
}

/* ==== the full language, on small journeys written here ==== */

env_t lx;

static void lx_teardown(void) { env_close(&lx); }

TestSuite(engine_lang, .fini = lx_teardown);

journey_t *journey_text(const char *yaml) {
    journey_t *j = NULL;
    errbuf[0] = '\0';
    sy_err_t err = journey_parse(&j, yaml, strlen(yaml), "test.yaml", errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "journey_parse returned %d; errbuf: %s", err, errbuf);
    return j;
}

void lx_open(const char *yaml) { env_open_with(&lx, "engine-lang", journey_text(yaml)); }

void profile_set(env_t *env, const char *contact_id, const char *name,
                        sy_value_t value) {
    static sy_profile_update_t u;
    memset(&u, 0, sizeof u);
    u.contact_id = contact_id;
    u.updated_at_ms = T0_MS - 1000;
    u.set_count = 1;
    u.set[0] = (sy_attr_t){.name = name, .value = value};
    errbuf[0] = '\0';
    sy_err_t err = state_store_profile_apply(env->store, PARTITION, &u, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "profile_apply(%s) returned %d; %s", name, err, errbuf);
}

sy_value_t str_value(const char *s) {
    return (sy_value_t){.kind = SY_VALUE_STRING, .u.s = s};
}

sy_value_t num_value(double d) {
    return (sy_value_t){.kind = SY_VALUE_DOUBLE, .u.d = d};
}

/* A custom business event of contact (value < 0: none). */
void feed_custom(env_t *env, const char *event_id, int64_t t, const char *name,
                        double value) {
    sy_event_t ev = event_make(event_id, contact, t, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    ev.name = name;
    ev.has_value = value >= 0;
    ev.value = value >= 0 ? value : 0;
    feed(env, &ev);
}

/* An outcome of channel/type reporting message node_id of occurrence, and a link. */
void feed_outcome(env_t *env, const char *event_id, int64_t t, sy_channel_t channel,
                         sy_event_type_t type, const char *node_id, uint32_t occurrence,
                         const char *link) {
    char id[ACTION_ID_BYTES];
    action_id_format(id, contact, env->journey->id, env->journey->version, node_id,
                     occurrence, ACTION_ID_ONE_PASS);
    sy_event_t ev = event_make(event_id, contact, t, channel, type);
    ev.message_id = id;
    ev.link = link;
    feed(env, &ev);
}

void expect_move(const env_t *env, size_t i, const char *from, const char *to,
                        const char *path, sy_cause_t cause, const char *cause_event,
                        int64_t at_ms) {
    const recorder_t *r = &env->rec;
    cr_assert_lt(i, r->decisions_count, "no decision %zu (%zu recorded)", i,
                 r->decisions_count);
    const rec_decision_t *d = &r->decisions[i];
    cr_assert(eq(str, (char *)d->contact, (char *)contact), "decision %zu contact '%s'", i,
              d->contact);
    cr_assert(eq(str, (char *)d->journey, env->journey->id), "decision %zu journey '%s'", i,
              d->journey);
    cr_assert(eq(str, (char *)d->from, (char *)from), "decision %zu from '%s', want '%s'", i,
              d->from, from);
    cr_assert(eq(str, (char *)d->to, (char *)to), "decision %zu to '%s', want '%s'", i, d->to, to);
    cr_assert(eq(str, (char *)d->path, (char *)path), "decision %zu path '%s', want '%s'", i,
              d->path, path);
    cr_assert(eq(int, d->cause, cause), "decision %zu cause %d, want %d", i, d->cause, cause);
    cr_assert(eq(str, (char *)d->cause_event, (char *)cause_event),
              "decision %zu cause event '%s', want '%s'",
              i, d->cause_event, cause_event);
    cr_assert(eq(i64, d->at_ms, at_ms), "decision %zu at %lld, want %lld", i, (long long)d->at_ms,
              (long long)at_ms);
}

void expect_act(const env_t *env, size_t i, sy_channel_t channel,
                       const char *template_id, const char *node, uint32_t occurrence,
                       int64_t not_before_ms) {
    const recorder_t *r = &env->rec;
    cr_assert_lt(i, r->actions_count, "no action %zu (%zu recorded)", i, r->actions_count);
    const rec_action_t *a = &r->actions[i];
    char want_id[ACTION_ID_BYTES];
    action_id_format(want_id, contact, env->journey->id, env->journey->version, node,
                     occurrence, ACTION_ID_ONE_PASS);
    cr_assert(eq(int, a->channel, channel), "action %zu channel %d, want %d", i, a->channel,
              channel);
    cr_assert(eq(str, (char *)a->template_id, (char *)template_id),
              "action %zu template '%s', want '%s'", i,
              a->template_id, template_id);
    cr_assert(eq(str, (char *)a->node, (char *)node), "action %zu node '%s', want '%s'", i,
              a->node, node);
    cr_assert(eq(str, (char *)a->action_id, want_id), "action %zu id '%s', want '%s'", i,
              a->action_id, want_id);
    cr_assert(eq(i32, a->occurrence, (int32_t)occurrence), "action %zu occurrence %d, want %u", i,
              (int)a->occurrence, occurrence);
    cr_assert(eq(i64, a->not_before_ms, not_before_ms), "action %zu not before %lld, want %lld",
              i, (long long)a->not_before_ms, (long long)not_before_ms);
}

void expect_param(const env_t *env, size_t i, size_t k, const char *key,
                         const char *value) {
    const rec_action_t *a = &env->rec.actions[i];
    cr_assert_lt(k, a->params_count, "action %zu has %zu params, want %zu+", i,
                 a->params_count, k + 1);
    cr_assert(eq(str, (char *)a->params[k][0], (char *)key),
              "action %zu param %zu '%s', want '%s'", i, k,
              a->params[k][0], key);
    cr_assert(eq(str, (char *)a->params[k][1], (char *)value),
              "action %zu param %s = '%s', want '%s'", i,
              key, a->params[k][1], value);
}

void expect_instance(const env_t *env, state_instance_status_t status,
                            uint32_t occurrence) {
    state_instance_t inst;
    sy_err_t err = state_store_instance_get(env->store, PARTITION, contact, env->journey->id,
                                            &inst, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "instance_get returned %d; %s", err, errbuf);
    cr_assert(eq(int, inst.status, status), "instance status %d, want %d", inst.status, status);
    cr_assert(eq(u32, inst.occurrence, occurrence), "occurrence %u, want %u", inst.occurrence,
              occurrence);
}
