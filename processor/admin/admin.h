/* admin.h — the admin HTTP server of `switchyard run` (option admin.listen): /metrics in
 * the Prometheus text format, /healthz, /readyz, /journeys (JSON), the live journey maps
 * (/journeys/ID/map.svg, /journeys/ID) and an HTML index. The runner publishes into it —
 * counts once per committed batch, readiness, the journeys — through this header only; the
 * server's threads render from what was published, under one mutex, and never read the
 * runner. Every function takes NULL (the server off) and then does nothing. Not the
 * counting itself (the runner's) nor drawing the journey map (processor/map/). */
#ifndef SY_ADMIN_H
#define SY_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "admin_table.h"
#include "journey.h"
#include "sy_error.h"

typedef struct admin admin_t;

/* The metric families the runner fills, in admin_table_t series (admin_catalog.c names
 * them and their labels; docs/observability.md explains them). Counters are added up
 * from committed batches; gauges are set. */
typedef enum admin_family {
    ADMIN_INPUT_RECORDS,   /* counter {topic, type} */
    ADMIN_DEAD_LETTERS,    /* counter {reason} */
    ADMIN_DECISIONS,       /* counter {journey, version, from, to, path} */
    ADMIN_ACTIONS,         /* counter {channel, template} */
    ADMIN_CONTACT_UPDATES, /* counter */
    ADMIN_SENDS_STOPPED,   /* counter {reason} */
    ADMIN_TIMERS_FIRED,    /* counter */
    ADMIN_DUPLICATES,      /* counter */
    ADMIN_BATCHES,         /* counter: committed transactions */
    ADMIN_ABORTS,          /* counter: batches aborted to be processed again */
    ADMIN_BATCHES_OVERLAPPED, /* counter: committed while the next batch was processed */
    ADMIN_RESTORE_RECORDS, /* counter {partition}: changelog records restored */
    ADMIN_CACHE_HITS,      /* counter, set from the store's own totals */
    ADMIN_CACHE_MISSES,    /* counter, idem */
    ADMIN_CACHE_BYTES,     /* gauge */
    ADMIN_CONSUMER_LAG,    /* gauge {topic, partition} */
    ADMIN_PARTITIONS,      /* gauge {state}: assigned, restored */
    ADMIN_NODE_CONTACTS,   /* gauge {journey, version, node} */
    ADMIN_PATH_CONTACTS,   /* gauge {journey, version, from, to, path} */
    /* Campaign metrics (campaign.h), in campaign_metric_t's order: counters kept in
     * state and set from it like gauges. */
    ADMIN_CAMPAIGN_ENTERED,     /* {journey, version} */
    ADMIN_CAMPAIGN_COMPLETED,   /* {journey, version} */
    ADMIN_CAMPAIGN_GOALS,       /* {journey, version, goal} */
    ADMIN_CAMPAIGN_EXITS,       /* {journey, version, rule} */
    ADMIN_CAMPAIGN_CONVERSIONS, /* {journey, version, node, goal} */
    ADMIN_CAMPAIGN_REVENUE,     /* {journey, version, node, goal} */
    ADMIN_CAMPAIGN_SENT,        /* {journey, version, node, channel}, and the next six */
    ADMIN_CAMPAIGN_DELIVERED,
    ADMIN_CAMPAIGN_OPENED,
    ADMIN_CAMPAIGN_CLICKED,
    ADMIN_CAMPAIGN_REPLIED,
    ADMIN_CAMPAIGN_ANSWERED,
    ADMIN_CAMPAIGN_BOUNCED,
    ADMIN_CAMPAIGN_CALL_CONVERSIONS, /* {journey, version, node, currency} */
    ADMIN_CAMPAIGN_CALL_REVENUE,     /* {journey, version, node, currency} */
    ADMIN_FAMILY__COUNT
} admin_family_t;

/* What the runner publishes at once (admin_publish). */
typedef struct admin_batch {
    const admin_table_t *counters; /* added to the totals; NULL: none */
    const admin_table_t *gauges;   /* replaces every gauge and set counter; NULL: kept */
    bool committed;                /* a batch committed: the histograms observe it */
    uint64_t records;              /* its input records */
    double commit_s;               /* and how long its commit took, of which: */
    double acknowledge_s; /* waiting for the broker to acknowledge its records */
    double transaction_s; /* in the transaction calls (docs/observability.md) */
} admin_batch_t;

/* Start the server on listen ("HOST:PORT", an IPv4 address or [IPv6]; port 0 picks a
 * free one; "" leaves *out NULL: off). state_dir (borrowed, outlives the server) is
 * measured for the disk gauge; the loop counts as stalled after stall_ms without a turn.
 * Errors: SY_ERR_CONFIG (listen malformed), SY_ERR_IO (cannot bind: errbuf names it). */
sy_err_t admin_open(admin_t **out, const char *listen, const char *state_dir,
                    int64_t stall_ms, char *errbuf, size_t errbuf_size);

/* Parse listen, "HOST:PORT" (an IPv4 address, or [IPv6 address]; port 0-65535), into ss
 * and len for bind; false when malformed. Shared with `switchyard ingest`'s server. */
bool admin_listen_parse(const char *listen, struct sockaddr_storage *ss, socklen_t *len);

/* Stop the server (waits for requests in flight) and free it. NULL-safe. */
void admin_close(admin_t *admin);

/* The port the server listens on. */
uint16_t admin_port(const admin_t *admin);

/* The runner's loop (or a retry wait, or a restore) made progress now. Lock-free: call it
 * as often as convenient. */
void admin_loop_turned(admin_t *admin);

/* Publish counts (one lock). From the runner's thread. */
void admin_publish(admin_t *admin, const admin_batch_t *batch);

/* Readiness: missing NULL is ready; otherwise what /readyz answers 503 with (copied). */
void admin_ready_set(admin_t *admin, const char *missing);

/* The loaded journey versions, for /journeys and the maps: the server keeps copies of what
 * it shows of them (made here, on the caller's thread, then swapped in under the lock), so
 * the journeys are only read during the call and may be freed after it. n 0 forgets them.
 * Out of memory keeps the previous ones (logged). From the runner's thread, at its start
 * and after each reload. */
void admin_journeys_set(admin_t *admin, const journey_t *const *journeys, size_t n);

#endif
