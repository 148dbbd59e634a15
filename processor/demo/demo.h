/* demo.h — the embedded demo's parts: an in-process Kafka cluster, the service running
 * on it in a thread, and the synthetic world fed to it in lock-step with event time.
 * cli_demo.c parses the command line; demo.c sets up and tears down; demo_loop.c runs
 * the world. */
#ifndef SY_DEMO_H
#define SY_DEMO_H

#include <pthread.h>
#include <stdint.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "codec.h"
#include "config.h"
#include "demo_report.h"
#include "demo_world.h"
#include "runner.h"

#define DEMO_PARTITIONS 4
#define DEMO_STEP_MS (30 * 60 * INT64_C(1000))
/* Longest wait for the service to commit one step: generous for a loaded machine. */
#define DEMO_STEP_TIMEOUT_MS 60000

typedef struct demo {
    size_t contacts;
    uint64_t seed;
    const char *journeys_dir;
    char state_dir[64];
    rd_kafka_t *mock_owner;
    rd_kafka_mock_cluster_t *cluster;
    sy_config_t *config;
    journey_set_t *journeys;
    runner_t *runner;
    atomic_int stop;
    pthread_t thread;
    int thread_started;
    sy_err_t runner_err;
    char runner_errbuf[512];
    rd_kafka_t *producer, *consumer;
    codec_t *codec;
    demo_world_t world;
    demo_report_t report;
    uint64_t produced, outputs_seen;
} demo_t;

/* Start the cluster, the service and the demo's own clients. SY_ERR_JOURNEY when the
 * journeys cannot be loaded (the user's input); other errors are the demo's failures
 * (Kafka, threads, memory, the temporary directory); errbuf says which. */
sy_err_t demo_setup(demo_t *demo, char *errbuf, size_t errbuf_size);

/* Run the world to its end, then print the report. Errors: Kafka's (errbuf says which). */
sy_err_t demo_simulate(demo_t *demo, char *errbuf, size_t errbuf_size);

/* Stop the service and free everything, removing the temporary state directory. */
void demo_cleanup(demo_t *demo);

#endif
