/* state_pending.h — the uncommitted writes of one batch, kept so reads see them before
 * they reach RocksDB: a hash map of instance values and a min-heap of added timers per
 * partition. Memory comes from one arena reset per batch. Private to state/. */
#ifndef SY_STATE_PENDING_H
#define SY_STATE_PENDING_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

typedef struct pending_entry {
    uint64_t hash;
    const uint8_t *key;
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
} pending_entry_t;

typedef struct pending_heap {
    size_t count;
    size_t capacity;
    pending_entry_t *items; /* ordered by key bytes: timer keys sort by due time */
} pending_heap_t;

typedef struct state_pending {
    arena_t arena;
    size_t map_count;
    size_t map_capacity; /* power of two */
    pending_entry_t *map;
    size_t heaps_count;  /* partitions with a heap */
    pending_heap_t *heaps;
} state_pending_t;

void state_pending_init(state_pending_t *pending);
void state_pending_deinit(state_pending_t *pending);

/* Forget every pending write; keeps memory for the next batch. */
void state_pending_reset(state_pending_t *pending);

/* Copy key and value in; replaces an earlier value for key. 0 on out of memory. */
int state_pending_put(state_pending_t *pending, const uint8_t *key, size_t key_len,
                      const uint8_t *value, size_t value_len);

/* The pending entry for key, or NULL. */
const pending_entry_t *state_pending_get(const state_pending_t *pending, const uint8_t *key,
                                         size_t key_len);

/* Add a timer (key, value) to partition's heap. 0 on out of memory. */
int state_pending_timer_push(state_pending_t *pending, int32_t partition,
                             const uint8_t *key, size_t key_len, const uint8_t *value,
                             size_t value_len);

/* The smallest pending timer of partition, or NULL. */
const pending_entry_t *state_pending_timer_peek(const state_pending_t *pending,
                                                int32_t partition);

/* Remove the smallest pending timer of partition. */
void state_pending_timer_pop(state_pending_t *pending, int32_t partition);

#endif
