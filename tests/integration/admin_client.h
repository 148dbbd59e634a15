/* admin_client.h — talking to the admin server of a `switchyard run` under test: turn
 * admin.listen on (a free port) in its config, call a page over HTTP (libcurl), wait for
 * /readyz or for a sum of /metrics samples. For the integration and browser tests; asserts
 * (Criterion) where a test cannot go on. Not the service itself (service_fixture.h). */
#ifndef ADMIN_CLIENT_H
#define ADMIN_CLIENT_H

#include <stddef.h>

#include "service_fixture.h"

/* Bytes of a base URL "http://127.0.0.1:PORT". */
#define ADMIN_CLIENT_BASE_BYTES 64

/* Append admin.listen on a port nothing listens on now to svc's config (before
 * service_start); its URL into base ("http://127.0.0.1:PORT", size bytes). */
void admin_client_enable(const service_t *svc, char *base, size_t size);

/* method url: the HTTP status (0 when nothing answered) and the body (NUL-terminated; the
 * caller frees it). */
long admin_client_call(const char *method, const char *url, char **body);

/* As admin_client_call with GET. */
long admin_client_get(const char *url, char **body);

/* Wait (bounded: a minute) until base/readyz answers 200; asserts it did. */
void admin_client_wait_ready(const char *base);

/* Sum of the samples of /metrics text whose line starts with prefix. */
double admin_client_metrics_sum(const char *metrics, const char *prefix);

/* Expect, in one /metrics text, the commit phase histogram as an operator reads it: a
 * series for each phase (acknowledge, transaction) counting every commit that
 * switchyard_commit_latency_seconds counts (at least one), the time of each phase at
 * most the commits' whole time. Logs the figures (stderr). */
void admin_client_expect_commit_phases(const char *metrics);

/* base/metrics once the sum of prefix reached want (bounded wait: a commit is published
 * right after Kafka has it, so outputs can be read a moment before). The caller frees. */
char *admin_client_metrics_when(const char *base, const char *prefix, double want);

#endif
