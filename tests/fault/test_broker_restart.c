/* test_broker_restart.c — a broker outage is an operating error, retried (DESIGN.md, "Bad
 * input"): the standard workload (3,000 contacts through the coffee email promo, event
 * time) goes to `switchyard run`, and while the service works through the first part the
 * broker's JVM is restarted (`kafka_fixture.sh restart-broker`, same ports and data). The
 * service must keep running through the outage (also when it outlasts the transaction
 * timeout and the broker drops the open transaction), then take the rest of the input until its
 * group has committed all of it, and stop cleanly on SIGTERM. Read with read_committed,
 * the outputs must be those of `switchyard simulate` over the same file: every action id
 * exactly once, every contact's decisions, actions and updates as in the reference.
 * Needs SWITCHYARD_TEST_BROKER_DIR (set by tests/broker/with_kafka.sh). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fault_common.h"

#define CATCH_UP_TIMEOUT_MS 300000
/* The service's transaction timeout, and the broker's outage: longer. */
#define TXN_TIMEOUT_MS "10000"
#define BROKER_DOWN_S 15
/* Part of the input produced before the restart. */
#define BEFORE_RESTART_PERCENT 40

Test(fault_broker_restart, service_rides_out_a_broker_restart, .timeout = 840) {
    service_t svc;
    fault_workload_t w;
    fault_outputs_t want;
    char log[256];
    service_prepare(&svc, "fault-broker");
    fault_config_fast_rejoin(&svc);
    /* Small transactions keep the service busy for seconds, so the restart lands mid-load. */
    fault_config_set(&svc, "batch.records.max", "50");
    /* An outage that outlasts the transaction timeout makes the broker abort the open
     * transaction, and librdkafka then declares the producer failed for good: the service
     * must ride that out too, on a new producer (runner_producer_renew). The broker stays
     * down longer than this timeout. */
    fault_config_set(&svc, "kafka.transaction.timeout.ms", TXN_TIMEOUT_MS);
    fault_workload_write(&w, svc.dir, FAULT_CONTACTS);
    fault_outputs_init(&want, FAULT_CONTACTS);
    fault_simulate(&w, &want);

    snprintf(log, sizeof log, "%s/run.log", svc.dir);
    long waited = fault_start_and_wait_assigned(&svc, log, "start");
    size_t first = w.count * BEFORE_RESTART_PERCENT / 100;
    fault_produce_lines(&svc, &w, 0, first);
    printf("service has its partitions after %.1f s; produced events 0..%zu\n",
           waited / 1000.0, first);
    support_clock_sleep_ms(300); /* the service is working through them */
    long committed = 0, end = 0;
    fault_group_committed(&svc, &committed, &end);
    printf("at the restart the group had committed %ld of %ld input records\n", committed,
           end);

    fault_broker_restart_down(&svc, log, BROKER_DOWN_S);

    fault_produce_lines(&svc, &w, first, w.count);
    printf("produced events %zu..%zu after the restart\n", first, w.count);
    fault_finish(&svc, log, CATCH_UP_TIMEOUT_MS, &want, "after a broker restart");
    /* Whether the outage caught a transaction open (then the producer was replaced), or
     * the broker lost the consumer's session (then the consumer was), depends on where
     * the service was: said, not asserted. */
    printf("the producer was %sreplaced, the consumer %s\n",
           fault_file_contains(log, "replacing it;") ? "" : "not ",
           fault_file_contains(log, "rejoining the group") ? "too" : "not");
    fault_outputs_free(&want);
    fault_workload_free(&w);
    service_cleanup(&svc);
}
