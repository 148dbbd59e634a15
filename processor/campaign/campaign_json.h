/* campaign_json.h — campaign metrics as JSON, one shape for the admin server's /journeys
 * and the reports of `replay --report` and `simulate --report`: a journey version's
 * "campaign" object and each node's. The numbers come from the caller's lookup; not
 * where they are kept. */
#ifndef SY_CAMPAIGN_JSON_H
#define SY_CAMPAIGN_JSON_H

#include <json-c/json.h>

#include "campaign.h"

/* The value of count (revenue in the events' own unit, not millionths); 0 when none. */
typedef double campaign_value_fn(void *ctx, const campaign_count_t *count);

/* Journey j's campaign object (new reference): entered, completed, goals and exits (an
 * object per rule name), conversions and revenue (over every node and goal). */
json_object *campaign_json_journey(const journey_t *j, campaign_value_fn *value, void *ctx);

/* Node n's (of j) campaign object (new reference): conversions and revenue of the goals
 * reached from it; a send node adds its channel, sent, delivered, opened, clicked,
 * replied, answered, bounced and rates (delivery = delivered/sent, open =
 * opened/delivered, click = clicked/delivered, reply = replied/sent; null when the
 * denominator is 0). */
json_object *campaign_json_node(const journey_t *j, const journey_node_t *n,
                                campaign_value_fn *value, void *ctx);

/* The rate num/den, or a negative number when den is 0. */
double campaign_rate(double num, double den);

#endif
