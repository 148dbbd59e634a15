/* support_clock.c — the tests' clocks (support_clock.h). */
#include "support_clock.h"

#include <errno.h>
#include <time.h>

static long long support_clock_ms(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long support_clock_now_ms(void) {
    return support_clock_ms(CLOCK_MONOTONIC);
}

long long support_clock_wall_ms(void) {
    return support_clock_ms(CLOCK_REALTIME);
}

void support_clock_sleep_ms(long ms) {
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
