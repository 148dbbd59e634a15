/* test_recording_block.c — the record reader of recording blocks (processor/io/
 * recording_block.c) on blocks built byte by byte: a record read back field by field; a
 * record cut at every byte, a varint too long in every field, values out of range and
 * bytes after the last record refused at open with the block's message; varints of up to
 * ten bytes (padded) read as their value. No broker. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "recording.h"

/* The longs of a record in the schema's order; the bytes of topic, key and value follow
 * their length. */
enum { L_TOPIC_LEN, L_PARTITION, L_OFFSET, L_TIMESTAMP, L_KEY_BRANCH, L_KEY_LEN,
       L_VALUE_BRANCH, L_VALUE_LEN, L__COUNT };

/* A record to build: its longs, and one of them written in `wide` bytes (0: as short as
 * it goes). */
typedef struct spec {
    int64_t longs[L__COUNT];
    int wide_long;
    size_t wide;
} spec_t;

#define BLOCK_MAX 1024
#define SYNC_BYTES 16

static char tmp_dir[64];
static unsigned char header[4096];
static size_t header_len;

static void dir_setup(void) {
    char path[128], errbuf[256] = "";
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/sy-recblock-XXXXXX");
    cr_assert_not_null(mkdtemp(tmp_dir));
    snprintf(path, sizeof path, "%s/empty.avro", tmp_dir);
    recording_writer_t *w = NULL;
    cr_assert(eq(int, recording_writer_open(&w, path, RECORDING_CODEC_NULL, errbuf,
                                            sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, recording_writer_close(w, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp);
    header_len = fread(header, 1, sizeof header, fp);
    cr_assert(header_len > SYNC_BYTES && header_len < sizeof header && feof(fp));
    fclose(fp);
}

static void dir_teardown(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp_dir);
    cr_expect(eq(int, system(cmd), 0));
}

TestSuite(recording_block, .init = dir_setup, .fini = dir_teardown);

/* v as a zig-zag varint in `wide` bytes (padded with continued zero groups), or as few as
 * it takes when wide is 0. */
static size_t put_long(unsigned char *buf, int64_t v, size_t wide) {
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    size_t n = 0;
    do {
        buf[n++] = (unsigned char)(z & 0x7f);
        z >>= 7;
    } while (z);
    while (n < wide)
        buf[n++] = 0;
    for (size_t i = 0; i + 1 < n; i++)
        buf[i] |= 0x80;
    return n;
}

static spec_t spec_default(void) {
    return (spec_t){.longs = {1, 3, 300, 1762070400000LL, 1, 2, 1, 3}, .wide_long = -1};
}

/* The record's bytes into buf: "t", key "k1", value "v12" at their lengths' places. */
static size_t record_build(unsigned char *buf, const spec_t *s) {
    size_t n = 0;
    for (int i = 0; i < L__COUNT; i++) {
        int64_t v = s->longs[i];
        n += put_long(buf + n, v, i == s->wide_long ? s->wide : 0);
        const char *text = i == L_TOPIC_LEN ? "ttt"
                           : i == L_KEY_LEN && s->longs[L_KEY_BRANCH] == 1 ? "k1k1"
                           : i == L_VALUE_LEN && s->longs[L_VALUE_BRANCH] == 1 ? "v12v12"
                                                                                : NULL;
        if (text && v > 0 && (size_t)v <= strlen(text)) {
            memcpy(buf + n, text, (size_t)v);
            n += (size_t)v;
        }
        if (i == L_KEY_BRANCH && v != 1)
            i = L_KEY_LEN; /* null: no length */
        if (i == L_VALUE_BRANCH && v != 1)
            break;
    }
    return n;
}

/* A recording of one block of count records whose bytes are data. */
static void write_block(const char *path, int64_t count, const unsigned char *data,
                        size_t len) {
    unsigned char head[2 * 10];
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    size_t n = put_long(head, count, 0);
    n += put_long(head + n, (int64_t)len, 0);
    cr_assert(eq(sz, fwrite(header, 1, header_len, fp), header_len));
    cr_assert(eq(sz, fwrite(head, 1, n, fp), n));
    cr_assert(eq(sz, fwrite(data, 1, len, fp), len));
    cr_assert(eq(sz, fwrite(header + header_len - SYNC_BYTES, 1, SYNC_BYTES, fp), SYNC_BYTES));
    cr_assert(eq(int, fclose(fp), 0));
}

static void expect_refused(const unsigned char *data, size_t len, const char *words,
                           const char *what) {
    char path[128], errbuf[512] = "";
    snprintf(path, sizeof path, "%s/block.avro", tmp_dir);
    write_block(path, 1, data, len);
    recording_reader_t *r = NULL;
    recording_record_t rec;
    /* The framing is whole: the open starts the block check, whose verdict comes from the
     * wait for it, and again from the first read. */
    sy_err_t err = recording_reader_open(&r, path, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "%s: open: error %d (%s)", what, err, errbuf);
    err = recording_reader_checked(r, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_MALFORMED), "%s: error %d (%s)", what, err, errbuf);
    cr_assert(strstr(errbuf, "damaged: block 0 ") && strstr(errbuf, words),
              "%s: message '%s' lacks '%s'", what, errbuf, words);
    char again[512] = "";
    cr_assert(eq(int, recording_reader_next(r, &rec, again, sizeof again), SY_ERR_MALFORMED),
              "%s: a read after the check", what);
    cr_assert(eq(str, again, errbuf), "%s: the read says otherwise", what);
    recording_reader_close(r);
}

/* Open a recording of the one record in data and read it into *got (its pointers valid
 * until *r is closed). */
static void read_one(const unsigned char *data, size_t len, recording_reader_t **r,
                     recording_record_t *got, const char *what) {
    char path[128], errbuf[512] = "";
    snprintf(path, sizeof path, "%s/block.avro", tmp_dir);
    write_block(path, 1, data, len);
    cr_assert(eq(int, recording_reader_open(r, path, errbuf, sizeof errbuf), SY_OK), "%s: %s",
              what, errbuf);
    cr_assert(eq(int, recording_reader_next(*r, got, errbuf, sizeof errbuf), SY_OK), "%s: %s",
              what, errbuf);
}

static void expect_default_record(const recording_record_t *got, const char *what) {
    cr_assert(eq(str, (char *)got->topic, "t"), "%s", what);
    cr_assert(eq(i32, got->partition, 3), "%s", what);
    cr_assert(eq(i64, got->offset, 300), "%s", what);
    cr_assert(eq(i64, got->timestamp_ms, 1762070400000LL), "%s", what);
    cr_assert(eq(sz, got->key_len, 2), "%s", what);
    cr_assert(eq(int, memcmp(got->key, "k1", 2), 0), "%s", what);
    cr_assert(eq(sz, got->value_len, 3), "%s", what);
    cr_assert(eq(int, memcmp(got->value, "v12", 3), 0), "%s", what);
}

Test(recording_block, a_built_record_reads_back_field_by_field) {
    unsigned char data[BLOCK_MAX];
    spec_t s = spec_default();
    recording_reader_t *r = NULL;
    recording_record_t got;
    read_one(data, record_build(data, &s), &r, &got, "whole");
    expect_default_record(&got, "whole");
    recording_reader_close(r);
}

Test(recording_block, a_record_cut_at_any_byte_is_refused) {
    unsigned char data[BLOCK_MAX];
    spec_t s = spec_default();
    size_t len = record_build(data, &s);
    for (size_t cut = 0; cut < len; cut++) {
        char what[64];
        snprintf(what, sizeof what, "cut at %zu of %zu", cut, len);
        /* Fewer bytes than the smallest record: refused before its fields are read. */
        expect_refused(data, cut, cut < 6 ? "says more records than its bytes can hold"
                                          : "holds a damaged record", what);
    }
}

Test(recording_block, every_long_padded_to_ten_bytes_reads_the_same_and_eleven_is_refused) {
    unsigned char data[BLOCK_MAX];
    for (int field = 0; field < L__COUNT; field++) {
        for (size_t wide = 2; wide <= 11; wide++) {
            char what[48];
            snprintf(what, sizeof what, "long %d in %zu bytes", field, wide);
            spec_t s = spec_default();
            s.wide_long = field;
            s.wide = wide;
            size_t len = record_build(data, &s);
            if (wide == 11) {
                expect_refused(data, len, "holds a damaged record", what);
                continue;
            }
            recording_reader_t *r = NULL;
            recording_record_t got;
            read_one(data, len, &r, &got, what);
            expect_default_record(&got, what);
            recording_reader_close(r);
        }
    }
}

Test(recording_block, a_long_out_of_its_range_is_refused) {
    const struct {
        int field;
        int64_t value;
    } cases[] = {
        {L_TOPIC_LEN, -1},          {L_TOPIC_LEN, 250},          {L_PARTITION, INT32_MAX + 1LL},
        {L_PARTITION, INT32_MIN - 1LL}, {L_KEY_BRANCH, 2},        {L_KEY_BRANCH, -1},
        {L_KEY_LEN, -1},            {L_KEY_LEN, 5},              {L_VALUE_BRANCH, 2},
        {L_VALUE_LEN, -1},          {L_VALUE_LEN, 1000},
    };
    unsigned char data[BLOCK_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "long %d = %lld", cases[i].field,
                 (long long)cases[i].value);
        spec_t s = spec_default();
        s.longs[cases[i].field] = cases[i].value;
        size_t len = record_build(data, &s);
        memset(data + len, 'x', 16); /* bytes after it, for lengths that reach past it */
        expect_refused(data, len + (cases[i].field == L_TOPIC_LEN ? 16 : 0),
                       "holds a damaged record", what);
    }
}

Test(recording_block, a_partition_at_the_int32_bounds_and_null_key_and_value_read) {
    unsigned char data[BLOCK_MAX];
    const int64_t partitions[] = {INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < 2; i++) {
        spec_t s = spec_default();
        s.longs[L_PARTITION] = partitions[i];
        s.longs[L_KEY_BRANCH] = 0;
        s.longs[L_VALUE_BRANCH] = 0;
        recording_reader_t *r = NULL;
        recording_record_t got;
        read_one(data, record_build(data, &s), &r, &got, "bounds");
        cr_assert(eq(i32, got.partition, (int32_t)partitions[i]));
        cr_assert(got.key == NULL && got.key_len == 0 && got.value == NULL &&
                  got.value_len == 0);
        recording_reader_close(r);
    }
}

Test(recording_block, bytes_after_the_last_record_are_refused) {
    unsigned char data[BLOCK_MAX];
    spec_t s = spec_default();
    size_t len = record_build(data, &s);
    data[len] = 0;
    expect_refused(data, len + 1, "holds bytes after its last record", "one byte after");
}
