/* journey_doc_read.c — the readers of journey_doc_read.h: errors at a node, non-empty
 * scalars and allowed keys, shared by the calls document and conversion rules. Not the
 * parsing of the text (journey_doc.c) nor what any key means. */
#include "journey_doc_read.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

sy_err_t journey_doc_fail(const journey_doc_reader_t *r, const journey_doc_node_t *at,
                          const char *fmt, ...) {
    va_list ap;
    assert(r && at);
    va_start(ap, fmt);
    sy_errf_at_v(r->errbuf, r->errbuf_size, r->source, at->line, at->column, fmt, ap);
    va_end(ap);
    return SY_ERR_CONFIG;
}

sy_err_t journey_doc_keys_check(const journey_doc_reader_t *r, const journey_doc_node_t *map,
                                const char *const *allowed, const char *where) {
    assert(r && map && allowed && where);
    if (map->kind != JOURNEY_DOC_MAP)
        return journey_doc_fail(r, map, "%s must be a map, not %s", where,
                                journey_doc_kind_name(map));
    for (size_t i = 0; i < map->count; i++) {
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], map->keys[i].text) != 0)
            k++;
        if (!allowed[k])
            return journey_doc_fail(r, map->items[i], "unknown key '%s' in %s",
                                    map->keys[i].text, where);
    }
    return SY_OK;
}

sy_err_t journey_doc_scalar(const journey_doc_reader_t *r, const journey_doc_node_t *v,
                            const char *key, const char **out) {
    assert(r && v && key && out);
    if (v->kind != JOURNEY_DOC_SCALAR || v->text[0] == '\0')
        return journey_doc_fail(r, v, "'%s' must be a non-empty value", key);
    *out = v->text;
    return SY_OK;
}

sy_err_t journey_doc_owned(const journey_doc_reader_t *r, const journey_doc_node_t *v,
                           const char *key, char **out) {
    const char *text = NULL;
    assert(out);
    sy_err_t err = journey_doc_scalar(r, v, key, &text);
    if (err)
        return err;
    *out = strdup(text);
    return *out ? SY_OK : SY_ERR_NOMEM;
}
