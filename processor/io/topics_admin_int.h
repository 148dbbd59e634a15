/* topics_admin_int.h — private details shared by topics_admin.c, topics_describe.c,
 * topics_create.c and topics_check.c: the admin's fields and its retry pacing. Not for
 * other modules: they use topics_admin.h. */
#ifndef SY_TOPICS_ADMIN_INT_H
#define SY_TOPICS_ADMIN_INT_H

#include <stdint.h>

#include <librdkafka/rdkafka.h>

#include "records.h"
#include "sy_backoff.h"
#include "topics_admin.h"

/* events, profiles, changelog, decisions, contact updates, dlq, conversions, and the
 * action topics. */
#define TOPICS_MAX (7 + SY_CHANNEL__COUNT)

/* The first waits between retries of a retriable error double from MIN to MAX. */
#define TOPICS_BACKOFF_MIN_MS 100
#define TOPICS_BACKOFF_MAX_MS 2000

/* Longest one Admin or metadata request may take, so a retry still fits the deadline. */
#define TOPICS_REQUEST_TIMEOUT_MS 10000

struct topics_admin {
    const sy_config_t *config; /* borrowed */
    const atomic_int *stop;    /* borrowed; may be NULL */
    int64_t deadline_ms;       /* monotonic: when every call gives up */
    rd_kafka_t *rk;            /* owned */
    topics_entry_t entries[TOPICS_MAX];
    size_t count;
};

/* A retry loop's backoff, from TOPICS_BACKOFF_MIN_MS up to TOPICS_BACKOFF_MAX_MS. */
void topics_backoff_init(topics_admin_t *admin, sy_backoff_t *backoff);

/* Wait the backoff's next delay before the next try of a retriable call, noticing a stop
 * (sy_backoff_sleep_ms). False, at once, when the deadline would pass or stop is set: the
 * caller gives up. */
bool topics_backoff_wait(topics_admin_t *admin, sy_backoff_t *backoff);

/* The time left before the deadline, capped at TOPICS_REQUEST_TIMEOUT_MS; at least 1. */
int topics_request_timeout_ms(const topics_admin_t *admin);

/* True for errors a later try may not see: broker unreachable, no leader or controller
 * yet, a topic not yet known right after its creation, a request that timed out. */
bool topics_err_retriable(rd_kafka_resp_err_t err);

/* Run one Admin API request: call starts it with options (request timeout set) and a
 * queue of its own, so that a late answer to an earlier try is never read as this one's.
 * Returns the result event (the caller destroys it), or NULL when none came in time or
 * memory ran out. */
typedef void topics_request_fn(topics_admin_t *admin, void *ctx,
                               rd_kafka_AdminOptions_t *options, rd_kafka_queue_t *queue);
rd_kafka_event_t *topics_request(topics_admin_t *admin, rd_kafka_admin_op_t op,
                                 topics_request_fn *call, void *ctx);

/* topics_admin_describe; with want_ready, also wait (bounded) until every entry exists
 * and every partition has a leader, as after a creation. */
sy_err_t topics_admin_describe_wait(topics_admin_t *admin, bool want_ready, char *errbuf,
                                    size_t errbuf_size);

/* The entry of the events topic, which the co-partitioned entries follow. */
const topics_entry_t *topics_events_entry(const topics_admin_t *admin);

#endif
