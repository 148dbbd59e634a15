/* support_clock.h — the clocks of the tests' bounded waits: monotonic and wall-clock
 * milliseconds, and a sleep that resumes after signals. Test code only; the program's own
 * clock is not this one. */
#ifndef SUPPORT_CLOCK_H
#define SUPPORT_CLOCK_H

/* Milliseconds of CLOCK_MONOTONIC: for deadlines and durations. */
long long support_clock_now_ms(void);

/* Milliseconds since the Unix epoch (CLOCK_REALTIME): for record timestamps. */
long long support_clock_wall_ms(void);

/* Sleeps ms milliseconds (none when ms <= 0), resuming after interruptions. */
void support_clock_sleep_ms(long ms);

#endif
