/* recording_int.h — private to recording*.c: the scan of an Avro object container file's
 * framing (header, then blocks of count, length, data and sync marker) that the reader
 * runs before avro-c reads a byte, and the writer runs to fix the sync marker at close.
 * Not a decoder of records: avro-c decodes blocks. */
#ifndef SY_RECORDING_INT_H
#define SY_RECORDING_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sy_error.h"

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

#endif
