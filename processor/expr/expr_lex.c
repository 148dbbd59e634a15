/* expr_lex.c — tokens of the expression language, each with its byte offset, and the
 * "column C: ..." error text every expr_*.c file reports with. Knows nothing of types or
 * grammar: that is expr_compile.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"
#include "sy_time.h"

static const struct {
    const char *word;
    expr_tok_kind_t kind;
} lex_keywords[] = {
    {"and", EXPR_TOK_AND},           {"or", EXPR_TOK_OR},
    {"not", EXPR_TOK_NOT},           {"in", EXPR_TOK_IN},
    {"contains", EXPR_TOK_CONTAINS}, {"starts_with", EXPR_TOK_STARTS_WITH},
    {"true", EXPR_TOK_TRUE},         {"false", EXPR_TOK_FALSE},
};

int expr_column(const char *text, size_t offset) {
    int column = 1;
    for (size_t i = 0; i < offset && text[i]; i++)
        column += ((unsigned char)text[i] & 0xC0) != 0x80; /* skip UTF-8 continuations */
    return column;
}

sy_err_t expr_error(sy_err_t err, const char *text, size_t offset, int *column,
                    char *errbuf, size_t errbuf_size, const char *fmt, ...) {
    int col = expr_column(text, offset);
    if (column)
        *column = col;
    if (errbuf && errbuf_size > 0) {
        int n = snprintf(errbuf, errbuf_size, "column %d: ", col);
        if (n >= 0 && (size_t)n < errbuf_size) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(errbuf + n, errbuf_size - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return err;
}

static bool lex_ident_char(char c) {
    return isalnum((unsigned char)c) || c == '_';
}

/* A name: letters, digits and '_', dot-separated parts (contact.first_name). */
static void lex_ident(expr_lexer_t *lx, expr_tok_t *tok) {
    const char *t = lx->text;
    size_t p = lx->pos;
    while (p < lx->end && (lex_ident_char(t[p]) ||
                           (t[p] == '.' && p + 1 < lx->end && lex_ident_char(t[p + 1]))))
        p++;
    tok->kind = EXPR_TOK_IDENT;
    tok->len = p - lx->pos;
    for (size_t i = 0; i < sizeof lex_keywords / sizeof lex_keywords[0]; i++) {
        if (strlen(lex_keywords[i].word) == tok->len &&
            memcmp(lex_keywords[i].word, t + lx->pos, tok->len) == 0)
            tok->kind = lex_keywords[i].kind;
    }
    lx->pos = p;
}

/* sy_duration_parse, which refuses zero (a wait of 0s is a mistake), but where "0s"
 * is a fine constant to compare with. digits: how many leading digits word has. */
static bool lex_duration(const char *word, size_t digits, int64_t *ms) {
    char one[64];
    if (sy_duration_parse(word, ms) == SY_DURATION_OK)
        return true;
    if (strspn(word, "0") != digits)
        return false;
    snprintf(one, sizeof one, "1%s", word + digits);
    if (sy_duration_parse(one, ms) != SY_DURATION_OK)
        return false;
    *ms = 0;
    return true;
}

/* 500, 12.5, or a duration: digits and a unit (90s, 24h, 500ms). */
static sy_err_t lex_number(expr_lexer_t *lx, expr_tok_t *tok, int *column, char *errbuf,
                           size_t errbuf_size) {
    const char *t = lx->text;
    size_t p = lx->pos, digits_end;
    char word[64];
    while (p < lx->end && isdigit((unsigned char)t[p]))
        p++;
    if (p + 1 < lx->end && t[p] == '.' && isdigit((unsigned char)t[p + 1]))
        for (p++; p < lx->end && isdigit((unsigned char)t[p]);)
            p++;
    digits_end = p;
    while (p < lx->end && lex_ident_char(t[p]))
        p++;
    tok->len = p - lx->pos;
    if (tok->len >= sizeof word)
        return expr_error(SY_ERR_JOURNEY, t, lx->pos, column, errbuf, errbuf_size,
                          "number too long");
    memcpy(word, t + lx->pos, tok->len);
    word[tok->len] = '\0';
    if (digits_end == p) {
        tok->kind = EXPR_TOK_NUMBER;
        tok->number = strtod(word, NULL);
    } else if (lex_duration(word, digits_end - lx->pos, &tok->ms)) {
        tok->kind = EXPR_TOK_DURATION;
    } else {
        return expr_error(SY_ERR_JOURNEY, t, lx->pos, column, errbuf, errbuf_size,
                          "bad number or duration '%s' (durations: 500ms, 90s, 30m, 24h, 7d)",
                          word);
    }
    lx->pos = p;
    return SY_OK;
}

/* A double-quoted string with \" and \\ escapes. */
static sy_err_t lex_string(expr_lexer_t *lx, expr_tok_t *tok, int *column, char *errbuf,
                           size_t errbuf_size) {
    const char *t = lx->text;
    size_t p = lx->pos + 1;
    while (p < lx->end && t[p] != '"') {
        if (t[p] == '\\') {
            if (p + 1 < lx->end && (t[p + 1] == '"' || t[p + 1] == '\\')) {
                p += 2;
                continue;
            }
            return expr_error(SY_ERR_JOURNEY, t, p, column, errbuf, errbuf_size,
                              "unknown escape in string (write \\\" or \\\\)");
        }
        p++;
    }
    if (p >= lx->end)
        return expr_error(SY_ERR_JOURNEY, t, lx->pos, column, errbuf, errbuf_size,
                          "unterminated string");
    tok->kind = EXPR_TOK_STRING;
    tok->len = p + 1 - lx->pos;
    lx->pos = p + 1;
    return SY_OK;
}

size_t expr_lex_string(const char *text, const expr_tok_t *tok, char *dst) {
    size_t n = 0;
    for (size_t p = tok->offset + 1; p + 1 < tok->offset + tok->len; p++) {
        if (text[p] == '\\')
            p++;
        dst[n++] = text[p];
    }
    return n;
}

/* Punctuation and operators; false when c starts none. */
static bool lex_operator(expr_lexer_t *lx, expr_tok_t *tok) {
    static const struct {
        const char *text;
        expr_tok_kind_t kind;
    } ops[] = {
        {"==", EXPR_TOK_EQ}, {"!=", EXPR_TOK_NE}, {"<=", EXPR_TOK_LE}, {">=", EXPR_TOK_GE},
        {"<", EXPR_TOK_LT},  {">", EXPR_TOK_GT},  {"+", EXPR_TOK_PLUS}, {"-", EXPR_TOK_MINUS},
        {"*", EXPR_TOK_STAR}, {"/", EXPR_TOK_SLASH}, {"(", EXPR_TOK_LPAREN},
        {")", EXPR_TOK_RPAREN}, {"[", EXPR_TOK_LBRACKET}, {"]", EXPR_TOK_RBRACKET},
        {",", EXPR_TOK_COMMA}, {"|", EXPR_TOK_PIPE},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].text);
        if (lx->pos + n <= lx->end && memcmp(lx->text + lx->pos, ops[i].text, n) == 0) {
            tok->kind = ops[i].kind;
            tok->len = n;
            lx->pos += n;
            return true;
        }
    }
    return false;
}

sy_err_t expr_lex_next(expr_lexer_t *lx, expr_tok_t *tok, int *column, char *errbuf,
                       size_t errbuf_size) {
    const char *t = lx->text;
    while (lx->pos < lx->end && isspace((unsigned char)t[lx->pos]))
        lx->pos++;
    memset(tok, 0, sizeof *tok);
    tok->offset = lx->pos;
    if (lx->pos >= lx->end) {
        tok->kind = EXPR_TOK_END;
        return SY_OK;
    }
    char c = t[lx->pos];
    if (isalpha((unsigned char)c) || c == '_') {
        lex_ident(lx, tok);
        return SY_OK;
    }
    if (isdigit((unsigned char)c))
        return lex_number(lx, tok, column, errbuf, errbuf_size);
    if (c == '"')
        return lex_string(lx, tok, column, errbuf, errbuf_size);
    if (lex_operator(lx, tok))
        return SY_OK;
    return expr_error(SY_ERR_JOURNEY, t, lx->pos, column, errbuf, errbuf_size,
                      "unexpected character '%c'", c);
}
