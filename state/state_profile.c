/* state_profile.c — contacts' profiles in the "profiles" column family (merge of set and
 * unset updates, reads that see the pending batch) and the scan of a partition's
 * instances for deploy-time migration. Not the profile encoding: see profile_codec.c. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile_codec.h"
#include "state_codec.h"
#include "state_store_int.h"

/* One merge's working memory, kept with the store: no allocation per profile update. */
struct state_profile_scratch {
    sy_attr_t attrs[SY_PROFILE_ATTRS_MAX];
    char strings[STATE_PROFILE_BYTES_MAX];
    uint8_t encoded[STATE_PROFILE_BYTES_MAX];
};

/* The contact's encoded profile (state_store_record_read): *owned, when set, to be
 * released with rocksdb_free. *len 0 and *value NULL when there is none. */
static sy_err_t profile_read(state_store_t *s, const uint8_t *ckey, size_t ckey_len,
                             const uint8_t **value, size_t *len, char **owned, char *errbuf,
                             size_t errbuf_size) {
    assert(ckey_len >= 2);
    return state_store_record_read(s, CF_PROFILES, STATE_CONTACT_REC_PROFILE, ckey, ckey_len,
                                   value, len, owned, errbuf, errbuf_size, "read profile");
}

/* Decode a read profile into attrs; no value reads as zero attributes. */
static sy_err_t profile_decode(const uint8_t *value, size_t len, const char *contact_id,
                               sy_attr_t *attrs, size_t attrs_max, size_t *count,
                               char *strings, size_t strings_size, char *errbuf,
                               size_t errbuf_size) {
    if (!value) {
        *count = 0;
        return SY_OK;
    }
    assert(attrs && attrs_max > 0 && strings);
    int ok = profile_codec_decode(value, len, attrs, attrs_max, count, strings, strings_size);
    if (ok > 0)
        return SY_OK;
    if (ok < 0) {
        snprintf(errbuf, errbuf_size, "profile of %s has more than %zu attributes",
                 contact_id, attrs_max);
        return SY_ERR_LIMIT;
    }
    snprintf(errbuf, errbuf_size, "state store: corrupt profile of %s", contact_id);
    return SY_ERR_STATE;
}

/* Index of name in the sorted attrs, or where it would go (*found 0). */
static size_t attrs_find(const sy_attr_t *attrs, size_t count, const char *name, int *found) {
    size_t lo = 0, hi = count;
    assert(count <= SY_PROFILE_ATTRS_MAX && name);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(attrs[mid].name, name);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

/* Unsets first, then sets: a name both unset and set in one update ends up set. */
static sy_err_t profile_merge(sy_attr_t *attrs, size_t *count,
                              const sy_profile_update_t *u, char *errbuf,
                              size_t errbuf_size) {
    int found;
    assert(*count <= SY_PROFILE_ATTRS_MAX && u->unset_count <= SY_PROFILE_ATTRS_MAX);
    for (size_t i = 0; i < u->unset_count; i++) {
        size_t at = attrs_find(attrs, *count, u->unset[i], &found);
        if (found) {
            memmove(&attrs[at], &attrs[at + 1], (*count - at - 1) * sizeof *attrs);
            (*count)--;
        }
    }
    for (size_t i = 0; i < u->set_count; i++) {
        size_t at = attrs_find(attrs, *count, u->set[i].name, &found);
        if (!found) {
            if (*count == SY_PROFILE_ATTRS_MAX) {
                snprintf(errbuf, errbuf_size,
                         "profile of %s would have more than %d attributes", u->contact_id,
                         SY_PROFILE_ATTRS_MAX);
                return SY_ERR_LIMIT;
            }
            memmove(&attrs[at + 1], &attrs[at], (*count - at) * sizeof *attrs);
            (*count)++;
        }
        attrs[at] = u->set[i];
    }
    return SY_OK;
}

static sy_err_t profile_write(state_store_t *s, const uint8_t *ckey, size_t ckey_len,
                              const uint8_t *value, size_t len) {
    assert(ckey_len >= 2 && len <= STATE_PROFILE_BYTES_MAX);
    return state_store_record_put(s, CF_PROFILES, ckey, ckey_len, value, len);
}

sy_err_t state_store_profile_apply(state_store_t *s, int32_t partition,
                                   const sy_profile_update_t *update, char *errbuf,
                                   size_t errbuf_size) {
    uint8_t ckey[PROFILE_KEY_BYTES_MAX];
    assert(s && update && update->contact_id);
    size_t ckey_len = state_contact_key(ckey, partition, update->contact_id, errbuf, errbuf_size);
    if (!ckey_len)
        return SY_ERR_LIMIT;
    if (!s->profile_scratch && !(s->profile_scratch = malloc(sizeof *s->profile_scratch)))
        return SY_ERR_NOMEM;
    struct state_profile_scratch *w = s->profile_scratch;
    const uint8_t *value;
    size_t len, count;
    char *owned;
    sy_err_t err = profile_read(s, ckey, ckey_len, &value, &len, &owned, errbuf, errbuf_size);
    if (err == SY_OK)
        err = profile_decode(value, len, update->contact_id, w->attrs, SY_PROFILE_ATTRS_MAX,
                             &count, w->strings, sizeof w->strings, errbuf, errbuf_size);
    if (owned) /* mostly NULL: a record from the batch or the contact table */
        rocksdb_free(owned);
    if (err == SY_OK)
        err = profile_merge(w->attrs, &count, update, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    len = profile_codec_encode(w->encoded, sizeof w->encoded, w->attrs, count);
    if (!len) {
        snprintf(errbuf, errbuf_size, "profile of %s would exceed %d bytes",
                 update->contact_id, STATE_PROFILE_BYTES_MAX);
        return SY_ERR_LIMIT;
    }
    return profile_write(s, ckey, ckey_len, w->encoded, len);
}

/* The profile of the contact whose key (state_contact_key) is ckey, named contact_id in an
 * error: as state_store_profile_get. */
static sy_err_t profile_get(state_store_t *s, const uint8_t *ckey, size_t ckey_len,
                            const char *contact_id, sy_attr_t *attrs, size_t attrs_max,
                            size_t *attrs_count, void *buf, size_t buf_size, char *errbuf,
                            size_t errbuf_size) {
    assert(s && contact_id && attrs_count && (buf || !buf_size) && ckey_len > 2);
    const uint8_t *value;
    size_t len;
    char *owned;
    sy_err_t err = profile_read(s, ckey, ckey_len, &value, &len, &owned, errbuf, errbuf_size);
    if (err == SY_OK)
        err = profile_decode(value, len, contact_id, attrs, attrs_max, attrs_count, buf,
                             buf_size, errbuf, errbuf_size);
    if (owned) /* mostly NULL: a call into librocksdb saved */
        rocksdb_free(owned);
    return err;
}

sy_err_t state_store_profile_get(state_store_t *s, int32_t partition,
                                 const char *contact_id, sy_attr_t *attrs, size_t attrs_max,
                                 size_t *attrs_count, void *buf, size_t buf_size,
                                 char *errbuf, size_t errbuf_size) {
    uint8_t ckey[PROFILE_KEY_BYTES_MAX];
    assert(contact_id);
    size_t ckey_len = state_contact_key(ckey, partition, contact_id, errbuf, errbuf_size);
    if (!ckey_len)
        return SY_ERR_LIMIT;
    return profile_get(s, ckey, ckey_len, contact_id, attrs, attrs_max, attrs_count, buf,
                       buf_size, errbuf, errbuf_size);
}

sy_err_t state_store_profile_get_at(state_store_t *s, const state_instance_key_t *key,
                                    sy_attr_t *attrs, size_t attrs_max, size_t *attrs_count,
                                    void *buf, size_t buf_size, char *errbuf,
                                    size_t errbuf_size) {
    /* The contact id ends at the NUL after the contact part (state_instance_key_contact). */
    assert(key->contact_len > 2 && key->bytes[key->contact_len] == 0);
    return profile_get(s, key->bytes, key->contact_len, (const char *)key->bytes + 2, attrs,
                       attrs_max, attrs_count, buf, buf_size, errbuf, errbuf_size);
}

/* Visit one instances-CF entry when its journey is journey_id. *stop set by visit. */
static sy_err_t scan_entry(const uint8_t *key, size_t key_len, const uint8_t *value,
                           size_t value_len, int32_t partition, const char *journey_id,
                           state_instance_visit_fn *visit, void *ctx, int *stop,
                           char *errbuf, size_t errbuf_size) {
    assert(key_len >= 2 && journey_id); /* the scan passed the partition prefix */
    const uint8_t *ids = key + 2, *end = key + key_len;
    const uint8_t *sep = memchr(ids, 0, (size_t)(end - ids));
    size_t jlen = strlen(journey_id);
    if (!sep || (size_t)(end - sep - 1) != jlen || memcmp(sep + 1, journey_id, jlen) != 0)
        return SY_OK;
    char contact_id[SY_ID_BYTES_MAX + 1];
    state_instance_t instance;
    size_t clen = (size_t)(sep - ids);
    if (clen > SY_ID_BYTES_MAX || !state_codec_instance_decode(value, value_len, &instance)) {
        snprintf(errbuf, errbuf_size, "state store: corrupt instance in %s, partition %d",
                 journey_id, (int)partition);
        return SY_ERR_STATE;
    }
    memcpy(contact_id, ids, clen);
    contact_id[clen] = '\0';
    *stop = visit(ctx, partition, contact_id, &instance);
    return SY_OK;
}

sy_err_t state_store_instances_scan(state_store_t *s, int32_t partition,
                                    const char *journey_id, state_instance_visit_fn *visit,
                                    void *ctx, char *errbuf, size_t errbuf_size) {
    if (partition < 0 || partition >= STATE_PARTITIONS_MAX)
        return SY_ERR_INVALID_ARG;
    assert(s && journey_id && visit);
    uint8_t prefix[2];
    size_t prefix_len = state_codec_meta_key(prefix, partition);
    rocksdb_iterator_t *it = NULL;
    sy_err_t opened = state_store_iterator_open(s, CF_INSTANCES, NULL, &it, errbuf, errbuf_size);
    if (opened != SY_OK)
        return opened;
    sy_err_t err = SY_OK;
    int stop = 0;
    for (rocksdb_iter_seek(it, (const char *)prefix, prefix_len);
         err == SY_OK && !stop && rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t key_len, value_len;
        const uint8_t *key = (const uint8_t *)rocksdb_iter_key(it, &key_len);
        if (key_len < prefix_len || memcmp(key, prefix, prefix_len) != 0)
            break;
        const uint8_t *value = (const uint8_t *)rocksdb_iter_value(it, &value_len);
        err = scan_entry(key, key_len, value, value_len, partition, journey_id, visit, ctx,
                         &stop, errbuf, errbuf_size);
    }
    char *rerr = NULL;
    rocksdb_iter_get_error(it, &rerr);
    rocksdb_iter_destroy(it);
    if (rerr && err == SY_OK)
        return state_store_rocks_error(rerr, errbuf, errbuf_size, "scan instances");
    free(rerr);
    return err;
}
