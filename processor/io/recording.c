/* recording.c — recording files (recording.h): written with avro-c's object container API
 * (one schema, class and generic value per writer: no schema work per record); read by
 * scanning the file's framing (recording_scan.c), checking the schema with avro-c and
 * every block (recording_block.c; on a thread of its own while the caller goes on), then
 * decoding the records straight from the blocks (recording_block.c), not through avro-c's
 * generic values. Not a Kafka client (topic_reader.c). */
#include "recording.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <avro.h>

#include "recording_int.h"
#include "sy_hash.h"
#include "sy_limits.h"

/* The schema of docs/recording.md. */
static const char RECORDING_SCHEMA_JSON[] =
    "{\"type\":\"record\",\"name\":\"Recording\",\"namespace\":\"switchyard\",\"fields\":["
    "{\"name\":\"topic\",\"type\":\"string\"},"
    "{\"name\":\"partition\",\"type\":\"int\"},"
    "{\"name\":\"offset\",\"type\":\"long\"},"
    "{\"name\":\"timestamp\",\"type\":\"long\"},"
    "{\"name\":\"key\",\"type\":[\"null\",\"bytes\"]},"
    "{\"name\":\"value\",\"type\":[\"null\",\"bytes\"]}]}";

enum { F_TOPIC, F_PARTITION, F_OFFSET, F_TIMESTAMP, F_KEY, F_VALUE, F__COUNT };

static const struct {
    const char *name;
    avro_type_t type;
    const char *type_name;
} recording_fields[F__COUNT] = {
    {"topic", AVRO_STRING, "a string"},   {"partition", AVRO_INT32, "an int"},
    {"offset", AVRO_INT64, "a long"},      {"timestamp", AVRO_INT64, "a long"},
    {"key", AVRO_UNION, "[\"null\",\"bytes\"]"},
    {"value", AVRO_UNION, "[\"null\",\"bytes\"]"},
};

struct recording_writer {
    char *path;
    FILE *fp; /* owned; avro-c writes through it without closing it */
    avro_schema_t schema;
    avro_value_iface_t *iface;
    avro_value_t value;
    bool value_made;
    avro_file_writer_t file;
    uint64_t count;
    size_t block_bytes; /* record bytes in the block avro-c holds */
};

/* The block check, on a thread of its own from the open until recording_reader_checked
 * joins it: until then the thread alone uses the reader's fp, scan and format. */
typedef struct reader_check {
    pthread_t thread;
    bool running;         /* started and not joined */
    bool done;            /* joined (or run in place), and the block reader opened */
    recording_scan_t scan;
    recording_blocks_t format;
    sy_err_t err;         /* the check's verdict, then the block reader's open */
    char errbuf[512];
} reader_check_t;

struct recording_reader {
    char *path;
    FILE *fp; /* owned */
    recording_block_reader_t blocks; /* its buffers NULL when the file holds no record */
    avro_schema_t schema;
    int field[F__COUNT];      /* index of each field in the file's schema */
    int null_branch[F__COUNT]; /* key, value: which union branch is null */
    uint64_t records_total, records_read, bytes_total;
    reader_check_t check;
};

static const char *codec_name(recording_codec_t codec) {
    return codec == RECORDING_CODEC_DEFLATE ? "deflate" : "null";
}

/* A value, borrowed for the call: give avro-c the caller's bytes without copying them
 * (nothing frees them; the value is written before the next one replaces it). */
static int writer_set_bytes(avro_value_t *rec, int index, const void *p, size_t len) {
    avro_value_t field, branch;
    avro_wrapped_buffer_t buf;
    int rc = avro_value_get_by_index(rec, index, &field, NULL);
    if (rc == 0 && !p)
        return avro_value_set_branch(&field, 0, &branch) || avro_value_set_null(&branch);
    if (rc == 0)
        rc = avro_value_set_branch(&field, 1, &branch);
    if (rc == 0)
        rc = avro_wrapped_buffer_new(&buf, len ? p : "", len);
    return rc ? rc : avro_value_give_bytes(&branch, &buf);
}

static int writer_set(recording_writer_t *w, const recording_record_t *rec) {
    avro_value_t f;
    int rc = avro_value_get_by_index(&w->value, F_TOPIC, &f, NULL) ||
             avro_value_set_string(&f, rec->topic);
    rc = rc || avro_value_get_by_index(&w->value, F_PARTITION, &f, NULL) ||
         avro_value_set_int(&f, rec->partition);
    rc = rc || avro_value_get_by_index(&w->value, F_OFFSET, &f, NULL) ||
         avro_value_set_long(&f, rec->offset);
    rc = rc || avro_value_get_by_index(&w->value, F_TIMESTAMP, &f, NULL) ||
         avro_value_set_long(&f, rec->timestamp_ms);
    rc = rc || writer_set_bytes(&w->value, F_KEY, rec->key, rec->key_len);
    return rc || writer_set_bytes(&w->value, F_VALUE, rec->value, rec->value_len);
}

static void writer_free(recording_writer_t *w) {
    if (w->value_made)
        avro_value_decref(&w->value);
    if (w->iface)
        avro_value_iface_decref(w->iface);
    if (w->schema)
        avro_schema_decref(w->schema);
    if (w->fp)
        fclose(w->fp);
    free(w->path);
    free(w);
}

sy_err_t recording_writer_open(recording_writer_t **out, const char *path,
                               recording_codec_t codec, char *errbuf, size_t errbuf_size) {
    recording_writer_t *w = calloc(1, sizeof *w);
    sy_err_t err = SY_ERR_NOMEM;
    if (!w || !(w->path = strdup(path))) {
        snprintf(errbuf, errbuf_size, "%s: out of memory", path);
        goto fail;
    }
    /* Open for update: close rewrites the sync markers in place. */
    if (!(w->fp = fopen(path, "w+b"))) {
        snprintf(errbuf, errbuf_size, "cannot create %s: %s", path, strerror(errno));
        err = SY_ERR_IO;
        goto fail;
    }
    if (avro_schema_from_json_length(RECORDING_SCHEMA_JSON, sizeof RECORDING_SCHEMA_JSON - 1,
                                     &w->schema) != 0 ||
        !(w->iface = avro_generic_class_from_schema(w->schema)) ||
        avro_generic_value_new(w->iface, &w->value) != 0) {
        snprintf(errbuf, errbuf_size, "%s: %s", path, avro_strerror());
        goto fail;
    }
    w->value_made = true;
    if (avro_file_writer_create_with_codec_fp(w->fp, path, 0, w->schema, &w->file,
                                              codec_name(codec), RECORDING_BUFFER_BYTES)) {
        snprintf(errbuf, errbuf_size, "cannot write %s: %s", path, avro_strerror());
        err = SY_ERR_IO;
        goto fail;
    }
    *out = w;
    return SY_OK;
fail:
    if (w)
        writer_free(w);
    return err;
}

sy_err_t recording_writer_append(recording_writer_t *w, const recording_record_t *rec,
                                 char *errbuf, size_t errbuf_size) {
    size_t topic_len = strlen(rec->topic);
    const char *what = topic_len > RECORDING_TOPIC_BYTES_MAX                ? "topic name"
                       : rec->key && rec->key_len > SY_FRAME_BYTES_MAX     ? "key"
                       : rec->value && rec->value_len > SY_FRAME_BYTES_MAX ? "value"
                                                                           : NULL;
    if (what) {
        snprintf(errbuf, errbuf_size, "%s[%" PRId32 "] offset %" PRId64 ": the %s is over "
                 "the limit (%d bytes)", rec->topic, rec->partition, rec->offset, what,
                 topic_len > RECORDING_TOPIC_BYTES_MAX ? RECORDING_TOPIC_BYTES_MAX
                                                       : SY_FRAME_BYTES_MAX);
        return SY_ERR_LIMIT;
    }
    if (writer_set(w, rec) != 0 || avro_file_writer_append_value(w->file, &w->value) != 0) {
        snprintf(errbuf, errbuf_size, "cannot write %s: %s", w->path, avro_strerror());
        return SY_ERR_IO;
    }
    w->count++;
    w->block_bytes += topic_len + (rec->key ? rec->key_len : 0) +
                      (rec->value ? rec->value_len : 0) + 32;
    if (w->block_bytes >= RECORDING_BLOCK_BYTES) {
        w->block_bytes = 0;
        if (avro_file_writer_sync(w->file) != 0) {
            snprintf(errbuf, errbuf_size, "cannot write %s: %s", w->path, avro_strerror());
            return SY_ERR_IO;
        }
    }
    return SY_OK;
}

/* avro-c draws the sync marker from rand() seeded with the time; replace it with one
 * drawn from what the file holds, so the same records always give the same bytes. */
static sy_err_t writer_fix_sync(recording_writer_t *w, char *errbuf, size_t errbuf_size) {
    recording_scan_t scan;
    unsigned char sync[RECORDING_SYNC_BYTES];
    uint64_t h = sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, RECORDING_SCHEMA_JSON,
                                 sizeof RECORDING_SCHEMA_JSON - 1);
    h = sy_hash_fnv1a64(h, &w->count, sizeof w->count);
    for (size_t i = 0; i < sizeof sync; i += 8) {
        uint64_t x = sy_hash_mix64(h + i);
        memcpy(sync + i, &x, 8);
    }
    sy_err_t err = recording_scan_file(w->fp, w->path, sync, &scan, errbuf, errbuf_size);
    if (err == SY_OK)
        recording_scan_deinit(&scan);
    return err;
}

sy_err_t recording_writer_close(recording_writer_t *w, char *errbuf, size_t errbuf_size) {
    if (!w)
        return SY_OK;
    sy_err_t err = SY_OK;
    if (avro_file_writer_close(w->file) != 0) {
        snprintf(errbuf, errbuf_size, "cannot write %s: %s", w->path, avro_strerror());
        err = SY_ERR_IO;
    }
    if (err == SY_OK)
        err = writer_fix_sync(w, errbuf, errbuf_size);
    FILE *fp = w->fp;
    w->fp = NULL;
    if ((fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0) && err == SY_OK) {
        snprintf(errbuf, errbuf_size, "cannot write %s: %s", w->path, strerror(errno));
        err = SY_ERR_IO;
    }
    writer_free(w);
    return err;
}

uint64_t recording_writer_count(const recording_writer_t *w) {
    return w->count;
}

/* Which branch of a ["null","bytes"] union (in either order) is null; -1 when the union
 * is another one. */
static int union_null_branch(avro_schema_t u) {
    if (avro_schema_union_size(u) != 2)
        return -1;
    avro_type_t a = avro_typeof(avro_schema_union_branch(u, 0));
    avro_type_t b = avro_typeof(avro_schema_union_branch(u, 1));
    return a == AVRO_NULL && b == AVRO_BYTES ? 0 : a == AVRO_BYTES && b == AVRO_NULL ? 1 : -1;
}

/* The file's schema must be the recording schema: a record of exactly its six fields, in
 * its order (the union branches of key and value in either order). Anything more could
 * be a recursive type, which avro-c's reader follows until the stack runs out. */
static sy_err_t reader_check_schema(recording_reader_t *r, char *errbuf, size_t errbuf_size) {
    if (!is_avro_record(r->schema)) {
        snprintf(errbuf, errbuf_size, "not a switchyard recording: %s: its schema is not a "
                 "record", r->path);
        return SY_ERR_MALFORMED;
    }
    for (int i = 0; i < F__COUNT; i++) {
        int index = avro_schema_record_field_get_index(r->schema, recording_fields[i].name);
        avro_schema_t type =
            index != i ? NULL : avro_schema_record_field_get_by_index(r->schema, index);
        bool ok = type && avro_typeof(type) == recording_fields[i].type;
        r->field[i] = index;
        r->null_branch[i] = ok && i >= F_KEY ? union_null_branch(type) : 0;
        if (!ok || r->null_branch[i] < 0) {
            snprintf(errbuf, errbuf_size, "not a switchyard recording: %s: %s '%s' (%s)",
                     r->path, index < 0    ? "no field"
                              : index != i ? "out of order: field"
                                           : "wrong type of field",
                     recording_fields[i].name, recording_fields[i].type_name);
            return SY_ERR_MALFORMED;
        }
    }
    if (avro_schema_record_size(r->schema) != F__COUNT) {
        snprintf(errbuf, errbuf_size, "not a switchyard recording: %s: its schema has %zu "
                 "fields, not the %d of a recording (docs/recording.md)", r->path,
                 avro_schema_record_size(r->schema), F__COUNT);
        return SY_ERR_MALFORMED;
    }
    return SY_OK;
}

/* Parse and check the schema the scan found. */
static sy_err_t reader_prepare(recording_reader_t *r, const recording_scan_t *scan,
                               char *errbuf, size_t errbuf_size) {
    if (avro_schema_from_json_length(scan->schema_json, scan->schema_len, &r->schema)) {
        snprintf(errbuf, errbuf_size, "not a switchyard recording: %s: bad schema: %s",
                 r->path, avro_strerror());
        return SY_ERR_MALFORMED;
    }
    sy_err_t err = reader_check_schema(r, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    r->records_total = scan->records;
    r->bytes_total = scan->file_bytes;
    return SY_OK;
}

/* The codec must be one the writer uses: avro-c leaks a snappy block it fails to read. */
static sy_err_t reader_check_codec(const recording_reader_t *r, const recording_scan_t *scan,
                                   char *errbuf, size_t errbuf_size) {
    if (strcmp(scan->codec, "null") == 0 || strcmp(scan->codec, "deflate") == 0)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "not a switchyard recording: %s: codec '%s' (a recording "
             "is written with null or deflate)", r->path, scan->codec);
    return SY_ERR_MALFORMED;
}

static void *check_main(void *arg) {
    recording_reader_t *r = arg;
    reader_check_t *c = &r->check;
    c->err = recording_blocks_check(r->fp, r->path, &c->scan, &c->format, c->errbuf,
                                    sizeof c->errbuf);
    return NULL;
}

/* Scan fp, check the schema and the codec, then start the check of every block on a
 * thread of its own (in place when no thread starts): reading a large file's blocks
 * takes as long as opening the stores a replay needs, which can go on meanwhile. */
static sy_err_t reader_start(recording_reader_t *r, char *errbuf, size_t errbuf_size) {
    reader_check_t *c = &r->check;
    sy_err_t err = recording_scan_file(r->fp, r->path, NULL, &c->scan, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    err = reader_check_codec(r, &c->scan, errbuf, errbuf_size);
    if (err == SY_OK)
        err = reader_prepare(r, &c->scan, errbuf, errbuf_size);
    c->format = (recording_blocks_t){.deflate = strcmp(c->scan.codec, "deflate") == 0,
                                     .null_branch = {r->null_branch[F_KEY],
                                                     r->null_branch[F_VALUE]}};
    if (err != SY_OK)
        return err;
    c->running = pthread_create(&c->thread, NULL, check_main, r) == 0;
    if (!c->running)
        check_main(r);
    return SY_OK;
}

sy_err_t recording_reader_checked(recording_reader_t *r, char *errbuf, size_t errbuf_size) {
    reader_check_t *c = &r->check;
    assert(r);
    if (!c->done) {
        if (c->running)
            pthread_join(c->thread, NULL);
        c->running = false;
        c->done = true;
        if (c->err == SY_OK && r->records_total > 0)
            c->err = recording_block_reader_open(&r->blocks, r->fp, &c->scan, &c->format,
                                                 r->path, c->errbuf, sizeof c->errbuf);
        recording_scan_deinit(&c->scan);
    }
    if (c->err != SY_OK)
        snprintf(errbuf, errbuf_size, "%s", c->errbuf);
    return c->err;
}

/* Open r->path for reading, refusing anything but a regular file before a read could
 * block (a FIFO would wait for a writer forever). */
static sy_err_t reader_open_file(recording_reader_t *r, char *errbuf, size_t errbuf_size) {
    struct stat st;
    int fd = open(r->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errbuf, errbuf_size, "cannot open %s: %s", r->path, strerror(errno));
        return SY_ERR_IO;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        bool dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
        snprintf(errbuf, errbuf_size, "cannot open %s: %s", r->path,
                 dir ? "it is a directory" : "not a regular file");
        close(fd);
        return SY_ERR_IO;
    }
    if (fcntl(fd, F_SETFL, 0) != 0 || !(r->fp = fdopen(fd, "rb"))) {
        snprintf(errbuf, errbuf_size, "cannot open %s: %s", r->path, strerror(errno));
        close(fd);
        return SY_ERR_IO;
    }
    return SY_OK;
}

sy_err_t recording_reader_open(recording_reader_t **out, const char *path, char *errbuf,
                               size_t errbuf_size) {
    recording_reader_t *r = calloc(1, sizeof *r);
    sy_err_t err = SY_ERR_NOMEM;
    if (!r || !(r->path = strdup(path))) {
        snprintf(errbuf, errbuf_size, "%s: out of memory", path);
        goto fail;
    }
    err = reader_open_file(r, errbuf, errbuf_size);
    if (err == SY_OK)
        err = reader_start(r, errbuf, errbuf_size);
    if (err != SY_OK)
        goto fail;
    *out = r;
    return SY_OK;
fail:
    recording_reader_close(r);
    return err;
}

sy_err_t recording_reader_next(recording_reader_t *r, recording_record_t *out, char *errbuf,
                               size_t errbuf_size) {
    if (__builtin_expect(!r->check.done || r->check.err != SY_OK, 0)) {
        sy_err_t err = recording_reader_checked(r, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
    }
    if (r->records_read == r->records_total)
        return SY_ERR_NOT_FOUND;
    const char *problem = recording_block_reader_next(&r->blocks, out);
    if (problem) { /* checked at open: the file changed since */
        snprintf(errbuf, errbuf_size, "%s: record %" PRIu64 " is damaged: its block %s",
                 r->path, r->records_read, problem);
        return SY_ERR_MALFORMED;
    }
    r->records_read++;
    return SY_OK;
}

void recording_reader_progress(const recording_reader_t *r, uint64_t *bytes_read,
                               uint64_t *bytes_total) {
    /* The block reader's position, kept per block: ftello locks the stream and works the
     * position out of its buffer, which cost more than the record for every progress line. */
    off_t at = r->records_read < r->records_total ? r->blocks.at : -1;
    *bytes_total = r->bytes_total;
    *bytes_read = at < 0 || (uint64_t)at > r->bytes_total ? r->bytes_total : (uint64_t)at;
}

void recording_reader_close(recording_reader_t *r) {
    char ignored[8];
    if (!r)
        return;
    (void)recording_reader_checked(r, ignored, sizeof ignored); /* the thread ends first */
    recording_block_reader_deinit(&r->blocks);
    if (r->fp)
        fclose(r->fp);
    if (r->schema)
        avro_schema_decref(r->schema);
    free(r->path);
    free(r);
}
