/* test_admin_map.c — the admin server's live maps without a broker: an admin server on a
 * free port, journeys handed over and counts published as the runner does, pages fetched
 * over HTTP (libcurl). The map shows the published numbers on their node and edge; a
 * journey or version not loaded is 404 with the reason, a malformed version 400; and maps
 * asked for while the journeys are handed over again and again, each set freed right after
 * its hand-over, stay whole (the ASan build catches a read of a freed journey). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "http_call.h"
#include "svg_text.h"
#include "tmpdir.h"

#define JOURNEYS SY_SOURCE_ROOT "/examples/journeys"
/* Hand-overs while another thread asks for maps. */
#define HANDOVERS 40

static char errbuf[1024];

/* GET path of the server on port: the status, the body into *body (the caller frees). */
static long get(uint16_t port, const char *path, char **body) {
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", (unsigned)port, path);
    return http_call("GET", url, 30, body);
}

static journey_set_t *examples_load(void) {
    journey_set_t *set = NULL;
    cr_assert(eq(int, journey_set_load_dir(&set, JOURNEYS, errbuf, sizeof errbuf), SY_OK),
              "%s", errbuf);
    return set;
}

/* The journeys of a fresh load handed over, and that load freed at once. */
static void handover(admin_t *a) {
    journey_set_t *set = examples_load();
    admin_journeys_set(a, (const journey_t *const *)set->journeys, set->count);
    journey_set_free(set);
}

static admin_t *server_open(char *dir, size_t size) {
    admin_t *a = NULL;
    tmpdir_make(dir, size, "admin-map");
    cr_assert(eq(int, admin_open(&a, "127.0.0.1:0", dir, 30000, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_assert(a && admin_port(a) > 0);
    return a;
}

/* Counts as the runner publishes them: 3 contacts at outcome, 5 entered, 2 claimed. */
static void counts_publish(admin_t *a) {
    admin_table_t gauges = {0};
    const char *at[] = {"coffee_push_promo", "1", "outcome"};
    const char *entered[] = {"coffee_push_promo", "1", "", "offer_push", ""};
    const char *claimed[] = {"coffee_push_promo", "1", "outcome", "mark_claimed", "claimed"};
    const char *goal[] = {"coffee_push_promo", "1", "outcome", "goal:claimed", ""};
    cr_assert(admin_table_set(&gauges, ADMIN_NODE_CONTACTS, at, 3, 3));
    cr_assert(admin_table_set(&gauges, ADMIN_PATH_CONTACTS, entered, 5, 5));
    cr_assert(admin_table_set(&gauges, ADMIN_PATH_CONTACTS, claimed, 5, 2));
    cr_assert(admin_table_set(&gauges, ADMIN_PATH_CONTACTS, goal, 5, 1));
    admin_batch_t batch = {.gauges = &gauges};
    admin_publish(a, &batch);
    admin_table_deinit(&gauges);
}

Test(admin_map, the_map_shows_the_published_counts_on_their_node_and_edge) {
    char dir[256], lines[1024], *svg;
    admin_t *a = server_open(dir, sizeof dir);
    handover(a);
    counts_publish(a);
    cr_assert(eq(long, get(admin_port(a), "/journeys/coffee_push_promo/map.svg", &svg), 200),
              "%s", svg);
    svg_text_node(svg, "outcome", lines, sizeof lines);
    cr_expect(eq(str, lines, "outcome|branch on offer_push|at 3"));
    svg_text_node(svg, "offer_push", lines, sizeof lines);
    cr_expect(eq(str, lines, "offer_push|send push: offer_push|at 0"));
    svg_text_edge(svg, "(entry)", "offer_push", NULL, lines, sizeof lines);
    cr_expect(eq(str, lines, "took 5"));
    svg_text_edge(svg, "outcome", "mark_claimed", "claimed", lines, sizeof lines);
    cr_expect(eq(str, lines, "claimed|took 2"));
    svg_text_edge(svg, "outcome", "next_session", "opened_only", lines, sizeof lines);
    cr_expect(eq(str, lines, "opened_only|took 0"));
    const char *from = svg;
    cr_assert(svg_text_group(&from, "(any node)->goal:claimed", lines, sizeof lines));
    cr_expect(eq(str, lines, "custom.offer_claimed|took 1"));
    free(svg);
    admin_close(a);
    tmpdir_remove(dir);
}

Test(admin_map, a_journey_or_version_not_loaded_is_404_and_a_bad_version_400) {
    char dir[256], *body;
    admin_t *a = server_open(dir, sizeof dir);
    uint16_t port = admin_port(a);
    cr_expect(eq(long, get(port, "/journeys/coffee_push_promo/map.svg", &body), 404));
    cr_expect(eq(str, body, "no journey coffee_push_promo is loaded (see /journeys for those "
                            "that are)\n"));
    free(body);
    handover(a);
    cr_expect(eq(long, get(port, "/journeys/coffee_push_promo/map.svg?version=2", &body),
                 404));
    cr_expect(eq(str, body, "journey coffee_push_promo has no version 2 loaded (loaded: 1)\n"));
    free(body);
    cr_expect(eq(long, get(port, "/journeys/coffee_push_promo?version=0", &body), 400));
    cr_expect(strstr(body, "version=0: not a version number") != NULL, "%s", body);
    free(body);
    cr_expect(eq(long, get(port, "/journeys/coffee_push_promo/map.png", &body), 404));
    free(body);
    cr_expect(eq(long, get(port, "/journeys/coffee_push_promo/map.html?version=1", &body),
                 200));
    cr_expect(strstr(body, "<title>coffee_push_promo v1 (live)</title>") &&
              strstr(body, "<svg"), "%s", body);
    free(body);
    cr_expect(eq(long, get(port, "/", &body), 200));
    cr_expect(strstr(body, "<a href=\"/journeys/coffee_sms_feedback?version=1\">") != NULL,
              "%s", body);
    free(body);
    admin_close(a);
    tmpdir_remove(dir);
}

typedef struct asker {
    uint16_t port;
    int whole; /* maps that came back whole */
} asker_t;

static void *maps_ask(void *arg) {
    asker_t *k = arg;
    for (int i = 0; i < HANDOVERS; i++) {
        char *svg;
        long status = get(k->port, "/journeys/coffee_push_promo/map.svg", &svg);
        k->whole += status == 200 && svg && strstr(svg, "<title>offer_sms</title>") &&
                    strstr(svg, "</svg>");
        free(svg);
    }
    return NULL;
}

Test(admin_map, maps_drawn_while_journeys_are_handed_over_and_freed_stay_whole) {
    char dir[256];
    admin_t *a = server_open(dir, sizeof dir);
    handover(a);
    asker_t askers[2] = {{.port = admin_port(a)}, {.port = admin_port(a)}};
    pthread_t threads[2];
    for (int t = 0; t < 2; t++)
        cr_assert(eq(int, pthread_create(&threads[t], NULL, maps_ask, &askers[t]), 0));
    for (int i = 0; i < HANDOVERS; i++) {
        handover(a);
        counts_publish(a);
    }
    for (int t = 0; t < 2; t++) {
        pthread_join(threads[t], NULL);
        cr_expect(eq(int, askers[t].whole, HANDOVERS), "asker %d", t);
    }
    admin_close(a);
    tmpdir_remove(dir);
}
