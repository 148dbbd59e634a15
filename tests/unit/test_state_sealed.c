/* test_state_sealed.c — unit tests of a sealed batch (state_store_seal): reads through the
 * pending batch, then the sealed one, then the committed state; commit_sealed and abort;
 * timers, stream times, leases and the contact table across the seal; and a seeded random
 * run that commits two batches sealed one under the other and as one batch, and finds the
 * same reads, changelog and RocksDB. In-memory RocksDB. Not the runner's pipelining. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_store.h"

/* A realistic event time: 2024-10-01T09:00:00Z. */
#define T0_MS INT64_C(1727773200000)

static char errbuf[1024];

static state_store_t *open_mem(const char *name, size_t cache_bytes) {
    state_store_t *s = NULL;
    sy_err_t err = state_store_open(&s, name, true, cache_bytes, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s) returned %d; %s", name, err, errbuf);
    return s;
}

static void ok(sy_err_t err, const char *what) {
    cr_assert(eq(int, err, SY_OK), "%s returned %d; %s", what, err, errbuf);
}

static state_instance_t instance_node(uint16_t node) {
    return (state_instance_t){.status = STATE_INSTANCE_ACTIVE, .node = node,
                              .journey_version = 1, .occurrence = 1,
                              .entered_at_ms = T0_MS, .node_entered_at_ms = T0_MS};
}

/* The node of contact's instance in journey "j" of partition 0, or -1 when none. */
static int node_of(state_store_t *s, const char *contact) {
    state_instance_t in;
    sy_err_t err = state_store_instance_get(s, 0, contact, "j", &in, errbuf, sizeof errbuf);
    if (err == SY_ERR_NOT_FOUND)
        return -1;
    ok(err, "instance_get");
    return in.node;
}

static void put_node(state_store_t *s, const char *contact, uint16_t node) {
    state_instance_t in = instance_node(node);
    ok(state_store_instance_put(s, 0, contact, "j", &in), "instance_put");
}

static int64_t count_of(state_store_t *s, uint64_t id) {
    int64_t count = -1;
    ok(state_store_count_get(s, 0, id, &count, errbuf, sizeof errbuf), "count_get");
    return count;
}

/* Walk callback: counts the records. */
static sy_err_t count_op(void *ctx, state_changelog_cf_t cf, int32_t partition,
                         const uint8_t *key, size_t key_len, const uint8_t *value,
                         size_t value_len) {
    (void)cf, (void)partition, (void)key, (void)key_len, (void)value, (void)value_len;
    ++*(int *)ctx;
    return SY_OK;
}

static int walk_count(state_store_t *s) {
    int n = 0;
    ok(state_store_pending_each(s, count_op, &n), "pending_each");
    return n;
}

Test(state_sealed, reads_see_pending_then_sealed_then_committed) {
    state_store_t *s = open_mem("sealed-reads", STATE_CACHE_BYTES_DEFAULT);
    put_node(s, "x", 1);
    put_node(s, "w", 1);
    ok(state_store_count_put(s, 0, 7, 10, "l", 1), "count_put");
    ok(state_store_commit(s, errbuf, sizeof errbuf), "commit");
    put_node(s, "x", 2); /* batch A */
    put_node(s, "y", 2);
    ok(state_store_count_put(s, 0, 7, 20, "l", 1), "count_put");
    cr_assert(gt(int, walk_count(s), 0));
    cr_assert(not(state_store_sealed(s)));
    ok(state_store_seal(s, errbuf, sizeof errbuf), "seal");
    cr_assert(state_store_sealed(s));
    cr_expect(eq(int, walk_count(s), 0), "the new pending batch is empty");
    put_node(s, "y", 3); /* batch B */
    cr_expect(eq(int, node_of(s, "x"), 2), "x from the sealed batch");
    cr_expect(eq(int, node_of(s, "y"), 3), "y from the pending batch");
    cr_expect(eq(int, node_of(s, "w"), 1), "w committed (read into the table)");
    cr_expect(eq(int, node_of(s, "z"), -1));
    cr_expect(eq(i64, count_of(s, 7), 20), "the count from the sealed batch");
    cr_expect(eq(int, walk_count(s), 1), "B's walk has B's one write");
    ok(state_store_commit_sealed(s, errbuf, sizeof errbuf), "commit_sealed");
    cr_assert(not(state_store_sealed(s)));
    cr_expect(eq(int, node_of(s, "x"), 2));
    cr_expect(eq(int, node_of(s, "y"), 3));
    cr_expect(eq(int, node_of(s, "w"), 1));
    cr_expect(eq(i64, count_of(s, 7), 20));
    state_store_abort(s); /* B dropped: A stays committed */
    cr_expect(eq(int, node_of(s, "x"), 2));
    cr_expect(eq(int, node_of(s, "y"), 2));
    cr_expect(eq(i64, count_of(s, 7), 20));
    state_store_close(s);
}

Test(state_sealed, abort_after_a_seal_drops_both_batches) {
    state_store_t *s = open_mem("sealed-abort", STATE_CACHE_BYTES_DEFAULT);
    put_node(s, "x", 1);
    state_store_stream_time_set(s, 0, T0_MS);
    ok(state_store_commit(s, errbuf, sizeof errbuf), "commit");
    put_node(s, "x", 2);
    put_node(s, "y", 2);
    state_store_stream_time_set(s, 0, T0_MS + 1);
    ok(state_store_count_put(s, 0, 7, 20, "l", 1), "count_put");
    ok(state_store_seal(s, errbuf, sizeof errbuf), "seal");
    /* Reads in B go through the sealed batch: none may leave A's values in the table. */
    cr_expect(eq(int, node_of(s, "x"), 2));
    cr_expect(eq(int, node_of(s, "y"), 2));
    cr_expect(eq(i64, state_store_stream_time_get(s, 0), T0_MS + 1));
    put_node(s, "z", 3);
    state_store_stream_time_set(s, 0, T0_MS + 2);
    state_store_abort(s);
    cr_assert(not(state_store_sealed(s)));
    cr_expect(eq(int, node_of(s, "x"), 1));
    cr_expect(eq(int, node_of(s, "y"), -1));
    cr_expect(eq(int, node_of(s, "z"), -1));
    cr_expect(eq(i64, count_of(s, 7), 0));
    cr_expect(eq(i64, state_store_stream_time_get(s, 0), T0_MS));
    state_store_close(s);
}

Test(state_sealed, stream_times_layer_over_the_sealed_batch) {
    state_store_t *s = open_mem("sealed-times", STATE_CACHE_BYTES_DEFAULT);
    state_store_stream_time_set(s, 0, T0_MS);
    state_store_stream_time_set(s, 1, T0_MS);
    ok(state_store_seal(s, errbuf, sizeof errbuf), "seal");
    state_store_stream_time_set(s, 1, T0_MS + 5);
    cr_expect(eq(i64, state_store_stream_time_get(s, 0), T0_MS));
    cr_expect(eq(i64, state_store_stream_time_get(s, 1), T0_MS + 5));
    ok(state_store_commit_sealed(s, errbuf, sizeof errbuf), "commit_sealed");
    cr_expect(eq(i64, state_store_stream_time_get(s, 1), T0_MS + 5), "B's time stays");
    state_store_abort(s);
    cr_expect(eq(i64, state_store_stream_time_get(s, 0), T0_MS), "A's time committed");
    cr_expect(eq(i64, state_store_stream_time_get(s, 1), T0_MS), "B's time dropped");
    state_store_close(s);
}

Test(state_sealed, commit_with_a_sealed_batch_commits_it_then_the_pending_one) {
    state_store_t *s = open_mem("sealed-commit", STATE_CACHE_BYTES_DEFAULT);
    put_node(s, "x", 1);
    ok(state_store_seal(s, errbuf, sizeof errbuf), "seal");
    put_node(s, "x", 2);
    put_node(s, "y", 2);
    ok(state_store_commit(s, errbuf, sizeof errbuf), "commit");
    cr_assert(not(state_store_sealed(s)));
    state_store_abort(s);
    cr_expect(eq(int, node_of(s, "x"), 2));
    cr_expect(eq(int, node_of(s, "y"), 2));
    state_store_close(s);
}

/* A timer of contact in journey "j" of partition 0, due at due_ms, and its instance. */
static state_timer_t timer_put(state_store_t *s, const char *contact, int64_t due_ms) {
    state_timer_t t = {.partition = 0, .due_ms = due_ms, .node = 4,
                       .node_entered_at_ms = T0_MS};
    snprintf(t.contact_id, sizeof t.contact_id, "%s", contact);
    snprintf(t.journey_id, sizeof t.journey_id, "j");
    state_instance_t in = instance_node(4);
    in.timer = STATE_INSTANCE_TIMER_ARMED;
    in.timer_due_ms = due_ms;
    ok(state_store_instance_put(s, 0, contact, "j", &in), "instance_put");
    ok(state_store_timer_add(s, &t), "timer_add");
    return t;
}

/* The contact of the first timer due by due_max, taken; "" when none. */
static const char *timer_take(state_store_t *s, int64_t due_max) {
    static state_timer_t t;
    sy_err_t err = state_store_timer_take(s, 0, due_max, &t, errbuf, sizeof errbuf);
    if (err == SY_ERR_NOT_FOUND)
        return "";
    ok(err, "timer_take");
    return t.contact_id;
}

/* The contacts of every timer due by due_max, taken, joined by ',' into buf. */
static const char *timers_drain(state_store_t *s, int64_t due_max, char *buf, size_t size) {
    buf[0] = '\0';
    for (const char *c; *(c = timer_take(s, due_max));)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s,", c);
    return buf;
}

/* Committed "old" (due +1), sealed A adds "a" (due +2) and fires "old"; B fires "a". */
static void timers_setup(state_store_t *s) {
    (void)timer_put(s, "old", T0_MS + 1);
    ok(state_store_commit(s, errbuf, sizeof errbuf), "commit");
    (void)timer_put(s, "a", T0_MS + 2);
    cr_assert(eq(str, (char *)timer_take(s, T0_MS + 1), "old"));
    ok(state_store_seal(s, errbuf, sizeof errbuf), "seal");
    state_timer_t next;
    ok(state_store_timer_next(s, 0, T0_MS + 2, &next, errbuf, sizeof errbuf), "timer_next");
    cr_expect(eq(str, next.contact_id, "a"), "the sealed batch's timer is due");
    ok(state_store_timer_remove(s, &next), "timer_remove");
    cr_expect(eq(str, (char *)timer_take(s, T0_MS + 9), ""), "nothing more is due");
}

Test(state_sealed, timer_of_the_sealed_batch_fired_in_the_pending_one_then_both_commit) {
    char buf[64];
    state_store_t *s = open_mem("sealed-timer-commit", STATE_CACHE_BYTES_DEFAULT);
    timers_setup(s);
    ok(state_store_commit_sealed(s, errbuf, sizeof errbuf), "commit_sealed");
    ok(state_store_commit(s, errbuf, sizeof errbuf), "commit");
    state_store_abort(s);
    cr_expect(eq(str, (char *)timers_drain(s, T0_MS + 9, buf, sizeof buf), ""));
    state_store_close(s);
}

Test(state_sealed, timer_of_the_sealed_batch_fired_in_the_pending_one_that_aborts) {
    char buf[64];
    state_store_t *s = open_mem("sealed-timer-abort", STATE_CACHE_BYTES_DEFAULT);
    timers_setup(s);
    ok(state_store_commit_sealed(s, errbuf, sizeof errbuf), "commit_sealed");
    state_store_abort(s);
    cr_expect(eq(str, (char *)timers_drain(s, T0_MS + 9, buf, sizeof buf), "a,"),
              "A committed its timer; B's fire of it was dropped");
    state_store_abort(s);
    cr_expect(eq(str, (char *)timers_drain(s, T0_MS + 9, buf, sizeof buf), "a,"));
    state_store_close(s);
}

Test(state_sealed, timers_after_an_abort_of_both_batches) {
    char buf[64];
    state_store_t *s = open_mem("sealed-timer-abort-both", STATE_CACHE_BYTES_DEFAULT);
    timers_setup(s);
    state_store_abort(s);
    cr_expect(eq(str, (char *)timers_drain(s, T0_MS + 9, buf, sizeof buf), "old,"),
              "A's fire is undone and its timer dropped");
    state_store_close(s);
}

static state_lease_t lease_until(int64_t expires_ms) {
    state_lease_t l = {.leased_at_ms = 1, .expires_at_ms = expires_ms, .journey_version = 1};
    snprintf(l.contact_id, sizeof l.contact_id, "c");
    snprintf(l.journey_id, sizeof l.journey_id, "j");
    snprintf(l.node_id, sizeof l.node_id, "n");
    return l;
}

static int lease_visit(void *ctx, int32_t partition, const char *pool, const char *number,
                       const state_lease_t *lease) {
    (void)partition, (void)pool, (void)number, (void)lease;
    ++*(int *)ctx;
    return 0;
}

Test(state_sealed, a_lease_rewritten_in_the_sealed_batch_and_swept_in_the_pending_one) {
    state_store_t *s = open_mem("sealed-lease", STATE_CACHE_BYTES_DEFAULT);
    state_lease_t l = lease_until(50), got;
    ok(state_store_lease_put(s, 0, "pool", "n1", &l), "lease_put");
    ok(state_store_commit(s, errbuf, sizeof errbuf), "commit");
    l = lease_until(10); /* A: ends earlier */
    ok(state_store_lease_put(s, 0, "pool", "n1", &l), "lease_put");
    ok(state_store_seal(s, errbuf, sizeof errbuf), "seal");
    state_leases_sweep_t sweep = {.calls_before_ms = 0, .leases_before_ms = 20,
                                  .records_max = 10};
    state_leases_cursor_t cursor = {0};
    size_t removed = 0;
    ok(state_store_leases_sweep(s, 0, &sweep, &cursor, &removed, errbuf, sizeof errbuf),
       "sweep");
    cr_expect(eq(sz, removed, 1), "judged by the sealed batch's value");
    cr_expect(eq(int, walk_count(s), 1), "B's walk has the delete");
    ok(state_store_commit_sealed(s, errbuf, sizeof errbuf), "commit_sealed");
    cr_expect(eq(int, state_store_lease_get(s, 0, "pool", "n1", &got, errbuf, sizeof errbuf),
                 SY_ERR_NOT_FOUND));
    ok(state_store_commit(s, errbuf, sizeof errbuf), "commit");
    cr_expect(eq(int, state_store_lease_get(s, 0, "pool", "n1", &got, errbuf, sizeof errbuf),
                 SY_ERR_NOT_FOUND));
    int leases = 0;
    ok(state_store_leases_scan(s, 0, lease_visit, &leases, errbuf, sizeof errbuf), "scan");
    cr_expect(eq(int, leases, 0), "the delete reached RocksDB as a tombstone");
    state_store_close(s);
}

Test(state_sealed, an_empty_batch_seals_and_commits) {
    state_store_t *s = open_mem("sealed-empty", 0);
    ok(state_store_seal(s, errbuf, sizeof errbuf), "seal");
    cr_assert(state_store_sealed(s));
    ok(state_store_commit_sealed(s, errbuf, sizeof errbuf), "commit_sealed");
    cr_assert(not(state_store_sealed(s)));
    state_store_close(s);
}

/* ---- a seeded random run: two batches sealed one under the other, or as one ---- */

#define RUN_CONTACTS 6
#define RUN_OPS 60
#define RUN_WALK_MAX 4096

typedef struct walk_rec {
    uint8_t cf;
    uint8_t key[64];
    size_t key_len;
    bool put;
    uint8_t value[512];
    size_t value_len;
} walk_rec_t;

/* Every record of the walks of one store, in order. */
typedef struct walk {
    size_t count;
    walk_rec_t recs[RUN_WALK_MAX];
} walk_t;

static sy_err_t walk_op(void *ctx, state_changelog_cf_t cf, int32_t partition,
                        const uint8_t *key, size_t key_len, const uint8_t *value,
                        size_t value_len) {
    walk_t *w = ctx;
    (void)partition;
    cr_assert(lt(sz, w->count, RUN_WALK_MAX));
    cr_assert(le(sz, key_len, sizeof w->recs[0].key));
    cr_assert(le(sz, value_len, sizeof w->recs[0].value));
    walk_rec_t *r = &w->recs[w->count++];
    r->cf = (uint8_t)cf;
    memcpy(r->key, key, key_len);
    r->key_len = key_len;
    r->put = value != NULL;
    if (value)
        memcpy(r->value, value, value_len);
    r->value_len = value ? value_len : 0;
    return SY_OK;
}

/* The final record of every key of w, as text, keys in order of their last write's key
 * bytes: one line each, into out. */
static void walk_final(const walk_t *w, char *out, size_t size) {
    static bool later[RUN_WALK_MAX];
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < w->count; i++) {
        later[i] = false;
        for (size_t j = i + 1; j < w->count && !later[i]; j++)
            later[i] = w->recs[j].cf == w->recs[i].cf &&
                       w->recs[j].key_len == w->recs[i].key_len &&
                       !memcmp(w->recs[j].key, w->recs[i].key, w->recs[i].key_len);
    }
    /* Lines in (cf, key) order: a selection by the smallest not yet written. */
    static bool done[RUN_WALK_MAX];
    memset(done, 0, sizeof done);
    for (;;) {
        const walk_rec_t *min = NULL;
        size_t at = 0;
        for (size_t i = 0; i < w->count; i++) {
            const walk_rec_t *r = &w->recs[i];
            if (later[i] || done[i])
                continue;
            size_t n = r->key_len < (min ? min->key_len : 0) ? r->key_len
                                                              : (min ? min->key_len : 0);
            int c = !min ? -1 : r->cf != min->cf ? r->cf - min->cf : memcmp(r->key, min->key, n);
            if (!min || c < 0 || (c == 0 && r->key_len < min->key_len))
                min = r, at = i;
        }
        if (!min)
            return;
        done[at] = true;
        used += (size_t)snprintf(out + used, size - used, "%u:", min->cf);
        for (size_t k = 0; k < min->key_len; k++)
            used += (size_t)snprintf(out + used, size - used, "%02x", min->key[k]);
        used += (size_t)snprintf(out + used, size - used, min->put ? "=" : " deleted");
        for (size_t k = 0; min->put && k < min->value_len; k++)
            used += (size_t)snprintf(out + used, size - used, "%02x", min->value[k]);
        used += (size_t)snprintf(out + used, size - used, "\n");
        cr_assert(lt(sz, used, size));
    }
}

/* A run's two stores: a pipelined (A sealed under B) and b (A and B as one batch). */
typedef struct run {
    state_store_t *a, *b;
    uint64_t rng;
    walk_t walk_a, walk_b;
} run_t;

static uint32_t run_rand(run_t *r, uint32_t n) {
    r->rng = r->rng * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (uint32_t)(r->rng >> 33) % n;
}

static char contact_name[RUN_CONTACTS][4] = {"c0", "c1", "c2", "c3", "c4", "c5"};

/* One store's answer of one op, as text into out (size bytes). */
static void op_apply(state_store_t *s, uint32_t kind, uint32_t x, uint32_t y, char *out,
                     size_t size) {
    const char *c = contact_name[x % RUN_CONTACTS];
    static sy_profile_update_t u;
    state_event_ids_conf_t conf = {.window_ms = 1000000, .ids_max = 4};
    state_leases_sweep_t sweep = {.leases_before_ms = (int64_t)y, .records_max = 4};
    state_leases_cursor_t cursor = {0};
    char number[8], value[8];
    bool seen = false;
    size_t removed = 0;
    snprintf(number, sizeof number, "n%u", x % 4);
    snprintf(value, sizeof value, "v%u", y);
    out[0] = '\0';
    switch (kind) {
    case 0:
        put_node(s, c, (uint16_t)y);
        break;
    case 1:
        (void)timer_put(s, c, T0_MS + y);
        break;
    case 2:
        snprintf(out, size, "%s", timer_take(s, T0_MS + y));
        break;
    case 3:
        memset(&u, 0, sizeof u);
        u.contact_id = c;
        u.updated_at_ms = T0_MS + y;
        if (y % 3) {
            u.set[0] = (sy_attr_t){.name = y % 2 ? "p" : "q",
                                   .value = {.kind = SY_VALUE_STRING, .u.s = value}};
            u.set_count = 1;
        } else {
            u.unset[0] = "p";
            u.unset_count = 1;
        }
        ok(state_store_profile_apply(s, 0, &u, errbuf, sizeof errbuf), "profile_apply");
        break;
    case 4:
        ok(state_store_count_put(s, 0, x % 4, (int64_t)y, "l", 1), "count_put");
        break;
    case 5:
        ok(state_store_event_id_seen(s, 0, c, y % 5, T0_MS + y, &conf, &seen, errbuf,
                                     sizeof errbuf), "event_id_seen");
        snprintf(out, size, "%d", seen);
        break;
    case 6: {
        state_lease_t l = lease_until((int64_t)y);
        ok(state_store_lease_put(s, 0, "pool", number, &l), "lease_put");
        break;
    }
    case 7:
        ok(state_store_leases_sweep(s, 0, &sweep, &cursor, &removed, errbuf, sizeof errbuf),
           "sweep");
        snprintf(out, size, "%zu", removed);
        break;
    default:
        state_store_stream_time_set(s, (int32_t)(x % 2), T0_MS + y);
        break;
    }
}

static void attrs_text(state_store_t *s, const char *c, char *out, size_t size) {
    static sy_attr_t attrs[8];
    static char buf[STATE_PROFILE_BYTES_MAX];
    size_t n = 0, used = 0;
    ok(state_store_profile_get(s, 0, c, attrs, 8, &n, buf, sizeof buf, errbuf, sizeof errbuf),
       "profile_get");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(out + used, size - used, "%s=%s;", attrs[i].name,
                                 attrs[i].value.kind == SY_VALUE_STRING ? attrs[i].value.u.s
                                                                        : "?");
}

/* Every read of the run's keys, as text into out. */
static void snapshot(state_store_t *s, char *out, size_t size) {
    size_t used = 0;
    state_event_id_t ids[STATE_EVENT_IDS_MAX];
    state_lease_t lease;
    state_timer_t next;
    for (int i = 0; i < RUN_CONTACTS; i++) {
        const char *c = contact_name[i];
        char attrs[256] = "";
        size_t n_ids = 0;
        attrs_text(s, c, attrs, sizeof attrs);
        ok(state_store_event_ids_get(s, 0, c, ids, &n_ids, errbuf, sizeof errbuf), "ids_get");
        used += (size_t)snprintf(out + used, size - used, "%s node %d attrs %s ids %zu:", c,
                                 node_of(s, c), attrs, n_ids);
        for (size_t k = 0; k < n_ids; k++)
            used += (size_t)snprintf(out + used, size - used, " %" PRIu64 "@%" PRId64,
                                     ids[k].hash, ids[k].time_ms - T0_MS);
        used += (size_t)snprintf(out + used, size - used, "\n");
    }
    for (uint64_t id = 0; id < 4; id++) {
        char number[8];
        snprintf(number, sizeof number, "n%u", (unsigned)id);
        sy_err_t err = state_store_lease_get(s, 0, "pool", number, &lease, errbuf,
                                             sizeof errbuf);
        used += (size_t)snprintf(out + used, size - used, "count %d lease %" PRId64 "\n",
                                 (int)count_of(s, id),
                                 err == SY_OK ? lease.expires_at_ms : (int64_t)-1);
    }
    sy_err_t err = state_store_timer_next(s, 0, INT64_MAX, &next, errbuf, sizeof errbuf);
    used += (size_t)snprintf(out + used, size - used, "times %" PRId64 " %" PRId64
                             " timer %s %" PRId64 "\n",
                             state_store_stream_time_get(s, 0), state_store_stream_time_get(s, 1),
                             err == SY_OK ? next.contact_id : "-",
                             err == SY_OK ? next.due_ms - T0_MS : -1);
    cr_assert(lt(sz, used, size));
}

/* Both stores read alike. */
static void expect_same_reads(run_t *r, const char *when) {
    static char sa[16384], sb[16384];
    snapshot(r->a, sa, sizeof sa);
    snapshot(r->b, sb, sizeof sb);
    cr_assert(eq(str, sa, sb), "%s: the pipelined store reads\n%s\nthe one-batch store\n%s",
              when, sa, sb);
}

/* count ops on both stores, their answers compared. */
static void run_ops(run_t *r, int count) {
    char ga[192], gb[192];
    for (int i = 0; i < count; i++) {
        uint32_t kind = run_rand(r, 9), x = run_rand(r, 64), y = run_rand(r, 40);
        op_apply(r->a, kind, x, y, ga, sizeof ga);
        op_apply(r->b, kind, x, y, gb, sizeof gb);
        cr_assert(eq(str, ga, gb), "op %d (kind %u): %s vs %s", i, kind, ga, gb);
    }
}

static void run_open(run_t *r, uint64_t seed, size_t cache_bytes) {
    char name[64];
    snprintf(name, sizeof name, "sealed-run-a-%" PRIu64 "-%zu", seed, cache_bytes);
    r->a = open_mem(name, cache_bytes);
    snprintf(name, sizeof name, "sealed-run-b-%" PRIu64 "-%zu", seed, cache_bytes);
    r->b = open_mem(name, cache_bytes);
    r->rng = seed;
    r->walk_a.count = r->walk_b.count = 0;
    run_ops(r, RUN_OPS); /* a committed state under both */
    ok(state_store_commit(r->a, errbuf, sizeof errbuf), "commit");
    ok(state_store_commit(r->b, errbuf, sizeof errbuf), "commit");
}

/* Batch A, then B: sealed in between on a; one batch on b. Walks taken as the runner
 * takes them. */
static void run_two_batches(run_t *r) {
    run_ops(r, RUN_OPS);
    ok(state_store_pending_each(r->a, walk_op, &r->walk_a), "walk A");
    ok(state_store_seal(r->a, errbuf, sizeof errbuf), "seal");
    cr_assert(eq(int, walk_count(r->a), 0));
    expect_same_reads(r, "after the seal");
    run_ops(r, RUN_OPS);
    expect_same_reads(r, "after B");
    ok(state_store_pending_each(r->a, walk_op, &r->walk_a), "walk B");
    ok(state_store_pending_each(r->b, walk_op, &r->walk_b), "walk A and B");
}

static int instance_count_visit(void *ctx, int32_t partition, const char *contact_id,
                                const state_instance_t *instance) {
    (void)partition, (void)contact_id, (void)instance;
    ++*(int *)ctx;
    return 0;
}

static int count_visit(void *ctx, int32_t partition, uint64_t id, int64_t count,
                       const uint8_t *labels, size_t labels_len) {
    (void)partition, (void)labels, (void)labels_len;
    *(int64_t *)ctx += (int64_t)(id + 1) * 1000 + count;
    return 0;
}

/* What RocksDB holds after a checkpoint (walks of committed records), as text. */
static void committed_text(state_store_t *s, char *out, size_t size) {
    int instances = 0, leases = 0;
    int64_t counts = 0;
    ok(state_store_checkpoint(s, errbuf, sizeof errbuf), "checkpoint");
    ok(state_store_instances_scan(s, 0, "j", instance_count_visit, &instances, errbuf,
                                  sizeof errbuf), "instances_scan");
    ok(state_store_counts_scan(s, 0, count_visit, &counts, errbuf, sizeof errbuf), "counts");
    ok(state_store_leases_scan(s, 0, lease_visit, &leases, errbuf, sizeof errbuf), "leases");
    snprintf(out, size, "instances %d counts %" PRId64 " leases %d", instances, counts, leases);
}

static void run_close(run_t *r) {
    state_store_close(r->a);
    state_store_close(r->b);
}

static void run_commit_both(uint64_t seed, size_t cache_bytes) {
    static run_t r;
    static char fa[RUN_WALK_MAX * 64], fb[RUN_WALK_MAX * 64];
    char ca[128], cb[128];
    run_open(&r, seed, cache_bytes);
    run_two_batches(&r);
    walk_final(&r.walk_a, fa, sizeof fa);
    walk_final(&r.walk_b, fb, sizeof fb);
    cr_assert(eq(str, fa, fb), "seed %" PRIu64 ": final changelog values differ", seed);
    ok(state_store_commit_sealed(r.a, errbuf, sizeof errbuf), "commit_sealed");
    expect_same_reads(&r, "after commit_sealed");
    ok(state_store_commit(r.a, errbuf, sizeof errbuf), "commit");
    ok(state_store_commit(r.b, errbuf, sizeof errbuf), "commit");
    expect_same_reads(&r, "after both commits");
    committed_text(r.a, ca, sizeof ca);
    committed_text(r.b, cb, sizeof cb);
    cr_assert(eq(str, ca, cb), "seed %" PRIu64 ": RocksDB differs", seed);
    expect_same_reads(&r, "after the checkpoint");
    run_close(&r);
}

Test(state_sealed, sealed_then_pending_commits_as_one_batch_of_both) {
    for (uint64_t seed = 1; seed <= 40; seed++) {
        run_commit_both(seed, STATE_CACHE_BYTES_DEFAULT);
        run_commit_both(seed, 0); /* no contact table */
    }
}

/* a: A sealed, B on top; then drop (both, or B after A's commit). b: the same end by
 * committing A alone, or nothing. */
static void run_drop(uint64_t seed, bool commit_a) {
    static run_t r;
    run_open(&r, seed, STATE_CACHE_BYTES_DEFAULT);
    run_ops(&r, RUN_OPS);
    ok(state_store_seal(r.a, errbuf, sizeof errbuf), "seal");
    if (commit_a)
        ok(state_store_commit(r.b, errbuf, sizeof errbuf), "commit A");
    else
        state_store_abort(r.b);
    /* B on a alone: its reads and fires go through the sealed batch */
    for (int i = 0; i < RUN_OPS; i++) {
        char out[192];
        op_apply(r.a, run_rand(&r, 9), run_rand(&r, 64), run_rand(&r, 40), out, sizeof out);
    }
    if (commit_a)
        ok(state_store_commit_sealed(r.a, errbuf, sizeof errbuf), "commit_sealed");
    state_store_abort(r.a);
    cr_assert(not(state_store_sealed(r.a)));
    expect_same_reads(&r, commit_a ? "B dropped after A committed" : "A and B dropped");
    run_close(&r);
}

Test(state_sealed, dropped_batches_leave_the_state_as_committed) {
    for (uint64_t seed = 1; seed <= 40; seed++) {
        run_drop(seed, true);
        run_drop(seed, false);
    }
}
