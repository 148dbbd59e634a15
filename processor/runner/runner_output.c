/* runner_output.c — encodes the engine's outputs and dead letters and produces them into
 * the open transaction, keyed by contact id so one contact's records share a partition. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kafka_produce.h"
#include "log.h"
#include "runner_int.h"

void *runner_produce_opaque(const runner_t *r, bool changelog) {
    /* Records belong to a batch: its outputs while open, its changelog at the commit. */
    assert(r->txn_state == RUNNER_TXN_OPEN || r->txn_state == RUNNER_TXN_COMMITTING);
    return (void *)(uintptr_t)((r->changelog.generation << 1) | (changelog ? 1 : 0));
}

sy_err_t runner_produce_failed(runner_t *r, const char *topic, rd_kafka_resp_err_t err) {
    assert(topic && err != RD_KAFKA_RESP_ERR_NO_ERROR);
    int missing = err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
                  err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    snprintf(r->fatal_msg, sizeof r->fatal_msg, "produce to %s: %s%s", topic,
             rd_kafka_err2str(err),
             missing ? " (the topic does not exist: create it)" : "");
    return SY_ERR_KAFKA_ABORT;
}

sy_err_t runner_produce(runner_t *r, const char *topic, int32_t partition, const void *key,
                        size_t key_len, const void *value, size_t value_len,
                        rd_kafka_headers_t *headers, bool changelog) {
    assert(topic && (key || !key_len));
    rd_kafka_resp_err_t err =
        kafka_produce_copy(r->producer, &r->producer_topics, topic, partition, key, key_len,
                           value, value_len, headers, runner_produce_opaque(r, changelog),
                           r->stop);
    return err == RD_KAFKA_RESP_ERR_NO_ERROR ? SY_OK : runner_produce_failed(r, topic, err);
}

/* Outputs are keyed by contact id and partitioned by the producer's partitioner. */
static sy_err_t produce(runner_t *r, const char *topic, const void *key, size_t key_len,
                        const void *frame, size_t frame_len, rd_kafka_headers_t *headers) {
    assert(r->txn_state == RUNNER_TXN_OPEN); /* outputs and dead letters, not changelog */
    if (r->batch_held) /* the batch before commits: produced once it has */
        return runner_held_add(r, topic, key, key_len, frame, frame_len, headers);
    return runner_produce(r, topic, RD_KAFKA_PARTITION_UA, key, key_len, frame, frame_len,
                          headers, false);
}

/* version as text, formatted only when it is not the last one asked for: the labels of
 * every decision's counts. */
static const char *version_text(runner_t *r, int32_t version) {
    assert(r);
    if (!r->version_text[0] || r->version_text_of != version) {
        snprintf(r->version_text, sizeof r->version_text, "%" PRId32, version);
        r->version_text_of = version;
    }
    return r->version_text;
}

static sy_err_t sink_decision(void *ctx, const sy_decision_t *d) {
    runner_t *r = ctx;
    assert(r && d->contact_id);
    const void *frame;
    size_t len;
    sy_err_t err = codec_encode_decision(r->codec, d, &frame, &len, r->fatal_msg,
                                         sizeof r->fatal_msg);
    if (err == SY_OK && r->registry)
        codec_frame_relabel(r->codec, schema_registry_outputs(r->registry)->decisions);
    if (err == SY_OK)
        err = produce(r, r->config->topic_decisions, d->contact_id, strlen(d->contact_id),
                      frame, len, NULL);
    r->batch.decisions += err == SY_OK;
    if (err == SY_OK) {
        const char *version = version_text(r, d->journey_version);
        const char *values[] = {d->journey_id, version, d->from_node ? d->from_node : "",
                                d->to_node, d->path ? d->path : ""};
        runner_metrics_count(r, ADMIN_DECISIONS, values, 5);
        runner_counts_decision(r, d, version);
        campaign_decision(&r->campaign, d);
    }
    return err;
}

static sy_err_t sink_action(void *ctx, const sy_action_t *a) {
    runner_t *r = ctx;
    assert(r && a->contact_id);
    const void *frame;
    size_t len;
    assert((unsigned)a->channel < SY_CHANNEL__COUNT);
    sy_err_t err = codec_encode_action(r->codec, a, &frame, &len, r->fatal_msg,
                                       sizeof r->fatal_msg);
    if (err == SY_OK && r->registry)
        codec_frame_relabel(r->codec, schema_registry_outputs(r->registry)->actions[a->channel]);
    if (err == SY_OK)
        err = produce(r, r->action_topics[a->channel], a->contact_id, strlen(a->contact_id),
                      frame, len, NULL);
    r->batch.actions += err == SY_OK;
    if (err == SY_OK) {
        const char *values[] = {sy_channel_name(a->channel), a->template_id};
        runner_metrics_count(r, ADMIN_ACTIONS, values, 2);
        campaign_action(&r->campaign, a);
    }
    return err;
}

static sy_err_t sink_contact_update(void *ctx, const sy_contact_update_t *u) {
    runner_t *r = ctx;
    assert(r && u->contact_id);
    const void *frame;
    size_t len;
    sy_err_t err = codec_encode_contact_update(r->codec, u, &frame, &len, r->fatal_msg,
                                               sizeof r->fatal_msg);
    if (err == SY_OK && r->registry)
        codec_frame_relabel(r->codec, schema_registry_outputs(r->registry)->contact_updates);
    if (err == SY_OK)
        err = produce(r, r->config->topic_contact_updates, u->contact_id,
                      strlen(u->contact_id), frame, len, NULL);
    r->batch.contact_updates += err == SY_OK;
    return err;
}

static sy_err_t sink_conversion(void *ctx, const sy_conversion_t *conv) {
    runner_t *r = ctx;
    const void *frame;
    size_t len;
    assert(r && conv->contact_id);
    sy_err_t err = codec_encode_conversion(r->codec, conv, &frame, &len, r->fatal_msg,
                                           sizeof r->fatal_msg);
    if (err == SY_OK)
        err = produce(r, r->config->topic_conversions, conv->contact_id,
                      strlen(conv->contact_id), frame, len, NULL);
    if (err == SY_OK)
        campaign_conversion(&r->campaign, conv);
    return err;
}

const engine_sink_t runner_sink_template = {
    .decision = sink_decision,
    .action = sink_action,
    .contact_update = sink_contact_update,
    .ctx = NULL,
    .conversion = sink_conversion,
};

sy_err_t runner_dead_letter(runner_t *r, const rd_kafka_message_t *msg, sy_err_t reason,
                            const char *reason_text, char *errbuf, size_t errbuf_size) {
    const void *frame;
    size_t len;
    assert(msg && reason != SY_OK && reason_text);
    sy_dead_letter_t dl = {
        .source_topic = rd_kafka_topic_name(msg->rkt),
        .partition = msg->partition,
        .offset = msg->offset,
        .error_code = sy_err_name(reason),
        .error = reason_text,
        .key = msg->key,
        .key_len = msg->key_len,
        .value = msg->payload,
        .value_len = msg->len,
        .failed_at_ms = rd_kafka_message_timestamp(msg, NULL),
    };
    log_warn("dead letter: %s [%" PRId32 "] offset %" PRId64 ": %s: %s", dl.source_topic,
             msg->partition, msg->offset, dl.error_code, reason_text);
    sy_err_t err = codec_encode_dead_letter(r->codec, &dl, &frame, &len, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    if (r->registry)
        codec_frame_relabel(r->codec, schema_registry_outputs(r->registry)->dlq);
    err = produce(r, r->config->topic_dlq, msg->key, msg->key_len, frame, len,
                  kafka_dead_letter_headers(&dl));
    r->batch.dead_letters += err == SY_OK;
    if (err == SY_OK)
        runner_metrics_count(r, ADMIN_DEAD_LETTERS, &dl.error_code, 1);
    return err;
}
