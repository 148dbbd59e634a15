/* state_writer.c — the store's background writer: a thread that writes one checkpoint at
 * a time to RocksDB (a log of committed writes, one per key, and the changelog offsets
 * they reach) while processing goes on. The log and offsets it is handed stay frozen
 * until the next wait returns: the processing thread may read them meanwhile. Not what a
 * checkpoint holds or when one is due (state_writeback.c). */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_codec.h"
#include "state_store_int.h"

struct state_writer {
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    rocksdb_t *db;
    const rocksdb_writeoptions_t *write_options;
    rocksdb_column_family_handle_t *const *cf;
    rocksdb_writebatch_t *batch;
    const state_pending_t *log;       /* being written; NULL when idle */
    const state_offsets_t *offsets;
    bool stop;
    char failure[256]; /* the first failed write's message, "" while none */
};

void state_writer_offsets_put(rocksdb_writebatch_t *wb, rocksdb_column_family_handle_t *cf,
                              const state_offsets_t *offsets) {
    uint8_t key[STATE_CODEC_CHECKPOINT_KEY_BYTES], value[STATE_CODEC_CHECKPOINT_BYTES];
    assert(wb && cf && offsets);
    for (size_t i = 0; i < offsets->count; i++) {
        int32_t p = offsets->list[i];
        size_t key_len = state_codec_checkpoint_key(key, p);
        state_codec_checkpoint_encode(value, offsets->value[p]);
        rocksdb_writebatch_put_cf(wb, cf, (const char *)key, key_len, (const char *)value,
                                  sizeof value);
    }
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

/* The log's writes into the batch in key order (the memtable's skip list then starts each
 * insert from where the previous one ended), then the offsets. */
static void batch_fill(struct state_writer *w, const state_pending_t *log,
                       const state_offsets_t *offsets) {
    const pending_op_t **order = malloc(log->ops_count * sizeof *order + 1);
    for (size_t i = 0; order && i < log->ops_count; i++)
        order[i] = &log->ops[i];
    if (order)
        qsort(order, log->ops_count, sizeof *order, op_order);
    for (size_t i = 0; i < log->ops_count; i++) {
        const pending_op_t *op = order ? order[i] : &log->ops[i];
        assert(op->cf < CF__COUNT);
        if (op->kind == PENDING_OP_PUT)
            rocksdb_writebatch_put_cf(w->batch, w->cf[op->cf], (const char *)op->key,
                                      op->key_len, (const char *)op->value, op->value_len);
        else if (op->kind == PENDING_OP_DELETE)
            rocksdb_writebatch_delete_cf(w->batch, w->cf[op->cf], (const char *)op->key,
                                         op->key_len);
    }
    free(order);
    state_writer_offsets_put(w->batch, w->cf[CF_DEFAULT], offsets);
}

/* Write one checkpoint: the first failure is kept, and nothing is written after it
 * (Debian's RocksDB asserts on a write after a failed one). */
static void checkpoint_write(struct state_writer *w, const state_pending_t *log,
                             const state_offsets_t *offsets) {
    char *rerr = NULL;
    assert(log && offsets);
    rocksdb_writebatch_clear(w->batch);
    batch_fill(w, log, offsets);
    if (rocksdb_writebatch_count(w->batch) > 0)
        rocksdb_write(w->db, w->write_options, w->batch, &rerr);
    rocksdb_writebatch_clear(w->batch);
    if (!rerr)
        return;
    pthread_mutex_lock(&w->mutex);
    snprintf(w->failure, sizeof w->failure, "state store: write checkpoint: %s", rerr);
    pthread_mutex_unlock(&w->mutex);
    free(rerr);
}

static void *writer_main(void *arg) {
    struct state_writer *w = arg;
    assert(w);
    /* RocksDB's perf counters are per thread and on by default: off on this one. */
    rocksdb_set_perf_level(rocksdb_disable);
    pthread_mutex_lock(&w->mutex);
    for (;;) {
        while (!w->log && !w->stop)
            pthread_cond_wait(&w->changed, &w->mutex);
        if (!w->log)
            break; /* stopped with nothing handed */
        const state_pending_t *log = w->log;
        const state_offsets_t *offsets = w->offsets;
        bool failed = w->failure[0] != '\0';
        pthread_mutex_unlock(&w->mutex);
        if (!failed)
            checkpoint_write(w, log, offsets);
        pthread_mutex_lock(&w->mutex);
        w->log = NULL;
        w->offsets = NULL;
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->mutex);
    return NULL;
}

sy_err_t state_writer_start(state_writer_t **out, rocksdb_t *db,
                            const rocksdb_writeoptions_t *write_options,
                            rocksdb_column_family_handle_t *const *cf) {
    assert(out && db && write_options && cf);
    struct state_writer *w = calloc(1, sizeof *w);
    if (!w)
        return SY_ERR_NOMEM;
    *w = (struct state_writer){.db = db, .write_options = write_options, .cf = cf,
                               .batch = rocksdb_writebatch_create()};
    pthread_mutex_init(&w->mutex, NULL);
    pthread_cond_init(&w->changed, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        rocksdb_writebatch_destroy(w->batch);
        pthread_mutex_destroy(&w->mutex);
        pthread_cond_destroy(&w->changed);
        free(w);
        return SY_ERR_NOMEM;
    }
    /* Named before the opener returns, for top -H and ps -T (15 bytes at most); best
     * effort. */
    pthread_setname_np(w->thread, "sy:state-writer");
    *out = w;
    return SY_OK;
}

sy_err_t state_writer_wait(state_writer_t *w, char *errbuf, size_t errbuf_size) {
    assert(w);
    pthread_mutex_lock(&w->mutex);
    while (w->log)
        pthread_cond_wait(&w->changed, &w->mutex);
    sy_err_t err = w->failure[0] ? SY_ERR_STATE : SY_OK;
    if (err != SY_OK)
        snprintf(errbuf, errbuf_size, "%s", w->failure);
    pthread_mutex_unlock(&w->mutex);
    return err;
}

void state_writer_hand(state_writer_t *w, const state_pending_t *log,
                       const state_offsets_t *offsets) {
    assert(w && log && offsets);
    pthread_mutex_lock(&w->mutex);
    assert(!w->log); /* the caller waited */
    w->log = log;
    w->offsets = offsets;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->mutex);
}

void state_writer_stop(state_writer_t *w) {
    /* no assert: NULL (never started) is stopped */
    if (!w)
        return;
    pthread_mutex_lock(&w->mutex);
    while (w->log)
        pthread_cond_wait(&w->changed, &w->mutex);
    w->stop = true;
    pthread_cond_broadcast(&w->changed);
    pthread_mutex_unlock(&w->mutex);
    pthread_join(w->thread, NULL);
    rocksdb_writebatch_destroy(w->batch);
    pthread_mutex_destroy(&w->mutex);
    pthread_cond_destroy(&w->changed);
    free(w);
}
