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
