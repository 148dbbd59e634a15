/* runner_calls.c — call tracking in the service: the calls document of the config, the
 * events topic's partition count (each pool's numbers are shared among its partitions,
 * engine_calls_lease.c) and the conversions the engine writes, produced to
 * topic.conversions in the open transaction like every other output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner_int.h"

/* How long to wait for the events topic's metadata at start. */
#define RUNNER_CALLS_METADATA_TIMEOUT_MS 10000

/* The partition count of topic, from the producer's metadata. */
static sy_err_t topic_partitions(runner_t *r, const char *topic, int32_t *out, char *errbuf,
                                 size_t errbuf_size) {
    const struct rd_kafka_metadata *md = NULL;
    assert(r->producer && topic);
    rd_kafka_topic_t *t = rd_kafka_topic_new(r->producer, topic, NULL);
    if (!t)
        return SY_ERR_NOMEM;
    rd_kafka_resp_err_t err = rd_kafka_metadata(r->producer, 0, t, &md,
                                                RUNNER_CALLS_METADATA_TIMEOUT_MS);
    rd_kafka_topic_destroy(t);
    int ok = !err && md && md->topic_cnt == 1 && !md->topics[0].err &&
             md->topics[0].partition_cnt > 0;
    if (ok)
        *out = md->topics[0].partition_cnt;
    else
        snprintf(errbuf, errbuf_size, "call tracking: no partition count of %s: %s", topic,
                 rd_kafka_err2str(err ? err : md && md->topic_cnt ? md->topics[0].err
                                                                   : RD_KAFKA_RESP_ERR__FAIL));
    if (md)
        rd_kafka_metadata_destroy(md);
    return ok ? SY_OK : SY_ERR_KAFKA_FATAL;
}

sy_err_t runner_calls_open(runner_t *r, char *errbuf, size_t errbuf_size) {
    const sy_config_t *c = r->config;
    bool file = c->calls_file && c->calls_file[0];
    bool inline_doc = c->calls_inline && c->calls_inline[0];
    int32_t partitions = 0;
    assert(r->engine && !r->calls);
    if (!file && !inline_doc)
        return SY_OK;
    if (file && inline_doc) {
        snprintf(errbuf, errbuf_size, "calls.file and calls.inline are both set: use one");
        return SY_ERR_CONFIG;
    }
    if (!(r->calls = calloc(1, sizeof *r->calls)))
        return SY_ERR_NOMEM;
    sy_err_t err = file ? engine_calls_conf_load(r->calls, c->calls_file, errbuf, errbuf_size)
                        : engine_calls_conf_parse(r->calls, c->calls_inline,
                                                  strlen(c->calls_inline), "calls.inline",
                                                  errbuf, errbuf_size);
    if (err == SY_OK)
        err = engine_calls_journeys_check(r->calls, &r->journeys->set, errbuf, errbuf_size);
    if (err == SY_OK)
        err = topic_partitions(r, c->topic_events, &partitions, errbuf, errbuf_size);
    if (err == SY_OK)
        engine_calls_set(r->engine, r->calls, partitions);
    return err;
}

void runner_calls_close(runner_t *r) {
    assert(r);
    engine_calls_conf_free(r->calls);
    free(r->calls);
    r->calls = NULL;
}
