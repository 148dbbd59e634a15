/* runner_metrics.c — what the runner tells the admin server: counters kept per batch
 * without a lock and published once it commits (an aborted batch counts nothing but its
 * abort), gauges measured then (consumer lag at most once a second, the state cache), the
 * readiness of the assigned partitions and the loaded journeys. Does nothing but the
 * live counts' bookkeeping when admin.listen is empty. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

/* Shortest interval between two measurements of consumer lag (a copy of the assignment
 * and a cached watermark per partition): commits come every few milliseconds when idle. */
#define RUNNER_LAG_MEASURE_MS 1000

sy_err_t runner_metrics_open(runner_t *r, char *errbuf, size_t errbuf_size) {
    const sy_config_t *c = r->config;
    assert(!r->admin);
    sy_err_t err = admin_open(&r->admin, c->admin_listen, c->state_dir,
                              c->admin_health_stall_ms, errbuf, errbuf_size);
    if (err == SY_OK && r->admin)
        log_info("admin server on http://%.*s:%u/ (metrics, healthz, readyz, journeys)",
                 (int)(strrchr(c->admin_listen, ':') - c->admin_listen), c->admin_listen,
                 (unsigned)admin_port(r->admin));
    runner_metrics_journeys(r);
    return err;
}

void runner_metrics_close(runner_t *r) {
    assert(r != NULL);
    admin_close(r->admin); /* first: no page is served while the runner closes */
    r->admin = NULL;
    admin_table_deinit(&r->metrics);
    admin_table_deinit(&r->gauges);
    admin_table_deinit(&r->live);
}

void runner_metrics_input(runner_t *r, const char *topic, const char *type) {
    const char *values[] = {topic, type};
    assert(topic && type);
    if (r->admin)
        admin_table_add(&r->metrics, ADMIN_INPUT_RECORDS, values, 2, 1);
}

void runner_metrics_count(runner_t *r, admin_family_t family, const char *const *values,
                          size_t n) {
    assert((unsigned)family < ADMIN_FAMILY__COUNT);
    if (r->admin)
        admin_table_add(&r->metrics, (uint16_t)family, values, n, 1);
}

/* Lag per assigned partition, from librdkafka's cache (never waits on the broker). */
static void lag_measure(runner_t *r) {
    assert(r->consumer && r->admin);
    rd_kafka_topic_partition_list_t *at = rd_kafka_topic_partition_list_copy(r->assigned);
    if (rd_kafka_position(r->consumer, at) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < at->cnt; i++) {
            const rd_kafka_topic_partition_t *tp = &at->elems[i];
            int64_t low = -1, high = -1;
            char partition[16];
            if (tp->offset < 0 || rd_kafka_get_watermark_offsets(r->consumer, tp->topic,
                                                                 tp->partition, &low, &high) ||
                high < 0)
                continue;
            snprintf(partition, sizeof partition, "%" PRId32, tp->partition);
            const char *values[] = {tp->topic, partition};
            admin_table_set(&r->gauges, ADMIN_CONSUMER_LAG, values, 2,
                            (double)(high > tp->offset ? high - tp->offset : 0));
        }
    }
    rd_kafka_topic_partition_list_destroy(at);
}

static void gauges_measure(runner_t *r) {
    int64_t now = sy_clock_mono_ms();
    assert(r->admin);
    if (now - r->gauges_ms < RUNNER_LAG_MEASURE_MS)
        return;
    r->gauges_ms = now;
    for (size_t i = 0; i < r->gauges.cap; i++)
        if (r->gauges.slots[i].family == ADMIN_CONSUMER_LAG)
            r->gauges.slots[i].present = false; /* a partition revoked shows no lag */
    lag_measure(r);
    state_cache_stats_t cache;
    state_store_cache_stats_get(r->store, &cache);
    admin_table_set(&r->gauges, ADMIN_CACHE_HITS, NULL, 0,
                    (double)(cache.hits + cache.absent_hits));
    admin_table_set(&r->gauges, ADMIN_CACHE_MISSES, NULL, 0, (double)cache.misses);
    admin_table_set(&r->gauges, ADMIN_CACHE_BYTES, NULL, 0, (double)cache.bytes);
}

void runner_metrics_publish(runner_t *r, uint64_t commit_us,
                            const uint64_t phase_us[RUNNER_PHASES]) {
    assert(r->txn_state == RUNNER_TXN_COMMITTING);
    if (!r->admin)
        return;
    admin_table_add(&r->metrics, ADMIN_BATCHES, NULL, 0, 1);
    if (r->batch.overlapped)
        admin_table_add(&r->metrics, ADMIN_BATCHES_OVERLAPPED, NULL, 0, 1);
    if (r->batch.timers_fired)
        admin_table_add(&r->metrics, ADMIN_TIMERS_FIRED, NULL, 0, (double)r->batch.timers_fired);
    if (r->batch.duplicates)
        admin_table_add(&r->metrics, ADMIN_DUPLICATES, NULL, 0, (double)r->batch.duplicates);
    if (r->batch.contact_updates)
        admin_table_add(&r->metrics, ADMIN_CONTACT_UPDATES, NULL, 0,
                        (double)r->batch.contact_updates);
    gauges_measure(r);
    admin_batch_t batch = {
        .counters = &r->metrics, .gauges = &r->gauges, .committed = true,
        .records = r->batch.records, .commit_s = (double)commit_us / 1e6,
        .acknowledge_s = (double)phase_us[RUNNER_PHASE_ACKNOWLEDGE] / 1e6,
        .transaction_s = (double)phase_us[RUNNER_PHASE_TRANSACTION] / 1e6};
    admin_publish(r->admin, &batch);
}

void runner_metrics_batch_reset(runner_t *r) {
    assert(r != NULL);
    admin_table_zero(&r->metrics);
    admin_table_zero(&r->live);
}

void runner_metrics_abort(runner_t *r) {
    assert(r != NULL);
    if (!r->admin)
        return;
    admin_table_t one = {0};
    admin_table_add(&one, ADMIN_ABORTS, NULL, 0, 1);
    admin_batch_t batch = {.counters = &one};
    admin_publish(r->admin, &batch);
    admin_table_deinit(&one);
}

static int events_partitions(const runner_t *r) {
    int n = 0;
    assert(r->config);
    for (int i = 0; r->assigned && i < r->assigned->cnt; i++)
        n += strcmp(r->assigned->elems[i].topic, r->config->topic_events) == 0;
    return n;
}

void runner_metrics_readiness(runner_t *r, int32_t restoring, int done, int total) {
    char why[256];
    assert(done <= total);
    if (!r->admin)
        return;
    if (restoring >= 0) {
        const char *state[] = {"assigned"}, *restored[] = {"restored"};
        admin_table_set(&r->gauges, ADMIN_PARTITIONS, state, 1, total);
        admin_table_set(&r->gauges, ADMIN_PARTITIONS, restored, 1, done);
        admin_batch_t batch = {.gauges = &r->gauges};
        admin_publish(r->admin, &batch);
        snprintf(why, sizeof why, "restoring partition %" PRId32 " of %s from %s (%d of %d "
                 "restored)", restoring, r->config->topic_events, r->config->topic_changelog,
                 done, total);
        admin_ready_set(r->admin, why);
        return;
    }
    int assigned = events_partitions(r);
    const char *state[] = {"assigned"}, *restored[] = {"restored"};
    admin_table_set(&r->gauges, ADMIN_PARTITIONS, state, 1, assigned);
    admin_table_set(&r->gauges, ADMIN_PARTITIONS, restored, 1, assigned);
    admin_batch_t batch = {.gauges = &r->gauges};
    admin_publish(r->admin, &batch);
    snprintf(why, sizeof why, "no partitions of %s assigned to this instance",
             r->config->topic_events);
    admin_ready_set(r->admin, assigned ? NULL : why);
}

void runner_metrics_restored(runner_t *r, int32_t partition, uint64_t records) {
    char p[16];
    assert(partition >= 0);
    if (!r->admin)
        return;
    snprintf(p, sizeof p, "%" PRId32, partition);
    const char *values[] = {p};
    admin_table_t one = {0};
    admin_table_add(&one, ADMIN_RESTORE_RECORDS, values, 1, (double)records);
    admin_batch_t batch = {.counters = &one};
    admin_publish(r->admin, &batch);
    admin_table_deinit(&one);
}

void runner_metrics_journeys(runner_t *r) {
    assert(r->journeys);
    const journey_set_t *set = &r->journeys->set;
    admin_journeys_set(r->admin, (const journey_t *const *)set->journeys, set->count);
}
