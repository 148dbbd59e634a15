/* test_broker_roundtrip.c — proves the test broker and kafka_harness work end to end: a
 * committed transaction's records are visible to read_committed consumers and an aborted
 * transaction's are not, though they were written. It tests the fixture, not switchyard. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <string.h>

#include "kafka_harness.h"

#define ROUNDTRIP_COMMITTED 1000
#define ROUNDTRIP_ABORTED 100
#define ROUNDTRIP_PARTITIONS 4
#define ROUNDTRIP_CONSUME_TIMEOUT_MS 60000

/* What a consumer saw, by key: "committed-NNNN" or "aborted-NNN". */
typedef struct roundtrip_seen {
    int committed[ROUNDTRIP_COMMITTED]; /* times each committed key was read */
    long aborted;                       /* records of the aborted transaction read */
    long unknown;                       /* records with any other key */
} roundtrip_seen_t;

static void roundtrip_record(void *ctx, const rd_kafka_message_t *msg)
{
    roundtrip_seen_t *seen = ctx;
    char key[64];
    int index;
    size_t len = msg->key_len < sizeof key - 1 ? msg->key_len : sizeof key - 1;

    memcpy(key, msg->key, len);
    key[len] = '\0';
    if (sscanf(key, "committed-%d", &index) == 1 && index >= 0
        && index < ROUNDTRIP_COMMITTED)
        seen->committed[index]++;
    else if (strncmp(key, "aborted-", 8) == 0)
        seen->aborted++;
    else
        seen->unknown++;
}

/* Produces `count` records keyed "<prefix>-<i>" in one transaction, then commits or aborts. */
static void roundtrip_transaction(harness_producer_t *p, const char *topic, const char *prefix,
                                  int count, int commit)
{
    char errbuf[512] = "", key[64], value[64];
    sy_err_t err = harness_txn_begin(p, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "begin_transaction: %s", errbuf);
    for (int i = 0; i < count; i++) {
        int keylen = snprintf(key, sizeof key, "%s-%04d", prefix, i);
        int valuelen = snprintf(value, sizeof value, "value of %s", key);
        err = harness_produce(p, topic, key, (size_t)keylen, value, (size_t)valuelen);
        cr_assert(eq(int, err, SY_OK), "produce %s failed with %d", key, err);
    }
    if (!commit) {
        /* Have the broker write them first, so that the abort marker really hides them. */
        rd_kafka_resp_err_t e = rd_kafka_flush(harness_producer_handle(p), 30000);
        cr_assert(eq(int, e, RD_KAFKA_RESP_ERR_NO_ERROR), "flush before abort: %s",
                  rd_kafka_err2str(e));
    }
    err = commit ? harness_txn_commit(p, errbuf, sizeof errbuf)
                 : harness_txn_abort(p, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "%s: %s", commit ? "commit" : "abort", errbuf);
}

/* A new topic holding one committed transaction, then one aborted transaction. */
static void roundtrip_prepare(char *topic, size_t topic_size)
{
    const char *bootstrap = harness_bootstrap();
    char errbuf[512] = "", txn_id[128];
    harness_producer_t *p = NULL;
    sy_err_t err;

    harness_topic_name("roundtrip", topic, topic_size);
    const char *names[] = { topic };
    err = harness_create_topics(bootstrap, names, 1, ROUNDTRIP_PARTITIONS, errbuf,
                                sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "create topic %s: %s", topic, errbuf);

    snprintf(txn_id, sizeof txn_id, "%s-txn", topic);
    err = harness_producer_new(&p, bootstrap, txn_id, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "transactional producer: %s", errbuf);
    roundtrip_transaction(p, topic, "committed", ROUNDTRIP_COMMITTED, 1);
    roundtrip_transaction(p, topic, "aborted", ROUNDTRIP_ABORTED, 0);
    err = harness_producer_flush_close(p, 10000, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "flush/close: %s", errbuf);
}

Test(broker_roundtrip, read_committed_sees_every_committed_record_once_and_no_aborted_one,
     .timeout = 240)
{
    static roundtrip_seen_t seen;
    char topic[160];
    long count;

    roundtrip_prepare(topic, sizeof topic);
    count = harness_consume_all(harness_bootstrap(), topic, "read_committed",
                                ROUNDTRIP_COMMITTED, ROUNDTRIP_CONSUME_TIMEOUT_MS,
                                roundtrip_record, &seen);
    cr_assert(eq(long, count, ROUNDTRIP_COMMITTED), "read %ld records, expected %d", count,
              ROUNDTRIP_COMMITTED);
    cr_assert(eq(long, seen.aborted, 0), "read %ld aborted records, expected 0", seen.aborted);
    cr_assert(eq(long, seen.unknown, 0), "read %ld records with unknown keys", seen.unknown);
    for (int i = 0; i < ROUNDTRIP_COMMITTED; i++)
        cr_assert(eq(int, seen.committed[i], 1), "key committed-%04d read %d times, expected 1", i,
                  seen.committed[i]);
}

Test(broker_roundtrip, read_uncommitted_also_sees_the_aborted_records, .timeout = 240)
{
    static roundtrip_seen_t seen;
    char topic[160];
    long count;

    roundtrip_prepare(topic, sizeof topic);
    count = harness_consume_all(harness_bootstrap(), topic, "read_uncommitted", -1,
                                ROUNDTRIP_CONSUME_TIMEOUT_MS, roundtrip_record, &seen);
    cr_assert(eq(long, count, ROUNDTRIP_COMMITTED + ROUNDTRIP_ABORTED),
              "read %ld records, expected %d", count,
              ROUNDTRIP_COMMITTED + ROUNDTRIP_ABORTED);
    cr_assert(eq(long, seen.aborted, ROUNDTRIP_ABORTED), "read %ld aborted records, expected %d",
              seen.aborted, ROUNDTRIP_ABORTED);
}
