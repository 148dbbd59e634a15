/* state_contact_table.c — the memory behind state_contact_table.h: one malloc'ed entry per
 * contact (its key, then its records back to back), found through a chained hash index,
 * evicted by a CLOCK hand over the vector of entries (an evicted entry's block taken for
 * the new contact that evicted it, small freed ones kept for reuse by capacity),
 * and a memo of the last entry found (an event's reads all ask for one contact); while
 * whole (a new store's), what it lacks is absent. Not the store's read path:
 * state_store.c, state_profile.c, state_event_ids.c and state_consent.c decide when to
 * ask it. */
#include "state_contact_table.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sy_hash.h"
#include "sy_limits.h"

/* At most one index bucket per this many bytes of budget: a contact of the example
 * journeys takes ~150 bytes, so chains stay under 1 on average and the index costs at
 * most 1/32 of the budget. Below that, a bucket per entry the entries vector holds. */
#define TABLE_BUDGET_BYTES_PER_BUCKET 256
#define TABLE_BUCKETS_MIN 64
/* A record's header: its id (with REC_ABSENT set when the record is known to have no
 * value, and REC_COMMITTED when a commit put it: state_contact_table_put_committed) and
 * the length of its value (0 when absent), two uint16_t in the machine's order (the table
 * is never written anywhere), read and written with memcpy as one uint32_t: a walk over
 * an entry's records takes one load and no test of ABSENT per record. */
#define REC_HEADER_BYTES 4
#define REC_ABSENT 0x8000u
#define REC_COMMITTED 0x4000u
/* An entry's key and records together: room for a full consent record and a full
 * event-id record beside a few hundred instances. */
#define ENTRY_BYTES_MAX (3 * STATE_CONTACT_VALUE_BYTES_MAX)
/* Entries are sized in steps of this, so a record that grows a little is rewritten in
 * place, and one that outgrows its entry gets half as much again, so a contact whose
 * records arrive one by one is reallocated a few times, not once per record; each
 * allocation is counted with this much of the allocator's own bookkeeping. */
#define ENTRY_BYTES_STEP 32
#define ENTRY_MALLOC_OVERHEAD 16
/* Entries let go of (evicted or outgrown) kept for the next entry of the same capacity,
 * in a list per capacity: under pressure each put of a new contact makes an entry and a
 * contact's entry is remade as its records arrive, and the capacities made and let go of
 * balance over time, so reuse skips the allocator both ways (a ring of 16 spares of any
 * capacity served 72% of them; the common capacities pushed the rarer out). Only small
 * ones, and a few of each, so the spares hold at most 8 x 16.5 KiB beside the budget
 * (they are the allocator's, as freed memory would be). */
#define TABLE_SPARE_BYTES_MAX 1024
#define TABLE_SPARE_CLASSES (TABLE_SPARE_BYTES_MAX / ENTRY_BYTES_STEP)
#define TABLE_SPARES_PER_CLASS 8
/* A new contact's entry takes the block of the entry CLOCK evicts for it when that is at
 * most this many times the capacity it needs: contacts grow into it as their records
 * arrive. Without a bound every block drifted up to the largest reused, and the bench's
 * thrashing table kept 221 contacts in the budget that holds 707. */
#define TABLE_REUSE_CAPACITY_RATIO 4

_Static_assert(STATE_CONTACT_VALUE_BYTES_MAX <= UINT16_MAX, "a kept length fits its header");
_Static_assert(STATE_CONTACT_REC_ENGAGEMENT + 0xff < REC_COMMITTED,
               "no record id has ABSENT or COMMITTED set");
_Static_assert(2 + SY_ID_BYTES_MAX <= UINT8_MAX, "a contact key's length fits its byte");

typedef struct contact_entry {
    struct contact_entry *next; /* bucket chain */
    uint64_t hash;
    uint32_t index;       /* in the table's entries vector */
    uint32_t capacity;    /* bytes at data */
    uint32_t records_len; /* bytes of records after the key */
    uint8_t key_len;
    uint8_t referenced; /* CLOCK: used since the hand last passed */
    uint16_t recs_mask; /* rec_bit of every record data holds (and of some it held) */
    uint8_t data[];     /* key, then records */
} contact_entry_t;

/* The mask fills what was the padding before data: an entry costs what it did. */
_Static_assert(sizeof(contact_entry_t) == 32, "an entry's header is 32 bytes");

struct state_contact_table {
    size_t budget, bytes; /* bytes: index, entries vector and every entry */
    size_t buckets_count; /* power of two */
    size_t buckets_max;   /* what the budget allows (TABLE_BUDGET_BYTES_PER_BUCKET) */
    contact_entry_t **buckets;
    contact_entry_t **entries;
    size_t count, entries_capacity, hand;
    contact_entry_t *last; /* the entry found last, or NULL */
    bool whole;            /* every committed record is here: what is not is absent */
    state_cache_stats_t stats;
    state_contact_table_record_fn *on_drop; /* NULL: records are let go of unhanded */
    void *on_drop_ctx;
    size_t journeys_count;
    size_t journey_last; /* the slot found last: a commit's instances come a journey at a
                          * time more often than not */
    uint8_t journey_lens[STATE_CONTACT_JOURNEYS_MAX];
    char journey_ids[STATE_CONTACT_JOURNEYS_MAX][SY_ID_BYTES_MAX];
    contact_entry_t *spares[TABLE_SPARE_CLASSES]; /* by capacity / ENTRY_BYTES_STEP - 1,
                                                   * chained through next */
    uint8_t spares_count[TABLE_SPARE_CLASSES];
};

/* The header at r, as one word: header_id and header_size read it. */
static uint32_t header_get(const uint8_t *r) {
    /* no assert: a leaf of every record walk */
    uint16_t h[2];
    memcpy(h, r, sizeof h);
    return (uint32_t)h[0] | (uint32_t)h[1] << 16;
}

/* The record id of header h, without REC_ABSENT and REC_COMMITTED. */
static uint16_t header_rec(uint32_t h) {
    /* no assert: pure */
    return (uint16_t)(h & (REC_COMMITTED - 1));
}

/* The bytes the record of header h takes, header and value. */
static size_t header_size(uint32_t h) {
    /* no assert: pure */
    return REC_HEADER_BYTES + (h >> 16);
}

/* Write the header of record rec: a value of len bytes, or none (value NULL). Inline: once
 * per record a commit puts. */
static inline void header_put(uint8_t *r, uint16_t rec, const uint8_t *value, size_t len,
                              bool committed) {
    assert(rec < REC_COMMITTED && len <= UINT16_MAX && (value || !len));
    rec |= committed ? REC_COMMITTED : 0;
    uint16_t h[2] = {(uint16_t)(value ? rec : rec | REC_ABSENT), (uint16_t)len};
    memcpy(r, h, sizeof h);
}

/* Record rec's bit in an entry's recs_mask: its own for the kinds but instances, and for
 * the instances of the first 12 journeys; a later journey's shares one. A clear bit says
 * the entry has no such record without a walk over its records (38% of bench_engine's
 * gets ask for a record the contact lacks). */
static uint16_t rec_bit(uint16_t rec) {
    /* no assert: pure */
    return (uint16_t)(1u << (rec < 0x100 ? rec % 12 : 11 + (rec >> 8)));
}

/* The bytes an entry of capacity bytes of data counts for in the budget. */
static size_t entry_bytes_of(size_t capacity) {
    /* no assert: pure */
    return sizeof(contact_entry_t) + capacity + ENTRY_MALLOC_OVERHEAD;
}

static size_t entry_bytes(const contact_entry_t *e) {
    assert(e->capacity >= e->key_len + e->records_len);
    return entry_bytes_of(e->capacity);
}

sy_err_t state_contact_table_open(state_contact_table_t **out, size_t budget_bytes) {
    assert(out);
    if (!budget_bytes) {
        *out = NULL;
        return SY_OK;
    }
    state_contact_table_t *t = calloc(1, sizeof *t);
    if (!t)
        return SY_ERR_NOMEM;
    t->buckets_max = TABLE_BUCKETS_MIN;
    while (t->buckets_max * TABLE_BUDGET_BYTES_PER_BUCKET < budget_bytes)
        t->buckets_max *= 2;
    t->buckets_count = TABLE_BUCKETS_MIN; /* grown with the entries (entries_room) */
    t->buckets = calloc(t->buckets_count, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return SY_ERR_NOMEM;
    }
    t->budget = budget_bytes;
    t->bytes = t->buckets_count * sizeof *t->buckets;
    *out = t;
    return SY_OK;
}

/* Free every entry, leaving the buckets pointing at them. */
static void entries_free(state_contact_table_t *t) {
    assert(t->count <= t->entries_capacity);
    for (size_t i = 0; i < t->count; i++) {
        t->bytes -= entry_bytes(t->entries[i]);
        free(t->entries[i]);
    }
}

void state_contact_table_clear(state_contact_table_t *t) {
    /* no assert: NULL is a no-op; entries_free asserts */
    if (!t)
        return;
    entries_free(t);
    if (t->count)
        memset(t->buckets, 0, t->buckets_count * sizeof *t->buckets);
    t->count = 0;
    t->hand = 0;
    t->last = NULL;
    t->whole = false;
}

void state_contact_table_whole_set(state_contact_table_t *t, bool whole) {
    /* no assert: NULL is a no-op */
    if (t)
        t->whole = whole;
}

bool state_contact_table_whole(const state_contact_table_t *t) {
    /* no assert: NULL is a table that keeps nothing, never whole */
    return t && t->whole;
}

size_t state_contact_table_budget(const state_contact_table_t *t) {
    /* no assert: NULL has no budget */
    return t ? t->budget : 0;
}

void state_contact_table_close(state_contact_table_t *t) {
    /* no assert: NULL is a no-op */
    if (!t)
        return;
    /* Not state_contact_table_clear: zeroing buckets about to be freed (up to 8 MiB at the
     * default budget) took 15% of a short simulate, when the index was made whole at open. */
    entries_free(t);
    for (size_t i = 0; i < TABLE_SPARE_CLASSES; i++) {
        while (t->spares[i]) {
            contact_entry_t *next = t->spares[i]->next;
            free(t->spares[i]);
            t->spares[i] = next;
        }
    }
    free(t->entries);
    free(t->buckets);
    free(t);
}

int state_contact_table_journey_slot(state_contact_table_t *t, const uint8_t *journey_id,
                                     size_t len) {
    if (!t || len > SY_ID_BYTES_MAX)
        return -1;
    assert(journey_id && t->journeys_count <= STATE_CONTACT_JOURNEYS_MAX);
    size_t last = t->journey_last;
    if (last < t->journeys_count && t->journey_lens[last] == len &&
        sy_hash_key_equal(t->journey_ids[last], journey_id, len))
        return (int)last;
    for (size_t i = 0; i < t->journeys_count; i++) {
        if (t->journey_lens[i] == len && sy_hash_key_equal(t->journey_ids[i], journey_id, len)) {
            t->journey_last = i;
            return (int)i;
        }
    }
    if (t->journeys_count == STATE_CONTACT_JOURNEYS_MAX)
        return -1;
    memcpy(t->journey_ids[t->journeys_count], journey_id, len);
    t->journey_lens[t->journeys_count] = (uint8_t)len;
    return (int)t->journeys_count++;
}

/* Let e go: kept as a spare of its capacity when small and its list has room, else
 * freed. */
static void entry_free(state_contact_table_t *t, contact_entry_t *e) {
    assert(e->capacity % ENTRY_BYTES_STEP == 0);
    size_t class = e->capacity / ENTRY_BYTES_STEP - 1;
    if (e->capacity > TABLE_SPARE_BYTES_MAX ||
        t->spares_count[class] == TABLE_SPARES_PER_CLASS) {
        free(e);
        return;
    }
    e->next = t->spares[class];
    t->spares[class] = e;
    t->spares_count[class]++;
}

/* An entry of capacity bytes of data: a spare of that capacity, else a new one. NULL on
 * out of memory. */
static contact_entry_t *entry_alloc(state_contact_table_t *t, size_t capacity) {
    assert(capacity > 0 && capacity % ENTRY_BYTES_STEP == 0 && capacity <= UINT32_MAX);
    size_t class = capacity / ENTRY_BYTES_STEP - 1;
    if (capacity > TABLE_SPARE_BYTES_MAX || !t->spares[class])
        return malloc(sizeof(contact_entry_t) + capacity);
    contact_entry_t *e = t->spares[class];
    t->spares[class] = e->next;
    t->spares_count[class]--;
    return e;
}

static uint64_t key_hash(const uint8_t *ckey, size_t len) {
    /* no assert: a leaf of every lookup; callers assert the key */
    return sy_hash_table64(0, ckey, len);
}

static bool entry_is(const contact_entry_t *e, const uint8_t *ckey, size_t len) {
    /* no assert: a leaf of every lookup; callers assert the key */
    return e->key_len == len && sy_hash_key_equal(e->data, ckey, len);
}

/* The contact's entry, or NULL with *hash set to its key's hash (for the put that makes
 * it): the memo first (an event's reads and a commit's writes come a contact at a time),
 * then its chain. Always inline: the lookup of every get and put, which the call's saves
 * and restores cost as much as a memo hit. */
__attribute__((always_inline))
static inline contact_entry_t *entry_find(state_contact_table_t *t, const uint8_t *ckey,
                                   size_t len, uint64_t *hash_out) {
    assert(len >= 2 && len <= 2 + SY_ID_BYTES_MAX);
    if (t->last && entry_is(t->last, ckey, len))
        return t->last;
    uint64_t hash = key_hash(ckey, len);
    *hash_out = hash;
    contact_entry_t *e = t->buckets[hash & (t->buckets_count - 1)];
    while (e && !(e->hash == hash && entry_is(e, ckey, len)))
        e = e->next;
    if (e)
        t->last = e;
    return e;
}

/* Where e's chain points at it. */
static contact_entry_t **entry_link(state_contact_table_t *t, const contact_entry_t *e) {
    contact_entry_t **at = &t->buckets[e->hash & (t->buckets_count - 1)];
    while (*at != e) {
        assert(*at);
        at = &(*at)->next;
    }
    return at;
}

/* The record rec of e: its offset in data, or 0 when e has none. Always inline: the walk
 * of every get, which its three callers would otherwise share as a call. */
__attribute__((always_inline))
static inline size_t record_find(const contact_entry_t *e, uint16_t rec) {
    size_t at = e->key_len, end = e->key_len + e->records_len;
    assert(end <= e->capacity);
    if (!(e->recs_mask & rec_bit(rec)))
        return 0;
    while (at < end) {
        uint32_t h = header_get(e->data + at);
        if (header_rec(h) == rec)
            return at;
        at += header_size(h);
    }
    return 0;
}

state_cache_lookup_t state_contact_table_get(state_contact_table_t *t, const uint8_t *ckey,
                                             size_t ckey_len, uint16_t rec,
                                             const uint8_t **value, size_t *value_len) {
    if (!t)
        return STATE_CACHE_MISS;
    assert(ckey && value && value_len);
    uint64_t hash;
    contact_entry_t *e = entry_find(t, ckey, ckey_len, &hash);
    size_t at = e ? record_find(e, rec) : 0;
    if (!at && t->whole) {
        t->stats.absent_hits++;
        return STATE_CACHE_ABSENT;
    }
    if (!at) {
        t->stats.misses++;
        return STATE_CACHE_MISS;
    }
    e->referenced = 1;
    uint32_t h = header_get(e->data + at);
    if (h & REC_ABSENT) {
        t->stats.absent_hits++;
        return STATE_CACHE_ABSENT;
    }
    t->stats.hits++;
    *value = e->data + at + REC_HEADER_BYTES;
    *value_len = header_size(h) - REC_HEADER_BYTES;
    return STATE_CACHE_HIT;
}

/* Hand each record of e that a commit put to fn. */
static void entry_each_committed(const contact_entry_t *e, state_contact_table_record_fn *fn,
                                 void *ctx) {
    size_t at = e->key_len, end = e->key_len + e->records_len;
    assert(fn && end <= e->capacity);
    while (at < end) {
        uint32_t h = header_get(e->data + at);
        const uint8_t *value = h & REC_ABSENT ? NULL : e->data + at + REC_HEADER_BYTES;
        if (h & REC_COMMITTED)
            fn(ctx, e->data, e->key_len, header_rec(h), value,
               header_size(h) - REC_HEADER_BYTES);
        at += header_size(h);
    }
}

/* Let go of e's contact: the records a commit put handed to the drop hook, e unlinked
 * from its chain and its bytes out of the count, but e left in the entries vector for the
 * caller to remove or to reuse in place. */
static void entry_release(state_contact_table_t *t, contact_entry_t *e) {
    assert(e->index < t->count && t->entries[e->index] == e);
    if (t->on_drop)
        entry_each_committed(e, t->on_drop, t->on_drop_ctx);
    *entry_link(t, e) = e->next;
    if (t->last == e)
        t->last = NULL;
    t->bytes -= entry_bytes(e);
    t->whole = false; /* its records are RocksDB's only now */
}

/* Unlink e from its chain and the entries vector, and free it (the records a commit put
 * handed to the drop hook first). */
static void entry_remove(state_contact_table_t *t, contact_entry_t *e) {
    /* no assert: entry_release asserts */
    entry_release(t, e);
    t->entries[e->index] = t->entries[--t->count];
    t->entries[e->index]->index = e->index;
    entry_free(t, e);
}

/* CLOCK: the next entry not used since the hand last passed, the hand left on it. */
static contact_entry_t *clock_victim(state_contact_table_t *t) {
    assert(t->count > 0);
    for (;;) {
        if (t->hand >= t->count)
            t->hand = 0;
        contact_entry_t *e = t->entries[t->hand];
        if (!e->referenced)
            return e;
        e->referenced = 0;
        t->hand++;
    }
}

static void evict_one(state_contact_table_t *t) {
    /* no assert: clock_victim asserts */
    entry_remove(t, clock_victim(t));
    t->stats.evictions++;
}

/* Evict while over the budget, put (the entry a put just grew) last: CLOCK alone takes it
 * when the hand starts on it and every other entry was used since the hand last passed,
 * and the put would say it kept nothing though the rest could make room. */
static void evict_to_budget(state_contact_table_t *t, const contact_entry_t *put) {
    assert(t->count <= t->entries_capacity);
    while (t->bytes > t->budget && t->count > 0) {
        contact_entry_t *victim = clock_victim(t);
        if (victim == put && t->count > 1) {
            t->hand++; /* the next one, and put is now unused for a later pass */
            continue;
        }
        entry_remove(t, victim);
        t->stats.evictions++;
    }
}

/* Buckets for count entries: one each, a power of two, from what the table has up to what
 * its budget allows. */
static size_t buckets_for(const state_contact_table_t *t, size_t count) {
    size_t n = t->buckets_count;
    assert(n >= 1 && n <= t->buckets_max);
    while (n < count && n < t->buckets_max)
        n *= 2;
    return n;
}

/* Relink every entry into n buckets (n > buckets_count); on out of memory the table keeps
 * its buckets (longer chains, the same answers). The bytes the buckets grew by. */
static size_t buckets_grow(state_contact_table_t *t, size_t n) {
    assert(n > t->buckets_count && (n & (n - 1)) == 0);
    contact_entry_t **grown = calloc(n, sizeof *grown);
    if (!grown)
        return 0;
    for (size_t i = 0; i < t->count; i++) {
        contact_entry_t *e = t->entries[i];
        e->next = grown[e->hash & (n - 1)];
        grown[e->hash & (n - 1)] = e;
    }
    free(t->buckets);
    size_t more = (n - t->buckets_count) * sizeof *grown;
    t->buckets = grown;
    t->buckets_count = n;
    return more;
}

/* Room in the entries vector for one more entry, and a bucket for each entry it can hold:
 * grown, or made by evicting when growing would go over the budget. A table starts with
 * few buckets: one sized for its whole budget (8 MiB at the default) is mostly empty for
 * a run's tens of thousands of contacts, and a lookup's random bucket in it missed the
 * caches (a 50,000-contact replay took 13% more CPU). 0 on out of memory. */
static int entries_room(state_contact_table_t *t) {
    assert(t->count <= t->entries_capacity);
    while (t->count == t->entries_capacity) {
        size_t cap = t->entries_capacity ? 2 * t->entries_capacity : 16;
        size_t buckets = buckets_for(t, cap);
        size_t more = (cap - t->entries_capacity) * sizeof *t->entries +
                      (buckets - t->buckets_count) * sizeof *t->buckets;
        if (t->bytes + more > t->budget && t->count > 0) {
            evict_one(t);
            continue;
        }
        contact_entry_t **grown = realloc(t->entries, cap * sizeof *grown);
        if (!grown)
            return 0;
        t->bytes += (cap - t->entries_capacity) * sizeof *grown;
        t->entries = grown;
        t->entries_capacity = cap;
        if (buckets > t->buckets_count)
            t->bytes += buckets_grow(t, buckets);
    }
    return 1;
}

/* Write record rec (committed: a commit's) at r: its header, then value_len bytes of
 * value. */
static inline void record_write(uint8_t *r, uint16_t rec, const uint8_t *value,
                                size_t value_len, bool committed) {
    /* no assert: header_put asserts */
    header_put(r, rec, value, value_len, committed);
    if (value_len)
        memcpy(r + REC_HEADER_BYTES, value, value_len);
}

/* The capacity of an entry for size bytes of key and records: in steps, and half as much
 * again as old_capacity when it grows out of an entry of that (0: a new entry). */
static size_t entry_capacity_for(size_t size, size_t old_capacity) {
    size_t needed = size;
    if (old_capacity && needed < old_capacity + old_capacity / 2) /* it grows: leave room */
        needed = old_capacity + old_capacity / 2;
    if (needed > ENTRY_BYTES_MAX)
        needed = size > ENTRY_BYTES_MAX ? size : ENTRY_BYTES_MAX;
    assert(needed <= UINT32_MAX - ENTRY_BYTES_STEP);
    return (needed + ENTRY_BYTES_STEP - 1) / ENTRY_BYTES_STEP * ENTRY_BYTES_STEP;
}

/* A block for a new entry of capacity bytes of data, with the budget's room for it: the
 * block of the entry CLOCK evicts when that is big enough and small (a thrashing table
 * evicts one entry per contact it makes: taking its block and its place in the entries
 * vector skips the allocator both ways, and a block grown to a whole contact's records
 * spares the new contact's entry the remakes of growing to them), else a new one after
 * evicting while over the budget. Sets *index to the block's place in the entries vector
 * (t->count: none yet) and *capacity to its capacity. NULL on out of memory, or when the
 * entry alone would be over the budget. */
static contact_entry_t *entry_block_take(state_contact_table_t *t, size_t *capacity,
                                         size_t *index) {
    assert(*capacity > 0);
    while (t->bytes + entry_bytes_of(*capacity) > t->budget) {
        if (!t->count)
            return NULL;
        contact_entry_t *victim = clock_victim(t);
        t->stats.evictions++;
        if (victim->capacity >= *capacity &&
            victim->capacity <= TABLE_REUSE_CAPACITY_RATIO * *capacity &&
            t->bytes <= t->budget) {
            entry_release(t, victim); /* the budget keeps room for its bytes */
            *capacity = victim->capacity;
            *index = victim->index;
            return victim;
        }
        entry_remove(t, victim);
    }
    *index = t->count;
    return entry_alloc(t, *capacity);
}

/* A new entry for the contact ckey (hash: its key's) holding record rec alone (committed:
 * a commit's), linked in its chain and the entries vector, made within the budget. NULL
 * when it cannot be made (out of memory, over the budget alone). */
static contact_entry_t *entry_make(state_contact_table_t *t, uint64_t hash,
                                   const uint8_t *ckey, size_t ckey_len, uint16_t rec,
                                   const uint8_t *value, size_t value_len, bool committed) {
    size_t size = ckey_len + REC_HEADER_BYTES + value_len, index;
    size_t capacity = entry_capacity_for(size, 0);
    assert(ckey_len <= UINT8_MAX && size <= ENTRY_BYTES_MAX);
    if (!entries_room(t))
        return NULL;
    contact_entry_t *e = entry_block_take(t, &capacity, &index);
    if (!e)
        return NULL;
    contact_entry_t **head = &t->buckets[hash & (t->buckets_count - 1)];
    *e = (contact_entry_t){.next = *head, .hash = hash, .index = (uint32_t)index,
                           .capacity = (uint32_t)capacity,
                           .records_len = (uint32_t)(size - ckey_len),
                           .key_len = (uint8_t)ckey_len, .referenced = 1,
                           .recs_mask = rec_bit(rec)};
    memcpy(e->data, ckey, ckey_len);
    record_write(e->data + ckey_len, rec, value, value_len, committed);
    *head = e;
    if (index == t->count)
        t->count++;
    t->entries[index] = e;
    t->bytes += entry_bytes(e);
    t->last = e;
    return e;
}

/* e remade larger with record rec (committed: a commit's; at: its offset in e, 0 when e
 * has none) set to value and after e's other records, in e's place in its chain and the
 * entries vector; e freed. NULL on out of memory (e is then left as it was). */
static contact_entry_t *entry_grow(state_contact_table_t *t, contact_entry_t *e, size_t at,
                                   uint16_t rec, const uint8_t *value, size_t value_len,
                                   bool committed) {
    size_t end = e->key_len + e->records_len;
    size_t cut = at ? at : end, cut_size = at ? header_size(header_get(e->data + at)) : 0;
    size_t size = end - cut_size + REC_HEADER_BYTES + value_len;
    size_t capacity = entry_capacity_for(size, e->capacity);
    assert(cut + cut_size <= end && size <= ENTRY_BYTES_MAX);
    contact_entry_t *g = entry_alloc(t, capacity);
    if (!g)
        return NULL;
    *g = (contact_entry_t){.next = e->next, .hash = e->hash, .index = e->index,
                           .capacity = (uint32_t)capacity,
                           .records_len = (uint32_t)(size - e->key_len),
                           .key_len = e->key_len, .referenced = 1,
                           .recs_mask = (uint16_t)(e->recs_mask | rec_bit(rec))};
    memcpy(g->data, e->data, cut); /* key, then the records before rec's */
    memcpy(g->data + cut, e->data + cut + cut_size, end - cut - cut_size);
    record_write(g->data + end - cut_size, rec, value, value_len, committed);
    *entry_link(t, e) = g;
    t->entries[g->index] = g;
    t->bytes -= entry_bytes(e);
    t->bytes += entry_bytes(g);
    entry_free(t, e);
    t->last = g;
    return g;
}

/* Write record rec of e (committed: a commit's) within e's own bytes, when the result
 * fits e's capacity: over its old value (the records after it move by the change in size)
 * or, new, after the last record. 1 when done, 0 for the caller to remake the entry, with
 * *found the record's offset in e (0: e has none). */
static int record_put_in_place(contact_entry_t *e, uint16_t rec, const uint8_t *value,
                               size_t value_len, bool committed, size_t *found) {
    assert(value || !value_len);
    size_t end = e->key_len + e->records_len, at = record_find(e, rec), old_size = 0;
    *found = at;
    if (at)
        old_size = header_size(header_get(e->data + at));
    else
        at = end;
    size_t new_size = REC_HEADER_BYTES + value_len;
    size_t new_end = end - old_size + new_size;
    if (value_len > STATE_CONTACT_VALUE_BYTES_MAX || new_end > ENTRY_BYTES_MAX ||
        new_end > e->capacity)
        return 0;
    if (new_size != old_size)
        memmove(e->data + at + new_size, e->data + at + old_size, end - at - old_size);
    record_write(e->data + at, rec, value, value_len, committed);
    e->records_len = (uint32_t)(new_end - e->key_len);
    e->recs_mask |= rec_bit(rec);
    return 1;
}

/* Drop the record at offset at of e (0: none), the records after it moved up. */
static void record_cut(contact_entry_t *e, size_t at) {
    if (!at)
        return;
    size_t end = e->key_len + e->records_len, size = header_size(header_get(e->data + at));
    assert(at + size <= end);
    memmove(e->data + at, e->data + at + size, end - at - size);
    e->records_len -= (uint32_t)size;
}

const uint8_t *state_contact_table_put_kept(const state_contact_table_t *t,
                                            const uint8_t *ckey, size_t ckey_len,
                                            uint16_t rec) {
    if (!t)
        return NULL;
    const contact_entry_t *e = t->last; /* the put's entry, unless it is gone */
    assert(ckey && ckey_len >= 2);
    size_t at = e && entry_is(e, ckey, ckey_len) ? record_find(e, rec) : 0;
    if (!at || header_get(e->data + at) & REC_ABSENT)
        return NULL;
    return e->data + at + REC_HEADER_BYTES;
}

/* state_contact_table_put, or _put_committed when committed. Never inline: one copy for
 * both, into which record_put_in_place inlines (two copies of it made that a call, +8 M
 * instructions in bench_engine's loop). */
__attribute__((noinline))
static bool table_put(state_contact_table_t *t, const uint8_t *ckey, size_t ckey_len,
                      uint16_t rec, const uint8_t *value, size_t value_len, bool committed) {
    if (!t)
        return false;
    assert(ckey && ckey_len >= 2 && (value || !value_len));
    uint64_t hash = 0;
    size_t at = 0;
    contact_entry_t *e = entry_find(t, ckey, ckey_len, &hash);
    if (e && record_put_in_place(e, rec, value, value_len, committed, &at)) {
        e->referenced = 1;
        return true; /* the entry's bytes, so the budget, are as they were */
    }
    size_t others = e ? e->records_len - (at ? header_size(header_get(e->data + at)) : 0) : 0;
    size_t key_len = e ? e->key_len : 2 + SY_ID_BYTES_MAX;
    if (value_len > STATE_CONTACT_VALUE_BYTES_MAX ||
        key_len + others + REC_HEADER_BYTES + value_len > ENTRY_BYTES_MAX) {
        if (e) { /* the old value must not stay */
            record_cut(e, at);
            e->referenced = 1;
        }
        t->whole = false; /* the record is RocksDB's only */
        t->last = e;      /* put_kept answers for this contact: none */
        return false;
    }
    contact_entry_t *put = e ? entry_grow(t, e, at, rec, value, value_len, committed)
                             : entry_make(t, hash, ckey, ckey_len, rec, value, value_len,
                                          committed);
    if (!put) {
        if (e) /* no memory for the new value: the old one must not stay */
            entry_remove(t, e);
        t->whole = false;
        return false;
    }
    evict_to_budget(t, put);
    return t->last == put; /* evicting to the budget can take the entry itself */
}

bool state_contact_table_put(state_contact_table_t *t, const uint8_t *ckey, size_t ckey_len,
                             uint16_t rec, const uint8_t *value, size_t value_len) {
    /* no assert: table_put asserts */
    return table_put(t, ckey, ckey_len, rec, value, value_len, false);
}

bool state_contact_table_put_committed(state_contact_table_t *t, const uint8_t *ckey,
                                       size_t ckey_len, uint16_t rec, const uint8_t *value,
                                       size_t value_len) {
    /* no assert: table_put asserts */
    return table_put(t, ckey, ckey_len, rec, value, value_len, true);
}

void state_contact_table_on_drop(state_contact_table_t *t, state_contact_table_record_fn *fn,
                                 void *ctx) {
    /* no assert: NULL is a no-op */
    if (!t)
        return;
    t->on_drop = fn;
    t->on_drop_ctx = ctx;
}

void state_contact_table_each_committed(const state_contact_table_t *t,
                                        state_contact_table_record_fn *fn, void *ctx) {
    /* no assert: NULL holds nothing; entry_each_committed asserts */
    for (size_t i = 0; t && i < t->count; i++)
        entry_each_committed(t->entries[i], fn, ctx);
}

const char *state_contact_table_journey_id(const state_contact_table_t *t, int slot,
                                           size_t *len) {
    assert(len);
    if (!t || slot < 0 || (size_t)slot >= t->journeys_count)
        return NULL;
    *len = t->journey_lens[slot];
    return t->journey_ids[slot];
}

void state_contact_table_stats_get(const state_contact_table_t *t, state_cache_stats_t *out) {
    assert(out);
    memset(out, 0, sizeof *out);
    if (!t)
        return;
    *out = t->stats;
    out->entries = t->count;
    out->bytes = t->bytes;
}
