/* admin_expo.c — the Prometheus text exposition writer and its growable buffer. The
 * escaping rules are the format's: in HELP text a backslash and a newline, in label values
 * also the double quote. */
#include "admin_expo.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool buf_reserve(admin_buf_t *b, size_t more) {
    assert(b);
    if (b->failed)
        return false;
    if (b->len + more + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    char *data = cap <= ADMIN_BODY_BYTES_MAX ? realloc(b->data, cap) : NULL;
    if (!data) {
        b->failed = true;
        return false;
    }
    b->data = data;
    b->cap = cap;
    return true;
}

void admin_buf_append(admin_buf_t *b, const char *text, size_t len) {
    assert(text || !len);
    if (!buf_reserve(b, len))
        return;
    memcpy(b->data + b->len, text, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void admin_buf_printf(admin_buf_t *b, const char *fmt, ...) {
    va_list ap;
    assert(fmt);
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *admin_buf_take(admin_buf_t *b, size_t *len) {
    assert(b && len);
    if (b->failed || !buf_reserve(b, 0)) {
        admin_buf_deinit(b);
        return NULL;
    }
    char *data = b->data;
    b->data[b->len] = '\0';
    *len = b->len;
    *b = (admin_buf_t){0};
    return data;
}

void admin_buf_deinit(admin_buf_t *b) {
    if (!b)
        return;
    free(b->data);
    *b = (admin_buf_t){0};
}

/* Escape text: backslash and newline always, the double quote in label values. */
static void escape(admin_buf_t *b, const char *text, bool quote) {
    assert(text);
    for (const char *p = text; *p; p++) {
        if (*p == '\\')
            admin_buf_append(b, "\\\\", 2);
        else if (*p == '\n')
            admin_buf_append(b, "\\n", 2);
        else if (*p == '"' && quote)
            admin_buf_append(b, "\\\"", 2);
        else
            admin_buf_append(b, p, 1);
    }
}

void admin_expo_label_escape(admin_buf_t *b, const char *value) {
    /* no assert: escape asserts */
    escape(b, value ? value : "", true);
}

void admin_expo_family(admin_buf_t *b, const char *name, admin_metric_type_t type,
                       const char *help) {
    static const char *const types[] = {"counter", "gauge", "histogram"};
    assert(name && help && (unsigned)type < 3);
    admin_buf_printf(b, "# HELP %s ", name);
    escape(b, help, false);
    admin_buf_printf(b, "\n# TYPE %s %s\n", name, types[type]);
}

static void value_write(admin_buf_t *b, double v) {
    /* no assert: every double has a spelling */
    if (isnan(v))
        admin_buf_printf(b, "NaN");
    else if (isinf(v))
        admin_buf_printf(b, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 9.0e15)
        admin_buf_printf(b, "%.0f", v);
    else
        admin_buf_printf(b, "%.17g", v);
}

void admin_expo_sample(admin_buf_t *b, const char *name, const char *suffix,
                       const char *const *names, const char *const *values, size_t n,
                       double value) {
    assert(name && suffix && (n == 0 || (names && values)));
    admin_buf_printf(b, "%s%s", name, suffix);
    for (size_t i = 0; i < n; i++) {
        admin_buf_printf(b, "%c%s=\"", i ? ',' : '{', names[i]);
        admin_expo_label_escape(b, values[i]);
        admin_buf_append(b, "\"", 1);
    }
    admin_buf_printf(b, "%s ", n ? "}" : "");
    value_write(b, value);
    admin_buf_append(b, "\n", 1);
}
