/* test_admin_metrics.c — /metrics of an admin server without a broker: committed batches
 * published as the runner publishes them, the page fetched over HTTP (libcurl). The commit
 * phases are one histogram family with a phase label, each phase counting every committed
 * batch once in the commit latency's buckets; an aborted batch counts in none. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "http_call.h"
#include "tmpdir.h"

static char errbuf[1024];

/* The value of the sample whose line starts with sample (name and labels, then a space);
 * -1 when none does. */
static double sample_value(const char *metrics, const char *sample) {
    size_t n = strlen(sample);
    for (const char *line = metrics; line && *line; line = strchr(line, '\n'), line += !!line)
        if (strncmp(line, sample, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
    return -1;
}

/* How many lines of metrics start with prefix. */
static int lines_count(const char *metrics, const char *prefix) {
    int count = 0;
    size_t n = strlen(prefix);
    for (const char *line = metrics; line && *line; line = strchr(line, '\n'), line += !!line)
        count += strncmp(line, prefix, n) == 0;
    return count;
}

static void committed_publish(admin_t *a, double commit_s, double acknowledge_s,
                              double transaction_s) {
    admin_batch_t batch = {.committed = true, .records = 10, .commit_s = commit_s,
                           .acknowledge_s = acknowledge_s, .transaction_s = transaction_s};
    admin_publish(a, &batch);
}

Test(admin_metrics, the_commit_phases_render_as_one_labelled_histogram_of_every_commit) {
    char dir[256], url[128], *body = NULL;
    admin_t *a = NULL;
    tmpdir_make(dir, sizeof dir, "admin-metrics");
    cr_assert(eq(int, admin_open(&a, "127.0.0.1:0", dir, 30000, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    committed_publish(a, 0.004, 0.003, 0.0015);
    committed_publish(a, 0.05, 0.03, 0.015);
    committed_publish(a, 0.2, 0.15, 0.04);
    admin_batch_t aborted = {.committed = false};
    admin_publish(a, &aborted);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/metrics", (unsigned)admin_port(a));
    cr_assert(eq(long, http_call("GET", url, 30, &body), 200));

    const char *family = "switchyard_commit_phase_seconds";
    char line[128];
    snprintf(line, sizeof line, "# TYPE %s histogram", family);
    cr_expect(eq(int, lines_count(body, line), 1), "one family:\n%s", body);
    cr_expect(eq(dbl, sample_value(body, "switchyard_commit_latency_seconds_count"), 3));
    static const struct {
        const char *sample;
        double want;
    } rows[] = {
        {"switchyard_commit_phase_seconds_count{phase=\"acknowledge\"}", 3},
        {"switchyard_commit_phase_seconds_count{phase=\"transaction\"}", 3},
        {"switchyard_commit_phase_seconds_bucket{phase=\"acknowledge\",le=\"0.001\"}", 0},
        {"switchyard_commit_phase_seconds_bucket{phase=\"acknowledge\",le=\"0.005\"}", 1},
        {"switchyard_commit_phase_seconds_bucket{phase=\"acknowledge\",le=\"0.05\"}", 2},
        {"switchyard_commit_phase_seconds_bucket{phase=\"acknowledge\",le=\"+Inf\"}", 3},
        {"switchyard_commit_phase_seconds_bucket{phase=\"transaction\",le=\"0.002\"}", 1},
        {"switchyard_commit_phase_seconds_bucket{phase=\"transaction\",le=\"0.02\"}", 2},
        {"switchyard_commit_phase_seconds_bucket{phase=\"transaction\",le=\"0.05\"}", 3},
        {"switchyard_commit_phase_seconds_bucket{phase=\"transaction\",le=\"+Inf\"}", 3},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        cr_expect(eq(dbl, sample_value(body, rows[i].sample), rows[i].want), "%s",
                  rows[i].sample);
    double ack_sum =
        sample_value(body, "switchyard_commit_phase_seconds_sum{phase=\"acknowledge\"}");
    double txn_sum =
        sample_value(body, "switchyard_commit_phase_seconds_sum{phase=\"transaction\"}");
    cr_expect(ack_sum > 0.183 - 1e-9 && ack_sum < 0.183 + 1e-9, "acknowledge sum %g", ack_sum);
    cr_expect(txn_sum > 0.0565 - 1e-9 && txn_sum < 0.0565 + 1e-9, "transaction sum %g",
              txn_sum);
    free(body);
    admin_close(a);
    tmpdir_remove(dir);
}
