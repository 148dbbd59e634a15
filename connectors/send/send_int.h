/* send_int.h — the sender's state, shared by send_open.c (set up, tear down) and
 * send_loop.c (the loop). Not for other modules: they use send.h. */
#ifndef SY_SEND_INT_H
#define SY_SEND_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include <curl/curl.h>
#include <librdkafka/rdkafka.h>

#include "codec.h"
#include "log.h"
#include "send.h"
#include "send_deliver.h"
#include "send_ledger.h"
#include "send_rate.h"

/* Longest wait of one consumer poll: how soon a stop is seen while idle. */
#define SEND_POLL_MS 100

typedef struct send_state {
    const send_config_t *config; /* borrowed */
    atomic_int *stop;            /* borrowed */
    codec_t *codec;
    send_ledger_t *ledger;
    rd_kafka_t *consumer;
    rd_kafka_t *producer;                /* failure events */
    CURL *curl[SY_CHANNEL__COUNT];       /* one per channel sent, reused (keep-alive) */
    send_rate_t rate[SY_CHANNEL__COUNT];
    log_limit_t retry_log;
    uint64_t accepted, failed, already, skipped, retries, waited;
} send_state_t;

/* The loop, until *s->stop or an error that ends the run (store, fatal Kafka). */
sy_err_t send_loop(send_state_t *s, char *errbuf, size_t errbuf_size);

#endif
