/* campaign_json.h — campaign metrics as JSON, one shape for the admin server's /journeys
 * and the reports of `replay --report` and `simulate --report`: a journey version's
 * "campaign" object and each node's. The numbers come from the caller's lookup; not
 * where they are kept. */
#ifndef SY_CAMPAIGN_JSON_H
#define SY_CAMPAIGN_JSON_H

#include <json-c/json.h>

#include "admin_table.h"
#include "campaign.h"

/* Currencies one report or page lists call revenue in: far above the handful an account
 * sells in; those past it are left out of the JSON (still in /metrics). */
#define CAMPAIGN_CURRENCIES_MAX 16

/* The currencies conversions were counted in, sorted (the same bytes for the same counts). */
typedef struct campaign_currencies {
    size_t count;
    char codes[CAMPAIGN_CURRENCIES_MAX][4];
} campaign_currencies_t;

/* Collect into *out (zeroed first) the distinct values of label `label` of the present
 * series of family in t (the call conversions' family: its currency label). */
void campaign_currencies_collect(campaign_currencies_t *out, const admin_table_t *t,
                                 uint16_t family, size_t label);

/* The value of count (revenue in the events' own unit, not millionths); 0 when none. */
typedef double campaign_value_fn(void *ctx, const campaign_count_t *count);

/* Journey j's campaign object (new reference): entered, completed, goals and exits (an
 * object per rule name), conversions and revenue (over every node and goal), and `calls`:
 * {"conversions": {CURRENCY: n}, "revenue": {CURRENCY: x}} of the tracked calls'
 * conversions over every send node, for each of currencies (borrowed; NULL: none). */
json_object *campaign_json_journey(const journey_t *j, campaign_value_fn *value, void *ctx,
                                   const campaign_currencies_t *currencies);

/* Node n's (of j) campaign object (new reference): conversions and revenue of the goals
 * reached from it; a send node adds its channel, sent, delivered, opened, clicked,
 * replied, answered, bounced and rates (delivery = delivered/sent, open =
 * opened/delivered, click = clicked/delivered, reply = replied/sent; null when the
 * denominator is 0), and `calls` as the journey's, of the calls to the numbers it leased. */
json_object *campaign_json_node(const journey_t *j, const journey_node_t *n,
                                campaign_value_fn *value, void *ctx,
                                const campaign_currencies_t *currencies);

/* The rate num/den, or a negative number when den is 0. */
double campaign_rate(double num, double den);

#endif
