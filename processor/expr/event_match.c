/* event_match.c — does an event have the type a journey names. */
#include "event_match.h"

#include <string.h>

bool event_match_test(const journey_event_match_t *m, const sy_event_t *ev) {
    if (m->channel != ev->channel || m->type != ev->type)
        return false;
    return m->type != SY_EVENT_CUSTOM || (ev->name && m->name && strcmp(m->name, ev->name) == 0);
}
