/* state_contact_table.c — the memory behind state_contact_table.h: one malloc'ed entry per
 * contact (its key, then its records back to back), found through a chained hash index,
 * evicted by a CLOCK hand over the vector of entries (small freed ones kept for reuse),
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
/* Entries freed (evicted or outgrown) kept for the next entry of the same capacity: under
 * pressure each put of a new contact frees one and allocates one of a few sizes, and
 * reuse skips the allocator both ways. Only small ones, so the spares hold at most
 * 16 KiB beside the budget (they are the allocator's, as freed memory would be). */
#define TABLE_SPARES_MAX 16
#define TABLE_SPARE_BYTES_MAX 1024

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
    uint8_t data[];     /* key, then records */
} contact_entry_t;

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
    uint8_t scratch[ENTRY_BYTES_MAX]; /* a put's new records */
    size_t spares_next;               /* the spare slot the next freed entry takes */
    uint32_t spare_capacity[TABLE_SPARES_MAX]; /* 0: the slot is empty */
    contact_entry_t *spares[TABLE_SPARES_MAX];
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

static size_t entry_bytes(const contact_entry_t *e) {
    assert(e->capacity >= e->key_len + e->records_len);
    return sizeof *e + e->capacity + ENTRY_MALLOC_OVERHEAD;
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
    for (size_t i = 0; i < TABLE_SPARES_MAX; i++)
        free(t->spares[i]);
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

/* Let e go: kept as a spare when small (in place of the oldest), else freed. */
static void entry_free(state_contact_table_t *t, contact_entry_t *e) {
    assert(t->spares_next < TABLE_SPARES_MAX);
    if (e->capacity > TABLE_SPARE_BYTES_MAX) {
        free(e);
        return;
    }
    free(t->spares[t->spares_next]);
    t->spares[t->spares_next] = e;
    t->spare_capacity[t->spares_next] = e->capacity;
    t->spares_next = (t->spares_next + 1) % TABLE_SPARES_MAX;
}

/* An entry of capacity bytes of data: a spare of that capacity, else a new one. NULL on
 * out of memory. */
static contact_entry_t *entry_alloc(state_contact_table_t *t, size_t capacity) {
    assert(capacity > 0 && capacity <= UINT32_MAX);
    for (size_t i = 0; i < TABLE_SPARES_MAX; i++) {
        if (t->spare_capacity[i] == capacity) {
            contact_entry_t *e = t->spares[i];
            t->spares[i] = NULL;
            t->spare_capacity[i] = 0;
            return e;
        }
    }
    return malloc(sizeof(contact_entry_t) + capacity);
}

static uint64_t key_hash(const uint8_t *ckey, size_t len) {
    /* no assert: a leaf of every lookup; callers assert the key */
    return sy_hash_table64(0, ckey, len);
}

static bool entry_is(const contact_entry_t *e, const uint8_t *ckey, size_t len) {
    /* no assert: a leaf of every lookup; callers assert the key */
    return e->key_len == len && sy_hash_key_equal(e->data, ckey, len);
}

/* The contact's entry, or NULL: the memo first (an event's reads and a commit's writes
 * come a contact at a time), then its chain. */
static contact_entry_t *entry_find(state_contact_table_t *t, const uint8_t *ckey,
                                   size_t len) {
    assert(len >= 2 && len <= 2 + SY_ID_BYTES_MAX);
    if (t->last && entry_is(t->last, ckey, len))
        return t->last;
    uint64_t hash = key_hash(ckey, len);
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
    contact_entry_t *e = entry_find(t, ckey, ckey_len);
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

/* Unlink e from its chain and the entries vector, and free it (the records a commit put
 * handed to the drop hook first). */
static void entry_remove(state_contact_table_t *t, contact_entry_t *e) {
    if (t->on_drop)
        entry_each_committed(e, t->on_drop, t->on_drop_ctx);
    *entry_link(t, e) = e->next;
    assert(e->index < t->count && t->entries[e->index] == e);
    t->entries[e->index] = t->entries[--t->count];
    t->entries[e->index]->index = e->index;
    if (t->last == e)
        t->last = NULL;
    t->bytes -= entry_bytes(e);
    entry_free(t, e);
    t->whole = false; /* its records are RocksDB's only now */
}

/* CLOCK: evict the next entry not used since the hand last passed. */
static void evict_one(state_contact_table_t *t) {
    assert(t->count > 0);
    for (;;) {
        if (t->hand >= t->count)
            t->hand = 0;
        contact_entry_t *e = t->entries[t->hand];
        if (!e->referenced)
            break;
        e->referenced = 0;
        t->hand++;
    }
    entry_remove(t, t->entries[t->hand]);
    t->stats.evictions++;
}

static void evict_to_budget(state_contact_table_t *t) {
    assert(t->count <= t->entries_capacity);
    while (t->bytes > t->budget && t->count > 0)
        evict_one(t);
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

/* Write e's records without rec into the scratch, then rec's (committed: a commit's)
 * when *keep and value_len fits; the scratch's length, and *keep false when rec was left
 * out. */
static size_t records_build(state_contact_table_t *t, const contact_entry_t *e, uint16_t rec,
                            const uint8_t *value, size_t value_len, bool committed,
                            bool *keep) {
    size_t n = 0;
    assert(!e || e->key_len + e->records_len <= ENTRY_BYTES_MAX);
    if (e) {
        size_t at = e->key_len, end = e->key_len + e->records_len;
        while (at < end) {
            const uint8_t *r = e->data + at;
            uint32_t h = header_get(r);
            size_t size = header_size(h);
            if (header_rec(h) != rec) {
                memcpy(t->scratch + n, r, size);
                n += size;
            }
            at += size;
        }
    }
    size_t key_len = e ? e->key_len : 2 + SY_ID_BYTES_MAX;
    if (!*keep || key_len + n + REC_HEADER_BYTES + value_len > ENTRY_BYTES_MAX) {
        t->whole = false; /* the record is RocksDB's only */
        *keep = false;
        return n;
    }
    uint8_t *r = t->scratch + n;
    header_put(r, rec, value, value_len, committed);
    if (value_len)
        memcpy(r + REC_HEADER_BYTES, value, value_len);
    return n + REC_HEADER_BYTES + value_len;
}

/* A new entry holding ckey and the scratch's n bytes of records, in place of old in its
 * chain, or added (old NULL). NULL on out of memory (old is then left as it was). */
static contact_entry_t *entry_replace(state_contact_table_t *t, contact_entry_t *old,
                                      const uint8_t *ckey, size_t ckey_len, size_t n) {
    size_t needed = ckey_len + n;
    if (old && needed < old->capacity + old->capacity / 2) /* it grows: leave room */
        needed = old->capacity + old->capacity / 2;
    if (needed > ENTRY_BYTES_MAX)
        needed = ckey_len + n > ENTRY_BYTES_MAX ? ckey_len + n : ENTRY_BYTES_MAX;
    size_t capacity = (needed + ENTRY_BYTES_STEP - 1) / ENTRY_BYTES_STEP * ENTRY_BYTES_STEP;
    assert(capacity <= UINT32_MAX && ckey_len <= UINT8_MAX);
    uint64_t hash = old ? old->hash : key_hash(ckey, ckey_len);
    contact_entry_t **link;
    if (old) {
        link = entry_link(t, old);
    } else { /* making room may evict from the chain: find its head after */
        if (!entries_room(t))
            return NULL;
        link = &t->buckets[hash & (t->buckets_count - 1)];
    }
    contact_entry_t *e = entry_alloc(t, capacity);
    if (!e)
        return NULL;
    *e = (contact_entry_t){.next = old ? old->next : *link, .hash = hash,
                           .index = old ? old->index : (uint32_t)t->count,
                           .capacity = (uint32_t)capacity, .records_len = (uint32_t)n,
                           .key_len = (uint8_t)ckey_len, .referenced = 1};
    memcpy(e->data, ckey, ckey_len);
    memcpy(e->data + ckey_len, t->scratch, n);
    *link = e;
    if (old) {
        t->bytes -= entry_bytes(old);
        entry_free(t, old);
    } else {
        t->count++;
    }
    t->entries[e->index] = e;
    t->bytes += entry_bytes(e);
    t->last = e;
    return e;
}

/* Write record rec of e (committed: a commit's) within e's own bytes, when the result
 * fits e's capacity: over its old value (the records after it move by the change in size)
 * or, new, after the last record. 1 when done, 0 for the caller to rebuild the entry. */
static int record_put_in_place(contact_entry_t *e, uint16_t rec, const uint8_t *value,
                               size_t value_len, bool committed) {
    assert(value || !value_len);
    size_t end = e->key_len + e->records_len, at = record_find(e, rec), old_size = 0;
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
    header_put(e->data + at, rec, value, value_len, committed);
    if (value_len)
        memcpy(e->data + at + REC_HEADER_BYTES, value, value_len);
    e->records_len = (uint32_t)(new_end - e->key_len);
    return 1;
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
    contact_entry_t *e = entry_find(t, ckey, ckey_len);
    if (e && record_put_in_place(e, rec, value, value_len, committed)) {
        e->referenced = 1;
        return true; /* the entry's bytes, so the budget, are as they were */
    }
    bool kept = value_len <= STATE_CONTACT_VALUE_BYTES_MAX;
    size_t n = records_build(t, e, rec, value, value_len, committed, &kept);
    contact_entry_t *put = e;
    if (e && ckey_len + n <= e->capacity) {
        memcpy(e->data + ckey_len, t->scratch, n);
        e->records_len = (uint32_t)n;
        e->referenced = 1;
    } else if (!(put = entry_replace(t, e, ckey, ckey_len, n))) {
        if (e) /* no memory for the new value: the old one must not stay */
            entry_remove(t, e);
        t->whole = false;
        return false;
    }
    evict_to_budget(t);
    return kept && t->last == put; /* evicting to the budget can take the entry itself */
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
