/* test_state_store_open.c — unit tests of how a state store opens: a new directory gets
 * every column family, and stores written the way earlier versions created them (every
 * family named at the open, or some families missing) open read-write with their records.
 * Not the records' own behaviour: test_state_store.c. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rocksdb/c.h>

#include "state_codec.h"
#include "state_store.h"
#include "tmpdir.h"

/* A realistic event time: 2024-10-01T09:00:00Z. */
#define T0_MS 1727773200000LL

/* The column families a store has, in the order this version creates them. */
static const char *const families[] = {"default", "instances", "timers", "profiles",
                                       "event_ids", "consent", "counts", "leases",
                                       "engagement"};
#define FAMILIES_COUNT (sizeof families / sizeof *families)

static const char contact[] = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f";
static const char journey[] = "coffee_email_promo_2";

static char errbuf[1024];

static state_instance_t instance_at(uint16_t node, int64_t entered_ms) {
    return (state_instance_t){.status = STATE_INSTANCE_ACTIVE,
                              .node = node,
                              .journey_version = 3,
                              .occurrence = 1,
                              .entered_at_ms = entered_ms,
                              .node_entered_at_ms = entered_ms + 90 * 1000};
}

/* state_store_open of dir (on disk, or in memory), with errbuf emptied first. */
static sy_err_t store_open(state_store_t **s, const char *dir, bool in_memory) {
    errbuf[0] = '\0';
    return state_store_open(s, dir, in_memory, STATE_CACHE_BYTES_DEFAULT, errbuf,
                            sizeof errbuf);
}

static void put_commit(state_store_t *s, int32_t partition, const char *id, uint16_t node) {
    state_instance_t instance = instance_at(node, T0_MS);
    sy_err_t err = state_store_instance_put(s, partition, id, journey, &instance);
    cr_assert(eq(int, err, SY_OK), "instance_put(%s) returned %d", id, err);
    err = state_store_commit(s, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "commit returned %d; errbuf: %s", err, errbuf);
}

static void expect_node(state_store_t *s, int32_t partition, const char *id, uint16_t node) {
    state_instance_t got;
    memset(&got, 0, sizeof got);
    sy_err_t err = state_store_instance_get(s, partition, id, journey, &got, errbuf,
                                            sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "instance_get(%d, %s) returned %d, want SY_OK; %s",
              (int)partition, id, err, errbuf);
    cr_assert(eq(u16, got.node, node), "instance of %s at node %u, want %u", id, got.node,
              node);
    cr_assert(eq(i64, got.entered_at_ms, T0_MS), "entered %lld, want %lld",
              (long long)got.entered_at_ms, (long long)T0_MS);
}

/* The directory holds exactly this version's column families, each once. */
static void expect_every_family(const char *dir) {
    rocksdb_options_t *options = rocksdb_options_create();
    size_t count = 0;
    char *rerr = NULL;
    char **listed = rocksdb_list_column_families(options, dir, &count, &rerr);
    cr_assert_null(rerr, "list column families of %s: %s", dir, rerr);
    cr_assert(eq(sz, count, FAMILIES_COUNT), "%s has %zu column families, want %zu", dir,
              count, FAMILIES_COUNT);
    for (size_t f = 0; f < FAMILIES_COUNT; f++) {
        size_t seen = 0;
        for (size_t i = 0; i < count; i++)
            seen += strcmp(listed[i], families[f]) == 0;
        cr_assert(eq(sz, seen, 1), "column family %s listed %zu times, want once",
                  families[f], seen);
    }
    rocksdb_list_column_families_destroy(listed, count);
    rocksdb_options_destroy(options);
}

/* A store made as earlier versions made one: RocksDB opened naming the first count
 * families with create_missing_column_families, and an instance at node 7 of contact on
 * partition 2 written into "instances" in the store's own encoding. */
static void old_store_make(const char *dir, int count) {
    rocksdb_options_t *options = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(options, 1);
    rocksdb_options_set_create_missing_column_families(options, 1);
    rocksdb_options_set_compression(options, rocksdb_lz4_compression);
    const rocksdb_options_t *cf_options[FAMILIES_COUNT];
    rocksdb_column_family_handle_t *handles[FAMILIES_COUNT];
    for (size_t i = 0; i < FAMILIES_COUNT; i++)
        cf_options[i] = options;
    char *rerr = NULL;
    rocksdb_t *db = rocksdb_open_column_families(options, dir, count, families, cf_options,
                                                 handles, &rerr);
    cr_assert_not_null(db, "rocksdb open of %s: %s", dir, rerr ? rerr : "?");
    uint8_t key[STATE_KEY_BYTES_MAX], value[STATE_VALUE_BYTES_MAX];
    state_instance_t instance = instance_at(7, T0_MS);
    size_t key_len = state_codec_instance_key(key, 2, contact, journey);
    size_t value_len = state_codec_instance_encode(value, &instance);
    cr_assert(key_len > 0 && value_len > 0);
    rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
    rocksdb_put_cf(db, wo, handles[1], (const char *)key, key_len, (const char *)value,
                   value_len, &rerr);
    cr_assert_null(rerr, "put: %s", rerr);
    rocksdb_writeoptions_destroy(wo);
    for (int i = 0; i < count; i++)
        rocksdb_column_family_handle_destroy(handles[i]);
    rocksdb_close(db);
    rocksdb_options_destroy(options);
}

/* Close s, then check dir as the user would: it holds every family, and opens again with
 * the instance of id at node on partition (returned open). */
static state_store_t *reopen(state_store_t *s, const char *dir, int32_t partition,
                             const char *id, uint16_t node) {
    state_store_close(s);
    expect_every_family(dir);
    cr_assert(eq(int, store_open(&s, dir, false), SY_OK), "reopen %s: %s", dir, errbuf);
    expect_node(s, partition, id, node);
    return s;
}

/* A store made by old_store_make with its first count families, opened (dir: its path). */
static state_store_t *old_store_open(char *dir, size_t size, const char *name, int count) {
    tmpdir_make(dir, size, name);
    old_store_make(dir, count);
    state_store_t *s = NULL;
    cr_assert(eq(int, store_open(&s, dir, false), SY_OK), "open %s: %s", dir, errbuf);
    expect_node(s, 2, contact, 7);
    return s;
}

Test(state_store_open, a_new_store_has_every_family_and_its_records_survive_reopen) {
    char dir[256], path[300];
    tmpdir_make(dir, sizeof dir, "new-store");
    snprintf(path, sizeof path, "%s/state", dir); /* a directory the open makes */
    state_store_t *s = NULL;
    cr_assert(eq(int, store_open(&s, path, false), SY_OK), "open %s: %s", path, errbuf);
    put_commit(s, 1, "first", 4);
    s = reopen(s, path, 1, "first", 4);
    put_commit(s, 1, "second", 5);
    s = reopen(s, path, 1, "second", 5);
    expect_node(s, 1, "first", 4);
    state_store_close(s);
    cr_assert(eq(int, tmpdir_remove(dir), 0));
}

Test(state_store_open, a_store_made_naming_every_family_at_open_opens_with_its_records) {
    char dir[256];
    state_store_t *s = old_store_open(dir, sizeof dir, "old-every-family",
                                      (int)FAMILIES_COUNT);
    put_commit(s, 2, "later", 9);
    s = reopen(s, dir, 2, contact, 7);
    expect_node(s, 2, "later", 9);
    state_store_close(s);
    cr_assert(eq(int, tmpdir_remove(dir), 0));
}

Test(state_store_open, a_store_without_the_newer_families_gets_them_and_keeps_its_records) {
    char dir[256];
    /* default, instances, timers, profiles: as before event ids were kept */
    state_store_t *s = old_store_open(dir, sizeof dir, "old-four-families", 4);
    state_event_id_t ids[4];
    size_t count = 99;
    sy_err_t err = state_store_event_ids_get(s, 2, contact, ids, &count, errbuf,
                                             sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "event_ids_get: %s", errbuf);
    cr_assert(eq(sz, count, 0), "%zu event ids in a family just created, want 0", count);
    s = reopen(s, dir, 2, contact, 7);
    state_store_close(s);
    cr_assert(eq(int, tmpdir_remove(dir), 0));
}

Test(state_store_open, an_in_memory_store_reads_its_commits_and_a_second_one_starts_empty) {
    state_store_t *s = NULL;
    cr_assert(eq(int, store_open(&s, "open-test", true), SY_OK), "in memory: %s", errbuf);
    put_commit(s, 0, "kept", 3);
    sy_err_t err = state_store_checkpoint(s, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "checkpoint: %s", errbuf);
    put_commit(s, 0, "unwritten", 6);
    expect_node(s, 0, "kept", 3);
    expect_node(s, 0, "unwritten", 6);
    state_store_close(s);

    cr_assert(eq(int, store_open(&s, "open-test", true), SY_OK), "again: %s", errbuf);
    state_instance_t got;
    err = state_store_instance_get(s, 0, "kept", journey, &got, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "a new in-memory store returned %d, want %d",
              err, SY_ERR_NOT_FOUND);
    state_store_close(s);
}
