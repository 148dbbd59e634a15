/* test_recording.c — recording files (processor/io/recording.h): what is written is read back
 * the same, with both codecs and over many blocks; the size limit; truncated, damaged,
 * non-Avro and foreign-schema files are refused with a clear message. No broker. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <avro.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recording.h"
#include "sy_limits.h"

/* Records of the many-blocks tests: well over ten 64 KiB blocks of ~200-byte values. */
#define MANY_RECORDS 12000

static char tmp_dir[64];

static void dir_setup(void) {
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/sy-recording-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_dir));
}

static void dir_teardown(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_dir);
    cr_expect(eq(int, system(cmd), 0));
}

TestSuite(recording, .init = dir_setup, .fini = dir_teardown);

static void path_in_dir(char *buf, size_t size, const char *name) {
    snprintf(buf, size, "%s/%s", tmp_dir, name);
}

static uint64_t file_size(const char *path) {
    struct stat st;
    cr_assert(eq(int, stat(path, &st), 0), "stat %s", path);
    return (uint64_t)st.st_size;
}

/* Record i of a generated sequence: every 7th has no key, every 5th is a tombstone,
 * values of 100-300 bytes derived from i. buf holds the value. */
static recording_record_t make_record(int i, char *key, char *buf) {
    int key_len = snprintf(key, 32, "contact-%06d", i);
    int len = 100 + (i * 37) % 200;
    for (int j = 0; j < len; j++)
        buf[j] = (char)('a' + (i + j) % 26);
    return (recording_record_t){
        .topic = "events",
        .partition = i % 3,
        .offset = 1000000000LL + i,
        .timestamp_ms = 1762070400000LL + (int64_t)i * 250,
        .key = i % 7 == 0 ? NULL : key,
        .key_len = i % 7 == 0 ? 0 : (size_t)key_len,
        .value = i % 5 == 0 ? NULL : buf,
        .value_len = i % 5 == 0 ? 0 : (size_t)len,
    };
}

static void expect_bytes(const char *what, int i, const void *got, size_t got_len,
                         const void *want, size_t want_len) {
    cr_assert(eq(int, got == NULL, want == NULL), "record %d: %s is %s, wanted %s", i, what,
              got ? "present" : "NULL", want ? "present" : "NULL");
    cr_assert(eq(sz, got_len, want_len), "record %d: %s length %zu, wanted %zu", i, what, got_len,
              want_len);
    if (want_len)
        cr_assert(eq(int, memcmp(got, want, want_len), 0), "record %d: %s bytes differ", i, what);
}

static void expect_record(int i, const recording_record_t *got, const recording_record_t *w) {
    cr_assert(eq(str, (char *)got->topic, (char *)w->topic), "record %d: topic", i);
    cr_assert(eq(i32, got->partition, w->partition), "record %d: partition %d, wanted %d", i,
              got->partition, w->partition);
    cr_assert(eq(i64, got->offset, w->offset), "record %d: offset %" PRId64 ", wanted %" PRId64, i,
              got->offset, w->offset);
    cr_assert(eq(i64, got->timestamp_ms, w->timestamp_ms), "record %d: timestamp %" PRId64
              ", wanted %" PRId64, i, got->timestamp_ms, w->timestamp_ms);
    expect_bytes("key", i, got->key, got->key_len, w->key, w->key_len);
    expect_bytes("value", i, got->value, got->value_len, w->value, w->value_len);
}

static void write_many(const char *path, recording_codec_t codec, int n) {
    char errbuf[512] = "", key[32], buf[512];
    recording_writer_t *w = NULL;
    sy_err_t err = recording_writer_open(&w, path, codec, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "open %s: %s", path, errbuf);
    for (int i = 0; i < n; i++) {
        recording_record_t rec = make_record(i, key, buf);
        err = recording_writer_append(w, &rec, errbuf, sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "append %d: %s", i, errbuf);
    }
    cr_assert(eq(u64, recording_writer_count(w), (uint64_t)n));
    err = recording_writer_close(w, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "close: %s", errbuf);
}

/* Reads path back and checks it holds make_record(0..n), and that progress reaches the
 * file's size exactly at the end. */
static void read_many(const char *path, int n) {
    char errbuf[512] = "", key[32], buf[512];
    recording_reader_t *r = NULL;
    recording_record_t got;
    uint64_t done, total, size = file_size(path);
    sy_err_t err = recording_reader_open(&r, path, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "open %s: %s", path, errbuf);
    for (int i = 0; i < n; i++) {
        err = recording_reader_next(r, &got, errbuf, sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "record %d of %d: %d %s", i, n, err, errbuf);
        recording_record_t want = make_record(i, key, buf);
        expect_record(i, &got, &want);
        recording_reader_progress(r, &done, &total);
        cr_assert(eq(u64, total, size), "progress total %" PRIu64 ", file size %" PRIu64, total,
                  size);
        cr_assert_leq(done, total);
        if (i == n / 2)
            cr_assert_lt(done, total, "half way, progress says %" PRIu64 " of %" PRIu64,
                         done, total);
    }
    err = recording_reader_next(r, &got, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "after the last record: %d %s", err, errbuf);
    recording_reader_progress(r, &done, &total);
    cr_assert(eq(u64, done, size), "progress at the end %" PRIu64 ", file size %" PRIu64, done,
              size);
    recording_reader_close(r);
}

Test(recording, keys_values_null_empty_and_present_round_trip) {
    char path[128], errbuf[512] = "";
    path_in_dir(path, sizeof path, "kinds.avro");
    const recording_record_t recs[] = {
        {"events", 0, 0, 1762070400000LL, "c1", 2, "{\"v\":1}", 7},
        {"events", 0, 1, 1762070400001LL, NULL, 0, "no key", 6},
        {"events", 1, 7, 1762070400002LL, "c2", 2, NULL, 0},   /* tombstone */
        {"events", 2, 9, -1, NULL, 0, NULL, 0},                /* nothing at all */
        {"events", 2, 10, 0, "", 0, "", 0},                    /* empty, not absent */
        {"other-topic", 2147483647, INT64_MAX, INT64_MIN, "\0\xff", 2, "\0", 1},
    };
    const int n = (int)(sizeof recs / sizeof recs[0]);
    recording_writer_t *w = NULL;
    cr_assert(eq(int, recording_writer_open(&w, path, RECORDING_CODEC_NULL, errbuf, sizeof errbuf),
              SY_OK), "%s", errbuf);
    for (int i = 0; i < n; i++)
        cr_assert(eq(int, recording_writer_append(w, &recs[i], errbuf, sizeof errbuf), SY_OK),
                  "%s", errbuf);
    cr_assert(eq(int, recording_writer_close(w, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);

    recording_reader_t *r = NULL;
    recording_record_t got;
    cr_assert(eq(int, recording_reader_open(&r, path, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    for (int i = 0; i < n; i++) {
        cr_assert(eq(int, recording_reader_next(r, &got, errbuf, sizeof errbuf), SY_OK), "%s",
                  errbuf);
        expect_record(i, &got, &recs[i]);
    }
    cr_assert(eq(int, recording_reader_next(r, &got, errbuf, sizeof errbuf), SY_ERR_NOT_FOUND));
    recording_reader_close(r);
}

Test(recording, many_records_over_many_blocks_null_codec) {
    char path[128];
    path_in_dir(path, sizeof path, "many-null.avro");
    write_many(path, RECORDING_CODEC_NULL, MANY_RECORDS);
    cr_assert_gt(file_size(path), 10 * 65536, "%" PRIu64 " bytes: fewer than ten blocks",
                 file_size(path));
    read_many(path, MANY_RECORDS);
}

Test(recording, many_records_over_many_blocks_deflate_codec_is_smaller) {
    char plain[128], deflated[128];
    path_in_dir(plain, sizeof plain, "many-null.avro");
    path_in_dir(deflated, sizeof deflated, "many-deflate.avro");
    write_many(plain, RECORDING_CODEC_NULL, MANY_RECORDS);
    write_many(deflated, RECORDING_CODEC_DEFLATE, MANY_RECORDS);
    cr_assert_lt(file_size(deflated), file_size(plain) / 2, "deflate %" PRIu64
                 " bytes, null %" PRIu64, file_size(deflated), file_size(plain));
    read_many(deflated, MANY_RECORDS);
}

Test(recording, the_same_records_give_the_same_bytes) {
    char a[128], b[128], cmd[320];
    path_in_dir(a, sizeof a, "a.avro");
    path_in_dir(b, sizeof b, "b.avro");
    write_many(a, RECORDING_CODEC_DEFLATE, 3000);
    sleep(1); /* avro-c seeds its sync marker with the time in seconds */
    write_many(b, RECORDING_CODEC_DEFLATE, 3000);
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", a, b);
    cr_assert(eq(int, system(cmd), 0), "%s and %s differ", a, b);
}

Test(recording, an_empty_recording_reads_as_no_records) {
    char path[128], errbuf[512] = "";
    path_in_dir(path, sizeof path, "empty.avro");
    write_many(path, RECORDING_CODEC_DEFLATE, 0);
    recording_reader_t *r = NULL;
    recording_record_t got;
    uint64_t done, total;
    cr_assert(eq(int, recording_reader_open(&r, path, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    cr_assert(eq(int, recording_reader_next(r, &got, errbuf, sizeof errbuf), SY_ERR_NOT_FOUND));
    recording_reader_progress(r, &done, &total);
    cr_assert(eq(u64, done, file_size(path)));
    cr_assert(eq(u64, total, file_size(path)));
    recording_reader_close(r);
}

Test(recording, a_value_of_the_frame_limit_is_kept_and_one_byte_more_refused) {
    char path[128], errbuf[512] = "";
    path_in_dir(path, sizeof path, "big.avro");
    char *big = malloc(SY_FRAME_BYTES_MAX + 1);
    cr_assert_not_null(big);
    for (size_t i = 0; i < SY_FRAME_BYTES_MAX + 1; i++)
        big[i] = (char)(i * 131 % 251);
    recording_record_t at_limit = {"events", 0, 1, 5, "k", 1, big, SY_FRAME_BYTES_MAX};
    recording_record_t over = {"events", 0, 2, 6, "k", 1, big, SY_FRAME_BYTES_MAX + 1};
    recording_record_t key_over = {"events", 0, 3, 7, big, SY_FRAME_BYTES_MAX + 1, "v", 1};
    recording_record_t small = {"events", 0, 4, 8, "k", 1, "v", 1};
    recording_writer_t *w = NULL;
    cr_assert(eq(int, recording_writer_open(&w, path, RECORDING_CODEC_DEFLATE, errbuf,
                                    sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, recording_writer_append(w, &small, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    cr_assert(eq(int, recording_writer_append(w, &at_limit, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    sy_err_t err = recording_writer_append(w, &over, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_LIMIT), "a value of %d bytes: %d %s", SY_FRAME_BYTES_MAX + 1,
              err,
              errbuf);
    cr_assert(strstr(errbuf, "value") && strstr(errbuf, "offset 2"), "message: %s", errbuf);
    err = recording_writer_append(w, &key_over, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_LIMIT), "a key over the limit: %d %s", err, errbuf);
    cr_assert(eq(int, recording_writer_append(w, &small, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    cr_assert(eq(int, recording_writer_close(w, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);

    recording_reader_t *r = NULL;
    recording_record_t got;
    cr_assert(eq(int, recording_reader_open(&r, path, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    const recording_record_t *want[] = {&small, &at_limit, &small};
    for (int i = 0; i < 3; i++) {
        cr_assert(eq(int, recording_reader_next(r, &got, errbuf, sizeof errbuf), SY_OK), "%s",
                  errbuf);
        expect_record(i, &got, want[i]);
    }
    cr_assert(eq(int, recording_reader_next(r, &got, errbuf, sizeof errbuf), SY_ERR_NOT_FOUND));
    recording_reader_close(r);
    free(big);
}

/* Opening path fails with want and a message holding `words`. */
static void expect_refused(const char *path, sy_err_t want, const char *words) {
    char errbuf[512] = "";
    recording_reader_t *r = NULL;
    sy_err_t err = recording_reader_open(&r, path, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, want), "%s: error %d, wanted %d (%s)", path, err, want, errbuf);
    cr_assert_null(r);
    cr_assert(strstr(errbuf, words) && strstr(errbuf, path), "message '%s' lacks '%s' or '%s'",
              errbuf, words, path);
}

static void copy_cut(const char *from, const char *to, uint64_t bytes) {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "head -c %" PRIu64 " %s > %s", bytes, from, to);
    cr_assert(eq(int, system(cmd), 0), "%s", cmd);
}

Test(recording, a_truncated_file_is_refused_naming_where) {
    char path[128], cut[128];
    path_in_dir(path, sizeof path, "whole.avro");
    path_in_dir(cut, sizeof cut, "cut.avro");
    write_many(path, RECORDING_CODEC_DEFLATE, 5000);
    uint64_t size = file_size(path);
    const uint64_t cuts[] = {size - 1, size - 20, size / 2, 100, 30, 3};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        copy_cut(path, cut, cuts[i]);
        expect_refused(cut, SY_ERR_MALFORMED, cuts[i] < 4 ? "not an Avro" : "truncated");
    }
}

Test(recording, a_damaged_sync_marker_is_refused) {
    char path[128];
    path_in_dir(path, sizeof path, "damaged.avro");
    write_many(path, RECORDING_CODEC_NULL, 2000);
    FILE *fp = fopen(path, "r+b");
    cr_assert_not_null(fp);
    cr_assert(eq(int, fseek(fp, -5, SEEK_END), 0));
    cr_assert(eq(int, fputc('!', fp) != EOF, 1));
    cr_assert(eq(int, fclose(fp), 0));
    expect_refused(path, SY_ERR_MALFORMED, "sync marker");
}

Test(recording, a_file_that_is_not_avro_or_missing_is_refused) {
    char text[128], empty[128], missing[128];
    path_in_dir(text, sizeof text, "events.jsonl");
    path_in_dir(empty, sizeof empty, "empty");
    path_in_dir(missing, sizeof missing, "missing.avro");
    FILE *fp = fopen(text, "w");
    cr_assert_not_null(fp);
    fputs("{\"event_id\":\"e1\",\"contact_id\":\"c1\"}\n", fp);
    fclose(fp);
    fclose(fopen(empty, "w"));
    expect_refused(text, SY_ERR_MALFORMED, "not an Avro object container file");
    expect_refused(empty, SY_ERR_MALFORMED, "not an Avro object container file");
    expect_refused(missing, SY_ERR_IO, "cannot open");
}

/* An Avro container file with a schema of its own, holding one record. */
static void write_foreign(const char *path, const char *schema_json) {
    avro_schema_t schema;
    avro_file_writer_t file;
    avro_value_iface_t *iface;
    avro_value_t value;
    cr_assert(eq(int, avro_schema_from_json_length(schema_json, strlen(schema_json), &schema), 0),
              "%s", avro_strerror());
    cr_assert(eq(int, avro_file_writer_create_with_codec(path, schema, &file, "null", 0), 0), "%s",
              avro_strerror());
    iface = avro_generic_class_from_schema(schema);
    cr_assert(eq(int, avro_generic_value_new(iface, &value), 0));
    size_t fields = 0;
    if (avro_value_get_type(&value) == AVRO_RECORD)
        cr_assert(eq(int, avro_value_get_size(&value, &fields), 0));
    for (size_t i = 0; i < fields; i++) { /* strings and bytes need a value to be written */
        avro_value_t f;
        cr_assert(eq(int, avro_value_get_by_index(&value, i, &f, NULL), 0));
        if (avro_value_get_type(&f) == AVRO_STRING)
            cr_assert(eq(int, avro_value_set_string(&f, "x"), 0));
        if (avro_value_get_type(&f) == AVRO_BYTES)
            cr_assert(eq(int, avro_value_set_bytes(&f, "x", 1), 0));
    }
    cr_assert(eq(int, avro_file_writer_append_value(file, &value), 0), "%s", avro_strerror());
    cr_assert(eq(int, avro_file_writer_close(file), 0));
    avro_value_decref(&value);
    avro_value_iface_decref(iface);
    avro_schema_decref(schema);
}

Test(recording, an_avro_file_of_another_schema_is_refused) {
    char people[128], plain_key[128], scalar[128];
    path_in_dir(people, sizeof people, "people.avro");
    path_in_dir(plain_key, sizeof plain_key, "plain-key.avro");
    path_in_dir(scalar, sizeof scalar, "longs.avro");
    write_foreign(people, "{\"type\":\"record\",\"name\":\"Person\",\"fields\":["
                          "{\"name\":\"name\",\"type\":\"string\"}]}");
    write_foreign(plain_key,
                  "{\"type\":\"record\",\"name\":\"Recording\",\"fields\":["
                  "{\"name\":\"topic\",\"type\":\"string\"},"
                  "{\"name\":\"partition\",\"type\":\"int\"},"
                  "{\"name\":\"offset\",\"type\":\"long\"},"
                  "{\"name\":\"timestamp\",\"type\":\"long\"},"
                  "{\"name\":\"key\",\"type\":\"bytes\"},"
                  "{\"name\":\"value\",\"type\":\"bytes\"}]}");
    write_foreign(scalar, "\"long\"");
    expect_refused(people, SY_ERR_MALFORMED, "not a switchyard recording");
    expect_refused(people, SY_ERR_MALFORMED, "'topic'");
    expect_refused(plain_key, SY_ERR_MALFORMED, "'key'");
    expect_refused(scalar, SY_ERR_MALFORMED, "not a switchyard recording");
}

Test(recording, an_unwritable_path_is_an_io_error) {
    char errbuf[512] = "";
    recording_writer_t *w = NULL;
    sy_err_t err = recording_writer_open(&w, "/nonexistent-dir/x.avro", RECORDING_CODEC_NULL,
                                         errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_IO), "error %d (%s)", err, errbuf);
    cr_assert_null(w);
    cr_assert_not_null(strstr(errbuf, "/nonexistent-dir/x.avro"), "message: %s", errbuf);
}
