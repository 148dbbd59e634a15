/* config_value.c — validate one option's value against its row of the option table and
 * store it in the config: integers and their bounds, enum words, string lengths, Kafka
 * topic names, and paths made absolute. Reading lines is config_parse.c's job. */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static void *config_field(sy_config_t *config, const config_option_t *opt) {
    return (char *)config + opt->offset;
}

static sy_err_t config_int_parse(const config_option_t *opt, const char *value,
                                 const char *where, int64_t *out, char *errbuf,
                                 size_t errbuf_size) {
    char *end = NULL;
    long long n;

    n = strtoll(value, &end, 10);
    if (end == value || *end != '\0') {
        sy_errf(errbuf, errbuf_size, "%s: %s: '%s' is not an integer", where, opt->name,
                value);
        return SY_ERR_CONFIG;
    }
    /* On overflow strtoll clamps to LLONG_MIN / LLONG_MAX, which the bounds refuse. */
    if (n < opt->min) {
        sy_errf(errbuf, errbuf_size, "%s: %s: %s is below the minimum %" PRId64, where,
                opt->name, value, opt->min);
        return SY_ERR_CONFIG;
    }
    if (n > opt->max) {
        sy_errf(errbuf, errbuf_size, "%s: %s: %s is above the maximum %" PRId64, where,
                opt->name, value, opt->max);
        return SY_ERR_CONFIG;
    }
    *out = n;
    return SY_OK;
}

static sy_err_t config_enum_parse(const config_option_t *opt, const char *value,
                                  const char *where, int *out, char *errbuf,
                                  size_t errbuf_size) {
    char words[256];

    for (int i = 0; opt->words[i]; i++) {
        if (strcmp(opt->words[i], value) == 0) {
            *out = i;
            return SY_OK;
        }
    }
    config_option_range(opt, words, sizeof words);
    sy_errf(errbuf, errbuf_size, "%s: %s: '%s' is not one of %s", where, opt->name, value,
            words);
    return SY_ERR_CONFIG;
}

static int config_topic_char_ok(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

static sy_err_t config_text_check(const config_option_t *opt, const char *value,
                                  const char *where, char *errbuf, size_t errbuf_size) {
    size_t len = strlen(value);

    if (len == 0 && opt->min > 0) {
        sy_errf(errbuf, errbuf_size, "%s: %s: the value is empty", where, opt->name);
        return SY_ERR_CONFIG;
    }
    if ((int64_t)len > opt->max) {
        sy_errf(errbuf, errbuf_size, "%s: %s: the value is %zu bytes, above the maximum %"
                PRId64, where, opt->name, len, opt->max);
        return SY_ERR_CONFIG;
    }
    if (opt->check != CONFIG_CHECK_TOPIC)
        return SY_OK;
    for (size_t i = 0; i < len; i++) {
        if (!config_topic_char_ok(value[i])) {
            sy_errf(errbuf, errbuf_size, "%s: %s: '%s' has a character Kafka does not "
                    "allow in a topic name (only a-z A-Z 0-9 . _ -)", where, opt->name,
                    value);
            return SY_ERR_CONFIG;
        }
    }
    if (opt->min > 0 && (strcmp(value, ".") == 0 || strcmp(value, "..") == 0)) {
        sy_errf(errbuf, errbuf_size, "%s: %s: '%s' is not a valid Kafka topic name", where,
                opt->name, value);
        return SY_ERR_CONFIG;
    }
    return SY_OK;
}

/* value made absolute against base_dir, without trailing slashes, in a new string. */
static char *config_path_resolve(const char *value, const char *base_dir) {
    size_t vlen = strlen(value), blen = 0;
    char *path;

    while (value[0] == '.' && value[1] == '/') {
        value += 2;
        vlen -= 2;
        while (value[0] == '/' && vlen > 1) {
            value++;
            vlen--;
        }
    }
    if (value[0] != '/') {
        blen = strlen(base_dir);
        while (blen > 1 && base_dir[blen - 1] == '/')
            blen--;
    }
    path = malloc(blen + 1 + vlen + 1);
    if (!path)
        return NULL;
    if (value[0] != '/') {
        memcpy(path, base_dir, blen);
        if (blen == 0 || path[blen - 1] != '/')
            path[blen++] = '/';
    }
    memcpy(path + blen, value, vlen + 1);
    for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
        path[n - 1] = '\0';
    return path;
}

static sy_err_t config_text_store(sy_config_t *config, const config_option_t *opt,
                                  const char *value, const char *base_dir) {
    char **field = config_field(config, opt);
    char *copy;

    if (opt->type == CONFIG_TYPE_PATH && *value) /* "" stays "": an optional file unset */
        copy = config_path_resolve(value, base_dir);
    else
        copy = strdup(value);
    if (!copy)
        return SY_ERR_NOMEM;
    free(*field);
    *field = copy;
    return SY_OK;
}

sy_err_t config_option_set(sy_config_t *config, const config_option_t *opt,
                           const char *value, const char *where, const char *base_dir,
                           char *errbuf, size_t errbuf_size) {
    sy_err_t err;

    assert(config && opt && value && where);
    switch (opt->type) {
    case CONFIG_TYPE_INT: {
        int64_t n = 0;
        err = config_int_parse(opt, value, where, &n, errbuf, errbuf_size);
        if (err == SY_OK)
            *(int64_t *)config_field(config, opt) = n;
        return err;
    }
    case CONFIG_TYPE_ENUM: {
        int index = 0;
        err = config_enum_parse(opt, value, where, &index, errbuf, errbuf_size);
        if (err == SY_OK)
            *(config_time_mode_t *)config_field(config, opt) = (config_time_mode_t)index;
        return err;
    }
    case CONFIG_TYPE_STRING:
    case CONFIG_TYPE_PATH:
        err = config_text_check(opt, value, where, errbuf, errbuf_size);
        if (err == SY_OK)
            err = config_text_store(config, opt, value, base_dir);
        if (err == SY_ERR_NOMEM)
            sy_errf(errbuf, errbuf_size, "%s: %s: out of memory", where, opt->name);
        return err;
    }
    assert(!"unknown option type");
    return SY_ERR_INVALID_ARG;
}

void config_option_range(const config_option_t *opt, char *buf, size_t buf_size) {
    size_t used = 0;

    buf[0] = '\0';
    switch (opt->type) {
    case CONFIG_TYPE_INT:
        snprintf(buf, buf_size, "%" PRId64 "..%" PRId64, opt->min, opt->max);
        break;
    case CONFIG_TYPE_ENUM:
        for (int i = 0; opt->words[i] && used < buf_size; i++) {
            int n = snprintf(buf + used, buf_size - used, "%s%s", i ? ", " : "",
                             opt->words[i]);
            used += n > 0 ? (size_t)n : 0;
        }
        break;
    case CONFIG_TYPE_STRING:
        if (opt->check == CONFIG_CHECK_TOPIC)
            snprintf(buf, buf_size, "%" PRId64 "..%" PRId64 " of [a-zA-Z0-9._-]", opt->min,
                     opt->max);
        else if (opt->min > 0)
            snprintf(buf, buf_size, "non-empty");
        break;
    case CONFIG_TYPE_PATH:
        break;
    }
}
