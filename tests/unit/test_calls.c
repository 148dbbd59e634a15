/* test_calls.c — call tracking in the engine: the calls document's errors, leasing
 * (deterministic, never two live leases on a number, expired ones reused oldest first,
 * exhaustion to the fallback, area codes, partitions' shares), attribution of inbound
 * calls at their time, conversion rules, the lease records of the state store, and the
 * click-to-call link (action.call_link) a send's params carry. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calls_http.h"
#include "engine.h"
#include "engine_calls.h"
#include "journey.h"
#include "state_store.h"
#include "sy_phone.h"

#define DAY_MS (24LL * 60 * 60 * 1000)
#define T0_MS 1790000000000LL /* 2026-09-21 */

static char errbuf[1024];

static const char journey_yaml[] =
    "id: quote\nversion: 1\n"
    "profile:\n  area_code: {type: string, default: \"\"}\n"
    "  device: {type: string, default: desktop}\n  phone: {type: string, default: \"\"}\n"
    "entry: {event: custom.quote}\n"
    "nodes:\n"
    "  - id: mail\n"
    "    send: {channel: email, template: q, tracking: {pool: sales, device_attribute: device},\n"
    "           params: {link: '{{action.call_link | \"none\"}}'}}\n"
    "    next: wait_call\n"
    "  - id: wait_call\n"
    "    wait: {event: call.converted, timeout: 48h, timeout_to: done}\n"
    "    next: done\n"
    "  - id: done\n    exit: {}\n";

static const char calls_yaml[] =
    "pools:\n"
    "  - name: sales\n"
    "    numbers: ['+12125550101', '+12125550102', '+13125550103']\n"
    "    lease: 10d\n    fallback: '+18005550100'\n    area_code_attribute: area_code\n"
    "conversions:\n"
    "  - {name: card, duration_min: 90s, transcript_contains: [credit card], value: 100,"
    " currency: USD}\n"
    "  - {name: caller, caller_attribute: phone, value_field: amount, currency: EUR}\n";

/* ---- an engine over the quote journey, recording what it writes ---- */

typedef struct world {
    journey_t *journey;
    journey_set_t set;
    state_store_t *store;
    engine_t *engine;
    engine_calls_conf_t calls;
    char numbers[32][SY_PHONE_E164_BYTES]; /* tracking numbers of the actions, in order */
    char ctas[32][8];
    bool fallback[32];
    char action_ids[32][65];
    char links[32][512]; /* the send's link param */
    size_t actions;
    char conversions[8][256];
    size_t conversions_count;
    char decisions[64][128];
    size_t decisions_count;
} world_t;

static sy_err_t on_decision(void *ctx, const sy_decision_t *d) {
    world_t *w = ctx;
    if (w->decisions_count < 64)
        snprintf(w->decisions[w->decisions_count++], 128, "%s:%s>%s[%s]", d->contact_id,
                 d->from_node ? d->from_node : "", d->to_node, d->path ? d->path : "");
    return SY_OK;
}

static sy_err_t on_action(void *ctx, const sy_action_t *a) {
    world_t *w = ctx;
    cr_assert_lt(w->actions, 32);
    snprintf(w->numbers[w->actions], SY_PHONE_E164_BYTES, "%s",
             a->tracking_number ? a->tracking_number : "-");
    snprintf(w->ctas[w->actions], 8, "%s", a->tracking_cta ? a->tracking_cta : "-");
    snprintf(w->action_ids[w->actions], 65, "%s", a->action_id);
    cr_assert(eq(sz, a->params_count, 1));
    snprintf(w->links[w->actions], 512, "%s", a->params[0].value);
    w->fallback[w->actions++] = a->tracking_fallback;
    return SY_OK;
}

static sy_err_t on_update(void *ctx, const sy_contact_update_t *u) {
    (void)ctx;
    (void)u;
    return SY_OK;
}

static sy_err_t on_conversion(void *ctx, const sy_conversion_t *c) {
    world_t *w = ctx;
    cr_assert_lt(w->conversions_count, 8);
    snprintf(w->conversions[w->conversions_count++], 256, "%s %s %s %s %g %s %s",
             c->contact_id, c->node_id, c->rule, c->call_id, c->value, c->currency,
             c->tracking_number);
    return SY_OK;
}

static void world_open(world_t *w, const char *store_name, const char *calls, int32_t parts) {
    memset(w, 0, sizeof *w);
    sy_err_t err = journey_parse(&w->journey, journey_yaml, strlen(journey_yaml), "test.yaml",
                                 errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "%s", errbuf);
    w->set = (journey_set_t){.count = 1, .journeys = &w->journey};
    err = engine_calls_conf_parse(&w->calls, calls, strlen(calls), "calls.yaml", errbuf,
                                  sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "%s", errbuf);
    err = state_store_open(&w->store, store_name, true, 0, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "%s", errbuf);
    engine_sink_t sink = {on_decision, on_action, on_update, w, on_conversion};
    err = engine_open(&w->engine, &w->set, w->store, &sink, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "%s", errbuf);
    engine_calls_set(w->engine, &w->calls, parts);
}

static void world_close(world_t *w) {
    engine_close(w->engine);
    state_store_close(w->store);
    engine_calls_conf_free(&w->calls);
    journey_free(w->journey);
}

static void profile(world_t *w, int32_t partition, const char *contact, const char *name,
                    const char *value) {
    static sy_profile_update_t u;
    memset(&u, 0, sizeof u);
    u = (sy_profile_update_t){.contact_id = contact, .updated_at_ms = T0_MS - 1, .set_count = 1};
    u.set[0] = (sy_attr_t){.name = name,
                           .value = {.kind = SY_VALUE_STRING, .u.s = value}};
    cr_assert(eq(int, engine_on_profile(w->engine, partition, &u, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
}

/* contact asks for a quote at t_ms in partition: the email leases a number. */
static void quote(world_t *w, int32_t partition, const char *contact, int64_t t_ms) {
    char id[64];
    snprintf(id, sizeof id, "%s-%lld", contact, (long long)t_ms);
    sy_event_t ev = {.event_id = id, .contact_id = contact, .occurred_at_ms = t_ms,
                     .channel = SY_CHANNEL_CUSTOM, .type = SY_EVENT_CUSTOM, .name = "quote",
                     .bounce = SY_BOUNCE_NONE};
    cr_assert(eq(int, engine_on_event(w->engine, partition, &ev, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_assert(eq(int, state_store_commit(w->store, errbuf, sizeof errbuf), SY_OK));
}

/* One callback of call call_id to number at t_ms (duration NULL: none; text NULL). */
static void callback(world_t *w, int32_t partition, const char *call_id, const char *number,
                     int64_t t_ms, const char *duration, const char *text, const char *from) {
    char key[64], id[64];
    snprintf(key, sizeof key, "call:%s", number);
    snprintf(id, sizeof id, "%s:%lld", call_id, (long long)t_ms);
    sy_event_t ev = {.event_id = id, .contact_id = key, .occurred_at_ms = t_ms,
                     .channel = SY_CHANNEL_CALL, .type = SY_EVENT_INBOUND, .text = text,
                     .bounce = SY_BOUNCE_NONE, .props_count = 2};
    ev.props[0] = (sy_kv_t){"call_id", call_id};
    ev.props[1] = (sy_kv_t){"from", from ? from : "+15550000000"};
    if (duration) {
        ev.props[ev.props_count++] = (sy_kv_t){"duration", duration};
        ev.props[ev.props_count++] = (sy_kv_t){"status", "completed"};
    }
    cr_assert(eq(int, engine_on_event(w->engine, partition, &ev, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_assert(eq(int, state_store_commit(w->store, errbuf, sizeof errbuf), SY_OK));
}

/* ---- the calls document ---- */

static void expect_conf_error(const char *text, const char *message) {
    engine_calls_conf_t conf;
    sy_err_t err = engine_calls_conf_parse(&conf, text, strlen(text), "calls.yaml", errbuf,
                                           sizeof errbuf);
    engine_calls_conf_free(&conf);
    cr_expect(eq(int, err, SY_ERR_CONFIG), "%s: got %d", text, err);
    cr_expect_not_null(strstr(errbuf, message), "%s:\n  got:  %s\n  want: %s", text, errbuf,
                       message);
}

Test(calls_conf, errors_name_the_line_column_and_problem) {
    expect_conf_error("pools:\n  - {name: s, numbers: ['+1212555'], lease: 30d}\n",
                      "calls.yaml:2:5: missing 'fallback' in pool");
    expect_conf_error("pools:\n  - {name: s, numbers: ['2125550101'], lease: 30d, "
                      "fallback: '+18005550100'}\n",
                      "calls.yaml:2:25: '2125550101' is not an E.164 number");
    expect_conf_error("pools:\n  - {name: s, numbers: ['+12125550101'], lease: 30 days, "
                      "fallback: '+18005550100'}\n", "calls.yaml:2:49: bad lease '30 days'");
    expect_conf_error("pools:\n  - {name: s, numbers: ['+12125550101', '+12125550101'], "
                      "lease: 1d, fallback: '+18005550100'}\n",
                      "number +12125550101 is twice in pool 's'");
    expect_conf_error("pools:\n  - {name: a, numbers: ['+12125550101'], lease: 1d, "
                      "fallback: '+18005550100'}\n  - {name: b, numbers: ['+12125550101'], "
                      "lease: 1d, fallback: '+18005550100'}\n",
                      "number +12125550101 is in pools 'a' and 'b'");
    expect_conf_error("conversions:\n  - {name: r, value: 1, currency: usd}\n",
                      "calls.yaml:2:35: bad currency 'usd'");
    expect_conf_error("conversions:\n  - {name: r, currency: USD}\n",
                      "needs one of 'value' and 'value_field'");
    expect_conf_error("pool: []\n", "unknown key 'pool' in the calls document");
}

Test(calls_conf, a_journey_naming_an_unknown_pool_is_refused) {
    world_t w;
    world_open(&w, "calls-conf", calls_yaml, 1);
    engine_calls_conf_t none;
    const char *text = "pools: []\n";
    cr_assert(eq(int, engine_calls_conf_parse(&none, text, strlen(text), "x", errbuf,
                                              sizeof errbuf), SY_OK), "%s", errbuf);
    cr_expect(eq(int, engine_calls_journeys_check(&w.calls, &w.set, errbuf, sizeof errbuf),
                 SY_OK));
    cr_expect(eq(int, engine_calls_journeys_check(&none, &w.set, errbuf, sizeof errbuf),
                 SY_ERR_CONFIG));
    cr_expect(eq(str, errbuf, "test.yaml:10:58: journey 'quote' version 1: send 'mail' leases "
                              "from pool 'sales', which the calls config (calls.file, "
                              "calls.inline) does not define"));
    engine_calls_conf_free(&none);
    world_close(&w);
}

Test(calls_conf, a_bad_click_base_url_is_refused) {
    expect_conf_error("click_base_url: ftp://go.example.com\n",
                      "calls.yaml:1:17: bad click_base_url 'ftp://go.example.com': write an "
                      "http:// or https:// URL");
    expect_conf_error("click_base_url: 'https://go.example.com/a b'\n",
                      "bad click_base_url 'https://go.example.com/a b'");
    expect_conf_error("click_base_url: 'https://'\n", "bad click_base_url 'https://'");
}

/* ---- leasing ---- */

Test(calls_lease, numbers_are_distinct_while_leased_and_the_pool_falls_back_when_exhausted) {
    world_t w;
    world_open(&w, "calls-distinct", calls_yaml, 1);
    const char *contacts[] = {"c1", "c2", "c3", "c4"};
    for (int i = 0; i < 4; i++)
        quote(&w, 0, contacts[i], T0_MS + i * 1000);
    cr_assert(eq(sz, w.actions, 4));
    for (int i = 0; i < 3; i++) {
        cr_expect_not(w.fallback[i]);
        for (int k = 0; k < i; k++)
            cr_expect(ne(str, w.numbers[i], w.numbers[k]), "actions %d and %d", k, i);
    }
    cr_expect(eq(str, w.numbers[3], "+18005550100"));
    cr_expect(w.fallback[3], "the fourth send is over the pool and says so");
    engine_calls_counts_t counts;
    engine_calls_counts_get(w.engine, &counts);
    cr_expect(eq(u64, counts.leased, 3));
    cr_expect(eq(u64, counts.fallback, 1));
    world_close(&w);
}

Test(calls_lease, the_same_inputs_lease_the_same_numbers) {
    world_t a, b;
    world_open(&a, "calls-det-a", calls_yaml, 1);
    world_open(&b, "calls-det-b", calls_yaml, 1);
    for (int i = 0; i < 3; i++) {
        char c[8];
        snprintf(c, sizeof c, "d%d", i);
        quote(&a, 0, c, T0_MS + i);
        quote(&b, 0, c, T0_MS + i);
    }
    for (int i = 0; i < 3; i++)
        cr_expect(eq(str, a.numbers[i], b.numbers[i]), "action %d", i);
    world_close(&a);
    world_close(&b);
}

Test(calls_lease, expired_leases_are_reused_oldest_first) {
    world_t w;
    world_open(&w, "calls-reuse", calls_yaml, 1);
    quote(&w, 0, "old", T0_MS);
    quote(&w, 0, "mid", T0_MS + DAY_MS);
    quote(&w, 0, "new", T0_MS + 2 * DAY_MS);
    /* 10-day leases: at day 11.5 the first two have ended, "old" first. */
    quote(&w, 0, "again", T0_MS + 11 * DAY_MS + DAY_MS / 2);
    cr_expect(eq(str, w.numbers[3], w.numbers[0]), "the oldest expired lease goes first");
    quote(&w, 0, "again2", T0_MS + 11 * DAY_MS + DAY_MS / 2 + 1);
    cr_expect(eq(str, w.numbers[4], w.numbers[1]));
    quote(&w, 0, "over", T0_MS + 11 * DAY_MS + DAY_MS / 2 + 2);
    cr_expect(eq(str, w.numbers[5], "+18005550100"), "'new' still holds the third number");
    world_close(&w);
}

Test(calls_lease, an_area_code_is_preferred_and_a_smartphone_gets_a_button) {
    world_t w;
    world_open(&w, "calls-area", calls_yaml, 1);
    profile(&w, 0, "chicago", "area_code", "312");
    profile(&w, 0, "chicago", "device", "smartphone");
    quote(&w, 0, "chicago", T0_MS);
    quote(&w, 0, "desk", T0_MS + 1);
    cr_expect(eq(str, w.numbers[0], "+13125550103"));
    cr_expect(eq(str, w.ctas[0], "button"));
    cr_expect(eq(str, w.ctas[1], "text"));
    world_close(&w);
}

Test(calls_lease, a_partition_leases_only_the_numbers_whose_calls_it_receives) {
    world_t w;
    world_open(&w, "calls-parts", calls_yaml, 4);
    for (int32_t p = 0; p < 4; p++) {
        char c[8];
        snprintf(c, sizeof c, "p%d", (int)p);
        quote(&w, p, c, T0_MS + p);
        bool fell_back = strcmp(w.numbers[p], "+18005550100") == 0;
        if (!fell_back)
            cr_expect(eq(i32, engine_calls_owner(w.numbers[p], 4), p), "partition %d", p);
    }
    world_close(&w);
}

/* ---- attribution and conversions ---- */

Test(calls_inbound, a_call_is_attributed_and_converts_once_what_the_rule_reads_arrived) {
    world_t w;
    world_open(&w, "calls-convert", calls_yaml, 1);
    quote(&w, 0, "ann", T0_MS);
    char number[SY_PHONE_E164_BYTES];
    snprintf(number, sizeof number, "%s", w.numbers[0]);
    callback(&w, 0, "CA1", number, T0_MS + 1000, NULL, NULL, NULL);
    cr_expect(eq(sz, w.conversions_count, 0), "nothing to judge yet");
    callback(&w, 0, "CA1", number, T0_MS + 2000, "120", NULL, NULL);
    cr_expect(eq(sz, w.conversions_count, 0), "the transcript has not come");
    callback(&w, 0, "CA1", number, T0_MS + 3000, NULL, "pay by Credit Card please", NULL);
    cr_assert(eq(sz, w.conversions_count, 1));
    char want[256];
    snprintf(want, sizeof want, "ann mail card CA1 100 USD %s", number);
    cr_expect(eq(str, w.conversions[0], want));
    callback(&w, 0, "CA1", number, T0_MS + 4000, NULL, "credit card again", NULL);
    cr_expect(eq(sz, w.conversions_count, 1), "a call converts once per rule");
    cr_expect(eq(str, w.decisions[w.decisions_count - 1], "ann:wait_call>done[event]"),
              "call.converted moved the contact: %s", w.decisions[w.decisions_count - 1]);
    world_close(&w);
}

Test(calls_inbound, calls_outside_a_live_lease_are_unattributed) {
    world_t w;
    world_open(&w, "calls-unattributed", calls_yaml, 1);
    quote(&w, 0, "bob", T0_MS);
    char number[SY_PHONE_E164_BYTES];
    snprintf(number, sizeof number, "%s", w.numbers[0]);
    size_t decisions = w.decisions_count;
    callback(&w, 0, "CA2", number, T0_MS - 1000, "300", "credit card", NULL); /* before */
    callback(&w, 0, "CA3", number, T0_MS + 10 * DAY_MS, "300", "credit card", NULL); /* ended */
    callback(&w, 0, "CA4", "+19175550000", T0_MS + 1000, "300", "credit card", NULL);
    cr_expect(eq(sz, w.decisions_count, decisions), "no journey saw these calls");
    cr_expect(eq(sz, w.conversions_count, 0));
    engine_calls_counts_t counts;
    engine_calls_counts_get(w.engine, &counts);
    cr_expect(eq(u64, counts.unattributed, 3));
    cr_expect(eq(u64, counts.attributed, 0));
    state_call_t call;
    cr_assert(eq(int, state_store_call_get(w.store, 0, "CA3", &call, errbuf, sizeof errbuf),
                 SY_OK));
    cr_expect_not(call.attributed);
    cr_expect(eq(str, call.pool, "sales"), "an unattributed call keeps its pool");
    world_close(&w);
}

/* ---- rules, alone ---- */

Test(calls_rules, a_rule_waits_for_what_it_reads_and_matches_phrases_as_words) {
    engine_calls_conf_t conf;
    cr_assert(eq(int, engine_calls_conf_parse(&conf, calls_yaml, strlen(calls_yaml), "c",
                                              errbuf, sizeof errbuf), SY_OK));
    const engine_calls_rule_t *card = &conf.rules[0], *caller = &conf.rules[1];
    static state_call_t c;
    memset(&c, 0, sizeof c);
    c.duration_s = -1;
    cr_expect(eq(int, engine_calls_rule_eval(card, &c, NULL), ENGINE_CALLS_WAIT));
    c.duration_s = 91;
    cr_expect(eq(int, engine_calls_rule_eval(card, &c, NULL), ENGINE_CALLS_WAIT));
    c.has_transcript = true;
    snprintf(c.transcript, sizeof c.transcript, "my CREDIT CARD. thanks");
    cr_expect(eq(int, engine_calls_rule_eval(card, &c, NULL), ENGINE_CALLS_YES));
    snprintf(c.transcript, sizeof c.transcript, "discredit cardinal");
    cr_expect(eq(int, engine_calls_rule_eval(card, &c, NULL), ENGINE_CALLS_NO));
    snprintf(c.transcript, sizeof c.transcript, "credit card");
    c.duration_s = 89;
    cr_expect(eq(int, engine_calls_rule_eval(card, &c, NULL), ENGINE_CALLS_NO));
    snprintf(c.caller, sizeof c.caller, "+15551230000");
    cr_expect(eq(int, engine_calls_rule_eval(caller, &c, "+15551230000"), ENGINE_CALLS_YES));
    cr_expect(eq(int, engine_calls_rule_eval(caller, &c, "+15559999999"), ENGINE_CALLS_NO));
    cr_expect(eq(int, engine_calls_rule_eval(caller, &c, NULL), ENGINE_CALLS_NO));
    engine_calls_conf_free(&conf);
}

/* ---- the store's records ---- */

Test(calls_state, leases_and_calls_read_back_through_the_batch_and_after_commit) {
    state_store_t *s;
    cr_assert(eq(int, state_store_open(&s, "calls-state", true, 0, errbuf, sizeof errbuf),
                 SY_OK));
    state_lease_t l = {.leased_at_ms = 5, .expires_at_ms = 50, .journey_version = 2}, got;
    snprintf(l.contact_id, sizeof l.contact_id, "ann");
    snprintf(l.journey_id, sizeof l.journey_id, "quote");
    snprintf(l.node_id, sizeof l.node_id, "mail");
    snprintf(l.action_id, sizeof l.action_id, "abc");
    cr_expect(eq(int, state_store_lease_get(s, 1, "sales", "+12125550101", &got, errbuf,
                                            sizeof errbuf), SY_ERR_NOT_FOUND));
    cr_assert(eq(int, state_store_lease_put(s, 1, "sales", "+12125550101", &l), SY_OK));
    for (int round = 0; round < 2; round++) {
        memset(&got, 0, sizeof got);
        cr_assert(eq(int, state_store_lease_get(s, 1, "sales", "+12125550101", &got, errbuf,
                                                sizeof errbuf), SY_OK));
        cr_expect(eq(str, got.contact_id, "ann"));
        cr_expect(eq(i64, got.expires_at_ms, 50));
        cr_expect(eq(i32, got.journey_version, 2));
        cr_expect(eq(str, got.action_id, "abc"));
        cr_assert(eq(int, state_store_commit(s, errbuf, sizeof errbuf), SY_OK));
    }
    cr_expect(eq(int, state_store_lease_get(s, 2, "sales", "+12125550101", &got, errbuf,
                                            sizeof errbuf), SY_ERR_NOT_FOUND),
              "another partition has its own leases");
    state_store_close(s);
}

/* ---- the click-to-call link ---- */

/* The link of action i: base "/c/" and a token naming its contact, action and number. */
static void expect_link(const world_t *w, size_t i, const char *contact) {
    const char *base = "https://go.example.com/c/";
    char got_contact[SY_ID_BYTES_MAX + 1], got_action[65], got_number[17];
    cr_assert(eq(int, strncmp(w->links[i], base, strlen(base)), 0), "link %s", w->links[i]);
    cr_assert(eq(int, calls_token_parse(w->links[i] + strlen(base), got_contact, got_action,
                                        got_number), SY_OK), "token of %s", w->links[i]);
    cr_expect(eq(str, got_contact, (char *)contact));
    cr_expect(eq(str, got_action, (char *)w->action_ids[i]));
    cr_expect(eq(str, got_number, (char *)w->numbers[i]));
}

Test(calls_link, a_send_carries_the_click_to_call_link_of_its_number) {
    char calls[1024];
    snprintf(calls, sizeof calls, "click_base_url: https://go.example.com/\n%s", calls_yaml);
    world_t w;
    world_open(&w, "calls-link", calls, 1);
    const char *contacts[] = {"ann", "ben", "cat", "dan.o'neil@example.com"};
    for (int i = 0; i < 4; i++)
        quote(&w, 0, contacts[i], T0_MS + i * 1000);
    cr_assert(eq(sz, w.actions, 4));
    for (size_t i = 0; i < 4; i++)
        expect_link(&w, i, contacts[i]);
    cr_expect(w.fallback[3], "the fallback number has its link too");
    world_close(&w);
}

Test(calls_link, without_click_base_url_the_param_takes_its_default) {
    world_t w;
    world_open(&w, "calls-nolink", calls_yaml, 1);
    quote(&w, 0, "ann", T0_MS);
    cr_expect(eq(str, w.links[0], "none"));
    cr_expect(ne(str, w.numbers[0], "-"), "a number was leased all the same");
    world_close(&w);
}

static void expect_journey_error(const char *yaml, const char *message) {
    journey_t *j = NULL;
    sy_err_t err = journey_parse(&j, yaml, strlen(yaml), "j.yaml", errbuf, sizeof errbuf);
    journey_free(j);
    cr_expect(ne(int, err, SY_OK), "%s", yaml);
    cr_expect_not_null(strstr(errbuf, message), "got: %s\nwant: %s", errbuf, message);
}

Test(calls_link, call_link_is_for_a_sends_params_with_a_default) {
    const char *head = "id: q\nversion: 1\nentry: {event: custom.quote}\nnodes:\n";
    char yaml[1024];
    snprintf(yaml, sizeof yaml, "%s  - id: t\n    task: {queue: q, params: "
             "{l: '{{action.call_link | \"x\"}}'}}\n    next: d\n  - id: d\n    exit: {}\n",
             head);
    expect_journey_error(yaml, "'action.call_link' is defined in a send's params only");
    snprintf(yaml, sizeof yaml, "%s  - id: s\n    send: {channel: email, template: q, "
             "params: {l: '{{action.call_link}}'}}\n    next: d\n  - id: d\n    exit: {}\n",
             head);
    expect_journey_error(yaml, "needs a default");
}

Test(phone, display_forms_and_checks) {
    char d[SY_PHONE_DISPLAY_BYTES], t[SY_PHONE_TEL_BYTES];
    sy_phone_display("+12125550100", d);
    cr_expect(eq(str, d, "(212) 555-0100"));
    sy_phone_display("+33142685300", d);
    cr_expect(eq(str, d, "01 42 68 53 00"));
    sy_phone_display("+442079460000", d);
    cr_expect(eq(str, d, "02079 460000"));
    sy_phone_display("+4930123456", d);
    cr_expect(eq(str, d, "+4930123456"));
    sy_phone_tel_uri("+12125550100", t);
    cr_expect(eq(str, t, "tel:+12125550100"));
    cr_expect(sy_phone_e164_valid("+12125550100"));
    cr_expect_not(sy_phone_e164_valid("12125550100"));
    cr_expect_not(sy_phone_e164_valid("+0212555"));
    cr_expect_not(sy_phone_e164_valid("+1212555010012345"));
}

/* ---- retention and the sweep ---- */

typedef struct deletes {
    int leases, calls; /* leases-family deletes of the batch, by kind */
} deletes_t;

static sy_err_t on_op(void *ctx, state_changelog_cf_t cf, int32_t partition,
                      const uint8_t *key, size_t key_len, const uint8_t *value,
                      size_t value_len) {
    deletes_t *d = ctx;
    (void)partition;
    (void)value_len;
    if (cf == STATE_CHANGELOG_CF_LEASES && !value && key_len > 2)
        key[2] == 'C' ? d->calls++ : d->leases++;
    return SY_OK;
}

/* One callback of call_id to number at t_ms; the batch's leases-family deletes. */
static deletes_t callback_deletes(world_t *w, const char *call_id, const char *number,
                                  int64_t t_ms) {
    char key[64], id[64];
    deletes_t d = {0};
    snprintf(key, sizeof key, "call:%s", number);
    snprintf(id, sizeof id, "%s:%lld", call_id, (long long)t_ms);
    sy_event_t ev = {.event_id = id, .contact_id = key, .occurred_at_ms = t_ms,
                     .channel = SY_CHANNEL_CALL, .type = SY_EVENT_INBOUND,
                     .bounce = SY_BOUNCE_NONE, .props_count = 1};
    ev.props[0] = (sy_kv_t){"call_id", call_id};
    cr_assert(eq(int, engine_on_event(w->engine, 0, &ev, errbuf, sizeof errbuf), SY_OK),
              "%s", errbuf);
    cr_assert(eq(int, state_store_pending_each(w->store, on_op, &d), SY_OK));
    cr_assert(eq(int, state_store_commit(w->store, errbuf, sizeof errbuf), SY_OK));
    return d;
}

Test(calls_conf, retention_is_at_least_a_day_and_90_days_by_default) {
    engine_calls_conf_t conf;
    cr_assert(eq(int, engine_calls_conf_parse(&conf, calls_yaml, strlen(calls_yaml), "c",
                                              errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_expect(eq(i64, conf.retention_ms, 90 * DAY_MS));
    engine_calls_conf_free(&conf);
    expect_conf_error("retention: 12h\npools: []\n",
                      "calls.yaml:1:12: bad retention '12h': write a duration of at least 1d");
}

/* Retention 2 days: a call goes 2 days after it started, a lease 2 days after it ended
 * (10-day leases), each deleted by the sweep that follows a later callback, as a delete
 * in that batch's changelog; a late callback of a swept call is a new, unattributed call. */
Test(calls_sweep, calls_and_ended_leases_past_the_retention_are_deleted) {
    world_t w;
    char calls[1024];
    snprintf(calls, sizeof calls, "retention: 2d\n%s", calls_yaml);
    world_open(&w, "calls-sweep", calls, 1);
    state_call_t call;
    state_lease_t lease;
    engine_calls_counts_t counts;
    quote(&w, 0, "c1", T0_MS);
    const char *number = w.numbers[0];
    callback(&w, 0, "CA1", number, T0_MS + 3600 * 1000, "120", NULL, NULL);
    deletes_t d = callback_deletes(&w, "CA2", "+19995550000", T0_MS + 11 * DAY_MS);
    cr_expect(eq(int, d.calls, 1), "CA1 started 11 days ago");
    cr_expect(eq(int, d.leases, 0), "the lease ended 1 day ago");
    cr_expect(eq(int, state_store_call_get(w.store, 0, "CA1", &call, errbuf, sizeof errbuf),
                 SY_ERR_NOT_FOUND));
    cr_expect(eq(int, state_store_lease_get(w.store, 0, "sales", number, &lease, errbuf,
                                            sizeof errbuf), SY_OK));
    d = callback_deletes(&w, "CA3", "+19995550000", T0_MS + 13 * DAY_MS);
    cr_expect(eq(int, d.leases, 1), "the lease ended 3 days ago");
    cr_expect(eq(int, d.calls, 0), "CA2 started 2 days ago: kept");
    cr_expect(eq(int, state_store_lease_get(w.store, 0, "sales", number, &lease, errbuf,
                                            sizeof errbuf), SY_ERR_NOT_FOUND));
    cr_expect(eq(int, state_store_call_get(w.store, 0, "CA2", &call, errbuf, sizeof errbuf),
                 SY_OK));
    engine_calls_counts_get(w.engine, &counts);
    cr_expect(eq(u64, counts.swept, 2));
    d = callback_deletes(&w, "CA1", number, T0_MS + 13 * DAY_MS + 1);
    cr_assert(eq(int, state_store_call_get(w.store, 0, "CA1", &call, errbuf, sizeof errbuf),
                 SY_OK));
    cr_expect_not(call.attributed, "a call to a number leased 13 days ago is nobody's");
    cr_expect(eq(i64, call.started_at_ms, T0_MS + 13 * DAY_MS + 1));
    world_close(&w);
}
