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

int state_event_ids_decode(const uint8_t *value, size_t len, state_event_id_t *ids,
                           size_t ids_max, size_t *count) {
    assert(value != NULL && ids != NULL && count != NULL);
    if (len < 1 || value[0] != STATE_CODEC_VERSION || (len - 1) % EVENT_ID_ENTRY_BYTES ||
        (len - 1) / EVENT_ID_ENTRY_BYTES > ids_max)
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

/* The contact's ids (state_store_record_read); none reads as zero ids. */
static sy_err_t event_ids_read(state_store_t *s, const uint8_t *ckey, size_t ckey_len,
                               const char *contact_id, state_event_id_t *ids, size_t *count,
                               char *errbuf, size_t errbuf_size) {
    assert(ckey_len > 1);
    const uint8_t *value;
    size_t len;
    char *owned;
    sy_err_t err = state_store_record_read(s, CF_EVENT_IDS, STATE_CONTACT_REC_EVENT_IDS, ckey,
                                           ckey_len, &value, &len, &owned, errbuf,
                                           errbuf_size, "read event ids");
    if (err != SY_OK)
        return err;
    int ok = !value || state_event_ids_decode(value, len, ids, STATE_EVENT_IDS_MAX, count);
    if (!value)
        *count = 0;
    rocksdb_free(owned);
    if (ok)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "state store: corrupt event ids of %s", contact_id);
    return SY_ERR_STATE;
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

sy_err_t state_store_event_id_seen(state_store_t *s, int32_t partition,
                                   const char *contact_id, uint64_t hash, int64_t time_ms,
                                   const state_event_ids_conf_t *conf, bool *seen,
                                   char *errbuf, size_t errbuf_size) {
    state_event_id_t ids[STATE_EVENT_IDS_MAX + 1];
    uint8_t ckey[PROFILE_KEY_BYTES_MAX], value[EVENT_IDS_VALUE_BYTES_MAX];
    size_t count = 0;
    size_t ckey_len = state_contact_key(ckey, partition, contact_id, errbuf, errbuf_size);
    assert(conf->ids_max >= 1 && conf->ids_max <= STATE_EVENT_IDS_MAX);
    assert(conf->window_ms >= 0 && time_ms >= SY_TIME_MIN_MS && time_ms <= SY_TIME_MAX_MS);
    if (!ckey_len)
        return SY_ERR_LIMIT;
    sy_err_t err = event_ids_read(s, ckey, ckey_len, contact_id, ids, &count, errbuf,
                                  errbuf_size);
    if (err != SY_OK)
        return err;
    int64_t now_ms = time_ms;
    for (size_t i = 0; i < count; i++)
        if (ids[i].time_ms > now_ms)
            now_ms = ids[i].time_ms;
    *seen = false;
    for (size_t i = 0; i < count && !*seen; i++)
        *seen = ids[i].hash == hash && ids[i].time_ms >= now_ms - conf->window_ms;
    if (*seen)
        return SY_OK;
    ids[count++] = (state_event_id_t){hash, time_ms};
    count = event_ids_trim(ids, count, now_ms, conf->window_ms, conf->ids_max);
    size_t len = event_ids_encode(value, ids, count);
    return state_store_record_put(s, CF_EVENT_IDS, ckey, ckey_len, value, len);
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
