/* runner_changelog.c — the runner's side of topic.changelog: the batch's state changes
 * produced into the batch's transaction, the delivery reports that give each
 * partition's checkpoint, and the restore of assigned partitions before they are
 * consumed. Not the state encoding (state/state_changelog.c) and not the commit itself
 * (runner_txn.c, runner_flush.c). */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka_produce.h"
#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

/* A changelog key: the column family byte, then a state key. State keys are at most a
 * timer's (partition, due time, two ids of SY_ID_BYTES_MAX and their separators). */
#define RUNNER_CHANGELOG_KEY_BYTES_MAX (1 + 2 + 8 + 2 * (SY_ID_BYTES_MAX + 1))
/* Longest a restore poll waits for a record before looking at *stop again. */
#define RUNNER_RESTORE_POLL_MS 200

static rd_kafka_conf_t *restore_conf(const runner_t *r, char *errbuf, size_t errbuf_size) {
    rd_kafka_conf_t *conf = config_kafka_conf_new();
    assert(r->config->group_id);
    if (config_apply_kafka(r->config, conf, errbuf, errbuf_size) != SY_OK)
        goto fail;
    /* Partitions are assigned by hand and no offset is ever committed: the group id
     * (librdkafka wants one for assign) is never joined. Only committed transactions are
     * state; the end of a partition is its last stable offset, reported as an EOF. */
    char group[300];
    snprintf(group, sizeof group, "%s.restore", r->config->group_id);
    const char *settings[][2] = {{"group.id", group},
                                 {"enable.auto.commit", "false"},
                                 {"enable.auto.offset.store", "false"},
                                 {"isolation.level", "read_committed"},
                                 {"enable.partition.eof", "true"},
                                 {"auto.offset.reset", "earliest"},
                                 {"fetch.wait.max.ms", "100"}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        if (rd_kafka_conf_set(conf, settings[i][0], settings[i][1], errbuf, errbuf_size) !=
            RD_KAFKA_CONF_OK)
            goto fail;
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

sy_err_t runner_changelog_open(runner_t *r, char *errbuf, size_t errbuf_size) {
    assert(!r->changelog.restore);
    rd_kafka_conf_t *conf = restore_conf(r, errbuf, errbuf_size);
    if (!conf)
        return SY_ERR_CONFIG;
    r->changelog.restore = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errbuf, errbuf_size);
    if (!r->changelog.restore)
        return SY_ERR_CONFIG;
    runner_changelog_batch_reset(r);
    return SY_OK;
}

void runner_changelog_close(runner_t *r) {
    if (!r || !r->changelog.restore)
        return;
    assert(r->txn_state != RUNNER_TXN_COMMITTING); /* never from inside a commit */
    rd_kafka_destroy(r->changelog.restore);
    r->changelog.restore = NULL;
}

void runner_changelog_batch_reset(runner_t *r) {
    runner_changelog_t *c = &r->changelog;
    /* Before the batch opens, or as its held transaction begins (runner_pipeline.c). */
    assert(r->txn_state == RUNNER_TXN_IDLE || (r->txn_state == RUNNER_TXN_OPEN && r->batch_held));
    c->generation++;
    c->produced = c->reported = c->failed = 0;
    c->failure[0] = '\0';
    memset(c->offsets, 0xff, sizeof c->offsets); /* every offset -1 */
}

void runner_delivery_cb(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque) {
    (void)rk;
    runner_t *r = opaque;
    runner_changelog_t *c = &r->changelog;
    uintptr_t tag = (uintptr_t)msg->_private;
    assert(r && rk == r->producer);
    if ((tag >> 1) != (c->generation & (UINTPTR_MAX >> 1)))
        return; /* a dropped batch's record */
    if (msg->err && c->failed++ == 0)
        snprintf(c->failure, sizeof c->failure, "delivery to %s [%" PRId32 "]: %s",
                 rd_kafka_topic_name(msg->rkt), msg->partition, rd_kafka_err2str(msg->err));
    if (!(tag & 1))
        return;
    c->reported++;
    if (!msg->err && msg->partition >= 0 && msg->partition < STATE_PARTITIONS_MAX &&
        msg->offset > c->offsets[msg->partition])
        c->offsets[msg->partition] = msg->offset;
}

/* The batch's changelog records of one partition, produced together
 * (kafka_produce_copies): up to KAFKA_PRODUCE_BATCH_MAX at a time. */
typedef struct changelog_run {
    runner_t *r;
    int32_t partition;
    size_t count;
    rd_kafka_message_t records[KAFKA_PRODUCE_BATCH_MAX];
    uint8_t keys[KAFKA_PRODUCE_BATCH_MAX][RUNNER_CHANGELOG_KEY_BYTES_MAX];
} changelog_run_t;

static sy_err_t run_flush(changelog_run_t *run) {
    runner_t *r = run->r;
    size_t produced = 0;
    assert(run->count <= KAFKA_PRODUCE_BATCH_MAX);
    if (!run->count)
        return SY_OK;
    rd_kafka_resp_err_t err =
        kafka_produce_copies(r->producer, &r->producer_topics, r->config->topic_changelog,
                             run->partition, run->records, run->count, &produced, r->stop);
    r->changelog.produced += produced;
    run->count = 0;
    return err == RD_KAFKA_RESP_ERR_NO_ERROR
               ? SY_OK
               : runner_produce_failed(r, r->config->topic_changelog, err);
}

/* One op of the batch as a changelog record: its key is the column family byte, then the
 * state key. Each key once in a batch: the records' order within it does not matter. */
static sy_err_t produce_op(void *ctx, state_changelog_cf_t cf, int32_t partition,
                           const uint8_t *key, size_t key_len, const uint8_t *value,
                           size_t value_len) {
    changelog_run_t *run = ctx;
    runner_t *r = run->r;
    assert(r->txn_state == RUNNER_TXN_COMMITTING && key && (unsigned)cf < 256);
    if (key_len + 1 > RUNNER_CHANGELOG_KEY_BYTES_MAX) {
        snprintf(r->fatal_msg, sizeof r->fatal_msg, "changelog key of %zu bytes", key_len);
        return SY_ERR_KAFKA_ABORT;
    }
    if (run->count && (run->partition != partition || run->count == KAFKA_PRODUCE_BATCH_MAX)) {
        sy_err_t err = run_flush(run);
        if (err != SY_OK)
            return err;
    }
    uint8_t *record_key = run->keys[run->count];
    record_key[0] = (uint8_t)cf;
    memcpy(record_key + 1, key, key_len);
    run->partition = partition;
    run->records[run->count++] = (rd_kafka_message_t){
        .payload = (void *)value, .len = value ? value_len : 0, .key = record_key,
        .key_len = key_len + 1, ._private = runner_produce_opaque(r, true)};
    return SY_OK;
}

sy_err_t runner_changelog_produce(runner_t *r, char *errbuf, size_t errbuf_size) {
    assert(r->txn_state == RUNNER_TXN_COMMITTING);
    changelog_run_t *run = malloc(sizeof *run);
    sy_err_t err = SY_ERR_NOMEM;
    if (run) {
        run->r = r;
        run->count = 0;
        err = state_store_pending_each(r->store, produce_op, run);
        if (err == SY_OK)
            err = run_flush(run);
        free(run);
    }
    if (err == SY_ERR_NOMEM) {
        snprintf(errbuf, errbuf_size, "no memory for the batch's changelog");
        return SY_ERR_KAFKA_ABORT;
    }
    if (err != SY_OK)
        snprintf(errbuf, errbuf_size, "%s", r->fatal_msg);
    return err;
}

/* The checkpoint comes from delivery reports, not from the partition's high watermark:
 * the reports name the exact offset of each of our records at no cost, where a watermark
 * query is a round trip per partition per commit and also counts the commit marker. The
 * commit (or the at_least_once flush) has delivered every record, so their reports are
 * queued; serving them is quick. Should some not come in time the checkpoint stays lower,
 * which only makes a later restore read a few records again. */
void runner_changelog_checkpoint(runner_t *r) {
    runner_changelog_t *c = &r->changelog;
    int64_t start = sy_clock_mono_ms();
    assert(r->txn_state == RUNNER_TXN_COMMITTING && c->reported <= c->produced);
    rd_kafka_poll(r->producer, 0);
    /* A stop request shortens the wait: a lower checkpoint costs a longer restore only. */
    while (c->reported < c->produced && sy_clock_mono_ms() - start < RUNNER_TXN_TIMEOUT_MS &&
           !(atomic_load(r->stop) && sy_clock_mono_ms() - start >= RUNNER_STOP_GRACE_MS))
        rd_kafka_poll(r->producer, 10);
    if (c->reported < c->produced)
        log_warn("changelog: %" PRIu64 " of %" PRIu64 " delivery reports missing; keeping "
                 "older checkpoints", c->produced - c->reported, c->produced);
    for (int32_t p = 0; p < STATE_PARTITIONS_MAX; p++)
        if (c->offsets[p] >= 0)
            state_store_changelog_offset_set(r->store, p, c->offsets[p]);
}
