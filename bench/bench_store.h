/* bench_store.h — what the state store costs, for bench_engine and bench_footprint: the
 * write-back cache's counters and sizing, and the bytes of its directory per journey
 * instance after a compaction. A measurement, not part of the service. */
#ifndef SY_BENCH_STORE_H
#define SY_BENCH_STORE_H

#include <stdint.h>
#include <stdio.h>

#include "state_cache.h"
#include "state_store.h"

/* The write-back cache's counters (all zero when store has no cache). */
void bench_store_cache_stats(state_store_t *store, state_cache_stats_t *out);

/* Bytes a cache of budget_bytes spends on itself before holding any entry (index, chunk
 * table): what is left of the budget holds entries. */
size_t bench_store_cache_overhead(size_t budget_bytes);

/* Print the write-back cache's counters as a Markdown table to out. */
void bench_store_cache_report(state_store_t *store, FILE *out);

/* What a store on disk takes, after every column family was compacted. */
typedef struct bench_store_disk {
    uint64_t instances, timers, profiles;  /* keys, counted with an iterator */
    uint64_t dir_bytes, sst_bytes;         /* every file of the directory; its SSTs */
    uint64_t instances_cf_bytes, profiles_cf_bytes, timers_cf_bytes; /* SST bytes */
} bench_store_disk_t;

/* Flush and compact every column family of store (opened on disk in dir), then measure
 * it into *out. 0 when dir cannot be measured. */
int bench_store_disk_measure(state_store_t *store, const char *dir, bench_store_disk_t *out);

/* bench_store_disk_measure, printed as a Markdown table of bytes on disk, in total and
 * per instance, to out. 0 when dir cannot be measured. */
int bench_store_disk_report(state_store_t *store, const char *dir, FILE *out);

#endif
