/* state_leases.c — call-tracking leases and calls in the "leases" column family, read
 * through the pending batch, written and changelogged with it (changelog code 7), so a
 * restart, a restore or a rebalance knows which number is whose. Two record kinds share
 * the family, told apart by the key's third byte: 'L' a lease (pool, number), 'C' a call
 * (call id). Old records are swept in bounded steps (state_store_leases_sweep). Which
 * number to lease and what a call is worth is the engine's, not here. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_codec.h"
#include "state_store_int.h"

/* Pending-map keys of leases start with this byte: like counts' 0xfc, it never reads as a
 * partition and never meets another record's key. */
#define LEASE_PENDING_TAG 0xfb
_Static_assert((LEASE_PENDING_TAG << 8) >= STATE_PARTITIONS_MAX,
               "a lease's pending key never reads as a partition");
#define LEASE_KIND_LEASE 'L'
#define LEASE_KIND_CALL 'C'
/* A call's value is the largest: its header, six short strings and the transcript. */
#define LEASE_VALUE_BYTES_MAX (64 + 8 * 256 + STATE_CALL_TRANSCRIPT_BYTES)
_Static_assert(SY_ID_BYTES_MAX < 256, "an id's length fits one byte");

/* ---- a bounded byte writer and reader ---- */

typedef struct bytes {
    uint8_t *p;
    const uint8_t *r;
    size_t len, cap;
    bool bad;
} bytes_t;

static void put_u64(bytes_t *b, uint64_t v) {
    assert(b->p);
    if (b->len + 8 > b->cap) {
        b->bad = true;
        return;
    }
    state_codec_u64_put(b->p + b->len, v);
    b->len += 8;
}

/* A string with a 1-byte length (2 bytes when wide). */
static void put_str(bytes_t *b, const char *s, bool wide) {
    size_t n = strlen(s), head = wide ? 2 : 1;
    assert(b->p);
    if (n > (wide ? 0xffffu : 0xffu) || b->len + head + n > b->cap) {
        b->bad = true;
        return;
    }
    if (wide)
        b->p[b->len++] = (uint8_t)(n >> 8);
    b->p[b->len++] = (uint8_t)n;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static uint64_t get_u64(bytes_t *b) {
    assert(b->r);
    if (b->len + 8 > b->cap) {
        b->bad = true;
        return 0;
    }
    uint64_t v = state_codec_u64_get(b->r + b->len);
    b->len += 8;
    return v;
}

/* A string into out (out_size bytes, terminated): bad when it does not fit. */
static void get_str(bytes_t *b, char *out, size_t out_size, bool wide) {
    size_t head = wide ? 2 : 1;
    assert(b->r && out_size > 0);
    out[0] = '\0';
    if (b->len + head > b->cap) {
        b->bad = true;
        return;
    }
    size_t n = wide ? ((size_t)b->r[b->len] << 8 | b->r[b->len + 1]) : b->r[b->len];
    b->len += head;
    if (n >= out_size || b->len + n > b->cap || memchr(b->r + b->len, 0, n)) {
        b->bad = true;
        return;
    }
    memcpy(out, b->r + b->len, n);
    out[n] = '\0';
    b->len += n;
}

/* ---- records ---- */

static void lease_write(bytes_t *b, const state_lease_t *l) {
    assert(l);
    put_u64(b, (uint64_t)l->leased_at_ms);
    put_u64(b, (uint64_t)l->expires_at_ms);
    put_u64(b, (uint64_t)(uint32_t)l->journey_version);
    put_str(b, l->contact_id, false);
    put_str(b, l->journey_id, false);
    put_str(b, l->node_id, false);
    put_str(b, l->action_id, false);
}

static void lease_read(bytes_t *b, state_lease_t *l) {
    assert(l);
    l->leased_at_ms = (int64_t)get_u64(b);
    l->expires_at_ms = (int64_t)get_u64(b);
    l->journey_version = (int32_t)(uint32_t)get_u64(b);
    get_str(b, l->contact_id, sizeof l->contact_id, false);
    get_str(b, l->journey_id, sizeof l->journey_id, false);
    get_str(b, l->node_id, sizeof l->node_id, false);
    get_str(b, l->action_id, sizeof l->action_id, false);
}

static void call_write(bytes_t *b, const state_call_t *c) {
    assert(c);
    put_u64(b, (uint64_t)c->started_at_ms);
    put_u64(b, (uint64_t)(uint32_t)c->duration_s);
    put_u64(b, c->converted_mask | (uint64_t)c->attributed << 32 |
                   (uint64_t)c->has_transcript << 33);
    put_str(b, c->pool, false);
    put_str(b, c->number, false);
    put_str(b, c->caller, false);
    put_str(b, c->outcome, false);
    lease_write(b, &c->lease);
    put_str(b, c->transcript, true);
}

static void call_read(bytes_t *b, state_call_t *c) {
    assert(c);
    c->started_at_ms = (int64_t)get_u64(b);
    c->duration_s = (int32_t)(uint32_t)get_u64(b);
    uint64_t flags = get_u64(b);
    c->converted_mask = (uint32_t)flags;
    c->attributed = (flags >> 32) & 1;
    c->has_transcript = (flags >> 33) & 1;
    get_str(b, c->pool, sizeof c->pool, false);
    get_str(b, c->number, sizeof c->number, false);
    get_str(b, c->caller, sizeof c->caller, false);
    get_str(b, c->outcome, sizeof c->outcome, false);
    lease_read(b, &c->lease);
    get_str(b, c->transcript, sizeof c->transcript, true);
}

/* Decode a value of kind into out (a state_lease_t or a state_call_t): 1 when well formed. */
static int value_decode(uint8_t kind, const uint8_t *value, size_t len, void *out) {
    bytes_t b = {.r = value, .len = 1, .cap = len};
    assert(out);
    if (len < 1 || value[0] != STATE_CODEC_VERSION)
        return 0;
    if (kind == LEASE_KIND_LEASE)
        lease_read(&b, out);
    else
        call_read(&b, out);
    return !b.bad && b.len == len;
}

/* The key: partition, kind, then for a lease the pool (1-byte length) and number, for a
 * call its id. 0 when a name is empty or over its bytes. */
static size_t record_key(uint8_t *buf, int32_t partition, uint8_t kind, const char *a,
                         const char *number) {
    size_t n = state_codec_meta_key(buf, partition), alen = strlen(a);
    assert(n == 2 && (kind == LEASE_KIND_CALL || number));
    buf[n++] = kind;
    if (kind == LEASE_KIND_CALL) {
        if (alen == 0 || alen > SY_ID_BYTES_MAX)
            return 0;
        memcpy(buf + n, a, alen);
        return n + alen;
    }
    size_t nlen = strlen(number);
    if (alen == 0 || alen >= STATE_LEASE_POOL_BYTES || nlen == 0 ||
        nlen >= STATE_LEASE_NUMBER_BYTES)
        return 0;
    buf[n++] = (uint8_t)alen;
    memcpy(buf + n, a, alen);
    memcpy(buf + n + alen, number, nlen);
    return n + alen + nlen;
}

int state_lease_record_check(const uint8_t *key, size_t key_len, const uint8_t *value,
                             size_t value_len) {
    state_call_t call; /* about 5 KiB: on the stack, no state shared between stores */
    assert(key);
    if (key_len < 4 || (key[2] != LEASE_KIND_LEASE && key[2] != LEASE_KIND_CALL))
        return 0;
    if (key[2] == LEASE_KIND_LEASE && (key[3] == 0 || 4u + key[3] >= key_len))
        return 0;
    return !value || value_decode(key[2], value, value_len, &call);
}

static sy_err_t record_get(state_store_t *s, int32_t partition, uint8_t kind, const char *a,
                           const char *number, void *out, char *errbuf, size_t errbuf_size) {
    uint8_t pkey[1 + STATE_KEY_BYTES_MAX];
    char *owned = NULL;
    assert(s && a && out);
    size_t key_len = partition >= 0 && partition < STATE_PARTITIONS_MAX
                         ? record_key(pkey + 1, partition, kind, a, number) : 0;
    if (key_len == 0)
        return SY_ERR_INVALID_ARG;
    pkey[0] = LEASE_PENDING_TAG;
    const uint8_t *value;
    size_t len;
    sy_err_t err = state_store_meta_read(s, CF_LEASES, pkey, key_len + 1, &value, &len, &owned,
                                         errbuf, errbuf_size, "read lease");
    if (err != SY_OK)
        return err;
    if (value && len == 0 && !owned)
        return SY_ERR_NOT_FOUND; /* deleted in this batch by a sweep */
    int ok = value ? value_decode(kind, value, len, out) : -1;
    rocksdb_free(owned);
    if (ok == 1)
        return SY_OK;
    if (ok == -1)
        return SY_ERR_NOT_FOUND;
    snprintf(errbuf, errbuf_size, "state store: corrupt %s in partition %d",
             kind == LEASE_KIND_LEASE ? "lease" : "call", (int)partition);
    return SY_ERR_STATE;
}

static sy_err_t record_put(state_store_t *s, int32_t partition, uint8_t kind, const char *a,
                           const char *number, const void *record) {
    uint8_t pkey[1 + STATE_KEY_BYTES_MAX];
    uint8_t value[LEASE_VALUE_BYTES_MAX]; /* about 6 KiB; the pending batch copies it */
    assert(s && a && record);
    size_t key_len = partition >= 0 && partition < STATE_PARTITIONS_MAX
                         ? record_key(pkey + 1, partition, kind, a, number) : 0;
    if (key_len == 0)
        return SY_ERR_INVALID_ARG;
    pkey[0] = LEASE_PENDING_TAG;
    bytes_t b = {.p = value, .len = 1, .cap = sizeof value};
    value[0] = STATE_CODEC_VERSION;
    if (kind == LEASE_KIND_LEASE)
        lease_write(&b, record);
    else
        call_write(&b, record);
    if (b.bad)
        return SY_ERR_INVALID_ARG;
    if (!state_pending_put(&s->pending, pkey, key_len + 1, value, b.len) ||
        !state_pending_op_put(&s->pending, CF_LEASES, pkey + 1, key_len, value, b.len))
        return SY_ERR_NOMEM;
    return SY_OK;
}

sy_err_t state_store_lease_get(state_store_t *s, int32_t partition, const char *pool,
                               const char *number, state_lease_t *out, char *errbuf,
                               size_t errbuf_size) {
    assert(pool && number);
    return record_get(s, partition, LEASE_KIND_LEASE, pool, number, out, errbuf, errbuf_size);
}

sy_err_t state_store_lease_put(state_store_t *s, int32_t partition, const char *pool,
                               const char *number, const state_lease_t *lease) {
    assert(pool && number);
    return record_put(s, partition, LEASE_KIND_LEASE, pool, number, lease);
}

sy_err_t state_store_call_get(state_store_t *s, int32_t partition, const char *call_id,
                              state_call_t *out, char *errbuf, size_t errbuf_size) {
    assert(call_id);
    return record_get(s, partition, LEASE_KIND_CALL, call_id, NULL, out, errbuf, errbuf_size);
}

sy_err_t state_store_call_put(state_store_t *s, int32_t partition, const char *call_id,
                              const state_call_t *call) {
    assert(call_id);
    return record_put(s, partition, LEASE_KIND_CALL, call_id, NULL, call);
}

/* Visit one lease record of the scan: its pool and number from the key. */
static int lease_visit_one(const uint8_t *key, size_t key_len, const uint8_t *value,
                           size_t value_len, int32_t partition, state_lease_visit_fn *visit,
                           void *ctx, bool *corrupt) {
    char pool[STATE_LEASE_POOL_BYTES], number[STATE_LEASE_NUMBER_BYTES];
    state_lease_t lease;
    size_t plen = key[3], nlen = key_len - 4 - plen;
    assert(key_len >= 4);
    if (plen == 0 || plen >= sizeof pool || 4 + plen >= key_len || nlen >= sizeof number ||
        !value_decode(LEASE_KIND_LEASE, value, value_len, &lease)) {
        *corrupt = true;
        return 1;
    }
    memcpy(pool, key + 4, plen);
    pool[plen] = '\0';
    memcpy(number, key + 4 + plen, nlen);
    number[nlen] = '\0';
    return visit(ctx, partition, pool, number, &lease);
}

sy_err_t state_store_leases_scan(state_store_t *s, int32_t partition,
                                 state_lease_visit_fn *visit, void *ctx, char *errbuf,
                                 size_t errbuf_size) {
    uint8_t prefix[3];
    bool corrupt = false;
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    assert(s && visit);
    if (state_store_cf_missing(s, CF_LEASES))
        return SY_OK;
    state_codec_meta_key(prefix, partition);
    prefix[2] = LEASE_KIND_LEASE;
    rocksdb_iterator_t *it = NULL;
    sy_err_t opened = state_store_iterator_open(s, CF_LEASES, NULL, &it, errbuf, errbuf_size);
    if (opened != SY_OK)
        return opened;
    for (rocksdb_iter_seek(it, (const char *)prefix, sizeof prefix); rocksdb_iter_valid(it);
         rocksdb_iter_next(it)) {
        size_t key_len, value_len;
        const uint8_t *key = (const uint8_t *)rocksdb_iter_key(it, &key_len);
        if (key_len < 4 || memcmp(key, prefix, sizeof prefix) != 0)
            break;
        const uint8_t *value = (const uint8_t *)rocksdb_iter_value(it, &value_len);
        if (lease_visit_one(key, key_len, value, value_len, partition, visit, ctx, &corrupt))
            break;
    }
    char *rerr = NULL;
    rocksdb_iter_get_error(it, &rerr);
    rocksdb_iter_destroy(it);
    if (rerr)
        return state_store_rocks_error(rerr, errbuf, errbuf_size, "scan leases");
    if (!corrupt)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "state store: corrupt lease in partition %d", (int)partition);
    return SY_ERR_STATE;
}

/* Is the record (key: partition, kind, ...; value as the batch sees it) old by sweep? */
static bool record_old(const uint8_t *key, const uint8_t *value, size_t value_len,
                       const state_leases_sweep_t *sweep) {
    union {
        state_lease_t lease;
        state_call_t call;
    } record; /* about 5 KiB: on the stack, as in state_lease_record_check */
    assert(key && sweep);
    if ((key[2] != LEASE_KIND_LEASE && key[2] != LEASE_KIND_CALL) ||
        !value_decode(key[2], value, value_len, &record))
        return false; /* a corrupt record is left for the scan that reports it */
    if (key[2] == LEASE_KIND_CALL)
        return record.call.started_at_ms < sweep->calls_before_ms;
    return record.lease.expires_at_ms < sweep->leases_before_ms;
}

/* Delete the committed record key (partition first) in the pending batch: an empty
 * pending value reads as absent. */
static sy_err_t record_delete(state_store_t *s, const uint8_t *key, size_t key_len) {
    uint8_t pkey[1 + STATE_LEASES_CURSOR_BYTES];
    assert(key_len < sizeof pkey);
    pkey[0] = LEASE_PENDING_TAG;
    memcpy(pkey + 1, key, key_len);
    if (!state_pending_put(&s->pending, pkey, key_len + 1, NULL, 0) ||
        !state_pending_op_delete(&s->pending, CF_LEASES, key, key_len, 1))
        return SY_ERR_NOMEM;
    return SY_OK;
}

/* One record the sweep looks at: judged by a batch's value (the pending one's, else the
 * sealed one's) when one has it. */
static sy_err_t sweep_one(state_store_t *s, rocksdb_iterator_t *it, const uint8_t *key,
                          size_t key_len, const state_leases_sweep_t *sweep, size_t *removed) {
    uint8_t pkey[1 + STATE_LEASES_CURSOR_BYTES];
    size_t value_len;
    assert(key_len >= 4 && key_len < sizeof pkey);
    pkey[0] = LEASE_PENDING_TAG;
    memcpy(pkey + 1, key, key_len);
    const pending_entry_t *e = state_store_pending_entry(s, pkey, key_len + 1);
    const uint8_t *value = e ? e->value : (const uint8_t *)rocksdb_iter_value(it, &value_len);
    if (e)
        value_len = e->value_len;
    if (value_len == 0 || !record_old(key, value, value_len, sweep))
        return SY_OK;
    sy_err_t err = record_delete(s, key, key_len);
    if (err == SY_OK && removed)
        (*removed)++;
    return err;
}

/* Look at up to *budget records from it's place on, within the partition of prefix:
 * the cursor follows; *ended when the partition's records ran out (the cursor reset). */
static sy_err_t sweep_run(state_store_t *s, rocksdb_iterator_t *it, const uint8_t *prefix,
                          const state_leases_sweep_t *sweep, state_leases_cursor_t *cursor,
                          size_t *budget, size_t *removed, bool *ended) {
    sy_err_t err = SY_OK;
    assert(prefix && budget && ended);
    *ended = false;
    for (; *budget > 0 && err == SY_OK; (*budget)--, rocksdb_iter_next(it)) {
        size_t key_len;
        const uint8_t *key = rocksdb_iter_valid(it)
                                 ? (const uint8_t *)rocksdb_iter_key(it, &key_len) : NULL;
        if (!key || key_len < 4 || memcmp(key, prefix, 2) != 0 ||
            key_len > sizeof cursor->key) {
            cursor->len = 0; /* past the partition: start over */
            *ended = true;
            break;
        }
        err = sweep_one(s, it, key, key_len, sweep, removed);
        memcpy(cursor->key, key, key_len);
        cursor->len = key_len;
    }
    return err;
}

sy_err_t state_store_leases_sweep(state_store_t *s, int32_t partition,
                                  const state_leases_sweep_t *sweep,
                                  state_leases_cursor_t *cursor, size_t *removed,
                                  char *errbuf, size_t errbuf_size) {
    uint8_t prefix[2];
    size_t budget = sweep ? sweep->records_max : 0;
    bool ended = false;
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    assert(s && sweep && cursor && cursor->len <= sizeof cursor->key);
    if (state_store_cf_missing(s, CF_LEASES))
        return SY_OK;
    state_codec_meta_key(prefix, partition);
    if (cursor->len < sizeof prefix || memcmp(cursor->key, prefix, sizeof prefix) != 0)
        cursor->len = 0; /* another partition's place, or none: from the start */
    bool resumed = cursor->len > 0;
    rocksdb_iterator_t *it = NULL;
    sy_err_t opened = state_store_iterator_open(s, CF_LEASES, NULL, &it, errbuf, errbuf_size);
    if (opened != SY_OK)
        return opened;
    rocksdb_iter_seek(it, resumed ? (const char *)cursor->key : (const char *)prefix,
                      resumed ? cursor->len : sizeof prefix);
    if (resumed && rocksdb_iter_valid(it))
        rocksdb_iter_next(it); /* the cursor's own key was looked at last time */
    sy_err_t err = sweep_run(s, it, prefix, sweep, cursor, &budget, removed, &ended);
    if (err == SY_OK && ended && resumed && budget > 0) { /* once round to the start */
        rocksdb_iter_seek(it, (const char *)prefix, sizeof prefix);
        err = sweep_run(s, it, prefix, sweep, cursor, &budget, removed, &ended);
    }
    char *rerr = NULL;
    rocksdb_iter_get_error(it, &rerr);
    rocksdb_iter_destroy(it);
    if (rerr)
        return state_store_rocks_error(rerr, errbuf, errbuf_size, "sweep leases");
    return err;
}
