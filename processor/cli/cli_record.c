/* cli_record.c — `switchyard record`: its options, the copy of a topic's range into a
 * recording file (written as FILE.part, renamed when complete), progress and exit codes.
 * Reading the topic: topic_reader.h; the file format: recording.h, docs/recording.md. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "config.h"
#include "progress.h"
#include "recording.h"
#include "topic_reader.h"

/* Default longest wait for the broker (metadata, offsets, a fetch): long enough for a
 * broker under load, short enough that a wrong address fails within a minute. */
#define RECORD_TIMEOUT_MS_DEFAULT 30000

/* Bytes of a path we build (FILE.part). */
#define RECORD_PATH_BYTES_MAX 4096

typedef struct record_args {
    const char *out, *config_path;
    topic_reader_conf_t read; /* topic, range, bootstrap, timeout; config set at run */
    int32_t partitions[TOPIC_READER_PARTITIONS_MAX];
    recording_codec_t codec;
} record_args_t;

#define ARG(name) {name, required_argument, NULL, 0}
static const struct option args_options[] = {
    ARG("topic"),     ARG("out"),       ARG("bootstrap"), ARG("config"),
    ARG("partitions"), ARG("from-offset"), ARG("from-time"), ARG("to-offset"),
    ARG("to-time"),   ARG("codec"),     ARG("timeout-ms"), {0}};
#undef ARG

static int args_fail(const char *message, const char *value) {
    return cli_usage_fail("record", message, value);
}

static bool parse_int64(const char *text, int64_t min, int64_t max, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* One option with its value; 0 when it is wrong (already reported). */
static int args_option(record_args_t *a, const char *option, const char *value) {
    const char **field = strcmp(option, "--topic") == 0       ? &a->read.topic
                         : strcmp(option, "--out") == 0       ? &a->out
                         : strcmp(option, "--bootstrap") == 0 ? &a->read.bootstrap
                         : strcmp(option, "--config") == 0    ? &a->config_path
                                                              : NULL;
    const char *problem = NULL;
    int64_t n;
    int range = field ? -1 : topic_reader_option(&a->read, a->partitions, option, value,
                                                 &problem);
    if (field) {
        *field = value;
    } else if (range >= 0) {
        if (!range)
            return args_fail(problem, value);
    } else if (strcmp(option, "--codec") == 0) {
        if (strcmp(value, "null") != 0 && strcmp(value, "deflate") != 0)
            return args_fail("--codec is null or deflate", value);
        a->codec = value[0] == 'd' ? RECORDING_CODEC_DEFLATE : RECORDING_CODEC_NULL;
    } else if (strcmp(option, "--timeout-ms") == 0) {
        if (!parse_int64(value, 1, INT32_MAX, &n))
            return args_fail("--timeout-ms wants a positive number", value);
        a->read.timeout_ms = (int)n;
    } else {
        return args_fail("unknown option", option);
    }
    return 1;
}

static int args_parse(record_args_t *a, int argc, char **argv) {
    memset(a, 0, sizeof *a);
    a->read.from.kind = TOPIC_POSITION_BEGINNING;
    a->read.to.kind = TOPIC_POSITION_END;
    a->read.timeout_ms = RECORD_TIMEOUT_MS_DEFAULT;
    cli_args_t it;
    const char *option, *value;
    int more;
    cli_args_init(&it, "record", args_options, argc, argv);
    while ((more = cli_args_next(&it, &option, &value)) > 0)
        if (!args_option(a, option, value))
            return 0;
    if (more < 0 || !cli_args_no_operands(&it))
        return 0;
    if (!a->read.topic || !a->read.topic[0])
        return args_fail("--topic T is required", NULL);
    if (!a->out || !a->out[0])
        return args_fail("--out FILE is required", NULL);
    if (!a->read.bootstrap && !a->config_path)
        return args_fail("give --bootstrap HOST:PORT or --config FILE", NULL);
    return 1;
}

/* Copy every record of the reader into the writer, with the progress line. */
static sy_err_t record_copy(topic_reader_t *reader, recording_writer_t *writer,
                            size_t *partitions, char *errbuf, size_t errbuf_size) {
    progress_t progress;
    recording_record_t rec;
    int32_t last_partition = -1;
    sy_err_t err;
    progress_init(&progress, stderr, "record");
    while ((err = topic_reader_next(reader, &rec, errbuf, errbuf_size)) == SY_OK) {
        if (rec.partition != last_partition)
            (*partitions)++;
        last_partition = rec.partition;
        err = recording_writer_append(writer, &rec, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
        uint64_t done, total;
        topic_reader_progress(reader, &done, &total);
        progress_update(&progress, done, total ? (double)done / (double)total : -1);
    }
    if (err != SY_ERR_NOT_FOUND)
        return err;
    progress_finish(&progress, recording_writer_count(writer));
    return SY_OK;
}

/* Read the range into FILE.part, close it, rename it to FILE, print the summary. */
static sy_err_t record_run(const record_args_t *a, const topic_reader_conf_t *conf,
                           char *errbuf, size_t errbuf_size) {
    char part[RECORD_PATH_BYTES_MAX];
    topic_reader_t *reader = NULL;
    recording_writer_t *writer = NULL;
    size_t partitions = 0;
    struct stat st;
    if (snprintf(part, sizeof part, "%s.part", a->out) >= (int)sizeof part) {
        snprintf(errbuf, errbuf_size, "--out: path too long");
        return SY_ERR_INVALID_ARG;
    }
    sy_err_t err = topic_reader_open(&reader, conf, errbuf, errbuf_size);
    if (err == SY_OK)
        err = recording_writer_open(&writer, part, a->codec, errbuf, errbuf_size);
    if (err == SY_OK)
        err = record_copy(reader, writer, &partitions, errbuf, errbuf_size);
    uint64_t count = writer ? recording_writer_count(writer) : 0;
    sy_err_t close_err = recording_writer_close(writer, errbuf, errbuf_size);
    topic_reader_close(reader);
    if (err == SY_OK && (err = close_err) == SY_OK && rename(part, a->out) != 0) {
        snprintf(errbuf, errbuf_size, "cannot rename %s.part to %s: %s", a->out, a->out,
                 strerror(errno));
        err = SY_ERR_IO;
    }
    if (err != SY_OK) {
        if (writer)
            remove(part);
        return err;
    }
    fprintf(stderr, "recorded %" PRIu64 " records of topic %s from %zu partition%s into %s "
            "(%lld bytes)\n", count, a->read.topic, partitions, partitions == 1 ? "" : "s", a->out,
            stat(a->out, &st) == 0 ? (long long)st.st_size : -1LL);
    return SY_OK;
}

/* Exit 2 for a config librdkafka refuses, 1 for every other failure (see --help). */
static int record_main(const record_args_t *a, const sy_config_t *config) {
    char errbuf[1024];
    topic_reader_conf_t conf = a->read;
    conf.config = config;
    sy_err_t err = record_run(a, &conf, errbuf, sizeof errbuf);
    if (err == SY_OK)
        return CLI_EXIT_OK;
    fprintf(stderr, "switchyard record: %s\n", errbuf);
    return err == SY_ERR_CONFIG ? CLI_EXIT_INVALID : CLI_EXIT_FAILURE;
}

int cli_record_main(int argc, char **argv) {
    record_args_t *a = malloc(sizeof *a); /* the partition list is large for a stack */
    char errbuf[1024];
    sy_config_t *config = NULL;
    int code = CLI_EXIT_INVALID;
    if (!a) {
        fprintf(stderr, "switchyard record: out of memory\n");
        return CLI_EXIT_FAILURE;
    }
    if (!args_parse(a, argc, argv))
        goto done;
    if (a->config_path && config_load(&config, a->config_path, errbuf, sizeof errbuf)) {
        fprintf(stderr, "switchyard record: %s\n", errbuf);
        goto done;
    }
    code = record_main(a, config);
done:
    config_free(config);
    free(a);
    return code;
}
