/* state_changelog.c — the state store's side of the changelog: the walk over the pending
 * batch's op log (what the runner produces to topic.changelog), the apply of changelog
 * records during a restore. Not the offset each partition's state reflects
 * (state_writeback.c), nor the Kafka side (processor/runner/runner_changelog.c). */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile_codec.h"
#include "state_codec.h"
#include "state_store_int.h"

/* Column family index in the store of each changelog cf byte, and back. */
static const int changelog_cf_index[] = {
    [STATE_CHANGELOG_CF_META] = CF_DEFAULT,
    [STATE_CHANGELOG_CF_INSTANCES] = CF_INSTANCES,
    [STATE_CHANGELOG_CF_TIMERS] = CF_TIMERS,
    [STATE_CHANGELOG_CF_PROFILES] = CF_PROFILES,
    [STATE_CHANGELOG_CF_EVENT_IDS] = CF_EVENT_IDS,
    [STATE_CHANGELOG_CF_CONSENT] = CF_CONSENT,
    [STATE_CHANGELOG_CF_COUNTS] = CF_COUNTS,
    [STATE_CHANGELOG_CF_LEASES] = CF_LEASES,
    [STATE_CHANGELOG_CF_ENGAGEMENT] = CF_ENGAGEMENT,
};
static const state_changelog_cf_t changelog_cf_of_index[CF__COUNT] = {
    [CF_DEFAULT] = STATE_CHANGELOG_CF_META,
    [CF_INSTANCES] = STATE_CHANGELOG_CF_INSTANCES,
    [CF_TIMERS] = STATE_CHANGELOG_CF_TIMERS,
    [CF_PROFILES] = STATE_CHANGELOG_CF_PROFILES,
    [CF_EVENT_IDS] = STATE_CHANGELOG_CF_EVENT_IDS,
    [CF_CONSENT] = STATE_CHANGELOG_CF_CONSENT,
    [CF_COUNTS] = STATE_CHANGELOG_CF_COUNTS,
    [CF_LEASES] = STATE_CHANGELOG_CF_LEASES,
    [CF_ENGAGEMENT] = STATE_CHANGELOG_CF_ENGAGEMENT,
};
#define CHANGELOG_CF_COUNT (sizeof changelog_cf_index / sizeof changelog_cf_index[0])
/* The two tables are each other's inverse over every column family; a code of no
 * column family (one this version does not know) maps to CF_DEFAULT and is refused. */
_Static_assert(CHANGELOG_CF_COUNT >= CF__COUNT, "a changelog cf per column family");
/* A checkpoint key is the 2-byte partition key and a tag byte. */
_Static_assert(STATE_PARTITIONS_MAX <= 1 << 16, "a partition fits the 2-byte key prefix");

sy_err_t state_store_pending_each(state_store_t *s, state_changelog_op_fn *fn, void *ctx) {
    state_store_stream_times_write(s);
    const state_pending_t *p = &s->pending;
    if (p->ops_lost)
        return SY_ERR_NOMEM;
    for (size_t i = 0; i < p->ops_count; i++) {
        const pending_op_t *op = &p->ops[i];
        if (op->kind == PENDING_OP_NONE)
            continue;
        assert(op->cf < CF__COUNT && changelog_cf_index[changelog_cf_of_index[op->cf]] == op->cf);
        const uint8_t *value = op->kind == PENDING_OP_PUT ? op->value : NULL;
        sy_err_t err = fn(ctx, changelog_cf_of_index[op->cf], op->partition, op->key,
                          op->key_len, value, op->value_len);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}

static sy_err_t bad_record(const char *what, char *errbuf, size_t errbuf_size) {
    assert(what);
    snprintf(errbuf, errbuf_size, "changelog record: %s", what);
    return SY_ERR_INVALID_ARG;
}

/* Stream time: the bare partition key; the in-memory copy follows the batch. */
static sy_err_t meta_apply(state_store_t *s, int32_t partition, const uint8_t *key,
                           size_t key_len, const uint8_t *value, size_t value_len,
                           char *errbuf, size_t errbuf_size) {
    int64_t time_ms = INT64_MIN;
    assert(partition >= 0 && partition < STATE_PARTITIONS_MAX); /* checked by the caller */
    if (key_len > 2 && state_scan_record_check(key, key_len, value, value_len))
        return state_store_scan_restore(s, key, key_len, value, value_len);
    if (key_len != 2)
        return bad_record("meta key is neither a partition nor a scan cursor", errbuf,
                          errbuf_size);
    if (value && !state_codec_meta_decode(value, value_len, &time_ms))
        return bad_record("malformed stream time", errbuf, errbuf_size);
    if (value)
        rocksdb_writebatch_put_cf(s->batch, s->cf[CF_DEFAULT], (const char *)key, key_len,
                                  (const char *)value, value_len);
    else
        rocksdb_writebatch_delete_cf(s->batch, s->cf[CF_DEFAULT], (const char *)key, key_len);
    s->stream_time[partition] = time_ms;
    s->stream_time_state[partition] = 2;
    state_store_partition_seen(s, partition);
    return SY_OK;
}

/* Instances also go to the pending map, so reads see them before the commit. The contact
 * table is cleared around a restore's writes (state_store_changelog_apply). */
static sy_err_t instance_apply(state_store_t *s, const uint8_t *key, size_t key_len,
                               const uint8_t *value, size_t value_len, char *errbuf,
                               size_t errbuf_size) {
    state_instance_t instance;
    state_timer_t ids; /* the key's ids, read as the timer heap's rebuild reads them */
    assert(key_len >= 2 && key_len <= STATE_KEY_BYTES_MAX); /* checked by the caller */
    if (!state_codec_instance_key_ids(key, key_len, &ids))
        return bad_record("malformed instance key", errbuf, errbuf_size);
    if (value && !state_codec_instance_decode(value, value_len, &instance))
        return bad_record("malformed instance", errbuf, errbuf_size);
    if (value) {
        if (!state_pending_put(&s->pending, key, key_len, value, value_len))
            return SY_ERR_NOMEM;
        rocksdb_writebatch_put_cf(s->batch, s->cf[CF_INSTANCES], (const char *)key, key_len,
                                  (const char *)value, value_len);
        return SY_OK;
    }
    /* This version never deletes an instance; a later one may. The pending map cannot
     * hold an absence, and the contact table refills from it at commit: write what is
     * pending first, then delete, and have the next commit clear the table again. */
    if (state_pending_get(&s->pending, key, key_len)) {
        sy_err_t err = state_store_commit(s, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
    }
    rocksdb_writebatch_delete_cf(s->batch, s->cf[CF_INSTANCES], (const char *)key, key_len);
    state_contact_table_clear(s->contacts);
    s->contacts_stale = true;
    return SY_OK;
}

/* Timers, profiles, event ids, consent, counts and engagement go to the write batch only:
 * nothing reads them during a restore, and the batch commits before processing goes on. */
/* Is value a well-formed engagement record? */
static bool engagement_valid(const uint8_t *value, size_t value_len) {
    state_engagement_t engagement;
    assert(value != NULL);
    state_engagement_clear(&engagement); /* decoding needs a record to write over */
    return state_engagement_decode(value, value_len, &engagement);
}

/* Is value a profile this version reads: well formed, at most SY_PROFILE_ATTRS_MAX
 * attributes? 1 yes, 0 no, -1 out of memory: a restore alone asks, so its decode's room
 * is allocated per record. */
static int profile_valid(const uint8_t *value, size_t value_len) {
    assert(value != NULL && value_len <= STATE_PROFILE_BYTES_MAX);
    sy_attr_t *attrs = malloc(SY_PROFILE_ATTRS_MAX * sizeof *attrs);
    char *strings = malloc(value_len + 1);
    size_t count;
    int valid = !attrs || !strings ? -1
                                   : profile_codec_decode(value, value_len, attrs,
                                                          SY_PROFILE_ATTRS_MAX, &count,
                                                          strings, value_len + 1) == 1;
    free(attrs);
    free(strings);
    return valid;
}

static sy_err_t plain_apply(state_store_t *s, int cf, const uint8_t *key, size_t key_len,
                            const uint8_t *value, size_t value_len, char *errbuf,
                            size_t errbuf_size) {
    state_timer_t timer;
    state_event_id_t ids[STATE_EVENT_IDS_MAX];
    size_t ids_count;
    state_consent_t consent;
    int64_t count;
    const uint8_t *labels;
    size_t labels_len;
    assert(cf == CF_TIMERS || cf == CF_PROFILES || cf == CF_EVENT_IDS || cf == CF_CONSENT ||
           cf == CF_COUNTS || cf == CF_LEASES || cf == CF_ENGAGEMENT);
    if (cf == CF_TIMERS && (!state_codec_timer_key_decode(key, key_len, &timer) ||
                            (value && !state_codec_timer_value_decode(value, value_len,
                                                                      &timer))))
        return bad_record("malformed timer", errbuf, errbuf_size);
    if (cf == CF_PROFILES && (key_len > PROFILE_KEY_BYTES_MAX ||
                              (value && value_len > STATE_PROFILE_BYTES_MAX)))
        return bad_record("profile over its limits", errbuf, errbuf_size);
    int profile = cf == CF_PROFILES && value ? profile_valid(value, value_len) : 1;
    if (profile <= 0)
        return profile < 0 ? SY_ERR_NOMEM
                           : bad_record("malformed profile", errbuf, errbuf_size);
    if (cf == CF_EVENT_IDS &&
        (key_len > PROFILE_KEY_BYTES_MAX ||
         (value && !state_event_ids_decode(value, value_len, ids, STATE_EVENT_IDS_MAX,
                                           &ids_count))))
        return bad_record("malformed event ids", errbuf, errbuf_size);
    if (cf == CF_CONSENT && (key_len > PROFILE_KEY_BYTES_MAX ||
                             (value && !state_consent_decode(value, value_len, &consent))))
        return bad_record("malformed consent", errbuf, errbuf_size);
    if (cf == CF_ENGAGEMENT &&
        (key_len > PROFILE_KEY_BYTES_MAX ||
         (value && !engagement_valid(value, value_len))))
        return bad_record("malformed engagement", errbuf, errbuf_size);
    if (cf == CF_COUNTS && (key_len != 10 || (value && !state_count_decode(value, value_len,
                                                                          &count, &labels,
                                                                          &labels_len))))
        return bad_record("malformed count", errbuf, errbuf_size);
    if (cf == CF_LEASES && !state_lease_record_check(key, key_len, value, value_len))
        return bad_record("malformed lease or call", errbuf, errbuf_size);
    if (cf == CF_TIMERS)
        state_store_timer_queue_forget(s, timer.partition);
    if (value)
        rocksdb_writebatch_put_cf(s->batch, s->cf[cf], (const char *)key, key_len,
                                  (const char *)value, value_len);
    else
        rocksdb_writebatch_delete_cf(s->batch, s->cf[cf], (const char *)key, key_len);
    return SY_OK;
}

sy_err_t state_store_changelog_apply(state_store_t *s, state_changelog_cf_t cf,
                                     const uint8_t *key, size_t key_len, const uint8_t *value,
                                     size_t value_len, char *errbuf, size_t errbuf_size) {
    assert(!s->sealed_on); /* a restore writes around the pending batch */
    if ((unsigned)cf >= CHANGELOG_CF_COUNT ||
        (cf != STATE_CHANGELOG_CF_META && changelog_cf_index[cf] == CF_DEFAULT))
        return bad_record("unknown column family", errbuf, errbuf_size);
    if (key_len < 2 || key_len > STATE_KEY_BYTES_MAX)
        return bad_record("key length out of range", errbuf, errbuf_size);
    int32_t partition = (int32_t)((key[0] << 8) | key[1]);
    if (partition >= STATE_PARTITIONS_MAX)
        return bad_record("partition out of range", errbuf, errbuf_size);
    sy_err_t opened = state_store_rocks(s, errbuf, errbuf_size); /* its batch needs families */
    if (opened != SY_OK)
        return opened;
    int index = changelog_cf_index[cf];
    assert(index >= 0 && index < CF__COUNT && changelog_cf_of_index[index] == cf);
    if (index == CF_DEFAULT)
        return meta_apply(s, partition, key, key_len, value, value_len, errbuf, errbuf_size);
    if (index != CF_TIMERS && index != CF_COUNTS) {
        /* Written around the pending batch: the table must not keep what it replaces,
         * nor what a read refills before the commit writes it. */
        state_contact_table_clear(s->contacts);
        s->contacts_stale = true;
    }
    if (index == CF_INSTANCES) {
        /* Its timers are rebuilt from its instances at the next read. */
        state_store_timer_queue_forget(s, partition);
        return instance_apply(s, key, key_len, value, value_len, errbuf, errbuf_size);
    }
    return plain_apply(s, index, key, key_len, value, value_len, errbuf, errbuf_size);
}
