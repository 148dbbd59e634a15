/* journey_params.c — the `params` map of send and task nodes: each value kept as written
 * and compiled as a template ("Hi {{contact.first_name}}"), in file order. Rendering
 * them is the engine's business (expr_template_render), not this file's. */
#include "journey_int.h"

#include <stdlib.h>
#include <string.h>

/* params[i] as written and compiled; *count grows only once both are in place. */
static sy_err_t params_one(journey_build_t *b, const journey_doc_node_t *map, size_t i,
                           const expr_scope_t *scope, size_t *count, sy_kv_t *params,
                           journey_param_t *templates) {
    char *value = NULL, *key = NULL;
    expr_template_t *tmpl = NULL;
    sy_err_t err = journey_string(b, map->items[i], map->keys[i].text, &value);
    if (!err)
        err = journey_template(b, map->items[i], scope, &tmpl);
    if (err)
        goto fail;
    key = strdup(map->keys[i].text);
    if (!key) {
        err = journey_fail(b, SY_ERR_NOMEM, map->line, map->column, "out of memory");
        goto fail;
    }
    params[*count] = (sy_kv_t){.key = key, .value = value};
    templates[*count] = (journey_param_t){.name = key, .text = value, .value = tmpl};
    (*count)++;
    return SY_OK;
fail:
    free(value);
    expr_template_free(tmpl);
    return err;
}

sy_err_t journey_params_build(journey_build_t *b, const journey_doc_node_t *map, bool send,
                              size_t *count, sy_kv_t **params, journey_param_t **templates) {
    if (journey_doc_is_null(map))
        return SY_OK;
    if (map->kind != JOURNEY_DOC_MAP)
        return journey_fail(b, SY_ERR_JOURNEY, map->line, map->column,
                            "'params' must be a map, not %s", journey_doc_kind_name(map));
    if (map->count > SY_ACTION_PARAMS_MAX)
        return journey_fail(b, SY_ERR_LIMIT, map->keys[SY_ACTION_PARAMS_MAX].line,
                            map->keys[SY_ACTION_PARAMS_MAX].column, "more than %d params",
                            SY_ACTION_PARAMS_MAX);
    size_t slots = map->count ? map->count : 1;
    *params = calloc(slots, sizeof **params);
    *templates = calloc(slots, sizeof **templates);
    if (!*params || !*templates)
        return journey_fail(b, SY_ERR_NOMEM, map->line, map->column, "out of memory");
    expr_scope_t scope = journey_scope(b, NULL);
    scope.has_action = send;
    for (size_t i = 0; i < map->count; i++) {
        sy_err_t err = params_one(b, map, i, &scope, count, *params, *templates);
        if (err)
            return err;
    }
    return SY_OK;
}
