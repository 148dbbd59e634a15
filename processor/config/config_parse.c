/* config_parse.c — read config text: `name = value` lines, `#` comment lines, blank lines.
 * Finds the line's option (or kafka.* pass-through), refuses repeats and missing required
 * options, and applies single overrides (config_set). Value checks are config_value.c. */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "sy_str_index.h"

/* Room for "<source>:<line>" at the head of a message; longer names are cut. */
#define CONFIG_WHERE_BYTES_MAX 512

/* One parse of one text. */
typedef struct config_parser {
    sy_config_t *config;
    const char *source;   /* file name for messages; borrowed */
    const char *base_dir; /* absolute; borrowed */
    size_t *option_lines; /* per table row: line that set it, 0 when unset; owned */
    size_t *kafka_lines;  /* per config->kafka_names entry: line that set it; owned */
    sy_str_index_t kafka_index; /* config->kafka_names to their index: repeats found in
                                 * constant time whatever the number of kafka.* lines */
} config_parser_t;

/* A librdkafka property switchyard sets itself, and why a file may not. */
typedef struct config_kafka_reserved {
    const char *name;
    const char *why;
} config_kafka_reserved_t;

static const config_kafka_reserved_t config_kafka_reserved[] = {
    {"transactional.id", "its transactional producer needs one id per instance: set the "
                         "option 'transactional.id' instead"},
    {"group.instance.id", "each instance needs its own: set the option "
                          "'group.instance.id' instead"},
    {"enable.auto.commit", "input offsets are committed only inside its transactions"},
    {"isolation.level", "it reads committed records only (read_committed)"},
};

/* errbuf names the property when switchyard sets it itself; SY_OK otherwise. */
static sy_err_t config_kafka_check(const char *name, const char *where, char *errbuf,
                                   size_t errbuf_size) {
    const char *property = name + CONFIG_KAFKA_PREFIX_LEN;
    if (property[0] == '\0') {
        sy_errf(errbuf, errbuf_size, "%s: '%s' names no librdkafka property", where, name);
        return SY_ERR_CONFIG;
    }
    for (size_t i = 0; i < sizeof config_kafka_reserved / sizeof *config_kafka_reserved; i++) {
        if (strcmp(property, config_kafka_reserved[i].name) == 0) {
            sy_errf(errbuf, errbuf_size, "%s: '%s' cannot be set: switchyard sets it, "
                    "because %s", where, name, config_kafka_reserved[i].why);
            return SY_ERR_CONFIG;
        }
    }
    return SY_OK;
}

static int config_is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* s without leading and trailing whitespace; cuts s in place. */
static char *config_trim(char *s) {
    size_t len;

    while (config_is_space(*s))
        s++;
    len = strlen(s);
    while (len > 0 && config_is_space(s[len - 1]))
        s[--len] = '\0';
    return s;
}

/* True when s is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF). */
static int config_utf8_valid(const char *s) {
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        unsigned c = *p, n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1
                                          : c >= 0xe0 && c < 0xf0 ? 2
                                          : c >= 0xf0 && c < 0xf5 ? 3 : 4;
        if (n == 4)
            return 0;
        for (unsigned i = 1; i <= n; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return 0;
        }
        if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0) ||
            (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
            return 0;
        p += n + 1;
    }
    return 1;
}

/* Apply one name/value pair as a line would, repeats aside; fresh: the caller knows the
 * name is not set yet (a kafka.* property is appended without a search). */
static sy_err_t config_pair_apply(sy_config_t *config, const char *name, const char *value,
                                  bool fresh, const char *where, const char *base_dir,
                                  char *errbuf, size_t errbuf_size) {
    const config_option_t *opt;
    char suggestion[128];

    if (strncmp(name, CONFIG_KAFKA_PREFIX, CONFIG_KAFKA_PREFIX_LEN) == 0) {
        sy_err_t err = config_kafka_check(name, where, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
        const char *property = name + CONFIG_KAFKA_PREFIX_LEN;
        if ((fresh ? config_kafka_append(config, property, value)
                   : config_kafka_put(config, property, value)) != SY_OK) {
            sy_errf(errbuf, errbuf_size, "%s: %s: out of memory", where, name);
            return SY_ERR_NOMEM;
        }
        return SY_OK;
    }
    opt = config_option_find(name);
    if (opt)
        return config_option_set(config, opt, value, where, base_dir, errbuf, errbuf_size);
    if (config_option_suggest(name, suggestion, sizeof suggestion))
        sy_errf(errbuf, errbuf_size, "%s: unknown option '%s' (did you mean '%s'?)", where,
                name, suggestion);
    else
        sy_errf(errbuf, errbuf_size, "%s: unknown option '%s'", where, name);
    return SY_ERR_CONFIG;
}

/* Line of the earlier setting of name in this parse, or 0. */
static size_t config_parser_first_line(const config_parser_t *parser, const char *name) {
    const config_option_t *opt;

    if (strncmp(name, CONFIG_KAFKA_PREFIX, CONFIG_KAFKA_PREFIX_LEN) == 0) {
        size_t i = sy_str_index_find(&parser->kafka_index, name + CONFIG_KAFKA_PREFIX_LEN);
        return i == SIZE_MAX ? 0 : parser->kafka_lines[i];
    }
    opt = config_option_find(name);
    return opt ? parser->option_lines[opt - config_options] : 0;
}

/* Remember that line set name, after config_pair_apply accepted it. */
static sy_err_t config_parser_note(config_parser_t *parser, const char *name, size_t line) {
    const config_option_t *opt = config_option_find(name);
    size_t *lines;

    if (opt) {
        parser->option_lines[opt - config_options] = line;
        return SY_OK;
    }
    size_t last = parser->config->kafka_count - 1; /* config_kafka_put appended it */
    lines = realloc(parser->kafka_lines, (last + 1) * sizeof *lines);
    if (!lines)
        return SY_ERR_NOMEM;
    lines[last] = line;
    parser->kafka_lines = lines;
    if (!sy_str_index_add(&parser->kafka_index, parser->config->kafka_names[last], last))
        return SY_ERR_NOMEM;
    return SY_OK;
}

static sy_err_t config_parse_line(config_parser_t *parser, char *text, size_t line,
                                  char *errbuf, size_t errbuf_size) {
    char where[CONFIG_WHERE_BYTES_MAX];
    char *name, *value, *eq;
    size_t first;
    sy_err_t err;

    snprintf(where, sizeof where, "%s:%zu", parser->source, line);
    if (!config_utf8_valid(text)) {
        sy_errf(errbuf, errbuf_size, "%s: line is not valid UTF-8", where);
        return SY_ERR_CONFIG;
    }
    text = config_trim(text);
    if (text[0] == '\0' || text[0] == '#')
        return SY_OK;
    eq = strchr(text, '=');
    if (!eq) {
        sy_errf(errbuf, errbuf_size, "%s: line has no '=': '%s'", where, text);
        return SY_ERR_CONFIG;
    }
    *eq = '\0';
    name = config_trim(text);
    value = config_trim(eq + 1);
    if (name[0] == '\0') {
        sy_errf(errbuf, errbuf_size, "%s: line has no option name before '='", where);
        return SY_ERR_CONFIG;
    }
    first = config_parser_first_line(parser, name);
    if (first != 0) {
        sy_errf(errbuf, errbuf_size, "%s: '%s' is set twice (first on line %zu)", where,
                name, first);
        return SY_ERR_CONFIG;
    }
    err = config_pair_apply(parser->config, name, value, true, where, parser->base_dir,
                            errbuf, errbuf_size);
    if (err == SY_OK && (err = config_parser_note(parser, name, line)) != SY_OK)
        sy_errf(errbuf, errbuf_size, "%s: out of memory", where);
    return err;
}

static sy_err_t config_parse_lines(config_parser_t *parser, char *text, char *errbuf,
                                   size_t errbuf_size) {
    size_t line = 1;

    if (strncmp(text, "\xef\xbb\xbf", 3) == 0) /* a byte order mark some editors write */
        text += 3;
    for (;;) {
        char *newline = strchr(text, '\n');
        sy_err_t err;

        if (newline)
            *newline = '\0';
        err = config_parse_line(parser, text, line, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
        if (!newline)
            return SY_OK;
        text = newline + 1;
        line++;
    }
}

static sy_err_t config_check_required(const config_parser_t *parser, char *errbuf,
                                      size_t errbuf_size) {
    for (size_t i = 0; i < config_options_count; i++) {
        if (!config_options[i].default_value && parser->option_lines[i] == 0) {
            sy_errf(errbuf, errbuf_size, "%s: required option '%s' is not set",
                    parser->source, config_options[i].name);
            return SY_ERR_CONFIG;
        }
    }
    if (!config_kafka_get(parser->config, CONFIG_KAFKA_REQUIRED)) {
        sy_errf(errbuf, errbuf_size, "%s: required option '%s%s' is not set",
                parser->source, CONFIG_KAFKA_PREFIX, CONFIG_KAFKA_REQUIRED);
        return SY_ERR_CONFIG;
    }
    return SY_OK;
}

/* base_dir made absolute against the working directory (NULL: the working directory). */
static char *config_base_dir_absolute(const char *base_dir) {
    char *cwd, *path = NULL;

    if (base_dir && base_dir[0] == '/')
        return strdup(base_dir);
    cwd = config_cwd();
    if (!cwd || !base_dir || base_dir[0] == '\0')
        return cwd;
    if (asprintf(&path, "%s/%s", cwd, base_dir) < 0)
        path = NULL;
    free(cwd);
    return path;
}

/* Last steps of a parse that succeeded: topic.prefix before every topic name, remember
 * the source, derive the transactional id. */
static sy_err_t config_parse_finish(sy_config_t *config, const char *source_name,
                                    char *errbuf, size_t errbuf_size) {
    sy_err_t err = config_topic_prefix_apply(config, NULL, "", source_name, errbuf,
                                             errbuf_size);
    if (err != SY_OK)
        return err;
    config->source = strdup(source_name);
    if (!config->source ||
        (config->transactional_id[0] == '\0' && config_txn_id_derive(config) != SY_OK)) {
        sy_errf(errbuf, errbuf_size, "%s: out of memory", source_name);
        return SY_ERR_NOMEM;
    }
    return SY_OK;
}

sy_err_t config_parse(sy_config_t **out, const char *text, const char *source_name,
                      const char *base_dir, char *errbuf, size_t errbuf_size) {
    config_parser_t parser = {.source = source_name};
    char *copy = strdup(text), *base = config_base_dir_absolute(base_dir);
    sy_err_t err = SY_ERR_NOMEM;

    assert(out && text && source_name);
    parser.base_dir = base;
    parser.option_lines = calloc(config_options_count, sizeof *parser.option_lines);
    if (copy && base && parser.option_lines)
        err = config_new_defaults(&parser.config);
    if (err != SY_OK) {
        sy_errf(errbuf, errbuf_size, "%s: out of memory", source_name);
        goto fail;
    }
    err = config_parse_lines(&parser, copy, errbuf, errbuf_size);
    if (err == SY_OK)
        err = config_check_required(&parser, errbuf, errbuf_size);
    if (err == SY_OK)
        err = config_parse_finish(parser.config, source_name, errbuf, errbuf_size);
    if (err != SY_OK)
        goto fail;
    *out = parser.config;
    parser.config = NULL;
fail:
    config_free(parser.config);
    free(parser.option_lines);
    free(parser.kafka_lines);
    sy_str_index_deinit(&parser.kafka_index);
    free(base);
    free(copy);
    return err;
}

/* Set key to val as config_pair_apply does; a topic name gets topic.prefix, and a new
 * topic.prefix replaces the old one in every name. On error the config is unchanged. */
static sy_err_t config_set_topic(sy_config_t *config, const char *key, const char *val,
                                 const char *base, char *errbuf, size_t errbuf_size) {
    const config_option_t *opt = config_option_find(key);
    char **field = NULL, *before = NULL;
    sy_err_t err;

    if (opt && opt->check == CONFIG_CHECK_TOPIC) {
        field = (char **)((char *)config + opt->offset);
        if (!(before = strdup(*field)))
            return SY_ERR_NOMEM;
    }
    err = config_pair_apply(config, key, val, false, CONFIG_OVERRIDE_SOURCE, base, errbuf,
                            errbuf_size);
    if (err == SY_OK && field) {
        const char *old_prefix = config_option_is_topic_prefix(opt) ? before : "";
        err = config_topic_prefix_apply(config, opt, old_prefix, CONFIG_OVERRIDE_SOURCE,
                                        errbuf, errbuf_size);
        if (err != SY_OK) {
            free(*field);
            *field = before;
            before = NULL;
        }
    }
    free(before);
    return err;
}

sy_err_t config_set(sy_config_t *config, const char *name, const char *value, char *errbuf,
                    size_t errbuf_size) {
    char *name_copy = strdup(name), *value_copy = strdup(value), *base = config_cwd();
    char *key, *val;
    int was_derived;
    sy_err_t err = SY_ERR_NOMEM;

    assert(config && name && value);
    if (!name_copy || !value_copy || !base)
        goto fail;
    key = config_trim(name_copy);
    val = config_trim(value_copy);
    /* A derived transactional id follows the group.id and state.dir it came from. */
    was_derived = strcmp(key, "transactional.id") != 0 && config_txn_id_is_derived(config);
    err = config_set_topic(config, key, val, base, errbuf, errbuf_size);
    if (err != SY_OK)
        goto fail;
    if (was_derived || config->transactional_id[0] == '\0')
        err = config_txn_id_derive(config);
fail:
    if (err == SY_ERR_NOMEM)
        sy_errf(errbuf, errbuf_size, "%s: %s: out of memory", CONFIG_OVERRIDE_SOURCE, name);
    free(name_copy);
    free(value_copy);
    free(base);
    return err;
}
