/* journey_doc_read.h — small readers of a journey_doc tree for documents other than a
 * journey (the calls document, conversion rules): an error at a node, a non-empty scalar,
 * allowed keys. Errors read "SOURCE:LINE:COLUMN: problem". The journey builder has its own
 * (journey_int.h): its messages and error code differ. */
#ifndef SY_JOURNEY_DOC_READ_H
#define SY_JOURNEY_DOC_READ_H

#include "journey_doc.h"

/* Where a reader writes its errors. */
typedef struct journey_doc_reader {
    const char *source; /* borrowed: names the document in messages */
    char *errbuf;       /* borrowed */
    size_t errbuf_size;
} journey_doc_reader_t;

/* Writes "SOURCE:LINE:COLUMN: message" at node at into r's errbuf; returns SY_ERR_CONFIG. */
sy_err_t journey_doc_fail(const journey_doc_reader_t *r, const journey_doc_node_t *at,
                          const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Every key of map is one of allowed (NULL-terminated); where names the map in messages
 * ("a pool"). Errors (SY_ERR_CONFIG): "WHERE must be a map, not KIND" when map is not a
 * map, "unknown key 'K' in WHERE" at the first other key's value. */
sy_err_t journey_doc_keys_check(const journey_doc_reader_t *r, const journey_doc_node_t *map,
                                const char *const *allowed, const char *where);

/* The text of the non-empty scalar v into *out (borrowed from v); otherwise
 * SY_ERR_CONFIG: "'KEY' must be a non-empty value". */
sy_err_t journey_doc_scalar(const journey_doc_reader_t *r, const journey_doc_node_t *v,
                            const char *key, const char **out);

/* As journey_doc_scalar, with a copy in *out (owned by the caller on success). Errors:
 * SY_ERR_CONFIG, SY_ERR_NOMEM (nothing in errbuf). */
sy_err_t journey_doc_owned(const journey_doc_reader_t *r, const journey_doc_node_t *v,
                           const char *key, char **out);

#endif
