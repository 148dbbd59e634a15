/* test_run_journeys.c — `switchyard run` on a real broker with the coffee email promo:
 * 1,000 contacts enter, their engagement events (echoing the action ids, as providers do)
 * call for every path of the branch, and everything is read back with read_committed:
 * each contact took its path, and every send produced exactly one action command. The
 * workload is promo_workload.h. Also with batches ending mid-turn, and with a backlog whose
 * commits are pipelined (the next batch processed while the one before commits). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "admin_client.h"
#include "child.h"
#include "promo_workload.h"

Test(run_journeys, every_contact_takes_the_path_its_events_call_for, .timeout = 600) {
    service_t svc;
    promo_workload_open();
    service_prepare(&svc, "run-journeys");
    service_start(&svc);

    promo_produce_entries(&svc);
    promo_read_promos(&svc);
    promo_produce_engagement(&svc);
    long decisions = promo_read_decisions(&svc);
    int status = service_stop(&svc, 60000);
    cr_assert(eq(int, child_exit_code(status), 0),
              "switchyard run did not exit cleanly on SIGTERM (status %d)", status);
    cr_assert(eq(long, decisions, PROMO_DECISIONS), "decisions read: %ld", decisions);

    promo_assert_outputs(&svc);
    promo_workload_close();
    service_cleanup(&svc);
}

/* The same workload with batches far shorter than a loop turn (which polls up to 512
 * records): the entries wait as a backlog and commit.interval.ms = 1 ends batches in the
 * middle of turns, the next record going to the next batch. Nothing is lost or processed
 * twice: the same decisions and actions, each once. */
Test(run_journeys, batches_ending_mid_turn_lose_and_repeat_nothing,
     .timeout = 600) {
    service_t svc;
    promo_workload_open();
    service_prepare(&svc, "run-journeys-short");
    FILE *conf = fopen(svc.config_path, "a");
    cr_assert_not_null(conf, "open %s", svc.config_path);
    fputs("commit.interval.ms = 1\n", conf);
    cr_assert(eq(int, fclose(conf), 0), "write %s", svc.config_path);
    promo_produce_entries(&svc);
    service_start(&svc);
    promo_read_promos(&svc);
    promo_produce_engagement(&svc);
    long decisions = promo_read_decisions(&svc);
    int status = service_stop(&svc, 60000);
    cr_assert(eq(int, child_exit_code(status), 0),
              "switchyard run did not exit cleanly on SIGTERM (status %d)", status);
    cr_assert(eq(long, decisions, PROMO_DECISIONS), "decisions read: %ld", decisions);
    promo_assert_outputs(&svc);
    promo_workload_close();
    service_cleanup(&svc);
}

/* The entries wait as a backlog of 20 batches of 50: each batch closes with records still
 * waiting, so the next one is processed while its commit goes on (pipelined commits,
 * docs/service.md), its outputs held until that commit is known. Outputs are the same,
 * each once, and the service says its commits were overlapped. */
Test(run_journeys, a_backlog_commits_pipelined_and_loses_and_repeats_nothing,
     .timeout = 600) {
    service_t svc;
    char base[ADMIN_CLIENT_BASE_BYTES];
    promo_workload_open();
    service_prepare(&svc, "run-journeys-pipelined");
    FILE *conf = fopen(svc.config_path, "a");
    cr_assert_not_null(conf, "open %s", svc.config_path);
    fputs("batch.records.max = 50\n", conf);
    cr_assert(eq(int, fclose(conf), 0), "write %s", svc.config_path);
    admin_client_enable(&svc, base, sizeof base);
    promo_produce_entries(&svc);
    service_start(&svc);
    promo_read_promos(&svc);
    promo_produce_engagement(&svc);
    long decisions = promo_read_decisions(&svc);
    char *body = admin_client_metrics_when(base, "switchyard_decisions_total{",
                                           (double)decisions);
    double batches = admin_client_metrics_sum(body, "switchyard_batches_total ");
    double overlapped = admin_client_metrics_sum(body, "switchyard_batches_overlapped_total ");
    admin_client_expect_commit_phases(body); /* the committer thread's phases among them */
    free(body);
    int status = service_stop(&svc, 60000);
    cr_assert(eq(int, child_exit_code(status), 0),
              "switchyard run did not exit cleanly on SIGTERM (status %d)", status);
    cr_assert(eq(long, decisions, PROMO_DECISIONS), "decisions read: %ld", decisions);
    cr_assert(ge(dbl, batches, 20.0), "batches committed: %.0f", batches);
    cr_assert(ge(dbl, overlapped, 1.0), "no commit overlapped by the next batch (of %.0f)",
              batches);
    cr_assert(le(dbl, overlapped, batches), "commits overlapped: %.0f of %.0f", overlapped,
              batches);
    promo_assert_outputs(&svc);
    promo_workload_close();
    service_cleanup(&svc);
}
