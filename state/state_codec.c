/* state_codec.c — keys and values of the state store: big-endian prefixes that sort
 * right in RocksDB, zigzag varints for values (an instance is ~15 bytes). */
#include "state_codec.h"

#include <assert.h>
#include <string.h>

/* Keys carry the partition in 2 bytes and a node index travels as a 16-bit varint. */
_Static_assert(STATE_PARTITIONS_MAX <= 1 << 16, "a partition fits the 2-byte key prefix");
/* Longest encodings: varints of 7 bits a byte (16 bits: 3, 32: 5, 64: 10 bytes). */
#define VARINT16_BYTES_MAX 3
#define VARINT32_BYTES_MAX 5
#define VARINT64_BYTES_MAX 10
_Static_assert(2 + 2 * VARINT16_BYTES_MAX + 3 * VARINT32_BYTES_MAX + 3 * VARINT64_BYTES_MAX <=
                   STATE_VALUE_BYTES_MAX,
               "the longest instance value fits STATE_VALUE_BYTES_MAX");
_Static_assert(1 + VARINT16_BYTES_MAX + VARINT64_BYTES_MAX <= STATE_VALUE_BYTES_MAX,
               "the longest timer value fits STATE_VALUE_BYTES_MAX");
_Static_assert(2 + 8 + SY_ID_BYTES_MAX + 1 + SY_ID_BYTES_MAX <= STATE_KEY_BYTES_MAX,
               "the longest timer key fits STATE_KEY_BYTES_MAX");

/* An instance as the engine keeps it: a known status. */
static int instance_valid(const state_instance_t *in) {
    /* no assert: the predicate the encoder and decoder assert with */
    return in->status == STATE_INSTANCE_ACTIVE || in->status == STATE_INSTANCE_DONE;
}

static size_t put_u16_be(uint8_t *buf, uint16_t v) {
    assert(buf);
    buf[0] = (uint8_t)(v >> 8);
    buf[1] = (uint8_t)v;
    return 2;
}

/* Due times sort as unsigned big-endian after flipping the sign bit. */
static size_t put_i64_ordered(uint8_t *buf, int64_t v) {
    assert(buf);
    state_codec_u64_put(buf, (uint64_t)v ^ (UINT64_C(1) << 63));
    return 8;
}

static size_t put_ids(uint8_t *buf, const char *contact_id, const char *journey_id) {
    size_t clen = strlen(contact_id), jlen = strlen(journey_id);
    if (clen > SY_ID_BYTES_MAX || jlen > SY_ID_BYTES_MAX)
        return 0;
    memcpy(buf, contact_id, clen);
    buf[clen] = 0;
    memcpy(buf + clen + 1, journey_id, jlen);
    assert(clen + 1 + jlen <= 2 * SY_ID_BYTES_MAX + 1);
    return clen + 1 + jlen;
}

size_t state_codec_instance_key(uint8_t *buf, int32_t partition, const char *contact_id,
                                const char *journey_id) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
    size_t n = put_u16_be(buf, (uint16_t)partition);
    size_t ids = put_ids(buf + n, contact_id, journey_id);
    return ids ? n + ids : 0;
}

size_t state_codec_timer_key(uint8_t *buf, const state_timer_t *timer) {
    assert(timer->partition >= 0 && timer->partition < STATE_PARTITIONS_MAX);
    size_t n = put_u16_be(buf, (uint16_t)timer->partition);
    n += put_i64_ordered(buf + n, timer->due_ms);
    size_t ids = put_ids(buf + n, timer->contact_id, timer->journey_id);
    return ids ? n + ids : 0;
}

size_t state_codec_meta_key(uint8_t *buf, int32_t partition) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
    return put_u16_be(buf, (uint16_t)partition);
}

/* Third byte of a checkpoint key, after the partition: stream times use the bare 2-byte
 * partition key, so the two never meet. */
#define CHECKPOINT_TAG 'c'

size_t state_codec_checkpoint_key(uint8_t *buf, int32_t partition) {
    size_t n = state_codec_meta_key(buf, partition);
    buf[n++] = CHECKPOINT_TAG;
    assert(n == STATE_CODEC_CHECKPOINT_KEY_BYTES);
    return n;
}

void state_codec_checkpoint_encode(uint8_t buf[STATE_CODEC_CHECKPOINT_BYTES], int64_t offset) {
    assert(offset >= 0);
    buf[0] = STATE_CODEC_VERSION;
    state_codec_u64_put(buf + 1, (uint64_t)offset);
}

int state_codec_checkpoint_decode(const uint8_t *buf, size_t len, int64_t *offset) {
    assert(buf && offset);
    if (len != STATE_CODEC_CHECKPOINT_BYTES || buf[0] != STATE_CODEC_VERSION ||
        state_codec_u64_get(buf + 1) > INT64_MAX)
        return 0;
    *offset = (int64_t)state_codec_u64_get(buf + 1);
    return 1;
}

/* The ids a key ends with (ids to end: the contact id, NUL, the journey id) into
 * timer's; 0 when malformed. */
static int ids_decode(const uint8_t *ids, const uint8_t *end, state_timer_t *timer) {
    assert(ids <= end);
    const uint8_t *sep = memchr(ids, 0, (size_t)(end - ids));
    if (!sep || sep == ids || sep + 1 == end || (size_t)(sep - ids) > SY_ID_BYTES_MAX ||
        (size_t)(end - sep - 1) > SY_ID_BYTES_MAX)
        return 0; /* no separator, an empty id (the engine never writes one), too long */
    memcpy(timer->contact_id, ids, (size_t)(sep - ids));
    timer->contact_id[sep - ids] = '\0';
    memcpy(timer->journey_id, sep + 1, (size_t)(end - sep - 1));
    timer->journey_id[end - sep - 1] = '\0';
    return 1;
}

int state_codec_timer_key_decode(const uint8_t *key, size_t len, state_timer_t *timer) {
    if (len < STATE_CODEC_TIMER_KEY_HEAD_BYTES + 1)
        return 0;
    timer->partition = state_codec_timer_key_partition(key);
    timer->due_ms = state_codec_timer_key_due(key);
    assert(timer->partition >= 0 && timer->partition <= UINT16_MAX);
    return ids_decode(key + STATE_CODEC_TIMER_KEY_HEAD_BYTES, key + len, timer);
}

int state_codec_instance_key_ids(const uint8_t *key, size_t len, state_timer_t *timer) {
    assert(key && timer);
    if (len < 2)
        return 0;
    timer->partition = (int32_t)(key[0] << 8 | key[1]);
    return ids_decode(key + 2, key + len, timer);
}

/* v as a varint at buf (room for VARINT64_BYTES_MAX); its length. Inlined and unrolled: an
 * instance's encoding is a dozen of them, most of one byte. */
__attribute__((always_inline))
static inline size_t put_varint(uint8_t *buf, uint64_t v) {
    /* no assert: the hot varint leaf; the encoders assert their output's size */
#pragma GCC unroll 10
    for (size_t n = 0; n < VARINT64_BYTES_MAX - 1; n++) {
        if (v < 0x80) {
            buf[n] = (uint8_t)v;
            return n + 1;
        }
        buf[n] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    buf[VARINT64_BYTES_MAX - 1] = (uint8_t)v; /* the 64th bit, alone */
    return VARINT64_BYTES_MAX;
}

__attribute__((always_inline))
static inline size_t put_zigzag(uint8_t *buf, int64_t v) {
    /* no assert: a one-line wrapper of put_varint */
    return put_varint(buf, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* A varint at p, before end, into *v: the byte after it, or NULL when it runs past end or
 * over VARINT64_BYTES_MAX bytes (a tenth byte's bits past the 64th are dropped). ended: the
 * caller knows end[-1] is below 0x80, the last byte of a varint, so one that starts before
 * end stops by end and only its start is checked against end. Inlined and unrolled, the
 * cursor in a register: the decoders read a value's varints one after another (an
 * instance's 15 to 22 bytes on every read of the store). */
__attribute__((always_inline))
static inline const uint8_t *varint_read(const uint8_t *p, const uint8_t *end, bool ended,
                                         uint64_t *v) {
    uint64_t out = 0, cont = 0;
    /* no assert: the hot varint leaf; the decoders assert their input's bounds */
    if (p == end)
        return NULL;
#pragma GCC unroll 10
    for (unsigned shift = 0; shift < 7 * VARINT64_BYTES_MAX; shift += 7) {
        if (!ended && shift && p == end)
            return NULL;
        uint8_t b = *p++;
        out += (uint64_t)b << shift; /* the continuation bits come off once, at the end */
        if (b < 0x80) {
            *v = out - cont; /* modulo 2^64: each byte's low 7 bits at its place */
            return p;
        }
        cont += (uint64_t)0x80 << shift;
    }
    return NULL;
}

/* varint_read of a value whose end the caller has not checked. */
__attribute__((always_inline))
static inline const uint8_t *varint_get(const uint8_t *p, const uint8_t *end, uint64_t *v) {
    /* no assert: a wrapper of varint_read, the hot varint leaf */
    return varint_read(p, end, false, v);
}

/* A zigzag varint at p, before end, as varint_read reads one. */
__attribute__((always_inline))
static inline const uint8_t *zigzag_read(const uint8_t *p, const uint8_t *end, bool ended,
                                         int64_t *v) {
    uint64_t u = 0;
    /* no assert: a wrapper of varint_read, the hot varint leaf */
    p = varint_read(p, end, ended, &u);
    *v = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return p;
}

/* zigzag_read of a value whose end the caller has not checked. */
__attribute__((always_inline))
static inline const uint8_t *zigzag_get(const uint8_t *p, const uint8_t *end, int64_t *v) {
    /* no assert: a wrapper of zigzag_read */
    return zigzag_read(p, end, false, v);
}

size_t state_codec_instance_encode(uint8_t *buf, const state_instance_t *in) {
    assert(instance_valid(in));
    bool legacy = in->timer == STATE_INSTANCE_TIMER_LEGACY;
    size_t n = 0;
    buf[n++] = legacy ? STATE_CODEC_VERSION : STATE_CODEC_INSTANCE_VERSION;
    buf[n++] = (uint8_t)in->status;
    n += put_varint(buf + n, in->node);
    n += put_varint(buf + n, (uint32_t)in->journey_version);
    n += put_varint(buf + n, in->occurrence);
    n += put_zigzag(buf + n, in->entered_at_ms);
    /* The node entry time is stored as its distance from the journey entry: small. The
     * difference wraps modulo 2^64 (no signed overflow), and decoding wraps it back. */
    n += put_zigzag(buf + n, (int64_t)((uint64_t)in->node_entered_at_ms -
                                       (uint64_t)in->entered_at_ms));
    n += put_varint(buf + n, in->seen_mask);
    bool armed = in->timer == STATE_INSTANCE_TIMER_ARMED;
    /* Optional tail: the last looped send (only journeys with a loop through a send have
     * one; 0 for none when a timer follows), then the live timer's due time as its
     * distance from the node's entry. The legacy form has no timer. */
    if (in->looped_send || armed) {
        n += put_varint(buf + n, in->looped_send);
        if (in->looped_send)
            n += put_zigzag(buf + n, (int64_t)((uint64_t)in->looped_send_at_ms -
                                               (uint64_t)in->entered_at_ms));
    }
    if (armed)
        n += put_zigzag(buf + n, (int64_t)((uint64_t)in->timer_due_ms -
                                           (uint64_t)in->node_entered_at_ms));
    assert(n <= STATE_VALUE_BYTES_MAX);
    return n;
}

/* The optional tail of an instance's value from p to end (end[-1] below 0x80, as
 * varint_read's ended): its looped send, then (not in the legacy form) its live timer's
 * due distance. 0 when malformed. */
static int instance_tail_decode(const uint8_t *p, const uint8_t *end, bool legacy,
                                uint64_t *looped, int64_t *looped_delta, int *armed,
                                int64_t *due_delta) {
    assert(p <= end && *looped == 0 && *armed == 0);
    /* A value written before loops had their own action ids ends here; a tail of the
     * legacy form is a looped send; one of the new form without a looped send (0) has a
     * live timer after it. */
    if (p == end)
        return 1;
    if (!(p = varint_read(p, end, true, looped)) || *looped > UINT16_MAX ||
        (*looped && !(p = zigzag_read(p, end, true, looped_delta))))
        return 0;
    if (legacy)
        return *looped && p == end;
    if (p < end && !(*armed = (p = zigzag_read(p, end, true, due_delta)) != NULL))
        return 0;
    return (*looped || *armed) && p == end;
}

int state_codec_instance_decode(const uint8_t *buf, size_t len, state_instance_t *out) {
    uint64_t node, version, occurrence, seen, looped = 0;
    int64_t entered, node_delta, looped_delta = 0, due_delta = 0;
    int armed = 0;
    if (len < 2 || (buf[0] != STATE_CODEC_VERSION && buf[0] != STATE_CODEC_INSTANCE_VERSION))
        return 0;
    const uint8_t *p = buf + 2, *end = buf + len;
    bool legacy = buf[0] == STATE_CODEC_VERSION;
    /* A value ends with a varint's last byte, below 0x80: checked once here, it spares the
     * reads below a check of end at each byte (varint_read's ended). */
    if ((buf[1] != STATE_INSTANCE_ACTIVE && buf[1] != STATE_INSTANCE_DONE) || end[-1] >= 0x80)
        return 0;
    if (!(p = varint_read(p, end, true, &node)) || !(p = varint_read(p, end, true, &version)) ||
        !(p = varint_read(p, end, true, &occurrence)) ||
        !(p = zigzag_read(p, end, true, &entered)) ||
        !(p = zigzag_read(p, end, true, &node_delta)) ||
        !(p = varint_read(p, end, true, &seen)) || node > UINT16_MAX)
        return 0;
    if (!instance_tail_decode(p, end, legacy, &looped, &looped_delta, &armed, &due_delta))
        return 0;
    out->status = (state_instance_status_t)buf[1];
    out->node = (uint16_t)node;
    out->journey_version = (int32_t)version;
    out->occurrence = (uint32_t)occurrence;
    out->entered_at_ms = entered;
    out->node_entered_at_ms = (int64_t)((uint64_t)entered + (uint64_t)node_delta);
    out->seen_mask = (uint32_t)seen;
    out->looped_send = (uint16_t)looped;
    out->looped_send_at_ms =
        looped ? (int64_t)((uint64_t)entered + (uint64_t)looped_delta) : 0;
    out->timer = legacy  ? STATE_INSTANCE_TIMER_LEGACY
                 : armed ? STATE_INSTANCE_TIMER_ARMED
                         : STATE_INSTANCE_TIMER_NONE;
    out->timer_due_ms =
        armed ? (int64_t)((uint64_t)out->node_entered_at_ms + (uint64_t)due_delta) : 0;
    assert(instance_valid(out));
    return 1;
}

size_t state_codec_timer_value_encode(uint8_t *buf, const state_timer_t *timer) {
    size_t n = 0;
    buf[n++] = STATE_CODEC_VERSION;
    n += put_varint(buf + n, timer->node);
    n += put_zigzag(buf + n, timer->node_entered_at_ms);
    assert(n <= STATE_VALUE_BYTES_MAX);
    return n;
}

int state_codec_timer_value_decode(const uint8_t *buf, size_t len, state_timer_t *timer) {
    uint64_t node;
    int64_t node_entered;
    assert(buf || !len);
    if (len < 1 || buf[0] != STATE_CODEC_VERSION)
        return 0;
    const uint8_t *p = buf + 1, *end = buf + len;
    if (!(p = varint_get(p, end, &node)) || !(p = zigzag_get(p, end, &node_entered)) ||
        p != end || node > UINT16_MAX)
        return 0;
    timer->node = (uint16_t)node;
    timer->node_entered_at_ms = node_entered;
    return 1;
}

size_t state_codec_meta_encode(uint8_t *buf, int64_t stream_time_ms) {
    buf[0] = STATE_CODEC_VERSION;
    size_t n = 1 + put_zigzag(buf + 1, stream_time_ms);
    assert(n <= STATE_VALUE_BYTES_MAX);
    return n;
}

int state_codec_meta_decode(const uint8_t *buf, size_t len, int64_t *stream_time_ms) {
    int64_t t;
    assert(buf || !len);
    if (len < 1 || buf[0] != STATE_CODEC_VERSION)
        return 0;
    const uint8_t *p = zigzag_get(buf + 1, buf + len, &t);
    if (p != buf + len) /* NULL when malformed */
        return 0;
    *stream_time_ms = t;
    return 1;
}
