/* log.h — one line per event on stderr: time, level, message, as text or as JSON lines.
 * For operators reading a service's output; not for records, which go to Kafka.
 * Thread-safe. */
#ifndef SY_LOG_H
#define SY_LOG_H

#include <stddef.h>
#include <stdint.h>

typedef enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG } log_level_t;

typedef enum log_format {
    LOG_FORMAT_TEXT, /* 2026-11-02T08:00:00.000Z switchyard info: message */
    LOG_FORMAT_JSON, /* {"ts":"2026-11-02T08:00:00.000Z","level":"info","msg":"message"} */
} log_format_t;

/* Lines above this level are dropped; LOG_INFO unless set. */
void log_level_set(log_level_t level);

/* The format of every line from now on; LOG_FORMAT_TEXT unless set. */
void log_format_set(log_format_t format);

void log_write(log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* As log_write, for a line from a part with a name of its own ("kafka"): in JSON its
 * "component" field; in text the message follows the name. component is borrowed. */
void log_write_component(log_level_t level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Bytes of the longest line log_line_format writes: a message of up to 1 KiB, every
 * byte of it escaped in JSON (\u00XX), plus the fields. */
#define LOG_LINE_BYTES_MAX (6 * 1024 + 256)

/* Write one line (newline included) of message at wall_ms into buf: text or JSON (keys
 * ts, level, msg and component when not NULL; strings escaped). Truncates to size - 1;
 * returns the length written; size must be at least 160 (else 0). The formatter behind
 * log_write, public for its tests. */
size_t log_line_format(char *buf, size_t size, log_format_t format, int64_t wall_ms,
                       log_level_t level, const char *component, const char *message);

/* A rate limit for one kind of repeated line (a retry loop's, say): the caller owns it,
 * zero-initialised with interval_ms set, and uses it from one thread. */
typedef struct log_limit {
    int64_t interval_ms; /* the same text goes out at most once per this interval */
    int64_t last_ms;     /* when a line last went out (monotonic) */
    uint64_t last_hash;  /* of that line's text */
    uint64_t suppressed; /* lines dropped since */
} log_limit_t;

/* log_write, except that a line whose text equals the last one that went out through
 * limit less than limit->interval_ms ago is dropped and counted; the next line that goes
 * out says how many were dropped. */
void log_write_limited(log_limit_t *limit, log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)

#endif
