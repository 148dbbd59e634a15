/* recording_block.c — the check of every block's records that the reader runs after the
 * framing scan and before avro-c reads a byte: a block inflates (deflate) into a buffer of
 * bounded size, and each record's fields are walked with every length checked against the
 * bytes left. avro-c trusts lengths (a negative one becomes a huge malloc) and inflates
 * without a limit; this file is why it never sees such a block. Not a decoder for callers. */
#include "recording_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* The reading side of one block: its data and how far the walk got. */
typedef struct block_cursor {
    const unsigned char *p;
    size_t left;
} block_cursor_t;

/* One zig-zag varint long; false when the data ends first or it is longer than 10 bytes. */
static bool block_long(block_cursor_t *c, int64_t *out) {
    uint64_t v = 0;
    for (int i = 0; i < 10 && c->left > 0; i++) {
        unsigned char b = *c->p++;
        c->left--;
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
            return true;
        }
    }
    return false;
}

/* A string or bytes: a length in [0, max] that the data holds, skipped. */
static bool block_bytes(block_cursor_t *c, int64_t max) {
    int64_t n;
    if (!block_long(c, &n) || n < 0 || n > max || (uint64_t)n > c->left)
        return false;
    c->p += n;
    c->left -= (size_t)n;
    return true;
}

/* A ["null","bytes"] union whose null branch is null_branch. */
static bool block_nullable(block_cursor_t *c, int null_branch) {
    int64_t branch;
    if (!block_long(c, &branch) || (branch != 0 && branch != 1))
        return false;
    return branch == null_branch || block_bytes(c, RECORDING_VALUE_BYTES_MAX);
}

/* One record of the recording schema, fields in the schema's order. */
static bool block_record(block_cursor_t *c, const int null_branch[2]) {
    int64_t partition, n;
    return block_bytes(c, RECORDING_TOPIC_BYTES_MAX) && block_long(c, &partition) &&
           partition >= INT32_MIN && partition <= INT32_MAX && block_long(c, &n) &&
           block_long(c, &n) && block_nullable(c, null_branch[0]) &&
           block_nullable(c, null_branch[1]);
}

/* Inflate a raw deflate stream (Avro's deflate codec) of in_len bytes into out, at most
 * out_max bytes; false when it is damaged or would be larger. */
static bool block_inflate(const unsigned char *in, size_t in_len, unsigned char *out,
                          size_t out_max, size_t *out_len) {
    z_stream z = {0};
    if (inflateInit2(&z, -15) != Z_OK)
        return false;
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)in_len;
    z.next_out = out;
    z.avail_out = (uInt)out_max;
    int rc = inflate(&z, Z_FINISH);
    *out_len = out_max - z.avail_out;
    inflateEnd(&z);
    return rc == Z_STREAM_END;
}

/* Read the block at the current position (count and size already read) and check it. */
static const char *block_check_one(FILE *fp, const recording_blocks_t *b, int64_t count,
                                   int64_t size, unsigned char *raw, unsigned char *plain) {
    size_t len = (size_t)size;
    if (size > RECORDING_BLOCK_STORED_BYTES_MAX)
        return "is larger than a recording block may be";
    if (fread(raw, 1, len, fp) != len)
        return "is truncated";
    const unsigned char *data = raw;
    if (b->deflate) {
        if (!block_inflate(raw, len, plain, RECORDING_BLOCK_DATA_BYTES_MAX, &len))
            return "does not inflate to at most " RECORDING_BLOCK_DATA_TEXT;
        data = plain;
    }
    if (count > (int64_t)(len / RECORDING_RECORD_BYTES_MIN))
        return "says more records than its bytes can hold";
    block_cursor_t c = {.p = data, .left = len};
    for (int64_t i = 0; i < count; i++) {
        if (!block_record(&c, b->null_branch))
            return "holds a damaged record (a length or value out of range)";
    }
    return c.left == 0 ? NULL : "holds bytes after its last record";
}

sy_err_t recording_blocks_check(FILE *fp, const char *path, const recording_scan_t *scan,
                                const recording_blocks_t *b, char *errbuf,
                                size_t errbuf_size) {
    unsigned char *raw = malloc(RECORDING_BLOCK_STORED_BYTES_MAX);
    unsigned char *plain = b->deflate ? malloc(RECORDING_BLOCK_DATA_BYTES_MAX) : NULL;
    sy_err_t err = SY_OK;
    if (!raw || (b->deflate && !plain)) {
        snprintf(errbuf, errbuf_size, "%s: out of memory", path);
        err = SY_ERR_NOMEM;
        goto done;
    }
    if (fseeko(fp, (off_t)scan->header_bytes, SEEK_SET) != 0) {
        snprintf(errbuf, errbuf_size, "%s: cannot seek: %s", path, strerror(errno));
        err = SY_ERR_IO;
        goto done;
    }
    for (uint64_t i = 0; i < scan->blocks; i++) {
        uint64_t at = (uint64_t)ftello(fp);
        int64_t count, size;
        /* The framing scan found every block whole: count > 0, size >= 0. */
        const char *problem = recording_scan_long(fp, &count) != 0 ||
                                      recording_scan_long(fp, &size) != 0
                                  ? "is truncated"
                                  : block_check_one(fp, b, count, size, raw, plain);
        if (problem || fseeko(fp, RECORDING_SYNC_BYTES, SEEK_CUR) != 0) {
            snprintf(errbuf, errbuf_size, "%s: damaged: block %" PRIu64 " %s (at byte %"
                     PRIu64 ")", path, i, problem ? problem : "cannot be read", at);
            err = SY_ERR_MALFORMED;
            goto done;
        }
    }
done:
    free(raw);
    free(plain);
    return err;
}
