/* simulate.h — journeys run over a JSON-lines event file in event time, without Kafka: the
 * work behind `switchyard simulate` (docs/simulate.md). Events go to the engine exactly as
 * the service feeds them in `time.mode = event`; state lives in an in-memory store that
 * dies with the simulation; every output is written as one JSON line. Not the command
 * line (cli_simulate.c) and not the line format (event_json.h). */
#ifndef SY_SIMULATE_H
#define SY_SIMULATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sy_error.h"

/* Input records and fired timers between two commits of the store: the service's default
 * batch.records.max is of this order, and it bounds the store's pending batch. */
#define SIMULATE_COMMIT_RECORDS 10000

/* `--until end` fires timers due at most this long after the latest input time. Journeys
 * may loop through a wait, so "every pending timer" needs an end; no marketing journey
 * waits anywhere near five years. */
#define SIMULATE_END_HORIZON_MS (INT64_C(5) * 366 * 24 * 3600 * 1000)

typedef enum simulate_until {
    SIMULATE_UNTIL_END,   /* fire every pending timer in due order (within the horizon) */
    SIMULATE_UNTIL_TIME,  /* fire the timers due at or before until_ms */
    SIMULATE_UNTIL_AFTER, /* fire the timers due at or before latest input time + until_ms */
} simulate_until_t;

typedef struct simulate_conf {
    const char *journeys_dir; /* borrowed for simulate_open */
    const char *output_path;  /* where the JSON lines go; NULL or "-": stdout. Borrowed */
    int32_t partitions;       /* 1..STATE_PARTITIONS_MAX; contacts hashed onto them */
    simulate_until_t until;
    int64_t until_ms;         /* TIME: epoch ms; AFTER: a duration >= 0 */
} simulate_conf_t;

typedef struct simulate_stats {
    uint64_t events;
    uint64_t profile_updates;
    uint64_t decisions;
    uint64_t actions;
    uint64_t contact_updates;
    uint64_t timers_fired;  /* stale ones included, as engine_fire_timers counts */
    bool timers_left;       /* UNTIL_END: timers beyond the horizon were left unfired */
} simulate_stats_t;

typedef struct simulate simulate_t;

/* Load the journeys of conf->journeys_dir, then create (truncate) the output file, and
 * open an empty in-memory store and an engine writing to it; a journey error leaves the
 * output untouched. *out is set only on success. Errors: whatever journey_set_load_dir
 * returns (SY_ERR_JOURNEY, SY_ERR_IO, SY_ERR_LIMIT: errbuf names file:line:column),
 * SY_ERR_IO when the output cannot be created, SY_ERR_INVALID_ARG for a partition count
 * out of range, SY_ERR_STATE, SY_ERR_NOMEM. */
sy_err_t simulate_open(simulate_t **out, const simulate_conf_t *conf, char *errbuf,
                       size_t errbuf_size);

/* Close the output and drop the store. simulate_close(NULL) is a no-op. */
void simulate_close(simulate_t *sim);

/* Apply every line of input (borrowed; source names it in messages) in file order. For a
 * record at time t of partition p: when t is past p's stream time, p's timers due before
 * t fire, then p's time becomes t; then the event goes to the engine (a profile update to
 * the store). Stops at the first bad line. Errors: SY_ERR_INVALID_RECORD and SY_ERR_LIMIT
 * for the input's fault (errbuf reads "SOURCE:LINE: problem"); SY_ERR_IO when input
 * cannot be read; SY_ERR_STATE and the engine's other errors. May be called for several
 * inputs in turn. */
sy_err_t simulate_feed(simulate_t *sim, FILE *input, const char *source, char *errbuf,
                       size_t errbuf_size);

/* After the input: advance time as conf->until says, firing timers in due order across
 * partitions (ties: lower partition first), commit, and flush and close the output: call
 * it once, last. Errors:
 * SY_ERR_IO when the output could not be written, SY_ERR_STATE, the engine's errors. */
sy_err_t simulate_finish(simulate_t *sim, char *errbuf, size_t errbuf_size);

/* Counts so far. */
void simulate_stats_get(const simulate_t *sim, simulate_stats_t *out);

/* The partition of contact_id among partitions: Kafka's default partitioner (murmur2 of
 * the key, sign bit cleared, modulo the count), so it is the partition the events topic
 * would give it. Pure. */
int32_t simulate_partition(const char *contact_id, int32_t partitions);

#endif
