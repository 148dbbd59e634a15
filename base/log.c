/* log.c — stderr lines with a UTC timestamp; one fprintf per line keeps lines whole. */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "sy_clock.h"
#include "sy_time.h"

static atomic_int log_max_level = LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_level_set(log_level_t level) { atomic_store(&log_max_level, (int)level); }

void log_write(log_level_t level, const char *fmt, ...) {
    if ((int)level > atomic_load(&log_max_level))
        return;
    char message[1024], stamp[SY_TIME_TEXT_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    sy_time_format_ms(sy_clock_wall_ms(), stamp);
    fprintf(stderr, "%s switchyard %s: %s\n", stamp, level_names[level], message);
}
