/* admin_expo.h — writing the Prometheus text exposition format (version 0.0.4) into a
 * growable buffer: a family's # HELP and # TYPE lines, then its samples with their labels
 * escaped as the format asks (backslash, double quote, newline). Knows nothing of which
 * metrics exist (admin_catalog.c) nor of HTTP (admin_server.c). */
#ifndef SY_ADMIN_EXPO_H
#define SY_ADMIN_EXPO_H

#include <stdbool.h>
#include <stddef.h>

/* Largest body the admin server renders: far above thousands of series; a body that
 * would pass it is cut (failed set) rather than grow without bound. */
#define ADMIN_BODY_BYTES_MAX ((size_t)64 * 1024 * 1024)

/* A growable text buffer. Zero-initialise; admin_buf_deinit frees it. */
typedef struct admin_buf {
    char *data; /* owned, '\0'-terminated once anything is written */
    size_t len;
    size_t cap;
    bool failed; /* out of memory or over ADMIN_BODY_BYTES_MAX: later writes do nothing */
} admin_buf_t;

/* Append printf-style text. */
void admin_buf_printf(admin_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append len bytes. */
void admin_buf_append(admin_buf_t *b, const char *text, size_t len);

/* Take the text (the caller frees it) and leave the buffer empty; NULL when it failed. */
char *admin_buf_take(admin_buf_t *b, size_t *len);

void admin_buf_deinit(admin_buf_t *b);

/* The kinds of metric the format names in # TYPE. */
typedef enum admin_metric_type {
    ADMIN_COUNTER,
    ADMIN_GAUGE,
    ADMIN_HISTOGRAM,
} admin_metric_type_t;

/* # HELP name help (help escaped: backslash, newline) and # TYPE name type. */
void admin_expo_family(admin_buf_t *b, const char *name, admin_metric_type_t type,
                       const char *help);

/* One sample line: name{names[0]="values[0]",...} value, with suffix appended to name
 * ("_bucket", "_sum", "_count" or ""); label values escaped. value is written as the
 * format's float: integers exactly, +Inf, -Inf and NaN by name. */
void admin_expo_sample(admin_buf_t *b, const char *name, const char *suffix,
                       const char *const *names, const char *const *values, size_t n,
                       double value);

/* Append value escaped as a label value: \ → \\, " → \", newline → \n. */
void admin_expo_label_escape(admin_buf_t *b, const char *value);

#endif
