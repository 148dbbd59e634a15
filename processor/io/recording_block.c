/* recording_block.c — a recording's blocks, read without avro-c: the check the reader
 * runs after the framing scan, before any record is handed out (a block inflates into a
 * buffer of bounded size, and each record's fields are walked with every length checked
 * against the bytes left), and the reader that then decodes the records of the checked
 * blocks in file order, straight from the block's bytes. Not a writer (avro-c writes). */
#include "recording_int.h"

#include <assert.h>
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

/* Bytes of the longest varint of a long (64 bits, 7 a byte). */
#define BLOCK_LONG_BYTES_MAX 10

/* Bytes a word-at-a-time varint decode loads (block_varint8). */
#define BLOCK_WORD_BYTES 8

static inline int64_t block_zigzag(uint64_t v) {
    /* no assert: every uint64_t is a zig-zag long */
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* A varint that ends within the 8 bytes at p (which holds them), its 7-bit groups packed
 * with shifts and masks instead of a loop: its length into *n, or false when it is longer.
 * A recording's times and offsets are 3 to 6 bytes long. */
__attribute__((always_inline))
static inline bool block_varint8(const unsigned char *p, uint64_t *v, size_t *n) {
    /* no assert: a leaf of block_long, which checked the bytes left */
    uint64_t w;
    memcpy(&w, p, sizeof w);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    uint64_t ends = ~w & UINT64_C(0x8080808080808080);
    if (!ends)
        return false;
    int last = __builtin_ctzll(ends); /* the high bit of the varint's last byte */
    w &= (UINT64_C(2) << last) - 1;   /* (2 << 63) - 1: all 8 bytes */
    w &= UINT64_C(0x7f7f7f7f7f7f7f7f);
    w = (w & UINT64_C(0x007f007f007f007f)) | (w & UINT64_C(0x7f007f007f007f00)) >> 1;
    w = (w & UINT64_C(0x00003fff00003fff)) | (w & UINT64_C(0x3fff00003fff0000)) >> 2;
    w = (w & UINT64_C(0x000000000fffffff)) | (w & UINT64_C(0x0fffffff00000000)) >> 4;
    *v = w;
    *n = (size_t)(last + 1) / 8;
    return true;
}

/* block_long byte by byte: near the block's end, and for 9 or 10 bytes. */
__attribute__((noinline))
static bool block_long_slow(block_cursor_t *c, int64_t *out) {
    /* no assert: the slow path of block_long */
    uint64_t v = 0;
    size_t max = c->left < BLOCK_LONG_BYTES_MAX ? c->left : BLOCK_LONG_BYTES_MAX;
    for (size_t i = 0; i < max; i++) {
        unsigned char b = c->p[i];
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            c->p += i + 1;
            c->left -= i + 1;
            *out = block_zigzag(v);
            return true;
        }
    }
    return false;
}

/* One zig-zag varint long; false when the data ends first or it is longer than 10 bytes
 * (the tenth byte's bits past 64 are dropped). One byte, two, then one word are the fast
 * paths: the bytes left are checked once for the most each reads, not once a byte. */
__attribute__((always_inline))
static inline bool block_long(block_cursor_t *c, int64_t *out) {
    /* no assert: the hot path of every field; c is the caller's own cursor */
    uint64_t v;
    size_t n;
    if (c->left > 0 && c->p[0] < 0x80) {
        *out = block_zigzag(c->p[0]);
        c->p++;
        c->left--;
        return true;
    }
    if (c->left >= 2 && c->p[1] < 0x80) { /* lengths of keys and values */
        *out = block_zigzag((uint64_t)(c->p[0] & 0x7f) | (uint64_t)c->p[1] << 7);
        c->p += 2;
        c->left -= 2;
        return true;
    }
    if (c->left >= BLOCK_WORD_BYTES && block_varint8(c->p, &v, &n)) {
        *out = block_zigzag(v);
        c->p += n;
        c->left -= n;
        return true;
    }
    return block_long_slow(c, out);
}

/* A string or bytes: a length in [0, max] that the data holds, into *p and *n. */
__attribute__((always_inline))
static inline bool block_bytes(block_cursor_t *c, int64_t max, const unsigned char **p, size_t *n) {
    int64_t len;
    if (!block_long(c, &len) || len < 0 || len > max || (uint64_t)len > c->left)
        return false;
    *p = c->p;
    *n = (size_t)len;
    c->p += len;
    c->left -= (size_t)len;
    return true;
}

/* A ["null","bytes"] union whose null branch is null_branch: *p NULL for null, else the
 * bytes (never NULL: present but empty is not null). */
__attribute__((always_inline))
static inline bool block_nullable(block_cursor_t *c, int null_branch, const void **p, size_t *n) {
    int64_t branch;
    const unsigned char *bytes;
    if (!block_long(c, &branch) || (branch != 0 && branch != 1))
        return false;
    if (branch == null_branch) {
        *p = NULL;
        *n = 0;
        return true;
    }
    if (!block_bytes(c, RECORDING_VALUE_BYTES_MAX, &bytes, n))
        return false;
    *p = bytes;
    return true;
}

/* One record of the recording schema, fields in the schema's order, into *out; its topic
 * is copied into topic (RECORDING_TOPIC_BYTES_MAX + 1 bytes) to end it with a NUL, the
 * key and value point into the block. With topic NULL (the check), out->topic is left.
 * *cursor moves past the record only when it is whole. */
__attribute__((always_inline))
static inline bool block_record(block_cursor_t *cursor, const int null_branch[2],
                                char *topic, recording_record_t *out) {
    assert(cursor && out);
    block_cursor_t walk = *cursor, *c = &walk; /* a copy the compiler keeps in registers */
    const unsigned char *name;
    size_t name_len;
    int64_t partition;
    if (!block_bytes(c, RECORDING_TOPIC_BYTES_MAX, &name, &name_len) ||
        !block_long(c, &partition) || partition < INT32_MIN || partition > INT32_MAX ||
        !block_long(c, &out->offset) || !block_long(c, &out->timestamp_ms) ||
        !block_nullable(c, null_branch[0], &out->key, &out->key_len) ||
        !block_nullable(c, null_branch[1], &out->value, &out->value_len))
        return false;
    if (topic) {
        memcpy(topic, name, name_len);
        topic[name_len] = '\0';
        out->topic = topic;
    }
    out->partition = (int32_t)partition;
    *cursor = walk;
    return true;
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

/* Read the block at the current position (count and size already read) into raw, and
 * inflate it into plain when it is deflated: *c walks its records' bytes. NULL, or what
 * is wrong with it. */
static const char *block_load(FILE *fp, const recording_blocks_t *b, int64_t count,
                              int64_t size, unsigned char *raw, unsigned char *plain,
                              block_cursor_t *c) {
    size_t len = (size_t)size;
    assert(c && raw && (plain || !b->deflate));
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
    *c = (block_cursor_t){.p = data, .left = len};
    return NULL;
}

/* Read the block at the current position (count and size already read) and check it. */
static const char *block_check_one(FILE *fp, const recording_blocks_t *b, int64_t count,
                                   int64_t size, unsigned char *raw, unsigned char *plain) {
    recording_record_t rec;
    block_cursor_t c;
    const char *problem = block_load(fp, b, count, size, raw, plain, &c);
    if (problem)
        return problem;
    for (int64_t i = 0; i < count; i++) {
        if (!block_record(&c, b->null_branch, NULL, &rec))
            return "holds a damaged record (a length or value out of range)";
    }
    return c.left == 0 ? NULL : "holds bytes after its last record";
}

/* The two buffers of a block: as stored, and inflated (deflate only); false without
 * memory (then both are NULL). */
static bool block_buffers_new(const recording_blocks_t *b, unsigned char **raw,
                              unsigned char **plain) {
    *raw = malloc(RECORDING_BLOCK_STORED_BYTES_MAX);
    *plain = b->deflate ? malloc(RECORDING_BLOCK_DATA_BYTES_MAX) : NULL;
    if (*raw && (*plain || !b->deflate))
        return true;
    free(*raw);
    free(*plain);
    *raw = *plain = NULL;
    return false;
}

sy_err_t recording_blocks_check(FILE *fp, const char *path, const recording_scan_t *scan,
                                const recording_blocks_t *b, char *errbuf,
                                size_t errbuf_size) {
    unsigned char *raw, *plain;
    sy_err_t err = SY_OK;
    if (!block_buffers_new(b, &raw, &plain)) {
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

sy_err_t recording_block_reader_open(recording_block_reader_t *br, FILE *fp,
                                     const recording_scan_t *scan,
                                     const recording_blocks_t *b, const char *path,
                                     char *errbuf, size_t errbuf_size) {
    assert(br && fp && scan && b);
    *br = (recording_block_reader_t){.fp = fp, .format = *b, .blocks_left = scan->blocks,
                                     .at = (off_t)scan->header_bytes};
    if (!block_buffers_new(b, &br->raw, &br->plain)) {
        snprintf(errbuf, errbuf_size, "%s: out of memory", path);
        return SY_ERR_NOMEM;
    }
    if (fseeko(fp, (off_t)scan->header_bytes, SEEK_SET) != 0) {
        snprintf(errbuf, errbuf_size, "%s: cannot seek: %s", path, strerror(errno));
        recording_block_reader_deinit(br);
        return SY_ERR_IO;
    }
    return SY_OK;
}

/* The next block into br: its records to read, or what is wrong. */
static const char *block_next(recording_block_reader_t *br) {
    int64_t count, size;
    unsigned char sync[RECORDING_SYNC_BYTES];
    block_cursor_t c;
    assert(br->block_records == 0);
    if (br->blocks_left == 0)
        return "ends before its last record";
    if (recording_scan_long(br->fp, &count) != 0 || recording_scan_long(br->fp, &size) != 0 ||
        count <= 0 || size < 0)
        return "is truncated";
    const char *problem = block_load(br->fp, &br->format, count, size, br->raw, br->plain, &c);
    if (problem)
        return problem;
    if (fread(sync, 1, sizeof sync, br->fp) != sizeof sync)
        return "is truncated";
    br->blocks_left--;
    br->block_records = count;
    br->at = ftello(br->fp);
    br->p = c.p;
    br->left = c.left;
    return NULL;
}

const char *recording_block_reader_next(recording_block_reader_t *br,
                                        recording_record_t *out) {
    assert(br && out && br->raw);
    const char *problem = br->block_records == 0 ? block_next(br) : NULL;
    if (problem)
        return problem;
    block_cursor_t c = {.p = br->p, .left = br->left};
    if (!block_record(&c, br->format.null_branch, br->topic, out))
        return "holds a damaged record (a length or value out of range)";
    br->block_records--;
    br->p = c.p;
    br->left = c.left;
    return NULL;
}

void recording_block_reader_deinit(recording_block_reader_t *br) {
    if (!br)
        return;
    free(br->raw);
    free(br->plain);
    br->raw = br->plain = NULL;
}
