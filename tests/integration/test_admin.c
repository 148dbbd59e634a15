/* test_admin.c — the admin server of `switchyard run` on a real broker: after one of the
 * example journeys' event files (tests/journeys/paths/) went through the service, /metrics
 * counts exactly the decisions and actions read back from the output topics, /readyz
 * says ready once partitions are restored, /journeys shows the node gauges, and the live
 * counts are the same after a kill -9 and a restart, and after a restore of the state from
 * the changelog alone; the live journey map reads, node by node and edge by edge, what
 * /journeys and `switchyard simulate` count over the same input, and the same after a
 * kill -9; the campaign metrics of /metrics and /journeys equal what `replay --report`
 * counts over a recording of the same input. HTTP through admin_client.h. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "admin_client.h"
#include "admin_expo.h"
#include "child.h"
#include "live_map_fixture.h"
#include "promo_workload.h"
#include "service_fixture.h"
#include "svg_text.h"

#define PATHS_DIR SY_SOURCE_ROOT "/tests/journeys/paths"
#define READ_TIMEOUT_MS 120000
/* How long the test waits for a journey version to load (100 ms apart). */
#define WAIT_TRIES 600
#define WAIT_STEP_US 100000

/* The lines of /metrics that start with prefix, in order, into a new string. */
static char *metrics_lines(const char *metrics, const char *prefix) {
    admin_buf_t b = {0};
    size_t n = strlen(prefix), len;
    for (const char *line = metrics; line && *line; line = strchr(line, '\n'), line += !!line) {
        const char *eol = strchr(line, '\n');
        if (strncmp(line, prefix, n) == 0)
            admin_buf_append(&b, line, eol ? (size_t)(eol - line) + 1 : strlen(line));
    }
    admin_buf_append(&b, "", 0);
    return admin_buf_take(&b, &len);
}

static long consume_count(const char *topic, long want) {
    return harness_consume_all(harness_bootstrap(), topic, "read_committed", want,
                               READ_TIMEOUT_MS, NULL, NULL);
}

/* Sum of every node's contacts in /journeys. */
static long journeys_contacts(const char *base) {
    char url[128], *body = NULL;
    long total = 0;
    snprintf(url, sizeof url, "%s/journeys", base);
    cr_assert(eq(long, admin_client_get(url, &body), 200));
    json_object *root = json_tokener_parse(body), *list;
    cr_assert(root && json_object_object_get_ex(root, "journeys", &list), "%s", body);
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *nodes;
        json_object_object_get_ex(json_object_array_get_idx(list, i), "nodes", &nodes);
        for (size_t k = 0; k < json_object_array_length(nodes); k++) {
            json_object *c;
            json_object_object_get_ex(json_object_array_get_idx(nodes, k), "contacts", &c);
            total += json_object_get_int64(c);
        }
    }
    json_object_put(root);
    free(body);
    return total;
}

/* Stop the service (kill -9, or with lose_disk a clean stop and its state directory
 * deleted), start it again and, once ready, the live-count lines of /metrics. */
static char *live_after_restart(service_t *svc, const char *base, bool lose_disk) {
    char url[128], *body = NULL;
    int status;
    if (lose_disk) {
        status = service_stop(svc, 60000);
        cr_expect(eq(int, child_exit_code(status), 0), "exit status %d", status);
        service_remove_state(svc);
    } else {
        kill(svc->pid, SIGKILL);
        waitpid(svc->pid, &status, 0);
        svc->pid = 0;
    }
    service_start(svc);
    admin_client_wait_ready(base);
    snprintf(url, sizeof url, "%s/metrics", base);
    cr_assert(eq(long, admin_client_get(url, &body), 200));
    char *live = metrics_lines(body, "switchyard_journey_");
    free(body);
    return live;
}

/* The decisions and email actions `switchyard simulate` makes of the event file. */
static void simulate_counts(const char *events, long *decisions, long *emails) {
    char command[1024], line[8192];
    snprintf(command, sizeof command,
             "%s simulate --journeys %s/examples/journeys --events %s 2>/dev/null",
             SWITCHYARD_BIN, SY_SOURCE_ROOT, events);
    FILE *p = popen(command, "r");
    cr_assert_not_null(p, "%s", command);
    while (fgets(line, sizeof line, p)) {
        *decisions += strstr(line, "RoutingDecision") != NULL;
        *emails += strstr(line, "ActionCommand") && strstr(line, "\"channel\":\"email\"");
    }
    cr_assert(eq(int, pclose(p), 0), "%s failed", command);
}

Test(admin, metrics_equal_outputs_and_live_counts_survive_kill, .timeout = 600) {
    service_t svc;
    char base[ADMIN_CLIENT_BASE_BYTES], topic[SERVICE_TOPIC_BYTES + 16], *body = NULL;
    service_prepare(&svc, "admin");
    admin_client_enable(&svc, base, sizeof base);
    service_start(&svc);
    admin_client_wait_ready(base);

    const char *path = PATHS_DIR "/coffee_email_promo.jsonl";
    long profiles = service_produce_jsonl(&svc, path, 1);
    if (profiles)
        service_wait_profiles_read(&svc, profiles);
    service_produce_jsonl(&svc, path, 0);
    /* Every decision and email the file makes (as simulate says), read from the topics. */
    long want_decisions = 0, want_emails = 0;
    simulate_counts(path, &want_decisions, &want_emails);
    long decisions = consume_count(svc.decisions, want_decisions);
    long emails = consume_count(service_action_topic(&svc, "email", topic, sizeof topic),
                                want_emails);
    cr_assert(decisions == want_decisions && emails == want_emails && decisions > 0,
              "decisions %ld of %ld, emails %ld of %ld", decisions, want_decisions, emails,
              want_emails);

    body = admin_client_metrics_when(base, "switchyard_decisions_total{", (double)decisions);
    cr_expect(eq(dbl, admin_client_metrics_sum(body, "switchyard_decisions_total{"),
                 (double)decisions));
    cr_expect(eq(dbl, admin_client_metrics_sum(body, "switchyard_actions_total{channel=\"email\""),
                 (double)emails));
    cr_expect(eq(dbl, admin_client_metrics_sum(body, "switchyard_journey_path_contacts{"),
                 (double)decisions), "every decision took a path");
    cr_expect(eq(dbl, admin_client_metrics_sum(body, "switchyard_ready "), 1));
    admin_client_expect_commit_phases(body);
    double at_nodes = admin_client_metrics_sum(body, "switchyard_journey_node_contacts{");
    cr_expect(eq(long, journeys_contacts(base), (long)at_nodes));
    char *live = metrics_lines(body, "switchyard_journey_");
    free(body);

    char *after = live_after_restart(&svc, base, false);
    cr_expect(eq(str, after, live), "live counts after kill -9 and restart");
    char *restored = live_after_restart(&svc, base, true);
    cr_expect(eq(str, restored, live), "live counts restored from the changelog alone");
    free(after);
    free(restored);
    char url[128];
    snprintf(url, sizeof url, "%s/nothing", base);
    cr_expect(eq(long, admin_client_get(url, &body), 404));
    free(body);
    snprintf(url, sizeof url, "%s/metrics", base);
    cr_expect(eq(long, admin_client_call("DELETE", url, &body), 405));
    free(body);
    free(live);
    int status = service_stop(&svc, 60000);
    cr_expect(eq(int, child_exit_code(status), 0), "exit status %d", status);
    service_cleanup(&svc);
}

/* GET base + path, asserting the status; the body (the caller frees it). */
static char *page_get(const char *base, const char *path, long want) {
    char url[512], *body = NULL;
    snprintf(url, sizeof url, "%s%s", base, path);
    long status = admin_client_get(url, &body);
    cr_assert(eq(long, status, want), "GET %s: %ld %s", path, status, body ? body : "");
    return body;
}

/* Add n to moves["FROM|TO|PATH"]. */
static void moves_add(json_object *moves, const char *from, const char *to, const char *path,
                      long n) {
    char key[1024];
    json_object *old;
    snprintf(key, sizeof key, "%s|%s|%s", from, to, path);
    if (json_object_object_get_ex(moves, key, &old))
        n += json_object_get_int64(old);
    json_object_object_add(moves, key, json_object_new_int64(n));
}

static const char *str_or_empty(json_object *o, const char *key) {
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v) : "";
}

/* The moves of journey that `switchyard simulate --until input` decides over input. */
static json_object *simulate_moves(const char *input, const char *journey) {
    char command[1024], line[8192];
    json_object *moves = json_object_new_object();
    snprintf(command, sizeof command, "%s simulate --journeys %s/examples/journeys --events "
             "%s --until input 2>/dev/null", SWITCHYARD_BIN, SY_SOURCE_ROOT, input);
    FILE *p = popen(command, "r");
    cr_assert_not_null(p, "%s", command);
    while (fgets(line, sizeof line, p)) {
        json_object *d = json_tokener_parse(line);
        if (d && strcmp(str_or_empty(d, "schema"), "RoutingDecision") == 0 &&
            strcmp(str_or_empty(d, "journey_id"), journey) == 0)
            moves_add(moves, str_or_empty(d, "from_node"), str_or_empty(d, "to_node"),
                      str_or_empty(d, "path"), 1);
        json_object_put(d);
    }
    cr_assert(eq(int, pclose(p), 0), "%s failed", command);
    return moves;
}

/* /journeys' entry of journey (the caller puts it). */
static json_object *journeys_entry(const char *base, const char *journey) {
    char *body = page_get(base, "/journeys", 200);
    json_object *root = json_tokener_parse(body), *list, *found = NULL;
    cr_assert(root && json_object_object_get_ex(root, "journeys", &list), "%s", body);
    for (size_t i = 0; i < json_object_array_length(list); i++)
        if (strcmp(str_or_empty(json_object_array_get_idx(list, i), "id"), journey) == 0)
            found = json_object_get(json_object_array_get_idx(list, i));
    cr_assert_not_null(found, "/journeys has no %s: %s", journey, body);
    json_object_put(root);
    free(body);
    return found;
}

static long int_of(json_object *o, const char *key) {
    json_object *v;
    cr_assert(json_object_object_get_ex(o, key, &v), "no %s", key);
    return (long)json_object_get_int64(v);
}

static json_object *array_of(json_object *o, const char *key) {
    json_object *v;
    cr_assert(json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_array),
              "no array %s", key);
    return v;
}

/* /journeys' paths of entry as moves. */
static json_object *entry_moves(json_object *entry) {
    json_object *moves = json_object_new_object(), *paths = array_of(entry, "paths");
    for (size_t i = 0; i < json_object_array_length(paths); i++) {
        json_object *p = json_object_array_get_idx(paths, i);
        moves_add(moves, str_or_empty(p, "from"), str_or_empty(p, "to"),
                  str_or_empty(p, "path"), int_of(p, "contacts"));
    }
    return moves;
}

/* Contacts now at node after moves: a move into a node adds one, a move out of it takes
 * one away (a move to the node it left changes nothing); goals and exit rules are not
 * nodes, and a contact reaching an exit node (kind exit in entry) ends there. */
static long moves_at(json_object *moves, json_object *entry, const char *node) {
    json_object *nodes = array_of(entry, "nodes");
    bool exit_node = false;
    long at = 0;
    for (size_t i = 0; i < json_object_array_length(nodes); i++) {
        json_object *n = json_object_array_get_idx(nodes, i);
        exit_node |= strcmp(str_or_empty(n, "id"), node) == 0 &&
                     strcmp(str_or_empty(n, "kind"), "exit") == 0;
    }
    json_object_object_foreach(moves, key, value) {
        char from[512], to[512];
        const char *bar = strchr(key, '|'), *bar2 = bar ? strchr(bar + 1, '|') : NULL;
        cr_assert(bar && bar2, "move %s", key);
        snprintf(from, sizeof from, "%.*s", (int)(bar - key), key);
        snprintf(to, sizeof to, "%.*s", (int)(bar2 - bar - 1), bar + 1);
        if (strcmp(from, to) == 0)
            continue;
        at -= strcmp(from, node) == 0 ? json_object_get_int64(value) : 0;
        at += strcmp(to, node) == 0 && !exit_node ? json_object_get_int64(value) : 0;
    }
    return at;
}

/* The last line of a node's or an edge's text ("at 3", "took 5"). */
static const char *last_line(const char *lines) {
    const char *bar = strrchr(lines, '|');
    return bar ? bar + 1 : lines;
}

/* Sum of the numbers after prefix ("took ") in the SVG's texts. */
static long svg_sum(const char *svg, const char *prefix) {
    char pattern[64];
    long sum = 0;
    snprintf(pattern, sizeof pattern, ">%s", prefix);
    for (const char *t = strstr(svg, pattern); t; t = strstr(t + 1, pattern))
        sum += strtol(t + strlen(pattern), NULL, 10);
    return sum;
}

/* Every node of entry reads "at N" and every path "took N" in svg, N as /journeys says:
 * moves to a goal or an exit rule add up on the rule's one edge from "any node". */
static void map_check(const char *svg, json_object *entry) {
    char lines[2048], want[64];
    json_object *nodes = array_of(entry, "nodes"), *paths = array_of(entry, "paths");
    json_object *rules = json_object_new_object();
    long at_total = 0, took_total = 0;
    for (size_t i = 0; i < json_object_array_length(nodes); i++) {
        json_object *n = json_object_array_get_idx(nodes, i);
        svg_text_node(svg, str_or_empty(n, "id"), lines, sizeof lines);
        snprintf(want, sizeof want, "at %ld", int_of(n, "contacts"));
        cr_expect(eq(str, (char *)last_line(lines), want), "node %s", str_or_empty(n, "id"));
        at_total += int_of(n, "contacts");
    }
    for (size_t i = 0; i < json_object_array_length(paths); i++) {
        json_object *p = json_object_array_get_idx(paths, i);
        const char *from = str_or_empty(p, "from"), *to = str_or_empty(p, "to");
        const char *path = str_or_empty(p, "path");
        took_total += int_of(p, "contacts");
        if (strncmp(to, "goal:", 5) == 0 || strncmp(to, "exit:", 5) == 0) {
            moves_add(rules, "", to, "", int_of(p, "contacts"));
            continue;
        }
        svg_text_edge(svg, *from ? from : "(entry)", to, *path ? path : NULL, lines,
                      sizeof lines);
        snprintf(want, sizeof want, "took %ld", int_of(p, "contacts"));
        cr_expect(eq(str, (char *)last_line(lines), want), "edge %s -%s-> %s", from, path, to);
    }
    json_object_object_foreach(rules, key, value) {
        char title[512];
        const char *at = svg;
        snprintf(title, sizeof title, "(any node)->%.*s", (int)strlen(key) - 2, key + 1);
        cr_assert(svg_text_group(&at, title, lines, sizeof lines), "no edge %s", title);
        snprintf(want, sizeof want, "took %ld", (long)json_object_get_int64(value));
        cr_expect(eq(str, (char *)last_line(lines), want), "edge %s", title);
    }
    json_object_put(rules);
    cr_expect(eq(long, svg_sum(svg, "at "), at_total), "contacts at nodes in the map");
    cr_expect(eq(long, svg_sum(svg, "took "), took_total), "every move on one edge");
}

/* The pages around the map: /journeys' map URL, the HTML page, the index's link, and the
 * answers for a journey or a version not loaded. */
static void map_pages_check(const char *base, json_object *entry, const char *svg) {
    char *body = page_get(base, str_or_empty(entry, "map"), 200);
    cr_expect(eq(str, body, (char *)svg), "/journeys' map URL draws the same map");
    free(body);
    body = page_get(base, "/journeys/" LIVE_MAP_JOURNEY, 200);
    cr_expect(strstr(body, "<html") && strstr(body, strstr(svg, "<svg")),
              "the page holds the map inline");
    free(body);
    body = page_get(base, "/journeys/" LIVE_MAP_JOURNEY "/map.html?version=1", 200);
    cr_expect(strstr(body, strstr(svg, "<svg")) != NULL, "map.html holds the map too");
    free(body);
    body = page_get(base, "/", 200);
    cr_expect(strstr(body, "href=\"/journeys/" LIVE_MAP_JOURNEY "?version=1\"") != NULL,
              "the index links the map: %s", body);
    free(body);
    body = page_get(base, "/journeys/nope/map.svg", 404);
    cr_expect(strstr(body, "no journey nope is loaded") != NULL, "%s", body);
    free(body);
    body = page_get(base, "/journeys/" LIVE_MAP_JOURNEY "/map.svg?version=9", 404);
    cr_expect(strstr(body, "has no version 9 loaded (loaded: 1)") != NULL, "%s", body);
    free(body);
    body = page_get(base, "/journeys/" LIVE_MAP_JOURNEY "?version=one", 400);
    free(body);
}

Test(admin, live_map_counts_equal_journeys_and_simulate_and_survive_kill, .timeout = 600) {
    live_map_t m;
    live_map_start(&m, "admin-map");
    json_object *entry = journeys_entry(m.base, LIVE_MAP_JOURNEY);
    json_object *moves = simulate_moves(m.input, LIVE_MAP_JOURNEY);
    json_object *paths = entry_moves(entry), *nodes = array_of(entry, "nodes");
    cr_expect(json_object_equal(paths, moves), "/journeys' paths %s, simulate's moves %s",
              json_object_to_json_string(paths), json_object_to_json_string(moves));
    long at_total = 0;
    for (size_t i = 0; i < json_object_array_length(nodes); i++) {
        json_object *n = json_object_array_get_idx(nodes, i);
        const char *id = str_or_empty(n, "id");
        cr_expect(eq(long, int_of(n, "contacts"), moves_at(moves, entry, id)), "at %s", id);
        at_total += int_of(n, "contacts");
    }
    cr_assert(gt(long, at_total, 0), "contacts wait at some node");
    char *svg = page_get(m.base, "/journeys/" LIVE_MAP_JOURNEY "/map.svg", 200);
    map_check(svg, entry);
    map_pages_check(m.base, entry, svg);

    free(live_after_restart(&m.svc, m.base, false));
    char *after = page_get(m.base, "/journeys/" LIVE_MAP_JOURNEY "/map.svg", 200);
    cr_expect(eq(str, after, svg), "the same map after kill -9 and restart");
    free(after);
    free(svg);
    json_object_put(paths);
    json_object_put(moves);
    json_object_put(entry);
    live_map_finish(&m);
}

#define RELOAD_DIR SY_SOURCE_ROOT "/tests/integration/reload"
#define GROUP 10
#define T0_MS INT64_C(1793606400000) /* 2026-11-02T08:00Z */

/* Copy a journey file of RELOAD_DIR into the service's journeys.dir and wait until
 * /journeys lists its version. */
static void deploy(const service_t *svc, const char *base, const char *name, int version) {
    char from[512], to[512], url[128], want[32], *body = NULL;
    snprintf(from, sizeof from, "%s/%s", RELOAD_DIR, name);
    snprintf(to, sizeof to, "%s/%s", svc->journeys_dir, name);
    service_copy_file(from, to);
    snprintf(url, sizeof url, "%s/journeys", base);
    snprintf(want, sizeof want, "\"version\": %d", version);
    for (int i = 0; i < WAIT_TRIES && !(body && strstr(body, want)); i++) {
        free(body);
        cr_assert(eq(long, admin_client_get(url, &body), 200));
        if (!strstr(body, want))
            usleep(WAIT_STEP_US);
    }
    cr_assert(body && strstr(body, want), "version %d never loaded: %s", version, body);
    free(body);
}

static void enter_group(const service_t *svc) {
    static char ids[GROUP][2][32];
    sy_event_t events[GROUP];
    for (int k = 0; k < GROUP; k++) {
        snprintf(ids[k][0], sizeof ids[k][0], "ev-%d", k);
        snprintf(ids[k][1], sizeof ids[k][1], "contact-%d", k);
        events[k] = (sy_event_t){.event_id = ids[k][0], .contact_id = ids[k][1],
                                 .occurred_at_ms = T0_MS + k * 1000,
                                 .channel = SY_CHANNEL_CUSTOM, .type = SY_EVENT_CUSTOM,
                                 .name = "promo_eligible", .bounce = SY_BOUNCE_NONE};
    }
    service_produce_events(svc, events, GROUP);
}

#define AT_OUTCOME(v)                                                                      \
    "switchyard_journey_node_contacts{journey=\"reload_promo\",version=\"" v "\","         \
    "node=\"outcome\"}"

/* After the reloads: the map is v3's by default and every loaded version's on asking,
 * outcome's contacts on v3's. */
static void maps_after_reload_check(const char *base) {
    static const char *const pages[] = {"", "?version=3", "?version=2", "?version=1"};
    static const char *const titles[] = {"reload_promo v3", "reload_promo v3",
                                         "reload_promo v2", "reload_promo v1"};
    static const char *const at[] = {"at 10", "at 10", "at 0", "at 0"};
    for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
        char path[128], lines[1024];
        snprintf(path, sizeof path, "/journeys/reload_promo/map.svg%s", pages[i]);
        char *svg = page_get(base, path, 200);
        cr_expect(strstr(svg, titles[i]) != NULL, "%s is not %s", path, titles[i]);
        svg_text_node(svg, "outcome", lines, sizeof lines);
        cr_expect(eq(str, (char *)last_line(lines), (char *)at[i]), "%s: outcome", path);
        free(svg);
    }
}

Test(admin, migration_moves_the_node_counts_to_the_new_version, .timeout = 600) {
    service_t svc;
    char base[ADMIN_CLIENT_BASE_BYTES], *body;
    service_prepare_with_journeys(&svc, "admin-migrate", RELOAD_DIR "/v1");
    admin_client_enable(&svc, base, sizeof base);
    service_start(&svc);
    admin_client_wait_ready(base);
    deploy(&svc, base, "reload_promo_v2.yaml", 2);
    enter_group(&svc); /* they enter v2, are sent its promo and wait at its outcome */
    body = admin_client_metrics_when(base, AT_OUTCOME("2"), GROUP);
    cr_expect(eq(dbl, admin_client_metrics_sum(body, AT_OUTCOME("2")), GROUP));
    free(body);

    deploy(&svc, base, "reload_promo_v3.yaml", 3); /* migrates v2's outcome to v3's */
    body = admin_client_metrics_when(base, AT_OUTCOME("3"), GROUP);
    cr_expect(eq(dbl, admin_client_metrics_sum(body, AT_OUTCOME("3")), GROUP), "moved to v3");
    cr_expect(eq(dbl, admin_client_metrics_sum(body, AT_OUTCOME("2")), 0), "none left on v2");
    maps_after_reload_check(base);
    char *live = metrics_lines(body, "switchyard_journey_");
    free(body);
    char *after = live_after_restart(&svc, base, false);
    cr_expect(eq(str, after, live), "live counts after kill -9 and restart");
    free(after);
    free(live);
    int status = service_stop(&svc, 60000);
    cr_expect(eq(int, child_exit_code(status), 0), "exit status %d", status);
    service_cleanup(&svc);
}

/* The value of the /metrics sample written exactly as sample (name{labels}); 0 when the
 * series is not there (a count nothing added to). */
static double metric_value(const char *metrics, const char *sample) {
    size_t n = strlen(sample);
    for (const char *line = metrics; line && *line; line = strchr(line, '\n'), line += !!line)
        if (strncmp(line, sample, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
    return 0;
}

static double json_number(json_object *o, const char *key) {
    json_object *v = NULL;
    cr_assert(json_object_object_get_ex(o, key, &v), "no %s in %s", key,
              json_object_to_json_string(o));
    return json_object_get_double(v);
}

/* Every count of a report's journey (id, version) against the /metrics sample of it. */
static void expect_journey_metrics(const char *metrics, json_object *journey) {
    char sample[512], where[256];
    json_object *c, *nodes, *rules;
    const char *id = json_object_get_string(json_object_object_get(journey, "id"));
    int version = json_object_get_int(json_object_object_get(journey, "version"));
    cr_assert(json_object_object_get_ex(journey, "campaign", &c) &&
              json_object_object_get_ex(journey, "nodes", &nodes));
    snprintf(where, sizeof where, "journey=\"%s\",version=\"%d\"", id, version);
    const char *totals[] = {"entered", "completed"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(sample, sizeof sample, "switchyard_campaign_%s_total{%s}", totals[i], where);
        cr_expect(eq(dbl, metric_value(metrics, sample), json_number(c, totals[i])), "%s",
                  sample);
    }
    const char *kinds[][2] = {{"goals", "goal"}, {"exits", "rule"}};
    for (size_t k = 0; k < 2; k++) {
        cr_assert(json_object_object_get_ex(c, kinds[k][0], &rules));
        json_object_object_foreach(rules, name, count) {
            snprintf(sample, sizeof sample, "switchyard_campaign_%s_total{%s,%s=\"%s\"}",
                     kinds[k][0], where, kinds[k][1], name);
            cr_expect(eq(dbl, metric_value(metrics, sample), json_object_get_double(count)),
                      "%s", sample);
        }
    }
    static const char *const sends[][2] = {{"sent", "sends"}, {"delivered", "delivered"},
        {"opened", "opened"}, {"clicked", "clicked"}, {"replied", "replied"},
        {"answered", "answered"}, {"bounced", "bounced"}};
    for (size_t i = 0; i < json_object_array_length(nodes); i++) {
        json_object *node = json_object_array_get_idx(nodes, i), *nc, *channel;
        const char *nid = json_object_get_string(json_object_object_get(node, "id"));
        cr_assert(json_object_object_get_ex(node, "campaign", &nc));
        snprintf(sample, sizeof sample, "switchyard_campaign_conversions_total{%s,node=\"%s\",",
                 where, nid);
        cr_expect(eq(dbl, admin_client_metrics_sum(metrics, sample),
                     json_number(nc, "conversions")),
                  "%s", sample);
        if (!json_object_object_get_ex(nc, "channel", &channel))
            continue; /* not a send node */
        for (size_t k = 0; k < sizeof sends / sizeof *sends; k++) {
            snprintf(sample, sizeof sample,
                     "switchyard_campaign_%s_total{%s,node=\"%s\",channel=\"%s\"}",
                     sends[k][1], where, nid, json_object_get_string(channel));
            cr_expect(eq(dbl, metric_value(metrics, sample), json_number(nc, sends[k][0])),
                      "%s", sample);
        }
    }
}

/* The "campaign" objects of /journeys (a journey's and each node's) equal the report's. */
static void expect_journeys_campaign(const char *base, json_object *report) {
    char url[128], *body = NULL;
    json_object *want_list, *got_list;
    snprintf(url, sizeof url, "%s/journeys", base);
    cr_assert(eq(long, admin_client_get(url, &body), 200));
    json_object *root = json_tokener_parse(body);
    cr_assert(root && json_object_object_get_ex(root, "journeys", &got_list) &&
              json_object_object_get_ex(report, "journeys", &want_list), "%s", body);
    cr_assert(eq(sz, json_object_array_length(got_list), json_object_array_length(want_list)));
    for (size_t i = 0; i < json_object_array_length(want_list); i++) {
        json_object *want = json_object_array_get_idx(want_list, i), *got = NULL;
        for (size_t k = 0; k < json_object_array_length(got_list) && !got; k++) {
            json_object *g = json_object_array_get_idx(got_list, k);
            if (json_object_equal(json_object_object_get(g, "id"),
                                  json_object_object_get(want, "id")) &&
                json_object_equal(json_object_object_get(g, "version"),
                                  json_object_object_get(want, "version")))
                got = g;
        }
        cr_assert_not_null(got, "/journeys lacks %s", json_object_to_json_string(want));
        cr_expect(json_object_equal(json_object_object_get(got, "campaign"),
                                    json_object_object_get(want, "campaign")),
                  "%s", json_object_to_json_string(json_object_object_get(got, "campaign")));
        json_object *gn = json_object_object_get(got, "nodes");
        json_object *wn = json_object_object_get(want, "nodes");
        cr_assert(eq(sz, json_object_array_length(gn), json_object_array_length(wn)));
        for (size_t k = 0; k < json_object_array_length(wn); k++)
            cr_expect(json_object_equal(
                          json_object_object_get(json_object_array_get_idx(gn, k), "campaign"),
                          json_object_object_get(json_object_array_get_idx(wn, k), "campaign")),
                      "node %zu of %s", k, json_object_to_json_string(want));
    }
    json_object_put(root);
    free(body);
}

/* `switchyard record` of the service's events topic, then `replay --report --json` of the
 * recording: the report's JSON (the caller frees it). */
static json_object *replay_report(const service_t *svc) {
    static char report[1 << 20];
    char command[2048];
    snprintf(command, sizeof command, "%s record --topic %s --out %s/events.rec --bootstrap %s"
             " >/dev/null 2>&1 && %s replay --journeys %s/examples/journeys --recording "
             "%s/events.rec --report --json 2>/dev/null", SWITCHYARD_BIN, svc->events,
             svc->dir, harness_bootstrap(), SWITCHYARD_BIN, SY_SOURCE_ROOT, svc->dir);
    cr_assert(eq(int, child_run(command, report, sizeof report), 0), "%s", command);
    json_object *root = json_tokener_parse(report);
    cr_assert_not_null(root, "not JSON: %.300s", report);
    return root;
}

Test(admin, campaign_metrics_equal_a_replay_report_of_the_same_input, .timeout = 900) {
    service_t svc;
    char base[ADMIN_CLIENT_BASE_BYTES], url[128], *body = NULL;
    service_prepare(&svc, "admin-campaign");
    admin_client_enable(&svc, base, sizeof base);
    service_start(&svc);
    admin_client_wait_ready(base);
    /* 1,000 contacts sent the promo email; their reports echo its action id. */
    promo_workload_open();
    promo_produce_entries(&svc);
    promo_read_promos(&svc);
    promo_produce_engagement(&svc);
    cr_assert(eq(long, promo_read_decisions(&svc), PROMO_DECISIONS));
    body = admin_client_metrics_when(base, "switchyard_decisions_total{", PROMO_DECISIONS);
    cr_assert(eq(dbl, admin_client_metrics_sum(body, "switchyard_decisions_total{"),
                 PROMO_DECISIONS));

    json_object *root = replay_report(&svc), *list;
    cr_assert(json_object_object_get_ex(root, "journeys", &list));
    for (size_t i = 0; i < json_object_array_length(list); i++)
        expect_journey_metrics(body, json_object_array_get_idx(list, i));
    expect_journeys_campaign(base, root);
    /* Not a comparison of zeros: every behaviour of the workload is in the numbers. */
    const char *promo = "journey=\"coffee_email_promo\",version=\"1\",node=\"promo_email\","
                        "channel=\"email\"}";
    const char *names[] = {"sends", "delivered", "opened", "bounced"};
    const double want[] = {PROMO_CONTACTS, 2 * PROMO_CONTACTS / 5, PROMO_CONTACTS / 5,
                           PROMO_CONTACTS / 5};
    for (size_t i = 0; i < 4; i++) {
        char sample[256];
        snprintf(sample, sizeof sample, "switchyard_campaign_%s_total{%s", names[i], promo);
        cr_expect(eq(dbl, metric_value(body, sample), want[i]), "%s", sample);
    }
    json_object_put(root);
    char *campaign = metrics_lines(body, "switchyard_campaign_");
    free(body);
    free(live_after_restart(&svc, base, false));
    snprintf(url, sizeof url, "%s/metrics", base);
    cr_assert(eq(long, admin_client_get(url, &body), 200));
    char *after = metrics_lines(body, "switchyard_campaign_");
    cr_expect(eq(str, after, campaign), "campaign metrics after kill -9 and restart");
    free(after);
    free(body);
    free(campaign);
    promo_workload_close();
    int status = service_stop(&svc, 60000);
    cr_expect(eq(int, child_exit_code(status), 0), "exit status %d", status);
    service_cleanup(&svc);
}
