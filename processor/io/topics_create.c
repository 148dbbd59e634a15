/* topics_create.c — create the config's missing topics with CreateTopics: partitions that
 * keep the co-partitioned topics together, topics.replication.factor, the changelog
 * compacted; retried with backoff on retriable errors. It never alters a topic that
 * exists. Reading the cluster is topics_describe.c. */
#include <string.h>

#include "topics_admin_int.h"

typedef struct topics_create_req {
    rd_kafka_NewTopic_t *topics[TOPICS_MAX];
    size_t count;
    bool created[TOPICS_MAX]; /* by entry index: this command created it */
} topics_create_req_t;

/* The partition count new topics follow: the first existing co-partitioned entry's
 * (events first), or -1 when none exists. */
static int topics_reference_partitions(const topics_admin_t *a) {
    for (size_t i = 0; i < a->count; i++)
        if (a->entries[i].copartitioned && a->entries[i].partitions > 0)
            return a->entries[i].partitions;
    return -1;
}

static int topics_partitions_for(const topics_admin_t *a, const topics_entry_t *e) {
    int reference = topics_reference_partitions(a);
    if (e->copartitioned && reference > 0)
        return reference;
    if (a->config->topics_partitions > 0)
        return (int)a->config->topics_partitions;
    return reference > 0 ? reference : TOPICS_PARTITIONS_FALLBACK;
}

/* True when an entry before i has the same name: one topic, created once. */
static bool topics_seen_before(const topics_admin_t *a, size_t i) {
    for (size_t j = 0; j < i; j++)
        if (strcmp(a->entries[j].name, a->entries[i].name) == 0)
            return true;
    return false;
}

/* A NewTopic for every missing entry. */
static sy_err_t topics_create_prepare(topics_admin_t *a, topics_create_req_t *req,
                                      char *errbuf, size_t errbuf_size) {
    for (size_t i = 0; i < a->count; i++) {
        const topics_entry_t *e = &a->entries[i];
        if (e->partitions >= 0 || topics_seen_before(a, i))
            continue;
        rd_kafka_NewTopic_t *t = rd_kafka_NewTopic_new(
            e->name, topics_partitions_for(a, e), (int)a->config->topics_replication_factor,
            errbuf, errbuf_size);
        if (!t)
            return SY_ERR_CONFIG;
        req->topics[req->count++] = t;
        if (e->compacted && rd_kafka_NewTopic_set_config(t, "cleanup.policy", "compact")) {
            sy_errf(errbuf, errbuf_size, "topics: %s: cleanup.policy refused", e->name);
            return SY_ERR_NOMEM;
        }
    }
    return SY_OK;
}

static void topics_create_call(topics_admin_t *a, void *ctx,
                               rd_kafka_AdminOptions_t *options, rd_kafka_queue_t *queue) {
    topics_create_req_t *req = ctx;
    rd_kafka_AdminOptions_set_operation_timeout(options, topics_request_timeout_ms(a), NULL,
                                                0);
    rd_kafka_CreateTopics(a->rk, req->topics, req->count, options, queue);
}

static void topics_mark_created(topics_admin_t *a, topics_create_req_t *req,
                                const char *name) {
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->entries[i].name, name) == 0)
            req->created[i] = true;
}

/* Each topic's answer: created, already there (another process was first), retriable
 * (the caller tries again) or refused (SY_ERR_KAFKA_FATAL naming topic and reason). */
static sy_err_t topics_create_results(topics_admin_t *a, topics_create_req_t *req,
                                      rd_kafka_event_t *ev, char *errbuf,
                                      size_t errbuf_size) {
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t **rs = res ? rd_kafka_CreateTopics_result_topics(res, &n)
                                             : NULL;
    sy_err_t out = SY_OK;
    if (err || !res) {
        sy_errf(errbuf, errbuf_size, "topics: create: %s", rd_kafka_event_error_string(ev));
        return err && !topics_err_retriable(err) ? SY_ERR_KAFKA_FATAL : SY_ERR_KAFKA_RETRIABLE;
    }
    for (size_t i = 0; i < n; i++) {
        rd_kafka_resp_err_t terr = rd_kafka_topic_result_error(rs[i]);
        const char *name = rd_kafka_topic_result_name(rs[i]);
        if (!terr) {
            topics_mark_created(a, req, name);
            continue;
        }
        if (terr == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            continue;
        sy_errf(errbuf, errbuf_size, "topics: create %s: %s", name,
                rd_kafka_topic_result_error_string(rs[i]));
        if (!topics_err_retriable(terr))
            return SY_ERR_KAFKA_FATAL;
        out = SY_ERR_KAFKA_RETRIABLE;
    }
    return out;
}

/* One CreateTopics of every missing entry. */
static sy_err_t topics_create_once(topics_admin_t *a, topics_create_req_t *req, char *errbuf,
                                   size_t errbuf_size) {
    sy_err_t err = topics_create_prepare(a, req, errbuf, errbuf_size);
    if (err == SY_OK && req->count > 0) {
        rd_kafka_event_t *ev = topics_request(a, RD_KAFKA_ADMIN_OP_CREATETOPICS,
                                              topics_create_call, req);
        if (ev) {
            err = topics_create_results(a, req, ev, errbuf, errbuf_size);
            rd_kafka_event_destroy(ev);
        } else {
            sy_errf(errbuf, errbuf_size, "topics: create: no answer in time");
            err = SY_ERR_KAFKA_RETRIABLE;
        }
    }
    for (size_t i = 0; i < req->count; i++)
        rd_kafka_NewTopic_destroy(req->topics[i]);
    req->count = 0;
    return err;
}

static void topics_create_report(const topics_admin_t *a, const topics_create_req_t *req,
                                 FILE *out) {
    for (size_t i = 0; out && i < a->count; i++) {
        const topics_entry_t *e = &a->entries[i];
        if (!req->created[i]) {
            fprintf(out, "exists   %s (%s): %d partitions, left as it is\n", e->name,
                    e->option, e->partitions);
            continue;
        }
        fprintf(out, "created  %s (%s): %d partitions", e->name, e->option, e->partitions);
        if (a->config->topics_replication_factor > 0)
            fprintf(out, ", replication factor %lld",
                    (long long)a->config->topics_replication_factor);
        fprintf(out, "%s\n", e->compacted ? ", cleanup.policy=compact" : "");
    }
}

sy_err_t topics_admin_create(topics_admin_t *a, FILE *out, char *errbuf, size_t errbuf_size) {
    topics_create_req_t req = {.count = 0};
    sy_backoff_t backoff;
    topics_backoff_init(a, &backoff);
    sy_err_t err;
    for (;;) {
        err = topics_create_once(a, &req, errbuf, errbuf_size);
        if (err != SY_ERR_KAFKA_RETRIABLE)
            break;
        if (!topics_backoff_wait(a, &backoff))
            return err;
        /* Some may exist now: ask again which are missing. */
        if ((err = topics_admin_describe(a, errbuf, errbuf_size)) != SY_OK)
            return err;
    }
    if (err == SY_OK)
        err = topics_admin_describe_wait(a, true, errbuf, errbuf_size);
    if (err == SY_OK)
        topics_create_report(a, &req, out);
    return err;
}
