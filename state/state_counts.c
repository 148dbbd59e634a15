/* state_counts.c — named counts kept per partition in the "counts" column family, read
 * through the pending batch, written and changelogged with it (changelog code 6): the
 * runner keeps the contacts at each journey node and the contacts that took each path
 * there, so a restart, a restore or a rebalance gives the same numbers. The store knows
 * only an id, a signed count and the caller's label bytes; what they mean is the runner's. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_codec.h"
#include "state_store_int.h"

/* Pending-map keys of counts start with this byte: like consent's 0xfd, it never reads
 * as a partition and never meets another record's key. */
#define COUNT_PENDING_TAG STATE_PENDING_TAG_COUNT
_Static_assert((COUNT_PENDING_TAG << 8) >= STATE_PARTITIONS_MAX,
               "a count's pending key never reads as a partition");
/* Key: the 2-byte partition, then the id as 8 big-endian bytes. */
#define COUNT_KEY_BYTES 10
/* Value: the codec version byte, the count as 8 big-endian bytes, then the labels. */
#define COUNT_VALUE_HEADER_BYTES 9
#define COUNT_VALUE_BYTES_MAX (COUNT_VALUE_HEADER_BYTES + STATE_COUNT_LABELS_BYTES_MAX)

int state_count_decode(const uint8_t *value, size_t len, int64_t *count, const uint8_t **labels,
                       size_t *labels_len) {
    assert(value && count && labels && labels_len);
    if (len < COUNT_VALUE_HEADER_BYTES || len > COUNT_VALUE_BYTES_MAX ||
        value[0] != STATE_CODEC_VERSION)
        return 0;
    *count = (int64_t)state_codec_u64_get(value + 1);
    *labels = value + COUNT_VALUE_HEADER_BYTES;
    *labels_len = len - COUNT_VALUE_HEADER_BYTES;
    return 1;
}

static size_t count_key(uint8_t *buf, int32_t partition, uint64_t id) {
    size_t n = state_codec_meta_key(buf, partition);
    assert(n == 2);
    state_codec_u64_put(buf + n, id);
    return n + 8;
}

sy_err_t state_store_count_get(state_store_t *s, int32_t partition, uint64_t id,
                               int64_t *count, char *errbuf, size_t errbuf_size) {
    uint8_t pkey[1 + COUNT_KEY_BYTES];
    char *owned = NULL;
    const uint8_t *labels, *value;
    size_t len = 0, labels_len;
    assert(s && count);
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    pkey[0] = COUNT_PENDING_TAG;
    count_key(pkey + 1, partition, id);
    sy_err_t err = state_store_meta_read(s, CF_COUNTS, pkey, sizeof pkey, &value, &len, &owned,
                                         errbuf, errbuf_size, "read count");
    if (err != SY_OK)
        return err;
    *count = 0;
    int ok = !value || state_count_decode(value, len, count, &labels, &labels_len);
    rocksdb_free(owned);
    if (ok)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "state store: corrupt count in partition %d", (int)partition);
    return SY_ERR_STATE;
}

sy_err_t state_store_count_put(state_store_t *s, int32_t partition, uint64_t id, int64_t count,
                               const void *labels, size_t labels_len) {
    uint8_t pkey[1 + COUNT_KEY_BYTES], value[COUNT_VALUE_BYTES_MAX];
    assert(s && (labels || !labels_len));
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX ||
        labels_len > STATE_COUNT_LABELS_BYTES_MAX)
        return SY_ERR_INVALID_ARG;
    pkey[0] = COUNT_PENDING_TAG;
    count_key(pkey + 1, partition, id);
    value[0] = STATE_CODEC_VERSION;
    state_codec_u64_put(value + 1, (uint64_t)count);
    if (labels_len)
        memcpy(value + COUNT_VALUE_HEADER_BYTES, labels, labels_len);
    size_t len = COUNT_VALUE_HEADER_BYTES + labels_len;
    if (!state_pending_put(&s->pending, pkey, sizeof pkey, value, len) ||
        !state_pending_op_put(&s->pending, CF_COUNTS, pkey + 1, COUNT_KEY_BYTES, value, len))
        return SY_ERR_NOMEM;
    return SY_OK;
}

sy_err_t state_store_counts_scan(state_store_t *s, int32_t partition,
                                 state_count_visit_fn *visit, void *ctx, char *errbuf,
                                 size_t errbuf_size) {
    uint8_t prefix[2];
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    assert(s && visit);
    if (state_store_cf_missing(s, CF_COUNTS))
        return SY_OK;
    size_t prefix_len = state_codec_meta_key(prefix, partition);
    rocksdb_iterator_t *it = NULL;
    sy_err_t opened = state_store_iterator_open(s, CF_COUNTS, NULL, &it, errbuf, errbuf_size);
    if (opened != SY_OK)
        return opened;
    sy_err_t err = SY_OK;
    for (rocksdb_iter_seek(it, (const char *)prefix, prefix_len);
         err == SY_OK && rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t key_len, value_len, labels_len;
        const uint8_t *key = (const uint8_t *)rocksdb_iter_key(it, &key_len), *labels;
        if (key_len != COUNT_KEY_BYTES || memcmp(key, prefix, prefix_len) != 0)
            break;
        const uint8_t *value = (const uint8_t *)rocksdb_iter_value(it, &value_len);
        int64_t count;
        if (!state_count_decode(value, value_len, &count, &labels, &labels_len)) {
            snprintf(errbuf, errbuf_size, "state store: corrupt count in partition %d",
                     (int)partition);
            err = SY_ERR_STATE;
        } else if (visit(ctx, partition, state_codec_u64_get(key + 2), count, labels,
                         labels_len)) {
            break;
        }
    }
    char *rerr = NULL;
    rocksdb_iter_get_error(it, &rerr);
    rocksdb_iter_destroy(it);
    if (rerr && err == SY_OK)
        return state_store_rocks_error(rerr, errbuf, errbuf_size, "scan counts");
    free(rerr);
    return err;
}
