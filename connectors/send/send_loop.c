/* send_loop.c — the sender's loop: poll an action, skip it when the delivered-ids store
 * has it, wait for its not-before time and a token of its channel's rate, render and
 * deliver it with retries, record the outcome, then store its offset for the next commit.
 * Offsets are committed only for recorded actions, so a crash redelivers at most what the
 * store then recognises. Kafka and curl handles are set up in send_open.c. */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "send_event.h"
#include "send_int.h"
#include "sy_backoff.h"
#include "sy_clock.h"

/* Deliver with retries: returns false when stopped before an answer that ends it. */
static bool deliver_retrying(send_state_t *s, const sy_action_t *a, const send_message_t *msg,
                             send_result_t *res) {
    sy_backoff_t b;
    sy_backoff_init(&b, s->config->retry_initial_ms, s->config->retry_max_ms,
                    (uint64_t)sy_clock_mono_us());
    for (;;) {
        if (!send_rate_take(&s->rate[a->channel], s->stop))
            return false;
        send_deliver(s->curl[a->channel], s->config, a, msg, res);
        if (res->kind != SEND_RESULT_RETRY)
            return true;
        s->retries++;
        int64_t delay_ms = sy_backoff_next_ms(&b);
        if (res->retry_after_ms > delay_ms)
            delay_ms = res->retry_after_ms;
        log_write_limited(&s->retry_log, LOG_WARN, "send: %s %s: retry in %lld ms: %s",
                          sy_channel_name(a->channel), a->action_id, (long long)delay_ms,
                          res->detail);
        if (!sy_backoff_sleep_ms(delay_ms, s->stop))
            return false;
    }
}

/* Wait until the action's not-before time (wall clock); false when stopped first. */
static bool not_before_wait(send_state_t *s, const sy_action_t *a) {
    int64_t wait_ms = a->not_before_ms - sy_clock_wall_ms();
    if (wait_ms <= 0)
        return true;
    s->waited++;
    return sy_backoff_sleep_ms(wait_ms, s->stop);
}

/* Render, deliver, record. SY_OK: recorded (or stopped: *done false). */
static sy_err_t action_deliver(send_state_t *s, const sy_action_t *a, const char *provider,
                               bool *done, char *errbuf, size_t errbuf_size) {
    send_message_t msg;
    send_result_t res = {.kind = SEND_RESULT_PERMANENT, .retry_after_ms = -1, .local = true};
    sy_err_t err = send_template_render(s->config->templates_dir, a, &msg, res.detail,
                                        sizeof res.detail);
    if (err == SY_OK && !deliver_retrying(s, a, &msg, &res)) {
        send_message_clear(&msg);
        return SY_OK; /* stopped */
    }
    send_message_clear(&msg);
    if (err != SY_OK && err != SY_ERR_INVALID_RECORD) {
        sy_errf(errbuf, errbuf_size, "template of %s: %s", a->action_id, res.detail);
        return err;
    }
    send_outcome_t outcome = SEND_OUTCOME_ACCEPTED;
    if (res.kind != SEND_RESULT_ACCEPTED) {
        outcome = SEND_OUTCOME_FAILED;
        log_info("send: %s %s to %s failed for good: %s", sy_channel_name(a->channel),
                 a->action_id, a->contact_id, res.detail);
        if (!send_event_produce(s->producer, s->codec, s->config->topic_events, a,
                                res.local ? "switchyard" : provider, res.detail, s->stop))
            return SY_OK; /* stopped */
    }
    err = send_ledger_put(s->ledger, provider, a->action_id, outcome, res.detail, errbuf,
                          errbuf_size);
    if (err == SY_OK) {
        *done = true;
        s->accepted += outcome == SEND_OUTCOME_ACCEPTED;
        s->failed += outcome == SEND_OUTCOME_FAILED;
    }
    return err;
}

/* One consumed record. *done: its offset may be stored. */
static sy_err_t record_handle(send_state_t *s, const rd_kafka_message_t *m, bool *done,
                              char *errbuf, size_t errbuf_size) {
    sy_action_t a;
    char why[512];
    *done = false;
    if (codec_decode_action(s->codec, m->payload, m->len, &a, why, sizeof why) != SY_OK) {
        log_warn("send: %s [%d] offset %lld: not an action command, skipped: %s",
                 rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset, why);
        s->skipped++;
        *done = true;
        return SY_OK;
    }
    const char *provider = send_provider_name(a.channel);
    if (!provider || !s->config->channel_on[a.channel]) {
        log_warn("send: %s: channel %s is not sent here, skipped", a.action_id,
                 sy_channel_name(a.channel));
        s->skipped++;
        *done = true;
        return SY_OK;
    }
    send_outcome_t outcome = SEND_OUTCOME_NONE;
    sy_err_t err = send_ledger_get(s->ledger, provider, a.action_id, &outcome, errbuf,
                                   errbuf_size);
    if (err != SY_OK)
        return err;
    if (outcome != SEND_OUTCOME_NONE) {
        s->already++;
        *done = true;
        return SY_OK;
    }
    if (!not_before_wait(s, &a))
        return SY_OK;
    return action_deliver(s, &a, provider, done, errbuf, errbuf_size);
}

sy_err_t send_loop(send_state_t *s, char *errbuf, size_t errbuf_size) {
    while (!atomic_load(s->stop)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(s->consumer, SEND_POLL_MS);
        if (!m)
            continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                log_write_limited(&s->retry_log, LOG_WARN, "send: consume: %s",
                                  rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        bool done = false;
        sy_err_t err = record_handle(s, m, &done, errbuf, errbuf_size);
        if (err == SY_OK && done) {
            rd_kafka_topic_partition_list_t *at = rd_kafka_topic_partition_list_new(1);
            rd_kafka_topic_partition_list_add(at, rd_kafka_topic_name(m->rkt), m->partition)
                ->offset = m->offset + 1;
            rd_kafka_offsets_store(s->consumer, at);
            rd_kafka_topic_partition_list_destroy(at);
        }
        rd_kafka_message_destroy(m);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}
