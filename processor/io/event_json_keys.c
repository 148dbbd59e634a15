/* event_json_keys.c — the repeated-key check of event_json_int.h: one pass over a line
 * json-c accepted, with the keys of each open object in a string index, so a line of many
 * keys costs no more than its length. Not a JSON parser: the text is known to be valid. */
#include "event_json_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_json.h"
#include "sy_str_index.h"

/* Index one past the closing quote of the string that opens at text[i]. */
static size_t keys_string_end(const char *text, size_t len, size_t i) {
    for (i++; i < len && text[i] != '"'; i++) {
        if (text[i] == '\\')
            i++;
    }
    return i + 1;
}

/* True when the string that ended before text[i] is a key: a ':' follows it. */
static bool keys_is_key(const char *text, size_t len, size_t i) {
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    return i < len && text[i] == ':';
}

bool event_json_key_repeated(const char *text, size_t len, char *key, size_t key_size,
                             size_t *column, sy_err_t *err) {
    sy_str_index_t open[EVENT_JSON_DEPTH_MAX + 2] = {{0}}; /* per open object or array */
    char *copy = malloc(len + 1); /* keys are cut out of it in place */
    int depth = 0;
    bool found = false;
    *err = copy ? SY_OK : SY_ERR_NOMEM;
    for (size_t i = 0; copy && !found && i < len; i++) {
        char c = text[i];
        if ((c == '{' || c == '[') && depth < EVENT_JSON_DEPTH_MAX + 1) {
            depth++;
        } else if ((c == '}' || c == ']') && depth > 0) {
            sy_str_index_deinit(&open[--depth]);
        } else if (c == '"') {
            size_t end = keys_string_end(text, len, i);
            if (depth > 0 && end <= len && keys_is_key(text, len, end)) {
                memcpy(copy + i + 1, text + i + 1, end - i - 2);
                copy[end - 1] = '\0';
                const char *name = copy + i + 1;
                if (sy_str_index_find(&open[depth - 1], name) != SIZE_MAX) {
                    snprintf(key, key_size, "%s", name);
                    *column = i + 1;
                    found = true;
                } else if (!sy_str_index_add(&open[depth - 1], name, i)) {
                    *err = SY_ERR_NOMEM;
                    break;
                }
            }
            i = end - 1;
        }
    }
    for (int d = 0; d < EVENT_JSON_DEPTH_MAX + 2; d++)
        sy_str_index_deinit(&open[d]);
    free(copy);
    return found;
}
