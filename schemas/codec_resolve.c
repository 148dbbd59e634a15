/* codec_resolve.c — the codec's slow path for records written with another version of a
 * schema: check the writer's body with a guard compiled from the writer's schema, read it
 * with avro-c, resolve it into switchyard's reader schema (codec_resolve_value.c) and write
 * it back as a frame of the embedded schema, for the hand-written decoders to read.
 * Not a registry client: the writer's schema text comes from the caller. */
#include <assert.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "codec_int.h"

/* JSON nesting a writer's schema may have: three levels per Avro level is far beyond the
 * RESOLVE_DEPTH_MAX (32) Avro levels resolution reads. */
#define RESOLVE_JSON_DEPTH_MAX 128

struct codec_resolver {
    codec_t *codec;             /* borrowed: outlives the resolver */
    sy_schema_id_t reader;
    bool identity;              /* the writer's schema is the embedded one */
    avro_schema_t writer;       /* owned */
    avro_value_iface_t *writer_iface;
    avro_value_t writer_value;  /* the writer's record, read per frame */
    avro_value_t reader_value;  /* the reader's record, resolved per frame */
    codec_guard_t *guard;       /* the writer's schema, compiled */
    codec_resolve_plan_t plan;  /* the reader's schema text and its defaults */
    avro_reader_t body_reader;
    avro_writer_t body_writer;
    char *out;                  /* the resolved frame */
    size_t out_size;
};

void codec_resolver_free(codec_resolver_t *res) {
    if (res == NULL)
        return;
    assert(res->out != NULL || res->out_size == 0);
    if (res->writer_value.iface != NULL)
        avro_value_decref(&res->writer_value);
    if (res->reader_value.iface != NULL)
        avro_value_decref(&res->reader_value);
    if (res->writer_iface != NULL)
        avro_value_iface_decref(res->writer_iface);
    if (res->writer != NULL)
        avro_schema_decref(res->writer);
    codec_guard_free(res->guard);
    json_object_put(res->plan.reader_json);
    if (res->body_reader != NULL)
        avro_reader_free(res->body_reader);
    if (res->body_writer != NULL)
        avro_writer_free(res->body_writer);
    free(res->out);
    free(res);
}

/* The full name j defines (a record, enum or fixed with a name; ns: the enclosing
 * namespace, "" for none), owned by the caller; NULL when j defines none. *oom: out of
 * memory. */
static char *writer_name_full(json_object *j, const char *ns, bool *oom) {
    json_object *type, *name, *space;
    assert(ns != NULL && !*oom);
    if (!json_object_object_get_ex(j, "type", &type) ||
        !json_object_object_get_ex(j, "name", &name) ||
        !json_object_is_type(type, json_type_string) ||
        !json_object_is_type(name, json_type_string))
        return NULL;
    const char *t = json_object_get_string(type), *n = json_object_get_string(name);
    if (strcmp(t, "record") != 0 && strcmp(t, "enum") != 0 && strcmp(t, "fixed") != 0)
        return NULL;
    if (json_object_object_get_ex(j, "namespace", &space) &&
        json_object_is_type(space, json_type_string))
        ns = json_object_get_string(space);
    if (strchr(n, '.') != NULL)
        ns = "";
    size_t size = strlen(ns) + strlen(n) + 2;
    char *full = malloc(size);
    if (full == NULL)
        return *oom = true, NULL;
    snprintf(full, size, "%s%s%s", ns, ns[0] ? "." : "", n);
    return full;
}

/* Add full (taken) to *names (owned strings, *count of them). False: it is there already,
 * or out of memory. */
static bool writer_name_add(char *full, char ***names, size_t *count) {
    assert(full != NULL && (*names != NULL || *count == 0));
    for (size_t i = 0; i < *count; i++)
        if (strcmp((*names)[i], full) == 0)
            return free(full), false;
    char **grown = realloc(*names, (*count + 1) * sizeof *grown);
    if (grown == NULL)
        return free(full), false;
    (*names = grown)[(*count)++] = full;
    return true;
}

/* Add the full names of the named types j defines (ns: the enclosing namespace) to
 * *names. False: one is defined twice, or out of memory. */
static bool writer_names_add(json_object *j, const char *ns, char ***names, size_t *count) {
    bool oom = false, ok = true;
    assert(ns != NULL);
    if (json_object_is_type(j, json_type_array)) {
        for (size_t i = 0; ok && i < json_object_array_length(j); i++)
            ok = writer_names_add(json_object_array_get_idx(j, i), ns, names, count);
        return ok;
    }
    if (!json_object_is_type(j, json_type_object))
        return true;
    char *full = writer_name_full(j, ns, &oom), *inner = NULL, *dot;
    if (oom || (full != NULL && !writer_name_add(full, names, count)))
        return false;
    /* Nested types take this one's namespace: its full name up to the last dot. */
    if (full != NULL && (inner = strdup(full)) == NULL)
        return false;
    if (inner != NULL && (dot = strrchr(inner, '.')) != NULL)
        *dot = '\0';
    else if (inner != NULL)
        inner[0] = '\0';
    json_object_object_foreach(j, key, child) {
        (void)key;
        if (ok)
            ok = writer_names_add(child, inner != NULL ? inner : ns, names, count);
    }
    free(inner);
    return ok;
}

/* Does the type reference ref name one of the n enclosing named types (full names)? By
 * full name, or by short name when ref has no namespace: a safe over-approximation. */
static bool writer_refers_to(const char *ref, char *const *enclosing, size_t n) {
    assert(ref != NULL && (enclosing != NULL || n == 0));
    for (size_t i = 0; i < n; i++) {
        const char *dot = strrchr(enclosing[i], '.');
        if (strcmp(ref, enclosing[i]) == 0 ||
            (strchr(ref, '.') == NULL && strcmp(ref, dot ? dot + 1 : enclosing[i]) == 0))
            return true;
    }
    return false;
}

/* True when a type in j refers to a named type it is part of (a recursive schema: avro-c
 * builds a generic value of one without end), or on running out of memory. enclosing
 * holds the n full names around j (at most RESOLVE_JSON_DEPTH_MAX). */
static bool writer_is_recursive(json_object *j, const char *ns, char **enclosing, size_t n) {
    bool oom = false, found = false;
    assert(ns != NULL && n <= RESOLVE_JSON_DEPTH_MAX);
    if (json_object_is_type(j, json_type_string))
        return writer_refers_to(json_object_get_string(j), enclosing, n);
    if (json_object_is_type(j, json_type_array)) {
        for (size_t i = 0; !found && i < json_object_array_length(j); i++)
            found = writer_is_recursive(json_object_array_get_idx(j, i), ns, enclosing, n);
        return found;
    }
    if (!json_object_is_type(j, json_type_object))
        return false;
    char *full = writer_name_full(j, ns, &oom);
    if (oom || (full != NULL && n == RESOLVE_JSON_DEPTH_MAX))
        return free(full), true;
    /* Nested types take this one's namespace: its full name up to the last dot. */
    char *inner = full != NULL ? strdup(full) : NULL, *dot;
    if (full != NULL && inner == NULL)
        return free(full), true;
    if (inner != NULL)
        *((dot = strrchr(inner, '.')) != NULL ? dot : inner) = '\0';
    if (full != NULL)
        enclosing[n++] = full;
    json_object_object_foreach(j, key, child) {
        if (!found && (strcmp(key, "type") == 0 || strcmp(key, "items") == 0 ||
                       strcmp(key, "values") == 0 || strcmp(key, "fields") == 0))
            found = writer_is_recursive(child, inner != NULL ? inner : ns, enclosing, n);
    }
    free(inner);
    free(full);
    return found;
}

/* SY_OK when the writer's schema text is JSON defining no full name twice and no
 * recursive type. avro-c refuses a name defined twice too, but leaks what it parsed before
 * it (libavro 1.11); a recursive record overflows its stack. switchyard's own schemas are
 * not recursive, so no recursive writer could be read into them. */
static sy_err_t writer_names_check(const char *text, size_t len, char *errbuf,
                                   size_t errbuf_size) {
    struct json_tokener *tok = json_tokener_new_ex(RESOLVE_JSON_DEPTH_MAX);
    char **names = NULL, *enclosing[RESOLVE_JSON_DEPTH_MAX];
    size_t count = 0;
    assert(text != NULL || len == 0);
    if (tok == NULL)
        return codec_fail(SY_ERR_NOMEM, errbuf, errbuf_size, "resolver: out of memory");
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    if (root == NULL && json_tokener_get_error(tok) == json_tokener_continue)
        root = json_tokener_parse_ex(tok, "", 1); /* a NUL: the text ended */
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    sy_err_t err = SY_OK;
    if (root == NULL)
        err = codec_fail(SY_ERR_WRONG_SCHEMA, errbuf, errbuf_size,
                         "writer's schema does not parse: %s", json_tokener_error_desc(jerr));
    else if (!writer_names_add(root, "", &names, &count))
        err = codec_fail(SY_ERR_WRONG_SCHEMA, errbuf, errbuf_size,
                         "writer's schema defines a name twice");
    else if (writer_is_recursive(root, "", enclosing, 0))
        err = codec_fail(SY_ERR_WRONG_SCHEMA, errbuf, errbuf_size,
                         "writer's schema is recursive (a type refers to one it is part of)");
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
    json_object_put(root);
    json_tokener_free(tok);
    return err;
}

/* The avro-c objects reading and resolving one frame. */
static sy_err_t resolver_values_new(codec_resolver_t *res, char *errbuf, size_t errbuf_size) {
    const codec_schema_t *s = &res->codec->schemas[res->reader];
    assert(res->writer != NULL && res->writer_iface == NULL && res->guard == NULL);
    res->writer_iface = avro_generic_class_from_schema(res->writer);
    res->body_reader = avro_reader_memory("", 0);
    res->body_writer = avro_writer_memory("", 0);
    res->plan.reader_json = json_tokener_parse(codec_schema_text(res->reader)->json);
    if (res->writer_iface == NULL || res->body_reader == NULL || res->body_writer == NULL ||
        res->plan.reader_json == NULL ||
        avro_generic_value_new(res->writer_iface, &res->writer_value) != 0 ||
        avro_generic_value_new(s->iface, &res->reader_value) != 0 ||
        codec_guard_compile(res->writer, &res->guard) != SY_OK)
        return codec_fail(SY_ERR_NOMEM, errbuf, errbuf_size, "resolver: %s", avro_strerror());
    return SY_OK;
}

sy_err_t codec_resolver_new(codec_t *codec, sy_schema_id_t reader, const char *writer_json,
                            size_t writer_json_len, codec_resolver_t **out, char *errbuf,
                            size_t errbuf_size) {
    assert(reader >= SY_SCHEMA_ID_MIN && reader <= SY_SCHEMA_ID_MAX);
    sy_err_t err = SY_ERR_NOMEM;
    codec_resolver_t *res = calloc(1, sizeof *res);
    if (res == NULL)
        return codec_fail(err, errbuf, errbuf_size, "resolver: out of memory");
    res->codec = codec;
    res->reader = reader;
    err = writer_names_check(writer_json, writer_json_len, errbuf, errbuf_size);
    if (err != SY_OK)
        goto fail;
    if (avro_schema_from_json_length(writer_json, writer_json_len, &res->writer) != 0) {
        err = codec_fail(SY_ERR_WRONG_SCHEMA, errbuf, errbuf_size,
                         "writer's schema does not parse: %s", avro_strerror());
        goto fail;
    }
    if (!is_avro_record(res->writer) ||
        strcmp(avro_schema_name(res->writer), codec->schemas[reader].name) != 0) {
        err = codec_fail(SY_ERR_WRONG_SCHEMA, errbuf, errbuf_size,
                         "writer's schema is %s %s, not the record %s",
                         avro_schema_type_name(res->writer),
                         is_avro_named_type(res->writer) ? avro_schema_name(res->writer) : "",
                         codec->schemas[reader].name);
        goto fail;
    }
    res->identity = avro_schema_equal(res->writer, codec->schemas[reader].schema) != 0;
    err = resolver_values_new(res, errbuf, errbuf_size);
    if (err != SY_OK)
        goto fail;
    *out = res;
    return SY_OK;
fail:
    codec_resolver_free(res);
    return err;
}

bool codec_resolver_identity(const codec_resolver_t *res) {
    /* no assert: a getter */
    return res->identity;
}

/* Make res->out hold the header and body_len bytes; the header names the reader. */
static sy_err_t resolver_out_reserve(codec_resolver_t *res, size_t body_len, char *errbuf,
                                     size_t errbuf_size) {
    /* no assert: on the relabel fast path; need is bounded just below and
     * codec_scratch_reserve asserts its buffer */
    size_t need = CODEC_FRAME_HEADER_BYTES + body_len;
    if (need > SY_FRAME_BYTES_MAX)
        return codec_fail(SY_ERR_LIMIT, errbuf, errbuf_size,
                          "resolved frame of %zu bytes exceeds SY_FRAME_BYTES_MAX (%d)", need,
                          SY_FRAME_BYTES_MAX);
    sy_err_t err = codec_scratch_reserve(&res->out, &res->out_size, need, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    memset(res->out, 0, CODEC_FRAME_HEADER_BYTES);
    res->out[CODEC_FRAME_HEADER_BYTES - 1] = (char)res->reader;
    return SY_OK;
}

/* Read body with the writer's schema, resolve it and write the reader's body. */
static sy_err_t resolver_translate(codec_resolver_t *res, const uint8_t *body, size_t len,
                                   size_t *out_len, char *errbuf, size_t errbuf_size) {
    size_t entries, size = 0;
    assert(!res->identity && res->guard != NULL); /* the writer is another schema */
    sy_err_t err = codec_guard_check(res->guard, body, len, CODEC_FRAME_HEADER_BYTES,
                                     &entries, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    avro_value_reset(&res->writer_value);
    avro_value_reset(&res->reader_value);
    avro_reader_memory_set_source(res->body_reader, (const char *)body, (int64_t)len);
    if (avro_value_read(res->body_reader, &res->writer_value) != 0)
        return codec_fail(SY_ERR_MALFORMED, errbuf, errbuf_size, "writer's body: %s",
                          avro_strerror());
    err = codec_resolve_value(&res->plan, &res->writer_value, &res->reader_value,
                              errbuf, errbuf_size);
    if (err == SY_OK && avro_value_sizeof(&res->reader_value, &size) != 0)
        err = codec_fail(SY_ERR_NOMEM, errbuf, errbuf_size, "%s", avro_strerror());
    if (err == SY_OK)
        err = resolver_out_reserve(res, size, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    avro_writer_memory_set_dest(res->body_writer, res->out + CODEC_FRAME_HEADER_BYTES,
                                (int64_t)size);
    if (avro_value_write(res->body_writer, &res->reader_value) != 0)
        return codec_fail(SY_ERR_NOMEM, errbuf, errbuf_size, "%s", avro_strerror());
    *out_len = size;
    return SY_OK;
}

sy_err_t codec_resolve_frame(codec_resolver_t *res, const void *buf, size_t len,
                             const void **frame, size_t *frame_len, char *errbuf,
                             size_t errbuf_size) {
    /* no assert: the relabel fast path of every registry frame; its bounds are outside
     * input, checked here; resolver_translate asserts the slow path's invariants */
    const uint8_t *p = buf;
    size_t body_len = 0;
    sy_err_t err;
    if (len < CODEC_FRAME_HEADER_BYTES || p[0] != 0 || len > SY_FRAME_BYTES_MAX) {
        sy_schema_id_t ignored;
        err = codec_frame_schema(buf, len, &ignored, errbuf, errbuf_size);
        return err != SY_OK && err != SY_ERR_UNKNOWN_SCHEMA
                   ? err
                   : codec_fail(SY_ERR_LIMIT, errbuf, errbuf_size,
                                "frame of %zu bytes exceeds SY_FRAME_BYTES_MAX (%d)", len,
                                SY_FRAME_BYTES_MAX);
    }
    if (res->identity) {
        body_len = len - CODEC_FRAME_HEADER_BYTES;
        err = resolver_out_reserve(res, body_len, errbuf, errbuf_size);
        if (err == SY_OK)
            memcpy(res->out + CODEC_FRAME_HEADER_BYTES, p + CODEC_FRAME_HEADER_BYTES, body_len);
    } else {
        err = resolver_translate(res, p + CODEC_FRAME_HEADER_BYTES,
                                 len - CODEC_FRAME_HEADER_BYTES, &body_len, errbuf, errbuf_size);
    }
    if (err != SY_OK)
        return err;
    *frame = res->out;
    *frame_len = CODEC_FRAME_HEADER_BYTES + body_len;
    return SY_OK;
}
