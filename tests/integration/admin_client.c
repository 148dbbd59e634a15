/* admin_client.c — HTTP to the admin server of a service under test (through
 * tests/support's http_call) and the waits the tests need: ready, and a /metrics sum
 * reached. See admin_client.h. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "admin_client.h"
#include "http_call.h"

/* How long a wait polls: 600 tries 100 ms apart (a restore, a commit on a busy box). */
#define WAIT_TRIES 600
#define WAIT_STEP_US 100000

long admin_client_call(const char *method, const char *url, char **body) {
    return http_call(method, url, 10, body);
}

long admin_client_get(const char *url, char **body) {
    return admin_client_call("GET", url, body);
}

/* A port nothing listens on now (the kernel's pick, released again). */
static int free_port(void) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
              getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    close(fd);
    return ntohs(a.sin_port);
}

void admin_client_enable(const service_t *svc, char *base, size_t size) {
    char line[128];
    snprintf(base, size, "http://127.0.0.1:%d", free_port());
    snprintf(line, sizeof line, "admin.listen = %s\n", base + strlen("http://"));
    FILE *f = fopen(svc->config_path, "a");
    cr_assert(f && fputs(line, f) >= 0 && fclose(f) == 0, "append to %s", svc->config_path);
}

void admin_client_wait_ready(const char *base) {
    char url[128], *body = NULL;
    snprintf(url, sizeof url, "%s/readyz", base);
    long status = 0;
    for (int i = 0; i < WAIT_TRIES && status != 200; i++) {
        free(body);
        status = admin_client_get(url, &body);
        if (status != 200)
            usleep(WAIT_STEP_US);
    }
    cr_assert(eq(long, status, 200), "/readyz: %ld %s", status, body ? body : "");
    free(body);
}

double admin_client_metrics_sum(const char *metrics, const char *prefix) {
    double sum = 0;
    size_t n = strlen(prefix);
    for (const char *line = metrics; line && *line; line = strchr(line, '\n'), line += !!line)
        if (strncmp(line, prefix, n) == 0) {
            const char *space = strchr(line, ' ');
            const char *eol = strchr(line, '\n');
            if (space && (!eol || space < eol))
                sum += strtod(space + 1, NULL);
        }
    return sum;
}

/* The value of the sample of metrics named exactly sample (name and labels); asserts that
 * there is one. */
static double sample_value(const char *metrics, const char *sample) {
    size_t n = strlen(sample);
    for (const char *line = metrics; line && *line; line = strchr(line, '\n'), line += !!line)
        if (strncmp(line, sample, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
    cr_fatal("no sample %s in /metrics", sample);
    return 0;
}

void admin_client_expect_commit_phases(const char *metrics) {
    static const char *const phases[] = {"acknowledge", "transaction"};
    /* The phase sums add the same microseconds, each at most its commit's, in the same
     * order: only the rounding of the sums to doubles may differ. */
    const double epsilon_s = 1e-6;
    char sample[128];
    double count = sample_value(metrics, "switchyard_commit_latency_seconds_count");
    double sum = sample_value(metrics, "switchyard_commit_latency_seconds_sum");
    cr_expect(gt(dbl, count, 0), "no commit counted");
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        snprintf(sample, sizeof sample,
                 "switchyard_commit_phase_seconds_count{phase=\"%s\"}", phases[i]);
        double phase_count = sample_value(metrics, sample);
        snprintf(sample, sizeof sample,
                 "switchyard_commit_phase_seconds_bucket{phase=\"%s\",le=\"+Inf\"}",
                 phases[i]);
        double phase_inf = sample_value(metrics, sample);
        snprintf(sample, sizeof sample, "switchyard_commit_phase_seconds_sum{phase=\"%s\"}",
                 phases[i]);
        double phase_sum = sample_value(metrics, sample);
        cr_expect(eq(dbl, phase_count, count), "%s: counts %.0f commits of %.0f", phases[i],
                  phase_count, count);
        cr_expect(eq(dbl, phase_inf, count), "%s: +Inf bucket %.0f of %.0f", phases[i],
                  phase_inf, count);
        cr_expect(le(dbl, phase_sum, sum + epsilon_s), "%s: %.6f s of the commits' %.6f s",
                  phases[i], phase_sum, sum);
        fprintf(stderr, "commit phase %s: _count %.0f _sum %.6f s; commit latency: "
                "_count %.0f _sum %.6f s\n", phases[i], phase_count, phase_sum, count, sum);
    }
}

char *admin_client_metrics_when(const char *base, const char *prefix, double want) {
    char url[128], *body = NULL;
    snprintf(url, sizeof url, "%s/metrics", base);
    for (int i = 0; i < WAIT_TRIES; i++) {
        free(body);
        cr_assert(eq(long, admin_client_get(url, &body), 200));
        if (admin_client_metrics_sum(body, prefix) >= want)
            break;
        usleep(WAIT_STEP_US);
    }
    return body;
}
