/* ingest_batch.c — a request's events and their string arena, and the decoding of
 * form-encoded parameters (Twilio's bodies, a callback URL's query). Not the providers'
 * mappings (ingest_sendgrid.c, ingest_twilio.c, ingest_api.c). */
#include "ingest_batch.h"
#include "sy_array.h"

#include <assert.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ingest_arena_chunk {
    ingest_arena_chunk_t *next;
    size_t used;
    size_t cap;
    char data[];
};

static char *arena_alloc(ingest_arena_t *a, size_t n) {
    assert(a);
    ingest_arena_chunk_t *c = a->head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > INGEST_ARENA_CHUNK_BYTES ? n : INGEST_ARENA_CHUNK_BYTES;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    char *p = c->data + c->used;
    c->used += n;
    return p;
}

char *ingest_arena_strndup(ingest_arena_t *a, const char *s, size_t len) {
    assert(s);
    char *p = arena_alloc(a, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *ingest_arena_strdup(ingest_arena_t *a, const char *s) {
    return ingest_arena_strndup(a, s, strlen(s)); /* no assert: strndup asserts */
}

char *ingest_arena_printf(ingest_arena_t *a, const char *fmt, ...) {
    va_list ap;
    assert(fmt);
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (p) {
        va_start(ap, fmt);
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return p;
}

void ingest_arena_reset(ingest_arena_t *a) {
    assert(a);
    while (a->head) {
        ingest_arena_chunk_t *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

sy_event_t *ingest_batch_add(ingest_batch_t *b, sy_err_t *err) {
    assert(b && err);
    if (b->count >= INGEST_BATCH_EVENTS_MAX) {
        *err = SY_ERR_LIMIT;
        return NULL;
    }
    sy_event_t *grown = sy_array_grow(b->events, &b->cap, b->count + 1, sizeof *grown, 16);
    if (!grown) {
        *err = SY_ERR_NOMEM;
        return NULL;
    }
    b->events = grown;
    sy_event_t *e = &b->events[b->count++];
    memset(e, 0, sizeof *e);
    e->bounce = SY_BOUNCE_NONE;
    return e;
}

sy_event_t *ingest_batch_add_found(ingest_batch_t *b, ingest_find_t found,
                                   const char *contact_id, sy_err_t *err) {
    assert(b && err);
    *err = SY_OK;
    if (found != INGEST_FIND_FOUND) {
        b->unmatched++;
        b->not_yet |= found == INGEST_FIND_NOT_YET;
        return NULL;
    }
    sy_event_t *e = ingest_batch_add(b, err);
    if (e)
        e->contact_id = contact_id;
    return e;
}

bool ingest_batch_prop(ingest_batch_t *b, sy_event_t *e, const char *key,
                       const char *value) {
    assert(b && e && key && value);
    if (e->props_count >= SY_EVENT_PROPS_MAX)
        return false;
    const char *copy = ingest_arena_strdup(&b->arena, value);
    if (!copy)
        return false;
    e->props[e->props_count++] = (sy_kv_t){.key = key, .value = copy};
    return true;
}

void ingest_batch_reset(ingest_batch_t *b) {
    assert(b);
    ingest_arena_reset(&b->arena);
    json_object_put(b->json);
    b->json = NULL;
    b->count = 0;
    b->skipped = 0;
    b->unmatched = 0;
    b->not_yet = false;
}

void ingest_batch_deinit(ingest_batch_t *b) {
    if (!b)
        return;
    ingest_batch_reset(b);
    free(b->events);
    b->events = NULL;
    b->cap = 0;
}

static int hex_value(char c) {
    /* no assert: a pure digit lookup */
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode len bytes of a form component into the arena; NULL with *bad set on a bad escape
 * or a NUL, NULL alone out of memory. */
static char *form_decode(ingest_arena_t *a, const char *s, size_t len, bool *bad) {
    assert(s && bad);
    char *out = ingest_arena_strndup(a, s, len);
    if (!out)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
            int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                *bad = true;
                return NULL;
            }
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '\0') {
            *bad = true;
            return NULL;
        }
        out[j++] = c;
    }
    out[j] = '\0';
    return out;
}

sy_err_t ingest_form_parse(ingest_batch_t *b, const char *text, size_t len,
                           ingest_form_t *form, char *errbuf, size_t errbuf_size) {
    assert(b && text && form);
    form->count = 0;
    size_t at = 0;
    while (at < len) {
        const char *amp = memchr(text + at, '&', len - at);
        size_t end = amp ? (size_t)(amp - text) : len;
        if (end > at) {
            const char *eq = memchr(text + at, '=', end - at);
            size_t name_end = eq ? (size_t)(eq - text) : end;
            bool bad = false;
            if (form->count == INGEST_FORM_PARAMS_MAX) {
                sy_errf(errbuf, errbuf_size, "more than %d parameters", INGEST_FORM_PARAMS_MAX);
                return SY_ERR_LIMIT;
            }
            ingest_param_t *p = &form->params[form->count];
            p->name = form_decode(&b->arena, text + at, name_end - at, &bad);
            p->value = !p->name ? NULL
                       : eq ? form_decode(&b->arena, eq + 1, end - name_end - 1, &bad)
                            : ingest_arena_strdup(&b->arena, "");
            if (bad) {
                sy_errf(errbuf, errbuf_size, "parameter %zu: a bad %%-escape or a NUL",
                        form->count + 1);
                return SY_ERR_INVALID_RECORD;
            }
            if (!p->value)
                return SY_ERR_NOMEM;
            form->count++;
        }
        at = end + 1;
    }
    return SY_OK;
}

const char *ingest_form_get(const ingest_form_t *form, const char *name) {
    assert(form && name);
    for (size_t i = 0; i < form->count; i++)
        if (strcmp(form->params[i].name, name) == 0)
            return form->params[i].value;
    return NULL;
}
