/* recording_int.h — private to recording*.c: the scan of an Avro object container file's
 * framing (header, then blocks of count, length, data and sync marker) that the reader
 * runs before it reads a record, and the writer runs to fix the sync marker at close;
 * the check and reader of blocks (recording_block.c). Not the writer's encoding (avro-c
 * writes records). */
#ifndef SY_RECORDING_INT_H
#define SY_RECORDING_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "recording.h"
#include "sy_error.h"
#include "sy_limits.h"

/* Bytes of a Kafka topic name (sy_limits.h). */
#define RECORDING_TOPIC_BYTES_MAX SY_TOPIC_BYTES_MAX

/* Bytes of a record's key or value: what a Kafka record of switchyard's may carry. */
#define RECORDING_VALUE_BYTES_MAX SY_FRAME_BYTES_MAX

/* Bytes of records per block before the writer closes it: Java's Avro default sync
 * interval (64,000). Deflate compresses well at this size, and the reader's progress
 * moves in steps this small. */
#define RECORDING_BLOCK_BYTES 65536

/* The writer's block buffer (avro-c's): a block closes after RECORDING_BLOCK_BYTES, so it must
 * hold that plus the largest record (topic, key and value at their maximum, varints). */
#define RECORDING_BUFFER_BYTES \
    (RECORDING_BLOCK_BYTES + 2 * SY_FRAME_BYTES_MAX + RECORDING_TOPIC_BYTES_MAX + 64)

/* Bytes of a block's records, inflated: no writer of recordings makes a larger block, so
 * a larger one is damage or a decompression bomb, refused before it is inflated. */
#define RECORDING_BLOCK_DATA_BYTES_MAX RECORDING_BUFFER_BYTES
#define RECORDING_BLOCK_DATA_TEXT "2163001 bytes"
_Static_assert(RECORDING_BLOCK_DATA_BYTES_MAX == 2163001, "RECORDING_BLOCK_DATA_TEXT");

/* Bytes of a block as stored: deflate makes incompressible data at most 1/2048 larger,
 * plus a few bytes (zlib's deflateBound). */
#define RECORDING_BLOCK_STORED_BYTES_MAX \
    (RECORDING_BLOCK_DATA_BYTES_MAX + RECORDING_BLOCK_DATA_BYTES_MAX / 1024 + 64)

/* Bytes of the smallest record: an empty topic, three one-byte varints, two nulls. */
#define RECORDING_RECORD_BYTES_MIN 6

/* Bytes of an Avro container's sync marker (fixed by the Avro specification). */
#define RECORDING_SYNC_BYTES 16

/* Bytes of a container header we accept: avro-c writes its schema through a 64 KiB
 * buffer; other tools add a little metadata. A larger header is damage, not a schema. */
#define RECORDING_HEADER_BYTES_MAX (1024 * 1024)

/* Bytes of a codec name kept: "null", "deflate", "snappy", "zstandard". */
#define RECORDING_CODEC_NAME_MAX 16

typedef struct recording_scan {
    char *schema_json;      /* owned: the header's avro.schema, NUL-terminated */
    size_t schema_len;
    char codec[RECORDING_CODEC_NAME_MAX]; /* the header's avro.codec ("null" when absent) */
    unsigned char sync[RECORDING_SYNC_BYTES];
    uint64_t header_bytes;  /* where the first block starts */
    uint64_t file_bytes;
    uint64_t blocks;
    uint64_t records;       /* the sum of the blocks' record counts */
} recording_scan_t;

/* Scan fp (positioned anywhere; left at an unspecified position) from its first byte:
 * check the magic, read the header, then walk every block checking that its length fits
 * the file and that it ends with the header's sync marker. When new_sync is not NULL
 * (fp open for update), every sync marker is overwritten with it. *out is set only on
 * success. Errors: SY_ERR_MALFORMED (not a container file, truncated or damaged: errbuf
 * names path, the block and its byte offset), SY_ERR_IO, SY_ERR_NOMEM. A file cut right
 * after a block is a valid container holding fewer records: nothing can tell. */
sy_err_t recording_scan_file(FILE *fp, const char *path, const unsigned char *new_sync,
                             recording_scan_t *out, char *errbuf, size_t errbuf_size);

/* Free what a scan owns; a zeroed scan is a no-op. */
void recording_scan_deinit(recording_scan_t *scan);

/* One Avro long (zig-zag varint) from fp; -1 at the end of the file or on an overlong
 * varint. */
int recording_scan_long(FILE *fp, int64_t *out);

/* What the block check needs to know of a file whose schema is the recording schema. */
typedef struct recording_blocks {
    bool deflate;       /* the codec: deflate, else null */
    int null_branch[2]; /* key, value: which branch of their union is null (0 or 1) */
} recording_blocks_t;

/* Read every block that scan found in fp and check it as the reader will read it: stored
 * and inflated sizes within the limits above, and exactly its count of records, each
 * with every length and union branch in range. fp is left at an unspecified position.
 * Errors: SY_ERR_MALFORMED (errbuf names path, the block and its byte offset), SY_ERR_IO,
 * SY_ERR_NOMEM. */
sy_err_t recording_blocks_check(FILE *fp, const char *path, const recording_scan_t *scan,
                                const recording_blocks_t *b, char *errbuf,
                                size_t errbuf_size);

/* The records of a file's blocks, decoded in file order straight from each block's bytes:
 * the reader's side of the blocks recording_blocks_check accepted. Private to
 * recording.c; not thread-safe. */
typedef struct recording_block_reader {
    FILE *fp;                    /* borrowed */
    recording_blocks_t format;
    unsigned char *raw, *plain;  /* owned: the block as stored, and inflated */
    uint64_t blocks_left;        /* blocks after the current one */
    int64_t block_records;       /* records of the current block not read yet */
    const unsigned char *p;      /* the current block's next record */
    size_t left;                 /* bytes of the block from p */
    off_t at;                    /* fp's position after the current block; -1 unknown */
    char topic[RECORDING_TOPIC_BYTES_MAX + 1]; /* the last record's topic, NUL-ended */
} recording_block_reader_t;

/* Make br read scan's blocks of fp (positioned at its first block here; fp borrowed) in
 * format b. Errors: SY_ERR_NOMEM, SY_ERR_IO (errbuf names path). On an error br holds
 * nothing to free. */
sy_err_t recording_block_reader_open(recording_block_reader_t *br, FILE *fp,
                                     const recording_scan_t *scan,
                                     const recording_blocks_t *b, const char *path,
                                     char *errbuf, size_t errbuf_size);

/* The next record into *out (its pointers valid until the next call or deinit); NULL, or
 * what is wrong with the block it is in. The caller stops at the scan's record count. */
const char *recording_block_reader_next(recording_block_reader_t *br,
                                        recording_record_t *out);

/* Free br's buffers; a zeroed reader is a no-op. */
void recording_block_reader_deinit(recording_block_reader_t *br);

#endif
