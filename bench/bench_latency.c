/* bench_latency.c — decision latency of `switchyard run` as a downstream reader sees it:
 * event produced (its CreateTime) → the contact's first action command visible to a
 * read_committed consumer (this process's wall clock when it receives it; same machine).
 * Rule: a contact's first entry event (ENTRY) is answered by its first action, true of
 * journeys that send on entry, like the coffee email promo. Entries of the first WARMUP_S
 * (new topics, first transactions) are answered but not measured. A benchmark helper, not
 * a test: it reads fresh topics from their beginning and prints one line of `name value`. */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "codec.h"
#include "sy_array.h"
#include "sy_clock.h"

/* Longest a metadata call may take: a fresh broker is slow at first. */
#define LAT_CALL_TIMEOUT_MS 30000
/* Longest the broker holds an empty fetch: bounds how late a committed record can be seen
 * if the broker does not wake the fetch at the commit marker (10 ms: under the 20 ms
 * target's resolution, a few requests per second of load). */
#define LAT_FETCH_WAIT_MS "10"
/* Most action topics and partitions per topic followed (the benchmark uses 1 and 4). */
#define LAT_TOPICS_MAX 16
#define LAT_PARTITIONS_MAX 256
/* First size of the contact table (slots, a power of two); it doubles at 70% full. */
#define LAT_TABLE_SLOTS_MIN 4096
/* Poll slice: how often the stop conditions are checked. */
#define LAT_POLL_MS 50

typedef struct {
    char *contact;     /* owned; NULL for a free slot */
    int64_t event_ms;  /* CreateTime of the first entry event, or -1 */
    int64_t action_us; /* wall clock of the first action received, or -1 */
} lat_slot_t;

typedef struct {
    lat_slot_t *slots;
    size_t cap, used;
    uint64_t entries, actions, matched, measured;
    double *latency_ms; /* one per measured contact; grows like the table */
    size_t latency_cap;
    int64_t first_event_ms, last_action_us;
    int64_t warmup_ms; /* entries this soon after the first are answered, not measured */
    FILE *series;      /* "event_ms latency_ms" per answered contact, or NULL */
} lat_table_t;

typedef struct {
    const char *bootstrap, *events, *entry;
    const char *actions[LAT_TOPICS_MAX];
    int actions_count;
    double timeout_s, idle_s, warmup_s;
    uint64_t expect;
} lat_args_t;

static volatile sig_atomic_t lat_stop;

static void on_signal(int sig) {
    (void)sig;
    lat_stop = 1;
}

static uint64_t hash_bytes(const void *p, size_t n) {
    const unsigned char *b = p;
    uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * UINT64_C(1099511628211);
    return h;
}

static lat_slot_t *slot_find(lat_slot_t *slots, size_t cap, const void *key, size_t len) {
    size_t i = (size_t)hash_bytes(key, len) & (cap - 1);
    while (slots[i].contact &&
           !(strlen(slots[i].contact) == len && memcmp(slots[i].contact, key, len) == 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int table_grow(lat_table_t *t) {
    size_t cap = t->cap ? t->cap * 2 : LAT_TABLE_SLOTS_MIN;
    lat_slot_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (t->slots[i].contact)
            *slot_find(slots, cap, t->slots[i].contact, strlen(t->slots[i].contact)) =
                t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return 0;
}

/* The contact's slot, created when new; NULL when out of memory. */
static lat_slot_t *table_get(lat_table_t *t, const void *key, size_t len) {
    if ((t->used + 1) * 10 > t->cap * 7 && table_grow(t) != 0)
        return NULL;
    lat_slot_t *s = slot_find(t->slots, t->cap, key, len);
    if (!s->contact) {
        s->contact = malloc(len + 1);
        if (!s->contact)
            return NULL;
        memcpy(s->contact, key, len);
        s->contact[len] = '\0';
        s->event_ms = -1;
        s->action_us = -1;
        t->used++;
    }
    return s;
}

static int latency_add(lat_table_t *t, const lat_slot_t *s) {
    double ms = (double)s->action_us / 1000.0 - (double)s->event_ms;
    t->matched++;
    if (t->series)
        fprintf(t->series, "%" PRId64 " %.1f\n", s->event_ms, ms);
    if (s->event_ms < t->first_event_ms + t->warmup_ms)
        return 0;
    double *grown = sy_array_grow(t->latency_ms, &t->latency_cap, t->measured + 1,
                                  sizeof *grown, LAT_TABLE_SLOTS_MIN);
    if (!grown)
        return -1;
    t->latency_ms = grown;
    t->latency_ms[t->measured++] = ms;
    return 0;
}

/* Whether ev is the entry event named by spec: "custom.NAME" or "CHANNEL.TYPE". */
static int is_entry(const sy_event_t *ev, const char *spec) {
    if (ev->type == SY_EVENT_CUSTOM && ev->name && strncmp(spec, "custom.", 7) == 0)
        return strcmp(spec + 7, ev->name) == 0;
    const char *channel = sy_channel_name(ev->channel), *type = sy_event_type_name(ev->type);
    size_t n = channel ? strlen(channel) : 0;
    return channel && type && strncmp(spec, channel, n) == 0 && spec[n] == '.' &&
           strcmp(spec + n + 1, type) == 0;
}

/* One record of the events topic (is_action 0) or of an action topic (1). */
static int on_record(lat_table_t *t, codec_t *codec, const lat_args_t *a,
                     const rd_kafka_message_t *m, int is_action) {
    int64_t now = sy_clock_wall_us();
    if (!m->key || !m->key_len)
        return 0;
    if (!is_action) {
        sy_event_t ev;
        char reason[256];
        if (codec_decode_event(codec, m->payload, m->len, &ev, reason, sizeof reason) !=
                SY_OK ||
            !is_entry(&ev, a->entry))
            return 0;
    }
    lat_slot_t *s = table_get(t, m->key, m->key_len);
    if (!s)
        return -1;
    if (is_action) {
        t->actions++;
        t->last_action_us = now;
        if (s->action_us >= 0)
            return 0;
        s->action_us = now;
    } else {
        t->entries++;
        if (s->event_ms >= 0)
            return 0;
        s->event_ms = rd_kafka_message_timestamp(m, NULL);
        if (t->first_event_ms < 0 || s->event_ms < t->first_event_ms)
            t->first_event_ms = s->event_ms;
    }
    return s->event_ms >= 0 && s->action_us >= 0 ? latency_add(t, s) : 0;
}

/* Assign every partition of topic from its beginning into list. */
static int partitions_add(rd_kafka_t *rk, const char *topic,
                          rd_kafka_topic_partition_list_t *list) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, LAT_CALL_TIMEOUT_MS);
    rd_kafka_topic_destroy(rkt);
    if (err || md->topic_cnt != 1 || md->topics[0].err) {
        fprintf(stderr, "bench_latency: metadata of %s: %s\n", topic,
                rd_kafka_err2str(err ? err : md->topics[0].err));
        if (md)
            rd_kafka_metadata_destroy(md);
        return -1;
    }
    for (int i = 0; i < md->topics[0].partition_cnt && i < LAT_PARTITIONS_MAX; i++)
        rd_kafka_topic_partition_list_add(list, topic, md->topics[0].partitions[i].id)
            ->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_metadata_destroy(md);
    return 0;
}

static rd_kafka_t *consumer_open(const lat_args_t *a) {
    char errbuf[512], group[64];
    snprintf(group, sizeof group, "bench-latency-%ld", (long)time(NULL));
    const char *settings[][2] = {{"bootstrap.servers", a->bootstrap}, {"group.id", group},
                                 {"isolation.level", "read_committed"},
                                 {"enable.auto.commit", "false"},
                                 {"fetch.wait.max.ms", LAT_FETCH_WAIT_MS}};
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++) {
        if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], errbuf, sizeof errbuf)) {
            fprintf(stderr, "bench_latency: %s\n", errbuf);
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errbuf, sizeof errbuf);
    if (!rk) {
        fprintf(stderr, "bench_latency: %s\n", errbuf);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(16);
    int failed = partitions_add(rk, a->events, list);
    for (int i = 0; i < a->actions_count && !failed; i++)
        failed = partitions_add(rk, a->actions[i], list);
    if (!failed && rd_kafka_assign(rk, list)) {
        fprintf(stderr, "bench_latency: assign failed\n");
        failed = 1;
    }
    rd_kafka_topic_partition_list_destroy(list);
    if (failed) {
        rd_kafka_destroy(rk);
        return NULL;
    }
    return rk;
}

/* Consume until: --expect contacts answered, --idle seconds without an action once one
 * was seen, --timeout, or a signal. */
static int consume(rd_kafka_t *rk, codec_t *codec, const lat_args_t *a, lat_table_t *t) {
    int64_t start = sy_clock_wall_us(), last = start;
    while (!lat_stop && (double)(sy_clock_wall_us() - start) / 1e6 < a->timeout_s &&
           !(a->expect && t->matched >= a->expect) &&
           !(t->actions && (double)(sy_clock_wall_us() - last) / 1e6 >= a->idle_s)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, LAT_POLL_MS);
        if (!m)
            continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                fprintf(stderr, "bench_latency: %s\n", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        int is_action = strcmp(rd_kafka_topic_name(m->rkt), a->events) != 0;
        int rc = on_record(t, codec, a, m, is_action);
        rd_kafka_message_destroy(m);
        if (rc != 0) {
            fprintf(stderr, "bench_latency: out of memory\n");
            return -1;
        }
        if (is_action)
            last = sy_clock_wall_us();
    }
    return 0;
}

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* Nearest-rank quantile of the sorted latencies. */
static double quantile(const lat_table_t *t, double q) {
    if (!t->measured)
        return 0;
    size_t rank = (size_t)(q * (double)t->measured + 0.999999);
    return t->latency_ms[rank ? rank - 1 : 0];
}

static void report(lat_table_t *t) {
    if (t->measured)
        qsort(t->latency_ms, t->measured, sizeof *t->latency_ms, cmp_double);
    uint64_t unanswered = 0;
    for (size_t i = 0; i < t->cap; i++)
        unanswered += t->slots[i].contact && t->slots[i].event_ms >= 0 &&
                      t->slots[i].action_us < 0;
    double span_s = t->matched ? (double)t->last_action_us / 1e6 -
                                     (double)t->first_event_ms / 1e3
                               : 0;
    printf("matched %" PRIu64 " measured %" PRIu64 " entries %" PRIu64 " actions %" PRIu64
           " unanswered %" PRIu64 " span_s %.2f answered_per_s %.0f p50_ms %.1f p99_ms %.1f"
           " p999_ms %.1f max_ms %.1f\n",
           t->matched, t->measured, t->entries, t->actions, unanswered, span_s,
           span_s > 0 ? (double)t->matched / span_s : 0, quantile(t, 0.50),
           quantile(t, 0.99), quantile(t, 0.999),
           t->measured ? t->latency_ms[t->measured - 1] : 0);
}

static int usage(void) {
    fprintf(stderr,
            "usage: bench_latency BOOTSTRAP EVENTS_TOPIC ENTRY ACTION_TOPIC[,TOPIC...]\n"
            "                     TIMEOUT_S IDLE_S WARMUP_S [EXPECT]\n"
            "  ENTRY: the entry event, custom.NAME or CHANNEL.TYPE (custom.promo_eligible)\n"
            "  stops at TIMEOUT_S, after IDLE_S without an action, or when EXPECT contacts\n"
            "  are answered; prints count and p50/p99/p99.9/max of produced -> visible,\n"
            "  leaving out (as warm-up) entries produced within WARMUP_S of the first\n"
            "  BENCH_LATENCY_SERIES=FILE also writes `event_ms latency_ms` per contact\n");
    return 2;
}

static int args_parse(int argc, char **argv, lat_args_t *a) {
    if (argc != 8 && argc != 9)
        return -1;
    *a = (lat_args_t){.bootstrap = argv[1], .events = argv[2], .entry = argv[3],
                      .timeout_s = atof(argv[5]), .idle_s = atof(argv[6]),
                      .warmup_s = atof(argv[7]),
                      .expect = argc == 9 ? strtoull(argv[8], NULL, 10) : 0};
    for (char *tok = strtok(argv[4], ","); tok; tok = strtok(NULL, ",")) {
        if (a->actions_count == LAT_TOPICS_MAX)
            return -1;
        a->actions[a->actions_count++] = tok;
    }
    return a->actions_count && a->timeout_s > 0 && a->idle_s > 0 && a->warmup_s >= 0 ? 0
                                                                                    : -1;
}

int main(int argc, char **argv) {
    lat_args_t a;
    if (args_parse(argc, argv, &a) != 0)
        return usage();
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    char errbuf[512];
    codec_t *codec = NULL;
    if (codec_open(&codec, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "bench_latency: %s\n", errbuf);
        return 1;
    }
    lat_table_t t = {.first_event_ms = -1, .warmup_ms = (int64_t)(a.warmup_s * 1000)};
    const char *series = getenv("BENCH_LATENCY_SERIES");
    if (series && !(t.series = fopen(series, "w")))
        fprintf(stderr, "bench_latency: %s: cannot write; no series\n", series);
    rd_kafka_t *rk = consumer_open(&a);
    int rc = rk && table_grow(&t) == 0 ? consume(rk, codec, &a, &t) : -1;
    if (rc == 0)
        report(&t);
    if (rk) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    for (size_t i = 0; i < t.cap; i++)
        free(t.slots[i].contact);
    free(t.slots);
    free(t.latency_ms);
    if (t.series)
        fclose(t.series);
    codec_close(codec);
    return rc == 0 ? 0 : 1;
}
