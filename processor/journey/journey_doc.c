/* journey_doc.c — YAML text to a journey_doc tree, through libyaml's event parser.
 * Keeps the position of every node and key and refuses what journeys never need
 * (anchors, aliases, complex keys, several documents). It does not know journey keys: journey.c. */
#include "journey_doc.h"
#include "sy_array.h"
#include "sy_str_index.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct doc_parser {
    yaml_parser_t yaml;
    const char *source;
    const char *text;
    size_t len;
    char *errbuf;
    size_t errbuf_size;
} doc_parser_t;

static sy_err_t doc_fail(doc_parser_t *p, sy_err_t err, int line, int column,
                         const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sy_errf_at_v(p->errbuf, p->errbuf_size, p->source, line, column, fmt, ap);
    va_end(ap);
    return err;
}

/* Reader errors carry a byte offset, not a mark: count lines up to it. */
static sy_err_t doc_fail_reader(doc_parser_t *p) {
    int line = 1, column = 1;
    size_t end = p->yaml.problem_offset < p->len ? p->yaml.problem_offset : p->len;
    for (size_t i = 0; i < end; i++) {
        if (p->text[i] == '\n') {
            line++;
            column = 1;
        } else if (((unsigned char)p->text[i] & 0xC0) != 0x80) {
            column++;
        }
    }
    return doc_fail(p, SY_ERR_JOURNEY, line, column, "%s", p->yaml.problem);
}

static sy_err_t doc_fail_syntax(doc_parser_t *p) {
    yaml_parser_t *y = &p->yaml;
    if (y->error == YAML_MEMORY_ERROR)
        return doc_fail(p, SY_ERR_NOMEM, 1, 1, "out of memory");
    if (y->error == YAML_READER_ERROR)
        return doc_fail_reader(p);
    int line = (int)y->problem_mark.line + 1, column = (int)y->problem_mark.column + 1;
    const char *problem = y->problem ? y->problem : "syntax error";
    if (y->context)
        return doc_fail(p, SY_ERR_JOURNEY, line, column, "%s (%s at line %d)", problem,
                        y->context, (int)y->context_mark.line + 1);
    return doc_fail(p, SY_ERR_JOURNEY, line, column, "%s", problem);
}

static sy_err_t doc_next(doc_parser_t *p, yaml_event_t *ev) {
    if (!yaml_parser_parse(&p->yaml, ev))
        return doc_fail_syntax(p);
    return SY_OK;
}

static int doc_line(const yaml_event_t *ev) { return (int)ev->start_mark.line + 1; }
static int doc_column(const yaml_event_t *ev) { return (int)ev->start_mark.column + 1; }

/* A copy of a scalar's text; libyaml's may hold NUL bytes ("\0"), which we refuse. */
static sy_err_t doc_scalar_copy(doc_parser_t *p, const yaml_event_t *ev, char **out) {
    const char *value = (const char *)ev->data.scalar.value;
    size_t length = ev->data.scalar.length;
    if (memchr(value, '\0', length))
        return doc_fail(p, SY_ERR_JOURNEY, doc_line(ev), doc_column(ev),
                        "a string holds a NUL character");
    char *copy = malloc(length + 1);
    if (!copy)
        return doc_fail(p, SY_ERR_NOMEM, doc_line(ev), doc_column(ev), "out of memory");
    memcpy(copy, value, length);
    copy[length] = '\0';
    *out = copy;
    return SY_OK;
}

/* Anchors (&name) are refused like aliases: a journey never needs them, and an unused one
 * would hint at sharing that does not happen. */
static sy_err_t doc_anchor_check(doc_parser_t *p, const yaml_event_t *ev) {
    const yaml_char_t *anchor = NULL;
    if (ev->type == YAML_SCALAR_EVENT)
        anchor = ev->data.scalar.anchor;
    else if (ev->type == YAML_SEQUENCE_START_EVENT)
        anchor = ev->data.sequence_start.anchor;
    else if (ev->type == YAML_MAPPING_START_EVENT)
        anchor = ev->data.mapping_start.anchor;
    if (!anchor)
        return SY_OK;
    return doc_fail(p, SY_ERR_JOURNEY, doc_line(ev), doc_column(ev),
                    "anchors (&%s) are not supported in journeys", (const char *)anchor);
}

static journey_doc_node_t *doc_node_new(journey_doc_kind_t kind, const yaml_event_t *ev) {
    journey_doc_node_t *node = calloc(1, sizeof *node);
    if (!node)
        return NULL;
    node->kind = kind;
    node->line = doc_line(ev);
    node->column = doc_column(ev);
    return node;
}

/* Room for one more item (and key, for maps) in node; arrays grow by doubling. The keys
 * share the items' capacity *cap, which moves only once both have grown. */
static bool doc_node_grow(journey_doc_node_t *node, size_t *cap) {
    size_t items_cap = *cap, keys_cap = *cap;
    journey_doc_node_t **items =
        sy_array_grow(node->items, &items_cap, node->count + 1, sizeof *items, 8);
    if (!items)
        return false;
    node->items = items;
    if (node->kind == JOURNEY_DOC_MAP) {
        journey_doc_key_t *keys =
            sy_array_grow(node->keys, &keys_cap, node->count + 1, sizeof *keys, 8);
        if (!keys)
            return false;
        node->keys = keys;
    }
    *cap = items_cap;
    return true;
}

static sy_err_t doc_parse_node(doc_parser_t *p, yaml_event_t *ev, int depth,
                               journey_doc_node_t **out);

static sy_err_t doc_parse_seq(doc_parser_t *p, journey_doc_node_t *seq, int depth) {
    size_t cap = 0;
    for (;;) {
        yaml_event_t ev;
        sy_err_t err = doc_next(p, &ev);
        if (err)
            return err;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return SY_OK;
        }
        if (!doc_node_grow(seq, &cap)) {
            yaml_event_delete(&ev);
            return doc_fail(p, SY_ERR_NOMEM, seq->line, seq->column, "out of memory");
        }
        err = doc_parse_node(p, &ev, depth + 1, &seq->items[seq->count]);
        if (err)
            return err;
        seq->count++;
    }
}

/* Reads the key event of one map entry; a NULL text (end of map) means no more keys. */
static sy_err_t doc_parse_key(doc_parser_t *p, const journey_doc_node_t *map,
                              const sy_str_index_t *keys, journey_doc_key_t *key) {
    yaml_event_t ev;
    sy_err_t err = doc_next(p, &ev);
    if (err)
        return err;
    key->text = NULL;
    key->line = doc_line(&ev);
    key->column = doc_column(&ev);
    if (ev.type == YAML_MAPPING_END_EVENT) {
        yaml_event_delete(&ev);
        return SY_OK;
    }
    if (ev.type != YAML_SCALAR_EVENT) {
        yaml_event_delete(&ev);
        return doc_fail(p, SY_ERR_JOURNEY, key->line, key->column, "keys must be strings");
    }
    err = doc_anchor_check(p, &ev);
    if (!err)
        err = doc_scalar_copy(p, &ev, &key->text);
    yaml_event_delete(&ev);
    if (err)
        return err;
    size_t first = sy_str_index_find(keys, key->text);
    if (first != SIZE_MAX) {
        err = doc_fail(p, SY_ERR_JOURNEY, key->line, key->column,
                       "duplicate key '%s' (first at line %d)", key->text,
                       map->keys[first].line);
        free(key->text);
        key->text = NULL;
        return err;
    }
    return SY_OK;
}

static sy_err_t doc_parse_map(doc_parser_t *p, journey_doc_node_t *map, int depth) {
    size_t cap = 0;
    sy_str_index_t keys = {0}; /* the map's keys so far, for the duplicate check */
    sy_err_t err = SY_OK;
    for (;;) {
        journey_doc_key_t key;
        err = doc_parse_key(p, map, &keys, &key);
        if (err || !key.text)
            break;
        if (!doc_node_grow(map, &cap)) {
            free(key.text);
            err = doc_fail(p, SY_ERR_NOMEM, key.line, key.column, "out of memory");
            break;
        }
        yaml_event_t ev;
        err = doc_next(p, &ev);
        if (!err)
            err = doc_parse_node(p, &ev, depth + 1, &map->items[map->count]);
        if (err) {
            free(key.text);
            break;
        }
        map->keys[map->count++] = key;
        if (!sy_str_index_add(&keys, key.text, map->count - 1)) {
            err = doc_fail(p, SY_ERR_NOMEM, key.line, key.column, "out of memory");
            break;
        }
    }
    sy_str_index_deinit(&keys);
    return err;
}

/* Builds the node that starts with ev (taken: deleted here) and, for collections, all
 * that it holds. */
static sy_err_t doc_parse_node(doc_parser_t *p, yaml_event_t *ev, int depth,
                               journey_doc_node_t **out) {
    journey_doc_node_t *node = NULL;
    sy_err_t err = SY_OK;
    if (depth > JOURNEY_DOC_DEPTH_MAX) {
        err = doc_fail(p, SY_ERR_LIMIT, doc_line(ev), doc_column(ev),
                       "nested deeper than %d levels", JOURNEY_DOC_DEPTH_MAX);
        goto fail;
    }
    err = doc_anchor_check(p, ev);
    if (err)
        goto fail;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        node = doc_node_new(JOURNEY_DOC_SCALAR, ev);
        if (node) {
            node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            err = doc_scalar_copy(p, ev, &node->text);
        }
        break;
    case YAML_SEQUENCE_START_EVENT:
        node = doc_node_new(JOURNEY_DOC_SEQ, ev);
        if (node)
            err = doc_parse_seq(p, node, depth);
        break;
    case YAML_MAPPING_START_EVENT:
        node = doc_node_new(JOURNEY_DOC_MAP, ev);
        if (node)
            err = doc_parse_map(p, node, depth);
        break;
    case YAML_ALIAS_EVENT:
        err = doc_fail(p, SY_ERR_JOURNEY, doc_line(ev), doc_column(ev),
                       "aliases (*name) are not supported in journeys");
        goto fail;
    default:
        err = doc_fail(p, SY_ERR_JOURNEY, doc_line(ev), doc_column(ev), "unexpected input");
        goto fail;
    }
    if (!node)
        err = doc_fail(p, SY_ERR_NOMEM, doc_line(ev), doc_column(ev), "out of memory");
    if (err)
        goto fail;
    yaml_event_delete(ev);
    *out = node;
    return SY_OK;
fail:
    journey_doc_free(node);
    yaml_event_delete(ev);
    return err;
}

/* Expects the next event to be of type want; anything else is reported as what. */
static sy_err_t doc_expect(doc_parser_t *p, yaml_event_type_t want, const char *what) {
    yaml_event_t ev;
    sy_err_t err = doc_next(p, &ev);
    if (err)
        return err;
    if (ev.type != want)
        err = doc_fail(p, SY_ERR_JOURNEY, doc_line(&ev), doc_column(&ev), "%s", what);
    yaml_event_delete(&ev);
    return err;
}

static sy_err_t doc_parse_stream(doc_parser_t *p, journey_doc_node_t **out) {
    journey_doc_node_t *root = NULL;
    yaml_event_t ev;
    sy_err_t err = doc_expect(p, YAML_STREAM_START_EVENT, "unexpected input");
    if (!err)
        err = doc_expect(p, YAML_DOCUMENT_START_EVENT, "the file holds no journey");
    if (!err)
        err = doc_next(p, &ev);
    if (!err)
        err = doc_parse_node(p, &ev, 0, &root);
    if (!err)
        err = doc_expect(p, YAML_DOCUMENT_END_EVENT, "unexpected input");
    if (!err)
        err = doc_expect(p, YAML_STREAM_END_EVENT, "a file holds one journey: found a "
                                                   "second document");
    if (err)
        goto fail;
    *out = root;
    return SY_OK;
fail:
    journey_doc_free(root);
    return err;
}

sy_err_t journey_doc_parse(journey_doc_node_t **out, const char *text, size_t len,
                           const char *source, char *errbuf, size_t errbuf_size) {
    doc_parser_t p = {.source = source, .text = text, .len = len, .errbuf = errbuf,
                      .errbuf_size = errbuf_size};
    if (!yaml_parser_initialize(&p.yaml))
        return doc_fail(&p, SY_ERR_NOMEM, 1, 1, "out of memory");
    yaml_parser_set_input_string(&p.yaml, (const unsigned char *)text, len);
    journey_doc_node_t *root = NULL;
    sy_err_t err = doc_parse_stream(&p, &root);
    yaml_parser_delete(&p.yaml);
    if (err)
        return err;
    *out = root;
    return SY_OK;
}

void journey_doc_free(journey_doc_node_t *node) {
    if (!node)
        return;
    for (size_t i = 0; i < node->count; i++) {
        if (node->keys)
            free(node->keys[i].text);
        journey_doc_free(node->items[i]);
    }
    free(node->keys);
    free(node->items);
    free(node->text);
    free(node);
}

static const journey_doc_key_t *doc_find(const journey_doc_node_t *map, const char *key,
                                         size_t *index) {
    if (!map || map->kind != JOURNEY_DOC_MAP)
        return NULL;
    for (size_t i = 0; i < map->count; i++) {
        if (strcmp(map->keys[i].text, key) == 0) {
            *index = i;
            return &map->keys[i];
        }
    }
    return NULL;
}

const journey_doc_node_t *journey_doc_get(const journey_doc_node_t *map, const char *key) {
    size_t i;
    return doc_find(map, key, &i) ? map->items[i] : NULL;
}

const journey_doc_key_t *journey_doc_key(const journey_doc_node_t *map, const char *key) {
    size_t i;
    return doc_find(map, key, &i);
}

bool journey_doc_is_null(const journey_doc_node_t *node) {
    if (!node || node->kind != JOURNEY_DOC_SCALAR || !node->plain)
        return false;
    return node->text[0] == '\0' || strcmp(node->text, "~") == 0 ||
           strcmp(node->text, "null") == 0;
}

const char *journey_doc_kind_name(const journey_doc_node_t *node) {
    if (journey_doc_is_null(node))
        return "empty";
    switch (node->kind) {
    case JOURNEY_DOC_MAP:
        return "a map";
    case JOURNEY_DOC_SEQ:
        return "a list";
    default:
        return "a string";
    }
}
