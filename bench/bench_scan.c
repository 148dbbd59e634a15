/* bench_scan.c — the deploy-time scan's ceiling (`on_deploy: scan`, engine_audience_scan)
 * over N stored profiles in a RocksDB store on disk: slices of --slice contacts per
 * partition, one store commit per round of slices (as the runner commits a transaction),
 * no rate limit, no Kafka. Prints stored contacts visited per second, contacts entered,
 * and the time from the scan's start to its first action. Not the service's rate
 * (journeys.scan.rate bounds that) and not a test. Usage: bench_scan [--disk DIR]
 * [--partitions P] [--slice N] [--gold-every K] CONTACTS. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"
#include "codec.h"
#include "engine.h"
#include "journey.h"
#include "state_store.h"

/* Profiles applied between two commits while the store is filled. */
#define BENCH_SCAN_LOAD_BATCH 10000
#define BENCH_SCAN_PARTITIONS_MAX 64
#define BENCH_SCAN_T_MS INT64_C(1793606400000) /* 2026-11-02T08:00Z */

static const char scan_yaml[] =
    "id: bench_scan\nversion: 1\n"
    "profile:\n  ltv: {type: number, default: 0}\n"
    "  first_name: {type: string, default: there}\n"
    "entry:\n  when: contact.ltv >= 500\n  on_deploy: scan\n"
    "nodes:\n"
    "  - id: hello\n    send:\n      channel: email\n      template: vip_hello\n"
    "      params: {greeting: 'Hi {{contact.first_name}}'}\n    next: done\n"
    "  - id: done\n    exit: {}\n";

typedef struct bench_scan {
    codec_t *codec;
    double started_s, first_action_s; /* first_action_s 0 until one */
    uint64_t decisions, actions;
} bench_scan_t;

static sy_err_t on_decision(void *ctx, const sy_decision_t *d) {
    bench_scan_t *b = ctx;
    const void *frame;
    size_t len;
    b->decisions++;
    return codec_encode_decision(b->codec, d, &frame, &len, NULL, 0);
}

static sy_err_t on_action(void *ctx, const sy_action_t *a) {
    bench_scan_t *b = ctx;
    const void *frame;
    size_t len;
    if (b->actions++ == 0)
        b->first_action_s = bench_seconds_now() - b->started_s;
    return codec_encode_action(b->codec, a, &frame, &len, NULL, 0);
}

static sy_err_t on_update(void *ctx, const sy_contact_update_t *u) {
    (void)ctx;
    (void)u;
    return SY_OK;
}

static int32_t partition_of(const char *contact_id, int32_t partitions) {
    uint32_t h = 2166136261u;
    for (const char *p = contact_id; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    return (int32_t)(h % (uint32_t)partitions);
}

/* contacts profiles (ltv, first_name, tier), every gold_every-th with ltv >= 500. */
static int load(state_store_t *s, size_t contacts, int32_t partitions, size_t gold_every,
                char *errbuf, size_t size) {
    static sy_profile_update_t u;
    char id[32];
    for (size_t i = 0; i < contacts; i++) {
        snprintf(id, sizeof id, "c%08zu", i);
        u = (sy_profile_update_t){.contact_id = id, .updated_at_ms = BENCH_SCAN_T_MS,
                                  .set_count = 3};
        double ltv = i % gold_every == 0 ? 500.0 + (double)(i % 1000) : (double)(i % 499);
        u.set[0] = (sy_attr_t){"ltv", {.kind = SY_VALUE_DOUBLE, .u.d = ltv}};
        u.set[1] = (sy_attr_t){"first_name", {.kind = SY_VALUE_STRING, .u.s = "Ada"}};
        u.set[2] = (sy_attr_t){"tier", {.kind = SY_VALUE_STRING, .u.s = "basic"}};
        if (state_store_profile_apply(s, partition_of(id, partitions), &u, errbuf, size) !=
            SY_OK)
            return 0;
        if ((i + 1) % BENCH_SCAN_LOAD_BATCH == 0 && state_store_commit(s, errbuf, size) != SY_OK)
            return 0;
    }
    return state_store_commit(s, errbuf, size) == SY_OK;
}

/* Rounds of one slice per partition and a commit, until every partition is done. */
static int scan_all(engine_t *e, state_store_t *s, const journey_t *j, int32_t partitions,
                    size_t slice, uint64_t *visited, uint64_t *entered, char *errbuf,
                    size_t size) {
    static state_scan_t scans[BENCH_SCAN_PARTITIONS_MAX];
    for (int32_t left = partitions; left > 0;) {
        left = 0;
        for (int32_t p = 0; p < partitions; p++) {
            if (scans[p].done)
                continue;
            if (engine_audience_scan(e, p, j, BENCH_SCAN_T_MS, slice, &scans[p], errbuf,
                                     size) != SY_OK)
                return 0;
            left += !scans[p].done;
        }
        if (state_store_commit(s, errbuf, size) != SY_OK)
            return 0;
    }
    for (int32_t p = 0; p < partitions; p++) {
        *visited += scans[p].scanned;
        *entered += scans[p].entered;
    }
    return 1;
}

typedef struct args {
    const char *dir;
    int32_t partitions;
    size_t slice, gold_every, contacts;
} args_t;

static int args_parse(int argc, char **argv, args_t *a) {
    *a = (args_t){.dir = "/tmp/bench_scan.db", .partitions = 12, .slice = 1000,
                  .gold_every = 10};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--disk") == 0 && i + 1 < argc)
            a->dir = argv[++i];
        else if (strcmp(argv[i], "--partitions") == 0 && i + 1 < argc)
            a->partitions = (int32_t)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--slice") == 0 && i + 1 < argc)
            a->slice = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--gold-every") == 0 && i + 1 < argc)
            a->gold_every = strtoull(argv[++i], NULL, 10);
        else if (argv[i][0] != '-' && !a->contacts)
            a->contacts = strtoull(argv[i], NULL, 10);
        else
            return 0;
    }
    return a->contacts > 0 && a->slice > 0 && a->gold_every > 0 && a->partitions > 0 &&
           a->partitions <= BENCH_SCAN_PARTITIONS_MAX;
}

static int run(const args_t *a, bench_scan_t *b, char *errbuf, size_t size) {
    state_store_t *s = NULL;
    journey_t *j = NULL;
    engine_t *e = NULL;
    int ok = 0;
    engine_sink_t sink = {on_decision, on_action, on_update, b, NULL};
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", a->dir);
    if (system(command) != 0 || state_store_open(&s, a->dir, false, 0, errbuf, size) != SY_OK)
        goto done;
    double load_s = bench_seconds_now();
    if (!load(s, a->contacts, a->partitions, a->gold_every, errbuf, size))
        goto done;
    load_s = bench_seconds_now() - load_s;
    if (journey_parse(&j, scan_yaml, strlen(scan_yaml), "bench_scan.yaml", errbuf, size) !=
        SY_OK)
        goto done;
    journey_set_t set = {.count = 1, .journeys = &j};
    if (engine_open(&e, &set, s, &sink, errbuf, size) != SY_OK)
        goto done;
    uint64_t visited = 0, entered = 0;
    b->started_s = bench_seconds_now();
    if (!scan_all(e, s, j, a->partitions, a->slice, &visited, &entered, errbuf, size))
        goto done;
    double scan_s = bench_seconds_now() - b->started_s;
    printf("| stored profiles | partitions | slice | load s | scan s | visited/s | entered | "
           "actions | first action ms |\n|---|---|---|---|---|---|---|---|---|\n");
    printf("| %zu | %d | %zu | %.1f | %.2f | %.0f | %" PRIu64 " | %" PRIu64 " | %.1f |\n",
           a->contacts, (int)a->partitions, a->slice, load_s, scan_s,
           (double)visited / scan_s, entered, b->actions, b->first_action_s * 1000.0);
    ok = visited == a->contacts;
    if (!ok)
        snprintf(errbuf, size, "visited %" PRIu64 " of %zu", visited, a->contacts);
done:
    engine_close(e);
    journey_free(j);
    state_store_close(s);
    return ok;
}

int main(int argc, char **argv) {
    char errbuf[1024] = "";
    args_t a;
    bench_scan_t b = {0};
    if (!args_parse(argc, argv, &a)) {
        fprintf(stderr, "usage: bench_scan [--disk DIR] [--partitions P] [--slice N] "
                        "[--gold-every K] CONTACTS\n");
        return 2;
    }
    if (codec_open(&b.codec, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "bench_scan: %s\n", errbuf);
        return 1;
    }
    int ok = run(&a, &b, errbuf, sizeof errbuf);
    codec_close(b.codec);
    if (!ok)
        fprintf(stderr, "bench_scan: %s\n", errbuf);
    return ok ? 0 : 1;
}
