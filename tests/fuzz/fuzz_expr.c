/* fuzz_expr.c — fuzz target of the expression language (expr.h): the input is one text,
 * compiled as a condition where event fields and seen() are defined, as one where they are
 * not (a timer's), and as a `{{...}}` template; whatever compiles is evaluated or rendered
 * with and without an event. Not the journey loader: fuzz_journey.c reads whole files. */
#include "expr.h"
#include "fuzz.h"
#include "sy_hash.h"

/* The declared profile, one attribute of each type, some with defaults. */
static const expr_attr_t fuzz_attrs[] = {
    {.name = "city", .type = EXPR_TYPE_STRING},
    {.name = "first_name", .type = EXPR_TYPE_STRING, .has_default = true,
     .default_value = {.kind = SY_VALUE_STRING, .u.s = "there"}},
    {.name = "last_visit", .type = EXPR_TYPE_TIME},
    {.name = "score", .type = EXPR_TYPE_NUMBER, .has_default = true,
     .default_value = {.kind = SY_VALUE_DOUBLE, .u.d = 0.5}},
    {.name = "vip", .type = EXPR_TYPE_BOOL},
};

/* A contact's stored profile, sorted by name: a time as text, the rest as stored. */
static const sy_attr_t fuzz_profile_attrs[] = {
    {"city", {.kind = SY_VALUE_STRING, .u.s = "Lyon"}},
    {"last_visit", {.kind = SY_VALUE_STRING, .u.s = "2026-10-01T09:00:00.250+02:00"}},
    {"score", {.kind = SY_VALUE_LONG, .u.l = 42}},
    {"vip", {.kind = SY_VALUE_BOOL, .u.b = true}},
};

/* seen(): the same bit for the same event type, 32 bits as in a branch's watch list; a
 * seen() condition is compiled and dropped (the callee owns it). */
static int fuzz_watch(void *ctx, const journey_event_match_t *match, expr_t *filter,
                      const char *filter_text, size_t filter_len) {
    (void)ctx;
    (void)filter_text;
    (void)filter_len;
    expr_free(filter);
    uint32_t h = (uint32_t)match->channel * 31u + (uint32_t)match->type;
    if (match->name != NULL)
        h = sy_hash_fnv1a32(h, match->name, strlen(match->name));
    return (int)(h % 32u);
}

static void fuzz_run(const char *text, const expr_scope_t *scope, const expr_env_t *envs,
                     size_t envs_count) {
    char errbuf[256];
    char rendered[EXPR_RENDER_BYTES_MAX];
    int column = 0;
    expr_t *expr = NULL;
    if (expr_compile(&expr, text, scope, EXPR_TYPE_BOOL, &column, errbuf, sizeof errbuf) ==
        SY_OK) {
        for (size_t i = 0; i < envs_count; i++)
            (void)expr_eval_bool(expr, &envs[i]);
        expr_free(expr);
    }
    expr_template_t *tmpl = NULL;
    if (expr_template_compile(&tmpl, text, scope, &column, errbuf, sizeof errbuf) == SY_OK) {
        for (size_t i = 0; i < envs_count; i++) {
            (void)expr_template_render(tmpl, &envs[i], rendered, sizeof rendered);
            (void)expr_template_render(tmpl, &envs[i], rendered, 8);
        }
        expr_template_free(tmpl);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = fuzz_text_dup(data, size);
    if (text == NULL)
        abort();
    sy_event_t event = {
        .event_id = "e1", .contact_id = "c1", .occurred_at_ms = INT64_C(1793606400000),
        .channel = SY_CHANNEL_CUSTOM, .type = SY_EVENT_CUSTOM, .name = "purchase",
        .link = "https://example.com/a", .bounce = SY_BOUNCE_NONE, .has_value = true,
        .value = 12.5, .props_count = 1, .props = {{"store", "Lyon Part-Dieu"}}};
    expr_profile_t profile = {sizeof fuzz_profile_attrs / sizeof fuzz_profile_attrs[0],
                              fuzz_profile_attrs};
    expr_profile_t empty = {0, NULL};
    expr_env_t envs[] = {
        {&event, &profile, 0x5u, event.occurred_at_ms, event.occurred_at_ms - 3600000, 2, NULL,
         NULL, "https://go.example.com/c/616e6e.0187.12125550101"},
        {NULL, &empty, 0, INT64_C(1793606400000), INT64_C(1793606400000), 1, NULL, NULL, NULL},
    };
    expr_scope_t scope = {fuzz_attrs, sizeof fuzz_attrs / sizeof fuzz_attrs[0], true,
                          fuzz_watch, NULL, NULL, true};
    fuzz_run(text, &scope, envs, 2);
    scope.has_event = false;
    scope.watch = NULL;
    fuzz_run(text, &scope, envs + 1, 1);
    free(text);
    return 0;
}
