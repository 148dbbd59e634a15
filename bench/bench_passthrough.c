/* bench_passthrough.c — the ceiling for bench/bench_e2e.sh: a plain librdkafka
 * consume→produce loop on the same broker, shaped like the service's loop (poll one
 * record, produce its key and value to the output topic's same partition, commit when the
 * batch is full, old or the input idle) but with no decoding, no state and one output per
 * input. txn: one transaction per batch with send_offsets_to_transaction (exactly-once);
 * plain: flush, then commit the offsets. Runs until SIGTERM; a benchmark helper only. */
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "bench_args.h"

/* Longest a transaction call, flush or offset commit may take. */
#define PT_CALL_TIMEOUT_MS 30000
/* Poll timeout with a batch open: an empty poll means the input is idle, so commit (the
 * service's RUNNER_IDLE_MS). */
#define PT_IDLE_MS 10
/* Poll timeout with no batch open. */
#define PT_WAIT_MS 100
/* Commit durations kept for the quantiles: a drain of the default backlog makes tens. */
#define PT_COMMITS_MAX 65536

typedef struct {
    rd_kafka_t *consumer, *producer;
    const char *out;
    int txn, open;
    long interval_ms, batch_max;
    int64_t batch_started_ms;
    uint64_t batch_records, records, transactions;
    double commit_ms_total, commit_ms_max;
    double commit_ms[PT_COMMITS_MAX];
    rd_kafka_topic_partition_list_t *offsets;
} pt_t;

static volatile sig_atomic_t pt_stop;

static void on_signal(int sig) {
    (void)sig;
    pt_stop = 1;
}

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double mono_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static rd_kafka_t *client_new(rd_kafka_type_t type, const char *const settings[][2],
                              size_t n) {
    char errbuf[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    for (size_t i = 0; i < n; i++) {
        if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], errbuf, sizeof errbuf)) {
            fprintf(stderr, "bench_passthrough: %s\n", errbuf);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    rd_kafka_t *rk = rd_kafka_new(type, conf, errbuf, sizeof errbuf);
    if (!rk)
        fprintf(stderr, "bench_passthrough: %s\n", errbuf);
    return rk;
}

static int error_report(rd_kafka_error_t *error, const char *what) {
    if (!error)
        return 0;
    fprintf(stderr, "bench_passthrough: %s: %s\n", what, rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return -1;
}

static int batch_begin(pt_t *p) {
    if (p->open)
        return 0;
    if (p->txn && error_report(rd_kafka_begin_transaction(p->producer), "begin") != 0)
        return -1;
    p->open = 1;
    p->batch_records = 0;
    p->batch_started_ms = mono_ms();
    return 0;
}

static int batch_commit(pt_t *p) {
    if (!p->open)
        return 0;
    double t0 = mono_s();
    int rc = 0;
    if (p->txn) {
        rd_kafka_consumer_group_metadata_t *cgmd = rd_kafka_consumer_group_metadata(p->consumer);
        rc = error_report(rd_kafka_send_offsets_to_transaction(p->producer, p->offsets, cgmd,
                                                               PT_CALL_TIMEOUT_MS),
                          "send offsets");
        rd_kafka_consumer_group_metadata_destroy(cgmd);
        if (rc == 0)
            rc = error_report(rd_kafka_commit_transaction(p->producer, PT_CALL_TIMEOUT_MS),
                              "commit");
    } else {
        rd_kafka_resp_err_t err = rd_kafka_flush(p->producer, PT_CALL_TIMEOUT_MS);
        if (!err)
            err = rd_kafka_commit(p->consumer, p->offsets, 0);
        if (err) {
            fprintf(stderr, "bench_passthrough: commit: %s\n", rd_kafka_err2str(err));
            rc = -1;
        }
    }
    double ms = (mono_s() - t0) * 1000.0;
    p->commit_ms_total += ms;
    p->commit_ms_max = ms > p->commit_ms_max ? ms : p->commit_ms_max;
    if (p->transactions < PT_COMMITS_MAX)
        p->commit_ms[p->transactions] = ms;
    p->transactions++;
    p->open = 0;
    rd_kafka_topic_partition_list_destroy(p->offsets);
    p->offsets = rd_kafka_topic_partition_list_new(16);
    return rc;
}

static int pass_record(pt_t *p, const rd_kafka_message_t *m) {
    if (batch_begin(p) != 0)
        return -1;
    rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_find(
        p->offsets, rd_kafka_topic_name(m->rkt), m->partition);
    if (!tp)
        tp = rd_kafka_topic_partition_list_add(p->offsets, rd_kafka_topic_name(m->rkt),
                                               m->partition);
    tp->offset = m->offset + 1;
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(p->producer, RD_KAFKA_V_TOPIC(p->out),
                                    RD_KAFKA_V_PARTITION(m->partition),
                                    RD_KAFKA_V_KEY(m->key, m->key_len),
                                    RD_KAFKA_V_VALUE(m->payload, m->len),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll(p->producer, 50);
    if (err) {
        fprintf(stderr, "bench_passthrough: produce: %s\n", rd_kafka_err2str(err));
        return -1;
    }
    p->batch_records++;
    p->records++;
    return 0;
}

static int pass_loop(pt_t *p) {
    while (!pt_stop) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(p->consumer,
                                                       p->open ? PT_IDLE_MS : PT_WAIT_MS);
        int rc = 0;
        if (m && !m->err)
            rc = pass_record(p, m);
        else if (m && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            fprintf(stderr, "bench_passthrough: consumer: %s\n", rd_kafka_message_errstr(m));
        if (m)
            rd_kafka_message_destroy(m);
        rd_kafka_poll(p->producer, 0);
        if (rc == 0 && p->open &&
            (!m || p->batch_records >= (uint64_t)p->batch_max ||
             mono_ms() - p->batch_started_ms >= p->interval_ms))
            rc = batch_commit(p);
        if (rc != 0)
            return rc;
    }
    return batch_commit(p);
}

static int clients_open(pt_t *p, const char *bootstrap, const char *in, const char *group) {
    char txn_id[256];
    snprintf(txn_id, sizeof txn_id, "%s-passthrough", group);
    const char *const consumer[][2] = {
        {"bootstrap.servers", bootstrap}, {"group.id", group},
        {"enable.auto.commit", "false"}, {"isolation.level", "read_committed"},
        {"auto.offset.reset", "earliest"}};
    const char *const producer[][2] = {
        {"bootstrap.servers", bootstrap},
        {p->txn ? "transactional.id" : "enable.idempotence", p->txn ? txn_id : "true"}};
    p->consumer = client_new(RD_KAFKA_CONSUMER, consumer, sizeof consumer / sizeof *consumer);
    p->producer = client_new(RD_KAFKA_PRODUCER, producer, sizeof producer / sizeof *producer);
    if (!p->consumer || !p->producer)
        return -1;
    if (p->txn && error_report(rd_kafka_init_transactions(p->producer, PT_CALL_TIMEOUT_MS),
                               "init transactions") != 0)
        return -1;
    rd_kafka_poll_set_consumer(p->consumer);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, in, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(p->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err)
        fprintf(stderr, "bench_passthrough: subscribe %s: %s\n", in, rd_kafka_err2str(err));
    return err ? -1 : 0;
}

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* Nearest-rank quantile of the kept commit durations. */
static double commit_quantile(pt_t *p, double q) {
    size_t n = p->transactions < PT_COMMITS_MAX ? (size_t)p->transactions : PT_COMMITS_MAX;
    if (!n)
        return 0;
    qsort(p->commit_ms, n, sizeof p->commit_ms[0], cmp_double);
    size_t rank = (size_t)(q * (double)n + 0.999999);
    return p->commit_ms[rank ? rank - 1 : 0];
}

int main(int argc, char **argv) {
    long interval_ms = 0, batch_max = 0;
    if (argc != 8 || (strcmp(argv[5], "txn") != 0 && strcmp(argv[5], "plain") != 0) ||
        !bench_arg_long(argv[6], 0, LONG_MAX, &interval_ms) ||
        !bench_arg_long(argv[7], 1, LONG_MAX, &batch_max)) {
        fprintf(stderr, "usage: bench_passthrough BOOTSTRAP IN_TOPIC OUT_TOPIC GROUP"
                        " txn|plain COMMIT_INTERVAL_MS BATCH_RECORDS_MAX\n");
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    static pt_t p; /* its commit_ms array is too big for the stack */
    p = (pt_t){.out = argv[3], .txn = strcmp(argv[5], "txn") == 0,
               .interval_ms = interval_ms, .batch_max = batch_max,
               .offsets = rd_kafka_topic_partition_list_new(16)};
    int rc = clients_open(&p, argv[1], argv[2], argv[4]);
    if (rc == 0)
        rc = pass_loop(&p);
    if (p.consumer) {
        rd_kafka_consumer_close(p.consumer);
        rd_kafka_destroy(p.consumer);
    }
    if (p.producer) {
        rd_kafka_flush(p.producer, PT_CALL_TIMEOUT_MS);
        rd_kafka_destroy(p.producer);
    }
    rd_kafka_topic_partition_list_destroy(p.offsets);
    printf("records %" PRIu64 " transactions %" PRIu64 " commit_mean_ms %.1f"
           " commit_p50_ms %.1f commit_p99_ms %.1f commit_max_ms %.1f\n",
           p.records, p.transactions,
           p.transactions ? p.commit_ms_total / (double)p.transactions : 0.0,
           commit_quantile(&p, 0.50), commit_quantile(&p, 0.99), p.commit_ms_max);
    return rc == 0 ? 0 : 1;
}
