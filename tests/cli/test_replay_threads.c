/* test_replay_threads.c — `switchyard replay --threads N` against `--threads 1` over a
 * recording of the load generator (3000 contacts over 4 partitions, timers left to fire
 * after the input): the same output bytes, summary and campaign report; with a damaged
 * record in the middle, the same dead letter; and with a second recording that turns out
 * cut when the replay reaches it, or an output that cannot be written, the same error,
 * exit code and partial output. No broker. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "child.h"
#include "tmpdir.h"

#define JOURNEYS SY_SOURCE_ROOT "/examples/journeys"

/* Bytes of a command's stdout and stderr the test keeps: the summary and error lines. */
#define TEXT_MAX (64 * 1024)

static char dir[256];
static char text[TEXT_MAX], want[TEXT_MAX];

static void threads_setup(void) {
    tmpdir_make(dir, sizeof dir, "replay-threads");
}

static void threads_teardown(void) {
    cr_assert(eq(int, tmpdir_remove(dir), 0), "remove %s", dir);
}

TestSuite(replay_threads, .init = threads_setup, .fini = threads_teardown, .timeout = 240);

/* Run command in the test's directory, its stdout and stderr (unless command redirects it)
 * into text; its exit code. */
static int run(const char *command) {
    char line[2048];
    snprintf(line, sizeof line, "cd %s && %s%s", dir, command,
             strstr(command, "2>") ? "" : " 2>&1");
    return child_run(line, text, sizeof text);
}

static void run_ok(const char *command) {
    int rc = run(command);
    cr_assert(eq(int, rc, 0), "%s: exit %d\n%s", command, rc, text);
}

/* The loadgen recording of 3000 contacts, seed 7, as load.rec. */
static void recording_make(void) {
    run_ok(LOADGEN_BIN " recording --out load.rec --contacts 3000 --seed 7");
}

/* The lines of text that start with prefix, in order, into buf: the rate line differs. */
static void lines_with(const char *prefix, char *buf, size_t size) {
    size_t n = 0;
    buf[0] = '\0';
    for (const char *l = text; *l;) {
        const char *end = strchr(l, '\n');
        size_t len = end ? (size_t)(end - l + 1) : strlen(l);
        if (strncmp(l, prefix, strlen(prefix)) == 0 && n + len < size) {
            memcpy(buf + n, l, len);
            n += len;
            buf[n] = '\0';
        }
        l += len;
    }
}

static void same_bytes(const char *a, const char *b) {
    char command[512];
    snprintf(command, sizeof command, "cmp %s %s", a, b);
    int rc = run(command);
    cr_assert(eq(int, rc, 0), "%s and %s differ:\n%s", a, b, text);
}

Test(replay_threads, three_workers_write_the_bytes_and_counts_of_one) {
    char one[TEXT_MAX];
    recording_make();
    run_ok(SWITCHYARD_BIN " replay --journeys " JOURNEYS " --recording load.rec"
                          " --out one.jsonl --threads 1");
    lines_with("switchyard replay:", one, sizeof one);
    cr_assert(ne(str, one, ""), "no summary:\n%s", text);
    run_ok(SWITCHYARD_BIN " replay --journeys " JOURNEYS " --recording load.rec"
                          " --out three.jsonl --threads 3");
    lines_with("switchyard replay:", want, sizeof want);
    cr_assert(eq(str, want, one));
    same_bytes("one.jsonl", "three.jsonl");
    struct stat st;
    char path[512];
    snprintf(path, sizeof path, "%s/one.jsonl", dir);
    cr_assert(eq(int, stat(path, &st), 0));
    cr_assert_gt(st.st_size, 100000, "little output: %lld bytes", (long long)st.st_size);
}

Test(replay_threads, three_workers_report_the_campaign_metrics_of_one) {
    recording_make();
    run_ok(SWITCHYARD_BIN " replay --journeys " JOURNEYS " --recording load.rec"
                          " --report --json --threads 1 2>/dev/null > one.json");
    run_ok(SWITCHYARD_BIN " replay --journeys " JOURNEYS " --recording load.rec"
                          " --report --json --threads 3 2>/dev/null > three.json");
    same_bytes("one.json", "three.json");
    run_ok("head -c 200 one.json");
    cr_assert(ne(ptr, strstr(text, "\"journeys\""), NULL), "no report:\n%s", text);
}

/* Replay load.rec plus extra (more --recording options, or "") with 1 and 3 workers
 * into one.jsonl and three.jsonl: the same exit code, summary line and error line, and
 * the same bytes. The exit code. */
static int replay_both(const char *extra) {
    char command[1024], one[TEXT_MAX];
    snprintf(command, sizeof command, SWITCHYARD_BIN " replay --journeys " JOURNEYS
             " --recording load.rec %s --out one.jsonl --threads 1", extra);
    int rc_one = run(command);
    lines_with("switchyard replay:", one, sizeof one);
    snprintf(command, sizeof command, SWITCHYARD_BIN " replay --journeys " JOURNEYS
             " --recording load.rec %s --out three.jsonl --threads 3", extra);
    int rc_three = run(command);
    lines_with("switchyard replay:", want, sizeof want);
    cr_assert(eq(int, rc_three, rc_one), "exit %d with 3 workers, %d with 1", rc_three,
              rc_one);
    cr_assert(eq(str, want, one));
    same_bytes("one.jsonl", "three.jsonl");
    snprintf(text, sizeof text, "%s", one);
    return rc_one;
}

Test(replay_threads, a_damaged_record_in_the_middle_is_the_same_dead_letter) {
    recording_make();
    /* One byte of a record's value half-way into the file: it no longer decodes. */
    run_ok("size=$(stat -c %s load.rec); at=$(( size / 2 + size / 3000 )); "
           "printf '\\377' | dd of=load.rec bs=1 seek=$at conv=notrunc status=none");
    int rc = replay_both("");
    cr_assert(eq(int, rc, 0), "%s", text);
    cr_assert(ne(ptr, strstr(text, " 1 dead letters"), NULL), "no dead letter:\n%s", text);
    run_ok("grep -c DeadLetter one.jsonl");
    cr_assert(eq(str, text, "1\n"));
}

Test(replay_threads, a_second_recording_found_cut_fails_as_with_one_worker) {
    recording_make();
    run_ok("head -c $(( $(stat -c %s load.rec) / 2 )) load.rec > cut.rec");
    int rc = replay_both("--recording cut.rec");
    cr_assert(eq(int, rc, 1), "a cut recording: exit %d\n%s", rc, text);
    cr_assert(ne(ptr, strstr(text, "truncated"), NULL), "not the reader's error:\n%s", text);
    run_ok("wc -l < one.jsonl");
    char *end;
    long lines = strtol(text, &end, 10);
    cr_assert(eq(int, end != text && *end == '\n', 1), "not a count: %s", text);
    cr_assert_gt(lines, 1000, "little partial output: %ld lines", lines);
}

/* The blocks are checked on a thread of their own while the workers' stores open: a
 * damaged block half-way into the file still stops the replay before any output. */
Test(replay_threads, a_damaged_block_is_refused_before_any_output_as_with_one_worker) {
    char one[TEXT_MAX];
    recording_make();
    run_ok("at=$(( $(stat -c %s load.rec) / 2 )); head -c 2000 /dev/zero | tr '\\0' '\\377' "
           "| dd of=load.rec bs=1 seek=$at conv=notrunc status=none");
    int rc_one = run(SWITCHYARD_BIN " replay --journeys " JOURNEYS " --recording load.rec"
                                    " --out one.jsonl --threads 1");
    snprintf(one, sizeof one, "%s", text);
    int rc_three = run(SWITCHYARD_BIN " replay --journeys " JOURNEYS " --recording load.rec"
                                      " --out three.jsonl --threads 3");
    cr_assert(eq(int, rc_one, 2), "a damaged block: exit %d\n%s", rc_one, one);
    cr_assert(eq(int, rc_three, rc_one), "exit %d with 3 workers, %d with 1", rc_three, rc_one);
    cr_assert(ne(ptr, strstr(one, "load.rec: damaged: block "), NULL), "%s", one);
    cr_assert(eq(str, text, one));
    int absent = run("ls one.jsonl three.jsonl");
    cr_assert(ne(int, absent, 0), "an output was written:\n%s", text);
}

Test(replay_threads, an_output_that_cannot_be_written_fails_as_with_one_worker) {
    char one[TEXT_MAX];
    recording_make();
    int rc_one = run(SWITCHYARD_BIN " replay --journeys " JOURNEYS " --recording load.rec"
                                    " --out /dev/full --threads 1");
    lines_with("switchyard replay:", one, sizeof one);
    int rc_three = run(SWITCHYARD_BIN " replay --journeys " JOURNEYS " --recording load.rec"
                                      " --out /dev/full --threads 3");
    lines_with("switchyard replay:", want, sizeof want);
    cr_assert(eq(int, rc_one, 1), "/dev/full: exit %d\n%s", rc_one, one);
    cr_assert(eq(int, rc_three, rc_one));
    cr_assert(ne(ptr, strstr(one, "cannot write the output"), NULL), "%s", one);
    cr_assert(eq(str, want, one));
}

Test(replay_threads, threads_out_of_1_to_64_is_bad_usage) {
    const char *bad[] = {"0", "65", "x", "2x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char command[512];
        snprintf(command, sizeof command, SWITCHYARD_BIN " replay --journeys " JOURNEYS
                 " --recording none.rec --threads %s", bad[i]);
        int rc = run(command);
        cr_assert(eq(int, rc, 2), "--threads %s: exit %d\n%s", bad[i], rc, text);
        cr_assert(ne(ptr, strstr(text, "--threads takes 1..64"), NULL), "%s", text);
    }
}
