/* campaign.h — campaign metrics: per journey version and per send node, what its contacts
 * did (entered, completed, goals, exit rules, conversions and revenue) and what became of
 * its messages (sent, and delivered, opened, clicked, replied, answered, bounced as the
 * engagement events report them, each kind once per message). Counted from the routing
 * decisions and actions the engine emits and the events it is fed, the same in the
 * service, `replay` and `simulate`. Not where counts are kept (the caller's count
 * function: the runner's batch and state, a report's table) and not how they are shown. */
#ifndef SY_CAMPAIGN_H
#define SY_CAMPAIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "journey.h"
#include "records.h"
#include "state_store.h"
#include "sy_error.h"

/* What a count counts. The order is the order of the admin server's families. */
typedef enum campaign_metric {
    CAMPAIGN_ENTERED,     /* {journey, version}: contacts that entered (decisions without from) */
    CAMPAIGN_COMPLETED,   /* {journey, version}: contacts that reached an exit node */
    CAMPAIGN_GOALS,       /* {journey, version, goal}: contacts that reached a goal rule */
    CAMPAIGN_EXITS,       /* {journey, version, rule}: contacts an exit rule ended */
    CAMPAIGN_CONVERSIONS, /* {journey, version, node, goal}: goals, by the node left */
    CAMPAIGN_REVENUE,     /* idem: the goal events' `value`, in millionths */
    CAMPAIGN_SENT,        /* {journey, version, node, channel}: action commands */
    CAMPAIGN_DELIVERED,   /* idem: messages reported delivered, once per message */
    CAMPAIGN_OPENED,      /* idem: opened (email, push) */
    CAMPAIGN_CLICKED,     /* idem: clicked */
    CAMPAIGN_REPLIED,     /* idem: replied (sms) */
    CAMPAIGN_ANSWERED,    /* idem: answered (voice) */
    CAMPAIGN_BOUNCED,     /* idem: bounced (email) */
    CAMPAIGN_CALL_CONVERSIONS, /* {journey, version, node, currency}: conversions of the
                                * calls to the tracking number a send node leased */
    CAMPAIGN_CALL_REVENUE,     /* idem: their value, in millionths of the currency */
    CAMPAIGN_METRIC__COUNT
} campaign_metric_t;

/* Revenue is counted in whole millionths of the events' `value`, so that sums kept in
 * state as integers are exact and the same in any order. */
#define CAMPAIGN_REVENUE_SCALE 1000000.0

/* How a metric is labelled: whether it is per node, and what its detail label is
 * ("channel", "goal", "rule"; NULL: none). */
typedef struct campaign_metric_def {
    const char *name;   /* "entered", "sent", ... */
    bool per_node;
    const char *detail; /* the detail label's name, or NULL */
} campaign_metric_def_t;

extern const campaign_metric_def_t campaign_metrics[CAMPAIGN_METRIC__COUNT];

/* The metric named name, or -1. */
int campaign_metric_parse(const char *name);

/* One count: metric of journey (id), version (decimal), node ("" when not per node) and
 * detail (the channel, goal or rule; "" when the metric has none). Borrowed for the call. */
typedef struct campaign_count {
    campaign_metric_t metric;
    const char *journey;
    const char *version;
    const char *node;
    const char *detail;
} campaign_count_t;

/* Where counts go: add delta to count. */
typedef void campaign_count_fn(void *ctx, const campaign_count_t *count, int64_t delta);

typedef struct campaign_conf {
    const journey_set_t *journeys; /* borrowed; its contents may change between calls */
    state_store_t *store;          /* borrowed: instances read, engagement marks kept */
    int64_t window_ms;             /* an engagement kind counts once per message within
                                    * this (events.dedup.window.ms); 0: every event counts */
    size_t marks_max;              /* marks kept per contact (events.dedup.ids.max) */
    campaign_count_fn *count;
    void *ctx;
} campaign_conf_t;

/* A counter; its fields are private. Zero-initialised it counts nothing (off). */
typedef struct campaign {
    campaign_conf_t conf;
    bool on;
    const sy_event_t *event; /* the event the engine runs now, or NULL */
} campaign_t;

/* Start counting with conf (copied). */
void campaign_init(campaign_t *c, const campaign_conf_t *conf);

/* ev of partition (admitted: not a duplicate) goes to the engine next: count the
 * engagement it reports (the message it names by action id, or by journey and node, of
 * the contact's last pass through that journey), and remember it as the cause of the
 * goals the engine reaches until campaign_event_end. Call before engine_on_event (the
 * contact's instances as they were). Errors: SY_ERR_STATE, SY_ERR_NOMEM, SY_ERR_LIMIT. */
sy_err_t campaign_event_begin(campaign_t *c, int32_t partition, const sy_event_t *ev,
                              char *errbuf, size_t errbuf_size);

/* The engine is done with the event of campaign_event_begin. */
void campaign_event_end(campaign_t *c);

/* Count a routing decision the engine emitted. */
void campaign_decision(campaign_t *c, const sy_decision_t *d);

/* Count an action command the engine emitted. */
void campaign_action(campaign_t *c, const sy_action_t *a);

/* Count a conversion of a tracked call the engine wrote (docs/call_tracking.md): one
 * conversion and its value, in its currency, for the send node that leased the number. */
void campaign_conversion(campaign_t *c, const sy_conversion_t *conv);

/* Is m counted in millionths (a revenue)? */
bool campaign_metric_is_revenue(campaign_metric_t m);

#endif
