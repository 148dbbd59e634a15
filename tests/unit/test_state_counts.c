/* test_state_counts.c — unit tests of the counts column family (state_counts.c): a count
 * reads through the pending batch, is gone after an abort, commits, and goes through the
 * changelog (op log → apply into another store) with its value and labels intact, as a
 * restore brings back the live counts; malformed count records are refused. In-memory
 * RocksDB. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <string.h>

#include "state_store.h"

static char errbuf[1024];

static state_store_t *open_mem(const char *name) {
    state_store_t *s = NULL;
    sy_err_t err = state_store_open(&s, name, true, 0, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s): %s", name, errbuf);
    return s;
}

static int64_t count_of(state_store_t *s, int32_t partition, uint64_t id) {
    int64_t count = -999;
    sy_err_t err = state_store_count_get(s, partition, id, &count, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_count_get: %s", errbuf);
    return count;
}

/* One op of the pending batch, copied, as the runner would produce it. */
typedef struct op_copy {
    state_changelog_cf_t cf;
    uint8_t key[64];
    size_t key_len;
    uint8_t value[256];
    size_t value_len;
} op_copy_t;

typedef struct ops {
    size_t count;
    op_copy_t items[8];
} ops_t;

static sy_err_t collect(void *ctx, state_changelog_cf_t cf, int32_t partition,
                        const uint8_t *key, size_t key_len, const uint8_t *value,
                        size_t value_len) {
    ops_t *o = ctx;
    (void)partition;
    cr_assert(o->count < 8 && key_len <= 64 && value && value_len <= 256);
    op_copy_t *c = &o->items[o->count++];
    *c = (op_copy_t){.cf = cf, .key_len = key_len, .value_len = value_len};
    memcpy(c->key, key, key_len);
    memcpy(c->value, value, value_len);
    return SY_OK;
}

typedef struct seen {
    int count;
    int64_t value;
    uint64_t id;
    char labels[64];
} seen_t;

static int visit(void *ctx, int32_t partition, uint64_t id, int64_t count,
                 const uint8_t *labels, size_t labels_len) {
    seen_t *s = ctx;
    cr_assert(eq(int, partition, 3));
    cr_assert(labels_len < sizeof s->labels);
    s->count++;
    s->value = count;
    s->id = id;
    memcpy(s->labels, labels, labels_len);
    s->labels[labels_len] = '\0';
    return 0;
}

Test(state_counts, a_count_reads_through_the_pending_batch_and_an_abort_drops_it) {
    state_store_t *s = open_mem("counts-pending");
    cr_expect(eq(i64, count_of(s, 3, 42), 0), "no count reads as 0");
    cr_assert(eq(int, state_store_count_put(s, 3, 42, 7, "n", 1), SY_OK));
    cr_expect(eq(i64, count_of(s, 3, 42), 7), "the pending value");
    state_store_abort(s);
    cr_expect(eq(i64, count_of(s, 3, 42), 0), "dropped with the batch");
    cr_assert(eq(int, state_store_count_put(s, 3, 42, -2, "n", 1), SY_OK));
    cr_assert(eq(int, state_store_commit(s, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_expect(eq(i64, count_of(s, 3, 42), -2), "committed, negative kept");
    cr_expect(eq(i64, count_of(s, 4, 42), 0), "another partition has its own");
    state_store_close(s);
}

Test(state_counts, changelog_round_trip_gives_the_same_count_and_labels) {
    static const char labels[] = "\001journey\0" "1\0from\0to\0path";
    state_store_t *src = open_mem("counts-src"), *dst = open_mem("counts-dst");
    ops_t ops = {0};
    cr_assert(eq(int, state_store_count_put(src, 3, 0x1122334455667788u, 5, labels,
                                            sizeof labels), SY_OK));
    cr_assert(eq(int, state_store_count_put(src, 3, 0x1122334455667788u, 9, labels,
                                            sizeof labels), SY_OK));
    cr_assert(eq(int, state_store_pending_each(src, collect, &ops), SY_OK));
    cr_assert(eq(sz, ops.count, 1), "one key written twice is one op");
    cr_expect(eq(int, ops.items[0].cf, STATE_CHANGELOG_CF_COUNTS));
    cr_expect(eq(int, STATE_CHANGELOG_CF_COUNTS, 6), "the code on the wire");
    sy_err_t err = state_store_changelog_apply(dst, ops.items[0].cf, ops.items[0].key,
                                               ops.items[0].key_len, ops.items[0].value,
                                               ops.items[0].value_len, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "apply: %s", errbuf);
    cr_assert(eq(int, state_store_commit(dst, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    seen_t seen = {0};
    cr_assert(eq(int, state_store_counts_scan(dst, 3, visit, &seen, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_expect(eq(int, seen.count, 1));
    cr_expect(eq(i64, seen.value, 9), "the last value of the batch");
    cr_expect(eq(u64, seen.id, 0x1122334455667788u));
    cr_expect(eq(int, memcmp(seen.labels, labels, sizeof labels), 0), "labels intact");
    state_store_close(src);
    state_store_close(dst);
}

Test(state_counts, malformed_count_records_are_refused) {
    state_store_t *s = open_mem("counts-refuse");
    const uint8_t key[] = {0, 3, 1, 2, 3, 4, 5, 6, 7, 8};
    const uint8_t short_value[] = {1, 0, 0};
    sy_err_t err = state_store_changelog_apply(s, STATE_CHANGELOG_CF_COUNTS, key, sizeof key,
                                               short_value, sizeof short_value, errbuf,
                                               sizeof errbuf);
    cr_expect(eq(int, err, SY_ERR_INVALID_ARG), "a value without its count: %d", err);
    err = state_store_changelog_apply(s, STATE_CHANGELOG_CF_COUNTS, key, 5, NULL, 0, errbuf,
                                      sizeof errbuf);
    cr_expect(eq(int, err, SY_ERR_INVALID_ARG), "a key without its id: %d", err);
    state_store_close(s);
}
