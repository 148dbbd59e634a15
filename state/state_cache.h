/* state_cache.h — what the store's cache of committed state in front of RocksDB answers
 * and counts: the types the contact table (state_contact_table.h) shares with the store's
 * callers (benchmarks, the service's metrics). Not the cache itself. */
#ifndef SY_STATE_CACHE_H
#define SY_STATE_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef enum state_cache_lookup {
    STATE_CACHE_MISS,   /* not cached: ask RocksDB */
    STATE_CACHE_HIT,    /* cached value */
    STATE_CACHE_ABSENT, /* cached as having no committed value */
} state_cache_lookup_t;

/* Counters since open, for benchmarks, tests and metrics: lookups of one record each
 * (hits, known absent, misses), contacts evicted, contacts held, and every byte the
 * cache has allocated (index, entries): bytes never exceeds the budget. */
typedef struct state_cache_stats {
    uint64_t hits, absent_hits, misses, evictions;
    size_t entries;
    size_t bytes;
} state_cache_stats_t;

#endif
