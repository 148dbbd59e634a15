/* runner_restore.c — restoring an assigned partition's state from topic.changelog before
 * it is consumed: read_committed, from the local checkpoint + 1 (or the beginning for a
 * partition new to this instance) to the last stable offset, committing the store every
 * RUNNER_RESTORE_COMMIT_RECORDS records. Waits while the broker is away; never skips.
 * Not the producing side: see runner_changelog.c. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

/* Longest a restore poll or metadata request waits before looking at *stop again. */
#define RUNNER_RESTORE_POLL_MS 200

typedef struct restore_run {
    runner_t *r;
    int32_t partition;
    uint64_t records;
    int64_t last_offset;  /* of the last record applied; -1 none */
    int64_t last_news_ms; /* last record, EOF or log line: when to say we are waiting */
} restore_run_t;

/* Log, every RUNNER_WAIT_LOG_MS, that the restore waits on the broker. */
static void waiting(restore_run_t *run, const char *why) {
    int64_t now = sy_clock_mono_ms();
    assert(why);
    if (now - run->last_news_ms < RUNNER_WAIT_LOG_MS)
        return;
    run->last_news_ms = now;
    log_warn("restore of partition %" PRId32 " from %s waits for the broker: %s; retrying",
             run->partition, run->r->config->topic_changelog, why);
}

/* The changelog topic must exist with a partition for every events partition. */
static sy_err_t topic_check(restore_run_t *run, int32_t partition_max, char *errbuf,
                            size_t errbuf_size) {
    runner_t *r = run->r;
    const char *topic = r->config->topic_changelog;
    assert(partition_max >= 0 && partition_max < STATE_PARTITIONS_MAX);
    rd_kafka_topic_t *t = rd_kafka_topic_new(r->changelog.restore, topic, NULL);
    int64_t unknown_since = -1;
    sy_err_t err = SY_ERR_KAFKA_RETRIABLE;
    for (;;) {
        int64_t tried_at = sy_clock_mono_ms();
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t kerr = rd_kafka_metadata(r->changelog.restore, 0, t, &md,
                                                     RUNNER_RESTORE_POLL_MS * 5);
        int partitions = -1;
        if (!kerr && md->topic_cnt == 1) {
            kerr = md->topics[0].err;
            partitions = md->topics[0].partition_cnt;
        }
        if (!kerr && partitions > partition_max) {
            err = SY_OK;
        } else if (!kerr || kerr == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
            /* A topic just created may be unknown for a moment; then it is missing. */
            int64_t now = sy_clock_mono_ms();
            unknown_since = unknown_since < 0 ? now : unknown_since;
            if (now - unknown_since >= RUNNER_WAIT_LOG_MS) {
                snprintf(errbuf, errbuf_size, "changelog topic %s is missing or has fewer "
                         "partitions than %s (needs %" PRId32 "): create it compacted with "
                         "the same partition count", topic, r->config->topic_events,
                         partition_max + 1);
                err = SY_ERR_CONFIG;
            }
        } else {
            waiting(run, rd_kafka_err2str(kerr));
        }
        if (md)
            rd_kafka_metadata_destroy(md);
        if (err != SY_ERR_KAFKA_RETRIABLE || !runner_retry_wait(r, tried_at, NULL))
            break;
    }
    runner_retry_reset(r);
    rd_kafka_topic_destroy(t);
    if (err == SY_ERR_KAFKA_RETRIABLE)
        snprintf(errbuf, errbuf_size, "stopped while waiting for %s", topic);
    return err;
}

/* Apply one record; every RUNNER_RESTORE_COMMIT_RECORDS, commit with the checkpoint. */
static sy_err_t apply(restore_run_t *run, const rd_kafka_message_t *m, char *errbuf,
                      size_t errbuf_size) {
    state_store_t *store = run->r->store;
    const uint8_t *key = m->key;
    assert(!m->err && m->partition == run->partition);
    if (!key || m->key_len < 2) {
        snprintf(errbuf, errbuf_size, "changelog %s [%" PRId32 "] offset %" PRId64
                 ": no state key", run->r->config->topic_changelog, m->partition, m->offset);
        return SY_ERR_INVALID_ARG;
    }
    char why[256];
    sy_err_t err = state_store_changelog_apply(store, (state_changelog_cf_t)key[0], key + 1,
                                               m->key_len - 1, m->payload, m->len, why,
                                               sizeof why);
    if (err != SY_OK) {
        snprintf(errbuf, errbuf_size, "changelog %s [%" PRId32 "] offset %" PRId64 ": %s",
                 run->r->config->topic_changelog, m->partition, m->offset, why);
        return err;
    }
    run->records++;
    run->last_offset = m->offset;
    if (run->records % RUNNER_RESTORE_COMMIT_RECORDS != 0)
        return SY_OK;
    state_store_changelog_offset_set(store, run->partition, run->last_offset);
    return state_store_commit(store, errbuf, errbuf_size);
}

/* Read the assigned changelog partition to its end, applying every record. */
static sy_err_t read_to_end(restore_run_t *run, char *errbuf, size_t errbuf_size) {
    runner_t *r = run->r;
    assert(r->changelog.restore && run->last_offset == -1);
    for (;;) {
        if (atomic_load(r->stop)) {
            snprintf(errbuf, errbuf_size, "stopped during the restore of partition %" PRId32,
                     run->partition);
            return SY_ERR_KAFKA_RETRIABLE;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r->changelog.restore,
                                                       RUNNER_RESTORE_POLL_MS);
        admin_loop_turned(r->admin);
        if (!m) {
            waiting(run, "no records and no end of partition yet");
            continue;
        }
        sy_err_t err = SY_OK;
        int end = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
        if (m->err && !end) {
            waiting(run, rd_kafka_message_errstr(m));
            runner_retry_wait(r, sy_clock_mono_ms(), NULL); /* the loop sees *stop */
        } else if (!end) {
            err = apply(run, m, errbuf, errbuf_size);
        }
        if (!m->err)
            run->last_news_ms = sy_clock_mono_ms();
        rd_kafka_message_destroy(m);
        if (err != SY_OK || end)
            return err;
    }
}

static sy_err_t restore_partition(restore_run_t *run, char *errbuf, size_t errbuf_size) {
    runner_t *r = run->r;
    int64_t checkpoint = -1, started = sy_clock_mono_ms();
    assert(run->partition >= 0 && run->partition < STATE_PARTITIONS_MAX);
    sy_err_t err = state_store_changelog_offset_get(r->store, run->partition, &checkpoint,
                                                    errbuf, errbuf_size);
    if (err != SY_OK && err != SY_ERR_NOT_FOUND)
        return err;
    rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(tp, r->config->topic_changelog, run->partition)->offset =
        err == SY_OK ? checkpoint + 1 : RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_resp_err_t kerr = rd_kafka_assign(r->changelog.restore, tp);
    rd_kafka_topic_partition_list_destroy(tp);
    if (kerr) {
        snprintf(errbuf, errbuf_size, "restore: assign %s [%" PRId32 "]: %s",
                 r->config->topic_changelog, run->partition, rd_kafka_err2str(kerr));
        return SY_ERR_KAFKA_FATAL;
    }
    err = read_to_end(run, errbuf, errbuf_size);
    rd_kafka_assign(r->changelog.restore, NULL);
    if (err == SY_OK && run->last_offset >= 0) {
        state_store_changelog_offset_set(r->store, run->partition, run->last_offset);
        err = state_store_commit(r->store, errbuf, errbuf_size);
    }
    if (err != SY_OK) {
        state_store_abort(r->store);
        return err;
    }
    runner_metrics_restored(r, run->partition, run->records);
    log_info("restored partition %" PRId32 ": %" PRIu64 " changelog records in %" PRId64
             " ms", run->partition, run->records, sy_clock_mono_ms() - started);
    return SY_OK;
}

sy_err_t runner_changelog_restore(runner_t *r,
                                  const rd_kafka_topic_partition_list_t *partitions,
                                  char *errbuf, size_t errbuf_size) {
    int32_t partition_max = -1;
    /* The state is restored between batches: nothing may be pending in the store. */
    assert(r->txn_state == RUNNER_TXN_IDLE);
    for (int i = 0; i < partitions->cnt; i++)
        if (strcmp(partitions->elems[i].topic, r->config->topic_events) == 0 &&
            partitions->elems[i].partition > partition_max)
            partition_max = partitions->elems[i].partition;
    if (partition_max < 0)
        return SY_OK;
    if (partition_max >= STATE_PARTITIONS_MAX) {
        snprintf(errbuf, errbuf_size, "%s has more than %d partitions",
                 r->config->topic_events, STATE_PARTITIONS_MAX);
        return SY_ERR_CONFIG;
    }
    restore_run_t run = {.r = r, .partition = partition_max, .last_offset = -1};
    sy_err_t err = topic_check(&run, partition_max, errbuf, errbuf_size);
    /* The profiles topic's partitions carry the same numbers: one restore each. */
    int total = 0, done = 0;
    for (int i = 0; i < partitions->cnt; i++)
        total += strcmp(partitions->elems[i].topic, r->config->topic_events) == 0;
    for (int i = 0; err == SY_OK && i < partitions->cnt; i++) {
        if (strcmp(partitions->elems[i].topic, r->config->topic_events) != 0)
            continue;
        runner_metrics_readiness(r, partitions->elems[i].partition, done++, total);
        run = (restore_run_t){.r = r, .partition = partitions->elems[i].partition,
                              .last_offset = -1, .last_news_ms = sy_clock_mono_ms()};
        err = restore_partition(&run, errbuf, errbuf_size);
    }
    return err;
}
