/* http_call.c — one HTTP request through libcurl, its body collected in memory. See
 * http_call.h. */
#include <criterion/criterion.h>

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "http_call.h"

typedef struct http_body {
    char *bytes;
    size_t len;
    size_t cap;
} http_body_t;

static size_t on_body(char *data, size_t size, size_t n, void *ctx) {
    http_body_t *b = ctx;
    size_t add = size * n;
    if (b->len + add + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + add + 1)
            cap *= 2;
        char *grown = realloc(b->bytes, cap);
        cr_assert_not_null(grown);
        b->bytes = grown;
        b->cap = cap;
    }
    memcpy(b->bytes + b->len, data, add);
    b->len += add;
    b->bytes[b->len] = '\0';
    return add;
}

long http_call(const char *method, const char *url, long timeout_s, char **body) {
    http_body_t b = {0};
    long status = 0;
    CURL *c = curl_easy_init();
    cr_assert_not_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    *body = b.bytes ? b.bytes : calloc(1, 1);
    cr_assert_not_null(*body);
    return status;
}
