/* test_consent.c — consent (engine_safety.h, state_consent.c): SMS keywords in their
 * spellings, the settings read from config words, and a contact's consent record kept
 * in the store, committed and carried into a second store by the changelog. The engine's
 * gate is pinned by the simulate transcript in tests/cli/test_simulate.c. No Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "engine_safety.h"
#include "state_store.h"
#include "store_fixture.h"

#define T0_MS 1727773200000LL /* 2024-10-01T09:00:00Z */

static engine_safety_conf_t conf;

static void setup(void) {
    store_fixture_open("consent");
    engine_safety_conf_default(&conf);
}

TestSuite(consent, .init = setup, .fini = store_fixture_close);

/* 1 stop, 2 stop all, 3 start (engine_safety_keyword). */
Test(consent, keywords_match_the_whole_reply_trimmed_in_any_case) {
    cr_assert(eq(int, engine_safety_keyword(&conf, "STOP"), 1));
    cr_assert(eq(int, engine_safety_keyword(&conf, " stop "), 1));
    cr_assert(eq(int, engine_safety_keyword(&conf, "Stop"), 1));
    cr_assert(eq(int, engine_safety_keyword(&conf, "\tUnsubscribe\n"), 1));
    cr_assert(eq(int, engine_safety_keyword(&conf, "optout"), 1));
    cr_assert(eq(int, engine_safety_keyword(&conf, "stopall"), 2));
    cr_assert(eq(int, engine_safety_keyword(&conf, "start"), 3));
    cr_assert(eq(int, engine_safety_keyword(&conf, "Yes"), 3));
    cr_assert(eq(int, engine_safety_keyword(&conf, "please stop"), 0), "not the whole reply");
    cr_assert(eq(int, engine_safety_keyword(&conf, "stopp"), 0));
    cr_assert(eq(int, engine_safety_keyword(&conf, ""), 0));
    cr_assert(eq(int, engine_safety_keyword(&conf, NULL), 0));
}

Test(consent, suppression_lists_are_read_for_a_channel_or_all) {
    cr_assert(eq(int, engine_safety_lists_parse(&conf, "suppression:all, data_cleansing:email,"
                                                " vip_block", sf.errbuf, sizeof sf.errbuf), SY_OK),
              "%s", sf.errbuf);
    cr_assert(eq(sz, conf.lists_count, 3));
    cr_assert(eq(str, conf.lists[0].name, "suppression"));
    cr_assert(eq(int, conf.lists[0].channel, -1));
    cr_assert(eq(int, conf.lists[1].channel, SY_CHANNEL_EMAIL));
    cr_assert(eq(int, conf.lists[2].channel, -1));
    cr_assert(eq(int, engine_safety_lists_parse(&conf, "x:pigeon", sf.errbuf, sizeof sf.errbuf),
                 SY_ERR_CONFIG));
    cr_assert_not_null(strstr(sf.errbuf, "x:pigeon"), "%s", sf.errbuf);
}

Test(consent, the_default_opt_out_events_are_the_four_of_the_docs) {
    cr_assert(conf.opt_out_event[SY_CHANNEL_EMAIL][SY_EVENT_UNSUBSCRIBED]);
    cr_assert(conf.opt_out_event[SY_CHANNEL_EMAIL][SY_EVENT_SPAM_REPORT]);
    cr_assert(conf.opt_out_event[SY_CHANNEL_SMS][SY_EVENT_OPTED_OUT]);
    cr_assert(conf.opt_out_event[SY_CHANNEL_VOICE][SY_EVENT_BLOCKED]);
    cr_assert(not(conf.opt_out_event[SY_CHANNEL_EMAIL][SY_EVENT_BOUNCED]));
    cr_assert(conf.bounce_hard_suppress);
}

Test(consent, a_record_commits_and_comes_back_through_the_changelog) {
    state_consent_t c, back;
    cr_assert(eq(int, state_store_consent_get(sf.store, 0, "ann", &c, sf.errbuf,
                                              sizeof sf.errbuf), SY_OK));
    cr_assert(eq(int, c.slots[SY_CHANNEL_SMS].status, STATE_CONSENT_UNKNOWN));
    c.slots[SY_CHANNEL_SMS] = (state_consent_slot_t){STATE_CONSENT_OPTED_OUT,
                                                     STATE_CONSENT_CAUSE_KEYWORD, T0_MS};
    c.slots[STATE_CONSENT_ALL] = (state_consent_slot_t){STATE_CONSENT_OPTED_IN,
                                                        STATE_CONSENT_CAUSE_KEYWORD, T0_MS};
    c.lists_count = 1;
    snprintf(c.lists[0].name, sizeof c.lists[0].name, "do_not_contact");
    c.lists[0].time_ms = T0_MS + 1;
    cr_assert(eq(int, state_store_consent_put(sf.store, 0, "ann", &c, sf.errbuf,
                                              sizeof sf.errbuf), SY_OK));
    store_fixture_copy_commit();
    cr_assert(eq(int, state_store_consent_get(sf.copy, 0, "ann", &back, sf.errbuf,
                                              sizeof sf.errbuf), SY_OK), "%s", sf.errbuf);
    cr_assert(eq(int, back.slots[SY_CHANNEL_SMS].status, STATE_CONSENT_OPTED_OUT));
    cr_assert(eq(int, back.slots[SY_CHANNEL_SMS].cause, STATE_CONSENT_CAUSE_KEYWORD));
    cr_assert(eq(i64, back.slots[SY_CHANNEL_SMS].time_ms, T0_MS));
    cr_assert(eq(int, back.slots[STATE_CONSENT_ALL].status, STATE_CONSENT_OPTED_IN));
    cr_assert(eq(int, back.slots[SY_CHANNEL_EMAIL].status, STATE_CONSENT_UNKNOWN));
    cr_assert(eq(sz, back.lists_count, 1));
    cr_assert(eq(str, back.lists[0].name, "do_not_contact"));
    cr_assert(eq(i64, back.lists[0].time_ms, T0_MS + 1));
    store_fixture_expect_bad_value_refused(STATE_CHANGELOG_CF_CONSENT);
}
