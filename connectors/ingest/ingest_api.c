/* ingest_api.c — the JSON endpoint's body (one event object, or an array of them) into
 * engagement events: each object is read as a line of an event file is (event_json.h,
 * docs/simulate.md), with event_id required, and copied into the batch. Not the bearer
 * token (ingest_http.c). */
#include "ingest_batch.h"

#include <assert.h>
#include <string.h>

#include "event_json.h"
#include "ingest_json.h"

static const char *arena_copy(ingest_arena_t *a, const char *s, bool *failed) {
    assert(a && failed);
    if (!s)
        return NULL;
    const char *copy = ingest_arena_strdup(a, s);
    *failed |= !copy;
    return copy;
}

/* A copy of src (borrowed from the event parser) whose strings live in b's arena. */
static sy_err_t api_event_copy(ingest_batch_t *b, const sy_event_t *src) {
    sy_err_t err = SY_OK;
    bool failed = false;
    assert(b && src);
    sy_event_t *e = ingest_batch_add(b, &err);
    if (!e)
        return err;
    *e = *src;
    e->event_id = arena_copy(&b->arena, src->event_id, &failed);
    e->contact_id = arena_copy(&b->arena, src->contact_id, &failed);
    e->message_id = arena_copy(&b->arena, src->message_id, &failed);
    e->journey_id = arena_copy(&b->arena, src->journey_id, &failed);
    e->node_id = arena_copy(&b->arena, src->node_id, &failed);
    e->name = arena_copy(&b->arena, src->name, &failed);
    e->link = arena_copy(&b->arena, src->link, &failed);
    e->text = arena_copy(&b->arena, src->text, &failed);
    for (size_t i = 0; i < src->props_count; i++) {
        e->props[i].key = arena_copy(&b->arena, src->props[i].key, &failed);
        e->props[i].value = arena_copy(&b->arena, src->props[i].value, &failed);
    }
    return failed ? SY_ERR_NOMEM : SY_OK;
}

static sy_err_t api_element(event_json_t *parser, json_object *el, size_t index,
                            ingest_batch_t *b, char *errbuf, size_t errbuf_size) {
    event_json_line_t line;
    assert(parser && b);
    if (!json_object_is_type(el, json_type_object) || !ingest_json_str(el, "event_id")) {
        sy_errf(errbuf, errbuf_size, "event %zu: not an object with an event_id", index + 1);
        return SY_ERR_INVALID_RECORD;
    }
    size_t len;
    const char *text = json_object_to_json_string_length(el, JSON_C_TO_STRING_PLAIN, &len);
    if (!text)
        return SY_ERR_NOMEM;
    sy_err_t err = event_json_parse(parser, text, len, (long)index + 1, &line, errbuf,
                                    errbuf_size);
    if (err != SY_OK)
        return err;
    if (line.kind != EVENT_JSON_EVENT) {
        sy_errf(errbuf, errbuf_size, "event %zu: not an engagement event", index + 1);
        return SY_ERR_INVALID_RECORD;
    }
    return api_event_copy(b, line.event);
}

sy_err_t ingest_api_parse(const char *body, size_t len, ingest_batch_t *b, char *errbuf,
                          size_t errbuf_size) {
    event_json_t *parser = NULL;
    json_object *root;
    assert(body && b);
    sy_err_t err = ingest_json_parse(b, body, len, &root, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    /* "event" in messages: "event:3: unknown field 'x'" names the array element. */
    if ((err = event_json_open(&parser, "event", errbuf, errbuf_size)) != SY_OK)
        return err;
    if (json_object_is_type(root, json_type_array)) {
        size_t n = json_object_array_length(root);
        if (n > INGEST_BATCH_EVENTS_MAX) {
            sy_errf(errbuf, errbuf_size, "more than %d events", INGEST_BATCH_EVENTS_MAX);
            err = SY_ERR_LIMIT;
        }
        for (size_t i = 0; i < n && err == SY_OK; i++)
            err = api_element(parser, json_object_array_get_idx(root, i), i, b, errbuf,
                              errbuf_size);
    } else {
        err = api_element(parser, root, 0, b, errbuf, errbuf_size);
    }
    event_json_close(parser);
    return err;
}
