/* state_timers.c — the timer index: timers ordered by (partition, due time), read from
 * each partition's queue in memory (state_timer_queue.c) merged with the timers the
 * pending batch added, so a timer set earlier in the same batch fires at the right point
 * of the stream. Nothing here is written: each timer is its instance's live one, which the
 * instance's record keeps (a store written by an older version aside). */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "state_codec.h"
#include "state_store_int.h"

bool state_timer_live(const state_instance_t *in, const state_timer_t *timer) {
    assert(in && timer);
    if (in->status != STATE_INSTANCE_ACTIVE || in->node != timer->node ||
        in->node_entered_at_ms != timer->node_entered_at_ms)
        return false;
    return in->timer == STATE_INSTANCE_TIMER_LEGACY ||
           (in->timer == STATE_INSTANCE_TIMER_ARMED && in->timer_due_ms == timer->due_ms);
}

sy_err_t state_store_timer_add(state_store_t *s, const state_timer_t *timer) {
    uint8_t key[STATE_KEY_BYTES_MAX], value[STATE_VALUE_BYTES_MAX];
    if (timer->partition < 0 || timer->partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    size_t key_len = state_codec_timer_key(key, timer);
    if (!key_len)
        return SY_ERR_LIMIT;
    size_t value_len = state_codec_timer_value_encode(value, timer);
    assert(key_len <= sizeof key && value_len <= sizeof value);
    /* Nothing written: the instance it belongs to keeps its due time, and the commit puts
     * the batch's timers in their partitions' queues. */
    if (!state_pending_timer_push(&s->pending, timer->partition, key, key_len, value,
                                  value_len))
        return SY_ERR_NOMEM;
    return SY_OK;
}

static int timer_from_entry(const uint8_t *key, size_t key_len, const uint8_t *value,
                            size_t value_len, state_timer_t *out) {
    assert(key && out);
    return state_codec_timer_key_decode(key, key_len, out) &&
           state_codec_timer_value_decode(value, value_len, out);
}

/* Whether timer key a (of partition's pending timers) comes before key b (of its queue):
 * their due times decide unless equal, compared in place of the bytes they are. */
static int key_before(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen) {
    /* no assert: a one-line compare of keys the caller holds */
    if (alen >= STATE_CODEC_TIMER_KEY_HEAD_BYTES && blen >= STATE_CODEC_TIMER_KEY_HEAD_BYTES &&
        state_codec_timer_key_due(a) != state_codec_timer_key_due(b))
        return state_codec_timer_key_due(a) < state_codec_timer_key_due(b);
    return state_timer_key_cmp(a, alen, b, blen) < 0;
}

static sy_err_t timer_corrupt(int32_t partition, char *errbuf, size_t errbuf_size) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
    snprintf(errbuf, errbuf_size, "state store: corrupt timer in partition %d", (int)partition);
    return SY_ERR_STATE;
}

sy_err_t state_store_timer_next(state_store_t *s, int32_t partition, int64_t due_max,
                                state_timer_t *out, char *errbuf, size_t errbuf_size) {
    assert(s && out);
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    const pending_entry_t *p = state_pending_timer_peek(&s->pending, partition);
    state_timer_queue_t *q = s->timer_queues[partition]; /* loaded, mostly */
    sy_err_t err = q ? SY_OK : state_store_timer_queue_get(s, partition, &q, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    const uint8_t *key = NULL, *value = NULL;
    size_t key_len = 0, value_len = 0;
    int queued = state_timer_queue_peek(q, &key, &key_len, &value, &value_len);
    /* The earlier key of the two heads; the committed one on equal keys. */
    int use_pending = p && (!queued || key_before(p->key, p->key_len, key, key_len));
    if (use_pending) {
        key = p->key, key_len = p->key_len;
        value = p->value, value_len = p->value_len;
    } else if (!queued) {
        return SY_ERR_NOT_FOUND;
    }
    if (key_len < STATE_CODEC_TIMER_KEY_HEAD_BYTES ||
        state_codec_timer_key_partition(key) != partition)
        return timer_corrupt(partition, errbuf, errbuf_size);
    /* Most calls find the head not due yet: tell from its key's bytes, decoding nothing. */
    if (state_codec_timer_key_due(key) > due_max)
        return SY_ERR_NOT_FOUND;
    if (!timer_from_entry(key, key_len, value, value_len, out))
        return timer_corrupt(partition, errbuf, errbuf_size);
    out->from_pending = use_pending;
    return SY_OK;
}

sy_err_t state_store_timer_remove(state_store_t *s, const state_timer_t *timer) {
    const uint8_t *key = NULL;
    size_t key_len = 0;
    int legacy = 0;
    assert(timer->partition >= 0 && timer->partition < STATE_PARTITIONS_MAX);
    /* The timer state_store_timer_next returned: the head of its source, so a committed
     * one's queue is loaded (that call loaded it; only a commit or a restore drops it). A
     * queue missing here is the caller's error, not a lack of memory. Its key is the
     * head's: no need to encode it again. */
    if (timer->from_pending) {
        const pending_entry_t *p = state_pending_timer_peek(&s->pending, timer->partition);
        assert(p != NULL);
        key = p->key, key_len = p->key_len; /* the batch's bytes: the pop leaves them */
        state_pending_timer_pop(&s->pending, timer->partition);
    } else {
        state_timer_queue_t *q = s->timer_queues[timer->partition];
        assert(q != NULL);
        if (!state_timer_queue_pop(q, &key, &key_len, &legacy))
            return SY_ERR_NOMEM; /* no room to keep the fire aside until the batch ends */
    }
    assert(key_len > STATE_CODEC_TIMER_KEY_HEAD_BYTES &&
           state_codec_timer_key_due(key) == timer->due_ms);
    /* Nothing written for a timer of an instance: its fire rewrites the instance. One of
     * the old index (a store written by an older version) is deleted there. */
    return !legacy || state_pending_op_delete(&s->pending, CF_TIMERS, key, key_len, 1)
               ? SY_OK
               : SY_ERR_NOMEM;
}
