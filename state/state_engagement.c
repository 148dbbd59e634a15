/* state_engagement.c — each contact's engagement memory in the "engagement" column
 * family: per channel the latest send, delivery and engagement times, the ignored streak
 * and the decayed counters, read through the pending batch and the contact table, written
 * and changelogged with the batch like consent, and a record's value kept by its reader,
 * checked whole at the read but decoded a channel at a time when used, so that a write of
 * one channel encodes that one alone. Keeps the record only; what updates it and what it
 * means is engine_engagement.c's. */
#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "profile_codec.h"
#include "state_codec.h"
#include "state_store_int.h"

/* Value: the codec version byte, a count of channels, then per channel: the channel,
 * four times (updated, sent, delivered, engaged; 8 bytes big-endian each), the streak (2
 * bytes) and the counters as IEEE-754 floats (4 bytes big-endian each), horizon major. */
#define ENGAGEMENT_COUNTERS (STATE_ENGAGEMENT_HORIZONS * STATE_ENGAGEMENT_COUNTERS)
#define ENGAGEMENT_CHANNEL_BYTES STATE_ENGAGEMENT_CHANNEL_BYTES
#define ENGAGEMENT_VALUE_BYTES_MAX STATE_ENGAGEMENT_VALUE_BYTES_MAX
_Static_assert(ENGAGEMENT_CHANNEL_BYTES == 1 + 4 * 8 + 2 + 4 * ENGAGEMENT_COUNTERS,
               "a channel: its number, four times, the streak, the counters");
_Static_assert(sizeof(float) == 4, "counters are 4-byte floats");

/* ch without a record: field by field, a few stores (a copy of a cleared channel or a
 * memset of the record cost more, per channel or per record). */
static void channel_clear(state_engagement_channel_t *ch) {
    assert(ch != NULL);
    ch->updated_ms = ch->sent_ms = ch->delivered_ms = ch->engaged_ms = INT64_MIN;
    ch->ignored_streak = 0;
    memset(ch->decayed, 0, sizeof ch->decayed);
}

void state_engagement_clear(state_engagement_t *e) {
    assert(e != NULL);
    for (int c = 0; c < SY_CHANNEL__COUNT; c++)
        channel_clear(&e->channels[c]);
}

/* The counters, horizon major, are read and written as one row of floats: their bits are
 * those of the floats in memory, big-endian in a value. */
_Static_assert(sizeof(((state_engagement_channel_t *)0)->decayed) ==
                   ENGAGEMENT_COUNTERS * sizeof(float),
               "the counters are ENGAGEMENT_COUNTERS floats in a row");

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&                 \
    defined(__GNUC__)
/* Two counters' words in a value, read as one big-endian u64, are the two floats' bits
 * in memory on this host with their halves swapped: a pair costs a load, a byte swap, a
 * rotate and a store (the compiler does not see the swap through the rotate itself). */
static uint64_t pair_turn(uint64_t v) {
    /* no assert: pure */
    v = __builtin_bswap64(v);
    return v << 32 | v >> 32;
}

/* The words at p into the counters f. */
static void counters_get(const uint8_t *p, float *f) {
    assert(p != NULL && f != NULL);
    _Static_assert(ENGAGEMENT_COUNTERS % 2 == 0, "the counters go in pairs");
#pragma GCC unroll 16 /* every pair: a row of loads, swaps and stores, no loop */
    for (int i = 0; i < ENGAGEMENT_COUNTERS; i += 2, p += 8) {
        uint64_t pair;
        memcpy(&pair, p, sizeof pair);
        pair = pair_turn(pair);
        memcpy(&f[i], &pair, sizeof pair);
    }
}

/* The counters f as words at p. */
static void counters_put(uint8_t *p, const float *f) {
    assert(p != NULL && f != NULL);
#pragma GCC unroll 16
    for (int i = 0; i < ENGAGEMENT_COUNTERS; i += 2, p += 8) {
        uint64_t pair;
        memcpy(&pair, &f[i], sizeof pair);
        pair = pair_turn(pair);
        memcpy(p, &pair, sizeof pair);
    }
}
#else
/* The words at p into the counters f, byte by byte (any byte order). */
static void counters_get(const uint8_t *p, float *f) {
    assert(p != NULL && f != NULL);
    for (int i = 0; i < ENGAGEMENT_COUNTERS; i++, p += 4) {
        uint32_t bits = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        memcpy(&f[i], &bits, sizeof bits);
    }
}

/* The counters f as words at p, byte by byte. */
static void counters_put(uint8_t *p, const float *f) {
    assert(p != NULL && f != NULL);
    for (int i = 0; i < ENGAGEMENT_COUNTERS; i++, p += 4) {
        uint32_t bits;
        memcpy(&bits, &f[i], sizeof bits);
        p[0] = (uint8_t)(bits >> 24), p[1] = (uint8_t)(bits >> 16);
        p[2] = (uint8_t)(bits >> 8), p[3] = (uint8_t)bits;
    }
}
#endif

#if defined(__GNUC__)
/* Are all counters >= 0 (not negative, not NaN)? Three rows of four compared at once and
 * their masks and-ed (a loop of the compiler's own kept a row's count and a reduction). */
typedef float counters_row_t __attribute__((vector_size(16)));
typedef uint64_t counters_row_mask_t __attribute__((vector_size(16)));
_Static_assert(ENGAGEMENT_COUNTERS == 12, "three rows of four counters");

static int counters_valid(const float *f) {
    counters_row_t a, b, c;
    assert(f != NULL);
    memcpy(&a, f, sizeof a);
    memcpy(&b, f + 4, sizeof b);
    memcpy(&c, f + 8, sizeof c);
    /* false for negatives and NaN; -0 is >= 0; a lane true is all ones */
    counters_row_mask_t m = (counters_row_mask_t)((a >= 0.0f) & (b >= 0.0f) & (c >= 0.0f));
    return (m[0] & m[1]) == UINT64_MAX;
}
#else
/* Are all counters >= 0 (not negative, not NaN)? Every one compared, no early way out. */
static int counters_valid(const float *f) {
    int ok = 1;
    assert(f != NULL);
    for (int i = 0; i < ENGAGEMENT_COUNTERS; i++)
        ok &= f[i] >= 0.0f; /* false for negatives and NaN; -0 is >= 0 */
    return ok;
}
#endif

static size_t channel_encode(uint8_t *p, int channel, const state_engagement_channel_t *ch) {
    assert(channel >= 0 && channel < SY_CHANNEL__COUNT);
    p[0] = (uint8_t)channel;
    state_codec_u64_put(p + 1, (uint64_t)ch->updated_ms);
    state_codec_u64_put(p + 9, (uint64_t)ch->sent_ms);
    state_codec_u64_put(p + 17, (uint64_t)ch->delivered_ms);
    state_codec_u64_put(p + 25, (uint64_t)ch->engaged_ms);
    p[33] = (uint8_t)(ch->ignored_streak >> 8);
    p[34] = (uint8_t)ch->ignored_streak;
    counters_put(p + 35, &ch->decayed[0][0]);
    return ENGAGEMENT_CHANNEL_BYTES;
}

/* e into buf; *channels its channels with a record (bit c: channel c). */
static size_t engagement_encode(uint8_t *buf, const state_engagement_t *e,
                                uint32_t *channels) {
    size_t n = 2, count = 0;
    assert(e != NULL && channels != NULL);
    *channels = 0;
    buf[0] = STATE_CODEC_VERSION;
    for (int c = 0; c < SY_CHANNEL__COUNT; c++) {
        if (e->channels[c].updated_ms == INT64_MIN)
            continue;
        n += channel_encode(buf + n, c, &e->channels[c]);
        *channels |= UINT32_C(1) << c;
        count++;
    }
    buf[1] = (uint8_t)count;
    return n;
}

/* The fields of the channel at p (its number aside) into ch, unchecked. */
static void channel_fields_get(const uint8_t *p, state_engagement_channel_t *ch) {
    assert(p != NULL && ch != NULL);
    ch->updated_ms = (int64_t)state_codec_u64_get(p + 1);
    ch->sent_ms = (int64_t)state_codec_u64_get(p + 9);
    ch->delivered_ms = (int64_t)state_codec_u64_get(p + 17);
    ch->engaged_ms = (int64_t)state_codec_u64_get(p + 25);
    ch->ignored_streak = (uint16_t)(p[33] << 8 | p[34]);
    counters_get(p + 35, &ch->decayed[0][0]);
}

/* One channel at p into e, *seen its bit (bit c per channel c); 1 when well formed (a
 * channel not seen before in the value, a time, counters >= 0). */
static int channel_decode(const uint8_t *p, state_engagement_t *e, uint32_t *seen) {
    assert(p != NULL && seen != NULL);
    if (p[0] >= SY_CHANNEL__COUNT || (*seen >> p[0] & 1u))
        return 0;
    *seen |= UINT32_C(1) << p[0];
    state_engagement_channel_t *ch = &e->channels[p[0]];
    channel_fields_get(p, ch);
    return counters_valid(&ch->decayed[0][0]) && ch->updated_ms != INT64_MIN;
}

/* Clear the channels of e among bits (bit c: channel c) that have a record: each one
 * looked at in a row, fewer instructions than finding the set bits one by one. */
static void channels_clear(state_engagement_t *e, uint32_t bits) {
    assert(bits <= STATE_ENGAGEMENT_CHANNELS_ALL);
    for (int c = 0; c < SY_CHANNEL__COUNT; c++)
        if ((bits >> c & 1u) && e->channels[c].updated_ms != INT64_MIN)
            channel_clear(&e->channels[c]);
}

/* A value is well formed in its length and count: the version, at most every channel. */
static int value_frame_ok(const uint8_t *value, size_t len) {
    assert(value != NULL);
    return len >= 2 && value[0] == STATE_CODEC_VERSION && value[1] <= SY_CHANNEL__COUNT &&
           len == 2 + (size_t)value[1] * ENGAGEMENT_CHANNEL_BYTES;
}

int state_engagement_decode(const uint8_t *value, size_t len, state_engagement_t *out) {
    assert(value != NULL && out != NULL);
    _Static_assert(SY_CHANNEL__COUNT <= 32, "a channel is a bit of seen");
    uint32_t seen = 0;
    int ok = value_frame_ok(value, len);
    for (size_t i = 0; ok && i < value[1]; i++)
        ok = channel_decode(value + 2 + i * ENGAGEMENT_CHANNEL_BYTES, out, &seen);
    if (!ok) { /* a record still: a channel half written could hold no time */
        state_engagement_clear(out);
        return 0;
    }
    /* The channels the value holds are written over; of the others, those *out had set
     * are cleared (a channel without a time is clear already, as the contract says). */
    channels_clear(out, STATE_ENGAGEMENT_CHANNELS_ALL & ~seen);
    return 1;
}

#if defined(__GNUC__)
/* Are the counters at p (big-endian floats) surely >= 0: each one's first byte below
 * 0x7f, its sign clear and its exponent short of infinity and NaN? 0 says maybe not (-0
 * and +inf are >= 0 too): the exact check then tells. A byte b is below 0x7f when the top
 * bit of b | (b + 1) is clear; the first bytes are lanes 0, 4, 8 and 12 of three rows of
 * 16 bytes, checked at once for a third of what decoding them costs. */
typedef uint8_t counters_bytes_t __attribute__((vector_size(16)));
typedef uint64_t counters_bytes_pair_t __attribute__((vector_size(16)));
_Static_assert(ENGAGEMENT_COUNTERS * 4 == 3 * sizeof(counters_bytes_t),
               "the counters are three rows of 16 bytes");

/* The 16 bytes at p as a row. */
static counters_bytes_t counters_bytes_at(const uint8_t *p) {
    counters_bytes_t row;
    assert(p != NULL);
    memcpy(&row, p, sizeof row);
    return row;
}

static int counters_surely_valid(const uint8_t *p) {
    /* no assert: counters_bytes_at asserts */
    counters_bytes_t a = counters_bytes_at(p), b = counters_bytes_at(p + 16),
                     c = counters_bytes_at(p + 32);
    counters_bytes_pair_t m = (counters_bytes_pair_t)(a | (a + 1) | b | (b + 1) | c | (c + 1));
    return ((m[0] | m[1]) & UINT64_C(0x0000008000000080)) == 0; /* lanes 0 and 4 of a half */
}
#else
/* Are the counters at p >= 0? Exactly, by decoding them. */
static int counters_surely_valid(const uint8_t *p) {
    float f[ENGAGEMENT_COUNTERS];
    assert(p != NULL);
    counters_get(p, f);
    return counters_valid(f);
}
#endif

/* Is value surely well formed with its channels ascending (the order engagement_encode
 * writes)? *channels then its channels (bit c: channel c). 0 says maybe not: out of
 * order, corrupt, or a counter the quick check leaves to state_engagement_decode. */
static int value_surely_in_order(const uint8_t *value, size_t len, uint32_t *channels) {
    assert(value != NULL && channels != NULL);
    *channels = 0;
    if (!value_frame_ok(value, len))
        return 0;
    int last = -1;
    for (const uint8_t *p = value + 2; p < value + len; p += ENGAGEMENT_CHANNEL_BYTES) {
        if (p[0] >= SY_CHANNEL__COUNT || p[0] <= last ||
            state_codec_u64_get(p + 1) == (uint64_t)INT64_MIN || !counters_surely_valid(p + 35))
            return 0;
        last = p[0];
        *channels |= UINT32_C(1) << last;
    }
    return 1;
}

_Static_assert(sizeof(((state_engagement_key_t *)0)->bytes) == PROFILE_KEY_BYTES_MAX,
               "an engagement key holds any contact's key");

sy_err_t state_engagement_key_make(state_engagement_key_t *key, int32_t partition,
                                   const char *contact_id, char *errbuf, size_t errbuf_size) {
    assert(key != NULL && contact_id != NULL);
    size_t len = state_contact_key(key->bytes, partition, contact_id, errbuf, errbuf_size);
    if (!len)
        return SY_ERR_LIMIT;
    key->len = len;
    return SY_OK;
}

void state_engagement_key_from(state_engagement_key_t *key,
                               const state_instance_key_t *instance_key) {
    assert(instance_key->contact_len > 2 && instance_key->contact_len <= sizeof key->bytes);
    memcpy(key->bytes, instance_key->bytes, instance_key->contact_len);
    key->len = instance_key->contact_len;
}

/* A read found key's record corrupt: say whose. */
static sy_err_t engagement_corrupt(const state_engagement_key_t *key, char *errbuf,
                                   size_t errbuf_size) {
    assert(key->len > 2);
    snprintf(errbuf, errbuf_size, "state store: corrupt engagement of %.*s",
             (int)(key->len - 2), (const char *)key->bytes + 2);
    return SY_ERR_STATE;
}

sy_err_t state_store_engagement_get_at(state_store_t *s, const state_engagement_key_t *key,
                                       state_engagement_t *out, char *errbuf,
                                       size_t errbuf_size) {
    char *owned = NULL;
    assert(s != NULL && key != NULL && key->len > 2 && out != NULL);
    const uint8_t *value;
    size_t len = 0;
    sy_err_t err = state_store_record_read(s, CF_ENGAGEMENT, STATE_CONTACT_REC_ENGAGEMENT,
                                           key->bytes, key->len, &value, &len, &owned, errbuf,
                                           errbuf_size, "read engagement");
    if (err != SY_OK)
        return err;
    int ok = 1; /* no record: cleared; a record: decoded over what *out held */
    if (value)
        ok = state_engagement_decode(value, len, out);
    else
        state_engagement_clear(out);
    if (owned) /* mostly NULL: a record from the batch or the contact table */
        rocksdb_free(owned);
    return ok ? SY_OK : engagement_corrupt(key, errbuf, errbuf_size);
}

/* value, one maybe out of order or corrupt, checked whole and written in order into
 * *out: 0 when corrupt. */
static int value_order(const uint8_t *value, size_t len, state_engagement_value_t *out) {
    state_engagement_t record;
    assert(value != NULL && out != NULL);
    state_engagement_clear(&record); /* a record to decode over */
    if (!state_engagement_decode(value, len, &record))
        return 0;
    out->len = engagement_encode(out->bytes, &record, &out->channels);
    return 1;
}

sy_err_t state_store_engagement_value_get_at(state_store_t *s,
                                             const state_engagement_key_t *key,
                                             state_engagement_value_t *value, char *errbuf,
                                             size_t errbuf_size) {
    char *owned = NULL;
    assert(s != NULL && key != NULL && key->len > 2 && value != NULL);
    const uint8_t *bytes;
    size_t len = 0;
    value->len = 0;
    value->channels = 0;
    sy_err_t err = state_store_record_read(s, CF_ENGAGEMENT, STATE_CONTACT_REC_ENGAGEMENT,
                                           key->bytes, key->len, &bytes, &len, &owned, errbuf,
                                           errbuf_size, "read engagement");
    if (err != SY_OK)
        return err;
    int ok = 1; /* no record: the value of an empty one */
    if (!bytes) {
        value->bytes[0] = STATE_CODEC_VERSION;
        value->bytes[1] = 0;
        value->len = 2;
    } else if (value_surely_in_order(bytes, len, &value->channels)) { /* mostly */
        assert(len <= sizeof value->bytes); /* well formed: at most every channel once */
        memcpy(value->bytes, bytes, len);
        value->len = len;
    } else {
        ok = value_order(bytes, len, value);
    }
    if (owned) /* mostly NULL: a record from the batch or the contact table */
        rocksdb_free(owned);
    return ok ? SY_OK : engagement_corrupt(key, errbuf, errbuf_size);
}

/* The place of channel among value's channels ascending: its own, or where it goes when
 * it has none. */
static size_t value_channel_index(const state_engagement_value_t *value, int channel) {
    size_t count = value->bytes[1], i = 0;
    assert(count <= SY_CHANNEL__COUNT);
    while (i < count && value->bytes[2 + i * ENGAGEMENT_CHANNEL_BYTES] < channel)
        i++;
    return i;
}

void state_engagement_value_channel_get(const state_engagement_value_t *value,
                                        sy_channel_t channel, state_engagement_channel_t *out) {
    assert(value->len >= 2 && (unsigned)channel < SY_CHANNEL__COUNT && out != NULL);
    if (!(value->channels >> channel & 1u)) {
        if (out->updated_ms != INT64_MIN) /* else clear already, as the contract says */
            channel_clear(out);
        return;
    }
    const uint8_t *p =
        value->bytes + 2 + value_channel_index(value, (int)channel) * ENGAGEMENT_CHANNEL_BYTES;
    assert(p[0] == channel);
    channel_fields_get(p, out);
}

void state_engagement_value_decode(const state_engagement_value_t *value, uint32_t done,
                                   state_engagement_t *out) {
    assert(value->len >= 2 && value->bytes[1] <= SY_CHANNEL__COUNT && out != NULL);
    const uint8_t *p = value->bytes + 2;
    for (size_t i = 0; i < value->bytes[1]; i++, p += ENGAGEMENT_CHANNEL_BYTES)
        if (!(done >> p[0] & 1u))
            channel_fields_get(p, &out->channels[p[0]]);
    channels_clear(out, STATE_ENGAGEMENT_CHANNELS_ALL & ~value->channels & ~done);
}

/* Channel ch (number channel) into value, in its place among the channels ascending:
 * written over, put in, or taken out when it has no record. */
static void value_channel_set(state_engagement_value_t *value, int channel,
                              const state_engagement_channel_t *ch) {
    /* no assert: value_channel_index asserts */
    size_t count = value->bytes[1], i = value_channel_index(value, channel);
    uint8_t *p = value->bytes + 2 + i * ENGAGEMENT_CHANNEL_BYTES;
    bool present = i < count && p[0] == channel, keep = ch->updated_ms != INT64_MIN;
    value->channels = keep ? value->channels | UINT32_C(1) << channel
                           : value->channels & ~(UINT32_C(1) << channel);
    if (keep && !present) {
        memmove(p + ENGAGEMENT_CHANNEL_BYTES, p, (count - i) * ENGAGEMENT_CHANNEL_BYTES);
        value->bytes[1] = (uint8_t)(count + 1);
        value->len += ENGAGEMENT_CHANNEL_BYTES;
    } else if (!keep && present) {
        memmove(p, p + ENGAGEMENT_CHANNEL_BYTES, (count - i - 1) * ENGAGEMENT_CHANNEL_BYTES);
        value->bytes[1] = (uint8_t)(count - 1);
        value->len -= ENGAGEMENT_CHANNEL_BYTES;
    }
    if (keep)
        channel_encode(p, channel, ch);
}

sy_err_t state_store_engagement_put_channel_at(state_store_t *s,
                                               const state_engagement_key_t *key,
                                               const state_engagement_t *e,
                                               state_engagement_value_t *value,
                                               sy_channel_t channel) {
    assert(key->len > 2 && (unsigned)channel < SY_CHANNEL__COUNT);
    if (value->len == 0)
        value->len = engagement_encode(value->bytes, e, &value->channels);
    else
        value_channel_set(value, (int)channel, &e->channels[channel]);
    assert(value->len <= sizeof value->bytes);
    return state_store_record_put(s, CF_ENGAGEMENT, key->bytes, key->len, value->bytes,
                                  value->len);
}

sy_err_t state_store_engagement_get(state_store_t *s, int32_t partition,
                                    const char *contact_id, state_engagement_t *out,
                                    char *errbuf, size_t errbuf_size) {
    state_engagement_key_t key;
    assert(s != NULL && out != NULL);
    sy_err_t err = state_engagement_key_make(&key, partition, contact_id, errbuf, errbuf_size);
    return err != SY_OK ? err : state_store_engagement_get_at(s, &key, out, errbuf, errbuf_size);
}

sy_err_t state_store_engagement_put_at(state_store_t *s, const state_engagement_key_t *key,
                                       const state_engagement_t *e) {
    uint8_t value[ENGAGEMENT_VALUE_BYTES_MAX];
    assert(s != NULL && key != NULL && key->len > 2 && e != NULL);
    uint32_t channels;
    size_t len = engagement_encode(value, e, &channels);
    assert(len <= sizeof value);
    return state_store_record_put(s, CF_ENGAGEMENT, key->bytes, key->len, value, len);
}

sy_err_t state_store_engagement_put(state_store_t *s, int32_t partition,
                                    const char *contact_id, const state_engagement_t *e,
                                    char *errbuf, size_t errbuf_size) {
    state_engagement_key_t key;
    assert(s != NULL && e != NULL);
    sy_err_t err = state_engagement_key_make(&key, partition, contact_id, errbuf, errbuf_size);
    return err != SY_OK ? err : state_store_engagement_put_at(s, &key, e);
}
