/* test_state_changelog.c — unit tests of the state store's changelog side: the op log of
 * the pending batch (each key's final write, in first-write order, reset per batch),
 * the apply of changelog
 * records into another store (the restore), tombstones, the per-partition checkpoint,
 * and records the store refuses. In-memory RocksDB, a temp directory for the reopen
 * test. Not the Kafka side: the integration test test_restore.c covers it. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state_codec.h"
#include "profile_codec.h"
#include "state_store.h"
#include "tmpdir.h"

/* 2024-10-01T09:00:00Z. */
#define T0_MS 1727773200000LL
/* Ops one test collects: a handful per test. */
#define OPS_MAX 64

static char errbuf[1024];
static sy_profile_update_t update; /* large: kept off the stack */

/* A copy of one op, as the runner would produce it to the changelog. */
typedef struct op_copy {
    state_changelog_cf_t cf;
    int32_t partition;
    uint8_t key[512];
    size_t key_len;
    uint8_t value[1024];
    size_t value_len;
    int tombstone;
} op_copy_t;

typedef struct ops {
    size_t count;
    op_copy_t items[OPS_MAX];
} ops_t;

static ops_t ops;

static sy_err_t collect(void *ctx, state_changelog_cf_t cf, int32_t partition,
                        const uint8_t *key, size_t key_len, const uint8_t *value,
                        size_t value_len) {
    ops_t *o = ctx;
    cr_assert_lt(o->count, OPS_MAX, "more than %d ops", OPS_MAX);
    op_copy_t *c = &o->items[o->count++];
    cr_assert_leq(key_len, sizeof c->key, "key of %zu bytes", key_len);
    cr_assert_leq(value_len, sizeof c->value, "value of %zu bytes", value_len);
    *c = (op_copy_t){.cf = cf, .partition = partition, .key_len = key_len,
                     .value_len = value_len, .tombstone = value == NULL};
    memcpy(c->key, key, key_len);
    if (value)
        memcpy(c->value, value, value_len);
    return SY_OK;
}

static void collect_ok(state_store_t *s) {
    memset(&ops, 0, sizeof ops);
    sy_err_t err = state_store_pending_each(s, collect, &ops);
    cr_assert(eq(int, err, SY_OK), "state_store_pending_each returned %d", err);
}

static state_store_t *open_mem(const char *name) {
    state_store_t *s = NULL;
    sy_err_t err = state_store_open(&s, name, true, STATE_CACHE_BYTES_DEFAULT, errbuf,
                                    sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s) returned %d; %s", name, err, errbuf);
    return s;
}

static void commit_ok(state_store_t *s) {
    sy_err_t err = state_store_commit(s, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_commit returned %d; %s", err, errbuf);
}

static state_instance_t instance_at(uint16_t node) {
    return (state_instance_t){.status = STATE_INSTANCE_ACTIVE, .node = node,
                              .journey_version = 2, .occurrence = 1,
                              .entered_at_ms = T0_MS, .node_entered_at_ms = T0_MS + node,
                              .seen_mask = 5};
}

static state_timer_t timer_for(int32_t partition, int64_t due_ms, const char *contact) {
    state_timer_t t = {.partition = partition, .due_ms = due_ms, .node = 3,
                       .node_entered_at_ms = T0_MS};
    snprintf(t.contact_id, sizeof t.contact_id, "%s", contact);
    snprintf(t.journey_id, sizeof t.journey_id, "promo");
    return t;
}

static state_timer_t timer_at(int32_t partition, int64_t due_ms) {
    return timer_for(partition, due_ms, "contact-1");
}

/* Set timer t as the engine does: its instance (at t's node) keeps it as its live timer,
 * and the store queues it. */
static void set_timer(state_store_t *s, const state_timer_t *t) {
    state_instance_t in = {.status = STATE_INSTANCE_ACTIVE, .node = t->node,
                           .journey_version = 2, .occurrence = 1, .entered_at_ms = T0_MS,
                           .node_entered_at_ms = t->node_entered_at_ms,
                           .timer = STATE_INSTANCE_TIMER_ARMED, .timer_due_ms = t->due_ms};
    cr_assert(eq(int, state_store_instance_put(s, t->partition, t->contact_id, t->journey_id,
                                               &in), SY_OK));
    cr_assert(eq(int, state_store_timer_add(s, t), SY_OK));
}

static void profile_set_tier(state_store_t *s, int32_t partition, const char *tier) {
    memset(&update, 0, sizeof update);
    update.contact_id = "contact-1";
    update.updated_at_ms = T0_MS;
    update.set[0].name = "tier";
    update.set[0].value = (sy_value_t){.kind = SY_VALUE_STRING, .u.s = tier};
    update.set_count = 1;
    sy_err_t err = state_store_profile_apply(s, partition, &update, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "profile_apply returned %d; %s", err, errbuf);
}

/* Every kind of write of one batch, on partition 7. */
static void write_batch(state_store_t *s) {
    state_instance_t in = instance_at(1);
    state_timer_t t = timer_at(7, T0_MS + 1000);
    cr_assert(eq(int, state_store_instance_put(s, 7, "contact-1", "promo", &in), SY_OK));
    cr_assert(eq(int, state_store_timer_add(s, &t), SY_OK));
    state_store_stream_time_set(s, 7, T0_MS + 500);
    profile_set_tier(s, 7, "gold");
    state_timer_t due;
    cr_assert(eq(int, state_store_timer_next(s, 7, T0_MS + 2000, &due, errbuf, sizeof errbuf),
              SY_OK), "the timer just added is due: %s", errbuf);
    cr_assert(eq(int, state_store_timer_remove(s, &due), SY_OK));
    in = instance_at(2);
    cr_assert(eq(int, state_store_instance_put(s, 7, "contact-1", "promo", &in), SY_OK));
}

static void apply_all(state_store_t *s, const ops_t *o) {
    for (size_t i = 0; i < o->count; i++) {
        const op_copy_t *c = &o->items[i];
        sy_err_t err = state_store_changelog_apply(s, c->cf, c->key, c->key_len,
                                                   c->tombstone ? NULL : c->value,
                                                   c->value_len, errbuf, sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "apply of op %zu returned %d; %s", i, err, errbuf);
    }
}

/* The stream time comes last: it is written once per batch, when the op log is read.
 * The instance put twice gives one op, its last value; the timer added and removed
 * within the batch gives none. */
Test(state_changelog, op_log_holds_each_written_key_once_with_its_final_write) {
    state_store_t *s = open_mem("changelog-order");
    write_batch(s);
    collect_ok(s);
    const state_changelog_cf_t want[] = {STATE_CHANGELOG_CF_INSTANCES,
                                         STATE_CHANGELOG_CF_PROFILES,
                                         STATE_CHANGELOG_CF_META};
    size_t n = sizeof want / sizeof want[0];
    cr_assert(eq(sz, ops.count, n), "ops: %zu, expected %zu", ops.count, n);
    for (size_t i = 0; i < n; i++) {
        cr_assert(eq(int, ops.items[i].cf, want[i]), "op %zu: cf %d, expected %d", i,
                  ops.items[i].cf, want[i]);
        cr_assert(eq(i32, ops.items[i].partition, 7), "op %zu: partition %d", i,
                  ops.items[i].partition);
        cr_assert(eq(int, ops.items[i].tombstone, 0), "op %zu is a tombstone", i);
        cr_assert(eq(int, ops.items[i].key[0], 0), "op %zu: key does not start with partition", i);
        cr_assert(eq(int, ops.items[i].key[1], 7), "op %zu: key does not start with partition", i);
    }
    state_store_close(s);
}

/* The one op of the instance decodes (through a restore) to the last of three puts. */
Test(state_changelog, key_put_three_times_in_a_batch_is_one_op_with_the_last_value) {
    state_store_t *s = open_mem("changelog-three-puts"), *dst = open_mem("changelog-three");
    for (uint16_t node = 1; node <= 3; node++) {
        state_instance_t in = instance_at(node);
        cr_assert(eq(int, state_store_instance_put(s, 4, "contact-1", "promo", &in), SY_OK));
    }
    state_instance_t got;
    cr_assert(eq(int, state_store_instance_get(s, 4, "contact-1", "promo", &got, errbuf,
                                       sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, got.node, 3), "read before commit: node %u, expected 3", got.node);
    collect_ok(s);
    cr_assert(eq(sz, ops.count, 1), "ops: %zu, expected 1", ops.count);
    cr_assert(eq(int, ops.items[0].cf, STATE_CHANGELOG_CF_INSTANCES), "cf %d", ops.items[0].cf);
    commit_ok(s);
    cr_assert(eq(int, state_store_instance_get(s, 4, "contact-1", "promo", &got, errbuf,
                                       sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, got.node, 3), "read after commit: node %u, expected 3", got.node);
    apply_all(dst, &ops);
    commit_ok(dst);
    cr_assert(eq(int, state_store_instance_get(dst, 4, "contact-1", "promo", &got, errbuf,
                                       sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, got.node, 3), "restored: node %u, expected 3", got.node);
    state_store_close(dst);
    state_store_close(s);
}

static void fire_next(state_store_t *s, int32_t partition, int64_t want_due_ms) {
    state_timer_t due;
    sy_err_t err = state_store_timer_next(s, partition, INT64_MAX, &due, errbuf,
                                          sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "timer_next returned %d; %s", err, errbuf);
    cr_assert(eq(i64, due.due_ms, want_due_ms), "due %lld, expected %lld", (long long)due.due_ms,
              (long long)want_due_ms);
    cr_assert(eq(int, state_store_timer_remove(s, &due), SY_OK));
}

static void expect_no_timer(state_store_t *s, int32_t partition) {
    state_timer_t due;
    sy_err_t err = state_store_timer_next(s, partition, INT64_MAX, &due, errbuf,
                                          sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "timer_next returned %d (due %lld), expected none",
              err, (long long)due.due_ms);
}

Test(state_changelog, timer_added_and_removed_in_one_batch_writes_nothing) {
    state_store_t *s = open_mem("changelog-timer-none");
    state_timer_t t = timer_at(3, T0_MS + 100);
    cr_assert(eq(int, state_store_timer_add(s, &t), SY_OK));
    fire_next(s, 3, T0_MS + 100);
    collect_ok(s);
    cr_assert(eq(sz, ops.count, 0), "ops: %zu, expected none", ops.count);
    commit_ok(s);
    expect_no_timer(s, 3);
    state_store_close(s);
}

/* A live timer is no record of its own: its instance's record carries it, and a restore
 * of the instances gives the timers back. */
Test(state_changelog, timers_come_back_with_their_instances_and_write_no_records) {
    state_store_t *s = open_mem("changelog-timer-inst"), *dst = open_mem("changelog-ti");
    state_timer_t t = timer_for(3, T0_MS + 100, "contact-1");
    state_timer_t u = timer_for(3, T0_MS + 200, "contact-2");
    set_timer(s, &u);
    set_timer(s, &t);
    collect_ok(s);
    cr_assert(eq(sz, ops.count, 2), "ops: %zu, expected the two instances", ops.count);
    for (size_t i = 0; i < ops.count; i++)
        cr_assert(eq(int, ops.items[i].cf, STATE_CHANGELOG_CF_INSTANCES), "op %zu: cf %d", i,
                  ops.items[i].cf);
    commit_ok(s);
    apply_all(dst, &ops);
    commit_ok(dst);
    fire_next(dst, 3, T0_MS + 100);
    fire_next(dst, 3, T0_MS + 200);
    expect_no_timer(dst, 3);
    collect_ok(dst);
    cr_assert(eq(sz, ops.count, 0), "ops of the fires: %zu, expected none", ops.count);
    state_store_close(dst);
    state_store_close(s);
}

/* A store written by a version that kept timers in a column family of their own: its
 * instances (old form) keep their timers there; each fires once, its removal a tombstone
 * there, and a restore of that tombstone drops it. */
Test(state_changelog, an_old_stores_timer_fires_once_and_is_deleted_there) {
    state_store_t *s = open_mem("changelog-legacy"), *dst = open_mem("changelog-legacy-dst");
    state_timer_t t = timer_at(3, T0_MS + 100);
    state_instance_t in = {.status = STATE_INSTANCE_ACTIVE, .node = t.node,
                           .journey_version = 2, .occurrence = 1, .entered_at_ms = T0_MS,
                           .node_entered_at_ms = t.node_entered_at_ms,
                           .timer = STATE_INSTANCE_TIMER_LEGACY};
    uint8_t key[STATE_KEY_BYTES_MAX], value[STATE_VALUE_BYTES_MAX];
    size_t value_len = state_codec_instance_encode(value, &in);
    cr_assert(eq(int, value[0], STATE_CODEC_VERSION), "an old-form instance");
    size_t key_len = state_codec_instance_key(key, 3, t.contact_id, t.journey_id);
    for (int i = 0; i < 2; i++) {
        state_store_t *into = i ? dst : s;
        cr_assert(eq(int, state_store_changelog_apply(into, STATE_CHANGELOG_CF_INSTANCES, key,
                                                      key_len, value, value_len, errbuf,
                                                      sizeof errbuf), SY_OK), "%s", errbuf);
    }
    size_t tkey_len = state_codec_timer_key(key, &t);
    value_len = state_codec_timer_value_encode(value, &t);
    for (int i = 0; i < 2; i++)
        cr_assert(eq(int, state_store_changelog_apply(i ? dst : s, STATE_CHANGELOG_CF_TIMERS,
                                                      key, tkey_len, value, value_len, errbuf,
                                                      sizeof errbuf), SY_OK), "%s", errbuf);
    commit_ok(s);
    commit_ok(dst);
    fire_next(s, 3, T0_MS + 100);
    expect_no_timer(s, 3);
    collect_ok(s);
    cr_assert(eq(sz, ops.count, 1), "ops: %zu, expected the tombstone", ops.count);
    cr_assert(eq(int, ops.items[0].cf, STATE_CHANGELOG_CF_TIMERS), "cf %d", ops.items[0].cf);
    cr_assert(eq(int, ops.items[0].tombstone, 1), "not a tombstone");
    commit_ok(s);
    expect_no_timer(s, 3);
    apply_all(dst, &ops);
    commit_ok(dst);
    expect_no_timer(dst, 3);
    state_store_close(dst);
    state_store_close(s);
}

Test(state_changelog, many_stream_time_moves_of_a_batch_give_one_op_with_the_last_time) {
    state_store_t *s = open_mem("changelog-stream-time");
    for (int i = 1; i <= 1000; i++) {
        state_store_stream_time_set(s, 2, T0_MS + i);
        state_store_stream_time_set(s, 5, T0_MS + 2 * i);
    }
    collect_ok(s);
    cr_assert(eq(sz, ops.count, 2), "ops: %zu, expected one per partition", ops.count);
    state_store_t *dst = open_mem("changelog-stream-time-dst");
    apply_all(dst, &ops);
    commit_ok(dst);
    cr_assert(eq(i64, state_store_stream_time_get(dst, 2), T0_MS + 1000), "partition 2: %lld",
              (long long)state_store_stream_time_get(dst, 2));
    cr_assert(eq(i64, state_store_stream_time_get(dst, 5), T0_MS + 2000), "partition 5: %lld",
              (long long)state_store_stream_time_get(dst, 5));
    state_store_close(dst);
    state_store_close(s);
}

Test(state_changelog, op_log_starts_empty_after_commit_and_after_abort) {
    state_store_t *s = open_mem("changelog-reset");
    write_batch(s);
    commit_ok(s);
    collect_ok(s);
    cr_assert(eq(sz, ops.count, 0), "ops after commit: %zu", ops.count);
    state_store_stream_time_set(s, 3, T0_MS);
    state_store_abort(s);
    collect_ok(s);
    cr_assert(eq(sz, ops.count, 0), "ops after abort: %zu", ops.count);
    state_store_stream_time_set(s, 3, T0_MS);
    collect_ok(s);
    cr_assert(eq(sz, ops.count, 1), "ops of a new batch: %zu", ops.count);
    state_store_close(s);
}

Test(state_changelog, applying_the_ops_to_an_empty_store_restores_the_state) {
    state_store_t *src = open_mem("changelog-src"), *dst = open_mem("changelog-dst");
    state_timer_t kept = timer_for(7, T0_MS + 9000, "contact-2");
    set_timer(src, &kept);
    collect_ok(src);
    ops_t first = ops;
    commit_ok(src);
    write_batch(src);
    collect_ok(src);
    commit_ok(src);
    apply_all(dst, &first);
    apply_all(dst, &ops);
    collect_ok(dst);
    cr_assert(eq(sz, ops.count, 0), "a restore's applies are not changes to produce: %zu",
              ops.count);
    commit_ok(dst);

    state_instance_t in;
    cr_assert(eq(int, state_store_instance_get(dst, 7, "contact-1", "promo", &in, errbuf,
                                       sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, in.node, 2), "node %u: the last put wins", in.node);
    cr_assert(eq(u32, in.seen_mask, 5), "seen mask %u", in.seen_mask);
    cr_assert(eq(i64, state_store_stream_time_get(dst, 7), T0_MS + 500));
    state_timer_t next;
    cr_assert(eq(int, state_store_timer_next(dst, 7, INT64_MAX, &next, errbuf, sizeof errbuf),
              SY_OK), "%s", errbuf);
    cr_assert(eq(i64, next.due_ms, T0_MS + 9000), "the removed timer came back: due %lld",
              (long long)next.due_ms);
    sy_attr_t attrs[4];
    size_t count = 0;
    static char buf[STATE_PROFILE_BYTES_MAX];
    cr_assert(eq(int, state_store_profile_get(dst, 7, "contact-1", attrs, 4, &count, buf,
                                      sizeof buf, errbuf, sizeof errbuf), SY_OK));
    cr_assert(eq(sz, count, 1), "profile attributes: %zu", count);
    cr_assert_str_eq(attrs[0].value.u.s, "gold");
    state_store_close(src);
    state_store_close(dst);
}

/* A restore writes a partition's instances around its batch: a partition whose timers
 * were already read in memory sees the restored ones after the restore commits. */
Test(state_changelog, restored_timers_reach_a_partition_already_read) {
    state_store_t *src = open_mem("changelog-timers-src"), *dst = open_mem("changelog-timers-dst");
    state_timer_t later = timer_for(7, T0_MS + 9000, "contact-2");
    state_timer_t sooner = timer_at(7, T0_MS + 100), next;
    set_timer(dst, &later);
    commit_ok(dst);
    cr_assert(eq(int, state_store_timer_next(dst, 7, T0_MS, &next, errbuf, sizeof errbuf),
                 SY_ERR_NOT_FOUND), "nothing due yet: %s", errbuf);
    set_timer(src, &sooner);
    collect_ok(src);
    apply_all(dst, &ops);
    commit_ok(dst);
    cr_assert(eq(int, state_store_timer_next(dst, 7, INT64_MAX, &next, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_assert(eq(i64, next.due_ms, T0_MS + 100), "first due %lld: the restored timer is missing",
              (long long)next.due_ms);
    cr_assert(eq(int, state_store_timer_remove(dst, &next), SY_OK));
    cr_assert(eq(int, state_store_timer_next(dst, 7, INT64_MAX, &next, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_assert(eq(i64, next.due_ms, T0_MS + 9000), "then %lld", (long long)next.due_ms);
    state_store_close(src);
    state_store_close(dst);
}

Test(state_changelog, a_tombstone_deletes_what_an_earlier_record_put) {
    state_store_t *src = open_mem("changelog-tomb-src"), *dst = open_mem("changelog-tomb");
    state_instance_t in = instance_at(4);
    cr_assert(eq(int, state_store_instance_put(src, 2, "contact-9", "promo", &in), SY_OK));
    collect_ok(src);
    op_copy_t put = ops.items[0];
    /* Put and delete in one restore run, then read: gone, also through the cache. */
    cr_assert(eq(int, state_store_changelog_apply(dst, put.cf, put.key, put.key_len, put.value,
                                          put.value_len, errbuf, sizeof errbuf), SY_OK));
    cr_assert(eq(int, state_store_changelog_apply(dst, put.cf, put.key, put.key_len, NULL, 0,
                                          errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    commit_ok(dst);
    sy_err_t err = state_store_instance_get(dst, 2, "contact-9", "promo", &in, errbuf,
                                            sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "instance after its tombstone: %d", err);
    state_store_close(src);
    state_store_close(dst);
}

Test(state_changelog, records_this_version_cannot_read_are_refused) {
    state_store_t *s = open_mem("changelog-refuse");
    const uint8_t key[] = {0, 1, 'c', 0, 'j'};
    const uint8_t garbage[] = {0xee, 0xee};
    sy_err_t err = state_store_changelog_apply(s, (state_changelog_cf_t)9, key, sizeof key,
                                               garbage, sizeof garbage, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_INVALID_ARG), "unknown cf: %d", err);
    err = state_store_changelog_apply(s, STATE_CHANGELOG_CF_INSTANCES, key, 1, garbage,
                                      sizeof garbage, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_INVALID_ARG), "one-byte key: %d", err);
    err = state_store_changelog_apply(s, STATE_CHANGELOG_CF_INSTANCES, key, sizeof key,
                                      garbage, sizeof garbage, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_INVALID_ARG), "malformed instance: %d", err);
    const uint8_t no_contact[] = {0, 1, 0, 'j'};
    uint8_t value[STATE_VALUE_BYTES_MAX];
    state_instance_t instance = {.status = STATE_INSTANCE_ACTIVE, .journey_version = 1};
    size_t value_len = state_codec_instance_encode(value, &instance);
    err = state_store_changelog_apply(s, STATE_CHANGELOG_CF_INSTANCES, no_contact,
                                      sizeof no_contact, value, value_len, errbuf,
                                      sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_INVALID_ARG), "an instance of no contact: %d", err);
    err = state_store_changelog_apply(s, STATE_CHANGELOG_CF_META, key, 3, NULL, 0, errbuf,
                                      sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_INVALID_ARG), "a meta key that is not a stream time: %d", err);
    state_store_close(s);
}

/* A profile the restore would take and every read then refuse as corrupt: refused at the
 * apply instead, naming why; the whole value restores. */
Test(state_changelog, a_malformed_profile_is_refused_and_a_well_formed_one_restores) {
    state_store_t *s = open_mem("changelog-profile");
    const uint8_t key[] = {0, 1, 'c'};
    sy_attr_t attrs[2] = {{"city", {.kind = SY_VALUE_STRING, .u.s = "Lyon"}},
                          {"tier", {.kind = SY_VALUE_STRING, .u.s = "gold"}}};
    uint8_t value[64];
    size_t len = profile_codec_encode(value, sizeof value, attrs, 2);
    cr_assert(gt(sz, len, 1));
    sy_err_t err = state_store_changelog_apply(s, STATE_CHANGELOG_CF_PROFILES, key,
                                               sizeof key, value, len - 1, errbuf,
                                               sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_INVALID_ARG), "a truncated profile: %d", err);
    cr_assert(not(eq(ptr, strstr(errbuf, "malformed profile"), NULL)), "%s", errbuf);
    err = state_store_changelog_apply(s, STATE_CHANGELOG_CF_PROFILES, key, sizeof key, value,
                                      len, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "%s", errbuf);
    cr_assert(eq(int, state_store_commit(s, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    sy_attr_t back[4];
    char buf[256];
    size_t count = 0;
    cr_assert(eq(int, state_store_profile_get(s, 1, "c", back, 4, &count, buf, sizeof buf,
                                              errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(sz, count, 2));
    cr_assert(eq(str, (char *)back[1].value.u.s, "gold"));
    state_store_close(s);
}

Test(state_changelog, checkpoint_commits_with_the_batch_and_is_no_state_change) {
    state_store_t *s = open_mem("changelog-checkpoint");
    int64_t offset = -1;
    sy_err_t err = state_store_changelog_offset_get(s, 5, &offset, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "a new partition has no checkpoint: %d", err);
    cr_assert(eq(int, state_store_changelog_offset_set(s, 5, 41), SY_OK));
    collect_ok(s);
    cr_assert(eq(sz, ops.count, 0), "the checkpoint is in the op log");
    state_store_abort(s);
    err = state_store_changelog_offset_get(s, 5, &offset, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "an aborted checkpoint was kept: %d", err);
    cr_assert(eq(int, state_store_changelog_offset_set(s, 5, INT64_C(1) << 40), SY_OK));
    state_store_stream_time_set(s, 5, T0_MS);
    commit_ok(s);
    err = state_store_changelog_offset_get(s, 5, &offset, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "checkpoint after commit: %d; %s", err, errbuf);
    cr_assert(eq(i64, offset, INT64_C(1) << 40), "checkpoint %lld", (long long)offset);
    cr_assert(eq(i64, state_store_stream_time_get(s, 5), T0_MS), "the stream time moved");
    err = state_store_changelog_offset_get(s, 6, &offset, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "partition 6 has a checkpoint: %d", err);
    state_store_close(s);
}

Test(state_changelog, checkpoint_survives_a_reopen) {
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/sy-changelog-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    state_store_t *s = NULL;
    cr_assert(eq(int, state_store_open(&s, dir, false, 0, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    cr_assert(eq(int, state_store_changelog_offset_set(s, 0, 1234), SY_OK));
    commit_ok(s);
    state_store_close(s);
    cr_assert(eq(int, state_store_open(&s, dir, false, 0, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    int64_t offset = -1;
    cr_assert(eq(int, state_store_changelog_offset_get(s, 0, &offset, errbuf, sizeof errbuf),
                 SY_OK));
    cr_assert(eq(i64, offset, 1234), "checkpoint after reopen: %lld", (long long)offset);
    state_store_close(s);
    tmpdir_remove(dir);
}
