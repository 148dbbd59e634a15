/* log.c — stderr lines with a UTC timestamp, as text or JSON; one fwrite per line keeps
 * lines whole. Not where lines are rate-limited or where levels are configured (the
 * config sets them through log_level_set and log_format_set). */
#include "log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "sy_clock.h"
#include "sy_hash.h"
#include "sy_time.h"

static atomic_int log_max_level = LOG_INFO;
static atomic_int log_format = LOG_FORMAT_TEXT;
/* Room kept after a JSON message for the component field and the closing "}\n". */
#define LOG_JSON_TAIL_BYTES 96

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void log_level_set(log_level_t level) { atomic_store(&log_max_level, (int)level); }

void log_format_set(log_format_t format) { atomic_store(&log_format, (int)format); }

/* One line of message to stderr in the configured format. */
static void log_emit(log_level_t level, const char *component, const char *message) {
    char line[LOG_LINE_BYTES_MAX];
    size_t len = log_line_format(line, sizeof line, (log_format_t)atomic_load(&log_format),
                                 sy_clock_wall_ms(), level, component, message);
    fwrite(line, 1, len, stderr);
}

static void log_vwrite(log_level_t level, const char *component, const char *fmt,
                       va_list ap) {
    if ((int)level > atomic_load(&log_max_level))
        return;
    char message[1024];
    vsnprintf(message, sizeof message, fmt, ap);
    log_emit(level, component, message);
}

void log_write(log_level_t level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(level, NULL, fmt, ap);
    va_end(ap);
}

void log_write_component(log_level_t level, const char *component, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_vwrite(level, component, fmt, ap);
    va_end(ap);
}

/* Append s to buf at *len as the inside of a JSON string. */
static void json_escape(char *buf, size_t size, size_t *len, const char *s) {
    for (; *s && *len + 7 < size; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            *len += (size_t)snprintf(buf + *len, size - *len, "\\%c", c);
        else if (c < 0x20)
            *len += (size_t)snprintf(buf + *len, size - *len, "\\u%04x", c);
        else
            buf[(*len)++] = (char)c;
    }
    buf[*len] = '\0';
}

/* Append text to buf at *len, within size. */
static void append(char *buf, size_t size, size_t *len, const char *text) {
    int n = snprintf(buf + *len, size - *len, "%s", text);
    *len = n < 0 ? *len : *len + (size_t)n < size ? *len + (size_t)n : size - 1;
}

size_t log_line_format(char *buf, size_t size, log_format_t format, int64_t wall_ms,
                       log_level_t level, const char *component, const char *message) {
    char stamp[SY_TIME_TEXT_BYTES];
    size_t len = 0;
    sy_time_format_ms(wall_ms, stamp);
    if (size < LOG_JSON_TAIL_BYTES + 64)
        return 0;
    buf[0] = '\0';
    if (format == LOG_FORMAT_TEXT) {
        int n = snprintf(buf, size - 1, "%s switchyard %s: %s%s%s", stamp, level_names[level],
                         component ? component : "", component ? " " : "", message);
        len = n < 0 ? 0 : (size_t)n < size - 1 ? (size_t)n : size - 2;
    } else {
        append(buf, size - 2, &len, "{\"ts\":\"");
        append(buf, size - 2, &len, stamp);
        append(buf, size - 2, &len, "\",\"level\":\"");
        append(buf, size - 2, &len, level_names[level]);
        append(buf, size - 2, &len, "\",\"msg\":\"");
        json_escape(buf, size - LOG_JSON_TAIL_BYTES, &len, message);
        if (component) {
            append(buf, size - 2, &len, "\",\"component\":\"");
            json_escape(buf, size - 16, &len, component);
        }
        append(buf, size - 2, &len, "\"}");
    }
    buf[len++] = '\n';
    buf[len] = '\0';
    return len;
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
    log_emit(level, NULL, message);
}
