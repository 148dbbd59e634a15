/* sy_file.c — the capped whole-file read of sy_file.h: open non-blocking, check the file
 * is regular, then read() until end of file or one byte past the cap. No stdio, so no
 * buffering beyond the caller's own buffer. */
#include "sy_file.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

sy_err_t sy_file_open_regular(const char *path, int *fd, char *errbuf, size_t errbuf_size) {
    int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (f < 0 || fstat(f, &st) != 0) {
        snprintf(errbuf, errbuf_size, "%s: %s", path, strerror(errno));
        if (f >= 0)
            close(f);
        return SY_ERR_IO;
    }
    if (!S_ISREG(st.st_mode)) {
        close(f);
        snprintf(errbuf, errbuf_size, "%s: not a regular file", path);
        return SY_ERR_IO;
    }
    *fd = f;
    return SY_OK;
}

/* Read fd to its end, or to one byte past max_bytes, into *buf: *room data bytes are
 * allocated (plus one for the NUL), grown by doubling up to max_bytes + 1. */
static sy_err_t file_read_all(int fd, size_t max_bytes, char **buf, size_t *room, size_t *len) {
    while (*len <= max_bytes) {
        if (*len == *room) {
            size_t want = *room > max_bytes / 2 ? max_bytes + 1 : 2 * *room + 1;
            char *p = realloc(*buf, want + 1);
            if (!p)
                return SY_ERR_NOMEM;
            *buf = p;
            *room = want;
        }
        ssize_t n = read(fd, *buf + *len, *room - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return SY_ERR_IO;
        if (n == 0)
            return SY_OK;
        *len += (size_t)n;
    }
    return SY_OK;
}

sy_err_t sy_file_read(const char *path, size_t max_bytes, char **text, size_t *len,
                      char *errbuf, size_t errbuf_size) {
    int fd;
    struct stat st;
    sy_err_t err = sy_file_open_regular(path, &fd, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    if (fstat(fd, &st) == 0 && (uint64_t)st.st_size > max_bytes) {
        close(fd);
        snprintf(errbuf, errbuf_size, "%s: larger than %zu bytes", path, max_bytes);
        return SY_ERR_LIMIT; /* refused unread */
    }
    /* Room for the size fstat saw (capped) and one byte more, so that a file that does not
     * change is read without growing; one that grows meanwhile is still read whole. */
    size_t room = fstat(fd, &st) == 0 && (size_t)st.st_size < max_bytes
                      ? (size_t)st.st_size + 1 : max_bytes + 1;
    size_t got = 0;
    char *buf = malloc(room + 1);
    err = buf ? file_read_all(fd, max_bytes, &buf, &room, &got) : SY_ERR_NOMEM;
    int read_errno = errno;
    close(fd);
    if (err == SY_OK && got > max_bytes) {
        snprintf(errbuf, errbuf_size, "%s: larger than %zu bytes", path, max_bytes);
        err = SY_ERR_LIMIT;
    } else if (err == SY_ERR_IO) {
        snprintf(errbuf, errbuf_size, "%s: %s", path, strerror(read_errno));
    } else if (err == SY_ERR_NOMEM) {
        snprintf(errbuf, errbuf_size, "%s: out of memory", path);
    }
    if (err != SY_OK) {
        free(buf);
        return err;
    }
    buf[got] = '\0';
    *text = buf;
    *len = got;
    return SY_OK;
}
