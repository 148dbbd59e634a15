/* admin_int.h — the admin server's private parts, shared by admin.c (the published state),
 * admin_catalog.c (the metric families), admin_metrics.c (/metrics), admin_journeys.c
 * (/journeys), admin_snapshot.c (the journeys shown), admin_map.c (the live maps) and
 * admin_server.c (HTTP). Not for use outside processor/admin/. */
#ifndef SY_ADMIN_INT_H
#define SY_ADMIN_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "admin.h"
#include "admin_expo.h"

/* Histogram buckets (upper bounds; +Inf is implicit). */
#define ADMIN_HIST_BUCKETS_MAX 24
/* Longest readiness reason kept. */
#define ADMIN_REASON_BYTES 256

/* The journeys the server shows: copies of what /journeys and the maps read of the
 * runner's journeys (journey_map_outline_copy), made at each hand-over and never changed
 * after. Whoever holds a reference may read it without the admin lock; the last
 * admin_snapshot_unref frees it. */
typedef struct admin_snapshot {
    atomic_size_t refs;
    size_t count;
    journey_t **journeys; /* owned copies, in the order handed over */
} admin_snapshot_t;

typedef struct admin_hist {
    size_t bounds_count;
    const double *bounds;
    uint64_t counts[ADMIN_HIST_BUCKETS_MAX + 1]; /* per bucket, not cumulative; last +Inf */
    double sum;
    uint64_t count;
} admin_hist_t;

/* One metric family of the catalog. */
typedef struct admin_family_def {
    const char *name;
    admin_metric_type_t type;
    size_t labels_count;
    const char *labels[ADMIN_LABELS_MAX];
    const char *help;
    bool set; /* a counter whose value is set, not added (kept elsewhere): read from the
               * gauges table like a gauge */
} admin_family_def_t;

extern const admin_family_def_t admin_families[ADMIN_FAMILY__COUNT];
extern const double admin_batch_records_bounds[];
extern const size_t admin_batch_records_bounds_count;
extern const double admin_commit_seconds_bounds[];
extern const size_t admin_commit_seconds_bounds_count;

/* The phases of a commit, the values of switchyard_commit_phase_seconds's phase label
 * (admin_commit_phase_names, in this order). */
enum { ADMIN_PHASE_ACKNOWLEDGE = 0, ADMIN_PHASE_TRANSACTION, ADMIN_PHASES };
extern const char *const admin_commit_phase_names[ADMIN_PHASES];

struct admin {
    struct MHD_Daemon *daemon;
    uint16_t port;
    const char *state_dir;
    int64_t stall_ms;
    _Atomic int64_t turned_ms; /* monotonic ms of the last turn; 0 never */
    pthread_mutex_t lock;      /* guards everything below */
    admin_table_t counters;
    admin_table_t gauges;
    admin_hist_t batch_records;
    admin_hist_t commit_seconds;
    admin_hist_t commit_phase_seconds[ADMIN_PHASES]; /* in commit_seconds's buckets */
    bool ready;
    char not_ready[ADMIN_REASON_BYTES];
    admin_snapshot_t *snapshot;         /* one reference owned; NULL: none handed over */
    size_t journeys_count;              /* snapshot's count */
    const journey_t *const *journeys;   /* snapshot's journeys (admin_journeys.c) */
};

/* A new reference to snapshot (borrowed; the caller holds one already, or the admin lock
 * while it is admin->snapshot). */
admin_snapshot_t *admin_snapshot_ref(admin_snapshot_t *snapshot);

/* Drop a reference; the last one frees the snapshot. NULL-safe. */
void admin_snapshot_unref(admin_snapshot_t *snapshot);

/* An answer the HTTP side sends: body owned (malloc'd), type static. */
typedef struct admin_reply {
    unsigned status;
    const char *type;
    char *body;
    size_t len;
} admin_reply_t;

/* The answer to url when it is a map page: /journeys/ID (or /journeys/ID/map.html), the
 * HTML page holding the map, or /journeys/ID/map.svg; version is the ?version= argument
 * (NULL: the latest loaded). False when url is none of those. The reply is 200, 400 (a
 * malformed version), 404 (no such journey or version: the body says which are loaded) or
 * 500 (Graphviz failed or no memory: the body says so). Takes the admin lock to copy the
 * counts, then a lock of its own around Graphviz. From the HTTP threads. */
bool admin_map_answer(admin_t *admin, const char *url, const char *version,
                      admin_reply_t *reply);

/* The index's list of map pages, one item per loaded journey version, into b (HTML).
 * Takes the lock. */
void admin_map_links_render(admin_t *admin, admin_buf_t *b);

/* Render /metrics into b; takes the lock. */
void admin_metrics_render(admin_t *admin, admin_buf_t *b);

/* Render /journeys (JSON) into b; takes the lock. */
void admin_journeys_render(admin_t *admin, admin_buf_t *b);

/* Observe value in h. */
void admin_hist_observe(admin_hist_t *h, double value);

/* /healthz: true when the loop turned within stall_ms; else why not into reason. */
bool admin_health(admin_t *admin, char *reason, size_t reason_size);

/* /readyz: true when ready; else what is missing into reason. Takes the lock. */
bool admin_readiness(admin_t *admin, char *reason, size_t reason_size);

#endif
