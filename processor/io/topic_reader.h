/* topic_reader.h — one topic read from Kafka over a range, partition after partition in
 * partition order, each from its first to its last offset of the range: the input of
 * `switchyard record` and of `switchyard replay --topic`. A fixed order makes two reads of
 * the same range give the same sequence. Not a consumer group member: it assigns
 * partitions itself and commits nothing. */
#ifndef SY_TOPIC_READER_H
#define SY_TOPIC_READER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "recording.h"
#include "sy_error.h"
#include "sy_limits.h"

/* Partitions one read may name: those a store serves (sy_limits.h). */
#define TOPIC_READER_PARTITIONS_MAX SY_PARTITIONS_MAX

typedef enum topic_position_kind {
    TOPIC_POSITION_BEGINNING, /* the partition's first offset still kept */
    TOPIC_POSITION_END,       /* the partition's end (high watermark) when the read opens */
    TOPIC_POSITION_OFFSET,    /* this offset (clamped to what the partition holds) */
    TOPIC_POSITION_TIME,      /* the first offset whose timestamp is >= value (epoch ms) */
} topic_position_kind_t;

typedef struct topic_position {
    topic_position_kind_t kind;
    int64_t value; /* OFFSET: the offset; TIME: epoch ms; otherwise unused */
} topic_position_t;

typedef struct topic_reader_conf {
    const char *topic;            /* borrowed for topic_reader_open */
    const int32_t *partitions;    /* borrowed; NULL: every partition of the topic */
    size_t partitions_count;
    topic_position_t from;        /* inclusive */
    topic_position_t to;          /* exclusive */
    const sy_config_t *config;    /* its kafka.* properties are applied; borrowed, or NULL */
    const char *bootstrap;        /* overrides kafka.bootstrap.servers when not NULL */
    int timeout_ms;               /* longest wait for metadata, offsets or a fetch */
} topic_reader_conf_t;

typedef struct topic_reader topic_reader_t;

/* Parse one range option of a command that reads a topic: --partitions P,P.. (into
 * partitions_buf, TOPIC_READER_PARTITIONS_MAX entries, which conf then borrows),
 * --from-offset N, --from-time TIME, --to-offset N, --to-time TIME (TIME: ISO-8601 or
 * epoch ms). conf->from and conf->to start as BEGINNING and END; a second position for
 * either end is wrong. Returns 1 when taken, 0 when the value is wrong (*problem then
 * says what to give, static text), -1 when option is not a range option
 * (topic_reader_option.c). */
int topic_reader_option(topic_reader_conf_t *conf, int32_t *partitions_buf,
                        const char *option, const char *value, const char **problem);

/* Connect, look the topic up and resolve every partition's range (read_committed: aborted
 * records and transaction markers are skipped). *out is set only on success. Errors:
 * SY_ERR_INVALID_ARG (no such topic or partition: errbuf names it), SY_ERR_CONFIG (a
 * kafka.* property librdkafka refuses), SY_ERR_KAFKA_RETRIABLE (broker unreachable within
 * timeout_ms), SY_ERR_NOMEM. */
sy_err_t topic_reader_open(topic_reader_t **out, const topic_reader_conf_t *conf,
                           char *errbuf, size_t errbuf_size);

/* The next record: partitions in ascending order, offsets ascending within one.
 * SY_ERR_NOT_FOUND when every range is read; SY_ERR_KAFKA_RETRIABLE when the broker
 * stopped answering for timeout_ms; SY_ERR_KAFKA_FATAL. out borrows from the reader
 * until the next call. */
sy_err_t topic_reader_next(topic_reader_t *reader, recording_record_t *out, char *errbuf,
                           size_t errbuf_size);

/* The partition count of the topic (all of them, not only those read). */
int32_t topic_reader_topic_partitions(const topic_reader_t *reader);

/* Records returned so far, and the total the ranges held when resolved (an upper bound
 * under read_committed: markers and aborted records take offsets too). */
void topic_reader_progress(const topic_reader_t *reader, uint64_t *records_read,
                           uint64_t *records_total);

/* topic_reader_close(NULL) is a no-op. */
void topic_reader_close(topic_reader_t *reader);

#endif
