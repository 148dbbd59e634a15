/* test_engine_consent.c — what journeys and profiles do to a contact's consent through the
 * engine: `update: {opt_out: CHANNEL}` and `{opt_in: CHANNEL}`, and the profiles' consent.*
 * attributes (engine_on_profile), change consent at their time (a late change never undoes
 * a newer one) and the next marketing send obeys. The gate's reasons are pinned by the
 * simulate transcripts (tests/cli/test_simulate.c); the environment is engine_fixture.h's.
 * No Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <string.h>

#include "engine_fixture.h"

/* A custom.consent event of value 1 opts the contact in to SMS, of value 0 out; either
 * way a marketing SMS follows. */
static const char choice_yaml[] =
    "id: sms_choice\n"
    "version: 1\n"
    "entry: {event: custom.consent, reentry: always}\n"
    "nodes:\n"
    "  - id: which\n"
    "    condition: {if: event.value > 0, then: opt_in, else: opt_out}\n"
    "  - id: opt_in\n"
    "    update: {opt_in: sms}\n"
    "    next: promo\n"
    "  - id: opt_out\n"
    "    update: {opt_out: sms}\n"
    "    next: promo\n"
    "  - id: promo\n"
    "    send: {channel: sms, template: promo}\n"
    "    next: done\n"
    "  - id: done\n"
    "    exit: {}\n";

/* The contact's SMS consent slot as the store has it. */
static state_consent_slot_t sms_slot(void) {
    state_consent_t c;
    sy_err_t err = state_store_consent_get(lx.store, PARTITION, contact, &c, errbuf,
                                           sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "consent_get: %d %s", err, errbuf);
    return c.slots[SY_CHANNEL_SMS];
}

Test(engine_lang, opt_in_after_opt_out_lets_the_next_marketing_send_go) {
    lx_open(choice_yaml);
    feed_custom(&lx, "out", T0_MS, "consent", 0);
    expect_counts(&lx.rec, 4, 0, 1);
    expect_move(&lx, 3, "promo", "done", "suppressed:opted_out", SY_CAUSE_ENTRY, "out", T0_MS);
    feed_custom(&lx, "in", T0_MS + H_MS, "consent", 1);
    expect_counts(&lx.rec, 8, 1, 2);
    cr_assert(eq(int, lx.rec.updates[1].op, SY_UPDATE_OPT_IN), "update op %d",
              lx.rec.updates[1].op);
    cr_assert(eq(str, lx.rec.updates[1].name, "sms"));
    expect_act(&lx, 0, SY_CHANNEL_SMS, "promo", "promo", 2, T0_MS + H_MS);
    expect_move(&lx, 7, "promo", "done", "<null>", SY_CAUSE_ENTRY, "in", T0_MS + H_MS);
    state_consent_slot_t s = sms_slot();
    cr_assert(eq(int, s.status, STATE_CONSENT_OPTED_IN));
    cr_assert(eq(int, s.cause, STATE_CONSENT_CAUSE_JOURNEY));
    cr_assert(eq(i64, s.time_ms, T0_MS + H_MS));
}

/* The opt-in stamped an hour before the opt-out arrives after it: the opt-out stands. */
Test(engine_lang, a_late_opt_in_does_not_undo_a_newer_opt_out) {
    lx_open(choice_yaml);
    feed_custom(&lx, "out", T0_MS + 2 * H_MS, "consent", 0);
    feed_custom(&lx, "in-late", T0_MS + H_MS, "consent", 1);
    state_consent_slot_t s = sms_slot();
    cr_assert(eq(int, s.status, STATE_CONSENT_OPTED_OUT));
    cr_assert(eq(i64, s.time_ms, T0_MS + 2 * H_MS));
    feed_custom(&lx, "again", T0_MS + 3 * H_MS, "consent", 0);
    expect_move(&lx, 11, "promo", "done", "suppressed:opted_out", SY_CAUSE_ENTRY, "again",
                T0_MS + 3 * H_MS);
}

/* ---- consent attributes on the profiles topic ---- */

/* The consent transcripts' promo (a marketing SMS, a transactional SMS, a marketing email
 * on every custom.promo_due), loaded into lx. */
static void promo_open(void) {
    journey_t *j = NULL;
    const char *path = SY_SOURCE_ROOT "/tests/journeys/consent/promo.yaml";
    sy_err_t err = journey_load_file(&j, path, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "%s: %s", path, errbuf);
    env_open_with(&lx, "engine-lang", j);
}

/* A profile update of the contact at t setting name to the string value. */
static void profile_consent(const char *name, const char *value, int64_t t) {
    static sy_profile_update_t u;
    memset(&u, 0, sizeof u);
    u.contact_id = contact;
    u.updated_at_ms = t;
    u.set_count = 1;
    u.set[0] = (sy_attr_t){.name = name, .value = str_value(value)};
    sy_err_t err = engine_on_profile(lx.engine, PARTITION, &u, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "engine_on_profile(%s): %d %s", name, err, errbuf);
}

static state_consent_t consent_now(void) {
    state_consent_t c;
    sy_err_t err = state_store_consent_get(lx.store, PARTITION, contact, &c, errbuf,
                                           sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "consent_get: %d %s", err, errbuf);
    return c;
}

Test(engine_lang, a_profiles_consent_attribute_stops_and_reopens_marketing_at_its_time) {
    promo_open();
    profile_consent("consent.sms", "Opted_Out", T0_MS);
    state_consent_slot_t s = consent_now().slots[SY_CHANNEL_SMS];
    cr_assert(eq(int, s.status, STATE_CONSENT_OPTED_OUT));
    cr_assert(eq(int, s.cause, STATE_CONSENT_CAUSE_PROFILE));
    cr_assert(eq(i64, s.time_ms, T0_MS));
    cr_assert(eq(str, (char *)state_consent_cause_name(s.cause), "profile"));
    feed_custom(&lx, "due-1", T0_MS + H_MS, "promo_due", -1);
    expect_move(&lx, 1, "promo_sms", "receipt_sms", "suppressed:opted_out", SY_CAUSE_ENTRY,
                "due-1", T0_MS + H_MS);
    expect_counts(&lx.rec, 4, 2, 0); /* the receipt and the email went */
    profile_consent("consent.sms", "opted_in", T0_MS + 2 * H_MS);
    feed_custom(&lx, "due-2", T0_MS + 3 * H_MS, "promo_due", -1);
    expect_counts(&lx.rec, 8, 5, 0);
    expect_act(&lx, 2, SY_CHANNEL_SMS, "promo", "promo_sms", 2, T0_MS + 3 * H_MS);
    /* An opt-in stamped before the last change is late: it changes nothing. */
    profile_consent("consent.all", "OPTED_OUT", T0_MS + 4 * H_MS);
    profile_consent("consent.all", "opted_in", T0_MS + H_MS);
    s = consent_now().slots[STATE_CONSENT_ALL];
    cr_assert(eq(int, s.status, STATE_CONSENT_OPTED_OUT));
    cr_assert(eq(i64, s.time_ms, T0_MS + 4 * H_MS));
}

Test(engine_lang, a_consent_attribute_of_another_value_or_channel_is_ignored) {
    promo_open();
    profile_consent("consent.sms", "maybe", T0_MS);
    profile_consent("consent.fax", "opted_out", T0_MS);
    profile_consent("consent.task", "opted_out", T0_MS);
    profile_consent("consents.sms", "opted_out", T0_MS);
    static sy_profile_update_t u;
    u = (sy_profile_update_t){.contact_id = contact, .updated_at_ms = T0_MS, .set_count = 1};
    u.set[0] = (sy_attr_t){.name = "consent.sms", .value = {.kind = SY_VALUE_BOOL, .u.b = 0}};
    cr_assert(eq(int, engine_on_profile(lx.engine, PARTITION, &u, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    state_consent_t c = consent_now();
    for (int i = 0; i < STATE_CONSENT_SLOTS; i++)
        cr_assert(eq(int, c.slots[i].status, STATE_CONSENT_UNKNOWN), "slot %d", i);
    feed_custom(&lx, "due", T0_MS + H_MS, "promo_due", -1);
    expect_counts(&lx.rec, 4, 3, 0);
}

/* A hard bounce suppresses the address; an unsubscribe from it afterwards must not turn
 * the suppression into a mere opt-out (which would let transactional email go to a dead
 * address again): the email slot stays suppressed. */
Test(engine_lang, an_unsubscribe_after_a_hard_bounce_keeps_the_address_suppressed) {
    promo_open();
    sy_event_t bounce = event_make("bounce", contact, T0_MS, SY_CHANNEL_EMAIL,
                                   SY_EVENT_BOUNCED);
    bounce.bounce = SY_BOUNCE_HARD;
    feed(&lx, &bounce);
    sy_event_t unsub = event_make("unsub", contact, T0_MS + H_MS, SY_CHANNEL_EMAIL,
                                  SY_EVENT_UNSUBSCRIBED);
    feed(&lx, &unsub);
    state_consent_slot_t s = consent_now().slots[SY_CHANNEL_EMAIL];
    cr_assert(eq(int, s.status, STATE_CONSENT_SUPPRESSED), "status %d", s.status);
    cr_assert(eq(int, s.cause, STATE_CONSENT_CAUSE_BOUNCE));
    feed_custom(&lx, "due", T0_MS + 2 * H_MS, "promo_due", -1);
    expect_move(&lx, 3, "promo_email", "done", "suppressed:hard_bounce", SY_CAUSE_ENTRY, "due",
                T0_MS + 2 * H_MS);
}
