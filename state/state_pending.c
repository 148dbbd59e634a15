/* state_pending.c — the batch overlay: open-addressing map, per-partition heaps, and the
 * op log that keeps one final write per key, with its filter of the keys written. Not
 * the RocksDB side: state_store.c turns the op log into a WriteBatch at commit. */
#include "state_pending.h"
#include "state_store.h"
#include "sy_array.h"
#include "sy_hash.h"
#include "sy_heap.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Initial map slots: one batch of a few thousand records fits without growing. */
#define PENDING_MAP_INITIAL 4096
/* Initial op log slots: a batch writes a few keys per record; grows by doubling, so a
 * batch's op log never holds more than one op per key it wrote (the batch's record limit
 * bounds that). */
#define PENDING_OPS_INITIAL 4096
/* Initial op index slots: twice the op log, so the index of (cf, key) stays at most half
 * full and probes stay short. */
#define PENDING_OPS_INDEX_INITIAL (2 * PENDING_OPS_INITIAL)

/* The key filter's 64-bit words (its size: state_pending.h). */
static size_t filter_words(const state_pending_t *pending) {
    assert(pending->key_filter_log2 >= 6 &&
           pending->key_filter_log2 <= PENDING_KEY_FILTER_LOG2_MAX);
    return (size_t)1 << (pending->key_filter_log2 - 6);
}

/* Probing masks with capacity - 1, and an op's index slot holds its position + 1. */
_Static_assert((PENDING_MAP_INITIAL & (PENDING_MAP_INITIAL - 1)) == 0,
               "the pending map's capacity is a power of two");
_Static_assert((PENDING_OPS_INDEX_INITIAL & (PENDING_OPS_INDEX_INITIAL - 1)) == 0,
               "the op index's capacity is a power of two");
/* An op's partition is read back from the key's 2-byte big-endian prefix. */
_Static_assert(STATE_PARTITIONS_MAX <= 1 << 16, "a partition fits the 2-byte key prefix");

static int power_of_two(size_t n) {
    /* no assert: the predicate the tables' growth asserts with */
    return n && (n & (n - 1)) == 0;
}

static uint64_t hash_bytes(const uint8_t *p, size_t len) {
    /* no assert: a one-line hash of bytes the callers hold */
    return sy_hash_table64(0, p, len);
}

void state_pending_init(state_pending_t *pending) {
    /* no assert: state_pending_init_filter asserts */
    state_pending_init_filter(pending, PENDING_KEY_FILTER_LOG2);
}

void state_pending_init_filter(state_pending_t *pending, unsigned key_filter_log2) {
    assert(pending && key_filter_log2 >= 6 && key_filter_log2 <= PENDING_KEY_FILTER_LOG2_MAX);
    memset(pending, 0, sizeof *pending);
    pending->key_filter_log2 = key_filter_log2;
    pending->key_filter_shift = 64 - key_filter_log2;
    arena_init(&pending->arena);
}

void state_pending_deinit(state_pending_t *pending) {
    assert(pending->heaps || !pending->heaps_count);
    for (size_t i = 0; i < pending->heaps_count; i++)
        free(pending->heaps[i].items);
    free(pending->heaps);
    free(pending->map);
    free(pending->ops);
    free(pending->ops_index);
    free(pending->key_filter);
    arena_deinit(&pending->arena);
    memset(pending, 0, sizeof *pending);
}

void state_pending_reset(state_pending_t *pending) {
    /* Growth keeps both tables at most half full, so a probe always meets an empty slot. */
    assert(pending->map_count * 2 <= pending->map_capacity);
    assert(pending->ops_count * 2 <= pending->ops_index_capacity);
    if (pending->map_count)
        memset(pending->map, 0, pending->map_capacity * sizeof *pending->map);
    pending->map_count = 0;
    if (pending->ops_count)
        memset(pending->ops_index, 0, pending->ops_index_capacity * sizeof *pending->ops_index);
    if (pending->ops_count && pending->key_filter)
        memset(pending->key_filter, 0, filter_words(pending) * sizeof *pending->key_filter);
    pending->key_filter_off = 0;
    pending->ops_count = 0;
    pending->ops_lost = 0;
    for (size_t i = 0; i < pending->heaps_count; i++)
        pending->heaps[i].count = 0;
    arena_reset(&pending->arena);
}

static pending_entry_t *map_slot(pending_entry_t *map, size_t capacity, uint64_t hash,
                                 const uint8_t *key, size_t key_len) {
    size_t mask = capacity - 1;
    /* no assert: the probe loop of every get and put; map_grow and state_pending_reset
     * assert the capacity and the load that make it end */
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        pending_entry_t *e = &map[i];
        if (!e->key || (e->hash == hash && e->key_len == key_len &&
                        sy_hash_key_equal(e->key, key, key_len)))
            return e;
    }
}

static int map_grow(state_pending_t *pending) {
    size_t capacity = pending->map_capacity ? pending->map_capacity * 2 : PENDING_MAP_INITIAL;
    assert(power_of_two(capacity));
    pending_entry_t *map = calloc(capacity, sizeof *map);
    if (!map)
        return 0;
    for (size_t i = 0; i < pending->map_capacity; i++) {
        pending_entry_t *e = &pending->map[i];
        if (e->key)
            *map_slot(map, capacity, e->hash, e->key, e->key_len) = *e;
    }
    free(pending->map);
    pending->map = map;
    pending->map_capacity = capacity;
    assert((pending->map_count + 1) * 2 <= capacity);
    return 1;
}

static const uint8_t *arena_copy(arena_t *arena, const uint8_t *src, size_t len) {
    /* no assert: a copy into arena_alloc's block, which asserts */
    uint8_t *p = arena_alloc(arena, len ? len : 1);
    if (p && len)
        memcpy(p, src, len);
    return p;
}

int state_pending_put(state_pending_t *pending, const uint8_t *key, size_t key_len,
                      const uint8_t *value, size_t value_len) {
    if ((pending->map_count + 1) * 2 > pending->map_capacity && !map_grow(pending))
        return 0;
    uint64_t hash = hash_bytes(key, key_len);
    pending_entry_t *e = map_slot(pending->map, pending->map_capacity, hash, key, key_len);
    const uint8_t *v = arena_copy(&pending->arena, value, value_len);
    if (!v)
        return 0;
    if (!e->key) {
        const uint8_t *k = arena_copy(&pending->arena, key, key_len);
        if (!k)
            return 0;
        e->key = k;
        e->key_len = key_len;
        e->hash = hash;
        pending->map_count++;
    }
    e->value = v;
    e->value_len = value_len;
    assert(e->key_len == key_len && pending->map_count * 2 <= pending->map_capacity);
    return 1;
}

static inline uint64_t op_hash(uint8_t cf, const uint8_t *key, size_t key_len) {
    assert(key && key_len >= 2);
    return sy_hash_table64(cf, key, key_len);
}

uint64_t state_pending_op_hash(uint8_t cf, const uint8_t *key, size_t key_len) {
    /* no assert: op_hash asserts */
    return op_hash(cf, key, key_len);
}

/* The index slot of (cf, key): the one holding its op, or the empty one it would take.
 * Inline: the probe of every op get, put and fold. */
static inline uint32_t *op_slot(const state_pending_t *pending, uint64_t hash, uint8_t cf,
                                const uint8_t *key, size_t key_len) {
    /* no assert: the probe of every op get, put and fold; op_index_grow and
     * state_pending_reset assert the capacity and the load that make it end */
    size_t mask = pending->ops_index_capacity - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        uint32_t *slot = &pending->ops_index[i];
        if (!*slot)
            return slot;
        const pending_op_t *op = &pending->ops[*slot - 1];
        if (op->hash == hash && op->cf == cf && op->key_len == key_len &&
            sy_hash_key_equal(op->key, key, key_len))
            return slot;
    }
}

static int op_index_grow(state_pending_t *pending) {
    /* The key filter, made with the log's first op or never (no memory): it misses no op. */
    if (!pending->key_filter && !pending->ops_count)
        pending->key_filter = calloc(filter_words(pending), sizeof *pending->key_filter);
    size_t capacity = pending->ops_index_capacity ? pending->ops_index_capacity * 2
                                                  : PENDING_OPS_INDEX_INITIAL;
    uint32_t *index = calloc(capacity, sizeof *index);
    if (!index)
        return 0;
    for (size_t i = 0; i < pending->ops_count; i++) {
        size_t j = pending->ops[i].hash & (capacity - 1);
        while (index[j])
            j = (j + 1) & (capacity - 1);
        index[j] = (uint32_t)(i + 1);
    }
    free(pending->ops_index);
    pending->ops_index = index;
    pending->ops_index_capacity = capacity;
    assert(power_of_two(capacity) && (pending->ops_count + 1) * 2 <= capacity);
    return 1;
}

/* Set the filter's bit of (cf, key) whose contact part is its first contact_len bytes (0:
 * find them) for the op about to be added. The contact part's length as the op keeps it
 * (0: not known, or longer than a byte). Always inline: in op_add, once per key a batch
 * writes. */
__attribute__((always_inline))
static inline uint8_t filter_add(state_pending_t *pending, uint8_t cf, const uint8_t *key,
                                 size_t key_len, size_t contact_len) {
    assert(key_len >= 2 && contact_len <= key_len);
    if (!pending->key_filter)
        return contact_len <= UINT8_MAX ? (uint8_t)contact_len : 0;
    if (!contact_len)
        contact_len = state_pending_contact_len(key, key_len);
    uint64_t mix = state_pending_key_mix(cf, key, key_len, contact_len);
    uint64_t bit = mix >> pending->key_filter_shift;
    pending->key_filter[bit / 64] |= UINT64_C(1) << (bit % 64);
    return contact_len <= UINT8_MAX ? (uint8_t)contact_len : 0;
}

/* A new op of (cf, key) at the empty index slot, writing nothing yet: key copied and
 * value_cap bytes for its value behind it, in one piece of the arena; put in the filter
 * with its contact part (the first contact_len bytes; 0: found here). NULL on out of memory.
 * Always inline: in op_find, once per key a batch writes (gcc made it a call once op_find
 * had a copy in state_pending_op_put_contact). */
__attribute__((always_inline))
static inline pending_op_t *op_add(state_pending_t *pending, uint32_t *slot, uint64_t hash,
                                   uint8_t cf, const uint8_t *key, size_t key_len,
                                   size_t contact_len, size_t value_cap) {
    assert(!*slot && key_len >= 2 && value_cap <= SIZE_MAX - key_len);
    pending_op_t *ops = sy_array_grow(pending->ops, &pending->ops_capacity,
                                      pending->ops_count + 1, sizeof *ops, PENDING_OPS_INITIAL);
    if (!ops)
        return NULL;
    pending->ops = ops;
    uint8_t *k = arena_alloc(&pending->arena, key_len + value_cap);
    if (!k)
        return NULL;
    memcpy(k, key, key_len);
    uint8_t kept_contact_len = filter_add(pending, cf, key, key_len, contact_len);
    pending_op_t *op = &pending->ops[pending->ops_count++];
    *op = (pending_op_t){.cf = cf, .kind = PENDING_OP_NONE, .contact_len = kept_contact_len,
                         .hash = hash, .key = k,
                         .key_len = key_len, .partition = (int32_t)((key[0] << 8) | key[1]),
                         .value = k + key_len, .value_cap = value_cap};
    *slot = (uint32_t)pending->ops_count;
    assert(op->partition < STATE_PARTITIONS_MAX && pending->ops_count <= pending->ops_capacity);
    return op;
}

/* The op of (cf, key); when the batch has none, NULL, or with create a new one that
 * writes nothing yet, with value_cap bytes for a value (NULL too on out of memory), its
 * contact part the first contact_len bytes of key (0: not known). Always inline: the
 * lookup of every op put and delete, and a copy in state_pending_op_put_contact (the put of
 * a contact's records, 396,000 a bench_engine loop) spares it a call's saves and restores. */
__attribute__((always_inline))
static inline pending_op_t *op_find(state_pending_t *pending, uint8_t cf, const uint8_t *key,
                                    size_t key_len, int create, size_t contact_len,
                                    size_t value_cap) {
    if (key_len < 2 || (!create && !pending->ops_count))
        return NULL;
    if ((pending->ops_count + 1) * 2 > pending->ops_index_capacity &&
        (pending->ops_count >= UINT32_MAX / 2 || !op_index_grow(pending)))
        return NULL;
    uint64_t hash = op_hash(cf, key, key_len);
    uint32_t *slot = op_slot(pending, hash, cf, key, key_len);
    assert(!*slot || *slot <= pending->ops_count);
    if (*slot)
        return &pending->ops[*slot - 1];
    return create ? op_add(pending, slot, hash, cf, key, key_len, contact_len, value_cap)
                  : NULL;
}

const pending_op_t *state_pending_op_get(const state_pending_t *pending, uint8_t cf,
                                         const uint8_t *key, size_t key_len) {
    assert(pending && key);
    if (key_len < 2 || !pending->ops_count)
        return NULL;
    const uint32_t *slot = op_slot(pending, op_hash(cf, key, key_len), cf, key, key_len);
    return *slot ? &pending->ops[*slot - 1] : NULL;
}

const pending_op_t *state_pending_op_get_hashed(const state_pending_t *pending, uint64_t hash,
                                                uint8_t cf, const uint8_t *key,
                                                size_t key_len) {
    assert(pending && key && key_len >= 2);
    if (!pending->ops_count)
        return NULL;
    const uint32_t *slot = op_slot(pending, hash, cf, key, key_len);
    return *slot ? &pending->ops[*slot - 1] : NULL;
}

/* Make a put of value the write of op (found or made by op_find); op NULL: out of
 * memory. 0 and ops_lost set when the write is lost. Inline: once per put and fold. */
static inline int op_put_value(state_pending_t *pending, pending_op_t *op,
                               const uint8_t *value, size_t value_len) {
    if (!op)
        goto lost;
    if (value_len > op->value_cap) {
        uint8_t *v = arena_alloc(&pending->arena, value_len);
        if (!v)
            goto lost;
        op->value = v;
        op->value_cap = value_len;
    }
    if (value_len)
        memcpy(op->value, value, value_len);
    op->value_len = value_len;
    op->kind = PENDING_OP_PUT;
    assert(op->value && op->value_len <= op->value_cap);
    return 1;
lost:
    pending->ops_lost = 1;
    return 0;
}

int state_pending_op_put(state_pending_t *pending, uint8_t cf, const uint8_t *key,
                         size_t key_len, const uint8_t *value, size_t value_len) {
    /* no assert: op_find and op_put_value assert */
    return op_put_value(pending, op_find(pending, cf, key, key_len, 1, 0, value_len), value,
                        value_len);
}

int state_pending_op_put_contact(state_pending_t *pending, uint8_t cf, const uint8_t *key,
                                 size_t key_len, size_t contact_len, const uint8_t *value,
                                 size_t value_len) {
    /* The part ends at the key's end or at a NUL (state_pending.h). */
    assert(contact_len == key_len || key[contact_len] == 0);
    return op_put_value(pending, op_find(pending, cf, key, key_len, 1, contact_len, value_len),
                        value, value_len);
}

/* Make a delete the write of op, found (or made, with committed) by op_find: NULL when
 * there was none. As state_pending_op_delete. */
static int op_delete(state_pending_t *pending, pending_op_t *op, int committed) {
    if (!op) {
        if (!committed)
            return 1; /* never written, never committed: nothing to undo */
        pending->ops_lost = 1;
        return 0;
    }
    op->committed |= (uint8_t)(committed != 0);
    op->kind = op->committed ? PENDING_OP_DELETE : PENDING_OP_NONE;
    op->value_len = 0;
    assert(op->value_len <= op->value_cap);
    return 1;
}

int state_pending_op_delete(state_pending_t *pending, uint8_t cf, const uint8_t *key,
                            size_t key_len, int committed) {
    /* no assert: op_find and op_delete assert */
    return op_delete(pending, op_find(pending, cf, key, key_len, committed, 0, 0), committed);
}

/* A new op of to at the empty index slot, writing what op (another log's, not NONE)
 * writes: its key and value copied in one piece of the arena, with one copy when they lie
 * together in op's log (as op_add puts them). 0 on out of memory. Always inline: once per
 * op a whole log's fold adds (once state_pending_op_fold made a second caller, calls of
 * it and op_fold cost 3.6 M instructions more in bench_engine's loop). */
__attribute__((always_inline))
static inline int op_add_folded(state_pending_t *to, uint32_t *slot, const pending_op_t *op) {
    assert(!*slot && op->kind != PENDING_OP_NONE && op->key_len >= 2);
    pending_op_t *ops = sy_array_grow(to->ops, &to->ops_capacity, to->ops_count + 1,
                                      sizeof *ops, PENDING_OPS_INITIAL);
    if (!ops)
        return 0;
    to->ops = ops;
    int put = op->kind == PENDING_OP_PUT;
    size_t key_len = op->key_len, value_len = put ? op->value_len : 0;
    uint8_t *k = arena_alloc(&to->arena, key_len + value_len);
    if (!k)
        return 0;
    if (op->value == op->key + key_len) {
        memcpy(k, op->key, key_len + value_len);
    } else {
        memcpy(k, op->key, key_len);
        if (value_len)
            memcpy(k + key_len, op->value, value_len);
    }
    uint8_t contact_len = op->contact_len;
    if (!to->key_filter_off)
        contact_len = filter_add(to, op->cf, op->key, key_len, op->contact_len);
    ops[to->ops_count++] = (pending_op_t){
        .cf = op->cf, .kind = op->kind, .committed = (uint8_t)!put,
        .contact_len = contact_len, .partition = op->partition,
        .hash = op->hash, .key = k, .key_len = key_len, .value = k + key_len,
        .value_len = value_len, .value_cap = value_len};
    *slot = (uint32_t)to->ops_count;
    return 1;
}

/* Fold op (not NONE) into to, as state_pending_ops_fold. Always inline: once per op a
 * whole log's fold folds (see op_add_folded). */
__attribute__((always_inline))
static inline int op_fold(state_pending_t *to, const pending_op_t *op) {
    if ((to->ops_count + 1) * 2 > to->ops_index_capacity &&
        (to->ops_count >= UINT32_MAX / 2 || !op_index_grow(to)))
        return 0;
    uint32_t *slot = op_slot(to, op->hash, op->cf, op->key, op->key_len);
    assert(!*slot || *slot <= to->ops_count);
    if (!*slot)
        return op_add_folded(to, slot, op);
    pending_op_t *into = &to->ops[*slot - 1];
    return op->kind == PENDING_OP_PUT ? op_put_value(to, into, op->value, op->value_len)
                                      : op_delete(to, into, 1);
}

int state_pending_op_fold(state_pending_t *to, const pending_op_t *op) {
    assert(to && op && op->kind != PENDING_OP_NONE);
    if (!to->ops_lost && !op_fold(to, op))
        to->ops_lost = 1;
    return !to->ops_lost;
}

void state_pending_key_filter_build(state_pending_t *pending) {
    assert(pending);
    if (!pending->key_filter_off)
        return;
    pending->key_filter_off = 0;
    for (size_t i = 0; i < pending->ops_count; i++) { /* ops only read: see the writer */
        const pending_op_t *op = &pending->ops[i];
        (void)filter_add(pending, op->cf, op->key, op->key_len, op->contact_len);
    }
}

int state_pending_ops_fold(state_pending_t *to, const state_pending_t *from) {
    assert(to && from && to != from && !from->ops_lost);
    if (!to->ops_count) /* bits are set when a read asks for them */
        to->key_filter_off = 1;
    for (size_t i = 0; i < from->ops_count && !to->ops_lost; i++) {
        const pending_op_t *op = &from->ops[i];
        if (op->kind != PENDING_OP_NONE && !op_fold(to, op))
            to->ops_lost = 1;
    }
    return !to->ops_lost;
}

const pending_entry_t *state_pending_get(const state_pending_t *pending, const uint8_t *key,
                                         size_t key_len) {
    if (!pending->map_count)
        return NULL;
    assert(pending->map);
    uint64_t hash = hash_bytes(key, key_len);
    pending_entry_t *e = map_slot(pending->map, pending->map_capacity, hash, key, key_len);
    return e->key ? e : NULL;
}

/* Heap order: key bytes, shorter first on a common prefix (timer keys sort by due). */
static bool entry_less(const void *pa, const void *pb) {
    const pending_entry_t *a = pa, *b = pb;
    /* no assert: the heap's comparator; the heap asserts its order with it */
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = memcmp(a->key, b->key, n);
    return c < 0 || (c == 0 && a->key_len < b->key_len);
}

/* Heap order around item i: no smaller than its parent, no larger than its children. */
static int heap_ordered_at(const pending_heap_t *heap, size_t i) {
    const pending_entry_t *items = heap->items;
    size_t child = 2 * i + 1;
    assert(i < heap->count);
    return (i == 0 || !entry_less(&items[i], &items[(i - 1) / 2])) &&
           (child >= heap->count || !entry_less(&items[child], &items[i])) &&
           (child + 1 >= heap->count || !entry_less(&items[child + 1], &items[i]));
}

static pending_heap_t *heap_for(state_pending_t *pending, int32_t partition, int create) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
    size_t index = (size_t)partition;
    if (index < pending->heaps_count)
        return &pending->heaps[index];
    if (!create)
        return NULL;
    pending_heap_t *heaps = realloc(pending->heaps, (index + 1) * sizeof *heaps);
    if (!heaps)
        return NULL;
    memset(heaps + pending->heaps_count, 0,
           (index + 1 - pending->heaps_count) * sizeof *heaps);
    pending->heaps = heaps;
    pending->heaps_count = index + 1;
    return &heaps[index];
}

int state_pending_timer_push(state_pending_t *pending, int32_t partition,
                             const uint8_t *key, size_t key_len, const uint8_t *value,
                             size_t value_len) {
    pending_heap_t *heap = heap_for(pending, partition, 1);
    if (!heap)
        return 0;
    pending_entry_t *items = sy_array_grow(heap->items, &heap->capacity, heap->count + 1,
                                           sizeof *items, 256);
    if (!items)
        return 0;
    heap->items = items;
    /* Key and value in one piece of the arena: one allocation, not two. */
    uint8_t *bytes = arena_alloc(&pending->arena, key_len + value_len); /* a key is 2+ */
    if (!bytes)
        return 0;
    memcpy(bytes, key, key_len);
    if (value_len)
        memcpy(bytes + key_len, value, value_len);
    pending_entry_t e = {0, bytes, key_len, bytes + key_len, value_len};
    sy_heap_push(heap->items, sizeof *heap->items, &heap->count, &e, entry_less);
    assert(heap->count <= heap->capacity && heap_ordered_at(heap, 0));
    return 1;
}

void state_pending_timer_pop(state_pending_t *pending, int32_t partition) {
    pending_heap_t *heap = heap_for(pending, partition, 0);
    if (!heap || !heap->count)
        return;
    sy_heap_pop(heap->items, sizeof *heap->items, &heap->count, entry_less);
    assert(heap->count == 0 || heap_ordered_at(heap, 0));
}
