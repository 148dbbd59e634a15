/* state_consent.c — each contact's consent record in the "consent" column family: a
 * status, cause and time per channel (and one slot for every channel) and the suppression
 * lists it is on, read through the pending batch, written and changelogged with it like
 * event ids. Keeps the record only; what it allows is engine_safety.c's. */
#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "profile_codec.h"
#include "state_codec.h"
#include "state_store_int.h"

/* Value: the codec version byte; a count of known slots, each: slot, status, cause, time
 * (8 bytes big-endian); a count of lists, each: name length, name, time; then, only when
 * the cap log is not empty, its count (2 bytes) and each send: time, channel, category. A
 * value that ends after the lists (written before caps) has an empty cap log. */
#define CONSENT_SLOT_BYTES 11
#define CONSENT_LIST_BYTES_MAX (1 + SY_ID_BYTES_MAX + 8)
#define CONSENT_SEND_BYTES 10
#define CONSENT_VALUE_BYTES_MAX                                                        \
    (3 + CONSENT_SLOT_BYTES * STATE_CONSENT_SLOTS +                                    \
     CONSENT_LIST_BYTES_MAX * STATE_CONSENT_LISTS_MAX + 2 +                            \
     CONSENT_SEND_BYTES * STATE_CONSENT_SENDS_MAX)
_Static_assert(STATE_CONSENT_SENDS_MAX <= UINT16_MAX, "the cap log's count fits 2 bytes");
_Static_assert(SY_ID_BYTES_MAX < 256, "a list name's length fits its byte");

static const char *const status_names[STATE_CONSENT_STATUS__COUNT] = {
    "unknown", "opted_in", "opted_out", "suppressed"};
static const char *const cause_names[STATE_CONSENT_CAUSE__COUNT] = {
    "", "event", "keyword", "journey", "bounce", "profile"};

const char *state_consent_status_name(state_consent_status_t status) {
    /* no assert: out of range is answered with NULL */
    return (unsigned)status < STATE_CONSENT_STATUS__COUNT ? status_names[status] : NULL;
}

const char *state_consent_cause_name(state_consent_cause_t cause) {
    /* no assert: out of range is answered with NULL */
    return (unsigned)cause < STATE_CONSENT_CAUSE__COUNT ? cause_names[cause] : NULL;
}

/* The cap log at buf + n; the value's new length. */
static size_t consent_sends_encode(uint8_t *buf, size_t n, const state_consent_t *c) {
    assert(c->sends_count > 0 && c->sends_count <= STATE_CONSENT_SENDS_MAX);
    buf[n] = (uint8_t)(c->sends_count >> 8);
    buf[n + 1] = (uint8_t)c->sends_count;
    n += 2;
    for (size_t i = 0; i < c->sends_count; i++, n += CONSENT_SEND_BYTES) {
        state_codec_u64_put(buf + n, (uint64_t)c->sends[i].time_ms);
        buf[n + 8] = c->sends[i].channel;
        buf[n + 9] = c->sends[i].category;
    }
    return n;
}

static size_t consent_encode(uint8_t *buf, const state_consent_t *c) {
    assert(c->lists_count <= STATE_CONSENT_LISTS_MAX);
    size_t n = 2, known = 0;
    buf[0] = STATE_CODEC_VERSION;
    for (int i = 0; i < STATE_CONSENT_SLOTS; i++) {
        const state_consent_slot_t *s = &c->slots[i];
        if (s->status == STATE_CONSENT_UNKNOWN)
            continue;
        buf[n] = (uint8_t)i;
        buf[n + 1] = s->status;
        buf[n + 2] = s->cause;
        state_codec_u64_put(buf + n + 3, (uint64_t)s->time_ms);
        n += CONSENT_SLOT_BYTES;
        known++;
    }
    buf[1] = (uint8_t)known;
    buf[n++] = (uint8_t)c->lists_count;
    for (size_t i = 0; i < c->lists_count; i++) {
        size_t len = strlen(c->lists[i].name);
        assert(len > 0 && len <= SY_ID_BYTES_MAX);
        buf[n] = (uint8_t)len;
        memcpy(buf + n + 1, c->lists[i].name, len);
        state_codec_u64_put(buf + n + 1 + len, (uint64_t)c->lists[i].time_ms);
        n += 1 + len + 8;
    }
    return c->sends_count ? consent_sends_encode(buf, n, c) : n;
}

/* The cap log at p (end at end) into c; 1 when well formed to the end. Nothing at all
 * is an empty log (a value written before caps). */
static int consent_sends_decode(const uint8_t *p, const uint8_t *end, state_consent_t *c) {
    assert(p <= end);
    if (p == end)
        return 1;
    if (end - p < 2)
        return 0;
    size_t count = (size_t)p[0] << 8 | p[1];
    p += 2;
    if (count == 0 || count > STATE_CONSENT_SENDS_MAX ||
        (size_t)(end - p) != count * CONSENT_SEND_BYTES)
        return 0;
    for (size_t i = 0; i < count; i++, p += CONSENT_SEND_BYTES) {
        if (p[8] >= SY_CHANNEL__COUNT || p[9] > 1)
            return 0;
        c->sends[i] = (state_consent_send_t){(int64_t)state_codec_u64_get(p), p[8], p[9]};
        if (i > 0 && c->sends[i].time_ms < c->sends[i - 1].time_ms)
            return 0; /* oldest first */
    }
    c->sends_count = count;
    return 1;
}

/* The lists part of a value at p (end at end) into c, then the cap log; 1 when well
 * formed to the end. */
static int consent_lists_decode(const uint8_t *p, const uint8_t *end, state_consent_t *c) {
    assert(p <= end);
    if (p == end || *p > STATE_CONSENT_LISTS_MAX)
        return 0;
    c->lists_count = *p++;
    for (size_t i = 0; i < c->lists_count; i++) {
        if (p == end || *p == 0 || (size_t)(end - p) < 1u + *p + 8)
            return 0;
        size_t len = *p;
        memcpy(c->lists[i].name, p + 1, len);
        c->lists[i].name[len] = '\0';
        if (strlen(c->lists[i].name) != len)
            return 0;
        c->lists[i].time_ms = (int64_t)state_codec_u64_get(p + 1 + len);
        p += 1 + len + 8;
    }
    return consent_sends_decode(p, end, c);
}

/* c as a contact without a record: every slot unknown, no lists, an empty cap log. The
 * lists' and the cap log's arrays are large and read only up to their counts: only the
 * counts are cleared. */
static void consent_clear(state_consent_t *c) {
    assert(c != NULL);
    memset(c->slots, 0, sizeof c->slots);
    c->lists_count = 0;
    c->sends_count = 0;
}

int state_consent_decode(const uint8_t *value, size_t len, state_consent_t *c) {
    assert(value != NULL && c != NULL);
    consent_clear(c);
    if (len < 3 || value[0] != STATE_CODEC_VERSION || value[1] > STATE_CONSENT_SLOTS ||
        len < 2 + (size_t)value[1] * CONSENT_SLOT_BYTES + 1)
        return 0;
    const uint8_t *p = value + 2;
    for (size_t i = 0; i < value[1]; i++, p += CONSENT_SLOT_BYTES) {
        if (p[0] >= STATE_CONSENT_SLOTS || p[1] == STATE_CONSENT_UNKNOWN ||
            p[1] >= STATE_CONSENT_STATUS__COUNT || p[2] >= STATE_CONSENT_CAUSE__COUNT)
            return 0;
        c->slots[p[0]] = (state_consent_slot_t){p[1], p[2], (int64_t)state_codec_u64_get(p + 3)};
    }
    return consent_lists_decode(p, value + len, c);
}

/* The consent of the contact whose key (state_contact_key) is ckey, named contact_id in an
 * error. */
static sy_err_t consent_get(state_store_t *s, const uint8_t *ckey, size_t ckey_len,
                            const char *contact_id, state_consent_t *out, char *errbuf,
                            size_t errbuf_size) {
    char *owned = NULL;
    size_t len = 0;
    assert(s != NULL && out != NULL && ckey_len > 2);
    const uint8_t *value;
    sy_err_t err = state_store_record_read(s, CF_CONSENT, STATE_CONTACT_REC_CONSENT, ckey,
                                           ckey_len, &value, &len, &owned, errbuf,
                                           errbuf_size, "read consent");
    if (err != SY_OK)
        return err;
    int ok = 1; /* no record: cleared; a record: decoding clears first */
    if (value)
        ok = state_consent_decode(value, len, out);
    else
        consent_clear(out);
    if (owned) /* mostly NULL: a record from the batch or the contact table */
        rocksdb_free(owned);
    if (ok)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "state store: corrupt consent of %s", contact_id);
    return SY_ERR_STATE;
}

sy_err_t state_store_consent_get(state_store_t *s, int32_t partition, const char *contact_id,
                                 state_consent_t *out, char *errbuf, size_t errbuf_size) {
    uint8_t ckey[PROFILE_KEY_BYTES_MAX];
    /* no assert: consent_get asserts */
    size_t ckey_len = state_contact_key(ckey, partition, contact_id, errbuf, errbuf_size);
    if (!ckey_len)
        return SY_ERR_LIMIT;
    return consent_get(s, ckey, ckey_len, contact_id, out, errbuf, errbuf_size);
}

sy_err_t state_store_consent_get_at(state_store_t *s, const state_instance_key_t *key,
                                    state_consent_t *out, char *errbuf, size_t errbuf_size) {
    /* The contact id ends at the NUL after the contact part (state_instance_key_contact). */
    assert(key->contact_len > 2 && key->bytes[key->contact_len] == 0);
    return consent_get(s, key->bytes, key->contact_len, (const char *)key->bytes + 2, out,
                       errbuf, errbuf_size);
}

/* Write c under the contact key ckey. */
static sy_err_t consent_put(state_store_t *s, const uint8_t *ckey, size_t ckey_len,
                            const state_consent_t *c) {
    uint8_t value[CONSENT_VALUE_BYTES_MAX];
    assert(s != NULL && c->lists_count <= STATE_CONSENT_LISTS_MAX);
    size_t len = consent_encode(value, c);
    assert(len <= sizeof value);
    return state_store_record_put(s, CF_CONSENT, ckey, ckey_len, value, len);
}

sy_err_t state_store_consent_put(state_store_t *s, int32_t partition, const char *contact_id,
                                 const state_consent_t *consent, char *errbuf,
                                 size_t errbuf_size) {
    uint8_t ckey[PROFILE_KEY_BYTES_MAX];
    /* no assert: consent_put asserts */
    size_t ckey_len = state_contact_key(ckey, partition, contact_id, errbuf, errbuf_size);
    if (!ckey_len)
        return SY_ERR_LIMIT;
    return consent_put(s, ckey, ckey_len, consent);
}

sy_err_t state_store_consent_put_at(state_store_t *s, const state_instance_key_t *key,
                                    const state_consent_t *consent) {
    assert(key->contact_len > 2);
    return consent_put(s, key->bytes, key->contact_len, consent);
}
