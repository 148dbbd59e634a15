/* replay_what_if_map.c — the maps of `replay --what-if --map DIR`: per journey, one HTML
 * page with the base and the what-if version's maps side by side, each showing the moves
 * the what-if run counted into each node and along each named path. The counting is
 * replay_what_if.c's and the drawing journey_map.h's; this file turns one into the other. */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "replay_int.h"

/* Which numbers a what-if map shows: the run counts moves (decisions), not contacts at a
 * node, and moves without a path name are counted only as moves into their node. */
#define WHAT_IF_MAP_SHOW (JOURNEY_MAP_SHOW_ENTERED | JOURNEY_MAP_SHOW_TOOK)

/* The counts of journey under version, made empty when missing; NULL when out of memory. */
static journey_map_counts_t *map_counts(replay_what_if_map_t *m, int version,
                                        const char *journey) {
    journey_map_counts_set_t *set = &m->versions[version];
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->journeys[i].journey, journey) == 0)
            return &set->journeys[i];
    journey_map_counts_t *grown = realloc(set->journeys, (set->count + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    set->journeys = grown;
    journey_map_counts_t *c = &grown[set->count];
    *c = (journey_map_counts_t){.journey = strdup(journey), .show = WHAT_IF_MAP_SHOW};
    if (!c->journey)
        return NULL;
    set->count++;
    return c;
}

sy_err_t replay_what_if_map_count(replay_what_if_map_t *m, int version, const char *journey,
                                  const char *node, const char *path, uint64_t count) {
    assert(version >= 0 && version < REPLAY_WHAT_IF_VERSIONS);
    journey_map_counts_t *c = map_counts(m, version, journey);
    if (!c)
        return SY_ERR_NOMEM;
    if (path)
        return journey_map_counts_edge_add(c, node, path, NULL, count);
    journey_map_node_counts_t *n = journey_map_counts_node(c, node);
    if (!n)
        return SY_ERR_NOMEM;
    n->entered += count;
    return SY_OK;
}

/* The highest version of id in set, or NULL. */
static const journey_t *journey_latest(const journey_set_t *set, const char *id) {
    const journey_t *best = NULL;
    for (size_t i = 0; i < set->count; i++)
        if (strcmp(set->journeys[i]->id, id) == 0 &&
            (!best || set->journeys[i]->version > best->version))
            best = set->journeys[i];
    return best;
}

/* The page of journey id: the base version's map and the what-if's, whichever exist. */
static sy_err_t map_page(const replay_what_if_map_t *m, const char *dir, const char *id,
                         const journey_set_t *const sets[REPLAY_WHAT_IF_VERSIONS],
                         char *errbuf, size_t errbuf_size) {
    static const char *const names[REPLAY_WHAT_IF_VERSIONS] = {"base", "what-if"};
    char captions[REPLAY_WHAT_IF_VERSIONS][SY_ID_BYTES_MAX + 32], path[4096];
    char *svgs[REPLAY_WHAT_IF_VERSIONS] = {NULL, NULL};
    journey_map_figure_t figures[REPLAY_WHAT_IF_VERSIONS];
    size_t count = 0;
    sy_err_t err = SY_OK;
    for (int v = 0; err == SY_OK && v < REPLAY_WHAT_IF_VERSIONS; v++) {
        const journey_t *j = journey_latest(sets[v], id);
        if (!j)
            continue;
        const journey_map_counts_t *c = journey_map_counts_set_find(&m->versions[v], id, 0);
        journey_map_counts_t none = {.show = WHAT_IF_MAP_SHOW};
        size_t len;
        err = journey_map_render_svg(j, c ? c : &none, &svgs[v], &len, errbuf, errbuf_size);
        snprintf(captions[v], sizeof captions[v], "%s: %s v%" PRId32, names[v], id,
                 j->version);
        figures[count++] = (journey_map_figure_t){captions[v], svgs[v]};
    }
    int n = snprintf(path, sizeof path, "%s/%s.html", dir, id);
    if (err == SY_OK && (n < 0 || (size_t)n >= sizeof path)) {
        snprintf(errbuf, errbuf_size, "%s: path too long", dir);
        err = SY_ERR_IO;
    }
    if (err == SY_OK)
        err = journey_map_save_html(path, id, figures, count, errbuf, errbuf_size);
    for (int v = 0; v < REPLAY_WHAT_IF_VERSIONS; v++)
        free(svgs[v]);
    return err;
}

sy_err_t replay_what_if_map_write(const replay_what_if_map_t *m, const char *dir,
                                  const journey_set_t *base, const journey_set_t *what_if,
                                  char *errbuf, size_t errbuf_size) {
    const journey_set_t *const sets[REPLAY_WHAT_IF_VERSIONS] = {base, what_if};
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(errbuf, errbuf_size, "--map %s: %s", dir, strerror(errno));
        return SY_ERR_IO;
    }
    sy_err_t err = SY_OK;
    for (int v = 0; err == SY_OK && v < REPLAY_WHAT_IF_VERSIONS; v++) {
        for (size_t i = 0; err == SY_OK && i < sets[v]->count; i++) {
            const journey_t *j = sets[v]->journeys[i];
            bool done = journey_latest(sets[v], j->id) != j ||
                        (v > 0 && journey_latest(sets[0], j->id)); /* drawn already */
            if (!done)
                err = map_page(m, dir, j->id, sets, errbuf, errbuf_size);
        }
    }
    return err;
}

void replay_what_if_map_deinit(replay_what_if_map_t *m) {
    for (int v = 0; v < REPLAY_WHAT_IF_VERSIONS; v++) {
        for (size_t i = 0; i < m->versions[v].count; i++)
            journey_map_counts_deinit(&m->versions[v].journeys[i]);
        free(m->versions[v].journeys);
        m->versions[v] = (journey_map_counts_set_t){0};
    }
}
