/* test_campaign_report.c — `switchyard simulate --report` as a marketer reads it: over a
 * small input file of the push promo (tests/journeys/campaign/push_campaign.jsonl, one
 * open naming its message by action id added here), the campaign metrics per journey
 * and send node equal the counts derived by hand in that file's comments: each kind of
 * engagement once per message (every report without a dedup window), duplicates and
 * strangers not counted, goals with their revenue by the node they were reached from.
 * No broker. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action_id.h"
#include "child.h"
#include "tmpdir.h"

#define INPUT SY_SOURCE_ROOT "/tests/journeys/campaign/push_campaign.jsonl"
#define JOURNEY SY_SOURCE_ROOT "/examples/journeys/coffee_push_promo.yaml"
#define OUTPUT_MAX (256 * 1024)

static char dir[] = "/tmp/switchyard-campaign-XXXXXX";
static char journeys[128], events[128];
static char out[OUTPUT_MAX];

/* The push promo alone, and the input with k3's open by action id (pass 1 of version 1). */
static void setup(void) {
    char command[1024], message[ACTION_ID_BYTES];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(journeys, sizeof journeys, "%s/journeys", dir);
    snprintf(events, sizeof events, "%s/events.jsonl", dir);
    snprintf(command, sizeof command, "mkdir %s && cp %s %s/ && cp %s %s", journeys, JOURNEY,
             journeys, INPUT, events);
    cr_assert(eq(int, system(command), 0), "%s", command);
    action_id_format(message, "k3", "coffee_push_promo", 1, "offer_push", 1,
                     ACTION_ID_ONE_PASS);
    FILE *f = fopen(events, "a");
    cr_assert_not_null(f);
    fprintf(f, "{\"event_id\":\"k3-op\",\"contact_id\":\"k3\",\"time\":\"2026-11-02T12:30:00Z\","
               "\"type\":\"push.opened\",\"message_id\":\"%s\"}\n", message);
    cr_assert(eq(int, fclose(f), 0));
}

static void teardown(void) {
    cr_assert(eq(int, tmpdir_remove(dir), 0), "remove %s", dir);
}

TestSuite(campaign_report, .init = setup, .fini = teardown);

static int simulate(const char *options) {
    char command[1024];
    snprintf(command, sizeof command, "%s simulate --journeys %s --events %s %s%s",
             SWITCHYARD_BIN, journeys, events, options, strstr(options, "2>") ? "" : " 2>&1");
    return child_run(command, out, sizeof out);
}

/* The number at path ("campaign.goals.claimed") under o; asserts it is there. */
static double number(json_object *o, const char *path) {
    char key[64];
    const char *at = path;
    while (o && *at) {
        size_t n = strcspn(at, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, at);
        json_object *next = NULL;
        cr_assert(json_object_object_get_ex(o, key, &next), "no %s in %s", key,
                  json_object_to_json_string(o));
        o = next;
        at += n + (at[n] == '.');
    }
    cr_assert(o != NULL, "%s is null", path);
    return json_object_get_double(o);
}

static json_object *node(json_object *journey, const char *id) {
    json_object *nodes;
    cr_assert(json_object_object_get_ex(journey, "nodes", &nodes));
    for (size_t i = 0; i < json_object_array_length(nodes); i++) {
        json_object *n = json_object_array_get_idx(nodes, i), *nid;
        json_object_object_get_ex(n, "id", &nid);
        if (strcmp(json_object_get_string(nid), id) == 0)
            return n;
    }
    cr_assert(false, "no node %s", id);
    return NULL;
}

Test(campaign_report, the_json_report_equals_the_counts_made_by_hand) {
    cr_assert(eq(int, simulate("--report --json 2>/dev/null"), 0), "%s", out);
    json_object *root = json_tokener_parse(out), *list;
    cr_assert(root && json_object_object_get_ex(root, "journeys", &list), "%s", out);
    cr_assert(eq(sz, json_object_array_length(list), 1));
    json_object *j = json_object_array_get_idx(list, 0);
    cr_expect(eq(dbl, number(j, "campaign.entered"), 5));
    cr_expect(eq(dbl, number(j, "campaign.completed"), 3), "k1, k3 and k4 reach done");
    cr_expect(eq(dbl, number(j, "campaign.goals.claimed"), 2), "k2 and k5");
    cr_expect(eq(dbl, number(j, "campaign.conversions"), 2));
    cr_expect(eq(dbl, number(j, "campaign.revenue"), 19.75));
    json_object *push = node(j, "offer_push");
    cr_expect(eq(dbl, number(push, "campaign.sent"), 5));
    cr_expect(eq(dbl, number(push, "campaign.delivered"), 3), "k1 twice, k2, k3; not k9");
    cr_expect(eq(dbl, number(push, "campaign.opened"), 2), "k1 four times, k3 by action id");
    cr_expect(eq(dbl, number(push, "campaign.clicked"), 1));
    cr_expect(eq(dbl, number(push, "campaign.bounced"), 0));
    cr_expect(eq(dbl, number(push, "campaign.rates.delivery"), 0.6));
    cr_expect(eq(dbl, number(push, "campaign.rates.open"), 2.0 / 3));
    cr_expect(eq(dbl, number(push, "campaign.rates.click"), 1.0 / 3));
    cr_expect(eq(dbl, number(node(j, "confirmation"), "campaign.sent"), 1), "k1");
    cr_expect(eq(dbl, number(node(j, "offer_sms"), "campaign.sent"), 1), "k4");
    cr_expect(eq(dbl, number(node(j, "banner"), "campaign.sent"), 0), "k3 never came back");
    cr_expect(eq(dbl, number(node(j, "outcome"), "campaign.conversions"), 2));
    cr_expect(eq(dbl, number(node(j, "outcome"), "campaign.revenue"), 19.75));
    json_object_put(root);
}

Test(campaign_report, the_table_shows_each_send_node_with_its_rates) {
    cr_assert(eq(int, simulate("--report 2>/dev/null"), 0), "%s", out);
    cr_expect(strstr(out, "coffee_push_promo v1: entered 5, completed 3, conversions 2, "
                          "revenue 19.75\n") != NULL, "%s", out);
    cr_expect(strstr(out, "  goals: claimed 2\n") != NULL, "%s", out);
    cr_expect(strstr(out, "  offer_push   push             5         3         2         1"
                          "         0         0         0    60.0%    66.7%    33.3%     0.0%\n")
                  != NULL, "%s", out);
    cr_expect(strstr(out, "  banner       in_app           0         0         0         0"
                          "         0         0         0        -        -        -        -\n")
                  != NULL, "%s", out);
    cr_expect(strstr(out, "  conversions from outcome: 2, revenue 19.75\n") != NULL, "%s",
              out);
    cr_expect(strstr(out, "RoutingDecision") == NULL, "the outputs are not on stdout");
}

Test(campaign_report, without_a_dedup_window_every_report_counts) {
    char config[256], options[512];
    snprintf(config, sizeof config, "%s/nodedup.conf", dir);
    FILE *f = fopen(config, "w");
    cr_assert_not_null(f);
    fputs("kafka.bootstrap.servers = 127.0.0.1:1\njourneys.dir = .\nstate.dir = unused\n"
          "events.dedup.window.ms = 0\n", f);
    cr_assert(eq(int, fclose(f), 0));
    snprintf(options, sizeof options, "--config %s --report --json 2>/dev/null", config);
    cr_assert(eq(int, simulate(options), 0), "%s", out);
    json_object *root = json_tokener_parse(out), *list;
    cr_assert(root && json_object_object_get_ex(root, "journeys", &list), "%s", out);
    json_object *push = node(json_object_array_get_idx(list, 0), "offer_push");
    cr_expect(eq(dbl, number(push, "campaign.delivered"), 5), "k1 2, k2 2 (no dedup), k3 1");
    cr_expect(eq(dbl, number(push, "campaign.opened"), 5), "k1 4, k3 1");
    json_object_put(root);
}

Test(campaign_report, json_without_report_is_a_usage_error) {
    cr_expect(eq(int, simulate("--json"), 2), "%s", out);
    cr_expect(strstr(out, "--json goes with --report") != NULL, "%s", out);
}

/* The insurance example (docs/call_tracking.md): one call over 90 s saying "credit card"
 * converts, worth 100 USD, attributed to the quote email whose number was called. */
static int simulate_insurance(const char *options) {
    char command[1024];
    snprintf(command, sizeof command,
             "%s simulate --journeys %s/examples/journeys --config %s/tests/journeys/calls/"
             "calls.conf --events %s/tests/journeys/calls/insurance.jsonl %s",
             SWITCHYARD_BIN, SY_SOURCE_ROOT, SY_SOURCE_ROOT, SY_SOURCE_ROOT, options);
    return child_run(command, out, sizeof out);
}

static json_object *journey_named(json_object *root, const char *id) {
    json_object *list, *jid;
    cr_assert(json_object_object_get_ex(root, "journeys", &list), "%s", out);
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *j = json_object_array_get_idx(list, i);
        json_object_object_get_ex(j, "id", &jid);
        if (strcmp(json_object_get_string(jid), id) == 0)
            return j;
    }
    cr_assert(false, "no journey %s", id);
    return NULL;
}

Test(campaign_report, a_converted_call_is_revenue_of_the_email_that_leased_the_number) {
    cr_assert(eq(int, simulate_insurance("--report --json 2>/dev/null"), 0), "%s", out);
    json_object *root = json_tokener_parse(out), *revenue;
    cr_assert_not_null(root, "%s", out);
    json_object *j = journey_named(root, "insurance_quote_email");
    cr_expect(eq(dbl, number(j, "campaign.calls.conversions.USD"), 1));
    cr_expect(eq(dbl, number(j, "campaign.calls.revenue.USD"), 100));
    cr_expect(eq(dbl, number(node(j, "quote_email"), "campaign.calls.conversions.USD"), 1));
    cr_expect(eq(dbl, number(node(j, "quote_email"), "campaign.calls.revenue.USD"), 100));
    json_object_object_get_ex(json_object_object_get(json_object_object_get(
        node(j, "reminder_sms"), "campaign"), "calls"), "revenue", &revenue);
    cr_expect(eq(int, json_object_object_length(revenue), 0), "the SMS leased no number");
    cr_expect(eq(dbl, number(j, "campaign.revenue"), 0), "no goal reached: goal revenue 0");
    cr_expect(eq(int, json_object_object_length(json_object_object_get(json_object_object_get(
        json_object_object_get(journey_named(root, "coffee_push_promo"), "campaign"), "calls"),
        "revenue")), 0), "a journey without tracking has no call revenue");
    json_object_put(root);
}

Test(campaign_report, the_table_shows_call_revenue_per_currency) {
    cr_assert(eq(int, simulate_insurance("--report 2>/dev/null"), 0), "%s", out);
    cr_expect(strstr(out, "insurance_quote_email v1: entered 6, completed 6, conversions 0, "
                          "revenue 0.00\n  goals: none\n  exit rules: email.unsubscribed 0\n"
                          "  calls: conversions 1, revenue 100.00 USD\n") != NULL, "%s", out);
    cr_expect(strstr(out, "  calls from quote_email: conversions 1, revenue 100.00 USD\n") !=
                  NULL, "%s", out);
    cr_expect(eq(sz, strstr(out, "  calls") - out,
                 strstr(out, "insurance_quote_email v1") - out +
                     strcspn(strstr(out, "insurance_quote_email v1"), "\n") +
                     strlen("\n  goals: none\n  exit rules: email.unsubscribed 0\n")),
              "no other journey shows calls: %s", out);
}
