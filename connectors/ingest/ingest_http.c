/* ingest_http.c — the HTTP side of `switchyard ingest` on libmicrohttpd (a thread per
 * connection: a request waits for its broker acknowledgement on its own thread): reading
 * bodies up to ingest.body.bytes.max, routing, checking signatures and tokens, and
 * answering — 200 (302 for a click-to-call smartphone) once every event is acknowledged,
 * 400 malformed, 401/403 unsigned or wrongly signed, 413 too large, 503 with Retry-After
 * while the broker does not acknowledge. The formats are ingest_batch.h's (call tracking's,
 * ingest_calls.h's); the producer, ingest_produce.h's. */
#include <assert.h>
#include <stdarg.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "ingest_int.h"
#include "log.h"
#include "sy_clock.h"

/* Connections served at once, each on its own thread while it waits for the broker: well
 * above what a provider opens (SendGrid and Twilio use a handful), bounded for memory. */
#define INGEST_CONNECTIONS_MAX 512
/* Seconds an idle connection is kept. */
#define INGEST_CONNECTION_TIMEOUT_S 30
/* Longest reason or URL kept for a reply or a signature. */
#define INGEST_REASON_BYTES 512
#define INGEST_URL_BYTES 4096

/* One request's state, from its URI to its completion. */
typedef struct http_request {
    char *uri;       /* owned: the raw request target, path and query as sent */
    bool started;
    ingest_endpoint_t endpoint;
    char *body;      /* owned */
    size_t len;
    size_t cap;
    bool too_large;
} http_request_t;

typedef struct http_reply {
    unsigned status;
    const char *type;
    char text[INGEST_REASON_BYTES];
} http_reply_t;

static const struct {
    const char *path;
    ingest_endpoint_t endpoint;
} http_routes[] = {
    {"/sendgrid/events", INGEST_EP_SENDGRID},
    {"/twilio/messages/status", INGEST_EP_MESSAGE_STATUS},
    {"/twilio/messages/inbound", INGEST_EP_MESSAGE_INBOUND},
    {"/twilio/voice/status", INGEST_EP_VOICE_STATUS},
    {"/events", INGEST_EP_API},
    {"/twilio/calls/inbound", INGEST_EP_CALL_INBOUND},
    {"/twilio/calls/status", INGEST_EP_CALL_STATUS},
    {"/twilio/calls/transcription", INGEST_EP_CALL_TRANSCRIPTION},
    {"/c/", INGEST_EP_CALL_CLICK}, /* a prefix: http_first routes it */
};

static ingest_endpoint_t http_route(const char *url) {
    assert(url);
    for (size_t i = 0; i < sizeof http_routes / sizeof http_routes[0]; i++)
        if (strcmp(http_routes[i].path, url) == 0)
            return http_routes[i].endpoint;
    return INGEST_EP_OTHER;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
    (void)cls;
    (void)c;
    assert(uri);
    http_request_t *req = calloc(1, sizeof *req);
    if (req && !(req->uri = strdup(uri))) {
        free(req);
        req = NULL;
    }
    return req; /* NULL: on_request refuses the request */
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode code) {
    http_request_t *req = *con_cls;
    (void)cls;
    (void)c;
    (void)code;
    if (!req)
        return;
    free(req->uri);
    free(req->body);
    free(req);
    *con_cls = NULL;
}

/* Answer status with body (len bytes of type), and a Location header unless NULL. */
static enum MHD_Result http_respond(ingest_t *in, struct MHD_Connection *c,
                                    ingest_endpoint_t endpoint, unsigned status,
                                    const char *type, const char *body, size_t len,
                                    const char *location) {
    assert(in && c && type && body);
    ingest_metrics_request(&in->metrics, endpoint, status);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (location)
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE) {
        char after[24];
        snprintf(after, sizeof after, "%lld", (long long)in->config->ingest_retry_after_s);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, after);
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result http_send(ingest_t *in, struct MHD_Connection *c,
                                 ingest_endpoint_t endpoint, unsigned status,
                                 const char *type, const char *body, size_t len) {
    return http_respond(in, c, endpoint, status, type, body, len, NULL);
}

static enum MHD_Result http_text(ingest_t *in, struct MHD_Connection *c,
                                 ingest_endpoint_t endpoint, unsigned status,
                                 const char *text) {
    char line[INGEST_REASON_BYTES + 2];
    assert(text);
    int n = snprintf(line, sizeof line, "%s\n", text);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    return http_send(in, c, endpoint, status, "text/plain; charset=utf-8", line, len);
}

static enum MHD_Result http_rendered(ingest_t *in, struct MHD_Connection *c) {
    admin_buf_t b = {0};
    size_t len;
    assert(in);
    ingest_metrics_render(in, &b);
    char *body = admin_buf_take(&b, &len);
    if (!body)
        return http_text(in, c, INGEST_EP_OTHER, 500, "out of memory rendering");
    enum MHD_Result ret = http_send(in, c, INGEST_EP_OTHER, 200,
                                    "text/plain; version=0.0.4; charset=utf-8", body, len);
    free(body);
    return ret;
}

static void reply_set(http_reply_t *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void reply_set(http_reply_t *r, unsigned status, const char *fmt, ...) {
    va_list ap;
    assert(r && fmt);
    r->status = status;
    r->type = "text/plain; charset=utf-8";
    va_start(ap, fmt);
    vsnprintf(r->text, sizeof r->text, fmt, ap);
    va_end(ap);
}

/* Produce b's events and say how it went: 200 with the counts once acknowledged. */
static void http_finish(ingest_t *in, ingest_endpoint_t ep, const ingest_batch_t *b,
                        http_reply_t *r) {
    char why[INGEST_REASON_BYTES - 64];
    assert(in && b && r);
    if (b->not_yet) {
        reply_set(r, 503, "the profiles topic is not read to its end yet: cannot tell "
                  "whose address this is; try again");
        return;
    }
    sy_err_t err = ingest_producer_send(in->producer, b, in->config->ingest_ack_timeout_ms,
                                        why, sizeof why);
    if (err == SY_ERR_INVALID_RECORD || err == SY_ERR_LIMIT) {
        reply_set(r, 400, "%s", why);
    } else if (err == SY_ERR_KAFKA_RETRIABLE || err == SY_ERR_KAFKA_FATAL) {
        reply_set(r, 503, "%s; try again", why);
    } else if (err != SY_OK) {
        reply_set(r, 500, "%s", sy_err2str(err));
    } else {
        for (size_t i = 0; i < b->count; i++)
            atomic_fetch_add(&in->metrics.events[b->events[i].channel][b->events[i].type], 1);
        atomic_fetch_add(&in->metrics.skipped[ep], b->skipped);
        atomic_fetch_add(&in->metrics.unmatched[ep], b->unmatched);
        if (b->unmatched > 0)
            log_warn("ingest: %zu event(s) of a request to %s name no known contact: "
                     "acknowledged and dropped", b->unmatched, http_routes[ep].path);
        r->status = 200;
        r->type = "application/json";
        snprintf(r->text, sizeof r->text,
                 "{\"events\":%zu,\"skipped\":%zu,\"unmatched\":%zu}", b->count,
                 b->skipped, b->unmatched);
    }
}

/* A parser's error as the reply: 413 for too many events, else 400 with the reason. */
static void reply_parse_error(http_reply_t *r, sy_err_t err, const char *why) {
    assert(r && why);
    if (err == SY_ERR_NOMEM)
        reply_set(r, 500, "out of memory");
    else
        reply_set(r, err == SY_ERR_LIMIT ? 413 : 400, "%s", why);
}

static void http_sendgrid(ingest_t *in, struct MHD_Connection *c, http_request_t *req,
                          ingest_batch_t *b, http_reply_t *r) {
    char why[INGEST_REASON_BYTES - 32];
    assert(in && req && b && r);
    if (in->sendgrid_key) {
        const char *sig = MHD_lookup_connection_value(
            c, MHD_HEADER_KIND, "X-Twilio-Email-Event-Webhook-Signature");
        const char *ts = MHD_lookup_connection_value(
            c, MHD_HEADER_KIND, "X-Twilio-Email-Event-Webhook-Timestamp");
        if (!sig || !ts) {
            reply_set(r, 401, "the Signed Event Webhook headers are missing");
            return;
        }
        if (!ingest_sign_sendgrid_verify(in->sendgrid_key, sig, ts, req->body ? req->body : "",
                                         req->len)) {
            reply_set(r, 403, "the signature does not verify with ingest.sendgrid.public.key");
            return;
        }
    }
    ingest_finder_t finder = {ingest_profiles_find, in->profiles};
    sy_err_t err = ingest_sendgrid_parse(req->body ? req->body : "", req->len, &finder, b,
                                         why, sizeof why);
    if (err != SY_OK)
        reply_parse_error(r, err, why);
    else
        http_finish(in, INGEST_EP_SENDGRID, b, r);
}

/* The URL Twilio called: ingest.public.url (or the scheme and Host) and the raw target. */
static bool twilio_url(ingest_t *in, struct MHD_Connection *c, const http_request_t *req,
                       char *url, size_t size) {
    assert(in && req && url);
    const char *base = in->config->ingest_public_url;
    size_t base_len = strlen(base);
    while (base_len > 0 && base[base_len - 1] == '/')
        base_len--;
    if (base_len > 0)
        return snprintf(url, size, "%.*s%s", (int)base_len, base, req->uri) < (int)size;
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    return host && snprintf(url, size, "%s://%s%s", in->tls_cert ? "https" : "http", host,
                            req->uri) < (int)size;
}

/* Decode a Twilio request's body (form) and URL query (query) into b's arena and check
 * its X-Twilio-Signature when ingest.twilio.auth.token is set. False: r says why. */
static bool twilio_verified(ingest_t *in, struct MHD_Connection *c, http_request_t *req,
                            ingest_batch_t *b, ingest_form_t *form, ingest_form_t *query,
                            http_reply_t *r) {
    char why[INGEST_REASON_BYTES - 32], url[INGEST_URL_BYTES] = "";
    assert(in && req && b && form && query && r);
    const char *q = strchr(req->uri, '?');
    sy_err_t err = ingest_form_parse(b, req->body ? req->body : "", req->len, form, why,
                                     sizeof why);
    if (err == SY_OK)
        err = ingest_form_parse(b, q ? q + 1 : "", q ? strlen(q + 1) : 0, query, why,
                                sizeof why);
    if (err != SY_OK) {
        reply_parse_error(r, err, why);
        return false;
    }
    const char *token = in->config->ingest_twilio_auth_token;
    if (!*token)
        return true;
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Twilio-Signature");
    if (!sig) {
        reply_set(r, 401, "X-Twilio-Signature is missing");
        return false;
    }
    if (!twilio_url(in, c, req, url, sizeof url) ||
        !ingest_sign_twilio_verify(token, url, form, sig)) {
        reply_set(r, 403, "X-Twilio-Signature does not match (signed URL: %.300s)", url);
        return false;
    }
    return true;
}

static void http_twilio(ingest_t *in, struct MHD_Connection *c, http_request_t *req,
                        ingest_endpoint_t ep, ingest_batch_t *b, http_reply_t *r) {
    static const ingest_twilio_kind_t kinds[] = {
        [INGEST_EP_MESSAGE_STATUS] = INGEST_TWILIO_MESSAGE_STATUS,
        [INGEST_EP_MESSAGE_INBOUND] = INGEST_TWILIO_MESSAGE_INBOUND,
        [INGEST_EP_VOICE_STATUS] = INGEST_TWILIO_VOICE_STATUS,
    };
    ingest_form_t form, query;
    char why[INGEST_REASON_BYTES - 32];
    assert(in && req && b && r && ep <= INGEST_EP_VOICE_STATUS);
    if (!twilio_verified(in, c, req, b, &form, &query, r))
        return;
    ingest_finder_t finder = {ingest_profiles_find, in->profiles};
    sy_err_t err = ingest_twilio_parse(kinds[ep], &form, &query, sy_clock_wall_ms(), &finder,
                                       b, why, sizeof why);
    if (err != SY_OK) {
        reply_parse_error(r, err, why);
        return;
    }
    http_finish(in, ep, b, r);
    if (r->status == 200 && ep == INGEST_EP_MESSAGE_INBOUND) { /* no reply message */
        r->type = "text/xml";
        snprintf(r->text, sizeof r->text,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>");
    }
}

/* A Twilio Voice callback of a call to a tracking number: one call.inbound event keyed
 * call:<To>; the call itself is answered with TwiML once the event is acknowledged. */
static void http_calls(ingest_t *in, struct MHD_Connection *c, http_request_t *req,
                       ingest_batch_t *b, http_reply_t *r) {
    ingest_form_t form, query;
    char why[INGEST_REASON_BYTES - 32];
    ingest_endpoint_t ep = req->endpoint;
    assert(in && b && r && ep >= INGEST_EP_CALL_INBOUND && ep <= INGEST_EP_CALL_TRANSCRIPTION);
    calls_twilio_kind_t kind = ep == INGEST_EP_CALL_INBOUND  ? CALLS_TWILIO_INBOUND
                               : ep == INGEST_EP_CALL_STATUS ? CALLS_TWILIO_STATUS
                                                             : CALLS_TWILIO_TRANSCRIPTION;
    if (!twilio_verified(in, c, req, b, &form, &query, r))
        return;
    sy_err_t err = ingest_calls_twilio(kind, &form, sy_clock_wall_ms(), b, why, sizeof why);
    if (err != SY_OK) {
        reply_parse_error(r, err, why);
        return;
    }
    http_finish(in, ep, b, r);
    if (r->status == 200 && kind == CALLS_TWILIO_INBOUND) {
        r->type = "text/xml";
        ingest_calls_twiml(in->config->ingest_calls_forward, r->text, sizeof r->text);
    }
}

static void http_api(ingest_t *in, struct MHD_Connection *c, http_request_t *req,
                     ingest_batch_t *b, http_reply_t *r) {
    char why[INGEST_REASON_BYTES - 32];
    assert(in && req && b && r);
    const char *token = in->config->ingest_api_token;
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_AUTHORIZATION);
    if (!*token) {
        reply_set(r, 403, "ingest.api.token is not set: /events takes no requests");
        return;
    }
    if (!auth || strncmp(auth, "Bearer ", 7) != 0) {
        reply_set(r, 401, "Authorization: Bearer TOKEN is missing");
        return;
    }
    if (!ingest_sign_equal(auth + 7, token)) {
        reply_set(r, 403, "the bearer token is not ingest.api.token");
        return;
    }
    sy_err_t err = ingest_api_parse(req->body ? req->body : "", req->len, b, why, sizeof why);
    if (err != SY_OK)
        reply_parse_error(r, err, why);
    else
        http_finish(in, INGEST_EP_API, b, r);
}

/* The whole body is read: answer it. */
static enum MHD_Result http_post(ingest_t *in, struct MHD_Connection *c,
                                 http_request_t *req) {
    ingest_batch_t batch = {0};
    http_reply_t reply = {0};
    assert(in && req);
    if (req->too_large)
        reply_set(&reply, 413, "the body is over ingest.body.bytes.max (%lld bytes)",
                  (long long)in->config->ingest_body_bytes_max);
    else if (req->endpoint == INGEST_EP_SENDGRID)
        http_sendgrid(in, c, req, &batch, &reply);
    else if (req->endpoint == INGEST_EP_API)
        http_api(in, c, req, &batch, &reply);
    else if (req->endpoint >= INGEST_EP_CALL_INBOUND)
        http_calls(in, c, req, &batch, &reply);
    else
        http_twilio(in, c, req, req->endpoint, &batch, &reply);
    ingest_batch_deinit(&batch);
    if (reply.status >= 400 && reply.status != 503)
        log_info("ingest: %s: %u: %s", http_routes[req->endpoint].path, reply.status,
                 reply.text);
    bool text = strncmp(reply.type, "text/plain", 10) == 0;
    if (text)
        return http_text(in, c, req->endpoint, reply.status, reply.text);
    return http_send(in, c, req->endpoint, reply.status, reply.type, reply.text,
                     strlen(reply.text));
}

/* Take a piece of the body; past the limit it is dropped and the request marked. */
static void http_body_take(ingest_t *in, http_request_t *req, const char *data,
                           size_t size) {
    assert(in && req && data);
    size_t max = (size_t)in->config->ingest_body_bytes_max;
    if (req->too_large || req->len + size > max) {
        req->too_large = true;
        return;
    }
    if (req->len + size > req->cap) {
        size_t cap = req->cap ? req->cap : 4096;
        while (cap < req->len + size)
            cap *= 2;
        char *grown = realloc(req->body, cap < max ? cap : max);
        if (!grown) {
            req->too_large = true;
            return;
        }
        req->body = grown;
        req->cap = cap < max ? cap : max;
    }
    memcpy(req->body + req->len, data, size);
    req->len += size;
}

/* GET /c/<token>: produce the click (acknowledged), then send a smartphone to the tel: URI
 * and show any other device the number; 400 for a malformed token. */
static enum MHD_Result http_click(ingest_t *in, struct MHD_Connection *c, const char *token) {
    ingest_batch_t batch = {0};
    http_reply_t reply = {0};
    calls_device_t device = CALLS_DEVICE_DESKTOP;
    char e164[SY_PHONE_E164_BYTES] = "", why[INGEST_REASON_BYTES - 32], page[1024];
    assert(in && token);
    const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_USER_AGENT);
    sy_err_t err = ingest_calls_click(token, ua, sy_clock_wall_ms(), &batch, &device, e164,
                                      why, sizeof why);
    if (err != SY_OK)
        reply_parse_error(&reply, err, why);
    else
        http_finish(in, INGEST_EP_CALL_CLICK, &batch, &reply);
    ingest_batch_deinit(&batch);
    if (reply.status != 200) {
        if (reply.status != 503)
            log_info("ingest: /c/: %u: %s", reply.status, reply.text);
        return http_text(in, c, INGEST_EP_CALL_CLICK, reply.status, reply.text);
    }
    if (device == CALLS_DEVICE_SMARTPHONE) {
        char tel[SY_PHONE_TEL_BYTES];
        sy_phone_tel_uri(e164, tel);
        return http_respond(in, c, INGEST_EP_CALL_CLICK, 302, "text/plain; charset=utf-8",
                            tel, strlen(tel), tel);
    }
    size_t len = calls_click_page(e164, page, sizeof page);
    return http_send(in, c, INGEST_EP_CALL_CLICK, 200, "text/html; charset=utf-8", page,
                     len < sizeof page ? len : sizeof page - 1);
}

/* The first call of a request: GET pages at once; a POST's route and announced length. */
static enum MHD_Result http_first(ingest_t *in, struct MHD_Connection *c, const char *url,
                                  const char *method, http_request_t *req, bool *answered) {
    char reason[INGEST_REASON_BYTES];
    assert(in && url && method && req && answered);
    *answered = true;
    req->endpoint = http_route(url);
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (strncmp(url, "/c/", 3) == 0)
        return strcmp(method, "GET") == 0
                   ? http_click(in, c, url + 3)
                   : http_text(in, c, INGEST_EP_CALL_CLICK, 405, "only GET: a click");
    if (get && strcmp(url, "/metrics") == 0)
        return http_rendered(in, c);
    if (get && strcmp(url, "/healthz") == 0)
        return ingest_producer_fatal(in->producer)
                   ? http_text(in, c, INGEST_EP_OTHER, 503, "the producer failed for good")
                   : http_text(in, c, INGEST_EP_OTHER, 200, "ok");
    if (req->endpoint == INGEST_EP_OTHER) {
        snprintf(reason, sizeof reason, "no such endpoint: %.200s (docs/connectors.md)", url);
        return http_text(in, c, INGEST_EP_OTHER, 404, reason);
    }
    if (strcmp(method, "POST") != 0) {
        snprintf(reason, sizeof reason, "method %.32s not allowed: only POST", method);
        return http_text(in, c, req->endpoint, 405, reason);
    }
    const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long max = (unsigned long long)in->config->ingest_body_bytes_max;
    if (length && strtoull(length, NULL, 10) > max) {
        snprintf(reason, sizeof reason, "the body is over ingest.body.bytes.max (%lld bytes)",
                 (long long)in->config->ingest_body_bytes_max);
        return http_text(in, c, req->endpoint, 413, reason);
    }
    *answered = false;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    ingest_t *in = cls;
    http_request_t *req = *con_cls;
    (void)version;
    assert(in && url && method && upload_data_size);
    if (!req)
        return MHD_NO; /* out of memory at its start */
    if (!req->started) {
        bool answered;
        req->started = true;
        enum MHD_Result ret = http_first(in, c, url, method, req, &answered);
        if (answered)
            req->endpoint = INGEST_EP_OTHER; /* a body that follows is ignored */
        return ret;
    }
    if (*upload_data_size > 0) {
        if (req->endpoint != INGEST_EP_OTHER)
            http_body_take(in, req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (req->endpoint == INGEST_EP_OTHER)
        return MHD_YES; /* answered at the first call */
    return http_post(in, c, req);
}

sy_err_t ingest_http_start(ingest_t *in, char *errbuf, size_t errbuf_size) {
    struct sockaddr_storage ss;
    socklen_t len;
    const char *listen = in->config->ingest_listen;
    assert(in);
    if (!admin_listen_parse(listen, &ss, &len)) {
        sy_errf(errbuf, errbuf_size, "ingest.listen: '%s' is not HOST:PORT (an IPv4 address "
                "or [IPv6 address], port 0-65535)", listen);
        return SY_ERR_CONFIG;
    }
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
                     (in->tls_cert ? MHD_USE_TLS : 0);
    struct MHD_OptionItem tls[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, in->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, in->tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    in->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, in, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)INGEST_CONNECTION_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)INGEST_CONNECTIONS_MAX,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, (void *)NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)NULL,
        MHD_OPTION_ARRAY, in->tls_cert ? tls : tls + 2, MHD_OPTION_END);
    if (!in->daemon) {
        sy_errf(errbuf, errbuf_size, "ingest.listen: cannot listen on %s (address in use or "
                "not this host's%s)", listen, in->tls_cert ? ", or the TLS files refused" : "");
        return SY_ERR_IO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(in->daemon,
                                                           MHD_DAEMON_INFO_BIND_PORT);
    in->port = info ? info->port : 0;
    return SY_OK;
}

void ingest_http_stop(ingest_t *in) {
    assert(in);
    if (in->daemon)
        MHD_stop_daemon(in->daemon);
    in->daemon = NULL;
}
