/* campaign_json.c — the JSON shape of campaign metrics (campaign_json.h), from the
 * caller's lookup. Only the shape; counting is campaign.c and storage the caller's. */
#include "campaign_json.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The engagement metrics of a send node, in the order its object lists them. */
static const campaign_metric_t send_metrics[] = {
    CAMPAIGN_SENT,    CAMPAIGN_DELIVERED, CAMPAIGN_OPENED,  CAMPAIGN_CLICKED,
    CAMPAIGN_REPLIED, CAMPAIGN_ANSWERED,  CAMPAIGN_BOUNCED,
};

double campaign_rate(double num, double den) {
    assert(num >= 0 && den >= 0);
    return den > 0 ? num / den : -1;
}

static double value_of(campaign_value_fn *value, void *ctx, campaign_metric_t m,
                       const journey_t *j, const char *version, const char *node,
                       const char *detail) {
    campaign_count_t k = {m, j->id, version, node ? node : "", detail ? detail : ""};
    assert(value);
    return value(ctx, &k);
}

static json_object *number_json(campaign_metric_t m, double v) {
    /* no assert: a conversion of a number */
    return campaign_metric_is_revenue(m) ? json_object_new_double(v)
                                         : json_object_new_int64((int64_t)v);
}

static int code_cmp(const void *a, const void *b) {
    /* no assert: qsort's comparator */
    return strcmp(a, b);
}

void campaign_currencies_collect(campaign_currencies_t *out, const admin_table_t *t,
                                 uint16_t family, size_t label) {
    assert(out && t);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < t->cap; i++) {
        const admin_series_t *s = &t->slots[i];
        const char *code = s->labels;
        size_t at = 0;
        if (!s->hash || !s->present || s->family != family)
            continue;
        for (size_t l = 0; l < label && at < s->labels_len; l++)
            at += strnlen(s->labels + at, s->labels_len - at) + 1;
        code = s->labels + at;
        if (at >= s->labels_len || strnlen(code, s->labels_len - at) != 3)
            continue;
        bool known = false;
        for (size_t k = 0; k < out->count && !known; k++)
            known = strcmp(out->codes[k], code) == 0;
        if (!known && out->count < CAMPAIGN_CURRENCIES_MAX)
            memcpy(out->codes[out->count++], code, 4);
    }
    qsort(out->codes, out->count, sizeof out->codes[0], code_cmp);
}

/* {"conversions": {CUR: n}, "revenue": {CUR: x}} of the calls of node (NULL: every send
 * node of j). */
static json_object *calls_json(const journey_t *j, const char *version, const char *node,
                               campaign_value_fn *value, void *ctx,
                               const campaign_currencies_t *currencies) {
    json_object *o = json_object_new_object(), *conv = json_object_new_object();
    json_object *revenue = json_object_new_object();
    assert(j && version);
    for (size_t c = 0; currencies && c < currencies->count; c++) {
        const char *code = currencies->codes[c];
        double n = 0, v = 0;
        for (size_t i = 0; i < j->nodes_count; i++) {
            if (j->nodes[i].kind != JOURNEY_NODE_SEND ||
                (node && strcmp(j->nodes[i].id, node) != 0))
                continue;
            n += value_of(value, ctx, CAMPAIGN_CALL_CONVERSIONS, j, version, j->nodes[i].id,
                          code);
            v += value_of(value, ctx, CAMPAIGN_CALL_REVENUE, j, version, j->nodes[i].id, code);
        }
        if (n == 0 && v == 0)
            continue;
        json_object_object_add(conv, code, number_json(CAMPAIGN_CALL_CONVERSIONS, n));
        json_object_object_add(revenue, code, number_json(CAMPAIGN_CALL_REVENUE, v));
    }
    json_object_object_add(o, "conversions", conv);
    json_object_object_add(o, "revenue", revenue);
    return o;
}

/* {rule name: count} of rules[0..n) for metric m. */
static json_object *rules_json(const journey_t *j, const char *version, campaign_metric_t m,
                               const journey_rule_t *rules, size_t n,
                               campaign_value_fn *value, void *ctx) {
    json_object *o = json_object_new_object();
    assert(rules || n == 0);
    for (size_t i = 0; i < n; i++) {
        const char *name = rules[i].name ? rules[i].name : "";
        json_object_object_add(o, name, number_json(m, value_of(value, ctx, m, j, version,
                                                                NULL, name)));
    }
    return o;
}

/* Sum of metric m of node (NULL: every node) over the journey's goals. */
static double goals_sum(const journey_t *j, const char *version, campaign_metric_t m,
                        const char *node, campaign_value_fn *value, void *ctx) {
    double sum = 0;
    for (size_t g = 0; g < j->goals_count; g++) {
        const char *goal = j->goals[g].name ? j->goals[g].name : "";
        for (size_t i = 0; i < j->nodes_count; i++)
            if (!node || strcmp(j->nodes[i].id, node) == 0)
                sum += value_of(value, ctx, m, j, version, j->nodes[i].id, goal);
    }
    return sum;
}

json_object *campaign_json_journey(const journey_t *j, campaign_value_fn *value, void *ctx,
                                   const campaign_currencies_t *currencies) {
    char v[16];
    json_object *o = json_object_new_object();
    assert(j && value);
    snprintf(v, sizeof v, "%d", (int)j->version);
    json_object_object_add(o, "entered", number_json(CAMPAIGN_ENTERED, value_of(
        value, ctx, CAMPAIGN_ENTERED, j, v, NULL, NULL)));
    json_object_object_add(o, "completed", number_json(CAMPAIGN_COMPLETED, value_of(
        value, ctx, CAMPAIGN_COMPLETED, j, v, NULL, NULL)));
    json_object_object_add(o, "goals", rules_json(j, v, CAMPAIGN_GOALS, j->goals,
                                                  j->goals_count, value, ctx));
    json_object_object_add(o, "exits", rules_json(j, v, CAMPAIGN_EXITS, j->exits,
                                                  j->exits_count, value, ctx));
    json_object_object_add(o, "conversions", number_json(CAMPAIGN_CONVERSIONS, goals_sum(
        j, v, CAMPAIGN_CONVERSIONS, NULL, value, ctx)));
    json_object_object_add(o, "revenue", number_json(CAMPAIGN_REVENUE, goals_sum(
        j, v, CAMPAIGN_REVENUE, NULL, value, ctx)));
    json_object_object_add(o, "calls", calls_json(j, v, NULL, value, ctx, currencies));
    return o;
}

static json_object *rate_json(double num, double den) {
    double r = campaign_rate(num, den);
    return r < 0 ? NULL : json_object_new_double(r);
}

/* A send node's counts and rates into o. */
static void send_json(json_object *o, const journey_t *j, const char *version,
                      const journey_node_t *n, campaign_value_fn *value, void *ctx) {
    const char *channel = sy_channel_name(n->u.send.channel);
    double c[CAMPAIGN_METRIC__COUNT] = {0};
    assert(n->kind == JOURNEY_NODE_SEND);
    json_object_object_add(o, "channel", json_object_new_string(channel));
    for (size_t i = 0; i < sizeof send_metrics / sizeof *send_metrics; i++) {
        campaign_metric_t m = send_metrics[i];
        c[m] = value_of(value, ctx, m, j, version, n->id, channel);
        json_object_object_add(o, campaign_metrics[m].name, number_json(m, c[m]));
    }
    json_object *rates = json_object_new_object();
    json_object_object_add(rates, "delivery",
                           rate_json(c[CAMPAIGN_DELIVERED], c[CAMPAIGN_SENT]));
    json_object_object_add(rates, "open", rate_json(c[CAMPAIGN_OPENED], c[CAMPAIGN_DELIVERED]));
    json_object_object_add(rates, "click",
                           rate_json(c[CAMPAIGN_CLICKED], c[CAMPAIGN_DELIVERED]));
    json_object_object_add(rates, "reply", rate_json(c[CAMPAIGN_REPLIED], c[CAMPAIGN_SENT]));
    json_object_object_add(o, "rates", rates);
}

json_object *campaign_json_node(const journey_t *j, const journey_node_t *n,
                                campaign_value_fn *value, void *ctx,
                                const campaign_currencies_t *currencies) {
    char v[16];
    json_object *o = json_object_new_object();
    assert(j && n && value);
    snprintf(v, sizeof v, "%d", (int)j->version);
    if (n->kind == JOURNEY_NODE_SEND) {
        send_json(o, j, v, n, value, ctx);
        json_object_object_add(o, "calls", calls_json(j, v, n->id, value, ctx, currencies));
    }
    json_object_object_add(o, "conversions", number_json(CAMPAIGN_CONVERSIONS, goals_sum(
        j, v, CAMPAIGN_CONVERSIONS, n->id, value, ctx)));
    json_object_object_add(o, "revenue", number_json(CAMPAIGN_REVENUE, goals_sum(
        j, v, CAMPAIGN_REVENUE, n->id, value, ctx)));
    return o;
}
