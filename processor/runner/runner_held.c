/* runner_held.c — the outputs of a batch processed while the batch before it commits:
 * kept in memory, in the order the engine emitted them, until that commit is known; then
 * runner_pipeline.c produces them into the batch's own transaction, or drops them with
 * both batches when it failed. Not the encoding (runner_output.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner_int.h"
#include "sy_array.h"

/* Make room for one more record of bytes bytes; false on out of memory. */
static bool held_reserve(runner_held_t *h, size_t bytes) {
    assert(h->count <= h->capacity && h->used <= h->bytes_capacity);
    runner_held_record_t *records =
        sy_array_grow(h->records, &h->capacity, h->count + 1, sizeof *records, 1024);
    if (!records)
        return false;
    h->records = records;
    uint8_t *grown = sy_array_grow(h->bytes, &h->bytes_capacity, h->used + bytes + 1, 1,
                                   (size_t)1 << 20);
    if (!grown)
        return false;
    h->bytes = grown;
    return true;
}

sy_err_t runner_held_add(runner_t *r, const char *topic, const void *key, size_t key_len,
                         const void *value, size_t value_len, rd_kafka_headers_t *headers) {
    runner_held_t *h = &r->held;
    assert(topic && r->batch_held && (key || !key_len) && (value || !value_len));
    if (!held_reserve(h, key_len + value_len)) {
        if (headers)
            rd_kafka_headers_destroy(headers);
        snprintf(r->fatal_msg, sizeof r->fatal_msg, "no memory to hold the batch's outputs "
                 "while the batch before it commits");
        return SY_ERR_KAFKA_ABORT;
    }
    runner_held_record_t *rec = &h->records[h->count++];
    *rec = (runner_held_record_t){.topic = topic, .key_at = h->used, .key_len = key_len,
                                  .value_at = h->used + key_len, .value_len = value_len,
                                  .headers = headers};
    if (key_len)
        memcpy(h->bytes + rec->key_at, key, key_len);
    if (value_len)
        memcpy(h->bytes + rec->value_at, value, value_len);
    h->used += key_len + value_len;
    return SY_OK;
}

void runner_held_drop(runner_t *r) {
    runner_held_t *h = &r->held;
    assert(h->count <= h->capacity);
    for (size_t i = 0; i < h->count; i++)
        if (h->records[i].headers)
            rd_kafka_headers_destroy(h->records[i].headers);
    h->count = 0;
    h->used = 0;
}

void runner_held_free(runner_t *r) {
    /* no assert: NULL-safe teardown */
    if (!r)
        return;
    runner_held_drop(r);
    free(r->held.records);
    free(r->held.bytes);
    memset(&r->held, 0, sizeof r->held);
}
