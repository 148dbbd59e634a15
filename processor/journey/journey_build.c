/* journey_build.c — the small checks every part of a journey file shares: messages with
 * positions, allowed and required keys, strings, node references (and journey_node_index,
 * the public lookup of a node by id) and durations.
 * What each node kind means is in journey_node.c and journey_branch.c. */
#include "journey_int.h"
#include "sy_array.h"
#include "sy_time.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sy_err_t journey_fail(journey_build_t *b, sy_err_t err, int line, int column,
                      const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sy_errf_at_v(b->errbuf, b->errbuf_size, b->source, line, column, fmt, ap);
    va_end(ap);
    return err;
}

bool journey_id_valid(const char *id) {
    size_t len = strlen(id);
    if (len == 0 || len > SY_ID_BYTES_MAX)
        return false;
    return strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_.-") == len;
}

static bool build_key_allowed(const char *key, const char *const *allowed) {
    for (size_t i = 0; allowed[i]; i++) {
        if (strcmp(key, allowed[i]) == 0)
            return true;
    }
    return false;
}

/* "a, b, c" of a NULL-terminated list, cut short if buf is small. */
static void build_key_list(char *buf, size_t size, const char *const *allowed) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; allowed[i] && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", allowed[i]);
        if (n < 0)
            return;
        used += (size_t)n;
    }
}

sy_err_t journey_keys_check(journey_build_t *b, const journey_doc_node_t *map,
                            const char *const *allowed, const char *where) {
    if (map->kind != JOURNEY_DOC_MAP)
        return journey_fail(b, SY_ERR_JOURNEY, map->line, map->column,
                            "%s must be a map, not %s", where, journey_doc_kind_name(map));
    for (size_t i = 0; i < map->count; i++) {
        const journey_doc_key_t *key = &map->keys[i];
        if (build_key_allowed(key->text, allowed))
            continue;
        char expected[256];
        build_key_list(expected, sizeof expected, allowed);
        return journey_fail(b, SY_ERR_JOURNEY, key->line, key->column,
                            "unknown key '%s' in %s (expected %s)", key->text, where,
                            expected);
    }
    return SY_OK;
}

sy_err_t journey_need(journey_build_t *b, const journey_doc_node_t *map, const char *key,
                      const char *where, const journey_doc_node_t **out) {
    const journey_doc_node_t *value = journey_doc_get(map, key);
    if (!value)
        return journey_fail(b, SY_ERR_JOURNEY, map->line, map->column, "missing '%s' in %s",
                            key, where);
    *out = value;
    return SY_OK;
}

sy_err_t journey_string(journey_build_t *b, const journey_doc_node_t *value,
                        const char *key, char **out) {
    if (value->kind != JOURNEY_DOC_SCALAR || journey_doc_is_null(value))
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "'%s' must be a string, not %s", key,
                            journey_doc_kind_name(value));
    char *copy = strdup(value->text);
    if (!copy)
        return journey_fail(b, SY_ERR_NOMEM, value->line, value->column, "out of memory");
    *out = copy;
    return SY_OK;
}

int journey_node_index(const journey_t *journey, const char *id) {
    assert(journey && id);
    for (size_t i = 0; i < journey->nodes_count; i++)
        if (journey->nodes[i].id == id)
            return (int)i;
    for (size_t i = 0; i < journey->nodes_count; i++)
        if (journey->nodes[i].id && strcmp(journey->nodes[i].id, id) == 0)
            return (int)i;
    return -1;
}

sy_err_t journey_ref(journey_build_t *b, const journey_doc_node_t *value, const char *key,
                     uint16_t *out) {
    if (value->kind != JOURNEY_DOC_SCALAR || journey_doc_is_null(value))
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "'%s' must name a node, not %s", key,
                            journey_doc_kind_name(value));
    int index = journey_node_index(b->journey, value->text);
    if (index < 0)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "'%s' names node '%s', which does not exist", key, value->text);
    *out = (uint16_t)index;
    return SY_OK;
}

static bool build_edges_grow(journey_build_t *b) {
    journey_edge_t *edges =
        sy_array_grow(b->edges, &b->edges_cap, b->edges_count + 1, sizeof *edges, 64);
    if (!edges)
        return false;
    b->edges = edges;
    return true;
}

sy_err_t journey_target(journey_build_t *b, uint16_t from, const journey_doc_node_t *map,
                        const char *key, const char *where, uint16_t *out) {
    const journey_doc_node_t *value;
    uint16_t to;
    sy_err_t err = journey_need(b, map, key, where, &value);
    if (!err)
        err = journey_ref(b, value, key, &to);
    if (err)
        return err;
    if (!build_edges_grow(b))
        return journey_fail(b, SY_ERR_NOMEM, value->line, value->column, "out of memory");
    b->edges[b->edges_count++] = (journey_edge_t){
        .from = from, .to = to, .line = value->line, .column = value->column};
    *out = to;
    return SY_OK;
}

sy_err_t journey_duration(journey_build_t *b, const journey_doc_node_t *value, int64_t *ms) {
    const char *text = value->kind == JOURNEY_DOC_SCALAR ? value->text : "";
    sy_duration_status_t status =
        value->kind == JOURNEY_DOC_SCALAR ? sy_duration_parse(text, ms) : SY_DURATION_BAD;
    if (status == SY_DURATION_TOO_LARGE)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "duration '%s' is too large: the longest is %s (100 years)", text,
                            SY_DURATION_MAX_TEXT);
    if (status != SY_DURATION_OK)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "bad duration '%s': write a positive whole number and a unit "
                            "(ms, s, m, h, d), like 24h", text);
    return SY_OK;
}
