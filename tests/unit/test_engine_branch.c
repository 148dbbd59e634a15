/* test_engine_branch.c — branches: engine_branch_eval on the coffee promo's branch
 * (first holding path, within, after, unless, otherwise), then small journeys with watched
 * business events, path `if`s, per-path windows and an inbound call feeding a branch.
 * The environment is engine_fixture.h's; no Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

/* ---- engine_branch_eval ---- */

static const journey_branch_t *coffee_branch(void) {
    int index = journey_node_index(fx.journey, "outcome");
    cr_assert(eq(int, index, 1), "outcome is node %d, want 1", index);
    return &fx.journey->nodes[index].u.branch;
}

#define SEEN(type) (UINT32_C(1) << (type))

/* The branch's watch bits for a set of outcome types (SEEN bits): what those outcomes of
 * its message set. Types the branch does not watch set nothing. */
static uint32_t watch_bits_of(const journey_branch_t *b, uint32_t types) {
    uint32_t bits = 0;
    for (size_t i = 0; i < b->watch.count; i++)
        if (types & SEEN(b->watch.events[i].type))
            bits |= UINT32_C(1) << i;
    return bits;
}

static void expect_eval(const journey_branch_t *b, uint32_t seen, int64_t t_rel, int want) {
    expr_profile_t profile = {0};
    expr_env_t env = {.profile = &profile, .seen_mask = watch_bits_of(b, seen),
                      .now_ms = T0_MS + t_rel, .entered_at_ms = T0_MS, .entries = 1};
    int got = engine_branch_eval(b, T0_MS, &env);
    cr_assert(eq(int, got, want), "seen 0x%x at entered%+lld ms: path %d, want %d", seen,
              (long long)t_rel, got, want);
}

Test(engine, branch_eval_first_holding_path_wins) {
    const journey_branch_t *b = coffee_branch();
    uint32_t opened = SEEN(SY_EVENT_DELIVERED) | SEEN(SY_EVENT_OPENED);
    expect_eval(b, opened | SEEN(SY_EVENT_BOUNCED), H_MS, 0);
    expect_eval(b, SEEN(SY_EVENT_BOUNCED) | SEEN(SY_EVENT_BLOCKED), H_MS, 2);
    expect_eval(b, SEEN(SY_EVENT_DELIVERED) | SEEN(SY_EVENT_BLOCKED), 24 * H_MS, 1);
    expect_eval(b, SEEN(SY_EVENT_BLOCKED), H_MS, 3);

    /* A hand-built branch: the same two holding paths, in both orders. */
    journey_path_t paths[2];
    memset(paths, 0, sizeof paths);
    paths[0].name = "a";
    paths[0].when_count = 1;
    paths[0].when[0] = (journey_event_match_t){SY_CHANNEL_SMS, SY_EVENT_REPLIED, NULL};
    paths[1].name = "b";
    paths[1].when_count = 1;
    paths[1].when[0] = (journey_event_match_t){SY_CHANNEL_SMS, SY_EVENT_CLICKED, NULL};
    paths[0].when_mask = 1; /* watch bit 0: sms.replied */
    paths[1].when_mask = 2; /* watch bit 1: sms.clicked */
    journey_branch_t hand = {.paths_count = 2, .paths = paths, .otherwise_after_ms = H_MS};
    hand.watch.count = 2;
    hand.watch.events[0] = paths[0].when[0];
    hand.watch.events[1] = paths[1].when[0];
    uint32_t both = SEEN(SY_EVENT_REPLIED) | SEEN(SY_EVENT_CLICKED);
    expect_eval(&hand, both, 1, 0);
    journey_path_t swapped[2] = {paths[1], paths[0]};
    hand.paths = swapped;
    expect_eval(&hand, both, 1, 0);
    cr_assert(eq(str, swapped[0].name, "b"), "path 0 is '%s'", swapped[0].name);
    expect_eval(&hand, SEEN(SY_EVENT_REPLIED), 1, 1);
}

Test(engine, branch_eval_within_excludes_after_deadline) {
    const journey_branch_t *b = coffee_branch();
    uint32_t opened = SEEN(SY_EVENT_DELIVERED) | SEEN(SY_EVENT_OPENED);
    expect_eval(b, opened, 0, 0);
    expect_eval(b, opened, 24 * H_MS, 0);
    expect_eval(b, opened, 24 * H_MS + 1, -1);
    expect_eval(b, opened, 72 * H_MS, 4);
}

Test(engine, branch_eval_after_excludes_before_delay) {
    const journey_branch_t *b = coffee_branch();
    uint32_t delivered = SEEN(SY_EVENT_DELIVERED);
    expect_eval(b, delivered, 0, -1);
    expect_eval(b, delivered, 24 * H_MS - 1, -1);
    expect_eval(b, delivered, 24 * H_MS, 1);
    expect_eval(b, delivered, 72 * H_MS + 1, 1);
}

Test(engine, branch_eval_unless_excludes_path) {
    const journey_branch_t *b = coffee_branch();
    uint32_t opened = SEEN(SY_EVENT_DELIVERED) | SEEN(SY_EVENT_OPENED);
    /* not_opened's time has come, but the open excludes it; opened's window is over. */
    expect_eval(b, opened, 25 * H_MS, -1);
    expect_eval(b, opened | SEEN(SY_EVENT_CLICKED), 25 * H_MS, -1);
    expect_eval(b, SEEN(SY_EVENT_DELIVERED) | SEEN(SY_EVENT_CLICKED), 25 * H_MS, 1);
}

Test(engine, branch_eval_otherwise_at_close_time_and_waits_before) {
    const journey_branch_t *b = coffee_branch();
    expect_eval(b, 0, 0, -1);
    expect_eval(b, 0, H_MS, -1);
    expect_eval(b, SEEN(SY_EVENT_DELIVERED), H_MS, -1);
    expect_eval(b, SEEN(SY_EVENT_SENT) | SEEN(SY_EVENT_CLICKED), 48 * H_MS, -1);
    expect_eval(b, 0, 72 * H_MS - 1, -1);
    expect_eval(b, 0, 72 * H_MS, (int)b->paths_count);
    expect_eval(b, SEEN(SY_EVENT_OPENED), 100 * H_MS, (int)b->paths_count);
}

/* ---- branch: watched business events, path `if`, per-path windows ---- */

static const char feedback_yaml[] =
    "id: feedback\n"
    "version: 1\n"
    "entry: {event: custom.store_visit}\n"
    "nodes:\n"
    "  - id: ask\n"
    "    send: {channel: sms, template: feedback_ask}\n"
    "    next: outcome\n"
    "  - id: outcome\n"
    "    branch:\n"
    "      message: ask\n"
    "      paths:\n"
    "        - name: replied\n"
    "          when: [sms.replied]\n"
    "          within: 24h\n"
    "          to: thanks\n"
    "        - name: menu\n"
    "          when: [sms.clicked]\n"
    "          if: seen(sms.clicked) and event.link == \"https://coffee.example/menu\"\n"
    "          to: menu_push\n"
    "        - name: survey_pending\n"
    "          when: [sms.clicked]\n"
    "          unless: [custom.survey_completed]\n"
    "          after: 24h\n"
    "          to: reminder\n"
    "      otherwise: {after: 48h, to: done}\n"
    "  - id: thanks\n"
    "    send: {channel: sms, template: thanks}\n"
    "    next: done\n"
    "  - id: menu_push\n"
    "    send: {channel: push, template: menu}\n"
    "    next: done\n"
    "  - id: reminder\n"
    "    send: {channel: email, template: survey_reminder}\n"
    "    next: done\n"
    "  - id: done\n"
    "    exit: {}\n";

#define SURVEY_LINK "https://coffee.example/survey"
#define MENU_LINK "https://coffee.example/menu"

static void feedback_enter(void) {
    lx_open(feedback_yaml);
    feed_custom(&lx, "visit", T0_MS, "store_visit", -1);
    expect_counts(&lx.rec, 2, 1, 0);
}

Test(engine_lang, branch_unless_on_a_watched_business_event_blocks_the_path) {
    feedback_enter();
    feed_outcome(&lx, "click", T0_MS + H_MS, SY_CHANNEL_SMS, SY_EVENT_CLICKED, "ask", 1,
                 SURVEY_LINK);
    /* No message id: a business event counts for any event of the contact. */
    feed_custom(&lx, "survey", T0_MS + 3 * H_MS, "survey_completed", -1);
    advance(&lx, T0_MS + 24 * H_MS);
    expect_counts(&lx.rec, 2, 1, 0);
    advance(&lx, T0_MS + 48 * H_MS);
    expect_counts(&lx.rec, 3, 1, 0);
    expect_move(&lx, 2, "outcome", "done", "otherwise", SY_CAUSE_TIMER, "<null>",
                T0_MS + 48 * H_MS);
}

Test(engine_lang, branch_after_path_takes_the_click_without_survey_at_its_timer) {
    feedback_enter();
    feed_outcome(&lx, "click", T0_MS + H_MS, SY_CHANNEL_SMS, SY_EVENT_CLICKED, "ask", 1,
                 SURVEY_LINK);
    expect_counts(&lx.rec, 2, 1, 0);
    advance(&lx, T0_MS + 24 * H_MS - 1);
    expect_counts(&lx.rec, 2, 1, 0);
    advance(&lx, T0_MS + 24 * H_MS);
    expect_counts(&lx.rec, 4, 2, 0);
    expect_move(&lx, 2, "outcome", "reminder", "survey_pending", SY_CAUSE_TIMER, "<null>",
                T0_MS + 24 * H_MS);
    expect_move(&lx, 3, "reminder", "done", "<null>", SY_CAUSE_TIMER, "<null>",
                T0_MS + 24 * H_MS);
    expect_act(&lx, 1, SY_CHANNEL_EMAIL, "survey_reminder", "reminder", 1, T0_MS + 24 * H_MS);
}

Test(engine_lang, branch_path_if_reads_seen_and_the_events_link) {
    feedback_enter();
    feed_outcome(&lx, "click", T0_MS + H_MS, SY_CHANNEL_SMS, SY_EVENT_CLICKED, "ask", 1,
                 MENU_LINK);
    expect_counts(&lx.rec, 4, 2, 0);
    expect_move(&lx, 2, "outcome", "menu_push", "menu", SY_CAUSE_EVENT, "click",
                T0_MS + H_MS);
    expect_act(&lx, 1, SY_CHANNEL_PUSH, "menu", "menu_push", 1, T0_MS + H_MS);
}

Test(engine_lang, branch_within_path_holds_to_its_deadline_only) {
    feedback_enter();
    feed_outcome(&lx, "late", T0_MS + 24 * H_MS + 1, SY_CHANNEL_SMS, SY_EVENT_REPLIED, "ask",
                 1, NULL);
    expect_counts(&lx.rec, 2, 1, 0);
    env_close(&lx);
    feedback_enter();
    feed_outcome(&lx, "reply", T0_MS + 24 * H_MS, SY_CHANNEL_SMS, SY_EVENT_REPLIED, "ask", 1,
                 NULL);
    expect_counts(&lx.rec, 4, 2, 0);
    expect_move(&lx, 2, "outcome", "thanks", "replied", SY_CAUSE_EVENT, "reply",
                T0_MS + 24 * H_MS);
}

/* DESIGN.md: calls feed branches ("called after the email"). An inbound call to a tracking
 * number is not an outcome of the email message, so it counts for any event of the
 * contact; its properties are readable by the path's `if`. */
static const char called_yaml[] =
    "id: called\n"
    "version: 1\n"
    "entry: {event: custom.promo_eligible}\n"
    "nodes:\n"
    "  - id: promo\n"
    "    send: {channel: email, template: promo}\n"
    "    next: outcome\n"
    "  - id: outcome\n"
    "    branch:\n"
    "      message: promo\n"
    "      paths:\n"
    "        - name: called\n"
    "          when: [call.inbound]\n"
    "          if: event.props.duration_s != \"\"\n"
    "          within: 72h\n"
    "          to: thanks\n"
    "        - name: opened\n"
    "          when: [email.opened]\n"
    "          to: done\n"
    "      otherwise: {after: 72h, to: done}\n"
    "  - id: thanks\n"
    "    send: {channel: sms, template: thanks_for_calling}\n"
    "    next: done\n"
    "  - id: done\n"
    "    exit: {}\n";

Test(engine_lang, an_inbound_call_after_the_email_takes_the_called_path) {
    lx_open(called_yaml);
    feed_custom(&lx, "in", T0_MS, "promo_eligible", -1);
    expect_counts(&lx.rec, 2, 1, 0);
    sy_event_t call = event_make("call-1", contact, T0_MS + 5 * H_MS, SY_CHANNEL_CALL,
                                 SY_EVENT_INBOUND);
    call.props_count = 1;
    call.props[0] = (sy_kv_t){"duration_s", "185"};
    feed(&lx, &call);
    expect_counts(&lx.rec, 4, 2, 0);
    expect_move(&lx, 2, "outcome", "thanks", "called", SY_CAUSE_EVENT, "call-1",
                T0_MS + 5 * H_MS);
    expect_act(&lx, 1, SY_CHANNEL_SMS, "thanks_for_calling", "thanks", 1, T0_MS + 5 * H_MS);
    env_close(&lx);
}

/* ---- events stamped before the contact entered the node ---- */

/* A reply stamped before the branch was entered, arriving after the entry, is no outcome
 * of this stay: no path is taken and nothing is decided at a time before the entry. */
Test(engine_lang, branch_ignores_an_event_stamped_before_its_entry) {
    feedback_enter();
    feed_outcome(&lx, "early", T0_MS - 1, SY_CHANNEL_SMS, SY_EVENT_REPLIED, "ask", 1, NULL);
    expect_counts(&lx.rec, 2, 1, 0);
    feed_outcome(&lx, "reply", T0_MS, SY_CHANNEL_SMS, SY_EVENT_REPLIED, "ask", 1, NULL);
    expect_counts(&lx.rec, 4, 2, 0);
    expect_move(&lx, 2, "outcome", "thanks", "replied", SY_CAUSE_EVENT, "reply", T0_MS);
}

static const char waiter_yaml[] =
    "id: waiter\n"
    "version: 1\n"
    "entry: {event: custom.signup}\n"
    "nodes:\n"
    "  - id: app\n"
    "    wait: {event: custom.app_open, timeout: 48h, timeout_to: done}\n"
    "    next: welcome\n"
    "  - id: welcome\n"
    "    send: {channel: push, template: welcome}\n"
    "    next: done\n"
    "  - id: done\n"
    "    exit: {}\n";

/* The same for a wait on an event: an app open stamped before the signup does not end it. */
Test(engine_lang, wait_ignores_an_event_stamped_before_its_entry) {
    lx_open(waiter_yaml);
    feed_custom(&lx, "signup", T0_MS, "signup", -1);
    expect_counts(&lx.rec, 1, 0, 0);
    feed_custom(&lx, "early", T0_MS - H_MS, "app_open", -1);
    expect_counts(&lx.rec, 1, 0, 0);
    feed_custom(&lx, "open", T0_MS + H_MS, "app_open", -1);
    expect_counts(&lx.rec, 3, 1, 0);
    expect_move(&lx, 1, "app", "welcome", "event", SY_CAUSE_EVENT, "open", T0_MS + H_MS);
}
