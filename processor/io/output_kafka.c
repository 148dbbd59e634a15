/* output_kafka.c — replay's Kafka output: encode each output record and produce it, keyed
 * by contact id, through one idempotent producer (murmur2, as the service, so a contact's
 * records land on the partition any Kafka tool expects); delivery failures are kept and
 * reported by the next call or at close. */
#include "output_kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "codec.h"
#include "kafka_produce.h"
#include "schema_registry.h"

/* Why the output failed: the sink has no errbuf, so its reason waits here. */
#define OUTPUT_KAFKA_ERROR_BYTES 512

struct output_kafka {
    rd_kafka_t *producer; /* owned */
    kafka_topics_t producer_topics; /* the producer's topic handles */
    codec_t *codec;       /* owned */
    schema_registry_t *registry; /* owned; NULL: frames keep the embedded ids */
    const char *decisions, *contact_updates, *dlq;   /* owned copies: see topics */
    const char *conversions;                         /* owned copy: see topics */
    char *action_topics[SY_CHANNEL__COUNT];          /* owned: prefix + channel name */
    char *topics;                                    /* owned: the four names above */
    sy_err_t failed;      /* the first delivery failure, SY_OK while none */
    char error[OUTPUT_KAFKA_ERROR_BYTES];
};

static void delivery_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    output_kafka_t *o = opaque;
    (void)rk;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR || o->failed != SY_OK)
        return;
    o->failed = SY_ERR_KAFKA_FATAL;
    snprintf(o->error, sizeof o->error, "delivery to %s failed: %s",
             rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
}

static sy_err_t producer_create(output_kafka_t *o, const sy_config_t *config,
                                const char *bootstrap, char *errbuf, size_t errbuf_size) {
    rd_kafka_conf_t *conf = config_kafka_conf_new();
    if (config_apply_kafka(config, conf, errbuf, errbuf_size) != SY_OK ||
        (bootstrap && rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errbuf,
                                        errbuf_size) != RD_KAFKA_CONF_OK) ||
        rd_kafka_conf_set(conf, "enable.idempotence", "true", errbuf, errbuf_size) !=
            RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "partitioner", "murmur2_random", errbuf, errbuf_size) !=
            RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return SY_ERR_CONFIG;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, delivery_cb);
    rd_kafka_conf_set_opaque(conf, o);
    o->producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, errbuf_size);
    if (o->producer)
        return SY_OK;
    rd_kafka_conf_destroy(conf); /* rd_kafka_new keeps conf only on success */
    return SY_ERR_CONFIG;
}

/* Copy the topic names so out does not borrow config past open. */
static sy_err_t topics_copy(output_kafka_t *o, const sy_config_t *c) {
    size_t d = strlen(c->topic_decisions) + 1, u = strlen(c->topic_contact_updates) + 1;
    size_t q = strlen(c->topic_dlq) + 1, v = strlen(c->topic_conversions) + 1;
    o->topics = malloc(d + u + q + v);
    if (!o->topics)
        return SY_ERR_NOMEM;
    memcpy(o->topics, c->topic_decisions, d);
    memcpy(o->topics + d, c->topic_contact_updates, u);
    memcpy(o->topics + d + u, c->topic_dlq, q);
    memcpy(o->topics + d + u + q, c->topic_conversions, v);
    o->decisions = o->topics;
    o->contact_updates = o->topics + d;
    o->dlq = o->topics + d + u;
    o->conversions = o->topics + d + u + q;
    for (int ch = 0; ch < SY_CHANNEL__COUNT; ch++)
        if (!(o->action_topics[ch] = config_action_topic(c, (sy_channel_t)ch)))
            return SY_ERR_NOMEM;
    return SY_OK;
}

static void output_kafka_free(output_kafka_t *o) {
    kafka_topics_clear(&o->producer_topics); /* before their producer */
    if (o->producer)
        rd_kafka_destroy(o->producer);
    schema_registry_close(o->registry);
    codec_close(o->codec);
    for (int ch = 0; ch < SY_CHANNEL__COUNT; ch++)
        free(o->action_topics[ch]);
    free(o->topics);
    free(o);
}

sy_err_t output_kafka_open(output_kafka_t **out, const sy_config_t *config,
                           const char *bootstrap, char *errbuf, size_t errbuf_size) {
    output_kafka_t *o = calloc(1, sizeof *o);
    sy_err_t err = o ? topics_copy(o, config) : SY_ERR_NOMEM;
    if (err == SY_OK)
        err = codec_open(&o->codec, errbuf, errbuf_size);
    else
        snprintf(errbuf, errbuf_size, "out of memory");
    if (err == SY_OK)
        err = schema_registry_open(&o->registry, config, o->codec, NULL, errbuf, errbuf_size);
    if (err == SY_OK)
        err = producer_create(o, config, bootstrap, errbuf, errbuf_size);
    if (err != SY_OK) {
        if (o)
            output_kafka_free(o);
        return err;
    }
    *out = o;
    return SY_OK;
}

/* Produce a copy of frame to topic, keyed by key. headers (or NULL) are taken. */
static sy_err_t produce(output_kafka_t *o, const char *topic, const void *key,
                        size_t key_len, const void *frame, size_t len,
                        rd_kafka_headers_t *headers) {
    rd_kafka_resp_err_t err =
        kafka_produce_copy(o->producer, &o->producer_topics, topic, RD_KAFKA_PARTITION_UA, key,
                           key_len, frame, len, headers, NULL, NULL);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(o->error, sizeof o->error, "produce to %s: %s", topic, rd_kafka_err2str(err));
        return SY_ERR_KAFKA_FATAL;
    }
    rd_kafka_poll(o->producer, 0);
    return o->failed;
}

/* Produce the frame just encoded (err is the encoder's result), keyed by contact, with
 * the registry's id of the topic's subject (id) when there is a registry. */
static sy_err_t emit(output_kafka_t *o, sy_err_t err, const char *topic, const char *contact,
                     const void *frame, size_t len, const uint32_t *id) {
    if (err != SY_OK)
        return err;
    if (o->registry)
        codec_frame_relabel(o->codec, *id);
    return produce(o, topic, contact, strlen(contact), frame, len, NULL);
}

/* The registry's output ids; without a registry, ids nobody reads (emit skips them). */
static const schema_registry_outputs_t *outputs(const output_kafka_t *o) {
    static const schema_registry_outputs_t none;
    return o->registry ? schema_registry_outputs(o->registry) : &none;
}

static sy_err_t kafka_decision(void *ctx, const sy_decision_t *d) {
    output_kafka_t *o = ctx;
    const void *frame = NULL;
    size_t len = 0;
    sy_err_t err = codec_encode_decision(o->codec, d, &frame, &len, o->error, sizeof o->error);
    return emit(o, err, o->decisions, d->contact_id, frame, len, &outputs(o)->decisions);
}

static sy_err_t kafka_action(void *ctx, const sy_action_t *a) {
    output_kafka_t *o = ctx;
    const void *frame = NULL;
    size_t len = 0;
    sy_err_t err = codec_encode_action(o->codec, a, &frame, &len, o->error, sizeof o->error);
    return emit(o, err, o->action_topics[a->channel], a->contact_id, frame, len,
                &outputs(o)->actions[a->channel]);
}

static sy_err_t kafka_contact_update(void *ctx, const sy_contact_update_t *u) {
    output_kafka_t *o = ctx;
    const void *frame = NULL;
    size_t len = 0;
    sy_err_t err = codec_encode_contact_update(o->codec, u, &frame, &len, o->error,
                                               sizeof o->error);
    return emit(o, err, o->contact_updates, u->contact_id, frame, len,
                &outputs(o)->contact_updates);
}

/* As the service: the frame keeps the embedded schema id (the registry registers no
 * conversions subject). */
static sy_err_t kafka_conversion(void *ctx, const sy_conversion_t *c) {
    output_kafka_t *o = ctx;
    const void *frame = NULL;
    size_t len = 0;
    sy_err_t err = codec_encode_conversion(o->codec, c, &frame, &len, o->error,
                                           sizeof o->error);
    if (err != SY_OK)
        return err;
    return produce(o, o->conversions, c->contact_id, strlen(c->contact_id), frame, len, NULL);
}

engine_sink_t output_kafka_sink(output_kafka_t *o) {
    return (engine_sink_t){kafka_decision, kafka_action, kafka_contact_update, o,
                           kafka_conversion};
}

sy_err_t output_kafka_dead_letter(output_kafka_t *o, const sy_dead_letter_t *dl,
                                  char *errbuf, size_t errbuf_size) {
    const void *frame = NULL;
    size_t len = 0;
    sy_err_t err = codec_encode_dead_letter(o->codec, dl, &frame, &len, o->error,
                                            sizeof o->error);
    if (err == SY_OK && o->registry)
        codec_frame_relabel(o->codec, outputs(o)->dlq);
    if (err == SY_OK)
        err = produce(o, o->dlq, dl->key, dl->key_len, frame, len, kafka_dead_letter_headers(dl));
    if (err != SY_OK)
        snprintf(errbuf, errbuf_size, "%s", o->error);
    return err;
}

const char *output_kafka_error(const output_kafka_t *o) {
    return o->error;
}

sy_err_t output_kafka_close(output_kafka_t *o, char *errbuf, size_t errbuf_size) {
    if (!o)
        return SY_OK;
    sy_err_t err = SY_OK;
    rd_kafka_resp_err_t flushed = rd_kafka_flush(o->producer, OUTPUT_KAFKA_FLUSH_MS);
    if (o->failed != SY_OK) {
        err = o->failed;
        snprintf(errbuf, errbuf_size, "%s", o->error);
    } else if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) {
        err = SY_ERR_KAFKA_RETRIABLE;
        snprintf(errbuf, errbuf_size, "%d records unacknowledged after %d ms",
                 rd_kafka_outq_len(o->producer), OUTPUT_KAFKA_FLUSH_MS);
    }
    output_kafka_free(o);
    return err;
}
