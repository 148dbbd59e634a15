/* http_call.h — one HTTP request from a test, through libcurl: the status and the whole
 * body. Shared by every test that talks to a switchyard HTTP server (admin pages, maps);
 * waits, free ports and service configs belong to the callers (admin_client.h). */
#ifndef HTTP_CALL_H
#define HTTP_CALL_H

/* Send method (GET, POST, ...) to url with no request body; wait at most timeout_s seconds.
 * Returns the HTTP status, 0 when nothing answered; *body is the response body,
 * NUL-terminated (empty when nothing answered); the caller frees it. */
long http_call(const char *method, const char *url, long timeout_s, char **body);

#endif
