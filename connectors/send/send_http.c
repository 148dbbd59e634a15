/* send_http.c — one HTTP POST to a provider over a reused libcurl handle, and what its
 * outcome means for the sender: 2xx accepted; 429, 5xx, 401, 408, a timeout or a
 * connection that broke retry (honouring Retry-After); any other answer is permanent.
 * Not a general HTTP client: no redirects, no cookies. The dispatch is send_deliver.c. */
#include <stdio.h>
#include <string.h>

#include "send_deliver.h"

typedef struct answer_buf {
    char *p;
    size_t len, size;
} answer_buf_t;

static size_t answer_write(char *data, size_t one, size_t n, void *ctx) {
    answer_buf_t *a = ctx;
    size_t room = a->size - 1 - a->len;
    size_t take = n * one < room ? n * one : room;
    memcpy(a->p + a->len, data, take);
    a->len += take;
    a->p[a->len] = '\0';
    return n * one;
}

static void result_from_curl(CURL *curl, CURLcode rc, long status, const char *answer,
                             send_result_t *res) {
    res->retry_after_ms = -1;
    if (rc != CURLE_OK) {
        res->kind = SEND_RESULT_RETRY;
        snprintf(res->detail, sizeof res->detail, "%s", curl_easy_strerror(rc));
        return;
    }
    if (status >= 200 && status < 300) {
        res->kind = SEND_RESULT_ACCEPTED;
        return;
    }
    /* 401: the sender's credentials, not the message, are wrong (an expired FCM token):
     * failing every message for good would lose them all, so it waits for a fix instead. */
    res->kind = status == 429 || status == 408 || status == 401 || status >= 500
                    ? SEND_RESULT_RETRY : SEND_RESULT_PERMANENT;
    curl_off_t after = -1;
    if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0)
        res->retry_after_ms = (int64_t)after * 1000;
    snprintf(res->detail, sizeof res->detail, "HTTP %ld: %.400s", status, answer);
}

void send_http_post(CURL *curl, const send_config_t *config, const char *url,
                    struct curl_slist *headers, const char *userpwd, const char *body,
                    char *answer, size_t answer_size, long *status, send_result_t *res) {
    answer_buf_t a = {answer, 0, answer_size};
    answer[0] = '\0';
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    if (userpwd) {
        curl_easy_setopt(curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd);
    }
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)config->request_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, answer_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    CURLcode rc = curl_easy_perform(curl);
    *status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    result_from_curl(curl, rc, *status, answer, res);
}

const char *send_action_to(const sy_action_t *action) {
    for (size_t i = 0; i < action->params_count; i++)
        if (strcmp(action->params[i].key, SEND_PARAM_TO) == 0 && action->params[i].value[0])
            return action->params[i].value;
    return NULL;
}
