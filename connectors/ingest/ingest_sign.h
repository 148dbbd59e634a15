/* ingest_sign.h — the providers' request signatures, with OpenSSL: SendGrid's Signed Event
 * Webhook (ECDSA P-256 with SHA-256 over the timestamp header followed by the body; the
 * public key as SendGrid shows it, base64 DER), Twilio's X-Twilio-Signature (HMAC-SHA1,
 * base64, over the URL followed by each POST parameter's name and value, sorted by name)
 * and the bearer token's comparison. Comparisons take constant time. Not HTTP. */
#ifndef SY_INGEST_SIGN_H
#define SY_INGEST_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "ingest_batch.h"
#include "sy_error.h"

/* Base64 of a SHA-1 HMAC: 28 characters and a NUL. */
#define INGEST_SIGN_TWILIO_BYTES 29

typedef struct ingest_sign_key ingest_sign_key_t;

/* Load SendGrid's verification key (base64 of a DER SubjectPublicKeyInfo of a P-256 key;
 * PEM armour lines and whitespace are tolerated). Errors: SY_ERR_CONFIG (errbuf says
 * why), SY_ERR_NOMEM. */
sy_err_t ingest_sign_key_load(ingest_sign_key_t **out, const char *base64, char *errbuf,
                              size_t errbuf_size);
void ingest_sign_key_free(ingest_sign_key_t *key);

/* True when signature_b64 (the X-Twilio-Email-Event-Webhook-Signature header) is key's
 * ECDSA signature (DER, base64) of timestamp followed by the body's len bytes. Thread-safe. */
bool ingest_sign_sendgrid_verify(const ingest_sign_key_t *key, const char *signature_b64,
                                 const char *timestamp, const void *body, size_t len);

/* Twilio's signature of url (the full URL Twilio called, query included) and params (the
 * POST parameters; NULL or empty for a GET) under token, base64, into out. False when out
 * of memory. */
bool ingest_sign_twilio(const char *token, const char *url, const ingest_form_t *params,
                        char out[INGEST_SIGN_TWILIO_BYTES]);

/* True when signature (the X-Twilio-Signature header) is Twilio's signature of url and
 * params under token. */
bool ingest_sign_twilio_verify(const char *token, const char *url,
                               const ingest_form_t *params, const char *signature);

/* a and b equal, in time that depends on their lengths only. */
bool ingest_sign_equal(const char *a, const char *b);

#endif
