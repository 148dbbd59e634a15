/* replay_what_if.c — `switchyard replay --what-if`: the base journeys and a draft run over
 * the same records, each in its own in-memory state, their routing decisions counted per
 * journey: into each node, and along each branch path; then printed side by side as a
 * table or one JSON object. Counts are moves (decisions), not distinct contacts. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "replay_int.h"
#include "sy_hash.h"

/* First size of the count table; it doubles when half full. Journeys have tens of nodes
 * and paths, so a handful of journeys fits without growing. */
#define WHAT_IF_TABLE_SLOTS_MIN 256

/* The two versions compared: the base (DIR) and the draft (--what-if DIR2). */
enum { WHAT_IF_BASE, WHAT_IF_DRAFT, WHAT_IF_VERSIONS };

typedef struct what_if_row {
    char *journey;  /* owned */
    char *node;     /* owned: the node entered, or the branch a path leaves */
    char *path;     /* owned: the path's name; NULL for a node row */
    uint64_t count[WHAT_IF_VERSIONS];
    bool seen[WHAT_IF_VERSIONS];
    size_t order;   /* first seen: rows print in this order within a journey */
} what_if_row_t;

typedef struct what_if {
    what_if_row_t **slots; /* owned: open addressing, NULL when empty */
    size_t slots_count;    /* a power of two */
    size_t rows;
    bool failed;           /* out of memory while counting */
} what_if_t;

/* The sink of one version: ctx points at this, whose table is shared. */
typedef struct what_if_counter {
    what_if_t *table;
    int version;
} what_if_counter_t;

static uint64_t row_hash(const char *journey, const char *node, const char *path) {
    uint64_t h = sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, journey, strlen(journey) + 1);
    h = sy_hash_fnv1a64(h, node, strlen(node) + 1);
    return path ? sy_hash_fnv1a64(h, path, strlen(path) + 1) : h;
}

static bool row_is(const what_if_row_t *r, const char *journey, const char *node,
                   const char *path) {
    return strcmp(r->journey, journey) == 0 && strcmp(r->node, node) == 0 &&
           (path ? r->path && strcmp(r->path, path) == 0 : r->path == NULL);
}

static what_if_row_t **table_find(what_if_t *t, const char *journey, const char *node,
                                  const char *path) {
    size_t mask = t->slots_count - 1, i = row_hash(journey, node, path) & mask;
    while (t->slots[i] && !row_is(t->slots[i], journey, node, path))
        i = (i + 1) & mask;
    return &t->slots[i];
}

static bool table_grow(what_if_t *t) {
    size_t old_count = t->slots_count;
    what_if_row_t **old = t->slots;
    t->slots_count = old_count ? old_count * 2 : WHAT_IF_TABLE_SLOTS_MIN;
    t->slots = calloc(t->slots_count, sizeof *t->slots);
    if (!t->slots) {
        t->slots = old;
        t->slots_count = old_count;
        return false;
    }
    for (size_t i = 0; i < old_count; i++)
        if (old[i])
            *table_find(t, old[i]->journey, old[i]->node, old[i]->path) = old[i];
    free(old);
    return true;
}

static void row_free(what_if_row_t *r) {
    if (!r)
        return;
    free(r->journey);
    free(r->node);
    free(r->path);
    free(r);
}

/* Add n to the row's count of version (n = 0: the version has the row, none went there). */
static void table_count(what_if_t *t, int version, const char *journey, const char *node,
                        const char *path, uint64_t n) {
    if (t->failed || ((t->rows + 1) * 2 > t->slots_count && !table_grow(t))) {
        t->failed = true;
        return;
    }
    what_if_row_t **slot = table_find(t, journey, node, path);
    if (!*slot) {
        what_if_row_t *r = calloc(1, sizeof *r);
        if (r && (r->journey = strdup(journey)) && (r->node = strdup(node)) &&
            (!path || (r->path = strdup(path)))) {
            r->order = t->rows++;
            *slot = r;
        } else {
            row_free(r);
            t->failed = true;
            return;
        }
    }
    (*slot)->count[version] += n;
    (*slot)->seen[version] = true;
}

static sy_err_t count_decision(void *ctx, const sy_decision_t *d) {
    what_if_counter_t *c = ctx;
    table_count(c->table, c->version, d->journey_id, d->to_node, NULL, 1);
    if (d->path && d->from_node)
        table_count(c->table, c->version, d->journey_id, d->from_node, d->path, 1);
    return c->table->failed ? SY_ERR_NOMEM : SY_OK;
}

static sy_err_t count_nothing_action(void *ctx, const sy_action_t *a) {
    (void)ctx;
    (void)a;
    return SY_OK;
}

static sy_err_t count_nothing_update(void *ctx, const sy_contact_update_t *u) {
    (void)ctx;
    (void)u;
    return SY_OK;
}

/* Every node and branch path version's journeys define, at zero: a node no contact
 * reached shows 0, and one the other version lacks shows '-'. */
static void table_seed(what_if_t *t, int version, const journey_set_t *set) {
    for (size_t j = 0; j < set->count; j++) {
        const journey_t *jy = set->journeys[j];
        for (size_t n = 0; n < jy->nodes_count; n++) {
            const journey_node_t *node = &jy->nodes[n];
            table_count(t, version, jy->id, node->id, NULL, 0);
            if (node->kind != JOURNEY_NODE_BRANCH)
                continue;
            for (size_t p = 0; p < node->u.branch.paths_count; p++)
                table_count(t, version, jy->id, node->id, node->u.branch.paths[p].name, 0);
            table_count(t, version, jy->id, node->id, node->u.branch.otherwise_name, 0);
        }
    }
}

/* Journeys by name; within one, nodes before paths, each in the order first seen. */
static int row_compare(const void *a, const void *b) {
    const what_if_row_t *x = *(what_if_row_t *const *)a, *y = *(what_if_row_t *const *)b;
    int c = strcmp(x->journey, y->journey);
    if (c == 0)
        c = (x->path != NULL) - (y->path != NULL);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* The rows, sorted for the report; NULL when out of memory. */
static what_if_row_t **rows_sorted(const what_if_t *t) {
    what_if_row_t **rows = malloc((t->rows ? t->rows : 1) * sizeof *rows);
    if (!rows)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < t->slots_count; i++)
        if (t->slots[i])
            rows[n++] = t->slots[i];
    qsort(rows, n, sizeof *rows, row_compare);
    return rows;
}

/* A count, or '-' for a version without that node or path. */
static void cell(char *buf, size_t size, const what_if_row_t *r, int version) {
    if (r->seen[version])
        snprintf(buf, size, "%" PRIu64, r->count[version]);
    else
        snprintf(buf, size, "-");
}

static void row_print(FILE *out, const what_if_row_t *r, int name_width) {
    char name[512], base[24], draft[24], diff[24];
    if (r->path)
        snprintf(name, sizeof name, "%s / %s", r->node, r->path);
    else
        snprintf(name, sizeof name, "%s", r->node);
    cell(base, sizeof base, r, WHAT_IF_BASE);
    cell(draft, sizeof draft, r, WHAT_IF_DRAFT);
    if (r->seen[WHAT_IF_BASE] && r->seen[WHAT_IF_DRAFT])
        snprintf(diff, sizeof diff, "%+" PRId64,
                 (int64_t)(r->count[WHAT_IF_DRAFT] - r->count[WHAT_IF_BASE]));
    else
        snprintf(diff, sizeof diff, "-");
    fprintf(out, "  %-*s %10s %10s %10s\n", name_width, name, base, draft, diff);
}

static void table_print(FILE *out, what_if_row_t **rows, size_t n) {
    int width = 24;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(rows[i]->node) + (rows[i]->path ? strlen(rows[i]->path) + 3 : 0);
        if (len > (size_t)width && len < 200)
            width = (int)len;
    }
    fprintf(out, "# routing decisions into each node and along each branch path (moves: a "
                 "contact that comes back counts again); '-': not in that version\n");
    for (size_t i = 0; i < n; i++) {
        const what_if_row_t *r = rows[i];
        bool new_journey = i == 0 || strcmp(rows[i - 1]->journey, r->journey) != 0;
        if (new_journey)
            fprintf(out, "\njourney %s\n", r->journey);
        if (new_journey || (r->path && !rows[i - 1]->path))
            fprintf(out, "  %-*s %10s %10s %10s\n", width,
                    r->path ? "path (from node / path)" : "node (decisions into it)",
                    "base", "what-if", "diff");
        row_print(out, r, width);
    }
}

static json_object *json_count(const what_if_row_t *r, int version) {
    return r->seen[version] ? json_object_new_int64((int64_t)r->count[version]) : NULL;
}

static json_object *json_row(const what_if_row_t *r) {
    json_object *o = json_object_new_object();
    json_object_object_add(o, r->path ? "from" : "node", json_object_new_string(r->node));
    if (r->path)
        json_object_object_add(o, "path", json_object_new_string(r->path));
    json_object_object_add(o, "base", json_count(r, WHAT_IF_BASE));
    json_object_object_add(o, "what_if", json_count(r, WHAT_IF_DRAFT));
    bool both = r->seen[WHAT_IF_BASE] && r->seen[WHAT_IF_DRAFT];
    json_object_object_add(
        o, "diff",
        both ? json_object_new_int64((int64_t)(r->count[WHAT_IF_DRAFT] -
                                               r->count[WHAT_IF_BASE]))
             : NULL);
    return o;
}

static void json_print(FILE *out, what_if_row_t **rows, size_t n) {
    json_object *root = json_object_new_object(), *journeys = json_object_new_array();
    json_object *journey = NULL;
    json_object_object_add(root, "counts", json_object_new_string("decisions"));
    json_object_object_add(root, "journeys", journeys);
    for (size_t i = 0; i < n; i++) {
        const what_if_row_t *r = rows[i];
        if (i == 0 || strcmp(rows[i - 1]->journey, r->journey) != 0) {
            journey = json_object_new_object();
            json_object_object_add(journey, "journey", json_object_new_string(r->journey));
            json_object_object_add(journey, "nodes", json_object_new_array());
            json_object_object_add(journey, "paths", json_object_new_array());
            json_object_array_add(journeys, journey);
        }
        json_object *list = NULL;
        json_object_object_get_ex(journey, r->path ? "paths" : "nodes", &list);
        json_object_array_add(list, json_row(r));
    }
    fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
    json_object_put(root);
}

static void table_free(what_if_t *t) {
    for (size_t i = 0; i < t->slots_count; i++)
        row_free(t->slots[i]);
    free(t->slots);
}

_Static_assert((int)WHAT_IF_BASE == (int)REPLAY_WHAT_IF_BASE &&
                   (int)WHAT_IF_DRAFT == (int)REPLAY_WHAT_IF_DRAFT,
               "the maps number the versions as the table does");

/* The table's counts handed to the maps of --map DIR (replay_what_if_map.c). */
static sy_err_t map_write(const char *dir, what_if_row_t **rows, size_t n,
                          simulate_t *const *sims, char *errbuf, size_t errbuf_size) {
    replay_what_if_map_t map = {0};
    sy_err_t err = SY_OK;
    for (size_t i = 0; err == SY_OK && i < n; i++)
        for (int v = 0; err == SY_OK && v < WHAT_IF_VERSIONS; v++)
            if (rows[i]->seen[v])
                err = replay_what_if_map_count(&map, v, rows[i]->journey, rows[i]->node,
                                               rows[i]->path, rows[i]->count[v]);
    if (err != SY_OK)
        snprintf(errbuf, errbuf_size, "out of memory");
    else
        err = replay_what_if_map_write(&map, dir, simulate_journeys(sims[WHAT_IF_BASE]),
                                       simulate_journeys(sims[WHAT_IF_DRAFT]), errbuf,
                                       errbuf_size);
    replay_what_if_map_deinit(&map);
    return err;
}

/* Open the two drivers, each counting into table. */
static sy_err_t drivers_open(simulate_t **sims, what_if_counter_t *counters,
                             const replay_conf_t *conf, const char *what_if_dir,
                             char *errbuf, size_t errbuf_size) {
    sy_err_t err = SY_OK;
    for (int v = 0; err == SY_OK && v < WHAT_IF_VERSIONS; v++) {
        engine_sink_t sink = {count_decision, count_nothing_action, count_nothing_update,
                              &counters[v], NULL};
        simulate_conf_t sim_conf = {
            .journeys_dir = v == WHAT_IF_BASE ? conf->journeys_dir : what_if_dir,
            .sink = &sink, .partitions = conf->partitions, .until = conf->until,
            .until_ms = conf->until_ms};
        err = simulate_open(&sims[v], &sim_conf, errbuf, errbuf_size);
        if (err == SY_OK)
            table_seed(counters[v].table, v, simulate_journeys(sims[v]));
    }
    return err;
}

sy_err_t replay_what_if(const replay_conf_t *conf, const char *what_if_dir, bool json,
                        const char *map_dir, FILE *report, replay_stats_t *stats,
                        replay_stage_t *stage, char *errbuf, size_t errbuf_size) {
    what_if_t table = {0};
    what_if_counter_t counters[WHAT_IF_VERSIONS] = {{&table, WHAT_IF_BASE},
                                                    {&table, WHAT_IF_DRAFT}};
    simulate_t *sims[WHAT_IF_VERSIONS] = {NULL, NULL};
    replay_input_t *input = NULL;
    *stats = (replay_stats_t){0};
    *stage = REPLAY_STAGE_OPEN;
    sy_err_t err = replay_input_open(&input, conf, errbuf, errbuf_size);
    if (err == SY_OK)
        err = drivers_open(sims, counters, conf, what_if_dir, errbuf, errbuf_size);
    if (err == SY_OK && table.failed) {
        snprintf(errbuf, errbuf_size, "out of memory");
        err = SY_ERR_NOMEM;
    }
    if (err == SY_OK) {
        *stage = REPLAY_STAGE_RUN;
        err = replay_drive(input, sims, WHAT_IF_VERSIONS, NULL, NULL, conf->progress, stats,
                           errbuf, errbuf_size);
    }
    what_if_row_t **rows = err == SY_OK ? rows_sorted(&table) : NULL;
    if (err == SY_OK && !rows) {
        snprintf(errbuf, errbuf_size, "out of memory");
        err = SY_ERR_NOMEM;
    } else if (rows) {
        (json ? json_print : table_print)(report, rows, table.rows);
        if (map_dir)
            err = map_write(map_dir, rows, table.rows, sims, errbuf, errbuf_size);
    }
    free(rows);
    table_free(&table);
    for (int v = 0; v < WHAT_IF_VERSIONS; v++)
        simulate_close(sims[v]);
    replay_input_close(input);
    return err;
}
