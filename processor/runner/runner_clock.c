/* runner_clock.c — the runner's clock: monotonic time for batch ages, deadlines, log
 * intervals and commit latency. Not the event time of the records (that comes from the
 * records and the engine's timers). */
#include <time.h>

#include "runner_int.h"

int64_t runner_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t runner_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
