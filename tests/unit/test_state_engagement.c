/* test_state_engagement.c — unit tests of the engagement column family
 * (state_engagement.c): a record reads through the pending batch and commits, goes
 * through the changelog (code 8) into another store with every channel's times, streak
 * and counters intact, as a restore brings it back; a key made once (or from an instance
 * key) reads and writes the record its id does; channels without a record stay without,
 * also when decoded over another record; counters below zero or NaN (in any of a
 * channel's places), a channel twice, malformed records and the unknown code 7 are
 * refused, leaving the record decoded over cleared; a channel written alone over the
 * value read gives the bytes of the whole record (also over a value out of order, which a
 * read keeps in order), a read over another contact's record keeps none of its channels,
 * a write between two reads being seen, a corrupt one leaves no value, and a read, which
 * decodes no channel, refuses exactly what decoding refuses. In-memory RocksDB. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "state_codec.h"
#include "state_store.h"
#include "state_store_int.h"

static char errbuf[1024];

static state_store_t *open_mem(const char *name) {
    state_store_t *s = NULL;
    sy_err_t err = state_store_open(&s, name, true, 0, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s): %s", name, errbuf);
    return s;
}

static state_engagement_t get(state_store_t *s, const char *contact) {
    state_engagement_t e;
    state_engagement_clear(&e); /* the record the get writes over */
    sy_err_t err = state_store_engagement_get(s, 2, contact, &e, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_engagement_get: %s", errbuf);
    return e;
}

/* A record with email and sms, counters of every horizon set. */
static state_engagement_t sample(void) {
    state_engagement_t e;
    state_engagement_clear(&e);
    state_engagement_channel_t *m = &e.channels[SY_CHANNEL_EMAIL];
    m->updated_ms = 1793606400000;
    m->sent_ms = 1793606400000;
    m->engaged_ms = 1793002000000;
    m->ignored_streak = 3;
    for (int h = 0; h < STATE_ENGAGEMENT_HORIZONS; h++)
        for (int k = 0; k < STATE_ENGAGEMENT_COUNTERS; k++)
            m->decayed[h][k] = 0.25f * (float)(h + 1) + (float)k;
    e.channels[SY_CHANNEL_SMS].updated_ms = 1793000000000;
    e.channels[SY_CHANNEL_SMS].delivered_ms = 1793000000000;
    return e;
}

static void expect_same(const state_engagement_t *a, const state_engagement_t *b) {
    for (int c = 0; c < SY_CHANNEL__COUNT; c++) {
        const state_engagement_channel_t *x = &a->channels[c], *y = &b->channels[c];
        cr_expect(eq(i64, x->updated_ms, y->updated_ms), "channel %d updated", c);
        cr_expect(eq(i64, x->sent_ms, y->sent_ms), "channel %d sent", c);
        cr_expect(eq(i64, x->delivered_ms, y->delivered_ms), "channel %d delivered", c);
        cr_expect(eq(i64, x->engaged_ms, y->engaged_ms), "channel %d engaged", c);
        cr_expect(eq(u16, x->ignored_streak, y->ignored_streak), "channel %d streak", c);
        cr_expect(eq(int, memcmp(x->decayed, y->decayed, sizeof x->decayed), 0),
                  "channel %d counters", c);
    }
}

Test(state_engagement, a_record_reads_through_the_pending_batch_and_commits) {
    state_store_t *s = open_mem("engagement-pending");
    state_engagement_t none = get(s, "c1"), want = sample();
    cr_expect(eq(i64, none.channels[SY_CHANNEL_EMAIL].updated_ms, INT64_MIN),
              "no record: no channel");
    cr_assert(eq(int, state_store_engagement_put(s, 2, "c1", &want, errbuf, sizeof errbuf),
                 SY_OK));
    state_engagement_t got = get(s, "c1");
    expect_same(&got, &want);
    state_store_abort(s);
    got = get(s, "c1");
    cr_expect(eq(i64, got.channels[SY_CHANNEL_EMAIL].updated_ms, INT64_MIN), "aborted");
    cr_assert(eq(int, state_store_engagement_put(s, 2, "c1", &want, errbuf, sizeof errbuf),
                 SY_OK));
    cr_assert(eq(int, state_store_commit(s, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    got = get(s, "c1");
    expect_same(&got, &want);
    state_store_close(s);
}

Test(state_engagement, a_key_made_once_reads_and_writes_the_same_record) {
    state_store_t *s = open_mem("engagement-key");
    state_engagement_key_t key;
    cr_assert(eq(int, state_engagement_key_make(&key, 2, "c1", errbuf, sizeof errbuf), SY_OK));
    state_engagement_t want = sample(), got;
    cr_assert(eq(int, state_store_engagement_put_at(s, &key, &want), SY_OK));
    got = get(s, "c1"); /* by its id */
    expect_same(&got, &want);
    want.channels[SY_CHANNEL_PUSH].updated_ms = 1793700000000;
    cr_assert(eq(int, state_store_engagement_put(s, 2, "c1", &want, errbuf, sizeof errbuf),
                 SY_OK));
    state_engagement_clear(&got);
    cr_assert(eq(int, state_store_engagement_get_at(s, &key, &got, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    expect_same(&got, &want);
    state_instance_key_t instance_key; /* the key of an instance key's contact part */
    state_engagement_key_t from;
    cr_assert(eq(int, state_instance_key_contact(&instance_key, 2, "c1"), SY_OK));
    cr_assert(eq(int, state_instance_key_journey(&instance_key, "promo", -1), SY_OK));
    state_engagement_key_from(&from, &instance_key);
    cr_assert(eq(sz, from.len, key.len));
    cr_assert(eq(int, memcmp(from.bytes, key.bytes, key.len), 0), "the bytes key_make makes");
    char long_id[SY_ID_BYTES_MAX + 2];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    cr_expect(eq(int, state_engagement_key_make(&key, 2, long_id, errbuf, sizeof errbuf),
                 SY_ERR_LIMIT), "an id over SY_ID_BYTES_MAX has no key");
    state_store_close(s);
}

typedef struct op {
    int count;
    state_changelog_cf_t cf;
    uint8_t key[256], value[1024];
    size_t key_len, value_len;
} op_t;

static sy_err_t collect(void *ctx, state_changelog_cf_t cf, int32_t partition,
                        const uint8_t *key, size_t key_len, const uint8_t *value,
                        size_t value_len) {
    op_t *o = ctx;
    (void)partition;
    cr_assert(key_len <= sizeof o->key && value && value_len <= sizeof o->value);
    o->count++;
    o->cf = cf;
    memcpy(o->key, key, o->key_len = key_len);
    memcpy(o->value, value, o->value_len = value_len);
    return SY_OK;
}

Test(state_engagement, changelog_round_trip_restores_every_channel) {
    state_store_t *src = open_mem("engagement-src"), *dst = open_mem("engagement-dst");
    state_engagement_t want = sample();
    op_t op = {0};
    cr_assert(eq(int, state_store_engagement_put(src, 2, "c9", &want, errbuf, sizeof errbuf),
                 SY_OK));
    cr_assert(eq(int, state_store_pending_each(src, collect, &op), SY_OK));
    cr_assert(eq(int, op.count, 1));
    cr_expect(eq(int, op.cf, STATE_CHANGELOG_CF_ENGAGEMENT));
    cr_expect(eq(int, STATE_CHANGELOG_CF_ENGAGEMENT, 8), "the code on the wire");
    cr_expect(eq(sz, op.value_len, 2 + 2 * (1 + 32 + 2 + 48)), "two channels of 83 bytes");
    sy_err_t err = state_store_changelog_apply(dst, op.cf, op.key, op.key_len, op.value,
                                               op.value_len, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "apply: %s", errbuf);
    cr_assert(eq(int, state_store_commit(dst, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    state_engagement_t got = get(dst, "c9");
    expect_same(&got, &want);
    state_store_close(src);
    state_store_close(dst);
}

Test(state_engagement, malformed_records_and_unknown_codes_are_refused) {
    state_store_t *s = open_mem("engagement-refuse");
    state_engagement_t want = sample();
    op_t op = {0};
    cr_assert(eq(int, state_store_engagement_put(s, 2, "c5", &want, errbuf, sizeof errbuf),
                 SY_OK));
    cr_assert(eq(int, state_store_pending_each(s, collect, &op), SY_OK));
    sy_err_t err = state_store_changelog_apply(s, STATE_CHANGELOG_CF_ENGAGEMENT, op.key,
                                               op.key_len, op.value, op.value_len - 1,
                                               errbuf, sizeof errbuf);
    cr_expect(eq(int, err, SY_ERR_INVALID_ARG), "a value one byte short: %d", err);
    op.value[2] = SY_CHANNEL__COUNT; /* the first channel byte */
    err = state_store_changelog_apply(s, STATE_CHANGELOG_CF_ENGAGEMENT, op.key, op.key_len,
                                      op.value, op.value_len, errbuf, sizeof errbuf);
    cr_expect(eq(int, err, SY_ERR_INVALID_ARG), "a channel out of range: %d", err);
    err = state_store_changelog_apply(s, (state_changelog_cf_t)7, op.key, op.key_len,
                                      op.value, op.value_len, errbuf, sizeof errbuf);
    cr_expect(eq(int, err, SY_ERR_INVALID_ARG), "code 7 is no family of this store: %d", err);
    state_store_close(s);
}

/* The value of e (one encoded by the store, taken from its changelog op). */
static op_t value_of(const state_engagement_t *e) {
    state_store_t *s = open_mem("engagement-value");
    op_t op = {0};
    cr_assert(eq(int, state_store_engagement_put(s, 2, "c7", e, errbuf, sizeof errbuf),
                 SY_OK));
    cr_assert(eq(int, state_store_pending_each(s, collect, &op), SY_OK));
    state_store_close(s);
    return op;
}

Test(state_engagement, decoding_over_another_record_keeps_none_of_its_channels) {
    state_engagement_t full, got;
    state_engagement_clear(&full);
    for (int c = 0; c < SY_CHANNEL__COUNT; c++) {
        full.channels[c].updated_ms = 1793000000000 + c;
        full.channels[c].sent_ms = 1793000000000;
        full.channels[c].ignored_streak = 9;
        full.channels[c].decayed[1][STATE_ENGAGEMENT_SENDS] = 5.0f;
    }
    state_engagement_t want = sample();
    op_t op = value_of(&want);
    got = full;
    cr_assert(eq(int, state_engagement_decode(op.value, op.value_len, &got), 1));
    expect_same(&got, &want);
    got = full;
    uint8_t empty[] = {op.value[0], 0}; /* no channel */
    cr_assert(eq(int, state_engagement_decode(empty, sizeof empty, &got), 1));
    state_engagement_t none;
    state_engagement_clear(&none);
    expect_same(&got, &none);
}

/* The first counter of the value's first channel (email, the channel byte at 2). */
#define FIRST_COUNTER_AT (2 + 1 + 32 + 2)

Test(state_engagement, counters_must_be_zero_or_more_and_a_channel_come_once) {
    state_engagement_t want = sample(), got, none;
    state_engagement_clear(&got);
    state_engagement_clear(&none);
    want.channels[SY_CHANNEL_EMAIL].decayed[0][0] = -0.0f; /* compares equal to 0 */
    want.channels[SY_CHANNEL_EMAIL].decayed[2][3] = INFINITY;
    op_t op = value_of(&want);
    cr_assert(eq(int, state_engagement_decode(op.value, op.value_len, &got), 1));
    expect_same(&got, &want);
    static const uint8_t bad[][4] = {{0xbf, 0x80, 0, 0},     /* -1 */
                                     {0x7f, 0xc0, 0, 0},     /* NaN */
                                     {0xff, 0xc0, 0, 0},     /* -NaN */
                                     {0x80, 0, 0, 1},        /* the least negative */
                                     {0x7f, 0x80, 0, 1}};    /* NaN next to +inf */
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        op_t b = op;
        memcpy(b.value + FIRST_COUNTER_AT + 4 * 5, bad[i], 4);
        got = want;
        cr_expect(eq(int, state_engagement_decode(b.value, b.value_len, &got), 0),
                  "bad counter %zu refused", i);
        expect_same(&got, &none); /* cleared: a record still, though half written */
    }
    op_t twice = op;
    twice.value[2 + 83] = twice.value[2]; /* the second channel is email again */
    got = want;
    cr_expect(eq(int, state_engagement_decode(twice.value, twice.value_len, &got), 0),
              "a channel twice refused");
    expect_same(&got, &none);
}

/* A negative counter is refused wherever it stands: in each of the twelve places (every
 * horizon and counter), of the first channel and of the second. */
Test(state_engagement, a_negative_counter_is_refused_in_every_place) {
    state_engagement_t want = sample(), got, none;
    state_engagement_clear(&none);
    op_t op = value_of(&want); /* email, then sms */
    static const uint8_t minus_one[4] = {0xbf, 0x80, 0, 0};
    for (int channel = 0; channel < 2; channel++)
        for (int k = 0; k < STATE_ENGAGEMENT_HORIZONS * STATE_ENGAGEMENT_COUNTERS; k++) {
            op_t b = op;
            memcpy(b.value + FIRST_COUNTER_AT + 83 * channel + 4 * k, minus_one, 4);
            got = want;
            cr_expect(eq(int, state_engagement_decode(b.value, b.value_len, &got), 0),
                      "channel %d, counter %d: refused", channel, k);
            expect_same(&got, &none);
        }
}

/* The value s holds in its batch for contact c7 (its one op). */
static op_t pending_value(state_store_t *s) {
    op_t op = {0};
    cr_assert(eq(int, state_store_pending_each(s, collect, &op), SY_OK));
    cr_assert(eq(int, op.count, 1), "one op in the batch");
    return op;
}

/* Write channel of e alone over v, then expect the batch to hold the bytes a whole
 * write of e gives, and v to be them too. */
static void put_channel_expect(state_store_t *s, const state_engagement_key_t *key,
                               const state_engagement_t *e, state_engagement_value_t *v,
                               sy_channel_t channel) {
    cr_assert(eq(int, state_store_engagement_put_channel_at(s, key, e, v, channel), SY_OK));
    op_t got = pending_value(s), want = value_of(e);
    cr_expect(eq(sz, got.value_len, want.value_len), "channel %d: length", (int)channel);
    cr_expect(eq(int, memcmp(got.value, want.value, want.value_len), 0),
              "channel %d: the bytes of the whole record", (int)channel);
    cr_expect(eq(int, memcmp(v->bytes, want.value, want.value_len), 0), "v is the value");
}

/* Read key's value into v and every channel of it into *e (which holds a record): sms
 * alone first, as the engine decodes the channel it uses, then the others in one pass. */
static void value_read(state_store_t *s, const state_engagement_key_t *key,
                       state_engagement_t *e, state_engagement_value_t *v) {
    cr_assert(eq(int, state_store_engagement_value_get_at(s, key, v, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    state_engagement_value_channel_get(v, SY_CHANNEL_SMS, &e->channels[SY_CHANNEL_SMS]);
    state_engagement_value_decode(v, UINT32_C(1) << SY_CHANNEL_SMS, e);
}

Test(state_engagement, a_channel_written_alone_gives_the_bytes_of_the_whole_record) {
    state_store_t *s = open_mem("engagement-channel");
    state_engagement_key_t key;
    state_engagement_value_t v = {0}; /* with a cleared record: none read before */
    state_engagement_t e, got;
    state_engagement_clear(&e);
    state_engagement_clear(&got);
    cr_assert(eq(int, state_engagement_key_make(&key, 2, "c7", errbuf, sizeof errbuf), SY_OK));
    value_read(s, &key, &got, &v);
    cr_expect(eq(sz, v.len, 2), "no record: the value of an empty one");
    expect_same(&got, &e);
    state_engagement_t full = sample();
    static const sy_channel_t order[] = {SY_CHANNEL_SMS, SY_CHANNEL_EMAIL, SY_CHANNEL_WEB,
                                         SY_CHANNEL_PUSH}; /* in, before, after, between */
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        e.channels[order[i]] = full.channels[SY_CHANNEL_EMAIL];
        e.channels[order[i]].updated_ms += (int64_t)i;
        put_channel_expect(s, &key, &e, &v, order[i]);
    }
    e.channels[SY_CHANNEL_EMAIL].ignored_streak = 7; /* written over */
    put_channel_expect(s, &key, &e, &v, SY_CHANNEL_EMAIL);
    state_engagement_clear(&got);
    e.channels[SY_CHANNEL_WEB] = got.channels[SY_CHANNEL_WEB]; /* taken out */
    put_channel_expect(s, &key, &e, &v, SY_CHANNEL_WEB);
    value_read(s, &key, &got, &v);
    expect_same(&got, &e); /* a read after the writes sees the last */
    e.channels[SY_CHANNEL_SMS].sent_ms++;
    put_channel_expect(s, &key, &e, &v, SY_CHANNEL_SMS); /* over the value read back */
    state_store_close(s);
}

Test(state_engagement, a_value_out_of_order_is_written_whole_in_order) {
    state_store_t *s = open_mem("engagement-order");
    state_engagement_t want = sample(), got;
    op_t op = value_of(&want); /* email, then sms: swapped into sms, then email */
    uint8_t first[83];
    memcpy(first, op.value + 2, 83);
    memmove(op.value + 2, op.value + 2 + 83, 83);
    memcpy(op.value + 2 + 83, first, 83);
    cr_assert(eq(int, state_store_changelog_apply(s, STATE_CHANGELOG_CF_ENGAGEMENT, op.key,
                                                  op.key_len, op.value, op.value_len, errbuf,
                                                  sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, state_store_commit(s, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    state_engagement_key_t key;
    state_engagement_value_t v = {0}; /* with a cleared record: none read before */
    cr_assert(eq(int, state_engagement_key_make(&key, 2, "c7", errbuf, sizeof errbuf), SY_OK));
    state_engagement_clear(&got);
    value_read(s, &key, &got, &v);
    expect_same(&got, &want);
    op_t in_order = value_of(&want);
    cr_expect(eq(sz, v.len, in_order.value_len));
    cr_expect(eq(int, memcmp(v.bytes, in_order.value, v.len), 0), "kept in order");
    got.channels[SY_CHANNEL_PUSH].updated_ms = 1793700000000;
    put_channel_expect(s, &key, &got, &v, SY_CHANNEL_PUSH);
    state_store_close(s);
}

/* Read contact's record with key made here into e and v. */
static void get_value(state_store_t *s, const char *contact, state_engagement_t *e,
                      state_engagement_value_t *v) {
    state_engagement_key_t key;
    cr_assert(eq(int, state_engagement_key_make(&key, 2, contact, errbuf, sizeof errbuf),
                 SY_OK));
    value_read(s, &key, e, v);
}

Test(state_engagement, a_read_over_another_contact_keeps_none_of_its_channels) {
    state_store_t *s = open_mem("engagement-over");
    state_engagement_t a = sample(), b, none, e;
    state_engagement_clear(&b);
    state_engagement_clear(&none);
    state_engagement_clear(&e);
    a.channels[SY_CHANNEL_WEB] = a.channels[SY_CHANNEL_EMAIL];
    b.channels[SY_CHANNEL_PUSH] = a.channels[SY_CHANNEL_EMAIL];
    cr_assert(eq(int, state_store_engagement_put(s, 2, "a", &a, errbuf, sizeof errbuf), SY_OK));
    cr_assert(eq(int, state_store_engagement_put(s, 2, "b", &b, errbuf, sizeof errbuf), SY_OK));
    state_engagement_value_t v = {0};
    get_value(s, "a", &e, &v);
    expect_same(&e, &a);
    get_value(s, "b", &e, &v);
    expect_same(&e, &b); /* email, sms and web of a cleared */
    state_engagement_key_t key;
    cr_assert(eq(int, state_engagement_key_make(&key, 2, "b", errbuf, sizeof errbuf), SY_OK));
    e.channels[SY_CHANNEL_VOICE] = a.channels[SY_CHANNEL_EMAIL]; /* a channel written */
    cr_assert(eq(int, state_store_engagement_put_channel_at(s, &key, &e, &v, SY_CHANNEL_VOICE),
                 SY_OK));
    get_value(s, "a", &e, &v);
    expect_same(&e, &a); /* push and voice of b cleared */
    get_value(s, "c", &e, &v);
    expect_same(&e, &none); /* no record */
    get_value(s, "b", &e, &v);
    b.channels[SY_CHANNEL_VOICE] = a.channels[SY_CHANNEL_EMAIL];
    expect_same(&e, &b); /* the write between the reads is seen */
    state_store_close(s);
}

Test(state_engagement, a_corrupt_value_read_leaves_no_value) {
    state_store_t *s = open_mem("engagement-corrupt");
    state_engagement_t e = sample();
    state_engagement_value_t v = {0};
    cr_assert(eq(int, state_store_engagement_put(s, 2, "a", &e, errbuf, sizeof errbuf), SY_OK));
    get_value(s, "a", &e, &v);
    state_engagement_key_t key;
    cr_assert(eq(int, state_engagement_key_make(&key, 2, "z", errbuf, sizeof errbuf), SY_OK));
    static const uint8_t corrupt[] = {STATE_CODEC_VERSION, 1}; /* one channel, not there */
    cr_assert(eq(int, state_store_record_put(s, CF_ENGAGEMENT, key.bytes, key.len, corrupt,
                                             sizeof corrupt), SY_OK));
    cr_expect(eq(int, state_store_engagement_value_get_at(s, &key, &v, errbuf, sizeof errbuf),
                 SY_ERR_STATE));
    cr_expect(eq(str, errbuf, "state store: corrupt engagement of z"));
    cr_expect(eq(sz, v.len, 0), "no value kept");
    cr_expect(eq(u32, v.channels, 0), "no channel");
    state_store_close(s);
}

/* Does a read of value (as contact "v") succeed exactly when decoding it does? */
static void expect_read_as_decoded(state_store_t *s, const uint8_t *value, size_t len,
                                   const char *what) {
    state_engagement_key_t key;
    state_engagement_value_t v = {0};
    state_engagement_t e;
    state_engagement_clear(&e);
    int decoded = state_engagement_decode(value, len, &e);
    cr_assert(eq(int, state_engagement_key_make(&key, 2, "v", errbuf, sizeof errbuf), SY_OK));
    cr_assert(eq(int, state_store_record_put(s, CF_ENGAGEMENT, key.bytes, key.len, value, len),
                 SY_OK));
    sy_err_t err = state_store_engagement_value_get_at(s, &key, &v, errbuf, sizeof errbuf);
    cr_expect(eq(int, err, decoded ? SY_OK : SY_ERR_STATE), "%s: read as decoded", what);
    if (!decoded)
        return;
    state_engagement_t got = sample(); /* a record to read over */
    for (int c = 0; c < SY_CHANNEL__COUNT; c++)
        state_engagement_value_channel_get(&v, (sy_channel_t)c, &got.channels[c]);
    expect_same(&got, &e);
}

/* A read checks a value's counters, times and channels as decoding does, though it
 * decodes none of them: every bad counter in each of the twelve places of either channel
 * refused; -0 and +inf read; a channel twice, one without a time, an unknown one refused;
 * channels out of order read. */
Test(state_engagement, a_read_refuses_what_decoding_refuses) {
    static const uint8_t counters[][4] = {
        {0xbf, 0x80, 0, 0}, {0x7f, 0xc0, 0, 0}, {0xff, 0xc0, 0, 0}, {0x80, 0, 0, 1},
        {0x7f, 0x80, 0, 1}, {0x80, 0, 0, 0} /* -0 */, {0x7f, 0x80, 0, 0} /* +inf */,
        {0x7f, 0x7f, 0xff, 0xff} /* the largest float */, {0, 0, 0, 1}};
    state_store_t *s = open_mem("engagement-read-checks");
    state_engagement_t want = sample();
    op_t op = value_of(&want); /* email, then sms */
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        for (int channel = 0; channel < 2; channel++)
            for (int k = 0; k < STATE_ENGAGEMENT_HORIZONS * STATE_ENGAGEMENT_COUNTERS; k++) {
                op_t b = op;
                memcpy(b.value + FIRST_COUNTER_AT + 83 * channel + 4 * k, counters[i], 4);
                expect_read_as_decoded(s, b.value, b.value_len, "a counter");
            }
    op_t b = op;
    b.value[2 + 83] = b.value[2]; /* email twice */
    expect_read_as_decoded(s, b.value, b.value_len, "a channel twice");
    b = op;
    b.value[2 + 83] = SY_CHANNEL__COUNT;
    expect_read_as_decoded(s, b.value, b.value_len, "an unknown channel");
    b = op;
    memcpy(b.value + 2 + 83 + 1, (uint8_t[8]){0x80}, 8); /* sms updated INT64_MIN */
    expect_read_as_decoded(s, b.value, b.value_len, "a channel without a time");
    b = op;
    memcpy(b.value + 2, op.value + 2 + 83, 83); /* sms, then email */
    memcpy(b.value + 2 + 83, op.value + 2, 83);
    expect_read_as_decoded(s, b.value, b.value_len, "out of order");
    b.value_len--;
    expect_read_as_decoded(s, b.value, b.value_len, "a byte short");
    state_store_close(s);
}
