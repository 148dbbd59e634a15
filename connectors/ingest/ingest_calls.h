/* ingest_calls.h — call tracking's requests to `switchyard ingest` as events of a batch:
 * Twilio Voice's callbacks to a tracking number (call.inbound, keyed call:<To>), the
 * click-to-call link GET /c/<token> (email.clicked, link "call"), and the TwiML that
 * answers an inbound call. The events come from calls_http.h; no HTTP here. */
#ifndef SY_INGEST_CALLS_H
#define SY_INGEST_CALLS_H

#include "calls_http.h"
#include "ingest_batch.h"
#include "sy_phone.h"

/* Add the call.inbound event of one Twilio Voice callback (form: its decoded parameters)
 * to batch, its strings copied into the batch's arena, stamped now_ms. Errors:
 * SY_ERR_INVALID_RECORD (no CallSid, To not E.164: errbuf says which), SY_ERR_NOMEM,
 * SY_ERR_LIMIT (the batch is full). */
sy_err_t ingest_calls_twilio(calls_twilio_kind_t kind, const ingest_form_t *form,
                             int64_t now_ms, ingest_batch_t *batch, char *errbuf,
                             size_t errbuf_size);

/* Add the email.clicked event of a click on token (the path after /c/) by a browser
 * sending user_agent (NULL: none) to batch: link "call", message_id the token's action id,
 * props device and number. *device and e164 (SY_PHONE_E164_BYTES) say what to answer.
 * Errors: SY_ERR_INVALID_RECORD (a malformed token: errbuf says so), SY_ERR_NOMEM,
 * SY_ERR_LIMIT. */
sy_err_t ingest_calls_click(const char *token, const char *user_agent, int64_t now_ms,
                            ingest_batch_t *batch, calls_device_t *device, char *e164,
                            char *errbuf, size_t errbuf_size);

/* The TwiML answering an inbound call: <Dial>forward</Dial> when forward is an E.164
 * number, else an empty <Response/> (Twilio then ends the call). Into out (size bytes). */
void ingest_calls_twiml(const char *forward, char *out, size_t size);

#endif
