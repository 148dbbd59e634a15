/* codec_fixture.c — the codec tests' shared pieces (codec_fixture.h): the codec of suite
 * `codec`, records of every kind with all optional fields and with none, field-by-field
 * comparisons, a builder of hand-made frames and the seeded generator of the property
 * tests. The tests themselves are in test_codec_*.c. */
#include "codec_fixture.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

codec_t *codec;
char errbuf[512];

static void codec_setup(void) {
    sy_err_t err = codec_open(&codec, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "codec_open: %s", errbuf);
}

static void codec_teardown(void) {
    codec_close(codec);
    codec = NULL;
}

TestSuite(codec, .init = codec_setup, .fini = codec_teardown);

/* A copy of n bytes in a buffer of exactly n bytes, so ASan sees any read past it. */
uint8_t *exact_copy(const void *p, size_t n) {
    uint8_t *copy = malloc(n ? n : 1);
    cr_assert_not_null(copy);
    if (n)
        memcpy(copy, p, n);
    return copy;
}

/* --- records built for the tests ------------------------------------------------------ */

sy_event_t event_full(void) {
    sy_event_t e = {
        .event_id = "evt-1", .contact_id = "contact-42", .occurred_at_ms = T0_MS,
        .channel = SY_CHANNEL_EMAIL, .type = SY_EVENT_BOUNCED, .message_id = "act-9",
        .journey_id = "coffee", .node_id = "promo", .name = "mail_bounce",
        .link = "https://example.com/o?x=1", .text = "caf\xc3\xa9 \"quoted\"",
        .bounce = SY_BOUNCE_HARD, .has_value = true, .value = 12.5, .props_count = 2,
        .props = {{"provider", "sendgrid"}, {"reason", "mailbox full"}},
    };
    return e;
}

sy_event_t event_min(void) {
    sy_event_t e = {
        .event_id = "e1", .contact_id = "c1", .occurred_at_ms = 0,
        .channel = SY_CHANNEL_SMS, .type = SY_EVENT_SENT, .bounce = SY_BOUNCE_NONE,
    };
    return e;
}

void init_profile_full(sy_profile_update_t *p) {
    memset(p, 0, sizeof *p);
    p->contact_id = "contact-42";
    p->updated_at_ms = T0_MS;
    p->set_count = 5;
    p->set[0] = (sy_attr_t){"nickname", {.kind = SY_VALUE_NULL}};
    p->set[1] = (sy_attr_t){"vip", {.kind = SY_VALUE_BOOL, .u.b = true}};
    p->set[2] = (sy_attr_t){"visits", {.kind = SY_VALUE_LONG, .u.l = -7}};
    p->set[3] = (sy_attr_t){"ltv", {.kind = SY_VALUE_DOUBLE, .u.d = 1234.25}};
    p->set[4] = (sy_attr_t){"tier", {.kind = SY_VALUE_STRING, .u.s = "gold"}};
    p->unset_count = 2;
    p->unset[0] = "old_tier";
    p->unset[1] = "temp";
}

sy_action_t action_full(void) {
    sy_action_t a = {
        .action_id = "act-9", .contact_id = "contact-42", .channel = SY_CHANNEL_VOICE,
        .template_id = "reactivate", .not_before_ms = T0_MS, .journey_id = "coffee",
        .journey_version = 3, .node_id = "call", .occurrence = 2,
        .tracking_number = "+15550100", .params_count = 2,
        .params = {{"first_name", "Ada"}, {"discount", "15%"}},
        .tracking_display = "555-0100", .tracking_tel = "tel:+15550100",
        .tracking_cta = "button", .tracking_fallback = true,
    };
    return a;
}

sy_action_t action_min(void) {
    sy_action_t a = {
        .action_id = "a", .contact_id = "c", .channel = SY_CHANNEL_TASK, .template_id = "",
        .journey_id = "j", .node_id = "n", .journey_version = INT32_MIN,
        .occurrence = INT32_MAX, .not_before_ms = INT64_MIN,
    };
    return a;
}

sy_decision_t decision_full(void) {
    sy_decision_t d = {
        .contact_id = "contact-42", .journey_id = "coffee", .journey_version = 3,
        .from_node = "branch", .to_node = "followup", .path = "opened",
        .cause = SY_CAUSE_EVENT, .cause_event_id = "evt-1", .decided_at_ms = T0_MS,
    };
    return d;
}

sy_decision_t decision_min(void) {
    sy_decision_t d = {
        .contact_id = "c", .journey_id = "j", .to_node = "start", .cause = SY_CAUSE_TIMER,
        .decided_at_ms = INT64_MAX,
    };
    return d;
}

sy_contact_update_t contact_update_full(void) {
    sy_contact_update_t u = {
        .contact_id = "contact-42", .journey_id = "coffee", .journey_version = 3,
        .node_id = "flag", .op = SY_UPDATE_SET_ATTRIBUTE, .name = "needs_cleansing",
        .value = "true", .at_ms = T0_MS,
    };
    return u;
}

sy_contact_update_t contact_update_min(void) {
    sy_contact_update_t u = {
        .contact_id = "c", .journey_id = "j", .node_id = "n", .op = SY_UPDATE_OPT_OUT,
        .name = "voice",
    };
    return u;
}

static const uint8_t dl_key[] = {'c', '1'};
static const uint8_t dl_value[] = {0x00, 0xff, 0x10, 0x7f};

sy_dead_letter_t dead_letter_full(void) {
    sy_dead_letter_t d = {
        .source_topic = "events", .partition = 7, .offset = INT64_C(123456789012),
        .error_code = "malformed", .error = "enum out of range",
        .key = dl_key, .key_len = sizeof dl_key, .value = dl_value,
        .value_len = sizeof dl_value, .failed_at_ms = T0_MS,
    };
    return d;
}

sy_dead_letter_t dead_letter_min(void) {
    sy_dead_letter_t d = {.source_topic = "t", .error_code = "", .error = ""};
    return d;
}

/* --- comparisons ------------------------------------------------------------------------ */

void expect_opt_str(const char *got, const char *want, const char *field) {
    if (want == NULL || got == NULL)
        cr_expect(got == want, "%s: got %s, want %s", field, got ? got : "NULL",
                  want ? want : "NULL");
    else
        cr_expect(eq(str, (char *)got, (char *)want), "%s", field);
}

void expect_kvs(const sy_kv_t *got, size_t got_n, const sy_kv_t *want,
                       size_t want_n) {
    cr_assert(eq(sz, got_n, want_n), "map entries: got %zu, want %zu", got_n, want_n);
    for (size_t i = 0; i < want_n; i++) {
        cr_expect(eq(str, (char *)got[i].key, (char *)want[i].key), "key %zu", i);
        cr_expect(eq(str, (char *)got[i].value, (char *)want[i].value), "value %zu", i);
    }
}

void expect_event_eq(const sy_event_t *g, const sy_event_t *w) {
    cr_expect_str_eq(g->event_id, w->event_id);
    cr_expect_str_eq(g->contact_id, w->contact_id);
    cr_expect(eq(i64, g->occurred_at_ms, w->occurred_at_ms), "occurred_at: %lld vs %lld",
              (long long)g->occurred_at_ms, (long long)w->occurred_at_ms);
    cr_expect(eq(int, g->channel, w->channel), "channel %d vs %d", g->channel, w->channel);
    cr_expect(eq(int, g->type, w->type), "type %d vs %d", g->type, w->type);
    expect_opt_str(g->message_id, w->message_id, "message_id");
    expect_opt_str(g->journey_id, w->journey_id, "journey_id");
    expect_opt_str(g->node_id, w->node_id, "node_id");
    expect_opt_str(g->name, w->name, "name");
    expect_opt_str(g->link, w->link, "link");
    expect_opt_str(g->text, w->text, "text");
    cr_expect(eq(int, g->bounce, w->bounce), "bounce %d vs %d", g->bounce, w->bounce);
    cr_expect(eq(int, g->has_value, w->has_value), "has_value %d vs %d", g->has_value,
              w->has_value);
    if (w->has_value)
        cr_expect(eq(dbl, g->value, w->value), "value %g vs %g", g->value, w->value);
    expect_kvs(g->props, g->props_count, w->props, w->props_count);
}

void expect_profile_eq(const sy_profile_update_t *g, const sy_profile_update_t *w) {
    cr_expect_str_eq(g->contact_id, w->contact_id);
    cr_expect(eq(i64, g->updated_at_ms, w->updated_at_ms));
    cr_assert(eq(sz, g->set_count, w->set_count), "set: %zu vs %zu", g->set_count, w->set_count);
    for (size_t i = 0; i < w->set_count; i++) {
        const sy_value_t *gv = &g->set[i].value, *wv = &w->set[i].value;
        cr_expect_str_eq(g->set[i].name, w->set[i].name);
        cr_assert(eq(int, gv->kind, wv->kind), "%s kind %d vs %d", w->set[i].name, gv->kind,
                  wv->kind);
        if (wv->kind == SY_VALUE_BOOL)
            cr_expect(eq(int, gv->u.b, wv->u.b));
        if (wv->kind == SY_VALUE_LONG)
            cr_expect(eq(i64, gv->u.l, wv->u.l), "%lld vs %lld", (long long)gv->u.l,
                      (long long)wv->u.l);
        if (wv->kind == SY_VALUE_DOUBLE)
            cr_expect(eq(dbl, gv->u.d, wv->u.d), "%g vs %g", gv->u.d, wv->u.d);
        if (wv->kind == SY_VALUE_STRING)
            cr_expect_str_eq(gv->u.s, wv->u.s);
    }
    cr_assert(eq(sz, g->unset_count, w->unset_count), "unset: %zu vs %zu", g->unset_count,
              w->unset_count);
    for (size_t i = 0; i < w->unset_count; i++)
        cr_expect_str_eq(g->unset[i], w->unset[i]);
}

void expect_action_eq(const sy_action_t *g, const sy_action_t *w) {
    cr_expect_str_eq(g->action_id, w->action_id);
    cr_expect_str_eq(g->contact_id, w->contact_id);
    cr_expect(eq(int, g->channel, w->channel));
    cr_expect_str_eq(g->template_id, w->template_id);
    cr_expect(eq(i64, g->not_before_ms, w->not_before_ms));
    cr_expect_str_eq(g->journey_id, w->journey_id);
    cr_expect(eq(i32, g->journey_version, w->journey_version), "%d vs %d", g->journey_version,
              w->journey_version);
    cr_expect_str_eq(g->node_id, w->node_id);
    cr_expect(eq(i32, g->occurrence, w->occurrence), "%d vs %d", g->occurrence, w->occurrence);
    expect_opt_str(g->tracking_number, w->tracking_number, "tracking_number");
    expect_kvs(g->params, g->params_count, w->params, w->params_count);
    expect_opt_str(g->tracking_display, w->tracking_display, "tracking_display");
    expect_opt_str(g->tracking_tel, w->tracking_tel, "tracking_tel");
    expect_opt_str(g->tracking_cta, w->tracking_cta, "tracking_cta");
    cr_expect(eq(int, g->tracking_fallback, w->tracking_fallback), "tracking_fallback");
}

void expect_decision_eq(const sy_decision_t *g, const sy_decision_t *w) {
    cr_expect_str_eq(g->contact_id, w->contact_id);
    cr_expect_str_eq(g->journey_id, w->journey_id);
    cr_expect(eq(i32, g->journey_version, w->journey_version));
    expect_opt_str(g->from_node, w->from_node, "from_node");
    cr_expect_str_eq(g->to_node, w->to_node);
    expect_opt_str(g->path, w->path, "path");
    cr_expect(eq(int, g->cause, w->cause), "cause %d vs %d", g->cause, w->cause);
    expect_opt_str(g->cause_event_id, w->cause_event_id, "cause_event_id");
    cr_expect(eq(i64, g->decided_at_ms, w->decided_at_ms));
}

void expect_contact_update_eq(const sy_contact_update_t *g,
                                     const sy_contact_update_t *w) {
    cr_expect_str_eq(g->contact_id, w->contact_id);
    cr_expect_str_eq(g->journey_id, w->journey_id);
    cr_expect(eq(i32, g->journey_version, w->journey_version));
    cr_expect_str_eq(g->node_id, w->node_id);
    cr_expect(eq(int, g->op, w->op), "op %d vs %d", g->op, w->op);
    cr_expect_str_eq(g->name, w->name);
    expect_opt_str(g->value, w->value, "value");
    cr_expect(eq(i64, g->at_ms, w->at_ms));
}

void expect_dead_letter_eq(const sy_dead_letter_t *g, const sy_dead_letter_t *w) {
    cr_expect_str_eq(g->source_topic, w->source_topic);
    cr_expect(eq(i32, g->partition, w->partition));
    cr_expect(eq(i64, g->offset, w->offset));
    cr_expect_str_eq(g->error_code, w->error_code);
    cr_expect_str_eq(g->error, w->error);
    cr_expect(eq(int, g->key == NULL, w->key == NULL), "key presence");
    cr_expect(eq(sz, g->key_len, w->key_len), "key_len %zu vs %zu", g->key_len, w->key_len);
    if (w->key && g->key)
        cr_expect_arr_eq(g->key, w->key, w->key_len);
    cr_expect(eq(int, g->value == NULL, w->value == NULL), "value presence");
    cr_expect(eq(sz, g->value_len, w->value_len), "value_len %zu vs %zu", g->value_len,
              w->value_len);
    if (w->value && g->value)
        cr_expect_arr_eq(g->value, w->value, w->value_len);
    cr_expect(eq(i64, g->failed_at_ms, w->failed_at_ms));
}

void w_raw(wire_t *w, const void *p, size_t n) {
    cr_assert(w->n + n <= sizeof w->b);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

void w_byte(wire_t *w, uint8_t b) {
    w_raw(w, &b, 1);
}

void w_header(wire_t *w, uint32_t id) {
    uint8_t h[5] = {0, (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8),
                    (uint8_t)id};
    w->n = 0;
    w_raw(w, h, sizeof h);
}

/* Avro long: zigzag varint. */
void w_long(wire_t *w, int64_t v) {
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    while (z >= 0x80) {
        w_byte(w, (uint8_t)(z | 0x80));
        z >>= 7;
    }
    w_byte(w, (uint8_t)z);
}

void w_str(wire_t *w, const char *s) {
    w_long(w, (int64_t)strlen(s));
    w_raw(w, s, strlen(s));
}

void w_long_pad(wire_t *w, int64_t v, int pad) {
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    int n = 1;
    for (uint64_t rest = u; rest >= 0x80; rest >>= 7)
        n++;
    cr_assert_leq(n + pad, 10);
    for (int i = 0; i < n + pad - 1; i++, u >>= 7)
        w_byte(w, (uint8_t)((u & 0x7f) | 0x80));
    w_byte(w, (uint8_t)u);
}

void w_str_pad(wire_t *w, const char *s, int pad) {
    w_long_pad(w, (int64_t)strlen(s), pad);
    w_raw(w, s, strlen(s));
}

/* EngagementEvent up to and including type: e1, c1, time 0, channel, type (frame byte 13). */
void w_event_head(wire_t *w, int64_t channel, int64_t type) {
    w_header(w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_str(w, "e1");
    w_str(w, "c1");
    w_long(w, 0);
    w_long(w, channel);
    w_long(w, type);
}

/* The eight optional fields after type, all null. */
void w_event_nulls(wire_t *w) {
    for (int i = 0; i < 8; i++)
        w_long(w, 0);
}

sy_err_t decode_event_wire(const wire_t *w, sy_event_t *out) {
    uint8_t *copy = exact_copy(w->b, w->n);
    sy_err_t err = codec_decode_event(codec, copy, w->n, out, errbuf, sizeof errbuf);
    free(copy);
    return err;
}

void expect_refused_as_guard(const wire_t *w, sy_err_t got, sy_err_t err, const char *want) {
    char guard_msg[512];
    char *json = NULL;
    sy_err_t guard_err = codec_to_json(codec, w->b, w->n, &json, guard_msg, sizeof guard_msg);
    free(json);
    expect_err(got, err);
    cr_expect(strstr(errbuf, want) != NULL, "message \"%s\" lacks \"%s\"", errbuf, want);
    cr_expect(eq(int, (int)guard_err, (int)err));
    cr_expect(eq(str, errbuf, guard_msg));
}

uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}
