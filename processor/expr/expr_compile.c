/* expr_compile.c — expression text to the flat operation array of expr_int.h: a
 * recursive-descent parser that checks every type as it emits, so evaluation has nothing
 * left to refuse. Precedence, low to high: or, and, not, comparisons, + -, * /, unary -.
 * Not the evaluator (expr_eval.c) nor variable lookup (expr_var.c). */
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"
#include "sy_limits.h"

/* Parser nesting (parentheses, not, unary minus) allowed before refusing: deeper than
 * the evaluation stack could hold is never useful, and it bounds C-stack recursion. */
#define COMPILE_NESTING_MAX (4 * EXPR_STACK_MAX)

typedef struct compile {
    const char *text; /* borrowed */
    const expr_scope_t *scope;
    expr_lexer_t lx;
    expr_tok_t tok; /* the current token */
    expr_op_t *ops; /* EXPR_OPS_MAX of them, owned until the expression takes them */
    size_t ops_count;
    int depth; /* evaluation stack depth after the ops so far */
    int nesting;
    bool in_seen; /* the condition of seen(type, condition): bare names are its fields */
    expr_strings_t strings;
    int *column;
    char *errbuf;
    size_t errbuf_size;
} compile_t;

#define COMPILE_FAIL(c, offset, ...)                                                       \
    expr_error(SY_ERR_JOURNEY, (c)->text, (offset), (c)->column, (c)->errbuf,              \
               (c)->errbuf_size, __VA_ARGS__)

typedef sy_err_t (*compile_level_fn)(compile_t *c, expr_type_t *type);

static sy_err_t compile_or(compile_t *c, expr_type_t *type);

static const char *compile_type_name(expr_type_t type) {
    static const char *names[] = {
        [EXPR_TYPE_BOOL] = "bool",         [EXPR_TYPE_NUMBER] = "number",
        [EXPR_TYPE_STRING] = "string",     [EXPR_TYPE_DURATION] = "duration",
        [EXPR_TYPE_TIME] = "time",
    };
    return names[type];
}

static const char *compile_type_article(expr_type_t type) {
    return type == EXPR_TYPE_BOOL ? "a bool" : type == EXPR_TYPE_NUMBER ? "a number"
           : type == EXPR_TYPE_STRING ? "a string" : type == EXPR_TYPE_DURATION ? "a duration"
           : "a time";
}

static sy_err_t compile_advance(compile_t *c) {
    return expr_lex_next(&c->lx, &c->tok, c->column, c->errbuf, c->errbuf_size);
}

/* Append op; stack_effect is how it changes the evaluation stack's depth. */
static sy_err_t compile_emit(compile_t *c, const expr_op_t *op, int stack_effect,
                             size_t offset) {
    if (c->ops_count >= EXPR_OPS_MAX)
        return expr_error(SY_ERR_LIMIT, c->text, offset, c->column, c->errbuf,
                          c->errbuf_size, "expression has more than %d operations",
                          EXPR_OPS_MAX);
    c->depth += stack_effect;
    if (c->depth > EXPR_STACK_MAX)
        return expr_error(SY_ERR_LIMIT, c->text, offset, c->column, c->errbuf,
                          c->errbuf_size, "expression nested too deeply (more than %d values)",
                          EXPR_STACK_MAX);
    c->ops[c->ops_count++] = *op;
    return SY_OK;
}

static sy_err_t compile_emit_code(compile_t *c, expr_opcode_t code, expr_type_t type,
                                  int stack_effect, size_t offset) {
    expr_op_t op = {.code = code, .type = type};
    return compile_emit(c, &op, stack_effect, offset);
}

static sy_err_t compile_expect(compile_t *c, expr_tok_kind_t kind, const char *what) {
    if (c->tok.kind != kind)
        return COMPILE_FAIL(c, c->tok.offset, "expected %s", what);
    return compile_advance(c);
}

/* A literal constant (list items and primaries): number, -number, duration, string, bool.
 * Returns SY_ERR_NOT_FOUND, reporting nothing, when the current token starts none. */
static sy_err_t compile_literal(compile_t *c, expr_op_t *op) {
    bool negative = c->tok.kind == EXPR_TOK_MINUS && op->code == EXPR_OP_ITEM;
    sy_err_t err = negative ? compile_advance(c) : SY_OK;
    expr_tok_t tok = c->tok;
    if (err)
        return err;
    if (tok.kind == EXPR_TOK_NUMBER) {
        op->type = EXPR_TYPE_NUMBER;
        op->u.k.n = negative ? -tok.number : tok.number;
    } else if (tok.kind == EXPR_TOK_DURATION) {
        op->type = EXPR_TYPE_DURATION;
        op->u.k.ms = negative ? -tok.ms : tok.ms;
    } else if (negative) {
        return COMPILE_FAIL(c, tok.offset, "expected a number or duration after '-'");
    } else if (tok.kind == EXPR_TOK_TRUE || tok.kind == EXPR_TOK_FALSE) {
        op->type = EXPR_TYPE_BOOL;
        op->u.k.b = tok.kind == EXPR_TOK_TRUE;
    } else if (tok.kind == EXPR_TOK_STRING) {
        char decoded[EXPR_TEXT_BYTES_MAX];
        size_t n = expr_lex_string(c->text, &tok, decoded);
        op->type = EXPR_TYPE_STRING;
        if (expr_strings_add(&c->strings, decoded, n, &op->u.k.str))
            return expr_error(SY_ERR_NOMEM, c->text, tok.offset, c->column, c->errbuf,
                              c->errbuf_size, "out of memory");
    } else {
        return SY_ERR_NOT_FOUND;
    }
    return compile_advance(c);
}

/* seen(channel.type): the event's bit in the scope's watch list. */
static sy_err_t compile_seen_match(compile_t *c, journey_event_match_t *m, char *name) {
    const expr_tok_t *tok = &c->tok;
    const char *text = c->text + tok->offset, *dot = memchr(text, '.', tok->len);
    char channel[16];
    size_t channel_len = dot ? (size_t)(dot - text) : 0;
    int ch = -1, type = -1;
    if (tok->kind == EXPR_TOK_IDENT && dot && channel_len < sizeof channel) {
        memcpy(channel, text, channel_len);
        channel[channel_len] = '\0';
        memcpy(name, dot + 1, tok->len - channel_len - 1);
        name[tok->len - channel_len - 1] = '\0';
        ch = sy_channel_parse(channel);
        type = ch == SY_CHANNEL_CUSTOM ? SY_EVENT_CUSTOM : sy_event_type_parse(name);
    }
    if (ch < 0 || type < 0 || strchr(name, '.') ||
        (ch != SY_CHANNEL_CUSTOM &&
         (type == SY_EVENT_CUSTOM || !sy_event_type_allowed((sy_channel_t)ch, type))))
        return COMPILE_FAIL(c, tok->offset,
                            "seen() needs an event type such as email.opened or "
                            "custom.purchase, not '%.*s'", (int)tok->len, text);
    m->channel = (sy_channel_t)ch;
    m->type = (sy_event_type_t)type;
    m->name = type == SY_EVENT_CUSTOM ? name : NULL;
    return SY_OK;
}

static sy_err_t compile_finish(compile_t *c, expr_type_t type, expr_t **out);

/* The condition of seen(type, condition), from after the comma to before the ')': its
 * own expression, in which bare names are the fields of the event seen. */
static sy_err_t compile_seen_filter(compile_t *c, expr_t **out, size_t *from, size_t *to) {
    compile_t sub = {.text = c->text, .scope = c->scope, .lx = c->lx, .nesting = c->nesting,
                     .in_seen = true, .column = c->column, .errbuf = c->errbuf,
                     .errbuf_size = c->errbuf_size};
    expr_type_t type;
    sy_err_t err = compile_advance(&sub);
    *from = sub.tok.offset;
    if (!err && !(sub.ops = calloc(EXPR_OPS_MAX, sizeof *sub.ops)))
        err = expr_error(SY_ERR_NOMEM, c->text, *from, c->column, c->errbuf, c->errbuf_size,
                         "out of memory");
    if (!err)
        err = compile_or(&sub, &type);
    if (!err && type != EXPR_TYPE_BOOL)
        err = COMPILE_FAIL(c, *from, "the condition in seen() is %s, not a bool",
                           compile_type_article(type));
    if (!err && sub.tok.kind != EXPR_TOK_RPAREN)
        err = COMPILE_FAIL(c, sub.tok.offset, "expected ')'");
    *to = sub.tok.offset;
    while (*to > *from && (c->text[*to - 1] == ' ' || c->text[*to - 1] == '\t'))
        (*to)--;
    if (!err)
        err = compile_finish(&sub, type, out);
    if (err) {
        free(sub.ops);
        free(sub.strings.buf);
        return err;
    }
    c->lx = sub.lx;
    c->tok = sub.tok;
    return SY_OK;
}

/* seen(channel.type) or seen(channel.type, condition): a bit of the scope's watch list. */
static sy_err_t compile_seen(compile_t *c) {
    size_t offset = c->tok.offset;
    char name[EXPR_TEXT_BYTES_MAX];
    journey_event_match_t match;
    expr_t *filter = NULL;
    size_t from = 0, to = 0;
    sy_err_t err;
    name[0] = '\0';
    if (c->in_seen)
        return COMPILE_FAIL(c, offset, "seen() is not allowed inside seen()");
    if (!c->scope->watch)
        return COMPILE_FAIL(c, offset,
                            "seen() is only allowed in branch paths and wait events");
    if ((err = compile_advance(c)) || (err = compile_expect(c, EXPR_TOK_LPAREN, "'('")) ||
        (err = compile_seen_match(c, &match, name)))
        return err;
    size_t type_offset = c->tok.offset;
    if ((err = compile_advance(c)))
        return err;
    if (c->tok.kind == EXPR_TOK_COMMA && (err = compile_seen_filter(c, &filter, &from, &to)))
        return err;
    int bit = c->scope->watch(c->scope->watch_ctx, &match, filter, c->text + from, to - from);
    if (bit < 0 || bit >= SY_WATCH_MAX)
        return expr_error(SY_ERR_LIMIT, c->text, type_offset, c->column, c->errbuf,
                          c->errbuf_size, "too many event types in seen() at this node "
                          "(at most %d watched; each seen() condition takes its own)",
                          SY_WATCH_MAX);
    expr_op_t op = {.code = EXPR_OP_VAR, .type = EXPR_TYPE_BOOL};
    op.u.var.kind = EXPR_VAR_SEEN;
    op.u.var.type = EXPR_TYPE_BOOL;
    op.u.var.bit = bit;
    if ((err = compile_expect(c, EXPR_TOK_RPAREN, "')'")))
        return err;
    return compile_emit(c, &op, 1, offset);
}

/* has_flag(name): whether the contact's attribute name is the flag `true`. */
static sy_err_t compile_has_flag(compile_t *c) {
    size_t offset = c->tok.offset;
    sy_err_t err;
    if ((err = compile_advance(c)) || (err = compile_expect(c, EXPR_TOK_LPAREN, "'('")))
        return err;
    const char *name = c->text + c->tok.offset;
    bool ok = c->tok.kind == EXPR_TOK_IDENT && !(name[0] >= '0' && name[0] <= '9');
    for (size_t i = 0; ok && i < c->tok.len; i++)
        ok = name[i] == '_' || (name[i] >= 'a' && name[i] <= 'z') ||
             (name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= '0' && name[i] <= '9');
    if (!ok)
        return COMPILE_FAIL(c, c->tok.offset, "has_flag() needs a flag name such as vip, "
                            "not '%.*s'", (int)c->tok.len, name);
    expr_op_t op = {.code = EXPR_OP_VAR, .type = EXPR_TYPE_BOOL};
    op.u.var.kind = EXPR_VAR_FLAG;
    op.u.var.type = EXPR_TYPE_BOOL;
    if (expr_strings_add(&c->strings, name, c->tok.len, &op.u.var.name))
        return expr_error(SY_ERR_NOMEM, c->text, offset, c->column, c->errbuf,
                          c->errbuf_size, "out of memory");
    if (c->scope->reads_flags)
        *c->scope->reads_flags = true;
    if ((err = compile_advance(c)) || (err = compile_expect(c, EXPR_TOK_RPAREN, "')'")))
        return err;
    return compile_emit(c, &op, 1, offset);
}

/* lower(string), trim(string): a string function of one string argument. */
static sy_err_t compile_string_function(compile_t *c, expr_opcode_t code, const char *fn) {
    size_t offset = c->tok.offset, arg;
    expr_type_t type;
    sy_err_t err;
    if ((err = compile_advance(c)) || (err = compile_expect(c, EXPR_TOK_LPAREN, "'('")))
        return err;
    arg = c->tok.offset;
    if ((err = compile_or(c, &type)))
        return err;
    if (type != EXPR_TYPE_STRING)
        return COMPILE_FAIL(c, arg, "%s() needs a string, not %s", fn,
                            compile_type_article(type));
    if ((err = compile_expect(c, EXPR_TOK_RPAREN, "')'")))
        return err;
    return compile_emit_code(c, code, EXPR_TYPE_STRING, 0, offset);
}

/* A bare name inside seen(type, condition): a field of the event seen (link, text,
 * props.store); contact.*, now and journey.* read as anywhere else. */
static sy_err_t compile_seen_field(compile_t *c, expr_var_t *var) {
    const char *name = c->text + c->tok.offset;
    size_t len = c->tok.len;
    char field[EXPR_TEXT_BYTES_MAX + 8];
    if (len > 6 && memcmp(name, "event.", 6) == 0)
        return COMPILE_FAIL(c, c->tok.offset, "inside seen(), name the fields of the event "
                            "seen without 'event.': %.*s", (int)(len - 6), name + 6);
    if ((len > 8 && memcmp(name, "contact.", 8) == 0) ||
        (len > 8 && memcmp(name, "journey.", 8) == 0) || (len == 3 && !memcmp(name, "now", 3)))
        return expr_var_compile(c->text, &c->tok, c->scope, &c->strings, var, c->column,
                                c->errbuf, c->errbuf_size);
    memcpy(field, "event.", 6);
    memcpy(field + 6, name, len);
    expr_var_status_t status = expr_var_resolve(c->scope, field, len + 6, &c->strings, var);
    if (status == EXPR_VAR_NOMEM)
        return expr_error(SY_ERR_NOMEM, c->text, c->tok.offset, c->column, c->errbuf,
                          c->errbuf_size, "out of memory");
    if (status != EXPR_VAR_OK)
        return COMPILE_FAIL(c, c->tok.offset, "unknown field '%.*s' of the event seen (write "
                            "link, text, value, name, props.<key>, ...)", (int)len, name);
    return SY_OK;
}

static sy_err_t compile_variable(compile_t *c, expr_type_t *type) {
    expr_op_t op = {.code = EXPR_OP_VAR};
    size_t offset = c->tok.offset;
    sy_err_t err = c->in_seen ? compile_seen_field(c, &op.u.var)
                              : expr_var_compile(c->text, &c->tok, c->scope, &c->strings,
                                                 &op.u.var, c->column, c->errbuf,
                                                 c->errbuf_size);
    if (err)
        return err;
    op.type = *type = op.u.var.type;
    if ((err = compile_advance(c)))
        return err;
    return compile_emit(c, &op, 1, offset);
}

/* Is the current token the identifier word (a function's name)? */
static bool compile_word(const compile_t *c, const char *word) {
    size_t n = strlen(word);
    return c->tok.kind == EXPR_TOK_IDENT && c->tok.len == n &&
           memcmp(c->text + c->tok.offset, word, n) == 0;
}

/* A call: seen(), has_flag(), lower(), trim(); SY_ERR_NOT_FOUND when the token names none. */
static sy_err_t compile_call(compile_t *c, expr_type_t *type) {
    if (compile_word(c, "seen") || compile_word(c, "has_flag")) {
        *type = EXPR_TYPE_BOOL;
        return compile_word(c, "seen") ? compile_seen(c) : compile_has_flag(c);
    }
    *type = EXPR_TYPE_STRING;
    if (compile_word(c, "lower"))
        return compile_string_function(c, EXPR_OP_LOWER, "lower");
    if (compile_word(c, "trim"))
        return compile_string_function(c, EXPR_OP_TRIM, "trim");
    return SY_ERR_NOT_FOUND;
}

static sy_err_t compile_primary(compile_t *c, expr_type_t *type) {
    expr_tok_t tok = c->tok;
    expr_op_t op = {.code = EXPR_OP_CONST};
    sy_err_t err = compile_literal(c, &op);
    if (err == SY_OK) {
        *type = op.type;
        return compile_emit(c, &op, 1, tok.offset);
    }
    if (err != SY_ERR_NOT_FOUND)
        return err;
    if (tok.kind == EXPR_TOK_LPAREN) {
        if ((err = compile_advance(c)) || (err = compile_or(c, type)))
            return err;
        return compile_expect(c, EXPR_TOK_RPAREN, "')'");
    }
    if ((err = compile_call(c, type)) != SY_ERR_NOT_FOUND)
        return err;
    if (tok.kind == EXPR_TOK_IDENT)
        return compile_variable(c, type);
    if (tok.kind == EXPR_TOK_LBRACKET)
        return COMPILE_FAIL(c, tok.offset, "a list is only allowed after 'in'");
    if (tok.kind == EXPR_TOK_END)
        return COMPILE_FAIL(c, tok.offset, "expected a value, found the end");
    return COMPILE_FAIL(c, tok.offset, "expected a value, found '%.*s'", (int)tok.len,
                        c->text + tok.offset);
}

static sy_err_t compile_nest(compile_t *c) {
    if (++c->nesting > COMPILE_NESTING_MAX)
        return expr_error(SY_ERR_LIMIT, c->text, c->tok.offset, c->column, c->errbuf,
                          c->errbuf_size, "expression nested too deeply");
    return SY_OK;
}

static sy_err_t compile_unary(compile_t *c, expr_type_t *type) {
    size_t offset = c->tok.offset;
    sy_err_t err;
    if (c->tok.kind != EXPR_TOK_MINUS)
        return compile_primary(c, type);
    if ((err = compile_nest(c)) || (err = compile_advance(c)) || (err = compile_unary(c, type)))
        return err;
    c->nesting--;
    if (*type != EXPR_TYPE_NUMBER && *type != EXPR_TYPE_DURATION)
        return COMPILE_FAIL(c, offset, "cannot negate %s", compile_type_article(*type));
    return compile_emit_code(c, EXPR_OP_NEG, *type, 0, offset);
}

static sy_err_t compile_mul(compile_t *c, expr_type_t *type) {
    sy_err_t err = compile_unary(c, type);
    while (!err && (c->tok.kind == EXPR_TOK_STAR || c->tok.kind == EXPR_TOK_SLASH)) {
        expr_tok_t op = c->tok;
        expr_type_t rt;
        if ((err = compile_advance(c)) || (err = compile_unary(c, &rt)))
            return err;
        if (*type != EXPR_TYPE_NUMBER || rt != EXPR_TYPE_NUMBER)
            return COMPILE_FAIL(c, op.offset, "cannot %s %s by %s",
                                op.kind == EXPR_TOK_STAR ? "multiply" : "divide",
                                compile_type_name(*type), compile_type_name(rt));
        err = compile_emit_code(c, op.kind == EXPR_TOK_STAR ? EXPR_OP_MUL : EXPR_OP_DIV,
                                EXPR_TYPE_NUMBER, -1, op.offset);
    }
    return err;
}

/* The operation for lt (+|-) rt, and its result type; false when the types do not mix. */
static bool compile_additive(bool add, expr_type_t lt, expr_type_t rt, expr_op_t *op,
                             expr_type_t *result) {
    op->type = lt;
    *result = lt;
    if (lt == rt && (lt == EXPR_TYPE_NUMBER || lt == EXPR_TYPE_DURATION)) {
        op->code = add ? EXPR_OP_ADD : EXPR_OP_SUB;
    } else if (lt == EXPR_TYPE_TIME && rt == EXPR_TYPE_DURATION) {
        op->code = add ? EXPR_OP_TIME_ADD : EXPR_OP_TIME_SUB;
    } else if (add && lt == EXPR_TYPE_DURATION && rt == EXPR_TYPE_TIME) {
        op->code = EXPR_OP_TIME_ADD;
        op->swap = true;
        *result = EXPR_TYPE_TIME;
    } else if (!add && lt == EXPR_TYPE_TIME && rt == EXPR_TYPE_TIME) {
        op->code = EXPR_OP_TIME_DIFF;
        *result = EXPR_TYPE_DURATION;
    } else {
        return false;
    }
    return true;
}

static sy_err_t compile_add(compile_t *c, expr_type_t *type) {
    sy_err_t err = compile_mul(c, type);
    while (!err && (c->tok.kind == EXPR_TOK_PLUS || c->tok.kind == EXPR_TOK_MINUS)) {
        expr_tok_t tok = c->tok;
        bool add = tok.kind == EXPR_TOK_PLUS;
        expr_type_t rt;
        expr_op_t op = {.code = EXPR_OP_ADD};
        if ((err = compile_advance(c)) || (err = compile_mul(c, &rt)))
            return err;
        if (!compile_additive(add, *type, rt, &op, type))
            return add ? COMPILE_FAIL(c, tok.offset, "cannot add %s and %s",
                                      compile_type_name(*type), compile_type_name(rt))
                       : COMPILE_FAIL(c, tok.offset, "cannot subtract %s from %s",
                                      compile_type_name(rt), compile_type_name(*type));
        err = compile_emit(c, &op, -1, tok.offset);
    }
    return err;
}

/* `in [literal, ...]` after a value of type lt. */
static sy_err_t compile_in(compile_t *c, expr_type_t lt, size_t offset) {
    sy_err_t err;
    if ((err = compile_advance(c)) || (err = compile_expect(c, EXPR_TOK_LBRACKET, "'['")) ||
        (err = compile_emit_code(c, EXPR_OP_IN, lt, 0, offset)))
        return err;
    expr_op_t *in = &c->ops[c->ops_count - 1];
    while (c->tok.kind != EXPR_TOK_RBRACKET) {
        expr_op_t item = {.code = EXPR_OP_ITEM};
        if (in->count > 0 && (err = compile_expect(c, EXPR_TOK_COMMA, "',' or ']'")))
            return err;
        size_t item_offset = c->tok.offset;
        err = compile_literal(c, &item);
        if (err == SY_ERR_NOT_FOUND)
            return COMPILE_FAIL(c, item_offset, "a list after 'in' holds literals only");
        if (err)
            return err;
        if (item.type != lt)
            return COMPILE_FAIL(c, item_offset, "cannot compare %s with %s",
                                compile_type_name(lt), compile_type_name(item.type));
        if ((err = compile_emit(c, &item, 0, item_offset)))
            return err;
        in->count++;
    }
    return compile_advance(c);
}

static sy_err_t compile_cmp(compile_t *c, expr_type_t *type) {
    static const expr_opcode_t codes[] = {
        [EXPR_TOK_EQ] = EXPR_OP_EQ, [EXPR_TOK_NE] = EXPR_OP_NE, [EXPR_TOK_LT] = EXPR_OP_LT,
        [EXPR_TOK_LE] = EXPR_OP_LE, [EXPR_TOK_GT] = EXPR_OP_GT, [EXPR_TOK_GE] = EXPR_OP_GE,
        [EXPR_TOK_CONTAINS] = EXPR_OP_CONTAINS, [EXPR_TOK_STARTS_WITH] = EXPR_OP_STARTS_WITH,
    };
    expr_type_t lt, rt;
    sy_err_t err = compile_add(c, &lt);
    expr_tok_t tok = c->tok;
    if (err)
        return err;
    *type = EXPR_TYPE_BOOL;
    if (tok.kind == EXPR_TOK_IN)
        return compile_in(c, lt, tok.offset);
    if (tok.kind < EXPR_TOK_CONTAINS || tok.kind > EXPR_TOK_GE) {
        *type = lt;
        return SY_OK;
    }
    if ((err = compile_advance(c)) || (err = compile_add(c, &rt)))
        return err;
    bool text_op = tok.kind == EXPR_TOK_CONTAINS || tok.kind == EXPR_TOK_STARTS_WITH;
    if (text_op && (lt != EXPR_TYPE_STRING || rt != EXPR_TYPE_STRING))
        return COMPILE_FAIL(c, tok.offset, "'%.*s' needs strings, not %s and %s",
                            (int)tok.len, c->text + tok.offset, compile_type_name(lt),
                            compile_type_name(rt));
    if (lt != rt)
        return COMPILE_FAIL(c, tok.offset, "cannot compare %s with %s",
                            compile_type_name(lt), compile_type_name(rt));
    if (lt == EXPR_TYPE_BOOL && tok.kind != EXPR_TOK_EQ && tok.kind != EXPR_TOK_NE)
        return COMPILE_FAIL(c, tok.offset, "bools compare only with == and !=");
    return compile_emit_code(c, codes[tok.kind], lt, -1, tok.offset);
}

static sy_err_t compile_not(compile_t *c, expr_type_t *type) {
    size_t offset = c->tok.offset;
    sy_err_t err;
    if (c->tok.kind != EXPR_TOK_NOT)
        return compile_cmp(c, type);
    if ((err = compile_nest(c)) || (err = compile_advance(c)) || (err = compile_not(c, type)))
        return err;
    c->nesting--;
    if (*type != EXPR_TYPE_BOOL)
        return COMPILE_FAIL(c, offset, "'not' needs a bool, not %s",
                            compile_type_article(*type));
    return compile_emit_code(c, EXPR_OP_NOT, EXPR_TYPE_BOOL, 0, offset);
}

/* lhs (word lhs)*, for `and` (over not) and `or` (over and). */
static sy_err_t compile_logic(compile_t *c, expr_type_t *type, expr_tok_kind_t word,
                              expr_opcode_t code, compile_level_fn next) {
    sy_err_t err = next(c, type);
    while (!err && c->tok.kind == word) {
        expr_tok_t tok = c->tok;
        expr_type_t rt;
        if ((err = compile_advance(c)) || (err = next(c, &rt)))
            return err;
        if (*type != EXPR_TYPE_BOOL || rt != EXPR_TYPE_BOOL)
            return COMPILE_FAIL(c, tok.offset, "'%s' needs bools, not %s and %s",
                                code == EXPR_OP_AND ? "and" : "or", compile_type_name(*type),
                                compile_type_name(rt));
        err = compile_emit_code(c, code, EXPR_TYPE_BOOL, -1, tok.offset);
    }
    return err;
}

static sy_err_t compile_and(compile_t *c, expr_type_t *type) {
    return compile_logic(c, type, EXPR_TOK_AND, EXPR_OP_AND, compile_not);
}

static sy_err_t compile_or(compile_t *c, expr_type_t *type) {
    sy_err_t err = compile_nest(c);
    if (err)
        return err;
    err = compile_logic(c, type, EXPR_TOK_OR, EXPR_OP_OR, compile_and);
    c->nesting--;
    return err;
}

/* The whole text as one expression of type want. */
static sy_err_t compile_text(compile_t *c, expr_type_t want, expr_type_t *type) {
    sy_err_t err = compile_advance(c);
    size_t start = c->tok.offset;
    if (err || (err = compile_or(c, type)))
        return err;
    if (c->tok.kind != EXPR_TOK_END)
        return COMPILE_FAIL(c, c->tok.offset, "unexpected '%.*s'", (int)c->tok.len,
                            c->text + c->tok.offset);
    if (*type != want && want == EXPR_TYPE_BOOL)
        return COMPILE_FAIL(c, start, "the condition is %s, not a bool",
                            compile_type_article(*type));
    if (*type != want)
        return COMPILE_FAIL(c, start, "the expression is %s, not %s",
                            compile_type_article(*type), compile_type_article(want));
    return SY_OK;
}

/* The expression c compiled, into *out: it takes c's operations (freed) and strings. */
static sy_err_t compile_finish(compile_t *c, expr_type_t type, expr_t **out) {
    expr_t *expr = malloc(sizeof *expr + c->ops_count * sizeof *c->ops);
    if (!expr)
        return expr_error(SY_ERR_NOMEM, c->text, 0, c->column, c->errbuf, c->errbuf_size,
                          "out of memory");
    expr->type = type;
    expr->ops_count = c->ops_count;
    expr->reads_profile = expr_var_ops_read_profile(c->ops, c->ops_count);
    expr->strings = c->strings;
    memcpy(expr->ops, c->ops, c->ops_count * sizeof *c->ops);
    free(c->ops);
    c->ops = NULL;
    c->strings = (expr_strings_t){0};
    *out = expr;
    return SY_OK;
}

sy_err_t expr_compile(expr_t **out, const char *text, const expr_scope_t *scope,
                      expr_type_t want, int *column, char *errbuf, size_t errbuf_size) {
    size_t len = strlen(text);
    compile_t c = {.text = text, .scope = scope, .lx = {text, 0, len}, .column = column,
                   .errbuf = errbuf, .errbuf_size = errbuf_size};
    expr_type_t type;
    sy_err_t err;
    if (len > EXPR_TEXT_BYTES_MAX)
        return expr_error(SY_ERR_LIMIT, text, 0, column, errbuf, errbuf_size,
                          "expression longer than %d bytes", EXPR_TEXT_BYTES_MAX);
    c.ops = calloc(EXPR_OPS_MAX, sizeof *c.ops);
    if (!c.ops) {
        err = expr_error(SY_ERR_NOMEM, text, 0, column, errbuf, errbuf_size, "out of memory");
        goto fail;
    }
    if ((err = compile_text(&c, want, &type)) || (err = compile_finish(&c, type, out)))
        goto fail;
    return SY_OK;
fail:
    free(c.ops);
    free(c.strings.buf);
    return err;
}

void expr_free(expr_t *expr) {
    if (!expr)
        return;
    free(expr->strings.buf);
    free(expr);
}
