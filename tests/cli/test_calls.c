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
