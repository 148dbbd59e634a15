/* admin_journeys.c — the body of /journeys: every loaded journey version with its campaign
 * metrics, its nodes (id, kind, contacts now there, campaign metrics) and the paths
 * contacts took since it was deployed, from the published gauges. JSON through json-c.
 * Not the map (no layout here). */
#include <assert.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "admin_int.h"
#include "campaign_json.h"

static const char *const node_kinds[] = {
    [JOURNEY_NODE_SEND] = "send",     [JOURNEY_NODE_BRANCH] = "branch",
    [JOURNEY_NODE_UPDATE] = "update", [JOURNEY_NODE_EXIT] = "exit",
    [JOURNEY_NODE_WAIT] = "wait",     [JOURNEY_NODE_CONDITION] = "condition",
    [JOURNEY_NODE_SPLIT] = "split",   [JOURNEY_NODE_TASK] = "task",
};

/* The campaign_value_fn of the published campaign series (ctx: the admin server, its lock
 * held): the metric's family, its labels as the catalog lists them. */
static double campaign_value(void *ctx, const campaign_count_t *k) {
    const admin_t *a = ctx;
    const char *labels[4];
    size_t n = 0;
    assert(a && k && (unsigned)k->metric < CAMPAIGN_METRIC__COUNT);
    labels[n++] = k->journey;
    labels[n++] = k->version;
    if (campaign_metrics[k->metric].per_node)
        labels[n++] = k->node;
    if (campaign_metrics[k->metric].detail)
        labels[n++] = k->detail;
    const admin_series_t *s = admin_table_get(&a->gauges,
                                              (uint16_t)(ADMIN_CAMPAIGN_ENTERED + k->metric),
                                              labels, n);
    return s && s->present ? s->value : 0;
}

static json_object *nodes_json(const admin_t *a, const journey_t *j, const char *version,
                               const campaign_currencies_t *cur) {
    json_object *nodes = json_object_new_array();
    assert(j && version);
    for (size_t i = 0; i < j->nodes_count; i++) {
        const journey_node_t *n = &j->nodes[i];
        const char *labels[] = {j->id, version, n->id};
        const admin_series_t *s = admin_table_get(&a->gauges, ADMIN_NODE_CONTACTS, labels, 3);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(n->id));
        json_object_object_add(o, "kind", json_object_new_string(
            (unsigned)n->kind < sizeof node_kinds / sizeof *node_kinds ? node_kinds[n->kind]
                                                                         : "?"));
        json_object_object_add(o, "contacts",
                               json_object_new_int64(s && s->present ? (int64_t)s->value : 0));
        json_object_object_add(o, "campaign", campaign_json_node(j, n, campaign_value,
                                                                 (void *)a, cur));
        json_object_array_add(nodes, o);
    }
    return nodes;
}

static json_object *paths_json(const admin_t *a, const journey_t *j, const char *version) {
    json_object *paths = json_object_new_array();
    assert(j && version);
    for (size_t i = 0; i < a->gauges.cap; i++) {
        const admin_series_t *s = &a->gauges.slots[i];
        if (!s->hash || !s->present || s->family != ADMIN_PATH_CONTACTS ||
            strcmp(admin_series_label(s, 0), j->id) != 0 ||
            strcmp(admin_series_label(s, 1), version) != 0)
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "from", json_object_new_string(admin_series_label(s, 2)));
        json_object_object_add(o, "to", json_object_new_string(admin_series_label(s, 3)));
        json_object_object_add(o, "path", json_object_new_string(admin_series_label(s, 4)));
        json_object_object_add(o, "contacts", json_object_new_int64((int64_t)s->value));
        json_object_array_add(paths, o);
    }
    return paths;
}

void admin_journeys_render(admin_t *a, admin_buf_t *b) {
    json_object *root = json_object_new_object(), *list = json_object_new_array();
    assert(a && b);
    campaign_currencies_t cur;
    pthread_mutex_lock(&a->lock);
    campaign_currencies_collect(&cur, &a->gauges, ADMIN_CAMPAIGN_CALL_CONVERSIONS, 3);
    for (size_t i = 0; i < a->journeys_count; i++) {
        const journey_t *j = a->journeys[i];
        char version[16];
        snprintf(version, sizeof version, "%d", (int)j->version);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(j->id));
        json_object_object_add(o, "version", json_object_new_int(j->version));
        char map[SY_ID_BYTES_MAX + 48];
        snprintf(map, sizeof map, "/journeys/%s/map.svg?version=%s", j->id, version);
        json_object_object_add(o, "map", json_object_new_string(map));
        json_object_object_add(o, "campaign", campaign_json_journey(j, campaign_value,
                                                                    (void *)a, &cur));
        json_object_object_add(o, "nodes", nodes_json(a, j, version, &cur));
        json_object_object_add(o, "paths", paths_json(a, j, version));
        json_object_array_add(list, o);
    }
    pthread_mutex_unlock(&a->lock);
    json_object_object_add(root, "journeys", list);
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                                JSON_C_TO_STRING_SPACED);
    admin_buf_printf(b, "%s\n", text);
    json_object_put(root);
}
