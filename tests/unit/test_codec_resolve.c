/* test_codec_resolve.c — Avro schema resolution (codec_resolver_*): one test per rule. Each
 * builds a writer's schema from the embedded one with a change, writes a record with
 * avro-c's generic writer, resolves the frame into the embedded schema and decodes it with
 * the normal codec. Not the registry's cache or HTTP (tests/integration). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avro.h>

#include "codec_fixture.h"
#include "codec_int.h"

/* The id a registry gave the writer's schema: any id, the resolver relabels the frame. */
#define WRITER_ID 1001

/* --- writer schemas: the embedded schema as JSON, edited -------------------------------- */

static json_object *schema_of(sy_schema_id_t id) {
    json_object *s = json_tokener_parse(codec_schema_json(id));
    cr_assert_not_null(s);
    return s;
}

static json_object *fields_of(json_object *schema) {
    json_object *fields;
    cr_assert(json_object_object_get_ex(schema, "fields", &fields));
    return fields;
}

static size_t field_index(json_object *schema, const char *name) {
    json_object *fields = fields_of(schema), *v;
    for (size_t i = 0; i < json_object_array_length(fields); i++)
        if (json_object_object_get_ex(json_object_array_get_idx(fields, i), "name", &v) &&
            strcmp(json_object_get_string(v), name) == 0)
            return i;
    cr_fatal("no field %s", name);
    return 0;
}

static void field_drop(json_object *schema, const char *name) {
    json_object_array_del_idx(fields_of(schema), field_index(schema, name), 1);
}

/* Give field name the type type_json (a JSON text). */
static void field_type_set(json_object *schema, const char *name, const char *type_json) {
    json_object *f = json_object_array_get_idx(fields_of(schema), field_index(schema, name));
    json_object *type = json_tokener_parse(type_json);
    cr_assert_not_null(type, "%s", type_json);
    json_object_object_add(f, "type", type);
}

static void field_add(json_object *schema, const char *field_json) {
    json_object *f = json_tokener_parse(field_json);
    cr_assert_not_null(f, "%s", field_json);
    json_object_array_add(fields_of(schema), f);
}

/* --- records written with avro-c's generic writer --------------------------------------- */

typedef struct writer {
    avro_schema_t schema;
    avro_value_iface_t *iface;
    avro_value_t rec;
    codec_resolver_t *res;
    uint8_t frame[4096];
    size_t len;
} writer_t;

/* A writer of schema (taken), its resolver into reader, and every union field null. */
static writer_t *writer_open(json_object *schema, sy_schema_id_t reader) {
    writer_t *w = calloc(1, sizeof *w);
    const char *text = json_object_to_json_string(schema);
    cr_assert_not_null(w);
    cr_assert(eq(int, avro_schema_from_json_length(text, strlen(text), &w->schema), 0), "%s",
              avro_strerror());
    w->iface = avro_generic_class_from_schema(w->schema);
    cr_assert(eq(int, avro_generic_value_new(w->iface, &w->rec), 0));
    sy_err_t err = codec_resolver_new(codec, reader, text, strlen(text), &w->res, errbuf,
                                      sizeof errbuf);
    expect_err(err, SY_OK);
    json_object_put(schema);
    size_t count = 0;
    avro_value_get_size(&w->rec, &count);
    for (size_t i = 0; i < count; i++) {
        avro_value_t f, branch;
        avro_value_get_by_index(&w->rec, i, &f, NULL);
        avro_schema_t fs = avro_value_get_schema(&f);
        for (size_t b = 0; is_avro_union(fs) && b < avro_schema_union_size(fs); b++)
            if (is_avro_null(avro_schema_union_branch(fs, (int)b)))
                avro_value_set_branch(&f, (int)b, &branch);
    }
    return w;
}

static void writer_close(writer_t *w) {
    codec_resolver_free(w->res);
    avro_value_decref(&w->rec);
    avro_value_iface_decref(w->iface);
    avro_schema_decref(w->schema);
    free(w);
}

/* Field name of the record; in a union, its first branch of type want (set), where a
 * string may be bytes. */
static avro_value_t writer_field(writer_t *w, const char *name, avro_type_t want) {
    avro_value_t f, branch;
    cr_assert(eq(int, avro_value_get_by_name(&w->rec, name, &f, NULL), 0), "field %s", name);
    avro_schema_t fs = avro_value_get_schema(&f);
    if (!is_avro_union(fs))
        return f;
    for (size_t b = 0; b < avro_schema_union_size(fs); b++) {
        avro_type_t t = avro_typeof(avro_schema_union_branch(fs, (int)b));
        if (t != want && !(want == AVRO_STRING && t == AVRO_BYTES))
            continue;
        avro_value_set_branch(&f, (int)b, &branch);
        return branch;
    }
    cr_fatal("field %s has no branch of type %d", name, (int)want);
    return f;
}

/* A text field: a string, or bytes where the writer's schema has them. */
static void set_string(writer_t *w, const char *name, const char *s) {
    avro_value_t f = writer_field(w, name, AVRO_STRING);
    int rc = is_avro_bytes(avro_value_get_schema(&f))
                 ? avro_value_set_bytes(&f, (void *)s, strlen(s))
                 : avro_value_set_string(&f, s);
    cr_assert(eq(int, rc, 0), "field %s", name);
}

static void set_symbol(writer_t *w, const char *name, const char *symbol) {
    avro_value_t f = writer_field(w, name, AVRO_ENUM);
    int index = avro_schema_enum_get_by_name(avro_value_get_schema(&f), symbol);
    cr_assert(index >= 0, "%s has no symbol %s", name, symbol);
    avro_value_set_enum(&f, index);
}

/* The record every test starts from: an email click. */
static void write_click(writer_t *w) {
    set_string(w, "event_id", "ev-1");
    set_string(w, "contact_id", "c-1");
    avro_value_t at = writer_field(w, "occurred_at", AVRO_INT64);
    avro_value_set_long(&at, T0_MS);
    set_symbol(w, "channel", "EMAIL");
    set_symbol(w, "type", "CLICKED");
    set_string(w, "link", "https://example.com/spring");
}

/* The record as a frame of the writer's id, resolved into *frame (the resolver's). */
static sy_err_t writer_resolve(writer_t *w, const void **frame, size_t *frame_len) {
    avro_writer_t body = avro_writer_memory((char *)w->frame + 5, sizeof w->frame - 5);
    cr_assert(eq(int, avro_value_write(body, &w->rec), 0), "%s", avro_strerror());
    w->len = 5 + (size_t)avro_writer_tell(body);
    avro_writer_free(body);
    const uint8_t header[5] = {0, 0, 0, WRITER_ID >> 8, WRITER_ID & 0xff};
    memcpy(w->frame, header, sizeof header);
    uint8_t *copy = exact_copy(w->frame, w->len);
    errbuf[0] = '\0';
    sy_err_t err = codec_resolve_frame(w->res, copy, w->len, frame, frame_len, errbuf,
                                       sizeof errbuf);
    free(copy);
    return err;
}

/* The record resolved and decoded as an event. */
static sy_err_t resolve_event(writer_t *w, sy_event_t *out) {
    const void *frame;
    size_t frame_len;
    sy_err_t err = writer_resolve(w, &frame, &frame_len);
    if (err == SY_OK)
        err = codec_decode_event(codec, frame, frame_len, out, errbuf, sizeof errbuf);
    return err;
}

/* The fields write_click sets, and nothing else. */
static void expect_click(const sy_event_t *ev) {
    cr_expect(eq(str, (char *)ev->event_id, "ev-1"));
    cr_expect(eq(str, (char *)ev->contact_id, "c-1"));
    cr_expect(eq(i64, ev->occurred_at_ms, T0_MS));
    cr_expect(eq(int, ev->channel, SY_CHANNEL_EMAIL));
    cr_expect(eq(int, ev->type, SY_EVENT_CLICKED));
    cr_expect(eq(str, (char *)(ev->link ? ev->link : "(null)"), "https://example.com/spring"));
    cr_expect(eq(ptr, (void *)ev->message_id, NULL));
    cr_expect(eq(int, ev->has_value, false));
    cr_expect(eq(u64, ev->props_count, 0));
}

/* --- the rules -------------------------------------------------------------------------- */

Test(codec, resolver_of_the_embedded_schema_only_relabels) {
    writer_t *w = writer_open(schema_of(SY_SCHEMA_ENGAGEMENT_EVENT), SY_SCHEMA_ENGAGEMENT_EVENT);
    cr_assert(codec_resolver_identity(w->res));
    sy_event_t ev;
    write_click(w);
    expect_err(resolve_event(w, &ev), SY_OK);
    expect_click(&ev);
    writer_close(w);
}

Test(codec, resolve_skips_a_writer_field_the_reader_lacks) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
    field_add(s, "{\"name\": \"campaign\", \"type\": \"string\"}");
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    cr_assert(not(codec_resolver_identity(w->res)));
    sy_event_t ev;
    write_click(w);
    set_string(w, "campaign", "spring");
    expect_err(resolve_event(w, &ev), SY_OK);
    expect_click(&ev);
    writer_close(w);
}

Test(codec, resolve_fills_a_reader_field_the_writer_lacks_with_its_default) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
    field_drop(s, "message_id");
    field_drop(s, "value");
    field_drop(s, "props");
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    sy_event_t ev;
    write_click(w);
    for (int i = 0; i < 3; i++) { /* the second and later records: the plan's defaults */
        expect_err(resolve_event(w, &ev), SY_OK);
        expect_click(&ev);
    }
    writer_close(w);
}

Test(codec, resolve_reads_reordered_fields_by_name) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT), *fields = fields_of(s);
    json_object *reversed = json_object_new_array();
    for (size_t i = json_object_array_length(fields); i-- > 0;)
        json_object_array_add(reversed, json_object_get(json_object_array_get_idx(fields, i)));
    json_object_object_add(s, "fields", reversed);
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    sy_event_t ev;
    write_click(w);
    set_string(w, "message_id", "act-7");
    expect_err(resolve_event(w, &ev), SY_OK);
    cr_expect(eq(str, (char *)(ev.message_id ? ev.message_id : "(null)"), "act-7"));
    cr_expect(eq(str, (char *)ev.event_id, "ev-1"));
    cr_expect(eq(i64, ev.occurred_at_ms, T0_MS));
    cr_expect(eq(int, ev.type, SY_EVENT_CLICKED));
    writer_close(w);
}

Test(codec, resolve_promotes_int_to_long) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
    field_type_set(s, "occurred_at", "\"int\"");
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    sy_event_t ev;
    write_click(w);
    avro_value_t at = writer_field(w, "occurred_at", AVRO_INT32);
    avro_value_set_int(&at, INT32_MAX);
    expect_err(resolve_event(w, &ev), SY_OK);
    cr_expect(eq(i64, ev.occurred_at_ms, INT32_MAX));
    writer_close(w);
}

Test(codec, resolve_promotes_long_to_double_in_a_union) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
    field_type_set(s, "value", "\"long\""); /* and a plain type into the reader's union */
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    sy_event_t ev;
    write_click(w);
    avro_value_t v = writer_field(w, "value", AVRO_INT64);
    avro_value_set_long(&v, INT64_C(1) << 40);
    expect_err(resolve_event(w, &ev), SY_OK);
    cr_expect(eq(int, ev.has_value, true));
    cr_expect(eq(dbl, ev.value, 1099511627776.0));
    writer_close(w);
}

Test(codec, resolve_promotes_float_to_double) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
    field_type_set(s, "value", "[\"null\", \"float\"]");
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    sy_event_t ev;
    write_click(w);
    avro_value_t v = writer_field(w, "value", AVRO_FLOAT);
    avro_value_set_float(&v, 2.5f);
    expect_err(resolve_event(w, &ev), SY_OK);
    cr_expect(eq(int, ev.has_value, true));
    cr_expect(eq(dbl, ev.value, 2.5));
    writer_close(w);
}

Test(codec, resolve_reads_bytes_as_string) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
    field_type_set(s, "event_id", "\"bytes\"");
    field_type_set(s, "link", "[\"null\", \"bytes\"]");
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    sy_event_t ev;
    write_click(w); /* event_id and link as bytes */
    expect_err(resolve_event(w, &ev), SY_OK);
    expect_click(&ev);
    writer_close(w);
}

Test(codec, resolve_reads_string_as_bytes) {
    json_object *s = schema_of(SY_SCHEMA_DEAD_LETTER);
    field_type_set(s, "key", "\"string\"");
    writer_t *w = writer_open(s, SY_SCHEMA_DEAD_LETTER);
    set_string(w, "source_topic", "events");
    set_string(w, "error_code", "malformed");
    set_string(w, "error", "enum out of range");
    set_string(w, "key", "c-1");
    const void *frame;
    size_t frame_len;
    sy_dead_letter_t dl;
    expect_err(writer_resolve(w, &frame, &frame_len), SY_OK);
    expect_err(codec_decode_dead_letter(codec, frame, frame_len, &dl, errbuf, sizeof errbuf),
               SY_OK);
    cr_expect(eq(u64, dl.key_len, 3));
    cr_expect(eq(int, memcmp(dl.key, "c-1", 3), 0));
    cr_expect(eq(str, (char *)dl.error_code, "malformed"));
    writer_close(w);
}

Test(codec, resolve_matches_enum_symbols_by_name) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
    field_type_set(s, "channel", "{\"type\": \"enum\", \"name\": \"Channel\", \"symbols\": "
                                 "[\"FAX\", \"SMS\", \"EMAIL\"]}");
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    sy_event_t ev;
    write_click(w); /* EMAIL is the writer's symbol 2, the reader's 0 */
    expect_err(resolve_event(w, &ev), SY_OK);
    expect_click(&ev);
    set_symbol(w, "channel", "FAX"); /* Channel has no default: the record is refused */
    expect_err(resolve_event(w, &ev), SY_ERR_WRONG_SCHEMA);
    expect_msg("symbol FAX is not in the reader's enum Channel, which has no default");
    writer_close(w);
}

/* A record of one enum field c of the given symbols and default (JSON, or NULL). */
static avro_schema_t enum_record(const char *symbols, const char *def, json_object **json) {
    char text[256];
    avro_schema_t schema;
    snprintf(text, sizeof text, "{\"type\": \"record\", \"name\": \"R\", \"fields\": [{\"name\":"
             " \"c\", \"type\": {\"type\": \"enum\", \"name\": \"E\", \"symbols\": %s%s%s}}]}",
             symbols, def ? ", \"default\": " : "", def ? def : "");
    cr_assert(eq(int, avro_schema_from_json_length(text, strlen(text), &schema), 0), "%s",
              avro_strerror());
    if (json != NULL)
        *json = json_tokener_parse(text);
    return schema;
}

Test(codec, resolve_reads_an_unknown_symbol_as_the_readers_enum_default) {
    codec_resolve_plan_t plan = {0};
    avro_schema_t ws = enum_record("[\"A\", \"B\", \"NEW\"]", NULL, NULL);
    avro_schema_t rs = enum_record("[\"B\", \"A\"]", "\"A\"", &plan.reader_json);
    avro_value_iface_t *wi = avro_generic_class_from_schema(ws);
    avro_value_iface_t *ri = avro_generic_class_from_schema(rs);
    avro_value_t src, dst, c;
    int symbol = -1;
    cr_assert(eq(int, avro_generic_value_new(wi, &src), 0));
    cr_assert(eq(int, avro_generic_value_new(ri, &dst), 0));
    avro_value_get_by_index(&src, 0, &c, NULL);
    avro_value_set_enum(&c, 2); /* NEW */
    for (int i = 0; i < 2; i++) { /* the second: the default kept in the plan */
        expect_err(codec_resolve_value(&plan, &src, &dst, errbuf, sizeof errbuf), SY_OK);
        avro_value_get_by_index(&dst, 0, &c, NULL);
        avro_value_get_enum(&c, &symbol);
        cr_expect(eq(int, symbol, 1)); /* A */
        cr_expect(eq(u64, plan.count, 1));
    }
    avro_value_decref(&src);
    avro_value_decref(&dst);
    avro_value_iface_decref(wi);
    avro_value_iface_decref(ri);
    avro_schema_decref(ws);
    avro_schema_decref(rs);
    json_object_put(plan.reader_json);
}

Test(codec, resolve_reads_a_writer_union_into_a_plain_reader_type) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
    field_type_set(s, "event_id", "[\"null\", \"string\"]");
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    sy_event_t ev;
    write_click(w);
    expect_err(resolve_event(w, &ev), SY_OK);
    expect_click(&ev);
    avro_value_t id = writer_field(w, "event_id", AVRO_NULL); /* a branch the reader lacks */
    avro_value_set_null(&id);
    expect_err(resolve_event(w, &ev), SY_ERR_WRONG_SCHEMA);
    expect_msg("field event_id: the writer's null cannot be read as the reader's string");
    writer_close(w);
}

Test(codec, resolve_reads_a_plain_writer_type_into_a_reader_union) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
    field_type_set(s, "message_id", "\"string\"");
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    sy_event_t ev;
    write_click(w);
    set_string(w, "message_id", "act-7");
    expect_err(resolve_event(w, &ev), SY_OK);
    cr_expect(eq(str, (char *)(ev.message_id ? ev.message_id : "(null)"), "act-7"));
    writer_close(w);
}

Test(codec, resolve_refuses_a_string_for_an_enum_without_default) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
    field_type_set(s, "channel", "\"string\"");
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    sy_event_t ev;
    set_string(w, "event_id", "ev-1");
    set_string(w, "contact_id", "c-1");
    set_string(w, "channel", "EMAIL");
    set_symbol(w, "type", "CLICKED");
    expect_err(resolve_event(w, &ev), SY_ERR_WRONG_SCHEMA);
    expect_msg("field channel: the writer's string cannot be read as the reader's enum Channel");
    writer_close(w);
}

Test(codec, resolve_refuses_a_missing_reader_field_without_default) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
    field_drop(s, "contact_id");
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    sy_event_t ev;
    set_string(w, "event_id", "ev-1");
    set_symbol(w, "channel", "EMAIL");
    set_symbol(w, "type", "CLICKED");
    for (int i = 0; i < 2; i++) { /* the second: "no default" kept in the plan */
        expect_err(resolve_event(w, &ev), SY_ERR_WRONG_SCHEMA);
        expect_msg("has no field contact_id and the reader's gives no default");
    }
    writer_close(w);
}

Test(codec, resolver_refuses_a_writer_schema_defining_a_name_twice) {
    json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
    field_add(s, "{\"name\": \"kind\", \"type\": {\"type\": \"enum\", \"name\": \"Channel\","
                 " \"symbols\": [\"A\"]}}");
    const char *text = json_object_to_json_string(s);
    codec_resolver_t *res = NULL;
    sy_err_t err = codec_resolver_new(codec, SY_SCHEMA_ENGAGEMENT_EVENT, text, strlen(text),
                                      &res, errbuf, sizeof errbuf);
    expect_err(err, SY_ERR_WRONG_SCHEMA);
    expect_msg("writer's schema defines a name twice");
    cr_expect(eq(ptr, res, NULL));
    json_object_put(s);
    s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT); /* the same name in another namespace */
    field_add(s, "{\"name\": \"kind\", \"type\": {\"type\": \"enum\", \"name\": \"Channel\","
                 " \"namespace\": \"upstream\", \"symbols\": [\"A\"]}}");
    writer_t *w = writer_open(s, SY_SCHEMA_ENGAGEMENT_EVENT);
    writer_close(w);
}

Test(codec, resolver_refuses_a_recursive_writer_schema) {
    /* A record holding itself (found by fuzzing: avro-c builds its generic value without
     * end), and one holding a list of itself: both refused before avro-c sees them. */
    const char *fields[] = {
        "{\"name\": \"again\", \"type\": \"switchyard.EngagementEvent\"}",
        "{\"name\": \"again\", \"type\": {\"type\": \"array\", \"items\": \"EngagementEvent\"},"
        " \"default\": []}",
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        json_object *s = schema_of(SY_SCHEMA_ENGAGEMENT_EVENT);
        field_add(s, fields[i]);
        const char *text = json_object_to_json_string(s);
        codec_resolver_t *res = NULL;
        sy_err_t err = codec_resolver_new(codec, SY_SCHEMA_ENGAGEMENT_EVENT, text,
                                          strlen(text), &res, errbuf, sizeof errbuf);
        expect_err(err, SY_ERR_WRONG_SCHEMA);
        expect_msg("writer's schema is recursive");
        cr_expect(eq(ptr, res, NULL));
        json_object_put(s);
    }
}
