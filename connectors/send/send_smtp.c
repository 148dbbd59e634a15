/* send_smtp.c — email over SMTP with libcurl: builds the message (Message-ID from the
 * action id, multipart/alternative with the plain-text and HTML parts in base64, the
 * action and contact ids in an X-SMTPAPI header's unique_args) and hands it to the
 * server, with STARTTLS when asked. A 5xx reply is permanent, a 4xx or a broken
 * connection is retried. Not a mail queue: one message per call. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "send_buf.h"
#include "send_deliver.h"
#include "sy_hash.h"

typedef struct smtp_read {
    const char *p;
    size_t left;
} smtp_read_t;

static size_t smtp_read(char *dst, size_t one, size_t n, void *ctx) {
    smtp_read_t *r = ctx;
    size_t take = one * n < r->left ? one * n : r->left;
    memcpy(dst, r->p, take);
    r->p += take;
    r->left -= take;
    return take;
}

/* The server's last 4xx or 5xx reply line: the reason of a refusal (the reply to the
 * QUIT that follows it would hide it). */
static int smtp_debug(CURL *curl, curl_infotype type, char *data, size_t n, void *ctx) {
    (void)curl;
    if (type == CURLINFO_HEADER_IN && n >= 3 && (data[0] == '4' || data[0] == '5')) {
        char *last = ctx;
        size_t len = 0;
        while (len < n && data[len] != '\r' && data[len] != '\n')
            len++;
        len = len < SEND_DETAIL_BYTES - 1 ? len : SEND_DETAIL_BYTES - 1;
        memcpy(last, data, len);
        last[len] = '\0';
    }
    return 0;
}

/* <action id, its characters outside [A-Za-z0-9-_] as =XX, @domain of the From address>:
 * the same action always gets the same Message-ID. */
void send_smtp_message_id(send_buf_t *b, const char *action_id, const char *from) {
    send_buf_puts(b, "<");
    for (const unsigned char *s = (const unsigned char *)action_id; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            *s == '-' || *s == '_')
            send_buf_put(b, (const char *)s, 1);
        else
            send_buf_printf(b, "=%02X", *s);
    }
    const char *at = strrchr(from, '@');
    send_buf_printf(b, "@%s>", at && at[1] && !strpbrk(at + 1, "<> \r\n") ? at + 1 : "switchyard");
}

/* Subject: as is when ASCII, else RFC 2047 encoded words, never splitting a character. */
static void subject_put(send_buf_t *b, const char *subject) {
    bool ascii = true;
    for (const unsigned char *s = (const unsigned char *)subject; *s; s++)
        ascii = ascii && *s < 0x80 && *s != '\r' && *s != '\n';
    if (ascii) {
        send_buf_printf(b, "Subject: %s\r\n", subject);
        return;
    }
    send_buf_puts(b, "Subject:");
    for (size_t len = strlen(subject), i = 0; i < len;) {
        size_t n = len - i < 45 ? len - i : 45;
        while (i + n < len && n > 1 && ((unsigned char)subject[i + n] & 0xC0) == 0x80)
            n--;
        send_buf_t word = {0};
        send_buf_base64(&word, subject + i, n);
        send_buf_printf(b, " =?UTF-8?B?%.*s?=%s", (int)(word.len - 2), word.p ? word.p : "",
                        "\r\n");
        b->failed = b->failed || word.failed;
        send_buf_free(&word);
        i += n;
    }
}

static void part_put(send_buf_t *b, const char *boundary, const char *type, const char *text) {
    send_buf_printf(b, "--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
                    "Content-Transfer-Encoding: base64\r\n\r\n", boundary, type);
    send_buf_base64(b, text, strlen(text));
}

static void headers_put(send_buf_t *b, const send_config_t *c, const sy_action_t *a,
                        const send_message_t *msg) {
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    json_object *api = json_object_new_object(), *args = json_object_new_object();
    json_object_object_add(args, "action_id", json_object_new_string(a->action_id));
    json_object_object_add(args, "contact_id", json_object_new_string(a->contact_id));
    json_object_object_add(api, "unique_args", args);
    send_buf_puts(b, "Message-ID: ");
    send_smtp_message_id(b, a->action_id, c->smtp_from);
    send_buf_printf(b, "\r\nDate: %s\r\nFrom: %s\r\nTo: %s\r\n", date, c->smtp_from,
                    send_action_to(a));
    subject_put(b, msg->subject ? msg->subject : "");
    send_buf_printf(b, "X-SMTPAPI: %s\r\nMIME-Version: 1.0\r\n",
                    json_object_to_json_string_ext(api, JSON_C_TO_STRING_PLAIN));
    json_object_put(api);
}

/* The whole message: headers, then one text part or both parts as alternatives. */
void send_smtp_message(send_buf_t *b, const send_config_t *c, const sy_action_t *a,
                       const send_message_t *msg) {
    headers_put(b, c, a, msg);
    if (!msg->html) {
        send_buf_puts(b, "Content-Type: text/plain; charset=UTF-8\r\n"
                         "Content-Transfer-Encoding: base64\r\n\r\n");
        send_buf_base64(b, msg->text, strlen(msg->text));
        return;
    }
    char boundary[64];
    snprintf(boundary, sizeof boundary, "=_sy_%016llx",
             (unsigned long long)sy_hash_fnv1a64(UINT64_C(14695981039346656037),
                                                 a->action_id, strlen(a->action_id)));
    send_buf_printf(b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
                    boundary);
    part_put(b, boundary, "text/plain", msg->text);
    part_put(b, boundary, "text/html", msg->html);
    send_buf_printf(b, "--%s--\r\n", boundary);
}

static void smtp_result(CURLcode rc, long code, const char *last, const char *msg_id,
                        send_result_t *res) {
    res->retry_after_ms = -1;
    if (rc == CURLE_OK) {
        res->kind = SEND_RESULT_ACCEPTED;
        snprintf(res->detail, sizeof res->detail, "%s", msg_id);
        return;
    }
    if (last[0] == '4' || last[0] == '5') /* the refusal's code, not the QUIT reply's */
        code = (last[0] - '0') * 100 + (last[1] - '0') * 10 + (last[2] - '0');
    res->kind = code >= 500 && code < 600 ? SEND_RESULT_PERMANENT : SEND_RESULT_RETRY;
    snprintf(res->detail, sizeof res->detail, "%s%s%s", code >= 400 ? last : "",
             code >= 400 ? ": " : "", curl_easy_strerror(rc));
}

void send_smtp_deliver(CURL *curl, const send_config_t *c, const sy_action_t *a,
                       const send_message_t *msg, send_result_t *res) {
    const char *to = send_action_to(a);
    if (strpbrk(to, "\r\n<>") || !strchr(to, '@')) {
        res->kind = SEND_RESULT_PERMANENT;
        res->local = true;
        snprintf(res->detail, sizeof res->detail, "not an email address: '%.200s'", to);
        return;
    }
    send_buf_t m = {0}, from = {0}, rcpt = {0}, id = {0};
    send_smtp_message(&m, c, a, msg);
    send_smtp_message_id(&id, a->action_id, c->smtp_from);
    send_buf_printf(&from, "<%s>", c->smtp_from);
    send_buf_printf(&rcpt, "<%s>", to);
    struct curl_slist *rcpts = rcpt.p ? curl_slist_append(NULL, rcpt.p) : NULL;
    if (m.failed || from.failed || id.failed || !rcpts) {
        res->kind = SEND_RESULT_RETRY;
        snprintf(res->detail, sizeof res->detail, "out of memory building the message");
    } else {
        char last[SEND_DETAIL_BYTES] = "";
        smtp_read_t r = {m.p, m.len};
        curl_easy_reset(curl);
        curl_easy_setopt(curl, CURLOPT_URL, c->smtp_url);
        curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.p);
        curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(curl, CURLOPT_READFUNCTION, smtp_read);
        curl_easy_setopt(curl, CURLOPT_READDATA, &r);
        curl_easy_setopt(curl, CURLOPT_USE_SSL,
                         (long)(c->smtp_starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
        if (*c->smtp_username) {
            curl_easy_setopt(curl, CURLOPT_USERNAME, c->smtp_username);
            curl_easy_setopt(curl, CURLOPT_PASSWORD, c->smtp_password);
        }
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)c->request_timeout_ms);
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
        curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, smtp_debug);
        curl_easy_setopt(curl, CURLOPT_DEBUGDATA, last);
        CURLcode rc = curl_easy_perform(curl);
        long code = 0;
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
        smtp_result(rc, code, last, id.p, res);
    }
    curl_slist_free_all(rcpts);
    send_buf_free(&m);
    send_buf_free(&from);
    send_buf_free(&rcpt);
    send_buf_free(&id);
}
