/* codec_random.c — seeded random records of every kind for the codec's property tests
 * (codec_random.h): strings with 1- to 4-byte characters, extreme numbers, optional fields
 * present or not, maps up to their limits. */
#include "codec_random.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "codec_fixture.h"
#include "sy_limits.h"

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
                                   "\xf0\x9f\x98\x80", "\\", "/", "\n", "\t", "\r", "\b",
                                   "\f", "\x01", "\x1f", "\x7f"};
    char *s = g->arena + g->used;
    size_t n = (size_t)snprintf(s, 32, "%s", prefix), count = (size_t)gen_u(g, max);
    for (size_t i = 0; i < count; i++)
        n += (size_t)snprintf(s + n, AVRO_ARENA_BYTES - g->used - n, "%s",
                              pieces[gen_u(g, sizeof pieces / sizeof *pieces)]);
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

void gen_event(gen_t *g, sy_event_t *e) {
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

void gen_profile_update(gen_t *g, sy_profile_update_t *p) {
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

void gen_action(gen_t *g, sy_action_t *a) {
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
    a->tracking_display = gen_opt(g, gen_str(g, "(", 14));
    a->tracking_tel = gen_opt(g, gen_str(g, "tel:+", 15));
    a->tracking_cta = gen_opt(g, gen_str(g, "", 6));
    a->tracking_fallback = a->tracking_number != NULL && gen_u(g, 2) == 1;
}

void gen_decision(gen_t *g, sy_decision_t *d) {
    memset(d, 0, sizeof *d);
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

void gen_contact_update(gen_t *g, sy_contact_update_t *u) {
    u->contact_id = gen_id(g);
    u->journey_id = gen_id(g);
    u->journey_version = gen_int(g);
    u->node_id = gen_id(g);
    u->op = (sy_update_op_t)gen_u(g, SY_UPDATE_OP__COUNT);
    u->name = u->op == SY_UPDATE_OPT_OUT || u->op == SY_UPDATE_OPT_IN
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

void gen_dead_letter(gen_t *g, sy_dead_letter_t *d) {
    d->source_topic = gen_str(g, "", 20);
    d->partition = gen_int(g);
    d->offset = gen_long(g);
    d->error_code = gen_str(g, "", 12);
    d->error = gen_str(g, "", 80);
    d->key = gen_bytes(g, &d->key_len);
    d->value = gen_bytes(g, &d->value_len);
    d->failed_at_ms = gen_long(g);
}

void gen_conversion(gen_t *g, sy_conversion_t *c) {
    static const char *const currencies[] = {"USD", "EUR", "JPY"};
    c->contact_id = gen_id(g);
    c->journey_id = gen_id(g);
    c->journey_version = gen_int(g);
    c->node_id = gen_id(g);
    c->action_id = gen_id(g);
    c->rule = gen_id(g);
    c->value = (double)gen_long(g) / (double)(gen_u(g, 1000) + 1); /* finite */
    c->currency = currencies[gen_u(g, 3)];
    c->call_id = gen_id(g);
    c->tracking_number = gen_str(g, "+1", 10);
    c->converted_at_ms = gen_long(g);
}
