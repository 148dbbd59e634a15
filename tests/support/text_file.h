/* text_file.h — whole small text files for the tests: written in one call, read back into
 * a caller's buffer. Test code only; files larger than the buffer are cut, not streamed. */
#ifndef TEXT_FILE_H
#define TEXT_FILE_H

#include <stddef.h>

/* Writes text to path, replacing the file. Returns 0, or -1 with errno set. */
int text_file_write(const char *path, const char *text);

/* Reads path into buf, at most size-1 bytes, NUL-terminated. Asserts (Criterion) that the
 * file could be opened. size must be > 0. */
void text_file_read(const char *path, char *buf, size_t size);

#endif
