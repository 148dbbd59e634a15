/* send_fcm.c — push through FCM HTTP v1: POST /v1/projects/{project}/messages:send with a
 * bearer token and {"message": {"token", "notification": {"title", "body"}, "data":
 * {"action_id", "contact_id"}}}. FCM takes no idempotency key: a retry after an answer
 * that was lost may show a notification twice (docs/connectors.md says when). */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "send_buf.h"
#include "send_deliver.h"

static json_object *message_json(const sy_action_t *a, const send_message_t *msg) {
    json_object *root = json_object_new_object(), *m = json_object_new_object();
    json_object *n = json_object_new_object(), *d = json_object_new_object();
    json_object_object_add(m, "token", json_object_new_string(send_action_to(a)));
    if (msg->subject)
        json_object_object_add(n, "title", json_object_new_string(msg->subject));
    json_object_object_add(n, "body", json_object_new_string(msg->text));
    json_object_object_add(m, "notification", n);
    json_object_object_add(d, "action_id", json_object_new_string(a->action_id));
    json_object_object_add(d, "contact_id", json_object_new_string(a->contact_id));
    json_object_object_add(m, "data", d);
    json_object_object_add(root, "message", m);
    return root;
}

/* The message "name" of an accepted answer, or error.status and error.message. */
static void answer_read(const char *answer, send_result_t *res) {
    json_object *root = json_tokener_parse(answer), *v = NULL, *e = NULL, *s = NULL;
    if (res->kind == SEND_RESULT_ACCEPTED) {
        snprintf(res->detail, sizeof res->detail, "%s",
                 json_object_object_get_ex(root, "name", &v) ? json_object_get_string(v) : "");
    } else if (json_object_object_get_ex(root, "error", &e) &&
               json_object_object_get_ex(e, "message", &v)) {
        char reason[SEND_DETAIL_BYTES];
        snprintf(reason, sizeof reason, "%s: %s",
                 json_object_object_get_ex(e, "status", &s) ? json_object_get_string(s) : "?",
                 json_object_get_string(v));
        snprintf(res->detail, sizeof res->detail, "%s", reason);
    }
    json_object_put(root);
}

void send_fcm_deliver(CURL *curl, const send_config_t *c, const sy_action_t *a,
                      const send_message_t *msg, send_result_t *res) {
    json_object *root = message_json(a, msg);
    send_buf_t url = {0}, auth = {0};
    send_buf_printf(&url, "%s/v1/projects/%s/messages:send", c->fcm_url, c->fcm_project);
    send_buf_printf(&auth, "Authorization: Bearer %s", c->fcm_token);
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    struct curl_slist *h2 = headers && auth.p ? curl_slist_append(headers, auth.p) : NULL;
    const char *body = root ? json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN)
                            : NULL;
    if (!body || url.failed || auth.failed || !h2) {
        res->kind = SEND_RESULT_RETRY;
        snprintf(res->detail, sizeof res->detail, "out of memory building the request");
    } else {
        char answer[SEND_ANSWER_BYTES_MAX];
        long status = 0;
        send_http_post(curl, c, url.p, h2, NULL, body, answer, sizeof answer, &status, res);
        answer_read(answer, res);
    }
    curl_slist_free_all(h2 ? h2 : headers);
    json_object_put(root);
    send_buf_free(&url);
    send_buf_free(&auth);
}
