/* journey_map_counts_json.c — reading a counts file for the journey map (format in
 * journey_map.h and docs/observability.md) with json-c. Every problem names the file and
 * where in it (journeys[2].edges[0].took), and nothing is returned in part. Not the
 * counts' container (journey_map_counts.c). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "journey_map.h"
#include "sy_file.h"

/* Nesting the format needs is 5 ({journeys:[{nodes:{N:{at}}}]}); a little room over. */
#define COUNTS_JSON_DEPTH_MAX 16

/* Bytes of a place in the file, as "journeys[12].nodes.NODE.conversions". */
#define COUNTS_WHERE_BYTES (SY_ID_BYTES_MAX + 64)

typedef struct counts_reader {
    const char *source;
    char *errbuf;
    size_t errbuf_size;
} counts_reader_t;

static sy_err_t reader_fail(const counts_reader_t *r, sy_err_t err, const char *where,
                            const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static sy_err_t reader_fail(const counts_reader_t *r, sy_err_t err, const char *where,
                            const char *fmt, ...) {
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(r->errbuf, r->errbuf_size, "%s: %s%s%s", r->source, where ? where : "",
             where ? ": " : "", what);
    return err;
}

/* A place in the file into at; a very long one is cut (it is only for the message). */
static void where_at(char *at, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void where_at(char *at, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(at, size, fmt, ap);
    va_end(ap);
}

/* A count: a whole number >= 0. */
static sy_err_t read_count(const counts_reader_t *r, json_object *v, const char *where,
                           uint64_t *out) {
    if (!json_object_is_type(v, json_type_int))
        return reader_fail(r, SY_ERR_INVALID_ARG, where, "not a whole number");
    errno = 0;
    int64_t n = json_object_get_int64(v);
    if (n < 0 || errno != 0)
        return reader_fail(r, SY_ERR_INVALID_ARG, where, "not a count >= 0");
    *out = (uint64_t)n;
    return SY_OK;
}

static sy_err_t read_revenue(const counts_reader_t *r, json_object *v, const char *where,
                             double *out) {
    if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
        return reader_fail(r, SY_ERR_INVALID_ARG, where, "not a number");
    double x = json_object_get_double(v);
    if (!isfinite(x) || x < 0)
        return reader_fail(r, SY_ERR_INVALID_ARG, where, "not a number >= 0");
    *out = x;
    return SY_OK;
}

/* A node's "call_revenue": {"CUR": X, ...}, three upper-case letters each. */
static sy_err_t read_call_revenue(const counts_reader_t *r, journey_map_node_counts_t *n,
                                  json_object *v, const char *where) {
    char at[COUNTS_WHERE_BYTES];
    if (!json_object_is_type(v, json_type_object))
        return reader_fail(r, SY_ERR_INVALID_ARG, where, "not an object");
    json_object_object_foreach(v, code, value) {
        double x;
        where_at(at, sizeof at, "%s.%s", where, code);
        bool iso = strlen(code) == 3;
        for (size_t i = 0; iso && i < 3; i++)
            iso = code[i] >= 'A' && code[i] <= 'Z';
        if (!iso)
            return reader_fail(r, SY_ERR_INVALID_ARG, at, "not an ISO 4217 code, like USD");
        sy_err_t err = read_revenue(r, value, at, &x);
        if (err != SY_OK)
            return err;
        if (!journey_map_counts_call_revenue_add(n, code, x))
            return reader_fail(r, SY_ERR_INVALID_ARG, at, "more currencies than a map shows");
    }
    return SY_OK;
}

/* One node's object: {"at":N,"entered":N,"conversions":N,"revenue":X,
 * "call_revenue":{"CUR":X}}, each optional. */
static sy_err_t read_node(const counts_reader_t *r, journey_map_counts_t *c, const char *id,
                          json_object *v, const char *where) {
    if (!json_object_is_type(v, json_type_object))
        return reader_fail(r, SY_ERR_INVALID_ARG, where, "not an object");
    journey_map_node_counts_t *n = journey_map_counts_node(c, id);
    if (!n)
        return reader_fail(r, SY_ERR_NOMEM, NULL, "out of memory");
    sy_err_t err = SY_OK;
    char at[COUNTS_WHERE_BYTES];
    json_object_object_foreach(v, key, value) {
        where_at(at, sizeof at, "%s.%s", where, key);
        if (strcmp(key, "at") == 0) {
            err = read_count(r, value, at, &n->at);
        } else if (strcmp(key, "entered") == 0) {
            c->show |= JOURNEY_MAP_SHOW_ENTERED;
            err = read_count(r, value, at, &n->entered);
        } else if (strcmp(key, "conversions") == 0) {
            c->show |= JOURNEY_MAP_SHOW_CONVERSIONS;
            err = read_count(r, value, at, &n->conversions);
        } else if (strcmp(key, "revenue") == 0) {
            c->show |= JOURNEY_MAP_SHOW_REVENUE;
            err = read_revenue(r, value, at, &n->revenue);
        } else if (strcmp(key, "call_revenue") == 0) {
            c->show |= JOURNEY_MAP_SHOW_CALL_REVENUE;
            err = read_call_revenue(r, n, value, at);
        } else {
            err = reader_fail(r, SY_ERR_INVALID_ARG, at,
                              "unknown key (at, entered, conversions, revenue, "
                              "call_revenue)");
        }
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}

/* An edge's "from", "path" or "to": a string, null or absent. */
static sy_err_t read_name(const counts_reader_t *r, json_object *edge, const char *key,
                          const char *where, const char **out) {
    json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(edge, key, &v) || v == NULL)
        return SY_OK;
    char at[COUNTS_WHERE_BYTES];
    where_at(at, sizeof at, "%s.%s", where, key);
    if (!json_object_is_type(v, json_type_string))
        return reader_fail(r, SY_ERR_INVALID_ARG, at, "not a string or null");
    *out = json_object_get_string(v);
    return SY_OK;
}

static sy_err_t read_edge(const counts_reader_t *r, journey_map_counts_t *c, json_object *v,
                          const char *where) {
    if (!json_object_is_type(v, json_type_object))
        return reader_fail(r, SY_ERR_INVALID_ARG, where, "not an object");
    json_object_object_foreach(v, key, value) {
        (void)value;
        if (strcmp(key, "from") && strcmp(key, "path") && strcmp(key, "to") &&
            strcmp(key, "took")) {
            char at[COUNTS_WHERE_BYTES];
            where_at(at, sizeof at, "%s.%s", where, key);
            return reader_fail(r, SY_ERR_INVALID_ARG, at, "unknown key (from, path, to, took)");
        }
    }
    const char *from, *path, *to;
    uint64_t took = 0;
    json_object *t = NULL;
    char at[COUNTS_WHERE_BYTES];
    where_at(at, sizeof at, "%s.took", where);
    sy_err_t err = read_name(r, v, "from", where, &from);
    if (err == SY_OK)
        err = read_name(r, v, "path", where, &path);
    if (err == SY_OK)
        err = read_name(r, v, "to", where, &to);
    if (err == SY_OK && json_object_object_get_ex(v, "took", &t))
        err = read_count(r, t, at, &took);
    if (err == SY_OK && journey_map_counts_edge_add(c, from, path, to, took) != SY_OK)
        return reader_fail(r, SY_ERR_NOMEM, NULL, "out of memory");
    return err;
}

/* "nodes" and "edges" of one journey. */
static sy_err_t read_lists(const counts_reader_t *r, journey_map_counts_t *c, json_object *v,
                           const char *where) {
    char at[COUNTS_WHERE_BYTES];
    json_object *nodes = NULL, *edges = NULL;
    sy_err_t err = SY_OK;
    if (json_object_object_get_ex(v, "nodes", &nodes)) {
        where_at(at, sizeof at, "%s.nodes", where);
        if (!json_object_is_type(nodes, json_type_object))
            return reader_fail(r, SY_ERR_INVALID_ARG, at, "not an object of nodes");
        json_object_object_foreach(nodes, id, node) {
            where_at(at, sizeof at, "%s.nodes.%.*s", where, SY_ID_BYTES_MAX, id);
            if ((err = read_node(r, c, id, node, at)) != SY_OK)
                return err;
        }
    }
    if (json_object_object_get_ex(v, "edges", &edges)) {
        where_at(at, sizeof at, "%s.edges", where);
        if (!json_object_is_type(edges, json_type_array))
            return reader_fail(r, SY_ERR_INVALID_ARG, at, "not an array of edges");
        for (size_t i = 0; i < json_object_array_length(edges); i++) {
            where_at(at, sizeof at, "%s.edges[%zu]", where, i);
            if ((err = read_edge(r, c, json_object_array_get_idx(edges, i), at)) != SY_OK)
                return err;
        }
    }
    return SY_OK;
}

/* One journey's counts: {"id":..., "version":..., "nodes":{...}, "edges":[...]}. */
static sy_err_t read_journey(const counts_reader_t *r, journey_map_counts_t *c,
                             json_object *v, const char *where) {
    json_object *id = NULL, *version = NULL;
    char at[COUNTS_WHERE_BYTES];
    if (!json_object_is_type(v, json_type_object))
        return reader_fail(r, SY_ERR_INVALID_ARG, where, "not an object");
    json_object_object_foreach(v, key, value) {
        (void)value;
        if (strcmp(key, "id") && strcmp(key, "version") && strcmp(key, "nodes") &&
            strcmp(key, "edges")) {
            where_at(at, sizeof at, "%s.%s", where, key);
            return reader_fail(r, SY_ERR_INVALID_ARG, at,
                               "unknown key (id, version, nodes, edges)");
        }
    }
    where_at(at, sizeof at, "%s.id", where);
    if (!json_object_object_get_ex(v, "id", &id) || !json_object_is_type(id, json_type_string))
        return reader_fail(r, SY_ERR_INVALID_ARG, at, "missing, or not a string");
    if (json_object_object_get_ex(v, "version", &version)) {
        where_at(at, sizeof at, "%s.version", where);
        int64_t n = json_object_get_int64(version);
        if (!json_object_is_type(version, json_type_int) || n < 1 || n > INT32_MAX)
            return reader_fail(r, SY_ERR_INVALID_ARG, at, "not a version (1 and up)");
        c->version = (int32_t)n;
    }
    c->show = JOURNEY_MAP_SHOW_AT | JOURNEY_MAP_SHOW_TOOK | JOURNEY_MAP_SHOW_TOOK_UNNAMED;
    if (!(c->journey = strdup(json_object_get_string(id))))
        return reader_fail(r, SY_ERR_NOMEM, NULL, "out of memory");
    return read_lists(r, c, v, where);
}

static sy_err_t read_root(const counts_reader_t *r, json_object *root,
                          journey_map_counts_set_t *set) {
    json_object *list = NULL;
    if (!json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "journeys", &list) ||
        !json_object_is_type(list, json_type_array))
        return reader_fail(r, SY_ERR_INVALID_ARG, NULL,
                           "not a counts file: want {\"journeys\": [...]}");
    size_t n = json_object_array_length(list);
    set->journeys = calloc(n ? n : 1, sizeof *set->journeys);
    if (!set->journeys)
        return reader_fail(r, SY_ERR_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char at[COUNTS_WHERE_BYTES];
        where_at(at, sizeof at, "journeys[%zu]", i);
        set->count = i + 1;
        sy_err_t err = read_journey(r, &set->journeys[i], json_object_array_get_idx(list, i),
                                    at);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}

/* The line of byte offset end in text, for messages. */
static size_t line_of(const char *text, size_t end) {
    size_t line = 1;
    for (size_t i = 0; i < end; i++)
        line += text[i] == '\n';
    return line;
}

sy_err_t journey_map_counts_set_parse(journey_map_counts_set_t **out, const char *text,
                                      size_t len, const char *source, char *errbuf,
                                      size_t errbuf_size) {
    counts_reader_t r = {source, errbuf, errbuf_size};
    struct json_tokener *tok = json_tokener_new_ex(COUNTS_JSON_DEPTH_MAX);
    journey_map_counts_set_t *set = calloc(1, sizeof *set);
    if (!tok || !set || len > INT32_MAX) {
        json_tokener_free(tok);
        free(set);
        return reader_fail(&r, len > INT32_MAX ? SY_ERR_LIMIT : SY_ERR_NOMEM, NULL,
                           len > INT32_MAX ? "too large" : "out of memory");
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *root = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    sy_err_t err = SY_OK;
    if (jerr != json_tokener_success)
        err = reader_fail(&r, SY_ERR_INVALID_ARG, NULL, "not JSON: %s at line %zu",
                          jerr == json_tokener_continue ? "unexpected end"
                                                        : json_tokener_error_desc(jerr),
                          line_of(text, end));
    else
        err = read_root(&r, root, set);
    json_object_put(root);
    json_tokener_free(tok);
    if (err != SY_OK) {
        journey_map_counts_set_free(set);
        return err;
    }
    *out = set;
    return SY_OK;
}

sy_err_t journey_map_counts_set_load(journey_map_counts_set_t **out, const char *path,
                                     char *errbuf, size_t errbuf_size) {
    char *text = NULL;
    size_t len = 0;
    sy_err_t err = sy_file_read(path, JOURNEY_MAP_COUNTS_FILE_BYTES_MAX, &text, &len, errbuf,
                                errbuf_size);
    if (err != SY_OK)
        return err;
    err = journey_map_counts_set_parse(out, text, len, path, errbuf, errbuf_size);
    free(text);
    return err;
}
