/* config_load.c — read a config file into memory and parse it with relative paths
 * resolved against the file's own directory. The grammar itself is config_parse.c's. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "sy_file.h"

/* Largest config file we read: a config is a few dozen lines; a megabyte means the
 * path names something else. */
#define CONFIG_FILE_BYTES_MAX (1024 * 1024)

/* The whole file at path as a NUL-terminated string: a regular file of text. */
static sy_err_t config_file_read(const char *path, char **out, char *errbuf,
                                 size_t errbuf_size) {
    char *text = NULL;
    size_t len = 0;
    sy_err_t err = sy_file_read(path, CONFIG_FILE_BYTES_MAX, &text, &len, errbuf, errbuf_size);
    if (err == SY_ERR_LIMIT)
        return SY_ERR_CONFIG;
    if (err != SY_OK)
        return err;
    if (memchr(text, '\0', len)) {
        sy_errf(errbuf, errbuf_size, "%s: file has a NUL byte; it is not text", path);
        free(text);
        return SY_ERR_CONFIG;
    }
    *out = text;
    return SY_OK;
}

/* The absolute directory holding path, in a new string. */
static char *config_file_dir(const char *path) {
    char *copy = strdup(path), *dir = NULL;

    if (!copy)
        return NULL;
    dir = realpath(dirname(copy), NULL);
    free(copy);
    return dir;
}

sy_err_t config_load(sy_config_t **out, const char *path, char *errbuf, size_t errbuf_size) {
    char *text = NULL, *dir = NULL;
    sy_err_t err;

    err = config_file_read(path, &text, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    dir = config_file_dir(path);
    if (!dir) {
        err = errno == ENOMEM ? SY_ERR_NOMEM : SY_ERR_IO;
        sy_errf(errbuf, errbuf_size, "%s: %s", path, strerror(errno));
        goto fail;
    }
    err = config_parse(out, text, path, dir, errbuf, errbuf_size);
fail:
    free(dir);
    free(text);
    return err;
}
