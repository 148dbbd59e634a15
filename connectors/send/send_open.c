/* send_open.c — sets the sender up (codec, delivered-ids store, consumer on the action
 * topics, idempotent producer for failure events, one curl handle and rate bucket per
 * channel), runs the loop, and tears down: the offsets of recorded actions are committed
 * before the consumer leaves its group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "send_event.h"
#include "send_int.h"

static sy_err_t kafka_conf(const send_config_t *c, rd_kafka_conf_t **out, bool consumer,
                           char *errbuf, size_t errbuf_size) {
    rd_kafka_conf_t *conf = config_kafka_conf_new();
    char reason[512];
    const char *fixed[][2] = {
        {"group.id", c->group_id},
        {"isolation.level", "read_committed"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", "earliest"},
    };
    const char *fixed_producer[][2] = {{"enable.idempotence", "true"}, {"acks", "all"}};
    for (size_t i = 0; consumer && i < sizeof fixed / sizeof fixed[0]; i++)
        rd_kafka_conf_set(conf, fixed[i][0], fixed[i][1], reason, sizeof reason);
    for (size_t i = 0; !consumer && i < sizeof fixed_producer / sizeof fixed_producer[0]; i++)
        rd_kafka_conf_set(conf, fixed_producer[i][0], fixed_producer[i][1], reason,
                          sizeof reason);
    for (size_t i = 0; i < c->kafka_count; i++) {
        if (rd_kafka_conf_set(conf, c->kafka_names[i], c->kafka_values[i], reason,
                              sizeof reason) != RD_KAFKA_CONF_OK) {
            sy_errf(errbuf, errbuf_size, "%s: kafka.%s: %s", c->source, c->kafka_names[i],
                    reason);
            rd_kafka_conf_destroy(conf);
            return SY_ERR_CONFIG;
        }
    }
    if (!consumer)
        rd_kafka_conf_set_dr_msg_cb(conf, send_event_delivered);
    *out = conf;
    return SY_OK;
}

static sy_err_t kafka_open(send_state_t *s, char *errbuf, size_t errbuf_size) {
    rd_kafka_conf_t *cc = NULL, *pc = NULL;
    sy_err_t err = kafka_conf(s->config, &cc, true, errbuf, errbuf_size);
    if (err == SY_OK && (err = kafka_conf(s->config, &pc, false, errbuf, errbuf_size)) != SY_OK)
        rd_kafka_conf_destroy(cc);
    if (err != SY_OK)
        return err;
    char reason[512];
    s->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cc, reason, sizeof reason);
    if (!s->consumer)
        rd_kafka_conf_destroy(cc);
    s->producer = rd_kafka_new(RD_KAFKA_PRODUCER, pc, reason, sizeof reason);
    if (!s->producer)
        rd_kafka_conf_destroy(pc);
    if (!s->consumer || !s->producer) {
        sy_errf(errbuf, errbuf_size, "kafka: %s", reason);
        return SY_ERR_CONFIG;
    }
    rd_kafka_poll_set_consumer(s->consumer);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(4);
    for (int ch = 0; ch < SY_CHANNEL__COUNT; ch++) {
        if (!s->config->channel_on[ch])
            continue;
        char topic[512];
        snprintf(topic, sizeof topic, "%s%s", s->config->topic_actions_prefix,
                 sy_channel_name((sy_channel_t)ch));
        rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
    }
    rd_kafka_resp_err_t kerr = rd_kafka_subscribe(s->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (kerr) {
        sy_errf(errbuf, errbuf_size, "subscribe: %s", rd_kafka_err2str(kerr));
        return SY_ERR_KAFKA_FATAL;
    }
    return SY_OK;
}

static sy_err_t state_open(send_state_t *s, char *errbuf, size_t errbuf_size) {
    sy_err_t err = codec_open(&s->codec, errbuf, errbuf_size);
    if (err == SY_OK)
        err = send_ledger_open(&s->ledger, s->config->state_dir, errbuf, errbuf_size);
    for (int ch = 0; err == SY_OK && ch < SY_CHANNEL__COUNT; ch++) {
        send_rate_init(&s->rate[ch], s->config->rate_per_s[ch]);
        if (s->config->channel_on[ch] && !(s->curl[ch] = curl_easy_init()))
            err = SY_ERR_NOMEM;
    }
    if (err == SY_OK)
        err = kafka_open(s, errbuf, errbuf_size);
    return err;
}

static void state_close(send_state_t *s) {
    if (s->consumer) {
        rd_kafka_commit(s->consumer, NULL, 0); /* the offsets stored since the last commit */
        rd_kafka_consumer_close(s->consumer);
        rd_kafka_destroy(s->consumer);
    }
    if (s->producer) {
        rd_kafka_flush(s->producer, 10000);
        rd_kafka_destroy(s->producer);
    }
    for (int ch = 0; ch < SY_CHANNEL__COUNT; ch++)
        if (s->curl[ch])
            curl_easy_cleanup(s->curl[ch]);
    send_ledger_close(s->ledger);
    codec_close(s->codec);
}

sy_err_t send_run(const send_config_t *config, atomic_int *stop, char *errbuf,
                  size_t errbuf_size) {
    send_state_t s = {.config = config, .stop = stop, .retry_log = {.interval_ms = 5000}};
    curl_global_init(CURL_GLOBAL_DEFAULT);
    sy_err_t err = state_open(&s, errbuf, errbuf_size);
    if (err == SY_OK) {
        log_info("send: consuming %s<channel> as group %s, failures to %s",
                 config->topic_actions_prefix, config->group_id, config->topic_events);
        err = send_loop(&s, errbuf, errbuf_size);
    }
    log_info("send: stopping: %llu accepted, %llu failed for good, %llu already delivered, "
             "%llu skipped, %llu retries, %llu waited for not-before",
             (unsigned long long)s.accepted, (unsigned long long)s.failed,
             (unsigned long long)s.already, (unsigned long long)s.skipped,
             (unsigned long long)s.retries, (unsigned long long)s.waited);
    state_close(&s);
    curl_global_cleanup();
    return err;
}
