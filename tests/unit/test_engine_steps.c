/* test_engine_steps.c — the steps between branches: conditions over profile values,
 * tasks with parameters, attributes set and seen by the next step, and send parameters
 * rendered from profile values, event fields and defaults. The environment is
 * engine_fixture.h's; no Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

/* ---- conditions, tasks, rendered parameters, updates seen by later steps ---- */

const char tier_yaml[] =
    "id: tier\n"
    "version: 1\n"
    "profile:\n"
    "  ltv: {type: number, default: 0}\n"
    "  first_name: {type: string, default: \"there\"}\n"
    "entry: {event: custom.store_visit}\n"
    "nodes:\n"
    "  - id: check\n"
    "    condition: {if: contact.ltv >= 100, then: vip_call, else: mark}\n"
    "  - id: vip_call\n"
    "    task:\n"
    "      queue: manual_calls\n"
    "      params: {name: \"{{contact.first_name}}\", reason: \"ltv {{contact.ltv}}\"}\n"
    "    next: done\n"
    "  - id: mark\n"
    "    update: {set_attribute: {name: ltv, value: \"1{{contact.ltv}}0\"}}\n"
    "    next: recheck\n"
    "  - id: recheck\n"
    "    condition: {if: contact.ltv >= 100, then: vip_call, else: done}\n"
    "  - id: done\n"
    "    exit: {}\n";

Test(engine_lang, condition_then_over_profile_ltv_hands_a_task_with_params) {
    lx_open(tier_yaml);
    profile_set(&lx, contact, "ltv", num_value(250));
    profile_set(&lx, contact, "first_name", str_value("Ada"));
    feed_custom(&lx, "visit", T0_MS, "store_visit", -1);
    expect_counts(&lx.rec, 3, 1, 0);
    expect_move(&lx, 0, "<null>", "check", "<null>", SY_CAUSE_ENTRY, "visit", T0_MS);
    expect_move(&lx, 1, "check", "vip_call", "then", SY_CAUSE_ENTRY, "visit", T0_MS);
    expect_move(&lx, 2, "vip_call", "done", "<null>", SY_CAUSE_ENTRY, "visit", T0_MS);
    expect_act(&lx, 0, SY_CHANNEL_TASK, "manual_calls", "vip_call", 1, T0_MS);
    cr_assert(eq(sz, lx.rec.actions[0].params_count, 2), "%zu params, want 2",
              lx.rec.actions[0].params_count);
    expect_param(&lx, 0, 0, "name", "Ada");
    expect_param(&lx, 0, 1, "reason", "ltv 250");
}

Test(engine_lang, condition_else_then_set_attribute_is_seen_by_the_next_condition) {
    lx_open(tier_yaml);
    feed_custom(&lx, "visit", T0_MS, "store_visit", -1);
    expect_counts(&lx.rec, 5, 1, 1);
    expect_move(&lx, 1, "check", "mark", "else", SY_CAUSE_ENTRY, "visit", T0_MS);
    expect_move(&lx, 2, "mark", "recheck", "<null>", SY_CAUSE_ENTRY, "visit", T0_MS);
    expect_move(&lx, 3, "recheck", "vip_call", "then", SY_CAUSE_ENTRY, "visit", T0_MS);
    const rec_update_t *u = &lx.rec.updates[0];
    cr_assert(eq(int, u->op, SY_UPDATE_SET_ATTRIBUTE), "update op %d", u->op);
    cr_assert(eq(str, (char *)u->name, "ltv"), "update name '%s'", u->name);
    cr_assert(eq(str, (char *)u->value, "100"), "update value '%s', want '100'", u->value);
    cr_assert(eq(str, (char *)u->node, "mark"), "update node '%s'", u->node);
    /* Defaults where the profile has nothing; the updated ltv where it has. */
    expect_param(&lx, 0, 0, "name", "there");
    expect_param(&lx, 0, 1, "reason", "ltv 100");
}

static const char params_yaml[] =
    "id: params\n"
    "version: 1\n"
    "profile:\n"
    "  first_name: {type: string, default: \"there\"}\n"
    "entry: {event: custom.store_visit}\n"
    "nodes:\n"
    "  - id: hello\n"
    "    send:\n"
    "      channel: sms\n"
    "      template: hello\n"
    "      params:\n"
    "        greeting: \"Hi {{contact.first_name}}!\"\n"
    "        store: \"{{event.props.store | \\\"our store\\\"}}\"\n"
    "        code: \"FIXED10\"\n"
    "    next: done\n"
    "  - id: done\n"
    "    exit: {}\n";

Test(engine_lang, send_params_render_profile_values_event_fields_and_defaults) {
    lx_open(params_yaml);
    profile_set(&lx, contact, "first_name", str_value("Grace"));
    sy_event_t ev = event_make("visit", contact, T0_MS, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    ev.name = "store_visit";
    ev.props_count = 1;
    ev.props[0] = (sy_kv_t){"store", "Rue Cler"};
    feed(&lx, &ev);
    expect_counts(&lx.rec, 2, 1, 0);
    expect_act(&lx, 0, SY_CHANNEL_SMS, "hello", "hello", 1, T0_MS);
    cr_assert(eq(sz, lx.rec.actions[0].params_count, 3), "%zu params, want 3",
              lx.rec.actions[0].params_count);
    expect_param(&lx, 0, 0, "greeting", "Hi Grace!");
    expect_param(&lx, 0, 1, "store", "Rue Cler");
    expect_param(&lx, 0, 2, "code", "FIXED10");
    /* Re-entry on a visit without the property: the inline default. */
    feed_custom(&lx, "visit-2", T0_MS + H_MS, "store_visit", -1);
    expect_counts(&lx.rec, 4, 2, 0);
    expect_act(&lx, 1, SY_CHANNEL_SMS, "hello", "hello", 2, T0_MS + H_MS);
    expect_param(&lx, 1, 0, "greeting", "Hi Grace!");
    expect_param(&lx, 1, 1, "store", "our store");
}

/* The web channel: an on-site message is sent, and its click is an outcome the branch
 * watches, as for any other channel. */
static const char web_yaml[] =
    "id: web_banner\n"
    "version: 1\n"
    "entry: {event: custom.cart_abandoned}\n"
    "nodes:\n"
    "  - id: banner\n"
    "    send: {channel: web, template: cart_banner}\n"
    "    next: outcome\n"
    "  - id: outcome\n"
    "    branch:\n"
    "      message: banner\n"
    "      paths:\n"
    "        - name: clicked\n"
    "          when: [web.clicked]\n"
    "          to: done\n"
    "      otherwise: {after: 24h, to: done}\n"
    "  - id: done\n"
    "    exit: {}\n";

Test(engine_lang, a_web_send_is_an_action_on_the_web_channel_and_its_click_an_outcome) {
    lx_open(web_yaml);
    feed_custom(&lx, "cart", T0_MS, "cart_abandoned", -1);
    expect_counts(&lx.rec, 2, 1, 0);
    expect_act(&lx, 0, SY_CHANNEL_WEB, "cart_banner", "banner", 1, T0_MS);
    feed_outcome(&lx, "click", T0_MS + H_MS, SY_CHANNEL_WEB, SY_EVENT_CLICKED, "banner", 1,
                 NULL);
    expect_counts(&lx.rec, 3, 1, 0);
    expect_move(&lx, 2, "outcome", "done", "clicked", SY_CAUSE_EVENT, "click", T0_MS + H_MS);
}
