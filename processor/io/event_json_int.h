/* event_json_int.h — private to event_json*.c: the repeated-key check json-c lacks (it
 * keeps the last of two equal keys without a word). Not for other modules. */
#ifndef SY_EVENT_JSON_INT_H
#define SY_EVENT_JSON_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "sy_error.h"

/* Look for a key written twice in one object of text (len bytes of JSON that json-c has
 * parsed, nested at most EVENT_JSON_DEPTH_MAX deep). Keys are compared as written, escapes
 * and all. When one is found, returns true with the key (cut to key_size) in key and its
 * second 1-based column in *column. *err is SY_ERR_NOMEM when memory ran out (then false). */
bool event_json_key_repeated(const char *text, size_t len, char *key, size_t key_size,
                             size_t *column, sy_err_t *err);

#endif
