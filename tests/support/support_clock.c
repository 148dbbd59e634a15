/* support_clock.c — the tests' sleep (support_clock.h). */
#include "support_clock.h"

#include <errno.h>
#include <time.h>

void support_clock_sleep_ms(long ms) {
    if (ms <= 0)
        return;
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}
