/* campaign.c — counts campaign metrics (campaign.h): decisions and actions by their
 * journey, version and node; an engagement event by the message it reports on (found
 * through the contact's instance of the journey), once per message and kind, by a mark
 * kept with the contact beside its event ids. Not where counts are kept (the caller's). */
#include "campaign.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "action_id_pass.h"
#include "sy_hash.h"

const campaign_metric_def_t campaign_metrics[CAMPAIGN_METRIC__COUNT] = {
    [CAMPAIGN_ENTERED] = {"entered", false, NULL},
    [CAMPAIGN_COMPLETED] = {"completed", false, NULL},
    [CAMPAIGN_GOALS] = {"goals", false, "goal"},
    [CAMPAIGN_EXITS] = {"exits", false, "rule"},
    [CAMPAIGN_CONVERSIONS] = {"conversions", true, "goal"},
    [CAMPAIGN_REVENUE] = {"revenue", true, "goal"},
    [CAMPAIGN_SENT] = {"sent", true, "channel"},
    [CAMPAIGN_DELIVERED] = {"delivered", true, "channel"},
    [CAMPAIGN_OPENED] = {"opened", true, "channel"},
    [CAMPAIGN_CLICKED] = {"clicked", true, "channel"},
    [CAMPAIGN_REPLIED] = {"replied", true, "channel"},
    [CAMPAIGN_ANSWERED] = {"answered", true, "channel"},
    [CAMPAIGN_BOUNCED] = {"bounced", true, "channel"},
    [CAMPAIGN_CALL_CONVERSIONS] = {"call_conversions", true, "currency"},
    [CAMPAIGN_CALL_REVENUE] = {"call_revenue", true, "currency"},
};

/* Largest revenue one event adds, in millionths: keeps any sum of a few million events
 * inside int64 (a value this large is a mistake, not a purchase). */
#define CAMPAIGN_REVENUE_EVENT_MAX 1e15

int campaign_metric_parse(const char *name) {
    assert(name);
    for (int m = 0; m < CAMPAIGN_METRIC__COUNT; m++)
        if (strcmp(campaign_metrics[m].name, name) == 0)
            return m;
    return -1;
}

void campaign_init(campaign_t *c, const campaign_conf_t *conf) {
    assert(c && conf && conf->journeys && conf->store && conf->count);
    *c = (campaign_t){.conf = *conf, .on = true};
}

/* version in decimal into buf (at least 12 bytes): a count is made for most outputs, and
 * snprintf was a tenth of the counting. */
static const char *version_text(char *buf, int32_t version) {
    char *p = buf + 11;
    uint32_t v = version < 0 ? 0u - (uint32_t)version : (uint32_t)version;
    assert(buf);
    *p = '\0';
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (version < 0)
        *--p = '-';
    return p;
}

static void count(campaign_t *c, campaign_metric_t m, const char *journey, int32_t version,
                  const char *node, const char *detail, int64_t delta) {
    char buf[12];
    assert(journey && (unsigned)m < CAMPAIGN_METRIC__COUNT);
    const char *v = version_text(buf, version);
    campaign_count_t k = {m, journey, v, campaign_metrics[m].per_node && node ? node : "",
                          campaign_metrics[m].detail && detail ? detail : ""};
    c->conf.count(c->conf.ctx, &k, delta);
}

/* The loaded journey id at version, or NULL. A decision's id is its journey's own string,
 * so the pointer is compared before the text. */
static const journey_t *version_find(const journey_set_t *set, const char *id,
                                     int32_t version) {
    assert(set && id);
    for (size_t i = 0; i < set->count; i++) {
        const journey_t *j = set->journeys[i];
        if (j->version == version && (j->id == id || strcmp(j->id, id) == 0))
            return j;
    }
    return NULL;
}

bool campaign_metric_is_revenue(campaign_metric_t m) {
    assert((unsigned)m < CAMPAIGN_METRIC__COUNT);
    return m == CAMPAIGN_REVENUE || m == CAMPAIGN_CALL_REVENUE;
}

/* value in millionths, bounded. */
static int64_t revenue_scaled(double value) {
    double v = round(value * CAMPAIGN_REVENUE_SCALE);
    assert(!isnan(v));
    return (int64_t)fmax(-CAMPAIGN_REVENUE_EVENT_MAX, fmin(CAMPAIGN_REVENUE_EVENT_MAX, v));
}

/* The goal's revenue: the value of the event that reached it, in millionths. */
static int64_t revenue_of(const campaign_t *c, const sy_decision_t *d) {
    const sy_event_t *ev = c->event;
    assert(d);
    if (!ev || !ev->has_value || d->cause == SY_CAUSE_TIMER ||
        (d->cause_event_id && ev->event_id && strcmp(d->cause_event_id, ev->event_id) != 0))
        return 0;
    return revenue_scaled(ev->value);
}

void campaign_decision(campaign_t *c, const sy_decision_t *d) {
    assert(c && d && d->journey_id && d->to_node);
    if (!c->on)
        return;
    const char *j = d->journey_id;
    int32_t v = d->journey_version;
    if (!d->from_node)
        count(c, CAMPAIGN_ENTERED, j, v, NULL, NULL, 1);
    const journey_t *journey = version_find(c->conf.journeys, j, v);
    int to = journey ? journey_node_index(journey, d->to_node) : -1;
    if (to >= 0) {
        if (journey->nodes[to].kind == JOURNEY_NODE_EXIT)
            count(c, CAMPAIGN_COMPLETED, j, v, NULL, NULL, 1);
    } else if (strncmp(d->to_node, "goal:", 5) == 0) {
        const char *goal = d->to_node + 5;
        count(c, CAMPAIGN_GOALS, j, v, NULL, goal, 1);
        count(c, CAMPAIGN_CONVERSIONS, j, v, d->from_node ? d->from_node : "", goal, 1);
        int64_t revenue = revenue_of(c, d);
        if (revenue)
            count(c, CAMPAIGN_REVENUE, j, v, d->from_node ? d->from_node : "", goal, revenue);
    } else if (strncmp(d->to_node, "exit:", 5) == 0) {
        count(c, CAMPAIGN_EXITS, j, v, NULL, d->to_node + 5, 1);
    }
}

void campaign_action(campaign_t *c, const sy_action_t *a) {
    assert(c && a && a->journey_id && a->node_id);
    if (c->on)
        count(c, CAMPAIGN_SENT, a->journey_id, a->journey_version, a->node_id,
              sy_channel_name(a->channel), 1);
}

void campaign_conversion(campaign_t *c, const sy_conversion_t *conv) {
    assert(c && conv && conv->journey_id && conv->node_id && conv->currency);
    if (!c->on || isnan(conv->value))
        return;
    count(c, CAMPAIGN_CALL_CONVERSIONS, conv->journey_id, conv->journey_version,
          conv->node_id, conv->currency, 1);
    int64_t revenue = revenue_scaled(conv->value);
    if (revenue)
        count(c, CAMPAIGN_CALL_REVENUE, conv->journey_id, conv->journey_version,
              conv->node_id, conv->currency, revenue);
}

/* The metric an engagement event's type counts in, or -1. */
static int engagement_metric(sy_event_type_t type) {
    switch (type) {
    case SY_EVENT_DELIVERED:
        return CAMPAIGN_DELIVERED;
    case SY_EVENT_OPENED:
        return CAMPAIGN_OPENED;
    case SY_EVENT_CLICKED:
        return CAMPAIGN_CLICKED;
    case SY_EVENT_REPLIED:
        return CAMPAIGN_REPLIED;
    case SY_EVENT_ANSWERED:
        return CAMPAIGN_ANSWERED;
    case SY_EVENT_BOUNCED:
        return CAMPAIGN_BOUNCED;
    default:
        return -1; /* no assert: every other type counts nothing */
    }
}

/* The message an event reports on: a send node of a journey version, on a pass. */
typedef struct campaign_message {
    const journey_t *journey;
    const journey_node_t *node;
    uint32_t occurrence;
} campaign_message_t;

/* Does ev report on a message of the contact's last pass through journey_id? By its
 * action id when it has one, else by its node id. */
static sy_err_t message_in(campaign_t *c, int32_t p, const sy_event_t *ev,
                           const char *journey_id, campaign_message_t *msg, char *errbuf,
                           size_t errbuf_size) {
    state_instance_t inst;
    sy_err_t err = state_store_instance_get(c->conf.store, p, ev->contact_id, journey_id,
                                            &inst, errbuf, errbuf_size);
    if (err != SY_OK)
        return err == SY_ERR_NOT_FOUND ? SY_OK : err;
    const journey_t *j = version_find(c->conf.journeys, journey_id, inst.journey_version);
    if (!j || ev->occurred_at_ms < inst.entered_at_ms)
        return SY_OK; /* a version not loaded, or an event older than the pass */
    for (size_t i = 0; i < j->nodes_count && !msg->node; i++) {
        const journey_node_t *n = &j->nodes[i];
        char id[ACTION_ID_BYTES];
        if (n->kind != JOURNEY_NODE_SEND)
            continue;
        bool same = ev->message_id
                        ? action_id_of_pass(id, ev->contact_id, j, i, &inst) &&
                              strcmp(id, ev->message_id) == 0
                        : ev->node_id && strcmp(n->id, ev->node_id) == 0;
        if (same)
            *msg = (campaign_message_t){j, n, inst.occurrence};
    }
    return SY_OK;
}

/* The message ev reports on: in its journey when it names one, else in every journey
 * loaded (by action id). msg->node stays NULL when none is found. */
static sy_err_t message_find(campaign_t *c, int32_t p, const sy_event_t *ev,
                             campaign_message_t *msg, char *errbuf, size_t errbuf_size) {
    const journey_set_t *set = c->conf.journeys;
    assert(ev->contact_id && !msg->node);
    if (ev->journey_id)
        return message_in(c, p, ev, ev->journey_id, msg, errbuf, errbuf_size);
    if (!ev->message_id)
        return SY_OK;
    for (size_t i = 0; i < set->count && !msg->node; i++) {
        bool seen = false; /* an id with several versions loaded is looked at once */
        for (size_t k = 0; k < i && !seen; k++)
            seen = strcmp(set->journeys[k]->id, set->journeys[i]->id) == 0;
        sy_err_t err = seen ? SY_OK
                            : message_in(c, p, ev, set->journeys[i]->id, msg, errbuf,
                                         errbuf_size);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}

/* Was this kind already counted for the message (within the window)? Marks are kept
 * like event ids, under a key of the contact's own that no contact id reads as. */
static sy_err_t mark_seen(campaign_t *c, int32_t p, const sy_event_t *ev, int metric,
                          const campaign_message_t *msg, bool *seen, char *errbuf,
                          size_t errbuf_size) {
    char key[24], pass[48];
    assert(metric >= 0);
    uint64_t h = sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, ev->contact_id,
                                 strlen(ev->contact_id));
    snprintf(key, sizeof key, "\x01%016llx", (unsigned long long)sy_hash_mix64(h));
    uint64_t mark = sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, msg->journey->id,
                                    strlen(msg->journey->id) + 1);
    mark = sy_hash_fnv1a64(mark, msg->node->id, strlen(msg->node->id) + 1);
    int n = snprintf(pass, sizeof pass, "%d:%u:%d", (int)msg->journey->version,
                     (unsigned)msg->occurrence, metric);
    mark = sy_hash_mix64(sy_hash_fnv1a64(mark, pass, (size_t)n));
    state_event_ids_conf_t conf = {c->conf.window_ms, c->conf.marks_max};
    return state_store_event_id_seen(c->conf.store, p, key, mark, ev->occurred_at_ms, &conf,
                                     seen, errbuf, errbuf_size);
}

sy_err_t campaign_event_begin(campaign_t *c, int32_t partition, const sy_event_t *ev,
                              char *errbuf, size_t errbuf_size) {
    campaign_message_t msg = {0};
    bool seen = false;
    assert(c && ev && ev->contact_id);
    if (!c->on)
        return SY_OK;
    c->event = ev;
    int metric = engagement_metric(ev->type);
    if (metric < 0 || (!ev->message_id && !ev->node_id))
        return SY_OK;
    sy_err_t err = message_find(c, partition, ev, &msg, errbuf, errbuf_size);
    if (err == SY_OK && msg.node && c->conf.window_ms > 0)
        err = mark_seen(c, partition, ev, metric, &msg, &seen, errbuf, errbuf_size);
    if (err == SY_OK && msg.node && !seen)
        count(c, (campaign_metric_t)metric, msg.journey->id, msg.journey->version,
              msg.node->id, sy_channel_name(msg.node->u.send.channel), 1);
    return err;
}

void campaign_event_end(campaign_t *c) {
    assert(c);
    c->event = NULL;
}
