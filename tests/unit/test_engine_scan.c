/* test_engine_scan.c — the deploy-time scan (`on_deploy: scan`, engine_audience_scan):
 * slices enter exactly the stored contacts whose profile matches, in contact id order, and
 * move a cursor that commits with the entries (an aborted slice drops both, so the redo
 * enters the same contacts once); a contact in the journey, or one that entered this
 * version by a profile change during the scan, is not entered again; the cursor goes
 * through the changelog intact. Engine and in-memory store; no Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "engine_fixture.h"

static const char scan_yaml[] =
    "id: vip\n"
    "version: 1\n"
    "profile:\n"
    "  ltv: {type: number, default: 0}\n"
    "entry:\n"
    "  when: contact.ltv >= 500\n"
    "  on_deploy: scan\n"
    "exits:\n"
    "  - event: sms.opted_out\n"
    "nodes:\n"
    "  - id: hold\n"
    "    wait: {for: 24h}\n"
    "    next: done\n"
    "  - id: done\n"
    "    exit: {}\n";

/* Stored (committed) profiles: c1..c6 with these ltv values. */
static void store_profiles(void) {
    static const char *const ids[] = {"c1", "c2", "c3", "c4", "c5", "c6"};
    static const double ltv[] = {600, 10, 900, 500, 499, 700};
    for (size_t i = 0; i < 6; i++)
        profile_set(&lx, ids[i], "ltv", num_value(ltv[i]));
    cr_assert(eq(int, state_store_commit(lx.store, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
}

static void slice(state_scan_t *scan, size_t max) {
    errbuf[0] = '\0';
    sy_err_t err = engine_audience_scan(lx.engine, PARTITION, lx.journey, T0_MS, max, scan,
                                        errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "engine_audience_scan: %d %s", err, errbuf);
}

static void commit(void) {
    cr_assert(eq(int, state_store_commit(lx.store, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
}

/* The contacts the recorded entry decisions entered, joined by spaces. */
static char *entered(void) {
    static char out[REC_MAX * 8];
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < lx.rec.decisions_count; i++) {
        const rec_decision_t *d = &lx.rec.decisions[i];
        if (d->cause != SY_CAUSE_ENTRY || strcmp(d->to, "hold") != 0)
            continue;
        int w = snprintf(out + n, sizeof out - n, "%s%s", n ? " " : "", d->contact);
        cr_assert(w > 0 && (size_t)w < sizeof out - n, "entered contacts overflow");
        n += (size_t)w;
    }
    return out;
}

Test(engine_lang, scan_enters_the_stored_contacts_that_match_once_in_id_order) {
    lx_open(scan_yaml);
    store_profiles();
    state_scan_t scan = {.done = false};
    slice(&scan, 4);
    commit();
    cr_expect(eq(str, entered(), "c1 c3 c4"), "the first four profiles' matches");
    cr_expect(eq(str, scan.cursor, "c4"));
    cr_expect(eq(u64, scan.scanned, 4));
    cr_expect(not(scan.done), "two profiles left");
    slice(&scan, 4);
    commit();
    cr_expect(eq(str, entered(), "c1 c3 c4 c6"));
    cr_expect(scan.done, "the partition's end was reached");
    cr_expect(eq(u64, scan.scanned, 6));
    cr_expect(eq(u64, scan.entered, 4));
    size_t before = lx.rec.decisions_count;
    slice(&scan, 4);
    cr_expect(eq(sz, lx.rec.decisions_count, before), "a done scan enters no one");
    state_scan_t again = {.done = false};
    slice(&again, 100);
    cr_expect(eq(sz, lx.rec.decisions_count, before),
              "a second scan of the same version enters no one already entered");
}

Test(engine_lang, scan_cursor_commits_with_its_entries_and_an_abort_drops_both) {
    lx_open(scan_yaml);
    store_profiles();
    state_scan_t scan = {.done = false}, read;
    slice(&scan, 3);
    commit();
    cr_assert(eq(int, state_store_scan_get(lx.store, PARTITION, "vip", 1, &read, errbuf,
                                           sizeof errbuf), SY_OK), "%s", errbuf);
    cr_expect(eq(str, read.cursor, "c3"), "the committed cursor");
    cr_expect(eq(u64, read.entered, 2));
    slice(&scan, 2); /* c4, c5: c4 enters, then the batch is lost */
    state_store_abort(lx.store);
    cr_assert(eq(int, state_store_scan_get(lx.store, PARTITION, "vip", 1, &read, errbuf,
                                           sizeof errbuf), SY_OK), "%s", errbuf);
    cr_expect(eq(str, read.cursor, "c3"), "the abort dropped the moved cursor");
    lx.rec.decisions_count = 0; /* what the aborted batch emitted is not committed */
    slice(&read, 10);
    commit();
    cr_expect(eq(str, entered(), "c4 c6"), "the redo enters c4 once and goes on");
    cr_expect(eq(int, state_store_scan_get(lx.store, PARTITION, "vip", 2, &read, errbuf,
                                           sizeof errbuf), SY_ERR_NOT_FOUND),
              "another version has a cursor of its own");
}

Test(engine_lang, scan_skips_contacts_in_the_journey_or_entered_by_a_change) {
    lx_open(scan_yaml);
    store_profiles();
    state_scan_t scan = {.done = false};
    slice(&scan, 1); /* c1 */
    commit();
    /* During the scan, c6 qualifies by a change of its own (from 100), c3 too; c3 leaves. */
    sy_profile_update_t u = {.contact_id = "c6", .updated_at_ms = T0_MS + 1, .set_count = 1};
    u.set[0] = (sy_attr_t){.name = "ltv", .value = num_value(100)};
    cr_assert(eq(int, engine_on_profile(lx.engine, PARTITION, &u, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    u.set[0].value = num_value(800);
    cr_assert(eq(int, engine_on_profile(lx.engine, PARTITION, &u, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    u.contact_id = "c3";
    u.set[0].value = num_value(100);
    cr_assert(eq(int, engine_on_profile(lx.engine, PARTITION, &u, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    u.set[0].value = num_value(950);
    cr_assert(eq(int, engine_on_profile(lx.engine, PARTITION, &u, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    sy_event_t stop = event_make("stop-c3", "c3", T0_MS + 2, SY_CHANNEL_SMS,
                                 SY_EVENT_OPTED_OUT);
    feed(&lx, &stop);
    commit();
    cr_expect(eq(str, entered(), "c1 c6 c3"), "the changes entered c6 and c3");
    slice(&scan, 100);
    commit();
    cr_expect(eq(str, entered(), "c1 c6 c3 c4"),
              "c3 (ended, entered this version) and c6 (in it) are not entered again");
    cr_expect(eq(u64, scan.entered, 2));
}

/* Each op of the pending batch applied to the store ctx, as a restore would. */
static sy_err_t apply_to(void *ctx, state_changelog_cf_t cf, int32_t partition,
                         const uint8_t *key, size_t key_len, const uint8_t *value,
                         size_t value_len) {
    (void)partition;
    cr_expect(eq(int, cf, STATE_CHANGELOG_CF_META), "a cursor goes out with code 0");
    return state_store_changelog_apply(ctx, cf, key, key_len, value, value_len, errbuf,
                                       sizeof errbuf);
}

Test(engine_lang, scan_cursor_goes_through_the_changelog_intact) {
    lx_open(scan_yaml);
    state_scan_t put = {.done = true, .scanned = 123456, .entered = 42}, got;
    snprintf(put.cursor, sizeof put.cursor, "%s", "contact-0042");
    cr_assert(eq(int, state_store_scan_put(lx.store, 7, "vip", 3, &put), SY_OK));
    state_store_t *dst = NULL;
    cr_assert(eq(int, state_store_open(&dst, "scan-dst", true, 0, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_assert(eq(int, state_store_pending_each(lx.store, apply_to, dst), SY_OK), "%s",
              errbuf);
    cr_assert(eq(int, state_store_commit(dst, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    sy_err_t err = state_store_scan_get(dst, 7, "vip", 3, &got, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "%s", errbuf);
    cr_expect(eq(str, got.cursor, "contact-0042"));
    cr_expect(got.done);
    cr_expect(eq(u64, got.scanned, 123456));
    cr_expect(eq(u64, got.entered, 42));
    const uint8_t bad[] = {0, 7, 's', 0, 0, 0, 3, 'v'}, short_value[] = {1, 0};
    err = state_store_changelog_apply(dst, STATE_CHANGELOG_CF_META, bad, sizeof bad,
                                      short_value, sizeof short_value, errbuf, sizeof errbuf);
    cr_expect(eq(int, err, SY_ERR_INVALID_ARG), "a malformed cursor is refused: %d", err);
    state_store_close(dst);
}
