/* log.h — one line per event on stderr: time, level, message. For operators reading a
 * service's output; not for records, which go to Kafka. Thread-safe. */
#ifndef SY_LOG_H
#define SY_LOG_H

#include <stdint.h>

typedef enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG } log_level_t;

/* Lines above this level are dropped; LOG_INFO unless set. */
void log_level_set(log_level_t level);

void log_write(log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

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
