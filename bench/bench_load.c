/* bench_load.c — the Kafka side of bench/bench_e2e.sh: create topics, produce N framed
 * entry events for the coffee email promo as fast as librdkafka takes them (the backlog;
 * open-loop load at a rate is bench/loadgen's), and watch a consumer group's committed
 * offsets until they reach the end of the events topic.
 * A benchmark helper, not a test and not a tool for production topics. Every wait is
 * bounded; output is one line of `name value` pairs for the script to read. */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "bench_args.h"
#include "bench_clock.h"
#include "codec.h"

/* Longest a metadata, admin or offset call may take: a fresh broker is slow at first. */
#define LOAD_CALL_TIMEOUT_MS 30000
/* Most partitions of the events topic the watcher follows: the benchmark uses 4. */
#define LOAD_PARTITIONS_MAX 256
/* Interval between two committed-offset queries while watching. */
#define LOAD_WATCH_INTERVAL_MS 50
/* Event time of the first event (2026-11-02T00:00:00Z), one millisecond apart after. */
#define LOAD_EVENT_TIME_BASE_MS INT64_C(1793577600000)

static rd_kafka_t *client_new(rd_kafka_type_t type, const char *bootstrap, const char *group,
                              const char *const *extra) {
    char errbuf[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errbuf, sizeof errbuf) ||
        (group && rd_kafka_conf_set(conf, "group.id", group, errbuf, sizeof errbuf))) {
        fprintf(stderr, "bench_load: %s\n", errbuf);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    for (; extra && extra[0]; extra += 2) {
        if (rd_kafka_conf_set(conf, extra[0], extra[1], errbuf, sizeof errbuf)) {
            fprintf(stderr, "bench_load: %s\n", errbuf);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    rd_kafka_t *rk = rd_kafka_new(type, conf, errbuf, sizeof errbuf);
    if (!rk)
        fprintf(stderr, "bench_load: %s\n", errbuf);
    return rk;
}

/* create BOOTSTRAP PARTITIONS TOPIC... : replication factor 1; existing topics are fine. */
static int cmd_create(const char *bootstrap, int partitions, char **topics, int n) {
    char errbuf[512];
    rd_kafka_t *rk = client_new(RD_KAFKA_PRODUCER, bootstrap, NULL, NULL);
    if (!rk)
        return 1;
    rd_kafka_NewTopic_t *news[64];
    n = n > 64 ? 64 : n;
    for (int i = 0; i < n; i++) {
        news[i] = rd_kafka_NewTopic_new(topics[i], partitions, 1, errbuf, sizeof errbuf);
        if (!news[i]) {
            fprintf(stderr, "bench_load: topic %s: %s\n", topics[i], errbuf);
            for (int j = 0; j < i; j++)
                rd_kafka_NewTopic_destroy(news[j]);
            rd_kafka_destroy(rk);
            return 1;
        }
    }
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, news, (size_t)n, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, LOAD_CALL_TIMEOUT_MS);
    int failed = !ev || rd_kafka_event_error(ev);
    if (failed)
        fprintf(stderr, "bench_load: create topics: %s\n",
                ev ? rd_kafka_event_error_string(ev) : "timed out");
    const rd_kafka_CreateTopics_result_t *res =
        ev ? rd_kafka_event_CreateTopics_result(ev) : NULL;
    size_t count = 0;
    const rd_kafka_topic_result_t **results =
        res ? rd_kafka_CreateTopics_result_topics(res, &count) : NULL;
    for (size_t i = 0; i < count; i++) {
        rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
        if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
            fprintf(stderr, "bench_load: create %s: %s\n", rd_kafka_topic_result_name(results[i]),
                    rd_kafka_err2str(err));
            failed = 1;
        }
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    for (int i = 0; i < n; i++)
        rd_kafka_NewTopic_destroy(news[i]);
    rd_kafka_destroy(rk);
    return failed;
}

/* Produce contact i's custom.promo_eligible event at event time time_ms, keyed by its id;
 * CreateTime is the time of this call. Returns 0, or 1 after saying why. */
static int produce_entry(rd_kafka_t *rk, codec_t *codec, const char *topic, long i,
                         int64_t time_ms) {
    char errbuf[512], contact[32], event_id[32];
    snprintf(contact, sizeof contact, "contact-%07ld", i);
    snprintf(event_id, sizeof event_id, "eligible-%07ld", i);
    sy_event_t ev = {.event_id = event_id, .contact_id = contact, .occurred_at_ms = time_ms,
                     .channel = SY_CHANNEL_CUSTOM, .type = SY_EVENT_CUSTOM,
                     .name = "promo_eligible", .bounce = SY_BOUNCE_NONE};
    const void *frame;
    size_t len;
    if (codec_encode_event(codec, &ev, &frame, &len, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "bench_load: encode: %s\n", errbuf);
        return 1;
    }
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                    RD_KAFKA_V_KEY(contact, strlen(contact)),
                                    RD_KAFKA_V_VALUE((void *)frame, len),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll(rk, 10);
    if (err) {
        fprintf(stderr, "bench_load: produce: %s\n", rd_kafka_err2str(err));
        return 1;
    }
    rd_kafka_poll(rk, 0);
    return 0;
}

/* Flush, close and print the line the script reads. */
static int produce_end(rd_kafka_t *rk, codec_t *codec, long count, double start) {
    rd_kafka_resp_err_t err = rd_kafka_flush(rk, LOAD_CALL_TIMEOUT_MS);
    double elapsed = bench_seconds_now() - start;
    codec_close(codec);
    rd_kafka_destroy(rk);
    if (err) {
        fprintf(stderr, "bench_load: flush: %s\n", rd_kafka_err2str(err));
        return 1;
    }
    printf("produced %ld seconds %.2f events_per_s %.0f\n", count, elapsed,
           (double)count / elapsed);
    return 0;
}

/* produce BOOTSTRAP TOPIC COUNT [FIRST] : COUNT custom.promo_eligible events of contacts
 * FIRST (default 0) on, contact i keyed by its id, event time LOAD_EVENT_TIME_BASE_MS + i. */
static int cmd_produce(const char *bootstrap, const char *topic, long first, long count) {
    char errbuf[512];
    codec_t *codec = NULL;
    const char *const extra[] = {"linger.ms", "20", "batch.size", "1000000",
                                 "compression.type", "lz4", NULL};
    rd_kafka_t *rk = client_new(RD_KAFKA_PRODUCER, bootstrap, NULL, extra);
    if (!rk || codec_open(&codec, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "bench_load: %s\n", rk ? errbuf : "no producer");
        return 1;
    }
    double start = bench_seconds_now();
    for (long i = first; i < first + count; i++) {
        if (produce_entry(rk, codec, topic, i, LOAD_EVENT_TIME_BASE_MS + i) != 0)
            return 1;
    }
    return produce_end(rk, codec, count, start);
}

/* The end (high watermark) of every partition of topic into list; returns their sum. */
static int64_t topic_end(rd_kafka_t *rk, const char *topic,
                         rd_kafka_topic_partition_list_t *list) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, LOAD_CALL_TIMEOUT_MS);
    rd_kafka_topic_destroy(rkt);
    if (err || md->topic_cnt != 1 || md->topics[0].err) {
        fprintf(stderr, "bench_load: metadata of %s: %s\n", topic,
                rd_kafka_err2str(err ? err : md->topics[0].err));
        if (md)
            rd_kafka_metadata_destroy(md);
        return -1;
    }
    int64_t sum = 0;
    for (int i = 0; i < md->topics[0].partition_cnt && i < LOAD_PARTITIONS_MAX; i++) {
        int64_t low = 0, high = 0;
        int32_t p = md->topics[0].partitions[i].id;
        if (rd_kafka_query_watermark_offsets(rk, topic, p, &low, &high, LOAD_CALL_TIMEOUT_MS)) {
            rd_kafka_metadata_destroy(md);
            return -1;
        }
        rd_kafka_topic_partition_list_add(list, topic, p);
        sum += high;
    }
    rd_kafka_metadata_destroy(md);
    return sum;
}

/* Whether process pid still runs: a zombie (exited, not yet reaped) does not. */
static int process_alive(long pid) {
    char path[64], stat[256];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *state = strrchr(stat, ')'); /* "pid (comm) S ..." */
    return state && state[1] == ' ' && state[2] != 'Z' && state[2] != 'X';
}

/* watch BOOTSTRAP GROUP TOPIC TIMEOUT_S PID : from now, poll the group's committed offsets
 * on topic until they sum to the topic's end, or process PID (the service) has exited.
 * Prints when the first commit appeared (and how many records it covered) and when the
 * end was reached, both from the start of the watch. */
static int cmd_watch(const char *bootstrap, const char *group, const char *topic,
                     double timeout_s, long pid) {
    double start = bench_seconds_now(), first = -1;
    int64_t first_committed = 0;
    rd_kafka_t *rk = client_new(RD_KAFKA_CONSUMER, bootstrap, group, NULL);
    if (!rk)
        return 1;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(16);
    int64_t end = topic_end(rk, topic, list), committed = 0;
    while (end >= 0 && committed < end && bench_seconds_now() - start < timeout_s &&
           process_alive(pid)) {
        if (rd_kafka_committed(rk, list, LOAD_CALL_TIMEOUT_MS) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            committed = 0;
            for (int i = 0; i < list->cnt; i++)
                committed += list->elems[i].offset > 0 ? list->elems[i].offset : 0;
            if (committed > 0 && first < 0) {
                first = bench_seconds_now() - start;
                first_committed = committed;
            }
        }
        if (committed < end) {
            struct timespec pause = {0, LOAD_WATCH_INTERVAL_MS * 1000000L};
            nanosleep(&pause, NULL);
        }
    }
    double done = bench_seconds_now() - start;
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_destroy(rk);
    printf("end %" PRId64 " committed %" PRId64 " first_commit_s %.2f first_committed %" PRId64
           " done_s %.2f\n",
           end, committed, first, first_committed, done);
    return end >= 0 && committed >= end ? 0 : 1;
}

int main(int argc, char **argv) {
    long n;
    if (argc >= 5 && strcmp(argv[1], "create") == 0 && bench_arg_long(argv[3], 1, INT_MAX, &n))
        return cmd_create(argv[2], (int)n, argv + 4, argc - 4);
    long first = 0;
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "produce") == 0 &&
        bench_arg_long(argv[4], 0, LONG_MAX / 2, &n) &&
        (argc == 5 || bench_arg_long(argv[5], 0, LONG_MAX / 2, &first)))
        return cmd_produce(argv[2], argv[3], first, n);
    if (argc == 7 && strcmp(argv[1], "watch") == 0 && bench_arg_long(argv[6], 1, LONG_MAX, &n))
        return cmd_watch(argv[2], argv[3], argv[4], atof(argv[5]), n);
    fprintf(stderr, "usage: bench_load create BOOTSTRAP PARTITIONS TOPIC...\n"
                    "       bench_load produce BOOTSTRAP TOPIC COUNT [FIRST]\n"
                    "       bench_load watch BOOTSTRAP GROUP TOPIC TIMEOUT_S PID\n");
    return 2;
}
