/* test_state_cache.c — unit tests of the store's cache of committed instances (the
 * contact table, state_contact_table.h) in front of RocksDB: committed values hit,
 * aborted ones never show, absent entries give way to a put, and a store without a cache
 * answers exactly as one with a cache and one that evicts; a new store's table answers
 * absences itself, one reopened over records asks RocksDB unless warmed with them.
 * In-memory RocksDB but for the reopens. The table on its own:
 * test_state_contact_table.c; the store's other parts: test_state_store.c. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "state_store_int.h"
#include "tmpdir.h"

/* A realistic event time: 2024-10-01T09:00:00Z. */
#define T0_MS 1727773200000LL
/* A budget that holds a few thousand entries, so tests can fill it many times over. */
#define SMALL_BUDGET_BYTES (256 * 1024)

static char errbuf[1024];

static state_store_t *open_mem(const char *name, size_t cache_bytes) {
    state_store_t *s = NULL;
    errbuf[0] = '\0';
    sy_err_t err = state_store_open(&s, name, true, cache_bytes, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s, cache %zu) returned %d; errbuf: %s", name,
              cache_bytes, err, errbuf);
    return s;
}

static void commit_ok(state_store_t *s) {
    sy_err_t err = state_store_commit(s, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_commit returned %d; errbuf: %s", err, errbuf);
}

static state_cache_stats_t stats_of(state_store_t *s) {
    state_cache_stats_t st;
    state_store_cache_stats_get(s, &st);
    return st;
}

static state_instance_t instance_at(uint16_t node, uint32_t occurrence) {
    return (state_instance_t){.status = STATE_INSTANCE_ACTIVE,
                              .node = node,
                              .journey_version = 2,
                              .occurrence = occurrence,
                              .entered_at_ms = T0_MS,
                              .node_entered_at_ms = T0_MS + node * 1000,
                              .seen_mask = 1u << node % 32};
}

/* The node of contact's instance in journey, or -1 when it has none. */
static int node_of(state_store_t *s, const char *contact, const char *journey) {
    state_instance_t got;
    sy_err_t err = state_store_instance_get(s, 0, contact, journey, &got, errbuf,
                                            sizeof errbuf);
    if (err == SY_ERR_NOT_FOUND)
        return -1;
    cr_assert(eq(int, err, SY_OK), "instance_get(%s, %s) returned %d; %s", contact, journey, err,
              errbuf);
    return got.node;
}

static void put_ok(state_store_t *s, const char *contact, const char *journey, uint16_t node) {
    state_instance_t in = instance_at(node, 1);
    sy_err_t err = state_store_instance_put(s, 0, contact, journey, &in);
    cr_assert(eq(int, err, SY_OK), "instance_put(%s, %s) returned %d", contact, journey, err);
}

/* ---- the cache in front of RocksDB ---- */

Test(state_cache, committed_instance_is_read_from_the_cache) {
    state_store_t *s = open_mem("cache-hit", STATE_CACHE_BYTES_DEFAULT);
    put_ok(s, "c1", "promo", 4);
    commit_ok(s);
    cr_assert(eq(int, node_of(s, "c1", "promo"), 4));
    cr_assert(eq(int, node_of(s, "c1", "promo"), 4));
    state_cache_stats_t st = stats_of(s);
    cr_assert(eq(u64, st.hits, 2), "cache hits %llu, want 2", (unsigned long long)st.hits);
    cr_assert(eq(u64, st.misses, 0), "cache misses %llu, want 0", (unsigned long long)st.misses);
    state_store_close(s);
}

Test(state_cache, aborted_values_are_never_visible) {
    state_store_t *s = open_mem("cache-abort", STATE_CACHE_BYTES_DEFAULT);
    put_ok(s, "c1", "promo", 1);
    commit_ok(s);
    cr_assert(eq(int, node_of(s, "c1", "promo"), 1));  /* cached */
    cr_assert(eq(int, node_of(s, "c2", "promo"), -1)); /* cached as absent */
    put_ok(s, "c1", "promo", 7);
    put_ok(s, "c2", "promo", 8);
    cr_assert(eq(int, node_of(s, "c1", "promo"), 7), "the pending batch is read first");
    state_store_abort(s);
    cr_assert(eq(int, node_of(s, "c1", "promo"), 1), "an aborted value is visible");
    cr_assert(eq(int, node_of(s, "c2", "promo"), -1), "an aborted instance is visible");
    commit_ok(s); /* an empty commit after the abort writes nothing */
    cr_assert(eq(int, node_of(s, "c1", "promo"), 1), "an aborted value came back at commit");
    cr_assert(eq(int, node_of(s, "c2", "promo"), -1), "an aborted instance came back at commit");
    state_store_close(s);
}

Test(state_cache, cached_absence_gives_way_to_a_committed_put) {
    state_store_t *s = open_mem("cache-absent", STATE_CACHE_BYTES_DEFAULT);
    cr_assert(eq(int, node_of(s, "new", "promo"), -1));
    cr_assert(eq(int, node_of(s, "new", "promo"), -1));
    state_cache_stats_t st = stats_of(s);
    /* A new store's table is whole: it knows the absence without asking RocksDB. */
    cr_assert(eq(u64, st.absent_hits, 2), "absent hits %llu, want 2",
              (unsigned long long)st.absent_hits);
    cr_assert(eq(u64, st.misses, 0), "a new store asked RocksDB %llu times",
              (unsigned long long)st.misses);
    put_ok(s, "new", "promo", 3);
    commit_ok(s);
    cr_assert(eq(int, node_of(s, "new", "promo"), 3), "the cached absence outlived a put");
    state_store_close(s);
}

/* One step of a scripted workload: what a read returned, for comparing stores. */
static int script_step(state_store_t *s, uint32_t *rng, int step) {
    char contact[32];
    *rng = *rng * 1103515245u + 12345u;
    uint32_t r = *rng >> 8;
    snprintf(contact, sizeof contact, "contact-%05u", (unsigned)(r % 5000));
    const char *journey = (r >> 13) & 1 ? "email_promo" : "push_promo_with_longer_id";
    switch ((r >> 14) % 8) {
    case 0:
    case 1:
        put_ok(s, contact, journey, (uint16_t)(step % 1000));
        return 0;
    case 2:
        if (step % 7 == 0)
            state_store_abort(s);
        else
            commit_ok(s);
        return 0;
    default:
        return node_of(s, contact, journey);
    }
}

Test(state_cache, a_store_answers_the_same_with_a_cache_an_evicting_one_and_none) {
    state_store_t *big = open_mem("cache-same-big", STATE_CACHE_BYTES_DEFAULT);
    state_store_t *small = open_mem("cache-same-small", SMALL_BUDGET_BYTES);
    state_store_t *none = open_mem("cache-same-none", 0);
    cr_assert_null(none->contacts, "a 0-byte cache was made");
    uint32_t rng_big = 7, rng_small = 7, rng_none = 7;
    for (int step = 0; step < 60000; step++) {
        int want = script_step(none, &rng_none, step);
        int got_big = script_step(big, &rng_big, step);
        int got_small = script_step(small, &rng_small, step);
        cr_assert(eq(int, got_big, want), "step %d: cached store read %d, uncached %d", step,
                  got_big, want);
        cr_assert(eq(int, got_small, want), "step %d: evicting store read %d, uncached %d", step,
                  got_small, want);
    }
    state_cache_stats_t st = stats_of(small);
    cr_assert_gt(st.evictions, 0, "the small cache never evicted");
    cr_assert_leq(st.bytes, SMALL_BUDGET_BYTES, "small cache holds %zu bytes", st.bytes);
    st = stats_of(big);
    cr_assert_gt(st.hits + st.absent_hits, 0, "the cache never answered");
    state_store_close(big);
    state_store_close(small);
    state_store_close(none);
}

/* ---- a whole table (a new store) and one that is not ---- */

static char tmp_root[64];

static void dir_remove(void) {
    if (tmp_root[0])
        tmpdir_remove(tmp_root);
    tmp_root[0] = '\0';
}

static state_store_t *open_dir(size_t cache_bytes) {
    state_store_t *s = NULL;
    sy_err_t err = state_store_open(&s, tmp_root, false, cache_bytes, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s) returned %d; errbuf: %s", tmp_root, err,
              errbuf);
    return s;
}

static void dir_make(void) {
    snprintf(tmp_root, sizeof tmp_root, "/tmp/sy-cache-test-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp failed");
}

/* A store in tmp_root holding contacts kept-0000.. (node i % 1000 in promo), closed. */
static void dir_fill(int contacts) {
    char contact[32];
    state_store_t *s = open_dir(STATE_CACHE_BYTES_DEFAULT);
    for (int i = 0; i < contacts; i++) {
        snprintf(contact, sizeof contact, "kept-%04d", i);
        put_ok(s, contact, "promo", (uint16_t)(i % 1000));
    }
    commit_ok(s);
    state_store_close(s);
}

Test(state_cache, a_store_reopened_over_records_reads_them_from_rocksdb, .fini = dir_remove) {
    dir_make();
    dir_fill(100);
    state_store_t *s = open_dir(STATE_CACHE_BYTES_DEFAULT);
    cr_assert(not(state_store_contacts_warm(s, 0)), "a warm of 0 bytes read the records");
    cr_assert(eq(int, node_of(s, "kept-0042", "promo"), 42), "a record on disk was lost");
    cr_assert(eq(int, node_of(s, "other", "promo"), -1));
    cr_assert(eq(int, node_of(s, "other", "promo"), -1));
    state_cache_stats_t st = stats_of(s);
    cr_assert(eq(u64, st.misses, 2), "misses %llu, want 2: the table is not whole over records",
              (unsigned long long)st.misses);
    cr_assert(eq(u64, st.absent_hits, 1), "absence was not cached");
    state_store_close(s);
}

Test(state_cache, a_store_reopened_and_warmed_answers_from_its_table, .fini = dir_remove) {
    dir_make();
    dir_fill(100);
    state_store_t *s = open_dir(STATE_CACHE_BYTES_DEFAULT);
    cr_assert(state_store_contacts_warm(s, SIZE_MAX), "the records did not fill the table");
    cr_assert(eq(int, node_of(s, "kept-0042", "promo"), 42), "a record on disk was lost");
    cr_assert(eq(int, node_of(s, "kept-0099", "promo"), 99), "a record on disk was lost");
    cr_assert(eq(int, node_of(s, "other", "promo"), -1));
    state_cache_stats_t st = stats_of(s);
    cr_assert(eq(u64, st.misses, 0), "misses %llu, want 0: the table was filled",
              (unsigned long long)st.misses);
    put_ok(s, "later", "promo", 7); /* it stays whole through commits */
    commit_ok(s);
    cr_assert(eq(int, node_of(s, "later", "promo"), 7));
    cr_assert(eq(int, node_of(s, "other", "promo"), -1));
    cr_assert(eq(u64, stats_of(s).misses, 0), "a commit made the table ask RocksDB");
    state_store_close(s);
}

Test(state_cache, a_store_reopened_over_more_than_its_table_reads_rocksdb,
     .fini = dir_remove) {
    dir_make();
    dir_fill(5000);
    state_store_t *s = open_dir(SMALL_BUDGET_BYTES / 4); /* less than twice the records */
    cr_assert(not(state_store_contacts_warm(s, SIZE_MAX)), "more records than fit warmed");
    cr_assert(eq(int, node_of(s, "kept-0042", "promo"), 42), "a record on disk was lost");
    cr_assert(eq(int, node_of(s, "kept-4999", "promo"), 999), "a record on disk was lost");
    cr_assert(eq(int, node_of(s, "other", "promo"), -1));
    state_cache_stats_t st = stats_of(s);
    cr_assert_gt(st.misses, 0, "the table is not whole, yet RocksDB was never asked");
    cr_assert(eq(int, node_of(s, "other", "promo"), -1));
    cr_assert(eq(u64, stats_of(s).misses, st.misses), "absence was not cached");
    state_store_close(s);
}

Test(state_cache, a_new_store_that_evicted_reads_evicted_records_from_rocksdb) {
    state_store_t *s = open_mem("cache-whole-evicts", SMALL_BUDGET_BYTES);
    char contact[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(contact, sizeof contact, "contact-%05d", i);
        put_ok(s, contact, "promo", (uint16_t)(i % 1000));
        if (i % 100 == 99)
            commit_ok(s);
    }
    commit_ok(s);
    cr_assert_gt(stats_of(s).evictions, 0, "the small table never evicted");
    for (int i = 0; i < 20000; i += 997) {
        snprintf(contact, sizeof contact, "contact-%05d", i);
        cr_assert(eq(int, node_of(s, contact, "promo"), i % 1000),
                  "%s: an evicted record was taken as absent", contact);
    }
    cr_assert_gt(stats_of(s).misses, 0, "no evicted record was read from RocksDB");
    state_store_close(s);
}
