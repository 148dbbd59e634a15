/* bench_engine.c — switchyard's processing without Kafka: the demo's synthetic world
 * (profiles, entry events for every journey of the directory, app opens, and simulated
 * providers answering every action) fed through decode → timers → engine → encode, with
 * state in RocksDB's in-memory env (or on disk with --disk DIR, then measured by
 * bench_store.c), committed every batch as the runner does. Each run is two passes: the
 * first, untimed, runs the world with an engine answering its actions and records the
 * events it made as encoded frames; the second, timed, feeds those frames to a fresh
 * engine and store, so that what is measured is the engine alone, not the world making
 * its input (the two passes' outputs must agree). Prints a table: events per
 * CPU second and per wall second, heap allocations per event when jemalloc is the
 * allocator, the write-back cache's hit rate. --cache-ratio K adds runs whose cache holds
 * 1/K of the entries of the first (calibrated). --safety alternates runs without and with
 * three frequency caps and SMS and voice quiet hours (the cost of the gate). --attrs A,B
 * --reads R alternates runs whose profiles hold A and B attributes, with one more journey
 * reading R declared attributes per entry (the cost of wide profiles). A benchmark: it
 * asserts nothing. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"
#include "bench_store.h"
#include "bench_wide.h"
#include "codec.h"
#include "demo_world.h"
#include "engine.h"
#include "engine_safety.h"
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

/* The world's input as the engine met it: each event's frame, as encoded for the events
 * topic, and its partition, in the order processed. */
typedef struct bench_input {
    uint8_t *bytes;       /* the frames back to back */
    size_t bytes_len, bytes_cap;
    uint32_t *ends;       /* frame i is bytes[i ? ends[i - 1] : 0, ends[i]) */
    int32_t *partitions;
    size_t count, cap;
} bench_input_t;

typedef struct bench {
    codec_t *codec;
    demo_world_t world;
    bench_input_t *recording; /* the recording pass's input, appended to; NULL: timed pass */
    int64_t now_ms; /* event time of the record being processed */
    size_t profile_attrs; /* pad every profile to this many attributes; 0: as drawn */
    uint64_t decisions, actions, updates, output_bytes;
} bench_t;

/* CPU seconds (user + system) of the whole process, every thread (RocksDB's flushes and
 * compactions included): what "events per core" divides by. */
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
    /* Only the recording pass answers: the timed pass's input is already recorded. */
    if (err == SY_OK && b->recording && !demo_world_answer(&b->world, a, b->now_ms + 1))
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

/* Frame (len bytes) and its partition appended to in. 0 on out of memory. */
static int input_append(bench_input_t *in, const void *frame, size_t len, int32_t partition) {
    if (in->count == in->cap) {
        size_t cap = in->cap ? 2 * in->cap : 65536;
        uint32_t *ends = realloc(in->ends, cap * sizeof *ends);
        if (ends)
            in->ends = ends;
        int32_t *partitions = realloc(in->partitions, cap * sizeof *partitions);
        if (!ends || !partitions)
            return 0;
        in->partitions = partitions;
        in->cap = cap;
    }
    if (in->bytes_len + len > in->bytes_cap) {
        size_t cap = in->bytes_cap ? 2 * in->bytes_cap : (size_t)1 << 24;
        uint8_t *bytes = cap >= in->bytes_len + len && cap <= UINT32_MAX
                             ? realloc(in->bytes, cap) : NULL;
        if (!bytes)
            return 0;
        in->bytes = bytes;
        in->bytes_cap = cap;
    }
    memcpy(in->bytes + in->bytes_len, frame, len);
    in->bytes_len += len;
    in->ends[in->count] = (uint32_t)in->bytes_len;
    in->partitions[in->count++] = partition;
    return 1;
}

static void input_free(bench_input_t *in) {
    free(in->bytes);
    free(in->ends);
    free(in->partitions);
    memset(in, 0, sizeof *in);
}

/* One input frame (len bytes) of partition p as the runner handles it in event-time mode:
 * decoded, stream time advanced, the event through the engine. */
static int process_frame(bench_t *b, engine_t *engine, const void *frame, size_t len,
                         int32_t p, char *errbuf, size_t size) {
    sy_event_t ev;
    size_t fired;
    if (codec_decode_event(b->codec, frame, len, &ev, errbuf, size) != SY_OK)
        return 0;
    b->now_ms = ev.occurred_at_ms;
    if (engine_advance_stream_time(engine, p, ev.occurred_at_ms, &fired, errbuf, size) != SY_OK)
        return 0;
    return engine_on_event(engine, p, &ev, errbuf, size) == SY_OK;
}

/* One event of the world, recorded, then processed. */
static int process_recorded(bench_t *b, engine_t *engine, const channel_sim_event_t *sim_ev,
                            char *errbuf, size_t size) {
    sy_event_t ev;
    const void *frame;
    size_t len;
    channel_sim_event_view(sim_ev, &ev);
    if (codec_encode_event(b->codec, &ev, &frame, &len, errbuf, size) != SY_OK)
        return 0;
    int32_t p = partition_of(ev.contact_id);
    if (!input_append(b->recording, frame, len, p)) {
        snprintf(errbuf, size, "out of memory");
        return 0;
    }
    const bench_input_t *in = b->recording;
    return process_frame(b, engine, in->bytes + in->bytes_len - len, len, p, errbuf, size);
}

/* Command line: bench_engine [--disk DIR] [--cache-bytes N] [--cache-ratio K] [--safety]
 * [--attrs A[,B] [--reads R]] [--checkpoint-batches B] [CONTACTS [JOURNEYS_DIR]]. */
typedef struct bench_args {
    size_t contacts;
    const char *journeys_dir;
    const char *disk_dir;  /* NULL: RocksDB's in-memory env */
    size_t cache_bytes;
    unsigned cache_ratio;  /* 0: one run; K: a second run, its cache 1/K of the state */
    bool safety;           /* alternate runs without and with caps and quiet hours */
    size_t attrs[2];       /* --attrs: profile sizes to alternate; [0] 0 when not given */
    size_t reads;          /* --reads: attributes the wide journey reads */
    size_t profile_attrs;  /* this run's profile size (0: as drawn) */
    unsigned checkpoint_batches; /* commits between two writes to RocksDB */
} bench_args_t;

/* --safety's settings: three caps over the example journeys' channels, and quiet hours on
 * the two channels that have them in practice. */
#define BENCH_SAFETY_CAPS                                                                  \
    "email_daily:email:marketing:2/24h,push_daily:push:marketing:3/24h,"                \
    "all_weekly:all:marketing:10/7d"
#define BENCH_SAFETY_QUIET "21:00-08:00"
/* Pairs of runs (without, with) --safety alternates, so drift hits both alike. */
#define BENCH_SAFETY_ROUNDS 3

/* The cache ratio asked for is at most this: below ~40 KiB a cache holds nothing. */
#define BENCH_CACHE_RATIO_MAX 1000

/* "A" or "A,B" into attrs[0..1]. */
static void attrs_parse(const char *text, size_t attrs[2]) {
    char *end;
    attrs[0] = strtoull(text, &end, 10);
    attrs[1] = *end == ',' ? strtoull(end + 1, NULL, 10) : 0;
}

static int args_parse(int argc, char **argv, bench_args_t *a) {
    *a = (bench_args_t){100000, SY_SOURCE_ROOT "/examples/journeys", NULL,
                        STATE_CACHE_BYTES_DEFAULT, 0, false, {0, 0}, 50, 0,
                        STATE_CHECKPOINT_BATCHES_DEFAULT};
    int positional = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--disk") == 0 && i + 1 < argc)
            a->disk_dir = argv[++i];
        else if (strcmp(argv[i], "--cache-bytes") == 0 && i + 1 < argc)
            a->cache_bytes = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--cache-ratio") == 0 && i + 1 < argc)
            a->cache_ratio = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--safety") == 0)
            a->safety = true;
        else if (strcmp(argv[i], "--attrs") == 0 && i + 1 < argc)
            attrs_parse(argv[++i], a->attrs);
        else if (strcmp(argv[i], "--reads") == 0 && i + 1 < argc)
            a->reads = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--checkpoint-batches") == 0 && i + 1 < argc)
            a->checkpoint_batches = (unsigned)strtoul(argv[++i], NULL, 10);
        else if (argv[i][0] == '-')
            return 0;
        else if (positional++ == 0)
            a->contacts = strtoull(argv[i], NULL, 10);
        else
            a->journeys_dir = argv[i];
    }
    return a->cache_ratio <= BENCH_CACHE_RATIO_MAX && (!a->cache_ratio || !a->disk_dir) &&
           a->attrs[0] <= SY_PROFILE_ATTRS_MAX && a->attrs[1] <= SY_PROFILE_ATTRS_MAX &&
           a->reads <= JOURNEY_ATTRS_MAX;
}

/* What one run measured. */
typedef struct bench_result {
    size_t journeys, contacts, cache_budget;
    uint64_t records, decisions, actions, updates, allocations;
    double wall_s, cpu_s;
    state_cache_stats_t cache;
    engine_safety_counts_t gate;
} bench_result_t;

/* Every contact's profile, committed before the clock starts. */
static int load_profiles(bench_t *b, state_store_t *store, size_t contacts, char *errbuf,
                         size_t size) {
    static sy_profile_update_t update; /* large: attribute arrays of the limit */
    demo_profile_t profile;
    for (size_t i = 0; i < contacts; i++) {
        demo_world_profile(&b->world, i, &profile, &update);
        bench_wide_pad(&update, b->profile_attrs);
        if (state_store_profile_apply(store, partition_of(profile.contact_id), &update,
                                      errbuf, size) != SY_OK)
            return 0;
    }
    return state_store_commit(store, errbuf, size) == SY_OK;
}

/* What one pass runs: the bench's sink state, the journeys, the store and the engine. */
typedef struct bench_pass {
    bench_t b;
    engine_sink_t sink;
    journey_set_t *journeys;
    state_store_t *store;
    engine_t *engine;
} bench_pass_t;

/* A pass with a store of cache_bytes (in memory, or on --disk's directory when on_disk),
 * under safety (NULL: the defaults), its profiles committed. 0 on failure (errbuf says);
 * pass_close frees what was made either way. */
static int pass_open(bench_pass_t *pass, const bench_args_t *args, size_t cache_bytes,
                     bool on_disk, const engine_safety_conf_t *safety, char *errbuf,
                     size_t size) {
    memset(pass, 0, sizeof *pass);
    pass->b.profile_attrs = args->profile_attrs;
    pass->sink = (engine_sink_t){on_decision, on_action, on_update, &pass->b, NULL};
    if (journey_set_load_dir(&pass->journeys, args->journeys_dir, errbuf, size) != SY_OK ||
        codec_open(&pass->b.codec, errbuf, size) != SY_OK ||
        state_store_open(&pass->store, on_disk ? args->disk_dir : "/bench", !on_disk,
                         cache_bytes, errbuf, size) != SY_OK ||
        engine_open(&pass->engine, pass->journeys, pass->store, &pass->sink, errbuf,
                    size) != SY_OK)
        return 0;
    state_store_checkpoint_every(pass->store, args->checkpoint_batches);
    /* An in-memory store opens its RocksDB at its first checkpoint: here, before the timed
     * loop, as the service's store opens at its start. */
    if (state_store_checkpoint(pass->store, errbuf, size) != SY_OK)
        return 0;
    if (safety)
        engine_safety_set(pass->engine, safety);
    snprintf(errbuf, size, "out of memory");
    return demo_world_init(&pass->b.world, pass->journeys, args->contacts, 1) &&
           load_profiles(&pass->b, pass->store, args->contacts, errbuf, size);
}

static void pass_close(bench_pass_t *pass) {
    engine_close(pass->engine);
    state_store_close(pass->store);
    codec_close(pass->b.codec);
    demo_world_deinit(&pass->b.world);
    journey_set_free(pass->journeys);
    memset(pass, 0, sizeof *pass);
}

/* The recording pass: the world through the pipeline, its events appended to in, a
 * commit every BENCH_BATCH_RECORDS. */
static int world_record(bench_pass_t *pass, bench_input_t *in, char *errbuf, size_t size) {
    channel_sim_event_t ev;
    pass->b.recording = in;
    while (demo_world_next(&pass->b.world, INT64_MAX, &ev)) {
        if (!process_recorded(&pass->b, pass->engine, &ev, errbuf, size))
            return 0;
        if (in->count % BENCH_BATCH_RECORDS == 0 &&
            state_store_commit(pass->store, errbuf, size) != SY_OK)
            return 0;
    }
    return state_store_commit(pass->store, errbuf, size) == SY_OK;
}

/* The timed pass: the recorded input through the pipeline, a commit every
 * BENCH_BATCH_RECORDS. Never inlined, so that callgrind counts only this loop:
 * valgrind --tool=callgrind --toggle-collect=run_world build/bench/bench_engine N. */
__attribute__((noinline)) static int run_world(bench_pass_t *pass, const bench_input_t *in,
                                               bench_result_t *r, char *errbuf,
                                               size_t size) {
    uint64_t allocations = allocations_so_far();
    double start = bench_seconds_now(), cpu_start = bench_cpu_seconds_now();
    for (size_t i = 0; i < in->count; i++) {
        size_t from = i ? in->ends[i - 1] : 0;
        if (!process_frame(&pass->b, pass->engine, in->bytes + from, in->ends[i] - from,
                           in->partitions[i], errbuf, size))
            return 0;
        if (++r->records % BENCH_BATCH_RECORDS == 0 &&
            state_store_commit(pass->store, errbuf, size) != SY_OK)
            return 0;
    }
    /* Every commit written: the loop pays for all of its writes to RocksDB. */
    if (state_store_commit(pass->store, errbuf, size) != SY_OK ||
        state_store_checkpoint(pass->store, errbuf, size) != SY_OK)
        return 0;
    r->wall_s = bench_seconds_now() - start;
    r->cpu_s = bench_cpu_seconds_now() - cpu_start;
    r->allocations = allocations_so_far() - allocations;
    r->decisions = pass->b.decisions;
    r->actions = pass->b.actions;
    r->updates = pass->b.updates;
    bench_store_cache_stats(pass->store, &r->cache);
    return 1;
}

/* The world's input recorded by a pass under safety (NULL: the defaults) into *in, and the
 * outputs that pass made into *made. */
static int input_record(const bench_args_t *args, const engine_safety_conf_t *safety,
                        bench_input_t *in, uint64_t made[3], char *errbuf, size_t size) {
    bench_pass_t pass;
    int ok = pass_open(&pass, args, args->cache_bytes, false, safety, errbuf, size) &&
             world_record(&pass, in, errbuf, size);
    made[0] = pass.b.decisions;
    made[1] = pass.b.actions;
    made[2] = pass.b.updates;
    pass_close(&pass);
    return ok;
}

/* One run with a cache of cache_bytes, under safety (NULL: the defaults): the world's
 * input recorded, then fed to a fresh pipeline, timed; with the disk report when on
 * disk. The timed pass must make the outputs the recording pass made. */
static int bench_run(const bench_args_t *args, size_t cache_bytes,
                     const engine_safety_conf_t *safety, bench_result_t *r, char *errbuf,
                     size_t size) {
    bench_input_t in = {0};
    bench_pass_t pass = {0};
    uint64_t made[3];
    memset(r, 0, sizeof *r);
    int ok = input_record(args, safety, &in, made, errbuf, size) &&
             pass_open(&pass, args, cache_bytes, args->disk_dir != NULL, safety, errbuf,
                       size) &&
             run_world(&pass, &in, r, errbuf, size);
    if (ok && (r->decisions != made[0] || r->actions != made[1] || r->updates != made[2])) {
        snprintf(errbuf, size, "the timed pass made %" PRIu64 " decisions, %" PRIu64
                 " actions, %" PRIu64 " updates from the input for which the recording pass"
                 " made %" PRIu64 ", %" PRIu64 ", %" PRIu64, r->decisions, r->actions,
                 r->updates, made[0], made[1], made[2]);
        ok = 0;
    }
    if (ok) {
        r->journeys = pass.journeys->count;
        r->contacts = args->contacts;
        r->cache_budget = cache_bytes;
        engine_safety_counts_get(pass.engine, &r->gate);
        if (!args->cache_ratio && !args->safety && !args->attrs[0])
            bench_store_cache_report(pass.store, stdout);
        snprintf(errbuf, size, "cannot measure %s", args->disk_dir ? args->disk_dir : "");
        ok = !args->disk_dir || bench_store_disk_report(pass.store, args->disk_dir, stdout);
    }
    pass_close(&pass);
    input_free(&in);
    return ok;
}

/* A budget whose room for entries (budget less the cache's own overhead) holds 1/ratio of
 * the entries the cached run r kept, at r's bytes per entry. */
static size_t cache_budget_for_ratio(const bench_result_t *r, unsigned ratio) {
    size_t overhead = bench_store_cache_overhead(r->cache_budget);
    double per_entry = (double)(r->cache.bytes - overhead) / (double)r->cache.entries;
    size_t want = (size_t)(per_entry * (double)r->cache.entries / ratio), budget = want;
    for (int i = 0; i < 8; i++) /* the overhead grows with the budget: settle it */
        budget = want + bench_store_cache_overhead(budget);
    return budget;
}

static void print_header(void) {
    printf("| working set | journeys | contacts | cache budget bytes | cache entries |"
           " state ÷ cache | cache hit rate | input events | outputs | wall s | CPU s |"
           " events/s per core | events/s wall | allocations/event |\n"
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
}

/* full_entries: the entries of the whole state (the cached run's), for the ratio. */
static void print_row(const char *label, const bench_result_t *r, size_t full_entries) {
    const state_cache_stats_t *c = &r->cache;
    uint64_t lookups = c->hits + c->absent_hits + c->misses;
    printf("| %s | %zu | %zu | %zu | %zu | %.1f | %.1f%% | %" PRIu64 " | %" PRIu64
           " | %.2f | %.2f | %.0f | %.0f | %.1f |\n",
           label, r->journeys, r->contacts, r->cache_budget, c->entries,
           c->entries ? (double)full_entries / (double)c->entries : 0.0,
           lookups ? 100.0 * (double)(c->hits + c->absent_hits) / (double)lookups : 0.0,
           r->records, r->decisions + r->actions + r->updates, r->wall_s, r->cpu_s,
           (double)r->records / r->cpu_s, (double)r->records / r->wall_s,
           (double)r->allocations / (double)r->records);
}

/* Runs under a cache budget of 1/K of the state, until the cache holds within
 * BENCH_RATIO_TOLERANCE of 1/K of the cached run's entries: entries of different sizes
 * share the budget unevenly, so the first budget, from bytes per entry, misses. Each run
 * is a row; the last is the one at K. */
#define BENCH_RATIO_TOLERANCE 0.1
#define BENCH_RATIO_RUNS_MAX 3

static int run_pressed(const bench_args_t *args, const bench_result_t *cached,
                       char *errbuf, size_t size) {
    size_t budget = cache_budget_for_ratio(cached, args->cache_ratio);
    for (int i = 0; i < BENCH_RATIO_RUNS_MAX; i++) {
        bench_result_t r;
        if (!bench_run(args, budget, NULL, &r, errbuf, size))
            return 0;
        double ratio = r.cache.entries
                           ? (double)cached->cache.entries / (double)r.cache.entries : 0;
        double off = ratio / args->cache_ratio;
        /* off 0: a budget too small to hold anything (a tiny world); no use going on */
        int last = i + 1 == BENCH_RATIO_RUNS_MAX || off <= 0 ||
                   (off > 1 - BENCH_RATIO_TOLERANCE && off < 1 + BENCH_RATIO_TOLERANCE);
        char label[48];
        snprintf(label, sizeof label, last ? "%ux the cache" : "calibration (%ux asked)",
                 args->cache_ratio);
        print_row(label, &r, cached->cache.entries);
        fflush(stdout);
        if (last)
            break;
        size_t overhead = bench_store_cache_overhead(budget);
        budget = overhead + (size_t)((double)(budget - overhead) * off);
    }
    return 1;
}

/* BENCH_SAFETY_ROUNDS pairs of runs, without and with the safety settings, a row each;
 * then the gate's counts of a run with them. */
static int run_safety(const bench_args_t *args, char *errbuf, size_t size) {
    engine_safety_conf_t safety;
    bench_result_t r;
    engine_safety_conf_default(&safety);
    if (engine_safety_caps_parse(&safety, BENCH_SAFETY_CAPS, errbuf, size) != SY_OK ||
        engine_safety_quiet_parse(&safety, SY_CHANNEL_SMS, BENCH_SAFETY_QUIET, errbuf,
                                  size) != SY_OK ||
        engine_safety_quiet_parse(&safety, SY_CHANNEL_VOICE, BENCH_SAFETY_QUIET, errbuf,
                                  size) != SY_OK)
        return 0;
    print_header();
    for (int i = 0; i < 2 * BENCH_SAFETY_ROUNDS; i++) {
        if (!bench_run(args, args->cache_bytes, i % 2 ? &safety : NULL, &r, errbuf, size))
            return 0;
        print_row(i % 2 ? "caps and quiet hours" : "no caps, no quiet hours", &r,
                  r.cache.entries);
        fflush(stdout);
    }
    printf("\nwith caps and quiet hours: %" PRIu64 " sends suppressed, %" PRIu64 " capped, %"
           PRIu64 " held\n", r.gate.suppressed, r.gate.capped, r.gate.held);
    return 1;
}

/* Rounds of runs alternating the --attrs profile sizes, a row each, over the journeys
 * plus the wide journey reading --reads attributes. */
#define BENCH_WIDE_ROUNDS 3

static int run_wide(const bench_args_t *args, char *errbuf, size_t size) {
    char dir[64];
    bench_args_t run = *args;
    int ok = 1;
    if (!bench_wide_dir_make(args->journeys_dir, args->reads, dir, sizeof dir, errbuf, size))
        return 0;
    run.journeys_dir = dir;
    print_header();
    for (int i = 0; ok && i < BENCH_WIDE_ROUNDS; i++) {
        for (int k = 0; ok && k < 2 && args->attrs[k]; k++) {
            bench_result_t r;
            char label[64];
            run.profile_attrs = args->attrs[k];
            ok = bench_run(&run, args->cache_bytes, NULL, &r, errbuf, size);
            snprintf(label, sizeof label, "%zu attributes, %zu read", args->attrs[k],
                     args->reads);
            if (ok)
                print_row(label, &r, r.cache.entries);
            fflush(stdout);
        }
    }
    bench_wide_dir_remove(dir);
    return ok;
}

int main(int argc, char **argv) {
    bench_args_t args;
    char errbuf[512];
    bench_result_t cached;
    if (!args_parse(argc, argv, &args)) {
        fprintf(stderr, "usage: bench_engine [--disk DIR | --cache-ratio K] [--cache-bytes N]"
                        " [--safety] [--attrs A[,B] [--reads R]] [CONTACTS [JOURNEYS_DIR]]\n");
        return 2;
    }
    if (args.attrs[0]) {
        if (run_wide(&args, errbuf, sizeof errbuf))
            return 0;
        fprintf(stderr, "bench_engine: %s\n", errbuf);
        return 1;
    }
    if (args.safety) {
        if (run_safety(&args, errbuf, sizeof errbuf))
            return 0;
        fprintf(stderr, "bench_engine: %s\n", errbuf);
        return 1;
    }
    if (!bench_run(&args, args.cache_bytes, NULL, &cached, errbuf, sizeof errbuf)) {
        fprintf(stderr, "bench_engine: %s\n", errbuf);
        return 1;
    }
    print_header();
    print_row("cached", &cached, cached.cache.entries);
    fflush(stdout);
    if (args.cache_ratio && !run_pressed(&args, &cached, errbuf, sizeof errbuf)) {
        fprintf(stderr, "bench_engine: %s\n", errbuf);
        return 1;
    }
    return 0;
}
