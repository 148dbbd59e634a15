/* test_engine_rules.c — the rules around a journey's instances: the entry filter,
 * re-entry (never, always, cooldown), goals and exit rules ending an instance, on a small
 * shop journey written here. The environment is engine_fixture.h's; no Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

/* ---- entry filter, re-entry, goals and exits ---- */

/* %s: the re-entry policy. */
static const char shop_yaml[] =
    "id: shop\n"
    "version: 1\n"
    "entry:\n"
    "  event: custom.store_visit\n"
    "  if: event.value >= 10\n"
    "  reentry: %s\n"
    "goals:\n"
    "  - name: purchased\n"
    "    event: custom.purchase\n"
    "    if: event.value >= 5\n"
    "exits:\n"
    "  - event: sms.opted_out\n"
    "nodes:\n"
    "  - id: hello\n"
    "    send: {channel: sms, template: hello}\n"
    "    next: outcome\n"
    "  - id: outcome\n"
    "    branch:\n"
    "      message: hello\n"
    "      paths:\n"
    "        - name: replied\n"
    "          when: [sms.replied]\n"
    "          to: done\n"
    "      otherwise: {after: 48h, to: done}\n"
    "  - id: done\n"
    "    exit: {}\n";

static void shop_open(const char *reentry) {
    static char yaml[sizeof shop_yaml + 64];
    snprintf(yaml, sizeof yaml, shop_yaml, reentry);
    lx_open(yaml);
}

/* Enter at t, then reach the purchase goal an hour later. */
static void shop_visit_and_buy(int64_t t, uint32_t occurrence) {
    size_t before = lx.rec.decisions_count;
    feed_custom(&lx, "visit", t, "store_visit", 12);
    expect_counts(&lx.rec, before + 2, occurrence, 0);
    expect_act(&lx, occurrence - 1, SY_CHANNEL_SMS, "hello", "hello", occurrence, t);
    feed_custom(&lx, "buy", t + H_MS, "purchase", 7);
    expect_move(&lx, before + 2, "outcome", "goal:purchased", "<null>", SY_CAUSE_EVENT,
                "buy", t + H_MS);
    expect_instance(&lx, STATE_INSTANCE_DONE, occurrence);
}

Test(engine_lang, entry_filter_lets_only_matching_events_in) {
    shop_open("always");
    feed_custom(&lx, "small", T0_MS, "store_visit", 3);
    feed_custom(&lx, "no-value", T0_MS + 1, "store_visit", -1);
    expect_counts(&lx.rec, 0, 0, 0);
    feed_custom(&lx, "big", T0_MS + 2, "store_visit", 10);
    expect_counts(&lx.rec, 2, 1, 0);
    expect_move(&lx, 0, "<null>", "hello", "<null>", SY_CAUSE_ENTRY, "big", T0_MS + 2);
    expect_move(&lx, 1, "hello", "outcome", "<null>", SY_CAUSE_ENTRY, "big", T0_MS + 2);
    expect_instance(&lx, STATE_INSTANCE_ACTIVE, 1);
}

Test(engine_lang, reentry_never_keeps_a_contact_out_after_its_first_instance) {
    shop_open("never");
    shop_visit_and_buy(T0_MS, 1);
    feed_custom(&lx, "visit-2", T0_MS + 100 * H_MS, "store_visit", 50);
    expect_counts(&lx.rec, 3, 1, 0);
}

Test(engine_lang, reentry_always_enters_again_after_the_instance_ends) {
    shop_open("always");
    shop_visit_and_buy(T0_MS, 1);
    shop_visit_and_buy(T0_MS + 2 * H_MS, 2);
    expect_counts(&lx.rec, 6, 2, 0);
}

Test(engine_lang, reentry_cooldown_admits_from_exactly_the_cooldown_on) {
    int64_t cooldown = 30 * 24 * H_MS;
    shop_open("{cooldown: 30d}");
    shop_visit_and_buy(T0_MS, 1);
    feed_custom(&lx, "early", T0_MS + cooldown - 1, "store_visit", 12);
    expect_counts(&lx.rec, 3, 1, 0);
    shop_visit_and_buy(T0_MS + cooldown, 2);
}

Test(engine_lang, goal_ends_instance_mid_branch_and_its_timers_do_nothing) {
    shop_open("always");
    feed_custom(&lx, "visit", T0_MS, "store_visit", 12);
    feed_custom(&lx, "cheap", T0_MS + H_MS, "purchase", 2); /* the goal's `if` fails */
    expect_counts(&lx.rec, 2, 1, 0);
    feed_custom(&lx, "buy", T0_MS + 2 * H_MS, "purchase", 9);
    expect_counts(&lx.rec, 3, 1, 0);
    expect_move(&lx, 2, "outcome", "goal:purchased", "<null>", SY_CAUSE_EVENT, "buy",
                T0_MS + 2 * H_MS);
    size_t fired = advance(&lx, T0_MS + 100 * H_MS);
    cr_assert(eq(sz, fired, 1), "%zu timers fired, want 1 (the stale close)", fired);
    feed_outcome(&lx, "reply", T0_MS + 101 * H_MS, SY_CHANNEL_SMS, SY_EVENT_REPLIED, "hello",
                 1, NULL);
    expect_counts(&lx.rec, 3, 1, 0);
}

Test(engine_lang, exit_rule_ends_instance_on_opt_out) {
    shop_open("always");
    feed_custom(&lx, "visit", T0_MS, "store_visit", 12);
    sy_event_t ev = event_make("stop", contact, T0_MS + H_MS, SY_CHANNEL_SMS,
                               SY_EVENT_OPTED_OUT);
    feed(&lx, &ev);
    expect_counts(&lx.rec, 3, 1, 0);
    expect_move(&lx, 2, "outcome", "exit:sms.opted_out", "<null>", SY_CAUSE_EVENT, "stop",
                T0_MS + H_MS);
    expect_instance(&lx, STATE_INSTANCE_DONE, 1);
}
