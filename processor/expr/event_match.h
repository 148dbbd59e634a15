/* event_match.h — an event type as journeys write it ("email.opened", "custom.purchase")
 * and the test whether an event is of that type. Shared by the journey model, the
 * expression language and the engine. */
#ifndef SY_EVENT_MATCH_H
#define SY_EVENT_MATCH_H

#include <stdbool.h>

#include "records.h"

typedef struct journey_event_match {
    sy_channel_t channel;
    sy_event_type_t type;
    char *name; /* custom event name (owned by the journey), NULL unless SY_EVENT_CUSTOM */
} journey_event_match_t;

/* True when ev has m's channel and type (and, for custom events, m's name). */
bool event_match_test(const journey_event_match_t *m, const sy_event_t *ev);

#endif
