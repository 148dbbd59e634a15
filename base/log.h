/* log.h — one line per event on stderr: time, level, message. For operators reading a
 * service's output; not for records, which go to Kafka. Thread-safe. */
#ifndef SY_LOG_H
#define SY_LOG_H

typedef enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG } log_level_t;

/* Lines above this level are dropped; LOG_INFO unless set. */
void log_level_set(log_level_t level);

void log_write(log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...) log_write(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_write(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_write(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_write(LOG_DEBUG, __VA_ARGS__)

#endif
