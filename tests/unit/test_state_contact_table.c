/* test_state_contact_table.c — unit tests of the per-contact table: on its own (hit, miss,
 * absent, records of one contact side by side, eviction within the byte budget keeping
 * recent contacts) and in front of RocksDB in the state store (committed profiles, event
 * ids, consent, engagement and instances answered from it; a batch's writes visible
 * before commit and gone after an abort, even with a table too small to keep anything; a
 * restore's writes never hidden by what the table held). In-memory RocksDB. Not the
 * store's other parts. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "state_contact_table.h"
#include "state_store.h"
#include "store_fixture.h"

#define T0_MS 1727773200000LL /* 2024-10-01T09:00:00Z */
/* A budget that holds a few hundred contacts, so tests can fill it many times over. */
#define SMALL_BUDGET_BYTES (64 * 1024)

static char errbuf[1024];

/* A contact's table key: partition 0, then the id. */
static size_t ckey_of(uint8_t *buf, const char *contact) {
    size_t len = strlen(contact);
    buf[0] = 0;
    buf[1] = 0;
    memcpy(buf + 2, contact, len);
    return 2 + len;
}

static state_cache_lookup_t get(state_contact_table_t *t, const char *contact, uint16_t rec,
                                const uint8_t **value, size_t *len) {
    uint8_t key[2 + 64];
    return state_contact_table_get(t, key, ckey_of(key, contact), rec, value, len);
}

static void put(state_contact_table_t *t, const char *contact, uint16_t rec,
                const char *value) {
    uint8_t key[2 + 64];
    state_contact_table_put(t, key, ckey_of(key, contact), rec, (const uint8_t *)value,
                            value ? strlen(value) : 0);
}

/* The value of contact's record as a string, "(absent)" or "(miss)". */
static const char *value_of(state_contact_table_t *t, const char *contact, uint16_t rec) {
    static char out[256];
    const uint8_t *v = NULL;
    size_t len = 0;
    switch (get(t, contact, rec, &v, &len)) {
    case STATE_CACHE_MISS:
        return "(miss)";
    case STATE_CACHE_ABSENT:
        return "(absent)";
    case STATE_CACHE_HIT:
        break;
    }
    cr_assert_lt(len, sizeof out);
    memcpy(out, v, len);
    out[len] = '\0';
    return out;
}

Test(state_contact_table, zero_budget_is_no_table_and_keeps_nothing) {
    state_contact_table_t *t = (state_contact_table_t *)1;
    cr_assert(eq(int, state_contact_table_open(&t, 0), SY_OK));
    cr_assert_null(t);
    put(t, "ann", STATE_CONTACT_REC_PROFILE, "x");
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "(miss)"));
    cr_assert(eq(int, state_contact_table_journey_slot(t, (const uint8_t *)"j", 1), -1));
    state_contact_table_close(t);
}

Test(state_contact_table, records_of_a_contact_hit_miss_and_absent_side_by_side) {
    state_contact_table_t *t = NULL;
    cr_assert(eq(int, state_contact_table_open(&t, 1 << 20), SY_OK));
    int a = state_contact_table_journey_slot(t, (const uint8_t *)"promo", 5);
    int b = state_contact_table_journey_slot(t, (const uint8_t *)"feedback", 8);
    cr_assert(eq(int, a, 0));
    cr_assert(eq(int, b, 1));
    cr_assert(eq(int, state_contact_table_journey_slot(t, (const uint8_t *)"promo", 5), 0));
    put(t, "ann", (uint16_t)(STATE_CONTACT_REC_INSTANCE | a), "at-node-3");
    put(t, "ann", STATE_CONTACT_REC_PROFILE, "first_name=Ann");
    put(t, "ann", (uint16_t)(STATE_CONTACT_REC_INSTANCE | b), NULL);
    put(t, "bob", STATE_CONTACT_REC_CONSENT, "opted-out");
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_INSTANCE | 0), "at-node-3"));
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "first_name=Ann"));
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_INSTANCE | 1), "(absent)"));
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_CONSENT), "(miss)"));
    cr_assert(eq(str, (char *)value_of(t, "bob", STATE_CONTACT_REC_CONSENT), "opted-out"));
    cr_assert(eq(str, (char *)value_of(t, "bob", STATE_CONTACT_REC_PROFILE), "(miss)"));
    cr_assert(eq(str, (char *)value_of(t, "cat", STATE_CONTACT_REC_PROFILE), "(miss)"));
    /* A new value replaces the old one, longer or shorter, and leaves the others. */
    put(t, "ann", STATE_CONTACT_REC_INSTANCE | 0, "at-node-4-and-a-much-longer-value-than-before");
    put(t, "ann", STATE_CONTACT_REC_INSTANCE | 1, "in");
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_INSTANCE | 0),
                 "at-node-4-and-a-much-longer-value-than-before"));
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_INSTANCE | 1), "in"));
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "first_name=Ann"));
    state_cache_stats_t st;
    state_contact_table_stats_get(t, &st);
    cr_assert(eq(sz, st.entries, 2), "one entry per contact");
    state_contact_table_clear(t);
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "(miss)"));
    state_contact_table_close(t);
}

/* A rewrite within the entry's room moves the records after the one rewritten: each keeps
 * its value through shorter, longer, absent and present again, and new records join. */
Test(state_contact_table, a_record_rewritten_between_others_leaves_them_intact) {
    static const char *const values[] = {"mid-value-1", "m", NULL, "mid-value-grown-a-bit",
                                         "", "x-long-enough-to-outgrow-the-entry-room-0123456789"
                                             "0123456789-0123456789-0123456789-0123456789"};
    state_contact_table_t *t = NULL;
    cr_assert(eq(int, state_contact_table_open(&t, 1 << 20), SY_OK));
    put(t, "ann", STATE_CONTACT_REC_INSTANCE | 0, "first");
    put(t, "ann", STATE_CONTACT_REC_PROFILE, "middle");
    put(t, "ann", STATE_CONTACT_REC_CONSENT, "last");
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        put(t, "ann", STATE_CONTACT_REC_PROFILE, values[i]);
        cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE),
                     values[i] ? (char *)values[i] : "(absent)"), "step %zu", i);
        cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_INSTANCE | 0), "first"));
        cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_CONSENT), "last"));
        put(t, "ann", (uint16_t)(STATE_CONTACT_REC_INSTANCE | (i + 1)), "added");
        for (size_t k = 1; k <= i + 1; k++) {
            uint16_t rec = (uint16_t)(STATE_CONTACT_REC_INSTANCE | k);
            cr_assert(eq(str, (char *)value_of(t, "ann", rec), "added"), "step %zu, slot %zu",
                      i, k);
        }
    }
    state_contact_table_close(t);
}

/* Every kind of record and every journey slot, put one by one to a contact: each reads
 * back as put, and one never put reads as missing, whatever the records beside it. */
Test(state_contact_table, each_of_many_records_reads_as_put_and_only_those) {
    static const uint16_t kinds[] = {STATE_CONTACT_REC_PROFILE, STATE_CONTACT_REC_EVENT_IDS,
                                     STATE_CONTACT_REC_CONSENT, STATE_CONTACT_REC_ENGAGEMENT};
    char value[32];
    state_contact_table_t *t = NULL;
    cr_assert(eq(int, state_contact_table_open(&t, 1 << 20), SY_OK));
    for (unsigned slot = 0; slot < STATE_CONTACT_JOURNEYS_MAX; slot += 3) {
        snprintf(value, sizeof value, "slot-%u", slot);
        put(t, "ann", (uint16_t)(STATE_CONTACT_REC_INSTANCE | slot), slot % 2 ? value : NULL);
    }
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k += 2)
        put(t, "ann", kinds[k], "kind");
    for (unsigned slot = 0; slot < STATE_CONTACT_JOURNEYS_MAX; slot++) {
        snprintf(value, sizeof value, "slot-%u", slot);
        const char *want = slot % 3 ? "(miss)" : slot % 2 ? value : "(absent)";
        cr_assert(eq(str, (char *)value_of(t, "ann", (uint16_t)(STATE_CONTACT_REC_INSTANCE |
                                                                 slot)), (char *)want),
                  "slot %u", slot);
    }
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        cr_assert(eq(str, (char *)value_of(t, "ann", kinds[k]), k % 2 ? "(miss)" : "kind"),
                  "kind %zu", k);
    state_contact_table_close(t);
}

Test(state_contact_table, a_value_too_long_to_keep_removes_the_old_one) {
    static char longer[STATE_CONTACT_VALUE_BYTES_MAX + 2];
    state_contact_table_t *t = NULL;
    cr_assert(eq(int, state_contact_table_open(&t, 1 << 20), SY_OK));
    put(t, "ann", STATE_CONTACT_REC_EVENT_IDS, "old");
    memset(longer, 'x', sizeof longer - 1);
    put(t, "ann", STATE_CONTACT_REC_EVENT_IDS, longer);
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_EVENT_IDS), "(miss)"));
    state_contact_table_close(t);
}

Test(state_contact_table, a_whole_table_answers_absent_until_it_drops_a_record) {
    static char longer[STATE_CONTACT_VALUE_BYTES_MAX + 2];
    state_contact_table_t *t = NULL;
    cr_assert(eq(int, state_contact_table_open(&t, 1 << 20), SY_OK));
    cr_assert(eq(str, (char *)value_of(t, "bob", STATE_CONTACT_REC_CONSENT), "(miss)"));
    state_contact_table_whole_set(t, true);
    put(t, "ann", STATE_CONTACT_REC_PROFILE, "kept");
    cr_assert(eq(str, (char *)value_of(t, "bob", STATE_CONTACT_REC_CONSENT), "(absent)"));
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_CONSENT), "(absent)"));
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "kept"));
    memset(longer, 'x', sizeof longer - 1);
    put(t, "ann", STATE_CONTACT_REC_EVENT_IDS, longer); /* RocksDB's alone from now */
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_EVENT_IDS), "(miss)"));
    cr_assert(eq(str, (char *)value_of(t, "bob", STATE_CONTACT_REC_CONSENT), "(miss)"));
    cr_assert(not(state_contact_table_whole(t)), "a table that dropped a record is whole");
    state_contact_table_whole_set(t, true);
    state_contact_table_clear(t);
    cr_assert(not(state_contact_table_whole(t)), "a cleared table is whole");
    cr_assert(eq(str, (char *)value_of(t, "bob", STATE_CONTACT_REC_CONSENT), "(miss)"));
    state_contact_table_close(t);
}

Test(state_contact_table, eviction_keeps_memory_under_the_budget_and_keeps_recent_contacts) {
    state_contact_table_t *t = NULL;
    char contact[32], value[64];
    cr_assert(eq(int, state_contact_table_open(&t, SMALL_BUDGET_BYTES), SY_OK));
    for (int i = 0; i < 20000; i++) {
        snprintf(contact, sizeof contact, "contact-%d", i);
        snprintf(value, sizeof value, "profile of contact %d", i);
        put(t, contact, STATE_CONTACT_REC_PROFILE, value);
        /* ann is read between every two puts: CLOCK keeps her. */
        if (i == 0)
            put(t, "ann", STATE_CONTACT_REC_PROFILE, "kept");
        cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "kept"),
                  "ann evicted after %d puts", i);
        state_cache_stats_t st;
        state_contact_table_stats_get(t, &st);
        cr_assert_leq(st.bytes, SMALL_BUDGET_BYTES, "%zu bytes after %d puts", st.bytes, i);
    }
    state_cache_stats_t st;
    state_contact_table_stats_get(t, &st);
    cr_assert_gt(st.evictions, 0);
    cr_assert_gt(st.entries, 100, "the budget holds only %zu contacts", st.entries);
    cr_assert(eq(str, (char *)value_of(t, "contact-19999", STATE_CONTACT_REC_PROFILE),
                 "profile of contact 19999"));
    state_contact_table_close(t);
}

/* What a drop hook was handed, by contact number: the profile, and whether the consent
 * record was handed as absent. */
#define HANDED_CONTACTS 5000
typedef struct handed {
    char profile[HANDED_CONTACTS][32];
    bool consent_absent[HANDED_CONTACTS];
    int count;
} handed_t;

static void hand_keep(void *ctx, const uint8_t *ckey, size_t ckey_len, uint16_t rec,
                      const uint8_t *value, size_t value_len) {
    handed_t *h = ctx;
    char contact[64] = {0};
    int i = -1;
    cr_assert_lt(ckey_len - 2, sizeof contact);
    memcpy(contact, ckey + 2, ckey_len - 2);
    cr_assert(eq(int, sscanf(contact, "contact-%d", &i), 1), "%s", contact);
    cr_assert(i >= 0 && i < HANDED_CONTACTS);
    h->count++;
    if (rec == STATE_CONTACT_REC_CONSENT) {
        cr_assert_null(value, "contact-%d's consent was put as none", i);
        h->consent_absent[i] = true;
        return;
    }
    cr_assert(eq(u16, rec, STATE_CONTACT_REC_PROFILE));
    cr_assert_not_null(value);
    cr_assert_lt(value_len, sizeof h->profile[i]);
    memcpy(h->profile[i], value, value_len);
    h->profile[i][value_len] = 0;
}

/* With a drop hook, a table can be the only home of commits' records: each one put reads
 * back from the table or was handed to the hook with its last value, and each_committed
 * walks over what the table still holds of them; records read from elsewhere, even in the
 * same entries, are never handed. A put says whether it was kept. */
Test(state_contact_table, what_the_table_lets_go_of_is_handed_over_with_its_last_value) {
    static handed_t handed, held;
    static char longer[STATE_CONTACT_VALUE_BYTES_MAX + 2];
    uint8_t key[2 + 64];
    char contact[32], value[32];
    state_contact_table_t *t = NULL;
    cr_assert(eq(int, state_contact_table_open(&t, SMALL_BUDGET_BYTES), SY_OK));
    state_contact_table_on_drop(t, hand_keep, &handed);
    /* Records read from elsewhere, evicted by the commits' below, go unhanded (hand_keep
     * refuses them). */
    for (int i = 0; i < 2000; i++) {
        snprintf(contact, sizeof contact, "read-%d", i);
        put(t, contact, STATE_CONTACT_REC_PROFILE, "kept elsewhere");
    }
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < HANDED_CONTACTS; i++) {
            snprintf(contact, sizeof contact, "contact-%d", i);
            snprintf(value, sizeof value, "round %d of %d", round, i);
            size_t len = ckey_of(key, contact);
            cr_assert(state_contact_table_put_committed(t, key, len,
                                                        STATE_CONTACT_REC_PROFILE,
                                                        (const uint8_t *)value, strlen(value)));
            if (i % 3 == 0)
                cr_assert(state_contact_table_put_committed(t, key, len,
                                                            STATE_CONTACT_REC_CONSENT, NULL, 0));
            if (i % 5 == 0) /* read from elsewhere (never handed); grows the entry */
                put(t, contact, STATE_CONTACT_REC_EVENT_IDS, "read from elsewhere, 40 bytes");
        }
    }
    memset(longer, 'x', sizeof longer - 1);
    cr_assert(not(state_contact_table_put(t, key, ckey_of(key, "contact-0"),
                                          STATE_CONTACT_REC_EVENT_IDS,
                                          (const uint8_t *)longer, strlen(longer))),
              "a value too long to keep was said to be kept");
    cr_assert_gt(handed.count, HANDED_CONTACTS, "only %d records handed over", handed.count);
    state_contact_table_each_committed(t, hand_keep, &held);
    state_cache_stats_t st;
    state_contact_table_stats_get(t, &st);
    cr_assert_geq(held.count, st.entries, "each walked %d records of %zu contacts",
                  held.count, st.entries);
    for (int i = 0; i < HANDED_CONTACTS; i++) {
        snprintf(contact, sizeof contact, "contact-%d", i);
        snprintf(value, sizeof value, "round 1 of %d", i);
        const char *in_table = value_of(t, contact, STATE_CONTACT_REC_PROFILE);
        bool kept = strcmp(in_table, "(miss)") != 0;
        cr_assert(eq(str, (char *)(kept ? in_table : handed.profile[i]), value), "%s",
                  contact);
        cr_assert(eq(str, (char *)(kept ? held.profile[i] : handed.profile[i]), value));
        if (i % 3 == 0 && !kept)
            cr_assert(handed.consent_absent[i], "%s's consent was not handed over", contact);
    }
    state_contact_table_close(t);
}

/* A table starts with few buckets and doubles them as contacts come: every contact put
 * before and after each doubling still reads as put, one never put misses, and the table
 * keeps to its budget. */
Test(state_contact_table, contacts_read_as_put_across_the_index_s_growth) {
    state_contact_table_t *t = NULL;
    char contact[32], value[64];
    size_t budget = 64u << 20;
    cr_assert(eq(int, state_contact_table_open(&t, budget), SY_OK));
    for (int i = 0; i < 50000; i++) {
        snprintf(contact, sizeof contact, "contact-%d", i);
        snprintf(value, sizeof value, "profile of contact %d", i);
        put(t, contact, STATE_CONTACT_REC_PROFILE, value);
    }
    for (int i = 0; i < 50000; i++) {
        snprintf(contact, sizeof contact, "contact-%d", i);
        snprintf(value, sizeof value, "profile of contact %d", i);
        cr_assert(eq(str, (char *)value_of(t, contact, STATE_CONTACT_REC_PROFILE), value),
                  "%s", contact);
    }
    cr_assert(eq(str, (char *)value_of(t, "contact-50000", STATE_CONTACT_REC_PROFILE),
                 "(miss)"));
    state_cache_stats_t st;
    state_contact_table_stats_get(t, &st);
    cr_assert(eq(sz, st.entries, 50000));
    cr_assert(eq(u64, st.evictions, 0));
    cr_assert_leq(st.bytes, budget);
    state_contact_table_close(t);
}

/* The table remembers the entry it found last (a contact's reads come together): every
 * change that moves, frees or forgets that entry must leave no read of the old one. */
Test(state_contact_table, the_entry_found_last_never_answers_after_a_change) {
    state_contact_table_t *t = NULL;
    char contact[32], value[64];
    cr_assert(eq(int, state_contact_table_open(&t, SMALL_BUDGET_BYTES), SY_OK));
    put(t, "ann", STATE_CONTACT_REC_PROFILE, "p1");
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "p1"));
    /* Another record of hers, long enough to move her entry. */
    memset(value, 'e', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    put(t, "ann", STATE_CONTACT_REC_ENGAGEMENT, value);
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "p1"));
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_ENGAGEMENT), value));
    put(t, "ann", STATE_CONTACT_REC_PROFILE, "p2"); /* rewritten in place */
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "p2"));
    /* Evicted by the budget, read between no two puts: gone, not served from memory. */
    for (int i = 0; i < 5000; i++) {
        snprintf(contact, sizeof contact, "contact-%d", i);
        put(t, contact, STATE_CONTACT_REC_PROFILE, "filler profile of a contact");
    }
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "(miss)"),
              "an evicted contact is asked of RocksDB again");
    put(t, "ann", STATE_CONTACT_REC_PROFILE, "p3");
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "p3"));
    state_contact_table_clear(t);
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "(miss)"),
              "a clear forgets the entry found last");
    put(t, "ann", STATE_CONTACT_REC_CONSENT, "c1");
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_PROFILE), "(miss)"));
    cr_assert(eq(str, (char *)value_of(t, "ann", STATE_CONTACT_REC_CONSENT), "c1"));
    state_contact_table_close(t);
}

/* ---- in front of RocksDB ---- */

static state_store_t *open_mem(const char *name, size_t table_bytes) {
    state_store_t *s = NULL;
    sy_err_t err = state_store_open(&s, name, true, table_bytes, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s): %d %s", name, err, errbuf);
    return s;
}

static void commit_ok(state_store_t *s) {
    sy_err_t err = state_store_commit(s, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "commit: %d %s", err, errbuf);
}

static void profile_set(state_store_t *s, const char *contact, const char *first_name) {
    static sy_profile_update_t u;
    memset(&u, 0, sizeof u);
    u.contact_id = contact;
    u.set_count = 1;
    u.set[0] = (sy_attr_t){.name = "first_name",
                           .value = {.kind = SY_VALUE_STRING, .u.s = first_name}};
    sy_err_t err = state_store_profile_apply(s, 0, &u, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "profile_apply: %d %s", err, errbuf);
}

/* contact's first name, or "" when its profile has none. */
static const char *first_name_of(state_store_t *s, const char *contact) {
    static sy_attr_t attrs[SY_PROFILE_ATTRS_MAX];
    static char buf[STATE_PROFILE_BYTES_MAX];
    size_t count = 0;
    sy_err_t err = state_store_profile_get(s, 0, contact, attrs, SY_PROFILE_ATTRS_MAX, &count,
                                           buf, sizeof buf, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "profile_get: %d %s", err, errbuf);
    for (size_t i = 0; i < count; i++)
        if (strcmp(attrs[i].name, "first_name") == 0)
            return attrs[i].value.u.s;
    return "";
}

static void node_put(state_store_t *s, const char *contact, uint16_t node) {
    state_instance_t in = {.status = STATE_INSTANCE_ACTIVE, .node = node,
                           .journey_version = 1, .occurrence = 1, .entered_at_ms = T0_MS,
                           .node_entered_at_ms = T0_MS + node};
    cr_assert(eq(int, state_store_instance_put(s, 0, contact, "promo", &in), SY_OK));
}

/* The node of contact's instance of "promo", -1 when none. */
static int node_of(state_store_t *s, const char *contact) {
    state_instance_t in;
    sy_err_t err = state_store_instance_get(s, 0, contact, "promo", &in, errbuf,
                                            sizeof errbuf);
    if (err == SY_ERR_NOT_FOUND)
        return -1;
    cr_assert(eq(int, err, SY_OK), "instance_get: %d %s", err, errbuf);
    return in.node;
}

static int consent_email_of(state_store_t *s, const char *contact) {
    static state_consent_t c;
    sy_err_t err = state_store_consent_get(s, 0, contact, &c, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "consent_get: %d %s", err, errbuf);
    return c.slots[SY_CHANNEL_EMAIL].status;
}

static void consent_email_put(state_store_t *s, const char *contact, int status) {
    static state_consent_t c;
    memset(&c, 0, sizeof c);
    c.slots[SY_CHANNEL_EMAIL] = (state_consent_slot_t){(uint8_t)status,
                                                       STATE_CONSENT_CAUSE_EVENT, T0_MS};
    cr_assert(eq(int, state_store_consent_put(s, 0, contact, &c, errbuf, sizeof errbuf),
                 SY_OK));
}

/* When contact's engagement record last saw an email sent; 0 when it has none. */
static int64_t email_sent_of(state_store_t *s, const char *contact) {
    static state_engagement_t e;
    sy_err_t err = state_store_engagement_get(s, 0, contact, &e, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "engagement_get: %d %s", err, errbuf);
    int64_t sent = e.channels[SY_CHANNEL_EMAIL].sent_ms;
    return sent == INT64_MIN ? 0 : sent;
}

static void email_sent_put(state_store_t *s, const char *contact, int64_t sent_ms) {
    static state_engagement_t e;
    state_engagement_clear(&e);
    e.channels[SY_CHANNEL_EMAIL].updated_ms = sent_ms;
    e.channels[SY_CHANNEL_EMAIL].sent_ms = sent_ms;
    e.channels[SY_CHANNEL_EMAIL].ignored_streak = 1;
    cr_assert(eq(int, state_store_engagement_put(s, 0, contact, &e, errbuf, sizeof errbuf),
                 SY_OK));
}

static bool id_seen(state_store_t *s, const char *contact, uint64_t hash) {
    state_event_ids_conf_t conf = {24 * 3600 * 1000LL, 64};
    bool seen = true;
    sy_err_t err = state_store_event_id_seen(s, 0, contact, hash, T0_MS, &conf, &seen,
                                             errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "event_id_seen: %d %s", err, errbuf);
    return seen;
}

Test(state_contact_table, committed_records_are_answered_from_the_table) {
    state_store_t *s = open_mem("table-committed", STATE_CACHE_BYTES_DEFAULT);
    profile_set(s, "ann", "Ann");
    node_put(s, "ann", 3);
    consent_email_put(s, "ann", STATE_CONSENT_OPTED_OUT);
    email_sent_put(s, "ann", T0_MS + 5);
    cr_assert(not(id_seen(s, "ann", 7)));
    commit_ok(s);
    state_cache_stats_t before, after;
    state_store_cache_stats_get(s, &before);
    for (int i = 0; i < 3; i++) {
        cr_assert(eq(str, (char *)first_name_of(s, "ann"), "Ann"));
        cr_assert(eq(int, node_of(s, "ann"), 3));
        cr_assert(eq(int, consent_email_of(s, "ann"), STATE_CONSENT_OPTED_OUT));
        cr_assert(id_seen(s, "ann", 7));
        cr_assert(eq(i64, email_sent_of(s, "ann"), T0_MS + 5));
    }
    state_store_cache_stats_get(s, &after);
    cr_assert(eq(u64, after.misses, before.misses), "a committed record went to RocksDB");
    cr_assert(eq(u64, after.hits - before.hits, 15));
    cr_assert(eq(sz, after.entries, 1), "one entry for ann's five records");
    state_store_close(s);
}

/* One batch writing every kind of record of n contacts, then checks before and after. */
static void batch_write(state_store_t *s, int n, int round) {
    char contact[32], name[32];
    for (int i = 0; i < n; i++) {
        snprintf(contact, sizeof contact, "c%d", i);
        snprintf(name, sizeof name, "n%d-%d", i, round);
        profile_set(s, contact, name);
        node_put(s, contact, (uint16_t)(round + 1));
        consent_email_put(s, contact, round % 2 ? STATE_CONSENT_OPTED_IN
                                                : STATE_CONSENT_OPTED_OUT);
        email_sent_put(s, contact, T0_MS + round + 1);
        cr_assert(not(id_seen(s, contact, 1000 + (uint64_t)round)));
    }
}

static void batch_check(state_store_t *s, int n, int round) {
    char contact[32], name[32];
    for (int i = 0; i < n; i++) {
        snprintf(contact, sizeof contact, "c%d", i);
        snprintf(name, sizeof name, "n%d-%d", i, round);
        cr_assert(eq(str, (char *)first_name_of(s, contact), name), "%s round %d", contact,
                  round);
        cr_assert(eq(int, node_of(s, contact), round + 1));
        cr_assert(eq(int, consent_email_of(s, contact),
                     round % 2 ? STATE_CONSENT_OPTED_IN : STATE_CONSENT_OPTED_OUT));
        cr_assert(eq(i64, email_sent_of(s, contact), T0_MS + round + 1), "%s round %d",
                  contact, round);
        cr_assert(id_seen(s, contact, 1000 + (uint64_t)round), "%s round %d", contact, round);
    }
}

/* A batch's writes are seen before commit, gone after an abort (the committed values are
 * read again), and committed by the next batch — with a table that keeps everyone and
 * with one far too small, which must drop only committed entries. */
static void abort_restores(size_t table_bytes, const char *name) {
    state_store_t *s = open_mem(name, table_bytes);
    batch_write(s, 300, 0);
    commit_ok(s);
    batch_check(s, 300, 0);
    batch_write(s, 300, 1);
    batch_check(s, 300, 1);
    state_store_abort(s);
    for (int i = 0; i < 300; i++) { /* the ids of round 1 are forgotten too */
        char contact[32];
        snprintf(contact, sizeof contact, "c%d", i);
        cr_assert(not(id_seen(s, contact, 1001)), "%s kept an aborted id", contact);
    }
    state_store_abort(s);
    batch_check(s, 300, 0);
    batch_write(s, 300, 2);
    commit_ok(s);
    batch_check(s, 300, 2);
    state_cache_stats_t st;
    state_store_cache_stats_get(s, &st);
    cr_assert_leq(st.bytes, table_bytes);
    state_store_close(s);
}

Test(state_contact_table, an_abort_restores_every_record_with_a_large_table) {
    abort_restores(STATE_CACHE_BYTES_DEFAULT, "table-abort-large");
}

Test(state_contact_table, an_abort_restores_every_record_with_an_evicting_table) {
    abort_restores(8 * 1024, "table-abort-small");
}

Test(state_contact_table, a_restore_replaces_what_the_table_held) {
    state_store_t *src = open_mem("table-restore-src", 0);
    state_store_t *dst = open_mem("table-restore-dst", STATE_CACHE_BYTES_DEFAULT);
    profile_set(dst, "ann", "Old");
    consent_email_put(dst, "ann", STATE_CONSENT_OPTED_IN);
    email_sent_put(dst, "ann", T0_MS);
    commit_ok(dst);
    cr_assert(eq(str, (char *)first_name_of(dst, "ann"), "Old")); /* now in the table */
    profile_set(src, "ann", "New");
    consent_email_put(src, "ann", STATE_CONSENT_OPTED_OUT);
    email_sent_put(src, "ann", T0_MS + 9);
    cr_assert(eq(int, state_store_pending_each(src, store_fixture_replay_op, dst), SY_OK),
              "%s", sf.errbuf);
    /* A read between the restore's writes and its commit sees the old committed value
     * (reads need not see applied records): the commit must not leave it in the table. */
    (void)first_name_of(dst, "ann");
    (void)consent_email_of(dst, "ann");
    cr_assert(eq(i64, email_sent_of(dst, "ann"), T0_MS));
    commit_ok(dst);
    cr_assert(eq(str, (char *)first_name_of(dst, "ann"), "New"));
    cr_assert(eq(int, consent_email_of(dst, "ann"), STATE_CONSENT_OPTED_OUT));
    cr_assert(eq(i64, email_sent_of(dst, "ann"), T0_MS + 9));
    state_store_close(src);
    state_store_close(dst);
}

/* The bytes the last put kept, as a string, or "(none)". */
static const char *kept_of(state_contact_table_t *t, const char *contact, uint16_t rec,
                           size_t len) {
    static char out[256];
    uint8_t key[2 + 64];
    const uint8_t *v = state_contact_table_put_kept(t, key, ckey_of(key, contact), rec);
    if (!v)
        return "(none)";
    cr_assert_lt(len, sizeof out);
    memcpy(out, v, len);
    out[len] = '\0';
    return out;
}

Test(state_contact_table, a_put_s_kept_bytes_are_what_a_get_answers) {
    state_contact_table_t *t = NULL;
    cr_assert(eq(int, state_contact_table_open(&t, SMALL_BUDGET_BYTES), SY_OK));
    put(t, "ann", STATE_CONTACT_REC_PROFILE, "p1");
    cr_assert(eq(str, (char *)kept_of(t, "ann", STATE_CONTACT_REC_PROFILE, 2), "p1"));
    put(t, "ann", STATE_CONTACT_REC_CONSENT, "c-longer-than-the-entry-had-room-for-so-moved");
    cr_assert(eq(str, (char *)kept_of(t, "ann", STATE_CONTACT_REC_CONSENT, 45),
                 "c-longer-than-the-entry-had-room-for-so-moved"));
    const uint8_t *v = NULL;
    size_t len = 0;
    cr_assert(eq(int, get(t, "ann", STATE_CONTACT_REC_CONSENT, &v, &len), STATE_CACHE_HIT));
    uint8_t key[2 + 64];
    cr_assert(eq(ptr, (void *)state_contact_table_put_kept(t, key, ckey_of(key, "ann"),
                                                           STATE_CONTACT_REC_CONSENT),
                 (void *)v), "the table's own bytes");
    put(t, "ann", STATE_CONTACT_REC_ENGAGEMENT, NULL);
    cr_assert(eq(str, (char *)kept_of(t, "ann", STATE_CONTACT_REC_ENGAGEMENT, 0), "(none)"),
              "a record put as none keeps no bytes");
    static char too_long[STATE_CONTACT_VALUE_BYTES_MAX + 2];
    memset(too_long, 'x', sizeof too_long - 1);
    put(t, "bob", STATE_CONTACT_REC_PROFILE, too_long);
    cr_assert(eq(str, (char *)kept_of(t, "bob", STATE_CONTACT_REC_PROFILE, 0), "(none)"),
              "a value too long to keep");
    cr_assert(eq(str, (char *)kept_of(t, "ann", STATE_CONTACT_REC_PROFILE, 2), "(none)"),
              "only the last put's contact");
    state_contact_table_close(t);
}

Test(state_contact_table, entries_reused_after_eviction_hold_only_their_own_records) {
    state_contact_table_t *t = NULL;
    char contact[32], value[64];
    cr_assert(eq(int, state_contact_table_open(&t, SMALL_BUDGET_BYTES), SY_OK));
    for (int i = 0; i < 5000; i++) { /* many evictions: entries come back as new ones */
        snprintf(contact, sizeof contact, "contact-%d", i);
        snprintf(value, sizeof value, "profile %d", i);
        put(t, contact, STATE_CONTACT_REC_PROFILE, value);
        if (i % 3 == 0) {
            snprintf(value, sizeof value, "consent %d", i);
            put(t, contact, STATE_CONTACT_REC_CONSENT, value);
        }
        snprintf(value, sizeof value, "profile %d", i);
        cr_assert(eq(str, (char *)value_of(t, contact, STATE_CONTACT_REC_PROFILE), value));
        cr_assert(eq(str, (char *)value_of(t, contact, STATE_CONTACT_REC_EVENT_IDS), "(miss)"),
                  "contact %d: no record of an entry it reused", i);
        if (i % 3) {
            cr_assert(eq(str, (char *)value_of(t, contact, STATE_CONTACT_REC_CONSENT),
                         "(miss)"));
        }
    }
    state_cache_stats_t st;
    state_contact_table_stats_get(t, &st);
    cr_assert_gt(st.evictions, 1000);
    cr_assert_leq(st.bytes, SMALL_BUDGET_BYTES);
    state_contact_table_close(t);
}

/* What a drop hook was handed: how many records. */
static void hand_count(void *ctx, const uint8_t *ckey, size_t ckey_len, uint16_t rec,
                       const uint8_t *value, size_t value_len) {
    (void)ckey, (void)ckey_len, (void)rec, (void)value, (void)value_len;
    ++*(int *)ctx;
}

/* Record j of churned contact i: one of six kinds, a value whose length varies with i and
 * j (so entries grow through many capacities), or none for some. */
static uint16_t churn_rec(int j) {
    static const uint16_t recs[] = {
        STATE_CONTACT_REC_PROFILE,      STATE_CONTACT_REC_CONSENT,
        STATE_CONTACT_REC_EVENT_IDS,    STATE_CONTACT_REC_ENGAGEMENT,
        STATE_CONTACT_REC_INSTANCE | 0, STATE_CONTACT_REC_INSTANCE | 1};
    return recs[j];
}

static const char *churn_value(int i, int j, char *buf, size_t size) {
    if ((i + j) % 7 == 3)
        return NULL;
    int len = snprintf(buf, size, "c%d r%d ", i, j);
    int want = 8 + (i * 13 + j * 29) % 150;
    cr_assert_lt((size_t)want, size);
    for (; len < want; len++)
        buf[len] = (char)('a' + (i + len) % 26);
    buf[len] = '\0';
    return buf;
}

/* A table that churns through many times the contacts its budget holds (each eviction's
 * block taken for the next new contact, entries remade as their records arrive) answers
 * every record as put right after the put, every record of a contact after its last put,
 * and nothing it was not put; it stays within its budget without keeping fewer contacts
 * than it has room for, and hands every record a commit put to the drop hook or keeps it. */
Test(state_contact_table, a_churning_table_answers_as_put_within_its_budget) {
    state_contact_table_t *t = NULL;
    char contact[32], buf[256];
    uint8_t key[2 + 64];
    int committed = 0, handed = 0, held = 0;
    cr_assert(eq(int, state_contact_table_open(&t, SMALL_BUDGET_BYTES), SY_OK));
    state_contact_table_on_drop(t, hand_count, &handed);
    for (int i = 0; i < 20000; i++) {
        snprintf(contact, sizeof contact, "contact-%d", i);
        size_t len = ckey_of(key, contact);
        int records = 1 + i % 6;
        for (int j = 0; j < records; j++) {
            const char *v = churn_value(i, j, buf, sizeof buf);
            size_t vlen = v ? strlen(v) : 0;
            bool kept = i % 2 ? state_contact_table_put_committed(t, key, len, churn_rec(j),
                                                                  (const uint8_t *)v, vlen)
                              : state_contact_table_put(t, key, len, churn_rec(j),
                                                        (const uint8_t *)v, vlen);
            committed += i % 2;
            cr_assert(kept, "contact %d record %d not kept", i, j);
            cr_assert(eq(str, (char *)value_of(t, contact, churn_rec(j)),
                         (char *)(v ? v : "(absent)")), "contact %d record %d", i, j);
            state_cache_stats_t st;
            state_contact_table_stats_get(t, &st);
            cr_assert_leq(st.bytes, SMALL_BUDGET_BYTES, "%zu bytes at contact %d", st.bytes, i);
        }
        for (int j = 0; j < 6; j++) {
            const char *v = j < records ? churn_value(i, j, buf, sizeof buf) : "(miss)";
            cr_assert(eq(str, (char *)value_of(t, contact, churn_rec(j)),
                         (char *)(v ? v : "(absent)")), "contact %d record %d after its last put",
                      i, j);
        }
    }
    state_cache_stats_t st;
    state_contact_table_stats_get(t, &st);
    cr_assert_gt(st.evictions, 15000);
    cr_assert_gt(st.entries, 120, "the budget holds only %zu contacts", st.entries);
    state_contact_table_each_committed(t, hand_count, &held);
    cr_assert(eq(int, handed + held, committed), "%d handed, %d held of %d", handed, held,
              committed);
    state_contact_table_close(t);
}
