/* store_fixture.h — the in-memory state store the state unit tests share (test_admit.c,
 * test_consent.c): one store per test, and a second store filled from the first one's
 * changelog, as a restarted service restores its state. Test code: every helper asserts
 * with Criterion. Not the engine's fixture (tests/unit/engine_fixture.h). */
#ifndef STORE_FIXTURE_H
#define STORE_FIXTURE_H

#include "state_store.h"

typedef struct store_fixture {
    state_store_t *store; /* open between store_fixture_open and store_fixture_close */
    state_store_t *copy;  /* NULL until store_fixture_copy_commit */
    char name[64];
    char errbuf[1024];    /* detail of the last failing store call */
} store_fixture_t;

/* The fixture of the running test. */
extern store_fixture_t sf;

/* Open sf.store: a fresh in-memory store named name. For a suite's .init. */
void store_fixture_open(const char *name);

/* Close both stores. For a suite's .fini. */
void store_fixture_close(void);

/* Open sf.copy (named "<name>-copy"), apply sf.store's pending batch to it through the
 * changelog, and commit both. */
void store_fixture_copy_commit(void);

/* A state_changelog_op_fn: apply one changelog record to the store ctx, as a restore does
 * (an error's detail in sf.errbuf). */
sy_err_t store_fixture_replay_op(void *ctx, state_changelog_cf_t cf, int32_t partition,
                                 const uint8_t *key, size_t key_len, const uint8_t *value,
                                 size_t value_len);

/* A changelog record of cf whose value is not one (3 bytes of nonsense) is refused by
 * sf.copy with SY_ERR_INVALID_ARG. After store_fixture_copy_commit. */
void store_fixture_expect_bad_value_refused(state_changelog_cf_t cf);

#endif
