/* state_rocks.c — the store's RocksDB opened: its column families listed, opened and
 * created, read-write (with the writer thread) or read-only, at once on disk or, in
 * memory, at the first checkpoint, iterator or restore that needs it; and RocksDB's errors
 * as the store's. Not the options (state_store.c) nor what is read and written. */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rocksdb/c.h>

#include "state_store_int.h"

sy_err_t state_store_rocks_error(char *err, char *errbuf, size_t errbuf_size, const char *what) {
    assert(what);
    snprintf(errbuf, errbuf_size, "state store: %s: %s", what, err ? err : "unknown error");
    free(err);
    return SY_ERR_STATE;
}

/* Each column family's options: the timers' own, the store's for every other. */
static void store_cf_options(const state_store_t *s, const rocksdb_options_t **out) {
    assert(s->options && s->timer_options);
    for (int cf = 0; cf < CF__COUNT; cf++)
        out[cf] = cf == CF_TIMERS ? s->timer_options : s->options;
}

/* The column families an open of a directory names, in cf order (store_families). */
typedef struct store_families {
    const rocksdb_options_t *cf_options[CF__COUNT]; /* every family's, by cf */
    const char *names[CF__COUNT];
    const rocksdb_options_t *options[CF__COUNT];
    rocksdb_column_family_handle_t *handles[CF__COUNT]; /* the open's, as names */
    int index[CF__COUNT];                               /* the cf of each name */
    int count;
} store_families_t;

/* Into *f, the column families of dir that this store knows. When dir cannot be listed
 * (no store there yet, or the open then says why): all of them when all_unlisted, else
 * the default one alone. */
static void store_families(state_store_t *s, const char *dir, bool all_unlisted,
                           store_families_t *f) {
    size_t listed_count = 0;
    char *lerr = NULL;
    store_cf_options(s, f->cf_options);
    char **listed = rocksdb_list_column_families(s->options, dir, &listed_count, &lerr);
    bool unlisted = lerr || !listed; /* on failure, RocksDB 7.8 returns malloc(0) */
    f->count = 0;
    for (int cf = 0; cf < CF__COUNT; cf++) {
        bool present = unlisted && (all_unlisted || cf == CF_DEFAULT);
        for (size_t i = 0; !unlisted && i < listed_count && !present; i++)
            present = strcmp(listed[i], cf_names[cf]) == 0;
        if (!present)
            continue;
        f->names[f->count] = cf_names[cf];
        f->options[f->count] = f->cf_options[cf];
        f->index[f->count++] = cf;
    }
    assert(f->count <= CF__COUNT);
    if (listed)
        rocksdb_list_column_families_destroy(listed, listed_count);
    free(lerr);
}

/* The open's handles of f, the store's once it opened. */
static void store_families_keep(state_store_t *s, const store_families_t *f) {
    assert(f->count <= CF__COUNT);
    for (int i = 0; s->db && i < f->count; i++)
        s->cf[f->index[i]] = f->handles[i];
}

/* RocksDB 7.8 opening two stores at once races on its options registry (ThreadSanitizer
 * shows it): opens in this process take turns. */
static pthread_mutex_t store_opening = PTHREAD_MUTEX_INITIALIZER;

/* Open dir read-write (creating it when missing) with the column families it has, then
 * create the others, one at a time in cf order: a new store, or one from before a family
 * existed. Why not open naming them all (create_missing_column_families)? RocksDB 7.8
 * rewrites its OPTIONS file, every family in it, and parses it back at each creation and
 * once more at the open's end; naming them all creates them before that last rewrite, which
 * then lists all nine: for a new store 53 family entries written and parsed, 74 M of the
 * open's 88 M instructions. Created after an open with the default family alone, 45. (The
 * C API of 7.8 has no call that creates many at once, with one rewrite.) */
static sy_err_t store_families_open(state_store_t *s, const char *dir, char *errbuf,
                                    size_t errbuf_size) {
    char *rerr = NULL;
    assert(s->options && !s->db && dir);
    store_families_t f;
    pthread_mutex_lock(&store_opening);
    store_families(s, dir, false, &f);
    s->db = rocksdb_open_column_families(s->options, dir, f.count, f.names, f.options,
                                         f.handles, &rerr);
    store_families_keep(s, &f);
    for (int cf = 0; s->db && !rerr && cf < CF__COUNT; cf++) {
        if (!s->cf[cf])
            s->cf[cf] =
                rocksdb_create_column_family(s->db, f.cf_options[cf], cf_names[cf], &rerr);
    }
    pthread_mutex_unlock(&store_opening);
    return rerr ? state_store_rocks_error(rerr, errbuf, errbuf_size, dir) : SY_OK;
}

sy_err_t state_rocks_open(state_store_t *s, const char *dir, char *errbuf,
                          size_t errbuf_size) {
    assert(!s->writer); /* store_families_open asserts the rest */
    sy_err_t err = store_families_open(s, dir, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    if ((err = state_writer_start(&s->writer, s->db, s->write_options, s->cf)) != SY_OK)
        snprintf(errbuf, errbuf_size, "state store: cannot start its writer thread");
    return err;
}

sy_err_t state_rocks_open_read_only(state_store_t *s, const char *dir, char *errbuf,
                                    size_t errbuf_size) {
    char *rerr = NULL;
    assert(s->options && !s->db && dir);
    /* A store written before a column family existed lacks it: open those it has; a
     * missing family reads as empty (its handle stays NULL). */
    store_families_t f;
    store_families(s, dir, true, &f);
    /* A live service's WAL is expected: replay it (read-only) rather than refuse. */
    pthread_mutex_lock(&store_opening);
    s->db = rocksdb_open_for_read_only_column_families(s->options, dir, f.count, f.names,
                                                       f.options, f.handles, 0, &rerr);
    pthread_mutex_unlock(&store_opening);
    store_families_keep(s, &f);
    return s->db ? SY_OK : state_store_rocks_error(rerr, errbuf, errbuf_size, dir);
}

sy_err_t state_store_rocks(state_store_t *s, char *errbuf, size_t errbuf_size) {
    assert(s);
    if (!s->rocks_dir)
        return SY_OK;
    state_contacts_home_leave(s); /* what RocksDB is about to be written from */
    sy_err_t err = state_rocks_open(s, s->rocks_dir, errbuf, errbuf_size);
    free(s->rocks_dir);
    s->rocks_dir = NULL;
    if (err == SY_OK)
        return SY_OK;
    /* A failed open is a failed write: the store takes no commit after it, and reads find
     * nothing in a RocksDB it does not have. */
    snprintf(s->write_failed, sizeof s->write_failed, "%s", errbuf);
    state_writer_stop(s->writer);
    s->writer = NULL;
    for (int cf = 0; cf < CF__COUNT; cf++) {
        if (s->cf[cf])
            rocksdb_column_family_handle_destroy(s->cf[cf]);
        s->cf[cf] = NULL;
    }
    if (s->db)
        rocksdb_close(s->db);
    s->db = NULL;
    return err;
}

