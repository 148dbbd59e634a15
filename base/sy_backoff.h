/* sy_backoff.h — how switchyard waits before trying again: bounded exponential backoff
 * with jitter (each caller owns its state; no globals), and a sleep that wakes early when
 * the caller's stop flag is set. For retry loops around the broker and the like; not a
 * scheduler and not a timer wheel (state/ keeps the journeys' timers). */
#ifndef SY_BACKOFF_H
#define SY_BACKOFF_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* A sleep looks at its stop flag at least this often: a stop request is honoured within
 * this bound plus the time the interrupted call itself takes. */
#define SY_BACKOFF_STOP_CHECK_MS 50

/* One retry loop's backoff. Fields are private; initialise with sy_backoff_init. */
typedef struct sy_backoff {
    int64_t initial_ms; /* the first step */
    int64_t max_ms;     /* no delay is longer */
    int64_t step_ms;    /* the current step: doubles after every delay, up to max_ms */
    uint64_t jitter;    /* xorshift64 state, never 0 */
    uint32_t attempts;  /* delays handed out since the last reset */
} sy_backoff_t;

/* Start a backoff whose delays grow from initial_ms to max_ms (1 <= initial_ms <= max_ms;
 * out-of-range values are clamped). seed feeds the jitter (any value; pass something that
 * differs between processes, such as sy_clock_mono_us(), so instances do not retry in
 * step). */
void sy_backoff_init(sy_backoff_t *b, int64_t initial_ms, int64_t max_ms, uint64_t seed);

/* The next delay, in ms: "equal jitter", half the current step plus a random part of the
 * other half, so a delay is in [step/2, step] and never above max_ms. Doubles the step. */
int64_t sy_backoff_next_ms(sy_backoff_t *b);

/* After a success: the next delay starts from initial_ms again. */
void sy_backoff_reset(sy_backoff_t *b);

/* Delays handed out since init or the last reset (the retries of the current failure). */
uint32_t sy_backoff_attempts(const sy_backoff_t *b);

/* Sleep ms, waking every SY_BACKOFF_STOP_CHECK_MS to look at *stop (stop may be NULL:
 * sleep the whole time). Signals do not shorten the sleep unless they set *stop.
 * Returns false when *stop was set (before or during the sleep), true otherwise. */
bool sy_backoff_sleep_ms(int64_t ms, const atomic_int *stop);

/* sy_backoff_sleep_ms(sy_backoff_next_ms(b), stop): the usual wait between two tries. */
bool sy_backoff_wait(sy_backoff_t *b, const atomic_int *stop);

#endif
