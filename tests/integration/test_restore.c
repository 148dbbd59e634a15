/* test_restore.c — state survives the loss of the state directory: `switchyard run`
 * enters 1,000 contacts into the coffee email promo (each waits at the branch with its
 * timers), stops, its RocksDB directory is deleted, and a new run restores every
 * partition from the changelog topic before consuming. The engagement events then find
 * every contact where it was: each takes its path, and every action appears exactly once
 * under read_committed. The workload is promo_workload.h. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <sys/wait.h>

#include "child.h"
#include "promo_workload.h"

#define READ_TIMEOUT_MS 180000
#define STOP_TIMEOUT_MS 60000

static void stop_cleanly(service_t *svc) {
    int status = service_stop(svc, STOP_TIMEOUT_MS);
    cr_assert(eq(int, child_exit_code(status), 0),
              "switchyard run did not exit cleanly on SIGTERM (status %d)", status);
}

/* Add a line to the service's config file (before it starts). */
static void config_append(const service_t *svc, const char *line) {
    FILE *f = fopen(svc->config_path, "a");
    cr_assert_not_null(f, "open %s", svc->config_path);
    fprintf(f, "%s\n", line);
    cr_assert(eq(int, fclose(f), 0), "write %s", svc->config_path);
}

/* Enter the contacts, stop, lose the state directory, start again, engage. */
static void run_restore(const char *name, const char *config_line) {
    service_t svc;
    promo_workload_open();
    service_prepare(&svc, name);
    if (config_line)
        config_append(&svc, config_line);
    service_start(&svc);
    promo_produce_entries(&svc);
    promo_read_promos(&svc);
    stop_cleanly(&svc);
    long changes = harness_consume_all(harness_bootstrap(), svc.changelog, "read_committed",
                                       -1, READ_TIMEOUT_MS, NULL, NULL);
    /* Per contact at least its instance and its branch timers. */
    cr_assert_geq(changes, 2 * PROMO_CONTACTS, "changelog records: %ld", changes);

    /* A lost disk: the new run has nothing but the changelog. */
    service_remove_state(&svc);
    service_start(&svc);
    promo_produce_engagement(&svc);
    long decisions = promo_read_decisions(&svc);
    stop_cleanly(&svc);
    cr_assert(eq(long, decisions, PROMO_DECISIONS), "decisions read: %ld", decisions);
    promo_assert_outputs(&svc);
    promo_workload_close();
    service_cleanup(&svc);
}

Test(restore, contacts_keep_their_place_when_the_state_directory_is_lost, .timeout = 900) {
    run_restore("restore", NULL);
}

/* Without transactions the changelog is flushed after the outputs; clean stops commit
 * everything, so no output repeats here either. */
Test(restore, at_least_once_restores_the_same_state, .timeout = 900) {
    run_restore("restore-alo", "processing.guarantee = at_least_once");
}
