/* test_record.c — `switchyard record` against a real broker: a 3-partition topic holding
 * committed records (keys, values, explicit timestamps, a null key, a tombstone) and one
 * aborted transaction is recorded whole, by partition, by offset and by time range, and
 * the file read back with recording_reader; an unknown topic and bad usage fail with
 * their exit codes. It runs the real binary; it does not test replay. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "kafka_harness.h"
#include "recording.h"
#include "tmpdir.h"

#define TOPIC_PARTITIONS 3
/* Committed records: 30 in the first transaction, 6 in the last; 6 aborted between. */
#define FIRST_COMMITTED 30
#define ABORTED 6
#define LAST_COMMITTED 6
#define RECORDS_MAX (FIRST_COMMITTED + ABORTED + LAST_COMMITTED)
/* 2026-11-02T08:00:00Z: record i has timestamp BASE_MS + i seconds. */
#define BASE_MS INT64_C(1793606400000)
#define OUTPUT_MAX (64 * 1024)

typedef struct produced {
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms;
    char key[32], value[32];
    bool has_key, has_value, aborted;
} produced_t;

static produced_t produced[RECORDS_MAX];
static int produced_count;
static char topic[160], work_dir[64], output[OUTPUT_MAX];

/* Record i: partition i % 3; every key and value says i; i == 4 has no key and i == 5 is
 * a tombstone. Offsets follow from the order: each transaction ends with one marker per
 * partition it wrote to, and markers take an offset too. */
static void produce_transaction(harness_producer_t *p, int first, int count, bool commit,
                                int64_t *next_offset) {
    char errbuf[512] = "";
    bool touched[TOPIC_PARTITIONS] = {false};
    cr_assert(eq(int, harness_txn_begin(p, errbuf, sizeof errbuf), SY_OK), "begin: %s", errbuf);
    for (int i = first; i < first + count; i++) {
        produced_t *r = &produced[produced_count++];
        *r = (produced_t){.partition = i % TOPIC_PARTITIONS, .timestamp_ms = BASE_MS + i * 1000,
                          .has_key = i != 4, .has_value = i != 5, .aborted = !commit};
        snprintf(r->key, sizeof r->key, "%s-key-%d", commit ? "c" : "aborted", i);
        snprintf(r->value, sizeof r->value, "value-%d", i);
        r->offset = next_offset[r->partition]++;
        touched[r->partition] = true;
        rd_kafka_resp_err_t e = rd_kafka_producev(
            harness_producer_handle(p), RD_KAFKA_V_TOPIC(topic),
            RD_KAFKA_V_PARTITION(r->partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(r->has_key ? r->key : NULL, r->has_key ? strlen(r->key) : 0),
            RD_KAFKA_V_VALUE(r->has_value ? r->value : NULL,
                             r->has_value ? strlen(r->value) : 0),
            RD_KAFKA_V_TIMESTAMP(r->timestamp_ms), RD_KAFKA_V_END);
        cr_assert(eq(int, e, RD_KAFKA_RESP_ERR_NO_ERROR), "produce %d: %s", i,
                  rd_kafka_err2str(e));
    }
    if (!commit) /* written first, so that the abort marker really hides them */
        cr_assert(eq(int, rd_kafka_flush(harness_producer_handle(p), 30000), 0));
    sy_err_t err = commit ? harness_txn_commit(p, errbuf, sizeof errbuf)
                          : harness_txn_abort(p, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "%s: %s", commit ? "commit" : "abort", errbuf);
    for (int q = 0; q < TOPIC_PARTITIONS; q++)
        next_offset[q] += touched[q];
}

static void topic_setup(void) {
    char errbuf[512] = "", txn_id[200];
    int64_t next_offset[TOPIC_PARTITIONS] = {0};
    harness_producer_t *p = NULL;
    const char *bootstrap = harness_bootstrap();
    snprintf(work_dir, sizeof work_dir, "/tmp/sy-record-XXXXXX");
    cr_assert_not_null(mkdtemp(work_dir));
    harness_topic_name("record", topic, sizeof topic);
    const char *names[] = {topic};
    cr_assert(eq(int, harness_create_topics(bootstrap, names, 1, TOPIC_PARTITIONS, errbuf,
                                    sizeof errbuf), SY_OK), "create %s: %s", topic, errbuf);
    snprintf(txn_id, sizeof txn_id, "%s-txn", topic);
    cr_assert(eq(int, harness_producer_new(&p, bootstrap, txn_id, errbuf, sizeof errbuf), SY_OK),
              "producer: %s", errbuf);
    produced_count = 0;
    produce_transaction(p, 0, FIRST_COMMITTED, true, next_offset);
    produce_transaction(p, FIRST_COMMITTED, ABORTED, false, next_offset);
    produce_transaction(p, FIRST_COMMITTED + ABORTED, LAST_COMMITTED, true, next_offset);
    cr_assert(eq(int, harness_producer_flush_close(p, 10000, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
}

static void topic_teardown(void) {
    cr_expect(eq(int, tmpdir_remove(work_dir), 0), "remove %s", work_dir);
}

TestSuite(record, .init = topic_setup, .fini = topic_teardown, .timeout = 180);

/* Runs `switchyard record ARGS` (2>&1 into output); returns its exit code. */
static int run_record(const char *args) {
    char command[2048];
    snprintf(command, sizeof command, "%s record %s 2>&1", SWITCHYARD_BIN, args);
    return child_run(command, output, sizeof output);
}

/* Records `--topic <topic> --out <work_dir>/name <extra>` and expects exit 0. */
static void record_ok(const char *name, const char *extra, char *path, size_t path_size) {
    char args[1024];
    snprintf(path, path_size, "%s/%s", work_dir, name);
    snprintf(args, sizeof args, "--topic %s --out %s --bootstrap %s %s", topic, path,
             harness_bootstrap(), extra);
    int code = run_record(args);
    cr_assert(eq(int, code, 0), "record %s: exit %d, output:\n%s", extra, code, output);
}

typedef bool produced_filter(const produced_t *r, const void *ctx);

static int by_partition_offset(const void *a, const void *b) {
    const produced_t *x = a, *y = b;
    if (x->partition != y->partition)
        return x->partition < y->partition ? -1 : 1;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

static void expect_field(const char *what, const produced_t *w, const void *got, size_t len,
                         bool has, const char *want) {
    cr_assert(eq(int, got != NULL, has), "%d@%" PRId64 ": %s %s, wanted %s", w->partition,
              w->offset, what, got ? "present" : "absent", has ? "present" : "absent");
    if (has)
        cr_assert(len == strlen(want) && memcmp(got, want, len) == 0,
                  "%d@%" PRId64 ": %s '%.*s', wanted '%s'", w->partition, w->offset, what,
                  (int)len, (const char *)got, want);
}

/* The file holds exactly the committed records `keep` accepts, partitions ascending,
 * offsets ascending, each field as produced; returns how many. */
static int expect_recording(const char *path, produced_filter *keep, const void *ctx) {
    produced_t want[RECORDS_MAX];
    int n = 0;
    for (int i = 0; i < produced_count; i++)
        if (!produced[i].aborted && keep(&produced[i], ctx))
            want[n++] = produced[i];
    qsort(want, (size_t)n, sizeof want[0], by_partition_offset);
    char errbuf[512] = "";
    recording_reader_t *r = NULL;
    recording_record_t got;
    cr_assert(eq(int, recording_reader_open(&r, path, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    for (int i = 0; i < n; i++) {
        sy_err_t err = recording_reader_next(r, &got, errbuf, sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "record %d of %d: %d %s", i, n, err, errbuf);
        cr_assert_str_eq(got.topic, topic);
        cr_assert(got.partition == want[i].partition && got.offset == want[i].offset,
                  "record %d is %d@%" PRId64 ", wanted %d@%" PRId64, i, got.partition,
                  got.offset, want[i].partition, want[i].offset);
        cr_assert(eq(i64, got.timestamp_ms, want[i].timestamp_ms), "%d@%" PRId64 ": timestamp %"
                  PRId64 ", wanted %" PRId64, got.partition, got.offset, got.timestamp_ms,
                  want[i].timestamp_ms);
        expect_field("key", &want[i], got.key, got.key_len, want[i].has_key, want[i].key);
        expect_field("value", &want[i], got.value, got.value_len, want[i].has_value,
                     want[i].value);
    }
    sy_err_t err = recording_reader_next(r, &got, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "more than the %d records wanted: %d@%" PRId64, n,
              got.partition, got.offset);
    recording_reader_close(r);
    return n;
}

static bool keep_all(const produced_t *r, const void *ctx) {
    (void)r, (void)ctx;
    return true;
}

Test(record, every_committed_record_once_in_partition_and_offset_order) {
    char path[128], part[160], summary[256];
    record_ok("all.avro", "", path, sizeof path);
    int n = expect_recording(path, keep_all, NULL);
    cr_assert(eq(int, n, FIRST_COMMITTED + LAST_COMMITTED));
    snprintf(summary, sizeof summary, "recorded %d records of topic %s from 3 partitions", n,
             topic);
    cr_assert_not_null(strstr(output, summary), "no '%s' in:\n%s", summary, output);
    snprintf(part, sizeof part, "%s.part", path);
    cr_assert(eq(int, access(part, F_OK), -1), "%s left behind", part);
}

static bool keep_partition(const produced_t *r, const void *ctx) {
    return r->partition == *(const int32_t *)ctx;
}

Test(record, one_partition_with_the_deflate_codec) {
    char path[128];
    int32_t partition = 2;
    record_ok("p2.avro", "--partitions 2 --codec deflate", path, sizeof path);
    int n = expect_recording(path, keep_partition, &partition);
    cr_assert(eq(int, n, (FIRST_COMMITTED + LAST_COMMITTED) / 3));
}

static bool keep_offsets(const produced_t *r, const void *ctx) {
    const int64_t *range = ctx;
    return r->offset >= range[0] && r->offset < range[1];
}

/* Offset 12 ends every partition's range among the aborted records (offsets 11 and 12,
 * after the commit marker at 10): the read must stop without waiting for them. */
Test(record, an_offset_range_that_ends_among_aborted_records) {
    char path[128];
    const int64_t range[2] = {3, 12};
    record_ok("offsets.avro", "--from-offset 3 --to-offset 12", path, sizeof path);
    int n = expect_recording(path, keep_offsets, range);
    cr_assert_gt(n, 0);
}

static bool keep_times(const produced_t *r, const void *ctx) {
    const int64_t *range = ctx;
    return r->timestamp_ms >= range[0] && r->timestamp_ms < range[1];
}

Test(record, a_time_range_in_iso_and_epoch_milliseconds) {
    char path[128], extra[128];
    const int64_t range[2] = {BASE_MS + 5000, BASE_MS + 20000};
    snprintf(extra, sizeof extra, "--from-time 2026-11-02T09:00:05+01:00 --to-time %" PRId64,
             range[1]);
    record_ok("times.avro", extra, path, sizeof path);
    int n = expect_recording(path, keep_times, range);
    cr_assert(eq(int, n, 15));
}

static bool keep_none(const produced_t *r, const void *ctx) {
    (void)r, (void)ctx;
    return false;
}

Test(record, a_range_past_the_end_gives_an_empty_recording) {
    char path[128];
    record_ok("none.avro", "--from-offset 1000", path, sizeof path);
    expect_recording(path, keep_none, NULL);
    cr_assert_not_null(strstr(output, "recorded 0 records"), "%s", output);
}

Test(record, an_unknown_topic_or_partition_fails_with_exit_1_and_no_file) {
    char args[1024], path[128];
    snprintf(path, sizeof path, "%s/unknown.avro", work_dir);
    snprintf(args, sizeof args, "--topic %s-missing --out %s --bootstrap %s", topic, path,
             harness_bootstrap());
    int code = run_record(args);
    cr_assert(eq(int, code, 1), "exit %d, output:\n%s", code, output);
    cr_assert_not_null(strstr(output, "no topic"), "%s", output);
    cr_assert(eq(int, access(path, F_OK), -1), "%s was written", path);
    snprintf(args, sizeof args, "--topic %s --out %s --bootstrap %s --partitions 0,7", topic,
             path, harness_bootstrap());
    code = run_record(args);
    cr_assert(eq(int, code, 1), "exit %d, output:\n%s", code, output);
    cr_assert_not_null(strstr(output, "no partition 7"), "%s", output);
    cr_assert(eq(int, access(path, F_OK), -1), "%s was written", path);
}

Test(record, bad_usage_exits_2_and_says_what_is_wrong) {
    const struct {
        const char *args, *words;
    } cases[] = {
        {"--out x.avro --bootstrap 127.0.0.1:1", "--topic T is required"},
        {"--topic t --bootstrap 127.0.0.1:1", "--out FILE is required"},
        {"--topic t --out x.avro", "--bootstrap"},
        {"--topic t --out x.avro --bootstrap b:1 --codec zip", "--codec"},
        {"--topic t --out x.avro --bootstrap b:1 --from-offset ten", "--from-offset"},
        {"--topic t --out x.avro --bootstrap b:1 --to-time yesterday", "--to-time"},
        {"--topic t --out x.avro --bootstrap b:1 --from-offset 1 --from-time 5", "one"},
        {"--topic t --out x.avro --bootstrap b:1 --partitions 1,x", "--partitions"},
        {"--topic t --out x.avro --bootstrap b:1 --speed 2", "unknown option"},
        {"--topic t --out x.avro --config /nonexistent/switchyard.conf", "switchyard.conf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int code = run_record(cases[i].args);
        cr_assert(eq(int, code, 2), "'%s': exit %d, output:\n%s", cases[i].args, code, output);
        cr_assert_not_null(strstr(output, cases[i].words), "'%s': no '%s' in:\n%s",
                           cases[i].args, cases[i].words, output);
    }
}
