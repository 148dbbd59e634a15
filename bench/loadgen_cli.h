/* loadgen_cli.h — the `loadgen` command's options, shared by its sub-commands:
 * loadgen_main.c parses them and runs `recording`; loadgen_kafka.c runs `kafka` and
 * `closed-loop`. Not the generator (loadgen.h). */
#ifndef SY_LOADGEN_CLI_H
#define SY_LOADGEN_CLI_H

#include <stdbool.h>

#include "loadgen.h"

/* librdkafka properties given with -X: a benchmark sets a handful. */
#define LOADGEN_KAFKA_PROPS_MAX 32

typedef struct loadgen_cli {
    const char *mode;           /* "recording", "kafka", "closed-loop" */
    loadgen_conf_t conf;        /* conf.journeys and conf.rates point into this struct */
    loadgen_rates_t rates;
    journey_set_t view;         /* the journeys fed (--only), borrowed from loaded */
    journey_t *view_items[LOADGEN_JOURNEYS_MAX];
    const char *topic;          /* --topic (default "events") */
    const char *profiles_topic; /* --profiles-topic; kafka modes: NULL = no profiles */
    /* recording */
    const char *out;
    recording_codec_t codec;
    int partitions;
    /* kafka, closed-loop */
    const char *bootstrap;
    double rate;                /* records per wall-clock second */
    double duration_s;          /* 0: until the contacts are done (kafka only) */
    const char *actions_prefix; /* closed-loop: topics <prefix><channel> */
    const char *group;          /* closed-loop consumer group, NULL: one per run */
    size_t kafka_props_count;   /* pairs */
    const char *kafka_props[2 * LOADGEN_KAFKA_PROPS_MAX];
} loadgen_cli_t;

/* `loadgen kafka`: produce gen's records at cli->rate (open loop). Prints one summary
 * line; returns the process exit code. */
int loadgen_kafka_run(const loadgen_cli_t *cli, loadgen_t *gen);

/* `loadgen closed-loop`: produce gen's records (no answers) at cli->rate, and answer each
 * action command read (read_committed) from the action topics with channel_sim's events
 * under cli->rates. Prints one summary line; returns the process exit code. */
int loadgen_closed_loop_run(const loadgen_cli_t *cli, loadgen_t *gen);

#endif
