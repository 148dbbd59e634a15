/* journey_doc.h — private to the journey loader: a YAML (or JSON) text as a small tree of
 * maps, sequences and scalars that remembers where every node and key starts, so that
 * validation can name FILE:LINE:COLUMN. It knows nothing of journeys; journey.c does. */
#ifndef SY_JOURNEY_DOC_H
#define SY_JOURNEY_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "sy_error.h"

/* Nesting depth of maps and sequences: a journey is five levels deep; the cap keeps the
 * recursive builder's stack small whatever a file holds. */
#define JOURNEY_DOC_DEPTH_MAX 64

typedef enum journey_doc_kind {
    JOURNEY_DOC_SCALAR,
    JOURNEY_DOC_MAP,
    JOURNEY_DOC_SEQ,
} journey_doc_kind_t;

typedef struct journey_doc_node journey_doc_node_t;

/* A key of a map: its text and where it starts (1-based). */
typedef struct journey_doc_key {
    char *text; /* owned */
    int line;
    int column;
} journey_doc_key_t;

struct journey_doc_node {
    journey_doc_kind_t kind;
    int line; /* 1-based start of the node */
    int column;
    char *text;  /* SCALAR: the value (owned), never NULL */
    bool plain;  /* SCALAR: written without quotes, so "null", "~" and "" mean null */
    size_t count;               /* MAP: keys and values; SEQ: items */
    journey_doc_key_t *keys;    /* MAP only (owned) */
    journey_doc_node_t **items; /* MAP values or SEQ items (owned) */
};

/* Parse one YAML document (JSON is read as YAML flow style) into *out. Duplicate keys,
 * non-scalar keys, anchors, aliases and more than one document are errors. On error
 * errbuf reads "SOURCE:LINE:COLUMN: problem" and *out is untouched.
 * Errors: SY_ERR_JOURNEY, SY_ERR_LIMIT (nesting), SY_ERR_NOMEM. text is borrowed. */
sy_err_t journey_doc_parse(journey_doc_node_t **out, const char *text, size_t len,
                           const char *source, char *errbuf, size_t errbuf_size);

/* Free a tree; journey_doc_free(NULL) is a no-op. */
void journey_doc_free(journey_doc_node_t *node);

/* The value of key in a MAP, or NULL when absent (or map is not a MAP). Borrowed. */
const journey_doc_node_t *journey_doc_get(const journey_doc_node_t *map, const char *key);

/* The key entry of key in a MAP, for its position; NULL when absent. Borrowed. */
const journey_doc_key_t *journey_doc_key(const journey_doc_node_t *map, const char *key);

/* True for a plain scalar "", "~", "null" (as `exit:` and `exit: null` write it). */
bool journey_doc_is_null(const journey_doc_node_t *node);

/* A short word for a node's kind in messages: "a map", "a list", "a scalar". */
const char *journey_doc_kind_name(const journey_doc_node_t *node);

#endif
