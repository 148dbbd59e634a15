/* runner_restore.c — the background restore of assigned partitions from topic.changelog:
 * a partition assigned to this instance stays paused while its changelog partition is read
 * (read_committed, from the local checkpoint + 1, or the beginning for a partition new to
 * this instance, to the last stable offset), several partitions at once and in batches, in
 * slices between two batches of the loop, so the partitions already restored keep being
 * processed; then it is resumed. Waits while the broker is away; never skips. Not the
 * rebalance callback (runner_rebalance.c) nor the producing side (runner_changelog.c). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

/* Longest a metadata request of the changelog check waits. */
#define RUNNER_RESTORE_METADATA_MS 1000

/* Log, every RUNNER_WAIT_LOG_MS without a record, that the restore waits on the broker. */
static void waiting(runner_t *r, const char *why) {
    int64_t now = sy_clock_mono_ms();
    assert(why);
    if (now - r->restore.last_news_ms < RUNNER_WAIT_LOG_MS)
        return;
    r->restore.last_news_ms = now;
    log_warn("restore of %d partition(s) from %s waits for the broker: %s; retrying",
             r->restore.count, r->config->topic_changelog, why);
}

/* One look at the changelog topic's partition count: 1 enough, 0 not (yet), -1 no answer. */
static int topic_partitions_enough(runner_t *r, rd_kafka_topic_t *t, int32_t partition_max) {
    const struct rd_kafka_metadata *md = NULL;
    assert(t && partition_max >= 0);
    rd_kafka_resp_err_t kerr = rd_kafka_metadata(r->changelog.restore, 0, t, &md,
                                                 RUNNER_RESTORE_METADATA_MS);
    int result = -1;
    if (!kerr && md->topic_cnt == 1)
        kerr = md->topics[0].err;
    if (!kerr)
        result = md->topics[0].partition_cnt > partition_max;
    else if (kerr == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        result = 0;
    else
        waiting(r, rd_kafka_err2str(kerr));
    if (md)
        rd_kafka_metadata_destroy(md);
    return result;
}

/* The changelog topic must exist with a partition for every events partition. */
static sy_err_t topic_check(runner_t *r, int32_t partition_max, char *errbuf,
                            size_t errbuf_size) {
    const char *topic = r->config->topic_changelog;
    assert(partition_max >= 0 && partition_max < STATE_PARTITIONS_MAX);
    rd_kafka_topic_t *t = rd_kafka_topic_new(r->changelog.restore, topic, NULL);
    int64_t unknown_since = -1;
    sy_err_t err = SY_ERR_KAFKA_RETRIABLE;
    for (;;) {
        int64_t tried_at = sy_clock_mono_ms();
        int enough = topic_partitions_enough(r, t, partition_max);
        if (enough == 1) {
            err = SY_OK;
        } else if (enough == 0) {
            /* A topic just created may be unknown for a moment; then it is missing. */
            unknown_since = unknown_since < 0 ? tried_at : unknown_since;
            if (tried_at - unknown_since >= RUNNER_WAIT_LOG_MS) {
                snprintf(errbuf, errbuf_size, "changelog topic %s is missing or has fewer "
                         "partitions than %s (needs %" PRId32 "): create it compacted with "
                         "the same partition count", topic, r->config->topic_events,
                         partition_max + 1);
                err = SY_ERR_CONFIG;
            }
        }
        if (err != SY_ERR_KAFKA_RETRIABLE || !runner_retry_wait(r, tried_at, NULL))
            break;
    }
    runner_retry_reset(r);
    rd_kafka_topic_destroy(t);
    if (err == SY_ERR_KAFKA_RETRIABLE)
        snprintf(errbuf, errbuf_size, "stopped while waiting for %s", topic);
    return err;
}

rd_kafka_topic_partition_list_t *runner_partition_pair(const runner_t *r, int32_t p) {
    rd_kafka_topic_partition_list_t *pair = rd_kafka_topic_partition_list_new(2);
    assert(p >= 0 && pair);
    rd_kafka_topic_partition_list_add(pair, r->config->topic_events, p);
    rd_kafka_topic_partition_list_add(pair, r->config->topic_profiles, p);
    return pair;
}

void runner_assigned_counted(runner_t *r) {
    char errbuf[512];
    assert(r->txn_state == RUNNER_TXN_IDLE);
    if (runner_counts_reload(r, errbuf, sizeof errbuf) != SY_OK && r->fatal == SY_OK) {
        r->fatal = SY_ERR_STATE;
        snprintf(r->fatal_msg, sizeof r->fatal_msg, "%s", errbuf);
    }
    int processing = 0;
    for (int i = 0; i < r->assigned->cnt; i++)
        processing += strcmp(r->assigned->elems[i].topic, r->config->topic_events) == 0;
    int32_t restoring = -1;
    for (int32_t p = 0; restoring < 0 && r->restore.count && p < STATE_PARTITIONS_MAX; p++)
        if (r->restore.phase[p] == RUNNER_RESTORE_QUEUED ||
            r->restore.phase[p] == RUNNER_RESTORE_READING)
            restoring = p;
    runner_metrics_readiness(r, restoring, processing, processing + r->restore.count);
}

bool runner_restore_admit(runner_t *r, const rd_kafka_message_t *m) {
    runner_restore_t *rs = &r->restore;
    int32_t p = m->partition;
    assert(!m->err && m->offset >= 0);
    if (p < 0 || p >= STATE_PARTITIONS_MAX)
        return false;
    if (rs->phase[p] == RUNNER_RESTORE_OWNED)
        return true;
    if (rs->phase[p] == RUNNER_RESTORE_NONE)
        return false;
    int side = strcmp(rd_kafka_topic_name(m->rkt), r->config->topic_events) != 0;
    if (rs->rewind_to[p][side] < 0 || m->offset < rs->rewind_to[p][side])
        rs->rewind_to[p][side] = m->offset;
    return false;
}

/* Seek partition p's input back to the first record delivered during its restore. */
static void rewind_delivered(runner_t *r, int32_t p) {
    runner_restore_t *rs = &r->restore;
    const char *topics[2] = {r->config->topic_events, r->config->topic_profiles};
    rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(2);
    assert(p >= 0 && p < STATE_PARTITIONS_MAX);
    for (int side = 0; side < 2; side++)
        if (rs->rewind_to[p][side] >= 0)
            rd_kafka_topic_partition_list_add(tp, topics[side], p)->offset =
                rs->rewind_to[p][side];
    if (tp->cnt)
        log_info("partition %" PRId32 ": input delivered during its restore read again from "
                 "%" PRId64 " (events) and %" PRId64 " (profiles)", p, rs->rewind_to[p][0],
                 rs->rewind_to[p][1]);
    rd_kafka_error_t *error = tp->cnt ? rd_kafka_seek_partitions(r->consumer, tp, 5000) : NULL;
    if (error) {
        log_warn("seek partition %" PRId32 " back after its restore: %s", p,
                 rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    }
    rd_kafka_topic_partition_list_destroy(tp);
}

static rd_kafka_resp_err_t restore_assign(runner_t *r, int32_t p, int64_t offset, bool add);

void runner_restore_add(runner_t *r, int32_t p) {
    runner_restore_t *rs = &r->restore;
    assert(p >= 0 && p < STATE_PARTITIONS_MAX);
    if (rs->phase[p] == RUNNER_RESTORE_QUEUED || rs->phase[p] == RUNNER_RESTORE_READING)
        return;
    /* A standby's records are committed with its checkpoint at the end of every restore
     * slice: read again from there, only the tail is left. (Assigned anew, as its end of
     * partition was reported already.) */
    if (rs->phase[p] == RUNNER_RESTORE_STANDBY) {
        restore_assign(r, p, RD_KAFKA_OFFSET_INVALID, false);
        rs->standby_count--;
    }
    rs->phase[p] = RUNNER_RESTORE_QUEUED;
    rs->rewind_to[p][0] = rs->rewind_to[p][1] = -1;
    rs->records[p] = 0;
    rs->last_offset[p] = -1;
    rs->started_ms[p] = sy_clock_mono_ms();
    rs->count++;
    rs->queued++;
}

/* Add or remove changelog partition p in the restore consumer's assignment. */
static rd_kafka_resp_err_t restore_assign(runner_t *r, int32_t p, int64_t offset, bool add) {
    rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(1);
    assert(p >= 0);
    rd_kafka_topic_partition_list_add(tp, r->config->topic_changelog, p)->offset = offset;
    rd_kafka_error_t *error = add ? rd_kafka_incremental_assign(r->changelog.restore, tp)
                                  : rd_kafka_incremental_unassign(r->changelog.restore, tp);
    rd_kafka_topic_partition_list_destroy(tp);
    rd_kafka_resp_err_t kerr = error ? rd_kafka_error_code(error) : RD_KAFKA_RESP_ERR_NO_ERROR;
    if (error)
        rd_kafka_error_destroy(error);
    return kerr;
}

bool runner_restore_drop(runner_t *r, int32_t p) {
    runner_restore_t *rs = &r->restore;
    assert(p >= 0 && p < STATE_PARTITIONS_MAX);
    if (rs->phase[p] == RUNNER_RESTORE_STANDBY)
        return false;
    if (rs->phase[p] == RUNNER_RESTORE_NONE || rs->phase[p] == RUNNER_RESTORE_OWNED) {
        rs->phase[p] = RUNNER_RESTORE_NONE;
        return false;
    }
    if (rs->phase[p] == RUNNER_RESTORE_READING)
        restore_assign(r, p, RD_KAFKA_OFFSET_INVALID, false);
    else
        rs->queued--;
    rs->phase[p] = RUNNER_RESTORE_NONE;
    rs->count--;
    log_info("partition %" PRId32 " revoked during its restore (%" PRIu64 " changelog records "
             "applied)", p, rs->records[p]);
    return true;
}

static sy_err_t applied_commit(runner_t *r, char *errbuf, size_t errbuf_size);

/* Start reading changelog partition p from its checkpoint + 1 (or the beginning). */
static sy_err_t reading_start(runner_t *r, int32_t p, char *errbuf, size_t errbuf_size) {
    int64_t checkpoint = -1;
    assert(p >= 0 && p < STATE_PARTITIONS_MAX);
    sy_err_t err = state_store_changelog_offset_get(r->store, p, &checkpoint, errbuf,
                                                    errbuf_size);
    if (err != SY_OK && err != SY_ERR_NOT_FOUND)
        return err;
    int64_t from = err == SY_OK ? checkpoint + 1 : RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t kerr = restore_assign(r, p, from, true);
    if (kerr) {
        snprintf(errbuf, errbuf_size, "restore: assign %s [%" PRId32 "]: %s",
                 r->config->topic_changelog, p, rd_kafka_err2str(kerr));
        return SY_ERR_KAFKA_FATAL;
    }
    return SY_OK;
}

/* Start reading the queued partitions, each from its checkpoint + 1 (or the beginning). */
static sy_err_t queued_start(runner_t *r, char *errbuf, size_t errbuf_size) {
    runner_restore_t *rs = &r->restore;
    int32_t max = -1;
    assert(r->txn_state == RUNNER_TXN_IDLE && rs->queued >= 0);
    if (rs->queued == 0) /* the usual turn: no walk over every partition's phase */
        return SY_OK;
    for (int32_t p = 0; p < STATE_PARTITIONS_MAX; p++)
        if (rs->phase[p] == RUNNER_RESTORE_QUEUED)
            max = p;
    if (max < 0)
        return SY_OK;
    sy_err_t err = max > rs->checked_max ? topic_check(r, max, errbuf, errbuf_size) : SY_OK;
    if (err != SY_OK)
        return err;
    rs->checked_max = max > rs->checked_max ? max : rs->checked_max;
    for (int32_t p = 0; p <= max; p++) {
        if (rs->phase[p] != RUNNER_RESTORE_QUEUED)
            continue;
        if ((err = reading_start(r, p, errbuf, errbuf_size)) != SY_OK)
            return err;
        rs->phase[p] = RUNNER_RESTORE_READING;
        rs->queued--;
    }
    assert(rs->queued == 0);
    return SY_OK;
}

sy_err_t runner_restore_standby(runner_t *r, int32_t p, bool want, char *errbuf,
                                size_t errbuf_size) {
    runner_restore_t *rs = &r->restore;
    assert(p >= 0 && p < STATE_PARTITIONS_MAX && r->txn_state == RUNNER_TXN_IDLE);
    if (!want && rs->phase[p] == RUNNER_RESTORE_STANDBY) {
        sy_err_t err = applied_commit(r, errbuf, errbuf_size); /* its checkpoint, first */
        restore_assign(r, p, RD_KAFKA_OFFSET_INVALID, false);
        rs->phase[p] = RUNNER_RESTORE_NONE;
        rs->standby_count--;
        return err;
    }
    if (!want || rs->phase[p] != RUNNER_RESTORE_NONE)
        return SY_OK;
    sy_err_t err = p > rs->checked_max ? topic_check(r, p, errbuf, errbuf_size) : SY_OK;
    if (err == SY_OK)
        err = reading_start(r, p, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    rs->checked_max = p > rs->checked_max ? p : rs->checked_max;
    rs->phase[p] = RUNNER_RESTORE_STANDBY;
    rs->last_offset[p] = -1;
    rs->standby_count++;
    return SY_OK;
}

/* Commit what the slice applied, with every reading partition's checkpoint. */
static sy_err_t applied_commit(runner_t *r, char *errbuf, size_t errbuf_size) {
    runner_restore_t *rs = &r->restore;
    assert(r->txn_state == RUNNER_TXN_IDLE);
    if (rs->pending == 0)
        return SY_OK;
    for (int32_t p = 0; p < STATE_PARTITIONS_MAX; p++)
        if ((rs->phase[p] == RUNNER_RESTORE_READING || rs->phase[p] == RUNNER_RESTORE_STANDBY) &&
            rs->last_offset[p] >= 0)
            state_store_changelog_offset_set(r->store, p, rs->last_offset[p]);
    rs->pending = 0;
    return state_store_commit(r->store, errbuf, errbuf_size);
}

/* Apply one changelog record of a partition being read. */
static sy_err_t apply(runner_t *r, const rd_kafka_message_t *m, char *errbuf,
                      size_t errbuf_size) {
    const uint8_t *key = m->key;
    assert(!m->err && (r->restore.phase[m->partition] == RUNNER_RESTORE_READING ||
                       r->restore.phase[m->partition] == RUNNER_RESTORE_STANDBY));
    if (!key || m->key_len < 2) {
        snprintf(errbuf, errbuf_size, "changelog %s [%" PRId32 "] offset %" PRId64
                 ": no state key", r->config->topic_changelog, m->partition, m->offset);
        return SY_ERR_INVALID_ARG;
    }
    char why[256];
    sy_err_t err = state_store_changelog_apply(r->store, (state_changelog_cf_t)key[0], key + 1,
                                               m->key_len - 1, m->payload, m->len, why,
                                               sizeof why);
    if (err != SY_OK) {
        snprintf(errbuf, errbuf_size, "changelog %s [%" PRId32 "] offset %" PRId64 ": %s",
                 r->config->topic_changelog, m->partition, m->offset, why);
        return err;
    }
    r->restore.records[m->partition]++;
    r->restore.last_offset[m->partition] = m->offset;
    if (++r->restore.pending < RUNNER_RESTORE_COMMIT_RECORDS)
        return SY_OK;
    return applied_commit(r, errbuf, errbuf_size);
}

/* Partition p reached its end: commit its state, stop reading it, resume its input. */
static sy_err_t partition_done(runner_t *r, int32_t p, char *errbuf, size_t errbuf_size) {
    runner_restore_t *rs = &r->restore;
    assert(rs->phase[p] == RUNNER_RESTORE_READING);
    sy_err_t err = applied_commit(r, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    restore_assign(r, p, RD_KAFKA_OFFSET_INVALID, false);
    rs->phase[p] = RUNNER_RESTORE_OWNED;
    rs->count--;
    rewind_delivered(r, p);
    rd_kafka_topic_partition_list_t *pair = runner_partition_pair(r, p);
    rd_kafka_resp_err_t kerr = rd_kafka_resume_partitions(r->consumer, pair);
    if (kerr)
        log_warn("resume partition %" PRId32 ": %s", p, rd_kafka_err2str(kerr));
    for (int i = 0; i < pair->cnt; i++)
        if (!rd_kafka_topic_partition_list_find(r->assigned, pair->elems[i].topic, p))
            rd_kafka_topic_partition_list_add(r->assigned, pair->elems[i].topic, p);
    rd_kafka_topic_partition_list_destroy(pair);
    runner_metrics_restored(r, p, rs->records[p]);
    log_info("restored partition %" PRId32 ": %" PRIu64 " changelog records in %" PRId64
             " ms", p, rs->records[p], sy_clock_mono_ms() - rs->started_ms[p]);
    return SY_OK;
}

/* Whether the end of partition an EOF message reports is the changelog's end. Read
 * committed, the end is the last stable offset, which stops short of a transaction still
 * pending there: one still open, or one committed whose markers the broker has not
 * written yet — the previous owner's last batch, committed as it let the partition go. A
 * restore ending there would miss that batch's state while the input offsets it
 * committed are already ours (offset fetches wait for stable offsets): the batch would be
 * lost. No one but the partition's owner writes its changelog, and the new owner writes
 * nothing before its restore ends, so every pending transaction is the previous owner's
 * and ends (committed, aborted, or fenced) soon: the restore ends only once the end is
 * the high watermark. */
static bool end_is_stable(runner_t *r, const rd_kafka_message_t *m) {
    int64_t low = 0, high = 0;
    assert(m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF);
    rd_kafka_resp_err_t kerr = rd_kafka_get_watermark_offsets(
        r->changelog.restore, r->config->topic_changelog, m->partition, &low, &high);
    if (kerr != RD_KAFKA_RESP_ERR_NO_ERROR || m->offset >= high)
        return true;
    log_info("restore of partition %" PRId32 " waits for a transaction pending on the "
             "changelog (its previous owner's) to end: stable to %" PRId64 ", written to %"
             PRId64, m->partition, m->offset, high);
    return false;
}

/* One message of the restore consumer: a record, an end of partition, or an error. */
static sy_err_t message_take(runner_t *r, const rd_kafka_message_t *m, int *done,
                             char *errbuf, size_t errbuf_size) {
    assert(m);
    uint8_t phase = m->partition >= 0 && m->partition < STATE_PARTITIONS_MAX
                        ? r->restore.phase[m->partition]
                        : RUNNER_RESTORE_NONE;
    bool ours = phase == RUNNER_RESTORE_READING || phase == RUNNER_RESTORE_STANDBY;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (phase != RUNNER_RESTORE_READING)
            return SY_OK; /* a standby reads on */
        if (!end_is_stable(r, m))
            return SY_OK; /* its end comes again once the transaction ends */
        (*done)++;
        return partition_done(r, m->partition, errbuf, errbuf_size);
    }
    if (m->err) {
        waiting(r, rd_kafka_message_errstr(m));
        return SY_OK;
    }
    r->restore.last_news_ms = sy_clock_mono_ms();
    return ours ? apply(r, m, errbuf, errbuf_size) : SY_OK; /* a revoked one's: dropped */
}

/* Read and apply batches for at most RUNNER_RESTORE_SLICE_MS; *done counts partitions
 * that reached their end. */
static sy_err_t slice_read(runner_t *r, int *done, char *errbuf, size_t errbuf_size) {
    rd_kafka_message_t *batch[RUNNER_RESTORE_READ_BATCH];
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(r->changelog.restore);
    int64_t start = sy_clock_mono_ms();
    sy_err_t err = SY_OK;
    assert(q && r->txn_state == RUNNER_TXN_IDLE);
    /* A restore with nothing else to process may wait for records; else (input to
     * process, or standbys only) the slice takes what is there. */
    while (err == SY_OK && (r->restore.count > 0 || r->restore.standby_count > 0) &&
           !atomic_load(r->stop) && sy_clock_mono_ms() - start < RUNNER_RESTORE_SLICE_MS) {
        bool may_wait = r->restore.count > 0 && !r->assigned->cnt;
        ssize_t n = rd_kafka_consume_batch_queue(q, may_wait ? 10 : 0, batch,
                                                 RUNNER_RESTORE_READ_BATCH);
        if (n <= 0 && !may_wait)
            break;
        if (n <= 0) {
            waiting(r, "no records and no end of partition yet");
            continue;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (err == SY_OK)
                err = message_take(r, batch[i], done, errbuf, errbuf_size);
            rd_kafka_message_destroy(batch[i]);
        }
    }
    rd_kafka_queue_destroy(q);
    return err;
}

sy_err_t runner_restore_step(runner_t *r, char *errbuf, size_t errbuf_size) {
    runner_restore_t *rs = &r->restore;
    assert(r->txn_state == RUNNER_TXN_IDLE); /* restored records commit alone */
    if (rs->count == 0 && rs->standby_count == 0)
        return SY_OK;
    int done = 0;
    sy_err_t err = queued_start(r, errbuf, errbuf_size);
    if (err == SY_OK)
        err = slice_read(r, &done, errbuf, errbuf_size);
    if (err == SY_OK)
        err = applied_commit(r, errbuf, errbuf_size);
    if (err != SY_OK) {
        state_store_abort(r->store);
        rs->pending = 0;
        return err;
    }
    if (done == 0)
        return SY_OK;
    runner_assigned_counted(r);
    int processing = 0;
    for (int i = 0; i < r->assigned->cnt; i++)
        processing += strcmp(r->assigned->elems[i].topic, r->config->topic_events) == 0;
    if (rs->count == 0)
        log_info("state restored; processing %d partition(s)", processing);
    return SY_OK;
}

bool runner_restore_work_pending(const runner_t *r) {
    const runner_restore_t *rs = &r->restore;
    assert(r->config);
    /* Standbys are placed (standby_count) and fencing asks (runner_fence_enabled) only with
     * state.standby.replicas > 0: that test covers both. */
    return rs->count || rs->describing || r->config->state_standby_replicas > 0;
}
