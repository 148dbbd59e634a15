/* recording_scan.c — the framing scan of recording_int.h: Avro's zig-zag varints read
 * from a FILE, the container header's metadata map, and the walk over the blocks. It lets
 * the reader refuse a truncated or damaged file at open, with the byte offset, instead of
 * handing avro-c a block length it would trust. Not a decoder of records. */
#include "recording_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bytes of an Avro long's varint: 64 bits at 7 per byte. */
#define SCAN_VARINT_BYTES_MAX 10

int recording_scan_long(FILE *fp, int64_t *out) {
    uint64_t v = 0;
    for (int i = 0; i < SCAN_VARINT_BYTES_MAX; i++) {
        int c = getc(fp);
        if (c == EOF)
            return -1;
        v |= (uint64_t)(c & 0x7f) << (7 * i);
        if (!(c & 0x80)) {
            *out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
            return 0;
        }
    }
    return -1;
}

static sy_err_t scan_fail(char *errbuf, size_t errbuf_size, const char *path,
                          const char *what, uint64_t at) {
    snprintf(errbuf, errbuf_size, "%s: %s (at byte %" PRIu64 ")", path, what, at);
    return SY_ERR_MALFORMED;
}

/* One header string or bytes: a length, then that many bytes, into a new NUL-terminated
 * buffer (owned by the caller). */
static sy_err_t scan_bytes(FILE *fp, const char *path, char **out, size_t *len,
                           char *errbuf, size_t errbuf_size) {
    int64_t n;
    uint64_t at = (uint64_t)ftello(fp);
    if (recording_scan_long(fp, &n) != 0 || n < 0 || n > RECORDING_HEADER_BYTES_MAX)
        return scan_fail(errbuf, errbuf_size, path, "truncated or damaged header", at);
    char *buf = malloc((size_t)n + 1);
    if (!buf) {
        snprintf(errbuf, errbuf_size, "%s: out of memory reading the header", path);
        return SY_ERR_NOMEM;
    }
    if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        return scan_fail(errbuf, errbuf_size, path, "truncated header", at);
    }
    buf[n] = '\0';
    *out = buf;
    *len = (size_t)n;
    return SY_OK;
}

/* One metadata entry: keeps avro.schema and avro.codec, skips the others. */
static sy_err_t scan_entry(FILE *fp, const char *path, recording_scan_t *s, char *errbuf,
                           size_t errbuf_size) {
    char *key = NULL, *value = NULL;
    size_t key_len, value_len;
    sy_err_t err = scan_bytes(fp, path, &key, &key_len, errbuf, errbuf_size);
    if (err == SY_OK)
        err = scan_bytes(fp, path, &value, &value_len, errbuf, errbuf_size);
    if (err == SY_OK && strcmp(key, "avro.schema") == 0 && !s->schema_json) {
        s->schema_json = value;
        s->schema_len = value_len;
        value = NULL;
    } else if (err == SY_OK && strcmp(key, "avro.codec") == 0) {
        snprintf(s->codec, sizeof s->codec, "%s", value);
    }
    free(key);
    free(value);
    return err;
}

/* The magic, the metadata map (blocks of entries, a negative count followed by a byte
 * size), then the sync marker. */
static sy_err_t scan_header(FILE *fp, const char *path, recording_scan_t *s, char *errbuf,
                            size_t errbuf_size) {
    unsigned char magic[4];
    if (fread(magic, 1, sizeof magic, fp) != sizeof magic || memcmp(magic, "Obj\x01", 4)) {
        snprintf(errbuf, errbuf_size,
                 "%s: not an Avro object container file (it does not start with Obj\\x01)",
                 path);
        return SY_ERR_MALFORMED;
    }
    snprintf(s->codec, sizeof s->codec, "null");
    for (;;) {
        int64_t count, size;
        uint64_t at = (uint64_t)ftello(fp);
        if (at > RECORDING_HEADER_BYTES_MAX || recording_scan_long(fp, &count) != 0)
            return scan_fail(errbuf, errbuf_size, path, "truncated or damaged header", at);
        if (count == 0)
            break;
        /* More entries than the header has bytes is damage (and -INT64_MIN overflows). */
        if (count < -RECORDING_HEADER_BYTES_MAX || count > RECORDING_HEADER_BYTES_MAX)
            return scan_fail(errbuf, errbuf_size, path, "damaged header", at);
        if (count < 0 && recording_scan_long(fp, &size) != 0)
            return scan_fail(errbuf, errbuf_size, path, "truncated header", at);
        for (int64_t i = 0; i < (count < 0 ? -count : count); i++) {
            sy_err_t err = scan_entry(fp, path, s, errbuf, errbuf_size);
            if (err != SY_OK)
                return err;
        }
    }
    if (fread(s->sync, 1, sizeof s->sync, fp) != sizeof s->sync)
        return scan_fail(errbuf, errbuf_size, path, "truncated header", (uint64_t)ftello(fp));
    if (!s->schema_json)
        return scan_fail(errbuf, errbuf_size, path, "no avro.schema in the header", 0);
    s->header_bytes = (uint64_t)ftello(fp);
    return SY_OK;
}

/* Check (and when new_sync is set, overwrite) the sync marker at the current position. */
static sy_err_t scan_sync(FILE *fp, const char *path, const recording_scan_t *s,
                          const unsigned char *new_sync, char *errbuf, size_t errbuf_size) {
    unsigned char sync[RECORDING_SYNC_BYTES];
    off_t at = ftello(fp);
    if (fread(sync, 1, sizeof sync, fp) != sizeof sync ||
        memcmp(sync, s->sync, sizeof sync) != 0) {
        char what[96];
        snprintf(what, sizeof what, "damaged: block %" PRIu64 " does not end with the "
                 "file's sync marker", s->blocks);
        return scan_fail(errbuf, errbuf_size, path, what, (uint64_t)at);
    }
    if (!new_sync)
        return SY_OK;
    if (fseeko(fp, at, SEEK_SET) != 0 || fwrite(new_sync, 1, sizeof sync, fp) != sizeof sync ||
        fseeko(fp, 0, SEEK_CUR) != 0) {
        snprintf(errbuf, errbuf_size, "%s: cannot write: %s", path, strerror(errno));
        return SY_ERR_IO;
    }
    return SY_OK;
}

/* Every block after the header: a record count > 0, a length that fits the file, the
 * data, the sync marker. */
static sy_err_t scan_blocks(FILE *fp, const char *path, recording_scan_t *s,
                            const unsigned char *new_sync, char *errbuf, size_t errbuf_size) {
    for (;;) {
        uint64_t at = (uint64_t)ftello(fp);
        if (at == s->file_bytes)
            return SY_OK;
        int64_t count, size;
        char what[160];
        if (recording_scan_long(fp, &count) != 0 || recording_scan_long(fp, &size) != 0) {
            snprintf(what, sizeof what, "truncated: block %" PRIu64 " has no complete "
                     "header", s->blocks);
            return scan_fail(errbuf, errbuf_size, path, what, at);
        }
        uint64_t data = (uint64_t)ftello(fp);
        uint64_t left = s->file_bytes - data;
        if (count <= 0 || size < 0) {
            snprintf(what, sizeof what, "damaged: block %" PRIu64 " says %" PRId64
                     " records of %" PRId64 " bytes", s->blocks, count, size);
            return scan_fail(errbuf, errbuf_size, path, what, at);
        }
        if (left < RECORDING_SYNC_BYTES || (uint64_t)size > left - RECORDING_SYNC_BYTES) {
            snprintf(what, sizeof what, "truncated: block %" PRIu64 " needs %" PRId64
                     " bytes and a sync marker, the file has %" PRIu64 " more",
                     s->blocks, size, left);
            return scan_fail(errbuf, errbuf_size, path, what, at);
        }
        if (fseeko(fp, (off_t)(data + (uint64_t)size), SEEK_SET) != 0) {
            snprintf(errbuf, errbuf_size, "%s: cannot seek: %s", path, strerror(errno));
            return SY_ERR_IO;
        }
        sy_err_t err = scan_sync(fp, path, s, new_sync, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
        s->blocks++;
        s->records += (uint64_t)count;
    }
}

sy_err_t recording_scan_file(FILE *fp, const char *path, const unsigned char *new_sync,
                             recording_scan_t *out, char *errbuf, size_t errbuf_size) {
    recording_scan_t s = {0};
    struct stat st;
    sy_err_t err = SY_ERR_IO;
    if (fflush(fp) != 0 || fstat(fileno(fp), &st) != 0 || fseeko(fp, 0, SEEK_SET) != 0) {
        snprintf(errbuf, errbuf_size, "%s: %s", path, strerror(errno));
        goto fail;
    }
    s.file_bytes = (uint64_t)st.st_size;
    err = scan_header(fp, path, &s, errbuf, errbuf_size);
    if (err != SY_OK)
        goto fail;
    if (new_sync) {
        if (fseeko(fp, (off_t)s.header_bytes - RECORDING_SYNC_BYTES, SEEK_SET) != 0) {
            snprintf(errbuf, errbuf_size, "%s: cannot seek: %s", path, strerror(errno));
            err = SY_ERR_IO;
            goto fail;
        }
        err = scan_sync(fp, path, &s, new_sync, errbuf, errbuf_size);
        if (err != SY_OK)
            goto fail;
    }
    err = scan_blocks(fp, path, &s, new_sync, errbuf, errbuf_size);
    if (err != SY_OK)
        goto fail;
    if (new_sync)
        memcpy(s.sync, new_sync, sizeof s.sync);
    *out = s;
    return SY_OK;
fail:
    recording_scan_deinit(&s);
    return err;
}

void recording_scan_deinit(recording_scan_t *scan) {
    free(scan->schema_json);
    scan->schema_json = NULL;
}
