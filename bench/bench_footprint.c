/* bench_footprint.c — what journey instances cost a machine: RSS and bytes of disk per
 * instance, at 1M and 10M instances (or the counts given). Contacts get the demo's profile
 * and one entry event per journey of the directory, run through the engine (no codec, no
 * Kafka) into a RocksDB store on disk, so every instance is engine-written state waiting
 * in a branch or a wait. At each count: flush, compact, measure. Not the journey mix:
 * bench_engine measures speed. A benchmark: it asserts nothing. */
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_clock.h"
#include "bench_store.h"
#include "demo_world.h"
#include "engine.h"
#include "journey.h"
#include "state_store.h"

/* Entry events per state commit: the runner's default batch.records.max. */
#define FOOTPRINT_BATCH_RECORDS 10000
#define FOOTPRINT_PARTITIONS 4
/* Entries happen within 30 minutes of DEMO_WORLD_START_MS (08:00 UTC): before any
 * branch's `after` (hours) or the voice journey's 10:00 wait (09:00 UTC in Paris) falls
 * due, so every instance stays in flight. */
#define FOOTPRINT_ENTRY_WINDOW_MS (30 * 60 * INT64_C(1000))
/* Instance counts measured at most (command-line list). */
#define FOOTPRINT_POINTS_MAX 8
/* Open directories nftw may hold while removing the temporary store. */
#define FOOTPRINT_FTW_FDS 16

typedef struct footprint {
    uint64_t decisions, actions, updates;
} footprint_t;

static sy_err_t count_decision(void *ctx, const sy_decision_t *d) {
    (void)d;
    ((footprint_t *)ctx)->decisions++;
    return SY_OK;
}

static sy_err_t count_action(void *ctx, const sy_action_t *a) {
    (void)a;
    ((footprint_t *)ctx)->actions++;
    return SY_OK;
}

static sy_err_t count_update(void *ctx, const sy_contact_update_t *u) {
    (void)u;
    ((footprint_t *)ctx)->updates++;
    return SY_OK;
}

/* Resident and peak resident bytes of this process (VmRSS, VmHWM of /proc/self/status). */
static void rss_bytes(uint64_t *rss, uint64_t *peak) {
    char line[256];
    unsigned long long kb;
    *rss = *peak = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "VmRSS: %llu kB", &kb) == 1)
            *rss = kb * 1024;
        else if (sscanf(line, "VmHWM: %llu kB", &kb) == 1)
            *peak = kb * 1024;
    }
    fclose(f);
}

static int32_t partition_of(const char *contact_id) {
    uint32_t h = 2166136261u;
    for (const char *p = contact_id; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return (int32_t)(h % FOOTPRINT_PARTITIONS);
}

/* Command line: bench_footprint [--dir DIR] [--cache-bytes N] [COUNT...]. */
typedef struct footprint_args {
    const char *dir; /* NULL: a temporary directory, removed at the end */
    size_t cache_bytes;
    uint64_t points[FOOTPRINT_POINTS_MAX]; /* entry events to measure at, ascending */
    size_t points_count;
    const char *journeys_dir;
} footprint_args_t;

static int args_parse(int argc, char **argv, footprint_args_t *a) {
    memset(a, 0, sizeof *a);
    a->cache_bytes = STATE_CACHE_BYTES_DEFAULT;
    a->journeys_dir = SY_SOURCE_ROOT "/examples/journeys";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            a->dir = argv[++i];
        else if (strcmp(argv[i], "--cache-bytes") == 0 && i + 1 < argc)
            a->cache_bytes = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--journeys") == 0 && i + 1 < argc)
            a->journeys_dir = argv[++i];
        else if (argv[i][0] == '-' || a->points_count == FOOTPRINT_POINTS_MAX)
            return 0;
        else
            a->points[a->points_count++] = strtoull(argv[i], NULL, 10);
    }
    if (!a->points_count) {
        a->points[a->points_count++] = 1000000;
        a->points[a->points_count++] = 10000000;
    }
    for (size_t i = 1; i < a->points_count; i++)
        if (a->points[i] <= a->points[i - 1])
            return 0;
    return a->points[0] > 0;
}

/* What the run holds: the store and engine, and where the input is. */
typedef struct footprint_run {
    const journey_set_t *journeys;
    state_store_t *store;
    engine_t *engine;
    demo_world_t world; /* for the demo's profiles only */
    uint64_t events, contacts, last_point;
    double start_s, cpu_start_s;
} footprint_run_t;

/* Contact index's profile and one entry event per journey, through the engine. */
static int enter_contact(footprint_run_t *r, char *errbuf, size_t size) {
    static sy_profile_update_t update; /* large: attribute arrays of the limit */
    demo_profile_t profile;
    char event_id[64];
    size_t fired;
    demo_world_profile(&r->world, r->contacts++, &profile, &update);
    int32_t p = partition_of(profile.contact_id);
    if (state_store_profile_apply(r->store, p, &update, errbuf, size) != SY_OK)
        return 0;
    for (size_t j = 0; j < r->journeys->count; j++) {
        const journey_event_match_t *entry = &r->journeys->journeys[j]->entry;
        sy_event_t ev = {.event_id = event_id, .contact_id = profile.contact_id,
                         .channel = entry->channel, .type = entry->type,
                         .name = entry->name, .bounce = SY_BOUNCE_NONE, .props_count = 1};
        ev.props[0] = (sy_kv_t){"store", "Leeds"};
        ev.occurred_at_ms = DEMO_WORLD_START_MS +
            (int64_t)(r->events * (uint64_t)FOOTPRINT_ENTRY_WINDOW_MS / r->last_point);
        snprintf(event_id, sizeof event_id, "%s.%s", profile.contact_id,
                 r->journeys->journeys[j]->id);
        if (engine_advance_stream_time(r->engine, p, ev.occurred_at_ms, &fired, errbuf,
                                       size) != SY_OK ||
            engine_on_event(r->engine, p, &ev, errbuf, size) != SY_OK)
            return 0;
        if (++r->events % FOOTPRINT_BATCH_RECORDS == 0 &&
            state_store_commit(r->store, errbuf, size) != SY_OK)
            return 0;
    }
    return 1;
}

static void print_header(void) {
    printf("| entry events | contacts | instances | timers | profiles | seconds | CPU s |"
           " entries/s | RSS bytes | peak RSS bytes | cache bytes | directory bytes |"
           " instances CF bytes | timers CF bytes | profiles CF bytes |"
           " directory bytes/instance | instances CF bytes/instance |"
           " peak RSS bytes/instance |\n"
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
}

/* Commit, flush and compact, and print one row. */
static int measure(footprint_run_t *r, const char *dir, char *errbuf, size_t size) {
    bench_store_disk_t d;
    state_cache_stats_t cache;
    uint64_t rss, peak;
    if (state_store_commit(r->store, errbuf, size) != SY_OK)
        return 0;
    double wall = bench_seconds_now() - r->start_s;
    double cpu = bench_cpu_seconds_now() - r->cpu_start_s;
    if (!bench_store_disk_measure(r->store, dir, &d)) {
        snprintf(errbuf, size, "cannot measure %s", dir);
        return 0;
    }
    rss_bytes(&rss, &peak);
    bench_store_cache_stats(r->store, &cache);
    double per = d.instances ? 1.0 / (double)d.instances : 0;
    printf("| %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64
           " | %.1f | %.1f | %.0f | %" PRIu64 " | %" PRIu64 " | %zu | %" PRIu64 " | %" PRIu64
           " | %" PRIu64 " | %" PRIu64 " | %.1f | %.1f | %.1f |\n",
           r->events, r->contacts, d.instances, d.timers, d.profiles, wall, cpu,
           (double)r->events / wall, rss, peak, cache.bytes, d.dir_bytes,
           d.instances_cf_bytes, d.timers_cf_bytes, d.profiles_cf_bytes,
           (double)d.dir_bytes * per, (double)d.instances_cf_bytes * per,
           (double)peak * per);
    fflush(stdout);
    return 1;
}

static int run_points(footprint_run_t *r, const footprint_args_t *a, const char *dir,
                      char *errbuf, size_t size) {
    r->last_point = a->points[a->points_count - 1];
    r->start_s = bench_seconds_now();
    r->cpu_start_s = bench_cpu_seconds_now();
    print_header();
    for (size_t i = 0; i < a->points_count; i++) {
        while (r->events < a->points[i])
            if (!enter_contact(r, errbuf, size))
                return 0;
        if (!measure(r, dir, errbuf, size))
            return 0;
    }
    return 1;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

int main(int argc, char **argv) {
    footprint_args_t args;
    footprint_run_t r = {0};
    journey_set_t *journeys = NULL;
    footprint_t counts = {0};
    engine_sink_t sink = {count_decision, count_action, count_update, &counts, NULL};
    char errbuf[512] = "", tmp_dir[] = "/tmp/bench_footprint.XXXXXX";
    int ok = 0;
    if (!args_parse(argc, argv, &args)) {
        fprintf(stderr, "usage: bench_footprint [--dir DIR] [--cache-bytes N] "
                        "[--journeys DIR] [ENTRY_EVENTS...] (ascending; default 1000000 "
                        "10000000)\n");
        return 2;
    }
    const char *dir = args.dir ? args.dir : mkdtemp(tmp_dir);
    if (!dir || journey_set_load_dir(&journeys, args.journeys_dir, errbuf,
                                     sizeof errbuf) != SY_OK ||
        state_store_open(&r.store, dir, false, args.cache_bytes, errbuf,
                         sizeof errbuf) != SY_OK ||
        engine_open(&r.engine, journeys, r.store, &sink, errbuf, sizeof errbuf) != SY_OK ||
        !demo_world_init(&r.world, journeys, 0, 1))
        goto fail;
    r.journeys = journeys;
    printf("state in %s, %zu journeys, write-back cache budget %zu bytes\n\n", dir,
           journeys->count, args.cache_bytes);
    ok = run_points(&r, &args, dir, errbuf, sizeof errbuf);
    if (ok)
        printf("\noutputs: %" PRIu64 " decisions, %" PRIu64 " actions, %" PRIu64
               " contact updates\n", counts.decisions, counts.actions, counts.updates);
fail:
    if (!ok)
        fprintf(stderr, "bench_footprint: %s\n", errbuf[0] ? errbuf : "cannot start");
    engine_close(r.engine);
    state_store_close(r.store);
    demo_world_deinit(&r.world);
    journey_set_free(journeys);
    if (!args.dir && dir)
        nftw(dir, remove_entry, FOOTPRINT_FTW_FDS, FTW_DEPTH | FTW_PHYS);
    return ok ? 0 : 1;
}
