/* live_map_fixture.h — the service the live journey map tests read: admin server on, fed
 * the push promo's first morning (tests/journeys/paths/coffee_push_promo.jsonl up to the
 * end of its first day: five contacts enter, one claims the offer by the branch and one by
 * the goal, three wait at the branch with no timer due yet, so the state is the same
 * whichever partition each contact lands on), until its decisions are read back from the
 * topic and published. For test_admin.c and tests/browser; asserts (Criterion). */
#ifndef LIVE_MAP_FIXTURE_H
#define LIVE_MAP_FIXTURE_H

#include "admin_client.h"
#include "service_fixture.h"

#define LIVE_MAP_JOURNEY "coffee_push_promo"

typedef struct live_map {
    service_t svc;
    char base[ADMIN_CLIENT_BASE_BYTES]; /* the admin server's URL */
    char input[256];                    /* the JSON lines fed, in svc.dir */
    long decisions;                     /* routing decisions made of them, all published */
} live_map_t;

/* Prepare and start the service (name: its topics' and directory's), feed it the input
 * and wait until `switchyard simulate --until input` over the same input's decisions were
 * read back from the decisions topic and /metrics counts them all. */
void live_map_start(live_map_t *m, const char *name);

/* Stop the service (asserting a clean exit) and remove its directory. */
void live_map_finish(live_map_t *m);

#endif
