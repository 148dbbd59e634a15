/* ingest.c — `switchyard ingest`'s life: load the SendGrid key and the TLS files, start
 * the producer, the profiles index and the HTTP server, wait for a stop, close in the
 * reverse order (ingest.h). Not HTTP (ingest_http.c). */
#include "ingest.h"

#include <assert.h>
#include <stdlib.h>

#include "ingest_int.h"
#include "log.h"
#include "sy_backoff.h"
#include "sy_file.h"
#include "sy_phone.h"

/* Largest TLS certificate chain or key file read: far above any real one. */
#define INGEST_TLS_FILE_BYTES_MAX (1024 * 1024)
/* How often ingest_run looks at its stop flag and the producer. */
#define INGEST_RUN_CHECK_MS 200
/* How long closing waits for events in flight to be acknowledged. */
#define INGEST_CLOSE_FLUSH_MS 10000

static sy_err_t ingest_tls_load(ingest_t *in, char *errbuf, size_t errbuf_size) {
    char why[512];
    size_t len;
    const sy_config_t *c = in->config;
    assert(in);
    if (!*c->ingest_tls_cert_file && !*c->ingest_tls_key_file)
        return SY_OK;
    if (!*c->ingest_tls_cert_file || !*c->ingest_tls_key_file) {
        sy_errf(errbuf, errbuf_size, "ingest.tls.cert.file and ingest.tls.key.file go "
                "together: set both or neither");
        return SY_ERR_CONFIG;
    }
    if (sy_file_read(c->ingest_tls_cert_file, INGEST_TLS_FILE_BYTES_MAX, &in->tls_cert, &len,
                     why, sizeof why) != SY_OK ||
        sy_file_read(c->ingest_tls_key_file, INGEST_TLS_FILE_BYTES_MAX, &in->tls_key, &len,
                     why, sizeof why) != SY_OK) {
        sy_errf(errbuf, errbuf_size, "ingest.tls: %s", why);
        return SY_ERR_CONFIG;
    }
    return SY_OK;
}

static void ingest_warn_unverified(const sy_config_t *c) {
    assert(c);
    if (!*c->ingest_sendgrid_public_key)
        log_warn("ingest: ingest.sendgrid.public.key is not set: SendGrid requests are "
                 "taken unverified");
    if (!*c->ingest_twilio_auth_token)
        log_warn("ingest: ingest.twilio.auth.token is not set: Twilio requests are taken "
                 "unverified");
    if (!*c->ingest_api_token)
        log_info("ingest: ingest.api.token is not set: /events refuses every request");
}

sy_err_t ingest_open(ingest_t **out, const sy_config_t *config, atomic_int *stop,
                     char *errbuf, size_t errbuf_size) {
    assert(out && config && stop);
    ingest_t *in = calloc(1, sizeof *in);
    if (!in)
        return SY_ERR_NOMEM;
    in->config = config;
    in->stop = stop;
    sy_err_t err = ingest_tls_load(in, errbuf, errbuf_size);
    if (err == SY_OK && *config->ingest_calls_forward &&
        !sy_phone_e164_valid(config->ingest_calls_forward)) {
        sy_errf(errbuf, errbuf_size, "ingest.calls.forward: '%s' is not an E.164 number: "
                "write + and 2 to 15 digits, like +12125550100", config->ingest_calls_forward);
        err = SY_ERR_CONFIG;
    }
    if (err == SY_OK && *config->ingest_sendgrid_public_key)
        err = ingest_sign_key_load(&in->sendgrid_key, config->ingest_sendgrid_public_key,
                                   errbuf, errbuf_size);
    if (err == SY_OK)
        err = ingest_producer_open(&in->producer, config, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ingest_profiles_open(&in->profiles, config, errbuf, errbuf_size);
    if (err == SY_OK)
        err = ingest_http_start(in, errbuf, errbuf_size);
    if (err != SY_OK) {
        ingest_close(in);
        return err;
    }
    ingest_warn_unverified(config);
    log_info("ingest: listening on %s (port %u%s), events to %s", config->ingest_listen,
             (unsigned)in->port, in->tls_cert ? ", TLS" : "", config->topic_events);
    *out = in;
    return SY_OK;
}

uint16_t ingest_port(const ingest_t *in) {
    assert(in);
    return in->port;
}

sy_err_t ingest_run(ingest_t *in, char *errbuf, size_t errbuf_size) {
    assert(in);
    while (sy_backoff_sleep_ms(INGEST_RUN_CHECK_MS, in->stop)) {
        if (ingest_producer_fatal(in->producer)) {
            sy_errf(errbuf, errbuf_size, "the producer failed for good (see the log): "
                    "restart ingest");
            return SY_ERR_KAFKA_FATAL;
        }
    }
    return SY_OK;
}

void ingest_close(ingest_t *in) {
    if (!in)
        return;
    ingest_http_stop(in);
    ingest_profiles_close(in->profiles);
    ingest_producer_close(in->producer, INGEST_CLOSE_FLUSH_MS);
    ingest_sign_key_free(in->sendgrid_key);
    free(in->tls_cert);
    free(in->tls_key);
    free(in);
}
