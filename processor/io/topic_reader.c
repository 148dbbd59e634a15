/* topic_reader.c — topic_reader.h on a librdkafka consumer that assigns one partition at a
 * time (no group membership, no commits), read_committed, with partition EOF events: the
 * end of a range may be a transaction marker or aborted records that are never delivered,
 * so "the next offset reached the end" and "the partition reported EOF" both finish it.
 * Not a service consumer (runner_loop.c). */
#include "topic_reader.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "sy_backoff.h"
#include "sy_clock.h"

/* Longest single wait in consumer_poll: short, so the stall timeout is checked often. */
#define TOPIC_READER_POLL_MS 100

/* Backoff between two tries of a metadata or offsets request that met a transient error
 * (a new topic's leaders being elected, a leader moving): from about this... */
#define TOPIC_READER_RETRY_INITIAL_MS 50
/* ...doubling up to this; every wait also ends at the reader's timeout_ms. */
#define TOPIC_READER_RETRY_MAX_MS 2000
/* A topic the broker calls unknown is asked again for this long before it counts as
 * missing: right after its creation, a broker may not know it yet. */
#define TOPIC_READER_UNKNOWN_GRACE_MS 3000

/* The consumer's group.id: librdkafka's assign() needs one, though the reader never joins
 * the group nor commits to it. A kafka.group.id of the config overrides it. */
#define TOPIC_READER_GROUP_ID "switchyard-topic-reader"

typedef struct topic_range {
    int32_t partition;
    int64_t start; /* first offset to read */
    int64_t end;   /* exclusive */
} topic_range_t;

struct topic_reader {
    rd_kafka_t *rk;
    char *topic;
    int timeout_ms;
    topic_range_t *ranges; /* ascending partitions */
    size_t ranges_count;
    size_t current;        /* the range being read */
    int32_t topic_partitions; /* the topic's partition count, from its metadata */
    bool assigned;
    int64_t waited_since_ms; /* last sign of life of the current partition */
    rd_kafka_message_t *msg; /* the record last returned (out borrows it) */
    uint64_t records_read, records_total;
    sy_backoff_t backoff; /* of the request being retried */
};

/* Errors of a metadata, watermark or offsets request that a moment cures: the topic just
 * created, a leader being elected or moved, the broker briefly unreachable. */
static bool transient_error(rd_kafka_resp_err_t e) {
    switch (e) {
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
        return true;
    default:
        return false;
    }
}

/* Wait the backoff's next delay, never past deadline_ms; false once it has passed. The
 * reader has no stop flag: SIGINT/SIGTERM end the commands that read (default action). */
static bool reader_retry_wait(topic_reader_t *r, int64_t deadline_ms) {
    int64_t left = deadline_ms - sy_clock_mono_ms();
    if (left <= 0)
        return false;
    int64_t delay = sy_backoff_next_ms(&r->backoff);
    sy_backoff_sleep_ms(delay < left ? delay : left, NULL);
    return sy_clock_mono_ms() < deadline_ms;
}

static sy_err_t conf_set(rd_kafka_conf_t *conf, const char *name, const char *value,
                         char *errbuf, size_t errbuf_size) {
    char errstr[512];
    if (rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) == RD_KAFKA_CONF_OK)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "kafka.%s: %s", name, errstr);
    return SY_ERR_CONFIG;
}

/* The consumer: defaults, then the config's kafka.* properties, then what the reader
 * depends on (read_committed, no commits, EOF events), then the bootstrap override. */
static sy_err_t reader_consumer_new(topic_reader_t *r, const topic_reader_conf_t *c,
                                    char *errbuf, size_t errbuf_size) {
    static const char *const fixed[][2] = {
        {"isolation.level", "read_committed"}, {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"}, {"enable.partition.eof", "true"},
        {"auto.offset.reset", "earliest"},     {"allow.auto.create.topics", "false"},
    };
    char errstr[512];
    rd_kafka_conf_t *conf = config_kafka_conf_new();
    sy_err_t err = conf_set(conf, "group.id", TOPIC_READER_GROUP_ID, errbuf, errbuf_size);
    if (err == SY_OK && c->config)
        err = config_apply_kafka(c->config, conf, errbuf, errbuf_size);
    for (size_t i = 0; err == SY_OK && i < sizeof fixed / sizeof fixed[0]; i++)
        err = conf_set(conf, fixed[i][0], fixed[i][1], errbuf, errbuf_size);
    if (err == SY_OK && c->bootstrap)
        err = conf_set(conf, "bootstrap.servers", c->bootstrap, errbuf, errbuf_size);
    if (err != SY_OK) {
        rd_kafka_conf_destroy(conf);
        return err;
    }
    r->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (!r->rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(errbuf, errbuf_size, "cannot create a Kafka consumer: %s", errstr);
        return SY_ERR_CONFIG;
    }
    return SY_OK;
}

/* The topic's metadata, asking again (with backoff, within timeout_ms) while the broker
 * answers with a transient error; a topic unknown for TOPIC_READER_UNKNOWN_GRACE_MS is
 * missing. */
static sy_err_t reader_metadata(topic_reader_t *r, const rd_kafka_metadata_t **out,
                                char *errbuf, size_t errbuf_size) {
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(r->rk, r->topic, NULL);
    int64_t start = sy_clock_mono_ms(), deadline = start + r->timeout_ms;
    int64_t grace = r->timeout_ms < TOPIC_READER_UNKNOWN_GRACE_MS ? r->timeout_ms
                                                                  : TOPIC_READER_UNKNOWN_GRACE_MS;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__TIMED_OUT;
    sy_err_t err = SY_ERR_KAFKA_RETRIABLE;
    sy_backoff_reset(&r->backoff);
    while (rkt) {
        const rd_kafka_metadata_t *md = NULL;
        int left = (int)(deadline - sy_clock_mono_ms());
        e = rd_kafka_metadata(r->rk, 0, rkt, &md, left > 0 ? left : 1);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1)
            e = md->topics[0].err;
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            *out = md;
            err = SY_OK;
            break;
        }
        if (md)
            rd_kafka_metadata_destroy(md);
        if (e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
            if (reader_retry_wait(r, start + grace))
                continue;
            err = SY_ERR_INVALID_ARG;
            break;
        }
        if (!transient_error(e) || !reader_retry_wait(r, deadline))
            break;
    }
    if (rkt)
        rd_kafka_topic_destroy(rkt);
    if (err == SY_ERR_INVALID_ARG)
        snprintf(errbuf, errbuf_size, "no topic '%s' on the cluster", r->topic);
    else if (err != SY_OK)
        snprintf(errbuf, errbuf_size, "cannot read the metadata of topic '%s' within %d ms: "
                 "%s", r->topic, r->timeout_ms, rd_kafka_err2str(e));
    return err;
}

static int partition_cmp(const void *a, const void *b) {
    int32_t x = ((const topic_range_t *)a)->partition;
    int32_t y = ((const topic_range_t *)b)->partition;
    return (x > y) - (x < y);
}

static bool metadata_has(const rd_kafka_metadata_topic_t *t, int32_t partition) {
    for (int i = 0; i < t->partition_cnt; i++)
        if (t->partitions[i].id == partition)
            return true;
    return false;
}

/* The partitions to read, ascending, each once: the conf's (each must exist) or all. */
static sy_err_t reader_partitions(topic_reader_t *r, const topic_reader_conf_t *c,
                                  const rd_kafka_metadata_topic_t *t, char *errbuf,
                                  size_t errbuf_size) {
    size_t n = c->partitions ? c->partitions_count : (size_t)t->partition_cnt;
    r->topic_partitions = t->partition_cnt;
    if (n == 0 || n > TOPIC_READER_PARTITIONS_MAX) {
        snprintf(errbuf, errbuf_size, "topic '%s': %zu partitions to read (1 to %d)",
                 r->topic, n, TOPIC_READER_PARTITIONS_MAX);
        return SY_ERR_INVALID_ARG;
    }
    if (!(r->ranges = calloc(n, sizeof *r->ranges))) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return SY_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        int32_t p = c->partitions ? c->partitions[i] : t->partitions[i].id;
        if (!metadata_has(t, p)) {
            snprintf(errbuf, errbuf_size, "topic '%s' has no partition %" PRId32 " (it has "
                     "%d)", r->topic, p, t->partition_cnt);
            return SY_ERR_INVALID_ARG;
        }
        r->ranges[i].partition = p;
    }
    qsort(r->ranges, n, sizeof *r->ranges, partition_cmp);
    r->ranges_count = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || r->ranges[i].partition != r->ranges[i - 1].partition)
            r->ranges[r->ranges_count++] = r->ranges[i];
    return SY_OK;
}

/* Offsets of the first records at or after each partition's time (-1: none). */
static sy_err_t reader_times(topic_reader_t *r, int64_t time_ms, int64_t *offsets,
                             char *errbuf, size_t errbuf_size) {
    int64_t deadline = sy_clock_mono_ms() + r->timeout_ms;
    rd_kafka_resp_err_t e;
    sy_backoff_reset(&r->backoff);
    do {
        rd_kafka_topic_partition_list_t *list =
            rd_kafka_topic_partition_list_new((int)r->ranges_count);
        for (size_t i = 0; i < r->ranges_count; i++)
            rd_kafka_topic_partition_list_add(list, r->topic, r->ranges[i].partition)
                ->offset = time_ms;
        int left = (int)(deadline - sy_clock_mono_ms());
        e = rd_kafka_offsets_for_times(r->rk, list, left > 0 ? left : 1);
        for (int i = 0; e == RD_KAFKA_RESP_ERR_NO_ERROR && i < list->cnt; i++) {
            e = list->elems[i].err;
            offsets[i] = list->elems[i].offset;
        }
        rd_kafka_topic_partition_list_destroy(list);
    } while (transient_error(e) && reader_retry_wait(r, deadline));
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "topic '%s': cannot find offsets by time: %s", r->topic,
             rd_kafka_err2str(e));
    return SY_ERR_KAFKA_RETRIABLE;
}

static int64_t position_resolve(const topic_position_t *pos, int64_t low, int64_t high,
                                int64_t by_time) {
    int64_t at = pos->kind == TOPIC_POSITION_BEGINNING ? low
                 : pos->kind == TOPIC_POSITION_END     ? high
                 : pos->kind == TOPIC_POSITION_OFFSET  ? pos->value
                 : by_time < 0                         ? high
                                                       : by_time;
    return at < low ? low : at > high ? high : at;
}

/* A partition's low and high watermarks, asking again (with backoff, within timeout_ms)
 * while the broker answers with a transient error such as "not leader for partition". */
static rd_kafka_resp_err_t watermarks(topic_reader_t *r, int32_t partition, int64_t *low,
                                      int64_t *high) {
    int64_t deadline = sy_clock_mono_ms() + r->timeout_ms;
    rd_kafka_resp_err_t e;
    sy_backoff_reset(&r->backoff);
    do {
        int left = (int)(deadline - sy_clock_mono_ms());
        e = rd_kafka_query_watermark_offsets(r->rk, r->topic, partition, low, high,
                                             left > 0 ? left : 1);
    } while (transient_error(e) && reader_retry_wait(r, deadline));
    return e;
}

/* Every range's start and end from the watermarks and, for TIME bounds, the offsets the
 * broker finds by timestamp. */
static sy_err_t reader_ranges(topic_reader_t *r, const topic_reader_conf_t *c, char *errbuf,
                              size_t errbuf_size) {
    int64_t *from_t = calloc(r->ranges_count, sizeof *from_t);
    int64_t *to_t = calloc(r->ranges_count, sizeof *to_t);
    sy_err_t err = from_t && to_t ? SY_OK : SY_ERR_NOMEM;
    if (err == SY_OK && c->from.kind == TOPIC_POSITION_TIME)
        err = reader_times(r, c->from.value, from_t, errbuf, errbuf_size);
    if (err == SY_OK && c->to.kind == TOPIC_POSITION_TIME)
        err = reader_times(r, c->to.value, to_t, errbuf, errbuf_size);
    for (size_t i = 0; err == SY_OK && i < r->ranges_count; i++) {
        topic_range_t *g = &r->ranges[i];
        int64_t low, high;
        rd_kafka_resp_err_t e = watermarks(r, g->partition, &low, &high);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            snprintf(errbuf, errbuf_size, "topic '%s' partition %" PRId32 ": cannot read its "
                     "offsets: %s", r->topic, g->partition, rd_kafka_err2str(e));
            err = SY_ERR_KAFKA_RETRIABLE;
            break;
        }
        g->start = position_resolve(&c->from, low, high, from_t[i]);
        g->end = position_resolve(&c->to, low, high, to_t[i]);
        if (g->end < g->start)
            g->end = g->start;
        r->records_total += (uint64_t)(g->end - g->start);
    }
    if (err == SY_ERR_NOMEM)
        snprintf(errbuf, errbuf_size, "out of memory");
    free(from_t);
    free(to_t);
    return err;
}

sy_err_t topic_reader_open(topic_reader_t **out, const topic_reader_conf_t *conf,
                           char *errbuf, size_t errbuf_size) {
    const rd_kafka_metadata_t *md = NULL;
    topic_reader_t *r = calloc(1, sizeof *r);
    sy_err_t err = SY_ERR_NOMEM;
    if (!r || !(r->topic = strdup(conf->topic))) {
        snprintf(errbuf, errbuf_size, "out of memory");
        goto fail;
    }
    r->timeout_ms = conf->timeout_ms > 0 ? conf->timeout_ms : 1;
    sy_backoff_init(&r->backoff, TOPIC_READER_RETRY_INITIAL_MS, TOPIC_READER_RETRY_MAX_MS,
                    (uint64_t)sy_clock_mono_us() ^ (uint64_t)(uintptr_t)r);
    err = reader_consumer_new(r, conf, errbuf, errbuf_size);
    if (err == SY_OK)
        err = reader_metadata(r, &md, errbuf, errbuf_size);
    if (err == SY_OK)
        err = reader_partitions(r, conf, &md->topics[0], errbuf, errbuf_size);
    if (err == SY_OK)
        err = reader_ranges(r, conf, errbuf, errbuf_size);
    if (md)
        rd_kafka_metadata_destroy(md);
    if (err != SY_OK)
        goto fail;
    *out = r;
    return SY_OK;
fail:
    topic_reader_close(r);
    return err;
}

/* Start reading the current range, or let go of it (g NULL). */
static sy_err_t reader_assign(topic_reader_t *r, const topic_range_t *g, char *errbuf,
                              size_t errbuf_size) {
    rd_kafka_topic_partition_list_t *list = NULL;
    if (g) {
        list = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(list, r->topic, g->partition)->offset = g->start;
    }
    rd_kafka_resp_err_t e = rd_kafka_assign(r->rk, list);
    if (list)
        rd_kafka_topic_partition_list_destroy(list);
    r->assigned = g != NULL;
    r->waited_since_ms = sy_clock_mono_ms();
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "cannot assign topic '%s': %s", r->topic,
             rd_kafka_err2str(e));
    return SY_ERR_KAFKA_FATAL;
}

/* What one polled message means for the current range: 1 a record to return, 0 nothing
 * (the range may be finished: r->current moved on), or an error. */
static sy_err_t reader_take(topic_reader_t *r, rd_kafka_message_t *m, bool *record,
                            char *errbuf, size_t errbuf_size) {
    const topic_range_t *g = &r->ranges[r->current];
    *record = false;
    if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        /* librdkafka retries local (negative) errors and leader changes itself (the stall
         * timeout bounds the wait); any other broker error is final. */
        if (((int)m->err < 0 || transient_error(m->err)) &&
            !rd_kafka_fatal_error(r->rk, NULL, 0))
            return SY_OK;
        snprintf(errbuf, errbuf_size, "topic '%s' partition %" PRId32 ": %s", r->topic,
                 g->partition, rd_kafka_message_errstr(m));
        return SY_ERR_KAFKA_FATAL;
    }
    if (m->partition != g->partition)
        return SY_OK; /* from a range already finished */
    r->waited_since_ms = sy_clock_mono_ms();
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || m->offset >= g->end) {
        r->current++;
        return reader_assign(r, NULL, errbuf, errbuf_size);
    }
    *record = true;
    if (m->offset + 1 >= g->end) {
        r->current++;
        return reader_assign(r, NULL, errbuf, errbuf_size);
    }
    return SY_OK;
}

static void record_fill(const topic_reader_t *r, const rd_kafka_message_t *m,
                        recording_record_t *out) {
    rd_kafka_timestamp_type_t type;
    int64_t ts = rd_kafka_message_timestamp(m, &type);
    *out = (recording_record_t){
        .topic = r->topic,
        .partition = m->partition,
        .offset = m->offset,
        .timestamp_ms = type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? -1 : ts,
        .key = m->key,
        .key_len = m->key ? m->key_len : 0,
        .value = m->payload,
        .value_len = m->payload ? m->len : 0,
    };
}

sy_err_t topic_reader_next(topic_reader_t *r, recording_record_t *out, char *errbuf,
                           size_t errbuf_size) {
    if (r->msg)
        rd_kafka_message_destroy(r->msg);
    r->msg = NULL;
    while (r->current < r->ranges_count) {
        const topic_range_t *g = &r->ranges[r->current];
        bool record = false;
        sy_err_t err = SY_OK;
        if (g->start >= g->end) {
            r->current++;
            continue;
        }
        if (!r->assigned && (err = reader_assign(r, g, errbuf, errbuf_size)) != SY_OK)
            return err;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r->rk, TOPIC_READER_POLL_MS);
        if (m)
            err = reader_take(r, m, &record, errbuf, errbuf_size);
        if (record && err == SY_OK) {
            r->msg = m;
            r->records_read++;
            record_fill(r, m, out);
            return SY_OK;
        }
        if (m)
            rd_kafka_message_destroy(m);
        if (err != SY_OK)
            return err;
        if (r->assigned && sy_clock_mono_ms() - r->waited_since_ms > r->timeout_ms) {
            snprintf(errbuf, errbuf_size, "topic '%s' partition %" PRId32 ": no answer from "
                     "the broker within %d ms", r->topic, g->partition, r->timeout_ms);
            return SY_ERR_KAFKA_RETRIABLE;
        }
    }
    return SY_ERR_NOT_FOUND;
}

int32_t topic_reader_topic_partitions(const topic_reader_t *r) {
    return r->topic_partitions;
}

void topic_reader_progress(const topic_reader_t *r, uint64_t *records_read,
                           uint64_t *records_total) {
    *records_read = r->records_read;
    *records_total = r->records_total;
}

void topic_reader_close(topic_reader_t *r) {
    if (!r)
        return;
    if (r->msg)
        rd_kafka_message_destroy(r->msg);
    if (r->rk) {
        rd_kafka_consumer_close(r->rk);
        rd_kafka_destroy(r->rk);
    }
    free(r->ranges);
    free(r->topic);
    free(r);
}
