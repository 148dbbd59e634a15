/* journey_choice.c — the nodes that choose a way at once, without waiting: `condition`
 * (an expression, then/else) and `split` (A/B/n arms by percentage). Which arm a contact
 * gets (a stable hash) is the engine's business; this file checks the shares. */
#include "journey_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const condition_keys[] = {"if", "then", "else", NULL};
static const char *const split_arm_keys[] = {"name", "percent", "to", NULL};

/* All of 100% in basis points. */
#define CHOICE_BASIS_POINTS_ALL 10000

sy_err_t journey_condition_build(journey_build_t *b, uint16_t index,
                                 const journey_doc_node_t *map) {
    journey_condition_t *cond = &b->journey->nodes[index].u.condition;
    const journey_doc_node_t *test;
    sy_err_t err = journey_keys_check(b, map, condition_keys, "condition");
    if (!err)
        err = journey_need(b, map, "if", "condition", &test);
    if (err)
        return err;
    expr_scope_t scope = journey_scope(b, NULL);
    err = journey_expr(b, test, &scope, &cond->test);
    if (!err)
        err = journey_string(b, test, "if", &cond->text);
    if (!err)
        err = journey_target(b, index, map, "then", "condition", &cond->then_to);
    if (!err)
        err = journey_target(b, index, map, "else", "condition", &cond->else_to);
    return err;
}

/* A percent from 0.01 to 100 with at most two decimals, into basis points. */
static sy_err_t split_percent(journey_build_t *b, const journey_doc_node_t *value, int *bp) {
    const char *t = value->kind == JOURNEY_DOC_SCALAR ? value->text : "";
    size_t whole = strspn(t, "0123456789");
    size_t decimals = t[whole] == '.' ? strspn(t + whole + 1, "0123456789") : 0;
    bool shape = whole >= 1 && whole <= 3 &&
                 (t[whole] == '\0' || (t[whole] == '.' && decimals >= 1 && decimals <= 2 &&
                                       t[whole + 1 + decimals] == '\0'));
    long points = 0;
    if (shape) {
        points = strtol(t, NULL, 10) * 100;
        if (decimals >= 1)
            points += (t[whole + 1] - '0') * 10;
        if (decimals == 2)
            points += t[whole + 2] - '0';
    }
    if (!shape || points <= 0 || points > CHOICE_BASIS_POINTS_ALL)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "bad percent '%s': write a number above 0 and at most 100, with "
                            "at most two decimals", t);
    *bp = (int)points;
    return SY_OK;
}

static sy_err_t split_arm(journey_build_t *b, uint16_t index, journey_split_t *split,
                          const journey_doc_node_t *list, size_t i) {
    const journey_doc_node_t *map = list->items[i], *name, *percent;
    journey_split_arm_t *arm = &split->arms[split->arms_count];
    sy_err_t err = journey_keys_check(b, map, split_arm_keys, "split arm");
    if (!err)
        err = journey_need(b, map, "name", "split arm", &name);
    if (!err)
        err = journey_string(b, name, "name", &arm->name);
    if (err)
        return err;
    split->arms_count++; /* arm->name is owned by the journey from here */
    for (size_t k = 0; k + 1 < split->arms_count; k++) {
        if (strcmp(split->arms[k].name, arm->name) == 0)
            return journey_fail(b, SY_ERR_JOURNEY, name->line, name->column,
                                "duplicate arm name '%s' (first at line %d)", arm->name,
                                list->items[k]->line);
    }
    err = journey_need(b, map, "percent", "split arm", &percent);
    if (!err)
        err = split_percent(b, percent, &arm->basis_points);
    if (!err)
        err = journey_target(b, index, map, "to", "split arm", &arm->to);
    return err;
}

sy_err_t journey_split_build(journey_build_t *b, uint16_t index,
                             const journey_doc_node_t *list) {
    journey_split_t *split = &b->journey->nodes[index].u.split;
    if (list->kind != JOURNEY_DOC_SEQ || list->count == 0)
        return journey_fail(b, SY_ERR_JOURNEY, list->line, list->column,
                            "'split' must be a list of at least one arm");
    if (list->count > JOURNEY_SPLIT_ARMS_MAX) {
        const journey_doc_node_t *extra = list->items[JOURNEY_SPLIT_ARMS_MAX];
        return journey_fail(b, SY_ERR_LIMIT, extra->line, extra->column,
                            "more than %d arms in a split", JOURNEY_SPLIT_ARMS_MAX);
    }
    int total = 0;
    for (size_t i = 0; i < list->count; i++) {
        sy_err_t err = split_arm(b, index, split, list, i);
        if (err)
            return err;
        total += split->arms[i].basis_points;
    }
    if (total != CHOICE_BASIS_POINTS_ALL) {
        char sum[32];
        if (total % 10)
            snprintf(sum, sizeof sum, "%d.%02d", total / 100, total % 100);
        else if (total % 100)
            snprintf(sum, sizeof sum, "%d.%d", total / 100, total % 100 / 10);
        else
            snprintf(sum, sizeof sum, "%d", total / 100);
        return journey_fail(b, SY_ERR_JOURNEY, list->line, list->column,
                            "split percents add up to %s, not 100", sum);
    }
    return SY_OK;
}
