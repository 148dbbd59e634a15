/* state_timer_marks.c — each partition's timer low-water mark: a key at or before every
 * committed timer of the partition, so a batch's timer iterator seeks there instead of
 * walking the tombstones of every timer fired so far. Marks move only with what a commit
 * wrote; an abort leaves them, a restore forgets them. Not the merge with pending timers
 * (state_timers.c). */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "state_codec.h"
#include "state_store_int.h"

/* The mark of a partition: a key, copied. No mark (NULL) means the partition's start. */
struct state_timer_mark {
    size_t key_len;
    uint8_t key[STATE_KEY_BYTES_MAX];
};

/* Compare (key a) with (key b) as RocksDB's bytewise comparator does. */
int state_timer_key_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
    assert(a != NULL && b != NULL);
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

/* Set partition's mark to key. Without memory the partition keeps no mark: its start. */
static void mark_set(state_store_t *s, int32_t partition, const uint8_t *key, size_t len) {
    assert(len <= STATE_KEY_BYTES_MAX);
    state_timer_mark_t *m = s->timer_marks[partition];
    if (!m && !(m = s->timer_marks[partition] = malloc(sizeof *m)))
        return;
    memcpy(m->key, key, len);
    m->key_len = len;
}

void state_store_timer_mark_forget(state_store_t *s, int32_t partition) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
    free(s->timer_marks[partition]);
    s->timer_marks[partition] = NULL;
}

void state_store_timer_marks_free(state_store_t *s) {
    assert(s != NULL);
    for (int32_t p = 0; p < STATE_PARTITIONS_MAX; p++)
        state_store_timer_mark_forget(s, p);
}

/* With no mark the seek walked from the partition's start: where it landed is the lowest
 * committed timer, and an empty partition's mark is past every real due time (the
 * partition, then due INT64_MAX's 8 bytes): a key a later commit's timers lower. */
static void mark_learn(state_store_t *s, int32_t partition, rocksdb_iterator_t *it) {
    assert(it != NULL && partition >= 0 && partition < STATE_PARTITIONS_MAX);
    size_t len = 0;
    if (rocksdb_iter_valid(it)) {
        const uint8_t *key = (const uint8_t *)rocksdb_iter_key(it, &len);
        mark_set(s, partition, key, len);
        return;
    }
    char *err = NULL;
    rocksdb_iter_get_error(it, &err);
    if (err) { /* the next rocksdb_iter_valid check sees it too: learn nothing */
        free(err);
        return;
    }
    uint8_t end[2 + 8];
    size_t prefix_len = state_codec_meta_key(end, partition);
    memset(end + prefix_len, 0xff, sizeof end - prefix_len);
    mark_set(s, partition, end, sizeof end);
}

rocksdb_iterator_t *state_store_timer_iter_open(state_store_t *s, int32_t partition,
                                                rocksdb_readoptions_t **ro_out) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX && ro_out);
    /* Upper bound: the next partition's first key, so an exhausted partition stops at
     * its end instead of walking the next one's tombstones. The bytes outlive the
     * iterator (they are the store's). */
    uint8_t *bound = s->timer_bounds[partition];
    bound[0] = (uint8_t)((partition + 1) >> 8);
    bound[1] = (uint8_t)(partition + 1);
    rocksdb_readoptions_t *ro = rocksdb_readoptions_create();
    rocksdb_readoptions_set_iterate_upper_bound(ro, (const char *)bound, 2);
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(s->db, ro, s->cf[CF_TIMERS]);
    const state_timer_mark_t *m = s->timer_marks[partition];
    if (m) {
        rocksdb_iter_seek(it, (const char *)m->key, m->key_len);
    } else {
        uint8_t prefix[2];
        size_t len = state_codec_meta_key(prefix, partition);
        rocksdb_iter_seek(it, (const char *)prefix, len);
        mark_learn(s, partition, it);
    }
    *ro_out = ro;
    return it;
}

/* A committed delete of a timer is a fire: the iterator removes committed timers in key
 * order from the mark on, so the largest deleted key is at or before every timer left. */
static void marks_raise(state_store_t *s) {
    for (size_t i = 0; i < s->pending.ops_count; i++) {
        const pending_op_t *op = &s->pending.ops[i];
        if (op->cf != CF_TIMERS || op->kind != PENDING_OP_DELETE)
            continue;
        assert(op->partition >= 0 && op->partition < STATE_PARTITIONS_MAX);
        const state_timer_mark_t *m = s->timer_marks[op->partition];
        /* No mark: a restore forgot it, or it had no memory; the start stays right. */
        if (m && state_timer_key_cmp(op->key, op->key_len, m->key, m->key_len) > 0)
            mark_set(s, op->partition, op->key, op->key_len);
    }
}

/* A committed put below the mark (a timer due before the last fired one) lowers it. */
static void marks_lower(state_store_t *s) {
    for (size_t i = 0; i < s->pending.ops_count; i++) {
        const pending_op_t *op = &s->pending.ops[i];
        if (op->cf != CF_TIMERS || op->kind != PENDING_OP_PUT)
            continue;
        assert(op->partition >= 0 && op->partition < STATE_PARTITIONS_MAX);
        const state_timer_mark_t *m = s->timer_marks[op->partition];
        if (m && state_timer_key_cmp(op->key, op->key_len, m->key, m->key_len) < 0)
            mark_set(s, op->partition, op->key, op->key_len);
    }
}

void state_store_timer_marks_commit(state_store_t *s) {
    assert(!s->pending.ops_lost);
    marks_raise(s);
    marks_lower(s);
}
