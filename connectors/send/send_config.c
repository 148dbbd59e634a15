/* send_config.c — the options of `switchyard send`: one table (name, type, default, range,
 * doc) drives parsing, checks and --help. Reads the file's `key = value` lines; relative
 * paths are made absolute against the file's directory. Not the service's config.c: the
 * two files never share a key except the topic and kafka.* ones, which mean the same. */
#include <errno.h>
#include <libgen.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "send_config.h"
#include "sy_file.h"

/* A config file is a few hundred bytes; this leaves room for comments. */
#define SEND_CONFIG_FILE_BYTES_MAX (1024 * 1024)

/* Longest value or path the table accepts. */
#define SEND_CONFIG_VALUE_BYTES_MAX 4096

typedef enum { OPT_STRING, OPT_PATH, OPT_INT } opt_type_t;

typedef struct send_option {
    const char *name;
    opt_type_t type;
    const char *default_value; /* NULL: required */
    int64_t min, max;          /* int: range; string: length */
    size_t offset;
    const char *doc;
} send_option_t;

#define F(f) offsetof(send_config_t, f)
#define STR(n, f, d, doc) {n, OPT_STRING, d, 0, SEND_CONFIG_VALUE_BYTES_MAX, F(f), doc}
#define RATE(n, ch)                                                                       \
    {n, OPT_INT, "100", 0, 100000, F(rate_per_s[ch]),                                     \
     "Most messages a second on the channel (token bucket, bursts of one second); 0: no " \
     "limit."}

static const send_option_t send_options[] = {
    STR("group.id", group_id, "switchyard-send", "Consumer group of the senders."),
    STR("topic.prefix", topic_prefix, "", "Goes in front of both topic names below."),
    STR("topic.actions.prefix", topic_actions_prefix, "actions.",
        "Action topics are <prefix><channel>, as the service writes them."),
    STR("topic.events", topic_events, "events",
        "Where a permanent failure goes, as an engagement event keyed by contact."),
    STR("send.channels", channels, NULL,
        "Channels to deliver, comma-separated: email, sms, push, voice."),
    {"send.state.dir", OPT_PATH, NULL, 1, SEND_CONFIG_VALUE_BYTES_MAX, F(state_dir),
     "Directory of the RocksDB store of delivered action ids (one per sender group)."},
    {"send.templates.dir", OPT_PATH, "", 0, SEND_CONFIG_VALUE_BYTES_MAX, F(templates_dir),
     "Directory of message templates: <template_id>.txt, .html, .subject."},
    {"send.request.timeout.ms", OPT_INT, "10000", 100, 600000, F(request_timeout_ms),
     "Longest time one request to a provider may take; longer counts as a timeout."},
    {"send.retry.initial.ms", OPT_INT, "200", 1, 600000, F(retry_initial_ms),
     "First wait before retrying a 429, 5xx, timeout or broken connection."},
    {"send.retry.max.ms", OPT_INT, "30000", 1, 3600000, F(retry_max_ms),
     "Longest wait between two tries (the wait doubles up to it, with jitter)."},
    RATE("send.rate.email.per_s", SY_CHANNEL_EMAIL),
    RATE("send.rate.sms.per_s", SY_CHANNEL_SMS),
    RATE("send.rate.push.per_s", SY_CHANNEL_PUSH),
    RATE("send.rate.voice.per_s", SY_CHANNEL_VOICE),
    STR("smtp.url", smtp_url, "", "SMTP server: smtp://host:port (smtps:// for TLS)."),
    STR("smtp.from", smtp_from, "", "Envelope and From: address of email."),
    {"smtp.starttls", OPT_INT, "0", 0, 1, F(smtp_starttls),
     "1: upgrade with STARTTLS and refuse a server that cannot."},
    STR("smtp.username", smtp_username, "", "SMTP AUTH user, or empty."),
    STR("smtp.password", smtp_password, "", "SMTP AUTH password."),
    STR("twilio.url", twilio_url, "https://api.twilio.com",
        "Base URL of the Twilio REST API (SMS and voice)."),
    STR("twilio.account_sid", twilio_account_sid, "", "Account SID: user of basic auth."),
    STR("twilio.auth_token", twilio_auth_token, "", "Auth token: password of basic auth."),
    STR("twilio.from", twilio_from, "", "The sending phone number (E.164)."),
    STR("twilio.status_callback", twilio_status_callback, "",
        "StatusCallback URL given with every message and call (the ingest endpoint)."),
    STR("twilio.voice_status_callback", twilio_voice_status_callback, "",
        "StatusCallback URL of calls (ingest's /twilio/voice/status); empty: the one above."),
    STR("fcm.url", fcm_url, "https://fcm.googleapis.com", "Base URL of FCM HTTP v1."),
    STR("fcm.project", fcm_project, "", "Firebase project id."),
    STR("fcm.token", fcm_token, "", "OAuth 2 access token sent as the bearer token."),
};
#define SEND_OPTIONS_COUNT (sizeof send_options / sizeof send_options[0])

static const send_option_t *option_find(const char *name) {
    for (size_t i = 0; i < SEND_OPTIONS_COUNT; i++)
        if (strcmp(send_options[i].name, name) == 0)
            return &send_options[i];
    return NULL;
}

static sy_err_t option_set(send_config_t *c, const send_option_t *o, const char *value,
                           const char *where, const char *base_dir, char *errbuf,
                           size_t errbuf_size) {
    char *field = (char *)c + o->offset;
    if (o->type == OPT_INT) {
        char *end = NULL;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end || v < o->min || v > o->max) {
            sy_errf(errbuf, errbuf_size, "%s: %s: '%s' is not an integer in [%lld, %lld]",
                    where, o->name, value, (long long)o->min, (long long)o->max);
            return SY_ERR_CONFIG;
        }
        *(int64_t *)(void *)field = v;
        return SY_OK;
    }
    size_t len = strlen(value);
    if ((int64_t)len < o->min || (int64_t)len > o->max) {
        sy_errf(errbuf, errbuf_size, "%s: %s: wants %lld to %lld bytes", where, o->name,
                (long long)o->min, (long long)o->max);
        return SY_ERR_CONFIG;
    }
    char *copy = NULL;
    if (o->type == OPT_PATH && len > 0 && value[0] != '/') {
        size_t n = strlen(base_dir) + len + 2;
        if ((copy = malloc(n)) != NULL)
            snprintf(copy, n, "%s/%s", base_dir, value);
    } else {
        copy = strdup(value);
    }
    if (!copy)
        return SY_ERR_NOMEM;
    free(*(char **)(void *)field);
    *(char **)(void *)field = copy;
    return SY_OK;
}

static sy_err_t kafka_put(send_config_t *c, const char *name, const char *value) {
    char **names = realloc(c->kafka_names, (c->kafka_count + 1) * sizeof *names);
    if (!names)
        return SY_ERR_NOMEM;
    c->kafka_names = names;
    char **values = realloc(c->kafka_values, (c->kafka_count + 1) * sizeof *values);
    if (!values)
        return SY_ERR_NOMEM;
    c->kafka_values = values;
    names[c->kafka_count] = strdup(name);
    values[c->kafka_count] = strdup(value);
    if (!names[c->kafka_count] || !values[c->kafka_count]) {
        free(names[c->kafka_count]);
        free(values[c->kafka_count]);
        return SY_ERR_NOMEM;
    }
    c->kafka_count++;
    return SY_OK;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* One line of the file: blank, comment, or key = value. */
static sy_err_t line_parse(send_config_t *c, char *line, int lineno, const char *base_dir,
                           char *errbuf, size_t errbuf_size) {
    char where[SEND_CONFIG_VALUE_BYTES_MAX + 32];
    snprintf(where, sizeof where, "%s:%d", c->source, lineno);
    char *s = trim(line);
    if (*s == '\0' || *s == '#')
        return SY_OK;
    char *eq = strchr(s, '=');
    if (!eq) {
        sy_errf(errbuf, errbuf_size, "%s: want `key = value`", where);
        return SY_ERR_CONFIG;
    }
    *eq = '\0';
    char *key = trim(s), *value = trim(eq + 1);
    if (strncmp(key, "kafka.", 6) == 0 && key[6] != '\0')
        return kafka_put(c, key + 6, value);
    const send_option_t *o = option_find(key);
    if (!o) {
        sy_errf(errbuf, errbuf_size, "%s: unknown option '%s'", where, key);
        return SY_ERR_CONFIG;
    }
    return option_set(c, o, value, where, base_dir, errbuf, errbuf_size);
}

static sy_err_t defaults_set(send_config_t *c, char *errbuf, size_t errbuf_size) {
    for (size_t i = 0; i < SEND_OPTIONS_COUNT; i++) {
        const send_option_t *o = &send_options[i];
        if (!o->default_value)
            continue;
        sy_err_t err = option_set(c, o, o->default_value, "<default>", "/", errbuf,
                                  errbuf_size);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}

static sy_err_t required_check(send_config_t *c, char *errbuf, size_t errbuf_size) {
    for (size_t i = 0; i < SEND_OPTIONS_COUNT; i++) {
        const send_option_t *o = &send_options[i];
        if (!o->default_value && !*(char **)(void *)((char *)c + o->offset)) {
            sy_errf(errbuf, errbuf_size, "%s: %s is required", c->source, o->name);
            return SY_ERR_CONFIG;
        }
    }
    for (size_t i = 0; i < c->kafka_count; i++)
        if (strcmp(c->kafka_names[i], "bootstrap.servers") == 0)
            return SY_OK;
    sy_errf(errbuf, errbuf_size, "%s: kafka.bootstrap.servers is required", c->source);
    return SY_ERR_CONFIG;
}

/* The channels of send.channels, each with the options its provider needs. */
static sy_err_t channels_check(send_config_t *c, char *errbuf, size_t errbuf_size) {
    char list[SEND_CONFIG_VALUE_BYTES_MAX + 1];
    snprintf(list, sizeof list, "%s", c->channels);
    char *save = NULL;
    for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *name = trim(t);
        int ch = sy_channel_parse(name);
        if (ch != SY_CHANNEL_EMAIL && ch != SY_CHANNEL_SMS && ch != SY_CHANNEL_PUSH &&
            ch != SY_CHANNEL_VOICE) {
            sy_errf(errbuf, errbuf_size, "%s: send.channels: '%s' is not email, sms, push "
                    "or voice", c->source, name);
            return SY_ERR_CONFIG;
        }
        const char *missing = NULL;
        if (ch == SY_CHANNEL_EMAIL)
            missing = !*c->smtp_url ? "smtp.url" : !*c->smtp_from ? "smtp.from"
                      : !*c->templates_dir ? "send.templates.dir" : NULL;
        else if (ch == SY_CHANNEL_PUSH)
            missing = !*c->fcm_project ? "fcm.project" : !*c->fcm_token ? "fcm.token" : NULL;
        else
            missing = !*c->twilio_account_sid ? "twilio.account_sid"
                      : !*c->twilio_auth_token ? "twilio.auth_token"
                      : !*c->twilio_from ? "twilio.from" : NULL;
        if (!missing && !*c->templates_dir)
            missing = "send.templates.dir";
        if (missing) {
            sy_errf(errbuf, errbuf_size, "%s: channel %s needs %s", c->source, name, missing);
            return SY_ERR_CONFIG;
        }
        c->channel_on[ch] = true;
    }
    return SY_OK;
}

/* topic.prefix goes in front of the topic names, as in the service's config. */
static sy_err_t prefix_apply(send_config_t *c) {
    char **fields[] = {&c->topic_actions_prefix, &c->topic_events};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        size_t n = strlen(c->topic_prefix) + strlen(*fields[i]) + 1;
        char *s = malloc(n);
        if (!s)
            return SY_ERR_NOMEM;
        snprintf(s, n, "%s%s", c->topic_prefix, *fields[i]);
        free(*fields[i]);
        *fields[i] = s;
    }
    return SY_OK;
}

static sy_err_t text_parse(send_config_t *c, char *text, const char *base_dir, char *errbuf,
                           size_t errbuf_size) {
    sy_err_t err = defaults_set(c, errbuf, errbuf_size);
    int lineno = 0;
    char *save = NULL;
    for (char *line = text; err == SY_OK && line; line = save) {
        save = strchr(line, '\n');
        if (save)
            *save++ = '\0';
        err = line_parse(c, line, ++lineno, base_dir, errbuf, errbuf_size);
    }
    if (err == SY_OK)
        err = required_check(c, errbuf, errbuf_size);
    if (err == SY_OK)
        err = channels_check(c, errbuf, errbuf_size);
    if (err == SY_OK)
        err = prefix_apply(c);
    return err;
}

sy_err_t send_config_load(send_config_t **out, const char *path, char *errbuf,
                          size_t errbuf_size) {
    char *text = NULL;
    size_t len = 0;
    sy_err_t err = sy_file_read(path, SEND_CONFIG_FILE_BYTES_MAX, &text, &len, errbuf,
                                errbuf_size);
    if (err != SY_OK)
        return err;
    send_config_t *c = calloc(1, sizeof *c);
    char *dir_copy = strdup(path);
    char *abs_dir = dir_copy ? realpath(dirname(dir_copy), NULL) : NULL;
    if (!c || !abs_dir || !(c->source = strdup(path))) {
        err = SY_ERR_NOMEM;
        goto done;
    }
    err = text_parse(c, text, abs_dir, errbuf, errbuf_size);
done:
    free(text);
    free(dir_copy);
    free(abs_dir);
    if (err != SY_OK) {
        send_config_free(c);
        return err;
    }
    *out = c;
    return SY_OK;
}

void send_config_free(send_config_t *c) {
    if (!c)
        return;
    for (size_t i = 0; i < SEND_OPTIONS_COUNT; i++)
        if (send_options[i].type != OPT_INT)
            free(*(char **)(void *)((char *)c + send_options[i].offset));
    for (size_t i = 0; i < c->kafka_count; i++) {
        free(c->kafka_names[i]);
        free(c->kafka_values[i]);
    }
    free(c->kafka_names);
    free(c->kafka_values);
    free(c->source);
    free(c);
}

void send_config_print_help(FILE *out) {
    for (size_t i = 0; i < SEND_OPTIONS_COUNT; i++) {
        const send_option_t *o = &send_options[i];
        fprintf(out, "  %-28s %s%s%s\n      %s\n", o->name, o->default_value ? "default '" : "",
                o->default_value ? o->default_value : "(required)",
                o->default_value ? "'" : "", o->doc);
    }
    fprintf(out, "  %-28s %s\n      %s\n", "kafka.*", "",
            "Passed to librdkafka without the prefix; kafka.bootstrap.servers is required.");
}
