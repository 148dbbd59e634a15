/* engine_event.c — an engagement event's way in: a call to a tracking number is
 * attributed first (engine_calls_inbound.c), anything else changes the contact's consent
 * (engine_safety.c) and engagement memory (engine_engagement.c), then goes to every
 * journey of its contact (engine.c). Apart from engine.c so that the call attribution,
 * which hands its events to the journeys too, is not a file engine.c calls back into. */
#include "engine.h"

#include <assert.h>

#include "engine_int.h"

sy_err_t engine_on_event(engine_t *e, int32_t partition, const sy_event_t *event,
                         char *errbuf, size_t errbuf_size) {
    bool handled = false;
    assert(e && event && event->contact_id);
    e->profile_loaded = false; /* a new input: its contact's profile is read afresh */
    e->engagement_loaded = false;
    sy_err_t err = engine_calls_on_event(e, partition, event, &handled, errbuf, errbuf_size);
    if (err != SY_OK || handled)
        return err;
    if ((err = engine_safety_on_event(e, partition, event, errbuf, errbuf_size)) != SY_OK ||
        (err = engine_engagement_on_event(e, partition, event, errbuf, errbuf_size)) != SY_OK)
        return err;
    return engine_journeys_on_event(e, partition, event, errbuf, errbuf_size);
}
