/* bench_store.c — the write-back cache's counters and the bytes of disk per journey
 * instance, for bench_engine and bench_footprint, as Markdown tables. The store counts
 * (state_store_*_stats_get); this file adds the directory's bytes and prints. */
#include "bench_store.h"

#include <ftw.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state_contact_table.h"
#include "state_store.h"

/* Open directories nftw may hold at once: RocksDB's directory is flat. */
#define BENCH_STORE_FTW_FDS 16

static uint64_t dir_bytes, sst_bytes;

static int add_file(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)ftw;
    if (type == FTW_F) {
        dir_bytes += (uint64_t)st->st_size;
        size_t len = strlen(path);
        if (len > 4 && strcmp(path + len - 4, ".sst") == 0)
            sst_bytes += (uint64_t)st->st_size;
    }
    return 0;
}

void bench_store_cache_stats(state_store_t *s, state_cache_stats_t *out) {
    state_store_cache_stats_get(s, out);
}

size_t bench_store_cache_overhead(size_t budget_bytes) {
    state_contact_table_t *t = NULL;
    state_cache_stats_t st = {0};
    if (state_contact_table_open(&t, budget_bytes) != SY_OK || !t)
        return budget_bytes;
    state_contact_table_stats_get(t, &st);
    state_contact_table_close(t);
    return st.bytes;
}

void bench_store_cache_report(state_store_t *s, FILE *out) {
    state_cache_stats_t st;
    bench_store_cache_stats(s, &st);
    fprintf(out, "\n| cache hits | cached absent | misses | evictions | entries | cache bytes |\n"
                 "|---|---|---|---|---|---|\n"
                 "| %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %zu | %zu |\n",
            st.hits, st.absent_hits, st.misses, st.evictions, st.entries, st.bytes);
}

int bench_store_disk_measure(state_store_t *s, const char *dir, bench_store_disk_t *out) {
    state_store_disk_stats_t st;
    char errbuf[256];
    if (state_store_disk_stats_get(s, &st, errbuf, sizeof errbuf) != SY_OK)
        return 0;
    memset(out, 0, sizeof *out);
    out->instances = st.instances;
    out->timers = st.timers;
    out->profiles = st.profiles;
    dir_bytes = sst_bytes = 0;
    if (nftw(dir, add_file, BENCH_STORE_FTW_FDS, FTW_PHYS) != 0)
        return 0;
    out->dir_bytes = dir_bytes;
    out->sst_bytes = sst_bytes;
    out->instances_cf_bytes = st.instances_sst_bytes;
    out->profiles_cf_bytes = st.profiles_sst_bytes;
    out->timers_cf_bytes = st.timers_sst_bytes;
    return 1;
}

int bench_store_disk_report(state_store_t *s, const char *dir, FILE *out) {
    bench_store_disk_t d;
    if (!bench_store_disk_measure(s, dir, &d))
        return 0;
    double per = d.instances ? 1.0 / (double)d.instances : 0;
    fprintf(out, "\n| instances | timers | profiles | directory bytes | SST bytes |"
                 " instances CF bytes | profiles CF bytes | timers CF bytes |"
                 " directory bytes/instance | instances CF bytes/instance |\n"
                 "|---|---|---|---|---|---|---|---|---|---|\n");
    fprintf(out, "| %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64
                 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %.1f | %.1f |\n",
            d.instances, d.timers, d.profiles, d.dir_bytes, d.sst_bytes,
            d.instances_cf_bytes, d.profiles_cf_bytes, d.timers_cf_bytes,
            (double)d.dir_bytes * per, (double)d.instances_cf_bytes * per);
    return 1;
}
