/* send_template.c — reads a template's files and fills their {{param}} holes from the
 * action's params. A hole is {{ name }} or {{ name | "default" }}; "{{" starts a hole
 * everywhere, so a template cannot contain a literal "{{". No loops, no conditions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "send_template.h"
#include "sy_file.h"

typedef struct out_buf {
    char *p;
    size_t len, cap;
    bool full;
} out_buf_t;

static void out_put(out_buf_t *o, const char *s, size_t n) {
    if (o->full || o->len + n + 1 > SEND_TEMPLATE_BYTES_MAX) {
        o->full = true;
        return;
    }
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->p, cap);
        if (!p) {
            o->full = true;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void out_put_value(out_buf_t *o, const char *v, size_t n, bool html) {
    for (size_t i = 0; i < n; i++) {
        const char *e = NULL;
        if (html)
            e = v[i] == '&' ? "&amp;" : v[i] == '<' ? "&lt;" : v[i] == '>' ? "&gt;"
                : v[i] == '"' ? "&quot;" : v[i] == '\'' ? "&#39;" : NULL;
        if (e)
            out_put(o, e, strlen(e));
        else
            out_put(o, &v[i], 1);
    }
}

/* A param of the action, or else one of its tracking fields by its record name (NULL
 * when the action has no number): a param of the same name wins. */
static const char *param_find(const sy_action_t *a, const char *name, size_t len) {
    for (size_t i = 0; i < a->params_count; i++)
        if (strlen(a->params[i].key) == len && memcmp(a->params[i].key, name, len) == 0)
            return a->params[i].value;
    const struct {
        const char *name;
        const char *value;
    } fields[] = {{"tracking_number", a->tracking_number},
                  {"tracking_display", a->tracking_display},
                  {"tracking_tel", a->tracking_tel},
                  {"tracking_cta", a->tracking_cta}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strlen(fields[i].name) == len && memcmp(fields[i].name, name, len) == 0)
            return fields[i].value;
    return NULL;
}

/* The hole between s and end ("name" or "name | \"default\""), written to o. */
static bool hole_fill(out_buf_t *o, const char *s, const char *end, const sy_action_t *a,
                      bool html, char *errbuf, size_t errbuf_size) {
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    const char *name = s;
    while (s < end && *s != ' ' && *s != '\t' && *s != '|')
        s++;
    size_t name_len = (size_t)(s - name);
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    const char *dflt = NULL, *dflt_end = NULL;
    if (s < end && *s == '|') {
        const char *q = memchr(s, '"', (size_t)(end - s));
        dflt_end = q ? memchr(q + 1, '"', (size_t)(end - q - 1)) : NULL;
        if (!dflt_end) {
            sy_errf(errbuf, errbuf_size, "hole '%.*s': a default wants \"quotes\"",
                    (int)(end - name), name);
            return false;
        }
        dflt = q + 1;
    }
    const char *v = param_find(a, name, name_len);
    if (v)
        out_put_value(o, v, strlen(v), html);
    else if (dflt)
        out_put_value(o, dflt, (size_t)(dflt_end - dflt), html);
    else {
        sy_errf(errbuf, errbuf_size, "the action has no param '%.*s'", (int)name_len, name);
        return false;
    }
    return true;
}

char *send_template_fill(const char *text, const sy_action_t *action, bool html,
                         char *errbuf, size_t errbuf_size) {
    out_buf_t o = {0};
    out_put(&o, "", 0);
    for (const char *s = text; *s;) {
        const char *open = strstr(s, "{{");
        if (!open) {
            out_put(&o, s, strlen(s));
            break;
        }
        out_put(&o, s, (size_t)(open - s));
        const char *close = strstr(open + 2, "}}");
        if (!close) {
            sy_errf(errbuf, errbuf_size, "a {{ without }}");
            free(o.p);
            return NULL;
        }
        if (!hole_fill(&o, open + 2, close, action, html, errbuf, errbuf_size)) {
            free(o.p);
            return NULL;
        }
        s = close + 2;
    }
    if (o.full) {
        sy_errf(errbuf, errbuf_size, "rendered text over %d bytes", SEND_TEMPLATE_BYTES_MAX);
        free(o.p);
        return NULL;
    }
    return o.p;
}

static bool id_is_file_name(const char *id) {
    if (!*id || *id == '.' || strlen(id) > SY_ID_BYTES_MAX)
        return false;
    for (const char *c = id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
              (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-'))
            return false;
    return true;
}

/* One part: *out NULL when the file does not exist. */
static sy_err_t part_render(const char *dir, const sy_action_t *a, const char *ext,
                            char **out, char *errbuf, size_t errbuf_size) {
    char path[4096 + SY_ID_BYTES_MAX + 16], why[512];
    snprintf(path, sizeof path, "%s/%s.%s", dir, a->template_id, ext);
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return SY_OK;
    sy_err_t err = sy_file_read(path, SEND_TEMPLATE_BYTES_MAX, &text, &len, why, sizeof why);
    if (err != SY_OK) {
        sy_errf(errbuf, errbuf_size, "%s", why);
        return err == SY_ERR_LIMIT ? SY_ERR_INVALID_RECORD : err;
    }
    if (strcmp(ext, "subject") == 0)
        text[strcspn(text, "\r\n")] = '\0';
    *out = send_template_fill(text, a, strcmp(ext, "html") == 0, why, sizeof why);
    free(text);
    if (!*out) {
        sy_errf(errbuf, errbuf_size, "%s: %s", path, why);
        return SY_ERR_INVALID_RECORD;
    }
    return SY_OK;
}

sy_err_t send_template_render(const char *dir, const sy_action_t *action,
                              send_message_t *out, char *errbuf, size_t errbuf_size) {
    *out = (send_message_t){0};
    if (!id_is_file_name(action->template_id)) {
        sy_errf(errbuf, errbuf_size, "template id '%s' is not a plain file name",
                action->template_id);
        return SY_ERR_INVALID_RECORD;
    }
    sy_err_t err = part_render(dir, action, "txt", &out->text, errbuf, errbuf_size);
    if (err == SY_OK && !out->text) {
        sy_errf(errbuf, errbuf_size, "%s/%s.txt: no such template", dir, action->template_id);
        err = SY_ERR_INVALID_RECORD;
    }
    if (err == SY_OK)
        err = part_render(dir, action, "html", &out->html, errbuf, errbuf_size);
    if (err == SY_OK)
        err = part_render(dir, action, "subject", &out->subject, errbuf, errbuf_size);
    if (err != SY_OK)
        send_message_clear(out);
    return err;
}

void send_message_clear(send_message_t *msg) {
    free(msg->subject);
    free(msg->text);
    free(msg->html);
    *msg = (send_message_t){0};
}
