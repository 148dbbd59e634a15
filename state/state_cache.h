/* state_cache.h — the write-back cache's memory: committed journey instance values (key
 * bytes → encoded value bytes, or "absent") kept in a fixed byte budget with CLOCK
 * eviction, so hot contacts skip RocksDB. It holds only committed values: the pending
 * batch (state_pending.h) holds the dirty ones until commit. Private to state/; not
 * thread-safe (one per store). */
#ifndef SY_STATE_CACHE_H
#define SY_STATE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "sy_error.h"

typedef struct state_cache state_cache_t;

/* The longest key and value an entry may hold: an instance key (partition, two ids and a
 * separator: 2 + 2 * SY_ID_BYTES_MAX + 1) and an instance value (STATE_VALUE_BYTES_MAX).
 * A put of anything longer is ignored, never truncated. */
#define STATE_CACHE_KEY_BYTES_MAX 259
#define STATE_CACHE_VALUE_BYTES_MAX 64

typedef enum state_cache_lookup {
    STATE_CACHE_MISS,   /* not cached: ask RocksDB */
    STATE_CACHE_HIT,    /* cached value */
    STATE_CACHE_ABSENT, /* cached as having no committed value */
} state_cache_lookup_t;

/* Counters since open, for benchmarks and tests. bytes counts every byte the cache has
 * allocated (index, chunk table, chunks): it never exceeds the budget. */
typedef struct state_cache_stats {
    uint64_t hits, absent_hits, misses, evictions;
    size_t entries;
    size_t bytes;
} state_cache_stats_t;

/* A cache of at most budget_bytes (index and entries included). budget_bytes 0 gives
 * *out = NULL: no cache, and every function below treats NULL as an empty cache that
 * keeps nothing. Errors: SY_ERR_NOMEM. *out set only on success. */
sy_err_t state_cache_open(state_cache_t **out, size_t budget_bytes);

/* Free the cache and its chunks; state_cache_close(NULL) is a no-op. */
void state_cache_close(state_cache_t *cache);

/* Look key up. On STATE_CACHE_HIT, *value and *value_len point at the cached bytes,
 * valid until the next put or clear. Marks the entry recently used. */
state_cache_lookup_t state_cache_get(state_cache_t *cache, const uint8_t *key,
                                     size_t key_len, const uint8_t **value,
                                     size_t *value_len);

/* Make value (value_len bytes; NULL: absent) the committed value of key, evicting by
 * CLOCK when the budget is used up. Best effort: an over-long entry, or one whose size
 * class has no room, is dropped (a later get misses) and an older entry of key is
 * removed, so the cache never serves a stale value. Copies key and value. */
void state_cache_put(state_cache_t *cache, const uint8_t *key, size_t key_len,
                     const uint8_t *value, size_t value_len);

/* Forget every entry (keeps the chunks). For whoever writes RocksDB around the pending
 * batch, e.g. a restore: the cache must not outlive the values it copied. */
void state_cache_clear(state_cache_t *cache);

void state_cache_stats_get(const state_cache_t *cache, state_cache_stats_t *out);

#endif
