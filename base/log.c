/* log.c — stderr lines with a UTC timestamp; one fprintf per line keeps lines whole. */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

static atomic_int log_max_level = LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_level_set(log_level_t level) { atomic_store(&log_max_level, (int)level); }

void log_write(log_level_t level, const char *fmt, ...) {
    if ((int)level > atomic_load(&log_max_level))
        return;
    char message[1024], stamp[32];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ switchyard %s: %s\n", stamp, ts.tv_nsec / 1000000,
            level_names[level], message);
}
