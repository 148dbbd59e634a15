/* send_buf.h — a growing text buffer for the requests and messages the sender builds,
 * capped at SEND_BUF_BYTES_MAX; a failed append (cap or memory) marks it failed and later
 * appends do nothing, so callers check once at the end. Not for the hot path of the
 * engine: one request at a time. */
#ifndef SY_SEND_BUF_H
#define SY_SEND_BUF_H

#include <stdbool.h>
#include <stddef.h>

/* Two rendered parts of SEND_TEMPLATE_BYTES_MAX, base64 grown, and headers. */
#define SEND_BUF_BYTES_MAX (1024 * 1024)

typedef struct send_buf {
    char *p; /* owned; NUL-terminated when not failed */
    size_t len, cap;
    bool failed;
} send_buf_t;

void send_buf_put(send_buf_t *b, const char *s, size_t n);
void send_buf_puts(send_buf_t *b, const char *s);
void send_buf_printf(send_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as base64, in lines of 76 characters ending CRLF (MIME bodies). */
void send_buf_base64(send_buf_t *b, const char *s, size_t n);
/* Free; *b becomes empty. */
void send_buf_free(send_buf_t *b);

#endif
