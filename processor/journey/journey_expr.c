/* journey_expr.c — where the journey loader meets expr.h: the scope an expression is
 * compiled in (declared profile attributes, seen() adding to a watch list) and compile
 * errors turned into FILE:LINE:COLUMN pointing into the expression's text. The language
 * itself is expr_compile.c's; this file only places it in a journey file. */
#include "journey_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool expr_match_same(const journey_event_match_t *a, const journey_event_match_t *b) {
    if (a->channel != b->channel || a->type != b->type)
        return false;
    if (!a->name || !b->name)
        return a->name == b->name;
    return strcmp(a->name, b->name) == 0;
}

/* Does the watch entry's filter text (NULL: none) equal text[0..len) (filter: has one)? */
static bool expr_filter_same(const char *entry, bool filter, const char *text, size_t len) {
    if (!entry || !filter)
        return !entry && !filter;
    return strlen(entry) == len && memcmp(entry, text, len) == 0;
}

int journey_watch_add(journey_watch_ctx_t *ctx, const journey_event_match_t *match,
                      expr_t *filter, const char *filter_text, size_t filter_len) {
    journey_watch_t *watch = ctx->watch;
    for (size_t i = 0; i < watch->count; i++) {
        if (expr_match_same(&watch->events[i], match) &&
            expr_filter_same(watch->filter_texts[i], filter, filter_text, filter_len)) {
            expr_free(filter);
            return (int)i;
        }
    }
    char *name = NULL, *text = NULL;
    if (watch->count == JOURNEY_WATCH_MAX ||
        (match->name && !(name = strdup(match->name))) ||
        (filter && !(text = strndup(filter_text, filter_len)))) {
        ctx->failed_nomem = watch->count < JOURNEY_WATCH_MAX;
        free(name);
        expr_free(filter);
        return -1;
    }
    size_t bit = watch->count++;
    watch->events[bit] = (journey_event_match_t){
        .channel = match->channel, .type = match->type, .name = name};
    watch->on_message[bit] =
        (ctx->message_channel >= 0 && match->channel == (sy_channel_t)ctx->message_channel) ||
        (match->channel < 32 && (ctx->message_channels >> match->channel & 1u));
    watch->filters[bit] = filter;
    watch->filter_texts[bit] = text;
    return (int)bit;
}

static int expr_watch_callback(void *ctx, const journey_event_match_t *match, expr_t *filter,
                               const char *filter_text, size_t filter_len) {
    return journey_watch_add(ctx, match, filter, filter_text, filter_len);
}

expr_scope_t journey_scope(const journey_build_t *b, journey_watch_ctx_t *watch) {
    return (expr_scope_t){
        .attrs = b->journey->attrs,
        .attrs_count = b->journey->attrs_count,
        .has_event = true,
        .watch = watch ? expr_watch_callback : NULL,
        .watch_ctx = watch,
        .reads_flags = &b->journey->reads_flags,
    };
}

/* The text of an expression value, or NULL (after reporting) when it is not a string. */
static const char *expr_text(journey_build_t *b, const journey_doc_node_t *value,
                             sy_err_t *err) {
    if (value->kind != JOURNEY_DOC_SCALAR || journey_doc_is_null(value)) {
        *err = journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "an expression must be a string, not %s",
                            journey_doc_kind_name(value));
        return NULL;
    }
    return value->text;
}

/* An error of expr_compile ("column C: problem") at the place C points to in the file:
 * a quoted scalar's text starts one column after its quote. */
static sy_err_t expr_fail(journey_build_t *b, const journey_doc_node_t *value, sy_err_t err,
                          int column, const char *message) {
    const char *problem = message;
    if (strncmp(problem, "column ", 7) == 0 && strstr(problem, ": "))
        problem = strstr(problem, ": ") + 2;
    if (column < 1)
        column = 1;
    int at = value->column + column - 1 + (value->plain ? 0 : 1);
    return journey_fail(b, err, value->line, at, "%s", problem);
}

sy_err_t journey_expr(journey_build_t *b, const journey_doc_node_t *value,
                      const expr_scope_t *scope, expr_t **out) {
    sy_err_t err = SY_OK;
    const char *text = expr_text(b, value, &err);
    if (!text)
        return err;
    char message[512] = "";
    int column = 1;
    expr_t *expr = NULL;
    err = expr_compile(&expr, text, scope, EXPR_TYPE_BOOL, &column, message, sizeof message);
    if (err)
        return expr_fail(b, value, err, column, message);
    *out = expr;
    return SY_OK;
}

sy_err_t journey_template(journey_build_t *b, const journey_doc_node_t *value,
                          const expr_scope_t *scope, expr_template_t **out) {
    if (value->kind != JOURNEY_DOC_SCALAR || journey_doc_is_null(value))
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "a value must be a string, not %s", journey_doc_kind_name(value));
    char message[512] = "";
    int column = 1;
    expr_template_t *tmpl = NULL;
    sy_err_t err = expr_template_compile(&tmpl, value->text, scope, &column, message,
                                         sizeof message);
    if (err)
        return expr_fail(b, value, err, column, message);
    *out = tmpl;
    return SY_OK;
}
