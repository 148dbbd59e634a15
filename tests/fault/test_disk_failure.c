/* test_disk_failure.c — a full disk is an operating error (DESIGN.md, "Bad input";
 * docs/service.md, "Exit codes"): `switchyard run` starts with RLIMIT_FSIZE set low
 * (SIGXFSZ ignored, so a write past the limit fails with EFBIG) and takes the standard
 * workload (3,000 contacts through the coffee email promo, event time). Once RocksDB's
 * files reach the limit its writes fail: the service must say so on stderr (a "state
 * store" error) and exit 1 by itself within a bounded time. Started again without the
 * limit on the same state directory, it must finish the input, and the outputs read with
 * read_committed must be exactly those of `switchyard simulate` over the same file:
 * nothing lost, nothing duplicated. SWITCHYARD_FAULT_FSIZE overrides the limit (bytes). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "fault_common.h"

/* Above the files RocksDB writes when the store opens (its OPTIONS file grows with every
 * column family: nine pass 96 KiB, and a failed OPTIONS write trips an assertion of
 * Debian's RocksDB at the next write), below what the workload's log of writes reaches. */
#define FSIZE_LIMIT_BYTES (256 * 1024)
#define ASSIGN_TIMEOUT_MS 60000
#define FAIL_TIMEOUT_MS 120000
#define CATCH_UP_TIMEOUT_MS 300000

static long long fsize_limit(void) {
    const char *text = getenv("SWITCHYARD_FAULT_FSIZE");
    return text ? strtoll(text, NULL, 10) : FSIZE_LIMIT_BYTES;
}

/* The first line of path that holds needle, into out (empty when none). */
static void first_line_with(const char *path, const char *needle, char *out, size_t size) {
    static char line[8192];
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    while (f && !out[0] && fgets(line, sizeof line, f))
        if (strstr(line, needle))
            snprintf(out, size, "%.*s", (int)size - 1, line);
    if (f)
        fclose(f);
}

/* Wait for the service, its disk writes limited to limit bytes, to stop by itself with
 * exit 1 and a state store error in log. */
static void service_stops_on_write_failure(service_t *svc, const char *log, long long limit) {
    char line[1024];
    int status = 0;
    long long start = sy_clock_mono_ms();
    while (fault_alive(svc, &status) && sy_clock_mono_ms() - start < FAIL_TIMEOUT_MS)
        support_clock_sleep_ms(100);
    int exited = svc->pid == 0;
    printf("%s after %.1f s: %s %d\n", exited ? "the service exited" : "still running",
           (sy_clock_mono_ms() - start) / 1000.0, WIFEXITED(status) ? "exit" : "signal",
           WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    long committed = 0, end = 0;
    fault_group_committed(svc, &committed, &end);
    printf("by then its group had committed %ld of %ld input records\n", committed, end);
    first_line_with(log, "state store", line, sizeof line);
    printf("its report: %s", line[0] ? line : "(no line mentions the state store)\n");
    fault_print_log_problems(log, 4);
    cr_assert(exited, "the service did not stop by itself within %d s of its writes failing "
              "(or the limit of %lld bytes was never reached)", FAIL_TIMEOUT_MS / 1000, limit);
    cr_expect(eq(int, child_exit_code(status), 1),
              "exit status: expected exit 1, got raw status %d", status);
    cr_expect(line[0] != '\0', "stderr does not mention the state store error");
}

Test(fault_disk_failure, state_store_write_failure_stops_the_service_and_loses_nothing,
     .timeout = 840) {
    service_t svc;
    fault_workload_t w;
    fault_outputs_t want;
    char log[256];
    int status = 0;
    long long limit = fsize_limit();
    service_prepare(&svc, "fault-disk");
    fault_config_fast_rejoin(&svc);
    /* Small batches, each a checkpoint: the writes fail part way through the input, with
     * batches committed to Kafka after the last checkpoint RocksDB holds (the restart
     * brings them back from the changelog). With the defaults the whole input can commit
     * before the first checkpoint is written. */
    fault_config_set(&svc, "batch.records.max", "300");
    fault_config_set(&svc, "state.checkpoint.batches", "1");
    fault_workload_write(&w, svc.dir, FAULT_CONTACTS);
    fault_outputs_init(&want, FAULT_CONTACTS);
    fault_simulate(&w, &want);

    snprintf(log, sizeof log, "%s/run-limited.log", svc.dir);
    fault_start(&svc, log, limit);
    long waited = fault_wait_log(&svc, log, "assigned", ASSIGN_TIMEOUT_MS, &status);
    if (waited < 0)
        fault_print_log_problems(log, 8);
    cr_assert_geq(waited, 0, "with RLIMIT_FSIZE %lld the service never got its partitions "
                  "(status %d): the limit must let it open its store", limit, status);
    printf("started with RLIMIT_FSIZE = %lld bytes; partitions after %.1f s\n", limit,
           waited / 1000.0);
    fault_produce_lines(&svc, &w, 0, w.count);
    printf("produced all %zu events\n", w.count);
    fflush(stdout);

    service_stops_on_write_failure(&svc, log, limit);

    snprintf(log, sizeof log, "%s/run-unlimited.log", svc.dir);
    fault_start(&svc, log, 0);
    printf("restarted without the limit\n");
    /* The group may have committed everything before the failure: wait until the service
     * has its partitions (and so its stop handler) before taking "caught up" as done. */
    waited = fault_wait_log(&svc, log, "state restored; processing", ASSIGN_TIMEOUT_MS,
                            &status);
    cr_assert_geq(waited, 0, "after the restart the service never restored its partitions "
                  "(status %d)", status);
    fault_finish(&svc, log, CATCH_UP_TIMEOUT_MS, &want, "after the disk failure");
    fault_outputs_free(&want);
    fault_workload_free(&w);
    service_cleanup(&svc);
}
