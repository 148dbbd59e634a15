/* bench_timers.c — how fast the timer index takes and gives back one million timers:
 * add them in committed batches (each with the instance that keeps it), then drain every
 * partition with state_store_timer_next and state_store_timer_remove as the runner does
 * when one stream-time jump makes them all due. Once in RocksDB's in-memory env, once on
 * disk in a temporary directory.
 * `--promo N,...` instead drives N contacts in event time as the service does (promo
 * timers due a few per batch while the fired ones pile up): bench_timers_promo.c.
 * Prints a Markdown table. A benchmark: it asserts nothing about time. */
#include <ftw.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"
#include "bench_timers_promo.h"
#include "state_store.h"

/* Timers per committed batch, adding and draining: the runner's batch.records.max. */
#define BENCH_BATCH_TIMERS 10000
#define BENCH_PARTITIONS 4
#define BENCH_DAY_MS (24 * 3600 * 1000LL)
/* 2026-11-22T00:00:00Z: any fixed time; the index orders by due time only. */
#define BENCH_BASE_MS 1795305600000LL

typedef struct bench_row {
    const char *store;
    size_t timers, drained;
    double add_s, drain_s;
} bench_row_t;

/* xorshift64: due times spread over the day without depending on libc's rand. */
static uint64_t next_random(uint64_t *state) {
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static int fail(const char *what, const char *errbuf) {
    fprintf(stderr, "bench_timers: %s: %s\n", what, errbuf);
    return 0;
}

/* Timer i: contact i of one journey, on partition i % BENCH_PARTITIONS. */
static int timers_add(state_store_t *store, size_t count, char *errbuf, size_t size) {
    uint64_t seed = 0x9e3779b97f4a7c15u;
    state_timer_t t = {0};
    snprintf(t.journey_id, sizeof t.journey_id, "coffee_email_promo");
    t.node = 1;
    for (size_t i = 0; i < count; i++) {
        t.partition = (int32_t)(i % BENCH_PARTITIONS);
        t.node_entered_at_ms = BENCH_BASE_MS;
        t.due_ms = BENCH_BASE_MS + (int64_t)(next_random(&seed) % BENCH_DAY_MS);
        snprintf(t.contact_id, sizeof t.contact_id, "contact-%07zu", i);
        /* As the engine sets one: the contact's instance keeps it as its live timer. */
        state_instance_t in = {.status = STATE_INSTANCE_ACTIVE, .node = t.node,
                               .journey_version = 1, .occurrence = 1,
                               .entered_at_ms = t.node_entered_at_ms,
                               .node_entered_at_ms = t.node_entered_at_ms,
                               .timer = STATE_INSTANCE_TIMER_ARMED, .timer_due_ms = t.due_ms};
        if (state_store_instance_put(store, t.partition, t.contact_id, t.journey_id, &in) !=
                SY_OK ||
            state_store_timer_add(store, &t) != SY_OK)
            return fail("timer add", "id too long or out of memory");
        if ((i + 1) % BENCH_BATCH_TIMERS == 0 &&
            state_store_commit(store, errbuf, size) != SY_OK)
            return fail("commit", errbuf);
    }
    return state_store_commit(store, errbuf, size) == SY_OK || fail("commit", errbuf);
}

/* Every timer of every partition is due: take them in due order, committing every batch. */
static int timers_drain(state_store_t *store, size_t *drained, char *errbuf, size_t size) {
    state_timer_t t;
    sy_err_t err = SY_OK;
    *drained = 0;
    for (int32_t p = 0; p < BENCH_PARTITIONS; p++) {
        while ((err = state_store_timer_next(store, p, INT64_MAX, &t, errbuf, size)) == SY_OK) {
            if (state_store_timer_remove(store, &t) != SY_OK)
                return fail("timer remove", "id too long");
            if (++*drained % BENCH_BATCH_TIMERS == 0 &&
                state_store_commit(store, errbuf, size) != SY_OK)
                return fail("commit", errbuf);
        }
        if (err != SY_ERR_NOT_FOUND)
            return fail("timer next", errbuf);
    }
    return state_store_commit(store, errbuf, size) == SY_OK || fail("commit", errbuf);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int run_row(bench_row_t *row, const char *dir, bool in_memory) {
    char errbuf[512];
    state_store_t *store = NULL;
    /* No write-back cache: it holds instances, and timers never pass through it. */
    if (state_store_open(&store, dir, in_memory, 0, errbuf, sizeof errbuf) != SY_OK)
        return fail("open", errbuf);
    /* In memory, RocksDB opens at the first checkpoint: now, not in the timed part. */
    if (state_store_checkpoint(store, errbuf, sizeof errbuf) != SY_OK)
        return fail("open", errbuf);
    double start = bench_seconds_now();
    int ok = timers_add(store, row->timers, errbuf, sizeof errbuf);
    row->add_s = bench_seconds_now() - start;
    start = bench_seconds_now();
    ok = ok && timers_drain(store, &row->drained, errbuf, sizeof errbuf);
    row->drain_s = bench_seconds_now() - start;
    state_store_close(store);
    if (ok && row->drained != row->timers) {
        fprintf(stderr, "bench_timers: drained %zu of %zu timers\n", row->drained, row->timers);
        ok = 0;
    }
    return ok;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--promo") == 0)
        return bench_timers_promo(argc > 2 ? argv[2] : "100000,500000,1000000,2000000");
    size_t timers = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    char dir[] = "/tmp/switchyard-bench-timers-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("bench_timers: mkdtemp");
        return 1;
    }
    char disk_dir[sizeof dir + 8];
    snprintf(disk_dir, sizeof disk_dir, "%s/state", dir);
    bench_row_t rows[] = {{"in memory", timers, 0, 0, 0}, {"on disk", timers, 0, 0, 0}};
    int ok = run_row(&rows[0], "/bench-timers", true) && run_row(&rows[1], disk_dir, false);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (!ok)
        return 1;
    printf("| store | partitions | timers | add seconds | drain seconds | timers/s added |"
           " timers/s drained |\n|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        printf("| %s | %d | %zu | %.2f | %.2f | %.0f | %.0f |\n", rows[i].store,
               BENCH_PARTITIONS, rows[i].timers, rows[i].add_s, rows[i].drain_s,
               (double)rows[i].timers / rows[i].add_s, (double)rows[i].drained / rows[i].drain_s);
    return 0;
}
