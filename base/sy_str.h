/* sy_str.h — bounded string writes for the hot paths, where snprintf's format parsing
 * costs more than the copy: sy_str_put writes a string at an offset of a buffer,
 * truncating and terminating as snprintf does, and returns where the whole string would
 * end, so writes chain and a result >= size means "did not fit". Not a formatter:
 * numbers stay with snprintf. */
#ifndef SY_STR_H
#define SY_STR_H

#include <stddef.h>
#include <string.h>

/* Write src at dst[at] (dst holds size bytes, size >= 1), as much as fits before the
 * terminating NUL; nothing when at >= size. Returns at + strlen(src). */
static inline size_t sy_str_put(char *dst, size_t size, size_t at, const char *src) {
    size_t len = strlen(src);
    if (at < size) {
        size_t room = size - 1 - at;
        size_t n = len < room ? len : room;
        memcpy(dst + at, src, n);
        dst[at + n] = '\0';
    }
    return at + len;
}

/* snprintf(dst, size, "%s", src) without the format: strlen(src) (>= size: truncated). */
static inline size_t sy_str_copy(char *dst, size_t size, const char *src) {
    return sy_str_put(dst, size, 0, src);
}

#endif
