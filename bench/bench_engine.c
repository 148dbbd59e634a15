/* bench_engine.c — switchyard's processing without Kafka: the demo's synthetic world
 * (profiles, entry events for every journey of the directory, app opens, and simulated
 * providers answering every action) fed through decode → timers → engine → encode, with
 * state in RocksDB's in-memory env (or on disk with --disk DIR, then measured by
 * bench_store.c), committed every batch as the runner does. Prints a table, with heap
 * allocations per event when jemalloc is the allocator, and the write-back cache's
 * counters. A benchmark: it asserts nothing about time. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_store.h"
#include "codec.h"
#include "demo_world.h"
#include "engine.h"
#include "journey.h"
#include "state_store.h"

#ifdef BENCH_WITH_JEMALLOC
#include <jemalloc/jemalloc.h>

/* Allocations made so far by the whole process (jemalloc's statistics). The thread cache
 * would hide allocations it serves, so the benchmark turns it off for this thread. */
static uint64_t allocations_so_far(void) {
    bool off = false;
    mallctl("thread.tcache.enabled", NULL, NULL, &off, sizeof off);
    uint64_t epoch = 1, small = 0, large = 0;
    size_t size = sizeof epoch;
    mallctl("epoch", &epoch, &size, &epoch, size);
    size = sizeof small;
    mallctl("stats.arenas.4096.small.nmalloc", &small, &size, NULL, 0);
    size = sizeof large;
    mallctl("stats.arenas.4096.large.nmalloc", &large, &size, NULL, 0);
    return small + large;
}
#else
static uint64_t allocations_so_far(void) { return 0; }
#endif

#define BENCH_BATCH_RECORDS 10000
#define BENCH_PARTITIONS 4

typedef struct bench {
    codec_t *codec;
    demo_world_t world;
    int64_t now_ms; /* event time of the record being processed */
    uint64_t decisions, actions, updates, output_bytes;
} bench_t;

static double seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static sy_err_t on_decision(void *ctx, const sy_decision_t *d) {
    bench_t *b = ctx;
    const void *frame;
    size_t len;
    b->decisions++;
    sy_err_t err = codec_encode_decision(b->codec, d, &frame, &len, NULL, 0);
    b->output_bytes += len;
    return err;
}

static sy_err_t on_action(void *ctx, const sy_action_t *a) {
    bench_t *b = ctx;
    const void *frame;
    size_t len;
    b->actions++;
    sy_err_t err = codec_encode_action(b->codec, a, &frame, &len, NULL, 0);
    b->output_bytes += len;
    if (err == SY_OK && !demo_world_answer(&b->world, a, b->now_ms + 1))
        err = SY_ERR_NOMEM;
    return err;
}

static sy_err_t on_update(void *ctx, const sy_contact_update_t *u) {
    bench_t *b = ctx;
    const void *frame;
    size_t len;
    b->updates++;
    sy_err_t err = codec_encode_contact_update(b->codec, u, &frame, &len, NULL, 0);
    b->output_bytes += len;
    return err;
}

static int32_t partition_of(const char *contact_id) {
    uint32_t h = 2166136261u;
    for (const char *p = contact_id; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return (int32_t)(h % BENCH_PARTITIONS);
}

/* One input record as the runner handles it in event-time mode. */
static int process(bench_t *b, engine_t *engine,
                   const channel_sim_event_t *sim_ev, char *errbuf, size_t size) {
    sy_event_t ev;
    const void *frame;
    size_t len, fired;
    channel_sim_event_view(sim_ev, &ev);
    if (codec_encode_event(b->codec, &ev, &frame, &len, errbuf, size) != SY_OK)
        return 0;
    unsigned char copy[1024];
    memcpy(copy, frame, len);
    if (codec_decode_event(b->codec, copy, len, &ev, errbuf, size) != SY_OK)
        return 0;
    int32_t p = partition_of(ev.contact_id);
    b->now_ms = ev.occurred_at_ms;
    if (engine_advance_stream_time(engine, p, ev.occurred_at_ms, &fired, errbuf, size) != SY_OK)
        return 0;
    return engine_on_event(engine, p, &ev, errbuf, size) == SY_OK;
}

/* Command line: bench_engine [--disk DIR] [--cache-bytes N] [CONTACTS [JOURNEYS_DIR]]. */
typedef struct bench_args {
    size_t contacts;
    const char *journeys_dir;
    const char *disk_dir;  /* NULL: RocksDB's in-memory env */
    size_t cache_bytes;
} bench_args_t;

static int args_parse(int argc, char **argv, bench_args_t *a) {
    *a = (bench_args_t){100000, SY_SOURCE_ROOT "/examples/journeys", NULL,
                        STATE_CACHE_BYTES_DEFAULT};
    int positional = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--disk") == 0 && i + 1 < argc)
            a->disk_dir = argv[++i];
        else if (strcmp(argv[i], "--cache-bytes") == 0 && i + 1 < argc)
            a->cache_bytes = strtoull(argv[++i], NULL, 10);
        else if (argv[i][0] == '-')
            return 0;
        else if (positional++ == 0)
            a->contacts = strtoull(argv[i], NULL, 10);
        else
            a->journeys_dir = argv[i];
    }
    return 1;
}

int main(int argc, char **argv) {
    bench_args_t args;
    if (!args_parse(argc, argv, &args)) {
        fprintf(stderr, "usage: bench_engine [--disk DIR] [--cache-bytes N] "
                        "[CONTACTS [JOURNEYS_DIR]]\n");
        return 2;
    }
    size_t contacts = args.contacts;
    char errbuf[512];
    bench_t b = {0};
    journey_set_t *journeys = NULL;
    state_store_t *store = NULL;
    engine_t *engine = NULL;
    engine_sink_t sink = {on_decision, on_action, on_update, &b};
    if (journey_set_load_dir(&journeys, args.journeys_dir, errbuf, sizeof errbuf) != SY_OK ||
        codec_open(&b.codec, errbuf, sizeof errbuf) != SY_OK ||
        state_store_open(&store, args.disk_dir ? args.disk_dir : "/bench", !args.disk_dir,
                         args.cache_bytes, errbuf, sizeof errbuf) != SY_OK ||
        engine_open(&engine, journeys, store, &sink, errbuf, sizeof errbuf) != SY_OK ||
        !demo_world_init(&b.world, journeys, contacts, 1)) {
        fprintf(stderr, "bench_engine: %s\n", errbuf);
        return 1;
    }
    static sy_profile_update_t update;
    demo_profile_t profile;
    for (size_t i = 0; i < contacts; i++) {
        demo_world_profile(&b.world, i, &profile, &update);
        if (state_store_profile_apply(store, partition_of(profile.contact_id), &update, errbuf,
                                      sizeof errbuf) != SY_OK) {
            fprintf(stderr, "bench_engine: %s\n", errbuf);
            return 1;
        }
    }
    state_store_commit(store, errbuf, sizeof errbuf);
    channel_sim_event_t ev;
    uint64_t records = 0, allocations = allocations_so_far();
    double start = seconds_now();
    while (demo_world_next(&b.world, INT64_MAX, &ev)) {
        if (!process(&b, engine, &ev, errbuf, sizeof errbuf)) {
            fprintf(stderr, "bench_engine: %s\n", errbuf);
            return 1;
        }
        if (++records % BENCH_BATCH_RECORDS == 0 &&
            state_store_commit(store, errbuf, sizeof errbuf) != SY_OK) {
            fprintf(stderr, "bench_engine: %s\n", errbuf);
            return 1;
        }
    }
    state_store_commit(store, errbuf, sizeof errbuf);
    double elapsed = seconds_now() - start;
    allocations = allocations_so_far() - allocations;
    printf("| journeys | contacts | input events | decisions | actions | contact updates |"
           " seconds | events/s | outputs/s | allocations/event |\n"
           "|---|---|---|---|---|---|---|---|---|---|\n");
    printf("| %zu | %zu | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64
           " | %.2f | %.0f | %.0f | %.1f |\n",
           journeys->count, contacts, records, b.decisions, b.actions, b.updates, elapsed,
           (double)records / elapsed, (double)(b.decisions + b.actions + b.updates) / elapsed,
           (double)allocations / (double)records);
    bench_store_cache_report(store, stdout);
    if (args.disk_dir && !bench_store_disk_report(store, args.disk_dir, stdout)) {
        fprintf(stderr, "bench_engine: cannot measure %s\n", args.disk_dir);
        return 1;
    }
    engine_close(engine);
    state_store_close(store);
    codec_close(b.codec);
    demo_world_deinit(&b.world);
    journey_set_free(journeys);
    return 0;
}
