/* bench_store.h — what the state store costs, for bench_engine: the write-back cache's
 * counters, and (--disk) the bytes of its directory per journey instance after a
 * compaction. A measurement, not part of the service. */
#ifndef SY_BENCH_STORE_H
#define SY_BENCH_STORE_H

#include <stdio.h>

#include "state_store.h"

/* Print the write-back cache's counters as a Markdown table to out. */
void bench_store_cache_report(state_store_t *store, FILE *out);

/* Compact every column family of store (opened on disk in dir), count its journey
 * instances with an iterator and print a Markdown table of bytes on disk, in total and
 * per instance, to out. 0 when dir cannot be measured. */
int bench_store_disk_report(state_store_t *store, const char *dir, FILE *out);

#endif
