/* fuzz_changelog.c — fuzz target of a restore: the input is a run of changelog records, each
 * applied as a restore applies what it reads from the changelog topic
 * (state_store_changelog_apply), committed in slices; then the example journeys run over
 * the restored state as the service would after it: every partition's timers fire up to
 * FUZZ_CHANGELOG_NOW_MS, and an email open arrives for each contact a record named. A
 * record the store accepts must never make a later read fail, crash or leak. Input format,
 * records back to back, the first truncated one ending the input:
 *   cf (1 byte), key length (2 bytes big-endian), key, value length (2 bytes big-endian;
 *   0xffff: a delete, no value bytes), value
 * seed_changelog.c writes the corpus's seeds from the example paths. */
#include <stdio.h>

#include "fuzz.h"
#include "fuzz_feed.h"

/* Records applied between two commits, as a restore commits in slices. */
#define FUZZ_CHANGELOG_SLICE 16
/* Timers due up to this time fire after the records (2100-01-01). */
#define FUZZ_CHANGELOG_NOW_MS INT64_C(4102444800000)
/* Contacts sent an event after the timers, at most. */
#define FUZZ_CHANGELOG_CONTACTS 8
#define FUZZ_CHANGELOG_DELETE 0xffff

/* What the records named: their partitions and a few contacts. */
typedef struct fuzz_seen {
    bool partition[STATE_PARTITIONS_MAX];
    int32_t contact_partition[FUZZ_CHANGELOG_CONTACTS];
    char contact[FUZZ_CHANGELOG_CONTACTS][SY_ID_BYTES_MAX + 1];
    size_t contacts;
} fuzz_seen_t;

/* Note the contact a key of a per-contact column family names (after the 2-byte
 * partition, up to a NUL or the end), when it is a printable ASCII id and new. */
static void fuzz_seen_contact(fuzz_seen_t *seen, int cf, int32_t partition,
                              const uint8_t *key, size_t key_len) {
    if (cf == STATE_CHANGELOG_CF_META || cf == STATE_CHANGELOG_CF_COUNTS ||
        cf == STATE_CHANGELOG_CF_LEASES || cf == STATE_CHANGELOG_CF_TIMERS ||
        seen->contacts == FUZZ_CHANGELOG_CONTACTS)
        return;
    size_t len = 0;
    while (2 + len < key_len && key[2 + len] != 0 && len <= SY_ID_BYTES_MAX)
        if (key[2 + len] < 0x20 || key[2 + len] > 0x7e || ++len > SY_ID_BYTES_MAX)
            return;
    if (len == 0)
        return;
    for (size_t i = 0; i < seen->contacts; i++)
        if (strlen(seen->contact[i]) == len && memcmp(seen->contact[i], key + 2, len) == 0)
            return;
    memcpy(seen->contact[seen->contacts], key + 2, len);
    seen->contact[seen->contacts][len] = '\0';
    seen->contact_partition[seen->contacts++] = partition;
}

/* Apply the records of data[0..size) to run's store; false when the store failed. */
static bool fuzz_apply_all(fuzz_run_t *run, const uint8_t *data, size_t size,
                           fuzz_seen_t *seen) {
    size_t at = 0, slice = 0;
    while (size - at >= 5) {
        int cf = data[at];
        size_t key_len = (size_t)data[at + 1] << 8 | data[at + 2];
        if (size - at - 5 < key_len)
            break;
        const uint8_t *key = data + at + 3;
        size_t value_len = (size_t)key[key_len] << 8 | key[key_len + 1];
        at += 5 + key_len;
        bool deleted = value_len == FUZZ_CHANGELOG_DELETE;
        if (!deleted && size - at < value_len)
            break;
        const uint8_t *value = deleted ? NULL : data + at;
        at += deleted ? 0 : value_len;
        sy_err_t err = state_store_changelog_apply(run->store, (state_changelog_cf_t)cf, key,
                                                   key_len, value, deleted ? 0 : value_len,
                                                   run->errbuf, sizeof run->errbuf);
        if (err == SY_ERR_INVALID_ARG)
            continue; /* refused, as a restore refuses it: the record names why */
        fuzz_check(err, run, "fuzz_changelog: apply");
        int32_t partition = key[0] << 8 | key[1];
        seen->partition[partition] = true;
        fuzz_seen_contact(seen, cf, partition, key, key_len);
        if (++slice == FUZZ_CHANGELOG_SLICE) {
            slice = 0;
            fuzz_check(fuzz_commit(run), run, "fuzz_changelog: commit");
        }
    }
    sy_err_t err = fuzz_commit(run);
    fuzz_check(err, run, "fuzz_changelog: commit");
    return err == SY_OK;
}

/* Run the journeys over the restored state: timers, then an email open per contact. */
static void fuzz_run_restored(fuzz_run_t *run, const fuzz_seen_t *seen) {
    size_t fired = 0;
    sy_err_t err = SY_OK;
    for (int32_t p = 0; p < STATE_PARTITIONS_MAX && err != SY_ERR_LIMIT; p++) {
        if (!seen->partition[p])
            continue;
        err = engine_fire_timers(run->engine, p, FUZZ_CHANGELOG_NOW_MS, &fired, run->errbuf,
                                 sizeof run->errbuf);
        if (err == SY_OK)
            err = fuzz_commit(run);
        fuzz_check(err, run, "fuzz_changelog: timers");
    }
    for (size_t i = 0; i < seen->contacts && err != SY_ERR_LIMIT; i++) {
        sy_event_t ev = {.event_id = "fuzz-open", .contact_id = seen->contact[i],
                         .occurred_at_ms = FUZZ_CHANGELOG_NOW_MS, .channel = SY_CHANNEL_EMAIL,
                         .type = SY_EVENT_OPENED, .bounce = SY_BOUNCE_NONE};
        err = engine_on_event(run->engine, seen->contact_partition[i], &ev, run->errbuf,
                              sizeof run->errbuf);
        if (err == SY_OK)
            err = fuzz_commit(run);
        fuzz_check(err, run, "fuzz_changelog: event");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static fuzz_run_t run;
    static fuzz_seen_t seen;
    memset(&seen, 0, sizeof seen);
    fuzz_run_open(&run, "fuzz-changelog", fuzz_examples());
    if (fuzz_apply_all(&run, data, size, &seen))
        fuzz_run_restored(&run, &seen);
    fuzz_run_close(&run);
    return 0;
}
