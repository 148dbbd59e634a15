/* simulate.h — the event-time driver of offline runs: journeys run over JSON-lines records
 * (`switchyard simulate`, docs/simulate.md) or Kafka records (`switchyard replay`,
 * docs/replay.md), fed to the engine exactly as the service feeds it in `time.mode = event`.
 * State is an in-memory store that dies with the run, or a RocksDB directory; outputs are
 * JSON lines (output_json.h) or any engine sink. Not the command lines (cli_simulate.c,
 * cli_replay.c) and not the line format (event_json.h). */
#ifndef SY_SIMULATE_H
#define SY_SIMULATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "campaign_report.h"
#include "engine.h"
#include "engine_admit.h"
#include "engine_calls.h"
#include "engine_safety.h"
#include "journey.h"
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
    SIMULATE_UNTIL_INPUT, /* fire no more timers than the input's own times fired */
} simulate_until_t;

typedef struct simulate_conf {
    const char *journeys_dir; /* borrowed for simulate_open */
    const char *output_path;  /* where the JSON lines go; NULL or "-": stdout. Borrowed */
    const engine_sink_t *sink; /* when not NULL, outputs go here instead of output_path;
                                * borrowed for simulate_open, its ctx must outlive sim */
    const char *state_dir;    /* NULL: in memory; else a RocksDB store there, created when
                               * missing, continued from what it holds. Borrowed */
    int32_t partitions;       /* 1..STATE_PARTITIONS_MAX; contacts hashed onto them */
    simulate_until_t until;
    int64_t until_ms;         /* TIME: epoch ms; AFTER: a duration >= 0 */
    const engine_admit_conf_t *admit; /* time skew and dedup; NULL: the defaults. Borrowed
                                       * for simulate_open */
    const engine_safety_conf_t *safety; /* consent and suppression; NULL: the defaults.
                                         * Borrowed for simulate_open */
    const journey_load_opts_t *journey_opts; /* validation limits; NULL: the defaults.
                                              * Borrowed for simulate_open */
    campaign_report_t *report; /* not NULL: campaign metrics are counted into it, as the
                                * service counts them (borrowed; outlives sim) */
    const engine_calls_conf_t *calls; /* call tracking; NULL: none. Borrowed, outlives sim */
    /* The partitions call tracking shares each pool among (engine_calls_owner): the
     * events topic's count; 0: partitions. */
    int32_t calls_partitions;
    /* Not NULL: called by simulate_finish before each firing of its timers, with the
     * partition and the due time fired (firings come in due order, ties: lower partition
     * first), so a caller merging several drivers' outputs knows where each firing's
     * outputs start (replay_parallel.c). Called on simulate_finish's thread. */
    void (*on_timer_firing)(void *ctx, int32_t partition, int64_t due_ms);
    void *firing_ctx;
} simulate_conf_t;

/* What a service config sets for an offline run, as it does for the service: admission
 * (events.*), consent and safety (consent.*, safety.*), journey validation
 * (journeys.loop.period.min.ms). Its Kafka options are not used. */
typedef struct simulate_settings {
    engine_admit_conf_t admit;
    engine_safety_conf_t safety;
    journey_load_opts_t journey_opts;
    engine_calls_conf_t *calls; /* owned: calls.file or calls.inline; NULL: none */
} simulate_settings_t;

/* Fill settings from config (borrowed; NULL: the defaults) and point conf's admit, safety,
 * journey_opts and calls at them: settings must outlive conf; free them with
 * simulate_settings_free, also after an error. Errors: SY_ERR_CONFIG, errbuf names the
 * option (or the calls document's file, line and column), SY_ERR_NOMEM. */
sy_err_t simulate_settings_apply(simulate_conf_t *conf, simulate_settings_t *settings,
                                 const sy_config_t *config, char *errbuf,
                                 size_t errbuf_size);

/* Free what settings own (the calls conf). */
void simulate_settings_free(simulate_settings_t *settings);

typedef struct simulate_stats {
    uint64_t events;
    uint64_t profile_updates;
    uint64_t decisions;
    uint64_t actions;
    uint64_t contact_updates;
    uint64_t conversions;   /* conversion records of attributed calls (engine_calls.h) */
    uint64_t timers_fired;  /* stale ones included, as engine_fire_timers counts */
    uint64_t input_faults;  /* records simulate_feed_frame returned as the input's fault */
    uint64_t duplicates;    /* events dropped: their id was seen (engine_admit.h) */
    uint64_t dead_letters;  /* lines of simulate_feed with an implausible time */
    uint64_t suppressed;    /* sends the gate stopped: consent, lists (engine_safety.h) */
    uint64_t capped;        /* sends over a frequency cap, skipped or routed */
    uint64_t held;          /* holds: quiet hours, or a cap with on_capped delay */
    uint64_t fatigued;      /* sends skipped or routed by a fatigue rule */
    bool timers_left;       /* UNTIL_END: timers beyond the horizon were left unfired */
} simulate_stats_t;

typedef struct simulate simulate_t;

/* Load the journeys of conf->journeys_dir, then create (truncate) the output file (unless
 * conf->sink is set), and open the store (in memory, or conf->state_dir) and an engine
 * writing to the output; a journey error leaves the output untouched. *out is set only
 * on success. Errors: whatever journey_set_load_dir
 * returns (SY_ERR_JOURNEY, SY_ERR_IO, SY_ERR_LIMIT: errbuf names file:line:column),
 * SY_ERR_IO when the output cannot be created, SY_ERR_INVALID_ARG for a partition count
 * out of range, SY_ERR_STATE, SY_ERR_NOMEM. */
sy_err_t simulate_open(simulate_t **out, const simulate_conf_t *conf, char *errbuf,
                       size_t errbuf_size);

/* Close the output and drop the store. simulate_close(NULL) is a no-op. */
void simulate_close(simulate_t *sim);

/* Apply every line of input (borrowed; source names it in messages) in file order. An
 * event first passes engine_admit_event as in the service: one with an implausible time
 * becomes a dead-letter line of the output (topic: source, offset: its line number) and
 * moves no time; a duplicate is counted and dropped. For an event at time t of partition
 * p: when t is past p's stream time, p's timers due before t fire, then p's time becomes
 * t; then the event goes to the engine. A profile update
 * goes to the store and moves no time, as in the service. Stops at the first bad line.
 * Errors: SY_ERR_INVALID_RECORD and SY_ERR_LIMIT for the input's fault (errbuf reads
 * "SOURCE:LINE: problem"); SY_ERR_IO when input cannot be read; SY_ERR_STATE and the
 * engine's other errors. May be called for several inputs in turn. */
sy_err_t simulate_feed(simulate_t *sim, FILE *input, const char *source, char *errbuf,
                       size_t errbuf_size);

/* Apply one Kafka record of partition (0..conf->partitions-1, the recorded partition, with
 * its own event time): frame is a Confluent wire frame, borrowed for the call. Its schema
 * id says what it is: an engagement event goes to the engine and a profile update to the
 * store, as simulate_feed applies a line. Returns SY_OK with *fault = SY_OK when it was
 * applied, and SY_OK with *fault set (errbuf holds the reason) when the record is the
 * input's fault, as the service dead-letters it: it does not decode
 * (sy_err_is_input_fault), is neither an event nor a profile update (SY_ERR_WRONG_SCHEMA),
 * or breaks a limit (SY_ERR_LIMIT: a contact id over SY_ID_BYTES_MAX, a profile too large,
 * a partition out of range). Other errors stop the run: SY_ERR_STATE, the engine's. */
sy_err_t simulate_feed_frame(simulate_t *sim, int32_t partition, const void *frame,
                             size_t frame_len, sy_err_t *fault, char *errbuf,
                             size_t errbuf_size);

/* Parse `--until`: end, input (fire no timer the input did not pass: for a run that a
 * later one continues from a state directory), a time (ISO-8601 or epoch ms), or
 * +DURATION. Returns 0 for a value that is none of these. */
int simulate_until_parse(const char *text, simulate_conf_t *conf);

/* After the input: advance time as conf->until says, firing timers in due order across
 * partitions (ties: lower partition first), commit, and flush and close the output (a
 * conf->sink is the caller's to flush): call it once, last. Errors:
 * SY_ERR_IO when the output could not be written, SY_ERR_STATE, the engine's errors. */
sy_err_t simulate_finish(simulate_t *sim, char *errbuf, size_t errbuf_size);

/* The latest input event time sim has seen (INT64_MIN before any): what simulate_finish
 * measures `--until end` and `+DURATION` from. */
int64_t simulate_latest_ms(const simulate_t *sim);

/* Raise sim's latest input time to latest_ms when it is later: drivers that shared one
 * input among them by partition (replay_parallel.c) each finish from the input's latest
 * time, as one driver would. */
void simulate_latest_raise(simulate_t *sim, int64_t latest_ms);

/* The journeys sim runs: borrowed, valid until simulate_close. */
const journey_set_t *simulate_journeys(const simulate_t *sim);

/* Counts so far. */
void simulate_stats_get(const simulate_t *sim, simulate_stats_t *out);

/* The partition of contact_id among partitions: Kafka's default partitioner (murmur2 of
 * the key, sign bit cleared, modulo the count), so it is the partition the events topic
 * would give it. Pure. */
int32_t simulate_partition(const char *contact_id, int32_t partitions);

#endif
