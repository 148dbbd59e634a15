/* state_writeback.c — committed writes kept in memory and written to RocksDB together
 * every few commits: RocksDB is a checkpoint behind the changelog. Each committed batch's
 * op log joins the unwritten writes (one final write per key, so a key written in many
 * batches is written once); a checkpoint hands them, with the changelog offset each
 * partition's state then reflects, to the background writer (state_writer.c) while the
 * next batches are processed. Point reads look at the unwritten writes, then at those
 * being written (past a key filter per log, with one hash for both), then at RocksDB;
 * anything that iterates RocksDB waits for a checkpoint first. A crash loses only what
 * the changelog holds. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_codec.h"
#include "state_store_int.h"

/* Unwritten writes that make a checkpoint due whatever the batch count: bounds the memory
 * they hold (a few hundred bytes each) and the length of one write. */
#define WRITEBACK_OPS_MAX (256u * 1024)
_Static_assert(WRITEBACK_OPS_MAX * 8 <= (1u << STATE_WRITEBACK_KEY_FILTER_LOG2),
               "the write-back logs' key filters stay at most 1/8 full");

void state_store_checkpoint_every(state_store_t *s, unsigned batches) {
    assert(s);
    s->checkpoint_batches = batches ? batches : 1;
}

/* state_store_unwritten_get of a key whose contact part is its first contact_len bytes
 * (0: not known). */
static const pending_op_t *unwritten_get(state_store_t *s, int cf, const uint8_t *key,
                                         size_t key_len, size_t contact_len) {
    assert(s && cf >= 0 && cf < CF__COUNT);
    if (key_len < 2 || (!s->unwritten.ops_count && !s->writing.ops_count))
        return NULL;
    /* The filters' bits, set at the first read (the writer only reads writing's ops). */
    if (s->unwritten.key_filter_off)
        state_pending_key_filter_build(&s->unwritten);
    if (s->writing.key_filter_off)
        state_pending_key_filter_build(&s->writing);
    if (!contact_len)
        contact_len = state_pending_contact_len(key, key_len);
    /* Both logs' filters first (most reads end there), then one hash for both indexes. */
    uint64_t mix = state_pending_key_mix((uint8_t)cf, key, key_len, contact_len);
    bool unwritten = state_pending_key_maybe(&s->unwritten, mix);
    bool writing = state_pending_key_maybe(&s->writing, mix);
    if (!unwritten && !writing)
        return NULL;
    uint64_t hash = state_pending_op_hash((uint8_t)cf, key, key_len);
    const pending_op_t *op =
        unwritten ? state_pending_op_get_hashed(&s->unwritten, hash, (uint8_t)cf, key, key_len)
                  : NULL;
    if (op || !writing)
        return op;
    return state_pending_op_get_hashed(&s->writing, hash, (uint8_t)cf, key, key_len);
}

const pending_op_t *state_store_unwritten_get(state_store_t *s, int cf,
                                              const uint8_t *key, size_t key_len) {
    /* no assert: unwritten_get asserts */
    return unwritten_get(s, cf, key, key_len, 0);
}

const uint8_t *state_store_get_cf_borrowed(state_store_t *s, int cf, const uint8_t *key,
                                           size_t key_len, size_t contact_len, size_t *len,
                                           char **owned, char **rerr) {
    const pending_op_t *op = unwritten_get(s, cf, key, key_len, contact_len);
    assert(len && owned && rerr && contact_len <= key_len);
    *owned = NULL;
    if (!op && !s->db) /* in memory, not open yet: RocksDB holds nothing */
        return NULL;
    if (!op) {
        *owned = rocksdb_get_cf(s->db, s->read_options, s->cf[cf], (const char *)key,
                                key_len, len, rerr);
        return (const uint8_t *)*owned;
    }
    *len = op->kind == PENDING_OP_PUT ? op->value_len : 0;
    return op->kind == PENDING_OP_PUT ? op->value : NULL;
}

char *state_store_get_cf(state_store_t *s, int cf, const uint8_t *key, size_t key_len,
                         size_t *len, char **rerr) {
    char *owned = NULL;
    assert(len && rerr);
    const uint8_t *value =
        state_store_get_cf_borrowed(s, cf, key, key_len, 0, len, &owned, rerr);
    if (!value || owned)
        return owned;
    /* The write-back's bytes: a copy the caller frees with rocksdb_free, as a value
     * RocksDB returned. */
    char *copy = malloc(*len ? *len : 1);
    if (!copy) {
        *len = 0;
        *rerr = strdup("out of memory");
        return NULL;
    }
    memcpy(copy, value, *len);
    return copy;
}

int state_store_unwritten_take(state_store_t *s) {
    assert(s && s->sealed_on && !s->sealed.ops_lost);
    s->checkpoint_batches_since++;
    /* The table the records' home and not outgrown, and no checkpoint due even if every
     * op were folded: the commit folds what the table does not keep (contacts_fill). */
    if (s->contacts_home && !s->contacts_home_outgrown && !state_store_checkpoint_due(s) &&
        s->unwritten.ops_count + s->sealed.ops_count < WRITEBACK_OPS_MAX)
        return !s->unwritten.ops_lost;
    state_contacts_home_leave(s);
    return state_pending_ops_fold(&s->unwritten, &s->sealed);
}

bool state_store_checkpoint_due(const state_store_t *s) {
    assert(s);
    return s->checkpoint_batches_since >= s->checkpoint_batches ||
           s->unwritten.ops_count >= WRITEBACK_OPS_MAX;
}

/* Offset sets: each partition's offset at most once, -1 where none is set. */
static void offsets_put(state_offsets_t *o, int32_t partition, int64_t offset) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX && offset >= 0);
    if (o->value[partition] < 0)
        o->list[o->count++] = partition;
    o->value[partition] = offset;
}

/* Every offset of from into to (later ones win), and from emptied. */
static void offsets_move(state_offsets_t *to, state_offsets_t *from) {
    assert(to != from);
    for (size_t i = 0; i < from->count; i++)
        offsets_put(to, from->list[i], from->value[from->list[i]]);
    state_offsets_clear(from);
}

/* Wait until the writer wrote what it was handed: that is RocksDB's now, so forget it.
 * Its failure becomes the store's (no write is tried after it). */
static sy_err_t writer_settle(state_store_t *s, char *errbuf, size_t errbuf_size) {
    assert(s->writer);
    sy_err_t err = state_writer_wait(s->writer, errbuf, errbuf_size);
    if (err != SY_OK) {
        snprintf(s->write_failed, sizeof s->write_failed, "%s", errbuf);
        return err;
    }
    state_pending_reset(&s->writing);
    state_offsets_clear(&s->offsets_writing);
    return SY_OK;
}

sy_err_t state_store_checkpoint_begin(state_store_t *s, bool with_offsets, char *errbuf,
                                      size_t errbuf_size) {
    assert(s && !s->unwritten.ops_lost);
    sy_err_t opened = state_store_rocks(s, errbuf, errbuf_size);
    if (opened != SY_OK)
        return opened;
    if (s->write_failed[0]) {
        snprintf(errbuf, errbuf_size, "%s (an earlier write failed; nothing written since)",
                 s->write_failed);
        return SY_ERR_STATE;
    }
    assert(s->writer); /* a store without one (read-only, or its open failed) is refused */
    sy_err_t err = writer_settle(s, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    state_pending_t handed = s->unwritten; /* the two logs trade places: no copy */
    s->unwritten = s->writing;
    s->writing = handed;
    if (with_offsets)
        offsets_move(&s->offsets_writing, &s->offsets_unwritten);
    s->checkpoint_batches_since = 0;
    state_writer_hand(s->writer, &s->writing, &s->offsets_writing);
    return SY_OK;
}

sy_err_t state_store_checkpoint(state_store_t *s, char *errbuf, size_t errbuf_size) {
    assert(s);
    sy_err_t opened = state_store_rocks(s, errbuf, errbuf_size);
    if (opened != SY_OK)
        return opened;
    if (!s->writer && s->write_failed[0]) { /* its RocksDB did not open */
        snprintf(errbuf, errbuf_size, "%s", s->write_failed);
        return SY_ERR_STATE;
    }
    if (!s->writer) /* read-only: nothing of its own to write */
        return SY_OK;
    if (s->unwritten.ops_lost) {
        snprintf(errbuf, errbuf_size, "state store: out of memory for unwritten writes");
        return SY_ERR_NOMEM;
    }
    /* A restore's writes wait in the batch: offsets that may count them wait with them. */
    bool with_offsets = rocksdb_writebatch_count(s->batch) == 0;
    sy_err_t err = SY_OK;
    if (s->unwritten.ops_count || (with_offsets && s->offsets_unwritten.count))
        err = state_store_checkpoint_begin(s, with_offsets, errbuf, errbuf_size);
    return err == SY_OK ? writer_settle(s, errbuf, errbuf_size) : err;
}

sy_err_t state_store_iterator_open(state_store_t *s, int cf, const rocksdb_readoptions_t *ro,
                                   rocksdb_iterator_t **out, char *errbuf, size_t errbuf_size) {
    assert(s && cf >= 0 && cf < CF__COUNT && out);
    sy_err_t err = state_store_checkpoint(s, errbuf, errbuf_size);
    if (err != SY_OK) /* iterators read RocksDB: it must hold every commit */
        return err;
    assert(s->cf[cf]); /* a missing family is the caller's to skip */
    *out = rocksdb_create_iterator_cf(s->db, ro ? ro : s->read_options, s->cf[cf]);
    return SY_OK;
}

sy_err_t state_store_changelog_offset_get(state_store_t *s, int32_t partition,
                                          int64_t *offset, char *errbuf, size_t errbuf_size) {
    uint8_t key[STATE_CODEC_CHECKPOINT_KEY_BYTES];
    char *rerr = NULL;
    size_t len = 0;
    assert(s && offset);
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    /* Committed, not yet in RocksDB: the unwritten offsets, then those being written. */
    int64_t unwritten = s->offsets_unwritten.value[partition];
    *offset = unwritten >= 0 ? unwritten : s->offsets_writing.value[partition];
    if (*offset >= 0)
        return SY_OK;
    if (!s->db) /* in memory, not open yet: no checkpoint */
        return SY_ERR_NOT_FOUND;
    size_t key_len = state_codec_checkpoint_key(key, partition);
    char *value = rocksdb_get_cf(s->db, s->read_options, s->cf[CF_DEFAULT],
                                 (const char *)key, key_len, &len, &rerr);
    if (rerr) {
        snprintf(errbuf, errbuf_size, "state store: read checkpoint: %s", rerr);
        free(rerr);
        return SY_ERR_STATE;
    }
    if (!value)
        return SY_ERR_NOT_FOUND;
    int ok = state_codec_checkpoint_decode((const uint8_t *)value, len, offset);
    rocksdb_free(value);
    if (ok)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "state store: corrupt changelog checkpoint of partition %d",
             (int)partition);
    return SY_ERR_STATE;
}

sy_err_t state_store_changelog_offset_set(state_store_t *s, int32_t partition,
                                          int64_t offset) {
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX || offset < 0)
        return SY_ERR_INVALID_ARG;
    assert(s);
    offsets_put(&s->offsets_pending, partition, offset);
    return SY_OK;
}

void state_store_changelog_offsets_commit(state_store_t *s) {
    assert(s);
    offsets_move(&s->offsets_unwritten, &s->offsets_pending);
}

void state_store_changelog_offsets_fill(state_store_t *s, rocksdb_writebatch_t *wb) {
    assert(s && wb);
    state_writer_offsets_put(wb, s->cf[CF_DEFAULT], &s->offsets_unwritten);
    state_offsets_clear(&s->offsets_unwritten);
}

void state_offsets_init(state_offsets_t *o) {
    assert(o);
    for (size_t p = 0; p < STATE_PARTITIONS_MAX; p++)
        o->value[p] = -1;
    o->count = 0;
}

void state_offsets_clear(state_offsets_t *o) {
    assert(o->count <= STATE_PARTITIONS_MAX);
    for (size_t i = 0; i < o->count; i++)
        o->value[o->list[i]] = -1;
    o->count = 0;
}
