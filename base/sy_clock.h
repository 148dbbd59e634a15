/* sy_clock.h — the two clocks of switchyard: the wall clock (epoch time, for stamps and
 * processing-time mode) and the monotonic clock (for intervals, timeouts and rates), in
 * ms or us. Not event time (that comes from the records) and not CPU time (bench/). */
#ifndef SY_CLOCK_H
#define SY_CLOCK_H

#include <stdint.h>

/* Wall-clock time since the Unix epoch (CLOCK_REALTIME): may jump when the system clock
 * is set; never use it to measure an interval. Any thread. */
int64_t sy_clock_wall_ms(void);
int64_t sy_clock_wall_us(void);

/* Monotonic time since an unspecified start (CLOCK_MONOTONIC): only differences mean
 * something. Any thread. */
int64_t sy_clock_mono_ms(void);
int64_t sy_clock_mono_us(void);

/* Monotonic seconds as a double, for rates and durations printed with decimals. */
double sy_clock_mono_s(void);

#endif
