/* runner_progress.c — the periodic progress line of `switchyard run`: throughput, consumer
 * lag, commits and dead letters since the last line. Reads only what librdkafka caches;
 * never waits on the broker. Not the summary at exit (runner_loop.c). */
#include <assert.h>
#include <inttypes.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

/* Sum over the assigned partitions of high watermark - position, from librdkafka's
 * cache; -1 while no partition has both (nothing fetched yet). */
static int64_t consumer_lag(runner_t *r) {
    assert(r->consumer != NULL);
    if (!r->assigned || r->assigned->cnt == 0)
        return -1;
    rd_kafka_topic_partition_list_t *at = rd_kafka_topic_partition_list_copy(r->assigned);
    int64_t lag = -1;
    if (!at || rd_kafka_position(r->consumer, at) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_topic_partition_list_destroy(at);
        return -1;
    }
    for (int i = 0; i < at->cnt; i++) {
        int64_t low = -1, high = -1;
        const rd_kafka_topic_partition_t *tp = &at->elems[i];
        if (tp->offset < 0 || rd_kafka_get_watermark_offsets(r->consumer, tp->topic,
                                                             tp->partition, &low, &high) ||
            high < 0)
            continue;
        lag = (lag < 0 ? 0 : lag) + (high > tp->offset ? high - tp->offset : 0);
    }
    rd_kafka_topic_partition_list_destroy(at);
    return lag;
}

void runner_progress_log(runner_t *r) {
    assert(r != NULL && r->config != NULL);
    int64_t interval = r->config->log_progress_interval_ms, now = sy_clock_mono_ms();
    if (interval <= 0)
        return;
    if (r->progress_last_ms == 0) {
        r->progress_last_ms = now;
        return;
    }
    if (now - r->progress_last_ms < interval)
        return;
    uint64_t records = atomic_load(&r->total_records);
    uint64_t transactions = atomic_load(&r->total_transactions);
    uint64_t dead_letters = atomic_load(&r->total_dead_letters);
    double seconds = (double)(now - r->progress_last_ms) / 1000.0;
    int64_t lag = consumer_lag(r);
    char lag_text[32];
    if (lag < 0)
        snprintf(lag_text, sizeof lag_text, "unknown");
    else
        snprintf(lag_text, sizeof lag_text, "%" PRId64, lag);
    log_info("progress: %.0f records/s, lag %s, %" PRIu64 " commits, %" PRIu64
             " dead letters in %.1f s (%" PRIu64 " records in all)",
             (double)(records - r->progress_records) / seconds, lag_text,
             transactions - r->progress_transactions, dead_letters - r->progress_dead_letters,
             seconds, records);
    r->progress_last_ms = now;
    r->progress_records = records;
    r->progress_transactions = transactions;
    r->progress_dead_letters = dead_letters;
}
