/* expr_template.c — "{{variable}}" and "{{variable | \"default\"}}" templates: compiled
 * into literal segments and holes, rendered into the caller's buffer with snprintf-style
 * truncation. Variables are expr_var.c's, exactly as expressions read them; a hole holds
 * no operators. Allocates nothing when rendering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"
#include "sy_array.h"
#include "sy_time.h"

typedef struct template_seg {
    bool hole;
    uint32_t text;     /* strings offset: the literal text, or a hole's inline default */
    uint32_t text_len;
    bool has_default;  /* hole: text is its inline default */
    expr_var_t var;    /* hole */
} template_seg_t;

struct expr_template {
    size_t segs_count;
    size_t segs_cap;
    template_seg_t *segs; /* owned */
    size_t holes_count;
    expr_strings_t strings;
};

typedef struct template_compile {
    expr_template_t *tmpl;
    const char *text;
    const expr_scope_t *scope;
    int *column;
    char *errbuf;
    size_t errbuf_size;
} template_compile_t;

#define TEMPLATE_FAIL(tc, offset, ...)                                                     \
    expr_error(SY_ERR_JOURNEY, (tc)->text, (offset), (tc)->column, (tc)->errbuf,           \
               (tc)->errbuf_size, __VA_ARGS__)

static sy_err_t template_push(template_compile_t *tc, const template_seg_t *seg) {
    expr_template_t *tmpl = tc->tmpl;
    template_seg_t *segs =
        sy_array_grow(tmpl->segs, &tmpl->segs_cap, tmpl->segs_count + 1, sizeof *segs, 4);
    if (!segs)
        return expr_error(SY_ERR_NOMEM, tc->text, 0, tc->column, tc->errbuf,
                          tc->errbuf_size, "out of memory");
    tmpl->segs = segs;
    tmpl->segs[tmpl->segs_count++] = *seg;
    tmpl->holes_count += seg->hole;
    return SY_OK;
}

static sy_err_t template_literal(template_compile_t *tc, size_t from, size_t to) {
    template_seg_t seg = {.hole = false, .text_len = (uint32_t)(to - from)};
    if (from == to)
        return SY_OK;
    if (expr_strings_add(&tc->tmpl->strings, tc->text + from, to - from, &seg.text))
        return expr_error(SY_ERR_NOMEM, tc->text, from, tc->column, tc->errbuf,
                          tc->errbuf_size, "out of memory");
    return template_push(tc, &seg);
}

/* Where the hole opened at open ("{{") closes ("}}"), skipping quoted defaults. */
static sy_err_t template_hole_end(template_compile_t *tc, size_t open, size_t *close) {
    const char *t = tc->text;
    size_t quote = 0;
    bool in_string = false;
    for (size_t p = open + 2; t[p]; p++) {
        if (in_string && t[p] == '\\' && t[p + 1]) {
            p++;
        } else if (t[p] == '"') {
            in_string = !in_string;
            quote = p;
        } else if (!in_string && t[p] == '}' && t[p + 1] == '}') {
            *close = p;
            return SY_OK;
        }
    }
    if (in_string)
        return TEMPLATE_FAIL(tc, quote, "unterminated string");
    return TEMPLATE_FAIL(tc, open, "unterminated template hole (no closing }})");
}

static sy_err_t template_unexpected(template_compile_t *tc, const expr_tok_t *tok) {
    return TEMPLATE_FAIL(tc, tok->offset,
                         "unexpected '%.*s' in template hole (write {{variable}} or "
                         "{{variable | \"default\"}})", (int)tok->len, tc->text + tok->offset);
}

/* `| "default"` after a hole's variable, if written, into seg. */
static sy_err_t template_default(template_compile_t *tc, expr_lexer_t *lx, expr_tok_t *tok,
                                 template_seg_t *seg) {
    char decoded[EXPR_TEXT_BYTES_MAX];
    sy_err_t err;
    if (tok->kind != EXPR_TOK_PIPE)
        return SY_OK;
    if ((err = expr_lex_next(lx, tok, tc->column, tc->errbuf, tc->errbuf_size)))
        return err;
    if (tok->kind != EXPR_TOK_STRING)
        return TEMPLATE_FAIL(tc, tok->offset, "expected a \"default\" after '|'");
    size_t n = expr_lex_string(tc->text, tok, decoded);
    if (expr_strings_add(&tc->tmpl->strings, decoded, n, &seg->text))
        return expr_error(SY_ERR_NOMEM, tc->text, tok->offset, tc->column, tc->errbuf,
                          tc->errbuf_size, "out of memory");
    seg->text_len = (uint32_t)n;
    seg->has_default = true;
    return expr_lex_next(lx, tok, tc->column, tc->errbuf, tc->errbuf_size);
}

/* The hole text[open+2 .. close): a variable and an optional default. */
static sy_err_t template_hole(template_compile_t *tc, size_t open, size_t close) {
    expr_lexer_t lx = {tc->text, open + 2, close};
    template_seg_t seg = {.hole = true};
    expr_tok_t tok, var_tok;
    sy_err_t err = expr_lex_next(&lx, &tok, tc->column, tc->errbuf, tc->errbuf_size);
    if (err)
        return err;
    if (tok.kind != EXPR_TOK_IDENT)
        return tok.kind == EXPR_TOK_END
                   ? TEMPLATE_FAIL(tc, open, "empty template hole")
                   : template_unexpected(tc, &tok);
    var_tok = tok;
    if ((err = expr_var_compile(tc->text, &tok, tc->scope, &tc->tmpl->strings, &seg.var,
                                tc->column, tc->errbuf, tc->errbuf_size)) ||
        (err = expr_lex_next(&lx, &tok, tc->column, tc->errbuf, tc->errbuf_size)) ||
        (err = template_default(tc, &lx, &tok, &seg)))
        return err;
    if (tok.kind != EXPR_TOK_END)
        return template_unexpected(tc, &tok);
    if (!seg.has_default && !expr_var_always_present(&seg.var)) {
        int n = (int)var_tok.len;
        const char *name = tc->text + var_tok.offset;
        if (seg.var.kind == EXPR_VAR_CONTACT)
            return TEMPLATE_FAIL(tc, open, "template hole {{%.*s}} needs a default (declare "
                                 "one in profile: or write {{%.*s | \"...\"}})", n, name, n,
                                 name);
        return TEMPLATE_FAIL(tc, open, "template hole {{%.*s}} needs a default (write "
                             "{{%.*s | \"...\"}})", n, name, n, name);
    }
    return template_push(tc, &seg);
}

static sy_err_t template_parse(template_compile_t *tc) {
    const char *text = tc->text;
    size_t pos = 0;
    sy_err_t err;
    for (;;) {
        const char *open = strstr(text + pos, "{{");
        size_t open_at = open ? (size_t)(open - text) : strlen(text), close = 0;
        if ((err = template_literal(tc, pos, open_at)) || !open)
            return err;
        if ((err = template_hole_end(tc, open_at, &close)) ||
            (err = template_hole(tc, open_at, close)))
            return err;
        pos = close + 2;
    }
}

sy_err_t expr_template_compile(expr_template_t **out, const char *text,
                               const expr_scope_t *scope, int *column, char *errbuf,
                               size_t errbuf_size) {
    template_compile_t tc = {.text = text, .scope = scope, .column = column,
                             .errbuf = errbuf, .errbuf_size = errbuf_size};
    sy_err_t err;
    if (strlen(text) > EXPR_TEXT_BYTES_MAX)
        return expr_error(SY_ERR_LIMIT, text, 0, column, errbuf, errbuf_size,
                          "template longer than %d bytes", EXPR_TEXT_BYTES_MAX);
    tc.tmpl = calloc(1, sizeof *tc.tmpl);
    if (!tc.tmpl) {
        err = expr_error(SY_ERR_NOMEM, text, 0, column, errbuf, errbuf_size, "out of memory");
        goto fail;
    }
    if ((err = template_parse(&tc)))
        goto fail;
    *out = tc.tmpl;
    return SY_OK;
fail:
    expr_template_free(tc.tmpl);
    return err;
}

void expr_template_free(expr_template_t *tmpl) {
    if (!tmpl)
        return;
    free(tmpl->segs);
    free(tmpl->strings.buf);
    free(tmpl);
}

bool expr_template_is_literal(const expr_template_t *tmpl) {
    return tmpl->holes_count == 0;
}

/* The caller's buffer: what fits is copied, used counts everything. */
typedef struct template_out {
    char *buf;
    size_t size;
    size_t used;
} template_out_t;

static void template_put(template_out_t *out, const char *s, size_t n) {
    if (out->size > 0 && out->used < out->size - 1) {
        size_t room = out->size - 1 - out->used;
        memcpy(out->buf + out->used, s, n < room ? n : room);
    }
    out->used += n;
}

static void template_put_value(template_out_t *out, expr_type_t type, const expr_cell_t *v) {
    char text[SY_TIME_TEXT_BYTES];
    switch (type) {
    case EXPR_TYPE_STRING:
        template_put(out, v->u.s, strlen(v->u.s));
        return;
    case EXPR_TYPE_BOOL:
        template_put(out, v->u.b ? "true" : "false", v->u.b ? 4 : 5);
        return;
    case EXPR_TYPE_NUMBER:
        snprintf(text, sizeof text, "%g", v->u.n);
        break;
    case EXPR_TYPE_TIME:
        sy_time_format_ms(v->u.ms, text);
        break;
    case EXPR_TYPE_DURATION:
        sy_duration_format(v->u.ms, text, sizeof text);
        break;
    }
    template_put(out, text, strlen(text));
}

size_t expr_template_render(const expr_template_t *tmpl, const expr_env_t *env, char *buf,
                            size_t size) {
    template_out_t out = {buf, size, 0};
    const char *strings = tmpl->strings.buf;
    expr_scratch_t scratch;
    for (size_t i = 0; i < tmpl->segs_count; i++) {
        const template_seg_t *seg = &tmpl->segs[i];
        expr_cell_t value;
        if (!seg->hole) {
            template_put(&out, strings + seg->text, seg->text_len);
            continue;
        }
        /* An inline default is the hole's own choice: it wins over the declared one. */
        expr_var_read(&seg->var, strings, env, !seg->has_default, &scratch, &value);
        if (!value.absent)
            template_put_value(&out, seg->var.type, &value);
        else if (seg->has_default)
            template_put(&out, strings + seg->text, seg->text_len);
    }
    if (size > 0)
        buf[out.used < size ? out.used : size - 1] = '\0';
    return out.used;
}
