/* sy_clock.c — CLOCK_REALTIME and CLOCK_MONOTONIC read in the units switchyard counts in
 * (see sy_clock.h). One clock_gettime per call, no caching, no state. */
#include "sy_clock.h"

#include <time.h>

static struct timespec clock_read(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts;
}

int64_t sy_clock_wall_ms(void) {
    struct timespec ts = clock_read(CLOCK_REALTIME);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sy_clock_wall_us(void) {
    struct timespec ts = clock_read(CLOCK_REALTIME);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t sy_clock_mono_ms(void) {
    struct timespec ts = clock_read(CLOCK_MONOTONIC);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sy_clock_mono_us(void) {
    struct timespec ts = clock_read(CLOCK_MONOTONIC);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

double sy_clock_mono_s(void) {
    struct timespec ts = clock_read(CLOCK_MONOTONIC);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
