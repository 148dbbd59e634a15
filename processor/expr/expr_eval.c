/* expr_eval.c — runs a compiled expression on a fixed stack on the C stack. Types were
 * checked at compile time, so nothing here can fail: an absent value makes every
 * comparison with it false, and arithmetic with it (or an overflow, or x / 0) absent.
 * Allocates nothing. Not the compiler (expr_compile.c). */
#include <assert.h>
#include <string.h>

#include "expr_int.h"

typedef struct eval {
    const expr_t *expr;
    const expr_env_t *env;
    expr_cell_t stack[EXPR_STACK_MAX];
    int top; /* cells in use */
    expr_scratch_t scratch;
    char text[EXPR_RENDER_BYTES_MAX]; /* what lower() and trim() return */
    size_t text_used;
} eval_t;

static void eval_const(const expr_t *expr, const expr_op_t *op, expr_cell_t *out) {
    memset(out, 0, sizeof *out);
    switch (op->type) {
    case EXPR_TYPE_BOOL:
        out->u.b = op->u.k.b;
        break;
    case EXPR_TYPE_NUMBER:
        out->u.n = op->u.k.n;
        break;
    case EXPR_TYPE_STRING:
        out->u.s = expr->strings.buf + op->u.k.str;
        break;
    case EXPR_TYPE_DURATION:
    case EXPR_TYPE_TIME:
        out->u.ms = op->u.k.ms;
        break;
    }
}

/* Three-way comparison of two present values of type: <0, 0, >0. */
static int eval_order(expr_type_t type, const expr_cell_t *a, const expr_cell_t *b) {
    switch (type) {
    case EXPR_TYPE_BOOL:
        return (int)a->u.b - (int)b->u.b;
    case EXPR_TYPE_NUMBER:
        return (a->u.n > b->u.n) - (a->u.n < b->u.n);
    case EXPR_TYPE_STRING:
        return strcmp(a->u.s, b->u.s);
    default:
        return (a->u.ms > b->u.ms) - (a->u.ms < b->u.ms);
    }
}

static bool eval_compare(expr_opcode_t code, expr_type_t type, const expr_cell_t *a,
                         const expr_cell_t *b) {
    if (a->absent || b->absent)
        return false; /* != too: an absent value is not known to differ */
    int order = eval_order(type, a, b);
    switch (code) {
    case EXPR_OP_EQ:
        return order == 0;
    case EXPR_OP_NE:
        return order != 0;
    case EXPR_OP_LT:
        return order < 0;
    case EXPR_OP_LE:
        return order <= 0;
    case EXPR_OP_GT:
        return order > 0;
    case EXPR_OP_GE:
        return order >= 0;
    case EXPR_OP_CONTAINS:
        return strstr(a->u.s, b->u.s) != NULL;
    case EXPR_OP_STARTS_WITH:
        return strncmp(a->u.s, b->u.s, strlen(b->u.s)) == 0;
    default:
        return false;
    }
}

/* `value in [items]`: the items are the count ops after the IN op. */
static bool eval_in(const expr_t *expr, const expr_op_t *in, const expr_cell_t *value) {
    for (uint32_t i = 1; i <= in->count; i++) {
        expr_cell_t item;
        eval_const(expr, in + i, &item);
        if (eval_compare(EXPR_OP_EQ, in->type, value, &item))
            return true;
    }
    return false;
}

/* Integer time arithmetic; an overflow reads as absent. */
static void eval_time(expr_opcode_t code, bool swap, expr_cell_t *a, const expr_cell_t *b) {
    int64_t x = swap ? b->u.ms : a->u.ms, y = swap ? a->u.ms : b->u.ms, r;
    bool overflow = code == EXPR_OP_TIME_ADD || code == EXPR_OP_ADD
                        ? __builtin_add_overflow(x, y, &r)
                        : __builtin_sub_overflow(x, y, &r);
    a->absent = a->absent || b->absent || overflow;
    a->u.ms = overflow ? 0 : r;
}

static void eval_arith(const expr_op_t *op, expr_cell_t *a, const expr_cell_t *b) {
    if (op->type != EXPR_TYPE_NUMBER) {
        eval_time(op->code, op->swap, a, b);
        return;
    }
    a->absent = a->absent || b->absent;
    switch (op->code) {
    case EXPR_OP_ADD:
        a->u.n += b->u.n;
        break;
    case EXPR_OP_SUB:
        a->u.n -= b->u.n;
        break;
    case EXPR_OP_MUL:
        a->u.n *= b->u.n;
        break;
    default: /* DIV: by zero has no value, rather than an infinity to compare with */
        a->absent = a->absent || b->u.n == 0;
        a->u.n = b->u.n == 0 ? 0 : a->u.n / b->u.n;
        break;
    }
}

/* Operations that pop two cells and push one. */
static void eval_binary(eval_t *ev, const expr_op_t *op) {
    expr_cell_t *a = &ev->stack[ev->top - 2], *b = &ev->stack[ev->top - 1];
    ev->top--;
    switch (op->code) {
    case EXPR_OP_AND: /* a bool from an absent value is false */
        a->u.b = !a->absent && a->u.b && !b->absent && b->u.b;
        a->absent = false;
        break;
    case EXPR_OP_OR:
        a->u.b = (!a->absent && a->u.b) || (!b->absent && b->u.b);
        a->absent = false;
        break;
    case EXPR_OP_ADD:
    case EXPR_OP_SUB:
    case EXPR_OP_MUL:
    case EXPR_OP_DIV:
    case EXPR_OP_TIME_ADD:
    case EXPR_OP_TIME_SUB:
    case EXPR_OP_TIME_DIFF:
        eval_arith(op, a, b);
        break;
    default:
        a->u.b = eval_compare(op->code, op->type, a, b);
        a->absent = false;
        break;
    }
}

/* Operations that replace the top cell. */
static void eval_unary(eval_t *ev, const expr_op_t *op) {
    expr_cell_t *a = &ev->stack[ev->top - 1];
    if (op->code == EXPR_OP_NOT) {
        a->u.b = a->absent || !a->u.b;
        a->absent = false;
    } else if (op->code == EXPR_OP_IN) {
        a->u.b = !a->absent && eval_in(ev->expr, op, a);
        a->absent = false;
    } else if (op->type == EXPR_TYPE_NUMBER) { /* NEG */
        a->u.n = -a->u.n;
    } else if (a->u.ms == INT64_MIN) {
        a->absent = true;
    } else {
        a->u.ms = -a->u.ms;
    }
}

static bool eval_space(int c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* lower() and trim() of the top cell, copied into ev->text; a result that does not fit
 * in what is left of it reads as absent (never a truncated string that might match). */
static void eval_string(eval_t *ev, const expr_op_t *op) {
    expr_cell_t *a = &ev->stack[ev->top - 1];
    assert(ev->top >= 1);
    if (a->absent)
        return;
    const char *s = a->u.s;
    size_t n = strlen(s);
    if (op->code == EXPR_OP_TRIM) {
        while (n > 0 && eval_space((unsigned char)s[0]))
            s++, n--;
        while (n > 0 && eval_space((unsigned char)s[n - 1]))
            n--;
    }
    if (n >= sizeof ev->text - ev->text_used) {
        a->absent = true;
        return;
    }
    char *out = ev->text + ev->text_used;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        out[i] = op->code == EXPR_OP_LOWER && ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a')
                                                                    : ch;
    }
    out[n] = '\0';
    ev->text_used += n + 1;
    a->u.s = out;
}

static void eval_run(eval_t *ev) {
    const expr_t *expr = ev->expr;
    for (size_t pc = 0; pc < expr->ops_count; pc++) {
        const expr_op_t *op = &expr->ops[pc];
        switch (op->code) {
        case EXPR_OP_CONST:
            assert(ev->top < EXPR_STACK_MAX);
            eval_const(expr, op, &ev->stack[ev->top++]);
            break;
        case EXPR_OP_VAR:
            assert(ev->top < EXPR_STACK_MAX);
            expr_var_read(&op->u.var, expr->strings.buf, ev->env, true, &ev->scratch,
                          &ev->stack[ev->top++]);
            break;
        case EXPR_OP_NOT:
        case EXPR_OP_NEG:
            eval_unary(ev, op);
            break;
        case EXPR_OP_IN:
            eval_unary(ev, op);
            pc += op->count;
            break;
        case EXPR_OP_LOWER:
        case EXPR_OP_TRIM:
            eval_string(ev, op);
            break;
        default:
            assert(ev->top >= 2);
            eval_binary(ev, op);
            break;
        }
    }
}

bool expr_eval_bool(const expr_t *expr, const expr_env_t *env) {
    eval_t ev; /* not zeroed: every cell and text byte is written before it is read */
    ev.expr = expr;
    ev.env = env;
    ev.top = 0;
    ev.text_used = 0;
    assert(expr->type == EXPR_TYPE_BOOL);
    eval_run(&ev);
    assert(ev.top == 1);
    return !ev.stack[0].absent && ev.stack[0].u.b;
}
