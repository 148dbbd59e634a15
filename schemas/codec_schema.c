/* codec_schema.c — the one table of schema ids and their .avsc files, and the loading of
 * one schema with its reusable Avro values. Not the wire codec: see codec.c. */
#include <assert.h>
#include <json-c/json.h>
#include <string.h>

#include "codec_int.h"

/* Schema id ↔ file. The ids are fixed (records.h, docs/records.md); the texts come from
 * the .avsc files listed in schemas/meson.build. */
static const struct {
    sy_schema_id_t id;
    const char *file;
} codec_schema_table[] = {
    {SY_SCHEMA_ENGAGEMENT_EVENT, "engagement_event.avsc"},
    {SY_SCHEMA_PROFILE_UPDATE, "profile_update.avsc"},
    {SY_SCHEMA_ACTION_COMMAND_V1, "action_command_v1.avsc"},
    {SY_SCHEMA_ROUTING_DECISION, "routing_decision.avsc"},
    {SY_SCHEMA_CONTACT_UPDATE, "contact_update.avsc"},
    {SY_SCHEMA_DEAD_LETTER, "dead_letter.avsc"},
    {SY_SCHEMA_CONVERSION, "conversion.avsc"},
    {SY_SCHEMA_ACTION_COMMAND, "action_command.avsc"},
};

const char *codec_schema_file(sy_schema_id_t id) {
    assert(sizeof codec_schema_table / sizeof codec_schema_table[0] ==
           SY_SCHEMA_ID_MAX - SY_SCHEMA_ID_MIN + 1); /* a file for every id */
    for (size_t i = 0; i < sizeof codec_schema_table / sizeof codec_schema_table[0]; i++)
        if (codec_schema_table[i].id == id)
            return codec_schema_table[i].file;
    return NULL;
}

static const codec_schema_text_t *schema_text_find(const char *file) {
    assert(file);
    for (size_t i = 0; i < codec_schema_texts_count; i++)
        if (strcmp(codec_schema_texts[i].file, file) == 0)
            return &codec_schema_texts[i];
    return NULL;
}

/* avro-c keeps no logical types, so read them from the JSON text: bit i of the result is
 * set when top-level field i is {"type":"long","logicalType":"timestamp-millis"}. */
static uint64_t schema_timestamp_fields(const codec_schema_text_t *text) {
    uint64_t bits = 0;
    assert(text->json && text->json[text->json_len] == '\0');
    json_object *root = json_tokener_parse(text->json);
    json_object *fields, *type, *logical;
    if (root == NULL || !json_object_object_get_ex(root, "fields", &fields))
        goto done;
    for (size_t i = 0; i < json_object_array_length(fields) && i < 64; i++) {
        json_object *field = json_object_array_get_idx(fields, i);
        if (!json_object_object_get_ex(field, "type", &type) ||
            !json_object_is_type(type, json_type_object) ||
            !json_object_object_get_ex(type, "logicalType", &logical))
            continue;
        if (strcmp(json_object_get_string(logical), "timestamp-millis") == 0)
            bits |= UINT64_C(1) << i;
    }
done:
    json_object_put(root);
    return bits;
}

const codec_schema_text_t *codec_schema_text(sy_schema_id_t id) {
    const char *file = codec_schema_file(id);
    const codec_schema_text_t *text = file ? schema_text_find(file) : NULL;
    assert(file == NULL || text != NULL); /* every file of the table is embedded */
    return text;
}

const char *codec_schema_json(sy_schema_id_t id) {
    /* no assert: a lookup; codec_schema_text asserts the table */
    const codec_schema_text_t *text = codec_schema_text(id);
    return text ? text->json : NULL;
}

sy_err_t codec_schema_load(codec_schema_t *s, sy_schema_id_t id, char *errbuf,
                           size_t errbuf_size) {
    sy_err_t err;
    const char *file = codec_schema_file(id);
    const codec_schema_text_t *text = file ? schema_text_find(file) : NULL;
    memset(s, 0, sizeof *s);
    assert(text != NULL && "every schema id has an embedded .avsc (schemas/meson.build)");
    s->id = id;
    if (avro_schema_from_json_length(text->json, text->json_len, &s->schema) != 0) {
        err = codec_fail(SY_ERR_INVALID_ARG, errbuf, errbuf_size,
                         "schema %s does not parse: %s", file, avro_strerror());
        goto fail;
    }
    s->name = avro_schema_name(s->schema);
    s->timestamp_fields = schema_timestamp_fields(text);
    s->iface = avro_generic_class_from_schema(s->schema);
    if (s->iface == NULL || codec_guard_compile(s->schema, &s->guard) != SY_OK ||
        avro_generic_value_new(s->iface, &s->json_value) != 0) {
        err = codec_fail(SY_ERR_NOMEM, errbuf, errbuf_size, "schema %s: %s", file,
                         avro_strerror());
        goto fail;
    }
    return SY_OK;
fail:
    codec_schema_unload(s);
    return err;
}

void codec_schema_unload(codec_schema_t *s) {
    assert(s);
    codec_guard_free(s->guard);
    if (s->json_value.iface != NULL)
        avro_value_decref(&s->json_value);
    free(s->scratch);
    if (s->iface != NULL)
        avro_value_iface_decref(s->iface);
    if (s->schema != NULL)
        avro_schema_decref(s->schema);
    memset(s, 0, sizeof *s);
}
