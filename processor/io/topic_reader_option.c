/* topic_reader_option.c — the range options of every command that reads a topic
 * (`record`, `replay --topic`): --partitions, --from-offset, --from-time, --to-offset,
 * --to-time, parsed into a topic_reader_conf_t. Not the reading: topic_reader.c. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sy_time.h"
#include "topic_reader.h"

/* Room for one partition number of --partitions: 10 digits of INT32_MAX and a NUL; a
 * longer item is no partition number. */
#define TOPIC_READER_PARTITIONS_TEXT_MAX 11

static bool int64_parse(const char *text, int64_t max, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < 0 || v > max)
        return false;
    *out = v;
    return true;
}

_Static_assert(TOPIC_READER_PARTITIONS_MAX == 4096, "the --partitions message names 4096");

/* A comma-separated list of partition numbers into buf; empty items ("1,,2") are refused.
 * On error *problem says what is wrong. */
static bool partitions_parse(topic_reader_conf_t *conf, int32_t *buf, const char *text,
                             const char **problem) {
    char copy[TOPIC_READER_PARTITIONS_TEXT_MAX];
    conf->partitions = buf;
    conf->partitions_count = 0;
    for (const char *item = text;; item++) {
        const char *comma = strchr(item, ',');
        size_t len = comma ? (size_t)(comma - item) : strlen(item);
        int64_t p;
        if (conf->partitions_count == TOPIC_READER_PARTITIONS_MAX) {
            *problem = "--partitions takes at most 4096 partition numbers";
            return false;
        }
        if (len == 0 || len >= sizeof copy)
            return false;
        memcpy(copy, item, len);
        copy[len] = '\0';
        if (!int64_parse(copy, INT32_MAX, &p))
            return false;
        buf[conf->partitions_count++] = (int32_t)p;
        if (!comma)
            return true;
        item = comma;
    }
}

/* An offset, or a TIME: an instant as sy_time_parse reads it (ISO-8601 or epoch ms). */
static bool position_parse(topic_position_t *pos, bool is_time, const char *text) {
    if (pos->kind != TOPIC_POSITION_BEGINNING && pos->kind != TOPIC_POSITION_END)
        return false; /* given twice */
    pos->kind = is_time ? TOPIC_POSITION_TIME : TOPIC_POSITION_OFFSET;
    if (is_time)
        return sy_time_parse(text, &pos->value);
    return int64_parse(text, INT64_MAX, &pos->value);
}

int topic_reader_option(topic_reader_conf_t *conf, int32_t *partitions_buf,
                        const char *option, const char *value, const char **problem) {
    if (strcmp(option, "--partitions") == 0) {
        *problem = "--partitions wants partition numbers, as 0,2,5";
        return partitions_parse(conf, partitions_buf, value, problem);
    }
    if (strcmp(option, "--from-offset") == 0 || strcmp(option, "--from-time") == 0) {
        *problem = "give one --from-offset N or --from-time TIME";
        return position_parse(&conf->from, option[7] == 't', value);
    }
    if (strcmp(option, "--to-offset") == 0 || strcmp(option, "--to-time") == 0) {
        *problem = "give one --to-offset N or --to-time TIME";
        return position_parse(&conf->to, option[5] == 't', value);
    }
    return -1;
}
