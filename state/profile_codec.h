/* profile_codec.h — the compact binary encoding of a contact's profile in the state
 * store: a version byte, the attribute count, then per attribute (sorted by name) its
 * name, a kind byte and its value. Pure functions, no RocksDB. Private to state/. */
#ifndef SY_PROFILE_CODEC_H
#define SY_PROFILE_CODEC_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "records.h"
#include "state_store.h"

/* Profile value format version: the first byte of every encoded profile. */
#define PROFILE_CODEC_VERSION 1

/* Copy an id's len bytes into a key (a contact's, an instance's, a timer's): one of 8 to
 * 32 bytes (most ids) as two overlapping moves of its first and last bytes, inline, where
 * memcpy of a length known only at run time is a call to libc's on every key an input
 * makes. src and dst do not overlap. */
static inline void profile_codec_id_copy(uint8_t *dst, const char *src, size_t len) {
    /* no assert: a leaf of the key makers, which check len against SY_ID_BYTES_MAX */
    if (len >= 16 && len <= 32) {
        memcpy(dst, src, 16);
        memcpy(dst + len - 16, src + len - 16, 16);
    } else if (len >= 8 && len < 16) {
        memcpy(dst, src, 8);
        memcpy(dst + len - 8, src + len - 8, 8);
    } else {
        memcpy(dst, src, len);
    }
}

/* Profile key in the profiles column family: partition (2 bytes) | contact_id.
 * Returns its length, or 0 when contact_id is longer than SY_ID_BYTES_MAX. buf holds at
 * least PROFILE_KEY_BYTES_MAX bytes. Inline: every read of a send builds it (consent,
 * profile, engagement), and the call cost as much as the copy. */
#define PROFILE_KEY_BYTES_MAX (2 + SY_ID_BYTES_MAX)
static inline size_t profile_codec_key(uint8_t *buf, int32_t partition,
                                       const char *contact_id) {
    size_t len = strlen(contact_id);
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
    if (len > SY_ID_BYTES_MAX)
        return 0;
    buf[0] = (uint8_t)((uint16_t)partition >> 8);
    buf[1] = (uint8_t)partition;
    profile_codec_id_copy(buf + 2, contact_id, len);
    return 2 + len;
}

/* Encode count attributes (already sorted by name, names unique) into buf of buf_size
 * bytes. Returns the length, or 0 when the encoding would not fit. attrs is borrowed. */
size_t profile_codec_encode(uint8_t *buf, size_t buf_size, const sy_attr_t *attrs,
                            size_t count);

/* Decode buf into attrs. Names and string values are copied NUL-terminated into strings
 * (strings_size bytes; an encoding of len bytes never needs more than len). Returns 1 on
 * success, 0 when buf is malformed, -1 when it holds more than attrs_max attributes.
 * *count is set only on success. buf, attrs and strings (not NULL) are borrowed. */
int profile_codec_decode(const uint8_t *buf, size_t len, sy_attr_t *attrs, size_t attrs_max,
                         size_t *count, char *strings, size_t strings_size);

#endif
