/* promo_workload.h — the workload of the end-to-end tests of `switchyard run`: 1,000
 * contacts enter the coffee email promo; their engagement events (echoing the promo's
 * action id, as providers do) call for every path of its branch by contact index % 5
 * (opened, not opened, bounced, blocked, silent), then an app open four days later moves
 * every partition's event time past the branch's timers. What the service produced is
 * read back with read_committed and checked contact by contact. One workload per test
 * process (Criterion forks per test). */
#ifndef PROMO_WORKLOAD_H
#define PROMO_WORKLOAD_H

#include "service_fixture.h"

#define PROMO_CONTACTS 1000
/* Decisions in all: 4 per contact (entry, send, branch path, exit), 3 for the silent
 * fifth (its otherwise path goes straight to the exit node). */
#define PROMO_DECISIONS (4 * PROMO_CONTACTS - PROMO_CONTACTS / 5)

void promo_workload_open(void);
void promo_workload_close(void);

/* Produce every contact's promo_eligible event. */
void promo_produce_entries(const service_t *svc);

/* Read the 1,000 promo emails and keep each contact's action id; asserts. */
void promo_read_promos(const service_t *svc);

/* Produce the engagement events and the app opens (after promo_read_promos). */
void promo_produce_engagement(const service_t *svc);

/* Read the decisions (up to PROMO_DECISIONS); returns how many were read. */
long promo_read_decisions(const service_t *svc);

/* Read every output topic and assert: each contact took its path once, got its emails,
 * pushes and contact updates, and no action id appears twice. */
void promo_assert_outputs(const service_t *svc);

#endif
