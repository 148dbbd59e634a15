/* config_load.c — read a config file into memory and parse it with relative paths
 * resolved against the file's own directory. The grammar itself is config_parse.c's. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

/* Largest config file we read: a config is a few dozen lines; a megabyte means the
 * path names something else. */
#define CONFIG_FILE_BYTES_MAX (1024 * 1024)

/* The whole file at path as a NUL-terminated string. */
static sy_err_t config_file_read(const char *path, char **out, char *errbuf,
                                 size_t errbuf_size) {
    FILE *file = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0;
    sy_err_t err = SY_ERR_IO;

    if (!file) {
        sy_errf(errbuf, errbuf_size, "%s: %s", path, strerror(errno));
        return SY_ERR_IO;
    }
    text = malloc(CONFIG_FILE_BYTES_MAX + 1);
    if (!text) {
        sy_errf(errbuf, errbuf_size, "%s: out of memory", path);
        err = SY_ERR_NOMEM;
        goto fail;
    }
    len = fread(text, 1, CONFIG_FILE_BYTES_MAX + 1, file);
    if (ferror(file)) {
        sy_errf(errbuf, errbuf_size, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (len > CONFIG_FILE_BYTES_MAX) {
        sy_errf(errbuf, errbuf_size, "%s: file is larger than %d bytes", path,
                CONFIG_FILE_BYTES_MAX);
        err = SY_ERR_CONFIG;
        goto fail;
    }
    text[len] = '\0';
    if (memchr(text, '\0', len)) {
        sy_errf(errbuf, errbuf_size, "%s: file has a NUL byte; it is not text", path);
        err = SY_ERR_CONFIG;
        goto fail;
    }
    fclose(file);
    *out = text;
    return SY_OK;
fail:
    fclose(file);
    free(text);
    return err;
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
