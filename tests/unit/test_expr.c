/* test_expr.c — unit tests of the expression language and templates (expr.h): every
 * operator and type, precedence, absent values, seen(), every compile error with its
 * message and column, template rendering and truncation, and that evaluation and
 * rendering allocate nothing. Journeys that use expressions are test_journey.c's. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifdef TEST_ASAN
/* From the sanitizers' allocator interface (sanitizer/allocator_interface.h, which not
 * every toolchain installs). */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *,
                                                                  size_t),
                                              void (*free_hook)(const volatile void *));
#endif

#define DAY_MS (24 * 60 * 60 * 1000LL)
#define NOW_MS 1793606400000LL /* 2026-11-02T08:00:00.000Z */

/* ---- the world the tests evaluate in ---- */

static expr_attr_t test_attrs[] = {
    {.name = "birthday", .type = EXPR_TYPE_TIME}, /* no default */
    {.name = "city", .type = EXPR_TYPE_STRING},   /* no default */
    {.name = "cooldown", .type = EXPR_TYPE_DURATION, .has_default = true,
     .default_value = {.kind = SY_VALUE_LONG, .u.l = 90000}},
    {.name = "last_visit", .type = EXPR_TYPE_TIME},
    {.name = "ltv", .type = EXPR_TYPE_NUMBER}, /* no default */
    {.name = "score", .type = EXPR_TYPE_NUMBER, .has_default = true,
     .default_value = {.kind = SY_VALUE_DOUBLE, .u.d = 5}},
    {.name = "signup", .type = EXPR_TYPE_TIME, .has_default = true,
     .default_value = {.kind = SY_VALUE_STRING, .u.s = "2026-01-01T00:00:00Z"}},
    {.name = "tier", .type = EXPR_TYPE_STRING, .has_default = true,
     .default_value = {.kind = SY_VALUE_STRING, .u.s = "bronze"}},
    {.name = "vip", .type = EXPR_TYPE_BOOL, .has_default = true,
     .default_value = {.kind = SY_VALUE_BOOL, .u.b = false}},
};

static expr_scope_t test_scope = {
    .attrs = test_attrs,
    .attrs_count = sizeof test_attrs / sizeof test_attrs[0],
    .has_event = true,
};

static sy_attr_t profile_attrs[16]; /* sorted by name, as state hands them over */
static expr_profile_t profile;
static sy_event_t event;
static expr_env_t env;
static char errbuf[512];

static void world_reset(void) {
    memset(&event, 0, sizeof event);
    event.event_id = "ev-1";
    event.contact_id = "c-42";
    event.occurred_at_ms = NOW_MS;
    event.channel = SY_CHANNEL_EMAIL;
    event.type = SY_EVENT_CLICKED;
    event.message_id = "act-7";
    event.link = "https://shop.example/promo/autumn";
    event.bounce = SY_BOUNCE_NONE;
    event.props_count = 1;
    event.props[0] = (sy_kv_t){"store", "Lyon Part-Dieu"};
    profile = (expr_profile_t){0, profile_attrs};
    env = (expr_env_t){.event = &event, .profile = &profile, .now_ms = NOW_MS,
                       .entered_at_ms = NOW_MS - 2 * DAY_MS, .entries = 3};
}

/* Add a profile attribute; callers add in name order. */
static void profile_add(const char *name, sy_value_t value) {
    cr_assert_lt(profile.count, sizeof profile_attrs / sizeof profile_attrs[0]);
    if (profile.count > 0)
        cr_assert_lt(strcmp(profile_attrs[profile.count - 1].name, name), 0,
                     "profile_add out of order: %s", name);
    profile_attrs[profile.count++] = (sy_attr_t){name, value};
}

#define LONG_V(x) ((sy_value_t){.kind = SY_VALUE_LONG, .u.l = (x)})
#define DOUBLE_V(x) ((sy_value_t){.kind = SY_VALUE_DOUBLE, .u.d = (x)})
#define STRING_V(x) ((sy_value_t){.kind = SY_VALUE_STRING, .u.s = (x)})
#define BOOL_V(x) ((sy_value_t){.kind = SY_VALUE_BOOL, .u.b = (x)})

static expr_t *compile_in(const char *text, const expr_scope_t *scope) {
    expr_t *expr = NULL;
    int column = 0;
    errbuf[0] = '\0';
    sy_err_t err = expr_compile(&expr, text, scope, EXPR_TYPE_BOOL, &column, errbuf,
                                sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "compiling '%s' returned %d, want SY_OK; errbuf: %s", text, err,
              errbuf);
    return expr;
}

static bool holds(const char *text) {
    expr_t *expr = compile_in(text, &test_scope);
    bool result = expr_eval_bool(expr, &env);
    expr_free(expr);
    return result;
}

#define expect_true(text) cr_expect(holds(text), "'%s' should hold, was false", text)
#define expect_false(text) cr_expect(not(holds(text)), "'%s' should not hold, was true", text)

static void compile_fails(const char *text, const expr_scope_t *scope, sy_err_t want_err,
                          const char *message, int want_column) {
    expr_t *sentinel = (expr_t *)errbuf, *expr = sentinel;
    int column = 0;
    errbuf[0] = '\0';
    sy_err_t err = expr_compile(&expr, text, scope, EXPR_TYPE_BOOL, &column, errbuf,
                                sizeof errbuf);
    cr_assert(eq(int, err, want_err), "'%s' returned %d, want %d; errbuf: %s", text, err, want_err,
              errbuf);
    cr_expect(eq(str, errbuf, (char *)message), "'%s' said\n  '%s', want\n  '%s'", text, errbuf,
              message);
    cr_expect(eq(int, column, want_column), "'%s': column %d, want %d", text, column, want_column);
    cr_expect(eq(ptr, (void *)expr, (void *)sentinel), "*out was set on error");
}

TestSuite(expr, .init = world_reset);

/* ---- operators and types ---- */

Test(expr, numbers_support_every_comparison) {
    expect_true("3 < 5");
    expect_false("5 < 5");
    expect_true("5 <= 5");
    expect_true("6 > 5");
    expect_false("5 > 5");
    expect_true("5 >= 5");
    expect_true("12.5 == 12.5");
    expect_true("5 != 6");
    expect_false("5 != 5");
}

Test(expr, strings_compare_bytewise) {
    expect_true("\"abc\" < \"abd\"");
    expect_true("\"B\" < \"a\"");
    expect_true("\"ab\" < \"abc\"");
    expect_true("\"x\" == \"x\"");
    expect_true("\"x\" != \"y\"");
    expect_true("\"say \\\"hi\\\"\" == \"say \\\"hi\\\"\"");
    expect_true("\"a\\\\b\" contains \"\\\\\"");
}

Test(expr, bools_compare_with_equality) {
    expect_true("true == true");
    expect_true("true != false");
    expect_false("false == true");
    expect_true("true");
    expect_false("false");
}

Test(expr, durations_compare_across_units) {
    expect_true("90s > 1m");
    expect_true("24h == 1d");
    expect_true("1500ms < 2s");
    expect_true("30m + 30m == 1h");
    expect_true("2h - 30m == 90m");
    expect_true("-1h < 0s");
}

Test(expr, arithmetic_follows_precedence_and_left_associativity) {
    expect_true("1 + 2 * 3 == 7");
    expect_true("(1 + 2) * 3 == 9");
    expect_true("10 - 4 - 3 == 3");
    expect_true("8 / 4 / 2 == 1");
    expect_true("-2 * 3 == -6");
    expect_true("- -2 == 2");
    expect_true("7 / 2 == 3.5");
}

Test(expr, division_by_zero_has_no_value) {
    expect_false("1 / 0 > 0");
    expect_false("1 / 0 <= 0");
    expect_true("not (1 / 0 == 0)");
}

Test(expr, and_binds_tighter_than_or_and_not_tighter_than_and) {
    expect_true("true or false and false");
    expect_false("(true or false) and false");
    expect_false("not false and false");
    expect_true("not (false and false)");
    expect_true("not 1 > 2");
    expect_true("1 < 2 and 2 < 3 or false");
    expect_true("not not true");
}

Test(expr, in_tests_membership_in_a_literal_list) {
    expect_true("contact.tier in [\"gold\", \"bronze\"]");
    expect_false("contact.tier in [\"gold\", \"silver\"]");
    expect_true("3 in [1, 2, 3]");
    expect_true("-1 in [-1]");
    expect_false("1 in []");
    expect_true("90s in [1m, 90s]");
    expect_true("contact.vip in [false]");
    expect_true("not (contact.tier in [\"gold\"])");
}

Test(expr, contains_and_starts_with_match_substrings) {
    expect_true("event.link contains \"promo\"");
    expect_false("event.link contains \"winter\"");
    expect_true("event.link starts_with \"https://\"");
    expect_false("event.link starts_with \"promo\"");
    expect_true("event.link contains \"\"");
    expect_true("\"abc\" starts_with \"abc\"");
    expect_false("\"ab\" starts_with \"abc\"");
}

Test(expr, time_arithmetic_mixes_times_and_durations) {
    profile_add("last_visit", LONG_V(NOW_MS - 31 * DAY_MS));
    expect_true("now - contact.last_visit > 30d");
    profile_attrs[0].value = LONG_V(NOW_MS - 29 * DAY_MS);
    expect_false("now - contact.last_visit > 30d");
    expect_true("event.time + 24h == now + 1d");
    expect_true("event.time + 24h > now");
    expect_true("24h + event.time > now");
    expect_true("now - 1h < now");
    expect_true("journey.entered_at + 2d == now");
    expect_true("now - journey.entered_at == 48h");
}

Test(expr, time_overflow_has_no_value) {
    profile_add("last_visit", LONG_V(INT64_MAX - 1));
    expect_false("contact.last_visit + 1d > now");
    expect_false("contact.last_visit + 1d <= now");
}

/* ---- variables ---- */

Test(expr, event_fields_read_from_the_event) {
    expect_true("event.type == \"email.clicked\"");
    expect_true("event.channel == \"email\"");
    expect_true("event.id == \"ev-1\"");
    expect_true("event.contact_id == \"c-42\"");
    expect_true("event.message_id == \"act-7\"");
    expect_true("event.props.store == \"Lyon Part-Dieu\"");
    expect_true("event.time == now");
    expect_true("journey.entries == 3");
}

Test(expr, custom_events_have_type_custom_name_and_a_value) {
    event.channel = SY_CHANNEL_CUSTOM;
    event.type = SY_EVENT_CUSTOM;
    event.name = "purchase";
    event.has_value = true;
    event.value = 42.5;
    event.text = "two coffees";
    expect_true("event.type == \"custom.purchase\"");
    expect_true("event.name == \"purchase\"");
    expect_true("event.value > 40 and event.value * 2 == 85");
    expect_true("event.text contains \"coffee\"");
}

Test(expr, absent_event_fields_make_every_comparison_false) {
    event.link = NULL;
    expect_false("event.link == \"x\"");
    expect_false("event.link != \"x\"");
    expect_true("not (event.link == \"x\")");
    expect_true("not (event.link != \"x\")");
    expect_false("event.link contains \"x\"");
    expect_false("event.link starts_with \"x\"");
    expect_false("event.link in [\"x\"]");
    expect_true("not (event.link in [\"x\"])");
    expect_false("event.value > 0");
    expect_false("event.value + 1 != 0");
    expect_false("event.props.missing == \"\"");
    expect_false("event.name == \"purchase\"");
    expect_false("event.text != \"x\"");
}

Test(expr, without_an_event_every_event_field_is_absent) {
    env.event = NULL;
    expect_false("event.type == \"email.clicked\"");
    expect_false("event.type != \"email.clicked\"");
    expect_false("event.time < now");
    expect_false("event.id != \"\"");
    expect_true("now == now");
}

Test(expr, absent_attributes_read_as_their_declared_default) {
    expect_true("contact.tier == \"bronze\"");
    expect_true("contact.score == 5");
    expect_true("contact.vip == false");
    expect_true("not contact.vip");
    expect_true("contact.signup < now");
    expect_true("contact.cooldown == 90s");
}

Test(expr, absent_attributes_without_default_compare_false) {
    expect_false("contact.city == \"Lyon\"");
    expect_false("contact.city != \"Lyon\"");
    expect_false("contact.ltv > 0");
    expect_false("contact.ltv <= 0");
    expect_false("now - contact.last_visit > 30d");
    expect_false("now - contact.last_visit <= 30d");
    expect_true("not (contact.ltv > 0)");
}

Test(expr, stored_attributes_override_defaults) {
    profile_add("city", STRING_V("Lyon"));
    profile_add("ltv", LONG_V(1200));
    profile_add("score", DOUBLE_V(7.5));
    profile_add("tier", STRING_V("gold"));
    profile_add("vip", BOOL_V(true));
    expect_true("contact.city == \"Lyon\"");
    expect_true("contact.ltv == 1200");
    expect_true("contact.score == 7.5");
    expect_true("contact.tier == \"gold\"");
    expect_true("contact.vip");
}

Test(expr, mistyped_stored_attributes_read_as_the_default) {
    profile_add("city", LONG_V(7));
    profile_add("ltv", STRING_V("a lot"));
    profile_add("tier", LONG_V(3));
    profile_add("vip", STRING_V("yes"));
    expect_true("contact.tier == \"bronze\"");
    expect_true("contact.vip == false");
    expect_false("contact.ltv > 0");
    expect_false("contact.ltv != 0");
    expect_false("contact.city != \"\"");
}

Test(expr, time_attributes_read_from_epoch_ms_or_iso_text) {
    profile_add("birthday", STRING_V("2026-11-01T09:00:00+01:00"));
    profile_add("last_visit", LONG_V(NOW_MS - DAY_MS));
    profile_add("signup", STRING_V("not a time"));
    expect_true("now - contact.birthday == 24h");
    expect_true("now - contact.last_visit == 1d");
    expect_true("contact.signup + 1h == contact.signup + 60m");
    expect_true("now - contact.signup > 300d"); /* the default, 2026-01-01 */
}

/* ---- seen() ---- */

typedef struct watch_log {
    journey_event_match_t matches[4];
    char names[4][32];
    int count;
} watch_log_t;

static int watch_record(void *ctx, const journey_event_match_t *match, expr_t *filter,
                        const char *filter_text, size_t filter_len) {
    watch_log_t *log = ctx;
    (void)filter_text;
    (void)filter_len;
    expr_free(filter); /* the plain seen() tests pass none */
    for (int i = 0; i < log->count; i++)
        if (log->matches[i].channel == match->channel && log->matches[i].type == match->type)
            return i;
    if (log->count == 4)
        return -1;
    log->matches[log->count] = *match;
    snprintf(log->names[log->count], sizeof log->names[0], "%s", match->name ? match->name : "");
    return log->count++;
}

Test(expr, seen_tests_the_bit_the_watch_list_gives) {
    watch_log_t log = {0};
    expr_scope_t scope = test_scope;
    scope.watch = watch_record;
    scope.watch_ctx = &log;
    expr_t *expr = compile_in("seen(email.opened) and not seen(custom.purchase)", &scope);
    cr_assert(eq(int, log.count, 2), "watch called for %d types, want 2", log.count);
    cr_expect(eq(int, log.matches[0].channel, SY_CHANNEL_EMAIL));
    cr_expect(eq(int, log.matches[0].type, SY_EVENT_OPENED));
    cr_expect(eq(int, log.matches[1].type, SY_EVENT_CUSTOM));
    cr_expect_str_eq(log.names[1], "purchase");
    env.seen_mask = 0x1;
    cr_expect(expr_eval_bool(expr, &env), "opened seen, purchase not: want true");
    env.seen_mask = 0x3;
    cr_expect(not(expr_eval_bool(expr, &env)), "both seen: want false");
    env.seen_mask = 0x2;
    cr_expect(not(expr_eval_bool(expr, &env)), "only purchase seen: want false");
    expr_free(expr);
}

/* ---- compile errors ---- */

Test(expr, undeclared_contact_attribute_is_an_error) {
    compile_fails("contact.foo == 1", &test_scope, SY_ERR_JOURNEY,
                  "column 1: unknown variable 'contact.foo' (not declared in profile:)", 1);
    compile_fails("event.bogus == 1", &test_scope, SY_ERR_JOURNEY,
                  "column 1: unknown variable 'event.bogus'", 1);
    compile_fails("1 < tomorrow", &test_scope, SY_ERR_JOURNEY,
                  "column 5: unknown variable 'tomorrow'", 5);
}

Test(expr, comparing_different_types_is_an_error) {
    compile_fails("contact.ltv == \"x\"", &test_scope, SY_ERR_JOURNEY,
                  "column 13: cannot compare number with string", 13);
    compile_fails("contact.tier in [\"a\", 1]", &test_scope, SY_ERR_JOURNEY,
                  "column 23: cannot compare string with number", 23);
    compile_fails("now + 1 > now", &test_scope, SY_ERR_JOURNEY,
                  "column 5: cannot add time and number", 5);
    compile_fails("event.link contains 1", &test_scope, SY_ERR_JOURNEY,
                  "column 12: 'contains' needs strings, not string and number", 12);
}

Test(expr, a_condition_that_is_not_a_bool_is_an_error) {
    compile_fails("  contact.ltv + 1", &test_scope, SY_ERR_JOURNEY,
                  "column 3: the condition is a number, not a bool", 3);
    compile_fails("1 and true", &test_scope, SY_ERR_JOURNEY,
                  "column 3: 'and' needs bools, not number and bool", 3);
}

Test(expr, seen_outside_a_branch_is_an_error) {
    compile_fails("true and seen(email.opened)", &test_scope, SY_ERR_JOURNEY,
                  "column 10: seen() is only allowed in branch paths and wait events", 10);
}

Test(expr, seen_of_an_unknown_event_type_is_an_error) {
    watch_log_t log = {0};
    expr_scope_t scope = test_scope;
    scope.watch = watch_record;
    scope.watch_ctx = &log;
    compile_fails("seen(email.answered)", &scope, SY_ERR_JOURNEY,
                  "column 6: seen() needs an event type such as email.opened or "
                  "custom.purchase, not 'email.answered'", 6);
}

Test(expr, syntax_errors_name_what_was_expected) {
    compile_fails("(1 < 2", &test_scope, SY_ERR_JOURNEY, "column 7: expected ')'", 7);
    compile_fails("contact.tier == \"gold", &test_scope, SY_ERR_JOURNEY,
                  "column 17: unterminated string", 17);
    compile_fails("1 <", &test_scope, SY_ERR_JOURNEY,
                  "column 4: expected a value, found the end", 4);
    compile_fails("1 < 2 )", &test_scope, SY_ERR_JOURNEY, "column 7: unexpected ')'", 7);
    compile_fails("1 = 2", &test_scope, SY_ERR_JOURNEY,
                  "column 3: unexpected character '='", 3);
    compile_fails("1 < 2 < 3", &test_scope, SY_ERR_JOURNEY, "column 7: unexpected '<'", 7);
    compile_fails("not 1", &test_scope, SY_ERR_JOURNEY,
                  "column 1: 'not' needs a bool, not a number", 1);
    compile_fails("[1] == 1", &test_scope, SY_ERR_JOURNEY,
                  "column 1: a list is only allowed after 'in'", 1);
}

Test(expr, columns_count_characters_not_bytes) {
    compile_fails("\"café\" == 1", &test_scope, SY_ERR_JOURNEY,
                  "column 8: cannot compare string with number", 8);
}

Test(expr, event_fields_where_there_is_no_event_are_an_error) {
    expr_scope_t scope = test_scope;
    scope.has_event = false;
    compile_fails("now > 0s + now or event.link == \"x\"", &scope, SY_ERR_JOURNEY,
                  "column 19: event fields are not defined here", 19);
}

Test(expr, too_long_or_too_large_expressions_hit_the_limits) {
    char text[EXPR_TEXT_BYTES_MAX + 2];
    memset(text, ' ', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    compile_fails(text, &test_scope, SY_ERR_LIMIT, "column 1: expression longer than 4096 bytes",
                  1);
    size_t used = 0;
    for (int i = 0; i < 200; i++)
        used += (size_t)snprintf(text + used, sizeof text - used, "1 < 2 and ");
    snprintf(text + used, sizeof text - used, "true");
    expr_t *expr = NULL;
    int column = 0;
    sy_err_t err = expr_compile(&expr, text, &test_scope, EXPR_TYPE_BOOL, &column, errbuf,
                                sizeof errbuf);
    cr_expect(eq(int, err, SY_ERR_LIMIT), "600 operations: returned %d, want SY_ERR_LIMIT", err);
    cr_expect_not_null(strstr(errbuf, "more than 256 operations"), "errbuf: %s", errbuf);
}

Test(expr, free_of_null_is_a_no_op) {
    expr_free(NULL);
    expr_template_free(NULL);
}

/* ---- templates ---- */

static expr_template_t *template_ok(const char *text) {
    expr_template_t *tmpl = NULL;
    int column = 0;
    errbuf[0] = '\0';
    sy_err_t err = expr_template_compile(&tmpl, text, &test_scope, &column, errbuf,
                                         sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "template '%s' returned %d; errbuf: %s", text, err, errbuf);
    return tmpl;
}

static void expect_render(const char *text, const char *want) {
    char buf[EXPR_RENDER_BYTES_MAX];
    expr_template_t *tmpl = template_ok(text);
    size_t n = expr_template_render(tmpl, &env, buf, sizeof buf);
    cr_expect(eq(str, buf, (char *)want), "'%s' rendered\n  '%s', want\n  '%s'", text, buf, want);
    cr_expect(eq(sz, n, strlen(want)), "'%s' returned %zu, want %zu", text, n, strlen(want));
    expr_template_free(tmpl);
}

static void template_fails(const char *text, const char *message, int want_column) {
    expr_template_t *sentinel = (expr_template_t *)errbuf, *tmpl = sentinel;
    int column = 0;
    errbuf[0] = '\0';
    sy_err_t err = expr_template_compile(&tmpl, text, &test_scope, &column, errbuf,
                                         sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_JOURNEY), "'%s' returned %d; errbuf: %s", text, err, errbuf);
    cr_expect(eq(str, errbuf, (char *)message), "'%s' said\n  '%s', want\n  '%s'", text, errbuf,
              message);
    cr_expect(eq(int, column, want_column), "'%s': column %d, want %d", text, column, want_column);
    cr_expect(eq(ptr, (void *)tmpl, (void *)sentinel), "*out was set on error");
}

Test(expr, template_without_holes_is_literal) {
    expr_template_t *tmpl = template_ok("autumn_promo { not a hole }");
    cr_expect(expr_template_is_literal(tmpl), "no holes: want literal");
    expr_template_free(tmpl);
    tmpl = template_ok("Hi {{contact.tier}}");
    cr_expect(not(expr_template_is_literal(tmpl)), "a hole: want not literal");
    expr_template_free(tmpl);
    expect_render("autumn_promo { not a hole }", "autumn_promo { not a hole }");
}

Test(expr, template_holes_use_declared_and_inline_defaults) {
    expect_render("Hi {{contact.tier}}!", "Hi bronze!");
    expect_render("at {{ event.props.store | \"our store\" }}", "at Lyon Part-Dieu");
    expect_render("at {{event.props.floor | \"the ground floor\"}}", "at the ground floor");
    expect_render("{{contact.city | \"your city\"}}", "your city");
    profile_add("city", STRING_V("Lyon"));
    expect_render("{{contact.city | \"your city\"}}", "Lyon");
}

Test(expr, template_inline_default_wins_over_the_declared_one) {
    expect_render("{{contact.tier | \"member\"}}", "member");
}

Test(expr, template_defaults_unescape_quotes_and_backslashes) {
    expect_render("{{event.props.x | \"the \\\"big\\\" store }} \\\\\"}}",
                  "the \"big\" store }} \\");
}

Test(expr, template_renders_every_kind_of_value) {
    profile_add("last_visit", LONG_V(0));
    profile_add("score", DOUBLE_V(12.5));
    profile_add("vip", BOOL_V(true));
    expect_render("{{contact.score}} {{journey.entries}}", "12.5 3");
    expect_render("{{contact.vip}} {{contact.tier}}", "true bronze");
    expect_render("{{now}}", "2026-11-02T08:00:00.000Z");
    expect_render("{{contact.last_visit | \"never\"}}", "1970-01-01T00:00:00.000Z");
    expect_render("{{contact.signup}}", "2026-01-01T00:00:00.000Z");
    expect_render("{{contact.cooldown}}", "90s");
    expect_render("{{event.type}} via {{event.channel}}", "email.clicked via email");
    expect_render("{{event.id}}/{{event.contact_id}}/{{event.time}}",
                  "ev-1/c-42/2026-11-02T08:00:00.000Z");
}

Test(expr, template_renders_durations_compactly) {
    static const struct {
        int64_t ms;
        const char *want;
    } cases[] = {{86400000, "24h"}, {90000, "90s"}, {1500, "1500ms"}, {1800000, "30m"},
                 {0, "0s"},         {-3600000, "-1h"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        world_reset();
        profile_add("cooldown", LONG_V(cases[i].ms));
        expect_render("{{contact.cooldown}}", cases[i].want);
    }
}

Test(expr, template_renders_times_before_1970_and_with_milliseconds) {
    profile_add("last_visit", LONG_V(-1));
    expect_render("{{contact.last_visit | \"\"}}", "1969-12-31T23:59:59.999Z");
    world_reset();
    profile_add("last_visit", STRING_V("2024-02-29T23:59:59.1234Z"));
    expect_render("{{contact.last_visit | \"\"}}", "2024-02-29T23:59:59.123Z");
}

Test(expr, template_custom_event_type_is_custom_dot_name) {
    event.channel = SY_CHANNEL_CUSTOM;
    event.type = SY_EVENT_CUSTOM;
    event.name = "store_visit";
    expect_render("{{event.type}}", "custom.store_visit");
}

Test(expr, template_render_truncates_and_returns_the_needed_length) {
    expr_template_t *tmpl = template_ok("Hi {{contact.tier}}, welcome");
    char buf[8];
    size_t n = expr_template_render(tmpl, &env, buf, sizeof buf);
    cr_expect(eq(sz, n, strlen("Hi bronze, welcome")), "returned %zu, want %zu", n,
              strlen("Hi bronze, welcome"));
    cr_expect(eq(str, buf, "Hi bron"), "truncated to '%s', want 'Hi bron'", buf);
    n = expr_template_render(tmpl, &env, NULL, 0);
    cr_expect(eq(sz, n, 18), "size 0 returned %zu, want 18", n);
    n = expr_template_render(tmpl, &env, buf, 1);
    cr_expect(eq(str, buf, ""), "size 1 gave '%s', want ''", buf);
    expr_template_free(tmpl);
}

Test(expr, template_without_an_event_renders_the_inline_default) {
    env.event = NULL;
    expect_render("[{{event.props.store | \"shop\"}}][{{event.id}}]", "[shop][]");
}

Test(expr, template_errors_name_the_hole) {
    template_fails("Hi {{contact.city}}",
                   "column 4: template hole {{contact.city}} needs a default (declare one in "
                   "profile: or write {{contact.city | \"...\"}})", 4);
    template_fails("{{event.link}}",
                   "column 1: template hole {{event.link}} needs a default (write "
                   "{{event.link | \"...\"}})", 1);
    template_fails("Hi {{contact.nope | \"x\"}}",
                   "column 6: unknown variable 'contact.nope' (not declared in profile:)", 6);
    template_fails("Hi {{contact.tier", "column 4: unterminated template hole (no closing }})",
                   4);
    template_fails("{{contact.tier | \"x}}", "column 18: unterminated string", 18);
    template_fails("{{contact.score + 1}}",
                   "column 17: unexpected '+' in template hole (write {{variable}} or "
                   "{{variable | \"default\"}})", 17);
}

Test(expr, template_event_fields_where_there_is_no_event_are_an_error) {
    expr_scope_t scope = test_scope;
    scope.has_event = false;
    expr_template_t *tmpl = NULL;
    int column = 0;
    sy_err_t err = expr_template_compile(&tmpl, "x {{event.id}}", &scope, &column, errbuf,
                                         sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_JOURNEY), "returned %d; errbuf: %s", err, errbuf);
    cr_expect_str_eq(errbuf, "column 5: event fields are not defined here");
    cr_expect(eq(int, column, 5), "column %d, want 5", column);
}

/* ---- allocation ---- */

#ifdef TEST_ASAN
/* AddressSanitizer owns malloc: count every call through its hooks. */
static size_t mallocs_count;
static void count_malloc(const volatile void *p, size_t size) {
    (void)p;
    (void)size;
    mallocs_count++;
}
static void count_free(const volatile void *p) {
    (void)p;
}
static size_t heap_mark(void) {
    static bool installed;
    if (!installed)
        installed = __sanitizer_install_malloc_and_free_hooks(count_malloc, count_free);
    cr_assert(installed, "could not install the malloc hooks");
    return mallocs_count;
}
#else
/* glibc: bytes in use by the program. */
static size_t heap_mark(void) {
    return mallinfo2().uordblks;
}
#endif

Test(expr, the_heap_measure_sees_an_allocation) {
    size_t before = heap_mark();
    void *volatile p = malloc(4096);
    size_t after = heap_mark();
    cr_expect(ne(sz, before, after), "malloc(4096) did not change the measure (%zu)", before);
    free(p);
}

Test(expr, evaluation_and_rendering_allocate_nothing) {
    watch_log_t log = {0};
    expr_scope_t scope = test_scope;
    scope.watch = watch_record;
    scope.watch_ctx = &log;
    profile_add("last_visit", STRING_V("2026-10-01T00:00:00Z"));
    profile_add("score", DOUBLE_V(12.5));
    expr_t *expr = compile_in("(now - contact.last_visit > 30d or seen(email.opened)) and "
                              "event.type in [\"email.clicked\"] and contact.score * 2 > 1 "
                              "and event.link contains \"promo\" and not (event.text == \"\")",
                              &scope);
    expr_template_t *tmpl = template_ok("{{contact.tier}} {{contact.score}} {{now}} "
                                        "{{event.type}} {{contact.cooldown}} {{contact.vip}} "
                                        "{{event.props.store | \"x\"}}");
    char buf[256];
    bool result = true;
    size_t before = heap_mark();
    for (int i = 0; i < 100000; i++) {
        result = expr_eval_bool(expr, &env) && result;
        (void)expr_template_render(tmpl, &env, buf, sizeof buf);
    }
    size_t after = heap_mark();
    cr_expect(eq(sz, after, before), "heap measure went from %zu to %zu", before, after);
    cr_expect(result, "the expression should hold");
    expr_template_free(tmpl);
    expr_free(expr);
}

Test(expr, reads_profile_only_with_a_contact_variable_or_has_flag) {
    bool reads_flags = false;
    expr_scope_t flags_scope = test_scope;
    flags_scope.reads_flags = &reads_flags;
    static const char *const reading[] = {"contact.ltv > 0",
                                          "event.link != \"\" and not contact.vip",
                                          "has_flag(gold)"};
    static const char *const not_reading[] = {"event.props.store == \"Lyon\"",
                                              "journey.entries > 1",
                                              "now > journey.entered_at"};
    for (size_t i = 0; i < sizeof reading / sizeof reading[0]; i++) {
        expr_t *expr = compile_in(reading[i], &flags_scope);
        cr_assert(expr_reads_profile(expr), "'%s' reads the profile", reading[i]);
        expr_free(expr);
    }
    for (size_t i = 0; i < sizeof not_reading / sizeof not_reading[0]; i++) {
        expr_t *expr = compile_in(not_reading[i], &flags_scope);
        cr_assert(not(expr_reads_profile(expr)), "'%s' reads no profile", not_reading[i]);
        expr_free(expr);
    }
}
