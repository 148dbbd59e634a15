/* topics_admin.c — the admin client and the list of topics a config names, with the
 * retry pacing its calls share. Reading the cluster is topics_describe.c, creating
 * topics_create.c, the rules topics_check.c. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sy_clock.h"
#include "topics_admin_int.h"

/* Add a topic to the list; name is taken (freed by close even on failure). */
static sy_err_t topics_add(topics_admin_t *a, char *name, const char *option,
                           bool copartitioned, bool compacted) {
    if (!name)
        return SY_ERR_NOMEM;
    if (a->count == TOPICS_MAX) { /* TOPICS_MAX lags the list: a bug, not bad input */
        free(name);
        return SY_ERR_LIMIT;
    }
    a->entries[a->count++] = (topics_entry_t){
        .name = name, .option = option, .copartitioned = copartitioned,
        .compacted = compacted, .partitions = -1,
    };
    return SY_OK;
}

/* Every action topic: one per channel switchyard knows, whether a journey sends on it
 * or not, so that a journey added later never meets a missing topic. */
static sy_err_t topics_plan(topics_admin_t *a) {
    const sy_config_t *c = a->config;
    sy_err_t err = topics_add(a, strdup(c->topic_events), "topic.events", true, false);
    if (err == SY_OK)
        err = topics_add(a, strdup(c->topic_profiles), "topic.profiles", true, false);
    if (err == SY_OK)
        err = topics_add(a, strdup(c->topic_changelog), "topic.changelog", true, true);
    if (err == SY_OK)
        err = topics_add(a, strdup(c->topic_decisions), "topic.decisions", false, false);
    if (err == SY_OK)
        err = topics_add(a, strdup(c->topic_contact_updates), "topic.contact_updates",
                         false, false);
    if (err == SY_OK)
        err = topics_add(a, strdup(c->topic_dlq), "topic.dlq", false, false);
    if (err == SY_OK)
        err = topics_add(a, strdup(c->topic_conversions), "topic.conversions", false, false);
    for (int ch = 0; err == SY_OK && ch < SY_CHANNEL__COUNT; ch++)
        err = topics_add(a, config_action_topic(c, (sy_channel_t)ch), "topic.actions.prefix",
                         false, false);
    return err;
}

/* A producer handle: the Admin API needs a client, and a producer joins no group. */
static sy_err_t topics_client_new(topics_admin_t *a, char *errbuf, size_t errbuf_size) {
    rd_kafka_conf_t *conf = config_kafka_conf_new();
    if (!conf)
        return SY_ERR_NOMEM;
    sy_err_t err = config_apply_kafka(a->config, conf, errbuf, errbuf_size);
    if (err != SY_OK) {
        rd_kafka_conf_destroy(conf);
        return err;
    }
    a->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, errbuf_size);
    if (!a->rk) {
        rd_kafka_conf_destroy(conf);
        return SY_ERR_CONFIG;
    }
    return SY_OK;
}

sy_err_t topics_admin_open(topics_admin_t **out, const sy_config_t *config,
                           const atomic_int *stop, int timeout_ms, char *errbuf,
                           size_t errbuf_size) {
    topics_admin_t *a = calloc(1, sizeof *a);
    if (!a) {
        sy_errf(errbuf, errbuf_size, "topics: out of memory");
        return SY_ERR_NOMEM;
    }
    a->config = config;
    a->stop = stop;
    a->deadline_ms = sy_clock_mono_ms() + timeout_ms;
    sy_err_t err = topics_plan(a);
    if (err == SY_OK)
        err = topics_client_new(a, errbuf, errbuf_size);
    if (err == SY_ERR_NOMEM)
        sy_errf(errbuf, errbuf_size, "topics: out of memory");
    if (err != SY_OK) {
        topics_admin_close(a);
        return err;
    }
    *out = a;
    return SY_OK;
}

void topics_admin_close(topics_admin_t *a) {
    if (!a)
        return;
    if (a->rk)
        rd_kafka_destroy(a->rk);
    for (size_t i = 0; i < a->count; i++)
        free(a->entries[i].name);
    free(a);
}

size_t topics_admin_count(const topics_admin_t *a) {
    return a->count;
}

const topics_entry_t *topics_admin_entry(const topics_admin_t *a, size_t i) {
    return i < a->count ? &a->entries[i] : NULL;
}

const topics_entry_t *topics_events_entry(const topics_admin_t *a) {
    return &a->entries[0];
}

static bool topics_stopped(const topics_admin_t *a) {
    return a->stop && atomic_load(a->stop);
}

void topics_backoff_init(topics_admin_t *a, sy_backoff_t *backoff) {
    sy_backoff_init(backoff, TOPICS_BACKOFF_MIN_MS, TOPICS_BACKOFF_MAX_MS,
                    (uint64_t)sy_clock_mono_us() ^ (uint64_t)(uintptr_t)a);
}

bool topics_backoff_wait(topics_admin_t *a, sy_backoff_t *backoff) {
    int64_t delay_ms = sy_backoff_next_ms(backoff);
    if (topics_stopped(a) || sy_clock_mono_ms() + delay_ms >= a->deadline_ms)
        return false;
    return sy_backoff_sleep_ms(delay_ms, a->stop);
}

int topics_request_timeout_ms(const topics_admin_t *a) {
    int64_t left = a->deadline_ms - sy_clock_mono_ms();
    if (left > TOPICS_REQUEST_TIMEOUT_MS)
        return TOPICS_REQUEST_TIMEOUT_MS;
    return left < 1 ? 1 : (int)left;
}

bool topics_err_retriable(rd_kafka_resp_err_t err) {
    switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR_NOT_CONTROLLER:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
        return true;
    default:
        return false;
    }
}
