/* test_codec.c — unit tests of the wire codec (schemas/codec.h) and the record name tables
 * (schemas/records.h): round trips, every refusal with its error and message, buffer
 * reuse, JSON rendering, and a seeded mutation run that must never crash. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "sy_limits.h"

#define T0_MS INT64_C(1793523600000) /* 2026-11-01T09:00:00.000Z */

static codec_t *codec;
static char errbuf[512];

static void codec_setup(void) {
    sy_err_t err = codec_open(&codec, errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "codec_open: %s", errbuf);
}

static void codec_teardown(void) {
    codec_close(codec);
    codec = NULL;
}

TestSuite(codec, .init = codec_setup, .fini = codec_teardown);

#define expect_err(got, want)                                                               \
    cr_assert_eq((got), (want), "got %s, want %s (errbuf: %s)", sy_err_name(got),          \
                 sy_err_name(want), errbuf)
#define expect_msg(needle)                                                                  \
    cr_assert(strstr(errbuf, (needle)) != NULL, "message \"%s\" lacks \"%s\"", errbuf,     \
              (needle))

/* A copy of n bytes in a buffer of exactly n bytes, so ASan sees any read past it. */
static uint8_t *exact_copy(const void *p, size_t n) {
    uint8_t *copy = malloc(n ? n : 1);
    cr_assert_not_null(copy);
    if (n)
        memcpy(copy, p, n);
    return copy;
}

/* --- records built for the tests ------------------------------------------------------ */

static sy_event_t event_full(void) {
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

static sy_event_t event_min(void) {
    sy_event_t e = {
        .event_id = "e1", .contact_id = "c1", .occurred_at_ms = 0,
        .channel = SY_CHANNEL_SMS, .type = SY_EVENT_SENT, .bounce = SY_BOUNCE_NONE,
    };
    return e;
}

static void init_profile_full(sy_profile_update_t *p) {
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

static sy_action_t action_full(void) {
    sy_action_t a = {
        .action_id = "act-9", .contact_id = "contact-42", .channel = SY_CHANNEL_VOICE,
        .template_id = "reactivate", .not_before_ms = T0_MS, .journey_id = "coffee",
        .journey_version = 3, .node_id = "call", .occurrence = 2,
        .tracking_number = "+15550100", .params_count = 2,
        .params = {{"first_name", "Ada"}, {"discount", "15%"}},
    };
    return a;
}

static sy_action_t action_min(void) {
    sy_action_t a = {
        .action_id = "a", .contact_id = "c", .channel = SY_CHANNEL_TASK, .template_id = "",
        .journey_id = "j", .node_id = "n", .journey_version = INT32_MIN,
        .occurrence = INT32_MAX, .not_before_ms = INT64_MIN,
    };
    return a;
}

static sy_decision_t decision_full(void) {
    sy_decision_t d = {
        .contact_id = "contact-42", .journey_id = "coffee", .journey_version = 3,
        .from_node = "branch", .to_node = "followup", .path = "opened",
        .cause = SY_CAUSE_EVENT, .cause_event_id = "evt-1", .decided_at_ms = T0_MS,
    };
    return d;
}

static sy_decision_t decision_min(void) {
    sy_decision_t d = {
        .contact_id = "c", .journey_id = "j", .to_node = "start", .cause = SY_CAUSE_TIMER,
        .decided_at_ms = INT64_MAX,
    };
    return d;
}

static sy_contact_update_t contact_update_full(void) {
    sy_contact_update_t u = {
        .contact_id = "contact-42", .journey_id = "coffee", .journey_version = 3,
        .node_id = "flag", .op = SY_UPDATE_SET_ATTRIBUTE, .name = "needs_cleansing",
        .value = "true", .at_ms = T0_MS,
    };
    return u;
}

static sy_contact_update_t contact_update_min(void) {
    sy_contact_update_t u = {
        .contact_id = "c", .journey_id = "j", .node_id = "n", .op = SY_UPDATE_OPT_OUT,
        .name = "voice",
    };
    return u;
}

static const uint8_t dl_key[] = {'c', '1'};
static const uint8_t dl_value[] = {0x00, 0xff, 0x10, 0x7f};

static sy_dead_letter_t dead_letter_full(void) {
    sy_dead_letter_t d = {
        .source_topic = "events", .partition = 7, .offset = INT64_C(123456789012),
        .error_code = "malformed", .error = "enum out of range",
        .key = dl_key, .key_len = sizeof dl_key, .value = dl_value,
        .value_len = sizeof dl_value, .failed_at_ms = T0_MS,
    };
    return d;
}

static sy_dead_letter_t dead_letter_min(void) {
    sy_dead_letter_t d = {.source_topic = "t", .error_code = "", .error = ""};
    return d;
}

/* --- comparisons ------------------------------------------------------------------------ */

static void expect_opt_str(const char *got, const char *want, const char *field) {
    if (want == NULL || got == NULL)
        cr_expect(got == want, "%s: got %s, want %s", field, got ? got : "NULL",
                  want ? want : "NULL");
    else
        cr_expect_str_eq(got, want, "%s", field);
}

static void expect_kvs(const sy_kv_t *got, size_t got_n, const sy_kv_t *want,
                       size_t want_n) {
    cr_assert_eq(got_n, want_n, "map entries: got %zu, want %zu", got_n, want_n);
    for (size_t i = 0; i < want_n; i++) {
        cr_expect_str_eq(got[i].key, want[i].key, "key %zu", i);
        cr_expect_str_eq(got[i].value, want[i].value, "value %zu", i);
    }
}

static void expect_event_eq(const sy_event_t *g, const sy_event_t *w) {
    cr_expect_str_eq(g->event_id, w->event_id);
    cr_expect_str_eq(g->contact_id, w->contact_id);
    cr_expect_eq(g->occurred_at_ms, w->occurred_at_ms, "occurred_at: %lld vs %lld",
                 (long long)g->occurred_at_ms, (long long)w->occurred_at_ms);
    cr_expect_eq(g->channel, w->channel, "channel %d vs %d", g->channel, w->channel);
    cr_expect_eq(g->type, w->type, "type %d vs %d", g->type, w->type);
    expect_opt_str(g->message_id, w->message_id, "message_id");
    expect_opt_str(g->journey_id, w->journey_id, "journey_id");
    expect_opt_str(g->node_id, w->node_id, "node_id");
    expect_opt_str(g->name, w->name, "name");
    expect_opt_str(g->link, w->link, "link");
    expect_opt_str(g->text, w->text, "text");
    cr_expect_eq(g->bounce, w->bounce, "bounce %d vs %d", g->bounce, w->bounce);
    cr_expect_eq(g->has_value, w->has_value, "has_value %d vs %d", g->has_value,
                 w->has_value);
    if (w->has_value)
        cr_expect_eq(g->value, w->value, "value %g vs %g", g->value, w->value);
    expect_kvs(g->props, g->props_count, w->props, w->props_count);
}

/* Encode rec with enc, copy the frame exactly, decode it with dec into out. */
#define ROUND_TRIP(enc, dec, rec, out)                                                      \
    do {                                                                                    \
        const void *frame_;                                                                 \
        size_t len_;                                                                        \
        sy_err_t err_ = enc(codec, (rec), &frame_, &len_, errbuf, sizeof errbuf);           \
        expect_err(err_, SY_OK);                                                            \
        uint8_t *copy_ = exact_copy(frame_, len_);                                          \
        err_ = dec(codec, copy_, len_, (out), errbuf, sizeof errbuf);                       \
        free(copy_);                                                                        \
        expect_err(err_, SY_OK);                                                            \
    } while (0)

/* --- round trips ------------------------------------------------------------------------ */

Test(codec, event_round_trips_with_all_optional_fields_set) {
    sy_event_t in = event_full(), out;
    ROUND_TRIP(codec_encode_event, codec_decode_event, &in, &out);
    expect_event_eq(&out, &in);
}

Test(codec, event_round_trips_with_optional_fields_absent) {
    sy_event_t in = event_min(), out;
    ROUND_TRIP(codec_encode_event, codec_decode_event, &in, &out);
    expect_event_eq(&out, &in);
}

static void expect_profile_eq(const sy_profile_update_t *g, const sy_profile_update_t *w) {
    cr_expect_str_eq(g->contact_id, w->contact_id);
    cr_expect_eq(g->updated_at_ms, w->updated_at_ms);
    cr_assert_eq(g->set_count, w->set_count, "set: %zu vs %zu", g->set_count, w->set_count);
    for (size_t i = 0; i < w->set_count; i++) {
        const sy_value_t *gv = &g->set[i].value, *wv = &w->set[i].value;
        cr_expect_str_eq(g->set[i].name, w->set[i].name);
        cr_assert_eq(gv->kind, wv->kind, "%s kind %d vs %d", w->set[i].name, gv->kind,
                     wv->kind);
        if (wv->kind == SY_VALUE_BOOL)
            cr_expect_eq(gv->u.b, wv->u.b);
        if (wv->kind == SY_VALUE_LONG)
            cr_expect_eq(gv->u.l, wv->u.l, "%lld vs %lld", (long long)gv->u.l,
                         (long long)wv->u.l);
        if (wv->kind == SY_VALUE_DOUBLE)
            cr_expect_eq(gv->u.d, wv->u.d, "%g vs %g", gv->u.d, wv->u.d);
        if (wv->kind == SY_VALUE_STRING)
            cr_expect_str_eq(gv->u.s, wv->u.s);
    }
    cr_assert_eq(g->unset_count, w->unset_count, "unset: %zu vs %zu", g->unset_count,
                 w->unset_count);
    for (size_t i = 0; i < w->unset_count; i++)
        cr_expect_str_eq(g->unset[i], w->unset[i]);
}

Test(codec, profile_update_round_trips_every_value_kind) {
    static sy_profile_update_t in, out;
    init_profile_full(&in);
    ROUND_TRIP(codec_encode_profile_update, codec_decode_profile_update, &in, &out);
    expect_profile_eq(&out, &in);
}

Test(codec, profile_update_round_trips_empty) {
    static sy_profile_update_t in = {.contact_id = "c"}, out;
    ROUND_TRIP(codec_encode_profile_update, codec_decode_profile_update, &in, &out);
    expect_profile_eq(&out, &in);
}

static void expect_action_eq(const sy_action_t *g, const sy_action_t *w) {
    cr_expect_str_eq(g->action_id, w->action_id);
    cr_expect_str_eq(g->contact_id, w->contact_id);
    cr_expect_eq(g->channel, w->channel);
    cr_expect_str_eq(g->template_id, w->template_id);
    cr_expect_eq(g->not_before_ms, w->not_before_ms);
    cr_expect_str_eq(g->journey_id, w->journey_id);
    cr_expect_eq(g->journey_version, w->journey_version, "%d vs %d", g->journey_version,
                 w->journey_version);
    cr_expect_str_eq(g->node_id, w->node_id);
    cr_expect_eq(g->occurrence, w->occurrence, "%d vs %d", g->occurrence, w->occurrence);
    expect_opt_str(g->tracking_number, w->tracking_number, "tracking_number");
    expect_kvs(g->params, g->params_count, w->params, w->params_count);
}

Test(codec, action_round_trips_with_all_optional_fields_set) {
    sy_action_t in = action_full(), out;
    ROUND_TRIP(codec_encode_action, codec_decode_action, &in, &out);
    expect_action_eq(&out, &in);
}

Test(codec, action_round_trips_with_optional_fields_absent_and_extreme_numbers) {
    sy_action_t in = action_min(), out;
    ROUND_TRIP(codec_encode_action, codec_decode_action, &in, &out);
    expect_action_eq(&out, &in);
}

static void expect_decision_eq(const sy_decision_t *g, const sy_decision_t *w) {
    cr_expect_str_eq(g->contact_id, w->contact_id);
    cr_expect_str_eq(g->journey_id, w->journey_id);
    cr_expect_eq(g->journey_version, w->journey_version);
    expect_opt_str(g->from_node, w->from_node, "from_node");
    cr_expect_str_eq(g->to_node, w->to_node);
    expect_opt_str(g->path, w->path, "path");
    cr_expect_eq(g->cause, w->cause, "cause %d vs %d", g->cause, w->cause);
    expect_opt_str(g->cause_event_id, w->cause_event_id, "cause_event_id");
    cr_expect_eq(g->decided_at_ms, w->decided_at_ms);
}

Test(codec, decision_round_trips_with_all_optional_fields_set) {
    sy_decision_t in = decision_full(), out;
    ROUND_TRIP(codec_encode_decision, codec_decode_decision, &in, &out);
    expect_decision_eq(&out, &in);
}

Test(codec, decision_round_trips_with_optional_fields_absent) {
    sy_decision_t in = decision_min(), out;
    ROUND_TRIP(codec_encode_decision, codec_decode_decision, &in, &out);
    expect_decision_eq(&out, &in);
}

static void expect_contact_update_eq(const sy_contact_update_t *g,
                                     const sy_contact_update_t *w) {
    cr_expect_str_eq(g->contact_id, w->contact_id);
    cr_expect_str_eq(g->journey_id, w->journey_id);
    cr_expect_eq(g->journey_version, w->journey_version);
    cr_expect_str_eq(g->node_id, w->node_id);
    cr_expect_eq(g->op, w->op, "op %d vs %d", g->op, w->op);
    cr_expect_str_eq(g->name, w->name);
    expect_opt_str(g->value, w->value, "value");
    cr_expect_eq(g->at_ms, w->at_ms);
}

Test(codec, contact_update_round_trips_with_all_optional_fields_set) {
    sy_contact_update_t in = contact_update_full(), out;
    ROUND_TRIP(codec_encode_contact_update, codec_decode_contact_update, &in, &out);
    expect_contact_update_eq(&out, &in);
}

Test(codec, contact_update_round_trips_with_optional_fields_absent) {
    sy_contact_update_t in = contact_update_min(), out;
    ROUND_TRIP(codec_encode_contact_update, codec_decode_contact_update, &in, &out);
    expect_contact_update_eq(&out, &in);
}

static void expect_dead_letter_eq(const sy_dead_letter_t *g, const sy_dead_letter_t *w) {
    cr_expect_str_eq(g->source_topic, w->source_topic);
    cr_expect_eq(g->partition, w->partition);
    cr_expect_eq(g->offset, w->offset);
    cr_expect_str_eq(g->error_code, w->error_code);
    cr_expect_str_eq(g->error, w->error);
    cr_expect_eq(g->key == NULL, w->key == NULL, "key presence");
    cr_expect_eq(g->key_len, w->key_len, "key_len %zu vs %zu", g->key_len, w->key_len);
    if (w->key && g->key)
        cr_expect_arr_eq(g->key, w->key, w->key_len);
    cr_expect_eq(g->value == NULL, w->value == NULL, "value presence");
    cr_expect_eq(g->value_len, w->value_len, "value_len %zu vs %zu", g->value_len,
                 w->value_len);
    if (w->value && g->value)
        cr_expect_arr_eq(g->value, w->value, w->value_len);
    cr_expect_eq(g->failed_at_ms, w->failed_at_ms);
}

Test(codec, dead_letter_round_trips_with_key_and_value) {
    sy_dead_letter_t in = dead_letter_full(), out;
    ROUND_TRIP(codec_encode_dead_letter, codec_decode_dead_letter, &in, &out);
    expect_dead_letter_eq(&out, &in);
}

Test(codec, dead_letter_round_trips_without_key_and_value) {
    sy_dead_letter_t in = dead_letter_min(), out;
    ROUND_TRIP(codec_encode_dead_letter, codec_decode_dead_letter, &in, &out);
    expect_dead_letter_eq(&out, &in);
}

Test(codec, dead_letter_keeps_present_empty_value_apart_from_null) {
    sy_dead_letter_t in = dead_letter_min(), out;
    in.value = "";
    in.value_len = 0;
    ROUND_TRIP(codec_encode_dead_letter, codec_decode_dead_letter, &in, &out);
    cr_expect_not_null(out.value);
    cr_expect_eq(out.value_len, 0);
    cr_expect_null(out.key);
}

/* --- hand-made frames -------------------------------------------------------------------- */

typedef struct wire {
    uint8_t b[8192];
    size_t n;
} wire_t;

static void w_raw(wire_t *w, const void *p, size_t n) {
    cr_assert(w->n + n <= sizeof w->b);
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void w_byte(wire_t *w, uint8_t b) {
    w_raw(w, &b, 1);
}

static void w_header(wire_t *w, uint32_t id) {
    uint8_t h[5] = {0, (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8),
                    (uint8_t)id};
    w->n = 0;
    w_raw(w, h, sizeof h);
}

/* Avro long: zigzag varint. */
static void w_long(wire_t *w, int64_t v) {
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    while (z >= 0x80) {
        w_byte(w, (uint8_t)(z | 0x80));
        z >>= 7;
    }
    w_byte(w, (uint8_t)z);
}

static void w_str(wire_t *w, const char *s) {
    w_long(w, (int64_t)strlen(s));
    w_raw(w, s, strlen(s));
}

/* EngagementEvent up to and including type: e1, c1, time 0, channel, type (frame byte 13). */
static void w_event_head(wire_t *w, int64_t channel, int64_t type) {
    w_header(w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_str(w, "e1");
    w_str(w, "c1");
    w_long(w, 0);
    w_long(w, channel);
    w_long(w, type);
}

/* The eight optional fields after type, all null. */
static void w_event_nulls(wire_t *w) {
    for (int i = 0; i < 8; i++)
        w_long(w, 0);
}

static sy_err_t decode_event_wire(const wire_t *w, sy_event_t *out) {
    uint8_t *copy = exact_copy(w->b, w->n);
    sy_err_t err = codec_decode_event(codec, copy, w->n, out, errbuf, sizeof errbuf);
    free(copy);
    return err;
}

Test(codec, decode_accepts_a_hand_made_minimal_event) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_PUSH, SY_EVENT_DISMISSED);
    w_event_nulls(&w);
    w_long(&w, 0); /* props: no blocks */
    expect_err(decode_event_wire(&w, &e), SY_OK);
    cr_expect_str_eq(e.event_id, "e1");
    cr_expect_eq(e.type, SY_EVENT_DISMISSED);
}

/* --- frame errors ----------------------------------------------------------------------- */

Test(codec, decode_rejects_every_truncation_of_a_valid_frame) {
    sy_event_t in = event_full(), out;
    const void *frame;
    size_t len;
    expect_err(codec_encode_event(codec, &in, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    uint8_t *whole = exact_copy(frame, len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = exact_copy(whole, n);
        sy_err_t err = codec_decode_event(codec, cut, n, &out, errbuf, sizeof errbuf);
        free(cut);
        cr_assert_neq(err, SY_OK, "a frame cut to %zu of %zu bytes decoded", n, len);
        if (n < 5)
            cr_assert_eq(err, SY_ERR_TRUNCATED, "cut to %zu: got %s", n, sy_err_name(err));
    }
    free(whole);
}

Test(codec, decode_rejects_wrong_magic_byte) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_long(&w, 0);
    w.b[0] = 1;
    expect_err(decode_event_wire(&w, &e), SY_ERR_BAD_MAGIC);
    expect_msg("magic");
}

Test(codec, decode_rejects_unknown_schema_ids) {
    const uint32_t ids[] = {0, 7, 0x01000001u, 0xffffffffu};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        wire_t w;
        sy_event_t e;
        sy_schema_id_t id;
        w_header(&w, ids[i]);
        w_byte(&w, 0);
        expect_err(decode_event_wire(&w, &e), SY_ERR_UNKNOWN_SCHEMA);
        expect_msg("unknown schema id");
        expect_err(codec_frame_schema(w.b, w.n, &id, errbuf, sizeof errbuf),
                   SY_ERR_UNKNOWN_SCHEMA);
    }
}

Test(codec, decode_rejects_frame_of_another_schema) {
    sy_decision_t d = decision_full();
    sy_event_t e;
    const void *frame;
    size_t len;
    expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    expect_err(codec_decode_event(codec, frame, len, &e, errbuf, sizeof errbuf),
               SY_ERR_WRONG_SCHEMA);
    expect_msg("RoutingDecision");
    expect_msg("EngagementEvent");
}

Test(codec, frame_schema_reads_the_id_of_each_kind) {
    sy_contact_update_t u = contact_update_full();
    const void *frame;
    size_t len;
    sy_schema_id_t id = 0;
    expect_err(codec_encode_contact_update(codec, &u, &frame, &len, errbuf, sizeof errbuf),
               SY_OK);
    expect_err(codec_frame_schema(frame, len, &id, errbuf, sizeof errbuf), SY_OK);
    cr_expect_eq(id, SY_SCHEMA_CONTACT_UPDATE, "id %d", id);
    expect_err(codec_frame_schema(frame, 4, &id, errbuf, sizeof errbuf), SY_ERR_TRUNCATED);
}

/* --- Avro body errors ----------------------------------------------------------------- */

Test(codec, decode_rejects_enum_index_out_of_range) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, 42);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("enum EventType index 42 out of range (20 symbols) at byte 13");
    expect_msg("field 'type'");
}

Test(codec, decode_rejects_negative_enum_index) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, -1, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("enum Channel index -1 out of range (8 symbols) at byte 12");
}

Test(codec, decode_rejects_union_branch_out_of_range) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_long(&w, 2); /* message_id: ["null","string"] has branches 0 and 1 */
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("union branch 2 out of range (2 branches) at byte 14");
    expect_msg("message_id");
}

Test(codec, decode_rejects_negative_string_length) {
    wire_t w;
    sy_event_t e;
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_long(&w, -3);
    w_raw(&w, "abcdefgh", 8);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("negative string length -3 at byte 5");
}

Test(codec, decode_rejects_huge_string_length_without_allocating_it) {
    wire_t w;
    sy_event_t e;
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_long(&w, INT64_C(1) << 40);
    w_raw(&w, "abc", 3);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("string length 1099511627776 exceeds any frame");
}

Test(codec, decode_reports_string_longer_than_the_frame_as_truncated) {
    wire_t w;
    sy_event_t e;
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_long(&w, 100);
    w_raw(&w, "abc", 3);
    expect_err(decode_event_wire(&w, &e), SY_ERR_TRUNCATED);
    expect_msg("string of 100 bytes, 3 left");
}

Test(codec, decode_rejects_trailing_bytes) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_long(&w, 0);
    size_t end = w.n;
    w_raw(&w, "xy", 2);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    char want[64];
    snprintf(want, sizeof want, "2 trailing bytes after the record at byte %zu", end);
    expect_msg(want);
}

Test(codec, decode_rejects_boolean_byte_other_than_0_or_1) {
    wire_t w;
    sy_profile_update_t *p = malloc(sizeof *p);
    w_header(&w, SY_SCHEMA_PROFILE_UPDATE);
    w_str(&w, "c1");
    w_long(&w, 0);
    w_long(&w, 1);   /* set: one entry */
    w_str(&w, "vip");
    w_long(&w, 1);   /* branch boolean */
    w_byte(&w, 2);   /* frame byte 15 */
    w_long(&w, 0);   /* end of set */
    w_long(&w, 0);   /* unset: empty */
    uint8_t *copy = exact_copy(w.b, w.n);
    sy_err_t err = codec_decode_profile_update(codec, copy, w.n, p, errbuf, sizeof errbuf);
    free(copy);
    free(p);
    expect_err(err, SY_ERR_MALFORMED);
    expect_msg("boolean byte 2 is neither 0 nor 1 at byte 15");
}

Test(codec, decode_rejects_varint_longer_than_ten_bytes) {
    wire_t w;
    sy_event_t e;
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_str(&w, "e1");
    w_str(&w, "c1");
    for (int i = 0; i < 11; i++)
        w_byte(&w, 0x80);
    w_byte(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("long is longer than 10 bytes at byte 11");
}

Test(codec, decode_rejects_int_that_overflows_32_bits) {
    wire_t w;
    sy_decision_t d;
    w_header(&w, SY_SCHEMA_ROUTING_DECISION);
    w_str(&w, "c");
    w_str(&w, "j");
    w_long(&w, INT64_C(1) << 33); /* journey_version is an int */
    w_raw(&w, "\0\x02n\0\0\0\0", 7);
    uint8_t *copy = exact_copy(w.b, w.n);
    sy_err_t err = codec_decode_decision(codec, copy, w.n, &d, errbuf, sizeof errbuf);
    free(copy);
    expect_err(err, SY_ERR_MALFORMED);
    expect_msg("int overflows 32 bits");
}

Test(codec, decode_rejects_invalid_utf8_and_nul_in_strings) {
    const char *bad[] = {"a\xff", "a\0b", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82"};
    const size_t bad_len[] = {2, 3, 2, 3, 2};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wire_t w;
        sy_event_t e;
        w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
        w_long(&w, (int64_t)bad_len[i]);
        w_raw(&w, bad[i], bad_len[i]);
        w_str(&w, "c1");
        w_long(&w, 0);
        w_long(&w, 0);
        w_long(&w, 0);
        w_event_nulls(&w);
        w_long(&w, 0);
        expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
        expect_msg("invalid UTF-8");
    }
}

/* props as one block with a negative count and a byte size */
static void w_props_sized_block(wire_t *w, int64_t size_delta) {
    wire_t items = {.n = 0};
    w_str(&items, "k1");
    w_str(&items, "v1");
    w_str(&items, "k2");
    w_str(&items, "v2");
    w_long(w, -2);
    w_long(w, (int64_t)items.n + size_delta);
    w_raw(w, items.b, items.n);
    w_long(w, 0);
}

Test(codec, decode_accepts_map_block_with_negative_count_and_byte_size) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_props_sized_block(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_OK);
    cr_assert_eq(e.props_count, 2, "props %zu", e.props_count);
    cr_expect_str_eq(e.props[1].key, "k2");
    cr_expect_str_eq(e.props[1].value, "v2");
}

Test(codec, decode_rejects_block_byte_size_that_does_not_match_its_items) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_props_sized_block(&w, 1);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("does not match its items");
}

Test(codec, decode_rejects_negative_block_byte_size) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_long(&w, -1);
    w_long(&w, -5);
    w_str(&w, "k");
    w_str(&w, "v");
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("negative block byte size -5");
}

Test(codec, decode_rejects_map_that_repeats_a_key) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_long(&w, 2);
    w_str(&w, "k");
    w_str(&w, "v1");
    w_str(&w, "k");
    w_str(&w, "v2");
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_MALFORMED);
    expect_msg("repeats a key");
}

/* --- limits and domain rules ---------------------------------------------------------- */

Test(codec, decode_rejects_more_props_than_the_limit) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    w_event_nulls(&w);
    w_long(&w, SY_EVENT_PROPS_MAX + 1);
    for (int i = 0; i <= SY_EVENT_PROPS_MAX; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        w_str(&w, key);
        w_str(&w, "v");
    }
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_LIMIT);
    expect_msg("65 props exceed the limit of 64");
}

Test(codec, encode_rejects_more_props_than_the_limit) {
    sy_event_t e = event_full();
    const void *frame;
    size_t len;
    for (size_t i = 0; i < SY_EVENT_PROPS_MAX; i++)
        e.props[i] = (sy_kv_t){"k", "v"};
    e.props_count = SY_EVENT_PROPS_MAX + 1; /* the count alone must be refused */
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_LIMIT);
    expect_msg("props");
}

Test(codec, encode_rejects_repeated_map_key) {
    sy_action_t a = action_full();
    const void *frame;
    size_t len;
    a.params[1].key = a.params[0].key;
    expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("repeats a key");
}

Test(codec, decode_rejects_empty_event_id_and_contact_id) {
    wire_t w;
    sy_event_t e;
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_str(&w, "");
    w_str(&w, "c1");
    w_raw(&w, "\0\0\0", 3);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_INVALID_RECORD);
    expect_msg("event_id is empty");
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_str(&w, "e1");
    w_str(&w, "");
    w_raw(&w, "\0\0\0", 3);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_INVALID_RECORD);
    expect_msg("contact_id is empty");
}

Test(codec, decode_rejects_event_type_its_channel_does_not_report) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_ANSWERED);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_INVALID_RECORD);
    expect_msg("channel email does not report event type answered");
}

Test(codec, decode_rejects_custom_event_without_name) {
    wire_t w;
    sy_event_t e;
    w_event_head(&w, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_INVALID_RECORD);
    expect_msg("custom event needs a name");
}

Test(codec, decode_rejects_id_longer_than_the_limit) {
    char id[SY_ID_BYTES_MAX + 2];
    wire_t w;
    sy_event_t e;
    memset(id, 'x', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    w_header(&w, SY_SCHEMA_ENGAGEMENT_EVENT);
    w_str(&w, id);
    w_str(&w, "c1");
    w_raw(&w, "\0\0\0", 3);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(decode_event_wire(&w, &e), SY_ERR_LIMIT);
    expect_msg("SY_ID_BYTES_MAX");
}

Test(codec, encode_rejects_null_required_string) {
    sy_event_t e = event_full();
    sy_action_t a = action_full();
    sy_dead_letter_t d = dead_letter_full();
    const void *frame;
    size_t len;
    e.contact_id = NULL;
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("contact_id is missing");
    a.template_id = NULL;
    expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("template_id is missing");
    d.error = NULL;
    expect_err(codec_encode_dead_letter(codec, &d, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("error is missing");
}

Test(codec, encode_rejects_string_that_is_not_utf8) {
    sy_event_t e = event_full();
    const void *frame;
    size_t len;
    e.text = "bad \xff byte";
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("UTF-8");
}

Test(codec, encode_rejects_out_of_range_enum_and_bad_event_type) {
    sy_event_t e = event_full();
    sy_contact_update_t u = contact_update_min();
    const void *frame;
    size_t len;
    e.type = SY_EVENT_TYPE__COUNT;
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    e = event_full();
    e.channel = SY_CHANNEL_TASK;
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("channel task does not report event type bounced");
    u.name = "fax";
    expect_err(codec_encode_contact_update(codec, &u, &frame, &len, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    expect_msg("fax");
}

Test(codec, encode_rejects_frame_larger_than_the_limit) {
    sy_event_t e = event_full();
    const void *frame;
    size_t len;
    char *big = malloc(SY_FRAME_BYTES_MAX + 1);
    memset(big, 'a', SY_FRAME_BYTES_MAX);
    big[SY_FRAME_BYTES_MAX] = '\0';
    e.text = big;
    sy_err_t err = codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf);
    free(big);
    expect_err(err, SY_ERR_LIMIT);
    expect_msg("SY_FRAME_BYTES_MAX");
}

/* --- buffer reuse ----------------------------------------------------------------------- */

Test(codec, decoding_twice_gives_the_second_records_strings) {
    sy_event_t a = event_full(), b = event_min(), out;
    const void *frame;
    size_t len;
    b.event_id = "a-much-longer-event-id-than-before-0123456789";
    b.contact_id = "z";
    b.props_count = 1;
    b.props[0] = (sy_kv_t){"only", "one"};
    ROUND_TRIP(codec_encode_event, codec_decode_event, &a, &out);
    expect_event_eq(&out, &a);
    ROUND_TRIP(codec_encode_event, codec_decode_event, &b, &out);
    expect_event_eq(&out, &b);
    /* and back to the first, after the buffers grew and were reset */
    ROUND_TRIP(codec_encode_event, codec_decode_event, &a, &out);
    expect_event_eq(&out, &a);
    /* an encode of another kind leaves the decoded event alone */
    sy_decision_t d = decision_full();
    expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    expect_event_eq(&out, &a);
}

Test(codec, failed_decode_leaves_the_codec_usable) {
    sy_event_t in = event_full(), out;
    wire_t w;
    w_event_head(&w, SY_CHANNEL_EMAIL, 99);
    expect_err(decode_event_wire(&w, &out), SY_ERR_MALFORMED);
    ROUND_TRIP(codec_encode_event, codec_decode_event, &in, &out);
    expect_event_eq(&out, &in);
}

/* --- JSON -------------------------------------------------------------------------------- */

static char *json_of_frame(const void *frame, size_t len) {
    char *json = NULL;
    sy_err_t err = codec_to_json(codec, frame, len, &json, errbuf, sizeof errbuf);
    expect_err(err, SY_OK);
    return json;
}

Test(codec, to_json_renders_event_with_iso_time_and_lower_case_enums) {
    sy_event_t e = event_full();
    const void *frame;
    size_t len;
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    char *json = json_of_frame(frame, len);
    cr_expect_str_eq(json,
        "{\"schema\":\"EngagementEvent\",\"event_id\":\"evt-1\",\"contact_id\":\"contact-42\","
        "\"occurred_at\":\"2026-11-01T09:00:00.000Z\",\"channel\":\"email\","
        "\"type\":\"bounced\",\"message_id\":\"act-9\",\"journey_id\":\"coffee\","
        "\"node_id\":\"promo\",\"name\":\"mail_bounce\","
        "\"link\":\"https://example.com/o?x=1\",\"text\":\"caf\xc3\xa9 \\\"quoted\\\"\","
        "\"bounce\":\"hard\",\"value\":12.5,"
        "\"props\":{\"provider\":\"sendgrid\",\"reason\":\"mailbox full\"}}");
    free(json);
}

Test(codec, to_json_renders_absent_fields_as_null) {
    sy_event_t e = event_min();
    const void *frame;
    size_t len;
    expect_err(codec_encode_event(codec, &e, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    char *json = json_of_frame(frame, len);
    cr_expect_str_eq(json,
        "{\"schema\":\"EngagementEvent\",\"event_id\":\"e1\",\"contact_id\":\"c1\","
        "\"occurred_at\":\"1970-01-01T00:00:00.000Z\",\"channel\":\"sms\",\"type\":\"sent\","
        "\"message_id\":null,\"journey_id\":null,\"node_id\":null,\"name\":null,"
        "\"link\":null,\"text\":null,\"bounce\":null,\"value\":null,\"props\":{}}");
    free(json);
}

Test(codec, to_json_renders_profile_values_and_dead_letter_bytes_as_base64) {
    static sy_profile_update_t p;
    sy_dead_letter_t d = dead_letter_full();
    const void *frame;
    size_t len;
    init_profile_full(&p);
    expect_err(codec_encode_profile_update(codec, &p, &frame, &len, errbuf, sizeof errbuf),
               SY_OK);
    char *json = json_of_frame(frame, len);
    cr_expect_str_eq(json,
        "{\"schema\":\"ProfileUpdate\",\"contact_id\":\"contact-42\","
        "\"updated_at\":\"2026-11-01T09:00:00.000Z\",\"set\":{\"nickname\":null,"
        "\"vip\":true,\"visits\":-7,\"ltv\":1234.25,\"tier\":\"gold\"},"
        "\"unset\":[\"old_tier\",\"temp\"]}");
    free(json);
    expect_err(codec_encode_dead_letter(codec, &d, &frame, &len, errbuf, sizeof errbuf),
               SY_OK);
    json = json_of_frame(frame, len);
    cr_expect_str_eq(json,
        "{\"schema\":\"DeadLetter\",\"source_topic\":\"events\",\"partition\":7,"
        "\"offset\":123456789012,\"error_code\":\"malformed\","
        "\"error\":\"enum out of range\",\"key\":\"YzE=\",\"value\":\"AP8Qfw==\","
        "\"failed_at\":\"2026-11-01T09:00:00.000Z\"}");
    free(json);
}

Test(codec, to_json_renders_action_decision_and_contact_update) {
    sy_action_t a = action_full();
    sy_decision_t d = decision_min();
    sy_contact_update_t u = contact_update_full();
    const void *frame;
    size_t len;
    expect_err(codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    char *json = json_of_frame(frame, len);
    cr_expect(strstr(json, "\"channel\":\"voice\",\"template_id\":\"reactivate\"") != NULL,
              "%s", json);
    free(json);
    expect_err(codec_encode_decision(codec, &d, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    json = json_of_frame(frame, len);
    /* INT64_MAX ms is past year 9999: rendered as the number */
    cr_expect(strstr(json, "\"cause\":\"timer\",\"cause_event_id\":null,"
                           "\"decided_at\":9223372036854775807}") != NULL, "%s", json);
    free(json);
    expect_err(codec_encode_contact_update(codec, &u, &frame, &len, errbuf, sizeof errbuf),
               SY_OK);
    json = json_of_frame(frame, len);
    cr_expect(strstr(json, "{\"schema\":\"ContactUpdate\",") == json, "%s", json);
    cr_expect(strstr(json, "\"op\":\"set_attribute\"") != NULL, "%s", json);
    free(json);
}

Test(codec, to_json_refuses_what_the_decoders_refuse) {
    wire_t w;
    char *json = NULL;
    w_event_head(&w, SY_CHANNEL_EMAIL, SY_EVENT_ANSWERED);
    w_event_nulls(&w);
    w_long(&w, 0);
    expect_err(codec_to_json(codec, w.b, w.n, &json, errbuf, sizeof errbuf),
               SY_ERR_INVALID_RECORD);
    w.b[0] = 9;
    expect_err(codec_to_json(codec, w.b, w.n, &json, errbuf, sizeof errbuf),
               SY_ERR_BAD_MAGIC);
    expect_err(codec_to_json(codec, w.b, 3, &json, errbuf, sizeof errbuf), SY_ERR_TRUNCATED);
    cr_expect_null(json);
}

Test(codec, to_json_leaves_a_decoded_record_alone) {
    sy_event_t in = event_full(), out;
    sy_event_t other = event_min();
    const void *frame;
    size_t len;
    ROUND_TRIP(codec_encode_event, codec_decode_event, &in, &out);
    expect_err(codec_encode_event(codec, &other, &frame, &len, errbuf, sizeof errbuf), SY_OK);
    free(json_of_frame(frame, len));
    expect_event_eq(&out, &in);
}

/* --- mutation run ----------------------------------------------------------------------- */

#define MUTATION_RUNS 200000
#define MUTATION_SEED UINT64_C(0x5157c4ba4dc0dec5)

static uint64_t rng_next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* One valid frame of each kind, copied out of the codec's buffer. */
typedef struct sample {
    uint8_t *frame;
    size_t len;
} sample_t;

static sample_t sample_of(const void *frame, size_t len) {
    sample_t s = {exact_copy(frame, len), len};
    return s;
}

static void samples_make(sample_t samples[6]) {
    static sy_profile_update_t p;
    sy_event_t e = event_full();
    sy_action_t a = action_full();
    sy_decision_t d = decision_full();
    sy_contact_update_t u = contact_update_full();
    sy_dead_letter_t dl = dead_letter_full();
    const void *f;
    size_t n;
    init_profile_full(&p);
    expect_err(codec_encode_event(codec, &e, &f, &n, errbuf, sizeof errbuf), SY_OK);
    samples[0] = sample_of(f, n);
    expect_err(codec_encode_profile_update(codec, &p, &f, &n, errbuf, sizeof errbuf), SY_OK);
    samples[1] = sample_of(f, n);
    expect_err(codec_encode_action(codec, &a, &f, &n, errbuf, sizeof errbuf), SY_OK);
    samples[2] = sample_of(f, n);
    expect_err(codec_encode_decision(codec, &d, &f, &n, errbuf, sizeof errbuf), SY_OK);
    samples[3] = sample_of(f, n);
    expect_err(codec_encode_contact_update(codec, &u, &f, &n, errbuf, sizeof errbuf), SY_OK);
    samples[4] = sample_of(f, n);
    expect_err(codec_encode_dead_letter(codec, &dl, &f, &n, errbuf, sizeof errbuf), SY_OK);
    samples[5] = sample_of(f, n);
}

/* Apply one random edit to buf[0..*len) (capacity cap). */
static void mutate(uint8_t *buf, size_t *len, size_t cap, uint64_t *rng) {
    static const uint8_t interesting[] = {0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xfe, 0xff};
    uint64_t r = rng_next(rng);
    size_t at = *len ? (size_t)(r >> 16) % *len : 0;
    switch (r % 6) {
    case 0: if (*len) buf[at] ^= (uint8_t)(1u << (r >> 8 & 7)); break;
    case 1: if (*len) buf[at] = (uint8_t)(r >> 40); break;
    case 2: if (*len) buf[at] = interesting[(r >> 8) % sizeof interesting]; break;
    case 3: *len = *len ? (size_t)(r >> 24) % *len : 0; break; /* truncate */
    case 4: /* insert a byte */
        if (*len < cap) {
            memmove(buf + at + 1, buf + at, *len - at);
            buf[at] = (uint8_t)(r >> 32);
            (*len)++;
        }
        break;
    default: /* delete a byte */
        if (*len) {
            memmove(buf + at, buf + at + 1, *len - at - 1);
            (*len)--;
        }
        break;
    }
}

static sy_err_t decode_kind(int kind, const uint8_t *buf, size_t len) {
    static sy_profile_update_t p;
    sy_event_t e;
    sy_action_t a;
    sy_decision_t d;
    sy_contact_update_t u;
    sy_dead_letter_t dl;
    switch (kind) {
    case 0: return codec_decode_event(codec, buf, len, &e, errbuf, sizeof errbuf);
    case 1: return codec_decode_profile_update(codec, buf, len, &p, errbuf, sizeof errbuf);
    case 2: return codec_decode_action(codec, buf, len, &a, errbuf, sizeof errbuf);
    case 3: return codec_decode_decision(codec, buf, len, &d, errbuf, sizeof errbuf);
    case 4: return codec_decode_contact_update(codec, buf, len, &u, errbuf, sizeof errbuf);
    default: return codec_decode_dead_letter(codec, buf, len, &dl, errbuf, sizeof errbuf);
    }
}

static bool err_is_decode_result(sy_err_t err) {
    return err == SY_OK || sy_err_is_input_fault(err) || err == SY_ERR_LIMIT;
}

Test(codec, decode_survives_200000_seeded_mutations_of_valid_frames, .timeout = 600) {
    sample_t samples[6];
    uint8_t work[4096];
    uint64_t rng = MUTATION_SEED;
    size_t counts[SY_ERR__COUNT] = {0};
    samples_make(samples);
    for (int i = 0; i < MUTATION_RUNS; i++) {
        int kind = i % 6;
        size_t len = samples[kind].len;
        int edits = 1 + (int)(rng_next(&rng) % 4);
        cr_assert(len <= sizeof work);
        memcpy(work, samples[kind].frame, len);
        for (int k = 0; k < edits; k++)
            mutate(work, &len, sizeof work, &rng);
        uint8_t *copy = exact_copy(work, len);
        sy_err_t err = decode_kind(kind, copy, len);
        cr_assert(err_is_decode_result(err), "run %d: unexpected %s", i, sy_err_name(err));
        counts[err]++;
        if (i % 8 == 0) {
            char *json = NULL;
            sy_err_t jerr = codec_to_json(codec, copy, len, &json, errbuf, sizeof errbuf);
            cr_assert(err_is_decode_result(jerr), "run %d: to_json %s", i,
                      sy_err_name(jerr));
            cr_assert_eq(jerr == SY_OK, json != NULL, "run %d: json only on success", i);
            free(json);
        }
        free(copy);
    }
    for (int k = 0; k < 6; k++)
        free(samples[k].frame);
    cr_expect_gt(counts[SY_OK], 0, "no mutation decoded");
    cr_expect_gt(counts[SY_ERR_MALFORMED], 0, "no mutation was malformed");
    cr_expect_gt(counts[SY_ERR_TRUNCATED], 0, "no mutation was truncated");
}

/* --- name tables -------------------------------------------------------------------------- */

Test(records, names_are_lower_case_and_parse_back) {
    for (int c = 0; c < SY_CHANNEL__COUNT; c++)
        cr_expect_eq(sy_channel_parse(sy_channel_name((sy_channel_t)c)), c, "channel %d", c);
    for (int t = 0; t < SY_EVENT_TYPE__COUNT; t++)
        cr_expect_eq(sy_event_type_parse(sy_event_type_name((sy_event_type_t)t)), t,
                     "type %d", t);
    cr_expect_str_eq(sy_channel_name(SY_CHANNEL_IN_APP), "in_app");
    cr_expect_str_eq(sy_event_type_name(SY_EVENT_NOT_ATTEMPTED), "not_attempted");
    cr_expect_str_eq(sy_event_type_name(SY_EVENT_SPAM_REPORT), "spam_report");
    cr_expect_str_eq(sy_cause_name(SY_CAUSE_TIMER), "timer");
    cr_expect_str_eq(sy_update_op_name(SY_UPDATE_REMOVE_FROM_LIST), "remove_from_list");
    cr_expect_null(sy_channel_name(SY_CHANNEL__COUNT));
    cr_expect_null(sy_event_type_name((sy_event_type_t)-1));
    cr_expect_eq(sy_channel_parse("EMAIL"), -1);
    cr_expect_eq(sy_event_type_parse(NULL), -1);
}

Test(records, each_channel_allows_exactly_its_event_types) {
    static const char *const allowed[SY_CHANNEL__COUNT] = {
        [SY_CHANNEL_EMAIL] = " sent delivered opened clicked bounced blocked unsubscribed"
                             " spam_report ",
        [SY_CHANNEL_SMS] = " sent delivered failed replied clicked opted_out ",
        [SY_CHANNEL_PUSH] = " sent delivered opened clicked dismissed failed ",
        [SY_CHANNEL_VOICE] = " attempted not_attempted answered not_answered blocked"
                             " voicemail ",
        [SY_CHANNEL_CALL] = " inbound ",
        [SY_CHANNEL_IN_APP] = " shown clicked ",
        [SY_CHANNEL_CUSTOM] = " custom ",
        [SY_CHANNEL_TASK] = " ",
    };
    for (int c = 0; c < SY_CHANNEL__COUNT; c++)
        for (int t = 0; t < SY_EVENT_TYPE__COUNT; t++) {
            char word[32];
            snprintf(word, sizeof word, " %s ", sy_event_type_name((sy_event_type_t)t));
            bool want = strstr(allowed[c], word) != NULL;
            cr_expect_eq(sy_event_type_allowed((sy_channel_t)c, (sy_event_type_t)t), want,
                         "%s %s: want %d", sy_channel_name((sy_channel_t)c), word, want);
        }
    cr_expect_not(sy_event_type_allowed(SY_CHANNEL__COUNT, SY_EVENT_SENT));
}

/* --- the hand-written codec against avro-c ----------------------------------------------- */
/* Seeded random records of every kind: the codec's bytes must read back in avro-c's
 * generic reader (avro_value_read on the .avsc) as the same values, and decode to the
 * record encoded. So the library the codec replaced still vouches for its bytes. */

#include <avro.h>

#define AVRO_RUNS_PER_KIND 5000
#define AVRO_SEED UINT64_C(0x2545f4914f6cdd1d)
/* Strings of one record live here; a record needs far less. */
#define AVRO_ARENA_BYTES (64 * 1024)

typedef struct gen {
    uint64_t rng;
    char arena[AVRO_ARENA_BYTES];
    size_t used;
} gen_t;

static uint64_t gen_u(gen_t *g, uint64_t n) {
    return rng_next(&g->rng) % n;
}

/* Any 64-bit value, often a small or extreme one (varint lengths 1 to 10). */
static int64_t gen_long(gen_t *g) {
    static const int64_t edges[] = {0, -1, 1, 63, -64, 64, INT64_MAX, INT64_MIN, T0_MS};
    uint64_t r = rng_next(&g->rng);
    if (gen_u(g, 4) == 0)
        return edges[gen_u(g, sizeof edges / sizeof edges[0])];
    return (int64_t)(r >> gen_u(g, 64));
}

/* An event or update time within the instant bounds the codec's rules allow. */
static int64_t gen_time(gen_t *g) {
    static const int64_t edges[] = {0, -1, SY_TIME_MIN_MS, SY_TIME_MAX_MS, T0_MS};
    if (gen_u(g, 4) == 0)
        return edges[gen_u(g, sizeof edges / sizeof edges[0])];
    return SY_TIME_MIN_MS + (int64_t)gen_u(g, (uint64_t)(SY_TIME_MAX_MS - SY_TIME_MIN_MS));
}

static int32_t gen_int(gen_t *g) {
    return (int32_t)(uint32_t)gen_long(g);
}

/* A UTF-8 string of 0..max-1 characters (ASCII, 2-, 3- and 4-byte), with prefix. */
static const char *gen_str(gen_t *g, const char *prefix, size_t max) {
    static const char *pieces[] = {"a", "Z", "0", "-", " ", "\"", "\xc3\xa9", "\xe2\x82\xac",
                                   "\xf0\x9f\x98\x80"};
    char *s = g->arena + g->used;
    size_t n = (size_t)snprintf(s, 32, "%s", prefix), count = (size_t)gen_u(g, max);
    for (size_t i = 0; i < count; i++)
        n += (size_t)sprintf(s + n, "%s", pieces[gen_u(g, sizeof pieces / sizeof *pieces)]);
    g->used += n + 1;
    cr_assert(g->used < AVRO_ARENA_BYTES / 2, "arena: %zu bytes", g->used);
    return s;
}

static const char *gen_id(gen_t *g) {
    return gen_str(g, "i", 30); /* 4-byte characters at most: under SY_ID_BYTES_MAX */
}

static const char *gen_opt(gen_t *g, const char *s) {
    return gen_u(g, 3) == 0 ? NULL : s;
}

static size_t gen_kvs(gen_t *g, sy_kv_t *kvs, size_t max) {
    size_t n = gen_u(g, 4) == 0 ? (size_t)gen_u(g, max + 1) : (size_t)gen_u(g, 4);
    for (size_t i = 0; i < n; i++) {
        char prefix[24];
        snprintf(prefix, sizeof prefix, "k%zu/", i); /* keys differ: no piece is a / */
        kvs[i].key = gen_str(g, prefix, 6);
        kvs[i].value = gen_str(g, "", 12);
    }
    return n;
}

static void gen_event(gen_t *g, sy_event_t *e) {
    memset(e, 0, sizeof *e);
    e->event_id = gen_id(g);
    e->contact_id = gen_id(g);
    e->occurred_at_ms = gen_time(g);
    do {
        e->channel = (sy_channel_t)gen_u(g, SY_CHANNEL__COUNT);
        e->type = (sy_event_type_t)gen_u(g, SY_EVENT_TYPE__COUNT);
    } while (!sy_event_type_allowed(e->channel, e->type));
    e->message_id = gen_opt(g, gen_id(g));
    e->journey_id = gen_opt(g, gen_id(g));
    e->node_id = gen_opt(g, gen_id(g));
    e->name = e->type == SY_EVENT_CUSTOM ? gen_id(g) : gen_opt(g, gen_str(g, "", 20));
    e->link = gen_opt(g, gen_str(g, "https://", 40));
    e->text = gen_opt(g, gen_str(g, "", 200));
    e->bounce = (sy_bounce_t)((int)gen_u(g, 3) - 1);
    e->has_value = gen_u(g, 2) == 0;
    e->value = e->has_value ? (double)gen_long(g) / 1024.0 : 0;
    e->props_count = gen_kvs(g, e->props, SY_EVENT_PROPS_MAX);
}

static void gen_profile_update(gen_t *g, sy_profile_update_t *p) {
    memset(p, 0, sizeof *p);
    p->contact_id = gen_id(g);
    p->updated_at_ms = gen_time(g);
    p->set_count = gen_u(g, 8) == 0 ? (size_t)gen_u(g, 200) : (size_t)gen_u(g, 6);
    for (size_t i = 0; i < p->set_count; i++) {
        char prefix[24];
        sy_value_t *v = &p->set[i].value;
        snprintf(prefix, sizeof prefix, "a%zu/", i);
        p->set[i].name = gen_str(g, prefix, 6);
        v->kind = (sy_value_kind_t)gen_u(g, SY_VALUE_STRING + 1);
        switch (v->kind) {
        case SY_VALUE_BOOL: v->u.b = gen_u(g, 2) == 0; break;
        case SY_VALUE_LONG: v->u.l = gen_long(g); break;
        case SY_VALUE_DOUBLE: v->u.d = (double)gen_long(g) / 3.0; break;
        case SY_VALUE_STRING: v->u.s = gen_str(g, "", 20); break;
        default: break;
        }
    }
    p->unset_count = (size_t)gen_u(g, 5);
    for (size_t i = 0; i < p->unset_count; i++)
        p->unset[i] = gen_str(g, "u", 8); /* repeats allowed: it is an array */
}

static void gen_action(gen_t *g, sy_action_t *a) {
    memset(a, 0, sizeof *a);
    a->action_id = gen_id(g);
    a->contact_id = gen_id(g);
    a->channel = (sy_channel_t)gen_u(g, SY_CHANNEL__COUNT);
    a->template_id = gen_str(g, "", 20);
    a->not_before_ms = gen_long(g);
    a->journey_id = gen_id(g);
    a->journey_version = gen_int(g);
    a->node_id = gen_id(g);
    a->occurrence = gen_int(g);
    a->tracking_number = gen_opt(g, gen_str(g, "+1", 10));
    a->params_count = gen_kvs(g, a->params, SY_ACTION_PARAMS_MAX);
}

static void gen_decision(gen_t *g, sy_decision_t *d) {
    d->contact_id = gen_id(g);
    d->journey_id = gen_id(g);
    d->journey_version = gen_int(g);
    d->from_node = gen_opt(g, gen_id(g));
    d->to_node = gen_id(g);
    d->path = gen_opt(g, gen_str(g, "", 10));
    d->cause = (sy_cause_t)gen_u(g, SY_CAUSE__COUNT);
    d->cause_event_id = gen_opt(g, gen_id(g));
    d->decided_at_ms = gen_long(g);
}

static void gen_contact_update(gen_t *g, sy_contact_update_t *u) {
    u->contact_id = gen_id(g);
    u->journey_id = gen_id(g);
    u->journey_version = gen_int(g);
    u->node_id = gen_id(g);
    u->op = (sy_update_op_t)gen_u(g, SY_UPDATE_OP__COUNT);
    u->name = u->op == SY_UPDATE_OPT_OUT
                  ? sy_channel_name((sy_channel_t)gen_u(g, SY_CHANNEL__COUNT))
                  : gen_str(g, "n", 10);
    u->value = gen_opt(g, gen_str(g, "", 20));
    u->at_ms = gen_long(g);
}

/* Raw bytes, any of 256 values, or NULL; a present value may be empty. */
static const void *gen_bytes(gen_t *g, size_t *len) {
    uint8_t *b = (uint8_t *)g->arena + g->used;
    *len = 0;
    if (gen_u(g, 3) == 0)
        return NULL;
    *len = (size_t)gen_u(g, 40);
    for (size_t i = 0; i < *len; i++)
        b[i] = (uint8_t)gen_u(g, 256);
    g->used += *len + 1;
    return b;
}

static void gen_dead_letter(gen_t *g, sy_dead_letter_t *d) {
    d->source_topic = gen_str(g, "", 20);
    d->partition = gen_int(g);
    d->offset = gen_long(g);
    d->error_code = gen_str(g, "", 12);
    d->error = gen_str(g, "", 80);
    d->key = gen_bytes(g, &d->key_len);
    d->value = gen_bytes(g, &d->value_len);
    d->failed_at_ms = gen_long(g);
}

/* avro-c's view of one schema: the .avsc parsed, a generic value, a reader. */
typedef struct av {
    avro_schema_t schema;
    avro_value_iface_t *iface;
    avro_value_t value;
    avro_reader_t reader;
    char rewrite[SY_FRAME_BYTES_MAX];
} av_t;

static av_t *av_open(const char *avsc) {
    char path[512], text[8192];
    av_t *av = calloc(1, sizeof *av);
    snprintf(path, sizeof path, "%s/schemas/%s", SY_SOURCE_ROOT, avsc);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "open %s", path);
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    cr_assert(av != NULL && n < sizeof text, "%s: %zu bytes", path, n);
    cr_assert_eq(avro_schema_from_json_length(text, n, &av->schema), 0, "%s: %s", avsc,
                 avro_strerror());
    av->iface = avro_generic_class_from_schema(av->schema);
    cr_assert_eq(avro_generic_value_new(av->iface, &av->value), 0);
    av->reader = avro_reader_memory("", 0);
    return av;
}

static void av_close(av_t *av) {
    avro_reader_free(av->reader);
    avro_value_decref(&av->value);
    avro_value_iface_decref(av->iface);
    avro_schema_decref(av->schema);
    free(av);
}

/* Read the frame's body with avro-c, and check avro-c writes back exactly those bytes. */
static avro_value_t *av_read(av_t *av, const void *frame, size_t len) {
    const char *body = (const char *)frame + 5;
    size_t body_len = len - 5, size = 0;
    avro_writer_t w = avro_writer_memory(av->rewrite, sizeof av->rewrite);
    avro_value_reset(&av->value);
    avro_reader_memory_set_source(av->reader, body, (int64_t)body_len);
    cr_assert_eq(avro_value_read(av->reader, &av->value), 0, "avro-c read: %s",
                 avro_strerror());
    cr_assert_eq(avro_value_sizeof(&av->value, &size), 0);
    cr_assert_eq(size, body_len, "avro-c sizes the value at %zu bytes, codec wrote %zu",
                 size, body_len);
    cr_assert_eq(avro_value_write(w, &av->value), 0, "avro-c write: %s", avro_strerror());
    avro_writer_free(w);
    cr_assert(memcmp(av->rewrite, body, body_len) == 0, "avro-c writes other bytes");
    return &av->value;
}

static avro_value_t av_field(avro_value_t *rec, const char *name) {
    avro_value_t f;
    cr_assert_eq(avro_value_get_by_name(rec, name, &f, NULL), 0, "field %s", name);
    return f;
}

/* The value of a ["null", T] union, or false when it is null. Non-unions pass through. */
static bool av_present(avro_value_t *f) {
    avro_value_t branch;
    int disc = 0;
    if (avro_value_get_type(f) != AVRO_UNION)
        return true;
    avro_value_get_discriminant(f, &disc);
    if (disc == 0)
        return false;
    avro_value_get_current_branch(f, &branch);
    *f = branch;
    return true;
}

static void av_expect_str(avro_value_t *rec, const char *name, const char *want) {
    avro_value_t f = av_field(rec, name);
    const char *s = NULL;
    size_t size;
    if (av_present(&f))
        avro_value_get_string(&f, &s, &size);
    expect_opt_str(s, want, name);
}

static void av_expect_long(avro_value_t *rec, const char *name, int64_t want) {
    avro_value_t f = av_field(rec, name);
    int64_t v = 0;
    int32_t i = 0;
    if (avro_value_get_type(&f) == AVRO_INT32) {
        avro_value_get_int(&f, &i);
        v = i;
    } else {
        avro_value_get_long(&f, &v);
    }
    cr_expect_eq(v, want, "%s: avro-c %lld, codec %lld", name, (long long)v,
                 (long long)want);
}

static void av_expect_enum(avro_value_t *rec, const char *name, int want) {
    avro_value_t f = av_field(rec, name);
    int v = -1;
    if (av_present(&f))
        avro_value_get_enum(&f, &v);
    cr_expect_eq(v, want, "%s: avro-c %d, codec %d", name, v, want);
}

static void av_expect_kvs(avro_value_t *rec, const char *name, const sy_kv_t *kvs,
                          size_t count) {
    avro_value_t map = av_field(rec, name), elem;
    size_t n = 0, size;
    avro_value_get_size(&map, &n);
    cr_assert_eq(n, count, "%s: avro-c %zu entries, codec %zu", name, n, count);
    for (size_t i = 0; i < n; i++) {
        const char *key, *value;
        avro_value_get_by_index(&map, i, &elem, &key);
        avro_value_get_string(&elem, &value, &size);
        cr_expect_str_eq(key, kvs[i].key, "%s key %zu", name, i);
        cr_expect_str_eq(value, kvs[i].value, "%s value %zu", name, i);
    }
}

static void av_expect_bytes(avro_value_t *rec, const char *name, const void *want,
                            size_t want_len) {
    avro_value_t f = av_field(rec, name);
    const void *b = NULL;
    size_t size = 0;
    if (!av_present(&f)) {
        cr_expect_null(want, "%s: avro-c null, codec present", name);
        return;
    }
    avro_value_get_bytes(&f, &b, &size);
    cr_assert_not_null(want, "%s: avro-c present, codec null", name);
    cr_assert_eq(size, want_len, "%s: avro-c %zu bytes, codec %zu", name, size, want_len);
    cr_expect(size == 0 || memcmp(b, want, size) == 0, "%s: bytes differ", name);
}

static void av_expect_event(avro_value_t *v, const sy_event_t *e) {
    avro_value_t f = av_field(v, "value");
    double d = 0;
    av_expect_str(v, "event_id", e->event_id);
    av_expect_str(v, "contact_id", e->contact_id);
    av_expect_long(v, "occurred_at", e->occurred_at_ms);
    av_expect_enum(v, "channel", (int)e->channel);
    av_expect_enum(v, "type", (int)e->type);
    av_expect_str(v, "message_id", e->message_id);
    av_expect_str(v, "journey_id", e->journey_id);
    av_expect_str(v, "node_id", e->node_id);
    av_expect_str(v, "name", e->name);
    av_expect_str(v, "link", e->link);
    av_expect_str(v, "text", e->text);
    av_expect_enum(v, "bounce", (int)e->bounce);
    cr_expect_eq(av_present(&f), e->has_value, "value present: codec %d", e->has_value);
    if (e->has_value) {
        avro_value_get_double(&f, &d);
        cr_expect_eq(d, e->value, "value: avro-c %g, codec %g", d, e->value);
    }
    av_expect_kvs(v, "props", e->props, e->props_count);
}

static void av_expect_attr(avro_value_t *u, const sy_attr_t *a) {
    avro_value_t b;
    int disc = -1, flag = 0;
    int64_t l = 0;
    double d = 0;
    const char *s = NULL;
    size_t size;
    avro_value_get_discriminant(u, &disc);
    cr_assert_eq(disc, (int)a->value.kind, "%s kind: avro-c %d, codec %d", a->name, disc,
                 (int)a->value.kind);
    avro_value_get_current_branch(u, &b);
    switch (a->value.kind) {
    case SY_VALUE_BOOL:
        avro_value_get_boolean(&b, &flag);
        cr_expect_eq(flag != 0, a->value.u.b, "%s", a->name);
        break;
    case SY_VALUE_LONG:
        avro_value_get_long(&b, &l);
        cr_expect_eq(l, a->value.u.l, "%s: %lld vs %lld", a->name, (long long)l,
                     (long long)a->value.u.l);
        break;
    case SY_VALUE_DOUBLE:
        avro_value_get_double(&b, &d);
        cr_expect_eq(d, a->value.u.d, "%s: %g vs %g", a->name, d, a->value.u.d);
        break;
    case SY_VALUE_STRING:
        avro_value_get_string(&b, &s, &size);
        cr_expect_str_eq(s, a->value.u.s, "%s", a->name);
        break;
    default: break;
    }
}

static void av_expect_profile_update(avro_value_t *v, const sy_profile_update_t *p) {
    avro_value_t set = av_field(v, "set"), unset = av_field(v, "unset"), elem;
    size_t n = 0, size;
    av_expect_str(v, "contact_id", p->contact_id);
    av_expect_long(v, "updated_at", p->updated_at_ms);
    avro_value_get_size(&set, &n);
    cr_assert_eq(n, p->set_count, "set: avro-c %zu, codec %zu", n, p->set_count);
    for (size_t i = 0; i < n; i++) {
        const char *key;
        avro_value_get_by_index(&set, i, &elem, &key);
        cr_expect_str_eq(key, p->set[i].name, "set key %zu", i);
        av_expect_attr(&elem, &p->set[i]);
    }
    avro_value_get_size(&unset, &n);
    cr_assert_eq(n, p->unset_count, "unset: avro-c %zu, codec %zu", n, p->unset_count);
    for (size_t i = 0; i < n; i++) {
        const char *s;
        avro_value_get_by_index(&unset, i, &elem, NULL);
        avro_value_get_string(&elem, &s, &size);
        cr_expect_str_eq(s, p->unset[i], "unset %zu", i);
    }
}

static void av_expect_action(avro_value_t *v, const sy_action_t *a) {
    av_expect_str(v, "action_id", a->action_id);
    av_expect_str(v, "contact_id", a->contact_id);
    av_expect_enum(v, "channel", (int)a->channel);
    av_expect_str(v, "template_id", a->template_id);
    av_expect_long(v, "not_before", a->not_before_ms);
    av_expect_str(v, "journey_id", a->journey_id);
    av_expect_long(v, "journey_version", a->journey_version);
    av_expect_str(v, "node_id", a->node_id);
    av_expect_long(v, "occurrence", a->occurrence);
    av_expect_str(v, "tracking_number", a->tracking_number);
    av_expect_kvs(v, "params", a->params, a->params_count);
}

static void av_expect_decision(avro_value_t *v, const sy_decision_t *d) {
    av_expect_str(v, "contact_id", d->contact_id);
    av_expect_str(v, "journey_id", d->journey_id);
    av_expect_long(v, "journey_version", d->journey_version);
    av_expect_str(v, "from_node", d->from_node);
    av_expect_str(v, "to_node", d->to_node);
    av_expect_str(v, "path", d->path);
    av_expect_enum(v, "cause", (int)d->cause);
    av_expect_str(v, "cause_event_id", d->cause_event_id);
    av_expect_long(v, "decided_at", d->decided_at_ms);
}

static void av_expect_contact_update(avro_value_t *v, const sy_contact_update_t *u) {
    av_expect_str(v, "contact_id", u->contact_id);
    av_expect_str(v, "journey_id", u->journey_id);
    av_expect_long(v, "journey_version", u->journey_version);
    av_expect_str(v, "node_id", u->node_id);
    av_expect_enum(v, "op", (int)u->op);
    av_expect_str(v, "name", u->name);
    av_expect_str(v, "value", u->value);
    av_expect_long(v, "at", u->at_ms);
}

static void av_expect_dead_letter(avro_value_t *v, const sy_dead_letter_t *d) {
    av_expect_str(v, "source_topic", d->source_topic);
    av_expect_long(v, "partition", d->partition);
    av_expect_long(v, "offset", d->offset);
    av_expect_str(v, "error_code", d->error_code);
    av_expect_str(v, "error", d->error);
    av_expect_bytes(v, "key", d->key, d->key_len);
    av_expect_bytes(v, "value", d->value, d->value_len);
    av_expect_long(v, "failed_at", d->failed_at_ms);
}

/* For each of AVRO_RUNS_PER_KIND seeded records of one kind: generate it, encode it, let
 * avro-c read the frame and compare, decode the frame and compare. */
#define AVRO_CHECK_KIND(avsc, type, gen, enc, dec, av_expect, expect_eq, salt)              \
    do {                                                                                    \
        static gen_t g_;                                                                    \
        static type in_, out_;                                                              \
        av_t *av_ = av_open(avsc);                                                          \
        g_.rng = AVRO_SEED ^ (salt);                                                        \
        for (int run_ = 0; run_ < AVRO_RUNS_PER_KIND; run_++) {                             \
            const void *frame_;                                                             \
            size_t len_;                                                                    \
            g_.used = 0;                                                                    \
            gen(&g_, &in_);                                                                 \
            sy_err_t err_ = enc(codec, &in_, &frame_, &len_, errbuf, sizeof errbuf);        \
            cr_assert_eq(err_, SY_OK, "run %d: encode: %s (%s)", run_, sy_err_name(err_),   \
                         errbuf);                                                           \
            av_expect(av_read(av_, frame_, len_), &in_);                                    \
            uint8_t *copy_ = exact_copy(frame_, len_);                                      \
            err_ = dec(codec, copy_, len_, &out_, errbuf, sizeof errbuf);                   \
            free(copy_);                                                                    \
            cr_assert_eq(err_, SY_OK, "run %d: decode: %s (%s)", run_, sy_err_name(err_),   \
                         errbuf);                                                           \
            expect_eq(&out_, &in_);                                                         \
        }                                                                                   \
        av_close(av_);                                                                      \
    } while (0)

Test(codec, avro_c_reads_seeded_random_events_as_encoded) {
    AVRO_CHECK_KIND("engagement_event.avsc", sy_event_t, gen_event, codec_encode_event,
                    codec_decode_event, av_expect_event, expect_event_eq, 1);
}

Test(codec, avro_c_reads_seeded_random_profile_updates_as_encoded) {
    AVRO_CHECK_KIND("profile_update.avsc", sy_profile_update_t, gen_profile_update,
                    codec_encode_profile_update, codec_decode_profile_update,
                    av_expect_profile_update, expect_profile_eq, 2);
}

Test(codec, avro_c_reads_seeded_random_actions_as_encoded) {
    AVRO_CHECK_KIND("action_command.avsc", sy_action_t, gen_action, codec_encode_action,
                    codec_decode_action, av_expect_action, expect_action_eq, 3);
}

Test(codec, avro_c_reads_seeded_random_decisions_as_encoded) {
    AVRO_CHECK_KIND("routing_decision.avsc", sy_decision_t, gen_decision,
                    codec_encode_decision, codec_decode_decision, av_expect_decision,
                    expect_decision_eq, 4);
}

Test(codec, avro_c_reads_seeded_random_contact_updates_as_encoded) {
    AVRO_CHECK_KIND("contact_update.avsc", sy_contact_update_t, gen_contact_update,
                    codec_encode_contact_update, codec_decode_contact_update,
                    av_expect_contact_update, expect_contact_update_eq, 5);
}

Test(codec, avro_c_reads_seeded_random_dead_letters_as_encoded) {
    AVRO_CHECK_KIND("dead_letter.avsc", sy_dead_letter_t, gen_dead_letter,
                    codec_encode_dead_letter, codec_decode_dead_letter, av_expect_dead_letter,
                    expect_dead_letter_eq, 6);
}
