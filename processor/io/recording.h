/* recording.h — recording files: Kafka records (topic, partition, offset, timestamp, key,
 * value) kept in an Avro object container file, as `switchyard record` writes them and
 * `switchyard replay` and the load generator read or write them (docs/recording.md has the
 * schema). Any Avro tool reads the file. Not a Kafka client: topic_reader.h reads topics. */
#ifndef SY_RECORDING_H
#define SY_RECORDING_H

#include <stddef.h>
#include <stdint.h>

#include "sy_error.h"

/* One Kafka record. Every pointer is borrowed: for a record read, valid until the next
 * read or close of the reader that returned it. */
typedef struct recording_record {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms;   /* the record's Kafka timestamp (epoch ms), -1 when it had none */
    const void *key;        /* NULL: the record had no key */
    size_t key_len;
    const void *value;      /* NULL: no value (a tombstone) */
    size_t value_len;
} recording_record_t;

typedef enum recording_codec {
    RECORDING_CODEC_NULL,    /* blocks stored as written: fastest to read */
    RECORDING_CODEC_DEFLATE, /* blocks compressed with deflate: smaller files */
} recording_codec_t;

typedef struct recording_writer recording_writer_t;
typedef struct recording_reader recording_reader_t;

/* Create (truncate) path and write the container's header. *out is set only on success.
 * Errors: SY_ERR_IO (errbuf names the path and the reason), SY_ERR_NOMEM. */
sy_err_t recording_writer_open(recording_writer_t **out, const char *path,
                               recording_codec_t codec, char *errbuf, size_t errbuf_size);

/* Append one record (copied; rec is borrowed for the call). Errors: SY_ERR_IO,
 * SY_ERR_LIMIT (a key or value over SY_FRAME_BYTES_MAX, a topic name over Kafka's 249
 * bytes; the writer stays usable), SY_ERR_NOMEM. */
sy_err_t recording_writer_append(recording_writer_t *writer, const recording_record_t *rec,
                                 char *errbuf, size_t errbuf_size);

/* Flush the last block and close the file, then free the writer (also on error): the file
 * is complete only when this returns SY_OK. recording_writer_close(NULL, ...) is a no-op. */
sy_err_t recording_writer_close(recording_writer_t *writer, char *errbuf, size_t errbuf_size);

/* Records appended so far. */
uint64_t recording_writer_count(const recording_writer_t *writer);

/* Open a recording for reading, and start checking its blocks on a thread of its own.
 * Errors: SY_ERR_IO (cannot open), SY_ERR_MALFORMED (not an Avro container file, or one
 * whose schema is not a recording's), SY_ERR_NOMEM. */
sy_err_t recording_reader_open(recording_reader_t **out, const char *path, char *errbuf,
                               size_t errbuf_size);

/* Wait for the check of every block the open started: SY_OK, or what is wrong with the
 * file (SY_ERR_MALFORMED: errbuf names the block and its byte offset; SY_ERR_IO,
 * SY_ERR_NOMEM), the same at every call; errbuf is written only then.
 * recording_reader_next waits for it too, at its first call: nothing is read from a file
 * before all of it is checked. */
sy_err_t recording_reader_checked(recording_reader_t *reader, char *errbuf,
                                  size_t errbuf_size);

/* The next record, in file order. SY_ERR_NOT_FOUND at the end of the file;
 * SY_ERR_MALFORMED when the file is damaged (errbuf says where); SY_ERR_IO. */
sy_err_t recording_reader_next(recording_reader_t *reader, recording_record_t *out,
                               char *errbuf, size_t errbuf_size);

/* How far the reader is: bytes of the file consumed so far and the file's size, for a
 * progress line and its ETA. */
void recording_reader_progress(const recording_reader_t *reader, uint64_t *bytes_read,
                               uint64_t *bytes_total);

/* recording_reader_close(NULL) is a no-op. */
void recording_reader_close(recording_reader_t *reader);

#endif
