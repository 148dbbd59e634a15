/* test_engine_wait.c — wait nodes: for, until a local time of the contact's zone (UTC
 * without one), for an event with an `if` and a timeout, an exit rule mid-wait, and a
 * new version of the journey swapped in while a contact waits (also one that no longer
 * reads the event its older version waits for). The environment is
 * engine_fixture.h's; no Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

/* ---- waits ---- */

const char wait_yaml[] =
    "id: waits\n"
    "version: 1\n"
    "profile:\n"
    "  tz: {type: string, default: \"UTC\"}\n"
    "entry: {event: custom.signup}\n"
    "exits:\n"
    "  - event: sms.opted_out\n"
    "nodes:\n"
    "  - id: pause\n"
    "    wait: {for: 2h}\n"
    "    next: morning\n"
    "  - id: morning\n"
    "    wait: {until: \"09:30\", timezone: tz}\n"
    "    next: await_open\n"
    "  - id: await_open\n"
    "    wait:\n"
    "      event: custom.app_open\n"
    "      if: event.props.screen == \"home\"\n"
    "      timeout: 48h\n"
    "      timeout_to: nudge\n"
    "    next: welcome\n"
    "  - id: welcome\n"
    "    send: {channel: push, template: welcome}\n"
    "    next: done\n"
    "  - id: nudge\n"
    "    send: {channel: sms, template: nudge}\n"
    "    next: done\n"
    "  - id: done\n"
    "    exit: {}\n";

/* 2024-10-02T07:30:00Z: 09:30 in Paris (CEST, UTC+2) the day after T0 (11:00 there). */
#define PARIS_0930_MS (T0_MS + 22 * H_MS + 30 * 60 * 1000)

static void app_open(int64_t t, const char *event_id, const char *screen) {
    sy_event_t ev = event_make(event_id, contact, t, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    ev.name = "app_open";
    ev.props_count = 1;
    ev.props[0] = (sy_kv_t){"screen", screen};
    feed(&lx, &ev);
}

/* Enter at T0 in Paris and reach the event wait at 09:30 local the next day. */
static void waits_reach_event_wait(void) {
    lx_open(wait_yaml);
    profile_set(&lx, contact, "tz", str_value("Europe/Paris"));
    feed_custom(&lx, "signup", T0_MS, "signup", -1);
    advance(&lx, PARIS_0930_MS);
    expect_counts(&lx.rec, 3, 0, 0);
}

Test(engine_lang, wait_for_then_until_the_contacts_local_time) {
    lx_open(wait_yaml);
    profile_set(&lx, contact, "tz", str_value("Europe/Paris"));
    feed_custom(&lx, "signup", T0_MS, "signup", -1);
    expect_counts(&lx.rec, 1, 0, 0);
    expect_move(&lx, 0, "<null>", "pause", "<null>", SY_CAUSE_ENTRY, "signup", T0_MS);
    advance(&lx, T0_MS + 2 * H_MS - 1);
    expect_counts(&lx.rec, 1, 0, 0);
    advance(&lx, T0_MS + 2 * H_MS);
    expect_counts(&lx.rec, 2, 0, 0);
    expect_move(&lx, 1, "pause", "morning", "<null>", SY_CAUSE_TIMER, "<null>",
                T0_MS + 2 * H_MS);
    advance(&lx, PARIS_0930_MS - 1);
    expect_counts(&lx.rec, 2, 0, 0);
    advance(&lx, PARIS_0930_MS);
    expect_counts(&lx.rec, 3, 0, 0);
    expect_move(&lx, 2, "morning", "await_open", "<null>", SY_CAUSE_TIMER, "<null>",
                PARIS_0930_MS);
}

Test(engine_lang, wait_until_without_a_zone_is_utc) {
    lx_open(wait_yaml);
    feed_custom(&lx, "signup", T0_MS, "signup", -1);
    advance(&lx, T0_MS + 2 * H_MS);
    /* T0+2h is 11:00 UTC: the next 09:30 UTC is the next day. */
    int64_t due = T0_MS + 24 * H_MS + 30 * 60 * 1000;
    advance(&lx, due - 1);
    expect_counts(&lx.rec, 2, 0, 0);
    advance(&lx, due);
    expect_move(&lx, 2, "morning", "await_open", "<null>", SY_CAUSE_TIMER, "<null>", due);
}

Test(engine_lang, wait_event_takes_next_when_the_event_and_its_if_come_in_time) {
    waits_reach_event_wait();
    app_open(PARIS_0930_MS + H_MS, "open-settings", "settings");
    expect_counts(&lx.rec, 3, 0, 0);
    app_open(PARIS_0930_MS + 2 * H_MS, "open-home", "home");
    expect_counts(&lx.rec, 5, 1, 0);
    expect_move(&lx, 3, "await_open", "welcome", "event", SY_CAUSE_EVENT, "open-home",
                PARIS_0930_MS + 2 * H_MS);
    expect_move(&lx, 4, "welcome", "done", "<null>", SY_CAUSE_EVENT, "open-home",
                PARIS_0930_MS + 2 * H_MS);
    expect_act(&lx, 0, SY_CHANNEL_PUSH, "welcome", "welcome", 1, PARIS_0930_MS + 2 * H_MS);
    size_t fired = advance(&lx, PARIS_0930_MS + 48 * H_MS);
    cr_assert(eq(sz, fired, 1), "%zu timers fired, want 1 (the stale timeout)", fired);
    expect_counts(&lx.rec, 5, 1, 0);
}

Test(engine_lang, wait_event_times_out_at_exactly_the_timeout) {
    waits_reach_event_wait();
    app_open(PARIS_0930_MS + 48 * H_MS, "open-late", "home");
    expect_counts(&lx.rec, 3, 0, 0);
    advance(&lx, PARIS_0930_MS + 48 * H_MS);
    expect_counts(&lx.rec, 5, 1, 0);
    expect_move(&lx, 3, "await_open", "nudge", "timeout", SY_CAUSE_TIMER, "<null>",
                PARIS_0930_MS + 48 * H_MS);
    expect_act(&lx, 0, SY_CHANNEL_SMS, "nudge", "nudge", 1, PARIS_0930_MS + 48 * H_MS);
}

Test(engine_lang, exit_rule_ends_instance_mid_wait) {
    lx_open(wait_yaml);
    feed_custom(&lx, "signup", T0_MS, "signup", -1);
    sy_event_t ev = event_make("stop", contact, T0_MS + H_MS, SY_CHANNEL_SMS,
                               SY_EVENT_OPTED_OUT);
    feed(&lx, &ev);
    expect_counts(&lx.rec, 2, 0, 0);
    expect_move(&lx, 1, "pause", "exit:sms.opted_out", "<null>", SY_CAUSE_EVENT, "stop",
                T0_MS + H_MS);
    size_t fired = advance(&lx, T0_MS + 100 * H_MS);
    cr_assert(eq(sz, fired, 1), "%zu timers fired, want 1 (stale)", fired);
    expect_counts(&lx.rec, 2, 0, 0);
}

/* ---- swapping the journey set between batches ---- */

Test(engine_lang, journeys_set_keeps_contacts_on_their_version_and_enters_the_newest) {
    lx_open(wait_yaml);
    feed_custom(&lx, "signup", T0_MS, "signup", -1);
    static char v2_yaml[sizeof wait_yaml];
    snprintf(v2_yaml, sizeof v2_yaml, "%s", wait_yaml);
    memcpy(strstr(v2_yaml, "version: 1"), "version: 2", 10);
    journey_t *v2 = journey_text(v2_yaml);
    journey_t *both[2] = {lx.journey, v2};
    journey_set_t set = {.count = 2, .journeys = both};
    engine_journeys_set(lx.engine, &set);
    advance(&lx, T0_MS + 2 * H_MS);
    expect_counts(&lx.rec, 2, 0, 0);
    cr_assert(eq(i32, lx.rec.decisions[1].version, 1), "moved on version %d, want 1",
              (int)lx.rec.decisions[1].version);
    sy_event_t ev = event_make("signup-other", other_contact, T0_MS + 3 * H_MS,
                               SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    ev.name = "signup";
    feed(&lx, &ev);
    expect_counts(&lx.rec, 3, 0, 0);
    cr_assert(eq(i32, lx.rec.decisions[2].version, 2), "entered version %d, want 2",
              (int)lx.rec.decisions[2].version);
    engine_journeys_set(lx.engine, &lx.set);
    journey_free(v2);
}

Test(engine_lang, an_event_only_an_older_version_reads_still_moves_its_contacts) {
    waits_reach_event_wait();
    /* Version 2 waits for another event: no journey's newest version reads app_open. */
    static char v2_yaml[sizeof wait_yaml + 16];
    const char *at = strstr(wait_yaml, "custom.app_open");
    snprintf(v2_yaml, sizeof v2_yaml, "%.*scustom.app_shut%s", (int)(at - wait_yaml),
             wait_yaml, at + strlen("custom.app_open"));
    memcpy(strstr(v2_yaml, "version: 1"), "version: 2", 10);
    journey_t *v2 = journey_text(v2_yaml);
    journey_t *both[2] = {lx.journey, v2};
    journey_set_t set = {.count = 2, .journeys = both};
    engine_journeys_set(lx.engine, &set);
    sy_event_t ev = event_make("unread", contact, PARIS_0930_MS + H_MS, SY_CHANNEL_CUSTOM,
                               SY_EVENT_CUSTOM);
    ev.name = "page_view"; /* read by no version: nothing moves */
    feed(&lx, &ev);
    expect_counts(&lx.rec, 3, 0, 0);
    app_open(PARIS_0930_MS + 2 * H_MS, "open-home", "home");
    expect_counts(&lx.rec, 5, 1, 0);
    expect_move(&lx, 3, "await_open", "welcome", "event", SY_CAUSE_EVENT, "open-home",
                PARIS_0930_MS + 2 * H_MS);
    cr_assert(eq(i32, lx.rec.decisions[3].version, 1), "moved on version %d, want 1",
              (int)lx.rec.decisions[3].version);
    engine_journeys_set(lx.engine, &lx.set);
    journey_free(v2);
}
