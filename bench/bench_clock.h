/* bench_clock.h — the clocks the benchmarks time with: monotonic wall seconds, and the
 * CPU seconds (user + system, every thread) of the whole process. Header-only: each
 * benchmark is its own executable. Not a timer for tests: timings stay in bench/. */
#ifndef SY_BENCH_CLOCK_H
#define SY_BENCH_CLOCK_H

#include <sys/resource.h>
#include <time.h>

static inline double bench_seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline double bench_cpu_seconds_now(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

#endif
