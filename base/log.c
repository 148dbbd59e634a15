/* log.c — stderr lines with a UTC timestamp; one fprintf per line keeps lines whole. */
#include "log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "sy_clock.h"
#include "sy_hash.h"
#include "sy_time.h"

static atomic_int log_max_level = LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_level_set(log_level_t level) { atomic_store(&log_max_level, (int)level); }

static void log_line(log_level_t level, const char *message) {
    char stamp[SY_TIME_TEXT_BYTES];
    sy_time_format_ms(sy_clock_wall_ms(), stamp);
    fprintf(stderr, "%s switchyard %s: %s\n", stamp, level_names[level], message);
}

void log_write(log_level_t level, const char *fmt, ...) {
    if ((int)level > atomic_load(&log_max_level))
        return;
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    log_line(level, message);
}

void log_write_limited(log_limit_t *limit, log_level_t level, const char *fmt, ...) {
    if ((int)level > atomic_load(&log_max_level))
        return;
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    size_t n = len < 0 ? 0 : (size_t)len < sizeof message ? (size_t)len : sizeof message - 1;
    uint64_t hash = sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, message, n);
    int64_t now = sy_clock_mono_ms();
    if (limit->last_ms && hash == limit->last_hash &&
        now - limit->last_ms < limit->interval_ms) {
        limit->suppressed++;
        return;
    }
    if (limit->suppressed)
        snprintf(message + n, sizeof message - n,
                 hash == limit->last_hash ? " (%" PRIu64 " repeated line(s) suppressed over %"
                                            PRId64 " ms)"
                                          : " (%" PRIu64 " repeat(s) of the line before "
                                            "suppressed over %" PRId64 " ms)",
                 limit->suppressed, now - limit->last_ms);
    limit->last_ms = now;
    limit->last_hash = hash;
    limit->suppressed = 0;
    log_line(level, message);
}
