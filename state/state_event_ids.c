/* state_event_ids.c — each contact's recent input event ids in the "event_ids" column
 * family: 8-byte hashes with their event times, read through the pending batch, written
 * and changelogged with it like profiles. Decides whether an event id was seen within
 * the window; not where duplicates go (the caller drops them). */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "profile_codec.h"
#include "state_codec.h"
#include "state_store_int.h"

/* Value: the codec version byte, then per id 8 bytes of hash and 8 of event time, both
 * big-endian, oldest first. */
#define EVENT_ID_ENTRY_BYTES 16
#define EVENT_IDS_VALUE_BYTES_MAX (1 + EVENT_ID_ENTRY_BYTES * STATE_EVENT_IDS_MAX)

/* Is value (len bytes) an event-ids value of at most ids_max ids? */
static bool event_ids_value_ok(const uint8_t *value, size_t len, size_t ids_max) {
    /* no assert: a predicate of outside bytes */
    return len >= 1 && value[0] == STATE_CODEC_VERSION &&
           (len - 1) % EVENT_ID_ENTRY_BYTES == 0 && (len - 1) / EVENT_ID_ENTRY_BYTES <= ids_max;
}

int state_event_ids_decode(const uint8_t *value, size_t len, state_event_id_t *ids,
                           size_t ids_max, size_t *count) {
    assert(value != NULL && ids != NULL && count != NULL);
    if (!event_ids_value_ok(value, len, ids_max))
        return 0;
    *count = (len - 1) / EVENT_ID_ENTRY_BYTES;
    for (size_t i = 0; i < *count; i++) {
        const uint8_t *p = value + 1 + i * EVENT_ID_ENTRY_BYTES;
        ids[i].hash = state_codec_u64_get(p);
        ids[i].time_ms = (int64_t)state_codec_u64_get(p + 8);
    }
    return 1;
}

static size_t event_ids_encode(uint8_t *buf, const state_event_id_t *ids, size_t count) {
    assert(count <= STATE_EVENT_IDS_MAX);
    buf[0] = STATE_CODEC_VERSION;
    for (size_t i = 0; i < count; i++) {
        state_codec_u64_put(buf + 1 + i * EVENT_ID_ENTRY_BYTES, ids[i].hash);
        state_codec_u64_put(buf + 9 + i * EVENT_ID_ENTRY_BYTES, (uint64_t)ids[i].time_ms);
    }
    return 1 + count * EVENT_ID_ENTRY_BYTES;
}

static void event_ids_release(char *owned) {
    /* no assert: NULL is the common case (a value from the table or the batch) */
    if (owned)
        rocksdb_free(owned);
}

/* The contact's stored value (state_store_record_read), checked: *value NULL when there
 * is none; release *owned with event_ids_release. */
static sy_err_t event_ids_fetch(state_store_t *s, const uint8_t *ckey, size_t ckey_len,
                                const char *contact_id, const uint8_t **value, size_t *len,
                                char **owned, char *errbuf, size_t errbuf_size) {
    assert(ckey_len > 1);
    sy_err_t err = state_store_record_read(s, CF_EVENT_IDS, STATE_CONTACT_REC_EVENT_IDS, ckey,
                                           ckey_len, value, len, owned, errbuf, errbuf_size,
                                           "read event ids");
    if (err != SY_OK || !*value || event_ids_value_ok(*value, *len, STATE_EVENT_IDS_MAX))
        return err;
    event_ids_release(*owned);
    snprintf(errbuf, errbuf_size, "state store: corrupt event ids of %s", contact_id);
    return SY_ERR_STATE;
}

/* The contact's ids (state_store_record_read); none reads as zero ids. */
static sy_err_t event_ids_read(state_store_t *s, const uint8_t *ckey, size_t ckey_len,
                               const char *contact_id, state_event_id_t *ids, size_t *count,
                               char *errbuf, size_t errbuf_size) {
    assert(ids && count);
    const uint8_t *value;
    size_t len;
    char *owned;
    sy_err_t err = event_ids_fetch(s, ckey, ckey_len, contact_id, &value, &len, &owned, errbuf,
                                   errbuf_size);
    if (err != SY_OK)
        return err;
    *count = 0;
    if (value)
        state_event_ids_decode(value, len, ids, STATE_EVENT_IDS_MAX, count);
    event_ids_release(owned);
    return SY_OK;
}

/* Forget ids older than the window before now_ms; then, at ids_max, the oldest. */
static size_t event_ids_trim(state_event_id_t *ids, size_t count, int64_t now_ms,
                             int64_t window_ms, size_t keep_max) {
    assert(keep_max >= 1 && count <= STATE_EVENT_IDS_MAX + 1 && window_ms >= 0);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++)
        if (ids[i].time_ms >= now_ms - window_ms)
            ids[kept++] = ids[i];
    while (kept > keep_max) {
        size_t oldest = 0;
        for (size_t i = 1; i < kept; i++)
            if (ids[i].time_ms < ids[oldest].time_ms)
                oldest = i;
        memmove(&ids[oldest], &ids[oldest + 1], (kept - oldest - 1) * sizeof *ids);
        kept--;
    }
    return kept;
}

/* What one pass over a value's entries, read in place, tells of a new id at time_ms. */
typedef struct event_ids_view {
    int64_t newest_ms;  /* of the entries and the new id: where the window ends */
    int64_t oldest_ms;  /* likewise */
    bool matched;       /* an entry has the new id's hash */
    int64_t matched_ms; /* the newest such entry's time */
} event_ids_view_t;

static event_ids_view_t event_ids_view(const uint8_t *entries, size_t count, uint64_t hash,
                                       int64_t time_ms) {
    assert(entries || count == 0);
    event_ids_view_t v = {time_ms, time_ms, false, 0};
    for (size_t i = 0; i < count; i++) {
        const uint8_t *p = entries + i * EVENT_ID_ENTRY_BYTES;
        int64_t t = (int64_t)state_codec_u64_get(p + 8);
        v.newest_ms = t > v.newest_ms ? t : v.newest_ms;
        v.oldest_ms = t < v.oldest_ms ? t : v.oldest_ms;
        if (state_codec_u64_get(p) == hash && (!v.matched || t > v.matched_ms)) {
            v.matched = true;
            v.matched_ms = t;
        }
    }
    return v;
}

/* The value after adding (hash, time_ms) to value (len bytes; NULL: none) into out:
 * when nothing is forgotten, value's bytes with the new entry after them (what decoding,
 * trimming and encoding would give), else decoded, trimmed and encoded. Its length. */
static size_t event_ids_add(const uint8_t *value, size_t len, const event_ids_view_t *v,
                            uint64_t hash, int64_t time_ms,
                            const state_event_ids_conf_t *conf, uint8_t *out) {
    state_event_id_t ids[STATE_EVENT_IDS_MAX + 1];
    size_t count = value ? (len - 1) / EVENT_ID_ENTRY_BYTES : 0;
    assert(!value || len >= 1);
    if (v->oldest_ms >= v->newest_ms - conf->window_ms && count + 1 <= conf->ids_max) {
        if (value)
            memcpy(out, value, len);
        out[0] = STATE_CODEC_VERSION;
        len = 1 + count * EVENT_ID_ENTRY_BYTES;
        state_codec_u64_put(out + len, hash);
        state_codec_u64_put(out + len + 8, (uint64_t)time_ms);
        return len + EVENT_ID_ENTRY_BYTES;
    }
    if (value)
        state_event_ids_decode(value, len, ids, STATE_EVENT_IDS_MAX, &count);
    ids[count++] = (state_event_id_t){hash, time_ms};
    count = event_ids_trim(ids, count, v->newest_ms, conf->window_ms, conf->ids_max);
    return event_ids_encode(out, ids, count);
}

sy_err_t state_store_event_id_seen(state_store_t *s, int32_t partition,
                                   const char *contact_id, uint64_t hash, int64_t time_ms,
                                   const state_event_ids_conf_t *conf, bool *seen,
                                   char *errbuf, size_t errbuf_size) {
    uint8_t ckey[PROFILE_KEY_BYTES_MAX], out[EVENT_IDS_VALUE_BYTES_MAX];
    const uint8_t *value;
    size_t len;
    char *owned;
    size_t ckey_len = state_contact_key(ckey, partition, contact_id, errbuf, errbuf_size);
    assert(conf->ids_max >= 1 && conf->ids_max <= STATE_EVENT_IDS_MAX);
    assert(conf->window_ms >= 0 && time_ms >= SY_TIME_MIN_MS && time_ms <= SY_TIME_MAX_MS);
    if (!ckey_len)
        return SY_ERR_LIMIT;
    sy_err_t err = event_ids_fetch(s, ckey, ckey_len, contact_id, &value, &len, &owned, errbuf,
                                   errbuf_size);
    if (err != SY_OK)
        return err;
    size_t count = value ? (len - 1) / EVENT_ID_ENTRY_BYTES : 0;
    event_ids_view_t v = event_ids_view(value ? value + 1 : NULL, count, hash, time_ms);
    *seen = v.matched && v.matched_ms >= v.newest_ms - conf->window_ms;
    size_t out_len = *seen ? 0 : event_ids_add(value, len, &v, hash, time_ms, conf, out);
    event_ids_release(owned);
    if (*seen)
        return SY_OK;
    return state_store_record_put(s, CF_EVENT_IDS, ckey, ckey_len, out, out_len);
}

sy_err_t state_store_event_ids_get(state_store_t *s, int32_t partition,
                                   const char *contact_id, state_event_id_t *ids,
                                   size_t *count, char *errbuf, size_t errbuf_size) {
    uint8_t ckey[PROFILE_KEY_BYTES_MAX];
    assert(ids != NULL && count != NULL);
    size_t ckey_len = state_contact_key(ckey, partition, contact_id, errbuf, errbuf_size);
    if (!ckey_len)
        return SY_ERR_LIMIT;
    return event_ids_read(s, ckey, ckey_len, contact_id, ids, count, errbuf, errbuf_size);
}
