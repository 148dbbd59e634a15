/* state_codec.h — the compact binary encodings of state: keys (partition-prefixed, so a
 * partition's state is one key range) and versioned values. Pure functions, no RocksDB.
 * Private to state/. */
#ifndef SY_STATE_CODEC_H
#define SY_STATE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "state_store.h"

/* Value format version: the first byte of every encoded value. */
#define STATE_CODEC_VERSION 1
/* An instance's value with its live timer (STATE_CODEC_VERSION's: without, legacy). */
#define STATE_CODEC_INSTANCE_VERSION 2

/* Longest key: partition (2) + due time (8) + two ids with their NUL separators. */
#define STATE_KEY_BYTES_MAX (2 + 8 + 2 * (SY_ID_BYTES_MAX + 1))
/* Longest value: a version byte and a handful of varints. */
#define STATE_VALUE_BYTES_MAX 64

/* Instance key: partition | contact_id NUL journey_id. Returns its length, or 0 when an
 * id is longer than SY_ID_BYTES_MAX. */
size_t state_codec_instance_key(uint8_t *buf, int32_t partition, const char *contact_id,
                                const char *journey_id);

/* Timer key: partition | due_ms (order-preserving) | contact_id NUL journey_id. */
size_t state_codec_timer_key(uint8_t *buf, const state_timer_t *timer);

/* Meta key of a partition. */
size_t state_codec_meta_key(uint8_t *buf, int32_t partition);

/* Changelog checkpoint of a partition (the changelog offset its state reflects), in the
 * default column family: its key (3 bytes: the partition, then a tag no stream time key
 * has) and its value (STATE_CODEC_CHECKPOINT_BYTES: a version byte, the offset as 8
 * big-endian bytes). decode: 1 when this version can read it. */
#define STATE_CODEC_CHECKPOINT_KEY_BYTES 3
#define STATE_CODEC_CHECKPOINT_BYTES 9
size_t state_codec_checkpoint_key(uint8_t *buf, int32_t partition);
void state_codec_checkpoint_encode(uint8_t buf[STATE_CODEC_CHECKPOINT_BYTES], int64_t offset);
int state_codec_checkpoint_decode(const uint8_t *buf, size_t len, int64_t *offset);

/* A timer key's bytes before its ids: the partition (2), then the due time (8). */
#define STATE_CODEC_TIMER_KEY_HEAD_BYTES 10

/* Fill timer's partition, due, and ids from a timer key; false when malformed. */
int state_codec_timer_key_decode(const uint8_t *key, size_t len, state_timer_t *timer);

/* Fill timer's partition and ids (the contact's and the journey's) from an instance key,
 * for the timer the instance keeps; false when malformed. */
int state_codec_instance_key_ids(const uint8_t *key, size_t len, state_timer_t *timer);

size_t state_codec_instance_encode(uint8_t *buf, const state_instance_t *instance);
int state_codec_instance_decode(const uint8_t *buf, size_t len, state_instance_t *out);

size_t state_codec_timer_value_encode(uint8_t *buf, const state_timer_t *timer);
int state_codec_timer_value_decode(const uint8_t *buf, size_t len, state_timer_t *timer);

/* 8 bytes of v, big-endian, at buf (which holds at least 8): the fixed-width integers
 * of the store's records (event ids, consent times, changelog checkpoints). */
static inline void state_codec_u64_put(uint8_t *buf, uint64_t v) {
    /* no assert: a leaf of the encoders, whose buffers their callers sized */
    /* Written out byte by byte: the compiler makes it one swapped store. */
    buf[0] = (uint8_t)(v >> 56);
    buf[1] = (uint8_t)(v >> 48);
    buf[2] = (uint8_t)(v >> 40);
    buf[3] = (uint8_t)(v >> 32);
    buf[4] = (uint8_t)(v >> 24);
    buf[5] = (uint8_t)(v >> 16);
    buf[6] = (uint8_t)(v >> 8);
    buf[7] = (uint8_t)v;
}

static inline uint64_t state_codec_u64_get(const uint8_t *buf) {
    /* no assert: a leaf of the decoders, which checked the length first */
    /* Written out byte by byte: the compiler makes it one swapped load. */
    return (uint64_t)buf[0] << 56 | (uint64_t)buf[1] << 48 | (uint64_t)buf[2] << 40 |
           (uint64_t)buf[3] << 32 | (uint64_t)buf[4] << 24 | (uint64_t)buf[5] << 16 |
           (uint64_t)buf[6] << 8 | (uint64_t)buf[7];
}

/* The partition of a timer key of at least STATE_CODEC_TIMER_KEY_HEAD_BYTES bytes. */
static inline int32_t state_codec_timer_key_partition(const uint8_t *key) {
    /* no assert: a leaf of the timer index, whose callers checked the key's length */
    return (int32_t)(key[0] << 8 | key[1]);
}

/* The due time of a timer key of at least STATE_CODEC_TIMER_KEY_HEAD_BYTES bytes, without
 * decoding the ids: what telling a due timer from one not due yet needs. */
static inline int64_t state_codec_timer_key_due(const uint8_t *key) {
    /* no assert: a leaf of the timer index, whose callers checked the key's length */
    return (int64_t)(state_codec_u64_get(key + 2) ^ (UINT64_C(1) << 63));
}

size_t state_codec_meta_encode(uint8_t *buf, int64_t stream_time_ms);
int state_codec_meta_decode(const uint8_t *buf, size_t len, int64_t *stream_time_ms);

#endif
