/* state_timers.c — the timer index: timers ordered by (partition, due time), read from
 * each partition's queue in memory (state_timer_queue.c) merged with the timers the
 * pending batch and the sealed one added, so a timer set earlier in the same batch (or the
 * sealed one) fires at the right point of the stream. Nothing here is written: each timer
 * is its instance's live one, which the instance's record keeps (a store written by an
 * older version aside). */
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
__attribute__((always_inline)) static inline int key_before(const uint8_t *a, size_t alen,
                                                            const uint8_t *b, size_t blen) {
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

/* Where a partition's first timer is. */
typedef enum head_source { HEAD_QUEUE, HEAD_PENDING, HEAD_SEALED } head_source_t;

/* The first timer of a partition, where it is: the head of its pending timers, of the
 * sealed batch's or of its queue, with the bytes of its key and value (borrowed from that
 * source). */
typedef struct timer_head {
    const uint8_t *key, *value;
    size_t key_len, value_len;
    head_source_t source;
} timer_head_t;

/* Whether a batch's first timer p (NULL: none) is due after due_max, told from its key. */
static inline bool entry_not_due(const pending_entry_t *p, int64_t due_max) {
    /* no assert: a one-line test of the caller's entry */
    return !p || (p->key_len >= STATE_CODEC_TIMER_KEY_HEAD_BYTES &&
                  state_codec_timer_key_due(p->key) > due_max);
}

/* Whether partition surely has no timer due at or before due_max: its queue is loaded, and
 * neither head is due (told from their keys' due bytes, decoding nothing). Asked once per
 * event, most finding that so; false sends the caller to timer_head, which checks more. */
static inline bool timer_none_due(const state_store_t *s, int32_t partition, int64_t due_max) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
    const pending_entry_t *p = state_pending_timer_peek(&s->pending, partition);
    const state_timer_queue_t *q = s->timer_queues[partition];
    return q && !state_timer_queue_due_by(q, due_max) && entry_not_due(p, due_max) &&
           (!s->sealed_on || entry_not_due(state_pending_timer_peek(&s->sealed, partition),
                                           due_max));
}

/* Make batch entry p (of source) h's timer when it comes before h's (none when !*found);
 * on equal keys the one already there stays: committed, then sealed, then pending. Always
 * inline: twice in every timer read. */
__attribute__((always_inline)) static inline void
head_consider(timer_head_t *h, bool *found, const pending_entry_t *p, head_source_t source) {
    assert(h && found);
    if (!p || (*found && !key_before(p->key, p->key_len, h->key, h->key_len)))
        return;
    h->key = p->key, h->key_len = p->key_len;
    h->value = p->value, h->value_len = p->value_len;
    h->source = source;
    *found = true;
}

/* Partition's first timer into *h (the earliest key of the three heads; on equal keys the
 * committed one, then the sealed batch's), with its key checked: SY_OK when it is due at or
 * before due_max, SY_ERR_NOT_FOUND when none is, or an error (loading its queue, or a
 * corrupt key). */
static sy_err_t timer_head(state_store_t *s, int32_t partition, int64_t due_max,
                                  timer_head_t *h, char *errbuf, size_t errbuf_size) {
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX);
    const pending_entry_t *p = state_pending_timer_peek(&s->pending, partition);
    state_timer_queue_t *q = s->timer_queues[partition]; /* loaded, mostly */
    sy_err_t err = q ? SY_OK : state_store_timer_queue_get(s, partition, &q, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    bool found = state_timer_queue_peek(q, &h->key, &h->key_len, &h->value, &h->value_len);
    h->source = HEAD_QUEUE;
    if (s->sealed_on)
        head_consider(h, &found, state_pending_timer_peek(&s->sealed, partition), HEAD_SEALED);
    head_consider(h, &found, p, HEAD_PENDING);
    if (!found)
        return SY_ERR_NOT_FOUND;
    if (h->key_len < STATE_CODEC_TIMER_KEY_HEAD_BYTES ||
        state_codec_timer_key_partition(h->key) != partition)
        return timer_corrupt(partition, errbuf, errbuf_size);
    return state_codec_timer_key_due(h->key) > due_max ? SY_ERR_NOT_FOUND : SY_OK;
}

/* The timer at h decoded into *out. */
static sy_err_t head_decode(const timer_head_t *h, int32_t partition, state_timer_t *out,
                            char *errbuf, size_t errbuf_size) {
    assert(h->key_len >= STATE_CODEC_TIMER_KEY_HEAD_BYTES);
    if (!timer_from_entry(h->key, h->key_len, h->value, h->value_len, out))
        return timer_corrupt(partition, errbuf, errbuf_size);
    out->from_pending = h->source == HEAD_PENDING;
    out->from_sealed = h->source == HEAD_SEALED;
    return SY_OK;
}

/* Take partition's first timer, at h (timer_head's, with nothing changed since), out of
 * its source. Nothing written for a timer of an instance: its fire rewrites the instance.
 * One of the old index (a store written by an older version) is deleted there. */
static sy_err_t head_take(state_store_t *s, int32_t partition, const timer_head_t *h) {
    const uint8_t *key = h->key;
    size_t key_len = h->key_len;
    int legacy = 0;
    assert(h->key_len >= STATE_CODEC_TIMER_KEY_HEAD_BYTES);
    if (h->source == HEAD_PENDING) {
        state_pending_timer_pop(&s->pending, partition); /* the batch's bytes: left there */
    } else if (h->source == HEAD_SEALED) {
        /* Kept by the queue (loaded by timer_head) until the sealed batch commits. */
        if (!state_timer_queue_fired_sealed(s->timer_queues[partition], h->key, h->key_len,
                                            h->value, h->value_len))
            return SY_ERR_NOMEM;
        state_pending_timer_pop(&s->sealed, partition);
    } else if (!state_timer_queue_pop(s->timer_queues[partition], &key, &key_len, &legacy)) {
        return SY_ERR_NOMEM; /* no room to keep the fire aside until the batch ends */
    }
    assert(key_len == h->key_len);
    return !legacy || state_pending_op_delete(&s->pending, CF_TIMERS, key, key_len, 1)
               ? SY_OK
               : SY_ERR_NOMEM;
}

/* Partition's first timer due by due_max: at *h, decoded into *out. */
static sy_err_t due_head(state_store_t *s, int32_t partition, int64_t due_max, timer_head_t *h,
                         state_timer_t *out, char *errbuf, size_t errbuf_size) {
    assert(s && out);
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    if (timer_none_due(s, partition, due_max))
        return SY_ERR_NOT_FOUND;
    sy_err_t err = timer_head(s, partition, due_max, h, errbuf, errbuf_size);
    return err != SY_OK ? err : head_decode(h, partition, out, errbuf, errbuf_size);
}

sy_err_t state_store_timer_next(state_store_t *s, int32_t partition, int64_t due_max,
                                state_timer_t *out, char *errbuf, size_t errbuf_size) {
    timer_head_t h; /* no assert: due_head asserts */
    return due_head(s, partition, due_max, &h, out, errbuf, errbuf_size);
}

sy_err_t state_store_timer_take(state_store_t *s, int32_t partition, int64_t due_max,
                                state_timer_t *out, char *errbuf, size_t errbuf_size) {
    timer_head_t h; /* no assert: due_head asserts */
    sy_err_t err = due_head(s, partition, due_max, &h, out, errbuf, errbuf_size);
    return err == SY_OK ? head_take(s, partition, &h) : err;
}

/* Whether timer key (at least the head's bytes) is due at due_ms for contact_id: compared
 * in place, decoding nothing. */
static bool key_in_run(const uint8_t *key, size_t key_len, int64_t due_ms,
                       const char *contact_id) {
    assert(key_len >= STATE_CODEC_TIMER_KEY_HEAD_BYTES);
    if (state_codec_timer_key_due(key) != due_ms)
        return false;
    size_t len = strlen(contact_id), ids = key_len - STATE_CODEC_TIMER_KEY_HEAD_BYTES;
    const uint8_t *id = key + STATE_CODEC_TIMER_KEY_HEAD_BYTES;
    return len < ids && id[len] == 0 && memcmp(id, contact_id, len) == 0;
}

sy_err_t state_store_timer_take_run(state_store_t *s, const state_timer_t *first,
                                    state_timer_t *out, char *errbuf, size_t errbuf_size) {
    timer_head_t h;
    assert(s && first && out && first != out);
    assert(first->partition >= 0 && first->partition < STATE_PARTITIONS_MAX);
    /* a head due after first is not of the run */
    sy_err_t err = timer_head(s, first->partition, first->due_ms, &h, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    if (!key_in_run(h.key, h.key_len, first->due_ms, first->contact_id))
        return SY_ERR_NOT_FOUND;
    err = head_decode(&h, first->partition, out, errbuf, errbuf_size);
    return err == SY_OK ? head_take(s, first->partition, &h) : err;
}

sy_err_t state_store_timer_remove(state_store_t *s, const state_timer_t *timer) {
    timer_head_t h;
    assert(timer->partition >= 0 && timer->partition < STATE_PARTITIONS_MAX);
    /* The timer state_store_timer_next returned: the head of its source, so a committed
     * one's queue is loaded (that call loaded it; only a commit or a restore drops it). A
     * queue missing here is the caller's error, not a lack of memory. Its key is the
     * head's: no need to encode it again. */
    if (timer->from_pending || timer->from_sealed) {
        const pending_entry_t *p = state_pending_timer_peek(
            timer->from_pending ? &s->pending : &s->sealed, timer->partition);
        assert(p != NULL);
        h = (timer_head_t){.key = p->key, .key_len = p->key_len, .value = p->value,
                           .value_len = p->value_len,
                           .source = timer->from_pending ? HEAD_PENDING : HEAD_SEALED};
    } else {
        state_timer_queue_t *q = s->timer_queues[timer->partition];
        assert(q != NULL);
        int queued = state_timer_queue_peek(q, &h.key, &h.key_len, &h.value, &h.value_len);
        assert(queued);
        (void)queued;
        h.source = HEAD_QUEUE;
    }
    assert(h.key_len > STATE_CODEC_TIMER_KEY_HEAD_BYTES &&
           state_codec_timer_key_due(h.key) == timer->due_ms);
    return head_take(s, timer->partition, &h);
}
