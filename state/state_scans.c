/* state_scans.c — the deploy-time scan's cursor per (journey version, partition), kept in
 * the default column family under the partition, the tag 's', the version and the journey
 * id; read through the pending batch, written and changelogged with it (changelog code 0),
 * and the walk of a partition's stored profiles from a cursor on. Which contacts the scan
 * enters is the engine's (engine_audience.c), when it scans the runner's. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_codec.h"
#include "state_store_int.h"

/* Pending-map keys of cursors start with this byte: like counts' 0xfc, it never reads as a
 * partition and never meets another record's key. */
#define SCAN_PENDING_TAG 0xf9
_Static_assert((SCAN_PENDING_TAG << 8) >= STATE_PARTITIONS_MAX,
               "a cursor's pending key never reads as a partition");
#define SCAN_KEY_TAG 's'
/* Key: partition (2), tag, version (4, big-endian), journey id. */
#define SCAN_KEY_HEADER_BYTES 7
#define SCAN_KEY_BYTES_MAX (SCAN_KEY_HEADER_BYTES + SY_ID_BYTES_MAX)
/* Value: codec version, done (1), scanned (8), entered (8), then the cursor's contact id. */
#define SCAN_VALUE_HEADER_BYTES 18
#define SCAN_VALUE_BYTES_MAX (SCAN_VALUE_HEADER_BYTES + SY_ID_BYTES_MAX)

static size_t scan_key(uint8_t *buf, int32_t partition, const char *journey_id,
                       int32_t version) {
    size_t len = strlen(journey_id);
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
    if (len == 0 || len > SY_ID_BYTES_MAX)
        return 0;
    size_t n = state_codec_meta_key(buf, partition);
    buf[n++] = SCAN_KEY_TAG;
    for (int i = 3; i >= 0; i--)
        buf[n++] = (uint8_t)((uint32_t)version >> (8 * i));
    memcpy(buf + n, journey_id, len);
    return n + len;
}

int state_scan_decode(const uint8_t *value, size_t len, state_scan_t *out) {
    assert(value && out);
    if (len < SCAN_VALUE_HEADER_BYTES || len > SCAN_VALUE_BYTES_MAX ||
        value[0] != STATE_CODEC_VERSION || value[1] > 1)
        return 0;
    size_t clen = len - SCAN_VALUE_HEADER_BYTES;
    out->done = value[1] == 1;
    out->scanned = state_codec_u64_get(value + 2);
    out->entered = state_codec_u64_get(value + 10);
    memcpy(out->cursor, value + SCAN_VALUE_HEADER_BYTES, clen);
    out->cursor[clen] = '\0';
    return memchr(out->cursor, '\0', clen) == NULL;
}

int state_scan_record_check(const uint8_t *key, size_t key_len, const uint8_t *value,
                            size_t value_len) {
    state_scan_t scan;
    assert(key);
    if (key_len <= SCAN_KEY_HEADER_BYTES || key_len > SCAN_KEY_BYTES_MAX ||
        key[2] != SCAN_KEY_TAG)
        return 0;
    return !value || state_scan_decode(value, value_len, &scan);
}

sy_err_t state_store_scan_get(state_store_t *s, int32_t partition, const char *journey_id,
                              int32_t version, state_scan_t *out, char *errbuf,
                              size_t errbuf_size) {
    uint8_t pkey[1 + SCAN_KEY_BYTES_MAX];
    char *owned = NULL;
    assert(s && journey_id && out);
    size_t key_len = partition >= 0 && partition < STATE_PARTITIONS_MAX
                         ? scan_key(pkey + 1, partition, journey_id, version) : 0;
    if (key_len == 0)
        return SY_ERR_INVALID_ARG;
    pkey[0] = SCAN_PENDING_TAG;
    const uint8_t *value;
    size_t len;
    sy_err_t err = state_store_meta_read(s, CF_DEFAULT, pkey, key_len + 1, &value, &len,
                                         &owned, errbuf, errbuf_size, "read scan cursor");
    if (err != SY_OK)
        return err;
    int ok = value ? state_scan_decode(value, len, out) : -1;
    rocksdb_free(owned);
    if (ok == 1)
        return SY_OK;
    if (ok == -1)
        return SY_ERR_NOT_FOUND;
    snprintf(errbuf, errbuf_size, "state store: corrupt scan cursor of %s v%d in partition %d",
             journey_id, (int)version, (int)partition);
    return SY_ERR_STATE;
}

sy_err_t state_store_scan_put(state_store_t *s, int32_t partition, const char *journey_id,
                              int32_t version, const state_scan_t *scan) {
    uint8_t pkey[1 + SCAN_KEY_BYTES_MAX], value[SCAN_VALUE_BYTES_MAX];
    assert(s && journey_id && scan);
    size_t key_len = partition >= 0 && partition < STATE_PARTITIONS_MAX
                         ? scan_key(pkey + 1, partition, journey_id, version) : 0;
    size_t clen = strnlen(scan->cursor, sizeof scan->cursor);
    if (key_len == 0 || clen > SY_ID_BYTES_MAX)
        return SY_ERR_INVALID_ARG;
    pkey[0] = SCAN_PENDING_TAG;
    value[0] = STATE_CODEC_VERSION;
    value[1] = scan->done ? 1 : 0;
    state_codec_u64_put(value + 2, scan->scanned);
    state_codec_u64_put(value + 10, scan->entered);
    memcpy(value + SCAN_VALUE_HEADER_BYTES, scan->cursor, clen);
    size_t len = SCAN_VALUE_HEADER_BYTES + clen;
    if (!state_pending_put(&s->pending, pkey, key_len + 1, value, len) ||
        !state_pending_op_put(&s->pending, CF_DEFAULT, pkey + 1, key_len, value, len))
        return SY_ERR_NOMEM;
    return SY_OK;
}

sy_err_t state_store_scan_restore(state_store_t *s, const uint8_t *key, size_t key_len,
                                  const uint8_t *value, size_t value_len) {
    uint8_t pkey[1 + SCAN_KEY_BYTES_MAX];
    assert(s && key && key_len <= SCAN_KEY_BYTES_MAX);
    if (!value) { /* never written by this version: a cursor is never deleted */
        rocksdb_writebatch_delete_cf(s->batch, s->cf[CF_DEFAULT], (const char *)key, key_len);
        return SY_OK;
    }
    pkey[0] = SCAN_PENDING_TAG;
    memcpy(pkey + 1, key, key_len);
    if (!state_pending_put(&s->pending, pkey, key_len + 1, value, value_len))
        return SY_ERR_NOMEM;
    rocksdb_writebatch_put_cf(s->batch, s->cf[CF_DEFAULT], (const char *)key, key_len,
                              (const char *)value, value_len);
    return SY_OK;
}

/* The contact id of a profile key of partition (prefix checked by the caller). */
static int contact_of(const uint8_t *key, size_t key_len, char *out) {
    size_t clen = key_len - 2;
    assert(key_len >= 2);
    if (clen == 0 || clen > SY_ID_BYTES_MAX || memchr(key + 2, '\0', clen))
        return 0;
    memcpy(out, key + 2, clen);
    out[clen] = '\0';
    return 1;
}

sy_err_t state_store_profiles_after(state_store_t *s, int32_t partition, const char *after,
                                    size_t max, state_profile_key_visit_fn *visit, void *ctx,
                                    size_t *visited, char *errbuf, size_t errbuf_size) {
    uint8_t from[2 + SY_ID_BYTES_MAX];
    char contact_id[SY_ID_BYTES_MAX + 1];
    assert(s && after && visit && visited);
    size_t alen = strlen(after);
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX || alen > SY_ID_BYTES_MAX)
        return SY_ERR_INVALID_ARG;
    size_t prefix_len = state_codec_meta_key(from, partition);
    memcpy(from + prefix_len, after, alen);
    *visited = 0;
    rocksdb_iterator_t *it = NULL;
    sy_err_t opened = state_store_iterator_open(s, CF_PROFILES, NULL, &it, errbuf, errbuf_size);
    if (opened != SY_OK)
        return opened;
    rocksdb_iter_seek(it, (const char *)from, prefix_len + alen);
    if (alen && rocksdb_iter_valid(it)) { /* the cursor itself was visited */
        size_t key_len;
        const char *key = rocksdb_iter_key(it, &key_len);
        if (key_len == prefix_len + alen && memcmp(key, from, key_len) == 0)
            rocksdb_iter_next(it);
    }
    sy_err_t err = SY_OK;
    for (; *visited < max && rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t key_len;
        const uint8_t *key = (const uint8_t *)rocksdb_iter_key(it, &key_len);
        if (key_len < prefix_len || memcmp(key, from, prefix_len) != 0)
            break;
        if (!contact_of(key, key_len, contact_id))
            continue; /* not a key this version writes: never a contact to enter */
        (*visited)++;
        if ((err = visit(ctx, partition, contact_id)) != SY_OK)
            break;
    }
    char *rerr = NULL;
    rocksdb_iter_get_error(it, &rerr);
    rocksdb_iter_destroy(it);
    if (rerr && err == SY_OK)
        return state_store_rocks_error(rerr, errbuf, errbuf_size, "scan profiles");
    free(rerr);
    return err;
}
