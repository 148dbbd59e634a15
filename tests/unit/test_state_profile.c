/* test_state_profile.c — unit tests of profiles in the state store (merge of set and
 * unset, sorted typed reads, reads by an instance key, limits, the pending batch, reopen,
 * a directory made before the profiles column family existed) and of the instance scan
 * used by migration. In-memory RocksDB, and a temp directory for the reopen tests. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <rocksdb/c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_store.h"
#include "tmpdir.h"

#define T0_MS 1727773200000LL /* 2024-10-01T09:00:00Z */

static char errbuf[1024];
static sy_profile_update_t update;                   /* large: kept off the stack */
static sy_attr_t attrs[SY_PROFILE_ATTRS_MAX + 8];
static char buf[STATE_PROFILE_BYTES_MAX];
static char names[SY_PROFILE_ATTRS_MAX + 8][16];
static size_t attrs_count;

static state_store_t *open_store(const char *dir, bool in_memory) {
    state_store_t *s = NULL;
    errbuf[0] = '\0';
    sy_err_t err = state_store_open(&s, dir, in_memory, STATE_CACHE_BYTES_DEFAULT, errbuf,
                                    sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s) returned %d; errbuf: %s", dir, err,
              errbuf);
    return s;
}

static void update_reset(const char *contact_id) {
    memset(&update, 0, sizeof update);
    update.contact_id = contact_id;
    update.updated_at_ms = T0_MS;
}

static void set_value(const char *name, sy_value_t value) {
    update.set[update.set_count].name = name;
    update.set[update.set_count++].value = value;
}

static sy_value_t v_string(const char *s) {
    return (sy_value_t){.kind = SY_VALUE_STRING, .u.s = s};
}

static sy_value_t v_long(int64_t l) { return (sy_value_t){.kind = SY_VALUE_LONG, .u.l = l}; }

static void apply_ok(state_store_t *s, int32_t partition) {
    errbuf[0] = '\0';
    sy_err_t err = state_store_profile_apply(s, partition, &update, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "profile_apply returned %d; errbuf: %s", err, errbuf);
}

static void get_ok(state_store_t *s, int32_t partition, const char *contact_id) {
    errbuf[0] = '\0';
    sy_err_t err = state_store_profile_get(s, partition, contact_id, attrs,
                                           SY_PROFILE_ATTRS_MAX, &attrs_count, buf,
                                           sizeof buf, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "profile_get returned %d; errbuf: %s", err, errbuf);
}

static void commit_ok(state_store_t *s) {
    sy_err_t err = state_store_commit(s, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "commit returned %d; errbuf: %s", err, errbuf);
}

static void assert_string_attr(size_t i, const char *name, const char *value) {
    cr_assert(eq(str, (char *)attrs[i].name, (char *)name), "attr %zu is %s, expected %s", i,
              attrs[i].name,
              name);
    cr_assert(eq(int, attrs[i].value.kind, SY_VALUE_STRING), "%s has kind %d", name,
              attrs[i].value.kind);
    cr_assert(eq(str, (char *)attrs[i].value.u.s, (char *)value), "%s = %s, expected %s", name,
              attrs[i].value.u.s, value);
}

Test(state_profile, contact_without_profile_reads_as_zero_attributes) {
    state_store_t *s = open_store("p_none", true);
    attrs_count = 99;
    get_ok(s, 0, "nobody");
    cr_assert(eq(sz, attrs_count, 0), "attrs_count = %zu, expected 0", attrs_count);
    state_store_close(s);
}

Test(state_profile, apply_merges_sets_and_unsets_and_reads_sorted) {
    state_store_t *s = open_store("p_merge", true);
    update_reset("c-1");
    set_value("tier", v_string("gold"));
    set_value("locale", v_string("fr_FR"));
    set_value("timezone", v_string("Europe/Paris"));
    apply_ok(s, 3);
    update_reset("c-1");
    set_value("tier", v_string("platinum"));
    set_value("device", v_string("ios"));
    update.unset[update.unset_count++] = "locale";
    update.unset[update.unset_count++] = "never_set";
    apply_ok(s, 3);
    get_ok(s, 3, "c-1");
    cr_assert(eq(sz, attrs_count, 3), "attrs_count = %zu, expected 3", attrs_count);
    assert_string_attr(0, "device", "ios");
    assert_string_attr(1, "tier", "platinum");
    assert_string_attr(2, "timezone", "Europe/Paris");
    state_store_close(s);
}

/* By an instance key's contact part (a journey set after it or not): the profile the
 * contact's id reads. */
Test(state_profile, a_read_by_an_instance_key_is_the_one_by_the_id) {
    state_store_t *s = open_store("p_key", true);
    update_reset("c-7");
    set_value("tier", v_string("gold"));
    apply_ok(s, 5);
    state_instance_key_t key;
    cr_assert(eq(int, state_instance_key_contact(&key, 5, "c-7"), SY_OK));
    cr_assert(eq(int, state_instance_key_journey(&key, "promo", -1), SY_OK));
    sy_err_t err = state_store_profile_get_at(s, &key, attrs, SY_PROFILE_ATTRS_MAX,
                                              &attrs_count, buf, sizeof buf, errbuf,
                                              sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "profile_get_at: %s", errbuf);
    cr_assert(eq(sz, attrs_count, 1), "attrs_count = %zu, expected 1", attrs_count);
    assert_string_attr(0, "tier", "gold");
    cr_assert(eq(int, state_instance_key_contact(&key, 4, "c-7"), SY_OK));
    err = state_store_profile_get_at(s, &key, attrs, SY_PROFILE_ATTRS_MAX, &attrs_count, buf,
                                     sizeof buf, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "profile_get_at: %s", errbuf);
    cr_assert(eq(sz, attrs_count, 0), "another partition's c-7 has no profile");
    state_store_close(s);
}

Test(state_profile, name_both_unset_and_set_in_one_update_ends_up_set) {
    state_store_t *s = open_store("p_both", true);
    update_reset("c-1");
    set_value("tier", v_string("gold"));
    update.unset[update.unset_count++] = "tier";
    apply_ok(s, 0);
    get_ok(s, 0, "c-1");
    cr_assert(eq(sz, attrs_count, 1), "attrs_count = %zu, expected 1", attrs_count);
    assert_string_attr(0, "tier", "gold");
    state_store_close(s);
}

Test(state_profile, types_are_kept) {
    state_store_t *s = open_store("p_types", true);
    update_reset("c-1");
    set_value("a_null", (sy_value_t){.kind = SY_VALUE_NULL});
    set_value("b_bool", (sy_value_t){.kind = SY_VALUE_BOOL, .u.b = true});
    set_value("c_long", v_long(-1234567890123LL));
    set_value("d_double", (sy_value_t){.kind = SY_VALUE_DOUBLE, .u.d = 42.125});
    set_value("e_string", v_string(""));
    set_value("f_max", v_long(INT64_MAX));
    set_value("g_min", v_long(INT64_MIN));
    apply_ok(s, 1);
    commit_ok(s);
    get_ok(s, 1, "c-1");
    cr_assert(eq(sz, attrs_count, 7), "attrs_count = %zu, expected 7", attrs_count);
    cr_assert(eq(int, attrs[0].value.kind, SY_VALUE_NULL), "a_null kind %d", attrs[0].value.kind);
    cr_assert(eq(int, attrs[1].value.kind, SY_VALUE_BOOL), "b_bool kind %d", attrs[1].value.kind);
    cr_assert(attrs[1].value.u.b, "b_bool is false");
    cr_assert(eq(int, attrs[2].value.kind, SY_VALUE_LONG), "c_long kind %d", attrs[2].value.kind);
    cr_assert(eq(i64, attrs[2].value.u.l, -1234567890123LL), "c_long = %lld",
              (long long)attrs[2].value.u.l);
    cr_assert(eq(int, attrs[3].value.kind, SY_VALUE_DOUBLE), "d_double kind %d",
              attrs[3].value.kind);
    cr_assert(eq(dbl, attrs[3].value.u.d, 42.125), "d_double = %g", attrs[3].value.u.d);
    assert_string_attr(4, "e_string", "");
    cr_assert(eq(i64, attrs[5].value.u.l, INT64_MAX), "f_max = %lld",
              (long long)attrs[5].value.u.l);
    cr_assert(eq(i64, attrs[6].value.u.l, INT64_MIN), "g_min = %lld",
              (long long)attrs[6].value.u.l);
    state_store_close(s);
}

static void fill_names(size_t count, size_t first) {
    for (size_t i = 0; i < count; i++) {
        snprintf(names[i], sizeof names[i], "attr%05zu", first + i);
        set_value(names[i], v_long((int64_t)i));
    }
}

Test(state_profile, attribute_count_over_the_limit_is_refused_and_nothing_changes) {
    state_store_t *s = open_store("p_count", true);
    update_reset("c-1");
    fill_names(SY_PROFILE_ATTRS_MAX, 0);
    apply_ok(s, 0);
    update_reset("c-1");
    set_value("one_more", v_long(1));
    sy_err_t err = state_store_profile_apply(s, 0, &update, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_LIMIT), "apply returned %d, expected SY_ERR_LIMIT", err);
    get_ok(s, 0, "c-1");
    cr_assert(eq(sz, attrs_count, SY_PROFILE_ATTRS_MAX), "attrs_count = %zu, expected %d",
              attrs_count, SY_PROFILE_ATTRS_MAX);
    /* Replacing an existing attribute at the limit is fine. */
    update_reset("c-1");
    set_value("attr00007", v_string("replaced"));
    apply_ok(s, 0);
    get_ok(s, 0, "c-1");
    assert_string_attr(7, "attr00007", "replaced");
    state_store_close(s);
}

Test(state_profile, a_profile_of_1024_attributes_round_trips_and_1025_is_refused) {
    state_store_t *s = open_store("p_1024", true);
    cr_assert(eq(int, SY_PROFILE_ATTRS_MAX, 1024), "a profile holds up to 1,024 attributes");
    update_reset("c-1");
    fill_names(SY_PROFILE_ATTRS_MAX, 0);
    update.set[5].value = v_string("five"); /* a string among the longs */
    apply_ok(s, 1);
    commit_ok(s);
    get_ok(s, 1, "c-1");
    cr_assert(eq(sz, attrs_count, 1024), "attrs_count = %zu", attrs_count);
    for (size_t i = 0; i < attrs_count; i++)
        if (i != 5)
            cr_assert(eq(i64, attrs[i].value.u.l, (int64_t)i), "%s = %lld", attrs[i].name,
                      (long long)attrs[i].value.u.l);
    assert_string_attr(5, "attr00005", "five");
    update_reset("c-1");
    set_value("attr99999", v_long(1));
    sy_err_t err = state_store_profile_apply(s, 1, &update, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_LIMIT), "apply returned %d, expected SY_ERR_LIMIT", err);
    cr_assert(eq(str, errbuf, "profile of c-1 would have more than 1024 attributes"),
              "reason: %s", errbuf);
    state_store_close(s);
}

Test(state_profile, encoded_size_over_the_limit_is_refused) {
    state_store_t *s = open_store("p_bytes", true);
    static char big[STATE_PROFILE_BYTES_MAX / 4];
    memset(big, 'x', sizeof big - 1);
    update_reset("c-1");
    for (int i = 0; i < 4; i++) {
        snprintf(names[i], sizeof names[i], "big%d", i);
        set_value(names[i], v_string(big));
    }
    sy_err_t err = state_store_profile_apply(s, 0, &update, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_LIMIT), "apply returned %d, expected SY_ERR_LIMIT", err);
    get_ok(s, 0, "c-1");
    cr_assert(eq(sz, attrs_count, 0), "attrs_count = %zu, expected 0", attrs_count);
    state_store_close(s);
}

Test(state_profile, read_with_fewer_slots_than_attributes_is_a_limit_error) {
    state_store_t *s = open_store("p_slots", true);
    update_reset("c-1");
    fill_names(3, 0);
    apply_ok(s, 0);
    sy_err_t err = state_store_profile_get(s, 0, "c-1", attrs, 2, &attrs_count, buf,
                                           sizeof buf, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_LIMIT), "get returned %d, expected SY_ERR_LIMIT", err);
    state_store_close(s);
}

Test(state_profile, over_long_contact_id_is_a_limit_error) {
    state_store_t *s = open_store("p_long", true);
    char id[SY_ID_BYTES_MAX + 2];
    memset(id, 'c', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    update_reset(id);
    set_value("tier", v_string("gold"));
    sy_err_t err = state_store_profile_apply(s, 0, &update, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_LIMIT), "apply returned %d, expected SY_ERR_LIMIT", err);
    state_store_close(s);
}

Test(state_profile, visible_before_commit_and_abort_drops_it) {
    state_store_t *s = open_store("p_abort", true);
    update_reset("c-1");
    set_value("tier", v_string("gold"));
    apply_ok(s, 2);
    commit_ok(s);
    update_reset("c-1");
    set_value("tier", v_string("silver"));
    set_value("vip", (sy_value_t){.kind = SY_VALUE_BOOL, .u.b = false});
    apply_ok(s, 2);
    get_ok(s, 2, "c-1");
    cr_assert(eq(sz, attrs_count, 2), "pending: attrs_count = %zu, expected 2", attrs_count);
    assert_string_attr(0, "tier", "silver");
    state_store_abort(s);
    get_ok(s, 2, "c-1");
    cr_assert(eq(sz, attrs_count, 1), "after abort: attrs_count = %zu, expected 1", attrs_count);
    assert_string_attr(0, "tier", "gold");
    /* Another partition's contact of the same id is another profile. */
    get_ok(s, 3, "c-1");
    cr_assert(eq(sz, attrs_count, 0), "partition 3: attrs_count = %zu, expected 0", attrs_count);
    state_store_close(s);
}

static char tmp_root[64];

static void dir_make(void) {
    snprintf(tmp_root, sizeof tmp_root, "/tmp/sy-profile-test-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_root), "mkdtemp failed");
}

static void dir_remove(void) {
    if (tmp_root[0])
        tmpdir_remove(tmp_root);
    tmp_root[0] = '\0';
}

Test(state_profile, persists_across_reopen, .init = dir_make, .fini = dir_remove) {
    state_store_t *s = open_store(tmp_root, false);
    update_reset("c-1");
    set_value("tier", v_string("gold"));
    set_value("ltv", v_long(1200));
    apply_ok(s, 7);
    commit_ok(s);
    state_store_close(s);
    s = open_store(tmp_root, false);
    get_ok(s, 7, "c-1");
    cr_assert(eq(sz, attrs_count, 2), "attrs_count = %zu, expected 2", attrs_count);
    cr_assert(eq(str, (char *)attrs[0].name, "ltv"), "attr 0 is %s", attrs[0].name);
    cr_assert(eq(i64, attrs[0].value.u.l, 1200), "ltv = %lld", (long long)attrs[0].value.u.l);
    assert_string_attr(1, "tier", "gold");
    state_store_close(s);
}

/* A directory written before profiles existed has three column families only. */
static void make_old_store(const char *dir) {
    const char *cf_names[] = {"default", "instances", "timers"};
    rocksdb_options_t *options = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(options, 1);
    rocksdb_options_set_create_missing_column_families(options, 1);
    const rocksdb_options_t *cf_options[] = {options, options, options};
    rocksdb_column_family_handle_t *cfs[3];
    char *rerr = NULL;
    rocksdb_t *db = rocksdb_open_column_families(options, dir, 3, cf_names, cf_options, cfs,
                                                 &rerr);
    cr_assert_null(rerr, "create old store: %s", rerr);
    for (int i = 0; i < 3; i++)
        rocksdb_column_family_handle_destroy(cfs[i]);
    rocksdb_close(db);
    rocksdb_options_destroy(options);
}

Test(state_profile, directory_without_profiles_family_still_opens,
     .init = dir_make, .fini = dir_remove) {
    make_old_store(tmp_root);
    state_store_t *s = open_store(tmp_root, false);
    update_reset("c-1");
    set_value("tier", v_string("gold"));
    apply_ok(s, 0);
    commit_ok(s);
    state_store_close(s);
    s = open_store(tmp_root, false);
    get_ok(s, 0, "c-1");
    cr_assert(eq(sz, attrs_count, 1), "attrs_count = %zu, expected 1", attrs_count);
    state_store_close(s);
}

typedef struct scan_seen {
    int count;
    char contacts[16][32];
    int32_t versions[16];
    int stop_after; /* 0: never */
} scan_seen_t;

static int scan_visit(void *ctx, int32_t partition, const char *contact_id,
                      const state_instance_t *instance) {
    scan_seen_t *seen = ctx;
    cr_assert(eq(i32, partition, 5), "visited partition %d", partition);
    if (seen->count < 16) {
        snprintf(seen->contacts[seen->count], sizeof seen->contacts[0], "%s", contact_id);
        seen->versions[seen->count] = instance->journey_version;
    }
    seen->count++;
    return seen->stop_after && seen->count >= seen->stop_after;
}

static void put_instance(state_store_t *s, int32_t partition, const char *contact_id,
                         const char *journey_id, int32_t version) {
    state_instance_t in = {.status = STATE_INSTANCE_ACTIVE, .node = 1,
                           .journey_version = version, .occurrence = 1,
                           .entered_at_ms = T0_MS, .node_entered_at_ms = T0_MS};
    sy_err_t err = state_store_instance_put(s, partition, contact_id, journey_id, &in);
    cr_assert(eq(int, err, SY_OK), "instance_put returned %d", err);
}

Test(state_profile, scan_finds_exactly_the_journeys_committed_instances) {
    state_store_t *s = open_store("p_scan", true);
    put_instance(s, 5, "c-1", "promo", 1);
    put_instance(s, 5, "c-2", "promo", 2);
    put_instance(s, 5, "c-2", "promo_2", 1); /* a journey id the wanted one prefixes */
    put_instance(s, 5, "c-3", "pro", 1);     /* one that prefixes the wanted id */
    put_instance(s, 4, "c-4", "promo", 1);   /* another partition */
    put_instance(s, 6, "c-5", "promo", 1);
    commit_ok(s);
    put_instance(s, 5, "c-6", "promo", 1);   /* pending: not visited */
    scan_seen_t seen = {0};
    sy_err_t err = state_store_instances_scan(s, 5, "promo", scan_visit, &seen, errbuf,
                                              sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "scan returned %d; errbuf: %s", err, errbuf);
    cr_assert(eq(int, seen.count, 2), "visited %d instances, expected 2", seen.count);
    cr_assert(eq(str, seen.contacts[0], "c-1"), "first visit %s", seen.contacts[0]);
    cr_assert(eq(str, seen.contacts[1], "c-2"), "second visit %s", seen.contacts[1]);
    cr_assert(eq(i32, seen.versions[1], 2), "c-2 version %d", seen.versions[1]);
    scan_seen_t first = {.stop_after = 1};
    err = state_store_instances_scan(s, 5, "promo", scan_visit, &first, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "scan returned %d", err);
    cr_assert(eq(int, first.count, 1), "visit asked to stop after 1, visited %d", first.count);
    state_store_close(s);
}
