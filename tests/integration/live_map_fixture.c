/* live_map_fixture.c — the service of the live journey map tests and its input: see
 * live_map_fixture.h. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "live_map_fixture.h"
#include "text_file.h"

#define PUSH_PATHS SY_SOURCE_ROOT "/tests/journeys/paths/coffee_push_promo.jsonl"
/* Where the input stops: the first line of the second day (2026-11-03), before any
 * branch's 24 h timer falls due. */
#define INPUT_STOP "\"time\":\"2026-11-03"
#define READ_TIMEOUT_MS 120000

/* Write the push promo's paths up to INPUT_STOP into path. */
static void input_write(const char *path) {
    static char text[65536];
    text_file_read(PUSH_PATHS, text, sizeof text);
    char *stop = strstr(text, INPUT_STOP);
    cr_assert_not_null(stop, "%s has no line of 2026-11-03", PUSH_PATHS);
    while (stop > text && stop[-1] != '\n')
        stop--;
    *stop = '\0';
    cr_assert(eq(int, text_file_write(path, text), 0), "write %s", path);
}

/* The routing decisions `switchyard simulate` makes of path, firing no timer after it. */
static long simulate_decisions(const char *path) {
    char command[1024], line[8192];
    long decisions = 0;
    snprintf(command, sizeof command, "%s simulate --journeys %s/examples/journeys --events "
             "%s --until input 2>/dev/null", SWITCHYARD_BIN, SY_SOURCE_ROOT, path);
    FILE *p = popen(command, "r");
    cr_assert_not_null(p, "%s", command);
    while (fgets(line, sizeof line, p))
        decisions += strstr(line, "RoutingDecision") != NULL;
    cr_assert(eq(int, pclose(p), 0), "%s failed", command);
    return decisions;
}

void live_map_start(live_map_t *m, const char *name) {
    service_prepare(&m->svc, name);
    admin_client_enable(&m->svc, m->base, sizeof m->base);
    snprintf(m->input, sizeof m->input, "%s/input.jsonl", m->svc.dir);
    input_write(m->input);
    m->decisions = simulate_decisions(m->input);
    cr_assert(m->decisions > 0, "simulate decided nothing of %s", m->input);
    service_start(&m->svc);
    admin_client_wait_ready(m->base);
    long profiles = service_produce_jsonl(&m->svc, m->input, 1);
    if (profiles)
        service_wait_profiles_read(&m->svc, profiles);
    service_produce_jsonl(&m->svc, m->input, 0);
    long read = harness_consume_all(harness_bootstrap(), m->svc.decisions, "read_committed",
                                    m->decisions, READ_TIMEOUT_MS, NULL, NULL);
    cr_assert(eq(long, read, m->decisions), "decisions read back");
    char *metrics = admin_client_metrics_when(m->base, "switchyard_decisions_total{",
                                              (double)m->decisions);
    cr_assert(eq(dbl, admin_client_metrics_sum(metrics, "switchyard_decisions_total{"),
                 (double)m->decisions), "decisions published");
    free(metrics);
}

void live_map_finish(live_map_t *m) {
    int status = service_stop(&m->svc, 60000);
    cr_expect(eq(int, child_exit_code(status), 0), "exit status %d", status);
    service_cleanup(&m->svc);
}
