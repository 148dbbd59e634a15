/* journey_conversion.h — a conversion rule of call tracking (docs/call_tracking.md): the
 * conditions on an attributed call (duration, transcript phrases, outcome, caller) and the
 * conversion's name, value and currency. One shape for the calls document's `conversions:`
 * and a journey's; read from the loader's document tree. Not their evaluation (the
 * engine's engine_calls_rule_eval) nor where a list of them lives. */
#ifndef SY_JOURNEY_CONVERSION_H
#define SY_JOURNEY_CONVERSION_H

#include <stddef.h>
#include <stdint.h>

#include "journey_doc.h"
#include "sy_error.h"
#include "sy_limits.h"

/* Phrases one rule's transcript must contain: a rule reads a handful. */
#define JOURNEY_CONVERSION_PHRASES_MAX 16

typedef struct journey_conversion {
    char name[SY_ID_BYTES_MAX + 1];
    int64_t duration_min_s;         /* -1: no condition on the duration */
    size_t phrases_count;           /* the transcript must contain every phrase */
    char *phrases[JOURNEY_CONVERSION_PHRASES_MAX]; /* owned, lower case */
    char *outcome;     /* owned; NULL: any (Twilio's final CallStatus: completed, ...) */
    char *caller_attr; /* owned; NULL: any caller, else the contact's attribute to match */
    double value;      /* the fixed value, when value_field is NULL */
    char *value_field; /* owned; NULL: fixed, else the callback's property holding it */
    char currency[4];  /* ISO 4217 */
    int line, column;  /* where the rule is written, for messages */
} journey_conversion_t;

/* Read the rule map (borrowed) into *rule (zeroed first; free with
 * journey_conversion_free even on error). source names the text in errors:
 * "SOURCE:LINE:COLUMN: problem" (unknown key, missing name or currency, bad currency,
 * neither or both of value and value_field, bad duration_min, ...). Names are not checked
 * against other rules: the caller's list does that. Errors: SY_ERR_CONFIG, SY_ERR_NOMEM. */
sy_err_t journey_conversion_parse(journey_conversion_t *rule, const journey_doc_node_t *map,
                                  const char *source, char *errbuf, size_t errbuf_size);

/* Free what rule owns (the struct is the caller's). NULL is a no-op. */
void journey_conversion_free(journey_conversion_t *rule);

#endif
