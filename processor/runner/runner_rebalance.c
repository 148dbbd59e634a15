/* runner_rebalance.c — the partition lifecycle in the consumer group: the group assigns
 * events partitions (cooperative-sticky by default: only partitions that change hands
 * move); each comes with the profiles partition of the same number, assigned paused and
 * queued for the background restore (runner_restore.c). A revoked partition's work is
 * committed before it is let go; a lost one's open batch is aborted. Not the restore
 * itself, nor the transactions (runner_txn.c). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "runner_int.h"

/* Every events partition of partitions, with its profiles partition. */
static rd_kafka_topic_partition_list_t *pairs_of(const runner_t *r,
                                                  const rd_kafka_topic_partition_list_t *in) {
    rd_kafka_topic_partition_list_t *out = rd_kafka_topic_partition_list_new(2 * in->cnt);
    assert(out);
    for (int i = 0; i < in->cnt; i++) {
        if (strcmp(in->elems[i].topic, r->config->topic_events) != 0)
            continue;
        rd_kafka_topic_partition_list_add(out, r->config->topic_events, in->elems[i].partition);
        rd_kafka_topic_partition_list_add(out, r->config->topic_profiles,
                                          in->elems[i].partition);
    }
    return out;
}

/* The group's rebalance protocol; librdkafka names none (NULL) while the consumer is
 * closing: the last one named then. */
static bool cooperative(runner_t *r) {
    const char *protocol = rd_kafka_rebalance_protocol(r->consumer);
    assert(r->consumer);
    if (protocol)
        r->cooperative = strcmp(protocol, "COOPERATIVE") == 0;
    return r->cooperative;
}

static void fatal_set(runner_t *r, sy_err_t err, const char *why) {
    assert(err != SY_OK && why);
    if (r->fatal != SY_OK || atomic_load(r->stop))
        return;
    r->fatal = err;
    snprintf(r->fatal_msg, sizeof r->fatal_msg, "%s", why);
}

/* Change the consumer's assignment by pairs: add or remove, as the protocol wants. */
static void assignment_change(runner_t *r, rd_kafka_topic_partition_list_t *pairs, bool add) {
    char why[512];
    rd_kafka_error_t *error = NULL;
    rd_kafka_resp_err_t kerr = RD_KAFKA_RESP_ERR_NO_ERROR;
    assert(pairs);
    if (cooperative(r))
        error = add ? rd_kafka_incremental_assign(r->consumer, pairs)
                    : rd_kafka_incremental_unassign(r->consumer, pairs);
    else
        kerr = rd_kafka_assign(r->consumer, add ? pairs : NULL); /* eager: the whole set */
    if (error) {
        kerr = rd_kafka_error_code(error);
        rd_kafka_error_destroy(error);
    }
    if (!kerr)
        return;
    snprintf(why, sizeof why, "%s partitions: %s", add ? "assign" : "unassign",
             rd_kafka_err2str(kerr));
    fatal_set(r, SY_ERR_KAFKA_FATAL, why);
}

/* New partitions: assigned paused, then restored in the background. */
static void partitions_assigned(runner_t *r, const rd_kafka_topic_partition_list_t *in) {
    rd_kafka_topic_partition_list_t *pairs = pairs_of(r, in);
    assert(pairs);
    assignment_change(r, pairs, true);
    if (pairs->cnt)
        rd_kafka_pause_partitions(r->consumer, pairs);
    for (int i = 0; i < pairs->cnt; i += 2)
        runner_restore_add(r, pairs->elems[i].partition);
    r->fence.gains += pairs->cnt > 0; /* a member that left may have held them */
    log_info("assigned %d partition(s) (%s): restoring them in the background",
             pairs->cnt / 2, cooperative(r) ? "cooperative" : "eager");
    rd_kafka_topic_partition_list_destroy(pairs);
}

/* Events partition p and its profiles partition are no longer processed here. */
static void partition_forget(runner_t *r, int32_t p) {
    assert(p >= 0);
    rd_kafka_topic_partition_list_del(r->assigned, r->config->topic_events, p);
    rd_kafka_topic_partition_list_del(r->assigned, r->config->topic_profiles, p);
    runner_restore_drop(r, p);
}

/* Partitions leaving: the open batch (it may hold their records) commits while they are
 * still ours; lost ones (the group moved on without us) cannot commit: abort. */
static void partitions_revoked(runner_t *r, const rd_kafka_topic_partition_list_t *in) {
    char errbuf[512];
    bool lost = rd_kafka_assignment_lost(r->consumer);
    assert(in);
    if (lost && r->txn_state == RUNNER_TXN_OPEN)
        runner_txn_redo(r, "partitions lost to the group");
    sy_err_t err = runner_txn_commit(r, errbuf, sizeof errbuf);
    if (err != SY_OK)
        fatal_set(r, err, errbuf);
    rd_kafka_topic_partition_list_t *pairs = pairs_of(r, in);
    char names[512] = "";
    for (int i = 0; i < pairs->cnt; i += 2) {
        partition_forget(r, pairs->elems[i].partition);
        size_t len = strlen(names);
        snprintf(names + len, sizeof names - len, " %" PRId32, pairs->elems[i].partition);
    }
    assignment_change(r, pairs, false);
    /* The partitions by number: a handoff's gap is measured from this line. */
    log_info("%s %d partition(s):%s; processing %d", lost ? "lost" : "revoked",
             pairs->cnt / 2, names, r->assigned->cnt / 2);
    rd_kafka_topic_partition_list_destroy(pairs);
}

void runner_rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *partitions, void *opaque) {
    runner_t *r = opaque;
    char errbuf[512];
    assert(r && rk == r->consumer && partitions);
    /* A batch still committing ends first: it holds offsets of these partitions, and the
     * counts reloaded below must be committed ones. */
    sy_err_t ferr = runner_pipeline_finish(r, true, errbuf, sizeof errbuf);
    if (ferr != SY_OK)
        fatal_set(r, ferr, errbuf);
    r->restore.placement_stale = true; /* standbys follow the new assignment */
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        partitions_assigned(r, partitions);
    else
        partitions_revoked(r, partitions);
    if (r->txn_state == RUNNER_TXN_IDLE)
        runner_assigned_counted(r);
}

void runner_partitions_drop_all(runner_t *r) {
    assert(r->txn_state == RUNNER_TXN_IDLE);
    while (r->assigned->cnt > 0)
        partition_forget(r, r->assigned->elems[0].partition);
    r->restore.placement_stale = true;
}
