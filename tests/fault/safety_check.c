/* safety_check.c — the safety fault run's properties (see safety_check.h). */
#include "safety_check.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SAFETY_READ_TIMEOUT_MS 180000
/* Violations printed per property; the counts say the rest. */
#define SAFETY_SHOW_MAX 6

/* ------------------------------------------------------------------------------------- */
/* rules */

void safety_rules_caps(safety_rules_t *rules, const char *caps) {
    char copy[1024], unit = 0;
    snprintf(copy, sizeof copy, "%s", caps);
    for (char *save = NULL, *rule = strtok_r(copy, ",", &save); rule;
         rule = strtok_r(NULL, ",", &save)) {
        cr_assert_lt(rules->caps_count, SAFETY_CAP_RULES_MAX, "too many cap rules");
        safety_cap_t *c = &rules->caps[rules->caps_count++];
        long long amount = 0;
        int n = sscanf(rule, " %63[^:]:%15[^:]:%15[^:]:%ld/%lld%c", c->name, c->channel,
                       c->category, &c->max, &amount, &unit);
        cr_assert(eq(int, n, 6), "bad cap rule '%s'", rule);
        long long unit_ms = unit == 'm' ? 60000LL : unit == 'h' ? 3600000LL
                          : unit == 'd' ? SAFETY_DAY_MS : 0;
        cr_assert(unit_ms > 0 && amount > 0 && c->max > 0, "bad cap rule '%s'", rule);
        c->window_ms = amount * unit_ms;
    }
}

void safety_rules_quiet(safety_rules_t *rules, const char *channel, const char *hours) {
    int h1, m1, h2, m2;
    cr_assert_lt(rules->quiet_count, sizeof rules->quiet / sizeof rules->quiet[0]);
    cr_assert(eq(int, sscanf(hours, "%d:%d-%d:%d", &h1, &m1, &h2, &m2), 4),
              "bad quiet hours '%s'", hours);
    safety_quiet_t *q = &rules->quiet[rules->quiet_count++];
    snprintf(q->channel, sizeof q->channel, "%s", channel);
    q->start_min = h1 * 60 + m1;
    q->end_min = h2 * 60 + m2;
}

/* ------------------------------------------------------------------------------------- */
/* actions */

static const char *json_str(json_object *o, const char *key) {
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
        return "";
    return json_object_get_string(v);
}

/* An ISO-8601 UTC instant as codec_to_json and simulate write it, to epoch ms. */
static long long iso_ms(const char *text) {
    struct tm tm;
    int ms = 0;
    memset(&tm, 0, sizeof tm);
    int n = sscanf(text, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms);
    cr_assert(eq(int, n, 7), "not an instant: '%s'", text);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm) * 1000 + ms;
}

void safety_actions_add_json(safety_actions_t *a, const char *json) {
    json_object *o = json_tokener_parse(json);
    cr_assert_not_null(o, "output is not JSON: %s", json);
    if (strcmp(json_str(o, "schema"), "ActionCommand") != 0) {
        json_object_put(o);
        return;
    }
    if (a->count == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 4096;
        a->items = realloc(a->items, a->cap * sizeof *a->items);
        cr_assert_not_null(a->items, "out of memory");
    }
    safety_action_t *x = &a->items[a->count++];
    const char *contact = json_str(o, "contact_id");
    char *end = NULL;
    x->contact = contact[0] == 'c' ? (int)strtol(contact + 1, &end, 10) : -1;
    cr_assert(end && *end == '\0' && x->contact >= 0 && x->contact < SAFETY_CONTACTS,
              "an action for a contact outside the workload: %s", json);
    snprintf(x->channel, sizeof x->channel, "%s", json_str(o, "channel"));
    snprintf(x->journey, sizeof x->journey, "%s", json_str(o, "journey_id"));
    snprintf(x->node, sizeof x->node, "%s", json_str(o, "node_id"));
    snprintf(x->id, sizeof x->id, "%s", json_str(o, "action_id"));
    x->at_ms = iso_ms(json_str(o, "not_before"));
    json_object_put(o);
}

static void on_action(void *ctx, const char *json) { safety_actions_add_json(ctx, json); }

void safety_actions_read(const service_t *svc, safety_actions_t *a) {
    static const char *const channels[] = {"email", "sms", "push", "voice", "in_app", "web",
                                           "task"};
    char topic[SERVICE_TOPIC_BYTES + 16];
    long undecodable = 0;
    for (size_t c = 0; c < sizeof channels / sizeof channels[0]; c++) {
        service_action_topic(svc, channels[c], topic, sizeof topic);
        long n = harness_consume_json(harness_bootstrap(), topic, "read_committed", -1,
                                      SAFETY_READ_TIMEOUT_MS, on_action, a, &undecodable);
        cr_assert_geq(n, 0, "could not read %s", topic);
    }
    cr_assert(eq(long, undecodable, 0), "undecodable actions: %ld", undecodable);
}

void safety_actions_free(safety_actions_t *a) {
    free(a->items);
    memset(a, 0, sizeof *a);
}

int safety_is_marketing(const safety_action_t *action) {
    return !(strcmp(action->journey, "safety_orders") == 0 &&
             strncmp(action->node, "receipt_", 8) == 0);
}

/* ------------------------------------------------------------------------------------- */
/* the properties */

/* The zone TZ holds while safety_check runs ("" outside it). */
static char tz_current[64];

/* Local time at at_ms in zone, by libc's rules (TZ set for the call). */
static struct tm local_time(const char *zone, long long at_ms) {
    if (strcmp(tz_current, zone) != 0) {
        setenv("TZ", zone, 1);
        tzset();
        snprintf(tz_current, sizeof tz_current, "%s", zone);
    }
    time_t t = (time_t)(at_ms / 1000);
    struct tm tm;
    cr_assert_not_null(localtime_r(&t, &tm));
    return tm;
}

static int in_quiet(const safety_quiet_t *q, int minute) {
    if (q->start_min <= q->end_min)
        return minute >= q->start_min && minute < q->end_min;
    return minute >= q->start_min || minute < q->end_min;
}

static void check_one(const safety_workload_t *w, const safety_rules_t *rules,
                      const safety_action_t *x, safety_report_t *r) {
    const safety_contact_t *c = &w->contacts[x->contact];
    int marketing = safety_is_marketing(x);
    r->checked++;
    r->marketing += marketing;
    if (!safety_consent_allows(c, x->channel, marketing, x->at_ms) &&
        r->after_opt_out++ < SAFETY_SHOW_MAX)
        printf("  opt-out: %s on %s to c%04d at %lld (%s/%s), consent forbids it\n", x->id,
               x->channel, x->contact, x->at_ms, x->journey, x->node);
    for (size_t q = 0; marketing && q < rules->quiet_count; q++) {
        if (strcmp(rules->quiet[q].channel, x->channel) != 0)
            continue;
        struct tm local = local_time(c->zone, x->at_ms);
        int minute = local.tm_hour * 60 + local.tm_min;
        r->quiet_checked++;
        r->quiet_after_dst += local.tm_gmtoff != local_time(c->zone, SAFETY_T0_MS).tm_gmtoff;
        if (in_quiet(&rules->quiet[q], minute) && r->in_quiet_hours++ < SAFETY_SHOW_MAX)
            printf("  quiet hours: %s on %s to c%04d at %02d:%02d in %s\n", x->id, x->channel,
                   x->contact, minute / 60, minute % 60, c->zone);
    }
}

static int cap_counts(const safety_cap_t *cap, const safety_action_t *x) {
    if (strcmp(cap->channel, "all") != 0 && strcmp(cap->channel, x->channel) != 0)
        return 0;
    if (strcmp(cap->category, "any") == 0)
        return 1;
    return safety_is_marketing(x) == (strcmp(cap->category, "marketing") == 0);
}

/* Windows of one contact (actions [from, to) of a, in time order) with more than the
 * rule's sends: the (max+1)-th send after any send within the window. */
static void check_cap(const safety_cap_t *cap, const safety_action_t *items, size_t from,
                      size_t to, safety_report_t *r) {
    long long times[256];
    size_t n = 0;
    for (size_t k = from; k < to; k++)
        if (cap_counts(cap, &items[k])) {
            cr_assert_lt(n, sizeof times / sizeof times[0], "too many actions of a contact");
            times[n++] = items[k].at_ms;
        }
    for (size_t j = 0; j + (size_t)cap->max < n; j++)
        if (times[j + (size_t)cap->max] - times[j] < cap->window_ms &&
            r->over_cap++ < SAFETY_SHOW_MAX)
            printf("  cap %s: c%04d got %ld sends from %lld to %lld, inside %lld ms\n", cap->name,
                   items[from].contact, cap->max + 1, times[j], times[j + (size_t)cap->max],
                   cap->window_ms);
}

static int by_contact_time(const void *a, const void *b) {
    const safety_action_t *x = a, *y = b;
    if (x->contact != y->contact)
        return x->contact - y->contact;
    if (x->at_ms != y->at_ms)
        return x->at_ms < y->at_ms ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int by_id(const void *a, const void *b) {
    const safety_action_t *x = *(const safety_action_t *const *)a;
    const safety_action_t *y = *(const safety_action_t *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : x->at_ms < y->at_ms ? -1 : x->at_ms > y->at_ms;
}

/* Action ids more than once: a copy at the same time is one send made twice; a copy at
 * another time is another send with the same id, which senders deduping on the id would
 * drop. */
static void check_ids(const safety_actions_t *a, safety_report_t *r) {
    const safety_action_t **by = calloc(a->count + 1, sizeof *by);
    cr_assert_not_null(by, "out of memory");
    for (size_t k = 0; k < a->count; k++)
        by[k] = &a->items[k];
    qsort(by, a->count, sizeof *by, by_id);
    long shown = 0;
    for (size_t from = 0, to; from < a->count; from = to) {
        long times = 1;
        for (to = from + 1; to < a->count && strcmp(by[to]->id, by[from]->id) == 0; to++) {
            int same = by[to]->at_ms == by[to - 1]->at_ms;
            times += !same;
            r->duplicate_ids += same;
            r->shared_ids += !same;
        }
        if (to - from > 1 && shown++ < SAFETY_SHOW_MAX)
            printf("  action id %s %zu times (%s/%s to c%04d, at %ld different times)\n",
                   by[from]->id, to - from, by[from]->journey, by[from]->node, by[from]->contact,
                   times);
    }
    free(by);
}

void safety_check(const safety_workload_t *w, const safety_rules_t *rules, safety_actions_t *a,
                  safety_report_t *r) {
    const char *tz = getenv("TZ");
    char saved[128];
    snprintf(saved, sizeof saved, "%s", tz ? tz : "");
    memset(r, 0, sizeof *r);
    qsort(a->items, a->count, sizeof *a->items, by_contact_time);
    for (size_t k = 0; k < a->count; k++)
        check_one(w, rules, &a->items[k], r);
    for (size_t from = 0, to; from < a->count; from = to) {
        for (to = from; to < a->count && a->items[to].contact == a->items[from].contact; to++)
            continue;
        for (size_t c = 0; c < rules->caps_count; c++)
            check_cap(&rules->caps[c], a->items, from, to, r);
    }
    check_ids(a, r);
    if (tz)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    tz_current[0] = '\0';
}
