/* ingest_int.h — the parts of `switchyard ingest` its files share: the server's state,
 * its counters, and the entry points of the HTTP side (ingest_http.c) and the metrics
 * page (ingest_metrics.c). Not for use outside connectors/ingest/. */
#ifndef SY_INGEST_INT_H
#define SY_INGEST_INT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "admin_expo.h"
#include "ingest.h"
#include "ingest_batch.h"
#include "ingest_calls.h"
#include "ingest_produce.h"
#include "ingest_profiles.h"
#include "ingest_sign.h"

/* The endpoints, for routing and the counters' labels. */
typedef enum ingest_endpoint {
    INGEST_EP_SENDGRID,       /* POST /sendgrid/events */
    INGEST_EP_MESSAGE_STATUS, /* POST /twilio/messages/status */
    INGEST_EP_MESSAGE_INBOUND,/* POST /twilio/messages/inbound */
    INGEST_EP_VOICE_STATUS,   /* POST /twilio/voice/status */
    INGEST_EP_API,            /* POST /events */
    INGEST_EP_CALL_INBOUND,   /* POST /twilio/calls/inbound */
    INGEST_EP_CALL_STATUS,    /* POST /twilio/calls/status */
    INGEST_EP_CALL_TRANSCRIPTION, /* POST /twilio/calls/transcription */
    INGEST_EP_CALL_CLICK,     /* GET /c/<token> */
    INGEST_EP_OTHER,          /* anything else: /metrics, /healthz, 404s */
    INGEST_EP__COUNT
} ingest_endpoint_t;

/* The status codes ingest answers with, for the counters. */
#define INGEST_CODES_COUNT 11
extern const unsigned ingest_codes[INGEST_CODES_COUNT];

typedef struct ingest_metrics {
    atomic_ullong requests[INGEST_EP__COUNT][INGEST_CODES_COUNT];
    atomic_ullong events[SY_CHANNEL__COUNT][SY_EVENT_TYPE__COUNT]; /* acknowledged */
    atomic_ullong skipped[INGEST_EP__COUNT];
    atomic_ullong unmatched[INGEST_EP__COUNT];
} ingest_metrics_t;

struct ingest {
    const sy_config_t *config;        /* borrowed */
    atomic_int *stop;                 /* borrowed */
    struct MHD_Daemon *daemon;
    uint16_t port;
    char *tls_cert;                   /* owned PEM text, or NULL */
    char *tls_key;
    ingest_producer_t *producer;
    ingest_profiles_t *profiles;
    ingest_sign_key_t *sendgrid_key;  /* NULL: SendGrid requests not verified */
    ingest_metrics_t metrics;
};

/* Start the HTTP server on config's ingest.listen (TLS when a certificate is set).
 * Errors: SY_ERR_CONFIG (listen malformed), SY_ERR_IO (cannot bind). */
sy_err_t ingest_http_start(ingest_t *ingest, char *errbuf, size_t errbuf_size);
void ingest_http_stop(ingest_t *ingest);

/* Count one answer of endpoint with status code. */
void ingest_metrics_request(ingest_metrics_t *m, ingest_endpoint_t endpoint, unsigned code);

/* Render /metrics (Prometheus text) into b. */
void ingest_metrics_render(ingest_t *ingest, admin_buf_t *b);

#endif
