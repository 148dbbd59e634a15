/* test_pending_changelog.c — a restore does not end inside a transaction still pending on
 * the changelog. Read committed, a changelog partition ends at its last stable offset,
 * which stops short of a transaction that is open, or committed with its markers not yet
 * written: the previous owner's last batch at a handoff. Ending the restore there would
 * lose that batch's state (its input offsets are already committed). Here the pending
 * transaction is made on purpose: after the service has worked through half of the
 * standard workload and stopped, and its state directory is gone, a transactional
 * producer of the test writes the newest record of changelog partition 0 again and leaves
 * its transaction open. The restarted service must wait at partition 0 (and say so), end
 * its restore only once the test commits, and then give, with the rest of the input, the
 * outputs of `switchyard simulate`. Needs a broker (tests/broker/with_kafka.sh). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault_common.h"

#define CATCH_UP_TIMEOUT_MS 300000
#define WAIT_LOG_TIMEOUT_MS 120000
#define WAITS "restore of partition 0 waits for a transaction pending"
#define RESTORED "restored partition 0:"

/* The newest record of changelog partition 0 (the latest write of its key, so writing it
 * again changes no state). */
typedef struct newest {
    void *key, *value;
    size_t key_len, value_len;
    int64_t offset;
} newest_t;

static void newest_take(void *ctx, const rd_kafka_message_t *m) {
    newest_t *n = ctx;
    if (m->partition != 0 || m->offset < n->offset)
        return;
    free(n->key);
    free(n->value);
    n->offset = m->offset;
    n->key_len = m->key_len;
    n->value_len = m->len;
    n->key = m->key_len ? malloc(m->key_len) : NULL;
    n->value = m->len ? malloc(m->len) : NULL;
    if (n->key)
        memcpy(n->key, m->key, m->key_len);
    if (n->value)
        memcpy(n->value, m->payload, m->len);
}

/* Open a transaction holding that record again on changelog partition 0. */
static harness_producer_t *pending_open(const service_t *svc, const newest_t *n) {
    char errbuf[512], txn_id[96];
    harness_producer_t *p = NULL;
    snprintf(txn_id, sizeof txn_id, "pending-changelog-%ld", (long)getpid());
    cr_assert(eq(int, harness_producer_new(&p, harness_bootstrap(), txn_id, errbuf,
                                           sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, harness_txn_begin(p, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    rd_kafka_resp_err_t kerr = rd_kafka_producev(
        harness_producer_handle(p), RD_KAFKA_V_TOPIC(svc->changelog), RD_KAFKA_V_PARTITION(0),
        RD_KAFKA_V_KEY(n->key, n->key_len), RD_KAFKA_V_VALUE(n->value, n->value_len),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    cr_assert(eq(int, kerr, 0), "produce: %s", rd_kafka_err2str(kerr));
    cr_assert(eq(int, rd_kafka_flush(harness_producer_handle(p), 30000), 0),
              "the pending record was not written");
    return p;
}

Test(fault_pending_changelog, restore_waits_for_a_pending_transaction, .timeout = 840) {
    service_t svc;
    fault_workload_t w;
    fault_outputs_t want;
    newest_t n = {.offset = -1};
    char log[256], errbuf[512];
    int status = 0;
    service_prepare(&svc, "fault-pending");
    fault_workload_write(&w, svc.dir, FAULT_CONTACTS);
    fault_outputs_init(&want, FAULT_CONTACTS);
    fault_simulate(&w, &want);

    snprintf(log, sizeof log, "%s/run.log", svc.dir);
    fault_start_and_wait_assigned(&svc, log, "start");
    fault_produce_lines(&svc, &w, 0, w.count / 2);
    cr_assert(eq(int, fault_wait_caught_up(&svc, CATCH_UP_TIMEOUT_MS, &status), 1),
              "the first half was not consumed (status %d)", status);
    cr_assert(eq(int, child_exit_code(service_stop(&svc, 60000)), 0));
    service_remove_state(&svc);
    harness_consume_all(harness_bootstrap(), svc.changelog, "read_committed", -1, 60000,
                        newest_take, &n);
    cr_assert(ge(long, (long)n.offset, 0L), "changelog partition 0 is empty");
    harness_producer_t *pending = pending_open(&svc, &n);
    printf("a transaction holds changelog partition 0's offset %lld again, open\n",
           (long long)n.offset);

    snprintf(log, sizeof log, "%s/run-restore.log", svc.dir);
    fault_start(&svc, log, 0);
    long waited = fault_wait_log(&svc, log, WAITS, WAIT_LOG_TIMEOUT_MS, &status);
    if (waited < 0)
        fault_print_log_problems(log, 8);
    cr_assert(ge(long, waited, 0L), "the restore never said it waits for the pending "
              "transaction (status %d)", status);
    cr_assert(not(fault_file_contains(log, RESTORED)),
              "partition 0 was restored while a transaction was pending on it");
    printf("the restore waits at partition 0 (%.1f s after the start)\n", waited / 1000.0);

    cr_assert(eq(int, harness_txn_commit(pending, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    harness_producer_flush_close(pending, 30000, errbuf, sizeof errbuf);
    cr_assert(ge(long, fault_wait_log(&svc, log, RESTORED, WAIT_LOG_TIMEOUT_MS, &status), 0L),
              "partition 0 was not restored once the transaction was committed (status %d)",
              status);
    fault_produce_lines(&svc, &w, w.count / 2, w.count);
    fault_finish(&svc, log, CATCH_UP_TIMEOUT_MS, &want, "after a restore that waited");
    free(n.key);
    free(n.value);
    fault_outputs_free(&want);
    fault_workload_free(&w);
    service_cleanup(&svc);
}
