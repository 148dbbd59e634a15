/* admin_map.c — the live journey maps of the admin server: /journeys/ID/map.svg (a loaded
 * version's map, the latest unless ?version=N, with the contacts now at each node and the
 * contacts that took each edge, summed over this instance's partitions: /journeys' numbers)
 * and /journeys/ID (or /journeys/ID/map.html), an HTML page holding it; and the index's
 * links to them. The counts are copied under the admin lock and Graphviz lays the map out
 * after it, under a lock of its own. Not the routing (admin_server.c) nor the drawing. */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"
#include "journey_map.h"

/* Bytes of a 4xx or 5xx body: a reason naming the id and the versions loaded. */
#define ADMIN_MAP_REASON_BYTES 1024

/* What a live map shows: contacts at each node, and moves along every edge, named or not. */
#define ADMIN_MAP_SHOW \
    (JOURNEY_MAP_SHOW_AT | JOURNEY_MAP_SHOW_TOOK | JOURNEY_MAP_SHOW_TOOK_UNNAMED)

/* Graphviz keeps global state: one layout at a time in the process, whichever HTTP thread
 * asks (the other pages do not wait for it). */
static pthread_mutex_t map_render_lock = PTHREAD_MUTEX_INITIALIZER;

typedef enum map_form { MAP_SVG, MAP_HTML } map_form_t;

/* /journeys/ID, /journeys/ID/map.html or /journeys/ID/map.svg: the id into id (size bytes)
 * and which form; false for any other url. */
static bool map_url_parse(const char *url, char *id, size_t size, map_form_t *form) {
    static const char prefix[] = "/journeys/";
    assert(url && id && size && form);
    if (strncmp(url, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *rest = url + sizeof prefix - 1;
    size_t n = strcspn(rest, "/");
    if (n == 0 || n >= size)
        return false;
    if (rest[n] == '\0' || strcmp(rest + n, "/map.html") == 0)
        *form = MAP_HTML;
    else if (strcmp(rest + n, "/map.svg") == 0)
        *form = MAP_SVG;
    else
        return false;
    memcpy(id, rest, n);
    id[n] = '\0';
    return true;
}

/* ?version=: absent is 0 (the latest); false when not a whole number 1..INT32_MAX. */
static bool version_parse(const char *text, int32_t *version) {
    assert(version);
    *version = 0;
    if (!text)
        return true;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!*text || *end || errno || v < 1 || v > INT32_MAX)
        return false;
    *version = (int32_t)v;
    return true;
}

/* The version of id in s (0: the highest loaded), or NULL. */
static const journey_t *snapshot_find(const admin_snapshot_t *s, const char *id,
                                      int32_t version) {
    const journey_t *best = NULL;
    assert(id);
    for (size_t i = 0; s && i < s->count; i++) {
        const journey_t *j = s->journeys[i];
        if (strcmp(j->id, id) == 0 && (version ? j->version == version
                                               : !best || j->version > best->version))
            best = j;
    }
    return best;
}

/* Why id (at version, 0: any) has no map: the versions of id loaded, or none. */
static void not_found_reason(const admin_snapshot_t *s, const char *id, int32_t version,
                             char *buf, size_t size) {
    admin_buf_t b = {0};
    size_t len, loaded = 0;
    assert(id && buf && size);
    for (size_t i = 0; s && i < s->count; i++)
        if (strcmp(s->journeys[i]->id, id) == 0)
            admin_buf_printf(&b, "%s%" PRId32, loaded++ ? ", " : "", s->journeys[i]->version);
    admin_buf_append(&b, "", 0);
    char *versions = admin_buf_take(&b, &len);
    if (loaded)
        snprintf(buf, size, "journey %s has no version %" PRId32 " loaded (loaded: %s)", id,
                 version, versions ? versions : "?");
    else
        snprintf(buf, size, "no journey %s is loaded (see /journeys for those that are)",
                 id);
    free(versions);
}

/* The published call revenue of j's send nodes into c, per currency; shown when any. */
static sy_err_t call_revenue_fill(const admin_t *a, const journey_t *j, const char *version,
                                  journey_map_counts_t *c) {
    assert(a && j && version);
    for (size_t i = 0; i < a->gauges.cap; i++) {
        const admin_series_t *s = &a->gauges.slots[i];
        if (!s->hash || !s->present || s->family != ADMIN_CAMPAIGN_CALL_REVENUE ||
            s->value == 0 || strcmp(admin_series_label(s, 0), j->id) != 0 ||
            strcmp(admin_series_label(s, 1), version) != 0 ||
            strlen(admin_series_label(s, 3)) != 3)
            continue;
        journey_map_node_counts_t *n = journey_map_counts_node(c, admin_series_label(s, 2));
        if (!n)
            return SY_ERR_NOMEM;
        if (journey_map_counts_call_revenue_add(n, admin_series_label(s, 3), s->value))
            c->show |= JOURNEY_MAP_SHOW_CALL_REVENUE; /* no room: left out of the map */
    }
    return SY_OK;
}

/* The published live counts of j into c: contacts at each node, contacts along each path
 * (from, path "" are the entry and a move without a name), call revenue of send nodes.
 * Called under the admin lock. */
static sy_err_t counts_fill(const admin_t *a, const journey_t *j, journey_map_counts_t *c) {
    char version[16];
    assert(j && c);
    snprintf(version, sizeof version, "%" PRId32, j->version);
    for (size_t i = 0; i < j->nodes_count; i++) {
        const char *labels[] = {j->id, version, j->nodes[i].id};
        const admin_series_t *s = admin_table_get(&a->gauges, ADMIN_NODE_CONTACTS, labels, 3);
        journey_map_node_counts_t *n = journey_map_counts_node(c, j->nodes[i].id);
        if (!n)
            return SY_ERR_NOMEM;
        n->at = s && s->present && s->value > 0 ? (uint64_t)s->value : 0;
    }
    for (size_t i = 0; i < a->gauges.cap; i++) {
        const admin_series_t *s = &a->gauges.slots[i];
        if (!s->hash || !s->present || s->family != ADMIN_PATH_CONTACTS || s->value <= 0 ||
            strcmp(admin_series_label(s, 0), j->id) != 0 ||
            strcmp(admin_series_label(s, 1), version) != 0)
            continue;
        const char *from = admin_series_label(s, 2), *path = admin_series_label(s, 4);
        if (journey_map_counts_edge_add(c, *from ? from : NULL, *path ? path : NULL,
                                        admin_series_label(s, 3), (uint64_t)s->value) != SY_OK)
            return SY_ERR_NOMEM;
    }
    return call_revenue_fill(a, j, version, c);
}

static void reply_text(admin_reply_t *reply, unsigned status, const char *text) {
    admin_buf_t b = {0};
    assert(reply && text);
    admin_buf_printf(&b, "%s\n", text);
    *reply = (admin_reply_t){.status = status, .type = "text/plain; charset=utf-8"};
    reply->body = admin_buf_take(&b, &reply->len);
}

/* The HTML page holding svg (taken: freed here), as journey_map_html_write lays it out. */
static void reply_page(admin_reply_t *reply, const journey_t *j, char *svg) {
    char title[SY_ID_BYTES_MAX + 32];
    char *page = NULL;
    size_t len = 0;
    assert(j && svg);
    snprintf(title, sizeof title, "%s v%" PRId32 " (live)", j->id, j->version);
    journey_map_figure_t figure = {
        "at N: contacts now at the node; took N: contacts that took the edge since the "
        "version was deployed; calls N.NN CUR: revenue of the conversions of calls to the "
        "numbers a send leased; summed over this instance's partitions", svg};
    FILE *out = open_memstream(&page, &len);
    bool written = out && journey_map_html_write(out, title, &figure, 1);
    if (out && fclose(out) != 0)
        written = false;
    free(svg);
    if (!written) {
        free(page);
        reply_text(reply, 500, "out of memory writing the map's page");
        return;
    }
    *reply = (admin_reply_t){.status = 200, .type = "text/html; charset=utf-8", .body = page,
                             .len = len};
}

/* Lay out j with counts and answer with the SVG or its page. */
static void reply_map(admin_reply_t *reply, const journey_t *j,
                      const journey_map_counts_t *counts, map_form_t form) {
    char errbuf[ADMIN_MAP_REASON_BYTES], *svg = NULL;
    size_t len = 0;
    assert(j && counts);
    pthread_mutex_lock(&map_render_lock);
    sy_err_t err = journey_map_render_svg(j, counts, &svg, &len, errbuf, sizeof errbuf);
    pthread_mutex_unlock(&map_render_lock);
    if (err != SY_OK)
        reply_text(reply, 500, errbuf);
    else if (form == MAP_SVG)
        *reply = (admin_reply_t){.status = 200, .type = "image/svg+xml; charset=utf-8",
                                 .body = svg, .len = len};
    else
        reply_page(reply, j, svg);
}

bool admin_map_answer(admin_t *a, const char *url, const char *version_text,
                      admin_reply_t *reply) {
    char id[SY_ID_BYTES_MAX + 1], reason[ADMIN_MAP_REASON_BYTES];
    map_form_t form;
    int32_t version;
    assert(a && url && reply);
    if (!map_url_parse(url, id, sizeof id, &form))
        return false;
    if (!version_parse(version_text, &version)) {
        snprintf(reason, sizeof reason, "version=%.64s: not a version number (a whole "
                 "number >= 1; leave it out for the latest loaded)", version_text);
        reply_text(reply, 400, reason);
        return true;
    }
    journey_map_counts_t counts = {.show = ADMIN_MAP_SHOW};
    admin_snapshot_t *held = NULL;
    sy_err_t err = SY_OK;
    pthread_mutex_lock(&a->lock);
    const journey_t *j = snapshot_find(a->snapshot, id, version);
    if (j) {
        held = admin_snapshot_ref(a->snapshot); /* j stays while the map is drawn */
        err = counts_fill(a, j, &counts);
    } else {
        not_found_reason(a->snapshot, id, version, reason, sizeof reason);
    }
    pthread_mutex_unlock(&a->lock);
    if (!j)
        reply_text(reply, 404, reason);
    else if (err != SY_OK)
        reply_text(reply, 500, "out of memory copying the map's counts");
    else
        reply_map(reply, j, &counts, form);
    journey_map_counts_deinit(&counts);
    admin_snapshot_unref(held);
    return true;
}

void admin_map_links_render(admin_t *a, admin_buf_t *b) {
    assert(a && b);
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < a->journeys_count; i++) {
        const journey_t *j = a->journeys[i];
        admin_buf_printf(b, "<li><a href=\"/journeys/%s?version=%" PRId32 "\">%s v%" PRId32
                         "</a> — live map (<a href=\"/journeys/%s/map.svg?version=%" PRId32
                         "\">SVG</a>)</li>\n", j->id, j->version, j->id, j->version, j->id,
                         j->version);
    }
    pthread_mutex_unlock(&a->lock);
}
