/* admin_server.c — the HTTP side of the admin server, on libmicrohttpd's own thread:
 * binding admin.listen, and answering GET /, /metrics, /healthz, /readyz, /journeys and
 * the maps under /journeys/; any other path is 404 and any other method 405, each with a
 * line saying why. What the bodies hold is admin_metrics.c's, admin_journeys.c's and
 * admin_map.c's. */
#include <arpa/inet.h>
#include <assert.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "admin_int.h"

/* Seconds an idle connection is kept: a scraper that stops talking does not hold a slot. */
#define ADMIN_CONNECTION_TIMEOUT_S 10
/* Connections served at once: a handful of scrapers and people. */
#define ADMIN_CONNECTIONS_MAX 64
/* Threads answering: a map's layout (Graphviz, one at a time) does not hold up a scrape or
 * a probe on another thread. */
#define ADMIN_THREADS 4

static const char admin_index_html[] =
    "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>switchyard</title></head>\n"
    "<body><h1>switchyard</h1><ul>\n"
    "<li><a href=\"/metrics\">/metrics</a> — Prometheus metrics</li>\n"
    "<li><a href=\"/healthz\">/healthz</a> — the loop is turning</li>\n"
    "<li><a href=\"/readyz\">/readyz</a> — every assigned partition restored and "
    "consuming</li>\n"
    "<li><a href=\"/journeys\">/journeys</a> — loaded journeys with contacts per node "
    "(JSON)</li>\n</ul>\n<h2>Journey maps</h2><ul>\n";

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type,
                               char *body, size_t len) {
    assert(c && type && body);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result respond_text(struct MHD_Connection *c, unsigned status,
                                    const char *text) {
    admin_buf_t b = {0};
    size_t len;
    assert(text);
    admin_buf_printf(&b, "%s\n", text);
    char *body = admin_buf_take(&b, &len);
    return body ? respond(c, status, "text/plain; charset=utf-8", body, len) : MHD_NO;
}

static enum MHD_Result respond_rendered(struct MHD_Connection *c, admin_t *a,
                                        void (*render)(admin_t *, admin_buf_t *),
                                        const char *type) {
    admin_buf_t b = {0};
    size_t len;
    assert(render && type);
    render(a, &b);
    char *body = admin_buf_take(&b, &len);
    if (!body)
        return respond_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory rendering");
    return respond(c, MHD_HTTP_OK, type, body, len);
}

/* The index: the pages above, then a live map per loaded journey version. */
static void index_render(admin_t *a, admin_buf_t *b) {
    assert(a && b);
    admin_buf_printf(b, "%s", admin_index_html);
    admin_map_links_render(a, b);
    admin_buf_printf(b, "</ul></body></html>\n");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    admin_t *a = cls;
    char reason[ADMIN_REASON_BYTES + 64];
    (void)version;
    (void)upload_data;
    (void)con_cls;
    assert(a && url && method && upload_data_size);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        snprintf(reason, sizeof reason, "method %.32s not allowed: only GET", method);
        *upload_data_size = 0; /* a body is ignored */
        return respond_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, reason);
    }
    if (strcmp(url, "/metrics") == 0)
        return respond_rendered(c, a, admin_metrics_render,
                                "text/plain; version=0.0.4; charset=utf-8");
    if (strcmp(url, "/journeys") == 0)
        return respond_rendered(c, a, admin_journeys_render, "application/json");
    if (strcmp(url, "/healthz") == 0) {
        bool ok = admin_health(a, reason, sizeof reason);
        return respond_text(c, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, reason);
    }
    if (strcmp(url, "/readyz") == 0) {
        bool ok = admin_readiness(a, reason, sizeof reason);
        return respond_text(c, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, reason);
    }
    if (strcmp(url, "/") == 0)
        return respond_rendered(c, a, index_render, "text/html; charset=utf-8");
    admin_reply_t map;
    if (admin_map_answer(a, url, MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
                                                             "version"), &map))
        return map.body ? respond(c, map.status, map.type, map.body, map.len) : MHD_NO;
    snprintf(reason, sizeof reason, "no such page: %.128s (see / for the pages)", url);
    return respond_text(c, MHD_HTTP_NOT_FOUND, reason);
}

bool admin_listen_parse(const char *listen, struct sockaddr_storage *ss, socklen_t *len) {
    char host[128];
    const char *colon = strrchr(listen, ':');
    assert(listen && ss && len);
    if (!colon || (size_t)(colon - listen) >= sizeof host || colon == listen)
        return false;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535)
        return false;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    memset(ss, 0, sizeof *ss);
    size_t hl = strlen(host);
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        host[hl - 1] = '\0';
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *len = sizeof *s6;
        return inet_pton(AF_INET6, host + 1, &s6->sin6_addr) == 1;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    *len = sizeof *s4;
    return inet_pton(AF_INET, host, &s4->sin_addr) == 1;
}

static admin_t *admin_new(const char *state_dir, int64_t stall_ms) {
    admin_t *a = calloc(1, sizeof *a);
    assert(state_dir && stall_ms > 0);
    if (!a)
        return NULL;
    a->state_dir = state_dir;
    a->stall_ms = stall_ms;
    pthread_mutex_init(&a->lock, NULL);
    a->batch_records = (admin_hist_t){.bounds = admin_batch_records_bounds,
                                      .bounds_count = admin_batch_records_bounds_count};
    a->commit_seconds = (admin_hist_t){.bounds = admin_commit_seconds_bounds,
                                       .bounds_count = admin_commit_seconds_bounds_count};
    for (int p = 0; p < ADMIN_PHASES; p++)
        a->commit_phase_seconds[p] = a->commit_seconds;
    snprintf(a->not_ready, sizeof a->not_ready, "starting: no partitions assigned yet");
    return a;
}

sy_err_t admin_open(admin_t **out, const char *listen, const char *state_dir,
                    int64_t stall_ms, char *errbuf, size_t errbuf_size) {
    struct sockaddr_storage ss;
    socklen_t len;
    assert(out && listen && state_dir);
    *out = NULL;
    if (!*listen)
        return SY_OK;
    if (!admin_listen_parse(listen, &ss, &len)) {
        snprintf(errbuf, errbuf_size, "admin.listen: '%s' is not HOST:PORT (an IPv4 address "
                 "or [IPv6 address], port 0-65535)", listen);
        return SY_ERR_CONFIG;
    }
    admin_t *a = admin_new(state_dir, stall_ms);
    if (!a)
        return SY_ERR_NOMEM;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                     (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    a->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, a, MHD_OPTION_SOCK_ADDR,
                                 (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_TIMEOUT,
                                 (unsigned)ADMIN_CONNECTION_TIMEOUT_S,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)ADMIN_CONNECTIONS_MAX,
                                 MHD_OPTION_THREAD_POOL_SIZE, (unsigned)ADMIN_THREADS,
                                 MHD_OPTION_END);
    if (!a->daemon) {
        snprintf(errbuf, errbuf_size, "admin.listen: cannot listen on %s (address in use or "
                 "not this host's)", listen);
        admin_close(a);
        return SY_ERR_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(a->daemon,
                                                           MHD_DAEMON_INFO_BIND_PORT);
    a->port = info ? info->port : 0;
    *out = a;
    return SY_OK;
}

uint16_t admin_port(const admin_t *a) {
    return a ? a->port : 0; /* no assert: NULL is the server off */
}

void admin_close(admin_t *a) {
    if (!a)
        return;
    if (a->daemon)
        MHD_stop_daemon(a->daemon);
    assert(a->stall_ms > 0);
    admin_table_deinit(&a->counters);
    admin_table_deinit(&a->gauges);
    admin_snapshot_unref(a->snapshot);
    pthread_mutex_destroy(&a->lock);
    free(a);
}
