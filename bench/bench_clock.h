/* bench_clock.h — the clocks the benchmarks time with: monotonic wall seconds (base's
 * sy_clock), and the CPU seconds (user + system, every thread) of the whole process.
 * Header-only: each benchmark is its own executable. Not a timer for tests. */
#ifndef SY_BENCH_CLOCK_H
#define SY_BENCH_CLOCK_H

#include <sys/resource.h>

#include "sy_clock.h"

static inline double bench_seconds_now(void) { return sy_clock_mono_s(); }

static inline double bench_cpu_seconds_now(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

#endif
