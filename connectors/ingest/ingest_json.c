/* ingest_json.c — strict parsing of a webhook's JSON body and typed member reads
 * (ingest_json.h). Not the mappings of any provider. */
#include "ingest_json.h"

#include <assert.h>
#include <string.h>

sy_err_t ingest_json_parse(ingest_batch_t *b, const char *body, size_t len,
                           json_object **root, char *errbuf, size_t errbuf_size) {
    assert(b && body && root);
    struct json_tokener *tok = json_tokener_new_ex(INGEST_JSON_DEPTH_MAX);
    if (!tok)
        return SY_ERR_NOMEM;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *obj = len > 0 ? json_tokener_parse_ex(tok, body, (int)len) : NULL;
    enum json_tokener_error jerr = len > 0 ? json_tokener_get_error(tok)
                                           : json_tokener_continue;
    size_t used = len > 0 ? json_tokener_get_parse_end(tok) : 0;
    json_tokener_free(tok);
    if (jerr != json_tokener_success || used != len) {
        json_object_put(obj);
        sy_errf(errbuf, errbuf_size, "the body is not JSON: %s at byte %zu",
                jerr == json_tokener_success ? "trailing bytes"
                : jerr == json_tokener_continue ? "it ends early"
                : json_tokener_error_desc(jerr), used);
        return SY_ERR_INVALID_RECORD;
    }
    json_object_put(b->json);
    b->json = obj;
    *root = obj;
    return SY_OK;
}

const char *ingest_json_str(json_object *obj, const char *key) {
    json_object *v;
    assert(obj && key);
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

bool ingest_json_int(json_object *obj, const char *key, int64_t *out) {
    json_object *v;
    assert(obj && key && out);
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
        return false;
    *out = json_object_get_int64(v);
    return true;
}

const char *ingest_json_scalar(ingest_arena_t *arena, json_object *obj, const char *key) {
    json_object *v;
    assert(arena && obj && key);
    if (!json_object_object_get_ex(obj, key, &v))
        return NULL;
    switch (json_object_get_type(v)) {
    case json_type_string:
        return json_object_get_string(v);
    case json_type_int:
    case json_type_double:
    case json_type_boolean:
        return ingest_arena_strdup(arena, json_object_to_json_string(v));
    default:
        return NULL;
    }
}
