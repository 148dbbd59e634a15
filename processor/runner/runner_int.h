/* runner_int.h — the runner's private state, shared by runner.c (the loop),
 * runner_txn.c (transactions and rebalances), runner_output.c (producing records),
 * runner_changelog.c (changelog and restore) and runner_flush.c (at_least_once).
 * Not for use outside the runner. */
#ifndef SY_RUNNER_INT_H
#define SY_RUNNER_INT_H

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>

#include <librdkafka/rdkafka.h>

#include "admin.h"
#include "campaign.h"
#include "codec.h"
#include "log.h"
#include "sy_backoff.h"
#include "engine.h"
#include "engine_calls.h"
#include "kafka_produce.h"
#include "runner.h"
#include "schema_registry.h"
#include "state_store.h"

/* The consumer group's session timeout unless kafka.session.timeout.ms says otherwise: how
 * long a silent (killed) instance keeps its partitions, and, with static membership, how
 * long one that stopped keeps them (it does not leave the group). The broker's default
 * minimum (group.min.session.timeout.ms); heartbeats come from librdkafka's own thread,
 * three per session, so a busy loop does not lose the partitions. */
#define RUNNER_SESSION_TIMEOUT_MS "6000"
#define RUNNER_HEARTBEAT_MS "2000"
/* transaction.timeout.ms unless configured: how long a killed instance's open transaction
 * holds back the changelog's and the input offsets' stable end for the next owner. */
#define RUNNER_TXN_ABANDON_MS "10000"
/* message.timeout.ms of the transactional producer unless configured: well inside the
 * transaction timeout, so a record that cannot be delivered (a deleted topic) fails the
 * batch, which aborts and is redone, before the broker aborts the transaction itself
 * and fences the producer. */
#define RUNNER_MESSAGE_TIMEOUT_MS "5000"
/* compression.type of the service's producer unless configured: its outputs are several
 * records an input event (decisions, actions, changelog) and on a shared machine the
 * broker's work on them costs more CPU than the service itself; LZ4 batches cut the
 * broker's CPU per event (bench/RESULTS.md, "The service's producer compresses"). Every
 * Kafka client reads LZ4 batches. */
#define RUNNER_COMPRESSION_TYPE "lz4"
/* Milliseconds librdkafka calls may block in the transactional API before we look again. */
#define RUNNER_TXN_TIMEOUT_MS 30000
/* Longest one call of the transactional API blocks (init, send offsets, commit, abort):
 * librdkafka lets a timed-out call be retried where it left off, and between two calls
 * the runner looks at its stop flag. */
#define RUNNER_TXN_SLICE_MS 1000
/* Fatal producer errors in a row (no commit between) after which the service stops: a
 * broker that lost a transaction (restarted past transaction.timeout.ms) is ridden out by a
 * new producer; one that keeps failing is not a passing fault. */
#define RUNNER_PRODUCER_RENEWALS_MAX 3
/* A consumer that fails fatally (a static member fenced after the broker lost its session)
 * is replaced; failing again sooner than this after a replacement stops the runner. */
#define RUNNER_CONSUMER_RENEW_GAP_MS 60000
/* Backoff of the runner's retries (runner_retry.c): from about this... */
#define RUNNER_RETRY_INITIAL_MS 100
/* ...doubling up to this, so a broker that is away is asked every few seconds. */
#define RUNNER_RETRY_MAX_MS 5000
/* After a stop request, how long a failing call (a commit in flight) is still tried
 * before the batch is aborted: with RUNNER_TXN_SLICE_MS twice, well under 5 s. */
#define RUNNER_STOP_GRACE_MS 1500
/* Longest time one poll waits when a batch is open (input idle this long closes it), a
 * scan runs or partitions restore. */
#define RUNNER_IDLE_MS 10
/* Shortest interval between two wallclock timer scans of the assigned partitions. */
#define RUNNER_TIMER_SCAN_MS 100
/* Journey versions kept loaded for the life of the process: every deployed version stays
 * (contacts in flight keep theirs). Four versions of each of JOURNEY_SET_MAX files. */
#define RUNNER_JOURNEYS_MAX (4 * JOURNEY_SET_MAX)

/* One loaded journey version. */
typedef struct runner_journey {
    journey_t *journey;
    bool owned;            /* loaded by a reload; else borrowed from runner_open's set */
    uint64_t content_hash; /* of its file when loaded: same id+version must keep it */
    /* on_deploy: scan: bit p set once partition p's cursor was read done (owned; NULL:
     * none known). A done cursor stays done (runner_scan.c). */
    uint64_t *scan_done;
} runner_journey_t;

/* Every journey version loaded so far, sorted by id then version, and the set the
 * engine runs (its journeys point into entries). */
typedef struct runner_journeys {
    size_t count;
    runner_journey_t entries[RUNNER_JOURNEYS_MAX];
    journey_t *pointers[RUNNER_JOURNEYS_MAX];
    journey_set_t set;
    uint64_t dir_signature; /* of journeys.dir's entries at the last look */
    int64_t last_check_ms;
} runner_journeys_t;

/* Moves between nodes (journey version, partition, from, to) whose live-count series the
 * runner remembers (a power of two): far above one batch's distinct moves of a handful of
 * journeys; beyond them a move's series are found by their labels, as without. */
#define RUNNER_MOVES_BITS 8
#define RUNNER_MOVES_MAX (1u << RUNNER_MOVES_BITS)

/* One move counted before: the series in r->live its decisions add to, found once by
 * their labels. Good while r->live.moved equals moved; the journey and its node ids are
 * loaded for the life of the runner, so their pointers name them. */
typedef struct runner_move {
    const journey_t *journey; /* NULL: empty */
    int32_t partition;
    int32_t from, to;         /* node indexes in journey; from -1: an entry */
    uint64_t moved;           /* r->live.moved when found */
    const char *path;         /* the path's label in path's series (borrowed from it) */
    admin_series_t *path_series; /* the path's count */
    admin_series_t *left;     /* the count of the node left, or NULL: none changes */
    admin_series_t *entered;  /* the count of the node entered, or NULL: none changes */
} runner_move_t;

/* Campaign counts whose series the runner remembers (a power of two): far above one batch's
 * distinct (journey version, partition, metric, node, detail); beyond them a count's series
 * is found by its labels, as without. */
#define RUNNER_CAMPAIGN_COUNTS_BITS 8
#define RUNNER_CAMPAIGN_COUNTS_MAX (1u << RUNNER_CAMPAIGN_COUNTS_BITS)

/* One campaign count counted before: its series in r->live, good while r->live.moved equals
 * moved. Its journey and node are named by pointers (loaded for the life of the runner),
 * its version and detail checked by their text. */
typedef struct runner_campaign_count {
    const journey_t *journey; /* NULL: empty */
    int32_t partition;
    int32_t metric;           /* campaign_metric_t */
    int32_t node;             /* index in journey; -1: none ("") */
    uint64_t moved;           /* r->live.moved when found */
    const char *version;      /* the version's label in series (borrowed from it) */
    const char *detail;       /* the detail's label in series (borrowed from it) */
    admin_series_t *series;
} runner_campaign_count_t;

/* Shortest interval between two slices of the deploy-time scan: each slice is a
 * transaction, so they come no more often than a busy input's batches. */
#define RUNNER_SCAN_GAP_MS 100
/* Scans (journey version, partition) one slice advances: bounds a slice's transaction. */
#define RUNNER_SCAN_WORK_MAX 64

/* One scan a slice advances: its journey (borrowed from the loaded set) and partition,
 * and its cursor as committed before the slice, then as the slice left it. */
typedef struct runner_scan_work {
    const journey_t *journey;
    int32_t partition;
    state_scan_t scan;
} runner_scan_work_t;

/* The deploy-time scans (runner_scan.c). */
typedef struct runner_scan {
    int64_t last_ms;                     /* monotonic time of the last look; 0 none */
    bool busy;                           /* the last look found scans with work left */
    size_t work_count;
    runner_scan_work_t work[RUNNER_SCAN_WORK_MAX];
} runner_scan_t;

/* Changelog records a restore applies between two state commits: bounds the pending
 * batch's memory (a few hundred bytes a record) whatever the partition's size. */
#define RUNNER_RESTORE_COMMIT_RECORDS 10000
/* Longest one slice of the background restore runs before the loop processes input of
 * the partitions already restored (a slice runs between two batches). */
#define RUNNER_RESTORE_SLICE_MS 50
/* Changelog records read from the restore consumer's queue in one call. */
#define RUNNER_RESTORE_READ_BATCH 4096
/* A restore or an at-least-once flush that waits on the broker says so this often. */
#define RUNNER_WAIT_LOG_MS 10000

/* The background restore (runner_restore.c): partitions assigned to this instance whose
 * state is being read back from topic.changelog while their input stays paused. */
typedef struct runner_restore {
    uint8_t phase[STATE_PARTITIONS_MAX]; /* RUNNER_RESTORE_NONE, _QUEUED, _READING, _OWNED */
    /* Offsets of records of a partition being restored that the consumer delivered
     * before the pause took hold [events, profiles]; -1 none. Sought back at resume. */
    int64_t rewind_to[STATE_PARTITIONS_MAX][2];
    int count;                           /* partitions queued or reading */
    int queued;                          /* of which queued: queued_start looks when > 0 */
    int32_t checked_max;                 /* highest partition the changelog was checked for */
    uint64_t records[STATE_PARTITIONS_MAX];     /* applied so far, per partition */
    int64_t last_offset[STATE_PARTITIONS_MAX];  /* of the last record applied; -1 none */
    int64_t started_ms[STATE_PARTITIONS_MAX];   /* when its restore began (monotonic) */
    int standby_count;   /* partitions in RUNNER_RESTORE_STANDBY */
    bool placement_stale; /* the group rebalanced since the standbys were placed */
    int64_t placement_ms; /* when the group was last described (monotonic) */
    rd_kafka_queue_t *describing; /* where the description asked for arrives; NULL none */
    uint64_t pending;    /* records applied since the last store commit */
    int64_t last_news_ms; /* last record or log line: when to say we are waiting */
} runner_restore_t;

/* A partition's phase here: not ours; assigned and waiting for its restore; being read
 * back; processed; or kept warm as a standby (its changelog tailed, never processed). */
enum { RUNNER_RESTORE_NONE = 0, RUNNER_RESTORE_QUEUED, RUNNER_RESTORE_READING,
       RUNNER_RESTORE_OWNED, RUNNER_RESTORE_STANDBY };
/* The group is described for the standby placement at most this often (and after each
 * rebalance, once its assignment is known). */
#define RUNNER_STANDBY_LOOK_MS 5000

/* Members remembered for fencing (runner_fence.c), and the longest a fence may take. */
#define RUNNER_FENCE_MEMBERS_MAX 64
#define RUNNER_FENCE_ID_BYTES 256
#define RUNNER_FENCE_MS 5000
/* How often the group is described while a member that left may await its fence. */
#define RUNNER_FENCE_LOOK_MS 100

/* How long a member missing from a description that could not fence it (asked before
 * its partitions came here) is still fenced by a later one: the rebalance that removed it
 * hands its partitions out at once, so this only bounds what is remembered. */
#define RUNNER_FENCE_MISSING_MS 60000

/* The group's members as last described, by client id (= transactional.id), so that a
 * member missing from the next description can be fenced (runner_fence.c); with, for each,
 * when a description first lacked it (0 while listed). */
typedef struct runner_fence {
    char known[RUNNER_FENCE_MEMBERS_MAX][RUNNER_FENCE_ID_BYTES];
    int64_t missing_ms[RUNNER_FENCE_MEMBERS_MAX];
    int known_count;
    /* Assignments that brought partitions here; the count when the pending description
     * was asked for; the count the last stable description asked after it covered. */
    uint64_t gains, asked, handled;
} runner_fence_t;

/* The changelog side of the open batch and the restore consumer (runner_changelog.c). */
typedef struct runner_changelog {
    rd_kafka_t *restore; /* read_committed consumer of topic.changelog, no group (owned) */
    uint64_t generation; /* of the open batch: older batches' delivery reports are ignored */
    uint64_t produced;   /* changelog records produced in the open batch */
    uint64_t reported;   /* of those, delivery reports served */
    uint64_t failed;     /* records of the open batch (any topic) not delivered */
    char failure[256];   /* why the first of them failed */
    int64_t offsets[STATE_PARTITIONS_MAX]; /* highest delivered offset per partition; -1 */
} runner_changelog_t;

/* Where the batch's transaction is; at_least_once walks the same states without a Kafka
 * transaction. idle → open (runner_txn_begin) → committing (runner_txn_commit: changelog,
 * offsets, commit) → idle; an abortable error goes committing → aborting → idle. Each
 * call asserts the state it needs: a batch begun twice, a produce outside a batch or a
 * commit re-entered from a callback is a bug. */
typedef enum runner_txn_state {
    RUNNER_TXN_IDLE = 0,   /* no batch: records are not produced */
    RUNNER_TXN_OPEN,       /* begun: the batch's outputs are produced into it */
    RUNNER_TXN_COMMITTING, /* its changelog, offsets and commit are on their way */
    RUNNER_TXN_ABORTING,   /* an abortable error: aborting, dropping, rewinding */
} runner_txn_state_t;

/* Input records one loop turn takes at most (polls after the first do not wait): the
 * turn's other work (serving delivery reports, the wallclock timers, the journey and scan
 * checks, the progress line) is done once per this many records, not per record, while a
 * turn stays short (tens of milliseconds of processing at most; the batch-due check is
 * still made before each record). */
#define RUNNER_TURN_RECORDS_MAX 512
/* Index of an input topic in the per-topic arrays. */
enum { RUNNER_SIDE_EVENTS = 0, RUNNER_SIDE_PROFILES = 1 };

/* The open batch's next offset to consume per (side, partition), -1 none, and the
 * entries set, in order; made into r->offsets by runner_offsets_settle. */
typedef struct runner_offsets {
    rd_kafka_topic_t *topics[2]; /* the consumer's events, profiles handles (owned refs) */
    bool ready;                  /* next[] initialised */
    size_t touched_count;
    uint16_t touched[2 * STATE_PARTITIONS_MAX]; /* side * STATE_PARTITIONS_MAX + partition */
    int64_t next[2][STATE_PARTITIONS_MAX];
} runner_offsets_t;

typedef struct runner_counts {
    uint64_t records, decisions, actions, contact_updates, dead_letters, timers_fired;
    uint64_t duplicates; /* input events dropped as already seen (engine_admit.h) */
    uint64_t overlapped; /* 1: the next batch was processed while this one committed */
} runner_counts_t;

/* One output of a batch whose transaction is not begun yet (runner_held.c): its topic
 * (the config's or r->action_topics' string), its key and value in the held bytes. */
typedef struct runner_held_record {
    const char *topic;
    size_t key_at, key_len, value_at, value_len;
    rd_kafka_headers_t *headers; /* owned until produced; NULL: none */
} runner_held_record_t;

typedef struct runner_held {
    runner_held_record_t *records; /* in the order the engine emitted them */
    size_t count, capacity;
    uint8_t *bytes; /* keys and values */
    size_t used, bytes_capacity;
} runner_held_t;

/* The committing batch's commit so far, phase by phase (runner_phase_t), each the time
 * spent in it with its retries and their waits: written by the thread making its calls,
 * read when it ends (runner_txn_outcome). The phases never overlap: exactly_once waits
 * for the acknowledgements between its two transaction calls (docs/observability.md). */
typedef struct runner_commit_phases {
    bool acked;      /* every record of the batch is acknowledged */
    uint64_t ack_us; /* waiting for nothing but the acknowledgements */
    uint64_t txn_us; /* in the transaction calls */
} runner_commit_phases_t;

/* The thread that runs a committing batch's send_offsets and commit (runner_committer.c). */
typedef struct runner_committer {
    pthread_t thread;
    bool running;       /* started and not joined */
    atomic_bool done;   /* its calls returned: a join does not wait */
    rd_kafka_t *producer;
    const rd_kafka_topic_partition_list_t *offsets; /* the batch's (the slot's) */
    rd_kafka_consumer_group_metadata_t *cgmd;       /* owned; NULL once offsets are sent */
    bool offsets_sent;
    bool acked_wait;    /* wait for the acknowledgements before the commit (else leave it
                         * to the commit: a record already failed) */
    bool committed;     /* the commit returned success */
    rd_kafka_error_t *error; /* the failed call's (owned until joined); NULL: none failed */
    runner_commit_phases_t phases; /* its calls' share of the batch's (copied at the join) */
} runner_committer_t;

/* The batch whose transaction commits while the next one is processed (exactly_once,
 * runner_pipeline.c): what it moved out of the runner when it closed — its counters, its
 * metrics and live counts, its consumed offsets — swapped back in when its commit ends.
 * Not active: the spare tables and list the next close swaps out. */
typedef struct runner_inflight {
    bool active;
    bool offsets_sent;  /* send_offsets_to_transaction done; the commit remains */
    uint64_t start_us;  /* when it closed (monotonic): its commit latency starts there */
    runner_counts_t batch;
    admin_table_t metrics, live;
    rd_kafka_topic_partition_list_t *offsets;
    int64_t batch_started_ms;
    runner_committer_t committer;
} runner_inflight_t;

struct runner {
    const sy_config_t *config;
    engine_calls_conf_t *calls;  /* owned (runner_calls.c); NULL: no call tracking */
    runner_journeys_t *journeys; /* owned */
    atomic_int *stop;
    state_store_t *store;
    codec_t *codec;
    schema_registry_t *registry; /* owned; NULL without schema.registry.url */
    engine_t *engine;
    rd_kafka_t *consumer;
    rd_kafka_t *producer;
    kafka_topics_t producer_topics; /* the producer's topic handles */
    char version_text[16];   /* a journey version as text (runner_output.c), "": none */
    int32_t version_text_of; /* the version it is */
    int producer_renewals; /* fatal failures since the last commit (runner_producer_renew) */
    int64_t consumer_renewed_ms; /* when runner_consumer_renew last replaced it; 0 never */
    char *action_topics[SY_CHANNEL__COUNT]; /* <prefix><channel> */
    sy_profile_update_t *profile_update;    /* the one being applied (large: owned) */
    /* The open batch. */
    runner_txn_state_t txn_state;
    int64_t batch_started_ms;
    runner_counts_t batch;
    runner_commit_phases_t commit_phases; /* of the batch committing on this thread */
    rd_kafka_topic_partition_list_t *offsets; /* next offset to consume, per partition:
                                               * built from batch_offsets at commit/abort */
    runner_offsets_t batch_offsets;
    /* Pipelined commits (runner_pipeline.c): the batch committing behind the open one,
     * and the open batch's outputs while its transaction cannot begin (batch_held). */
    runner_inflight_t inflight;
    bool batch_held;
    runner_held_t held;
    rd_kafka_topic_partition_list_t *assigned;
    int64_t last_timer_scan_ms;
    /* Committed totals, read by other threads. */
    _Atomic uint64_t total_records, total_decisions, total_actions, total_contact_updates,
        total_dead_letters, total_timers_fired, total_transactions, total_duplicates,
        total_overlapped;
    /* Commit latency of committed batches, in microseconds (runner_txn.c measures). */
    _Atomic uint64_t commit_us_total, commit_us_max, commit_hist[RUNNER_COMMIT_BUCKETS];
    /* ...and of their phases (runner_phase_t). */
    _Atomic uint64_t phase_us_max[RUNNER_PHASES];
    _Atomic uint64_t phase_hist[RUNNER_PHASES][RUNNER_COMMIT_BUCKETS];
    runner_changelog_t changelog;
    runner_restore_t restore;
    runner_fence_t fence;
    bool cooperative; /* the group's rebalance protocol, as last named (runner_rebalance.c) */
    /* Reload on request (runner_reload_watch): a signal handler sets *reload. */
    atomic_int *reload;
    runner_reload_fn *reload_fn;
    void *reload_opaque;
    /* The last progress line (runner_progress.c): when, and the totals it showed. */
    int64_t progress_last_ms;
    uint64_t progress_records, progress_transactions, progress_dead_letters;
    sy_backoff_t retry;    /* of the failing call being retried; reset by a commit */
    log_limit_t retry_log; /* the retry loops' warnings, once per RUNNER_WAIT_LOG_MS */
    int64_t stop_seen_ms;  /* when a retry loop first saw *stop; 0 not yet */
    bool redo_pending;     /* a batch was aborted and none committed since */
    char redo_why[512];    /* why it was aborted */
    sy_err_t fatal; /* set by callbacks that cannot return an error */
    char fatal_msg[512];
    /* Observability (runner_metrics.c, runner_counts.c). */
    admin_t *admin;           /* owned; NULL: admin.listen empty */
    admin_table_t metrics;    /* the open batch's counters; published when it commits */
    admin_table_t gauges;     /* gauges as last published; node and path counts kept here */
    admin_table_t live;       /* the open batch's live-count deltas, by partition */
    int32_t batch_partition;  /* partition whose record or timers the engine runs now */
    int64_t gauges_ms;        /* when the lag and cache gauges were last measured */
    size_t journey_hint;      /* runner_counts.c: the last journey version looked up */
    runner_move_t moves[RUNNER_MOVES_MAX]; /* runner_counts.c: moves counted before */
    /* runner_counts.c: campaign counts counted before */
    runner_campaign_count_t campaign_counts[RUNNER_CAMPAIGN_COUNTS_MAX];
    campaign_t campaign;      /* counts campaign metrics into r->live (runner_counts.c) */
    runner_scan_t scan;       /* the deploy-time scans (runner_scan.c) */
};

/* ---- observability: runner_metrics.c ---- */

/* Open the admin server when admin.listen is set (r->admin stays NULL otherwise).
 * Errors: as admin_open. */
sy_err_t runner_metrics_open(runner_t *r, char *errbuf, size_t errbuf_size);

/* Stop the admin server and free the tables. */
void runner_metrics_close(runner_t *r);

/* Count an input record of the open batch: its topic and type ("profile", "invalid" or
 * channel.type). No-op without the admin server. */
void runner_metrics_input(runner_t *r, const char *topic, const char *type);

/* Count series of the open batch (family, values[0..n)) by one. No-op without the server. */
void runner_metrics_count(runner_t *r, admin_family_t family, const char *const *values,
                          size_t n);

/* The batch committed in commit_us, of which phase_us[RUNNER_PHASE_*] in each phase:
 * publish its counters and the gauges (the live counts already added by
 * runner_counts_committed). */
void runner_metrics_publish(runner_t *r, uint64_t commit_us,
                            const uint64_t phase_us[RUNNER_PHASES]);

/* The open batch is gone (committed or dropped): forget its counts. */
void runner_metrics_batch_reset(runner_t *r);

/* A batch was aborted to be processed again: count it at once. */
void runner_metrics_abort(runner_t *r);

/* Readiness after an assignment or a revocation (from r->assigned), or during a restore:
 * restoring names the partition being restored (-1: none), done of total restored. */
void runner_metrics_readiness(runner_t *r, int32_t restoring, int done, int total);

/* A restore of partition applied records changelog records. */
void runner_metrics_restored(runner_t *r, int32_t partition, uint64_t records);

/* The loaded journeys changed: hand the server the new set. */
void runner_metrics_journeys(runner_t *r);

/* ---- live counts: runner_counts.c ---- */

/* Count decision d (of r->batch_partition) into the open batch's live counts: the node
 * left loses a contact, the node entered gains one unless it ends the instance (an exit
 * node, a goal:/exit: rule), and the path gains one. Sends not sent (a path out of a
 * send node) are counted as metrics by reason. version: d's journey version as text. */
void runner_counts_decision(runner_t *r, const sy_decision_t *d, const char *version);

/* The campaign_count_fn of r->campaign (ctx: the runner): the count goes into the open
 * batch's live counts of r->batch_partition, staged and committed with them. */
void runner_counts_campaign(void *ctx, const campaign_count_t *count, int64_t delta);

/* A migration moved a contact of partition from (from, node) to (to, node). */
void runner_counts_migrated(runner_t *r, int32_t partition, const journey_t *from,
                            uint16_t from_node, const journey_t *to, uint16_t to_node);

/* Write the batch's changed counts to the store's pending batch (so they commit and are
 * changelogged with it). Errors: SY_ERR_STATE, SY_ERR_NOMEM. */
sy_err_t runner_counts_stage(runner_t *r, char *errbuf, size_t errbuf_size);

/* The batch committed: add its deltas to the node and path gauges. */
void runner_counts_committed(runner_t *r);

/* Read the node and path gauges again from the state of the assigned partitions (after
 * an assignment or a revocation). Errors: SY_ERR_STATE. */
sy_err_t runner_counts_reload(runner_t *r, char *errbuf, size_t errbuf_size);

/* Take the journeys of set (borrowed, outliving the runner) as the loaded versions and
 * note journeys.dir's current state. Errors: SY_ERR_NOMEM, SY_ERR_LIMIT. */
sy_err_t runner_journeys_init(runner_t *r, const journey_set_t *set, char *errbuf,
                              size_t errbuf_size);

/* Free the versions reloads added. NULL-safe. */
void runner_journeys_deinit(runner_t *r);

/* Between batches: every journeys.reload.interval.ms, when journeys.dir changed, load it
 * again, add new versions, hand the engine the new set and migrate contacts in flight
 * as new versions ask (in a transaction of its own). A directory that fails to load is
 * logged and the old set kept. Errors: only what stops the service (Kafka, state). */
sy_err_t runner_journeys_check(runner_t *r, char *errbuf, size_t errbuf_size);

/* Every log.progress.interval.ms, log one info line: records per second, consumer lag
 * of the assigned partitions (from librdkafka's cached watermarks: never waits on the
 * broker), commits and dead letters since the last line. */
void runner_progress_log(runner_t *r);

/* Between batches, at most every RUNNER_SCAN_GAP_MS: one slice of the deploy-time scans
 * (`on_deploy: scan`) of the newest loaded versions over the partitions processed here —
 * journeys.scan.rate contacts a second per partition, entries and cursors in one
 * transaction of its own (an aborted one is redone from the committed cursors by the next
 * slice). Logs each scan's start and end. Errors: what stops the service (Kafka, state). */
sy_err_t runner_scan_step(runner_t *r, char *errbuf, size_t errbuf_size);

/* Move to's migration.from_version contacts of the assigned partitions into to, node by
 * node as its migration map says, and set their timers; one transaction. Logs what it
 * moved. Errors: what stops the service (Kafka, state). */
sy_err_t runner_migrate(runner_t *r, const journey_t *to, char *errbuf, size_t errbuf_size);


/* Start the runner's retry backoff and its rate-limited retry line (runner_retry.c). */
void runner_retry_init(runner_t *r);

/* Between two tries of a failing call that started at tried_at_ms: log why (rate-limited;
 * NULL: nothing), wait the backoff's next delay less the time the try took, waking on a
 * stop request. Returns true to try again, false when the runner must stop trying: a stop
 * request came more than RUNNER_STOP_GRACE_MS ago. */
bool runner_retry_wait(runner_t *r, int64_t tried_at_ms, const char *why);

/* After a success: the next failure's backoff starts from RUNNER_RETRY_INITIAL_MS. */
void runner_retry_reset(runner_t *r);

/* An abortable error in the open batch (why says which): abort the transaction, drop the
 * batch's state, rewind the consumer to the committed offsets, and wait the backoff's
 * delay (cut short by a stop request) before the batch is processed again. A failed
 * abort sets r->fatal. */
void runner_txn_redo(runner_t *r, const char *why);

/* As runner_txn_redo, without the rewind: the consumer that read the batch is being
 * replaced, and its successor reads from the committed offsets. */
void runner_txn_drop(runner_t *r, const char *why);

/* The runner stops on an error: a batch still open when it did is aborted, never
 * committed — not even by the revocation at close, which commits an open batch. Its
 * records' offsets were tracked before they were processed (one may have failed half
 * way); the next start processes them again. */
void runner_txn_abandon(runner_t *r);

/* ---- the transaction's steps, for runner_pipeline.c: runner_txn.c ---- */

/* Close the open batch (→ committing): its offsets settled, its live counts staged, its
 * changelog produced (exactly_once) or everything flushed and the offsets committed
 * (at_least_once). Errors are the commit's (runner_txn_outcome takes them). */
sy_err_t runner_txn_close(runner_t *r, char *errbuf, size_t errbuf_size);

/* The committing batch's offsets (unless offsets_sent) and commit, each retried with
 * backoff while retriable (exactly_once). */
sy_err_t runner_txn_kafka_commit(runner_t *r, bool offsets_sent, char *errbuf,
                                 size_t errbuf_size);

/* The end of the committing batch's commit, err its result (start_us: when it closed):
 * committed → totals, counts, metrics, checkpoint, the state store's commit; abortable or
 * a lost producer → aborted, its state dropped, the consumer rewound when rewind, redone;
 * otherwise aborted and err returned. The batch is closed after (idle). */
sy_err_t runner_txn_outcome(runner_t *r, sy_err_t err, uint64_t start_us, bool rewind,
                            char *errbuf, size_t errbuf_size);

/* Abort and drop the open (or committing) batch, rewinding the consumer when rewind, then
 * wait the backoff's delay. */
void runner_txn_batch_redo(runner_t *r, const char *why, bool rewind);

/* The runner stops: the open (or committing) batch is aborted, one try; none: no-op. */
void runner_txn_batch_abandon(runner_t *r);

/* A librdkafka transactional error as a switchyard error, what and its text in errbuf
 * (error destroyed). */
sy_err_t runner_txn_error(rd_kafka_error_t *error, const char *what, char *errbuf,
                          size_t errbuf_size);

/* ---- pipelined commits: runner_pipeline.c ---- */

/* The due open batch (exactly_once): closed, its state sealed, and its commit started; the
 * next batch is processed while it commits (its outputs held until then). A batch still
 * committing is finished first. Errors: as runner_txn_commit. */
sy_err_t runner_pipeline_close(runner_t *r, char *errbuf, size_t errbuf_size);

/* One look at the committing batch, without waiting: still on its way (SY_OK), or ended
 * (as runner_pipeline_finish). */
sy_err_t runner_pipeline_drive(runner_t *r, char *errbuf, size_t errbuf_size);

/* Wait for the committing batch's commit to end (retried with backoff; a stop request
 * ends the tries). Committed: its state folded, and the open batch's transaction begun
 * with its held outputs. Failed: both batches dropped, the consumer rewound to the
 * committed offsets when rewind. No-op when none commits. Errors: as runner_txn_commit. */
sy_err_t runner_pipeline_finish(runner_t *r, bool rewind, char *errbuf, size_t errbuf_size);

/* Free the spare tables and list. */
void runner_pipeline_free(runner_t *r);

/* ---- the commit's blocking calls on a thread: runner_committer.c ---- */

/* Start the thread: offsets (the committing batch's; unless offsets_sent) sent to the
 * transaction with the consumer's group metadata, the batch's records waited for (unless
 * one already failed: r->changelog.failed), then the commit; one call each, each timed
 * into the committer's phases. False when no thread could be started (the caller commits
 * on its own thread). */
bool runner_committer_start(runner_t *r, const rd_kafka_topic_partition_list_t *offsets,
                            bool offsets_sent);

/* Is a committer started and not joined? The loop does not touch the producer then. */
bool runner_committer_running(const runner_t *r);

/* Have its calls returned (a join would not wait)? */
bool runner_committer_done(runner_t *r);

/* Wait for the thread: the failed call's error (the caller's; NULL: none failed),
 * whether the offsets were sent and whether the transaction committed (not when the
 * records were not all acknowledged within the wait's slice: no call failed, none made).
 * Its phases go to r->commit_phases. */
rd_kafka_error_t *runner_committer_join(runner_t *r, bool *offsets_sent, bool *committed);

/* If a committer runs, wait for it (its calls return within their slices) and drop its
 * error: the batch it commits is abandoned, or the runner torn down. No-op otherwise. */
void runner_committer_discard(runner_t *r);

/* ---- outputs held while the batch before commits: runner_held.c ---- */

/* Hold one output (key and value copied, headers taken). SY_ERR_KAFKA_ABORT on out of
 * memory (r->fatal_msg says so). */
sy_err_t runner_held_add(runner_t *r, const char *topic, const void *key, size_t key_len,
                         const void *value, size_t value_len, rd_kafka_headers_t *headers);

/* Forget the held outputs. */
void runner_held_drop(runner_t *r);

/* Free the held outputs' memory. NULL-safe. */
void runner_held_free(runner_t *r);

/* ---- the batch's consumed offsets: runner_offsets.c ---- */

/* Which input topic m is from (RUNNER_SIDE_*). */
int runner_offsets_side(runner_t *r, const rd_kafka_message_t *m);

/* Release the consumer's topic handles (before the consumer is destroyed or replaced). */
void runner_offsets_detach(runner_t *r);

/* Record m (of side, a partition processed here) as consumed by the open batch. */
void runner_offsets_track(runner_t *r, int side, const rd_kafka_message_t *m);

/* Write the batch's offsets into r->offsets (for send_offsets, the flush's commit, the
 * rewind). Idempotent. */
void runner_offsets_settle(runner_t *r);

/* Forget the batch's offsets (a new batch). */
void runner_offsets_reset(runner_t *r);

/* runner_kafka.c: a librdkafka conf holding the config's kafka.* properties, its log
 * lines through switchyard's logger, and socket.nagle.disable = true unless the config
 * gives it; NULL when a property is refused (errbuf says which). */
rd_kafka_conf_t *runner_client_conf(const sy_config_t *c, char *errbuf, size_t errbuf_size);

/* runner_consumer.c: open the consumer in the config's group (reading committed records, offsets
 * committed only through transactions, static membership and cooperative-sticky unless
 * configured otherwise) and subscribe it to the events topic. */
sy_err_t runner_consumer_open(runner_t *r, char *errbuf, size_t errbuf_size);

/* runner_kafka.c: set name to value unless the config's kafka.* properties give it; 0 when
 * refused (errbuf says why). */
int runner_conf_default(const sy_config_t *c, rd_kafka_conf_t *conf, const char *name,
                        const char *value, char *errbuf, size_t errbuf_size);

/* runner_kafka.c: set one property of conf; 0 when refused (errbuf says why). */
int runner_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                    char *errbuf, size_t errbuf_size);

/* runner_kafka.c: open the producer (transactional under exactly_once, its transactions
 * initialised with backoff while the broker is away; idempotent otherwise) and name the
 * action topics. */
sy_err_t runner_producer_open(runner_t *r, char *errbuf, size_t errbuf_size);

/* runner_kafka.c: replace a producer that failed fatally (exactly_once) by a new one with the
 * same transactional.id, whose init fences the old and aborts what it left open; the
 * caller drops the batch and rewinds. Not when another producer fenced this one, nor after
 * RUNNER_PRODUCER_RENEWALS_MAX renewals without a commit: SY_ERR_KAFKA_FATAL. Waits (with
 * backoff and the stop check) while the broker is away: SY_ERR_KAFKA_RETRIABLE if told
 * to stop first. */
sy_err_t runner_producer_renew(runner_t *r, char *errbuf, size_t errbuf_size);

/* runner_consumer.c: replace a consumer that failed fatally (why says how; a static member
 * is fenced when the broker lost its session and librdkafka rejoined under a new member
 * id): the open batch is dropped, every partition is forgotten as lost, and a new consumer
 * joins the group. Failing again within RUNNER_CONSUMER_RENEW_GAP_MS of the last
 * replacement: SY_ERR_KAFKA_FATAL (another instance may hold the same group.instance.id). */
sy_err_t runner_consumer_renew(runner_t *r, const char *why, char *errbuf, size_t errbuf_size);

/* runner_rebalance.c: forget every assigned partition as lost (between batches), the
 * consumer that held them being gone. */
void runner_partitions_drop_all(runner_t *r);

/* Begin a transaction unless one is open. */
sy_err_t runner_txn_begin(runner_t *r, char *errbuf, size_t errbuf_size);

/* Commit the open transaction with the batch's offsets, then the state. An abortable
 * error aborts, drops the batch's state and rewinds the consumer to redo it. */
sy_err_t runner_txn_commit(runner_t *r, char *errbuf, size_t errbuf_size);

/* The consumer's rebalance callback (runner_rebalance.c): new partitions are assigned
 * paused and queued for the background restore; revoked ones commit the open batch
 * first, lost ones abort it. Cooperative or eager, as the group's protocol is. */
void runner_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *partitions, void *opaque);

/* runner_restore.c: events partition p and profiles partition p, the pair one instance
 * owns together (the group assigns events partitions; the profiles follow). */
rd_kafka_topic_partition_list_t *runner_partition_pair(const runner_t *r, int32_t p);

/* runner_restore.c: the live counts, gauges and readiness of what is now assigned
 * (r->assigned and the restores); a failure sets r->fatal. */
void runner_assigned_counted(runner_t *r);

/* The engine sink that encodes and produces outputs into the open transaction. */
extern const engine_sink_t runner_sink_template;

/* Produce one record (value NULL: a tombstone) to topic at partition
 * (RD_KAFKA_PARTITION_UA: by key), waiting while librdkafka's queue is full. headers are
 * taken. changelog marks the records whose delivery gives the checkpoint.
 * Errors: SY_ERR_KAFKA_ABORT (the batch must be redone; r->fatal_msg says why). */
sy_err_t runner_produce(runner_t *r, const char *topic, int32_t partition, const void *key,
                        size_t key_len, const void *value, size_t value_len,
                        rd_kafka_headers_t *headers, bool changelog);

/* The opaque of a record of the open batch (changelog: one whose delivery gives the
 * checkpoint), for its delivery report (runner_delivery_cb). */
void *runner_produce_opaque(const runner_t *r, bool changelog);

/* A produce to topic failed with err: r->fatal_msg says so. SY_ERR_KAFKA_ABORT. */
sy_err_t runner_produce_failed(runner_t *r, const char *topic, rd_kafka_resp_err_t err);

/* The producer's delivery report callback: counts failures of the open batch and the
 * highest delivered changelog offset per partition. opaque is the runner. */
void runner_delivery_cb(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque);

/* Open the restore consumer. Errors: SY_ERR_CONFIG (librdkafka refused the config). */
sy_err_t runner_changelog_open(runner_t *r, char *errbuf, size_t errbuf_size);

/* Close the restore consumer. NULL-safe. */
void runner_changelog_close(runner_t *r);

/* Start the changelog bookkeeping of a new batch. */
void runner_changelog_batch_reset(runner_t *r);

/* Produce every state change of the open batch to topic.changelog, partition = the
 * state's partition, key = column family byte + state key, value = the state value or a
 * tombstone. Errors: SY_ERR_KAFKA_ABORT (redo the batch). */
sy_err_t runner_changelog_produce(runner_t *r, char *errbuf, size_t errbuf_size);

/* After the batch's records are committed in Kafka: note in the pending state batch,
 * per partition, the highest changelog offset delivered, the checkpoint a restore
 * starts after. Serves the outstanding delivery reports first (bounded wait). */
void runner_changelog_checkpoint(runner_t *r);

/* Whether input record m belongs to a partition this instance processes now. A record of
 * a partition being restored (delivered before its pause took hold) is noted, to be read
 * again at resume; one of a partition no longer ours is dropped. */
bool runner_restore_admit(runner_t *r, const rd_kafka_message_t *m);

/* Queue events partition p (just assigned, paused) for the background restore. */
void runner_restore_add(runner_t *r, int32_t p);

/* Keep (want) or stop keeping events partition p, not assigned here, as a standby: its
 * changelog tailed from the checkpoint into the state. Errors: as runner_restore_step. */
sy_err_t runner_restore_standby(runner_t *r, int32_t p, bool want, char *errbuf,
                                size_t errbuf_size);

/* runner_standby.c: between batches, with state.standby.replicas > 0, after a rebalance
 * or every RUNNER_STANDBY_LOOK_MS: describe the group and keep this instance's share of
 * the standby placement (docs/scaling.md): for each partition, the standby.replicas + 1
 * members that rank highest by a hash of (member, partition), but for its owner.
 * A description that fails is tried again later. Errors: as runner_restore_step. */
sy_err_t runner_standby_place(runner_t *r, char *errbuf, size_t errbuf_size);

/* runner_standby.c: drop the description asked for, if any (before the consumer goes). */
void runner_standby_forget(runner_t *r);

/* runner_fence.c: whether this instance fences members that left the group (exactly_once,
 * client.id left to switchyard, which sets it to the transactional.id). */
bool runner_fence_enabled(const runner_t *r);

/* runner_fence.c: given a stable description g of the group, fence (init_transactions
 * under its transactional.id) every remembered member missing from g, if partitions were
 * assigned here before g was asked for (r->fence.asked) and after the last description
 * that did so; then remember g's members, and, when g could not fence, the members it
 * lacks (for RUNNER_FENCE_MISSING_MS: a description asked before the gain may be answered
 * after the member left). A fence that fails is logged and left to the broker's
 * transaction timeout. */
void runner_fence_vanished(runner_t *r, const rd_kafka_ConsumerGroupDescription_t *g);

/* Partition p was revoked: stop restoring it (what was applied stays, with its
 * checkpoint). Returns whether it was being restored. */
bool runner_restore_drop(runner_t *r, int32_t p);

/* Might the restore or the standbys write to the store between batches: partitions
 * restoring, a group description on its way, or standbys configured (placed, or to be
 * placed)? When not, runner_standby_place and runner_restore_step have nothing to do. */
bool runner_restore_work_pending(const runner_t *r);

/* Between batches (no transaction open): one slice of the background restore — read
 * the changelog partitions being restored, several at once in batches, for at most
 * RUNNER_RESTORE_SLICE_MS, apply their records and commit the store with their
 * checkpoints. A partition that reached its end (the last stable offset: read_committed)
 * is resumed in the consumer and joins r->assigned. No-op when nothing is restored.
 * Errors: SY_ERR_CONFIG (no such changelog topic or partition), SY_ERR_STATE,
 * SY_ERR_INVALID_ARG (a record this version cannot read). */
sy_err_t runner_restore_step(runner_t *r, char *errbuf, size_t errbuf_size);

/* Wait until every record the producer holds is delivered, or one of the batch's failed
 * (r->changelog.failed: SY_OK, the caller reads it), each flush call a slice of its own
 * and a warning every RUNNER_WAIT_LOG_MS; a stop request gets the runner's grace, then
 * SY_ERR_KAFKA_RETRIABLE with errbuf saying what (the batch's what) was left. */
sy_err_t runner_flush_wait(runner_t *r, const char *what, char *errbuf, size_t errbuf_size);

/* at_least_once: wait until the batch's outputs are delivered, produce its changelog
 * records and wait for them, then commit the consumed offsets (runner_flush.c).
 * Errors: SY_ERR_KAFKA_ABORT (a record was not delivered: redo the batch),
 * SY_ERR_KAFKA_RETRIABLE (told to stop while the broker was away). */
sy_err_t runner_flush_commit(runner_t *r, char *errbuf, size_t errbuf_size);

/* Produce msg as a dead letter with the reason; headers name where it came from. */
sy_err_t runner_dead_letter(runner_t *r, const rd_kafka_message_t *msg, sy_err_t reason,
                            const char *reason_text, char *errbuf, size_t errbuf_size);

/* runner_calls.c: call tracking from calls.file or calls.inline (none when neither is
 * set): the conf checked against the journeys and handed to the engine with the events
 * topic's partition count, whose partitions share each pool's numbers. Errors:
 * SY_ERR_CONFIG, SY_ERR_KAFKA_FATAL (no metadata), SY_ERR_NOMEM. */
sy_err_t runner_calls_open(runner_t *r, char *errbuf, size_t errbuf_size);
void runner_calls_close(runner_t *r);

#endif
