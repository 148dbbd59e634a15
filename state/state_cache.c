/* state_cache.c — the memory behind state_cache.h: entries live in fixed-size slots cut
 * from 64 KiB chunks (one size class per chunk), found through a chained hash index of
 * 32-bit slot references, and evicted by one CLOCK hand per size class. Chunks are
 * malloc'ed as the cache fills, up to the budget, and kept until close: a full cache
 * reuses slots and allocates nothing per entry. Not the store's read path: see
 * state_store.c. */
#include "state_cache.h"
#include "sy_hash.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Bytes per chunk: ~1,000 small entries per malloc, yet a test budget of a few hundred
 * KiB still gets chunks for several size classes. */
#define CACHE_CHUNK_BYTES (64u * 1024)
/* One index bucket per this many bytes of budget: a typical entry takes a 64-byte slot,
 * so chains average at most 2 and the index costs 1/32 of the budget. */
#define CACHE_BUDGET_BYTES_PER_BUCKET 128
/* A reference is (chunk << CACHE_SLOT_BITS | slot) + 1 in 32 bits, 0 meaning none: a
 * chunk has fewer than 2^11 slots (64 KiB / 48 bytes = 1365), which leaves 21 bits of
 * chunks — a budget of at most 2^21 * 64 KiB = 128 GiB. */
#define CACHE_SLOT_BITS 11
#define CACHE_CHUNKS_MAX (UINT32_C(1) << 21)

/* Slot sizes, header included; the largest fits the longest key and value (12 + 259 +
 * 64 = 335). An entry takes the smallest that fits it. */
#define CACHE_SLOT_BYTES_MIN 48
#define CACHE_SLOT_BYTES_MAX 336
static const uint16_t cache_class_bytes[] = {CACHE_SLOT_BYTES_MIN, 64, 96, 128, 192, 256,
                                             CACHE_SLOT_BYTES_MAX};
#define CACHE_CLASSES (sizeof cache_class_bytes / sizeof cache_class_bytes[0])

enum { SLOT_USED = 1, SLOT_REFERENCED = 2, SLOT_ABSENT = 4 };

typedef struct cache_slot {
    uint32_t next; /* next reference in the bucket chain, or in the free list */
    uint32_t hash;
    uint16_t key_len;
    uint8_t value_len;
    uint8_t flags;
    uint8_t bytes[]; /* key, then value */
} cache_slot_t;

/* A chunk's slots are numbered in CACHE_SLOT_BITS, and a reference (chunk, slot) + 1
 * stays below 2^32; the entry lengths fit the slot header's fields; the longest entry
 * fits the largest class. */
_Static_assert(CACHE_CHUNK_BYTES / CACHE_SLOT_BYTES_MIN < (1u << CACHE_SLOT_BITS),
               "a chunk's slots fit CACHE_SLOT_BITS");
_Static_assert((uint64_t)CACHE_CHUNKS_MAX << CACHE_SLOT_BITS <= UINT32_MAX + UINT64_C(1),
               "a slot reference fits 32 bits");
_Static_assert(STATE_CACHE_KEY_BYTES_MAX <= UINT16_MAX && STATE_CACHE_VALUE_BYTES_MAX <= UINT8_MAX,
               "entry lengths fit the slot header");
_Static_assert(sizeof(cache_slot_t) + STATE_CACHE_KEY_BYTES_MAX + STATE_CACHE_VALUE_BYTES_MAX <=
                   CACHE_SLOT_BYTES_MAX,
               "the longest entry fits the largest slot");

typedef struct cache_class {
    uint32_t free;   /* head of the free list, or 0 */
    uint32_t chunks; /* chunks cut into this class's slots */
    uint32_t hand_chunk, hand_slot; /* the CLOCK hand, once chunks > 0 */
} cache_class_t;

struct state_cache {
    size_t budget;
    uint32_t bucket_mask;
    uint32_t *buckets;      /* owned: chain heads */
    uint32_t chunks_count, chunks_max;
    uint8_t **chunks;       /* owned: chunks_max pointers, chunks_count allocated */
    uint8_t *chunk_class;   /* owned: the size class of each chunk */
    cache_class_t classes[CACHE_CLASSES];
    state_cache_stats_t stats;
};

static uint32_t hash_key(const uint8_t *p, size_t len) {
    /* no assert: a one-line hash of bytes the callers hold */
    return sy_hash_fnv1a32(SY_HASH_FNV32_OFFSET, p, len);
}

static uint32_t slots_per_chunk(size_t cls) {
    assert(cls < CACHE_CLASSES);
    return CACHE_CHUNK_BYTES / cache_class_bytes[cls];
}

static uint32_t slot_ref(uint32_t chunk, uint32_t slot) {
    assert(chunk < CACHE_CHUNKS_MAX && slot < (UINT32_C(1) << CACHE_SLOT_BITS));
    return ((chunk << CACHE_SLOT_BITS) | slot) + 1;
}

static cache_slot_t *slot_at(const state_cache_t *c, uint32_t ref) {
    uint32_t chunk = (ref - 1) >> CACHE_SLOT_BITS;
    uint32_t slot = (ref - 1) & ((UINT32_C(1) << CACHE_SLOT_BITS) - 1);
    /* no assert: the cache's hottest leaf; slot_ref asserts what makes a ref */
    return (cache_slot_t *)(c->chunks[chunk] + (size_t)slot *
                                                   cache_class_bytes[c->chunk_class[chunk]]);
}

sy_err_t state_cache_open(state_cache_t **out, size_t budget_bytes) {
    size_t chunks_max = budget_bytes / CACHE_CHUNK_BYTES, buckets = 1;
    if (chunks_max > CACHE_CHUNKS_MAX)
        chunks_max = CACHE_CHUNKS_MAX;
    while (buckets < (UINT32_C(1) << 31) &&
           buckets * 2 * CACHE_BUDGET_BYTES_PER_BUCKET <= budget_bytes)
        buckets *= 2;
    size_t overhead = sizeof(state_cache_t) + buckets * sizeof(uint32_t) +
                      chunks_max * (sizeof(uint8_t *) + 1);
    /* A budget too small for its own index holds nothing: no cache at all. */
    if (budget_bytes < overhead + CACHE_CHUNK_BYTES) {
        *out = NULL;
        return SY_OK;
    }
    state_cache_t *c = calloc(1, sizeof *c);
    if (!c)
        return SY_ERR_NOMEM;
    c->budget = budget_bytes;
    c->bucket_mask = (uint32_t)(buckets - 1);
    c->chunks_max = (uint32_t)chunks_max;
    c->buckets = calloc(buckets, sizeof *c->buckets);
    c->chunks = calloc(chunks_max, sizeof *c->chunks);
    c->chunk_class = calloc(chunks_max, 1);
    if (!c->buckets || !c->chunks || !c->chunk_class) {
        state_cache_close(c);
        return SY_ERR_NOMEM;
    }
    c->stats.bytes = overhead;
    assert(c->stats.bytes + CACHE_CHUNK_BYTES <= c->budget);
    *out = c;
    return SY_OK;
}

void state_cache_close(state_cache_t *c) {
    if (!c)
        return;
    assert(c->chunks_count <= c->chunks_max);
    for (uint32_t i = 0; i < c->chunks_count; i++)
        free(c->chunks[i]);
    free(c->chunks);
    free(c->chunk_class);
    free(c->buckets);
    free(c);
}

/* Put every slot of chunk on its class's free list. */
static void chunk_carve(state_cache_t *c, uint32_t chunk) {
    assert(chunk < c->chunks_count);
    cache_class_t *k = &c->classes[c->chunk_class[chunk]];
    for (uint32_t i = slots_per_chunk(c->chunk_class[chunk]); i-- > 0;) {
        uint32_t ref = slot_ref(chunk, i);
        cache_slot_t *s = slot_at(c, ref);
        s->flags = 0;
        s->next = k->free;
        k->free = ref;
    }
}

/* A new chunk for class cls, when the budget allows one. */
static int chunk_add(state_cache_t *c, size_t cls) {
    if (c->chunks_count == c->chunks_max || c->stats.bytes + CACHE_CHUNK_BYTES > c->budget)
        return 0;
    uint8_t *chunk = malloc(CACHE_CHUNK_BYTES);
    if (!chunk)
        return 0;
    uint32_t index = c->chunks_count++;
    c->chunks[index] = chunk;
    c->chunk_class[index] = (uint8_t)cls;
    c->stats.bytes += CACHE_CHUNK_BYTES;
    assert(c->stats.bytes <= c->budget);
    if (c->classes[cls].chunks++ == 0) {
        c->classes[cls].hand_chunk = index;
        c->classes[cls].hand_slot = 0;
    }
    chunk_carve(c, index);
    return 1;
}

/* Take the slot ref out of its bucket chain. */
static void slot_unlink(state_cache_t *c, uint32_t ref) {
    cache_slot_t *s = slot_at(c, ref);
    uint32_t *link = &c->buckets[s->hash & c->bucket_mask];
    while (*link != ref)
        link = &slot_at(c, *link)->next;
    *link = s->next;
    assert(s->flags & SLOT_USED);
    s->flags = 0;
    assert(c->stats.entries > 0);
    c->stats.entries--;
}

/* Move class cls's hand one slot on, to the next chunk of the class after the last. */
static void hand_advance(state_cache_t *c, size_t cls) {
    cache_class_t *k = &c->classes[cls];
    assert(k->chunks > 0 && c->chunk_class[k->hand_chunk] == cls);
    if (++k->hand_slot < slots_per_chunk(cls))
        return;
    k->hand_slot = 0;
    uint32_t j = k->hand_chunk;
    do
        j = (j + 1) % c->chunks_count;
    while (c->chunk_class[j] != cls);
    k->hand_chunk = j;
}

/* CLOCK: skip (and clear) recently used slots; evict the first one not used since the
 * hand last passed. Two turns always find one. */
static uint32_t clock_evict(state_cache_t *c, size_t cls) {
    cache_class_t *k = &c->classes[cls];
    assert(k->chunks > 0);
    for (uint64_t turns = 2 * (uint64_t)k->chunks * slots_per_chunk(cls) + 1; turns--;) {
        uint32_t ref = slot_ref(k->hand_chunk, k->hand_slot);
        cache_slot_t *s = slot_at(c, ref);
        hand_advance(c, cls);
        if (s->flags & SLOT_REFERENCED) {
            s->flags &= (uint8_t)~SLOT_REFERENCED;
        } else if (s->flags & SLOT_USED) {
            slot_unlink(c, ref);
            c->stats.evictions++;
            return ref;
        }
    }
    return 0;
}

/* A free slot of class cls: the free list, a new chunk, or an evicted entry; 0 when
 * the class has no room and gets none. */
static uint32_t slot_take(state_cache_t *c, size_t cls) {
    cache_class_t *k = &c->classes[cls];
    if (!k->free && !chunk_add(c, cls)) {
        if (!k->chunks)
            return 0;
        return clock_evict(c, cls);
    }
    uint32_t ref = k->free;
    assert(ref && !(slot_at(c, ref)->flags & SLOT_USED));
    k->free = slot_at(c, ref)->next;
    return ref;
}

/* The entry of key, or 0. */
static uint32_t entry_find(const state_cache_t *c, uint32_t hash, const uint8_t *key,
                           size_t key_len) {
    assert(key || !key_len);
    for (uint32_t ref = c->buckets[hash & c->bucket_mask]; ref;) {
        const cache_slot_t *s = slot_at(c, ref);
        if (s->hash == hash && s->key_len == key_len && memcmp(s->bytes, key, key_len) == 0)
            return ref;
        ref = s->next;
    }
    return 0;
}

state_cache_lookup_t state_cache_get(state_cache_t *c, const uint8_t *key, size_t key_len,
                                     const uint8_t **value, size_t *value_len) {
    if (!c)
        return STATE_CACHE_MISS;
    uint32_t ref = entry_find(c, hash_key(key, key_len), key, key_len);
    if (!ref) {
        c->stats.misses++;
        return STATE_CACHE_MISS;
    }
    cache_slot_t *s = slot_at(c, ref);
    assert(s->flags & SLOT_USED);
    s->flags |= SLOT_REFERENCED;
    if (s->flags & SLOT_ABSENT) {
        c->stats.absent_hits++;
        return STATE_CACHE_ABSENT;
    }
    c->stats.hits++;
    *value = s->bytes + s->key_len;
    *value_len = s->value_len;
    return STATE_CACHE_HIT;
}

/* The smallest class whose slots hold an entry of need bytes. */
static size_t class_for(size_t need) {
    assert(need <= CACHE_SLOT_BYTES_MAX);
    size_t cls = 0;
    while (cache_class_bytes[cls] < need)
        cls++;
    return cls;
}

static void slot_fill(cache_slot_t *s, const uint8_t *key, size_t key_len,
                      const uint8_t *value, size_t value_len) {
    assert(key_len <= STATE_CACHE_KEY_BYTES_MAX && value_len <= STATE_CACHE_VALUE_BYTES_MAX);
    s->key_len = (uint16_t)key_len;
    s->value_len = (uint8_t)value_len;
    s->flags = SLOT_USED | SLOT_REFERENCED | (value ? 0 : SLOT_ABSENT);
    memcpy(s->bytes, key, key_len);
    if (value_len)
        memcpy(s->bytes + key_len, value, value_len);
}

void state_cache_put(state_cache_t *c, const uint8_t *key, size_t key_len,
                     const uint8_t *value, size_t value_len) {
    if (!c)
        return;
    if (!value)
        value_len = 0;
    uint32_t hash = hash_key(key, key_len);
    uint32_t ref = entry_find(c, hash, key, key_len);
    int fits = key_len <= STATE_CACHE_KEY_BYTES_MAX && value_len <= STATE_CACHE_VALUE_BYTES_MAX;
    size_t cls = fits ? class_for(sizeof(cache_slot_t) + key_len + value_len) : 0;
    if (ref && fits && c->chunk_class[(ref - 1) >> CACHE_SLOT_BITS] == cls) {
        slot_fill(slot_at(c, ref), key, key_len, value, value_len);
        return;
    }
    if (ref) {
        slot_unlink(c, ref);
        cache_class_t *k = &c->classes[c->chunk_class[(ref - 1) >> CACHE_SLOT_BITS]];
        slot_at(c, ref)->next = k->free;
        k->free = ref;
    }
    if (!fits || !(ref = slot_take(c, cls)))
        return;
    cache_slot_t *s = slot_at(c, ref);
    slot_fill(s, key, key_len, value, value_len);
    s->hash = hash;
    uint32_t *head = &c->buckets[hash & c->bucket_mask];
    s->next = *head;
    *head = ref;
    c->stats.entries++;
    assert(c->chunk_class[(ref - 1) >> CACHE_SLOT_BITS] == cls);
}

void state_cache_clear(state_cache_t *c) {
    if (!c)
        return;
    memset(c->buckets, 0, ((size_t)c->bucket_mask + 1) * sizeof *c->buckets);
    for (size_t cls = 0; cls < CACHE_CLASSES; cls++)
        c->classes[cls].free = 0;
    for (uint32_t i = 0; i < c->chunks_count; i++)
        chunk_carve(c, i);
    c->stats.entries = 0;
    assert(c->chunks_count == 0 || c->classes[c->chunk_class[0]].free);
}

void state_cache_stats_get(const state_cache_t *c, state_cache_stats_t *out) {
    assert(out);
    if (!c) {
        memset(out, 0, sizeof *out);
        return;
    }
    *out = c->stats;
}
