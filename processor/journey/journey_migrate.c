/* journey_migrate.c — the `migrate:` section: which node of an older version each contact
 * in flight moves to when this version is deployed. The old version's ids are kept as
 * written (its file may be gone); moving contacts is the engine's business. */
#include "journey_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const migrate_keys[] = {"from_version", "nodes", NULL};

static sy_err_t migrate_from_version(journey_build_t *b, const journey_doc_node_t *value) {
    const char *t = value->kind == JOURNEY_DOC_SCALAR ? value->text : "";
    size_t digits = strspn(t, "0123456789");
    int64_t from = digits > 0 && digits <= 9 && t[digits] == '\0' ? strtoll(t, NULL, 10) : 0;
    if (from < 1)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "'from_version' must be a whole number from 1 to 999999999");
    if (from >= b->journey->version)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "'from_version' %s must be below this journey's version %d", t,
                            (int)b->journey->version);
    b->journey->migration.from_version = (int32_t)from;
    return SY_OK;
}

static sy_err_t migrate_nodes(journey_build_t *b, const journey_doc_node_t *map) {
    journey_migration_t *m = &b->journey->migration;
    if (map->kind != JOURNEY_DOC_MAP || map->count == 0)
        return journey_fail(b, SY_ERR_JOURNEY, map->line, map->column,
                            "'nodes' of migrate must be a map of old node id to new node id");
    if (map->count > JOURNEY_NODES_MAX)
        return journey_fail(b, SY_ERR_LIMIT, map->keys[JOURNEY_NODES_MAX].line,
                            map->keys[JOURNEY_NODES_MAX].column, "more than %d nodes",
                            JOURNEY_NODES_MAX);
    m->from_nodes = calloc(map->count, sizeof *m->from_nodes);
    m->to_nodes = calloc(map->count, sizeof *m->to_nodes);
    if (!m->from_nodes || !m->to_nodes)
        return journey_fail(b, SY_ERR_NOMEM, map->line, map->column, "out of memory");
    for (size_t i = 0; i < map->count; i++) {
        const journey_doc_key_t *key = &map->keys[i];
        if (!journey_id_valid(key->text))
            return journey_fail(b, SY_ERR_JOURNEY, key->line, key->column,
                                "bad node id '%s': use 1 to %d of a-z, 0-9, '_', '.', '-'",
                                key->text, SY_ID_BYTES_MAX);
        sy_err_t err = journey_ref(b, map->items[i], "migrate", &m->to_nodes[i]);
        if (err)
            return err;
        m->from_nodes[i] = strdup(key->text);
        if (!m->from_nodes[i])
            return journey_fail(b, SY_ERR_NOMEM, key->line, key->column, "out of memory");
        m->count++;
    }
    return SY_OK;
}

sy_err_t journey_migrate_build(journey_build_t *b, const journey_doc_node_t *root) {
    const journey_doc_node_t *map = journey_doc_get(root, "migrate"), *from, *nodes;
    if (!map)
        return SY_OK;
    sy_err_t err = journey_keys_check(b, map, migrate_keys, "migrate");
    if (!err)
        err = journey_need(b, map, "from_version", "migrate", &from);
    if (!err)
        err = migrate_from_version(b, from);
    if (!err)
        err = journey_need(b, map, "nodes", "migrate", &nodes);
    if (!err)
        err = migrate_nodes(b, nodes);
    return err;
}
