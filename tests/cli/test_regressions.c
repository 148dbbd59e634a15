/* test_regressions.c — the inputs that once crashed, hung or misled `switchyard` (kept in
 * tests/regressions/, the large ones made at test time by its python scripts), each run
 * through the binary: a clear message and exit code 2, within seconds. Not the fuzz
 * targets' corpus replay (tests/fuzz/). No broker. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "tmpdir.h"

/* Output of one command run through the shell, at most this many bytes. */
#define REGRESSION_OUTPUT_MAX (64 * 1024)

#define REGRESSIONS SY_SOURCE_ROOT "/tests/regressions"
#define JOURNEYS SY_SOURCE_ROOT "/examples/journeys"

static char out[REGRESSION_OUTPUT_MAX];

/* Exit code of `switchyard ARGS` (-1 when it died of a signal); its output in out. */
static int run(const char *args) {
    char command[2048];
    snprintf(command, sizeof command, "%s %s 2>&1", SWITCHYARD_BIN, args);
    return child_run(command, out, sizeof out);
}

/* `switchyard ARGS` exits 2 with words in its output. */
static void expect_refused(const char *args, const char *words) {
    int rc = run(args);
    cr_assert(eq(int, rc, 2), "switchyard %s: exit %d, wanted 2; output:\n%s", args, rc, out);
    cr_assert_not_null(strstr(out, words), "switchyard %s: no '%s' in:\n%s", args, words,
                       out);
}

/* A fresh directory for generated inputs, in dir (at least 64 bytes). */
static void temp_dir(char *dir) {
    tmpdir_make(dir, 64, "regress");
}

static void sh(const char *fmt, const char *a, const char *b) {
    char command[1024];
    snprintf(command, sizeof command, fmt, a, b);
    cr_assert(eq(int, system(command), 0), "%s", command);
}

Test(regressions, a_journey_without_entry_names_the_file_and_line) {
    expect_refused("validate " REGRESSIONS "/journey-missing-entry.yaml",
                   "journey-missing-entry.yaml:1:1: missing 'entry' in journey");
    expect_refused("validate " REGRESSIONS "/journey-missing-entry-fuzz-crash-435e01e3.yaml",
                   "435e01e3.yaml:2:1: missing 'entry' in journey");
}

Test(regressions, a_loop_that_sends_every_millisecond_is_refused) {
    expect_refused("validate " REGRESSIONS "/loop-send-wait-1ms.yaml",
                   "loop-send-wait-1ms.yaml:6:5: loop ping -> pause -> ping can send every "
                   "1ms, less than the minimum period 1h");
}

Test(regressions, recordings_that_avro_c_would_trust_are_refused_before_it_reads) {
    const struct {
        const char *file, *words;
    } cases[] = {
        {"recording-recursive-schema-depth3.avro", "its schema has 7 fields, not the 6"},
        {"recording-header-count-int64min.avro", "damaged header (at byte 4)"},
        {"recording-header-count-int64min-fuzz-61eab158.avro", "damaged header"},
        {"recording-negative-length-alloc-8be13d0a.avro", "block 0 holds a damaged record"},
        {"recording-snappy-bad-block-leak-0faccdb4.avro", "codec 'snappy'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char args[512];
        snprintf(args, sizeof args, "replay --journeys %s --recording %s/%s", JOURNEYS,
                 REGRESSIONS, cases[i].file);
        expect_refused(args, cases[i].words);
    }
}

Test(regressions, a_deep_recursive_recording_and_a_deflate_bomb_are_refused) {
    char dir[64], args[512];
    temp_dir(dir);
    sh("cd %s && python3 %s/mkrec.py 50000 >/dev/null", dir, REGRESSIONS);
    snprintf(args, sizeof args, "replay --journeys %s --recording %s/recursive_deep.avro",
             JOURNEYS, dir);
    expect_refused(args, "not a switchyard recording");
    snprintf(args, sizeof args, "replay --journeys %s --recording %s/deflate_bomb.avro",
             JOURNEYS, dir);
    expect_refused(args, "does not inflate to at most 2163001 bytes");
    tmpdir_remove(dir);
}

Test(regressions, journeys_with_many_keys_parse_in_seconds) {
    char dir[64], args[512];
    temp_dir(dir);
    sh("python3 %s/make_inputs.py %s >/dev/null", REGRESSIONS, dir);
    const char *files[] = {"keys200000.yaml", "manykeys15m.yaml"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(args, sizeof args, "validate %s/%s", dir, files[i]);
        expect_refused(args, "unknown key 'x' in journey");
    }
    tmpdir_remove(dir);
}

Test(regressions, an_endless_line_is_refused_with_its_number_and_the_limit) {
    expect_refused("simulate --journeys " JOURNEYS " --events /dev/zero",
                   "/dev/zero:1: a line longer than 1048576 bytes");
    expect_refused("simulate --journeys " JOURNEYS " --events /tmp",
                   "/tmp: it is a directory");
}

Test(regressions, a_fifo_as_recording_is_refused_without_waiting) {
    char dir[64], fifo[128], args[512];
    temp_dir(dir);
    snprintf(fifo, sizeof fifo, "%s/x.avro", dir);
    cr_assert(eq(int, mkfifo(fifo, 0600), 0));
    snprintf(args, sizeof args, "replay --journeys %s --recording %s", JOURNEYS, fifo);
    expect_refused(args, "not a regular file");
    unlink(fifo);
    rmdir(dir);
}

Test(regressions, option_mistakes_are_usage_errors) {
    expect_refused("simulate --journeys " JOURNEYS " --frob", "unknown option: --frob");
    expect_refused("simulate --journeys", "an option without its value: --journeys");
    expect_refused("replay --journeys " JOURNEYS " --frob", "unknown option: --frob");
    expect_refused("validate --frobnicate", "unknown option: --frobnicate");
    expect_refused("record --topic t --out /tmp/x.avro --bootstrap b --partitions 1,,2",
                   "--partitions wants partition numbers");
}

Test(regressions, an_empty_journeys_directory_is_an_error) {
    char dir[64], args[512];
    temp_dir(dir);
    snprintf(args, sizeof args, "simulate --journeys %s --events /dev/null", dir);
    expect_refused(args, "no journey files");
    rmdir(dir);
}

Test(regressions, repeated_keys_and_anchors_are_refused) {
    char dir[64], path[128], args[512];
    temp_dir(dir);
    snprintf(path, sizeof path, "%s/dup.jsonl", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("{\"event_id\":\"e1\",\"contact_id\":\"ann\",\"contact_id\":\"bob\","
          "\"time\":\"2026-11-02T08:00:00Z\",\"type\":\"custom.go\"}\n", f);
    fclose(f);
    snprintf(args, sizeof args, "simulate --journeys %s --events %s", JOURNEYS, path);
    expect_refused(args, "dup.jsonl:1: key \"contact_id\" is given twice");
    snprintf(path, sizeof path, "%s/anchor.yaml", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("id: a\nversion: 1\nx: &a 1\n", f);
    fclose(f);
    snprintf(args, sizeof args, "validate %s", path);
    expect_refused(args, "anchor.yaml:3:4: anchors (&a) are not supported");
    tmpdir_remove(dir);
}

Test(regressions, kafka_properties_switchyard_sets_are_refused) {
    const char *props[] = {"transactional.id", "enable.auto.commit", "isolation.level"};
    char dir[64], path[128], args[512], words[128];
    temp_dir(dir);
    snprintf(path, sizeof path, "%s/c.conf", dir);
    for (size_t i = 0; i < 3; i++) {
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fprintf(f, "journeys.dir = /tmp\nstate.dir = /tmp/s\nkafka.bootstrap.servers = b\n"
                   "kafka.%s = x\n", props[i]);
        fclose(f);
        snprintf(args, sizeof args, "run --config %s", path);
        snprintf(words, sizeof words, "c.conf:4: 'kafka.%s' cannot be set", props[i]);
        expect_refused(args, words);
    }
    tmpdir_remove(dir);
}
