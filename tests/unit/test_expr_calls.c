/* test_expr_calls.c — unit tests of the expression language's calls (expr.h):
 * seen(type, condition) and the watch entries it asks for, lower() and trim() on reply
 * texts, has_flag() on the profile, and their compile errors with message and column.
 * The operators and plain seen() are test_expr.c's; journeys using these are
 * test_journey.c's and the simulate transcripts of tests/journeys/language/. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "expr.h"

#define NOW_MS 1793606400000LL /* 2026-11-02T08:00:00.000Z */

static expr_attr_t calls_attrs[] = {
    {.name = "tier", .type = EXPR_TYPE_STRING, .has_default = true,
     .default_value = {.kind = SY_VALUE_STRING, .u.s = "bronze"}},
};

/* What seen() asked the watch list for: each distinct (type, condition text) a bit. */
typedef struct watch_log {
    int count;
    sy_event_type_t types[8];
    char texts[8][64];     /* the condition as the callee was given it, "" for none */
    expr_t *filters[8];    /* owned by the log, as a journey's watch list owns them */
} watch_log_t;

static int watch_record(void *ctx, const journey_event_match_t *match, expr_t *filter,
                        const char *filter_text, size_t filter_len) {
    watch_log_t *log = ctx;
    char text[64];
    snprintf(text, sizeof text, "%.*s", (int)filter_len, filter ? filter_text : "");
    for (int i = 0; i < log->count; i++) {
        if (log->types[i] == match->type && strcmp(log->texts[i], text) == 0) {
            expr_free(filter);
            return i;
        }
    }
    if (log->count == 2) { /* a small list, to see the limit error */
        expr_free(filter);
        return -1;
    }
    log->types[log->count] = match->type;
    snprintf(log->texts[log->count], sizeof log->texts[0], "%s", text);
    log->filters[log->count] = filter;
    return log->count++;
}

static void watch_log_free(watch_log_t *log) {
    for (int i = 0; i < log->count; i++)
        expr_free(log->filters[i]);
}

static watch_log_t log_;
static bool flags_read;
static expr_scope_t scope;
static sy_event_t event;
static sy_attr_t profile_attrs[4];
static expr_profile_t profile;
static expr_env_t env;
static char errbuf[512];

static void calls_reset(void) {
    memset(&log_, 0, sizeof log_);
    flags_read = false;
    scope = (expr_scope_t){.attrs = calls_attrs, .attrs_count = 1, .has_event = true,
                           .watch = watch_record, .watch_ctx = &log_,
                           .reads_flags = &flags_read};
    memset(&event, 0, sizeof event);
    event.event_id = "ev-1";
    event.contact_id = "c-1";
    event.occurred_at_ms = NOW_MS;
    event.channel = SY_CHANNEL_SMS;
    event.type = SY_EVENT_REPLIED;
    event.text = "  Yes please \n";
    profile = (expr_profile_t){0, profile_attrs};
    env = (expr_env_t){.event = &event, .profile = &profile, .now_ms = NOW_MS,
                       .entered_at_ms = NOW_MS, .entries = 1};
}

static void calls_fini(void) { watch_log_free(&log_); }

TestSuite(expr_calls, .init = calls_reset, .fini = calls_fini);

static expr_t *compile_ok(const char *text) {
    expr_t *expr = NULL;
    int column = 0;
    errbuf[0] = '\0';
    sy_err_t err = expr_compile(&expr, text, &scope, EXPR_TYPE_BOOL, &column, errbuf,
                                sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "compiling '%s': %d, %s", text, err, errbuf);
    return expr;
}

static bool holds(const char *text) {
    expr_t *expr = compile_ok(text);
    bool result = expr_eval_bool(expr, &env);
    expr_free(expr);
    return result;
}

static void compile_fails(const char *text, sy_err_t want_err, const char *message,
                          int want_column) {
    expr_t *expr = NULL;
    int column = 0;
    errbuf[0] = '\0';
    sy_err_t err = expr_compile(&expr, text, &scope, EXPR_TYPE_BOOL, &column, errbuf,
                                sizeof errbuf);
    cr_assert(eq(int, err, want_err), "'%s' returned %d, want %d; %s", text, err, want_err,
              errbuf);
    cr_expect(eq(str, errbuf, (char *)message), "'%s' said\n  '%s', want\n  '%s'", text,
              errbuf, message);
    cr_expect(eq(int, column, want_column), "'%s': column %d, want %d", text, column,
              want_column);
    cr_expect(eq(ptr, (void *)expr, NULL), "*out was set on error");
}

/* ---- seen(type, condition) ---- */

Test(expr_calls, seen_with_a_condition_gets_its_own_bit) {
    expr_t *expr = compile_ok("seen(push.opened) and seen(push.clicked,  link == \"offer\" )");
    cr_assert(eq(int, log_.count, 2), "%d watch entries, want 2", log_.count);
    cr_expect(eq(int, log_.types[1], SY_EVENT_CLICKED));
    cr_expect(eq(str, log_.texts[0], ""), "plain seen() passes no condition");
    cr_expect(eq(str, log_.texts[1], "link == \"offer\""), "text '%s'", log_.texts[1]);
    cr_assert(not(eq(ptr, log_.filters[1], NULL)), "the condition was handed over");
    env.seen_mask = 0x1;
    cr_expect(not(expr_eval_bool(expr, &env)), "the offer click not seen: false");
    env.seen_mask = 0x3;
    cr_expect(expr_eval_bool(expr, &env), "both bits: true");
    expr_free(expr);
}

Test(expr_calls, the_same_condition_twice_shares_a_bit) {
    expr_t *a = compile_ok("seen(push.clicked, link == \"offer\")");
    expr_t *b = compile_ok("not seen(push.clicked, link == \"offer\")");
    cr_expect(eq(int, log_.count, 1), "%d entries for one (type, condition)", log_.count);
    expr_free(a);
    expr_free(b);
}

Test(expr_calls, the_condition_reads_the_fields_of_the_event_seen) {
    expr_t *expr = compile_ok("seen(push.clicked, link == \"offer\" and props.store != "
                              "\"x\" and contact.tier == \"bronze\")");
    expr_free(expr);
    cr_assert(eq(int, log_.count, 1));
    expr_t *filter = log_.filters[0];
    sy_event_t click = {.event_id = "c", .contact_id = "c-1", .channel = SY_CHANNEL_PUSH,
                        .type = SY_EVENT_CLICKED, .link = "offer", .props_count = 1,
                        .occurred_at_ms = NOW_MS};
    click.props[0] = (sy_kv_t){"store", "lyon"};
    expr_env_t at_click = env;
    at_click.event = &click;
    cr_expect(expr_eval_bool(filter, &at_click), "the offer click holds");
    click.link = "unsubscribe";
    cr_expect(not(expr_eval_bool(filter, &at_click)), "another link does not");
    click.link = NULL;
    cr_expect(not(expr_eval_bool(filter, &at_click)), "no link does not");
}

Test(expr_calls, seen_condition_errors_point_into_the_condition) {
    compile_fails("seen(push.clicked, event.link == \"offer\")", SY_ERR_JOURNEY,
                  "column 20: inside seen(), name the fields of the event seen without "
                  "'event.': link", 20);
    compile_fails("seen(push.clicked, colour == \"red\")", SY_ERR_JOURNEY,
                  "column 20: unknown field 'colour' of the event seen (write link, text, "
                  "value, name, props.<key>, ...)", 20);
    compile_fails("seen(push.clicked, link)", SY_ERR_JOURNEY,
                  "column 20: the condition in seen() is a string, not a bool", 20);
    compile_fails("seen(push.clicked, seen(push.opened))", SY_ERR_JOURNEY,
                  "column 20: seen() is not allowed inside seen()", 20);
    compile_fails("seen(push.clicked, link == \"a\" true)", SY_ERR_JOURNEY,
                  "column 32: expected ')'", 32);
    compile_fails("seen(push.clicked, value == \"a\")", SY_ERR_JOURNEY,
                  "column 26: cannot compare number with string", 26);
}

Test(expr_calls, more_watched_pairs_than_the_list_holds_is_a_limit_error) {
    compile_fails("seen(push.opened) or seen(push.clicked, link == \"a\") or "
                  "seen(push.clicked, link == \"b\")", SY_ERR_LIMIT,
                  "column 62: too many event types in seen() at this node (at most 32 "
                  "watched; each seen() condition takes its own)", 62);
}

/* ---- lower(), trim() ---- */

Test(expr_calls, lower_and_trim_normalise_a_reply) {
    cr_expect(holds("lower(trim(event.text)) == \"yes please\""));
    cr_expect(holds("trim(event.text) == \"Yes please\""));
    cr_expect(holds("lower(event.text) starts_with \"  yes please \""), "lower keeps spaces");
    cr_expect(not(holds("lower(event.text) == \"  yes please \"")), "and the newline");
    cr_expect(holds("trim(\"\\\\ a \") == \"\\\\ a\""), "only white space goes");
    cr_expect(holds("lower(\"ÉTÉ OK\") == \"ÉtÉ ok\""), "ASCII letters only");
    event.text = "   ";
    cr_expect(holds("trim(event.text) == \"\""), "all white space: empty");
    event.text = NULL;
    cr_expect(not(holds("lower(event.text) == \"\"")), "absent stays absent");
    cr_expect(holds("not (trim(event.text) != \"x\")"), "absent: != is false");
}

Test(expr_calls, a_result_longer_than_the_scratch_reads_as_absent) {
    static char big[EXPR_RENDER_BYTES_MAX + 10];
    memset(big, 'A', sizeof big - 1);
    event.text = big;
    cr_expect(not(holds("lower(event.text) starts_with \"a\"")), "too long: absent");
    cr_expect(not(holds("lower(event.text) != \"a\"")), "too long: absent, != false too");
}

Test(expr_calls, string_function_errors) {
    compile_fails("lower(1) == \"1\"", SY_ERR_JOURNEY,
                  "column 7: lower() needs a string, not a number", 7);
    compile_fails("trim event.text == \"a\"", SY_ERR_JOURNEY, "column 6: expected '('", 6);
    compile_fails("lower(event.text", SY_ERR_JOURNEY, "column 17: expected ')'", 17);
    compile_fails("lower(event.text)", SY_ERR_JOURNEY,
                  "column 1: the condition is a string, not a bool", 1);
}

/* ---- has_flag() ---- */

Test(expr_calls, has_flag_reads_a_true_flag_declared_or_not) {
    cr_expect(not(holds("has_flag(vip)")), "no such attribute: false");
    cr_expect(flags_read, "the scope learns the profile is read");
    profile_attrs[0] = (sy_attr_t){"churn_risk", {.kind = SY_VALUE_STRING, .u.s = "true"}};
    profile_attrs[1] = (sy_attr_t){"muted", {.kind = SY_VALUE_BOOL, .u.b = false}};
    profile_attrs[2] = (sy_attr_t){"vip", {.kind = SY_VALUE_BOOL, .u.b = true}};
    profile.count = 3;
    cr_expect(holds("has_flag(vip) and not has_flag(muted)"));
    cr_expect(holds("has_flag(churn_risk)"), "the text \"true\" counts");
    profile_attrs[2].value = (sy_value_t){.kind = SY_VALUE_LONG, .u.l = 1};
    cr_expect(not(holds("has_flag(vip)")), "a number is not a flag");
}

Test(expr_calls, has_flag_errors) {
    compile_fails("has_flag(contact.vip)", SY_ERR_JOURNEY,
                  "column 10: has_flag() needs a flag name such as vip, not 'contact.vip'",
                  10);
    compile_fails("has_flag(\"vip\")", SY_ERR_JOURNEY,
                  "column 10: has_flag() needs a flag name such as vip, not '\"vip\"'", 10);
    compile_fails("has_flag(vip", SY_ERR_JOURNEY, "column 13: expected ')'", 13);
}
