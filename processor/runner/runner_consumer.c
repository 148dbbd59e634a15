/* runner_consumer.c — the runner's consumer in its group: the group settings (static
 * membership, cooperative-sticky, session timeout), opening it subscribed to the events
 * topic, and replacing one that failed fatally. Not the partitions the group hands out
 * (runner_rebalance.c) nor the transactions (runner_txn.c). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"
#include "sy_hash.h"

/* The consumer group's settings: static membership (group.instance.id, derived when
 * empty, none: off), cooperative-sticky, and the session timeout, unless the config's
 * kafka.* properties set them. 0 when librdkafka refuses one (errbuf says). */
static int group_conf(const sy_config_t *c, rd_kafka_conf_t *conf, char *errbuf,
                      size_t errbuf_size) {
    char id[300], host[256];
    assert(c && conf && c->state_dir);
    const char *instance = c->group_instance_id ? c->group_instance_id : "";
    if (instance[0] == '\0') {
        if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
            snprintf(host, sizeof host, "localhost");
        host[sizeof host - 1] = '\0';
        uint32_t hash = sy_hash_fnv1a32(SY_HASH_FNV32_OFFSET, c->state_dir,
                                        strlen(c->state_dir));
        snprintf(id, sizeof id, "%s-%08x", host, (unsigned)hash);
        instance = id;
    }
    if (strcmp(instance, "none") != 0 &&
        !runner_conf_set(conf, "group.instance.id", instance, errbuf, errbuf_size))
        return 0;
    /* The client id shows in the group's description: the transactional.id, which the
     * survivors fence when this member leaves without a goodbye (runner_fence.c). */
    if (c->processing_guarantee == CONFIG_EXACTLY_ONCE &&
        !runner_conf_default(c, conf, "client.id", c->transactional_id, errbuf, errbuf_size))
        return 0;
    return runner_conf_default(c, conf, "partition.assignment.strategy", "cooperative-sticky",
                        errbuf, errbuf_size) &&
           runner_conf_default(c, conf, "session.timeout.ms", RUNNER_SESSION_TIMEOUT_MS, errbuf,
                        errbuf_size) &&
           runner_conf_default(c, conf, "heartbeat.interval.ms", RUNNER_HEARTBEAT_MS, errbuf,
                        errbuf_size);
}

sy_err_t runner_consumer_open(runner_t *r, char *errbuf, size_t errbuf_size) {
    const sy_config_t *c = r->config;
    assert(!r->consumer && r->txn_state == RUNNER_TXN_IDLE && r->assigned->cnt == 0);
    rd_kafka_conf_t *conf = runner_client_conf(c, errbuf, errbuf_size);
    if (!conf)
        return SY_ERR_CONFIG;
    /* Offsets are committed only inside transactions; read only committed input. */
    if (!runner_conf_set(conf, "group.id", c->group_id, errbuf, errbuf_size) ||
        !runner_conf_set(conf, "enable.auto.commit", "false", errbuf, errbuf_size) ||
        !runner_conf_set(conf, "enable.auto.offset.store", "false", errbuf, errbuf_size) ||
        !runner_conf_set(conf, "isolation.level", "read_committed", errbuf, errbuf_size) ||
        (!config_kafka_get(c, "auto.offset.reset") &&
         !runner_conf_set(conf, "auto.offset.reset", "earliest", errbuf, errbuf_size))) {
        rd_kafka_conf_destroy(conf);
        return SY_ERR_CONFIG;
    }
    if (!group_conf(c, conf, errbuf, errbuf_size)) {
        rd_kafka_conf_destroy(conf);
        return SY_ERR_CONFIG;
    }
    rd_kafka_conf_set_rebalance_cb(conf, runner_rebalance_cb);
    rd_kafka_conf_set_opaque(conf, r);
    r->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errbuf, errbuf_size);
    if (!r->consumer)
        return SY_ERR_CONFIG;
    /* Events and profiles are co-partitioned (same count, keyed by contact id): the group
     * assigns events partitions, and the rebalance callback adds profiles partition p to
     * events partition p, whatever the assignor (runner_rebalance.c). */
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, c->topic_events, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(r->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        snprintf(errbuf, errbuf_size, "subscribe to %s: %s", c->topic_events,
                 rd_kafka_err2str(err));
        return SY_ERR_KAFKA_FATAL;
    }
    return SY_OK;
}

sy_err_t runner_consumer_renew(runner_t *r, const char *why, char *errbuf, size_t errbuf_size) {
    int64_t now = sy_clock_mono_ms();
    assert(r->consumer && why);
    if (r->consumer_renewed_ms != 0 &&
        now - r->consumer_renewed_ms < RUNNER_CONSUMER_RENEW_GAP_MS) {
        snprintf(errbuf, errbuf_size, "the consumer failed fatally again %.1f s after it was "
                 "replaced (%s): is another instance running with this group.instance.id?",
                 (double)(now - r->consumer_renewed_ms) / 1000.0, why);
        return SY_ERR_KAFKA_FATAL;
    }
    r->consumer_renewed_ms = now;
    log_warn("the consumer failed fatally (%s): its partitions are lost; replacing it and "
             "rejoining the group", why);
    if (r->txn_state == RUNNER_TXN_OPEN || r->inflight.active)
        runner_txn_drop(r, "the consumer failed fatally");
    runner_partitions_drop_all(r);
    runner_offsets_detach(r); /* its topic handles go with it */
    runner_standby_forget(r); /* and the queue of its group description */
    /* No close: a fenced member has nothing to commit or leave, and a close would call
     * the rebalance callback on the dead consumer. */
    rd_kafka_destroy_flags(r->consumer, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    r->consumer = NULL;
    sy_err_t err = runner_consumer_open(r, errbuf, errbuf_size);
    if (err == SY_OK)
        runner_assigned_counted(r);
    return err;
}
