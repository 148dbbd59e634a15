/* send_twilio.c — SMS and voice through Twilio's REST API: a form POST to
 * /2010-04-01/Accounts/{AccountSid}/Messages.json (To, From, Body, StatusCallback) or
 * Calls.json (To, From, Twiml, StatusCallback) with basic auth AccountSid:AuthToken and the
 * action id in the I-Twilio-Idempotency-Token header. The StatusCallback URL carries the
 * action and contact ids as query parameters, for the webhooks that come back. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "send_buf.h"
#include "send_deliver.h"

static void form_put(send_buf_t *b, CURL *curl, const char *name, const char *value) {
    char *esc = curl_easy_escape(curl, value, 0);
    if (!esc) {
        b->failed = true;
        return;
    }
    send_buf_printf(b, "%s%s=%s", b->len ? "&" : "", name, esc);
    curl_free(esc);
}

/* The callback URL base with ?action_id=..&contact_id=.. (or & when it has a query already). */
static void callback_put(send_buf_t *b, CURL *curl, const char *base, const sy_action_t *a) {
    send_buf_t url = {0};
    char *aid = curl_easy_escape(curl, a->action_id, 0);
    char *cid = curl_easy_escape(curl, a->contact_id, 0);
    if (aid && cid)
        send_buf_printf(&url, "%s%saction_id=%s&contact_id=%s", base,
                        strchr(base, '?') ? "&" : "?", aid, cid);
    curl_free(aid);
    curl_free(cid);
    if (!url.p || url.failed)
        b->failed = true;
    else
        form_put(b, curl, "StatusCallback", url.p);
    send_buf_free(&url);
}

/* <Response><Say>text</Say></Response>, the text XML-escaped. */
static void twiml_put(send_buf_t *b, CURL *curl, const char *text) {
    send_buf_t x = {0};
    send_buf_puts(&x, "<Response><Say>");
    for (const char *s = text; *s; s++) {
        const char *e = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : NULL;
        if (e)
            send_buf_puts(&x, e);
        else
            send_buf_put(&x, s, 1);
    }
    send_buf_puts(&x, "</Say></Response>");
    if (!x.p || x.failed)
        b->failed = true;
    else
        form_put(b, curl, "Twiml", x.p);
    send_buf_free(&x);
}

/* The "sid" of an accepted answer, or the "message" (and "code") of a refusal. */
static void answer_read(const char *answer, send_result_t *res) {
    json_object *root = json_tokener_parse(answer), *v = NULL;
    if (res->kind == SEND_RESULT_ACCEPTED) {
        snprintf(res->detail, sizeof res->detail, "%s",
                 json_object_object_get_ex(root, "sid", &v) ? json_object_get_string(v) : "");
    } else if (json_object_object_get_ex(root, "message", &v)) {
        json_object *code = NULL;
        char reason[SEND_DETAIL_BYTES];
        snprintf(reason, sizeof reason, "%s (code %d)", json_object_get_string(v),
                 json_object_object_get_ex(root, "code", &code) ? json_object_get_int(code) : 0);
        snprintf(res->detail, sizeof res->detail, "%s", reason);
    }
    json_object_put(root);
}

void send_twilio_deliver(CURL *curl, const send_config_t *c, const sy_action_t *a,
                         const send_message_t *msg, send_result_t *res) {
    bool voice = a->channel == SY_CHANNEL_VOICE;
    send_buf_t body = {0}, url = {0}, auth = {0}, token = {0};
    form_put(&body, curl, "To", send_action_to(a));
    form_put(&body, curl, "From", c->twilio_from);
    if (voice)
        twiml_put(&body, curl, msg->text);
    else
        form_put(&body, curl, "Body", msg->text);
    const char *callback = voice && *c->twilio_voice_status_callback
                               ? c->twilio_voice_status_callback : c->twilio_status_callback;
    if (*callback)
        callback_put(&body, curl, callback, a);
    /* Without StatusCallbackEvent Twilio reports only "completed": ask for "initiated" too,
     * which ingest turns into voice.attempted (a journey may wait for it). */
    if (voice && *callback) {
        form_put(&body, curl, "StatusCallbackEvent", "initiated");
        form_put(&body, curl, "StatusCallbackEvent", "completed");
    }
    send_buf_printf(&url, "%s/2010-04-01/Accounts/%s/%s", c->twilio_url, c->twilio_account_sid,
                    voice ? "Calls.json" : "Messages.json");
    send_buf_printf(&auth, "%s:%s", c->twilio_account_sid, c->twilio_auth_token);
    send_buf_printf(&token, "I-Twilio-Idempotency-Token: %s", a->action_id);
    struct curl_slist *headers = curl_slist_append(NULL, token.p ? token.p : "");
    if (body.failed || url.failed || auth.failed || token.failed || !headers) {
        res->kind = SEND_RESULT_RETRY;
        snprintf(res->detail, sizeof res->detail, "out of memory building the request");
    } else {
        char answer[SEND_ANSWER_BYTES_MAX];
        long status = 0;
        send_http_post(curl, c, url.p, headers, auth.p, body.p, answer, sizeof answer,
                       &status, res);
        answer_read(answer, res);
    }
    curl_slist_free_all(headers);
    send_buf_free(&body);
    send_buf_free(&url);
    send_buf_free(&auth);
    send_buf_free(&token);
}
