/* test_state_store.c — unit tests of the state store: instances seen through the pending
 * batch, commit, abort and reopen; the compact codec of keys and values; the timer index
 * merged from disk and the batch; stream time. In-memory RocksDB, and a temp directory
 * for the reopen tests. It does not run journeys: that is test_engine.c. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rocksdb/c.h>

#include "state_codec.h"
#include "state_store.h"
#include "tmpdir.h"

#define H_MS (60LL * 60 * 1000)
/* A realistic event time: 2024-10-01T09:00:00Z. */
#define T0_MS 1727773200000LL

/* A UUID contact id (36 chars) and a 20-char journey id. */
static const char contact_uuid[] = "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f";
static const char journey20[] = "coffee_email_promo_2";

static char errbuf[1024];

static state_store_t *open_mem(const char *name) {
    state_store_t *s = NULL;
    errbuf[0] = '\0';
    sy_err_t err = state_store_open(&s, name, true, STATE_CACHE_BYTES_DEFAULT, errbuf,
                                    sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s, in memory) returned %d; errbuf: %s",
              name, err, errbuf);
    cr_assert_not_null(s);
    return s;
}

static state_store_t *open_dir(const char *dir) {
    state_store_t *s = NULL;
    errbuf[0] = '\0';
    sy_err_t err = state_store_open(&s, dir, false, STATE_CACHE_BYTES_DEFAULT, errbuf,
                                    sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s) returned %d; errbuf: %s", dir, err,
              errbuf);
    cr_assert_not_null(s);
    return s;
}

static void commit_ok(state_store_t *s) {
    errbuf[0] = '\0';
    sy_err_t err = state_store_commit(s, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_commit returned %d; errbuf: %s", err, errbuf);
}

/* A temp directory under /tmp, removed by dir_remove. */
static char tmp_root[64];

static void dir_make(void) {
    snprintf(tmp_root, sizeof tmp_root, "/tmp/sy-state-test-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp failed");
}

static void dir_remove(void) {
    if (tmp_root[0])
        tmpdir_remove(tmp_root);
    tmp_root[0] = '\0';
}

static state_instance_t instance_at(uint16_t node, uint32_t occurrence, int64_t entered_ms) {
    return (state_instance_t){.status = STATE_INSTANCE_ACTIVE,
                              .node = node,
                              .journey_version = 3,
                              .occurrence = occurrence,
                              .entered_at_ms = entered_ms,
                              .node_entered_at_ms = entered_ms + 90 * 1000,
                              .seen_mask = (1u << 1) | (1u << 2)};
}

static void assert_instance_eq(const state_instance_t *got, const state_instance_t *want) {
    cr_assert(eq(int, got->status, want->status), "status %d, want %d", got->status, want->status);
    cr_assert(eq(u16, got->node, want->node), "node %u, want %u", got->node, want->node);
    cr_assert(eq(i32, got->journey_version, want->journey_version), "version %d, want %d",
              (int)got->journey_version, (int)want->journey_version);
    cr_assert(eq(u32, got->occurrence, want->occurrence), "occurrence %u, want %u",
              got->occurrence, want->occurrence);
    cr_assert(eq(i64, got->entered_at_ms, want->entered_at_ms), "entered %lld, want %lld",
              (long long)got->entered_at_ms, (long long)want->entered_at_ms);
    cr_assert(eq(i64, got->node_entered_at_ms, want->node_entered_at_ms),
              "node entered %lld, want %lld", (long long)got->node_entered_at_ms,
              (long long)want->node_entered_at_ms);
    cr_assert(eq(u32, got->seen_mask, want->seen_mask), "seen mask 0x%x, want 0x%x",
              got->seen_mask, want->seen_mask);
    cr_assert(eq(u16, got->looped_send, want->looped_send), "looped send %u, want %u",
              got->looped_send, want->looped_send);
    if (want->looped_send)
        cr_assert(eq(i64, got->looped_send_at_ms, want->looped_send_at_ms));
    cr_assert(eq(int, got->timer, want->timer), "timer %d, want %d", got->timer, want->timer);
    if (want->timer == STATE_INSTANCE_TIMER_ARMED)
        cr_assert(eq(i64, got->timer_due_ms, want->timer_due_ms), "timer due %lld, want %lld",
                  (long long)got->timer_due_ms, (long long)want->timer_due_ms);
}

static void expect_instance(state_store_t *s, int32_t partition, const char *contact,
                            const char *journey, const state_instance_t *want) {
    state_instance_t got;
    memset(&got, 0, sizeof got);
    errbuf[0] = '\0';
    sy_err_t err = state_store_instance_get(s, partition, contact, journey, &got, errbuf,
                                            sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "instance_get(%d, %s, %s) returned %d, want SY_OK; %s",
              (int)partition, contact, journey, err, errbuf);
    assert_instance_eq(&got, want);
}

static void expect_no_instance(state_store_t *s, int32_t partition, const char *contact,
                               const char *journey) {
    state_instance_t got;
    sy_err_t err = state_store_instance_get(s, partition, contact, journey, &got, errbuf,
                                            sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND),
              "instance_get(%d, %s, %s) returned %d, want SY_ERR_NOT_FOUND (%d)",
              (int)partition, contact, journey, err, SY_ERR_NOT_FOUND);
}

static void put_ok(state_store_t *s, int32_t partition, const char *contact,
                   const char *journey, const state_instance_t *instance) {
    sy_err_t err = state_store_instance_put(s, partition, contact, journey, instance);
    cr_assert(eq(int, err, SY_OK), "instance_put(%s, %s) returned %d", contact, journey, err);
}

/* ---- instances ---- */

Test(state_store, instance_put_is_seen_before_and_after_commit) {
    state_store_t *s = open_mem("mem-instance-put");
    state_instance_t a = instance_at(1, 1, T0_MS);
    expect_no_instance(s, 0, contact_uuid, journey20);
    put_ok(s, 0, contact_uuid, journey20, &a);
    expect_instance(s, 0, contact_uuid, journey20, &a);
    commit_ok(s);
    expect_instance(s, 0, contact_uuid, journey20, &a);
    state_store_close(s);
}

Test(state_store, instance_later_put_in_same_batch_replaces_earlier) {
    state_store_t *s = open_mem("mem-instance-replace");
    state_instance_t a = instance_at(1, 1, T0_MS), b = instance_at(4, 2, T0_MS + H_MS);
    put_ok(s, 0, contact_uuid, journey20, &a);
    put_ok(s, 0, contact_uuid, journey20, &b);
    expect_instance(s, 0, contact_uuid, journey20, &b);
    commit_ok(s);
    expect_instance(s, 0, contact_uuid, journey20, &b);
    state_store_close(s);
}

Test(state_store, instance_is_keyed_by_partition_contact_and_journey) {
    state_store_t *s = open_mem("mem-instance-keys");
    state_instance_t a = instance_at(1, 1, T0_MS);
    put_ok(s, 7, "c1", "j1", &a);
    commit_ok(s);
    expect_instance(s, 7, "c1", "j1", &a);
    expect_no_instance(s, 8, "c1", "j1");
    expect_no_instance(s, 7, "c1", "j2");
    expect_no_instance(s, 7, "c2", "j1");
    /* The NUL separator keeps ("c1j", "1") apart from ("c1", "j1"). */
    expect_no_instance(s, 7, "c1j", "1");
    state_store_close(s);
}

Test(state_store, instance_abort_drops_uncommitted_put) {
    state_store_t *s = open_mem("mem-instance-abort");
    state_instance_t a = instance_at(1, 1, T0_MS), b = instance_at(5, 2, T0_MS + H_MS);
    put_ok(s, 0, "committed", journey20, &a);
    commit_ok(s);
    put_ok(s, 0, "aborted", journey20, &a);
    put_ok(s, 0, "committed", journey20, &b);
    expect_instance(s, 0, "aborted", journey20, &a);
    state_store_abort(s);
    expect_no_instance(s, 0, "aborted", journey20);
    expect_instance(s, 0, "committed", journey20, &a);
    /* Nothing of the aborted batch comes back with a later commit. */
    commit_ok(s);
    expect_no_instance(s, 0, "aborted", journey20);
    expect_instance(s, 0, "committed", journey20, &a);
    state_store_close(s);
}

Test(state_store, instance_committed_survives_reopen_and_aborted_does_not,
     .fini = dir_remove) {
    dir_make();
    char dir[128];
    snprintf(dir, sizeof dir, "%s/state", tmp_root);
    state_instance_t a = instance_at(1, 1, T0_MS), b = instance_at(2, 1, T0_MS);
    state_store_t *s = open_dir(dir);
    put_ok(s, 3, "kept", journey20, &a);
    commit_ok(s);
    put_ok(s, 3, "aborted", journey20, &b);
    state_store_abort(s);
    put_ok(s, 3, "never-committed", journey20, &b);
    state_store_close(s);

    s = open_dir(dir);
    expect_instance(s, 3, "kept", journey20, &a);
    expect_no_instance(s, 3, "aborted", journey20);
    expect_no_instance(s, 3, "never-committed", journey20);
    state_store_close(s);
}

Test(state_store, contact_id_over_limit_is_limit_error) {
    state_store_t *s = open_mem("mem-limit");
    char longest[SY_ID_BYTES_MAX + 1], too_long[SY_ID_BYTES_MAX + 2];
    memset(longest, 'c', SY_ID_BYTES_MAX);
    longest[SY_ID_BYTES_MAX] = '\0';
    memset(too_long, 'c', SY_ID_BYTES_MAX + 1);
    too_long[SY_ID_BYTES_MAX + 1] = '\0';
    state_instance_t a = instance_at(1, 1, T0_MS), got;

    sy_err_t err = state_store_instance_put(s, 0, too_long, journey20, &a);
    cr_assert(eq(int, err, SY_ERR_LIMIT), "put of a %d-byte contact id returned %d, want %d",
              SY_ID_BYTES_MAX + 1, err, SY_ERR_LIMIT);
    err = state_store_instance_get(s, 0, too_long, journey20, &got, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_LIMIT), "get of a %d-byte contact id returned %d, want %d",
              SY_ID_BYTES_MAX + 1, err, SY_ERR_LIMIT);
    err = state_store_instance_put(s, 0, contact_uuid, too_long, &a);
    cr_assert(eq(int, err, SY_ERR_LIMIT), "put of a %d-byte journey id returned %d, want %d",
              SY_ID_BYTES_MAX + 1, err, SY_ERR_LIMIT);

    put_ok(s, 0, longest, journey20, &a);
    commit_ok(s);
    expect_instance(s, 0, longest, journey20, &a);
    state_store_close(s);
}

Test(state_store, instance_key_reads_and_writes_as_the_ids_do) {
    state_store_t *s = open_mem("mem-key");
    state_instance_t a = instance_at(1, 1, T0_MS), b = instance_at(2, 1, T0_MS), got;
    state_instance_key_t key;
    cr_assert(eq(int, state_instance_key_contact(&key, 3, contact_uuid), SY_OK));
    uint8_t want[STATE_KEY_BYTES_MAX];
    size_t want_len = state_codec_instance_key(want, 3, contact_uuid, journey20);
    cr_assert(eq(int, state_instance_key_journey(&key, journey20, -1), SY_OK));
    cr_assert(eq(sz, key.len, want_len), "key is %zu bytes, want %zu", key.len, want_len);
    cr_assert(memcmp(key.bytes, want, want_len) == 0, "key bytes differ from the codec's");

    /* One contact part, two journeys: each read sees its own journey's write. */
    cr_assert(eq(int, state_store_instance_put_at(s, &key, &a), SY_OK));
    cr_assert(eq(int, state_instance_key_journey(&key, "feedback", -1), SY_OK));
    cr_assert(eq(int, state_store_instance_get_at(s, &key, &got, errbuf, sizeof errbuf),
                 SY_ERR_NOT_FOUND), "the second journey has no instance yet");
    cr_assert(eq(int, state_store_instance_put_at(s, &key, &b), SY_OK));
    commit_ok(s);
    expect_instance(s, 3, contact_uuid, journey20, &a);
    expect_instance(s, 3, contact_uuid, "feedback", &b);
    cr_assert(eq(int, state_instance_key_journey(&key, journey20, -1), SY_OK));
    cr_assert(eq(int, state_store_instance_get_at(s, &key, &got, errbuf, sizeof errbuf),
                 SY_OK), "get_at after commit: %s", errbuf);
    assert_instance_eq(&got, &a);
    state_store_close(s);
}

/* A key that carries its journey's slot reads what one that looks it up reads. */
Test(state_store, instance_slot_is_stable_and_a_slotted_key_reads_the_same) {
    state_store_t *s = open_mem("mem-slot");
    int promo = state_store_instance_slot(s, journey20);
    int feedback = state_store_instance_slot(s, "feedback");
    cr_assert(ge(int, promo, 0), "slot of %s is %d", journey20, promo);
    cr_assert(ge(int, feedback, 0), "slot of feedback is %d", feedback);
    cr_assert(ne(int, promo, feedback), "two journeys share slot %d", promo);
    state_instance_t a = instance_at(1, 1, T0_MS), b = instance_at(2, 1, T0_MS), got;
    put_ok(s, 0, contact_uuid, journey20, &a);
    put_ok(s, 0, contact_uuid, "feedback", &b);
    commit_ok(s);
    cr_assert(eq(int, state_store_instance_slot(s, journey20), promo), "slot moved");
    state_instance_key_t key;
    cr_assert(eq(int, state_instance_key_contact(&key, 0, contact_uuid), SY_OK));
    cr_assert(eq(int, state_instance_key_journey(&key, "feedback", feedback), SY_OK));
    cr_assert(eq(int, state_store_instance_get_at(s, &key, &got, errbuf, sizeof errbuf),
                 SY_OK), "get_at with its slot: %s", errbuf);
    assert_instance_eq(&got, &b);
    cr_assert(eq(int, state_instance_key_journey(&key, journey20, promo), SY_OK));
    cr_assert(eq(int, state_store_instance_get_at(s, &key, &got, errbuf, sizeof errbuf),
                 SY_OK), "get_at with its slot: %s", errbuf);
    assert_instance_eq(&got, &a);
    state_store_close(s);
}

/* A journey part put with its length is the bytes the measuring one puts. */
Test(state_store, instance_key_journey_len_puts_the_bytes_of_the_measuring_one) {
    state_instance_key_t measured, given;
    cr_assert(eq(int, state_instance_key_contact(&measured, 3, contact_uuid), SY_OK));
    cr_assert(eq(int, state_instance_key_contact(&given, 3, contact_uuid), SY_OK));
    cr_assert(eq(int, state_instance_key_journey(&measured, journey20, 5), SY_OK));
    cr_assert(eq(int, state_instance_key_journey_len(&given, journey20, strlen(journey20), 5),
                 SY_OK));
    cr_assert(eq(sz, given.len, measured.len));
    cr_assert(eq(int, given.slot, measured.slot));
    cr_assert(memcmp(given.bytes, measured.bytes, measured.len) == 0, "key bytes differ");
    /* a shorter journey after a longer one: the key is the shorter one's alone */
    cr_assert(eq(int, state_instance_key_journey(&measured, "fb", -1), SY_OK));
    cr_assert(eq(int, state_instance_key_journey_len(&given, "fb", 2, -1), SY_OK));
    cr_assert(eq(sz, given.len, measured.len));
    cr_assert(memcmp(given.bytes, measured.bytes, measured.len) == 0, "key bytes differ");
    char too_long[SY_ID_BYTES_MAX + 2];
    memset(too_long, 'j', SY_ID_BYTES_MAX + 1);
    too_long[SY_ID_BYTES_MAX + 1] = '\0';
    cr_assert(eq(int, state_instance_key_journey_len(&given, too_long, SY_ID_BYTES_MAX + 1, -1),
                 SY_ERR_LIMIT));
    cr_assert(eq(sz, given.len, measured.len), "an over-long id leaves the key as it was");
}

/* Ids of every length up to the limit (copied in one, two or many moves) make the codec's
 * key bytes, by the contact and journey parts and by a timer alike. */
Test(state_store, instance_key_of_ids_of_every_length_is_the_codecs) {
    char contact[SY_ID_BYTES_MAX + 1], journey[SY_ID_BYTES_MAX + 1];
    for (size_t i = 0; i < SY_ID_BYTES_MAX; i++) {
        contact[i] = (char)('a' + i % 26);
        journey[i] = (char)('A' + i % 23);
    }
    for (size_t clen = 1; clen <= SY_ID_BYTES_MAX; clen++) {
        contact[clen] = '\0';
        for (size_t jlen = 0; jlen <= SY_ID_BYTES_MAX; jlen += clen % 7 + 1) {
            journey[jlen] = '\0';
            uint8_t want[STATE_KEY_BYTES_MAX];
            size_t want_len = state_codec_instance_key(want, 258, contact, journey);
            state_instance_key_t key, timer_key;
            cr_assert(eq(int, state_instance_key_contact(&key, 258, contact), SY_OK));
            cr_assert(eq(int, state_instance_key_journey(&key, journey, -1), SY_OK));
            cr_assert(eq(sz, key.len, want_len), "ids of %zu and %zu bytes", clen, jlen);
            cr_assert(memcmp(key.bytes, want, want_len) == 0,
                      "key bytes of ids of %zu and %zu bytes differ from the codec's", clen,
                      jlen);
            state_timer_t timer = {.partition = 258};
            memcpy(timer.contact_id, contact, clen + 1);
            memcpy(timer.journey_id, journey, jlen + 1);
            cr_assert(eq(int, state_timer_instance_key(&timer, &timer_key), SY_OK));
            cr_assert(eq(sz, timer_key.contact_len, key.contact_len));
            cr_assert(eq(sz, timer_key.len, want_len), "timer ids of %zu and %zu bytes", clen,
                      jlen);
            cr_assert(memcmp(timer_key.bytes, want, want_len) == 0,
                      "timer key bytes of ids of %zu and %zu bytes differ", clen, jlen);
            journey[jlen] = (char)('A' + jlen % 23);
        }
        contact[clen] = (char)('a' + clen % 26);
    }
}

Test(state_store, instance_key_over_limit_is_limit_error) {
    char too_long[SY_ID_BYTES_MAX + 2];
    memset(too_long, 'c', SY_ID_BYTES_MAX + 1);
    too_long[SY_ID_BYTES_MAX + 1] = '\0';
    state_instance_key_t key;
    cr_assert(eq(int, state_instance_key_contact(&key, 0, too_long), SY_ERR_LIMIT));
    cr_assert(eq(int, state_instance_key_contact(&key, 0, contact_uuid), SY_OK));
    cr_assert(eq(int, state_instance_key_journey(&key, too_long, -1), SY_ERR_LIMIT));
}

/* ---- codec ---- */

Test(state_codec, realistic_instance_encodes_in_at_most_24_bytes) {
    uint8_t buf[STATE_VALUE_BYTES_MAX];
    /* A contact 23 h into a branch, having seen delivered and opened, third entry. */
    state_instance_t in = {.status = STATE_INSTANCE_ACTIVE,
                           .node = 1,
                           .journey_version = 12,
                           .occurrence = 3,
                           .entered_at_ms = T0_MS,
                           .node_entered_at_ms = T0_MS + 23 * H_MS,
                           .seen_mask = (1u << 1) | (1u << 2) | (1u << 3)};
    size_t n = state_codec_instance_encode(buf, &in);
    cr_assert_leq(n, 24, "instance encodes in %zu bytes, want <= 24", n);
    cr_assert_geq(n, 8, "instance encodes in %zu bytes: too few to hold it", n);
}

Test(state_codec, instance_key_is_partition_contact_nul_journey) {
    uint8_t key[STATE_KEY_BYTES_MAX];
    size_t n = state_codec_instance_key(key, 0x0102, contact_uuid, journey20);
    size_t want = 2 + 36 + 1 + 20;
    cr_assert(eq(sz, strlen(contact_uuid), 36), "contact id has %zu chars", strlen(contact_uuid));
    cr_assert(eq(sz, strlen(journey20), 20), "journey id has %zu chars", strlen(journey20));
    cr_assert(eq(sz, n, want), "key is %zu bytes, want %zu", n, want);
    cr_assert(eq(int, key[0], 0x01), "partition high byte 0x%02x, want 0x01", key[0]);
    cr_assert(eq(int, key[1], 0x02), "partition low byte 0x%02x, want 0x02", key[1]);
    cr_assert(memcmp(key + 2, contact_uuid, 36) == 0, "contact id bytes differ");
    cr_assert(eq(int, key[38], 0), "separator 0x%02x, want 0", key[38]);
    cr_assert(memcmp(key + 39, journey20, 20) == 0, "journey id bytes differ");
}

Test(state_codec, instance_round_trips) {
    const state_instance_t cases[] = {
        instance_at(0, 1, T0_MS),
        {.status = STATE_INSTANCE_DONE, .node = UINT16_MAX, .journey_version = INT32_MAX,
         .occurrence = UINT32_MAX, .entered_at_ms = INT64_MAX / 2,
         .node_entered_at_ms = INT64_MAX / 2 + 1, .seen_mask = UINT32_MAX},
        {.status = STATE_INSTANCE_ACTIVE, .node = 7, .journey_version = 1, .occurrence = 1,
         .entered_at_ms = -5 * H_MS, .node_entered_at_ms = -7 * H_MS, .seen_mask = 0},
        {.status = STATE_INSTANCE_ACTIVE, .node = 0, .journey_version = 0, .occurrence = 0,
         .entered_at_ms = 0, .node_entered_at_ms = 0, .seen_mask = 1},
        {.status = STATE_INSTANCE_ACTIVE, .node = 3, .journey_version = 2, .occurrence = 4,
         .entered_at_ms = T0_MS, .node_entered_at_ms = T0_MS + 2 * H_MS, .seen_mask = 0,
         .looped_send = UINT16_MAX, .looped_send_at_ms = T0_MS + 2 * H_MS},
        {.status = STATE_INSTANCE_ACTIVE, .node = 3, .journey_version = 2, .occurrence = 4,
         .entered_at_ms = T0_MS, .node_entered_at_ms = T0_MS + 2 * H_MS,
         .timer = STATE_INSTANCE_TIMER_ARMED, .timer_due_ms = T0_MS + 26 * H_MS},
        {.status = STATE_INSTANCE_ACTIVE, .node = 3, .journey_version = 2, .occurrence = 4,
         .entered_at_ms = T0_MS, .node_entered_at_ms = INT64_MIN, .looped_send = 2,
         .looped_send_at_ms = T0_MS + H_MS, .timer = STATE_INSTANCE_TIMER_ARMED,
         .timer_due_ms = INT64_MAX},
        {.status = STATE_INSTANCE_ACTIVE, .node = 3, .journey_version = 2, .occurrence = 4,
         .entered_at_ms = T0_MS, .node_entered_at_ms = T0_MS, .looped_send = 2,
         .looped_send_at_ms = T0_MS + H_MS, .timer = STATE_INSTANCE_TIMER_LEGACY},
        {.status = STATE_INSTANCE_DONE, .node = 3, .journey_version = 2, .occurrence = 4,
         .entered_at_ms = T0_MS, .node_entered_at_ms = T0_MS,
         .timer = STATE_INSTANCE_TIMER_LEGACY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[STATE_VALUE_BYTES_MAX];
        state_instance_t out;
        memset(&out, 0xa5, sizeof out);
        size_t n = state_codec_instance_encode(buf, &cases[i]);
        cr_assert_leq(n, STATE_VALUE_BYTES_MAX, "case %zu: %zu bytes", i, n);
        /* The old form only for an instance whose timers are still in the old index. */
        int version = cases[i].timer == STATE_INSTANCE_TIMER_LEGACY ? STATE_CODEC_VERSION
                                                                    : STATE_CODEC_INSTANCE_VERSION;
        cr_assert(eq(int, buf[0], version), "case %zu: version byte %u", i, buf[0]);
        cr_assert(state_codec_instance_decode(buf, n, &out), "case %zu: decode failed", i);
        assert_instance_eq(&out, &cases[i]);
    }
}

/* A value written before looped sends had their own ids ends after the seen mask: it
 * reads with no looped send. */
Test(state_codec, an_instance_without_a_looped_send_reads_as_none) {
    uint8_t buf[STATE_VALUE_BYTES_MAX];
    state_instance_t in = instance_at(3, 2, T0_MS), out;
    in.looped_send = 4;
    in.looped_send_at_ms = T0_MS + H_MS;
    size_t with = state_codec_instance_encode(buf, &in);
    in.looped_send = 0;
    size_t without = state_codec_instance_encode(buf, &in);
    cr_assert(lt(sz, without, with));
    cr_assert(state_codec_instance_decode(buf, without, &out));
    cr_assert(eq(u16, out.looped_send, 0));
}

Test(state_codec, instance_decode_rejects_truncated_wrong_version_and_trailing_bytes) {
    uint8_t buf[STATE_VALUE_BYTES_MAX + 1];
    state_instance_t in = instance_at(3, 2, T0_MS), out;
    size_t n = state_codec_instance_encode(buf, &in);
    for (size_t len = 0; len < n; len++)
        cr_assert_not(state_codec_instance_decode(buf, len, &out),
                      "decode of the first %zu of %zu bytes succeeded", len, n);
    buf[n] = 0;
    cr_assert_not(state_codec_instance_decode(buf, n + 1, &out),
                  "decode with a trailing byte succeeded");
    buf[0] = STATE_CODEC_INSTANCE_VERSION + 1;
    cr_assert_not(state_codec_instance_decode(buf, n, &out),
                  "decode of version %d succeeded", STATE_CODEC_INSTANCE_VERSION + 1);
    buf[0] = STATE_CODEC_INSTANCE_VERSION;
    buf[1] = 9;
    cr_assert_not(state_codec_instance_decode(buf, n, &out),
                  "decode of status 9 succeeded");
}

/* The instance forms the encoder writes: legacy (with and without a looped send), and the
 * current one without a tail, with a looped send, with a live timer, with both. */
static state_instance_t instance_form(int form) {
    state_instance_t in = instance_at(3, 2, T0_MS);
    in.node_entered_at_ms = T0_MS + 23 * H_MS;
    in.seen_mask = 5;
    in.looped_send = form == 1 || form == 3 || form == 5 ? 4 : 0;
    in.looped_send_at_ms = in.looped_send ? T0_MS + H_MS : 0;
    in.timer = form < 2 ? STATE_INSTANCE_TIMER_LEGACY
               : form >= 4 ? STATE_INSTANCE_TIMER_ARMED
                           : STATE_INSTANCE_TIMER_NONE;
    in.timer_due_ms = in.timer == STATE_INSTANCE_TIMER_ARMED ? T0_MS + 47 * H_MS : 0;
    return in;
}
#define INSTANCE_FORMS 6

/* A value cut short is refused, except where it ends as another whole value: after the
 * seen mask (a value without a tail), or after a looped send (one without a timer). */
Test(state_codec, instance_decode_refuses_every_truncation_of_each_form) {
    for (int form = 0; form < INSTANCE_FORMS; form++) {
        uint8_t buf[STATE_VALUE_BYTES_MAX];
        state_instance_t in = instance_form(form), bare = in, looped = in, out;
        bare.looped_send = 0;
        bare.timer = STATE_INSTANCE_TIMER_NONE;
        looped.timer = STATE_INSTANCE_TIMER_NONE;
        size_t bare_len = state_codec_instance_encode(buf, &bare);
        size_t looped_len =
            in.looped_send ? state_codec_instance_encode(buf, &looped) : SIZE_MAX;
        size_t n = state_codec_instance_encode(buf, &in);
        cr_assert(state_codec_instance_decode(buf, n, &out), "form %d: decode failed", form);
        assert_instance_eq(&out, &in);
        for (size_t len = 0; len < n; len++) {
            int whole = len == bare_len || len == looped_len;
            cr_assert(eq(int, state_codec_instance_decode(buf, len, &out), whole),
                      "form %d: decode of the first %zu of %zu bytes", form, len, n);
        }
    }
}

/* v as a varint of exactly width bytes (longer than it needs: 0x80 bytes, then a 0). */
static size_t varint_wide(uint8_t *buf, uint64_t v, size_t width) {
    size_t n = 0;
    while (n + 1 < width) {
        buf[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    buf[n++] = (uint8_t)v;
    return n;
}

/* An instance value's varint fields in order: node, version, occurrence, entry time, node
 * entry distance, seen mask, looped send, its distance, the timer's due distance. */
#define VALUE_FIELDS 9

/* A current-form value with these fields, field wide written in width bytes. */
static size_t value_wide(uint8_t *buf, const uint64_t fields[VALUE_FIELDS], size_t wide,
                         size_t width) {
    size_t n = 0;
    buf[n++] = STATE_CODEC_INSTANCE_VERSION;
    buf[n++] = STATE_INSTANCE_ACTIVE;
    for (size_t f = 0; f < VALUE_FIELDS; f++)
        n += varint_wide(buf + n, fields[f], f == wide ? width : 1);
    return n;
}

/* Varints of 1 to 10 bytes read alike at every field (the encoder writes the shortest,
 * but a longer one is a varint too); one of 11 is refused, and so is any cut within one. */
Test(state_codec, instance_decode_reads_varints_of_1_to_10_bytes_at_each_field) {
    /* Values of one byte each, so any width holds them (a zigzag 6 is +3). */
    const uint64_t fields[VALUE_FIELDS] = {3, 7, 2, 6, 8, 5, 4, 2, 10};
    uint8_t buf[2 + VALUE_FIELDS * 11];
    state_instance_t want, out;
    size_t n = value_wide(buf, fields, 0, 1);
    cr_assert(state_codec_instance_decode(buf, n, &want), "decode of the shortest failed");
    cr_assert(eq(i64, want.timer_due_ms, 3 + 4 + 5), "due %lld", (long long)want.timer_due_ms);
    for (size_t f = 0; f < VALUE_FIELDS; f++) {
        for (size_t width = 1; width <= 10; width++) {
            n = value_wide(buf, fields, f, width);
            cr_assert(state_codec_instance_decode(buf, n, &out),
                      "field %zu in %zu bytes: decode failed", f, width);
            assert_instance_eq(&out, &want);
            size_t field_end = 2 + f + width; /* each field before it in 1 byte */
            for (size_t len = field_end - width + 1; len < field_end; len++)
                cr_assert_not(state_codec_instance_decode(buf, len, &out),
                              "field %zu in %zu bytes, cut at %zu: decoded", f, width, len);
        }
        n = value_wide(buf, fields, f, 11);
        cr_assert_not(state_codec_instance_decode(buf, n, &out),
                      "field %zu in 11 bytes: decoded", f);
    }
}

/* The same of a timer's value: its node and its node entry time, each 1 to 11 bytes. */
Test(state_codec, timer_value_decode_reads_varints_of_1_to_10_bytes) {
    for (size_t f = 0; f < 2; f++) {
        for (size_t width = 1; width <= 11; width++) {
            uint8_t buf[1 + 2 * 11];
            size_t n = 0;
            buf[n++] = STATE_CODEC_VERSION;
            n += varint_wide(buf + n, 9, f == 0 ? width : 1);
            n += varint_wide(buf + n, 4, f == 1 ? width : 1);
            state_timer_t out;
            memset(&out, 0, sizeof out);
            cr_assert(eq(int, state_codec_timer_value_decode(buf, n, &out), width <= 10),
                      "field %zu in %zu bytes", f, width);
            if (width <= 10)
                cr_assert(out.node == 9 && out.node_entered_at_ms == 2,
                          "field %zu in %zu bytes: node %u, entered %lld", f, width, out.node,
                          (long long)out.node_entered_at_ms);
            for (size_t len = 0; len < n; len++)
                cr_assert_not(state_codec_timer_value_decode(buf, len, &out),
                              "field %zu in %zu bytes, cut at %zu: decoded", f, width, len);
        }
    }
}

static state_timer_t timer_make(int32_t partition, int64_t due_ms, const char *contact,
                                const char *journey, uint16_t node, int64_t entered_ms) {
    state_timer_t t;
    memset(&t, 0, sizeof t);
    t.partition = partition;
    t.due_ms = due_ms;
    snprintf(t.contact_id, sizeof t.contact_id, "%s", contact);
    snprintf(t.journey_id, sizeof t.journey_id, "%s", journey);
    t.node = node;
    t.node_entered_at_ms = entered_ms;
    return t;
}

Test(state_codec, timer_value_round_trips) {
    const state_timer_t cases[] = {
        timer_make(0, 0, "c", "j", 1, T0_MS),
        timer_make(0, 0, "c", "j", UINT16_MAX, -T0_MS),
        timer_make(0, 0, "c", "j", 0, INT64_MIN),
        timer_make(0, 0, "c", "j", 0, INT64_MAX),
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[STATE_VALUE_BYTES_MAX];
        state_timer_t out;
        memset(&out, 0, sizeof out);
        size_t n = state_codec_timer_value_encode(buf, &cases[i]);
        cr_assert(state_codec_timer_value_decode(buf, n, &out), "case %zu: decode failed", i);
        cr_assert(eq(u16, out.node, cases[i].node), "case %zu: node %u, want %u", i, out.node,
                  cases[i].node);
        cr_assert(eq(i64, out.node_entered_at_ms, cases[i].node_entered_at_ms),
                  "case %zu: entered %lld, want %lld", i,
                  (long long)out.node_entered_at_ms,
                  (long long)cases[i].node_entered_at_ms);
        for (size_t len = 0; len < n; len++)
            cr_assert_not(state_codec_timer_value_decode(buf, len, &out),
                          "case %zu: decode of %zu of %zu bytes succeeded", i, len, n);
        buf[0] = STATE_CODEC_VERSION + 1;
        cr_assert_not(state_codec_timer_value_decode(buf, n, &out),
                      "case %zu: decode of a wrong version succeeded", i);
    }
}

Test(state_codec, timer_key_round_trips_sorts_by_due_time_and_gives_due_from_its_head) {
    const int64_t dues[] = {INT64_MIN, -T0_MS, -1, 0, 1, T0_MS, T0_MS + 72 * H_MS,
                            INT64_MAX};
    uint8_t prev[STATE_KEY_BYTES_MAX];
    size_t prev_len = 0;
    for (size_t i = 0; i < sizeof dues / sizeof dues[0]; i++) {
        state_timer_t in = timer_make(4095, dues[i], contact_uuid, journey20, 0, 0), out;
        uint8_t key[STATE_KEY_BYTES_MAX];
        memset(&out, 0, sizeof out);
        size_t n = state_codec_timer_key(key, &in);
        cr_assert(eq(sz, n, 2 + 8 + 36 + 1 + 20), "timer key %zu bytes", n);
        cr_assert(state_codec_timer_key_decode(key, n, &out), "due %lld: decode failed",
                  (long long)dues[i]);
        cr_assert(eq(i32, out.partition, 4095), "partition %d, want 4095", (int)out.partition);
        cr_assert(eq(i64, out.due_ms, dues[i]), "due %lld, want %lld", (long long)out.due_ms,
                  (long long)dues[i]);
        cr_assert(eq(str, out.contact_id, (char *)contact_uuid), "contact '%s'", out.contact_id);
        cr_assert(eq(str, out.journey_id, (char *)journey20), "journey '%s'", out.journey_id);
        /* Its head alone (no ids) gives the same partition and due. */
        cr_assert(eq(i32, state_codec_timer_key_partition(key), 4095),
                  "partition from the key's head %d, want 4095",
                  (int)state_codec_timer_key_partition(key));
        cr_assert(eq(i64, state_codec_timer_key_due(key), dues[i]),
                  "due from the key's head %lld, want %lld",
                  (long long)state_codec_timer_key_due(key), (long long)dues[i]);
        if (i > 0)
            cr_assert_lt(memcmp(prev, key, n < prev_len ? n : prev_len), 0,
                         "key of due %lld does not sort after due %lld",
                         (long long)dues[i], (long long)dues[i - 1]);
        memcpy(prev, key, n);
        prev_len = n;
    }
}

Test(state_codec, timer_key_decode_rejects_short_keys_and_missing_separator) {
    state_timer_t in = timer_make(1, T0_MS, "c1", "j1", 0, 0), out;
    uint8_t key[STATE_KEY_BYTES_MAX];
    size_t n = state_codec_timer_key(key, &in);
    for (size_t len = 0; len < 2 + 8 + 1; len++)
        cr_assert_not(state_codec_timer_key_decode(key, len, &out),
                      "decode of a %zu-byte key succeeded", len);
    /* Cut before the separator: no journey id. */
    cr_assert_not(state_codec_timer_key_decode(key, 2 + 8 + 2, &out),
                  "decode of a key without a separator succeeded");
    cr_assert(state_codec_timer_key_decode(key, n, &out), "decode of the whole key failed");
}

/* An instance key gives the ids of the timer its instance keeps, as the timer key would. */
Test(state_codec, instance_key_ids_read_as_the_timer_keys_ids) {
    uint8_t key[STATE_KEY_BYTES_MAX];
    state_timer_t out;
    size_t n = state_codec_instance_key(key, 258, "contact-7", "promo");
    cr_assert_gt(n, 0);
    cr_assert(state_codec_instance_key_ids(key, n, &out), "decode of the whole key failed");
    cr_assert(eq(i32, out.partition, 258));
    cr_assert(eq(str, out.contact_id, "contact-7"));
    cr_assert(eq(str, out.journey_id, "promo"));
    for (size_t len = 0; len <= 2 + 9 + 1; len++) /* no separator yet, or no journey id */
        cr_assert_not(state_codec_instance_key_ids(key, len, &out),
                      "decode of a %zu-byte key succeeded", len);
}

/* The engine never writes an empty id; a key with one (from a damaged changelog) would
 * name no contact or journey: both key readers refuse it. */
Test(state_codec, keys_with_an_empty_contact_or_journey_id_are_malformed) {
    const uint8_t no_contact[] = {0, 1, 0, 'p'}, no_journey[] = {0, 1, 'c', 0};
    state_timer_t out;
    cr_assert_not(state_codec_instance_key_ids(no_contact, sizeof no_contact, &out));
    cr_assert_not(state_codec_instance_key_ids(no_journey, sizeof no_journey, &out));
    state_timer_t timer = {.partition = 1, .due_ms = T0_MS, .contact_id = "c",
                           .journey_id = "p"};
    uint8_t key[STATE_KEY_BYTES_MAX];
    size_t n = state_codec_timer_key(key, &timer);
    cr_assert(state_codec_timer_key_decode(key, n, &out));
    cr_assert_not(state_codec_timer_key_decode(key, n - 1, &out), "an empty journey id");
    timer.contact_id[0] = '\0';
    n = state_codec_timer_key(key, &timer);
    cr_assert_not(state_codec_timer_key_decode(key, n, &out), "an empty contact id");
}

Test(state_codec, meta_round_trips_and_rejects_wrong_version) {
    const int64_t times[] = {INT64_MIN, -1, 0, T0_MS, INT64_MAX};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        uint8_t buf[STATE_VALUE_BYTES_MAX];
        int64_t out = 42;
        size_t n = state_codec_meta_encode(buf, times[i]);
        cr_assert(state_codec_meta_decode(buf, n, &out), "decode of %lld failed",
                  (long long)times[i]);
        cr_assert(eq(i64, out, times[i]), "stream time %lld, want %lld", (long long)out,
                  (long long)times[i]);
        cr_assert_not(state_codec_meta_decode(buf, n - 1, &out), "truncated decode succeeded");
        buf[0] = 0;
        cr_assert_not(state_codec_meta_decode(buf, n, &out), "version 0 decode succeeded");
    }
}

/* ---- timers ---- */

/* Put t's instance as the engine keeps it: at t's node since t's entry, with t its live
 * timer (armed) or none (the timer fired). Timers are rebuilt from these. */
static void put_timer_instance(state_store_t *s, const state_timer_t *t, bool armed) {
    state_instance_t in = {.status = STATE_INSTANCE_ACTIVE, .node = t->node,
                           .journey_version = 1, .occurrence = 1,
                           .entered_at_ms = t->node_entered_at_ms,
                           .node_entered_at_ms = t->node_entered_at_ms,
                           .timer = armed ? STATE_INSTANCE_TIMER_ARMED
                                          : STATE_INSTANCE_TIMER_NONE,
                           .timer_due_ms = armed ? t->due_ms : 0};
    sy_err_t err = state_store_instance_put(s, t->partition, t->contact_id, t->journey_id, &in);
    cr_assert(eq(int, err, SY_OK), "instance_put(%s) returned %d", t->contact_id, err);
}

/* Set timer t as the engine does: its instance keeps it, the store queues it. */
static void set_timer(state_store_t *s, const state_timer_t *t) {
    put_timer_instance(s, t, true);
    sy_err_t err = state_store_timer_add(s, t);
    cr_assert(eq(int, err, SY_OK), "timer_add(%d, %lld, %s) returned %d", (int)t->partition,
              (long long)t->due_ms, t->contact_id, err);
}

/* Take timer t out as the engine's fire does: removed, its instance rewritten. */
static void fire_timer(state_store_t *s, const state_timer_t *t) {
    sy_err_t err = state_store_timer_remove(s, t);
    cr_assert(eq(int, err, SY_OK), "timer_remove returned %d", err);
    put_timer_instance(s, t, false);
}

static void add_timer(state_store_t *s, int32_t partition, int64_t due_ms,
                      const char *contact) {
    state_timer_t t = timer_make(partition, due_ms, contact, "coffee", 1, due_ms - 24 * H_MS);
    set_timer(s, &t);
}

/* Take the next due timer of partition and check it is (due_ms, contact). */
static void expect_next(state_store_t *s, int32_t partition, int64_t due_max,
                        int64_t due_ms, const char *contact) {
    state_timer_t t;
    memset(&t, 0, sizeof t);
    errbuf[0] = '\0';
    sy_err_t err = state_store_timer_next(s, partition, due_max, &t, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK),
              "timer_next(%d, %lld) returned %d, want the timer (%lld, %s); %s",
              (int)partition, (long long)due_max, err, (long long)due_ms, contact, errbuf);
    cr_assert(eq(i32, t.partition, partition), "partition %d, want %d", (int)t.partition,
              (int)partition);
    cr_assert(eq(i64, t.due_ms, due_ms), "due %lld (%s), want %lld (%s)", (long long)t.due_ms,
              t.contact_id, (long long)due_ms, contact);
    cr_assert(eq(str, t.contact_id, (char *)contact), "contact '%s', want '%s' (due %lld)",
              t.contact_id, contact, (long long)due_ms);
    cr_assert(eq(str, t.journey_id, "coffee"), "journey '%s'", t.journey_id);
    cr_assert(eq(int, t.node, 1), "node %u, want 1", t.node);
    cr_assert(eq(i64, t.node_entered_at_ms, due_ms - 24 * H_MS), "node entered %lld, want %lld",
              (long long)t.node_entered_at_ms, (long long)(due_ms - 24 * H_MS));
    fire_timer(s, &t);
}

static void expect_none_due(state_store_t *s, int32_t partition, int64_t due_max) {
    state_timer_t t;
    sy_err_t err = state_store_timer_next(s, partition, due_max, &t, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND),
              "timer_next(%d, %lld) returned %d (due %lld, %s), want SY_ERR_NOT_FOUND",
              (int)partition, (long long)due_max, err, (long long)t.due_ms, t.contact_id);
}

Test(state_store, timer_next_merges_committed_and_pending_in_due_order) {
    state_store_t *s = open_mem("mem-timers-merge");
    add_timer(s, 2, T0_MS + 100, "c1");
    add_timer(s, 2, T0_MS + 500, "c3");
    add_timer(s, 2, T0_MS + 300, "c2");
    commit_ok(s);
    add_timer(s, 2, T0_MS + 600, "c7");
    add_timer(s, 2, T0_MS + 50, "c4");
    add_timer(s, 2, T0_MS + 400, "c6");
    add_timer(s, 2, T0_MS + 300, "c0"); /* same due as committed c2: ids break the tie */
    add_timer(s, 2, T0_MS + 200, "c5");
    expect_next(s, 2, INT64_MAX, T0_MS + 50, "c4");
    expect_next(s, 2, INT64_MAX, T0_MS + 100, "c1");
    expect_next(s, 2, INT64_MAX, T0_MS + 200, "c5");
    expect_next(s, 2, INT64_MAX, T0_MS + 300, "c0");
    expect_next(s, 2, INT64_MAX, T0_MS + 300, "c2");
    expect_next(s, 2, INT64_MAX, T0_MS + 400, "c6");
    expect_next(s, 2, INT64_MAX, T0_MS + 500, "c3");
    expect_next(s, 2, INT64_MAX, T0_MS + 600, "c7");
    expect_none_due(s, 2, INT64_MAX);
    commit_ok(s);
    expect_none_due(s, 2, INT64_MAX);
    state_store_close(s);
}

Test(state_store, timer_added_while_draining_fires_in_order) {
    state_store_t *s = open_mem("mem-timers-drain-add");
    add_timer(s, 0, T0_MS + 100, "a");
    add_timer(s, 0, T0_MS + 400, "d");
    commit_ok(s);
    expect_next(s, 0, INT64_MAX, T0_MS + 100, "a");
    /* As the engine does: firing one timer sets others, some before the next one. */
    add_timer(s, 0, T0_MS + 200, "b");
    add_timer(s, 0, T0_MS + 500, "e");
    expect_next(s, 0, INT64_MAX, T0_MS + 200, "b");
    add_timer(s, 0, T0_MS + 300, "c");
    expect_next(s, 0, INT64_MAX, T0_MS + 300, "c");
    expect_next(s, 0, INT64_MAX, T0_MS + 400, "d");
    expect_next(s, 0, INT64_MAX, T0_MS + 500, "e");
    expect_none_due(s, 0, INT64_MAX);
    state_store_close(s);
}

Test(state_store, timer_next_returns_only_timers_of_its_partition) {
    state_store_t *s = open_mem("mem-timers-partitions");
    add_timer(s, 1, T0_MS + 300, "p1-committed");
    add_timer(s, 256, T0_MS + 100, "p256-committed"); /* 0x0100: high byte differs */
    add_timer(s, 3, T0_MS + 50, "p3-committed");
    add_timer(s, 0, T0_MS + 10, "p0-committed");
    commit_ok(s);
    add_timer(s, 1, T0_MS + 400, "p1-pending");
    add_timer(s, 0, T0_MS + 20, "p0-pending");
    add_timer(s, 256, T0_MS + 200, "p256-pending");
    expect_next(s, 1, INT64_MAX, T0_MS + 300, "p1-committed");
    expect_next(s, 1, INT64_MAX, T0_MS + 400, "p1-pending");
    expect_none_due(s, 1, INT64_MAX);
    expect_none_due(s, 2, INT64_MAX); /* nothing of its own; partition 3 follows it */
    expect_none_due(s, 4095, INT64_MAX);
    expect_next(s, 256, INT64_MAX, T0_MS + 100, "p256-committed");
    expect_next(s, 256, INT64_MAX, T0_MS + 200, "p256-pending");
    expect_none_due(s, 256, INT64_MAX);
    expect_next(s, 3, INT64_MAX, T0_MS + 50, "p3-committed");
    expect_next(s, 0, INT64_MAX, T0_MS + 10, "p0-committed");
    expect_next(s, 0, INT64_MAX, T0_MS + 20, "p0-pending");
    state_store_close(s);
}

Test(state_store, timer_next_excludes_timers_due_after_due_max) {
    state_store_t *s = open_mem("mem-timers-due-max");
    add_timer(s, 0, T0_MS + 100, "committed");
    commit_ok(s);
    add_timer(s, 0, T0_MS + 200, "pending");
    expect_none_due(s, 0, T0_MS + 99);
    expect_none_due(s, 0, T0_MS + 99); /* asking again changes nothing */
    expect_next(s, 0, T0_MS + 100, T0_MS + 100, "committed");
    expect_none_due(s, 0, T0_MS + 199);
    expect_next(s, 0, T0_MS + 200, T0_MS + 200, "pending");
    expect_none_due(s, 0, INT64_MAX);
    state_store_close(s);
}

Test(state_store, timer_due_at_negative_time_fires_first) {
    state_store_t *s = open_mem("mem-timers-negative");
    add_timer(s, 0, 5, "positive");
    add_timer(s, 0, -5, "negative");
    commit_ok(s);
    add_timer(s, 0, INT64_MIN + 24 * H_MS, "earliest");
    add_timer(s, 0, 0, "zero");
    expect_next(s, 0, INT64_MAX, INT64_MIN + 24 * H_MS, "earliest");
    expect_next(s, 0, INT64_MAX, -5, "negative");
    expect_next(s, 0, INT64_MAX, 0, "zero");
    expect_next(s, 0, INT64_MAX, 5, "positive");
    state_store_close(s);
}

Test(state_store, timer_removed_committed_stays_removed_after_commit) {
    state_store_t *s = open_mem("mem-timers-remove");
    add_timer(s, 5, T0_MS + 100, "a");
    add_timer(s, 5, T0_MS + 200, "b");
    add_timer(s, 5, T0_MS + 300, "c");
    commit_ok(s);
    expect_next(s, 5, T0_MS + 200, T0_MS + 100, "a");
    expect_next(s, 5, T0_MS + 200, T0_MS + 200, "b");
    expect_none_due(s, 5, T0_MS + 200);
    commit_ok(s);
    expect_none_due(s, 5, T0_MS + 299);
    expect_next(s, 5, INT64_MAX, T0_MS + 300, "c");
    commit_ok(s);
    expect_none_due(s, 5, INT64_MAX);
    state_store_close(s);
}

Test(state_store, timer_abort_drops_added_and_restores_removed) {
    state_store_t *s = open_mem("mem-timers-abort");
    add_timer(s, 0, T0_MS + 100, "a");
    add_timer(s, 0, T0_MS + 300, "c");
    commit_ok(s);
    expect_next(s, 0, INT64_MAX, T0_MS + 100, "a");
    add_timer(s, 0, T0_MS + 200, "b");
    add_timer(s, 0, T0_MS + 50, "z");
    state_store_abort(s);
    expect_next(s, 0, INT64_MAX, T0_MS + 100, "a");
    expect_next(s, 0, INT64_MAX, T0_MS + 300, "c");
    expect_none_due(s, 0, INT64_MAX);
    state_store_abort(s);
    expect_next(s, 0, INT64_MAX, T0_MS + 100, "a");
    state_store_close(s);
}

/* Take the next due timer of partition with state_store_timer_take (next and remove at
 * once) and check it is (due_ms, contact, journey). */
static void expect_take(state_store_t *s, int32_t partition, int64_t due_max, int64_t due_ms,
                        const char *contact, const char *journey) {
    state_timer_t t;
    memset(&t, 0, sizeof t);
    errbuf[0] = '\0';
    sy_err_t err = state_store_timer_take(s, partition, due_max, &t, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "timer_take(%d, %lld) returned %d, want (%lld, %s); %s",
              (int)partition, (long long)due_max, err, (long long)due_ms, contact, errbuf);
    cr_assert(eq(i64, t.due_ms, due_ms), "due %lld (%s), want %lld (%s)", (long long)t.due_ms,
              t.contact_id, (long long)due_ms, contact);
    cr_assert(eq(str, t.contact_id, (char *)contact), "contact '%s', want '%s'", t.contact_id,
              contact);
    cr_assert(eq(str, t.journey_id, (char *)journey), "journey '%s', want '%s'", t.journey_id,
              journey);
    cr_assert(eq(i64, t.node_entered_at_ms, due_ms - 24 * H_MS), "node entered %lld",
              (long long)t.node_entered_at_ms);
}

static void expect_take_none(state_store_t *s, int32_t partition, int64_t due_max) {
    state_timer_t t;
    sy_err_t err = state_store_timer_take(s, partition, due_max, &t, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "timer_take(%d, %lld) returned %d, want none",
              (int)partition, (long long)due_max, err);
}

/* Take takes what next gives, in the same order over committed and pending timers, and
 * only timers due by due_max; an abort puts back what it took. */
Test(state_store, timer_take_gives_and_removes_the_next_due_and_abort_puts_it_back) {
    state_store_t *s = open_mem("mem-timers-take");
    add_timer(s, 1, T0_MS + 100, "a");
    add_timer(s, 1, T0_MS + 300, "c");
    commit_ok(s);
    add_timer(s, 1, T0_MS + 200, "b");
    expect_take_none(s, 1, T0_MS + 99);
    expect_take_none(s, 1, T0_MS + 99); /* asking again takes nothing */
    expect_take(s, 1, T0_MS + 100, T0_MS + 100, "a", "coffee");
    expect_take_none(s, 1, T0_MS + 199);
    expect_take(s, 1, INT64_MAX, T0_MS + 200, "b", "coffee");
    expect_take(s, 1, INT64_MAX, T0_MS + 300, "c", "coffee");
    expect_take_none(s, 1, INT64_MAX);
    expect_take_none(s, 2, INT64_MAX); /* another partition's: none */
    state_store_abort(s); /* the committed a and c are back; the pending b is gone */
    expect_next(s, 1, INT64_MAX, T0_MS + 100, "a");
    expect_take(s, 1, INT64_MAX, T0_MS + 300, "c", "coffee");
    expect_take_none(s, 1, INT64_MAX);
    commit_ok(s);
    expect_take_none(s, 1, INT64_MAX);
    state_store_close(s);
}

static void set_timer_of(state_store_t *s, int64_t due_ms, const char *contact,
                         const char *journey) {
    state_timer_t t = timer_make(0, due_ms, contact, journey, 1, due_ms - 24 * H_MS);
    set_timer(s, &t);
}

/* A run: the timers due at one time for one contact, in its journeys. Take_run takes the
 * next of first's run only: not another contact's (even one whose id starts with first's),
 * nor one due later. */
Test(state_store, timer_take_run_takes_only_timers_of_the_same_due_and_contact) {
    state_store_t *s = open_mem("mem-timers-run");
    set_timer_of(s, T0_MS + 100, "c1", "alpha");
    set_timer_of(s, T0_MS + 100, "c1", "beta");
    set_timer_of(s, T0_MS + 100, "c10", "alpha");
    commit_ok(s);
    set_timer_of(s, T0_MS + 100, "c1", "gamma"); /* pending: merged into the run */
    set_timer_of(s, T0_MS + 200, "c10", "beta");
    state_timer_t first, next;
    sy_err_t err = state_store_timer_take(s, 0, INT64_MAX, &first, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK));
    cr_assert(eq(str, first.contact_id, "c1"));
    cr_assert(eq(str, first.journey_id, "alpha"));
    const char *run[] = {"beta", "gamma"};
    for (size_t i = 0; i < 2; i++) {
        err = state_store_timer_take_run(s, &first, &next, errbuf, sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "take_run %zu returned %d; %s", i, err, errbuf);
        cr_assert(eq(str, next.contact_id, "c1"), "run %zu: contact '%s'", i, next.contact_id);
        cr_assert(eq(str, next.journey_id, (char *)run[i]), "run %zu: journey '%s', want '%s'",
                  i, next.journey_id, run[i]);
        cr_assert(eq(i64, next.due_ms, T0_MS + 100));
    }
    err = state_store_timer_take_run(s, &first, &next, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "take_run past c1's run returned %d", err);
    expect_take(s, 0, INT64_MAX, T0_MS + 100, "c10", "alpha");
    first = timer_make(0, T0_MS + 100, "c10", "alpha", 1, T0_MS + 100 - 24 * H_MS);
    err = state_store_timer_take_run(s, &first, &next, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "take_run of a later timer returned %d", err);
    expect_take(s, 0, INT64_MAX, T0_MS + 200, "c10", "beta");
    err = state_store_timer_take_run(s, &first, &next, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "take_run of none returned %d", err);
    state_store_close(s);
}

/* A timer's instance key is the key the contact's and the journey's parts make. */
Test(state_store, timer_instance_key_is_the_key_of_its_contact_and_journey) {
    const state_timer_t timers[] = {
        timer_make(0, T0_MS, "c", "j", 1, T0_MS),
        timer_make(4095, T0_MS, contact_uuid, journey20, 2, T0_MS),
        timer_make(258, -1, "contact-00001", "coffee_email_promo", 0, 0),
    };
    for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++) {
        state_instance_key_t want, got;
        memset(&got, 0xab, sizeof got);
        cr_assert(eq(int, state_instance_key_contact(&want, timers[i].partition,
                                                     timers[i].contact_id), SY_OK));
        cr_assert(eq(int, state_instance_key_journey(&want, timers[i].journey_id, -1), SY_OK));
        cr_assert(eq(int, state_timer_instance_key(&timers[i], &got), SY_OK), "case %zu", i);
        cr_assert(eq(sz, got.len, want.len), "case %zu: len %zu, want %zu", i, got.len,
                  want.len);
        cr_assert(eq(sz, got.contact_len, want.contact_len), "case %zu: contact len %zu", i,
                  got.contact_len);
        cr_assert(eq(int, got.slot, -1), "case %zu: slot %d", i, got.slot);
        cr_assert(eq(int, memcmp(got.bytes, want.bytes, want.len), 0),
                  "case %zu: the key's bytes differ", i);
    }
}

/* A batch starts from the last timer fired and committed, never past one it fired and
 * aborted, and a timer committed due before the fired ones comes first. */
Test(state_store, timer_fires_resume_after_commits_and_earlier_timers_come_first) {
    state_store_t *s = open_mem("mem-timers-mark");
    add_timer(s, 3, T0_MS + 100, "a");
    add_timer(s, 3, T0_MS + 200, "b");
    add_timer(s, 3, T0_MS + 300, "c");
    add_timer(s, 4, T0_MS + 100, "other");
    commit_ok(s);
    expect_next(s, 3, INT64_MAX, T0_MS + 100, "a");
    commit_ok(s);
    expect_next(s, 3, INT64_MAX, T0_MS + 200, "b");
    state_store_abort(s); /* b fired, not durably: the next batch fires it again */
    expect_next(s, 3, INT64_MAX, T0_MS + 200, "b");
    commit_ok(s);
    add_timer(s, 3, T0_MS + 10, "late"); /* due before every fired timer */
    commit_ok(s);
    expect_next(s, 3, INT64_MAX, T0_MS + 10, "late");
    expect_next(s, 3, INT64_MAX, T0_MS + 300, "c");
    expect_none_due(s, 3, INT64_MAX);
    commit_ok(s);
    expect_none_due(s, 3, INT64_MAX); /* an empty partition stops at its end */
    expect_next(s, 4, INT64_MAX, T0_MS + 100, "other");
    add_timer(s, 3, T0_MS + 20, "after-empty");
    commit_ok(s);
    expect_next(s, 3, INT64_MAX, T0_MS + 20, "after-empty");
    commit_ok(s);
    expect_none_due(s, 3, INT64_MAX);
    expect_none_due(s, 4, INT64_MAX);
    state_store_close(s);
}

/* A timer key set again (another node, another entry time) while its earlier timer is
 * still queued: both are timers, the newer first, and only the newer is the instance's
 * live one. After a reopen only the live one is rebuilt. An abort puts both back. */
Test(state_store, timer_set_again_queues_both_and_its_instance_tells_the_live_one,
     .fini = dir_remove) {
    dir_make();
    state_store_t *s = open_dir(tmp_root);
    add_timer(s, 2, T0_MS + 100, "a");
    commit_ok(s);
    expect_none_due(s, 2, T0_MS); /* the committed timers are read before the second put */
    state_timer_t again = timer_make(2, T0_MS + 100, "a", "coffee", 7, T0_MS - 5), t;
    set_timer(s, &again);
    commit_ok(s);
    state_instance_t in;
    cr_assert(eq(int, state_store_instance_get(s, 2, "a", "coffee", &in, errbuf,
                                               sizeof errbuf), SY_OK), "%s", errbuf);
    for (int round = 0; round < 2; round++) {
        cr_assert(eq(int, state_store_timer_next(s, 2, INT64_MAX, &t, errbuf, sizeof errbuf),
                     SY_OK), "%s", errbuf);
        cr_assert(eq(int, t.node, 7), "node %u: the newer timer comes first", t.node);
        cr_assert(state_timer_live(&in, &t), "the newer timer is the live one");
        cr_assert(eq(int, state_store_timer_remove(s, &t), SY_OK));
        cr_assert(eq(int, state_store_timer_next(s, 2, INT64_MAX, &t, errbuf, sizeof errbuf),
                     SY_OK), "%s", errbuf);
        cr_assert(eq(int, t.node, 1), "node %u: then the older one", t.node);
        cr_assert(not(state_timer_live(&in, &t)), "the older timer is stale");
        cr_assert(eq(int, state_store_timer_remove(s, &t), SY_OK));
        expect_none_due(s, 2, INT64_MAX);
        state_store_abort(s); /* the fires are undone: both are back */
    }
    state_store_close(s);
    s = open_dir(tmp_root);
    cr_assert(eq(int, state_store_timer_next(s, 2, INT64_MAX, &t, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_assert(eq(int, t.node, 7), "node %u: rebuilt, the live timer", t.node);
    cr_assert(eq(i64, t.node_entered_at_ms, T0_MS - 5));
    cr_assert(eq(int, state_store_timer_remove(s, &t), SY_OK));
    expect_none_due(s, 2, INT64_MAX);
    state_store_close(s);
}

/* Timer k of the test below: ids of lengths from 1 to SY_ID_BYTES_MAX (so its bytes take
 * every size the store has room for), named after k so a mix-up shows. */
static state_timer_t numbered_timer(int32_t partition, int64_t k) {
    char contact[SY_ID_BYTES_MAX + 1], journey[SY_ID_BYTES_MAX + 1];
    size_t clen = 1 + (size_t)(k * 37 % SY_ID_BYTES_MAX), jlen = 1 + (size_t)(k % SY_ID_BYTES_MAX);
    memset(contact, 'c', clen);
    memset(journey, 'j', jlen);
    contact[clen] = journey[jlen] = '\0';
    int n = snprintf(contact, sizeof contact, "%lld", (long long)k);
    contact[n] = clen > (size_t)n ? '-' : '\0';
    return timer_make(partition, T0_MS + k, contact, journey, (uint16_t)(k % 500), T0_MS - k);
}

/* Rounds of committing timers of every size and firing the earliest half: the room of
 * fired timers is used again, and every timer still fires once, in due order, as set. */
Test(state_store, timer_room_is_reused_and_every_timer_fires_as_set) {
    enum { ROUNDS = 6, PER_ROUND = 300 };
    state_store_t *s = open_mem("mem-timers-room");
    int64_t next_fire = 0;
    for (int64_t r = 0; r <= ROUNDS; r++) {
        for (int64_t i = 0; r < ROUNDS && i < PER_ROUND; i++) {
            state_timer_t t = numbered_timer(5, r * PER_ROUND + (i * 77) % PER_ROUND);
            set_timer(s, &t);
        }
        commit_ok(s);
        int64_t fire_end = r < ROUNDS ? next_fire + PER_ROUND / 2 : ROUNDS * PER_ROUND;
        for (; next_fire < fire_end; next_fire++) {
            state_timer_t want = numbered_timer(5, next_fire), t;
            cr_assert(eq(int, state_store_timer_next(s, 5, INT64_MAX, &t, errbuf, sizeof errbuf),
                         SY_OK), "timer %lld: %s", (long long)next_fire, errbuf);
            cr_assert(eq(i64, t.due_ms, want.due_ms), "due %lld, want %lld",
                      (long long)t.due_ms, (long long)want.due_ms);
            cr_assert(eq(str, t.contact_id, want.contact_id));
            cr_assert(eq(str, t.journey_id, want.journey_id));
            cr_assert(eq(int, t.node, want.node), "node %u, want %u", t.node, want.node);
            cr_assert(eq(i64, t.node_entered_at_ms, want.node_entered_at_ms));
            fire_timer(s, &t);
        }
        commit_ok(s);
    }
    expect_none_due(s, 5, INT64_MAX);
    state_store_close(s);
}

Test(state_store, timer_committed_survives_reopen_and_removed_does_not, .fini = dir_remove) {
    dir_make();
    state_store_t *s = open_dir(tmp_root);
    add_timer(s, 9, T0_MS + 100, "removed");
    add_timer(s, 9, T0_MS + 200, "kept");
    commit_ok(s);
    expect_next(s, 9, INT64_MAX, T0_MS + 100, "removed");
    commit_ok(s);
    add_timer(s, 9, T0_MS + 150, "never-committed");
    state_store_close(s);

    s = open_dir(tmp_root);
    expect_next(s, 9, INT64_MAX, T0_MS + 200, "kept");
    expect_none_due(s, 9, INT64_MAX);
    state_store_close(s);
}

/* The k-th of SPREAD_COUNT timers in key order: due times 47 s to hours apart (the queue
 * keeps a minute of due times a bucket beyond its heap, and its heap takes every timer
 * up to 16,384: more than that here), every third one due with the one before it. */
enum { SPREAD_COUNT = 18000, SPREAD_HEAP = 16384 };

static int64_t spread_due(int64_t k) {
    int64_t step = k - k / 3; /* 0, 1, 2, 2, 3, 4, 4, ...: pairs share a due time */
    return T0_MS + step * 47 * 1000 + step / 5 * 3 * H_MS; /* 47 s apart, 3 h every fifth */
}

/* Its contact: ids in no relation to the due order (the queue's rebuild reads instances
 * in contact order), except that of two due together the first's sorts first. */
static void spread_contact(int64_t k, char out[16]) {
    snprintf(out, 16, "%c%05lld", k % 3 == 0 ? 'y' : 'x', (long long)(k * 7919 % SPREAD_COUNT));
}

/* Set timers from..to-1 of the spread in a scrambled order, then commit. */
static void set_spread(state_store_t *s, int32_t partition, int64_t from, int64_t to) {
    for (int64_t i = 0; i < to - from; i++) {
        int64_t k = from + (i * 7723) % (to - from); /* a permutation: 7723 is prime */
        char contact[16];
        spread_contact(k, contact);
        add_timer(s, partition, spread_due(k), contact);
    }
    commit_ok(s);
}

/* Fire and check timers from..to-1 of the spread, in order. */
static void fire_spread(state_store_t *s, int32_t partition, int64_t from, int64_t to) {
    for (int64_t k = from; k < to; k++) {
        char contact[16];
        spread_contact(k, contact);
        expect_next(s, partition, INT64_MAX, spread_due(k), contact);
    }
}

/* Timers set into a loaded queue, out of order, fire in key order from its heap and from
 * the buckets beyond it alike: across commits, after an abort puts back fires that
 * emptied the heap, and with an earlier timer set between fires. */
Test(state_store, timers_beyond_the_heap_fire_in_key_order_across_commits_and_aborts) {
    state_store_t *s = open_mem("mem-timers-spread");
    expect_none_due(s, 3, INT64_MAX); /* read: the commits below queue into the queue */
    set_spread(s, 3, 0, SPREAD_HEAP);            /* the heap's */
    set_spread(s, 3, SPREAD_HEAP, SPREAD_COUNT); /* beyond it: buckets, out of order */
    fire_spread(s, 3, 0, SPREAD_HEAP - 100);
    commit_ok(s);
    fire_spread(s, 3, SPREAD_HEAP - 100, SPREAD_HEAP + 300); /* the heap runs empty */
    state_store_abort(s);
    fire_spread(s, 3, SPREAD_HEAP - 100, SPREAD_HEAP + 400);
    commit_ok(s);
    /* Set now, before every timer left (due with the next, a contact sorting before every other):
     * first, before the heap's and the buckets' */
    add_timer(s, 3, spread_due(SPREAD_HEAP + 400), "wa");
    commit_ok(s);
    expect_next(s, 3, INT64_MAX, spread_due(SPREAD_HEAP + 400), "wa");
    fire_spread(s, 3, SPREAD_HEAP + 400, SPREAD_COUNT);
    commit_ok(s);
    expect_none_due(s, 3, INT64_MAX);
    state_store_close(s);
}

/* A queue rebuilt from more instances than its heap takes, read in contact order: the
 * earliest stay in the heap, the others go to buckets, and all fire in key order, an
 * abort of fires past the heap's end putting them back. */
Test(state_store, timers_rebuilt_beyond_the_heap_fire_in_key_order, .fini = dir_remove) {
    dir_make();
    state_store_t *s = open_dir(tmp_root);
    set_spread(s, 3, 0, SPREAD_COUNT / 2);
    set_spread(s, 3, SPREAD_COUNT / 2, SPREAD_COUNT);
    state_store_close(s);

    s = open_dir(tmp_root);
    fire_spread(s, 3, 0, SPREAD_HEAP / 2 - 50);
    commit_ok(s);
    fire_spread(s, 3, SPREAD_HEAP / 2 - 50, SPREAD_HEAP / 2 + 300);
    state_store_abort(s);
    fire_spread(s, 3, SPREAD_HEAP / 2 - 50, SPREAD_COUNT);
    commit_ok(s);
    expect_none_due(s, 3, INT64_MAX);
    state_store_close(s);
}

/* ---- stream time ---- */

static void expect_stream_time(state_store_t *s, int32_t partition, int64_t want) {
    int64_t got = state_store_stream_time_get(s, partition);
    cr_assert(eq(i64, got, want), "stream time of partition %d is %lld, want %lld", (int)partition,
              (long long)got, (long long)want);
}

Test(state_store, stream_time_of_new_partition_is_int64_min) {
    state_store_t *s = open_mem("mem-stream-time-new");
    expect_stream_time(s, 0, INT64_MIN);
    expect_stream_time(s, STATE_PARTITIONS_MAX - 1, INT64_MIN);
    state_store_stream_time_set(s, 1, T0_MS);
    commit_ok(s);
    expect_stream_time(s, 0, INT64_MIN);
    expect_stream_time(s, 2, INT64_MIN);
    expect_stream_time(s, 1, T0_MS);
    state_store_close(s);
}

Test(state_store, stream_time_set_is_seen_before_commit) {
    state_store_t *s = open_mem("mem-stream-time-pending");
    state_store_stream_time_set(s, 4, T0_MS);
    expect_stream_time(s, 4, T0_MS);
    state_store_close(s);
}

Test(state_store, stream_time_abort_restores_committed_value) {
    state_store_t *s = open_mem("mem-stream-time-abort");
    state_store_stream_time_set(s, 4, T0_MS);
    commit_ok(s);
    state_store_stream_time_set(s, 4, T0_MS + H_MS);
    expect_stream_time(s, 4, T0_MS + H_MS);
    state_store_abort(s);
    expect_stream_time(s, 4, T0_MS);
    state_store_stream_time_set(s, 5, T0_MS);
    state_store_abort(s);
    expect_stream_time(s, 5, INT64_MIN);
    state_store_close(s);
}

Test(state_store, stream_time_commit_persists_across_reopen, .fini = dir_remove) {
    dir_make();
    state_store_t *s = open_dir(tmp_root);
    state_store_stream_time_set(s, 0, -1);
    state_store_stream_time_set(s, 4095, T0_MS);
    commit_ok(s);
    state_store_stream_time_set(s, 4095, T0_MS + H_MS);
    state_store_abort(s);
    state_store_stream_time_set(s, 7, T0_MS); /* uncommitted at close */
    state_store_close(s);

    s = open_dir(tmp_root);
    expect_stream_time(s, 0, -1);
    expect_stream_time(s, 4095, T0_MS);
    expect_stream_time(s, 7, INT64_MIN);
    state_store_close(s);
}

/* ---- stores written by an older switchyard ---- */

/* A store whose directory lacks a column family this version added (event ids) still
 * opens read-only, as inspect opens it, and the missing family reads as empty. */
Test(state_store, read_only_open_of_a_store_without_a_newer_family_reads_it_as_empty) {
    char dir[256];
    tmpdir_make(dir, sizeof dir, "old-store");
    const char *names[] = {"default", "instances", "timers", "profiles"};
    rocksdb_options_t *options = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(options, 1);
    rocksdb_options_set_create_missing_column_families(options, 1);
    const rocksdb_options_t *cf_options[] = {options, options, options, options};
    rocksdb_column_family_handle_t *handles[4];
    char *rerr = NULL;
    rocksdb_t *db = rocksdb_open_column_families(options, dir, 4, names, cf_options,
                                                 handles, &rerr);
    cr_assert_not_null(db, "rocksdb open: %s", rerr ? rerr : "?");
    for (int i = 0; i < 4; i++)
        rocksdb_column_family_handle_destroy(handles[i]);
    rocksdb_close(db);
    rocksdb_options_destroy(options);

    state_store_t *s = NULL;
    sy_err_t err = state_store_open_read_only(&s, dir, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "open_read_only: %s", errbuf);
    state_event_id_t ids[4];
    size_t count = 99;
    err = state_store_event_ids_get(s, 0, contact_uuid, ids, &count, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "event_ids_get: %s", errbuf);
    cr_assert(eq(sz, count, 0));
    expect_no_instance(s, 0, contact_uuid, journey20);
    state_store_close(s);
    cr_assert(eq(int, tmpdir_remove(dir), 0));
}
