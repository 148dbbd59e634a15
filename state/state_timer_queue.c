/* state_timer_queue.c — each partition's committed timers in memory, in timer key order
 * (partition, due time, contact, journey): a min-heap of the nearest ones and, beyond it,
 * buckets of about a minute of due times each, rebuilt once (at the partition's
 * first timer read after the store opened or a restore wrote its instances) from the live
 * timer each committed instance keeps, then kept by the commits, so firing a timer never
 * reads RocksDB. A store opened in memory has nothing to rebuild from: its queues start
 * empty and take every commit's timers, until a restore's write makes them load again.
 * A store written by an older version also has timers in a column family of their own:
 * the rebuild reads those too, and their fires delete them there. A batch's
 * fires are kept aside until it commits (then freed) or aborts (then put back), those of a
 * sealed batch apart from the pending one's. The timers' bytes come from a pool of the
 * queue's, not one allocation each. Not the merge with the batches' own timers
 * (state_timers.c).
 *
 * Why buckets: one heap of every timer costs a cache miss a level at each fire once it
 * outgrows the caches (a partition with a million timers: 20 levels, 32 MB), so the cost
 * of a fire grew with the contacts. The heap takes every timer up to NEAR_TIMERS_MAX; past
 * that, a timer due after the heap's last bucket is appended to its bucket (timers mostly
 * come in due order: the end of the last one), and an empty heap takes the next buckets.
 * Every timer in the heap is due before every timer in a bucket, so the heap's first is
 * the queue's, as it was with one heap. */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "state_codec.h"
#include "state_store_int.h"
#include "sy_array.h"
#include "sy_heap.h"

/* Where the timers' bytes live: the queue's own pool, so a committed timer costs no
 * allocation of its own. Slots come in size classes POOL_CLASS_BYTES apart, carved from
 * blocks in turn; a freed slot goes on its class's free list for the next timer of its
 * size. Like a malloc's size classes, the pool keeps what it got until the queue is
 * forgotten: it holds the queue's peak. */
#define POOL_CLASS_BYTES 16
/* The largest class holds the longest key with the longest value. */
#define POOL_CLASSES                                                                        \
    ((STATE_KEY_BYTES_MAX + STATE_VALUE_BYTES_MAX + POOL_CLASS_BYTES - 1) / POOL_CLASS_BYTES)
/* A block's bytes: the first small, so a partition with a few timers costs little; then
 * each twice the last, up to the largest (a few thousand usual timers), so a queue of
 * many timers takes few blocks and wastes at most a slot at the end of each. */
#define POOL_BLOCK_BYTES_MIN 4096
#define POOL_BLOCK_BYTES_MAX (256 * 1024)

/* Under AddressSanitizer, the bytes of the pool no timer holds are poisoned, so a read of
 * a timer's bytes after its slot went back (or past its end) is reported as with malloc. */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#ifdef POOL_ASAN
#include <sanitizer/asan_interface.h>
#define POOL_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define POOL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POOL_POISON(p, n) ((void)(p), (void)(n))
#define POOL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

typedef struct pool_block {
    struct pool_block *next; /* the blocks before it */
    size_t size, used;       /* bytes of data, and how many of them are carved into slots */
    uint8_t data[];
} pool_block_t;

/* A free slot: the next free slot of its class in its first bytes. */
typedef struct pool_slot {
    struct pool_slot *next;
} pool_slot_t;

/* Slots are multiples of the class size from an aligned start: each can hold the link. */
_Static_assert(POOL_CLASS_BYTES % _Alignof(pool_slot_t) == 0 &&
                   offsetof(pool_block_t, data) % _Alignof(pool_slot_t) == 0,
               "every slot is aligned for its free-list link");
_Static_assert(STATE_CODEC_TIMER_KEY_HEAD_BYTES >= sizeof(pool_slot_t),
               "the bytes a timer's slot holds cover the link of a free slot");

typedef struct timer_pool {
    pool_block_t *blocks;             /* owned; the newest first, its tail not carved yet */
    pool_slot_t *free[POOL_CLASSES]; /* freed slots of each class */
} timer_pool_t;

/* One timer: its key and value bytes in one slot of the pool, the key's due-time bytes (after
 * the partition) as a number for the usual comparison, and the order it was queued in: a
 * key set again while its earlier timer is still queued is there twice, the newer first;
 * each fires (the instance tells which is live). */
typedef struct timer_item {
    uint64_t due_bits; /* key bytes 2..9, big-endian: compares as the key does */
    uint64_t seq;      /* 0: from the legacy timer index; then one per timer queued */
    uint8_t *bytes;    /* key, then value; the queue's pool's */
    uint32_t key_len;
    uint32_t value_len;
} timer_item_t;

typedef struct item_list {
    size_t count, capacity;
    timer_item_t *items;
} item_list_t;

/* The bucket of a due time: the due bits (which order as the due times do) over 2^16 ms,
 * about a minute. Wide enough that a bucket of a busy partition's minute is one move into
 * the heap; narrow enough that the heap stays small. */
#define FAR_BUCKET_SHIFT 16
/* The heap takes every timer while it holds fewer than this (512 KB of items), so a queue
 * that small keeps no buckets at all. Past it, an empty heap takes buckets while they
 * hold NEAR_REFILL_TIMERS at most (64 KB: a core's cache), and a rebuilt queue keeps that
 * many of its earliest. */
#define NEAR_TIMERS_MAX 16384
#define NEAR_REFILL_TIMERS 2048

/* The timers of one bucket beyond the heap's, in the order they came. */
typedef struct far_bucket {
    uint64_t index; /* due_bits >> FAR_BUCKET_SHIFT of each of them */
    item_list_t list;
} far_bucket_t;

/* The buckets beyond the heap's: buckets[first..count-1], indexes ascending, none empty. */
typedef struct far_buckets {
    far_bucket_t *buckets;
    size_t first, count, capacity;
} far_buckets_t;

struct state_timer_queue {
    /* The committed timers not fired in this batch: those of a bucket below near_end in
     * the heap, the others in far. The heap is empty only when far is, so its first item
     * is the queue's. near_end passes no far bucket, and once a timer was fired it never
     * goes down (a fired timer put back at an abort goes back to the heap). */
    item_list_t heap;
    uint64_t near_end;
    far_buckets_t far;
    item_list_t popped; /* fired in this batch: freed at commit, back at abort */
    size_t popped_sealed; /* the first ones of popped were fired in the sealed batch */
    /* The sealed batch's timers (not committed yet) fired in the pending one: at the
     * sealed batch's commit they join popped, at an abort they are freed. */
    item_list_t fired_sealed;
    timer_pool_t pool;  /* the bytes of the lists' items */
};

/* A timer key: the partition (2 bytes), the due time (8), then the ids. */
enum { KEY_DUE_END = STATE_CODEC_TIMER_KEY_HEAD_BYTES };

/* The class of a slot of size bytes (1 to the largest class's). */
static size_t pool_class(size_t size) {
    assert(size > 0 && size <= POOL_CLASSES * POOL_CLASS_BYTES);
    return (size - 1) / POOL_CLASS_BYTES;
}

/* A slot of at least size bytes, or NULL without memory. Always inline: once per timer
 * queued. */
__attribute__((always_inline)) static inline uint8_t *pool_alloc(timer_pool_t *pool, size_t size) {
    size_t c = pool_class(size), slot_bytes = (c + 1) * POOL_CLASS_BYTES;
    pool_slot_t *slot = pool->free[c];
    if (slot) {
        POOL_UNPOISON(slot, size); /* size holds the link: a key is longer */
        pool->free[c] = slot->next;
        return (uint8_t *)slot;
    }
    pool_block_t *b = pool->blocks;
    if (!b || b->size - b->used < slot_bytes) {
        size_t bytes = !b                                 ? POOL_BLOCK_BYTES_MIN
                       : b->size >= POOL_BLOCK_BYTES_MAX / 2 ? POOL_BLOCK_BYTES_MAX
                                                          : 2 * b->size;
        if (!(b = malloc(sizeof *b + bytes)))
            return NULL;
        *b = (pool_block_t){.next = pool->blocks, .size = bytes, .used = 0};
        pool->blocks = b;
        POOL_POISON(b->data, bytes);
    }
    uint8_t *p = b->data + b->used;
    b->used += slot_bytes;
    assert(b->used <= b->size);
    POOL_UNPOISON(p, size);
    return p;
}

/* Give back p, a slot pool_alloc gave for size bytes. */
static void pool_free(timer_pool_t *pool, uint8_t *p, size_t size) {
    size_t c = pool_class(size);
    pool_slot_t *slot = (pool_slot_t *)(void *)p;
    assert(p && pool->blocks); /* a slot of one of them */
    slot->next = pool->free[c];
    pool->free[c] = slot;
    POOL_POISON(p, (c + 1) * POOL_CLASS_BYTES);
}

static void pool_deinit(timer_pool_t *pool) {
    assert(pool);
    while (pool->blocks) {
        pool_block_t *b = pool->blocks;
        pool->blocks = b->next;
        POOL_UNPOISON(b->data, b->size);
        free(b);
    }
    memset(pool, 0, sizeof *pool);
}

static uint64_t due_bits_of(const uint8_t *key, size_t key_len) {
    assert(key_len >= KEY_DUE_END);
    return state_codec_u64_get(key + 2); /* one swapped load */
}

/* Compare two items' keys as RocksDB orders them. Every key of a queue starts with its
 * partition, so the due bits decide unless equal; then only the bytes after them do. */
static int item_key_cmp(const timer_item_t *a, const timer_item_t *b) {
    /* no assert: run on every heap comparison */
    if (a->due_bits != b->due_bits)
        return a->due_bits < b->due_bits ? -1 : 1;
    return state_timer_key_cmp(a->bytes + KEY_DUE_END, a->key_len - KEY_DUE_END,
                               b->bytes + KEY_DUE_END, b->key_len - KEY_DUE_END);
}

/* Key order, then the newer first among equal keys. */
static bool item_less(const void *pa, const void *pb) {
    const timer_item_t *a = pa, *b = pb;
    /* no assert: the heap's comparator */
    int c = item_key_cmp(a, b);
    return c < 0 || (c == 0 && a->seq > b->seq);
}

/* item_less, with the usual case (different due times) decided in line. */
static inline bool item_before(const timer_item_t *a, const timer_item_t *b) {
    /* no assert: run on every comparison of a fire */
    return a->due_bits != b->due_bits ? a->due_bits < b->due_bits : item_less(a, b);
}

/* Room for one more item in l. 0 without memory (l unchanged). Always inline: in every
 * push and fire. */
__attribute__((always_inline)) static inline int list_reserve(item_list_t *l) {
    assert(l->count <= l->capacity);
    timer_item_t *items = sy_array_grow(l->items, &l->capacity, l->count + 1, sizeof *items, 64);
    if (!items)
        return 0;
    l->items = items;
    return 1;
}

/* A new item holding copies of key and value (in pool), or 0 without memory. Always
 * inline: once per timer a commit queues. */
__attribute__((always_inline)) static inline int
item_make(timer_pool_t *pool, timer_item_t *out, const uint8_t *key, size_t key_len,
          const uint8_t *value, size_t value_len, uint64_t seq) {
    assert(key_len >= KEY_DUE_END && key_len <= STATE_KEY_BYTES_MAX &&
           value_len <= STATE_VALUE_BYTES_MAX);
    out->bytes = pool_alloc(pool, key_len + value_len);
    if (!out->bytes)
        return 0;
    memcpy(out->bytes, key, key_len);
    if (value_len)
        memcpy(out->bytes + key_len, value, value_len);
    out->due_bits = due_bits_of(key, key_len);
    out->seq = seq;
    out->key_len = (uint32_t)key_len;
    out->value_len = (uint32_t)value_len;
    return 1;
}

static void item_free(state_timer_queue_t *q, const timer_item_t *item) {
    /* no assert: a one-line give-back, whose sizes pool_class asserts */
    pool_free(&q->pool, item->bytes, (size_t)item->key_len + item->value_len);
}

/* Free q with its lists and the bytes of their items. */
static void queue_free(state_timer_queue_t *q) {
    assert(q);
    free(q->heap.items);
    for (size_t i = q->far.first; i < q->far.count; i++)
        free(q->far.buckets[i].list.items);
    free(q->far.buckets);
    free(q->popped.items);
    free(q->fired_sealed.items);
    pool_deinit(&q->pool);
    free(q);
}

void state_store_timer_queue_forget(state_store_t *s, int32_t partition) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
    state_timer_queue_t *q = s->timer_queues[partition];
    /* Its timers are the instances' again, to be loaded at the next read. */
    s->timers_whole = false;
    if (!q)
        return;
    queue_free(q);
    s->timer_queues[partition] = NULL;
}

void state_store_timer_queues_free(state_store_t *s) {
    assert(s);
    for (int32_t p = 0; p < STATE_PARTITIONS_MAX; p++)
        state_store_timer_queue_forget(s, p);
}

/* Settle the checkpoint, then a new iterator over partition's committed timers, at the
 * partition's first key and bounded by its end, so it stops there instead of walking the
 * next partition's keys. On SY_OK the caller destroys *it_out, then *ro_out (its read
 * options); the bound's bytes are the store's, so they outlive both. */
static sy_err_t queue_iter_open(state_store_t *s, int cf, int32_t partition,
                                rocksdb_iterator_t **it_out, rocksdb_readoptions_t **ro_out,
                                char *errbuf, size_t errbuf_size) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX && it_out && ro_out);
    uint8_t *bound = s->timer_bounds[partition];
    bound[0] = (uint8_t)((partition + 1) >> 8);
    bound[1] = (uint8_t)(partition + 1);
    rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
    rocksdb_readoptions_set_iterate_upper_bound(ro, (const char *)bound, 2);
    rocksdb_iterator_t *it = NULL;
    sy_err_t err = state_store_iterator_open(s, cf, ro, &it, errbuf, errbuf_size);
    if (err != SY_OK) {
        rocksdb_readoptions_destroy(ro);
        return err;
    }
    uint8_t prefix[2];
    size_t len = state_codec_meta_key(prefix, partition);
    rocksdb_iter_seek(it, (const char *)prefix, len);
    *it_out = it;
    *ro_out = ro;
    return SY_OK;
}

/* The timer of the instance at (key, value) of partition's instances, in *timer: 1 when
 * it has a live one, 0 when not, -1 when the entry is corrupt. */
static int instance_timer(const uint8_t *key, size_t key_len, const uint8_t *value,
                          size_t value_len, int32_t partition, state_timer_t *timer) {
    state_instance_t in;
    if (!state_codec_instance_key_ids(key, key_len, timer) ||
        !state_codec_instance_decode(value, value_len, &in))
        return -1;
    assert(timer->partition == partition); /* the scan's prefix was partition's */
    if (in.status != STATE_INSTANCE_ACTIVE || in.timer != STATE_INSTANCE_TIMER_ARMED)
        return 0;
    timer->due_ms = in.timer_due_ms;
    timer->node = in.node;
    timer->node_entered_at_ms = in.node_entered_at_ms;
    return 1;
}

/* The list of far bucket index, made (empty, in its place among the others) when there is
 * none yet; NULL without memory. Mostly the last bucket, or one after it. */
static item_list_t *far_list(far_buckets_t *far, uint64_t index) {
    assert(far->first <= far->count && far->count <= far->capacity);
    size_t lo = far->first, hi = far->count;
    if (hi > lo && far->buckets[hi - 1].index < index) {
        lo = hi; /* after every bucket: the usual timer, due later than all */
    } else {
        while (lo < hi) { /* the first bucket whose index is not below index */
            size_t mid = lo + (hi - lo) / 2;
            if (far->buckets[mid].index < index)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < far->count && far->buckets[lo].index == index)
            return &far->buckets[lo].list;
    }
    if (far->first && far->count == far->capacity) { /* room at the front: shift it back */
        memmove(far->buckets, far->buckets + far->first,
                (far->count - far->first) * sizeof *far->buckets);
        far->count -= far->first, lo -= far->first, far->first = 0;
    }
    far_bucket_t *buckets =
        sy_array_grow(far->buckets, &far->capacity, far->count + 1, sizeof *buckets, 16);
    if (!buckets)
        return NULL;
    far->buckets = buckets;
    memmove(buckets + lo + 1, buckets + lo, (far->count - lo) * sizeof *buckets);
    far->count++;
    buckets[lo] = (far_bucket_t){.index = index};
    return &buckets[lo].list;
}

/* Push the timer (key, value) into q with seq: the heap when its bucket is below
 * near_end, or when no bucket is kept and the heap has room (near_end then moves past
 * it); else its far bucket. 0 without memory. */
static int queue_push_bytes(state_timer_queue_t *q, const uint8_t *key, size_t key_len,
                            const uint8_t *value, size_t value_len, uint64_t seq) {
    timer_item_t item;
    assert(key_len >= KEY_DUE_END);
    uint64_t bucket = due_bits_of(key, key_len) >> FAR_BUCKET_SHIFT;
    if (bucket >= q->near_end && q->far.first == q->far.count &&
        q->heap.count < NEAR_TIMERS_MAX)
        q->near_end = bucket + 1;
    item_list_t *list = bucket < q->near_end ? &q->heap : far_list(&q->far, bucket);
    if (!list || !list_reserve(list) ||
        !item_make(&q->pool, &item, key, key_len, value, value_len, seq))
        return 0;
    if (list == &q->heap)
        sy_heap_push(q->heap.items, sizeof item, &q->heap.count, &item, item_less);
    else
        list->items[list->count++] = item;
    return 1;
}

/* One entry of a load's scan into q: an instance's live timer, or (legacy) a timer of the
 * old index as it is. 1 when taken or nothing to take, 0 without memory, -1 corrupt. */
static int load_entry(state_store_t *s, int cf, int32_t partition, state_timer_queue_t *q,
                      const uint8_t *key, size_t key_len, const uint8_t *value,
                      size_t value_len) {
    assert(cf == CF_INSTANCES || cf == CF_TIMERS);
    if (cf == CF_TIMERS) /* no value this long decodes: none is written */
        return key_len < KEY_DUE_END || key_len > STATE_KEY_BYTES_MAX ||
                       value_len > STATE_VALUE_BYTES_MAX
                   ? -1
                   : queue_push_bytes(q, key, key_len, value, value_len, 0);
    state_timer_t timer;
    int has = instance_timer(key, key_len, value, value_len, partition, &timer);
    if (has <= 0)
        return has < 0 ? -1 : 1;
    uint8_t tkey[STATE_KEY_BYTES_MAX], tvalue[STATE_VALUE_BYTES_MAX];
    size_t tkey_len = state_codec_timer_key(tkey, &timer);
    size_t tvalue_len = state_codec_timer_value_encode(tvalue, &timer);
    return tkey_len ? queue_push_bytes(q, tkey, tkey_len, tvalue, tvalue_len, ++s->timer_seq)
                    : -1;
}

/* Load partition's timers of column family cf into q's heap: the live timers of its
 * committed instances (CF_INSTANCES), or the old timer index's (CF_TIMERS), which only a
 * store written by an older version holds. */
static sy_err_t queue_load_cf(state_store_t *s, int cf, int32_t partition,
                              state_timer_queue_t *q, char *errbuf, size_t errbuf_size) {
    rocksdb_readoptions_t *ro = NULL;
    rocksdb_iterator_t *it = NULL;
    assert(cf == CF_INSTANCES || cf == CF_TIMERS);
    sy_err_t err = queue_iter_open(s, cf, partition, &it, &ro, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    for (; rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t key_len = 0, value_len = 0;
        const uint8_t *key = (const uint8_t *)rocksdb_iter_key(it, &key_len);
        const uint8_t *value = (const uint8_t *)rocksdb_iter_value(it, &value_len);
        int taken = load_entry(s, cf, partition, q, key, key_len, value, value_len);
        if (taken < 0) {
            sy_errf(errbuf, errbuf_size, "state store: corrupt %s in partition %d",
                    cf == CF_TIMERS ? "timer" : "instance", (int)partition);
            err = SY_ERR_STATE;
            break;
        }
        if (!taken) {
            sy_errf(errbuf, errbuf_size,
                    "state store: out of memory loading the timers of partition %d",
                    (int)partition);
            err = SY_ERR_NOMEM;
            break;
        }
    }
    char *rerr = NULL;
    rocksdb_iter_get_error(it, &rerr);
    if (rerr && err == SY_OK) {
        sy_errf(errbuf, errbuf_size, "state store: read timers: %s", rerr);
        err = SY_ERR_STATE;
    }
    free(rerr);
    rocksdb_iter_destroy(it);
    rocksdb_readoptions_destroy(ro);
    return err;
}

/* The k-th smallest (from 0) of v[0..n-1], k < n; v is reordered. Hoare's selection:
 * partition around a middle pivot, keep the side that holds k. */
static uint64_t select_kth(uint64_t *v, size_t n, size_t k) {
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, want = (ptrdiff_t)k;
    assert(v && k < n);
    while (lo < hi) {
        uint64_t pivot = v[lo + (hi - lo) / 2];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                uint64_t t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        /* v[lo..j] <= pivot, v[i..hi] >= pivot, and what lies between equals it */
        if (want <= j)
            hi = j;
        else if (want >= i)
            lo = i;
        else
            return v[want];
    }
    return v[want];
}

/* A rebuilt queue whose heap took more than NEAR_TIMERS_MAX timers (they came in contact
 * order, not due order): the heap keeps the buckets of its earliest NEAR_REFILL_TIMERS,
 * the later ones go to far buckets. Only with nothing fired (near_end goes down). 0
 * without memory. */
static int queue_rebalance(state_timer_queue_t *q) {
    assert(!q->popped.count && !q->fired_sealed.count);
    size_t n = q->heap.count;
    if (n <= NEAR_TIMERS_MAX)
        return 1;
    uint64_t *buckets = malloc(n * sizeof *buckets);
    if (!buckets)
        return 0;
    for (size_t i = 0; i < n; i++)
        buckets[i] = q->heap.items[i].due_bits >> FAR_BUCKET_SHIFT;
    q->near_end = select_kth(buckets, n, NEAR_REFILL_TIMERS) + 1;
    free(buckets);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        timer_item_t item = q->heap.items[i];
        uint64_t bucket = item.due_bits >> FAR_BUCKET_SHIFT;
        if (bucket < q->near_end) {
            sy_heap_push(q->heap.items, sizeof item, &kept, &item, item_less);
            continue;
        }
        item_list_t *list = far_list(&q->far, bucket);
        if (!list || !list_reserve(list))
            return 0; /* the caller frees q, and the items' bytes with its pool */
        list->items[list->count++] = item;
    }
    q->heap.count = kept;
    return 1;
}

/* Rebuild partition's timers in q from its committed instances, with any the old timer
 * index still holds. */
static sy_err_t queue_load(state_store_t *s, int32_t partition, state_timer_queue_t *q,
                           char *errbuf, size_t errbuf_size) {
    assert(q->heap.count == 0);
    sy_err_t err = queue_load_cf(s, CF_INSTANCES, partition, q, errbuf, errbuf_size);
    if (err == SY_OK)
        err = queue_load_cf(s, CF_TIMERS, partition, q, errbuf, errbuf_size);
    if (err == SY_OK && !queue_rebalance(q)) {
        sy_errf(errbuf, errbuf_size,
                "state store: out of memory loading the timers of partition %d",
                (int)partition);
        err = SY_ERR_NOMEM;
    }
    return err;
}

sy_err_t state_store_timer_queue_get(state_store_t *s, int32_t partition,
                                     state_timer_queue_t **out, char *errbuf,
                                     size_t errbuf_size) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX && out);
    if ((*out = s->timer_queues[partition]))
        return SY_OK;
    state_timer_queue_t *q = calloc(1, sizeof *q);
    if (!q) {
        sy_errf(errbuf, errbuf_size, "state store: out of memory");
        return SY_ERR_NOMEM;
    }
    /* With every committed timer in a queue, a partition without one has none: nothing to
     * load, and no checkpoint for the load's iterator to wait for. */
    sy_err_t err = s->timers_whole ? SY_OK : queue_load(s, partition, q, errbuf, errbuf_size);
    if (err != SY_OK) {
        queue_free(q);
        return err;
    }
    *out = s->timer_queues[partition] = q;
    state_store_partition_seen(s, partition);
    return SY_OK;
}

int state_timer_queue_peek(const state_timer_queue_t *q, const uint8_t **key,
                           size_t *key_len, const uint8_t **value, size_t *value_len) {
    assert(q); /* no more: this runs once per event, and the outs are the caller's locals */
    if (!q->heap.count)
        return 0;
    const timer_item_t *top = &q->heap.items[0];
    *key = top->bytes;
    *key_len = top->key_len;
    *value = top->bytes + top->key_len;
    *value_len = top->value_len;
    return 1;
}

bool state_timer_queue_due_by(const state_timer_queue_t *q, int64_t due_ms) {
    /* no assert: once per event; the one pointer is the caller's loaded queue */
    return q->heap.count &&
           (int64_t)(q->heap.items[0].due_bits ^ (UINT64_C(1) << 63)) <= due_ms;
}

/* Remove the first item of the heap h: its hole goes down to a leaf, taking the earlier
 * child up at each level, then the last item fills it and goes up to its place. One
 * comparison a level where a plain sift-down of the last item makes two: coming from the
 * bottom, it seldom goes far up. (The order is total, so the same items leave in the same
 * order whichever way the heap is kept.) */
static void heap_remove_first(item_list_t *h) {
    timer_item_t *items = h->items;
    size_t n = --h->count, i = 0, child;
    assert(h->count < h->capacity);
    if (n == 0)
        return;
    while ((child = 2 * i + 1) < n) {
        if (child + 1 < n && item_before(&items[child + 1], &items[child]))
            child++;
        items[i] = items[child];
        i = child;
    }
    const timer_item_t last = items[n];
    while (i > 0 && item_before(&last, &items[(i - 1) / 2])) {
        items[i] = items[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    items[i] = last;
}

/* Remove the heap's first item; keep it aside when keep, else free it. */
static void heap_take(state_timer_queue_t *q, int keep) {
    assert(q->heap.count > 0);
    timer_item_t top = q->heap.items[0];
    heap_remove_first(&q->heap);
    if (keep)
        q->popped.items[q->popped.count++] = top;
    else
        item_free(q, &top);
}

/* How many far buckets an empty heap takes (the first always, then more while they hold
 * at most NEAR_REFILL_TIMERS), and in *timers how many timers they hold. */
static size_t refill_span(const state_timer_queue_t *q, size_t *timers) {
    size_t n = 0, total = 0;
    assert(q->far.first < q->far.count && timers);
    for (size_t i = q->far.first; i < q->far.count; i++, n++) {
        size_t count = q->far.buckets[i].list.count;
        if (n && total + count > NEAR_REFILL_TIMERS)
            break;
        total += count;
    }
    *timers = total;
    return n;
}

/* Room in the heap for timers more with the fired timers an abort would put back (the
 * heap's room is kept for them: state_store_timer_queues_abort). 0 without memory. */
static int near_refill_room(state_timer_queue_t *q, size_t timers) {
    assert(q && timers > 0);
    size_t need = q->heap.count + timers + q->popped.count;
    timer_item_t *items =
        sy_array_grow(q->heap.items, &q->heap.capacity, need, sizeof *items, 64);
    if (!items)
        return 0;
    q->heap.items = items;
    return 1;
}

/* The heap ran empty: the timers of the first `buckets` far buckets into it (room made by
 * near_refill_room), and near_end past the last of them. */
static void near_refill(state_timer_queue_t *q, size_t buckets) {
    assert(!q->heap.count && buckets && q->far.first + buckets <= q->far.count);
    for (size_t n = 0; n < buckets; n++) {
        far_bucket_t *b = &q->far.buckets[q->far.first++];
        assert(b->list.count > 0 && q->heap.count + b->list.count <= q->heap.capacity);
        /* mostly in due order already: each push stops where it starts */
        for (size_t i = 0; i < b->list.count; i++)
            sy_heap_push(q->heap.items, sizeof *q->heap.items, &q->heap.count,
                         &b->list.items[i], item_less);
        q->near_end = b->index + 1;
        free(b->list.items);
    }
    if (q->far.first == q->far.count)
        q->far.first = q->far.count = 0;
}

int state_timer_queue_pop(state_timer_queue_t *q, const uint8_t **key, size_t *key_len,
                          int *legacy) {
    assert(q && q->heap.count > 0 && key && key_len && legacy);
    size_t buckets = 0, timers = 0;
    if (q->heap.count == 1 && q->far.first < q->far.count)
        buckets = refill_span(q, &timers);
    if (!list_reserve(&q->popped) || (buckets && !near_refill_room(q, timers)))
        return 0;
    const timer_item_t top = q->heap.items[0];
    heap_take(q, 1);
    if (buckets)
        near_refill(q, buckets);
    *key = top.bytes; /* kept aside with the item */
    *key_len = top.key_len;
    *legacy = top.seq == 0;
    /* Another timer of the same key (set again with another node or entry time) stays:
     * each is a timer of its own, and the instance tells which one is live. */
    return 1;
}

int state_timer_queue_fired_sealed(state_timer_queue_t *q, const uint8_t *key, size_t key_len,
                                   const uint8_t *value, size_t value_len) {
    assert(q && key_len >= KEY_DUE_END);
    timer_item_t item;
    if (!list_reserve(&q->fired_sealed) ||
        !item_make(&q->pool, &item, key, key_len, value, value_len, 1))
        return 0;
    q->fired_sealed.items[q->fired_sealed.count++] = item;
    return 1;
}

void state_store_timer_queues_seal(state_store_t *s) {
    assert(s && s->partitions_hi <= STATE_PARTITIONS_MAX);
    for (int32_t p = 0; p < s->partitions_hi; p++) {
        state_timer_queue_t *q = s->timer_queues[p];
        if (q) {
            assert(!q->popped_sealed && !q->fired_sealed.count);
            q->popped_sealed = q->popped.count;
        }
    }
}

/* The sealed batch of q committed: its fires are freed, and the pending batch's fires of
 * its timers join the pending batch's, with room in the heap to put each back at an
 * abort. 0 without memory (the caller forgets q). */
static int queue_commit_fires(state_store_t *s, state_timer_queue_t *q) {
    assert(q->popped_sealed <= q->popped.count);
    for (size_t i = 0; i < q->popped_sealed; i++)
        item_free(q, &q->popped.items[i]);
    q->popped.count -= q->popped_sealed;
    if (q->popped_sealed && q->popped.count)
        memmove(q->popped.items, q->popped.items + q->popped_sealed,
                q->popped.count * sizeof *q->popped.items);
    q->popped_sealed = 0;
    size_t fired = q->fired_sealed.count, all = q->popped.count + fired;
    if (!fired)
        return 1;
    timer_item_t *popped = sy_array_grow(q->popped.items, &q->popped.capacity, all,
                                         sizeof *popped, 64);
    if (popped)
        q->popped.items = popped;
    timer_item_t *heap = popped ? sy_array_grow(q->heap.items, &q->heap.capacity,
                                                q->heap.count + all, sizeof *heap, 64)
                                : NULL;
    if (!heap)
        return 0;
    q->heap.items = heap;
    for (size_t i = 0; i < fired; i++) { /* queued now: each in its order */
        q->fired_sealed.items[i].seq = ++s->timer_seq;
        q->popped.items[q->popped.count++] = q->fired_sealed.items[i];
    }
    assert(q->popped.count == all);
    q->fired_sealed.count = 0;
    return 1;
}

void state_store_timer_queues_commit(state_store_t *s) {
    assert(s->sealed_on && !s->sealed.ops_lost);
    for (size_t p = 0; p < s->sealed.heaps_count; p++) {
        const pending_heap_t *heap = &s->sealed.heaps[p];
        state_timer_queue_t *q = s->timer_queues[p];
        char errbuf[128];
        /* No queue: its first read rebuilds it from the instances just written, unless
         * every committed timer is in a queue (then the queue starts here, empty). Without
         * memory, forget the queue: the next read rebuilds it. */
        if (!q && heap->count && s->timers_whole &&
            state_store_timer_queue_get(s, (int32_t)p, &q, errbuf, sizeof errbuf) != SY_OK)
            state_store_timer_queue_forget(s, (int32_t)p);
        for (size_t i = 0; q && i < heap->count; i++)
            if (!queue_push_bytes(q, heap->items[i].key, heap->items[i].key_len,
                                  heap->items[i].value, heap->items[i].value_len,
                                  ++s->timer_seq)) {
                state_store_timer_queue_forget(s, (int32_t)p);
                q = NULL;
            }
    }
    for (int32_t p = 0; p < s->partitions_hi; p++) {
        state_timer_queue_t *q = s->timer_queues[p];
        if (q && !queue_commit_fires(s, q))
            state_store_timer_queue_forget(s, p);
    }
}

void state_store_timer_queues_abort(state_store_t *s) {
    assert(s && s->partitions_hi <= STATE_PARTITIONS_MAX);
    for (int32_t p = 0; p < s->partitions_hi; p++) {
        state_timer_queue_t *q = s->timer_queues[p];
        if (!q)
            continue;
        for (size_t i = 0; i < q->fired_sealed.count; i++)
            item_free(q, &q->fired_sealed.items[i]);
        q->fired_sealed.count = 0;
        q->popped_sealed = 0;
        /* The heap had room for each before it was taken: no allocation fails here. */
        for (size_t i = 0; i < q->popped.count; i++) {
            assert(q->heap.count < q->heap.capacity);
            sy_heap_push(q->heap.items, sizeof *q->heap.items, &q->heap.count,
                         &q->popped.items[i], item_less);
        }
        q->popped.count = 0;
    }
}
