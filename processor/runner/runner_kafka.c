/* runner_kafka.c — the runner's Kafka client settings and its transactional producer:
 * the properties every client gets, opening the producer (transactions initialised with
 * backoff while the broker is away), and replacing one that failed fatally. Not the
 * consumer (runner_consumer.c) nor the transactions themselves (runner_txn.c). */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

rd_kafka_conf_t *runner_client_conf(const sy_config_t *c, char *errbuf, size_t errbuf_size) {
    rd_kafka_conf_t *conf = config_kafka_conf_new();
    assert(c && conf);
    /* TCP_NODELAY, as Kafka's own clients: with Nagle, a commit's small requests
     * (AddOffsetsToTxn, TxnOffsetCommit, EndTxn) wait behind the ack of the batch's
     * last produce request, which blocked the main thread for much of every commit. */
    if (config_apply_kafka(c, conf, errbuf, errbuf_size) != SY_OK ||
        !runner_conf_default(c, conf, "socket.nagle.disable", "true", errbuf, errbuf_size)) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    return conf;
}

int runner_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                    char *errbuf, size_t errbuf_size) {
    assert(name && value);
    return rd_kafka_conf_set(conf, name, value, errbuf, errbuf_size) == RD_KAFKA_CONF_OK;
}

int runner_conf_default(const sy_config_t *c, rd_kafka_conf_t *conf, const char *name,
                        const char *value, char *errbuf, size_t errbuf_size) {
    assert(c && name && value);
    return config_kafka_get(c, name) != NULL ||
           runner_conf_set(conf, name, value, errbuf, errbuf_size);
}

/* Initialise transactions, waiting (with backoff) while the broker cannot be reached. */
static sy_err_t producer_init_txn(runner_t *r, char *errbuf, size_t errbuf_size) {
    /* At open, or renewing the producer while a failed batch is dropped. */
    assert(r->producer && r->txn_state != RUNNER_TXN_OPEN);
    for (;;) {
        int64_t tried_at = sy_clock_mono_ms();
        rd_kafka_error_t *error = rd_kafka_init_transactions(r->producer, RUNNER_TXN_SLICE_MS);
        if (!error) {
            runner_retry_reset(r);
            return SY_OK;
        }
        int retriable = rd_kafka_error_is_retriable(error);
        snprintf(errbuf, errbuf_size, "init transactions: %s", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
        if (!retriable)
            return SY_ERR_KAFKA_FATAL;
        if (!runner_retry_wait(r, tried_at, errbuf))
            return SY_ERR_KAFKA_RETRIABLE;
    }
}

sy_err_t runner_producer_open(runner_t *r, char *errbuf, size_t errbuf_size) {
    const sy_config_t *c = r->config;
    assert(!r->producer);
    rd_kafka_conf_t *conf = runner_client_conf(c, errbuf, errbuf_size);
    if (!conf)
        return SY_ERR_CONFIG;
    /* murmur2: the partitioner of Java clients, so a contact's outputs land where any
     * Kafka tool expects them. at_least_once: no transactions, but idempotence keeps
     * each partition's records in order without gaps (a changelog prefix is a state). */
    int txn = c->processing_guarantee == CONFIG_EXACTLY_ONCE;
    const char *key = txn ? "transactional.id" : "enable.idempotence";
    if (!runner_conf_set(conf, key, txn ? c->transactional_id : "true", errbuf, errbuf_size) ||
        (txn && !runner_conf_default(c, conf, "transaction.timeout.ms", RUNNER_TXN_ABANDON_MS,
                              errbuf, errbuf_size)) ||
        (txn && !runner_conf_default(c, conf, "message.timeout.ms", RUNNER_MESSAGE_TIMEOUT_MS,
                              errbuf, errbuf_size)) ||
        !runner_conf_default(c, conf, "compression.type", RUNNER_COMPRESSION_TYPE, errbuf,
                             errbuf_size) ||
        !runner_conf_set(conf, "partitioner", "murmur2_random", errbuf, errbuf_size)) {
        rd_kafka_conf_destroy(conf);
        return SY_ERR_CONFIG;
    }
    /* Delivery reports give the changelog checkpoints and at_least_once's failures. */
    rd_kafka_conf_set_dr_msg_cb(conf, runner_delivery_cb);
    rd_kafka_conf_set_opaque(conf, r);
    r->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, errbuf_size);
    if (!r->producer)
        return SY_ERR_CONFIG;
    for (int ch = 0; ch < SY_CHANNEL__COUNT; ch++)
        if (!r->action_topics[ch] &&
            !(r->action_topics[ch] = config_action_topic(c, (sy_channel_t)ch)))
            return SY_ERR_NOMEM;
    return txn ? producer_init_txn(r, errbuf, errbuf_size) : SY_OK;
}

sy_err_t runner_producer_renew(runner_t *r, char *errbuf, size_t errbuf_size) {
    assert(r->producer && r->config->processing_guarantee == CONFIG_EXACTLY_ONCE);
    char fatal[256] = "";
    rd_kafka_resp_err_t code = rd_kafka_fatal_error(r->producer, fatal, sizeof fatal);
    bool fenced = code == RD_KAFKA_RESP_ERR__FENCED ||
                  code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
                  code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
    /* Fenced before this process committed anything: a survivor cleaning up after this
     * instance's previous run (runner_fence.c) as it came back; renewed, within limits. */
    if (fenced && atomic_load(&r->total_transactions) > 0) {
        snprintf(errbuf, errbuf_size, "fenced: another producer took transactional.id %s "
                 "(%s); this instance stops", r->config->transactional_id, fatal);
        return SY_ERR_KAFKA_FATAL;
    }
    if (r->producer_renewals >= RUNNER_PRODUCER_RENEWALS_MAX) {
        snprintf(errbuf, errbuf_size, "the producer failed fatally %d times in a row without "
                 "a commit between (last: %s)", r->producer_renewals, fatal);
        return SY_ERR_KAFKA_FATAL;
    }
    r->producer_renewals++;
    log_warn("the transactional producer failed fatally (%s): replacing it; the new one "
             "fences the old and the batch is processed again", fatal[0] ? fatal : "?");
    rd_kafka_purge(r->producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    kafka_topics_clear(&r->producer_topics); /* before their producer */
    rd_kafka_destroy(r->producer);
    r->producer = NULL;
    return runner_producer_open(r, errbuf, errbuf_size);
}
