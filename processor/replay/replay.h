/* replay.h — `switchyard replay`: journeys re-run in event time over Kafka records, read
 * from recording files or a topic range, through the one event-time driver (simulate.h),
 * into JSON lines or the config's output topics; and its what-if mode, two versions of the
 * journeys over the same records, counted node by node and path by path (docs/replay.md).
 * Not the option parsing (cli_replay.c) and not the recording format (recording.h). */
#ifndef SY_REPLAY_H
#define SY_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "simulate.h"
#include "sy_error.h"
#include "topic_reader.h"

/* Most workers --threads takes: more than the cores of any box replay runs on (a worker
 * is a byte in a block's record table). */
#define REPLAY_THREADS_MAX 64

typedef struct replay_conf {
    const char *journeys_dir;         /* borrowed */
    const char *const *recordings;    /* read in this order; borrowed */
    size_t recordings_count;          /* 0: read conf->topic instead */
    const topic_reader_conf_t *topic; /* borrowed; used when recordings_count is 0 */
    /* With topic: a profiles topic read whole (beginning to its end) before topic's range,
     * so the events find their contacts' profiles; NULL: none. Its reader takes topic's
     * conf but the topic name, every partition and the whole range. Borrowed. */
    const char *profiles_topic;
    const char *output_path;          /* JSON lines; NULL or "-": stdout. Borrowed */
    const sy_config_t *output_config; /* not NULL: produce to its output topics instead */
    const char *output_bootstrap;     /* overrides the output config's bootstrap, or NULL */
    const char *state_dir;            /* NULL: fresh in-memory state. Borrowed */
    /* Workers running the partitions in parallel (the output is the same bytes): 0, the
     * online CPU count capped at 4; 1, one driver on this thread. A run with state_dir,
     * an output config (Kafka output) or call tracking uses one whatever this says. */
    int threads;
    int32_t partitions;               /* partitions of the driver: 1 + the highest one read */
    /* The partition count of the events topic the input comes from: call tracking shares
     * each pool among that many partitions, as the service does. 0: unknown (with a
     * topic, its own count is taken; with recordings a calls config is then refused). */
    int32_t events_partitions;
    simulate_until_t until;           /* timers after the input, as simulate's --until */
    int64_t until_ms;
    FILE *progress;                   /* progress and summary lines; borrowed, or NULL */
    /* Not NULL: after the run, the campaign metrics (campaign_report.h) are written here,
     * a table or (report_json) JSON; the outputs then go to output_path or the output
     * config's topics when one is given, and nowhere otherwise. Borrowed. */
    FILE *report;
    bool report_json;
} replay_conf_t;

typedef struct replay_stats {
    uint64_t records;        /* Kafka records read */
    uint64_t dead_letters;   /* records that were the input's fault */
    simulate_stats_t run;    /* the driver's counts (of the base version in what-if) */
} replay_stats_t;

/* Where the error of replay_run or replay_what_if arose: the exit code depends on it. */
typedef enum replay_stage {
    REPLAY_STAGE_OPEN, /* journeys, inputs, outputs, state: the user's arguments */
    REPLAY_STAGE_RUN,  /* reading, running or writing */
} replay_stage_t;

/* Replay conf's input into its output (and its campaign report, with conf->report).
 * Records that are the input's fault become dead letters (their topic, partition, offset
 * and reason) and the replay goes on. Progress
 * is drawn on conf->progress when it is a terminal. Fills *stats also on error, and sets
 * *stage on error. Errors: those of simulate_open (SY_ERR_JOURNEY, ...), recording and
 * topic reader errors (SY_ERR_IO for a missing file, SY_ERR_MALFORMED, SY_ERR_KAFKA_*),
 * SY_ERR_CONFIG for the producer, output errors. */
sy_err_t replay_run(const replay_conf_t *conf, replay_stats_t *stats, replay_stage_t *stage,
                    char *errbuf, size_t errbuf_size);

/* Run conf->journeys_dir (base) and what_if_dir over conf's input, each with its own
 * in-memory state and no outputs, and print to report, per journey, each node with the
 * routing decisions into it under each version, and each branch path (from node and path)
 * with the decisions taking it, and the difference (what-if minus base); '-' where one
 * version has no such node or path. Counts are moves: a contact that enters a node twice
 * counts twice. json: one JSON object instead of the table. map_dir (NULL: none): also
 * write map_dir/ID.html per journey, the two versions' maps side by side with those counts
 * (made when missing; SY_ERR_IO when it cannot be written). conf's output and state
 * fields are ignored. Errors as replay_run. */
sy_err_t replay_what_if(const replay_conf_t *conf, const char *what_if_dir, bool json,
                        const char *map_dir, FILE *report, replay_stats_t *stats,
                        replay_stage_t *stage, char *errbuf, size_t errbuf_size);

#endif
