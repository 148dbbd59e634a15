/* text_file.c — writing and reading whole small text files (text_file.h). */
#include "text_file.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

int text_file_write(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    size_t len = strlen(text);
    if (f == NULL)
        return -1;
    if (fwrite(text, 1, len, f) != len) {
        int saved = errno;
        fclose(f);
        errno = saved;
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

void text_file_read(const char *path, char *buf, size_t size) {
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}
