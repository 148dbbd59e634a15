/* engine_fixture.h — what the engine tests (test_engine_*.c) share: a recording sink, an
 * engine with an in-memory store over the coffee promo (suite `engine`, fixture fx) or over
 * a journey given as YAML text (suite `engine_lang`, fixture lx), and helpers that feed
 * events and timers and check what was emitted. Test code: every helper asserts with
 * Criterion; not the engine's API, and no Kafka. */
#ifndef ENGINE_FIXTURE_H
#define ENGINE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* The contact every helper that does not take one feeds and checks, and another one. */
extern const char contact[];
extern const char other_contact[];

/* Detail of the last failing engine, store or journey call, for assertion messages. */
extern char errbuf[1024];

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

/* Copies src (NULL as "<null>") into dst, which holds REC_STR bytes. */
void copy_str(char *dst, const char *src);

/* ---- one engine over a journey and an in-memory store ---- */

typedef struct env {
    journey_t *journey;
    journey_set_t set;
    state_store_t *store;
    engine_t *engine;
    recorder_t rec;
} env_t;

/* The fixture of suite `engine` (coffee promo, store "engine-test"), opened before and
 * closed after each test; and of suite `engine_lang`, opened by lx_open, closed after. */
extern env_t fx;
extern env_t lx;

/* The coffee email promo of examples/journeys, loaded. The caller owns it. */
journey_t *coffee_load(void);
/* journey_parse of yaml, named test.yaml. The caller owns it. */
journey_t *journey_text(const char *yaml);

/* An engine over journey (taken) and a fresh in-memory store named store_name. */
void env_open_with(env_t *env, const char *store_name, journey_t *journey);
/* env_open_with over coffee_load(). */
void env_open(env_t *env, const char *store_name);
void env_close(env_t *env);
/* lx over the journey in yaml. */
void lx_open(const char *yaml);

/* Journeys written in one test file and used in another too: waits (test_engine_wait.c)
 * and a condition over the profile's tier (test_engine_steps.c). */
extern const char wait_yaml[];
extern const char tier_yaml[];

/* ---- feeding ---- */

/* Fire timers up to and including now_ms; returns how many fired (stale included). */
size_t advance(env_t *env, int64_t now_ms);
/* As the runner does in event time: timers due before the event fire first. */
void feed(env_t *env, const sy_event_t *ev);
sy_event_t event_make(const char *event_id, const char *contact_id, int64_t t,
                      sy_channel_t channel, sy_event_type_t type);
/* custom.promo_eligible of contact_id at t. */
void feed_entry(env_t *env, const char *event_id, const char *contact_id, int64_t t);
/* An email outcome echoing message_id (the action id), which may be NULL. */
void feed_email(env_t *env, const char *event_id, const char *contact_id, int64_t t,
                sy_event_type_t type, const char *message_id);
/* A custom business event of contact (value < 0: none). */
void feed_custom(env_t *env, const char *event_id, int64_t t, const char *name,
                 double value);
/* An outcome of channel/type reporting message node_id of occurrence, and a link. */
void feed_outcome(env_t *env, const char *event_id, int64_t t, sy_channel_t channel,
                  sy_event_type_t type, const char *node_id, uint32_t occurrence,
                  const char *link);
/* Sets one profile attribute of contact_id, updated just before T0. */
void profile_set(env_t *env, const char *contact_id, const char *name, sy_value_t value);
sy_value_t str_value(const char *s);
sy_value_t num_value(double d);
/* Entry of contact into fx at T0 and its two decisions and one email, checked. */
void enter_at_t0(void);

/* ---- action ids ---- */

typedef struct action_id_buf {
    char s[ACTION_ID_BYTES];
} action_id_buf_t;

/* The coffee promo's action id of node_id for contact_id's nth entry. */
action_id_buf_t action_id_of(const char *contact_id, const char *node_id,
                             uint32_t occurrence);
/* The promo email's id for contact_id's nth entry: what providers echo back. */
action_id_buf_t promo_id(const char *contact_id, uint32_t occurrence);

/* ---- checking what was emitted (for contact; the coffee promo, or env's journey) ---- */

void expect_counts(const recorder_t *r, size_t decisions, size_t actions, size_t updates);
void expect_decision(const recorder_t *r, size_t i, const char *from, const char *to,
                     const char *path, sy_cause_t cause, const char *cause_event,
                     int64_t at_ms);
void expect_action(const recorder_t *r, size_t i, sy_channel_t channel,
                   const char *template_id, const char *node, uint32_t occurrence,
                   int64_t not_before_ms);
/* An add_to_list update of list by node at at_ms. */
void expect_update(const recorder_t *r, size_t i, const char *node, const char *list,
                   int64_t at_ms);
void expect_move(const env_t *env, size_t i, const char *from, const char *to,
                 const char *path, sy_cause_t cause, const char *cause_event, int64_t at_ms);
void expect_act(const env_t *env, size_t i, sy_channel_t channel, const char *template_id,
                const char *node, uint32_t occurrence, int64_t not_before_ms);
/* Parameter k of action i is key = value. */
void expect_param(const env_t *env, size_t i, size_t k, const char *key, const char *value);
void expect_instance(const env_t *env, state_instance_status_t status, uint32_t occurrence);

#endif
