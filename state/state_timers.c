/* state_timers.c — the timer index: timers ordered by (partition, due time) in their own
 * column family, read from each partition's queue in memory (state_timer_queue.c) merged
 * with the timers the pending batch added, so a timer set earlier in the same batch fires
 * at the right point of the stream. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "state_codec.h"
#include "state_store_int.h"

sy_err_t state_store_timer_add(state_store_t *s, const state_timer_t *timer) {
    uint8_t key[STATE_KEY_BYTES_MAX], value[STATE_VALUE_BYTES_MAX];
    if (timer->partition < 0 || timer->partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    size_t key_len = state_codec_timer_key(key, timer);
    if (!key_len)
        return SY_ERR_LIMIT;
    size_t value_len = state_codec_timer_value_encode(value, timer);
    assert(key_len <= sizeof key && value_len <= sizeof value);
    if (!state_pending_timer_push(&s->pending, timer->partition, key, key_len, value,
                                  value_len) ||
        !state_pending_op_put(&s->pending, CF_TIMERS, key, key_len, value, value_len))
        return SY_ERR_NOMEM;
    return SY_OK;
}

static int timer_from_entry(const uint8_t *key, size_t key_len, const uint8_t *value,
                            size_t value_len, state_timer_t *out) {
    assert(key && out);
    return state_codec_timer_key_decode(key, key_len, out) &&
           state_codec_timer_value_decode(value, value_len, out);
}

sy_err_t state_store_timer_next(state_store_t *s, int32_t partition, int64_t due_max,
                                state_timer_t *out, char *errbuf, size_t errbuf_size) {
    assert(s && out);
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    const pending_entry_t *p = state_pending_timer_peek(&s->pending, partition);
    state_timer_queue_t *q = NULL;
    sy_err_t err = state_store_timer_queue_get(s, partition, &q, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    const uint8_t *dkey = NULL, *dvalue = NULL;
    size_t dkey_len = 0, dvalue_len = 0;
    if (!state_timer_queue_peek(q, &dkey, &dkey_len, &dvalue, &dvalue_len))
        dkey = NULL;
    int use_pending;
    if (p && dkey)
        use_pending = state_timer_key_cmp(p->key, p->key_len, dkey, dkey_len) < 0;
    else if (p || dkey)
        use_pending = p != NULL;
    else
        return SY_ERR_NOT_FOUND;
    int ok = use_pending ? timer_from_entry(p->key, p->key_len, p->value, p->value_len, out)
                         : timer_from_entry(dkey, dkey_len, dvalue, dvalue_len, out);
    if (!ok || out->partition != partition) {
        snprintf(errbuf, errbuf_size, "state store: corrupt timer in partition %d",
                 (int)partition);
        return SY_ERR_STATE;
    }
    out->from_pending = use_pending;
    return out->due_ms <= due_max ? SY_OK : SY_ERR_NOT_FOUND;
}

sy_err_t state_store_timer_remove(state_store_t *s, const state_timer_t *timer) {
    uint8_t key[STATE_KEY_BYTES_MAX];
    /* The timer state_store_timer_next returned: the head of its source, so a committed
     * one's queue is loaded (that call loaded it; only a commit or a restore drops it). A
     * queue missing here is the caller's error, not a lack of memory. */
    assert(timer->from_pending ? state_pending_timer_peek(&s->pending, timer->partition) != NULL
                               : s->timer_queues[timer->partition] != NULL);
    size_t key_len = state_codec_timer_key(key, timer);
    if (!key_len)
        return SY_ERR_LIMIT;
    if (timer->from_pending)
        state_pending_timer_pop(&s->pending, timer->partition);
    else if (!state_timer_queue_pop(s->timer_queues[timer->partition]))
        return SY_ERR_NOMEM; /* no room to keep the fire aside until the batch ends */
    /* A pending timer's key has no committed value unless the queue gave one of
     * the same key earlier in this batch: state_store_timer_next returns the committed
     * one first on equal keys, and its removal records it. So a timer added and removed
     * within one batch writes nothing. */
    return state_pending_op_delete(&s->pending, CF_TIMERS, key, key_len,
                                   !timer->from_pending)
               ? SY_OK
               : SY_ERR_NOMEM;
}
