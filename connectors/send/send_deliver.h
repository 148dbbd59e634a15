/* send_deliver.h — one try at handing one message to its provider: SMTP (email), Twilio's
 * REST API (SMS, voice) and FCM HTTP v1 (push), each over a libcurl handle the caller
 * keeps between messages. A try ends in accepted, retry (429, 5xx, timeout, broken
 * connection) or permanent (anything else). Retries, rate limits and the record of what
 * was delivered are the caller's (send_loop.c). */
#ifndef SY_SEND_DELIVER_H
#define SY_SEND_DELIVER_H

#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>

#include "records.h"
#include "send_buf.h"
#include "send_config.h"
#include "send_template.h"

/* The param holding the recipient: an email address, an E.164 number, a push token. */
#define SEND_PARAM_TO "to"

/* Bytes kept of a provider's answer: enough for its id or its error message. */
#define SEND_DETAIL_BYTES 512

/* Bytes of the body of one provider answer the sender reads; more is cut. */
#define SEND_ANSWER_BYTES_MAX (16 * 1024)

typedef enum send_result_kind {
    SEND_RESULT_ACCEPTED,
    SEND_RESULT_RETRY,
    SEND_RESULT_PERMANENT,
} send_result_kind_t;

typedef struct send_result {
    send_result_kind_t kind;
    int64_t retry_after_ms;         /* the provider's Retry-After, or -1 */
    bool local;                     /* refused by the sender itself, never sent (no
                                     * recipient, no template): not the provider's word */
    char detail[SEND_DETAIL_BYTES]; /* accepted: the provider's id; else the reason */
} send_result_t;

/* The provider's name for channel, as the delivered-ids store keys it: "smtp",
 * "twilio", "fcm"; NULL for a channel no provider serves. */
const char *send_provider_name(sy_channel_t channel);

/* One try of action (its message rendered in msg) on channel; the handle is reset and
 * reused. Everything is borrowed for the call. Fills *res; never fails otherwise. */
void send_deliver(CURL *curl, const send_config_t *config, const sy_action_t *action,
                  const send_message_t *msg, send_result_t *res);

/* The param SEND_PARAM_TO of action, or NULL. */
const char *send_action_to(const sy_action_t *action);

/* Private to the providers' files. */
void send_smtp_deliver(CURL *curl, const send_config_t *config, const sy_action_t *action,
                       const send_message_t *msg, send_result_t *res);
void send_twilio_deliver(CURL *curl, const send_config_t *config, const sy_action_t *action,
                         const send_message_t *msg, send_result_t *res);
void send_fcm_deliver(CURL *curl, const send_config_t *config, const sy_action_t *action,
                      const send_message_t *msg, send_result_t *res);

/* The Message-ID <...@domain> of action_id, the domain from the address from; and the whole
 * message (headers and parts) as the SMTP server receives it (send_smtp.c). */
void send_smtp_message_id(send_buf_t *b, const char *action_id, const char *from);
void send_smtp_message(send_buf_t *b, const send_config_t *config, const sy_action_t *action,
                       const send_message_t *msg);

/* POST body to url with headers (borrowed; may be NULL) and basic auth userpwd (or NULL);
 * the answer's body goes to answer (NUL-terminated, cut at answer_size - 1). Classifies
 * the outcome into *res; *status is the HTTP status (0: none). */
void send_http_post(CURL *curl, const send_config_t *config, const char *url,
                    struct curl_slist *headers, const char *userpwd, const char *body,
                    char *answer, size_t answer_size, long *status, send_result_t *res);

#endif
