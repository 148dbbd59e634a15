/* calls_http.h — the pure parts of call tracking's HTTP side, for `switchyard ingest` to
 * route (it owns the server): the device class of a User-Agent, the call.inbound event
 * of a Twilio Voice callback, and the click-to-call token of GET /c/<token> with the page
 * shown to devices that cannot dial. No sockets, no clock, no state here. */
#ifndef SY_CALLS_HTTP_H
#define SY_CALLS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "sy_error.h"

typedef enum calls_device {
    CALLS_DEVICE_DESKTOP,
    CALLS_DEVICE_SMARTPHONE,
    CALLS_DEVICE_TABLET,
} calls_device_t;

/* The device class of a User-Agent header (NULL or "": desktop), by a documented rule
 * table (calls_ua.c): tablets first (iPad, Android without "Mobile", Kindle, ...), then
 * phones (iPhone, Android with "Mobile", Windows Phone, "Mobi"), else desktop. */
calls_device_t calls_ua_classify(const char *user_agent);

/* "desktop", "smartphone", "tablet". */
const char *calls_device_name(calls_device_t device);

/* Which Twilio Voice callback a request is: the call itself (the voice URL, CallStatus
 * ringing or in-progress), its status callback (a final CallStatus, CallDuration), or
 * the transcription callback (TranscriptionText). */
typedef enum calls_twilio_kind {
    CALLS_TWILIO_INBOUND,
    CALLS_TWILIO_STATUS,
    CALLS_TWILIO_TRANSCRIPTION,
} calls_twilio_kind_t;

/* Bytes of the event's own strings (its id and key), in the caller's buffer. */
#define CALLS_TWILIO_BUF_BYTES 256

/* The call.inbound event of one Twilio callback: form fields (decoded key/value pairs,
 * borrowed) in Twilio's names (CallSid, From, To, CallStatus, CallDuration,
 * TranscriptionText), received at now_ms. Key and contact id "call:<To>", event id
 * "<CallSid>:<kind>", props call_id, from, to, status, duration; text the transcript.
 * *out's strings point into fields and buf (CALLS_TWILIO_BUF_BYTES). Errors:
 * SY_ERR_INVALID_RECORD (no CallSid, or To not an E.164 number), errbuf says which. */
sy_err_t calls_twilio_event(const sy_kv_t *fields, size_t count, calls_twilio_kind_t kind,
                            int64_t now_ms, sy_event_t *out, char *buf, char *errbuf,
                            size_t errbuf_size);

/* A click-to-call token names the contact, the message and the number:
 * hex(contact id) "." action id "." the number's digits. At most this long, with its
 * terminator (a contact id of SY_ID_BYTES_MAX bytes is 256 hex digits). */
#define CALLS_TOKEN_BYTES (2 * SY_ID_BYTES_MAX + 1 + 64 + 1 + 16 + 1)

/* Write the token of (contact_id, action_id, e164 number) into out. SY_ERR_INVALID_ARG
 * for an id too long, an action id that is not hex or a number not E.164. */
sy_err_t calls_token_format(const char *contact_id, const char *action_id, const char *e164,
                            char out[CALLS_TOKEN_BYTES]);

/* Read a token back: contact id (SY_ID_BYTES_MAX + 1 bytes), action id (65) and number
 * (17, E.164 with its "+"). SY_ERR_INVALID_RECORD for anything else. */
sy_err_t calls_token_parse(const char *token, char *contact_id, char *action_id, char *e164);

/* The small page shown to a desktop or tablet at GET /c/<token>: the number in display
 * form as a tel: link. Written into out (out_size bytes); returns the length it needs
 * (as snprintf). */
size_t calls_click_page(const char *e164, char *out, size_t out_size);

#endif
