/* engine_safety_conf.c — the consent and suppression settings (engine_safety.h): their
 * defaults, and reading them from the config's comma-separated consent.* and safety.*
 * options. Not the rules themselves (engine_safety.c). */
#include "engine_safety.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sy_error.h"

/* Split text at commas into trimmed words; call fn on each non-empty one. */
typedef sy_err_t word_fn(engine_safety_conf_t *conf, void *target, const char *word,
                         char *errbuf, size_t errbuf_size);

static sy_err_t words_each(engine_safety_conf_t *conf, void *target, const char *text,
                           word_fn *fn, char *errbuf, size_t errbuf_size) {
    char word[SY_ID_BYTES_MAX + 16];
    assert(text != NULL && fn != NULL);
    while (*text) {
        const char *end = strchr(text, ',');
        size_t len = end ? (size_t)(end - text) : strlen(text);
        while (len && isspace((unsigned char)*text))
            text++, len--;
        while (len && isspace((unsigned char)text[len - 1]))
            len--;
        if (len >= sizeof word) {
            sy_errf(errbuf, errbuf_size, "'%.*s...' is too long", 32, text);
            return SY_ERR_CONFIG;
        }
        memcpy(word, text, len);
        word[len] = '\0';
        sy_err_t err = len ? fn(conf, target, word, errbuf, errbuf_size) : SY_OK;
        if (err != SY_OK)
            return err;
        text = end ? end + 1 : text + len;
        if (!end)
            break;
    }
    return SY_OK;
}

/* "channel.type" into the table target (bool[SY_CHANNEL__COUNT][SY_EVENT_TYPE__COUNT]). */
static sy_err_t event_word(engine_safety_conf_t *conf, void *target, const char *word,
                           char *errbuf, size_t errbuf_size) {
    bool(*table)[SY_EVENT_TYPE__COUNT] = target;
    char channel[SY_ID_BYTES_MAX + 16];
    (void)conf;
    const char *dot = strchr(word, '.');
    assert(strlen(word) < sizeof channel);
    int c = -1, t = -1;
    if (dot) {
        memcpy(channel, word, (size_t)(dot - word));
        channel[dot - word] = '\0';
        c = sy_channel_parse(channel);
        t = sy_event_type_parse(dot + 1);
    }
    if (c < 0 || t < 0 || !sy_event_type_allowed((sy_channel_t)c, (sy_event_type_t)t)) {
        sy_errf(errbuf, errbuf_size, "'%s' is not an event type (channel.type, as "
                "sms.opted_out)", word);
        return SY_ERR_CONFIG;
    }
    table[c][t] = true;
    return SY_OK;
}

static sy_err_t keyword_word(engine_safety_conf_t *conf, void *target, const char *word,
                             char *errbuf, size_t errbuf_size) {
    engine_safety_keywords_t *k = target;
    (void)conf;
    assert(k->count <= ENGINE_SAFETY_KEYWORDS_MAX);
    size_t len = strlen(word);
    if (k->count == ENGINE_SAFETY_KEYWORDS_MAX || len >= ENGINE_SAFETY_KEYWORD_BYTES) {
        sy_errf(errbuf, errbuf_size, "at most %d keywords of at most %d bytes",
                ENGINE_SAFETY_KEYWORDS_MAX, ENGINE_SAFETY_KEYWORD_BYTES - 1);
        return SY_ERR_CONFIG;
    }
    for (size_t i = 0; i <= len; i++)
        k->words[k->count][i] = (char)toupper((unsigned char)word[i]);
    k->count++;
    return SY_OK;
}

/* "name" or "name:channel" (channel "all" or absent: every channel). */
static sy_err_t list_word(engine_safety_conf_t *conf, void *target, const char *word,
                          char *errbuf, size_t errbuf_size) {
    (void)target;
    assert(conf->lists_count <= ENGINE_SAFETY_LISTS_MAX);
    const char *colon = strchr(word, ':');
    size_t len = colon ? (size_t)(colon - word) : strlen(word);
    int channel = !colon || strcmp(colon + 1, "all") == 0 ? -1 : sy_channel_parse(colon + 1);
    if (len == 0 || len > SY_ID_BYTES_MAX || (colon && strcmp(colon + 1, "all") != 0 &&
                                               channel < 0)) {
        sy_errf(errbuf, errbuf_size, "'%s' is not LIST or LIST:CHANNEL (a channel or all)",
                word);
        return SY_ERR_CONFIG;
    }
    if (conf->lists_count == ENGINE_SAFETY_LISTS_MAX) {
        sy_errf(errbuf, errbuf_size, "at most %d suppression lists", ENGINE_SAFETY_LISTS_MAX);
        return SY_ERR_CONFIG;
    }
    engine_safety_list_t *l = &conf->lists[conf->lists_count++];
    memcpy(l->name, word, len);
    l->name[len] = '\0';
    l->channel = channel;
    return SY_OK;
}

void engine_safety_conf_default(engine_safety_conf_t *conf) {
    char errbuf[128];
    assert(conf != NULL);
    memset(conf, 0, sizeof *conf);
    conf->bounce_hard_suppress = true;
    sy_err_t err = words_each(conf, conf->opt_out_event, ENGINE_SAFETY_OPT_OUT_EVENTS_DEFAULT,
                              event_word, errbuf, sizeof errbuf);
    err = err ? err : words_each(conf, &conf->stop, ENGINE_SAFETY_STOP_DEFAULT, keyword_word,
                                 errbuf, sizeof errbuf);
    err = err ? err : words_each(conf, &conf->stop_all, ENGINE_SAFETY_STOP_ALL_DEFAULT,
                                 keyword_word, errbuf, sizeof errbuf);
    err = err ? err : words_each(conf, &conf->start, ENGINE_SAFETY_START_DEFAULT,
                                 keyword_word, errbuf, sizeof errbuf);
    assert(err == SY_OK); /* the defaults are constants that parse */
}

/* One option's words, with the option's name in front of a problem. */
static sy_err_t option_words(engine_safety_conf_t *conf, void *target, const char *name,
                             const char *text, word_fn *fn, char *errbuf, size_t errbuf_size) {
    char why[256];
    assert(name != NULL);
    sy_err_t err = words_each(conf, target, text ? text : "", fn, why, sizeof why);
    if (err != SY_OK)
        sy_errf(errbuf, errbuf_size, "%s: %s", name, why);
    return err;
}

sy_err_t engine_safety_conf_from_config(engine_safety_conf_t *conf, const sy_config_t *c,
                                        char *errbuf, size_t errbuf_size) {
    assert(conf != NULL && c != NULL);
    memset(conf, 0, sizeof *conf);
    conf->bounce_hard_suppress = c->consent_bounce_hard_suppress != 0;
    sy_err_t err = option_words(conf, conf->opt_out_event, "consent.opt_out.events",
                                c->consent_opt_out_events, event_word, errbuf, errbuf_size);
    err = err ? err : option_words(conf, conf->opt_out_all_event, "consent.opt_out_all.events",
                                   c->consent_opt_out_all_events, event_word, errbuf,
                                   errbuf_size);
    err = err ? err : option_words(conf, &conf->stop, "consent.sms.stop.keywords",
                                   c->consent_sms_stop_keywords, keyword_word, errbuf,
                                   errbuf_size);
    err = err ? err : option_words(conf, &conf->stop_all, "consent.sms.stop_all.keywords",
                                   c->consent_sms_stop_all_keywords, keyword_word, errbuf,
                                   errbuf_size);
    err = err ? err : option_words(conf, &conf->start, "consent.sms.start.keywords",
                                   c->consent_sms_start_keywords, keyword_word, errbuf,
                                   errbuf_size);
    return err ? err : option_words(conf, NULL, "safety.suppression.lists",
                                    c->safety_suppression_lists, list_word, errbuf,
                                    errbuf_size);
}

sy_err_t engine_safety_lists_parse(engine_safety_conf_t *conf, const char *text, char *errbuf,
                                   size_t errbuf_size) {
    assert(conf != NULL && text != NULL);
    return option_words(conf, NULL, "suppression lists", text, list_word, errbuf,
                        errbuf_size);
}
