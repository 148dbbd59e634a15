/* state_writeback.c — committed writes kept in memory and written to RocksDB together
 * every few commits: RocksDB is a checkpoint behind the changelog. Each committed batch's
 * op log joins the unwritten writes (one final write per key, so a key written in many
 * batches is written once); a checkpoint writes them, sorted, in one WriteBatch with the
 * changelog offset each partition's state then reflects. Point reads look here before
 * RocksDB; anything that iterates RocksDB checkpoints first. A crash loses only what the
 * changelog holds. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_codec.h"
#include "state_store_int.h"

/* Third byte of a checkpoint key in the default column family, after the partition:
 * stream times use the bare 2-byte partition key, so the two never meet. */
#define CHANGELOG_CHECKPOINT_TAG 'c'
/* Checkpoint value: a version byte, then the offset as 8 big-endian bytes. */
#define CHANGELOG_CHECKPOINT_BYTES 9

/* Unwritten writes that force a checkpoint whatever the batch count: bounds the memory
 * they hold (a few hundred bytes each). */
#define WRITEBACK_OPS_MAX (256u * 1024)

void state_store_checkpoint_every(state_store_t *s, unsigned batches) {
    assert(s);
    s->checkpoint_batches = batches ? batches : 1;
}

const pending_op_t *state_store_unwritten_get(const state_store_t *s, int cf,
                                              const uint8_t *key, size_t key_len) {
    assert(s && cf >= 0 && cf < CF__COUNT);
    return state_pending_op_get(&s->unwritten, (uint8_t)cf, key, key_len);
}

char *state_store_get_cf(state_store_t *s, int cf, const uint8_t *key, size_t key_len,
                         size_t *len, char **rerr) {
    const pending_op_t *op = state_store_unwritten_get(s, cf, key, key_len);
    assert(len && rerr);
    if (!op)
        return rocksdb_get_cf(s->db, s->read_options, s->cf[cf], (const char *)key, key_len,
                              len, rerr);
    *len = 0;
    if (op->kind != PENDING_OP_PUT)
        return NULL;
    /* The caller frees it with rocksdb_free, as a value RocksDB returned. */
    char *copy = malloc(op->value_len ? op->value_len : 1);
    if (!copy) {
        *rerr = strdup("out of memory");
        return NULL;
    }
    memcpy(copy, op->value, op->value_len);
    *len = op->value_len;
    return copy;
}

int state_store_unwritten_take(state_store_t *s) {
    const state_pending_t *p = &s->pending;
    assert(!p->ops_lost);
    for (size_t i = 0; i < p->ops_count; i++) {
        const pending_op_t *op = &p->ops[i];
        if (op->kind == PENDING_OP_PUT)
            state_pending_op_put(&s->unwritten, op->cf, op->key, op->key_len, op->value,
                                 op->value_len);
        else if (op->kind == PENDING_OP_DELETE)
            state_pending_op_delete(&s->unwritten, op->cf, op->key, op->key_len, 1);
    }
    s->checkpoint_batches_since++;
    return !s->unwritten.ops_lost;
}

bool state_store_checkpoint_due(const state_store_t *s) {
    assert(s);
    return s->unwritten.ops_lost || s->checkpoint_batches_since >= s->checkpoint_batches ||
           s->unwritten.ops_count >= WRITEBACK_OPS_MAX;
}

/* Column family, then RocksDB's bytewise key order. */
static int op_order(const void *a, const void *b) {
    const pending_op_t *x = *(const pending_op_t *const *)a;
    const pending_op_t *y = *(const pending_op_t *const *)b;
    /* no assert: qsort's comparator; each op's cf is asserted when it is written */
    if (x->cf != y->cf)
        return x->cf < y->cf ? -1 : 1;
    int c = memcmp(x->key, y->key, x->key_len < y->key_len ? x->key_len : y->key_len);
    return c ? c : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* The unwritten writes into wb, in key order: the memtable's skip list then starts each
 * insert from where the previous one ended. */
static void unwritten_fill(state_store_t *s, rocksdb_writebatch_t *wb) {
    state_pending_t *u = &s->unwritten;
    const pending_op_t **order = arena_alloc(&u->arena, u->ops_count * sizeof *order + 1);
    for (size_t i = 0; order && i < u->ops_count; i++)
        order[i] = &u->ops[i];
    if (order)
        qsort(order, u->ops_count, sizeof *order, op_order);
    for (size_t i = 0; i < u->ops_count; i++) {
        const pending_op_t *op = order ? order[i] : &u->ops[i];
        assert(op->cf < CF__COUNT);
        if (op->kind == PENDING_OP_PUT)
            rocksdb_writebatch_put_cf(wb, s->cf[op->cf], (const char *)op->key, op->key_len,
                                      (const char *)op->value, op->value_len);
        else if (op->kind == PENDING_OP_DELETE)
            rocksdb_writebatch_delete_cf(wb, s->cf[op->cf], (const char *)op->key,
                                         op->key_len);
    }
}

sy_err_t state_store_checkpoint_write(state_store_t *s, bool with_offsets, char *errbuf,
                                      size_t errbuf_size) {
    char *rerr = NULL;
    assert(s && !s->unwritten.ops_lost);
    if (s->write_failed[0]) {
        snprintf(errbuf, errbuf_size, "%s (an earlier write failed; nothing written since)",
                 s->write_failed);
        return SY_ERR_STATE;
    }
    rocksdb_writebatch_t *wb = s->checkpoint_batch;
    rocksdb_writebatch_clear(wb);
    unwritten_fill(s, wb);
    if (with_offsets)
        state_store_changelog_offsets_fill(s, wb);
    if (rocksdb_writebatch_count(wb) > 0)
        rocksdb_write(s->db, s->write_options, wb, &rerr);
    rocksdb_writebatch_clear(wb);
    if (rerr) {
        snprintf(errbuf, errbuf_size, "state store: write checkpoint: %s", rerr);
        free(rerr);
        snprintf(s->write_failed, sizeof s->write_failed, "%s", errbuf);
        return SY_ERR_STATE;
    }
    state_pending_reset(&s->unwritten);
    s->checkpoint_batches_since = 0;
    return SY_OK;
}

sy_err_t state_store_checkpoint(state_store_t *s, char *errbuf, size_t errbuf_size) {
    assert(s);
    if (!s->unwritten.ops_count && !state_store_changelog_offsets_unwritten(s))
        return SY_OK;
    if (s->unwritten.ops_lost) {
        snprintf(errbuf, errbuf_size, "state store: out of memory for unwritten writes");
        return SY_ERR_NOMEM;
    }
    /* A restore's writes wait in the batch: offsets that may count them wait with them. */
    return state_store_checkpoint_write(s, rocksdb_writebatch_count(s->batch) == 0, errbuf,
                                        errbuf_size);
}

static size_t checkpoint_key(uint8_t *buf, int32_t partition) {
    size_t n = state_codec_meta_key(buf, partition);
    buf[n++] = CHANGELOG_CHECKPOINT_TAG;
    assert(n == 3);
    return n;
}

/* Offset sets: each partition's offset at most once, -1 where none is set. */
static void offsets_put(state_offsets_t *o, int32_t partition, int64_t offset) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX && offset >= 0);
    if (o->value[partition] < 0)
        o->list[o->count++] = partition;
    o->value[partition] = offset;
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

sy_err_t state_store_changelog_offset_get(state_store_t *s, int32_t partition,
                                          int64_t *offset, char *errbuf, size_t errbuf_size) {
    uint8_t key[3];
    char *rerr = NULL;
    size_t len = 0;
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    if (s->offsets_unwritten.value[partition] >= 0) { /* committed, not yet checkpointed */
        *offset = s->offsets_unwritten.value[partition];
        return SY_OK;
    }
    size_t key_len = checkpoint_key(key, partition);
    char *value = rocksdb_get_cf(s->db, s->read_options, s->cf[CF_DEFAULT],
                                 (const char *)key, key_len, &len, &rerr);
    if (rerr) {
        snprintf(errbuf, errbuf_size, "state store: read checkpoint: %s", rerr);
        free(rerr);
        return SY_ERR_STATE;
    }
    if (!value)
        return SY_ERR_NOT_FOUND;
    const uint8_t *v = (const uint8_t *)value;
    int ok = len == CHANGELOG_CHECKPOINT_BYTES && v[0] == STATE_CODEC_VERSION;
    uint64_t u = ok ? state_codec_u64_get(v + 1) : 0;
    rocksdb_free(value);
    if (!ok) {
        snprintf(errbuf, errbuf_size, "state store: corrupt changelog checkpoint of "
                 "partition %d", (int)partition);
        return SY_ERR_STATE;
    }
    *offset = (int64_t)u;
    assert(len == CHANGELOG_CHECKPOINT_BYTES);
    return SY_OK;
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
    for (size_t i = 0; i < s->offsets_pending.count; i++) {
        int32_t p = s->offsets_pending.list[i];
        offsets_put(&s->offsets_unwritten, p, s->offsets_pending.value[p]);
    }
    state_offsets_clear(&s->offsets_pending);
}

bool state_store_changelog_offsets_unwritten(const state_store_t *s) {
    assert(s);
    return s->offsets_unwritten.count > 0;
}

void state_store_changelog_offsets_fill(state_store_t *s, rocksdb_writebatch_t *wb) {
    uint8_t key[3], value[CHANGELOG_CHECKPOINT_BYTES];
    assert(s && wb);
    for (size_t i = 0; i < s->offsets_unwritten.count; i++) {
        int32_t p = s->offsets_unwritten.list[i];
        size_t key_len = checkpoint_key(key, p);
        value[0] = STATE_CODEC_VERSION;
        state_codec_u64_put(value + 1, (uint64_t)s->offsets_unwritten.value[p]);
        rocksdb_writebatch_put_cf(wb, s->cf[CF_DEFAULT], (const char *)key, key_len,
                                  (const char *)value, sizeof value);
    }
    state_offsets_clear(&s->offsets_unwritten);
}
