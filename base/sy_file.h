/* sy_file.h — whole small files read into memory (journeys, the config, time-zone data),
 * capped at a size the caller names, and only from regular files: a FIFO, device or
 * directory is refused before anything can block on it. Not streaming input (event files,
 * recordings): those are read record by record by their own modules. */
#ifndef SY_FILE_H
#define SY_FILE_H

#include <stddef.h>

#include "sy_error.h"

/* Open path read-only (O_CLOEXEC) into *fd, refusing anything that is not a regular file
 * without blocking: opened with O_NONBLOCK, then fstat. *fd is set only on success and is
 * the caller's to close. Errors: SY_ERR_IO ("PATH: reason" or "PATH: not a regular file"
 * in errbuf). Any thread. */
sy_err_t sy_file_open_regular(const char *path, int *fd, char *errbuf, size_t errbuf_size);

/* The whole regular file at path as *text (malloc'd, owned by the caller, NUL-terminated;
 * *len bytes before the NUL, which may contain NUL bytes). *text and *len are set only on
 * success. Errors: SY_ERR_IO (cannot open or read, not a regular file), SY_ERR_LIMIT
 * (more than max_bytes: "PATH: larger than N bytes"), SY_ERR_NOMEM. Any thread. */
sy_err_t sy_file_read(const char *path, size_t max_bytes, char **text, size_t *len,
                      char *errbuf, size_t errbuf_size);

#endif
