/* test_fenced_member.c — a static group member fenced for good is replaced, not left dead.
 * When the broker loses a static member's session (an outage longer than the session
 * timeout), librdkafka rejoins under a new member id and the old id's next request is
 * refused FENCED_INSTANCE_ID, a fatal consumer error (seen in fault_broker_restart under
 * a slow restart). Here the same fence is made on purpose and at a known moment: while
 * the service works through the standard workload, another consumer joins its group with
 * the service's group.instance.id. The service must replace its consumer, rejoin, take
 * the rest of the input until its group has committed all of it, and stop cleanly; read
 * with read_committed, the outputs must be those of `switchyard simulate` (every action id
 * exactly once). Needs a broker (tests/broker/with_kafka.sh). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "fault_common.h"
#include "sy_clock.h"

#define CATCH_UP_TIMEOUT_MS 300000
#define FENCE_TIMEOUT_MS 60000
#define INSTANCE_ID "fenced-member-test"
/* Part of the input produced before the intruder joins. */
#define BEFORE_FENCE_PERCENT 40
#define REPLACED "replacing it and rejoining the group"

/* A consumer in the service's group under the service's group.instance.id, subscribed to
 * its events topic; it never commits. Asserts. */
static rd_kafka_t *intruder_new(const service_t *svc) {
    char errbuf[512], group[SERVICE_TOPIC_BYTES];
    snprintf(group, sizeof group, "%.*s", (int)(strlen(svc->events) - strlen(".events")),
             svc->events);
    const char *const kv[] = {
        "group.id", group,
        "group.instance.id", INSTANCE_ID,
        "enable.auto.commit", "false",
        "partition.assignment.strategy", "cooperative-sticky",
        "log_level", "3",
        NULL,
    };
    rd_kafka_conf_t *conf = harness_conf_new(harness_bootstrap(), kv, errbuf, sizeof errbuf);
    cr_assert_not_null(conf, "%s", errbuf);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errbuf, sizeof errbuf);
    cr_assert_not_null(rk, "%s", errbuf);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, svc->events, RD_KAFKA_PARTITION_UA);
    cr_assert(eq(int, rd_kafka_subscribe(rk, topics), 0));
    rd_kafka_topic_partition_list_destroy(topics);
    return rk;
}

/* Poll the intruder until the service's log says it replaced its consumer; how long that
 * took in ms, or -1 after FENCE_TIMEOUT_MS. */
static long intruder_until_replaced(rd_kafka_t *rk, const char *log) {
    long long start = sy_clock_mono_ms();
    while (sy_clock_mono_ms() - start < FENCE_TIMEOUT_MS) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (m)
            rd_kafka_message_destroy(m);
        if (fault_file_contains(log, REPLACED))
            return (long)(sy_clock_mono_ms() - start);
    }
    return -1;
}

Test(fault_fenced_member, service_replaces_a_fenced_consumer, .timeout = 840) {
    service_t svc;
    fault_workload_t w;
    fault_outputs_t want;
    char log[256];
    service_prepare(&svc, "fault-fenced");
    fault_config_fast_rejoin(&svc);
    fault_config_set(&svc, "group.instance.id", INSTANCE_ID);
    /* Small transactions keep the service busy, so the fence lands mid-load. */
    fault_config_set(&svc, "batch.records.max", "50");
    fault_workload_write(&w, svc.dir, FAULT_CONTACTS);
    fault_outputs_init(&want, FAULT_CONTACTS);
    fault_simulate(&w, &want);

    snprintf(log, sizeof log, "%s/run.log", svc.dir);
    long waited = fault_start_and_wait_assigned(&svc, log, "start");
    size_t first = w.count * BEFORE_FENCE_PERCENT / 100;
    fault_produce_lines(&svc, &w, 0, first);
    printf("service has its partitions after %.1f s; produced events 0..%zu\n",
           waited / 1000.0, first);

    rd_kafka_t *intruder = intruder_new(&svc);
    long fenced_ms = intruder_until_replaced(intruder, log);
    rd_kafka_destroy_flags(intruder, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    if (fenced_ms < 0)
        fault_print_log_problems(log, 8);
    cr_assert(ge(long, fenced_ms, 0), "the service did not replace its consumer within %d s "
              "of another member joining with its group.instance.id", FENCE_TIMEOUT_MS / 1000);
    printf("the service replaced its fenced consumer %.1f s after the intruder joined\n",
           fenced_ms / 1000.0);

    fault_produce_lines(&svc, &w, first, w.count);
    printf("produced events %zu..%zu after the fence\n", first, w.count);
    fault_finish(&svc, log, CATCH_UP_TIMEOUT_MS, &want, "after the consumer was fenced");
    fault_outputs_free(&want);
    fault_workload_free(&w);
    service_cleanup(&svc);
}
