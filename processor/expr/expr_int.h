/* expr_int.h — private to the expr_*.c files: tokens, the compiled form (a flat array of
 * stack-machine operations with constants inline), resolved variables and the string
 * arena an expression or template owns. Not a public interface: see expr.h. */
#ifndef SY_EXPR_INT_H
#define SY_EXPR_INT_H

#include <stdarg.h>

#include "expr.h"

/* "channel.type" of the event being evaluated: a channel name, '.', and a type name or a
 * custom event name (journeys allow names up to SY_ID_BYTES_MAX). A longer name from the
 * wire reads as absent rather than truncated, so it never matches by accident. */
#define EXPR_EVENT_TYPE_BYTES_MAX (SY_ID_BYTES_MAX + 16)

/* ---- tokens (expr_lex.c) ---- */

typedef enum expr_tok_kind {
    EXPR_TOK_END,
    EXPR_TOK_IDENT, /* a name, dots included: contact.tier, email.opened, seen */
    EXPR_TOK_NUMBER,
    EXPR_TOK_DURATION,
    EXPR_TOK_STRING, /* raw span with quotes; expr_lex_string decodes it */
    EXPR_TOK_TRUE,
    EXPR_TOK_FALSE,
    EXPR_TOK_AND,
    EXPR_TOK_OR,
    EXPR_TOK_NOT,
    EXPR_TOK_IN,
    EXPR_TOK_CONTAINS,
    EXPR_TOK_STARTS_WITH,
    EXPR_TOK_EQ,
    EXPR_TOK_NE,
    EXPR_TOK_LT,
    EXPR_TOK_LE,
    EXPR_TOK_GT,
    EXPR_TOK_GE,
    EXPR_TOK_PLUS,
    EXPR_TOK_MINUS,
    EXPR_TOK_STAR,
    EXPR_TOK_SLASH,
    EXPR_TOK_LPAREN,
    EXPR_TOK_RPAREN,
    EXPR_TOK_LBRACKET,
    EXPR_TOK_RBRACKET,
    EXPR_TOK_COMMA,
    EXPR_TOK_PIPE,
} expr_tok_kind_t;

typedef struct expr_tok {
    expr_tok_kind_t kind;
    size_t offset; /* byte offset in the whole text (for columns) */
    size_t len;
    double number;  /* NUMBER */
    int64_t ms;     /* DURATION */
} expr_tok_t;

/* Reads tokens from text[pos..end). text is the whole expression or template, so token
 * offsets and error columns are relative to its start. */
typedef struct expr_lexer {
    const char *text; /* borrowed */
    size_t pos;
    size_t end;
} expr_lexer_t;

/* The next token into *tok. On a malformed token writes the error (see expr_error). */
sy_err_t expr_lex_next(expr_lexer_t *lx, expr_tok_t *tok, int *column, char *errbuf,
                       size_t errbuf_size);

/* Decode a STRING token's escapes into dst (at least tok->len bytes); returns the length
 * written, without a NUL. The token was checked by expr_lex_next. */
size_t expr_lex_string(const char *text, const expr_tok_t *tok, char *dst);

/* 1-based column of byte offset in text, counting UTF-8 characters. */
int expr_column(const char *text, size_t offset);

/* Write "column C: <fmt>" to errbuf, set *column to C, return err. */
sy_err_t expr_error(sy_err_t err, const char *text, size_t offset, int *column,
                    char *errbuf, size_t errbuf_size, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* ---- strings an expression or template owns (expr_strings.c) ---- */

/* One growing buffer of NUL-terminated strings, addressed by offset so that growing it
 * moves nothing the operations hold. */
typedef struct expr_strings {
    char *buf; /* owned */
    size_t len;
    size_t cap;
} expr_strings_t;

/* Append n bytes and a NUL; *off receives where they start. Errors: SY_ERR_NOMEM. */
sy_err_t expr_strings_add(expr_strings_t *strings, const char *p, size_t n, uint32_t *off);

/* ---- values ---- */

/* A value on the evaluation stack. Its type is known at compile time, so it is not stored;
 * absent marks a missing event field or attribute (every comparison with it is false). */
typedef struct expr_cell {
    bool absent;
    union {
        bool b;
        double n;
        int64_t ms; /* DURATION and TIME */
        const char *s;
    } u;
} expr_cell_t;

/* A constant inside the compiled form; strings are offsets into its expr_strings_t. */
typedef union expr_const {
    bool b;
    double n;
    int64_t ms;
    uint32_t str;
} expr_const_t;

/* ---- variables (expr_var.c): resolved once at compile time, read at run time ---- */

typedef enum expr_var_kind {
    EXPR_VAR_CONTACT, /* name: the attribute */
    EXPR_VAR_EVENT_ID,
    EXPR_VAR_EVENT_CONTACT_ID,
    EXPR_VAR_EVENT_TYPE,
    EXPR_VAR_EVENT_CHANNEL,
    EXPR_VAR_EVENT_NAME,
    EXPR_VAR_EVENT_LINK,
    EXPR_VAR_EVENT_TEXT,
    EXPR_VAR_EVENT_VALUE,
    EXPR_VAR_EVENT_TIME,
    EXPR_VAR_EVENT_MESSAGE_ID,
    EXPR_VAR_EVENT_PROP, /* name: the property key */
    EXPR_VAR_NOW,
    EXPR_VAR_ENTERED_AT,
    EXPR_VAR_ENTRIES,
    EXPR_VAR_ACTION_CALL_LINK, /* the click-to-call link of the message being sent */
    EXPR_VAR_SEEN, /* bit: in env->seen_mask */
    EXPR_VAR_FLAG, /* name: the attribute; has_flag(name), declared or not */
    EXPR_VAR_ENGAGEMENT, /* bit: channel * EXPR_ENGAGEMENT__COUNT + field */
} expr_var_kind_t;

typedef struct expr_var {
    expr_var_kind_t kind;
    expr_type_t type;
    uint32_t name; /* strings offset, CONTACT and EVENT_PROP */
    int bit;       /* SEEN; ENGAGEMENT: channel and field */
    bool has_default;
    expr_const_t default_value; /* CONTACT with a usable declared default */
} expr_var_t;

typedef enum expr_var_status {
    EXPR_VAR_OK,
    EXPR_VAR_UNKNOWN,    /* no such variable */
    EXPR_VAR_UNDECLARED, /* contact.<attr> not in profile: */
    EXPR_VAR_NO_EVENT,   /* event.* where the scope has no event */
    EXPR_VAR_NO_ACTION,  /* action.* outside a send's params */
    EXPR_VAR_NOMEM,
} expr_var_status_t;

/* Resolve the variable name[0..len) in scope into *out (seen() is not a variable: the
 * compiler builds that one). Strings it keeps are copied into strings. */
expr_var_status_t expr_var_resolve(const expr_scope_t *scope, const char *name, size_t len,
                                   expr_strings_t *strings, expr_var_t *out);

/* As expr_var_resolve for an IDENT token of text, reporting problems as compile errors:
 * "unknown variable 'x'", "... (not declared in profile:)", "event fields are not
 * defined here". Errors: SY_ERR_JOURNEY, SY_ERR_NOMEM. */
sy_err_t expr_var_compile(const char *text, const expr_tok_t *tok, const expr_scope_t *scope,
                          expr_strings_t *strings, expr_var_t *out, int *column,
                          char *errbuf, size_t errbuf_size);

/* expr_engagement.c: resolve contact.engagement.<channel>.<field> (name[0..len)) into
 * *out; false when name is not one. */
bool expr_engagement_resolve(const char *name, size_t len, expr_var_t *out);

/* expr_engagement.c: whether an engagement variable is never absent (sends, streak). */
bool expr_engagement_always_present(const expr_var_t *var);

/* expr_engagement.c: read an engagement variable for env into *out. */
void expr_engagement_read(const expr_var_t *var, const expr_env_t *env, expr_cell_t *out);

/* True when var reads as present whenever it is defined: templates need no default. */
bool expr_var_always_present(const expr_var_t *var);

/* Scratch space one evaluation or rendering keeps on the C stack. */
typedef struct expr_scratch {
    char event_type[EXPR_EVENT_TYPE_BYTES_MAX];
} expr_scratch_t;

/* Read var for env into *out. use_default: an absent or mistyped contact attribute
 * reads as its declared default (when it has one). Strings in *out point into env,
 * strings or scratch. Allocates nothing. */
void expr_var_read(const expr_var_t *var, const char *strings, const expr_env_t *env,
                   bool use_default, expr_scratch_t *scratch, expr_cell_t *out);

/* ---- the compiled expression (expr_compile.c builds, expr_eval.c runs) ---- */

typedef enum expr_opcode {
    EXPR_OP_CONST, /* push k */
    EXPR_OP_VAR,   /* push var */
    EXPR_OP_NOT,
    EXPR_OP_AND,
    EXPR_OP_OR,
    EXPR_OP_EQ, /* comparisons: operand type in op->type */
    EXPR_OP_NE,
    EXPR_OP_LT,
    EXPR_OP_LE,
    EXPR_OP_GT,
    EXPR_OP_GE,
    EXPR_OP_IN,   /* the next op->count ops are EXPR_OP_ITEM constants */
    EXPR_OP_ITEM, /* a list item; never executed on its own */
    EXPR_OP_CONTAINS,
    EXPR_OP_STARTS_WITH,
    EXPR_OP_ADD, /* arithmetic: number, duration+duration */
    EXPR_OP_SUB,
    EXPR_OP_MUL,
    EXPR_OP_DIV,
    EXPR_OP_NEG,
    EXPR_OP_TIME_ADD, /* time + duration, duration + time */
    EXPR_OP_TIME_SUB, /* time - duration */
    EXPR_OP_TIME_DIFF, /* time - time -> duration */
    EXPR_OP_LOWER, /* lower(string): ASCII letters to lower case */
    EXPR_OP_TRIM,  /* trim(string): without leading and trailing white space */
} expr_opcode_t;

typedef struct expr_op {
    expr_opcode_t code;
    expr_type_t type; /* CONST, ITEM: the constant's; comparisons, arithmetic: operands' */
    uint32_t count;   /* IN: list items that follow */
    bool swap;        /* TIME_ADD: the duration is below the time on the stack */
    union {
        expr_const_t k;
        expr_var_t var;
    } u;
} expr_op_t;

/* expr_var.c: does any of these operations read a contact attribute or flag (the profile)? */
bool expr_var_ops_read_profile(const expr_op_t *ops, size_t count);

struct expr {
    expr_type_t type;
    bool reads_profile; /* a contact attribute or flag among its variables (at compile) */
    size_t ops_count;
    expr_strings_t strings;
    expr_op_t ops[]; /* ops_count of them, at most EXPR_OPS_MAX */
};

#endif
