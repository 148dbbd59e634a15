/* sy_backoff.c — bounded exponential backoff with equal jitter and a stop-aware sleep
 * (sy_backoff.h). The jitter is a per-backoff xorshift64: good enough to spread retries,
 * not a source of randomness for anything else. */
#include "sy_backoff.h"

#include <time.h>

#include "sy_clock.h"
#include "sy_hash.h"

void sy_backoff_init(sy_backoff_t *b, int64_t initial_ms, int64_t max_ms, uint64_t seed) {
    b->initial_ms = initial_ms < 1 ? 1 : initial_ms;
    b->max_ms = max_ms < b->initial_ms ? b->initial_ms : max_ms;
    b->step_ms = b->initial_ms;
    b->jitter = sy_hash_mix64(seed) | 1; /* xorshift's state must not be 0 */
    b->attempts = 0;
}

static uint64_t jitter_next(sy_backoff_t *b) {
    uint64_t x = b->jitter;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b->jitter = x;
    return x;
}

int64_t sy_backoff_next_ms(sy_backoff_t *b) {
    int64_t half = b->step_ms / 2;
    int64_t delay = half + (int64_t)(jitter_next(b) % (uint64_t)(b->step_ms - half + 1));
    b->step_ms = b->step_ms > b->max_ms / 2 ? b->max_ms : b->step_ms * 2;
    b->attempts++;
    return delay;
}

void sy_backoff_reset(sy_backoff_t *b) {
    b->step_ms = b->initial_ms;
    b->attempts = 0;
}

uint32_t sy_backoff_attempts(const sy_backoff_t *b) { return b->attempts; }

bool sy_backoff_sleep_ms(int64_t ms, const atomic_int *stop) {
    int64_t end = sy_clock_mono_ms() + (ms > 0 ? ms : 0);
    for (;;) {
        if (stop && atomic_load(stop))
            return false;
        int64_t left = end - sy_clock_mono_ms();
        if (left <= 0)
            return true;
        int64_t slice = left < SY_BACKOFF_STOP_CHECK_MS ? left : SY_BACKOFF_STOP_CHECK_MS;
        struct timespec ts = {slice / 1000, (long)(slice % 1000) * 1000000L};
        /* EINTR: a signal came; the loop looks at *stop and sleeps what is left. */
        (void)nanosleep(&ts, NULL);
    }
}

bool sy_backoff_wait(sy_backoff_t *b, const atomic_int *stop) {
    return sy_backoff_sleep_ms(sy_backoff_next_ms(b), stop);
}
