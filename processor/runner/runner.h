/* runner.h — the service loop of `switchyard run`: consume engagement events and
 * profile updates in a consumer group, run the engine, and commit outputs, dead letters,
 * changelog records and consumed offsets in one Kafka transaction per batch (or flushed,
 * then committed, under at_least_once), then the state the batch produced. Assigned
 * partitions are restored from the changelog first. Journey files are reloaded when
 * journeys.dir changes. */
#ifndef SY_RUNNER_H
#define SY_RUNNER_H

#include <stdatomic.h>
#include <stdint.h>

#include "config.h"
#include "journey.h"
#include "sy_error.h"

typedef struct runner runner_t;

/* Buckets of the commit-latency histogram: upper bounds from 1 ms to 30 s in steps of
 * about a quarter below 100 ms (where loopback commits fall), coarser above; the last
 * counts everything longer. 30 s is RUNNER_TXN_TIMEOUT_MS, the longest a call waits. */
#define RUNNER_COMMIT_BUCKETS 28

/* The phases of a committed batch's commit (docs/observability.md), each with its retries:
 * waiting for the broker to acknowledge the batch's records, after any transaction call
 * made meanwhile (at_least_once: the flushes); and the transaction calls (send offsets,
 * commit; at_least_once: the offsets commit). They never overlap. */
typedef enum runner_phase {
    RUNNER_PHASE_ACKNOWLEDGE = 0,
    RUNNER_PHASE_TRANSACTION,
    RUNNER_PHASES
} runner_phase_t;

/* Counts of what committed transactions hold. Read from any thread. */
typedef struct runner_stats {
    uint64_t records;        /* input records consumed */
    uint64_t decisions;
    uint64_t actions;
    uint64_t contact_updates;
    uint64_t dead_letters;
    uint64_t timers_fired;
    uint64_t duplicates;   /* input events dropped as already seen */
    uint64_t transactions;
    uint64_t overlapped;   /* of those, committed while the next batch was processed */
    /* Time each committed batch took to become durable in Kafka, retries included:
     * exactly_once, producing its changelog records, sending the offsets and committing
     * the transaction; at_least_once, flushing the outputs and committing the offsets. */
    double commit_ms_total;
    double commit_ms_max;
    uint64_t commit_ms_histogram[RUNNER_COMMIT_BUCKETS]; /* see runner_commit_ms_quantile */
    /* The same of each phase of those commits (runner_phase_t), in the same buckets. */
    double phase_ms_max[RUNNER_PHASES];
    uint64_t phase_ms_histogram[RUNNER_PHASES][RUNNER_COMMIT_BUCKETS];
} runner_stats_t;

/* Open the state store, the codec, the consumer, the changelog's restore consumer and
 * the (exactly_once: transactional) producer (this waits for the broker to initialise
 * the transactions; it retries while the broker is unreachable, until stop is set).
 * config and journeys (the versions loaded at start) are borrowed and outlive the
 * runner; versions later reloads add are the runner's. stop is polled (a signal handler
 * or another thread sets it).
 * Errors: SY_ERR_STATE, SY_ERR_CONFIG, SY_ERR_KAFKA_FATAL. */
sy_err_t runner_open(runner_t **out, const sy_config_t *config, const journey_set_t *journeys,
                     atomic_int *stop, char *errbuf, size_t errbuf_size);

/* Called by the runner, on its thread, when a reload was asked for, before it loads
 * journeys.dir again: the caller re-reads the options it can change while running. */
typedef void runner_reload_fn(void *opaque);

/* Watch *reload (a signal handler sets it; borrowed, outlives the runner): when it is
 * set, the runner clears it and, at the next point between batches, calls fn (may be
 * NULL) with opaque and loads journeys.dir again whether or not its files look changed. */
void runner_reload_watch(runner_t *runner, atomic_int *reload, runner_reload_fn *fn,
                         void *opaque);

/* Process until *stop is set, then finish the batch, commit and leave the group.
 * Returns SY_OK after a clean stop, or the fatal error that ended the loop. */
sy_err_t runner_run(runner_t *runner, char *errbuf, size_t errbuf_size);

/* A snapshot of the committed counts. Thread-safe. */
void runner_stats_get(const runner_t *runner, runner_stats_t *out);

/* The q-quantile (0 < q <= 1) of the commit latencies in s, in milliseconds: the upper
 * bound of the histogram bucket that holds it, never above commit_ms_max; 0 without
 * commits. Thread-safe (reads s only). */
double runner_commit_ms_quantile(const runner_stats_t *s, double q);

/* As runner_commit_ms_quantile, of one phase of the commits (phase < RUNNER_PHASES). */
double runner_phase_ms_quantile(const runner_stats_t *s, runner_phase_t phase, double q);

/* runner_close(NULL) is a no-op. */
void runner_close(runner_t *runner);

#endif
