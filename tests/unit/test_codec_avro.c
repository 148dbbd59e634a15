/* test_codec_avro.c — the hand-written codec against avro-c: seeded random records of
 * every kind (codec_random.h) must read back in avro-c's generic reader as the same values,
 * and decode to the record encoded. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avro.h>

#include "codec_fixture.h"
#include "codec_random.h"

#define AVRO_RUNS_PER_KIND 5000
#define AVRO_SEED UINT64_C(0x2545f4914f6cdd1d)

/* avro-c is the library the codec replaced: it still vouches for the codec's bytes. */

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
    cr_assert(eq(int, avro_schema_from_json_length(text, n, &av->schema), 0), "%s: %s", avsc,
              avro_strerror());
    av->iface = avro_generic_class_from_schema(av->schema);
    cr_assert(eq(int, avro_generic_value_new(av->iface, &av->value), 0));
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
    cr_assert(eq(int, avro_value_read(av->reader, &av->value), 0), "avro-c read: %s",
              avro_strerror());
    cr_assert(eq(int, avro_value_sizeof(&av->value, &size), 0));
    cr_assert(eq(sz, size, body_len), "avro-c sizes the value at %zu bytes, codec wrote %zu",
              size, body_len);
    cr_assert(eq(int, avro_value_write(w, &av->value), 0), "avro-c write: %s", avro_strerror());
    avro_writer_free(w);
    cr_assert(memcmp(av->rewrite, body, body_len) == 0, "avro-c writes other bytes");
    return &av->value;
}

static avro_value_t av_field(avro_value_t *rec, const char *name) {
    avro_value_t f;
    cr_assert(eq(int, avro_value_get_by_name(rec, name, &f, NULL), 0), "field %s", name);
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
    cr_expect(eq(i64, v, want), "%s: avro-c %lld, codec %lld", name, (long long)v,
              (long long)want);
}

static void av_expect_enum(avro_value_t *rec, const char *name, int want) {
    avro_value_t f = av_field(rec, name);
    int v = -1;
    if (av_present(&f))
        avro_value_get_enum(&f, &v);
    cr_expect(eq(int, v, want), "%s: avro-c %d, codec %d", name, v, want);
}

static void av_expect_kvs(avro_value_t *rec, const char *name, const sy_kv_t *kvs,
                          size_t count) {
    avro_value_t map = av_field(rec, name), elem;
    size_t n = 0, size;
    avro_value_get_size(&map, &n);
    cr_assert(eq(sz, n, count), "%s: avro-c %zu entries, codec %zu", name, n, count);
    for (size_t i = 0; i < n; i++) {
        const char *key, *value;
        avro_value_get_by_index(&map, i, &elem, &key);
        avro_value_get_string(&elem, &value, &size);
        cr_expect(eq(str, (char *)key, (char *)kvs[i].key), "%s key %zu", name, i);
        cr_expect(eq(str, (char *)value, (char *)kvs[i].value), "%s value %zu", name, i);
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
    cr_assert(eq(sz, size, want_len), "%s: avro-c %zu bytes, codec %zu", name, size, want_len);
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
    cr_expect(eq(int, av_present(&f), e->has_value), "value present: codec %d", e->has_value);
    if (e->has_value) {
        avro_value_get_double(&f, &d);
        cr_expect(eq(dbl, d, e->value), "value: avro-c %g, codec %g", d, e->value);
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
    cr_assert(eq(int, disc, (int)a->value.kind), "%s kind: avro-c %d, codec %d", a->name, disc,
              (int)a->value.kind);
    avro_value_get_current_branch(u, &b);
    switch (a->value.kind) {
    case SY_VALUE_BOOL:
        avro_value_get_boolean(&b, &flag);
        cr_expect(eq(int, flag != 0, a->value.u.b), "%s", a->name);
        break;
    case SY_VALUE_LONG:
        avro_value_get_long(&b, &l);
        cr_expect(eq(i64, l, a->value.u.l), "%s: %lld vs %lld", a->name, (long long)l,
                  (long long)a->value.u.l);
        break;
    case SY_VALUE_DOUBLE:
        avro_value_get_double(&b, &d);
        cr_expect(eq(dbl, d, a->value.u.d), "%s: %g vs %g", a->name, d, a->value.u.d);
        break;
    case SY_VALUE_STRING:
        avro_value_get_string(&b, &s, &size);
        cr_expect(eq(str, (char *)s, (char *)a->value.u.s), "%s", a->name);
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
    cr_assert(eq(sz, n, p->set_count), "set: avro-c %zu, codec %zu", n, p->set_count);
    for (size_t i = 0; i < n; i++) {
        const char *key;
        avro_value_get_by_index(&set, i, &elem, &key);
        cr_expect(eq(str, (char *)key, (char *)p->set[i].name), "set key %zu", i);
        av_expect_attr(&elem, &p->set[i]);
    }
    avro_value_get_size(&unset, &n);
    cr_assert(eq(sz, n, p->unset_count), "unset: avro-c %zu, codec %zu", n, p->unset_count);
    for (size_t i = 0; i < n; i++) {
        const char *s;
        avro_value_get_by_index(&unset, i, &elem, NULL);
        avro_value_get_string(&elem, &s, &size);
        cr_expect(eq(str, (char *)s, (char *)p->unset[i]), "unset %zu", i);
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
    av_expect_str(v, "tracking_display", a->tracking_display);
    av_expect_str(v, "tracking_tel", a->tracking_tel);
    av_expect_str(v, "tracking_cta", a->tracking_cta);
    avro_value_t fallback = av_field(v, "tracking_fallback");
    int b = 0;
    cr_expect(eq(int, av_present(&fallback), a->tracking_number != NULL), "fallback present");
    if (av_present(&fallback))
        avro_value_get_boolean(&fallback, &b);
    cr_expect(eq(int, b, a->tracking_fallback), "tracking_fallback");
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
            cr_assert(eq(int, err_, SY_OK), "run %d: encode: %s (%s)", run_, sy_err_name(err_),   \
                      errbuf);                                                           \
            av_expect(av_read(av_, frame_, len_), &in_);                                    \
            uint8_t *copy_ = exact_copy(frame_, len_);                                      \
            err_ = dec(codec, copy_, len_, &out_, errbuf, sizeof errbuf);                   \
            free(copy_);                                                                    \
            cr_assert(eq(int, err_, SY_OK), "run %d: decode: %s (%s)", run_, sy_err_name(err_),   \
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

/* UpdateOp's symbols are the codec's ops in order: a symbol added later goes at the end,
 * so a reader of the schema before it keeps the places of the ones it knows. */
Test(codec, update_op_symbols_are_the_codecs_ops_with_opt_in_last) {
    av_t *av = av_open("contact_update.avsc");
    avro_schema_t op = avro_schema_record_field_get(av->schema, "op");
    cr_assert(eq(int, avro_schema_enum_number_of_symbols(op), SY_UPDATE_OP__COUNT));
    for (int i = 0; i < SY_UPDATE_OP__COUNT; i++) {
        char want[32];
        const char *name = sy_update_op_name((sy_update_op_t)i);
        size_t n = 0;
        for (; name[n] && n + 1 < sizeof want; n++)
            want[n] = (char)(name[n] >= 'a' && name[n] <= 'z' ? name[n] - 32 : name[n]);
        want[n] = '\0';
        cr_expect(eq(str, (char *)avro_schema_enum_get(op, i), want), "symbol %d", i);
    }
    cr_expect(eq(str, (char *)avro_schema_enum_get(op, 4), "OPT_OUT"));
    cr_expect(eq(str, (char *)avro_schema_enum_get(op, SY_UPDATE_OP__COUNT - 1), "OPT_IN"));
    av_close(av);
}
