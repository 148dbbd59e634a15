/* test_journey.c — unit tests of journey loading: the coffee example's model, every
 * validation error with its exact file:line:column message (inline, and one file per
 * error in tests/journeys/invalid), the full language's model (every node kind, profile,
 * rules, migration), JSON input, directory sets and durations.
 * It does not run journeys: that is test_engine.c. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journey.h"

#define H_MS (60 * 60 * 1000)

static char errbuf[1024];

/* The source root: __FILE__ minus "tests/unit/test_journey.c". Meson compiles from the
 * build root with a relative path, so a relative root is taken from the executable's
 * place (BUILD/tests/unit/test_journey), not from the working directory. */
static void source_path(char *buf, size_t size, const char *rel) {
    const char *tail = "tests/unit/test_journey.c";
    size_t root_len = strlen(__FILE__) - strlen(tail);
    cr_assert(eq(str, __FILE__ + root_len, (char *)tail), "unexpected __FILE__ %s", __FILE__);
    if (__FILE__[0] == '/') {
        int n_out = snprintf(buf, size, "%.*s%s", (int)root_len, __FILE__, rel);
        cr_assert(n_out > 0 && (size_t)n_out < size, "path too long");
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    cr_assert_gt(n, 0, "readlink /proc/self/exe failed");
    exe[n] = '\0';
    for (int up = 0; up < 3; up++)
        *strrchr(exe, '/') = '\0';
    int n_out = snprintf(buf, size, "%s/%.*s%s", exe, (int)root_len, __FILE__, rel);
    cr_assert(n_out > 0 && (size_t)n_out < size, "path too long");
}

static journey_t *parse_ok(const char *text) {
    journey_t *journey = NULL;
    errbuf[0] = '\0';
    sy_err_t err = journey_parse(&journey, text, strlen(text), "ok.yaml", errbuf,
                                 sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "journey_parse returned %d, want SY_OK; errbuf: %s", err,
              errbuf);
    cr_assert_not_null(journey);
    return journey;
}

/* Parse text as "bad.yaml": expect want, exactly message, and *out untouched. */
static void parse_fails(const char *text, sy_err_t want, const char *message) {
    journey_t *sentinel = (journey_t *)&errbuf, *journey = sentinel;
    errbuf[0] = '\0';
    sy_err_t err = journey_parse(&journey, text, strlen(text), "bad.yaml", errbuf,
                                 sizeof errbuf);
    cr_assert(eq(int, err, want), "journey_parse returned %d, want %d; errbuf: %s", err, want,
              errbuf);
    cr_assert(eq(str, errbuf, (char *)message), "message was\n  '%s', want\n  '%s'", errbuf,
              message);
    cr_assert(eq(ptr, (void *)journey, (void *)sentinel), "*out was changed on error");
}

static const journey_node_t *node_named(const journey_t *journey, const char *id) {
    int index = journey_node_index(journey, id);
    cr_assert_geq(index, 0, "no node '%s'", id);
    return &journey->nodes[index];
}

static void assert_target(const journey_t *journey, uint16_t to, const char *want) {
    cr_assert(eq(str, journey->nodes[to].id, (char *)want), "target is '%s', want '%s'",
              journey->nodes[to].id, want);
}

static void assert_match(const journey_event_match_t *m, sy_channel_t channel,
                         sy_event_type_t type) {
    cr_assert(eq(int, m->channel, channel), "channel %d, want %d", m->channel, channel);
    cr_assert(eq(int, m->type, type), "type %d, want %d", m->type, type);
}

static void assert_path(const journey_t *journey, const journey_path_t *path,
                        const char *name, size_t when, size_t unless, int64_t within_ms,
                        int64_t after_ms, const char *to) {
    cr_assert(eq(str, path->name, (char *)name), "path '%s', want '%s'", path->name, name);
    cr_assert(eq(sz, path->when_count, when), "%s: %zu when, want %zu", name, path->when_count,
              when);
    cr_assert(eq(sz, path->unless_count, unless), "%s: %zu unless, want %zu", name,
              path->unless_count, unless);
    cr_assert(eq(i64, path->within_ms, within_ms), "%s: within %lld ms, want %lld", name,
              (long long)path->within_ms, (long long)within_ms);
    cr_assert(eq(i64, path->after_ms, after_ms), "%s: after %lld ms, want %lld", name,
              (long long)path->after_ms, (long long)after_ms);
    assert_target(journey, path->to, to);
}

static journey_t *load_example(void) {
    char path[PATH_MAX];
    journey_t *journey = NULL;
    source_path(path, sizeof path, "examples/journeys/coffee_email_promo.yaml");
    sy_err_t err = journey_load_file(&journey, path, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "loading %s returned %d; errbuf: %s", path, err, errbuf);
    return journey;
}

Test(journey, coffee_example_loads_with_its_nodes_and_entry) {
    journey_t *j = load_example();
    cr_assert(eq(str, j->id, "coffee_email_promo"), "id '%s'", j->id);
    cr_assert(eq(i32, j->version, 1), "version %d, want 1", (int)j->version);
    cr_assert(eq(sz, j->nodes_count, 7), "%zu nodes, want 7", j->nodes_count);
    assert_match(&j->entry, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    cr_assert(eq(str, j->entry.name, "promo_eligible"), "entry name '%s'", j->entry.name);
    cr_assert(eq(str, j->nodes[0].id, "promo_email"), "first node '%s'", j->nodes[0].id);
    const journey_send_t *send = &j->nodes[0].u.send;
    cr_assert(eq(int, j->nodes[0].kind, JOURNEY_NODE_SEND), "first node kind %d",
              j->nodes[0].kind);
    cr_assert(eq(int, send->channel, SY_CHANNEL_EMAIL), "channel %d, want email", send->channel);
    cr_assert(eq(str, send->template_id, "autumn_promo"), "template '%s'", send->template_id);
    cr_assert(eq(sz, send->params_count, 0), "%zu params, want 0", send->params_count);
    assert_target(j, send->next, "outcome");
    const journey_node_t *push = node_named(j, "push_nudge");
    cr_assert(eq(int, push->u.send.channel, SY_CHANNEL_PUSH), "push_nudge channel %d",
              push->u.send.channel);
    const journey_node_t *suppress = node_named(j, "suppress");
    cr_assert(eq(int, suppress->kind, JOURNEY_NODE_UPDATE), "suppress kind %d", suppress->kind);
    cr_assert(eq(int, suppress->u.update.op, SY_UPDATE_ADD_TO_LIST), "op %d",
              suppress->u.update.op);
    cr_assert(eq(str, suppress->u.update.name, "suppression"), "list '%s'",
              suppress->u.update.name);
    assert_target(j, suppress->u.update.next, "done");
    cr_assert(eq(int, node_named(j, "done")->kind, JOURNEY_NODE_EXIT), "done is not an exit");
    journey_free(j);
}

Test(journey, a_node_is_found_by_its_own_id_or_a_copy_of_it_and_nothing_else_is) {
    journey_t *j = load_example();
    for (size_t i = 0; i < j->nodes_count; i++) {
        char copy[64];
        snprintf(copy, sizeof copy, "%s", j->nodes[i].id);
        cr_assert(eq(int, journey_node_index(j, j->nodes[i].id), (int)i), "own id of %zu", i);
        cr_assert(eq(int, journey_node_index(j, copy), (int)i), "'%s' by its text", copy);
    }
    cr_assert(eq(int, journey_node_index(j, "no_such_node"), -1), "an unknown id is found");
    cr_assert(eq(int, journey_node_index(j, ""), -1), "the empty id is found");
    cr_assert(eq(int, journey_node_index(j, "outcom"), -1), "a prefix is found");
    journey_free(j);
}

Test(journey, coffee_example_branch_has_paths_in_order_with_windows) {
    journey_t *j = load_example();
    const journey_node_t *node = node_named(j, "outcome");
    cr_assert(eq(int, node->kind, JOURNEY_NODE_BRANCH), "outcome kind %d", node->kind);
    const journey_branch_t *br = &node->u.branch;
    cr_assert(eq(int, br->message_node, 0), "message node %u, want 0", br->message_node);
    cr_assert(eq(sz, br->paths_count, 4), "%zu paths, want 4", br->paths_count);
    assert_path(j, &br->paths[0], "opened", 2, 0, 24 * H_MS, 0, "discount_email");
    assert_match(&br->paths[0].when[0], SY_CHANNEL_EMAIL, SY_EVENT_DELIVERED);
    assert_match(&br->paths[0].when[1], SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    assert_path(j, &br->paths[1], "not_opened", 1, 1, 0, 24 * H_MS, "push_nudge");
    assert_match(&br->paths[1].unless[0], SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    assert_path(j, &br->paths[2], "bounced", 1, 0, 0, 0, "flag_cleansing");
    assert_match(&br->paths[2].when[0], SY_CHANNEL_EMAIL, SY_EVENT_BOUNCED);
    assert_path(j, &br->paths[3], "blocked", 1, 0, 0, 0, "suppress");
    assert_match(&br->paths[3].when[0], SY_CHANNEL_EMAIL, SY_EVENT_BLOCKED);
    cr_assert(eq(int, br->paths[0].line, 24), "first path at line %d, want 24", br->paths[0].line);
    cr_assert(eq(str, br->otherwise_name, "otherwise"), "otherwise name '%s'",
              br->otherwise_name);
    cr_assert(eq(i64, br->otherwise_after_ms, 72 * H_MS), "otherwise after %lld ms, want 72h",
              (long long)br->otherwise_after_ms);
    assert_target(j, br->otherwise_to, "done");
    journey_free(j);
}

#define JOURNEY_HEAD "id: j\nversion: 1\nentry: {event: custom.signup}\nnodes:\n"
#define HELLO_EMAIL                                                                        \
    "  - id: hello\n    send: {channel: email, template: welcome}\n    next: outcome\n"
#define DONE "  - id: done\n    exit: {}\n"

Test(journey, otherwise_after_defaults_to_the_largest_window) {
    journey_t *j = parse_ok(JOURNEY_HEAD HELLO_EMAIL
                            "  - id: outcome\n    branch:\n      message: hello\n"
                            "      paths:\n"
                            "        - {name: a, when: [email.opened], within: 2h, to: done}\n"
                            "        - {name: b, when: [email.sent], after: 90m, to: done}\n"
                            "        - {name: c, when: [email.bounced], to: done}\n"
                            "      otherwise: {to: done}\n" DONE);
    const journey_branch_t *br = &node_named(j, "outcome")->u.branch;
    cr_assert(eq(i64, br->otherwise_after_ms, 2 * H_MS), "otherwise after %lld ms, want 2h",
              (long long)br->otherwise_after_ms);
    journey_free(j);
}

Test(journey, send_params_update_ops_and_null_exit_are_read) {
    journey_t *j = parse_ok(
        "id: j\nversion: 3\nentry: {event: sms.replied}\nnodes:\n"
        "  - id: hi\n    send:\n      channel: sms\n      template: t\n"
        "      params: {coupon: NEXT10, count: 2}\n    next: set\n"
        "  - id: set\n    update: {set_attribute: {name: tier, value: gold}}\n    next: out\n"
        "  - id: out\n    update: {opt_out: sms}\n    next: done\n"
        "  - id: done\n    exit: null\n");
    const journey_send_t *send = &j->nodes[0].u.send;
    cr_assert(eq(sz, send->params_count, 2), "%zu params, want 2", send->params_count);
    cr_assert(eq(str, (char *)send->params[0].key, "coupon"), "key '%s'", send->params[0].key);
    cr_assert(eq(str, (char *)send->params[1].value, "2"), "value '%s'", send->params[1].value);
    const journey_update_t *set = &j->nodes[1].u.update;
    cr_assert(eq(int, set->op, SY_UPDATE_SET_ATTRIBUTE), "op %d", set->op);
    cr_assert(eq(str, set->value, "gold"), "value '%s'", set->value);
    cr_assert(eq(int, j->nodes[2].u.update.op, SY_UPDATE_OPT_OUT), "op %d",
              j->nodes[2].u.update.op);
    cr_assert(eq(str, j->nodes[2].u.update.name, "sms"), "channel '%s'",
              j->nodes[2].u.update.name);
    cr_assert(eq(i32, j->version, 3), "version %d", (int)j->version);
    journey_free(j);
}

Test(journey, opt_in_names_a_channel_a_send_can_use) {
    journey_t *j = parse_ok(JOURNEY_HEAD "  - id: back\n    update: {opt_in: web}\n"
                            "    next: done\n" DONE);
    cr_assert(eq(int, j->nodes[0].u.update.op, SY_UPDATE_OPT_IN), "op %d",
              j->nodes[0].u.update.op);
    cr_assert(eq(str, j->nodes[0].u.update.name, "web"), "channel '%s'",
              j->nodes[0].u.update.name);
    journey_free(j);
    parse_fails(JOURNEY_HEAD "  - id: back\n    update: {opt_in: fax}\n    next: done\n" DONE,
                SY_ERR_JOURNEY, "bad.yaml:6:22: opt_in names a channel: email, sms, push, "
                "voice, in_app or web");
}

/* The full language: every node kind, the profile, entry rule, goals, exits, migration. */
static const char full_journey[] =
    "id: full\nversion: 3\n"
    "profile:\n"
    "  first_name: {type: string, default: there}\n"
    "  ltv: {type: number, default: 0}\n"
    "  vip: {type: bool}\n"
    "  zone: {type: string, default: UTC}\n"
    "  last_visit: {type: time, default: '2024-01-02T03:04:05Z'}\n"
    "entry:\n  event: custom.store_visit\n  if: contact.ltv >= 0\n"
    "  reentry: {cooldown: 7d}\n"
    "goals:\n  - {name: bought, event: custom.purchase, if: event.value >= 5}\n"
    "  - event: custom.offer_claimed\n"
    "exits: [{event: sms.opted_out}]\n"
    "migrate: {from_version: 2, nodes: {old_hello: hello, old_done: done}}\n"
    "nodes:\n"
    "  - id: pick\n    split:\n      - {name: a, percent: 45.25, to: hello}\n"
    "      - {name: b, percent: 44.75, to: hello}\n      - {name: hold, percent: 10, to: done}\n"
    "  - id: hello\n    send:\n      channel: sms\n      template: hi\n"
    "      params: {name: 'Hi {{contact.first_name}}', coupon: C10}\n    next: outcome\n"
    "  - id: outcome\n    branch:\n      message: hello\n      paths:\n"
    "        - name: replied\n          when: [sms.replied]\n"
    "          if: seen(custom.purchase) or contact.vip\n          within: 2h\n"
    "          to: later\n"
    "      otherwise: {after: 1d, to: check}\n"
    "  - id: later\n    wait: {for: 2h}\n    next: morning\n"
    "  - id: morning\n    wait: {until: '09:30', timezone: zone}\n    next: app\n"
    "  - id: app\n    wait: {event: custom.app_open, if: event.props.screen == \"home\","
    " timeout: 48h, timeout_to: done}\n    next: check\n"
    "  - id: check\n    condition: {if: contact.ltv > 100, then: queue, else: tag}\n"
    "  - id: queue\n    task: {queue: manual_calls, params: {who: '{{contact.first_name}}'}}\n"
    "    next: tag\n"
    "  - id: tag\n    update: {set_attribute: {name: seen_at, value: '{{event.time}}'}}\n"
    "    next: done\n"
    "  - id: done\n    exit: {}\n";

Test(journey, full_language_top_level_sections_are_read) {
    journey_t *j = parse_ok(full_journey);
    cr_assert(eq(sz, j->attrs_count, 5), "%zu attrs", j->attrs_count);
    cr_assert(eq(str, j->attrs[0].name, "first_name"), "attr '%s'", j->attrs[0].name);
    cr_assert(eq(int, j->attrs[0].default_value.kind, SY_VALUE_STRING), "kind %d",
              j->attrs[0].default_value.kind);
    cr_assert(eq(str, (char *)j->attrs[0].default_value.u.s, "there"), "default '%s'",
              j->attrs[0].default_value.u.s);
    cr_assert(eq(int, j->attrs[1].type, EXPR_TYPE_NUMBER), "ltv type %d", j->attrs[1].type);
    cr_assert_not(j->attrs[2].has_default, "vip has no default");
    cr_assert(eq(i64, j->attrs[4].default_value.u.l, 1704164645000LL), "time default %lld",
              (long long)j->attrs[4].default_value.u.l);
    cr_assert_not_null(j->entry_rule.filter, "entry if not compiled");
    assert_match(&j->entry_rule.event, SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM);
    cr_assert(eq(int, j->reentry, JOURNEY_REENTRY_COOLDOWN), "reentry %d", j->reentry);
    cr_assert(eq(i64, j->reentry_cooldown_ms, 7 * 24 * H_MS), "cooldown %lld",
              (long long)j->reentry_cooldown_ms);
    cr_assert(eq(sz, j->goals_count, 2), "%zu goals", j->goals_count);
    cr_assert(eq(str, j->goals[0].name, "bought"), "goal '%s'", j->goals[0].name);
    cr_assert_not_null(j->goals[0].filter, "goal if not compiled");
    cr_assert(eq(str, j->goals[1].name, "custom.offer_claimed"), "goal '%s'", j->goals[1].name);
    cr_assert(eq(sz, j->exits_count, 1), "%zu exits", j->exits_count);
    assert_match(&j->exits[0].event, SY_CHANNEL_SMS, SY_EVENT_OPTED_OUT);
    cr_assert(eq(i32, j->migration.from_version, 2), "from %d", (int)j->migration.from_version);
    cr_assert(eq(sz, j->migration.count, 2), "%zu moves", j->migration.count);
    cr_assert(eq(str, j->migration.from_nodes[1], "old_done"), "'%s'", j->migration.from_nodes[1]);
    assert_target(j, j->migration.to_nodes[0], "hello");
    journey_free(j);
}

Test(journey, full_language_every_node_kind_is_modelled) {
    journey_t *j = parse_ok(full_journey);
    const journey_split_t *split = &node_named(j, "pick")->u.split;
    cr_assert(eq(sz, split->arms_count, 3), "%zu arms", split->arms_count);
    cr_assert(eq(int, split->arms[0].basis_points, 4525), "bp %d", split->arms[0].basis_points);
    cr_assert(eq(str, split->arms[2].name, "hold"), "arm '%s'", split->arms[2].name);
    assert_target(j, split->arms[2].to, "done");
    const journey_send_t *send = &node_named(j, "hello")->u.send;
    cr_assert(eq(str, send->param_templates[0].text, "Hi {{contact.first_name}}"), "'%s'",
              send->param_templates[0].text);
    cr_assert_not(expr_template_is_literal(send->param_templates[0].value), "has a hole");
    cr_assert(expr_template_is_literal(send->param_templates[1].value), "C10 is literal");
    const journey_branch_t *br = &node_named(j, "outcome")->u.branch;
    cr_assert_not_null(br->paths[0].filter, "path if not compiled");
    cr_assert(eq(sz, br->watch.count, 2), "%zu watched (seen() adds)", br->watch.count);
    cr_assert_not(br->watch.on_message[1], "custom.purchase counts for any event");
    const journey_wait_t *later = &node_named(j, "later")->u.wait;
    cr_assert(eq(int, later->kind, JOURNEY_WAIT_DURATION), "kind %d", later->kind);
    cr_assert(eq(i64, later->duration_ms, 2 * H_MS), "for %lld", (long long)later->duration_ms);
    const journey_wait_t *morning = &node_named(j, "morning")->u.wait;
    cr_assert(eq(int, morning->kind, JOURNEY_WAIT_TIME_OF_DAY), "kind %d", morning->kind);
    cr_assert(eq(int, morning->minute_of_day, 9 * 60 + 30), "minute %d", morning->minute_of_day);
    cr_assert(eq(str, morning->timezone_attr, "zone"), "tz '%s'", morning->timezone_attr);
    const journey_wait_t *app = &node_named(j, "app")->u.wait;
    cr_assert(eq(int, app->kind, JOURNEY_WAIT_EVENT), "kind %d", app->kind);
    cr_assert(eq(str, app->watch.events[0].name, "app_open"), "'%s'", app->watch.events[0].name);
    cr_assert_not_null(app->filter, "wait if not compiled");
    cr_assert(eq(i64, app->timeout_ms, 48 * H_MS), "timeout %lld", (long long)app->timeout_ms);
    assert_target(j, app->timeout_to, "done");
    assert_target(j, app->next, "check");
    const journey_condition_t *cond = &node_named(j, "check")->u.condition;
    cr_assert(eq(str, cond->text, "contact.ltv > 100"), "'%s'", cond->text);
    assert_target(j, cond->then_to, "queue");
    assert_target(j, cond->else_to, "tag");
    const journey_task_t *task = &node_named(j, "queue")->u.task;
    cr_assert(eq(str, task->queue, "manual_calls"), "queue '%s'", task->queue);
    cr_assert(eq(sz, task->params_count, 1), "%zu params", task->params_count);
    const journey_update_t *up = &node_named(j, "tag")->u.update;
    cr_assert_not_null(up->value_template, "set_attribute value not compiled");
    journey_free(j);
}

Test(journey, wait_until_defaults_to_the_timezone_attribute_undeclared) {
    journey_t *j = parse_ok(JOURNEY_HEAD "  - id: w\n    wait: {until: '00:00'}\n"
                                         "    next: done\n" DONE);
    cr_assert(eq(str, j->nodes[0].u.wait.timezone_attr, "timezone"), "'%s'",
              j->nodes[0].u.wait.timezone_attr);
    cr_assert(eq(int, j->nodes[0].u.wait.minute_of_day, 0), "minute %d",
              j->nodes[0].u.wait.minute_of_day);
    cr_assert(eq(int, j->reentry, JOURNEY_REENTRY_ALWAYS), "default reentry %d", j->reentry);
    journey_free(j);
}

Test(journey, loop_through_a_wait_is_allowed) {
    journey_t *j = parse_ok(JOURNEY_HEAD "  - id: w\n    wait: {for: 1d}\n    next: tag\n"
                                         "  - id: tag\n    update: {add_to_list: x}\n"
                                         "    next: w\n");
    cr_assert(eq(sz, j->nodes_count, 2), "%zu nodes", j->nodes_count);
    journey_free(j);
}

Test(journey, expression_error_points_into_the_expression) {
    journey_t *sentinel = (journey_t *)&errbuf, *j = sentinel;
    const char *text = JOURNEY_HEAD
        "  - id: c\n    condition: {if: contact.ltv > 1, then: done, else: done}\n" DONE;
    sy_err_t err = journey_parse(&j, text, strlen(text), "bad.yaml", errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_JOURNEY), "err %d; %s", err, errbuf);
    cr_assert(eq(ptr, (void *)j, (void *)sentinel), "*out changed");
    cr_assert(strncmp(errbuf, "bad.yaml:6:21: ", 15) == 0,
              "message '%s' does not point at contact.ltv (6:21)", errbuf);
}

static journey_t *load_named_example(const char *name) {
    char rel[128], path[PATH_MAX];
    journey_t *journey = NULL;
    snprintf(rel, sizeof rel, "examples/journeys/%s", name);
    source_path(path, sizeof path, rel);
    sy_err_t err = journey_load_file(&journey, path, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "loading %s returned %d; errbuf: %s", path, err, errbuf);
    return journey;
}

/* The watch bit of a one-event mask. */
static int mask_bit(uint32_t mask) {
    int bit = 0;
    while (bit < 32 && !(mask & (UINT32_C(1) << bit)))
        bit++;
    return bit;
}

Test(journey, coffee_sms_feedback_watches_the_survey_for_any_event) {
    journey_t *j = load_named_example("coffee_sms_feedback.yaml");
    cr_assert(eq(int, j->reentry, JOURNEY_REENTRY_COOLDOWN), "reentry %d", j->reentry);
    cr_assert(eq(sz, j->exits_count, 1), "%zu exits", j->exits_count);
    const journey_branch_t *br = &node_named(j, "outcome")->u.branch;
    const journey_path_t *p = &br->paths[1];
    cr_assert(eq(str, p->name, "clicked_no_survey"), "'%s'", p->name);
    cr_assert_not(br->watch.on_message[mask_bit(p->unless_mask)],
                  "custom.survey_completed must count for any event");
    cr_assert(br->watch.on_message[mask_bit(p->when_mask)], "sms.clicked on the message");
    assert_target(j, br->otherwise_to, "feedback_nudge");
    journey_free(j);
}

Test(journey, coffee_push_and_voice_examples_model_their_cases) {
    journey_t *push = load_named_example("coffee_push_promo.yaml");
    cr_assert(eq(sz, push->goals_count, 1), "%zu goals", push->goals_count);
    cr_assert(eq(str, push->goals[0].name, "claimed"), "goal '%s'", push->goals[0].name);
    cr_assert(eq(int, node_named(push, "next_session")->kind, JOURNEY_NODE_WAIT), "not a wait");
    journey_free(push);
    journey_t *voice = load_named_example("coffee_voice_reactivation.yaml");
    cr_assert(eq(int, voice->reentry, JOURNEY_REENTRY_NEVER), "reentry %d", voice->reentry);
    const journey_split_t *split = &voice->nodes[0].u.split;
    cr_assert(eq(int, split->arms[0].basis_points, 9000), "call bp %d",
              split->arms[0].basis_points);
    cr_assert(eq(int, node_named(voice, "manual_call")->kind, JOURNEY_NODE_TASK), "not a task");
    cr_assert(eq(int, node_named(voice, "morning")->u.wait.minute_of_day, 600), "not 10:00");
    journey_free(voice);
}

Test(journey, json_journey_loads) {
    journey_t *j = parse_ok(
        "{\"id\": \"push_promo\", \"version\": 2,\n"
        " \"entry\": {\"event\": \"custom.offer\"},\n"
        " \"nodes\": [\n"
        "  {\"id\": \"push\", \"send\": {\"channel\": \"push\", \"template\": \"offer\"},\n"
        "   \"next\": \"seen\"},\n"
        "  {\"id\": \"seen\", \"branch\": {\"message\": \"push\",\n"
        "    \"paths\": [{\"name\": \"claimed\", \"when\": [\"push.opened\", \"push.clicked\"],\n"
        "                \"within\": \"48h\", \"to\": \"done\"}],\n"
        "    \"otherwise\": {\"to\": \"done\"}}},\n"
        "  {\"id\": \"done\", \"exit\": {}}]}\n");
    cr_assert(eq(str, j->id, "push_promo"), "id '%s'", j->id);
    cr_assert(eq(sz, j->nodes_count, 3), "%zu nodes, want 3", j->nodes_count);
    const journey_branch_t *br = &j->nodes[1].u.branch;
    assert_path(j, &br->paths[0], "claimed", 2, 0, 48 * H_MS, 0, "done");
    cr_assert(eq(i64, br->otherwise_after_ms, 48 * H_MS), "otherwise after %lld ms",
              (long long)br->otherwise_after_ms);
    journey_free(j);
}

Test(journey, json_syntax_error_names_line_and_column) {
    parse_fails("{\"id\": \"j\",\n \"version\": 1,,\n}\n", SY_ERR_JOURNEY,
                "bad.yaml:2:15: did not find expected node content "
                "(while parsing a flow node at line 2)");
}

/* Each validation error, inline, with where it points. */

Test(journey, unknown_key_is_named_with_the_keys_expected) {
    parse_fails(JOURNEY_HEAD HELLO_EMAIL
                "  - id: outcome\n    branch:\n      message: hello\n      paths:\n"
                "        - {name: a, when: [email.opened], within: 1h, to: done, colour: x}\n"
                "      otherwise: {to: done}\n" DONE,
                SY_ERR_JOURNEY,
                "bad.yaml:12:65: unknown key 'colour' in path "
                "(expected name, when, unless, if, within, after, to)");
}

Test(journey, missing_required_key_points_at_its_map) {
    parse_fails("id: j\nversion: 1\nnodes:\n" DONE, SY_ERR_JOURNEY,
                "bad.yaml:1:1: missing 'entry' in journey");
}

Test(journey, duplicate_node_id_points_at_the_second) {
    parse_fails(JOURNEY_HEAD "  - id: done\n    exit: {}\n  - id: done\n    exit: {}\n",
                SY_ERR_JOURNEY, "bad.yaml:7:9: duplicate node id 'done' (first at line 5)");
}

Test(journey, next_to_a_missing_node_is_an_error) {
    parse_fails(JOURNEY_HEAD HELLO_EMAIL DONE, SY_ERR_JOURNEY,
                "bad.yaml:7:11: 'next' names node 'outcome', which does not exist");
}

Test(journey, message_must_name_a_send_node) {
    parse_fails(JOURNEY_HEAD HELLO_EMAIL
                "  - id: outcome\n    branch:\n      message: done\n      paths:\n"
                "        - {name: a, when: [email.opened], within: 1h, to: done}\n"
                "      otherwise: {to: done}\n" DONE,
                SY_ERR_JOURNEY,
                "bad.yaml:10:16: 'message' names node 'done', which is not a send node");
}

Test(journey, unreachable_node_is_an_error) {
    parse_fails(JOURNEY_HEAD "  - id: done\n    exit: {}\n  - id: lost\n    exit: {}\n",
                SY_ERR_JOURNEY,
                "bad.yaml:7:5: node 'lost' cannot be reached from the first node 'done'");
}

Test(journey, loop_through_a_branch_path_with_after_is_allowed) {
    journey_t *j = parse_ok(JOURNEY_HEAD HELLO_EMAIL
                            "  - id: outcome\n    branch:\n      message: hello\n"
                            "      paths:\n"
                            "        - {name: again, when: [email.opened], after: 1h, "
                            "to: hello}\n"
                            "      otherwise: {after: 1d, to: done}\n" DONE);
    cr_assert(eq(sz, j->nodes_count, 3), "%zu nodes", j->nodes_count);
    journey_free(j);
}

/* An event can come at any moment, as fast as its sender likes: a path taken on one
 * holds the contact no time at all. */
Test(journey, loop_that_sends_through_an_event_only_branch_path_is_refused) {
    parse_fails(JOURNEY_HEAD HELLO_EMAIL
                "  - id: outcome\n    branch:\n      message: hello\n"
                "      paths:\n"
                "        - {name: again, when: [email.opened], to: hello}\n"
                "      otherwise: {after: 1d, to: done}\n" DONE,
                SY_ERR_JOURNEY,
                "bad.yaml:5:5: loop hello -> outcome -> hello can send every 0ms, less than "
                "the minimum period 1h (journeys.loop.period.min.ms); make a wait on it "
                "longer");
}

#define PING_WAIT(duration)                                                                \
    JOURNEY_HEAD "  - id: ping\n    send: {channel: email, template: ping}\n"             \
                 "    next: check\n"                                                       \
                 "  - id: check\n    condition: {if: 'true', then: pause, else: done}\n"   \
                 "  - id: pause\n    wait: {for: " duration "}\n    next: ping\n" DONE

Test(journey, loop_that_sends_with_a_long_enough_wait_is_allowed) {
    journey_t *j = parse_ok(PING_WAIT("2h"));
    cr_assert(eq(i64, j->nodes_count, 4), "%zu nodes", j->nodes_count);
    journey_free(j);
}

Test(journey, loop_that_sends_with_a_short_wait_names_the_loop_and_both_periods) {
    parse_fails(PING_WAIT("1ms"), SY_ERR_JOURNEY,
                "bad.yaml:5:5: loop ping -> check -> pause -> ping can send every 1ms, less "
                "than the minimum period 1h (journeys.loop.period.min.ms); make a wait on "
                "it longer");
}

Test(journey, loop_period_minimum_comes_from_the_options) {
    const char *text = PING_WAIT("2h");
    journey_load_opts_t opts = {.loop_period_min_ms = 3 * 3600 * 1000};
    journey_t *j = (journey_t *)&errbuf;
    sy_err_t err = journey_parse_opts(&j, text, strlen(text), "bad.yaml", &opts, errbuf,
                                      sizeof errbuf);
    cr_assert(eq(i64, err, SY_ERR_JOURNEY), "journey_parse_opts returned %d; %s", err, errbuf);
    cr_assert_not_null(strstr(errbuf, "every 2h, less than the minimum period 3h"), "%s",
                       errbuf);
    opts.loop_period_min_ms = 1;
    text = PING_WAIT("1ms");
    err = journey_parse_opts(&j, text, strlen(text), "ok.yaml", &opts, errbuf,
                             sizeof errbuf);
    cr_assert(eq(i64, err, SY_OK), "journey_parse_opts returned %d; %s", err, errbuf);
    journey_free(j);
}

Test(journey, loop_without_a_send_needs_no_minimum_period) {
    journey_t *j = parse_ok(JOURNEY_HEAD
                            "  - id: tag\n    update: {add_to_list: x}\n    next: pause\n"
                            "  - id: pause\n    wait: {for: 1ms}\n    next: tag\n");
    cr_assert(eq(i64, j->nodes_count, 2), "%zu nodes", j->nodes_count);
    journey_free(j);
}

/* The shortest way round counts: a long wait on one arm does not hide a short one. */
Test(journey, loop_that_sends_is_measured_by_its_shortest_way_round) {
    parse_fails(JOURNEY_HEAD "  - id: ping\n    send: {channel: email, template: ping}\n"
                "    next: pick\n"
                "  - id: pick\n    split:\n"
                "      - {name: a, percent: 50, to: slow}\n"
                "      - {name: b, percent: 50, to: fast}\n"
                "  - id: slow\n    wait: {for: 2d}\n    next: ping\n"
                "  - id: fast\n    wait: {for: 30m}\n    next: ping\n",
                SY_ERR_JOURNEY,
                "bad.yaml:5:5: loop ping -> pick -> fast -> ping can send every 30m, less "
                "than the minimum period 1h (journeys.loop.period.min.ms); make a wait on "
                "it longer");
}

Test(journey, loop_without_a_wait_is_named_with_its_nodes) {
    parse_fails(JOURNEY_HEAD "  - id: check\n    condition: {if: 'true', then: tag, else: done}\n"
                "  - id: tag\n    update: {add_to_list: x}\n    next: check\n" DONE,
                SY_ERR_JOURNEY, "bad.yaml:9:11: loop without a wait: check -> tag -> check");
}

Test(journey, node_pointing_at_itself_is_a_loop) {
    parse_fails(JOURNEY_HEAD "  - id: me\n    update: {unset_attribute: x}\n    next: me\n",
                SY_ERR_JOURNEY, "bad.yaml:7:11: loop without a wait: me -> me");
}

Test(journey, branch_without_otherwise_is_an_error) {
    parse_fails(JOURNEY_HEAD HELLO_EMAIL
                "  - id: outcome\n    branch:\n      message: hello\n      paths:\n"
                "        - {name: a, when: [email.opened], within: 1h, to: done}\n" DONE,
                SY_ERR_JOURNEY, "bad.yaml:10:7: branch in node 'outcome' has no 'otherwise'");
}

Test(journey, otherwise_needs_after_when_no_path_has_a_window) {
    parse_fails(JOURNEY_HEAD HELLO_EMAIL
                "  - id: outcome\n    branch:\n      message: hello\n      paths:\n"
                "        - {name: a, when: [email.opened], to: done}\n"
                "      otherwise:\n        to: done\n" DONE,
                SY_ERR_JOURNEY,
                "bad.yaml:14:9: otherwise needs 'after' when no path has a window");
}

Test(journey, bad_duration_is_an_error) {
    parse_fails(JOURNEY_HEAD HELLO_EMAIL
                "  - id: outcome\n    branch:\n      message: hello\n      paths:\n"
                "        - {name: a, when: [email.opened], within: 0h, to: done}\n"
                "      otherwise: {to: done}\n" DONE,
                SY_ERR_JOURNEY,
                "bad.yaml:12:51: bad duration '0h': write a positive whole number and a "
                "unit (ms, s, m, h, d), like 24h");
}

Test(journey, unknown_event_type_lists_the_channel_types) {
    parse_fails("id: j\nversion: 1\nentry: {event: voice.hung_up}\nnodes:\n" DONE,
                SY_ERR_JOURNEY,
                "bad.yaml:3:16: unknown event type 'voice.hung_up' (voice events: blocked, "
                "attempted, not_attempted, answered, not_answered, voicemail)");
}

Test(journey, custom_event_name_must_be_plain) {
    parse_fails("id: j\nversion: 1\nentry: {event: custom.Store-Visit}\nnodes:\n" DONE,
                SY_ERR_JOURNEY,
                "bad.yaml:3:16: bad custom event 'custom.Store-Visit': write custom.<name>, "
                "the name in a-z, 0-9 and '_'");
}

Test(journey, branch_events_off_the_message_channel_are_watched_for_any_event) {
    journey_t *j = parse_ok(JOURNEY_HEAD HELLO_EMAIL
                            "  - id: outcome\n    branch:\n      message: hello\n"
                            "      paths:\n"
                            "        - {name: a, when: [email.opened], unless: [push.opened],"
                            " to: done}\n"
                            "        - {name: b, when: [custom.survey_completed, email.opened],"
                            " to: done}\n"
                            "      otherwise: {after: 1d, to: done}\n" DONE);
    const journey_branch_t *br = &node_named(j, "outcome")->u.branch;
    cr_assert(eq(sz, br->watch.count, 3), "%zu watched, want 3", br->watch.count);
    assert_match(&br->watch.events[0], SY_CHANNEL_EMAIL, SY_EVENT_OPENED);
    cr_assert(br->watch.on_message[0], "email.opened must count on the message only");
    assert_match(&br->watch.events[1], SY_CHANNEL_PUSH, SY_EVENT_OPENED);
    cr_assert_not(br->watch.on_message[1], "push.opened must count for any event");
    cr_assert(eq(str, br->watch.events[2].name, "survey_completed"), "watch[2] '%s'",
              br->watch.events[2].name);
    cr_assert_not(br->watch.on_message[2], "a custom event must count for any event");
    cr_assert(eq(u32, br->paths[0].when_mask, 1u), "a when_mask %#x", br->paths[0].when_mask);
    cr_assert(eq(u32, br->paths[0].unless_mask, 2u), "a unless_mask %#x",
              br->paths[0].unless_mask);
    cr_assert(eq(u32, br->paths[1].when_mask, 5u), "b when_mask %#x", br->paths[1].when_mask);
    journey_free(j);
}

Test(journey, send_without_next_is_an_error_but_exit_needs_none) {
    parse_fails(JOURNEY_HEAD "  - id: hi\n    send: {channel: sms, template: t}\n" DONE,
                SY_ERR_JOURNEY, "bad.yaml:5:5: missing 'next' in node 'hi'");
}

Test(journey, update_without_next_is_an_error) {
    parse_fails(JOURNEY_HEAD "  - id: up\n    update: {remove_from_list: vip}\n" DONE,
                SY_ERR_JOURNEY, "bad.yaml:5:5: missing 'next' in node 'up'");
}

Test(journey, send_on_a_channel_that_cannot_send_is_an_error) {
    parse_fails(JOURNEY_HEAD "  - id: hi\n    send: {channel: call, template: t}\n"
                             "    next: done\n" DONE,
                SY_ERR_JOURNEY,
                "bad.yaml:6:21: send channel must be email, sms, push, voice, in_app, web, "
                "task or best, not 'call'");
}

Test(journey, node_with_two_kinds_is_an_error) {
    parse_fails(JOURNEY_HEAD "  - id: done\n    exit: {}\n    update: {add_to_list: x}\n",
                SY_ERR_JOURNEY,
                "bad.yaml:7:5: node 'done' has both 'exit' and 'update': a node does one thing");
}

Test(journey, duplicate_yaml_key_is_an_error) {
    parse_fails("id: j\nversion: 1\nid: k\n", SY_ERR_JOURNEY,
                "bad.yaml:3:1: duplicate key 'id' (first at line 1)");
}

Test(journey, yaml_syntax_error_reports_libyaml_problem_and_mark) {
    parse_fails("id: j\nversion: [1\n", SY_ERR_JOURNEY,
                "bad.yaml:3:1: did not find expected ',' or ']' "
                "(while parsing a flow sequence at line 2)");
}

/* Limits: SY_ERR_LIMIT at the first item past the maximum. */

/* A journey of count update nodes in a chain, ending with an exit; caller frees. */
static char *chain_journey(size_t count) {
    size_t size = 128 + count * 64;
    char *text = malloc(size);
    cr_assert_not_null(text);
    size_t used = (size_t)snprintf(text, size, JOURNEY_HEAD);
    for (size_t i = 0; i + 1 < count; i++)
        used += (size_t)snprintf(text + used, size - used,
                                 "  - {id: n%zu, update: {add_to_list: l}, next: n%zu}\n", i,
                                 i + 1);
    snprintf(text + used, size - used, "  - {id: n%zu, exit: {}}\n", count - 1);
    return text;
}

Test(journey, nodes_up_to_the_maximum_load) {
    char *text = chain_journey(JOURNEY_NODES_MAX);
    journey_t *j = parse_ok(text);
    cr_assert(eq(sz, j->nodes_count, JOURNEY_NODES_MAX), "%zu nodes", j->nodes_count);
    journey_free(j);
    free(text);
}

Test(journey, more_nodes_than_the_maximum_is_a_limit_error) {
    char *text = chain_journey(JOURNEY_NODES_MAX + 1);
    char want[64];
    snprintf(want, sizeof want, "bad.yaml:%d:5: more than %d nodes", 5 + JOURNEY_NODES_MAX,
             JOURNEY_NODES_MAX);
    parse_fails(text, SY_ERR_LIMIT, want);
    free(text);
}

/* A journey declaring count number attributes a0000.. (line 4 on), whose one condition
 * reads the last; caller frees. */
static char *wide_journey(size_t count) {
    size_t size = 256 + count * 48;
    char *text = malloc(size);
    cr_assert_not_null(text);
    size_t used = (size_t)snprintf(text, size, "id: j\nversion: 1\nprofile:\n");
    for (size_t i = 0; i < count; i++)
        used += (size_t)snprintf(text + used, size - used, "  a%04zu: {type: number}\n", i);
    snprintf(text + used, size - used,
             "entry: {event: custom.signup}\nnodes:\n"
             "  - {id: c, condition: {if: contact.a%04zu >= 1, then: done, else: done}}\n"
             DONE, count - 1);
    return text;
}

Test(journey, profile_attributes_up_to_the_maximum_load) {
    cr_assert(eq(int, JOURNEY_ATTRS_MAX, 512), "a journey declares up to 512 attributes");
    char *text = wide_journey(JOURNEY_ATTRS_MAX);
    journey_t *j = parse_ok(text);
    cr_assert(eq(sz, j->attrs_count, JOURNEY_ATTRS_MAX), "%zu attributes", j->attrs_count);
    cr_assert(eq(str, j->attrs[JOURNEY_ATTRS_MAX - 1].name, "a0511"), "last is %s",
              j->attrs[JOURNEY_ATTRS_MAX - 1].name);
    journey_free(j);
    free(text);
}

Test(journey, more_profile_attributes_than_the_maximum_is_a_limit_error) {
    char *text = wide_journey(JOURNEY_ATTRS_MAX + 1);
    char want[80];
    /* declarations start on line 4: the 513th is on line 4 + 512 */
    snprintf(want, sizeof want, "bad.yaml:%d:3: more than %d profile attributes",
             4 + JOURNEY_ATTRS_MAX, JOURNEY_ATTRS_MAX);
    parse_fails(text, SY_ERR_LIMIT, want);
    free(text);
}

Test(journey, more_paths_than_the_maximum_is_a_limit_error) {
    char text[8192];
    size_t used = (size_t)snprintf(text, sizeof text, JOURNEY_HEAD HELLO_EMAIL
                                   "  - id: outcome\n    branch:\n      message: hello\n"
                                   "      paths:\n");
    for (int i = 0; i <= JOURNEY_PATHS_MAX; i++)
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "        - {name: p%d, when: [email.sent], to: done}\n", i);
    snprintf(text + used, sizeof text - used, "      otherwise: {after: 1h, to: done}\n" DONE);
    char want[64];
    snprintf(want, sizeof want, "bad.yaml:%d:11: more than %d paths in a branch",
             12 + JOURNEY_PATHS_MAX, JOURNEY_PATHS_MAX);
    parse_fails(text, SY_ERR_LIMIT, want);
}

Test(journey, more_matches_than_the_maximum_is_a_limit_error) {
    char text[4096];
    size_t used = (size_t)snprintf(text, sizeof text, JOURNEY_HEAD HELLO_EMAIL
                                   "  - id: outcome\n    branch:\n      message: hello\n"
                                   "      paths:\n        - name: a\n          when:\n");
    for (int i = 0; i <= JOURNEY_MATCHES_MAX; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "            - email.sent\n");
    snprintf(text + used, sizeof text - used,
             "          to: done\n      otherwise: {after: 1h, to: done}\n" DONE);
    char want[64];
    snprintf(want, sizeof want, "bad.yaml:%d:15: more than %d event types in 'when'",
             14 + JOURNEY_MATCHES_MAX, JOURNEY_MATCHES_MAX);
    parse_fails(text, SY_ERR_LIMIT, want);
}

/* on_capped: skip by default, delay, or a node (docs/safety.md); priority 0 by default. */
Test(journey, on_capped_and_priority_are_read_with_their_defaults) {
    journey_t *j = parse_ok("id: j\nversion: 1\npriority: -5\nentry: {event: custom.go}\n"
                            "nodes:\n"
                            "  - id: a\n    send: {channel: email, template: t}\n    next: b\n"
                            "  - id: b\n    send: {channel: sms, template: t, on_capped: "
                            "delay}\n    next: c\n"
                            "  - id: c\n    send: {channel: push, template: t, on_capped: "
                            "done}\n    next: done\n" DONE);
    cr_assert(eq(int, j->priority, -5));
    cr_assert(eq(int, j->nodes[0].u.send.on_capped, JOURNEY_ON_CAPPED_SKIP));
    cr_assert(eq(int, j->nodes[1].u.send.on_capped, JOURNEY_ON_CAPPED_DELAY));
    cr_assert(eq(int, j->nodes[2].u.send.on_capped, JOURNEY_ON_CAPPED_NODE));
    cr_assert(eq(int, j->nodes[2].u.send.capped_to, 3));
    journey_free(j);
    j = parse_ok(JOURNEY_HEAD "  - id: a\n    send: {channel: email, template: t, on_capped: "
                 "skip}\n    next: done\n" DONE);
    cr_assert(eq(int, j->priority, 0));
    cr_assert(eq(int, j->nodes[0].u.send.on_capped, JOURNEY_ON_CAPPED_SKIP));
    journey_free(j);
}

/* tests/journeys/invalid: each file's first line is "# expect: MESSAGE". */

static char *read_text(const char *path) {
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "cannot open %s", path);
    char *text = calloc(1, 1 << 16);
    cr_assert_not_null(text);
    size_t n = fread(text, 1, (1 << 16) - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

static void check_invalid_file(const char *dir, const char *name) {
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert(n > 0 && (size_t)n < sizeof path, "path too long");
    char *text = read_text(path);
    const char *prefix = "# expect: ";
    cr_assert(strncmp(text, prefix, strlen(prefix)) == 0, "%s: no '# expect: ' line", name);
    const char *start = text + strlen(prefix);
    const char *end = strchr(start, '\n');
    cr_assert_not_null(end, "%s: expect line has no end", name);
    char want[1024];
    snprintf(want, sizeof want, "%.*s", (int)(end - start), start);
    journey_t *journey = NULL;
    errbuf[0] = '\0';
    sy_err_t err = journey_parse(&journey, text, strlen(text), "bad.yaml", errbuf,
                                 sizeof errbuf);
    cr_expect(ne(int, err, SY_OK), "%s: loaded, want an error", name);
    cr_expect_null(journey, "%s: *out set on error", name);
    cr_expect(eq(str, errbuf, want), "%s: message was\n  '%s', want\n  '%s'", name, errbuf,
              want);
    free(text);
}

Test(journey, every_invalid_example_fails_with_its_expected_message) {
    char dir[PATH_MAX];
    source_path(dir, sizeof dir, "tests/journeys/invalid");
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s", dir);
    int checked = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        check_invalid_file(dir, e->d_name);
        checked++;
    }
    closedir(d);
    cr_assert_geq(checked, 15, "only %d invalid journeys checked", checked);
}

/* Directory sets. */

Test(journey, set_loads_the_examples_directory) {
    char dir[PATH_MAX];
    source_path(dir, sizeof dir, "examples/journeys");
    journey_set_t *set = NULL;
    sy_err_t err = journey_set_load_dir(&set, dir, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "journey_set_load_dir returned %d; errbuf: %s", err, errbuf);
    cr_assert_geq(set->count, 4, "%zu journeys, want at least 4", set->count);
    for (size_t i = 1; i < set->count; i++)
        cr_assert_lt(strcmp(set->journeys[i - 1]->source, set->journeys[i]->source), 0,
                     "%s before %s: not sorted", set->journeys[i - 1]->source,
                     set->journeys[i]->source);
    journey_set_free(set);
}

static const char good_journey[] = "id: a\nversion: 1\nentry: {event: custom.x}\n"
                                   "nodes:\n  - id: done\n    exit: {}\n";

static void write_file(const char *dir, const char *name, const char *text) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static void remove_dir(const char *dir, const char *const *names) {
    char path[PATH_MAX];
    for (size_t i = 0; names[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void set_fails(const char *dir, const char *want) {
    journey_set_t *sentinel = (journey_set_t *)&errbuf, *set = sentinel;
    sy_err_t err = journey_set_load_dir(&set, dir, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_JOURNEY), "journey_set_load_dir returned %d, want %d; %s", err,
              SY_ERR_JOURNEY, errbuf);
    cr_assert(eq(ptr, (void *)set, (void *)sentinel), "*out was changed on error");
    cr_assert(eq(str, errbuf, (char *)want), "message was\n  '%s', want\n  '%s'", errbuf, want);
}

Test(journey, set_is_all_or_nothing_when_one_file_is_bad) {
    char dir[] = "/tmp/sy_journey_set_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    write_file(dir, "a.yaml", good_journey);
    write_file(dir, "b.yml", "id: b\nversion: 1\nentry: {event: custom.x}\nnodes: []\n");
    write_file(dir, "notes.txt", "not a journey");
    char want[256];
    snprintf(want, sizeof want, "%s/b.yml:4:8: 'nodes' must be a list of at least one node",
             dir);
    set_fails(dir, want);
    remove_dir(dir, (const char *const[]){"a.yaml", "b.yml", "notes.txt", NULL});
}

Test(journey, set_refuses_two_files_with_the_same_id_and_version) {
    char dir[] = "/tmp/sy_journey_set_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    write_file(dir, "a.yaml", good_journey);
    write_file(dir, "b.json", "{\"id\": \"a\", \"version\": 1, \"entry\": {\"event\": "
                              "\"custom.x\"}, \"nodes\": [{\"id\": \"done\", \"exit\": {}}]}");
    char want[256];
    snprintf(want, sizeof want, "%s/b.json: journey 'a' version 1 is also in %s/a.yaml", dir,
             dir);
    set_fails(dir, want);
    remove_dir(dir, (const char *const[]){"a.yaml", "b.json", NULL});
}

/* Durations. */

Test(journey, durations_parse_every_unit) {
    static const struct {
        const char *text;
        int64_t ms;
    } cases[] = {{"500ms", 500}, {"90s", 90000}, {"30m", 1800000}, {"24h", 86400000},
                 {"7d", 604800000}, {"1ms", 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t ms = -1;
        cr_assert(journey_duration_parse(cases[i].text, &ms), "'%s' refused", cases[i].text);
        cr_assert(eq(i64, ms, cases[i].ms), "'%s' is %lld ms, want %lld", cases[i].text,
                  (long long)ms, (long long)cases[i].ms);
    }
}

Test(journey, durations_refuse_zero_signs_spaces_and_unknown_units) {
    static const char *const bad[] = {"", "0s", "-5m", "+5m", "5", "h", "5 h", "5hours",
                                      "1.5h", "5w", "99999999999999999999d", "5H"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = 42;
        cr_assert_not(journey_duration_parse(bad[i], &ms), "'%s' accepted", bad[i]);
        cr_assert(eq(i64, ms, 42), "'%s' changed *ms on failure", bad[i]);
    }
}

/* ---- seen() conditions and flags ---- */

Test(journey, push_promo_watches_the_offer_click_as_its_own_entry) {
    journey_t *j = load_named_example("coffee_push_promo.yaml");
    const journey_branch_t *br = &node_named(j, "outcome")->u.branch;
    /* push.opened (when), then one entry for seen(push.clicked, link == "offer"), shared
     * by the claimed and the opened_only paths */
    cr_assert(eq(sz, br->watch.count, 2), "%zu watched, want 2", br->watch.count);
    assert_match(&br->watch.events[1], SY_CHANNEL_PUSH, SY_EVENT_CLICKED);
    cr_assert(br->watch.on_message[1], "the click counts for the push only");
    cr_assert_null(br->watch.filters[0], "the when list's entry has no condition");
    cr_assert_not_null(br->watch.filters[1], "the condition was compiled");
    cr_assert(eq(str, br->watch.filter_texts[1], "link == \"offer\""), "'%s'",
              br->watch.filter_texts[1]);
    cr_assert_not(j->reads_flags, "no has_flag()");
    journey_free(j);
}

Test(journey, flag_and_unflag_are_attribute_updates_and_has_flag_reads_the_profile) {
    journey_t *j = parse_ok(
        "id: f\nversion: 1\nentry: {event: custom.signup, if: not has_flag(vip)}\n"
        "nodes:\n"
        "  - {id: mark, update: {flag: vip}, next: clear}\n"
        "  - {id: clear, update: {unflag: old_vip}, next: done}\n"
        "  - {id: done, exit: {}}\n");
    const journey_update_t *mark = &node_named(j, "mark")->u.update;
    cr_assert(eq(int, mark->op, SY_UPDATE_SET_ATTRIBUTE), "op %d", mark->op);
    cr_assert(mark->flag, "a flag");
    cr_assert(eq(str, mark->name, "vip"));
    cr_assert(eq(str, mark->value, "true"));
    cr_assert(expr_template_is_literal(mark->value_template), "the value is literal");
    const journey_update_t *clear = &node_named(j, "clear")->u.update;
    cr_assert(eq(int, clear->op, SY_UPDATE_UNSET_ATTRIBUTE), "op %d", clear->op);
    cr_assert(clear->flag, "a flag");
    cr_assert(eq(str, clear->name, "old_vip"));
    cr_assert(j->reads_flags, "has_flag() in the entry rule: the profile is read");
    journey_free(j);
}

Test(journey, on_deploy_scan_is_read_on_an_audience_entry_and_refused_elsewhere) {
    journey_t *j = parse_ok("id: j\nversion: 1\nprofile:\n  ltv: {type: number, default: 0}\n"
                            "entry: {when: contact.ltv >= 500, on_deploy: scan}\nnodes:\n"
                            DONE);
    cr_expect(j->entry_scan, "on_deploy: scan read");
    journey_free(j);
    j = parse_ok("id: j\nversion: 1\nprofile:\n  ltv: {type: number, default: 0}\n"
                 "entry: {when: contact.ltv >= 500, on_deploy: none}\nnodes:\n" DONE);
    cr_expect(not(j->entry_scan), "none: no scan");
    journey_free(j);
    parse_fails("id: j\nversion: 1\nentry: {event: custom.signup, on_deploy: scan}\nnodes:\n"
                DONE, SY_ERR_JOURNEY,
                "bad.yaml:3:42: on_deploy: scan needs an audience entry (when:)");
    parse_fails("id: j\nversion: 1\nprofile:\n  ltv: {type: number, default: 0}\n"
                "entry: {when: contact.ltv >= 500, on_deploy: all}\nnodes:\n" DONE,
                SY_ERR_JOURNEY, "bad.yaml:5:46: bad on_deploy: write scan or none");
}
