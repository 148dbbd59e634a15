/* test_admin.c — the admin server of `switchyard run` on a real broker: after one of the
 * example journeys' event files (tests/journeys/paths/) went through the service, /metrics
 * counts exactly the decisions and actions read back from the output topics, /readyz
 * says ready once partitions are restored, /journeys shows the node gauges, and the live
 * counts are the same after a kill -9 and a restart, and after a restore of the state from
 * the changelog alone; the campaign metrics of /metrics and /journeys equal what
 * `replay --report` counts over a recording of the same input. HTTP through libcurl. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "admin_expo.h"
#include "child.h"
#include "promo_workload.h"
#include "service_fixture.h"

#define PATHS_DIR SY_SOURCE_ROOT "/tests/journeys/paths"
#define READ_TIMEOUT_MS 120000
/* How long the test waits for the server to answer as expected (a restore, a commit). */
#define WAIT_TRIES 600
#define WAIT_STEP_US 100000

static size_t on_body(char *data, size_t size, size_t n, void *ctx) {
    admin_buf_append(ctx, data, size * n);
    return size * n;
}

/* method url: the status (0 when nothing answered) and the body (the caller frees it). */
static long http_call(const char *method, const char *url, char **body) {
    admin_buf_t b = {0};
    long status = 0;
    size_t len;
    CURL *c = curl_easy_init();
    cr_assert_not_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    admin_buf_append(&b, "", 0);
    *body = admin_buf_take(&b, &len);
    return status;
}

static long http_get(const char *url, char **body) {
    return http_call("GET", url, body);
}

/* A port nothing listens on now (the kernel's pick, released again). */
static int free_port(void) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
              getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* Sum of the samples of /metrics whose line starts with prefix. */
static double metrics_sum(const char *metrics, const char *prefix) {
    double sum = 0;
    size_t n = strlen(prefix);
    for (const char *line = metrics; line && *line; line = strchr(line, '\n'), line += !!line)
        if (strncmp(line, prefix, n) == 0) {
            const char *space = strchr(line, ' ');
            const char *eol = strchr(line, '\n');
            if (space && (!eol || space < eol))
                sum += strtod(space + 1, NULL);
        }
    return sum;
}

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

static void wait_ready(const char *base) {
    char url[128], *body = NULL;
    snprintf(url, sizeof url, "%s/readyz", base);
    long status = 0;
    for (int i = 0; i < WAIT_TRIES && status != 200; i++) {
        free(body);
        status = http_get(url, &body);
        if (status != 200)
            usleep(WAIT_STEP_US);
    }
    cr_assert(eq(long, status, 200), "/readyz: %ld %s", status, body ? body : "");
    free(body);
}

/* /metrics once the sum of prefix reached want (a commit publishes right after Kafka
 * has it, so the outputs can be read a moment before). */
static char *metrics_when(const char *base, const char *prefix, double want) {
    char url[128], *body = NULL;
    snprintf(url, sizeof url, "%s/metrics", base);
    for (int i = 0; i < WAIT_TRIES; i++) {
        free(body);
        cr_assert(eq(long, http_get(url, &body), 200));
        if (metrics_sum(body, prefix) >= want)
            break;
        usleep(WAIT_STEP_US);
    }
    return body;
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
    cr_assert(eq(long, http_get(url, &body), 200));
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
    wait_ready(base);
    snprintf(url, sizeof url, "%s/metrics", base);
    cr_assert(eq(long, http_get(url, &body), 200));
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
    char base[64], extra[128], topic[SERVICE_TOPIC_BYTES + 16], *body = NULL;
    service_prepare(&svc, "admin");
    snprintf(base, sizeof base, "http://127.0.0.1:%d", free_port());
    snprintf(extra, sizeof extra, "admin.listen = %s\n", base + strlen("http://"));
    FILE *f = fopen(svc.config_path, "a");
    cr_assert(f && fputs(extra, f) >= 0 && fclose(f) == 0);
    service_start(&svc);
    wait_ready(base);

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

    body = metrics_when(base, "switchyard_decisions_total{", (double)decisions);
    cr_expect(eq(dbl, metrics_sum(body, "switchyard_decisions_total{"), (double)decisions));
    cr_expect(eq(dbl, metrics_sum(body, "switchyard_actions_total{channel=\"email\""),
                 (double)emails));
    cr_expect(eq(dbl, metrics_sum(body, "switchyard_journey_path_contacts{"),
                 (double)decisions), "every decision took a path");
    cr_expect(eq(dbl, metrics_sum(body, "switchyard_ready "), 1));
    double at_nodes = metrics_sum(body, "switchyard_journey_node_contacts{");
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
    cr_expect(eq(long, http_get(url, &body), 404));
    free(body);
    snprintf(url, sizeof url, "%s/metrics", base);
    cr_expect(eq(long, http_call("DELETE", url, &body), 405));
    free(body);
    free(live);
    int status = service_stop(&svc, 60000);
    cr_expect(eq(int, child_exit_code(status), 0), "exit status %d", status);
    service_cleanup(&svc);
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
        cr_assert(eq(long, http_get(url, &body), 200));
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

Test(admin, migration_moves_the_node_counts_to_the_new_version, .timeout = 600) {
    service_t svc;
    char base[64], extra[128], *body;
    service_prepare_with_journeys(&svc, "admin-migrate", RELOAD_DIR "/v1");
    snprintf(base, sizeof base, "http://127.0.0.1:%d", free_port());
    snprintf(extra, sizeof extra, "admin.listen = %s\n", base + strlen("http://"));
    FILE *f = fopen(svc.config_path, "a");
    cr_assert(f && fputs(extra, f) >= 0 && fclose(f) == 0);
    service_start(&svc);
    wait_ready(base);
    deploy(&svc, base, "reload_promo_v2.yaml", 2);
    enter_group(&svc); /* they enter v2, are sent its promo and wait at its outcome */
    body = metrics_when(base, AT_OUTCOME("2"), GROUP);
    cr_expect(eq(dbl, metrics_sum(body, AT_OUTCOME("2")), GROUP));
    free(body);

    deploy(&svc, base, "reload_promo_v3.yaml", 3); /* migrates v2's outcome to v3's */
    body = metrics_when(base, AT_OUTCOME("3"), GROUP);
    cr_expect(eq(dbl, metrics_sum(body, AT_OUTCOME("3")), GROUP), "moved to v3");
    cr_expect(eq(dbl, metrics_sum(body, AT_OUTCOME("2")), 0), "none left on v2");
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
        cr_expect(eq(dbl, metrics_sum(metrics, sample), json_number(nc, "conversions")),
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
    cr_assert(eq(long, http_get(url, &body), 200));
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
    char base[64], extra[128], url[128], *body = NULL;
    service_prepare(&svc, "admin-campaign");
    snprintf(base, sizeof base, "http://127.0.0.1:%d", free_port());
    snprintf(extra, sizeof extra, "admin.listen = %s\n", base + strlen("http://"));
    FILE *f = fopen(svc.config_path, "a");
    cr_assert(f && fputs(extra, f) >= 0 && fclose(f) == 0);
    service_start(&svc);
    wait_ready(base);
    /* 1,000 contacts sent the promo email; their reports echo its action id. */
    promo_workload_open();
    promo_produce_entries(&svc);
    promo_read_promos(&svc);
    promo_produce_engagement(&svc);
    cr_assert(eq(long, promo_read_decisions(&svc), PROMO_DECISIONS));
    body = metrics_when(base, "switchyard_decisions_total{", PROMO_DECISIONS);
    cr_assert(eq(dbl, metrics_sum(body, "switchyard_decisions_total{"), PROMO_DECISIONS));

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
    cr_assert(eq(long, http_get(url, &body), 200));
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
