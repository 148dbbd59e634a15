/* expr_strings.c — the string arena of a compiled expression or template: one growing
 * buffer of NUL-terminated strings addressed by offset. Used by the compiler, the
 * template compiler and variable lookup; it knows nothing of expressions. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expr_int.h"

sy_err_t expr_strings_add(expr_strings_t *strings, const char *p, size_t n, uint32_t *off) {
    if (n >= UINT32_MAX - strings->len - 1)
        return SY_ERR_NOMEM;
    if (strings->len + n + 1 > strings->cap) {
        size_t cap = strings->cap ? strings->cap : 64;
        while (cap < strings->len + n + 1)
            cap *= 2;
        char *buf = realloc(strings->buf, cap);
        if (!buf)
            return SY_ERR_NOMEM;
        strings->buf = buf;
        strings->cap = cap;
    }
    memcpy(strings->buf + strings->len, p, n);
    strings->buf[strings->len + n] = '\0';
    *off = (uint32_t)strings->len;
    strings->len += n + 1;
    return SY_OK;
}
