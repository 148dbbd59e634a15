/* support_clock.h — the tests' bounded waits: a sleep that resumes after signals. The
 * clocks themselves are the program's (sy_clock.h: sy_clock_mono_ms for deadlines,
 * sy_clock_wall_ms for record timestamps), included here for the tests' convenience. */
#ifndef SUPPORT_CLOCK_H
#define SUPPORT_CLOCK_H

#include "sy_clock.h"

/* Sleeps ms milliseconds (none when ms <= 0), resuming after interruptions. */
void support_clock_sleep_ms(long ms);

#endif
