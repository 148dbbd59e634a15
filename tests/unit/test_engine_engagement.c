/* test_engine_engagement.c — the engine's cross-channel rules: a fatigue rule of the
 * config skips a marketing email (fatigued:email, counted) once the contact ignored N
 * emails and engaged on another channel, never a transactional one, and a journey's
 * `fatigue: {email: off}` lifts it; a best-channel send held by quiet hours picks again
 * at its release; a failed read of another contact's memory keeps none cached, and the
 * cache tells an id from its prefix; clicks at one time add one each, a half-life later
 * halves. The values of the memory are pinned further by the simulate transcripts
 * (tests/journeys/engagement); the environment is engine_fixture.h's. No Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <string.h>

#include "engine_fixture.h"
#include "engine_int.h"
#include "engine_safety.h"
#include "profile_codec.h"
#include "state_codec.h"
#include "state_store_int.h"

/* custom.go of value 0: a marketing email; of value 1: a transactional one. */
#define FATIGUE_YAML(extra)                                                             \
    "id: fat\n"                                                                         \
    "version: 1\n"                                                                      \
    "entry: {event: custom.go, reentry: always}\n" extra                                \
    "nodes:\n"                                                                          \
    "  - id: which\n"                                                                   \
    "    condition: {if: event.value > 0, then: receipt, else: promo}\n"                \
    "  - id: promo\n"                                                                   \
    "    send: {channel: email, template: promo}\n"                                     \
    "    next: done\n"                                                                  \
    "  - id: receipt\n"                                                                 \
    "    send: {channel: email, template: receipt, category: transactional}\n"          \
    "    next: done\n"                                                                  \
    "  - id: done\n"                                                                    \
    "    exit: {}\n"

/* The config's rule: two ignored emails and an engagement elsewhere within a day. */
static void fatigue_config(void) {
    engine_safety_conf_t conf;
    engine_safety_conf_default(&conf);
    sy_err_t err = engine_safety_fatigue_parse(&conf, SY_CHANNEL_EMAIL,
                                               "ignored:2,engaged_elsewhere:1d", errbuf,
                                               sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "%s", errbuf);
    engine_safety_set(lx.engine, &conf);
}

/* Two marketing emails, then an SMS click: the third marketing email is due. */
static void two_ignored_then_a_click_elsewhere(void) {
    feed_custom(&lx, "go1", T0_MS, "go", 0);
    feed_custom(&lx, "go2", T0_MS + H_MS, "go", 0);
    sy_event_t click = event_make("click", contact, T0_MS + 2 * H_MS, SY_CHANNEL_SMS,
                                  SY_EVENT_CLICKED);
    feed(&lx, &click);
    expect_counts(&lx.rec, 6, 2, 0);
}

Test(engine_lang, a_config_fatigue_rule_skips_the_marketing_email_not_the_receipt) {
    lx_open(FATIGUE_YAML(""));
    fatigue_config();
    two_ignored_then_a_click_elsewhere();
    feed_custom(&lx, "go3", T0_MS + 3 * H_MS, "go", 0);
    expect_counts(&lx.rec, 9, 2, 0);
    expect_move(&lx, 8, "promo", "done", "fatigued:email", SY_CAUSE_ENTRY, "go3",
                T0_MS + 3 * H_MS);
    feed_custom(&lx, "go4", T0_MS + 4 * H_MS, "go", 1);
    expect_counts(&lx.rec, 12, 3, 0);
    expect_act(&lx, 2, SY_CHANNEL_EMAIL, "receipt", "receipt", 4, T0_MS + 4 * H_MS);
    engine_safety_counts_t counts;
    engine_safety_counts_get(lx.engine, &counts);
    cr_expect(eq(u64, counts.fatigued, 1));
    cr_expect(eq(u64, counts.capped, 0), "fatigue is counted apart from caps");
}

Test(engine_lang, a_journey_fatigue_off_lifts_the_config_rule) {
    lx_open(FATIGUE_YAML("fatigue: {email: off}\n"));
    fatigue_config();
    two_ignored_then_a_click_elsewhere();
    feed_custom(&lx, "go3", T0_MS + 3 * H_MS, "go", 0);
    expect_counts(&lx.rec, 9, 3, 0);
    expect_move(&lx, 8, "promo", "done", "<null>", SY_CAUSE_ENTRY, "go3", T0_MS + 3 * H_MS);
}

Test(engine_lang, a_held_best_channel_send_picks_again_at_its_release) {
    lx_open("id: bc\n"
            "version: 1\n"
            "entry: {event: custom.go}\n"
            "nodes:\n"
            "  - id: notify\n"
            "    send: {channel: best, among: [push, sms], templates: {push: p, sms: s}}\n"
            "    next: done\n"
            "  - id: done\n"
            "    exit: {}\n");
    engine_safety_conf_t conf;
    engine_safety_conf_default(&conf);
    conf.quiet_spread_ms = 0;
    cr_assert(eq(int, engine_safety_quiet_parse(&conf, SY_CHANNEL_PUSH, "08:00-10:00", errbuf,
                                                sizeof errbuf), SY_OK), "%s", errbuf);
    engine_safety_set(lx.engine, &conf);
    profile_set(&lx, contact, "push_token", str_value("tok"));
    profile_set(&lx, contact, "phone", str_value("+33600000000"));
    feed_custom(&lx, "go", T0_MS, "go", -1); /* 09:00Z: inside push's quiet hours */
    expect_counts(&lx.rec, 2, 0, 0);
    expect_move(&lx, 1, "notify", "notify", "held:quiet_hours@2024-10-01T10:00:00.000Z",
                SY_CAUSE_ENTRY, "go", T0_MS);
    static sy_profile_update_t u;
    u = (sy_profile_update_t){.contact_id = contact, .updated_at_ms = T0_MS + 600000,
                              .set_count = 1};
    u.set[0] = (sy_attr_t){.name = "consent.push", .value = str_value("opted_out")};
    cr_assert(eq(int, engine_on_profile(lx.engine, PARTITION, &u, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    advance(&lx, T0_MS + H_MS);
    expect_counts(&lx.rec, 3, 1, 0);
    expect_act(&lx, 0, SY_CHANNEL_SMS, "s", "notify", 1, T0_MS + H_MS);
    expect_move(&lx, 2, "notify", "done", "best:sms;push=suppressed,sms=0", SY_CAUSE_TIMER,
                "<null>", T0_MS + H_MS);
}

Test(engine_lang, a_held_email_is_fatigued_at_its_release) {
    lx_open(FATIGUE_YAML(""));
    engine_safety_conf_t conf;
    engine_safety_conf_default(&conf);
    conf.quiet_spread_ms = 0;
    cr_assert(eq(int, engine_safety_fatigue_parse(&conf, SY_CHANNEL_EMAIL,
                                                  "ignored:1,engaged_elsewhere:1d", errbuf,
                                                  sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, engine_safety_quiet_parse(&conf, SY_CHANNEL_EMAIL, "08:00-10:00",
                                                errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    engine_safety_set(lx.engine, &conf);
    feed_custom(&lx, "go1", T0_MS - 2 * H_MS, "go", 0); /* 07:00Z: sent, streak 1 */
    feed_custom(&lx, "go2", T0_MS, "go", 0);            /* 09:00Z: no engagement yet: held */
    expect_counts(&lx.rec, 6, 1, 0);
    expect_move(&lx, 5, "promo", "promo", "held:quiet_hours@2024-10-01T10:00:00.000Z",
                SY_CAUSE_ENTRY, "go2", T0_MS);
    sy_event_t click = event_make("click", contact, T0_MS + H_MS / 2, SY_CHANNEL_PUSH,
                                  SY_EVENT_CLICKED);
    feed(&lx, &click);
    advance(&lx, T0_MS + H_MS);
    expect_counts(&lx.rec, 7, 1, 0);
    expect_move(&lx, 6, "promo", "done", "fatigued:email", SY_CAUSE_TIMER, "<null>",
                T0_MS + H_MS);
}

/* A read of another contact's engagement that fails (a corrupt value) leaves the engine's
 * cache empty: the first contact's record is read again, not taken from what the failed
 * read left behind. */
Test(engine_lang, a_failed_engagement_read_keeps_no_contact_cached) {
    lx_open(FATIGUE_YAML(""));
    state_engagement_t mine;
    state_engagement_clear(&mine);
    mine.channels[SY_CHANNEL_SMS].updated_ms = T0_MS;
    mine.channels[SY_CHANNEL_SMS].engaged_ms = T0_MS;
    cr_assert(eq(int, state_store_engagement_put(lx.store, 0, contact, &mine, errbuf,
                                                 sizeof errbuf), SY_OK));
    uint8_t key[PROFILE_KEY_BYTES_MAX];
    size_t key_len = state_contact_key(key, 0, other_contact, errbuf, sizeof errbuf);
    static const uint8_t corrupt[] = {STATE_CODEC_VERSION, 1}; /* one channel, not there */
    cr_assert(eq(int, state_store_record_put(lx.store, CF_ENGAGEMENT, key, key_len, corrupt,
                                             sizeof corrupt), SY_OK));
    cr_assert(eq(int, engine_engagement_load(lx.engine, 0, contact, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_assert(eq(int, engine_engagement_load(lx.engine, 0, other_contact, errbuf,
                                             sizeof errbuf), SY_ERR_STATE));
    cr_assert(eq(int, engine_engagement_load(lx.engine, 0, contact, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_expect(eq(i64, lx.engine->engagement.channels[SY_CHANNEL_SMS].engaged_ms, T0_MS),
              "the contact's own record, read again");
}

/* The engine's cache tells a contact from another whose id starts with its own. */
Test(engine_lang, the_engagement_cache_tells_an_id_from_its_prefix) {
    static const char *const ids[] = {"ab", "abc", "ab", "a", "abc"};
    lx_open(FATIGUE_YAML(""));
    for (int i = 1; i <= 3; i++) { /* a: 1, ab: 2, abc: 3 */
        state_engagement_t m;
        state_engagement_clear(&m);
        m.channels[SY_CHANNEL_SMS].updated_ms = m.channels[SY_CHANNEL_SMS].sent_ms = i;
        const char *id = i == 1 ? "a" : i == 2 ? "ab" : "abc";
        cr_assert(eq(int, state_store_engagement_put(lx.store, 0, id, &m, errbuf,
                                                     sizeof errbuf), SY_OK));
    }
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        cr_assert(eq(int, engine_engagement_load(lx.engine, 0, ids[i], errbuf, sizeof errbuf),
                     SY_OK), "%s", errbuf);
        cr_expect(eq(i64, lx.engine->engagement.channels[SY_CHANNEL_SMS].sent_ms,
                     (int64_t)strlen(ids[i])), "the record of %s", ids[i]);
    }
}

/* Clicks on SMS, by engine_engagement_on_event: two at the same time count two at every
 * horizon (the second at the counters' own time, where the weight is 2^0 = 1), one a
 * week later halves them at 7 days first, and one late by a week adds half. The record
 * in the store is the engine's. */
Test(engine_lang, clicks_at_one_time_add_one_and_a_half_life_later_halves) {
    static const int64_t week_ms = 7 * 24 * H_MS;
    static const struct {
        int64_t at_ms;
        float clicks_7d, clicks_90d;
    } clicks[] = {{T0_MS, 1, 1}, {T0_MS, 2, 2}, {T0_MS + week_ms, 2, -1}, {T0_MS, 2.5f, -1}};
    lx_open(FATIGUE_YAML(""));
    for (size_t i = 0; i < sizeof clicks / sizeof clicks[0]; i++) {
        sy_event_t ev = event_make("click", contact, clicks[i].at_ms, SY_CHANNEL_SMS,
                                   SY_EVENT_CLICKED);
        cr_assert(eq(int, engine_engagement_on_event(lx.engine, 0, &ev, errbuf, sizeof errbuf),
                     SY_OK), "%s", errbuf);
        const state_engagement_channel_t *sms = &lx.engine->engagement.channels[SY_CHANNEL_SMS];
        cr_expect(eq(flt, sms->decayed[0][STATE_ENGAGEMENT_CLICKS], clicks[i].clicks_7d),
                  "click %zu: clicks at 7 days", i);
        cr_expect(eq(flt, sms->decayed[0][STATE_ENGAGEMENT_ENGAGED], clicks[i].clicks_7d),
                  "click %zu: engagements at 7 days", i);
        if (clicks[i].clicks_90d >= 0)
            cr_expect(eq(flt, sms->decayed[2][STATE_ENGAGEMENT_CLICKS], clicks[i].clicks_90d),
                      "click %zu: clicks at 90 days", i);
        cr_expect(eq(i64, sms->updated_ms, i < 2 ? T0_MS : T0_MS + week_ms),
                  "click %zu: the counters' time", i);
    }
    state_engagement_t stored;
    state_engagement_clear(&stored);
    cr_assert(eq(int, state_store_engagement_get(lx.store, 0, contact, &stored, errbuf,
                                                 sizeof errbuf), SY_OK), "%s", errbuf);
    cr_expect(eq(int, memcmp(&stored.channels[SY_CHANNEL_SMS].decayed,
                             &lx.engine->engagement.channels[SY_CHANNEL_SMS].decayed,
                             sizeof stored.channels[0].decayed), 0), "the stored counters");
}
