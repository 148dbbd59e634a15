/* state_inspect.c — read-only scans for `switchyard inspect`: a contact's instances,
 * profile, consent and event ids in whichever partitions hold them (a skip scan: one seek
 * per partition present in the column family, then one per hit), and a partition's whole
 * timer index. Reads committed state only; not on the processing path. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile_codec.h"
#include "state_codec.h"
#include "state_store_int.h"

/* Seek it to the first key of partition p or a later one; that key's partition, or -1
 * when the column family has no key there. Every key starts with its partition. */
static int32_t partition_next(rocksdb_iterator_t *it, int32_t p) {
    uint8_t key[2];
    assert(it && p >= 0 && p < STATE_PARTITIONS_MAX);
    size_t key_len = state_codec_meta_key(key, p);
    rocksdb_iter_seek(it, (const char *)key, key_len);
    if (!rocksdb_iter_valid(it))
        return -1;
    size_t len = 0;
    const uint8_t *k = (const uint8_t *)rocksdb_iter_key(it, &len);
    int32_t found = len >= 2 ? (k[0] << 8) | k[1] : -1;
    return found < STATE_PARTITIONS_MAX ? found : -1;
}

/* Destroy it, turning an error it met into SY_ERR_STATE when err is still SY_OK. */
static sy_err_t iter_finish(rocksdb_iterator_t *it, sy_err_t err, const char *what,
                            char *errbuf, size_t errbuf_size) {
    char *rerr = NULL;
    assert(it && what);
    rocksdb_iter_get_error(it, &rerr);
    rocksdb_iter_destroy(it);
    if (rerr && err == SY_OK)
        return state_store_rocks_error(rerr, errbuf, errbuf_size, what);
    free(rerr);
    return err;
}

static sy_err_t contact_id_check(const char *contact_id, char *errbuf, size_t errbuf_size) {
    assert(contact_id);
    if (strlen(contact_id) <= SY_ID_BYTES_MAX)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "contact id longer than %d bytes", SY_ID_BYTES_MAX);
    return SY_ERR_LIMIT;
}

/* Visit the instance at the iterator: its key is prefix_len bytes of partition, contact
 * and separator, then the journey id. */
static sy_err_t contact_entry(rocksdb_iterator_t *it, size_t prefix_len, int32_t partition,
                              state_contact_visit_fn *visit, void *ctx, int *stop,
                              char *errbuf, size_t errbuf_size) {
    size_t key_len = 0, value_len = 0;
    const uint8_t *key = (const uint8_t *)rocksdb_iter_key(it, &key_len);
    const uint8_t *value = (const uint8_t *)rocksdb_iter_value(it, &value_len);
    char journey_id[SY_ID_BYTES_MAX + 1];
    state_instance_t instance;
    assert(key_len >= prefix_len && visit); /* the scan matched the contact's prefix */
    size_t jlen = key_len - prefix_len;
    if (jlen > SY_ID_BYTES_MAX || !state_codec_instance_decode(value, value_len, &instance)) {
        snprintf(errbuf, errbuf_size, "state store: corrupt instance in partition %d",
                 (int)partition);
        return SY_ERR_STATE;
    }
    memcpy(journey_id, key + prefix_len, jlen);
    journey_id[jlen] = '\0';
    *stop = visit(ctx, partition, journey_id, &instance);
    return SY_OK;
}

sy_err_t state_store_contact_scan(state_store_t *s, const char *contact_id,
                                  state_contact_visit_fn *visit, void *ctx, char *errbuf,
                                  size_t errbuf_size) {
    sy_err_t err = contact_id_check(contact_id, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    uint8_t prefix[STATE_KEY_BYTES_MAX];
    assert(s && visit);
    rocksdb_iterator_t *it = NULL;
    sy_err_t opened = state_store_iterator_open(s, CF_INSTANCES, NULL, &it, errbuf, errbuf_size);
    if (opened != SY_OK)
        return opened;
    int stop = 0;
    for (int32_t p = 0; err == SY_OK && !stop && p < STATE_PARTITIONS_MAX;) {
        int32_t q = partition_next(it, p);
        if (q < 0)
            break;
        /* An empty journey id leaves partition | contact_id NUL: the contact's prefix. */
        size_t prefix_len = state_codec_instance_key(prefix, q, contact_id, "");
        for (rocksdb_iter_seek(it, (const char *)prefix, prefix_len);
             err == SY_OK && !stop && rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
            size_t key_len = 0;
            const char *key = rocksdb_iter_key(it, &key_len);
            if (key_len < prefix_len || memcmp(key, prefix, prefix_len) != 0)
                break;
            err = contact_entry(it, prefix_len, q, visit, ctx, &stop, errbuf, errbuf_size);
        }
        p = q + 1;
    }
    return iter_finish(it, err, "scan instances", errbuf, errbuf_size);
}

/* The lowest partition whose column family cf holds contact_id's key (the profile key's
 * layout) into *partition; SY_ERR_NOT_FOUND when none does, or cf is not open. */
static sy_err_t cf_partition_find(state_store_t *s, int cf, const char *contact_id,
                                  int32_t *partition, char *errbuf, size_t errbuf_size) {
    sy_err_t err = contact_id_check(contact_id, errbuf, errbuf_size);
    if (err != SY_OK || state_store_cf_missing(s, cf))
        return err != SY_OK ? err : SY_ERR_NOT_FOUND;
    uint8_t key[PROFILE_KEY_BYTES_MAX];
    assert(partition && cf > CF_DEFAULT && cf < CF__COUNT);
    rocksdb_iterator_t *it = NULL;
    sy_err_t opened = state_store_iterator_open(s, cf, NULL, &it, errbuf, errbuf_size);
    if (opened != SY_OK)
        return opened;
    err = SY_ERR_NOT_FOUND;
    for (int32_t p = 0; p < STATE_PARTITIONS_MAX;) {
        int32_t q = partition_next(it, p);
        if (q < 0)
            break;
        size_t key_len = profile_codec_key(key, q, contact_id), found_len = 0;
        rocksdb_iter_seek(it, (const char *)key, key_len);
        const char *found = rocksdb_iter_valid(it) ? rocksdb_iter_key(it, &found_len) : NULL;
        if (found && found_len == key_len && memcmp(found, key, key_len) == 0) {
            assert(q >= p && q < STATE_PARTITIONS_MAX);
            *partition = q;
            err = SY_OK;
            break;
        }
        p = q + 1;
    }
    char what[32];
    snprintf(what, sizeof what, "scan %s", cf_names[cf]);
    return iter_finish(it, err, what, errbuf, errbuf_size);
}

sy_err_t state_store_profile_partition_find(state_store_t *s, const char *contact_id,
                                            int32_t *partition, char *errbuf,
                                            size_t errbuf_size) {
    assert(s != NULL);
    return cf_partition_find(s, CF_PROFILES, contact_id, partition, errbuf, errbuf_size);
}

sy_err_t state_store_consent_partition_find(state_store_t *s, const char *contact_id,
                                            int32_t *partition, char *errbuf,
                                            size_t errbuf_size) {
    assert(s != NULL);
    sy_err_t err = cf_partition_find(s, CF_CONSENT, contact_id, partition, errbuf,
                                     errbuf_size);
    return err != SY_ERR_NOT_FOUND ? err
                                   : cf_partition_find(s, CF_EVENT_IDS, contact_id, partition,
                                                       errbuf, errbuf_size);
}

sy_err_t state_store_timers_scan(state_store_t *s, int32_t partition,
                                 state_timer_visit_fn *visit, void *ctx, char *errbuf,
                                 size_t errbuf_size) {
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    uint8_t prefix[2];
    assert(s && visit);
    size_t prefix_len = state_codec_meta_key(prefix, partition);
    rocksdb_iterator_t *it = NULL;
    sy_err_t opened = state_store_iterator_open(s, CF_TIMERS, NULL, &it, errbuf, errbuf_size);
    if (opened != SY_OK)
        return opened;
    sy_err_t err = SY_OK;
    for (rocksdb_iter_seek(it, (const char *)prefix, prefix_len); rocksdb_iter_valid(it);
         rocksdb_iter_next(it)) {
        size_t key_len = 0, value_len = 0;
        const uint8_t *key = (const uint8_t *)rocksdb_iter_key(it, &key_len);
        if (key_len < prefix_len || memcmp(key, prefix, prefix_len) != 0)
            break;
        const uint8_t *value = (const uint8_t *)rocksdb_iter_value(it, &value_len);
        state_timer_t timer;
        memset(&timer, 0, sizeof timer);
        if (!state_codec_timer_key_decode(key, key_len, &timer) ||
            !state_codec_timer_value_decode(value, value_len, &timer)) {
            snprintf(errbuf, errbuf_size, "state store: corrupt timer in partition %d",
                     (int)partition);
            err = SY_ERR_STATE;
            break;
        }
        assert(timer.partition == partition); /* the key's prefix was partition's */
        if (visit(ctx, &timer))
            break;
    }
    return iter_finish(it, err, "scan timers", errbuf, errbuf_size);
}
