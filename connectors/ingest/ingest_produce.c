/* ingest_produce.c — the idempotent producer of ingest_produce.h: encoding under one lock
 * (a codec serves one thread at a time), delivery reports served by a thread of its own,
 * and each request's wait for its acknowledgements. Not HTTP. */
#include "ingest_produce.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "codec.h"
#include "kafka_produce.h"
#include "log.h"
#include "sy_clock.h"

/* How long the delivery thread waits for a report before looking at its stop flag. */
#define PRODUCE_POLL_MS 100

/* The acknowledgements one request waits for; freed by whoever drops the last ref (the
 * request, or the last delivery report of a request that stopped waiting). */
typedef struct produce_ack {
    size_t refs;
    size_t pending;
    bool failed;
    rd_kafka_resp_err_t err;
    pthread_cond_t done; /* signalled when pending reaches 0 or a delivery fails: only
                          * this request's thread wakes, not every waiting one */
} produce_ack_t;

/* The frames of one request, encoded in the first pass and produced in the second: one
 * buffer for all (one allocation per request, not per event), each frame at its offset. */
typedef struct produce_frames {
    char *data; /* owned */
    size_t len;
    size_t cap;
    size_t *offsets; /* owned, count + 1 entries: frame i is [offsets[i], offsets[i + 1]) */
} produce_frames_t;

struct ingest_producer {
    const sy_config_t *config;
    rd_kafka_t *rk;
    pthread_t thread;
    bool thread_started;
    atomic_int stop;
    atomic_bool fatal;
    pthread_mutex_t codec_lock; /* guards codec */
    codec_t *codec;
    pthread_mutex_t lock;       /* guards every produce_ack_t */
};

static void ack_drop(produce_ack_t *ack, size_t n) {
    assert(ack && ack->refs >= n);
    ack->refs -= n;
    if (ack->refs == 0) {
        pthread_cond_destroy(&ack->done);
        free(ack);
    }
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    ingest_producer_t *p = opaque;
    produce_ack_t *ack = m->_private;
    (void)rk;
    assert(p && ack);
    pthread_mutex_lock(&p->lock);
    ack->pending--;
    if (m->err) {
        ack->failed = true;
        ack->err = m->err;
    }
    if (ack->pending == 0 || m->err)
        pthread_cond_signal(&ack->done);
    ack_drop(ack, 1);
    pthread_mutex_unlock(&p->lock);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    ingest_producer_t *p = opaque;
    char why[512];
    assert(p);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        rd_kafka_fatal_error(rk, why, sizeof why);
        log_error("ingest: the producer failed for good: %s", why);
        atomic_store(&p->fatal, true);
        return;
    }
    log_warn("ingest: kafka: %s", reason);
}

static void *delivery_thread(void *arg) {
    ingest_producer_t *p = arg;
    assert(p);
    while (!atomic_load(&p->stop))
        rd_kafka_poll(p->rk, PRODUCE_POLL_MS);
    return NULL;
}

static bool conf_put(rd_kafka_conf_t *conf, const char *name, const char *value,
                     char *errbuf, size_t errbuf_size) {
    assert(conf && name && value);
    return rd_kafka_conf_set(conf, name, value, errbuf, errbuf_size) == RD_KAFKA_CONF_OK;
}

/* The producer's conf: kafka.*, then idempotence and the service's partitioner (a
 * contact's events on the partition the service expects), and delivery that gives up
 * when a request stops waiting, unless kafka.message.timeout.ms says otherwise. */
static sy_err_t producer_conf(ingest_producer_t *p, rd_kafka_conf_t **out, char *errbuf,
                              size_t errbuf_size) {
    char timeout[32];
    assert(p && out);
    rd_kafka_conf_t *conf = config_kafka_conf_new();
    if (!conf)
        return SY_ERR_NOMEM;
    sy_err_t err = config_apply_kafka(p->config, conf, errbuf, errbuf_size);
    snprintf(timeout, sizeof timeout, "%lld", (long long)p->config->ingest_ack_timeout_ms);
    if (err == SY_OK &&
        (!conf_put(conf, "enable.idempotence", "true", errbuf, errbuf_size) ||
         !conf_put(conf, "partitioner", "murmur2_random", errbuf, errbuf_size) ||
         (!config_kafka_get(p->config, "message.timeout.ms") &&
          !conf_put(conf, "message.timeout.ms", timeout, errbuf, errbuf_size))))
        err = SY_ERR_CONFIG;
    if (err != SY_OK) {
        rd_kafka_conf_destroy(conf);
        return err;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_error_cb(conf, on_error);
    rd_kafka_conf_set_opaque(conf, p);
    *out = conf;
    return SY_OK;
}

sy_err_t ingest_producer_open(ingest_producer_t **out, const sy_config_t *config,
                              char *errbuf, size_t errbuf_size) {
    rd_kafka_conf_t *conf = NULL;
    assert(out && config);
    ingest_producer_t *p = calloc(1, sizeof *p);
    if (!p)
        return SY_ERR_NOMEM;
    p->config = config;
    pthread_mutex_init(&p->codec_lock, NULL);
    pthread_mutex_init(&p->lock, NULL);
    sy_err_t err = codec_open(&p->codec, errbuf, errbuf_size);
    if (err == SY_OK)
        err = producer_conf(p, &conf, errbuf, errbuf_size);
    if (err == SY_OK && !(p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf,
                                               errbuf_size))) {
        rd_kafka_conf_destroy(conf);
        err = SY_ERR_CONFIG;
    }
    if (err == SY_OK && pthread_create(&p->thread, NULL, delivery_thread, p) != 0)
        err = SY_ERR_NOMEM;
    p->thread_started = err == SY_OK;
    if (err != SY_OK) {
        ingest_producer_close(p, 0);
        return err;
    }
    *out = p;
    return SY_OK;
}

void ingest_producer_close(ingest_producer_t *p, int timeout_ms) {
    if (!p)
        return;
    if (p->rk && rd_kafka_flush(p->rk, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
        log_warn("ingest: %d event(s) not acknowledged at close", rd_kafka_outq_len(p->rk));
    atomic_store(&p->stop, 1);
    if (p->thread_started)
        pthread_join(p->thread, NULL);
    if (p->rk)
        rd_kafka_destroy(p->rk); /* reports of what is left free their acks */
    codec_close(p->codec);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->codec_lock);
    free(p);
}

bool ingest_producer_fatal(const ingest_producer_t *p) {
    assert(p);
    return atomic_load(&p->fatal);
}

static bool frames_append(produce_frames_t *f, const void *frame, size_t len) {
    assert(f && frame);
    if (f->len + len > f->cap) {
        size_t cap = f->cap ? f->cap : 4096;
        while (cap < f->len + len)
            cap *= 2;
        char *grown = realloc(f->data, cap);
        if (!grown)
            return false;
        f->data = grown;
        f->cap = cap;
    }
    memcpy(f->data + f->len, frame, len);
    f->len += len;
    return true;
}

/* The first pass: every event encoded into f. */
static sy_err_t frames_encode(ingest_producer_t *p, const ingest_batch_t *b,
                              produce_frames_t *f, char *errbuf, size_t errbuf_size) {
    char why[256];
    sy_err_t err = SY_OK;
    assert(p && b && f && f->offsets);
    pthread_mutex_lock(&p->codec_lock);
    for (size_t i = 0; i < b->count && err == SY_OK; i++) {
        const void *frame;
        size_t len;
        f->offsets[i] = f->len;
        err = codec_encode_event(p->codec, &b->events[i], &frame, &len, why, sizeof why);
        if (err != SY_OK)
            sy_errf(errbuf, errbuf_size, "event %zu (%s): %s", i + 1,
                    b->events[i].event_id ? b->events[i].event_id : "no id", why);
        else if (!frames_append(f, frame, len))
            err = SY_ERR_NOMEM;
    }
    f->offsets[b->count] = f->len;
    pthread_mutex_unlock(&p->codec_lock);
    return err;
}

/* Produce one frame with ack as its opaque, waiting while the queue is full until
 * deadline_ms (monotonic). */
static rd_kafka_resp_err_t frame_produce(ingest_producer_t *p, const sy_event_t *e,
                                         const void *frame, size_t len, produce_ack_t *ack,
                                         int64_t deadline_ms) {
    assert(p && e && frame && ack);
    for (;;) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            p->rk, RD_KAFKA_V_TOPIC(p->config->topic_events),
            RD_KAFKA_V_KEY(e->contact_id, strlen(e->contact_id)),
            RD_KAFKA_V_VALUE((void *)frame, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_OPAQUE(ack), RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || sy_clock_mono_ms() >= deadline_ms)
            return err;
        struct timespec nap = {0, KAFKA_PRODUCE_QUEUE_WAIT_MS * 1000000L};
        nanosleep(&nap, NULL); /* the delivery thread drains the queue meanwhile */
    }
}

/* Wait until ack has no pending event or deadline_ms passes; drops the waiter's ref. */
static sy_err_t ack_wait(ingest_producer_t *p, produce_ack_t *ack, int64_t deadline_ms,
                         char *errbuf, size_t errbuf_size) {
    assert(p && ack);
    pthread_mutex_lock(&p->lock);
    while (ack->pending > 0 && !ack->failed) {
        int64_t left = deadline_ms - sy_clock_mono_ms();
        if (left <= 0)
            break;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t ns = until.tv_nsec + (left % 1000) * 1000000;
        until.tv_sec += (time_t)(left / 1000 + ns / 1000000000);
        until.tv_nsec = (long)(ns % 1000000000);
        pthread_cond_timedwait(&ack->done, &p->lock, &until);
    }
    sy_err_t err = SY_OK;
    if (ack->failed)
        sy_errf(errbuf, errbuf_size, "the broker did not take an event: %s",
                rd_kafka_err2str(ack->err));
    else if (ack->pending > 0)
        sy_errf(errbuf, errbuf_size, "%zu event(s) not acknowledged by the broker in time",
                ack->pending);
    if (ack->failed || ack->pending > 0)
        err = SY_ERR_KAFKA_RETRIABLE;
    ack_drop(ack, 1);
    pthread_mutex_unlock(&p->lock);
    return err;
}

/* The second pass: produce every frame, then wait for the acknowledgements. */
static sy_err_t frames_produce(ingest_producer_t *p, const ingest_batch_t *b,
                               const produce_frames_t *f, int64_t deadline_ms,
                               char *errbuf, size_t errbuf_size) {
    assert(p && b && f);
    produce_ack_t *ack = calloc(1, sizeof *ack);
    if (!ack)
        return SY_ERR_NOMEM;
    ack->refs = b->count + 1;
    ack->pending = b->count;
    pthread_cond_init(&ack->done, NULL);
    for (size_t i = 0; i < b->count; i++) {
        rd_kafka_resp_err_t err = frame_produce(p, &b->events[i], f->data + f->offsets[i],
                                                f->offsets[i + 1] - f->offsets[i], ack,
                                                deadline_ms);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            continue;
        pthread_mutex_lock(&p->lock); /* the unproduced ones will have no report */
        ack->pending -= b->count - i;
        ack->failed = true;
        ack->err = err;
        ack_drop(ack, b->count - i);
        pthread_mutex_unlock(&p->lock);
        break;
    }
    return ack_wait(p, ack, deadline_ms, errbuf, errbuf_size);
}

sy_err_t ingest_producer_send(ingest_producer_t *p, const ingest_batch_t *b,
                              int64_t timeout_ms, char *errbuf, size_t errbuf_size) {
    assert(p && b);
    if (atomic_load(&p->fatal)) {
        sy_errf(errbuf, errbuf_size, "the producer failed for good; ingest is stopping");
        return SY_ERR_KAFKA_FATAL;
    }
    if (b->count == 0)
        return SY_OK;
    int64_t deadline_ms = sy_clock_mono_ms() + timeout_ms;
    produce_frames_t frames = {.offsets = malloc((b->count + 1) * sizeof(size_t))};
    if (!frames.offsets)
        return SY_ERR_NOMEM;
    sy_err_t err = frames_encode(p, b, &frames, errbuf, errbuf_size);
    if (err == SY_OK)
        err = frames_produce(p, b, &frames, deadline_ms, errbuf, errbuf_size);
    free(frames.offsets);
    free(frames.data);
    return err;
}
