/* runner_retry.c — the wait between two tries of a failing Kafka call in the runner:
 * bounded exponential backoff with jitter (sy_backoff.h) shared by the runner's retry
 * loops, the retry line rate-limited, and a stop request honoured within a bounded time.
 * Not the decision whether to retry: each loop classifies its own errors. */
#include <assert.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

void runner_retry_init(runner_t *r) {
    assert(r != NULL && r->stop != NULL);
    sy_backoff_init(&r->retry, RUNNER_RETRY_INITIAL_MS, RUNNER_RETRY_MAX_MS,
                    (uint64_t)sy_clock_mono_us() ^ (uint64_t)(uintptr_t)r);
    r->retry_log = (log_limit_t){.interval_ms = RUNNER_WAIT_LOG_MS};
}

bool runner_retry_wait(runner_t *r, int64_t tried_at_ms, const char *why) {
    assert(r->retry_log.interval_ms > 0 && tried_at_ms <= sy_clock_mono_ms());
    if (why)
        log_write_limited(&r->retry_log, LOG_WARN, "%s; retrying", why);
    admin_loop_turned(r->admin); /* waiting with backoff is the loop doing its job */
    /* The try itself counts towards the delay: a call that blocked its whole timeout is
     * tried again at once, one that failed at once waits the whole delay. */
    int64_t delay = sy_backoff_next_ms(&r->retry) - (sy_clock_mono_ms() - tried_at_ms);
    if (!atomic_load(r->stop))
        sy_backoff_sleep_ms(delay, r->stop);
    if (!atomic_load(r->stop))
        return true;
    /* Stopping: a call in flight (a commit) gets a short grace to finish, then no more. */
    int64_t now = sy_clock_mono_ms();
    if (!r->stop_seen_ms)
        r->stop_seen_ms = now;
    if (now - r->stop_seen_ms >= RUNNER_STOP_GRACE_MS)
        return false;
    sy_backoff_sleep_ms(delay < RUNNER_RETRY_INITIAL_MS ? delay : RUNNER_RETRY_INITIAL_MS,
                        NULL);
    return true;
}

void runner_retry_reset(runner_t *r) {
    assert(r->retry_log.interval_ms > 0); /* runner_retry_init ran */
    sy_backoff_reset(&r->retry);
}
