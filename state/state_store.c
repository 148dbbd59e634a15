/* state_store.c — RocksDB behind state_store.h: column families, the pending batch (and
 * the sealed one under it, whose commit comes later) and the table of committed records
 * per contact in front of RocksDB (instances here,
 * profiles, event ids, consent and engagement through state_store_record_read), and the options
 * chosen for this workload. Timers: state_timers.c; profiles and scans: state_profile.c. */
#include "state_store.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rocksdb/c.h>

#include "profile_codec.h"
#include "state_codec.h"
#include "state_store_int.h"

/* Block cache for all column families: holds the blocks of instances, timers and
 * profiles; the contact table (state_contact_table.h) sits in front of it. */
#define STATE_BLOCK_CACHE_BYTES (256u * 1024 * 1024)
/* Bloom filter bits per key: most lookups ask for an instance that does not exist yet
 * (a contact's first event in a journey); 10 bits keep false positives near 1%. */
#define STATE_BLOOM_BITS_PER_KEY 10
/* Consecutive entries of a timers file in which half being deletions marks the file for
 * compaction (RocksDB's CompactOnDeletionCollector). */
#define STATE_TIMER_DELETES_WINDOW 4096
/* Memtable size of each column family (see store_memtable_options). */
#define STATE_MEMTABLE_BYTES (16u * 1024 * 1024)
/* The memtable's whole-key Bloom filter, as a share of the memtable: 400 KiB at 16 MiB. */
#define STATE_MEMTABLE_BLOOM_RATIO 0.025

/* Every instance value fits the contact table: it never has to refuse one. */
_Static_assert(STATE_VALUE_BYTES_MAX <= STATE_CONTACT_VALUE_BYTES_MAX,
               "instance values fit the contact table");
/* batch_fill and the changelog index column families by op->cf. */
_Static_assert(CF__COUNT == sizeof cf_names / sizeof cf_names[0], "a name per column family");

/* The memtable options, chosen by instruction counts of bench_engine 10000 under callgrind
 * (bench/RESULTS.md, "Memtable inserts"): *options is replaced by a copy that has them. */
static void store_memtable_options(rocksdb_options_t **options) {
    assert(options && *options);
    /* 16 MiB instead of 64: a shallower skip list per insert and lookup. With the two
     * options below, the engine's loop took 9.90 G instructions against 10.02 G at 64 MiB,
     * the whole process (flushes included) 11.69 G against 11.72 G; 8 MiB saved more in
     * the loop (9.51 G) but cost more in flushes (11.83 G). */
    rocksdb_options_set_write_buffer_size(*options, STATE_MEMTABLE_BYTES);
    /* A whole-key Bloom filter in front of each memtable: most reads ask for an instance
     * that does not exist, and the filter answers them without a skip-list search
     * (with 8 MiB memtables, RocksDB's Get: 1.01 G instructions to 0.23 G; the loop
     * 11.70 G to 11.01 G). Only point reads consult it; iterators (timers, scans) do not. */
    rocksdb_options_set_memtable_whole_key_filtering(*options, 1);
    rocksdb_options_set_memtable_prefix_bloom_size_ratio(*options, STATE_MEMTABLE_BLOOM_RATIO);
    /* An insert hint for the whole memtable (an empty prefix): each insert starts from
     * the previous one's position and repairs only the levels that no longer bracket the
     * key, where the default sequential position, once a key falls before it, is searched
     * again from the top. The commit writes in key order, so the search per insert
     * shrinks (rocksdb_write: 4.66 G instructions to 3.15 G, 10,900 to 7,400 per memtable
     * insert). Where entries go and what reads see are unchanged; the C API sets this
     * option only through an options string. */
    rocksdb_options_t *hinted = rocksdb_options_create();
    char *err = NULL;
    rocksdb_get_options_from_string(
        *options, "memtable_insert_with_hint_prefix_extractor=rocksdb.FixedPrefix.0", hinted,
        &err);
    assert(!err); /* a constant string that this RocksDB parses */
    rocksdb_options_destroy(*options);
    *options = hinted;
}

/* An in-memory store's own options: its env, and no flush at close. */
static void store_in_memory_options(state_store_t *s) {
    assert(s->options && !s->mem_env);
    /* Its files die with the env at close: flushing the memtables into them first (what
     * RocksDB does at close when the WAL is off) is work nobody reads. A replay of 10,000
     * records spent 271 M instructions in that flush, all of its flushes. */
    rocksdb_options_t *copy = rocksdb_options_create();
    char *err = NULL;
    rocksdb_get_options_from_string(s->options, "avoid_flush_during_shutdown=true", copy,
                                    &err);
    assert(!err); /* a constant string that this RocksDB parses */
    rocksdb_options_destroy(s->options);
    s->options = copy;
    s->mem_env = rocksdb_create_mem_env();
    rocksdb_options_set_env(s->options, s->mem_env);
}

static void store_options_init(state_store_t *s, bool in_memory) {
    assert(!s->options && !s->db);
    s->options = rocksdb_options_create();
    store_memtable_options(&s->options);
    rocksdb_options_set_create_if_missing(s->options, 1);
    rocksdb_options_set_create_missing_column_families(s->options, 1);
    /* LZ4: state values are small varints and ids; LZ4 costs little CPU per block. In
     * memory too: without it a replay of 50,000 records took as many instructions and as
     * much peak RSS (it flushes nothing since the close does not), and a replay big enough
     * to flush keeps those files in RAM. */
    rocksdb_options_set_compression(s->options, rocksdb_lz4_compression);
    /* Two background jobs: the machine has two cores and the processor needs one. */
    rocksdb_options_set_max_background_jobs(s->options, 2);
    s->cache = rocksdb_cache_create_lru(STATE_BLOCK_CACHE_BYTES);
    s->table_options = rocksdb_block_based_options_create();
    rocksdb_block_based_options_set_block_cache(s->table_options, s->cache);
    s->bloom = rocksdb_filterpolicy_create_bloom_full(STATE_BLOOM_BITS_PER_KEY);
    rocksdb_block_based_options_set_filter_policy(s->table_options, s->bloom);
    rocksdb_options_set_block_based_table_factory(s->options, s->table_options);
    if (in_memory)
        store_in_memory_options(s);
    /* Timers are read by iterator only and every one is deleted when it fires: files
     * dense with tombstones are compacted early, so iterators skip fewer of them. */
    s->timer_options = rocksdb_options_create_copy(s->options);
    rocksdb_options_add_compact_on_deletion_collector_factory(
        s->timer_options, STATE_TIMER_DELETES_WINDOW, STATE_TIMER_DELETES_WINDOW / 2);
    s->read_options = rocksdb_readoptions_create();
    s->write_options = rocksdb_writeoptions_create();
    /* On disk the WAL stays on so a process crash after commit keeps the batch; no fsync
     * per batch: Kafka's transaction, not the local disk, is the record of what happened.
     * In memory the WAL would be a second in-memory copy that dies with the process. */
    rocksdb_writeoptions_set_sync(s->write_options, 0);
    rocksdb_writeoptions_disable_WAL(s->write_options, in_memory);
    /* RocksDB's perf_context counters default to on and cost a thread-local access per
     * memtable key comparison; nothing here reads them. The level is per thread: this
     * covers the opening thread, state_store_commit the one that writes. */
    rocksdb_set_perf_level(rocksdb_disable);
}

static sy_err_t make_dir(const char *dir, char *errbuf, size_t errbuf_size) {
    char path[4096];
    assert(dir);
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        snprintf(errbuf, errbuf_size, "state store: path too long: %s", dir);
        return SY_ERR_INVALID_ARG;
    }
    for (char *p = path + 1;; p++) {
        char c = *p;
        if (c == '/' || c == '\0') {
            *p = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST) {
                snprintf(errbuf, errbuf_size, "state store: cannot create %s: %s", path,
                         strerror(errno));
                return SY_ERR_STATE;
            }
            *p = c;
        }
        if (c == '\0')
            return SY_OK;
    }
}

static state_store_t *store_new(void) {
    state_store_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    state_pending_init(&s->pending);
    state_pending_init(&s->sealed);
    state_pending_init_filter(&s->unwritten, STATE_WRITEBACK_KEY_FILTER_LOG2);
    state_pending_init_filter(&s->writing, STATE_WRITEBACK_KEY_FILTER_LOG2);
    state_offsets_init(&s->offsets_pending);
    state_offsets_init(&s->offsets_unwritten);
    state_offsets_init(&s->offsets_writing);
    s->checkpoint_batches = STATE_CHECKPOINT_BATCHES_DEFAULT;
    for (size_t i = 0; i < STATE_PARTITIONS_MAX; i++)
        s->stream_time[i] = INT64_MIN;
    assert(!s->db && !s->stream_time_unwritten_count);
    return s;
}

sy_err_t state_store_open(state_store_t **out, const char *dir, bool in_memory,
                          size_t cache_bytes, char *errbuf, size_t errbuf_size) {
    sy_err_t err;
    assert(out && dir);
    state_store_t *s = store_new();
    if (!s)
        return SY_ERR_NOMEM;
    if (!in_memory && (err = make_dir(dir, errbuf, errbuf_size)) != SY_OK)
        goto fail;
    /* RocksDB's in-memory env resolves only absolute paths ("Not implemented:
     * GetAbsolutePath" otherwise): root a bare name so any name works, as promised. */
    char mem_dir[4096];
    if (in_memory && dir[0] != '/') {
        if (snprintf(mem_dir, sizeof mem_dir, "/%s", dir) >= (int)sizeof mem_dir) {
            snprintf(errbuf, errbuf_size, "state store: name too long: %s", dir);
            err = SY_ERR_INVALID_ARG;
            goto fail;
        }
        dir = mem_dir;
    }
    if ((err = state_contact_table_open(&s->contacts, cache_bytes)) != SY_OK) {
        snprintf(errbuf, errbuf_size, "state store: no memory for a %zu-byte cache",
                 cache_bytes);
        goto fail;
    }
    store_options_init(s, in_memory);
    /* In memory, a checkpoint buys no durability: it only moves writes from one part of
     * RAM (the unwritten log) to another (RocksDB's memtables), at 5,600 to 8,600
     * instructions a write on the writer thread. Only the bound on unwritten writes (or
     * an iterator) makes one: a replay of 50,000 records took 7.61 G instructions (all
     * threads) against 10.54 G with one every 16 batches, and 265 MB peak RSS against
     * 260 MB. */
    if (in_memory)
        s->checkpoint_batches = UINT_MAX;
    /* In memory, the store starts with no timer: each partition's queue starts empty and
     * takes every commit's timers, so none is ever loaded through a checkpoint. */
    s->timers_whole = in_memory;
    s->batch = rocksdb_writebatch_create();
    /* In memory, RocksDB opens when first needed (state_store_rocks): holding nothing
     * until then, the contact table is whole. Its open took 71 M instructions (the
     * families' OPTIONS file written and parsed back at each creation), more than the
     * whole of a short simulate. */
    if (in_memory && !(s->rocks_dir = strdup(dir))) {
        err = SY_ERR_NOMEM;
        goto fail;
    }
    if (in_memory) {
        state_contact_table_whole_set(s->contacts, true);
        state_contacts_home_start(s);
    } else if ((err = state_rocks_open(s, dir, errbuf, errbuf_size)) != SY_OK) {
        goto fail;
    } else {
        /* Whole when RocksDB holds no contact record: every one will pass its commits. */
        (void)state_store_contacts_warm(s, 0);
    }
    *out = s;
    return SY_OK;
fail:
    state_store_close(s);
    return err;
}

sy_err_t state_store_open_read_only(state_store_t **out, const char *dir, char *errbuf,
                                    size_t errbuf_size) {
    sy_err_t err;
    assert(out && dir);
    state_store_t *s = store_new();
    if (!s)
        return SY_ERR_NOMEM;
    store_options_init(s, false);
    rocksdb_options_set_create_if_missing(s->options, 0);
    if ((err = state_rocks_open_read_only(s, dir, errbuf, errbuf_size)) != SY_OK)
        goto fail;
    s->batch = rocksdb_writebatch_create();
    *out = s;
    return SY_OK;
fail:
    state_store_close(s);
    return err;
}

void state_store_close(state_store_t *s) {
    /* no assert: NULL and a half-opened store are both closed */
    if (!s)
        return;
    char errbuf[256];
    /* A clean close leaves every committed write on disk (a failure leaves the last
     * checkpoint, which a restore brings forward from the changelog). An in-memory store
     * is gone after close: writing to it would be work nobody reads. */
    if (s->writer && !s->write_failed[0] && !s->mem_env)
        (void)state_store_checkpoint(s, errbuf, sizeof errbuf);
    state_writer_stop(s->writer);
    state_store_timer_queues_free(s);
    if (s->batch)
        rocksdb_writebatch_destroy(s->batch);
    for (size_t i = 0; i < CF__COUNT; i++)
        if (s->cf[i])
            rocksdb_column_family_handle_destroy(s->cf[i]);
    if (s->db)
        rocksdb_close(s->db);
    if (s->read_options)
        rocksdb_readoptions_destroy(s->read_options);
    if (s->write_options)
        rocksdb_writeoptions_destroy(s->write_options);
    if (s->options)
        rocksdb_options_destroy(s->options);
    if (s->timer_options)
        rocksdb_options_destroy(s->timer_options);
    if (s->table_options)
        rocksdb_block_based_options_destroy(s->table_options);
    if (s->cache)
        rocksdb_cache_destroy(s->cache);
    if (s->mem_env)
        rocksdb_env_destroy(s->mem_env);
    free(s->rocks_dir);
    state_pending_deinit(&s->pending);
    state_pending_deinit(&s->sealed);
    state_pending_deinit(&s->unwritten);
    state_pending_deinit(&s->writing);
    state_contact_table_close(s->contacts);
    free(s->profile_scratch);
    free(s);
}

/* The contact table's record of an instance in the journey of id (len bytes): *rec. 0
 * when the table keeps no such record (no table, or too many journeys). */
static int journey_rec(state_store_t *s, const uint8_t *id, size_t len, uint16_t *rec) {
    /* no assert: state_contact_table_journey_slot asserts */
    int slot = state_contact_table_journey_slot(s->contacts, id, len);
    *rec = (uint16_t)(STATE_CONTACT_REC_INSTANCE | (slot < 0 ? 0 : slot));
    return slot >= 0;
}

/* journey_rec of the instance at key (its journey set). Inline: a part of every read. */
static inline int instance_rec(state_store_t *s, const state_instance_key_t *key,
                               uint16_t *rec) {
    /* no assert: its callers assert the key's lengths */
    if (key->slot >= 0) { /* the table's slot of this id, for good */
        *rec = (uint16_t)(STATE_CONTACT_REC_INSTANCE | key->slot);
        return 1;
    }
    return journey_rec(s, key->bytes + key->contact_len + 1, key->len - key->contact_len - 1,
                       rec);
}

/* The error of a corrupt instance at key. */
static sy_err_t instance_corrupt(const state_instance_key_t *key, char *errbuf,
                                 size_t errbuf_size) {
    assert(key->len > key->contact_len);
    /* the contact id ends at the NUL before the journey id */
    snprintf(errbuf, errbuf_size, "state store: corrupt instance of %s in %.*s",
             (const char *)key->bytes + 2, (int)(key->len - key->contact_len - 1),
             (const char *)key->bytes + key->contact_len + 1);
    return SY_ERR_STATE;
}

/* Read an instance from RocksDB and keep what was found (or that nothing was) in the
 * contact table: most reads ask for contacts not yet in the journey. */
static sy_err_t instance_read(state_store_t *s, const state_instance_key_t *key,
                              state_instance_t *out, char *errbuf, size_t errbuf_size) {
    char *rerr = NULL, *owned = NULL;
    size_t len = 0;
    assert(key->len > 2 && key->len <= STATE_KEY_BYTES_MAX);
    const uint8_t *value = state_store_get_cf_borrowed(s, CF_INSTANCES, key->bytes, key->len,
                                                       key->contact_len, &len, &owned, &rerr);
    if (rerr)
        return state_store_rocks_error(rerr, errbuf, errbuf_size, "read instance");
    uint16_t rec;
    if (instance_rec(s, key, &rec))
        state_contact_table_put(s->contacts, key->bytes, key->contact_len, rec, value,
                                value ? len : 0);
    if (!value)
        return SY_ERR_NOT_FOUND;
    int ok = state_codec_instance_decode(value, len, out);
    rocksdb_free(owned);
    return ok ? SY_OK : instance_corrupt(key, errbuf, errbuf_size);
}

sy_err_t state_instance_key_contact(state_instance_key_t *key, int32_t partition,
                                    const char *contact_id) {
    assert(key && contact_id && partition >= 0 && partition < STATE_PARTITIONS_MAX);
    size_t len = profile_codec_key(key->bytes, partition, contact_id);
    if (!len)
        return SY_ERR_LIMIT;
    key->bytes[len] = 0;
    key->contact_len = len;
    key->len = len;
    return SY_OK;
}

sy_err_t state_instance_key_journey(state_instance_key_t *key, const char *journey_id,
                                    int slot) {
    /* no assert: state_instance_key_journey_len asserts */
    return state_instance_key_journey_len(key, journey_id, strlen(journey_id), slot);
}

sy_err_t state_instance_key_journey_len(state_instance_key_t *key, const char *journey_id,
                                        size_t len, int slot) {
    assert(key->contact_len > 2 && key->bytes[key->contact_len] == 0 && slot <= UINT8_MAX);
    assert(journey_id[len] == '\0'); /* len is its strlen */
    if (len > SY_ID_BYTES_MAX)
        return SY_ERR_LIMIT;
    profile_codec_id_copy(key->bytes + key->contact_len + 1, journey_id, len);
    key->len = key->contact_len + 1 + len;
    key->slot = slot;
    return SY_OK;
}

int state_store_instance_slot(state_store_t *s, const char *journey_id) {
    assert(s && journey_id);
    return state_contact_table_journey_slot(s->contacts, (const uint8_t *)journey_id,
                                            strlen(journey_id));
}

sy_err_t state_store_instance_get_at(state_store_t *s, const state_instance_key_t *key,
                                     state_instance_t *out, char *errbuf,
                                     size_t errbuf_size) {
    assert(s && key->len > key->contact_len && key->contact_len > 2);
    /* Pending (this batch's writes, then a restore's), then the sealed batch's writes, then
     * the table (committed), then RocksDB (committed). A restore's instances are in the
     * pending map only with nothing sealed. */
    const uint8_t *cached = NULL;
    size_t len = 0;
    uint16_t rec;
    const pending_op_t *op = state_pending_op_get_contact(&s->pending, CF_INSTANCES, key->bytes,
                                                          key->len, key->contact_len);
    /* the pending map holds a restore's records, in no other batch: not asked when empty */
    const pending_entry_t *e = op || !s->pending.map_count
                                   ? NULL
                                   : state_pending_get(&s->pending, key->bytes, key->len);
    if (!op && !e && s->sealed_on) {
        op = state_pending_op_get_contact(&s->sealed, CF_INSTANCES, key->bytes, key->len,
                                          key->contact_len);
        e = op ? NULL : state_pending_get(&s->sealed, key->bytes, key->len);
    }
    if (op) {
        if (op->kind != PENDING_OP_PUT) /* this version never deletes an instance */
            return SY_ERR_NOT_FOUND;
        cached = op->value;
        len = op->value_len;
    } else if (e) {
        cached = e->value;
        len = e->value_len;
    } else {
        state_cache_lookup_t found = STATE_CACHE_MISS;
        if (instance_rec(s, key, &rec))
            found = state_contact_table_get(s->contacts, key->bytes, key->contact_len, rec,
                                            &cached, &len);
        switch (found) {
        case STATE_CACHE_ABSENT:
            return SY_ERR_NOT_FOUND;
        case STATE_CACHE_HIT:
            break;
        case STATE_CACHE_MISS:
            return instance_read(s, key, out, errbuf, errbuf_size);
        }
    }
    if (state_codec_instance_decode(cached, len, out))
        return SY_OK;
    return instance_corrupt(key, errbuf, errbuf_size);
}

sy_err_t state_store_instance_put_at(state_store_t *s, const state_instance_key_t *key,
                                     const state_instance_t *instance) {
    uint8_t value[STATE_VALUE_BYTES_MAX];
    assert(s && key->len > key->contact_len && key->contact_len > 2);
    size_t value_len = state_codec_instance_encode(value, instance);
    return state_pending_op_put_contact(&s->pending, CF_INSTANCES, key->bytes, key->len,
                                        key->contact_len, value, value_len)
               ? SY_OK
               : SY_ERR_NOMEM;
}

/* The key of contact's instance in journey into *key. */
static sy_err_t instance_key(state_instance_key_t *key, int32_t partition,
                             const char *contact_id, const char *journey_id) {
    /* no assert: state_instance_key_contact and _journey assert */
    sy_err_t err = state_instance_key_contact(key, partition, contact_id);
    return err == SY_OK ? state_instance_key_journey(key, journey_id, -1) : err;
}

sy_err_t state_timer_instance_key(const state_timer_t *timer, state_instance_key_t *key) {
    /* no assert: instance_key's makers assert */
    return instance_key(key, timer->partition, timer->contact_id, timer->journey_id);
}

sy_err_t state_store_instance_get(state_store_t *s, int32_t partition,
                                  const char *contact_id, const char *journey_id,
                                  state_instance_t *out, char *errbuf, size_t errbuf_size) {
    state_instance_key_t key;
    assert(s);
    sy_err_t err = instance_key(&key, partition, contact_id, journey_id);
    return err == SY_OK ? state_store_instance_get_at(s, &key, out, errbuf, errbuf_size) : err;
}

sy_err_t state_store_instance_put(state_store_t *s, int32_t partition,
                                  const char *contact_id, const char *journey_id,
                                  const state_instance_t *instance) {
    state_instance_key_t key;
    assert(s);
    sy_err_t err = instance_key(&key, partition, contact_id, journey_id);
    return err == SY_OK ? state_store_instance_put_at(s, &key, instance) : err;
}

size_t state_contact_key(uint8_t *buf, int32_t partition, const char *contact_id,
                         char *errbuf, size_t errbuf_size) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
    size_t len = profile_codec_key(buf, partition, contact_id);
    if (!len)
        snprintf(errbuf, errbuf_size, "contact id longer than %d bytes", SY_ID_BYTES_MAX);
    return len;
}

sy_err_t state_store_record_put(state_store_t *s, int cf, const uint8_t *key, size_t key_len,
                                const uint8_t *value, size_t len) {
    assert(key_len > 2 && cf > CF_DEFAULT && cf < CF__COUNT);
    return state_pending_op_put_contact(&s->pending, (uint8_t)cf, key, key_len, key_len, value,
                                        len)
               ? SY_OK
               : SY_ERR_NOMEM;
}

/* The committed value of key in column family cf, from RocksDB (through the unwritten
 * writes): *value and *owned the same (NULL: none, or cf not open). */
static sy_err_t committed_read(state_store_t *s, int cf, const uint8_t *key, size_t key_len,
                               const uint8_t **value, size_t *len, char **owned,
                               char *errbuf, size_t errbuf_size, const char *what) {
    assert(key_len > 0 && !*owned && !*value && !*len);
    if (state_store_cf_missing(s, cf))
        return SY_OK;
    char *rerr = NULL;
    *owned = state_store_get_cf(s, cf, key, key_len, len, &rerr);
    if (rerr)
        return state_store_rocks_error(rerr, errbuf, errbuf_size, what);
    if (!*owned)
        *len = 0;
    *value = (const uint8_t *)*owned;
    return SY_OK;
}

/* pkey's value in the pending batch, else the sealed one, into *value and *len: false when
 * neither holds one. */
static inline bool pending_read(state_store_t *s, const uint8_t *pkey, size_t pkey_len,
                                const uint8_t **value, size_t *len, char **owned) {
    assert(pkey && value && len && owned);
    *owned = NULL;
    *value = NULL;
    *len = 0;
    const pending_entry_t *e = state_store_pending_entry(s, pkey, pkey_len);
    if (!e)
        return false;
    *value = e->value;
    *len = e->value_len;
    return true;
}

sy_err_t state_store_meta_read(state_store_t *s, int cf, const uint8_t *pkey,
                               size_t pkey_len, const uint8_t **value, size_t *len,
                               char **owned, char *errbuf, size_t errbuf_size,
                               const char *what) {
    assert(s && pkey_len > 1 && cf >= CF_DEFAULT && cf < CF__COUNT && what);
    if (pending_read(s, pkey, pkey_len, value, len, owned))
        return SY_OK;
    return committed_read(s, cf, pkey + 1, pkey_len - 1, value, len, owned, errbuf,
                          errbuf_size, what);
}

/* A copy of value (len bytes, borrowed) into *owned and *value, for the caller to free with
 * rocksdb_free: a write-back value the contact table did not keep. */
static sy_err_t owned_copy(const uint8_t *value, size_t len, const uint8_t **out,
                           char **owned, char *errbuf, size_t errbuf_size, const char *what) {
    assert(value && !*owned);
    *owned = malloc(len ? len : 1);
    if (!*owned) {
        snprintf(errbuf, errbuf_size, "state store: %s: out of memory", what);
        return SY_ERR_NOMEM;
    }
    memcpy(*owned, value, len);
    *out = (const uint8_t *)*owned;
    return SY_OK;
}

sy_err_t state_store_record_read(state_store_t *s, int cf, uint16_t rec, const uint8_t *key,
                                 size_t key_len, const uint8_t **value, size_t *len,
                                 char **owned, char *errbuf, size_t errbuf_size,
                                 const char *what) {
    assert(key_len > 2 && cf > CF_DEFAULT && cf < CF__COUNT && what);
    *owned = NULL;
    *value = NULL;
    *len = 0;
    const pending_op_t *op = state_store_op_get(s, (uint8_t)cf, key, key_len, key_len);
    if (op) { /* a batch's write: a put, or nothing left of the record */
        *value = op->kind == PENDING_OP_PUT ? op->value : NULL;
        *len = op->kind == PENDING_OP_PUT ? op->value_len : 0;
        return SY_OK;
    }
    switch (state_contact_table_get(s->contacts, key, key_len, rec, value, len)) {
    case STATE_CACHE_HIT:
    case STATE_CACHE_ABSENT: /* *value and *len say none already */
        return SY_OK;
    case STATE_CACHE_MISS:
        break;
    }
    if (state_store_cf_missing(s, cf)) /* none */
        return SY_OK;
    char *rerr = NULL;
    const uint8_t *v = state_store_get_cf_borrowed(s, cf, key, key_len, key_len, len, owned,
                                                   &rerr);
    if (rerr)
        return state_store_rocks_error(rerr, errbuf, errbuf_size, what);
    if (!v)
        *len = 0;
    state_contact_table_put(s->contacts, key, key_len, rec, v, *len);
    *value = v;
    if (!v || *owned)
        return SY_OK;
    /* The write-back's bytes, borrowed until the next commit: served as the table's copy. */
    *value = state_contact_table_put_kept(s->contacts, key, key_len, rec);
    return *value ? SY_OK : owned_copy(v, *len, value, owned, errbuf, errbuf_size, what);
}

static void stream_time_load(state_store_t *s, int32_t partition) {
    uint8_t key[2];
    char *rerr = NULL;
    size_t len = 0;
    assert(!s->stream_time_state[partition]);
    size_t key_len = state_codec_meta_key(key, partition);
    char *value = state_store_get_cf(s, CF_DEFAULT, key, key_len, &len, &rerr);
    int64_t time_ms = INT64_MIN;
    if (value && !state_codec_meta_decode((const uint8_t *)value, len, &time_ms))
        time_ms = INT64_MIN;
    free(rerr);
    rocksdb_free(value);
    s->stream_time[partition] = time_ms;
    s->stream_time_state[partition] = 1;
}

int64_t state_store_stream_time_get(state_store_t *s, int32_t partition) {
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return INT64_MIN;
    if (!s->stream_time_state[partition])
        stream_time_load(s, partition);
    assert(s->stream_time_state[partition] >= 1 && s->stream_time_state[partition] <= 4);
    return s->stream_time[partition];
}

void state_store_stream_time_set(state_store_t *s, int32_t partition, int64_t time_ms) {
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return;
    /* A partition is listed once, when it enters state 3: the list cannot overflow. */
    if (s->stream_time_state[partition] != 3) {
        assert(s->stream_time_unwritten_count < STATE_PARTITIONS_MAX);
        s->stream_time_unwritten[s->stream_time_unwritten_count++] = partition;
        state_store_partition_seen(s, partition);
    }
    s->stream_time[partition] = time_ms;
    s->stream_time_state[partition] = 3;
}

void state_store_stream_times_write(state_store_t *s) {
    assert(s->stream_time_unwritten_count <= STATE_PARTITIONS_MAX);
    for (size_t i = 0; i < s->stream_time_unwritten_count; i++) {
        int32_t partition = s->stream_time_unwritten[i];
        assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
        if (s->stream_time_state[partition] != 3)
            continue; /* a changelog record set it since, with its own put */
        uint8_t key[2], value[STATE_VALUE_BYTES_MAX];
        size_t key_len = state_codec_meta_key(key, partition);
        size_t value_len = state_codec_meta_encode(value, s->stream_time[partition]);
        /* A failure marks the op log partial: the batch cannot commit. */
        (void)state_pending_op_put(&s->pending, CF_DEFAULT, key, key_len, value, value_len);
        s->stream_time_state[partition] = 2;
    }
    s->stream_time_unwritten_count = 0;
}

/* Both batches are dropped (an abort, or a failed commit): what is in memory must match
 * the last commit. */
static void batches_drop(state_store_t *s) {
    rocksdb_writebatch_clear(s->batch);
    state_store_timer_queues_abort(s);
    state_offsets_clear(&s->offsets_pending);
    state_pending_reset(&s->pending);
    state_pending_reset(&s->sealed);
    s->sealed_on = false;
    for (int32_t i = 0; i < s->partitions_hi; i++) {
        if (s->stream_time_state[i] >= 2) /* reloaded at the next read */
            s->stream_time_state[i] = 0;
    }
    s->stream_time_unwritten_count = 0;
    if (s->contacts_stale) { /* a restore's batch was dropped */
        state_contact_table_clear(s->contacts);
        s->contacts_stale = false;
    }
    assert(s->pending.ops_count == 0 && s->pending.map_count == 0);
}

/* The sealed batch committed: its stream times are the committed ones; the pending batch
 * stays. */
static void sealed_reset(state_store_t *s) {
    assert(s->sealed_on);
    rocksdb_writebatch_clear(s->batch);
    state_offsets_clear(&s->offsets_pending);
    state_pending_reset(&s->sealed);
    s->sealed_on = false;
    for (int32_t i = 0; i < s->partitions_hi; i++) {
        if (s->stream_time_state[i] == 4)
            s->stream_time_state[i] = 1;
    }
}

/* The contact table's record of a write of key in column family cf: *ckey_len (the
 * contact's part of key, which starts it; contact_len when the caller knows it, 0: found
 * here) and *rec. 0 for writes the table does not keep (timers, counts, leases, too many
 * journeys). */
static inline int write_rec(state_store_t *s, int cf, const uint8_t *key, size_t key_len,
                            size_t contact_len, size_t *ckey_len, uint16_t *rec) {
    assert(key && key_len >= 2); /* the partition, then more but for stream times */
    *ckey_len = key_len;
    if (cf == CF_INSTANCES) { /* (partition, contact id, NUL, journey id) */
        const uint8_t *sep =
            contact_len ? key + contact_len : memchr(key + 2, 0, key_len - 2);
        assert(key_len > 2 && sep && sep < key + key_len && !*sep);
        *ckey_len = (size_t)(sep - key);
        return journey_rec(s, sep + 1, key_len - *ckey_len - 1, rec);
    }
    int kind = state_contact_rec_kind(cf);
    *rec = (uint16_t)kind;
    return kind >= 0;
}

/* Put every record of column family cf into the contact table while it stays whole and
 * *bytes_left (keys and values) lasts; a key the table cannot place, a read error or the
 * end of *bytes_left makes it not whole. */
static void contacts_warm_cf(state_store_t *s, int cf, size_t *bytes_left) {
    size_t ckey_len, key_len, value_len;
    uint16_t rec;
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(s->db, s->read_options, s->cf[cf]);
    assert(it && bytes_left);
    for (rocksdb_iter_seek_to_first(it);
         rocksdb_iter_valid(it) && state_contact_table_whole(s->contacts); rocksdb_iter_next(it)) {
        const uint8_t *key = (const uint8_t *)rocksdb_iter_key(it, &key_len);
        const uint8_t *value = (const uint8_t *)rocksdb_iter_value(it, &value_len);
        if (key_len + value_len > *bytes_left || key_len <= 2 ||
            (cf == CF_INSTANCES && !memchr(key + 2, 0, key_len - 2))) {
            state_contact_table_whole_set(s->contacts, false); /* too much, or unplaceable */
            break;
        }
        *bytes_left -= key_len + value_len;
        /* An instance of a journey beyond the table's slots is not kept: always read. */
        if (write_rec(s, cf, key, key_len, 0, &ckey_len, &rec))
            state_contact_table_put(s->contacts, key, ckey_len, rec, value, value_len);
    }
    char *ierr = NULL;
    rocksdb_iter_get_error(it, &ierr);
    if (ierr) /* some records unread: the table cannot say they are absent */
        state_contact_table_whole_set(s->contacts, false);
    free(ierr);
    rocksdb_iter_destroy(it);
}

bool state_store_contacts_warm(state_store_t *s, size_t bytes_max) {
    assert(s);
    /* A RocksDB that waits to open holds nothing to warm the table with. */
    if (!s->contacts || state_contact_table_whole(s->contacts) || s->rocks_dir)
        return state_contact_table_whole(s->contacts);
    size_t half = state_contact_table_budget(s->contacts) / 2;
    size_t bytes_left = bytes_max < half ? bytes_max : half;
    state_contact_table_whole_set(s->contacts, true);
    for (int cf = 0; cf < CF__COUNT && state_contact_table_whole(s->contacts); cf++)
        if (state_contact_rec_kind(cf) >= 0)
            contacts_warm_cf(s, cf, &bytes_left);
    return state_contact_table_whole(s->contacts);
}

/* After a successful write, the sealed batch's values are the committed ones: make them
 * the contact table's (one write per record the batch changed): the op log's, and the
 * instances a restore put in the pending map. While the table is the records' home, what
 * it does not keep is folded into the unwritten log: 0 when that runs out of memory. */
static int contacts_fill(state_store_t *s) {
    size_t ckey_len;
    uint16_t rec;
    const state_pending_t *b = &s->sealed;
    if (!s->contacts)
        return 1;
    assert(s->sealed_on && !b->ops_lost);
    if (s->contacts_stale) { /* a restore wrote around the pending batch */
        state_contact_table_clear(s->contacts);
        s->contacts_stale = false;
    }
    for (size_t i = 0; i < b->ops_count; i++) {
        const pending_op_t *op = &b->ops[i];
        bool put = op->kind == PENDING_OP_PUT;
        bool kept = write_rec(s, op->cf, op->key, op->key_len, op->contact_len, &ckey_len,
                              &rec) &&
                    state_contact_table_put_committed(s->contacts, op->key, ckey_len, rec,
                                                      put ? op->value : NULL,
                                                      put ? op->value_len : 0);
        if (!kept && s->contacts_home && op->kind != PENDING_OP_NONE)
            (void)state_pending_op_fold(&s->unwritten, op);
    }
    for (size_t i = 0; b->map_count && i < b->map_capacity; i++) {
        const pending_entry_t *e = &b->map[i];
        if (e->key && e->key_len > 2 && ((e->key[0] << 8) | e->key[1]) < STATE_PARTITIONS_MAX &&
            write_rec(s, CF_INSTANCES, e->key, e->key_len, 0, &ckey_len, &rec))
            state_contact_table_put(s->contacts, e->key, ckey_len, rec, e->value, e->value_len);
    }
    return !s->unwritten.ops_lost;
}

/* Write what the batch commits: with a restore's writes in the store's batch, the
 * unwritten writes first (they are older), then those writes with every offset; else
 * begin a checkpoint when one is due. */
static sy_err_t commit_write(state_store_t *s, bool around, char *errbuf, size_t errbuf_size) {
    char *rerr = NULL;
    assert(!s->write_failed[0]);
    if (!around)
        return state_store_checkpoint_due(s)
                   ? state_store_checkpoint_begin(s, true, errbuf, errbuf_size)
                   : SY_OK;
    sy_err_t err = state_store_checkpoint(s, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    state_store_changelog_offsets_fill(s, s->batch);
    rocksdb_write(s->db, s->write_options, s->batch, &rerr);
    if (!rerr)
        return SY_OK;
    err = state_store_rocks_error(rerr, errbuf, errbuf_size, "write batch");
    snprintf(s->write_failed, sizeof s->write_failed, "%s", errbuf);
    return err;
}

sy_err_t state_store_seal(state_store_t *s, char *errbuf, size_t errbuf_size) {
    assert(s && !s->sealed_on && !s->sealed.ops_count && !s->sealed.map_count);
    state_store_stream_times_write(s);
    if (s->pending.ops_lost) {
        snprintf(errbuf, errbuf_size, "state store: out of memory for the pending batch");
        return SY_ERR_NOMEM;
    }
    state_pending_t empty = s->sealed; /* reset: its memory serves the next batch */
    s->sealed = s->pending;
    s->pending = empty;
    s->sealed_on = true;
    for (int32_t i = 0; i < s->partitions_hi; i++) {
        if (s->stream_time_state[i] == 2)
            s->stream_time_state[i] = 4;
    }
    state_store_timer_queues_seal(s);
    return SY_OK;
}

bool state_store_sealed(const state_store_t *s) {
    assert(s);
    return s->sealed_on;
}

sy_err_t state_store_commit_sealed(state_store_t *s, char *errbuf, size_t errbuf_size) {
    assert(s && s->sealed_on && !s->sealed.ops_lost);
    /* The level is per thread: set it on the thread that writes. */
    rocksdb_set_perf_level(rocksdb_disable);
    if (s->write_failed[0]) {
        batches_drop(s);
        snprintf(errbuf, errbuf_size, "%s (an earlier write failed; nothing written since)",
                 s->write_failed);
        return SY_ERR_STATE;
    }
    bool around = rocksdb_writebatch_count(s->batch) > 0; /* a restore's writes */
    if (!state_store_unwritten_take(s)) {
        batches_drop(s);
        snprintf(errbuf, errbuf_size, "state store: out of memory for unwritten writes");
        snprintf(s->write_failed, sizeof s->write_failed, "%s", errbuf);
        return SY_ERR_NOMEM;
    }
    state_store_changelog_offsets_commit(s);
    sy_err_t err = commit_write(s, around, errbuf, errbuf_size);
    if (err != SY_OK) {
        batches_drop(s);
        return err;
    }
    if (!contacts_fill(s)) { /* committed, but what the table lets go of is lost */
        snprintf(errbuf, errbuf_size, "state store: out of memory for unwritten writes");
        snprintf(s->write_failed, sizeof s->write_failed, "%s", errbuf);
        batches_drop(s);
        return SY_ERR_NOMEM;
    }
    state_store_timer_queues_commit(s);
    sealed_reset(s);
    return SY_OK;
}

sy_err_t state_store_commit(state_store_t *s, char *errbuf, size_t errbuf_size) {
    sy_err_t err;
    assert(s);
    if (s->sealed_on && (err = state_store_commit_sealed(s, errbuf, errbuf_size)) != SY_OK)
        return err;
    if ((err = state_store_seal(s, errbuf, errbuf_size)) != SY_OK) {
        batches_drop(s);
        return err;
    }
    return state_store_commit_sealed(s, errbuf, errbuf_size);
}

void state_store_abort(state_store_t *s) {
    assert(s);
    batches_drop(s);
}
