/* kafka_harness.c — the integration-test harness of kafka_harness.h: topics, a producer,
 * a consumer that reads a topic to its end (raw, or decoded to JSON). Child processes are
 * tests/support/child.h.
 * Not part of libswitchyard and never linked into the switchyard executable. */
#include "kafka_harness.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "codec.h"
#include "support_clock.h"
#include "sy_backoff.h"
#include "transcript.h"

/* Longest wait on one poll call: short, so every loop notices its deadline promptly. */
#define HARNESS_POLL_SLICE_MS 100

/* Backoff between two tries of a metadata request: from about this... */
#define HARNESS_RETRY_INITIAL_MS 50
/* ...doubling up to this. */
#define HARNESS_RETRY_MAX_MS 1000

/* Bytes kept of the first delivery failure's description. */
#define HARNESS_FAILURE_TEXT_MAX 256

struct harness_producer {
    rd_kafka_t *rk;            /* owned */
    int transactional;         /* 1 when made with a transactional.id */
    long delivery_failures;    /* counted by the delivery callback on the polling thread */
    char first_failure[HARNESS_FAILURE_TEXT_MAX];
};

/* ------------------------------------------------------------------------------------- */
/* small helpers */

static int harness_poll_slice(long long deadline_ms)
{
    long long left = deadline_ms - sy_clock_mono_ms();
    if (left <= 0)
        return 0;
    return left < HARNESS_POLL_SLICE_MS ? (int)left : HARNESS_POLL_SLICE_MS;
}

static void harness_errf(char *errbuf, size_t errbuf_size, const char *fmt, ...)
{
    va_list ap;
    if (errbuf == NULL || errbuf_size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errbuf_size, fmt, ap);
    va_end(ap);
}

/* Maps a rd_kafka_error_t (freed here) to the project's error kinds. */
static sy_err_t harness_txn_error(rd_kafka_error_t *error, const char *what, char *errbuf,
                                  size_t errbuf_size)
{
    sy_err_t err = SY_ERR_KAFKA_FATAL;
    if (error == NULL)
        return SY_OK;
    if (rd_kafka_error_txn_requires_abort(error))
        err = SY_ERR_KAFKA_ABORT;
    else if (rd_kafka_error_is_retriable(error))
        err = SY_ERR_KAFKA_RETRIABLE;
    harness_errf(errbuf, errbuf_size, "%s: %s", what, rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return err;
}

rd_kafka_conf_t *harness_conf_new(const char *bootstrap, const char *const *kv,
                                  char *errbuf, size_t errbuf_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errbuf, errbuf_size)
        != RD_KAFKA_CONF_OK)
        goto fail;
    for (size_t i = 0; kv != NULL && kv[i] != NULL; i += 2) {
        if (kv[i + 1] == NULL)
            continue;
        if (rd_kafka_conf_set(conf, kv[i], kv[i + 1], errbuf, errbuf_size)
            != RD_KAFKA_CONF_OK)
            goto fail;
    }
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

/* ------------------------------------------------------------------------------------- */
/* where the broker is, names */

const char *harness_bootstrap(void)
{
    const char *bootstrap = getenv("SWITCHYARD_TEST_BOOTSTRAP");
    if (bootstrap == NULL || bootstrap[0] == '\0') {
        fprintf(stderr,
                "kafka_harness: SWITCHYARD_TEST_BOOTSTRAP is not set. Integration tests need "
                "a broker: run them with `meson test` or as "
                "`tests/broker/with_kafka.sh <test executable>`.\n");
        abort();
    }
    return bootstrap;
}

void harness_topic_name(const char *prefix, char *buf, size_t size)
{
    static unsigned counter;
    snprintf(buf, size, "%s-%ld-%u-%lld", prefix, (long)getpid(), counter++,
             (long long)time(NULL));
}

/* ------------------------------------------------------------------------------------- */
/* topics */

/* Between two tries of a metadata request that found the topic not ready (unknown right
 * after creation, no leader yet, not leader for a partition): the harness's bounded
 * backoff, never past deadline_ms. */
static void harness_backoff_wait(sy_backoff_t *backoff, long long deadline_ms)
{
    long long left = deadline_ms - sy_clock_mono_ms();
    int64_t delay = sy_backoff_next_ms(backoff);
    sy_backoff_sleep_ms(delay < left ? delay : left, NULL);
}

static void harness_backoff_init(sy_backoff_t *backoff)
{
    sy_backoff_init(backoff, HARNESS_RETRY_INITIAL_MS, HARNESS_RETRY_MAX_MS,
                    (uint64_t)sy_clock_mono_ms() ^ (uint64_t)getpid());
}

/* Waits until the broker's metadata has `topic` with `partitions` partitions, each led. */
static sy_err_t harness_topic_wait_ready(rd_kafka_t *rk, const char *topic, int partitions,
                                         long long deadline_ms, char *errbuf,
                                         size_t errbuf_size)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    sy_err_t err = SY_ERR_KAFKA_RETRIABLE;
    sy_backoff_t backoff;
    harness_backoff_init(&backoff);
    while (sy_clock_mono_ms() < deadline_ms) {
        const struct rd_kafka_metadata *md = NULL;
        int ready = 0;
        if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            const struct rd_kafka_metadata_topic *t = &md->topics[0];
            ready = md->topic_cnt == 1 && t->err == RD_KAFKA_RESP_ERR_NO_ERROR
                    && (partitions <= 0 || t->partition_cnt == partitions);
            for (int i = 0; ready && i < t->partition_cnt; i++)
                ready = t->partitions[i].leader >= 0;
            rd_kafka_metadata_destroy(md);
        }
        if (ready) {
            err = SY_OK;
            break;
        }
        harness_backoff_wait(&backoff, deadline_ms);
    }
    rd_kafka_topic_destroy(rkt);
    if (err != SY_OK)
        harness_errf(errbuf, errbuf_size, "topic %s not ready in the broker's metadata", topic);
    return err;
}

/* Checks one CreateTopics result event (not freed here). */
static sy_err_t harness_create_result(rd_kafka_event_t *ev, char *errbuf, size_t errbuf_size)
{
    const rd_kafka_CreateTopics_result_t *res;
    const rd_kafka_topic_result_t **results;
    size_t count = 0;

    if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        harness_errf(errbuf, errbuf_size, "CreateTopics: %s", rd_kafka_event_error_string(ev));
        return SY_ERR_KAFKA_FATAL;
    }
    res = rd_kafka_event_CreateTopics_result(ev);
    results = rd_kafka_CreateTopics_result_topics(res, &count);
    for (size_t i = 0; i < count; i++) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            continue;
        harness_errf(errbuf, errbuf_size, "CreateTopics %s: %s",
                     rd_kafka_topic_result_name(results[i]),
                     rd_kafka_topic_result_error_string(results[i]));
        /* A broker just started may not have elected its controller yet. */
        return e == RD_KAFKA_RESP_ERR_NOT_CONTROLLER || e == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT
                       || e == RD_KAFKA_RESP_ERR__TIMED_OUT || e == RD_KAFKA_RESP_ERR__TRANSPORT
                   ? SY_ERR_KAFKA_RETRIABLE
                   : SY_ERR_KAFKA_FATAL;
    }
    return SY_OK;
}

sy_err_t harness_create_topics(const char *bootstrap, const char *const *names, size_t n,
                               int partitions, char *errbuf, size_t errbuf_size)
{
    long long deadline_ms = sy_clock_mono_ms() + HARNESS_KAFKA_CALL_TIMEOUT_MS;
    rd_kafka_conf_t *conf = harness_conf_new(bootstrap, NULL, errbuf, errbuf_size);
    rd_kafka_NewTopic_t **topics = calloc(n > 0 ? n : 1, sizeof *topics);
    rd_kafka_AdminOptions_t *options = NULL;
    rd_kafka_queue_t *queue = NULL;
    rd_kafka_event_t *ev = NULL;
    rd_kafka_t *rk = NULL;
    sy_err_t err = SY_ERR_KAFKA_FATAL;

    if (conf == NULL || topics == NULL)
        goto done;
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, errbuf_size);
    if (rk == NULL)
        goto done;
    conf = NULL; /* taken by rd_kafka_new */
    for (size_t i = 0; i < n; i++) {
        topics[i] = rd_kafka_NewTopic_new(names[i], partitions, 1, errbuf, errbuf_size);
        if (topics[i] == NULL)
            goto done;
    }
    options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(options, HARNESS_KAFKA_CALL_TIMEOUT_MS / 2,
                                              NULL, 0);
    rd_kafka_AdminOptions_set_operation_timeout(options, HARNESS_KAFKA_CALL_TIMEOUT_MS / 2,
                                                NULL, 0);
    queue = rd_kafka_queue_new(rk);
    sy_backoff_t backoff;
    harness_backoff_init(&backoff);
    do {
        if (ev != NULL)
            rd_kafka_event_destroy(ev);
        rd_kafka_CreateTopics(rk, topics, n, options, queue);
        ev = rd_kafka_queue_poll(queue, HARNESS_KAFKA_CALL_TIMEOUT_MS / 2 + 5000);
        if (ev == NULL) {
            harness_errf(errbuf, errbuf_size, "CreateTopics: no answer in time");
            err = SY_ERR_KAFKA_RETRIABLE;
            goto done;
        }
        err = harness_create_result(ev, errbuf, errbuf_size);
        if (err == SY_ERR_KAFKA_RETRIABLE)
            harness_backoff_wait(&backoff, deadline_ms);
    } while (err == SY_ERR_KAFKA_RETRIABLE && sy_clock_mono_ms() < deadline_ms);
    for (size_t i = 0; err == SY_OK && i < n; i++)
        err = harness_topic_wait_ready(rk, names[i], partitions, deadline_ms, errbuf,
                                       errbuf_size);
done:
    if (ev != NULL)
        rd_kafka_event_destroy(ev);
    if (queue != NULL)
        rd_kafka_queue_destroy(queue);
    if (options != NULL)
        rd_kafka_AdminOptions_destroy(options);
    for (size_t i = 0; topics != NULL && i < n; i++)
        if (topics[i] != NULL)
            rd_kafka_NewTopic_destroy(topics[i]);
    free(topics);
    if (conf != NULL)
        rd_kafka_conf_destroy(conf);
    if (rk != NULL)
        rd_kafka_destroy(rk);
    return err;
}

/* Checks one DeleteTopics result event (not freed here). */
static sy_err_t harness_delete_result(rd_kafka_event_t *ev, char *errbuf, size_t errbuf_size)
{
    size_t count = 0;
    if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        harness_errf(errbuf, errbuf_size, "DeleteTopics: %s", rd_kafka_event_error_string(ev));
        return SY_ERR_KAFKA_FATAL;
    }
    const rd_kafka_topic_result_t **results =
        rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &count);
    for (size_t i = 0; i < count; i++) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
            continue;
        harness_errf(errbuf, errbuf_size, "DeleteTopics %s: %s",
                     rd_kafka_topic_result_name(results[i]),
                     rd_kafka_topic_result_error_string(results[i]));
        return SY_ERR_KAFKA_FATAL;
    }
    return SY_OK;
}

/* Waits until the broker's metadata no longer lists topic. */
static sy_err_t harness_topic_wait_gone(rd_kafka_t *rk, const char *topic,
                                        long long deadline_ms, char *errbuf,
                                        size_t errbuf_size)
{
    sy_backoff_t backoff;
    harness_backoff_init(&backoff);
    while (sy_clock_mono_ms() < deadline_ms) {
        const struct rd_kafka_metadata *md = NULL;
        int present = 1;
        if (rd_kafka_metadata(rk, 1, NULL, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            present = 0;
            for (int i = 0; i < md->topic_cnt; i++)
                present |= strcmp(md->topics[i].topic, topic) == 0;
            rd_kafka_metadata_destroy(md);
        }
        if (!present)
            return SY_OK;
        harness_backoff_wait(&backoff, deadline_ms);
    }
    harness_errf(errbuf, errbuf_size, "topic %s still in the broker's metadata", topic);
    return SY_ERR_KAFKA_RETRIABLE;
}

sy_err_t harness_delete_topics(const char *bootstrap, const char *const *names, size_t n,
                               char *errbuf, size_t errbuf_size)
{
    long long deadline_ms = sy_clock_mono_ms() + HARNESS_KAFKA_CALL_TIMEOUT_MS;
    rd_kafka_conf_t *conf = harness_conf_new(bootstrap, NULL, errbuf, errbuf_size);
    rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, errbuf_size) : NULL;
    if (rk == NULL) {
        if (conf != NULL)
            rd_kafka_conf_destroy(conf);
        return SY_ERR_KAFKA_FATAL;
    }
    rd_kafka_DeleteTopic_t **topics = calloc(n > 0 ? n : 1, sizeof *topics);
    for (size_t i = 0; topics != NULL && i < n; i++)
        topics[i] = rd_kafka_DeleteTopic_new(names[i]);
    rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(rk,
                                                                 RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(options, HARNESS_KAFKA_CALL_TIMEOUT_MS / 2,
                                                NULL, 0);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    sy_err_t err = SY_ERR_KAFKA_RETRIABLE;
    rd_kafka_event_t *ev = NULL;
    harness_errf(errbuf, errbuf_size, "DeleteTopics: no answer in time");
    if (topics != NULL) {
        rd_kafka_DeleteTopics(rk, topics, n, options, queue);
        ev = rd_kafka_queue_poll(queue, HARNESS_KAFKA_CALL_TIMEOUT_MS / 2 + 5000);
    }
    if (ev != NULL)
        err = harness_delete_result(ev, errbuf, errbuf_size);
    for (size_t i = 0; err == SY_OK && i < n; i++)
        err = harness_topic_wait_gone(rk, names[i], deadline_ms, errbuf, errbuf_size);
    if (ev != NULL)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(queue);
    rd_kafka_AdminOptions_destroy(options);
    for (size_t i = 0; topics != NULL && i < n; i++)
        rd_kafka_DeleteTopic_destroy(topics[i]);
    free(topics);
    rd_kafka_destroy(rk);
    return err;
}

/* ------------------------------------------------------------------------------------- */
/* producer */

static void harness_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque)
{
    harness_producer_t *p = opaque;
    (void)rk;
    if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return;
    if (p->delivery_failures++ == 0)
        snprintf(p->first_failure, sizeof p->first_failure, "%s",
                 rd_kafka_err2str(msg->err));
}

sy_err_t harness_producer_new(harness_producer_t **out, const char *bootstrap,
                              const char *transactional_id, char *errbuf,
                              size_t errbuf_size)
{
    const char *const kv[] = {
        "enable.idempotence", "true",
        "acks", "all",
        "linger.ms", "5",
        "message.timeout.ms", "60000",
        "transaction.timeout.ms", transactional_id != NULL ? "60000" : NULL,
        "transactional.id", transactional_id,
        NULL,
    };
    harness_producer_t *p = calloc(1, sizeof *p);
    rd_kafka_conf_t *conf = NULL;
    sy_err_t err = SY_ERR_KAFKA_FATAL;

    if (p == NULL)
        return SY_ERR_NOMEM;
    conf = harness_conf_new(bootstrap, kv, errbuf, errbuf_size);
    if (conf == NULL)
        goto fail;
    rd_kafka_conf_set_opaque(conf, p);
    rd_kafka_conf_set_dr_msg_cb(conf, harness_on_delivery);
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, errbuf_size);
    if (p->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        goto fail;
    }
    p->transactional = transactional_id != NULL;
    if (p->transactional) {
        err = harness_txn_error(rd_kafka_init_transactions(p->rk, HARNESS_KAFKA_CALL_TIMEOUT_MS),
                                "init_transactions", errbuf, errbuf_size);
        if (err != SY_OK)
            goto fail;
    }
    *out = p;
    return SY_OK;
fail:
    if (p->rk != NULL)
        rd_kafka_destroy(p->rk);
    free(p);
    return err;
}

rd_kafka_t *harness_producer_handle(harness_producer_t *p)
{
    return p->rk;
}

sy_err_t harness_produce(harness_producer_t *p, const char *topic, const void *key,
                         size_t keylen, const void *value, size_t valuelen)
{
    long long deadline_ms = sy_clock_mono_ms() + HARNESS_KAFKA_CALL_TIMEOUT_MS;
    rd_kafka_resp_err_t e;
    for (;;) {
        e = rd_kafka_producev(p->rk, RD_KAFKA_V_TOPIC(topic),
                              RD_KAFKA_V_KEY((void *)key, keylen),
                              RD_KAFKA_V_VALUE((void *)value, valuelen),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL || sy_clock_mono_ms() >= deadline_ms)
            break;
        rd_kafka_poll(p->rk, HARNESS_POLL_SLICE_MS);
    }
    rd_kafka_poll(p->rk, 0);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        return SY_OK;
    fprintf(stderr, "kafka_harness: produce to %s: %s\n", topic, rd_kafka_err2str(e));
    return e == RD_KAFKA_RESP_ERR__QUEUE_FULL ? SY_ERR_KAFKA_RETRIABLE : SY_ERR_KAFKA_FATAL;
}

sy_err_t harness_txn_begin(harness_producer_t *p, char *errbuf, size_t errbuf_size)
{
    return harness_txn_error(rd_kafka_begin_transaction(p->rk), "begin_transaction", errbuf,
                             errbuf_size);
}

sy_err_t harness_txn_commit(harness_producer_t *p, char *errbuf, size_t errbuf_size)
{
    sy_err_t err = harness_txn_error(
        rd_kafka_commit_transaction(p->rk, HARNESS_KAFKA_CALL_TIMEOUT_MS),
        "commit_transaction", errbuf, errbuf_size);
    if (err == SY_OK && p->delivery_failures > 0) {
        harness_errf(errbuf, errbuf_size, "%ld records not delivered, first: %s",
                     p->delivery_failures, p->first_failure);
        err = SY_ERR_KAFKA_FATAL;
    }
    return err;
}

sy_err_t harness_txn_abort(harness_producer_t *p, char *errbuf, size_t errbuf_size)
{
    sy_err_t err = harness_txn_error(
        rd_kafka_abort_transaction(p->rk, HARNESS_KAFKA_CALL_TIMEOUT_MS),
        "abort_transaction", errbuf, errbuf_size);
    /* Records of an aborted transaction are purged, not failed: they do not count. */
    if (err == SY_OK)
        p->delivery_failures = 0;
    return err;
}

sy_err_t harness_producer_flush_close(harness_producer_t *p, int timeout_ms, char *errbuf,
                                      size_t errbuf_size)
{
    sy_err_t err = SY_OK;
    rd_kafka_resp_err_t e;
    if (p == NULL)
        return SY_OK;
    e = rd_kafka_flush(p->rk, timeout_ms);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        harness_errf(errbuf, errbuf_size, "flush: %s (%d records still queued)",
                     rd_kafka_err2str(e), rd_kafka_outq_len(p->rk));
        err = SY_ERR_KAFKA_RETRIABLE;
    } else if (p->delivery_failures > 0) {
        harness_errf(errbuf, errbuf_size, "%ld records not delivered, first: %s",
                     p->delivery_failures, p->first_failure);
        err = SY_ERR_KAFKA_FATAL;
    }
    rd_kafka_destroy(p->rk);
    free(p);
    return err;
}

/* ------------------------------------------------------------------------------------- */
/* consumer */

/* The partition count of topic, waiting for it to appear until deadline_ms; -1 if never. */
static int harness_partition_count(rd_kafka_t *rk, const char *topic, long long deadline_ms)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    int count = -1;
    sy_backoff_t backoff;
    harness_backoff_init(&backoff);
    while (count < 0 && sy_clock_mono_ms() < deadline_ms) {
        const struct rd_kafka_metadata *md = NULL;
        if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR
                && md->topics[0].partition_cnt > 0)
                count = md->topics[0].partition_cnt;
            rd_kafka_metadata_destroy(md);
        }
        if (count < 0)
            harness_backoff_wait(&backoff, deadline_ms);
    }
    rd_kafka_topic_destroy(rkt);
    return count;
}

/* A consumer assigned every partition of topic from the beginning; NULL on failure. */
static rd_kafka_t *harness_consumer_open(const char *bootstrap, const char *topic,
                                         const char *isolation, long long deadline_ms,
                                         int *partitions_out)
{
    static unsigned consumers;
    char group[96], errbuf[512];
    rd_kafka_topic_partition_list_t *assignment;
    rd_kafka_conf_t *conf;
    rd_kafka_t *rk;
    int partitions;

    snprintf(group, sizeof group, "harness-%ld-%u", (long)getpid(), consumers++);
    const char *const kv[] = {
        "group.id", group,
        "enable.auto.commit", "false",
        "enable.partition.eof", "true",
        "auto.offset.reset", "earliest",
        "isolation.level", isolation,
        NULL,
    };
    conf = harness_conf_new(bootstrap, kv, errbuf, sizeof errbuf);
    if (conf == NULL || (rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errbuf, sizeof errbuf))
                            == NULL) {
        if (conf != NULL)
            rd_kafka_conf_destroy(conf);
        fprintf(stderr, "kafka_harness: consumer: %s\n", errbuf);
        return NULL;
    }
    partitions = harness_partition_count(rk, topic, deadline_ms);
    if (partitions < 0) {
        fprintf(stderr, "kafka_harness: topic %s has no metadata\n", topic);
        rd_kafka_destroy(rk);
        return NULL;
    }
    assignment = rd_kafka_topic_partition_list_new(partitions);
    for (int i = 0; i < partitions; i++)
        rd_kafka_topic_partition_list_add(assignment, topic, i)->offset =
            RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, assignment);
    rd_kafka_topic_partition_list_destroy(assignment);
    *partitions_out = partitions;
    return rk;
}

/* Whether an end of partition is the partition's end. Read committed, the end is the last
 * stable offset, which stops short of a transaction still pending there: one whose
 * producer was killed holds it until the broker aborts it (transaction.timeout.ms, then
 * the broker's abort check), and the committed records behind it are not readable yet. A
 * reader that took that end for the last would miss them; it reads on until the end is
 * the high watermark (the end of partition comes again once the transaction ends). */
static int harness_eof_is_end(rd_kafka_t *rk, const char *topic,
                              const rd_kafka_message_t *eof)
{
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err = rd_kafka_get_watermark_offsets(rk, topic, eof->partition, &low,
                                                             &high);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR || eof->offset >= high)
        return 1;
    fprintf(stderr, "kafka_harness: %s [%d] is stable to %lld, written to %lld: waiting for "
            "a pending transaction to end\n", topic, (int)eof->partition,
            (long long)eof->offset, (long long)high);
    return 0;
}

static int harness_all_at_end(const unsigned char *at_end, int partitions)
{
    for (int i = 0; i < partitions; i++)
        if (!at_end[i])
            return 0;
    return 1;
}

rd_kafka_t *harness_consumer_new(const char *bootstrap, const char *topic,
                                 const char *isolation, int timeout_ms)
{
    int partitions = 0;
    return harness_consumer_open(bootstrap, topic, isolation,
                                 sy_clock_mono_ms() + timeout_ms, &partitions);
}

long harness_consume_all(const char *bootstrap, const char *topic, const char *isolation,
                         long expected_count, int timeout_ms, harness_message_cb *cb,
                         void *ctx)
{
    long long deadline_ms = sy_clock_mono_ms() + timeout_ms;
    unsigned char *at_end;
    int partitions = 0;
    long count = 0;
    rd_kafka_t *rk = harness_consumer_open(bootstrap, topic, isolation, deadline_ms,
                                           &partitions);
    if (rk == NULL)
        return -1;
    at_end = calloc((size_t)partitions, 1);
    if (at_end == NULL) {
        rd_kafka_destroy(rk);
        return -1;
    }
    for (int slice; (slice = harness_poll_slice(deadline_ms)) > 0;) {
        rd_kafka_message_t *msg = rd_kafka_consumer_poll(rk, slice);
        if (msg == NULL)
            continue;
        if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (msg->partition >= 0 && msg->partition < partitions)
                at_end[msg->partition] = harness_eof_is_end(rk, topic, msg);
        } else if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            fprintf(stderr, "kafka_harness: consume %s: %s\n", topic,
                    rd_kafka_message_errstr(msg));
        } else {
            if (msg->partition >= 0 && msg->partition < partitions)
                at_end[msg->partition] = 0;
            count++;
            if (cb != NULL)
                cb(ctx, msg);
        }
        rd_kafka_message_destroy(msg);
        if ((expected_count < 0 || count >= expected_count)
            && harness_all_at_end(at_end, partitions))
            break;
    }
    free(at_end);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return count;
}

/* ------------------------------------------------------------------------------------- */
/* decoded records */

typedef struct harness_json_ctx {
    codec_t *codec;          /* owned by harness_consume_json */
    harness_json_cb *cb;     /* may be NULL */
    void *ctx;               /* the caller's, borrowed */
    long undecodable;
} harness_json_ctx_t;

static void harness_on_frame(void *ctx, const rd_kafka_message_t *msg)
{
    harness_json_ctx_t *c = ctx;
    char errbuf[256], *json = NULL;
    if (codec_to_json(c->codec, msg->payload, msg->len, &json, errbuf, sizeof errbuf)
        != SY_OK) {
        if (c->undecodable++ == 0)
            fprintf(stderr, "kafka_harness: undecodable record at %s [%d] @%lld: %s\n",
                    rd_kafka_topic_name(msg->rkt), (int)msg->partition,
                    (long long)msg->offset, errbuf);
        return;
    }
    if (c->cb != NULL)
        c->cb(c->ctx, json);
    free(json);
}

long harness_consume_json(const char *bootstrap, const char *topic, const char *isolation,
                          long expected_count, int timeout_ms, harness_json_cb *cb, void *ctx,
                          long *undecodable)
{
    char errbuf[256];
    harness_json_ctx_t c = {.cb = cb, .ctx = ctx};
    if (codec_open(&c.codec, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "kafka_harness: codec: %s\n", errbuf);
        return -1;
    }
    long n = harness_consume_all(bootstrap, topic, isolation, expected_count, timeout_ms,
                                 harness_on_frame, &c);
    codec_close(c.codec);
    if (undecodable != NULL)
        *undecodable += c.undecodable;
    return n;
}

void harness_json_to_transcripts(void *ctx, const char *json)
{
    transcript_add_json(ctx, json, NULL);
}
