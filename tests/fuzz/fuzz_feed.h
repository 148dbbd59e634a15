/* fuzz_feed.h — what the engine-driven fuzz targets share (fuzz_engine.c, fuzz_changelog.c)
 * and the changelog seed tool (seed_changelog.c): the example journeys loaded once, a run
 * of them over an in-memory store whose sink stops a run after FUZZ_OUTPUTS_MAX outputs,
 * and the feeding of events-file lines with "@TIME" / "@+DURATION" moves of stream time.
 * Test code only. */
#ifndef SY_FUZZ_FEED_H
#define SY_FUZZ_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

/* Outputs of one input at most: a journey that loops through a short wait produces one
 * per loop forever; the sink stops the engine there. */
#define FUZZ_OUTPUTS_MAX 20000
/* After an input, timers due within this long of the stream time fire (every example
 * journey ends within it). */
#define FUZZ_END_HORIZON_MS (INT64_C(400) * 24 * 3600 * 1000)

typedef struct fuzz_run fuzz_run_t;

/* Called with the run before each commit of its store (the seed tool reads the pending
 * batch there); NULL for none. */
typedef void fuzz_commit_hook_fn(fuzz_run_t *run, void *ctx);

struct fuzz_run {
    state_store_t *store;
    engine_t *engine;
    size_t outputs;
    fuzz_commit_hook_fn *before_commit;
    void *hook_ctx;
    char errbuf[512];
};

/* The example journeys (examples/journeys), loaded at the first call; aborts when they do
 * not load. */
const journey_set_t *fuzz_examples(void);

/* Open run's in-memory store (named name) and an engine of journeys over it; aborts on
 * failure. */
void fuzz_run_open(fuzz_run_t *run, const char *name, const journey_set_t *journeys);

void fuzz_run_close(fuzz_run_t *run);

/* Abort on an error that the input cannot cause: the in-memory store failed, or a contract
 * broke (SY_ERR_STATE, SY_ERR_INVALID_ARG, SY_ERR_NOMEM). who names the target. */
void fuzz_check(sy_err_t err, const fuzz_run_t *run, const char *who);

/* Commit run's store (the hook first). */
sy_err_t fuzz_commit(fuzz_run_t *run);

/* Feed the lines of text[0..size) (modified in place) to run's engine, one commit per line,
 * then fire what falls due within FUZZ_END_HORIZON_MS of the stream time. */
void fuzz_feed(fuzz_run_t *run, char *text, size_t size);

#endif
