/* test_consent.c — consent (engine_safety.h, state_consent.c): SMS keywords in their
 * spellings, the settings read from config words, and a contact's consent record kept
 * in the store, committed and carried into a second store by the changelog, read and
 * written by an instance key's contact part as by the id, and read into a copy that held
 * another contact's. The engine's gate is pinned by the simulate
 * transcript in tests/cli/test_simulate.c. No Kafka. */
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
    c.sends_count = 2; /* the cap log */
    c.sends[0] = (state_consent_send_t){T0_MS, SY_CHANNEL_EMAIL, 0};
    c.sends[1] = (state_consent_send_t){T0_MS + 5, SY_CHANNEL_WEB, 1};
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
    cr_assert(eq(sz, back.sends_count, 2));
    cr_assert(eq(i64, back.sends[1].time_ms, T0_MS + 5));
    cr_assert(eq(int, back.sends[1].channel, SY_CHANNEL_WEB));
    cr_assert(eq(int, back.sends[1].category, 1));
    store_fixture_expect_bad_value_refused(STATE_CHANGELOG_CF_CONSENT);
}

/* By an instance key's contact part (a journey set after it or not): the record the
 * contact's id reads and writes. */
Test(consent, a_record_by_an_instance_key_is_the_one_by_the_id) {
    state_consent_t c, got;
    state_instance_key_t key;
    cr_assert(eq(int, state_instance_key_contact(&key, 3, "bob"), SY_OK));
    cr_assert(eq(int, state_store_consent_get_at(sf.store, &key, &c, sf.errbuf,
                                                 sizeof sf.errbuf), SY_OK), "%s", sf.errbuf);
    cr_assert(eq(int, c.slots[SY_CHANNEL_EMAIL].status, STATE_CONSENT_UNKNOWN));
    c.slots[SY_CHANNEL_EMAIL] = (state_consent_slot_t){STATE_CONSENT_OPTED_OUT,
                                                       STATE_CONSENT_CAUSE_JOURNEY, T0_MS};
    cr_assert(eq(int, state_instance_key_journey(&key, "promo", -1), SY_OK));
    cr_assert(eq(int, state_store_consent_put_at(sf.store, &key, &c), SY_OK));
    cr_assert(eq(int, state_store_consent_get(sf.store, 3, "bob", &got, sf.errbuf,
                                              sizeof sf.errbuf), SY_OK), "%s", sf.errbuf);
    cr_assert(eq(int, got.slots[SY_CHANNEL_EMAIL].status, STATE_CONSENT_OPTED_OUT));
    cr_assert(eq(int, state_store_consent_get(sf.store, 2, "bob", &got, sf.errbuf,
                                              sizeof sf.errbuf), SY_OK), "%s", sf.errbuf);
    cr_assert(eq(int, got.slots[SY_CHANNEL_EMAIL].status, STATE_CONSENT_UNKNOWN),
              "another partition's bob has none");
    c.slots[SY_CHANNEL_SMS] = (state_consent_slot_t){STATE_CONSENT_OPTED_IN,
                                                     STATE_CONSENT_CAUSE_KEYWORD, T0_MS + 1};
    cr_assert(eq(int, state_store_consent_put(sf.store, 3, "bob", &c, sf.errbuf,
                                              sizeof sf.errbuf), SY_OK));
    cr_assert(eq(int, state_store_consent_get_at(sf.store, &key, &got, sf.errbuf,
                                                 sizeof sf.errbuf), SY_OK), "%s", sf.errbuf);
    cr_assert(eq(int, got.slots[SY_CHANNEL_SMS].status, STATE_CONSENT_OPTED_IN));
    cr_assert(eq(int, got.slots[SY_CHANNEL_EMAIL].status, STATE_CONSENT_OPTED_OUT));
}

/* A record written before caps ends after its lists: it reads with an empty cap log. A
 * cap log out of time order is corrupt. */
Test(consent, a_record_without_a_cap_log_reads_as_an_empty_one) {
    /* version 1, one slot (sms opted out by keyword at 1), no lists. */
    uint8_t old[] = {1, 1, SY_CHANNEL_SMS, 2, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0};
    state_consent_t c;
    c.sends_count = 7;
    cr_assert(eq(int, state_consent_decode(old, sizeof old, &c), 1));
    cr_assert(eq(sz, c.sends_count, 0));
    cr_assert(eq(int, c.slots[SY_CHANNEL_SMS].status, STATE_CONSENT_OPTED_OUT));
    uint8_t later[sizeof old + 2 + 20];
    memcpy(later, old, sizeof old);
    uint8_t log[] = {0, 2, 0, 0, 0, 0, 0, 0, 0, 9, SY_CHANNEL_EMAIL, 0,
                     0, 0, 0, 0, 0, 0, 0, 8, SY_CHANNEL_EMAIL, 0};
    memcpy(later + sizeof old, log, sizeof log);
    cr_assert(eq(int, state_consent_decode(later, sizeof later, &c), 0), "9 before 8");
    later[sizeof old + 2 + 7] = 7;
    cr_assert(eq(int, state_consent_decode(later, sizeof later, &c), 1));
    cr_assert(eq(sz, c.sends_count, 2));
}

/* A read clears what the copy held before: a contact without a record, or with one
 * that has fewer slots, lists and sends, reads as what it has (past the counts is stale). */
Test(consent, a_read_into_a_used_copy_keeps_nothing_of_the_last_contact) {
    state_consent_t c;
    for (int i = 0; i < STATE_CONSENT_SLOTS; i++)
        c.slots[i] = (state_consent_slot_t){STATE_CONSENT_OPTED_OUT, STATE_CONSENT_CAUSE_EVENT,
                                            T0_MS};
    c.lists_count = 2;
    c.sends_count = 3;
    cr_assert(eq(int, state_store_consent_get(sf.store, 0, "nobody", &c, sf.errbuf,
                                              sizeof sf.errbuf), SY_OK));
    for (int i = 0; i < STATE_CONSENT_SLOTS; i++) {
        cr_expect(eq(int, c.slots[i].status, STATE_CONSENT_UNKNOWN), "slot %d", i);
        cr_expect(eq(i64, c.slots[i].time_ms, 0), "slot %d", i);
    }
    cr_expect(eq(sz, c.lists_count, 0));
    cr_expect(eq(sz, c.sends_count, 0));
    state_consent_t one = c;
    one.slots[SY_CHANNEL_SMS] = (state_consent_slot_t){STATE_CONSENT_OPTED_IN,
                                                       STATE_CONSENT_CAUSE_KEYWORD, T0_MS};
    cr_assert(eq(int, state_store_consent_put(sf.store, 0, "bea", &one, sf.errbuf,
                                              sizeof sf.errbuf), SY_OK));
    c.slots[SY_CHANNEL_EMAIL].status = STATE_CONSENT_SUPPRESSED;
    c.lists_count = 1;
    c.sends_count = 1;
    cr_assert(eq(int, state_store_consent_get(sf.store, 0, "bea", &c, sf.errbuf,
                                              sizeof sf.errbuf), SY_OK));
    cr_expect(eq(int, c.slots[SY_CHANNEL_EMAIL].status, STATE_CONSENT_UNKNOWN));
    cr_expect(eq(int, c.slots[SY_CHANNEL_SMS].status, STATE_CONSENT_OPTED_IN));
    cr_expect(eq(sz, c.lists_count, 0));
    cr_expect(eq(sz, c.sends_count, 0));
}
