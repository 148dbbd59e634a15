/* store_fixture.c — the state unit tests' in-memory stores and their changelog round trip
 * (store_fixture.h). */
#include "store_fixture.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

store_fixture_t sf;

static state_store_t *store_open(const char *name) {
    state_store_t *s = NULL;
    sy_err_t err = state_store_open(&s, name, true, STATE_CACHE_BYTES_DEFAULT, sf.errbuf,
                                    sizeof sf.errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s): %d %s", name, err, sf.errbuf);
    return s;
}

void store_fixture_open(const char *name) {
    memset(&sf, 0, sizeof sf);
    snprintf(sf.name, sizeof sf.name, "%s", name);
    sf.store = store_open(name);
}

void store_fixture_close(void) {
    state_store_close(sf.store);
    state_store_close(sf.copy);
    sf.store = sf.copy = NULL;
}

sy_err_t store_fixture_replay_op(void *ctx, state_changelog_cf_t cf, int32_t partition,
                                 const uint8_t *key, size_t key_len, const uint8_t *value,
                                 size_t value_len) {
    (void)partition;
    return state_store_changelog_apply(ctx, cf, key, key_len, value, value_len, sf.errbuf,
                                       sizeof sf.errbuf);
}

void store_fixture_copy_commit(void) {
    char name[80];
    snprintf(name, sizeof name, "%s-copy", sf.name);
    sf.copy = store_open(name);
    cr_assert(eq(int, state_store_pending_each(sf.store, store_fixture_replay_op, sf.copy),
                 SY_OK), "%s", sf.errbuf);
    cr_assert(eq(int, state_store_commit(sf.store, sf.errbuf, sizeof sf.errbuf), SY_OK), "%s",
              sf.errbuf);
    cr_assert(eq(int, state_store_commit(sf.copy, sf.errbuf, sizeof sf.errbuf), SY_OK), "%s",
              sf.errbuf);
}

void store_fixture_expect_bad_value_refused(state_changelog_cf_t cf) {
    uint8_t bad[] = {1, 2, 3};
    uint8_t key[] = {0, 0, 'a', 'n', 'n'};
    cr_assert_not_null(sf.copy, "no copy: store_fixture_copy_commit first");
    sy_err_t err = state_store_changelog_apply(sf.copy, cf, key, sizeof key, bad, sizeof bad,
                                               sf.errbuf, sizeof sf.errbuf);
    cr_assert(eq(int, err, SY_ERR_INVALID_ARG), "cf %d: a bad value gave %d", (int)cf, err);
}
