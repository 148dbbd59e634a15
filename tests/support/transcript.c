/* transcript.c — JSON output records to per-contact token lines (see transcript.h). */
#include "transcript.h"

#include <criterion/criterion.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static transcript_t *transcript_for(transcripts_t *t, const char *contact) {
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->items[i].contact, contact) == 0)
            return &t->items[i];
    cr_assert_lt(t->count, TRANSCRIPT_CONTACTS_MAX, "too many contacts");
    transcript_t *tr = &t->items[t->count++];
    snprintf(tr->contact, sizeof tr->contact, "%s", contact);
    tr->text[0] = '\0';
    return tr;
}

static const char *str(json_object *o, const char *key) {
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
        return NULL;
    return json_object_get_string(v);
}

static void decision_token(json_object *o, char *token, size_t size) {
    const char *from = str(o, "from_node"), *path = str(o, "path"), *cause = str(o, "cause");
    int n = snprintf(token, size, "%s>%s", from ? from : "(entry)", str(o, "to_node"));
    if (path)
        n += snprintf(token + n, size - (size_t)n, "[%s]", path);
    if (cause && strcmp(cause, "timer") == 0)
        snprintf(token + n, size - (size_t)n, "@%s", str(o, "decided_at"));
}

static void action_token(json_object *o, char *token, size_t size) {
    json_object *params;
    int n = snprintf(token, size, "send:%s:%s", str(o, "channel"), str(o, "template_id"));
    if (!json_object_object_get_ex(o, "params", &params) ||
        json_object_object_length(params) == 0)
        return;
    const char *sep = "{";
    json_object_object_foreach(params, key, value) {
        n += snprintf(token + n, size - (size_t)n, "%s%s=%s", sep, key,
                      json_object_get_string(value));
        sep = ",";
    }
    snprintf(token + n, size - (size_t)n, "}");
}

void transcript_add_json(transcripts_t *t, const char *json, const char *only_schema) {
    char token[1024];
    json_object *o = json_tokener_parse(json);
    cr_assert_not_null(o, "output is not JSON: %s", json);
    const char *schema = str(o, "schema");
    cr_assert_not_null(schema, "no schema in %s", json);
    if (only_schema && strcmp(schema, only_schema) != 0) {
        json_object_put(o);
        return;
    }
    if (strcmp(schema, "RoutingDecision") == 0) {
        decision_token(o, token, sizeof token);
    } else if (strcmp(schema, "ActionCommand") == 0) {
        action_token(o, token, sizeof token);
    } else {
        const char *value = str(o, "value");
        snprintf(token, sizeof token, "update:%s:%s%s%s", str(o, "op"), str(o, "name"),
                 value ? "=" : "", value ? value : "");
    }
    transcript_t *tr = transcript_for(t, str(o, "contact_id"));
    size_t len = strlen(tr->text);
    snprintf(tr->text + len, sizeof tr->text - len, "%s%s", len ? " | " : "", token);
    json_object_put(o);
}

const char *transcript_of(const transcripts_t *t, const char *contact) {
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->items[i].contact, contact) == 0)
            return t->items[i].text;
    return "";
}

/* Bytes of a transcript line are at most TRANSCRIPT_BYTES: this many tokens hold it. */
#define TRANSCRIPT_TOKENS_MAX 256

static int token_order(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void transcript_sorted(const char *line, char *out, size_t size) {
    char copy[TRANSCRIPT_BYTES], *tokens[TRANSCRIPT_TOKENS_MAX];
    size_t n = 0, used = 0;
    snprintf(copy, sizeof copy, "%s", line);
    for (char *save = NULL, *tok = strtok_r(copy, "|", &save);
         tok && n < TRANSCRIPT_TOKENS_MAX; tok = strtok_r(NULL, "|", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = '\0';
        tokens[n++] = tok;
    }
    qsort(tokens, n, sizeof tokens[0], token_order);
    out[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? " | " : "", tokens[i]);
}
