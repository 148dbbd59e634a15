/* topics_describe.c — what the cluster holds of the config's topics: partition counts from
 * one metadata request for every topic (never naming a topic, so nothing is auto-created)
 * and the compacted topics' cleanup.policy from DescribeConfigs, each retried with backoff
 * on retriable errors. Not the rules (topics_check.c). */
#include <string.h>

#include "topics_admin_int.h"

rd_kafka_event_t *topics_request(topics_admin_t *a, rd_kafka_admin_op_t op,
                                 topics_request_fn *call, void *ctx) {
    int timeout_ms = topics_request_timeout_ms(a);
    rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(a->rk, op);
    rd_kafka_queue_t *queue = rd_kafka_queue_new(a->rk);
    rd_kafka_event_t *ev = NULL;

    if (options && queue) {
        rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, NULL, 0);
        call(a, ctx, options, queue);
        /* The request times out on its own first; the margin is for its answer. */
        ev = rd_kafka_queue_poll(queue, timeout_ms + 2000);
    }
    if (queue)
        rd_kafka_queue_destroy(queue);
    if (options)
        rd_kafka_AdminOptions_destroy(options);
    return ev;
}

/* Copy one metadata topic into every entry it names. *ready turns false when a partition
 * has no leader yet or the topic answers with a retriable error. */
static rd_kafka_resp_err_t topics_metadata_note(topics_admin_t *a,
                                                const rd_kafka_metadata_topic_t *t,
                                                bool *ready) {
    if (t->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    if (t->err && !topics_err_retriable(t->err))
        return t->err;
    if (t->err || t->partition_cnt == 0)
        *ready = false;
    for (int p = 0; p < t->partition_cnt; p++)
        if (t->partitions[p].err || t->partitions[p].leader < 0)
            *ready = false;
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->entries[i].name, t->topic) == 0 && t->partition_cnt > 0)
            a->entries[i].partitions = t->partition_cnt;
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* One metadata request for every topic of the cluster into the entries. */
static rd_kafka_resp_err_t topics_metadata_read(topics_admin_t *a, bool *ready) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(a->rk, 1, NULL, &md,
                                                topics_request_timeout_ms(a));
    if (err)
        return err;
    *ready = true;
    for (size_t i = 0; i < a->count; i++)
        a->entries[i].partitions = -1;
    for (int t = 0; t < md->topic_cnt && !err; t++)
        err = topics_metadata_note(a, &md->topics[t], ready);
    rd_kafka_metadata_destroy(md);
    return err;
}

static bool topics_all_present(const topics_admin_t *a) {
    for (size_t i = 0; i < a->count; i++)
        if (a->entries[i].partitions < 0)
            return false;
    return true;
}

/* Read the metadata until it answers (and, with want_ready, every entry exists and every
 * partition has a leader), retrying retriable errors with backoff. */
static sy_err_t topics_metadata_wait(topics_admin_t *a, bool want_ready, char *errbuf,
                                     size_t errbuf_size) {
    sy_backoff_t backoff;
    topics_backoff_init(a, &backoff);
    for (;;) {
        bool ready = false;
        rd_kafka_resp_err_t err = topics_metadata_read(a, &ready);
        if (!err && (!want_ready || (ready && topics_all_present(a))))
            return SY_OK;
        if (err && !topics_err_retriable(err)) {
            sy_errf(errbuf, errbuf_size, "topics: metadata: %s", rd_kafka_err2str(err));
            return SY_ERR_KAFKA_FATAL;
        }
        if (!topics_backoff_wait(a, &backoff)) {
            sy_errf(errbuf, errbuf_size, "topics: metadata: %s (gave up retrying)",
                    err ? rd_kafka_err2str(err)
                        : "new topics or their partition leaders not there yet");
            return SY_ERR_KAFKA_RETRIABLE;
        }
    }
}

typedef struct topics_configs_req {
    rd_kafka_ConfigResource_t *resources[TOPICS_MAX];
    size_t count;
} topics_configs_req_t;

static void topics_configs_call(topics_admin_t *a, void *ctx,
                                rd_kafka_AdminOptions_t *options, rd_kafka_queue_t *queue) {
    topics_configs_req_t *req = ctx;
    rd_kafka_DescribeConfigs(a->rk, req->resources, req->count, options, queue);
}

/* Copy each resource's cleanup.policy into the entries of its name. */
static rd_kafka_resp_err_t topics_configs_note(topics_admin_t *a, rd_kafka_event_t *ev) {
    const rd_kafka_DescribeConfigs_result_t *res = rd_kafka_event_DescribeConfigs_result(ev);
    size_t n = 0;
    const rd_kafka_ConfigResource_t **rs =
        res ? rd_kafka_DescribeConfigs_result_resources(res, &n) : NULL;
    if (rd_kafka_event_error(ev) || !res)
        return rd_kafka_event_error(ev) ? rd_kafka_event_error(ev) : RD_KAFKA_RESP_ERR__FAIL;
    for (size_t r = 0; r < n; r++) {
        if (rd_kafka_ConfigResource_error(rs[r]))
            return rd_kafka_ConfigResource_error(rs[r]);
        size_t cn = 0;
        const rd_kafka_ConfigEntry_t **cs = rd_kafka_ConfigResource_configs(rs[r], &cn);
        for (size_t c = 0; c < cn; c++) {
            const char *value = rd_kafka_ConfigEntry_value(cs[c]);
            if (strcmp(rd_kafka_ConfigEntry_name(cs[c]), "cleanup.policy") != 0)
                continue;
            for (size_t i = 0; i < a->count; i++)
                if (strcmp(a->entries[i].name, rd_kafka_ConfigResource_name(rs[r])) == 0)
                    snprintf(a->entries[i].cleanup_policy, TOPICS_POLICY_BYTES_MAX, "%s",
                             value ? value : "");
        }
    }
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* One DescribeConfigs of the existing compacted entries. */
static rd_kafka_resp_err_t topics_configs_read(topics_admin_t *a) {
    topics_configs_req_t req = {.count = 0};
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    for (size_t i = 0; i < a->count; i++) {
        a->entries[i].cleanup_policy[0] = '\0';
        if (a->entries[i].compacted && a->entries[i].partitions >= 0)
            req.resources[req.count++] =
                rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, a->entries[i].name);
    }
    if (req.count > 0) {
        rd_kafka_event_t *ev = topics_request(a, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS,
                                              topics_configs_call, &req);
        err = ev ? topics_configs_note(a, ev) : RD_KAFKA_RESP_ERR__TIMED_OUT;
        if (ev)
            rd_kafka_event_destroy(ev);
    }
    for (size_t i = 0; i < req.count; i++)
        rd_kafka_ConfigResource_destroy(req.resources[i]);
    return err;
}

sy_err_t topics_admin_describe_wait(topics_admin_t *a, bool want_ready, char *errbuf,
                                    size_t errbuf_size) {
    sy_err_t err = topics_metadata_wait(a, want_ready, errbuf, errbuf_size);
    sy_backoff_t backoff;
    topics_backoff_init(a, &backoff);
    while (err == SY_OK) {
        rd_kafka_resp_err_t kerr = topics_configs_read(a);
        if (!kerr)
            return SY_OK;
        if (!topics_err_retriable(kerr)) {
            sy_errf(errbuf, errbuf_size, "topics: describe configs: %s",
                    rd_kafka_err2str(kerr));
            return SY_ERR_KAFKA_FATAL;
        }
        if (!topics_backoff_wait(a, &backoff)) {
            sy_errf(errbuf, errbuf_size, "topics: describe configs: %s (gave up retrying)",
                    rd_kafka_err2str(kerr));
            return SY_ERR_KAFKA_RETRIABLE;
        }
    }
    return err;
}

sy_err_t topics_admin_describe(topics_admin_t *a, char *errbuf, size_t errbuf_size) {
    return topics_admin_describe_wait(a, false, errbuf, errbuf_size);
}
