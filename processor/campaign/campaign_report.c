/* campaign_report.c — an offline run's campaign totals (campaign_report.h): kept in a
 * labelled table, written as a table per journey and send node or as JSON. Not the
 * counting (campaign.c) nor the JSON's shape (campaign_json.c). */
#include "campaign_report.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_json.h"

#define REPORT_LABELS 4

void campaign_report_count(void *ctx, const campaign_count_t *k, int64_t delta) {
    campaign_report_t *r = ctx;
    assert(r && k && (unsigned)k->metric < CAMPAIGN_METRIC__COUNT);
    const char *labels[REPORT_LABELS] = {k->journey, k->version, k->node, k->detail};
    if (!admin_table_add(&r->totals, (uint16_t)k->metric, labels, REPORT_LABELS,
                         (double)delta))
        r->failed = true;
}

double campaign_report_value(void *ctx, const campaign_count_t *k) {
    const campaign_report_t *r = ctx;
    assert(r && k && (unsigned)k->metric < CAMPAIGN_METRIC__COUNT);
    const char *labels[REPORT_LABELS] = {k->journey, k->version, k->node, k->detail};
    const admin_series_t *s = admin_table_get(&r->totals, (uint16_t)k->metric, labels,
                                              REPORT_LABELS);
    double v = s ? s->value : 0;
    return campaign_metric_is_revenue(k->metric) ? v / CAMPAIGN_REVENUE_SCALE : v;
}

static int journey_cmp(const void *a, const void *b) {
    const journey_t *x = *(const journey_t *const *)a, *y = *(const journey_t *const *)b;
    int c = strcmp(x->id, y->id);
    assert(x && y);
    return c ? c : (x->version > y->version) - (x->version < y->version);
}

static double get(json_object *o, const char *key) {
    json_object *v = NULL;
    assert(o && key);
    json_object_object_get_ex(o, key, &v);
    return v ? json_object_get_double(v) : 0;
}

/* "name count, ..." of a rules object ({name: count}), or "none". */
static void rules_print(FILE *out, const char *title, json_object *rules) {
    int n = 0;
    assert(out && title);
    fprintf(out, "  %s:", title);
    json_object_object_foreach(rules, name, count) {
        fprintf(out, "%s %s %lld", n++ ? "," : "", name[0] ? name : "\"\"",
                (long long)json_object_get_int64(count));
    }
    fprintf(out, "%s\n", n ? "" : " none");
}

static void rate_print(FILE *out, json_object *rates, const char *key) {
    json_object *v = NULL;
    assert(out && rates);
    json_object_object_get_ex(rates, key, &v);
    if (v)
        fprintf(out, " %7.1f%%", 100 * json_object_get_double(v));
    else
        fprintf(out, " %8s", "-");
}

static const char *const send_columns[] = {"sent", "delivered", "opened", "clicked",
                                           "replied", "answered", "bounced"};
static const char *const rate_columns[] = {"delivery", "open", "click", "reply"};
#define COLUMNS(a) (sizeof a / sizeof *a)

/* "  calls[ from NODE]: conversions N, revenue X CUR" per currency of a calls object. */
static void calls_print(FILE *out, const char *node, json_object *campaign) {
    json_object *calls = NULL, *revenue = NULL, *conv = NULL;
    assert(out);
    if (!json_object_object_get_ex(campaign, "calls", &calls) ||
        !json_object_object_get_ex(calls, "revenue", &revenue) ||
        !json_object_object_get_ex(calls, "conversions", &conv))
        return;
    json_object_object_foreach(revenue, code, value) {
        fprintf(out, "  calls%s%s: conversions %.0f, revenue %.2f %s\n", node ? " from " : "",
                node ? node : "", get(conv, code), json_object_get_double(value), code);
    }
}

/* The send nodes' table and the nodes goals were reached from. */
static void nodes_print(FILE *out, const journey_t *j, json_object *nodes) {
    int width = (int)strlen("send node");
    assert(out && j);
    for (size_t i = 0; i < j->nodes_count; i++)
        if (j->nodes[i].kind == JOURNEY_NODE_SEND && (int)strlen(j->nodes[i].id) > width)
            width = (int)strlen(j->nodes[i].id);
    fprintf(out, "  %-*s %-8s", width, "send node", "channel");
    for (size_t c = 0; c < COLUMNS(send_columns); c++)
        fprintf(out, " %9s", send_columns[c]);
    for (size_t c = 0; c < COLUMNS(rate_columns); c++)
        fprintf(out, " %8s", rate_columns[c]);
    fprintf(out, "\n");
    for (size_t i = 0; i < j->nodes_count; i++) {
        json_object *o = json_object_array_get_idx(nodes, i), *c, *rates;
        json_object_object_get_ex(o, "campaign", &c);
        if (j->nodes[i].kind != JOURNEY_NODE_SEND)
            continue;
        json_object_object_get_ex(c, "rates", &rates);
        fprintf(out, "  %-*s %-8s", width, j->nodes[i].id,
                sy_channel_name(j->nodes[i].u.send.channel));
        for (size_t k = 0; k < COLUMNS(send_columns); k++)
            fprintf(out, " %9.0f", get(c, send_columns[k]));
        for (size_t k = 0; k < COLUMNS(rate_columns); k++)
            rate_print(out, rates, rate_columns[k]);
        fprintf(out, "\n");
    }
    for (size_t i = 0; i < j->nodes_count; i++) {
        json_object *c;
        json_object_object_get_ex(json_object_array_get_idx(nodes, i), "campaign", &c);
        if (get(c, "conversions") > 0)
            fprintf(out, "  conversions from %s: %.0f, revenue %.2f\n", j->nodes[i].id,
                    get(c, "conversions"), get(c, "revenue"));
        if (j->nodes[i].kind == JOURNEY_NODE_SEND)
            calls_print(out, j->nodes[i].id, c);
    }
}

static void journey_print(FILE *out, const journey_t *j, json_object *o) {
    json_object *c, *nodes, *rules;
    json_object_object_get_ex(o, "campaign", &c);
    json_object_object_get_ex(o, "nodes", &nodes);
    assert(c && nodes);
    fprintf(out, "%s v%d: entered %.0f, completed %.0f, conversions %.0f, revenue %.2f\n",
            j->id, (int)j->version, get(c, "entered"), get(c, "completed"),
            get(c, "conversions"), get(c, "revenue"));
    json_object_object_get_ex(c, "goals", &rules);
    rules_print(out, "goals", rules);
    json_object_object_get_ex(c, "exits", &rules);
    rules_print(out, "exit rules", rules);
    calls_print(out, NULL, c);
    nodes_print(out, j, nodes);
}

static json_object *journey_json(const campaign_report_t *r, const journey_t *j,
                                 const campaign_currencies_t *cur) {
    json_object *o = json_object_new_object(), *nodes = json_object_new_array();
    void *ctx = (void *)r; /* read only: campaign_report_value takes it as const */
    assert(j && cur);
    json_object_object_add(o, "id", json_object_new_string(j->id));
    json_object_object_add(o, "version", json_object_new_int(j->version));
    json_object_object_add(o, "campaign", campaign_json_journey(j, campaign_report_value, ctx,
                                                                    cur));
    for (size_t i = 0; i < j->nodes_count; i++) {
        json_object *n = json_object_new_object();
        json_object_object_add(n, "id", json_object_new_string(j->nodes[i].id));
        json_object_object_add(n, "campaign", campaign_json_node(j, &j->nodes[i],
                                                                 campaign_report_value, ctx,
                                                                 cur));
        json_object_array_add(nodes, n);
    }
    json_object_object_add(o, "nodes", nodes);
    return o;
}

sy_err_t campaign_report_write(const campaign_report_t *r, const journey_set_t *journeys,
                               bool json, FILE *out, char *errbuf, size_t errbuf_size) {
    assert(r && journeys && out);
    const journey_t **sorted = malloc((journeys->count + 1) * sizeof *sorted);
    if (r->failed || !sorted) {
        free(sorted);
        snprintf(errbuf, errbuf_size, "campaign report: out of memory");
        return SY_ERR_NOMEM;
    }
    memcpy(sorted, journeys->journeys, journeys->count * sizeof *sorted);
    qsort(sorted, journeys->count, sizeof *sorted, journey_cmp);
    json_object *root = json_object_new_object(), *list = json_object_new_array();
    campaign_currencies_t cur;
    campaign_currencies_collect(&cur, &r->totals, CAMPAIGN_CALL_CONVERSIONS, 3);
    for (size_t i = 0; i < journeys->count; i++) {
        json_object *o = journey_json(r, sorted[i], &cur);
        if (!json)
            journey_print(out, sorted[i], o);
        json_object_array_add(list, o);
    }
    json_object_object_add(root, "journeys", list);
    if (json)
        fprintf(out, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN));
    json_object_put(root);
    free(sorted);
    if (fflush(out) != 0 || ferror(out)) {
        snprintf(errbuf, errbuf_size, "campaign report: write failed");
        return SY_ERR_IO;
    }
    return SY_OK;
}

void campaign_report_deinit(campaign_report_t *r) {
    if (!r)
        return;
    admin_table_deinit(&r->totals);
    r->failed = false;
}
