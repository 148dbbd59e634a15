/* test_calls.c — the insurance-quote example (examples/journeys/insurance_quote_email.yaml
 * with examples/calls/sales.yaml) through `switchyard simulate --config` over
 * tests/journeys/calls/insurance.jsonl: every path (called and converted, called without
 * converting, clicked, neither), the numbers leased and the fallback once the pool is
 * exhausted, the one conversion, unattributed calls, and callbacks delivered three times. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "tmpdir.h"

#define CALLS_DIR SY_SOURCE_ROOT "/tests/journeys/calls"
#define SIMULATE SWITCHYARD_BIN " simulate --journeys " SY_SOURCE_ROOT "/examples/journeys" \
                 " --config " CALLS_DIR "/calls.conf --events "

static char out[512 * 1024], again[512 * 1024];

static void expect_line(const char *line) {
    cr_expect_not_null(strstr(out, line), "the output lacks:\n%s", line);
}

static size_t count(const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(out, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

Test(calls_example, every_path_with_its_tracking_numbers_and_one_conversion, .timeout = 120) {
    cr_assert(eq(int, child_run(SIMULATE CALLS_DIR "/insurance.jsonl 2>/dev/null", out,
                                sizeof out), 0));
    /* a1 (a smartphone in area 312) gets a 312 number; it calls, converts, is taken off
     * the retargeting. */
    expect_line("\"contact_id\":\"a1\",\"channel\":\"email\",\"template_id\":\"auto_quote\"");
    expect_line("\"node_id\":\"quote_email\",\"occurrence\":1,\"tracking_number\":"
                "\"+13125550104\"");
    /* its call-to-action (ActionCommand version 2) and click-to-call link: GET /c/ with
     * hex("a1"), the action id and the number's digits */
    expect_line("\"call_link\":\"https://calls.example.com/c/6131."
                "01873866a8374cd70f0c6127e3e44896.13125550104\"},\"tracking_display\":"
                "\"(312) 555-0104\",\"tracking_tel\":\"tel:+13125550104\",\"tracking_cta\":"
                "\"button\",\"tracking_fallback\":false}");
    /* a2 reads on a desktop: the number as text */
    expect_line("\"tracking_number\":\"+13125550105\",\"params\":{\"greeting\":\"Hi there, "
                "here is your quote\",\"call_link\":\"https://calls.example.com/c/6132.");
    expect_line("\"tracking_display\":\"(312) 555-0105\",\"tracking_tel\":"
                "\"tel:+13125550105\",\"tracking_cta\":\"text\",\"tracking_fallback\":false}");
    expect_line("{\"schema\":\"Conversion\",\"contact_id\":\"a1\",\"journey_id\":"
                "\"insurance_quote_email\",\"journey_version\":1,\"node_id\":\"quote_email\","
                "\"action_id\":\"01873866a8374cd70f0c6127e3e44896\",\"rule\":\"card_payment\","
                "\"value\":100,\"currency\":\"USD\",\"call_id\":\"CA1\",\"tracking_number\":"
                "\"+13125550104\",\"converted_at\":\"2026-11-02T10:05:00.000Z\"}");
    cr_expect(eq(sz, count("\"schema\":\"Conversion\""), 1), "one conversion in all");
    expect_line("\"contact_id\":\"a1\",\"journey_id\":\"insurance_quote_email\","
                "\"journey_version\":1,\"from_node\":\"outcome\",\"to_node\":\"on_the_phone\","
                "\"path\":\"called\"");
    expect_line("\"node_id\":\"bought\",\"op\":\"set_attribute\",\"name\":\"auto_policy\","
                "\"value\":\"bought by phone (card_payment)\"");
    expect_line("\"node_id\":\"stop_retargeting\",\"op\":\"add_to_list\","
                "\"name\":\"auto_retargeting_stop\"");
    /* a4 calls for 60 s: called, no conversion, the agent callback at the timeout. */
    expect_line("\"contact_id\":\"a4\",\"journey_id\":\"insurance_quote_email\","
                "\"journey_version\":1,\"from_node\":\"on_the_phone\",\"to_node\":"
                "\"agent_callback\",\"path\":\"timeout\"");
    /* a2 clicked: the SMS; a3, a5, a6 neither: the last email; the pool's six numbers are
     * all leased by then, so these carry the fallback. */
    expect_line("\"from_node\":\"outcome\",\"to_node\":\"reminder_sms\",\"path\":\"clicked\"");
    cr_expect(eq(sz, count("\"to_node\":\"last_chance_email\",\"path\":\"otherwise\""), 3));
    cr_expect(eq(sz, count("\"tracking_number\":\"+18005550100\""), 4));
    cr_expect(eq(sz, count("\"tracking_fallback\":true}"), 4), "and say it is the fallback");
    /* The calls to a number no pool holds and to a1's number after its lease reached no
     * journey: a1 moved only on its own call. */
    cr_expect(eq(sz, count("\"path\":\"called\""), 2));
}

Test(calls_example, callbacks_delivered_three_times_give_the_same_output, .timeout = 120) {
    cr_assert(eq(int, child_run(SIMULATE CALLS_DIR "/insurance.jsonl 2>/dev/null", out,
                                sizeof out), 0));
    char command[1024];
    snprintf(command, sizeof command,
             "awk '{print} /^\\{\"event_id/ {print; print}' %s/insurance.jsonl | "
             SIMULATE "- 2>/dev/null", CALLS_DIR);
    cr_assert(eq(int, child_run(command, again, sizeof again), 0), "%s", command);
    cr_assert(eq(str, again, out), "every event three times changes the output");
}

/* A journey whose send leases from a pool the calls config lacks does not load: the
 * message names its file, the line and column of `pool:`, the journey and the pool. */
Test(calls_example, a_send_naming_an_unknown_pool_is_refused_with_its_place, .timeout = 120) {
    char dir[256], command[2048];
    tmpdir_make(dir, sizeof dir, "calls-pool");
    snprintf(command, sizeof command,
             "sed 's/pool: sales, lease: 7d/pool: retail, lease: 7d/' %s/examples/journeys/"
             "insurance_quote_email.yaml > %s/insurance_quote_email.yaml && %s simulate "
             "--journeys %s --config " CALLS_DIR "/calls.conf --events " CALLS_DIR
             "/insurance.jsonl 2>&1 >/dev/null",
             SY_SOURCE_ROOT, dir, SWITCHYARD_BIN, dir);
    cr_expect_neq(child_run(command, out, sizeof out), 0, "%s", out);
    cr_expect_not_null(strstr(out, "/insurance_quote_email.yaml:73:24: journey "
                                   "'insurance_quote_email' version 1: send 'reminder_sms' "
                                   "leases from pool 'retail', which the calls config"),
                       "%s", out);
    cr_assert(eq(int, tmpdir_remove(dir), 0));
}

#define RULES_SIMULATE SWITCHYARD_BIN " simulate --journeys " CALLS_DIR "/rules --config " \
                       CALLS_DIR "/calls.conf --events " CALLS_DIR "/journey_rules.jsonl"

/* tests/journeys/calls/journey_rules.jsonl: a journey's own rule converts the calls to its
 * numbers only; the config's rules convert any journey's. */
Test(calls_journey_rules, a_journeys_rule_converts_the_calls_to_its_own_numbers_only,
     .timeout = 120) {
    cr_assert(eq(int, child_run(RULES_SIMULATE " 2>/dev/null", out, sizeof out), 0), "%s",
              out);
    expect_line("{\"schema\":\"Conversion\",\"contact_id\":\"h1\",\"journey_id\":\"home_quote\","
                "\"journey_version\":1,\"node_id\":\"home_email\"");
    expect_line("\"rule\":\"home_policy\",\"value\":250,\"currency\":\"EUR\",\"call_id\":\"CH1\","
                "\"tracking_number\":\"+13125550106\"");
    expect_line("\"contact_id\":\"h1\",\"journey_id\":\"home_quote\",\"journey_version\":1,"
                "\"from_node\":\"wait_call\",\"to_node\":\"sold\",\"path\":\"event\"");
    expect_line("\"contact_id\":\"r1\",\"journey_id\":\"renter_quote\",\"journey_version\":1,"
                "\"from_node\":\"wait_call\",\"to_node\":\"done\",\"path\":\"timeout\"");
    expect_line("\"rule\":\"card_payment\",\"value\":100,\"currency\":\"USD\",\"call_id\":\"CR2\"");
    cr_expect(eq(sz, count("\"schema\":\"Conversion\""), 2), "CR1 converts by no rule:\n%s",
              out);
    cr_expect_null(strstr(out, "\"call_id\":\"CR1\""), "%s", out);
}

/* A journey's rules are read like the config's: a bad one names the file, line and
 * problem; one named like a config rule is refused when the journeys load. */
Test(calls_journey_rules, bad_rules_name_their_file_line_and_problem, .timeout = 120) {
    char dir[256], command[2048];
    tmpdir_make(dir, sizeof dir, "calls-rules");
    snprintf(command, sizeof command,
             "sed 's/currency: EUR/currency: eur/' " CALLS_DIR "/rules/home_quote.yaml > "
             "%s/home_quote.yaml && " SWITCHYARD_BIN " simulate --journeys %s --config "
             CALLS_DIR "/calls.conf --events " CALLS_DIR "/journey_rules.jsonl 2>&1 >/dev/null",
             dir, dir);
    cr_expect_neq(child_run(command, out, sizeof out), 0);
    cr_expect_not_null(strstr(out, "/home_quote.yaml:13:15: bad currency 'eur': write an "
                                   "ISO 4217 code, like USD"), "%s", out);
    snprintf(command, sizeof command,
             "sed 's/name: home_policy/name: card_payment/' " CALLS_DIR "/rules/home_quote.yaml"
             " > %s/home_quote.yaml && " SWITCHYARD_BIN " simulate --journeys %s --config "
             CALLS_DIR "/calls.conf --events " CALLS_DIR "/journey_rules.jsonl 2>&1 >/dev/null",
             dir, dir);
    cr_expect_neq(child_run(command, out, sizeof out), 0);
    cr_expect_not_null(strstr(out, "/home_quote.yaml:10:5: journey 'home_quote' version 1: "
                                   "conversion rule 'card_payment' is also a rule of the "
                                   "calls config"), "%s", out);
    cr_assert(eq(int, tmpdir_remove(dir), 0));
}
