/* test_engine_coffee.c — the engine on the coffee email promo: entry on promo_eligible,
 * every path of the multi-engagement branch with its windows and timers, and which
 * outcome events count for the promo's message. The environment (in-memory store,
 * recording sink) is engine_fixture.h's; no Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

/* ---- entry ---- */

Test(engine, entry_on_promo_eligible_sends_promo_email_and_waits_at_branch) {
    feed_entry(&fx, "entry-1", contact, T0_MS);
    expect_counts(&fx.rec, 2, 1, 0);
    expect_decision(&fx.rec, 0, "<null>", "promo_email", "<null>", SY_CAUSE_ENTRY, "entry-1",
                    T0_MS);
    expect_decision(&fx.rec, 1, "promo_email", "outcome", "<null>", SY_CAUSE_ENTRY,
                    "entry-1", T0_MS);
    expect_action(&fx.rec, 0, SY_CHANNEL_EMAIL, "autumn_promo", "promo_email", 1, T0_MS);
    action_id_buf_t want = promo_id(contact, 1);
    cr_assert(eq(str, fx.rec.actions[0].action_id, want.s), "promo id '%s', want '%s'",
              fx.rec.actions[0].action_id, want.s);

    state_instance_t inst;
    sy_err_t err = state_store_instance_get(fx.store, PARTITION, contact, JOURNEY_ID, &inst,
                                            errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "instance_get returned %d; %s", err, errbuf);
    cr_assert(eq(int, inst.status, STATE_INSTANCE_ACTIVE), "status %d, want active", inst.status);
    cr_assert(eq(int, inst.node, 1), "waits at node %u, want 1 (outcome)", inst.node);
    cr_assert(eq(u32, inst.occurrence, 1), "occurrence %u, want 1", inst.occurrence);
}

Test(engine, unrelated_event_enters_nothing) {
    sy_event_t visit = event_make("visit-1", contact, T0_MS, SY_CHANNEL_CUSTOM,
                                  SY_EVENT_CUSTOM);
    visit.name = "store_visit";
    feed(&fx, &visit);
    sy_event_t unnamed = event_make("custom-1", contact, T0_MS, SY_CHANNEL_CUSTOM,
                                    SY_EVENT_CUSTOM);
    feed(&fx, &unnamed);
    action_id_buf_t id = promo_id(contact, 1);
    feed_email(&fx, "open-1", contact, T0_MS + 1, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 0, 0, 0);
    state_instance_t inst;
    sy_err_t err = state_store_instance_get(fx.store, PARTITION, contact, JOURNEY_ID, &inst,
                                            errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "instance_get returned %d, want SY_ERR_NOT_FOUND",
              err);
}

Test(engine, entry_event_while_active_does_not_reenter) {
    enter_at_t0();
    feed_entry(&fx, "entry-2", contact, T0_MS + H_MS);
    expect_counts(&fx.rec, 2, 1, 0);
}

/* ---- the branch's paths ---- */

Test(engine, delivered_then_opened_within_24h_sends_discount_and_exits) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    expect_counts(&fx.rec, 2, 1, 0);
    feed_email(&fx, "opened-1", contact, T0_MS + 2 * H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
    expect_decision(&fx.rec, 2, "outcome", "discount_email", "opened", SY_CAUSE_EVENT,
                    "opened-1", T0_MS + 2 * H_MS);
    expect_decision(&fx.rec, 3, "discount_email", "done", "<null>", SY_CAUSE_EVENT,
                    "opened-1", T0_MS + 2 * H_MS);
    expect_action(&fx.rec, 1, SY_CHANNEL_EMAIL, "personal_discount", "discount_email", 1,
                  T0_MS + 2 * H_MS);

    /* The contact is done: more outcomes of the same message change nothing. */
    feed_email(&fx, "clicked-1", contact, T0_MS + 3 * H_MS, SY_EVENT_CLICKED, id.s);
    feed_email(&fx, "opened-2", contact, T0_MS + 4 * H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
}

Test(engine, opened_before_delivered_report_still_takes_opened_path) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "opened-1", contact, T0_MS + H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 2, 1, 0);
    feed_email(&fx, "delivered-1", contact, T0_MS + 2 * H_MS, SY_EVENT_DELIVERED, id.s);
    expect_decision(&fx.rec, 2, "outcome", "discount_email", "opened", SY_CAUSE_EVENT,
                    "delivered-1", T0_MS + 2 * H_MS);
}

Test(engine, opened_at_exactly_24h_still_takes_opened_path) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    feed_email(&fx, "opened-1", contact, T0_MS + 24 * H_MS, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
    expect_decision(&fx.rec, 2, "outcome", "discount_email", "opened", SY_CAUSE_EVENT,
                    "opened-1", T0_MS + 24 * H_MS);
    /* The not_opened timer due at the same instant is stale by now; the close's was never
     * set (a branch sets its next moment's timer only when the one before passes). */
    cr_assert(eq(sz, advance(&fx, T0_MS + 72 * H_MS), 1), "want the 24h timer fired alone");
    expect_counts(&fx.rec, 4, 2, 0);
}

Test(engine, delivered_not_opened_sends_push_when_timer_fires_at_24h) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    size_t fired = advance(&fx, T0_MS + 24 * H_MS - 1);
    cr_assert(eq(sz, fired, 0), "%zu timers fired before 24h, want 0", fired);
    expect_counts(&fx.rec, 2, 1, 0);
    fired = advance(&fx, T0_MS + 24 * H_MS);
    cr_assert(eq(sz, fired, 1), "%zu timers fired at 24h, want 1", fired);
    expect_counts(&fx.rec, 4, 2, 0);
    expect_decision(&fx.rec, 2, "outcome", "push_nudge", "not_opened", SY_CAUSE_TIMER,
                    "<null>", T0_MS + 24 * H_MS);
    expect_decision(&fx.rec, 3, "push_nudge", "done", "<null>", SY_CAUSE_TIMER, "<null>",
                    T0_MS + 24 * H_MS);
    expect_action(&fx.rec, 1, SY_CHANNEL_PUSH, "autumn_promo_reminder", "push_nudge", 1,
                  T0_MS + 24 * H_MS);

    /* A late open changes nothing; the contact left before the close, so no timer was set
     * for it. */
    feed_email(&fx, "opened-1", contact, T0_MS + 25 * H_MS, SY_EVENT_OPENED, id.s);
    cr_assert(eq(sz, advance(&fx, T0_MS + 72 * H_MS), 0), "want no timer at the 72h close");
    expect_counts(&fx.rec, 4, 2, 0);
}

Test(engine, open_one_ms_after_24h_comes_after_the_push) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    /* feed fires the timers due before the open first, as the runner does. */
    feed_email(&fx, "opened-1", contact, T0_MS + 24 * H_MS + 1, SY_EVENT_OPENED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
    expect_decision(&fx.rec, 2, "outcome", "push_nudge", "not_opened", SY_CAUSE_TIMER,
                    "<null>", T0_MS + 24 * H_MS);
    expect_action(&fx.rec, 1, SY_CHANNEL_PUSH, "autumn_promo_reminder", "push_nudge", 1,
                  T0_MS + 24 * H_MS);
}

Test(engine, bounced_adds_to_data_cleansing_list) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    sy_event_t ev = event_make("bounced-1", contact, T0_MS + 5 * 60 * 1000, SY_CHANNEL_EMAIL,
                               SY_EVENT_BOUNCED);
    ev.message_id = id.s;
    ev.bounce = SY_BOUNCE_HARD;
    feed(&fx, &ev);
    expect_counts(&fx.rec, 4, 1, 1);
    expect_decision(&fx.rec, 2, "outcome", "flag_cleansing", "bounced", SY_CAUSE_EVENT,
                    "bounced-1", T0_MS + 5 * 60 * 1000);
    expect_decision(&fx.rec, 3, "flag_cleansing", "done", "<null>", SY_CAUSE_EVENT,
                    "bounced-1", T0_MS + 5 * 60 * 1000);
    expect_update(&fx.rec, 0, "flag_cleansing", "data_cleansing", T0_MS + 5 * 60 * 1000);
    /* The 24h timer, stale; none was set for the close, which the contact never reached. */
    cr_assert(eq(sz, advance(&fx, T0_MS + 72 * H_MS), 1), "want the 24h timer fired alone");
    expect_counts(&fx.rec, 4, 1, 1);
}

Test(engine, blocked_adds_to_suppression_list) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "blocked-1", contact, T0_MS + 60 * 1000, SY_EVENT_BLOCKED, id.s);
    expect_counts(&fx.rec, 4, 1, 1);
    expect_decision(&fx.rec, 2, "outcome", "suppress", "blocked", SY_CAUSE_EVENT,
                    "blocked-1", T0_MS + 60 * 1000);
    expect_decision(&fx.rec, 3, "suppress", "done", "<null>", SY_CAUSE_EVENT, "blocked-1",
                    T0_MS + 60 * 1000);
    expect_update(&fx.rec, 0, "suppress", "suppression", T0_MS + 60 * 1000);
}

Test(engine, no_engagement_closes_with_otherwise_at_72h) {
    enter_at_t0();
    size_t fired = advance(&fx, T0_MS + 72 * H_MS - 1);
    cr_assert(eq(sz, fired, 1), "%zu timers fired before 72h, want 1 (the 24h one)", fired);
    expect_counts(&fx.rec, 2, 1, 0);
    fired = advance(&fx, T0_MS + 72 * H_MS);
    cr_assert(eq(sz, fired, 1), "%zu timers fired at 72h, want 1", fired);
    expect_counts(&fx.rec, 3, 1, 0);
    expect_decision(&fx.rec, 2, "outcome", "done", "otherwise", SY_CAUSE_TIMER, "<null>",
                    T0_MS + 72 * H_MS);
    cr_assert(eq(sz, advance(&fx, INT64_MAX), 0), "timers left after the branch closed");
}

Test(engine, delivered_and_opened_after_24h_waits_for_otherwise) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_email(&fx, "opened-1", contact, T0_MS + 30 * H_MS, SY_EVENT_OPENED, id.s);
    feed_email(&fx, "delivered-1", contact, T0_MS + 31 * H_MS, SY_EVENT_DELIVERED, id.s);
    /* opened is past its 24h window; not_opened is excluded by the open. */
    expect_counts(&fx.rec, 2, 1, 0);
    advance(&fx, T0_MS + 72 * H_MS);
    expect_counts(&fx.rec, 3, 1, 0);
    expect_decision(&fx.rec, 2, "outcome", "done", "otherwise", SY_CAUSE_TIMER, "<null>",
                    T0_MS + 72 * H_MS);
}

/* ---- which events count for the message ---- */

Test(engine, message_id_of_another_contact_or_occurrence_does_not_count) {
    action_id_buf_t theirs = promo_id(other_contact, 1), next = promo_id(contact, 2);
    action_id_buf_t discount = action_id_of(contact, "discount_email", 1);
    enter_at_t0();
    feed_email(&fx, "d-other", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, theirs.s);
    feed_email(&fx, "o-other", contact, T0_MS + H_MS, SY_EVENT_OPENED, theirs.s);
    feed_email(&fx, "d-next", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, next.s);
    feed_email(&fx, "o-next", contact, T0_MS + H_MS, SY_EVENT_OPENED, next.s);
    feed_email(&fx, "b-node", contact, T0_MS + H_MS, SY_EVENT_BOUNCED, discount.s);
    expect_counts(&fx.rec, 2, 1, 0);
    /* Had any delivered counted, not_opened would hold at 24h. */
    advance(&fx, T0_MS + 24 * H_MS);
    expect_counts(&fx.rec, 2, 1, 0);
}

Test(engine, outcome_on_another_channel_does_not_count) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    sy_event_t ev = event_make("push-blocked", contact, T0_MS + H_MS, SY_CHANNEL_PUSH,
                               SY_EVENT_FAILED);
    ev.message_id = id.s;
    feed(&fx, &ev);
    sy_event_t sms = event_make("sms-blocked", contact, T0_MS + H_MS, SY_CHANNEL_SMS,
                                SY_EVENT_DELIVERED);
    sms.message_id = id.s;
    feed(&fx, &sms);
    advance(&fx, T0_MS + 24 * H_MS);
    expect_counts(&fx.rec, 2, 1, 0);
}

Test(engine, event_without_message_id_counts_by_journey_and_node) {
    enter_at_t0();
    sy_event_t wrong_node = event_make("d-wrong-node", contact, T0_MS + H_MS,
                                       SY_CHANNEL_EMAIL, SY_EVENT_BOUNCED);
    wrong_node.journey_id = JOURNEY_ID;
    wrong_node.node_id = "discount_email";
    feed(&fx, &wrong_node);
    sy_event_t wrong_journey = event_make("d-wrong-journey", contact, T0_MS + H_MS,
                                          SY_CHANNEL_EMAIL, SY_EVENT_BOUNCED);
    wrong_journey.journey_id = "sms_feedback";
    wrong_journey.node_id = "promo_email";
    feed(&fx, &wrong_journey);
    sy_event_t journey_only = event_make("d-journey-only", contact, T0_MS + H_MS,
                                         SY_CHANNEL_EMAIL, SY_EVENT_BOUNCED);
    journey_only.journey_id = JOURNEY_ID;
    feed(&fx, &journey_only);
    expect_counts(&fx.rec, 2, 1, 0);

    sy_event_t delivered = event_make("delivered-1", contact, T0_MS + 2 * H_MS,
                                      SY_CHANNEL_EMAIL, SY_EVENT_DELIVERED);
    delivered.journey_id = JOURNEY_ID;
    delivered.node_id = "promo_email";
    feed(&fx, &delivered);
    sy_event_t opened = delivered;
    opened.event_id = "opened-1";
    opened.type = SY_EVENT_OPENED;
    opened.occurred_at_ms = T0_MS + 3 * H_MS;
    feed(&fx, &opened);
    expect_counts(&fx.rec, 4, 2, 0);
    expect_decision(&fx.rec, 2, "outcome", "discount_email", "opened", SY_CAUSE_EVENT,
                    "opened-1", T0_MS + 3 * H_MS);
}

Test(engine, events_of_one_contact_do_not_move_another) {
    action_id_buf_t id = promo_id(contact, 1);
    enter_at_t0();
    feed_entry(&fx, "entry-other", other_contact, T0_MS + 1);
    expect_counts(&fx.rec, 4, 2, 0);
    /* The other contact's provider echoes our contact's id: it is not theirs. */
    feed_email(&fx, "blocked-x", other_contact, T0_MS + H_MS, SY_EVENT_BLOCKED, id.s);
    expect_counts(&fx.rec, 4, 2, 0);
    feed_email(&fx, "blocked-1", contact, T0_MS + H_MS, SY_EVENT_BLOCKED, id.s);
    expect_counts(&fx.rec, 6, 2, 1);
    expect_decision(&fx.rec, 4, "outcome", "suppress", "blocked", SY_CAUSE_EVENT,
                    "blocked-1", T0_MS + H_MS);
}
