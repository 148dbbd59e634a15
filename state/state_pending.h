/* state_pending.h — the uncommitted writes of one batch, kept so reads see them before
 * they reach RocksDB: the op log, the batch's write set with one final write per key (what
 * reads of instances and per-contact records find, and what the WriteBatch and the
 * changelog get at commit), with a filter of the keys it writes, a min-heap of added
 * timers per partition, and a hash map for what the op log does not answer (a restore's
 * instances, counts, leases, scan cursors, under tagged keys). Memory comes from one arena
 * reset per batch. Private to state/. */
#ifndef SY_STATE_PENDING_H
#define SY_STATE_PENDING_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"

/* The key filter's size, as a power of two of bits: 2^17 bits (16 KiB, cleared per batch)
 * against a batch's ~15,000 writes, so that a read of a key the batch has not written is
 * answered by one load of it ~19 times in 20 (bench_engine). */
#define PENDING_KEY_FILTER_LOG2 17
/* The largest key filter a log may ask for (state_pending_init_filter): 2^22 bits, 512 KiB. */
#define PENDING_KEY_FILTER_LOG2_MAX 22

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

typedef enum pending_op_kind {
    PENDING_OP_PUT = 1,    /* write value */
    PENDING_OP_DELETE = 2, /* write a tombstone: the key had a committed value */
    PENDING_OP_NONE = 3,   /* write nothing: put and removed within the batch */
} pending_op_kind_t;

/* The final write of one key in the batch, at the place of the key's first write: the
 * column family (its index in the store), the RocksDB key (partition first) and the
 * value of a put. Bytes live in the pending arena. */
typedef struct pending_op {
    uint8_t cf;
    uint8_t kind;      /* pending_op_kind_t */
    uint8_t committed; /* the key is known to have had a committed value */
    uint8_t contact_len; /* its key's contact part's length, for a fold; 0: not known */
    int32_t partition;
    uint64_t hash;
    const uint8_t *key;
    size_t key_len;
    uint8_t *value;   /* the put's bytes; meaningful for PENDING_OP_PUT only */
    size_t value_len;
    size_t value_cap; /* bytes at value: a later put that fits reuses them */
} pending_op_t;

typedef struct state_pending {
    arena_t arena;
    size_t ops_count;
    size_t ops_capacity;
    pending_op_t *ops; /* the op log: one final write per (cf, key), in first-write order */
    int ops_lost;      /* an op could not be logged (out of memory): the log is partial */
    size_t ops_index_capacity; /* power of two */
    uint32_t *ops_index;       /* hash slots of (cf, key): op index + 1, 0 empty */
    /* The key filter: the bit (state_pending_key_mix's top key_filter_log2 bits) of every
     * op's key is set, so a clear bit says the log has no write of a key. NULL (not made
     * yet, or no memory for it) or off: any key may have one. A log that starts with a
     * fold (the store's unwritten writes) is off until state_pending_key_filter_build, so
     * a log nobody reads past its filter (a whole contact table's) costs no bits. */
    uint64_t *key_filter;
    int key_filter_off;
    unsigned key_filter_log2;  /* its size: 2^key_filter_log2 bits */
    unsigned key_filter_shift; /* 64 - key_filter_log2: a mix's bit is mix >> this */
    size_t map_count;
    size_t map_capacity; /* power of two */
    pending_entry_t *map;
    size_t heaps_count;  /* partitions with a heap */
    pending_heap_t *heaps;
} state_pending_t;

/* An empty log whose key filter has 2^PENDING_KEY_FILTER_LOG2 bits (a batch's). */
void state_pending_init(state_pending_t *pending);

/* An empty log whose key filter has 2^key_filter_log2 bits (at most
 * PENDING_KEY_FILTER_LOG2_MAX): for a log that holds more keys than a batch writes (the
 * store's unwritten writes). Logs folded into one another may differ in size. */
void state_pending_init_filter(state_pending_t *pending, unsigned key_filter_log2);
void state_pending_deinit(state_pending_t *pending);

/* Forget every pending write; keeps memory for the next batch. */
void state_pending_reset(state_pending_t *pending);

/* Copy key and value in; replaces an earlier value for key. 0 on out of memory. */
int state_pending_put(state_pending_t *pending, const uint8_t *key, size_t key_len,
                      const uint8_t *value, size_t value_len);

/* Make value the batch's write of key in cf, replacing an earlier write of it (copies
 * key and value). key starts with the 2-byte big-endian partition. 0 on out of memory,
 * and ops_lost is set until the next reset: a batch with a partial log must not commit. */
int state_pending_op_put(state_pending_t *pending, uint8_t cf, const uint8_t *key,
                         size_t key_len, const uint8_t *value, size_t value_len);

/* A key's contact part: its bytes before the first NUL after the 2-byte partition, or the
 * whole key when there is none (a contact's record keys are its contact key; its instance
 * keys put a NUL and the journey id after it). */

/* state_pending_op_put of a key whose contact part is its first contact_len bytes (the
 * caller knows; asserted where cheap): the same write, without looking for the part. */
int state_pending_op_put_contact(state_pending_t *pending, uint8_t cf, const uint8_t *key,
                                 size_t key_len, size_t contact_len, const uint8_t *value,
                                 size_t value_len);

/* Make a delete the batch's write of key in cf. committed: the key may have a committed
 * value, so the delete is written as a tombstone. Otherwise the caller knows the key has
 * none, unless an earlier delete of this batch said so: a put of this batch is then
 * undone and nothing is written. Errors as state_pending_op_put. */
int state_pending_op_delete(state_pending_t *pending, uint8_t cf, const uint8_t *key,
                            size_t key_len, int committed);

/* Set the key filter's bit of every op and turn it on, when it is off. */
void state_pending_key_filter_build(state_pending_t *pending);

/* Fold every op of from, another log (a committed batch's), into to's log, in from's
 * order: each put, or delete as a tombstone, as state_pending_op_put and _op_delete with
 * committed would write it (an op that writes nothing adds nothing). Reuses each op's
 * hash; copies keys and values (from is only read). A fold into an empty log turns its
 * key filter off (state_pending_key_filter_build turns it on). 0 on out of memory: to's ops_lost is
 * set until its next reset, and the ops after the failed one are not folded. */
int state_pending_ops_fold(state_pending_t *to, const state_pending_t *from);

/* Fold op, another log's write (not PENDING_OP_NONE), into to as state_pending_ops_fold
 * folds each of its ops. 0 on out of memory: to's ops_lost is set until its next reset. */
int state_pending_op_fold(state_pending_t *to, const pending_op_t *op);

/* The op log's write of key in cf (PENDING_OP_PUT, _DELETE or _NONE), or NULL when it
 * has none. */
const pending_op_t *state_pending_op_get(const state_pending_t *pending, uint8_t cf,
                                         const uint8_t *key, size_t key_len);

/* The hash of (cf, key) that the op log's index is keyed by (key_len >= 2): computed once,
 * it serves state_pending_op_get_hashed of several logs. */
uint64_t state_pending_op_hash(uint8_t cf, const uint8_t *key, size_t key_len);

/* state_pending_op_get, given the key's state_pending_op_hash. */
const pending_op_t *state_pending_op_get_hashed(const state_pending_t *pending, uint64_t hash,
                                                uint8_t cf, const uint8_t *key,
                                                size_t key_len);

/* The length of key's contact part (key_len >= 2; see state_pending_op_put_contact). */
static inline size_t state_pending_contact_len(const uint8_t *key, size_t key_len) {
    assert(key_len >= 2);
    const uint8_t *nul = memchr(key + 2, 0, key_len - 2);
    return nul ? (size_t)(nul - key) : key_len;
}

/* The key filter's mix of (cf, key) whose contact part is its first contact_len bytes:
 * the first 8 bytes of the key, the last 8 of its contact part and of the key (all of a
 * short one) and cf mixed, not a hash of every byte — a filter's, whose collisions only
 * send a read on to the op log's index; a filter of 2^k bits takes its top k bits. Never
 * persisted. */
static inline uint64_t state_pending_key_mix(uint8_t cf, const uint8_t *key, size_t key_len,
                                             size_t contact_len) {
    assert(contact_len >= 2 && contact_len <= key_len);
    uint64_t first = 0, contact_last = 0, key_last = 0;
    if (contact_len >= 8) {
        memcpy(&first, key, sizeof first);
        memcpy(&contact_last, key + contact_len - 8, sizeof contact_last);
    } else {
        for (size_t i = 0; i < contact_len; i++)
            first = first << 8 | key[i];
    }
    if (key_len > contact_len && key_len >= 8) { /* an instance key: the journey id's end */
        memcpy(&key_last, key + key_len - 8, sizeof key_last);
    } else {
        for (size_t i = contact_len; i < key_len; i++)
            key_last = key_last << 8 | key[i];
    }
    uint64_t x = (first * UINT64_C(0x9e3779b97f4a7c15) ^ contact_last) *
                     UINT64_C(0xff51afd7ed558ccd) ^
                 (key_last + (uint64_t)cf + ((uint64_t)key_len << 8));
    return x * UINT64_C(0xc4ceb9fe1a85ec53);
}

/* Whether the log may hold a write of the key whose state_pending_key_mix is mix: false
 * (one load of the filter) only when it holds none. */
static inline bool state_pending_key_maybe(const state_pending_t *pending, uint64_t mix) {
    /* no assert: one load, the answer of most reads */
    const uint64_t *filter = pending->key_filter;
    if (!pending->ops_count)
        return false;
    if (!filter || pending->key_filter_off)
        return true;
    uint64_t bit = mix >> pending->key_filter_shift;
    return filter[bit / 64] >> (bit % 64) & 1;
}

/* state_pending_op_get of (cf, key) whose contact part is its first contact_len bytes:
 * NULL at once, with one load of the filter and no hash of the key, when the log has no
 * write of it (most reads). Inline: that answer is the common one. */
static inline const pending_op_t *state_pending_op_get_contact(const state_pending_t *pending,
                                                               uint8_t cf, const uint8_t *key,
                                                               size_t key_len,
                                                               size_t contact_len) {
    /* no assert: state_pending_key_mix asserts */
    if (!pending->ops_count ||
        !state_pending_key_maybe(pending, state_pending_key_mix(cf, key, key_len, contact_len)))
        return NULL;
    return state_pending_op_get(pending, cf, key, key_len);
}

/* The pending entry for key, or NULL. */
const pending_entry_t *state_pending_get(const state_pending_t *pending, const uint8_t *key,
                                         size_t key_len);

/* Add a timer (key, value) to partition's heap. 0 on out of memory. */
int state_pending_timer_push(state_pending_t *pending, int32_t partition,
                             const uint8_t *key, size_t key_len, const uint8_t *value,
                             size_t value_len);

/* The smallest pending timer of partition, or NULL. Inline: asked once per event. */
static inline const pending_entry_t *state_pending_timer_peek(const state_pending_t *pending,
                                                              int32_t partition) {
    assert(partition >= 0);
    if ((size_t)partition >= pending->heaps_count)
        return NULL;
    const pending_heap_t *heap = &pending->heaps[partition];
    assert(heap->count <= heap->capacity);
    return heap->count ? &heap->items[0] : NULL;
}

/* Remove the smallest pending timer of partition. */
void state_pending_timer_pop(state_pending_t *pending, int32_t partition);

#endif
