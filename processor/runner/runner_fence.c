/* runner_fence.c — after a member leaves the group without a clean goodbye (kill -9, a
 * static member's session timing out), the instances that gained partitions fence its
 * transactional producer at once: a short-lived producer with its transactional.id runs
 * init_transactions, which makes the broker abort the open transaction that otherwise
 * holds the changelog's and the input offsets' stable end until transaction.timeout.ms.
 * The member's transactional.id is its consumer's client id (runner_consumer.c sets it).
 * Not the group description itself (runner_standby.c) nor the runner's own producer. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

bool runner_fence_enabled(const runner_t *r) {
    const sy_config_t *c = r->config;
    assert(c);
    /* Members advertise their transactional.id as client id only when client.id is
     * left to switchyard; otherwise the client ids say nothing about transactions. Only
     * with standbys, which describe the group anyway: librdkafka 2.0.2 (Debian's) can
     * abort the process in a group description pending while the broker is away
     * (`eonce->refcnt > 0`, seen in a broker-restart run), so an instance without
     * standbys never asks for one. */
    return c->processing_guarantee == CONFIG_EXACTLY_ONCE &&
           config_kafka_get(c, "client.id") == NULL && c->state_standby_replicas > 0;
}

/* Fence transactional.id txn_id: aborts its open transaction, if any, and makes its
 * producer's next transactional call fail. Bounded by RUNNER_FENCE_MS; a failure only
 * leaves the broker's own transaction timeout to do it. */
static void fence_one(runner_t *r, const char *txn_id) {
    char errbuf[512];
    int64_t start = sy_clock_mono_ms();
    assert(txn_id && txn_id[0]);
    rd_kafka_conf_t *conf = runner_client_conf(r->config, errbuf, sizeof errbuf);
    rd_kafka_t *p = NULL;
    if (conf && (!runner_conf_set(conf, "transactional.id", txn_id, errbuf, sizeof errbuf) ||
                 !runner_conf_default(r->config, conf, "transaction.timeout.ms",
                                      RUNNER_TXN_ABANDON_MS, errbuf, sizeof errbuf))) {
        rd_kafka_conf_destroy(conf);
        conf = NULL;
    }
    if (conf && !(p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, sizeof errbuf)))
        rd_kafka_conf_destroy(conf);
    rd_kafka_error_t *error = p ? rd_kafka_init_transactions(p, RUNNER_FENCE_MS) : NULL;
    if (p && !error)
        log_info("fenced transactional id %s of a member that left the group: its open "
                 "transaction, if any, is aborted (%" PRId64 " ms)", txn_id,
                 sy_clock_mono_ms() - start);
    else
        log_warn("could not fence transactional id %s of a member that left the group (%s): "
                 "its open transaction ends at its timeout", txn_id,
                 error ? rd_kafka_error_string(error) : errbuf);
    if (error)
        rd_kafka_error_destroy(error);
    if (p)
        rd_kafka_destroy(p);
}

/* Whether the description g lists a member whose client id is id. */
static bool listed(const rd_kafka_ConsumerGroupDescription_t *g, const char *id) {
    size_t n = rd_kafka_ConsumerGroupDescription_member_count(g);
    assert(id);
    for (size_t i = 0; i < n; i++) {
        const char *client = rd_kafka_MemberDescription_client_id(
            rd_kafka_ConsumerGroupDescription_member(g, i));
        if (client && strcmp(client, id) == 0)
            return true;
    }
    return false;
}

/* Keep the remembered members g lacks that may still need a fence (at the front, in their
 * order), fencing them instead when g counts (gained); drop the rest. Returns how many
 * are kept. */
static int missing_keep(runner_t *r, const rd_kafka_ConsumerGroupDescription_t *g,
                        bool gained, int64_t now) {
    runner_fence_t *f = &r->fence;
    int kept = 0;
    assert(g);
    for (int i = 0; i < f->known_count; i++) {
        if (listed(g, f->known[i]) || strcmp(f->known[i], r->config->transactional_id) == 0)
            continue;
        if (gained) {
            fence_one(r, f->known[i]);
            continue;
        }
        int64_t since = f->missing_ms[i] ? f->missing_ms[i] : now;
        if (now - since > RUNNER_FENCE_MISSING_MS)
            continue;
        if (kept != i)
            memcpy(f->known[kept], f->known[i], RUNNER_FENCE_ID_BYTES);
        f->missing_ms[kept++] = since;
    }
    return kept;
}

void runner_fence_vanished(runner_t *r, const rd_kafka_ConsumerGroupDescription_t *g) {
    runner_fence_t *f = &r->fence;
    assert(g && r->txn_state == RUNNER_TXN_IDLE);
    if (!runner_fence_enabled(r))
        return;
    /* Only a new owner fences: the dead member's partitions came to it. A description
     * asked for before they came may no longer list the dead member, or still list it:
     * it does not count, but a member it lacks stays remembered for the next one. */
    bool gained = f->asked > f->handled;
    int listed_before = 0;
    for (int i = 0; i < f->known_count; i++)
        listed_before += f->missing_ms[i] == 0;
    f->known_count = missing_keep(r, g, gained, sy_clock_mono_ms());
    f->handled = f->asked > f->handled ? f->asked : f->handled;
    size_t n = rd_kafka_ConsumerGroupDescription_member_count(g);
    if ((size_t)listed_before != n)
        log_info("the group has %zu member(s)", n);
    for (size_t i = 0; i < n && f->known_count < RUNNER_FENCE_MEMBERS_MAX; i++) {
        const char *client = rd_kafka_MemberDescription_client_id(
            rd_kafka_ConsumerGroupDescription_member(g, i));
        if (client && client[0] && strlen(client) < RUNNER_FENCE_ID_BYTES) {
            snprintf(f->known[f->known_count], RUNNER_FENCE_ID_BYTES, "%s", client);
            f->missing_ms[f->known_count++] = 0;
        }
    }
}
