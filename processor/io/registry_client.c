/* registry_client.c — the schema registry's REST calls through libcurl: one easy handle
 * per client, JSON bodies through json-c, HTTP failures sorted into those worth a retry
 * (no answer, 5xx, 408, 429) and those that are the registry's final word (4xx).
 * Not the meaning of ids for frames: schema_registry.c. */
#include "registry_client.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sy_error.h"

struct registry_client {
    CURL *curl;                 /* owned */
    struct curl_slist *headers; /* owned */
    char *url;                  /* owned; base URL without a trailing '/' */
    atomic_int *stop;           /* borrowed; may be NULL */
    char *answer;               /* owned; the last answer's body */
    size_t answer_len, answer_size;
};

/* One answer of the registry: HTTP status, or 0 when none came (curl says why). */
typedef struct registry_answer {
    long status;
    const char *body; /* borrowed from the client until its next request */
} registry_answer_t;

static pthread_once_t registry_curl_once = PTHREAD_ONCE_INIT;
static void registry_curl_init(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t registry_write_cb(char *data, size_t size, size_t count, void *opaque) {
    registry_client_t *rc = opaque;
    size_t n = size * count;
    if (rc->answer_len + n + 1 > REGISTRY_ANSWER_BYTES_MAX)
        return 0; /* curl reports a write error */
    if (rc->answer_len + n + 1 > rc->answer_size) {
        size_t size_new = (rc->answer_len + n + 1) * 2;
        char *grown = realloc(rc->answer, size_new);
        if (grown == NULL)
            return 0;
        rc->answer = grown;
        rc->answer_size = size_new;
    }
    memcpy(rc->answer + rc->answer_len, data, n);
    rc->answer_len += n;
    rc->answer[rc->answer_len] = '\0';
    return n;
}

static sy_err_t registry_auth_set(registry_client_t *rc, const sy_config_t *c, char *errbuf,
                                  size_t errbuf_size) {
    const char *user = c->schema_registry_basic_auth_user_info;
    const char *token = c->schema_registry_bearer_token;
    if (user[0] != '\0' && token[0] != '\0')
        return sy_errf(errbuf, errbuf_size, "schema.registry.basic.auth.user.info and "
                       "schema.registry.bearer.token are exclusive"), SY_ERR_CONFIG;
    if (user[0] != '\0') {
        curl_easy_setopt(rc->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(rc->curl, CURLOPT_USERPWD, user);
    } else if (token[0] != '\0') {
        curl_easy_setopt(rc->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
        curl_easy_setopt(rc->curl, CURLOPT_XOAUTH2_BEARER, token);
    }
    return SY_OK;
}

sy_err_t registry_client_open(registry_client_t **out, const sy_config_t *config,
                              atomic_int *stop, char *errbuf, size_t errbuf_size) {
    const char *url = config->schema_registry_url;
    size_t len = strlen(url);
    if (len == 0)
        return sy_errf(errbuf, errbuf_size, "schema.registry.url is empty"), SY_ERR_CONFIG;
    pthread_once(&registry_curl_once, registry_curl_init);
    registry_client_t *rc = calloc(1, sizeof *rc);
    if (rc == NULL || (rc->curl = curl_easy_init()) == NULL ||
        (rc->url = strndup(url, url[len - 1] == '/' ? len - 1 : len)) == NULL) {
        registry_client_close(rc);
        return sy_errf(errbuf, errbuf_size, "registry client: out of memory"), SY_ERR_NOMEM;
    }
    rc->stop = stop;
    rc->headers = curl_slist_append(NULL, "Content-Type: application/vnd.schemaregistry.v1+json");
    rc->headers = curl_slist_append(rc->headers, "Accept: application/vnd.schemaregistry.v1+json");
    curl_easy_setopt(rc->curl, CURLOPT_HTTPHEADER, rc->headers);
    curl_easy_setopt(rc->curl, CURLOPT_TIMEOUT_MS,
                     (long)config->schema_registry_request_timeout_ms);
    curl_easy_setopt(rc->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(rc->curl, CURLOPT_WRITEFUNCTION, registry_write_cb);
    curl_easy_setopt(rc->curl, CURLOPT_WRITEDATA, rc);
    sy_err_t err = registry_auth_set(rc, config, errbuf, errbuf_size);
    if (err != SY_OK) {
        registry_client_close(rc);
        return err;
    }
    *out = rc;
    return SY_OK;
}

void registry_client_close(registry_client_t *rc) {
    if (rc == NULL)
        return;
    if (rc->curl != NULL)
        curl_easy_cleanup(rc->curl);
    curl_slist_free_all(rc->headers);
    free(rc->url);
    free(rc->answer);
    free(rc);
}

/* One request: GET path, or POST body to path when body is not NULL. */
static registry_answer_t registry_request(registry_client_t *rc, const char *path,
                                          const char *body, char *errbuf, size_t errbuf_size) {
    char url[2048];
    registry_answer_t a = {0, ""};
    snprintf(url, sizeof url, "%s%s", rc->url, path);
    rc->answer_len = 0;
    if (rc->answer != NULL)
        rc->answer[0] = '\0';
    curl_easy_setopt(rc->curl, CURLOPT_URL, url);
    curl_easy_setopt(rc->curl, CURLOPT_HTTPGET, 1L);
    if (body != NULL)
        curl_easy_setopt(rc->curl, CURLOPT_POSTFIELDS, body);
    CURLcode rc_curl = curl_easy_perform(rc->curl);
    if (rc_curl != CURLE_OK) {
        sy_errf(errbuf, errbuf_size, "schema registry %s: %s", url, curl_easy_strerror(rc_curl));
        return a;
    }
    curl_easy_getinfo(rc->curl, CURLINFO_RESPONSE_CODE, &a.status);
    a.body = rc->answer != NULL ? rc->answer : "";
    if (a.status != 200)
        sy_errf(errbuf, errbuf_size, "schema registry %s: HTTP %ld: %.300s", url, a.status,
                a.body);
    return a;
}

static bool registry_retriable(long status) {
    return status == 0 || status == 408 || status == 429 || status >= 500;
}

/* Sleep ms in slices, returning early (false) when a stop is asked for. */
static bool registry_backoff_sleep(registry_client_t *rc, int64_t ms) {
    while (ms > 0) {
        if (rc->stop != NULL && atomic_load(rc->stop))
            return false;
        int64_t slice = ms < 100 ? ms : 100;
        struct timespec ts = {(time_t)(slice / 1000), (long)(slice % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ms -= slice;
    }
    return rc->stop == NULL || !atomic_load(rc->stop);
}

/* Request until an answer that is not worth retrying, attempts run out (0: no bound) or a
 * stop is asked for. Errors as registry_client_register's. */
static sy_err_t registry_call(registry_client_t *rc, const char *path, const char *body,
                              int attempts, registry_answer_t *a, char *errbuf,
                              size_t errbuf_size) {
    int64_t wait_ms = REGISTRY_RETRY_FIRST_MS;
    for (int attempt = 1;; attempt++) {
        *a = registry_request(rc, path, body, errbuf, errbuf_size);
        if (a->status == 200)
            return SY_OK;
        if (!registry_retriable(a->status) || (attempts > 0 && attempt >= attempts))
            return SY_ERR_IO;
        log_warn("%s; retrying in %" PRId64 " ms", errbuf, wait_ms);
        int64_t jitter = (int64_t)(rand() % (int)(wait_ms / 4 + 1));
        if (!registry_backoff_sleep(rc, wait_ms + jitter))
            return SY_ERR_KAFKA_RETRIABLE;
        wait_ms = wait_ms * 2 < REGISTRY_RETRY_LAST_MS ? wait_ms * 2 : REGISTRY_RETRY_LAST_MS;
    }
}

sy_err_t registry_client_register(registry_client_t *rc, const char *subject,
                                  const char *schema_json, int attempts, uint32_t *id,
                                  char *errbuf, size_t errbuf_size) {
    char path[512];
    registry_answer_t a;
    json_object *req = json_object_new_object(), *ans, *v;
    json_object_object_add(req, "schema", json_object_new_string(schema_json));
    char *escaped = curl_easy_escape(rc->curl, subject, 0);
    snprintf(path, sizeof path, "/subjects/%s/versions", escaped ? escaped : subject);
    curl_free(escaped);
    sy_err_t err = registry_call(rc, path, json_object_to_json_string_ext(req,
                                 JSON_C_TO_STRING_PLAIN), attempts, &a, errbuf, errbuf_size);
    json_object_put(req);
    if (err != SY_OK)
        return err;
    ans = json_tokener_parse(a.body);
    if (ans == NULL || !json_object_object_get_ex(ans, "id", &v) ||
        json_object_get_int64(v) <= 0 || json_object_get_int64(v) > UINT32_MAX) {
        sy_errf(errbuf, errbuf_size, "schema registry: no id in the answer to %s: %.200s",
                path, a.body);
        err = SY_ERR_IO;
    } else {
        *id = (uint32_t)json_object_get_int64(v);
    }
    json_object_put(ans);
    return err;
}

sy_err_t registry_client_schema(registry_client_t *rc, uint32_t id, int attempts,
                                char **schema_json, char *errbuf, size_t errbuf_size) {
    char path[64];
    registry_answer_t a;
    json_object *ans, *v;
    snprintf(path, sizeof path, "/schemas/ids/%" PRIu32, id);
    sy_err_t err = registry_call(rc, path, NULL, attempts, &a, errbuf, errbuf_size);
    if (err != SY_OK)
        return a.status == 404 ? SY_ERR_NOT_FOUND : err;
    ans = json_tokener_parse(a.body);
    if (ans == NULL || !json_object_object_get_ex(ans, "schema", &v) ||
        !json_object_is_type(v, json_type_string)) {
        sy_errf(errbuf, errbuf_size, "schema registry: no schema in the answer to %s", path);
        err = SY_ERR_IO;
    } else if ((*schema_json = strdup(json_object_get_string(v))) == NULL) {
        err = SY_ERR_NOMEM;
    }
    json_object_put(ans);
    return err;
}
