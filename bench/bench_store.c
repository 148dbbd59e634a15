/* bench_store.c — the write-back cache's counters and the bytes of disk per journey
 * instance, for bench_engine and bench_footprint. It reaches into the store's private parts
 * (state_store_int.h) for the cache and RocksDB's handles, as a measurement may; the
 * service never compacts by hand. */
#include "bench_store.h"

#include <ftw.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state_store_int.h"

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
    memset(out, 0, sizeof *out);
    if (s->instance_cache)
        state_cache_stats_get(s->instance_cache, out);
}

size_t bench_store_cache_overhead(size_t budget_bytes) {
    state_cache_t *c = NULL;
    state_cache_stats_t st = {0};
    if (state_cache_open(&c, budget_bytes) != SY_OK || !c)
        return budget_bytes;
    state_cache_stats_get(c, &st);
    state_cache_close(c);
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

static uint64_t count_keys(state_store_t *s, int cf) {
    uint64_t n = 0;
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(s->db, s->read_options, s->cf[cf]);
    for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it); rocksdb_iter_next(it))
        n++;
    rocksdb_iter_destroy(it);
    return n;
}

static uint64_t cf_sst_bytes(state_store_t *s, int cf) {
    char *v = rocksdb_property_value_cf(s->db, s->cf[cf], "rocksdb.total-sst-files-size");
    uint64_t n = v ? strtoull(v, NULL, 10) : 0;
    rocksdb_free(v);
    return n;
}

int bench_store_disk_measure(state_store_t *s, const char *dir, bench_store_disk_t *out) {
    rocksdb_flushoptions_t *flush = rocksdb_flushoptions_create();
    char *err = NULL;
    rocksdb_flushoptions_set_wait(flush, 1);
    for (int cf = 0; cf < CF__COUNT && !err; cf++)
        rocksdb_flush_cf(s->db, flush, s->cf[cf], &err);
    rocksdb_flushoptions_destroy(flush);
    if (err) {
        rocksdb_free(err);
        return 0;
    }
    for (int cf = 0; cf < CF__COUNT; cf++)
        rocksdb_compact_range_cf(s->db, s->cf[cf], NULL, 0, NULL, 0);
    memset(out, 0, sizeof *out);
    out->instances = count_keys(s, CF_INSTANCES);
    out->timers = count_keys(s, CF_TIMERS);
    out->profiles = count_keys(s, CF_PROFILES);
    dir_bytes = sst_bytes = 0;
    if (nftw(dir, add_file, BENCH_STORE_FTW_FDS, FTW_PHYS) != 0)
        return 0;
    out->dir_bytes = dir_bytes;
    out->sst_bytes = sst_bytes;
    out->instances_cf_bytes = cf_sst_bytes(s, CF_INSTANCES);
    out->profiles_cf_bytes = cf_sst_bytes(s, CF_PROFILES);
    out->timers_cf_bytes = cf_sst_bytes(s, CF_TIMERS);
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
