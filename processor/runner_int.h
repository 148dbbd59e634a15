/* runner_int.h — the runner's private state, shared by runner.c (the loop),
 * runner_txn.c (transactions and rebalances) and runner_output.c (producing records).
 * Not for use outside the runner. */
#ifndef SY_RUNNER_INT_H
#define SY_RUNNER_INT_H

#include <librdkafka/rdkafka.h>

#include "codec.h"
#include "engine.h"
#include "runner.h"
#include "state_store.h"

/* Milliseconds librdkafka calls may block in the transactional API before we look again. */
#define RUNNER_TXN_TIMEOUT_MS 30000
/* Longest time one poll waits when a batch is open: input idle this long closes it. */
#define RUNNER_IDLE_MS 10
/* Shortest interval between two wallclock timer scans of the assigned partitions. */
#define RUNNER_TIMER_SCAN_MS 100

typedef struct runner_counts {
    uint64_t records, decisions, actions, contact_updates, dead_letters, timers_fired;
} runner_counts_t;

struct runner {
    const sy_config_t *config;
    const journey_set_t *journeys;
    atomic_int *stop;
    state_store_t *store;
    codec_t *codec;
    engine_t *engine;
    rd_kafka_t *consumer;
    rd_kafka_t *producer;
    char *action_topics[SY_CHANNEL__COUNT]; /* <prefix><channel> */
    /* The open batch. */
    int txn_open;
    int64_t batch_started_ms;
    runner_counts_t batch;
    rd_kafka_topic_partition_list_t *offsets; /* next offset to consume, per partition */
    rd_kafka_topic_partition_list_t *assigned;
    int64_t last_timer_scan_ms;
    /* Committed totals, read by other threads. */
    _Atomic uint64_t total_records, total_decisions, total_actions, total_contact_updates,
        total_dead_letters, total_timers_fired, total_transactions;
    sy_err_t fatal; /* set by callbacks that cannot return an error */
    char fatal_msg[512];
};

/* Monotonic milliseconds. */
int64_t runner_now_ms(void);

/* Begin a transaction unless one is open. */
sy_err_t runner_txn_begin(runner_t *r, char *errbuf, size_t errbuf_size);

/* Commit the open transaction with the batch's offsets, then the state. An abortable
 * error aborts, drops the batch's state and rewinds the consumer to redo it. */
sy_err_t runner_txn_commit(runner_t *r, char *errbuf, size_t errbuf_size);

/* The consumer's rebalance callback: commit before letting partitions go. */
void runner_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *partitions, void *opaque);

/* The engine sink that encodes and produces outputs into the open transaction. */
extern const engine_sink_t runner_sink_template;

/* Produce msg as a dead letter with the reason; headers name where it came from. */
sy_err_t runner_dead_letter(runner_t *r, const rd_kafka_message_t *msg, sy_err_t reason,
                            const char *reason_text, char *errbuf, size_t errbuf_size);

#endif
