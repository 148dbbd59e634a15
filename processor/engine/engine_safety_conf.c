/* engine_safety_conf.c — the consent, suppression, cap and quiet hours settings
 * (engine_safety.h): their defaults, and reading them from the config's consent.* and
 * safety.* options. Not the rules themselves (engine_safety.c, engine_caps.c,
 * engine_quiet.c). */
#include "engine_safety.h"

#include <assert.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sy_error.h"
#include "sy_time.h"

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

/* A cap rule's name: 1 to SY_ID_BYTES_MAX of a-z, 0-9, '_', '.', '-'. */
static bool cap_name_valid(const char *name, size_t len) {
    assert(name != NULL);
    if (len == 0 || len > SY_ID_BYTES_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!islower((unsigned char)name[i]) && !isdigit((unsigned char)name[i]) &&
            !strchr("_.-", name[i]))
            return false;
    return true;
}

/* A rule's parts after its name: CHANNEL, CATEGORY, N and WINDOW into r, or the message
 * of the first bad one into why. */
static bool cap_parts(engine_cap_rule_t *r, char *parts, char *why, size_t why_size) {
    char *category = strchr(parts, ':');
    char *count = category ? strchr(category + 1, ':') : NULL;
    char *window = count ? strchr(count + 1, '/') : NULL;
    assert(parts != NULL);
    if (!window) {
        snprintf(why, why_size, "write NAME:CHANNEL:CATEGORY:N/WINDOW");
        return false;
    }
    *category++ = '\0', *count++ = '\0', *window++ = '\0';
    r->channel = strcmp(parts, "all") == 0 ? -1 : sy_channel_parse(parts);
    r->category = strcmp(category, "any") == 0 ? -1
                  : strcmp(category, "marketing") == 0 ? JOURNEY_CATEGORY_MARKETING
                  : strcmp(category, "transactional") == 0 ? JOURNEY_CATEGORY_TRANSACTIONAL
                                                            : -2;
    char *end = NULL;
    long n = isdigit((unsigned char)count[0]) ? strtol(count, &end, 10) : 0;
    r->count_max = end && *end == '\0' && n <= ENGINE_SAFETY_CAP_SENDS_MAX ? (int)n : 0;
    if (strcmp(parts, "all") != 0 && r->channel < 0)
        snprintf(why, why_size, "channel '%s' is not a channel or all", parts);
    else if (r->category == -2)
        snprintf(why, why_size, "category '%s' is not marketing, transactional or any",
                 category);
    else if (r->count_max < 1 || r->count_max > ENGINE_SAFETY_CAP_SENDS_MAX)
        snprintf(why, why_size, "N '%s' is not a whole number from 1 to %d", count,
                 ENGINE_SAFETY_CAP_SENDS_MAX);
    else if (sy_duration_parse(window, &r->window_ms) != SY_DURATION_OK)
        snprintf(why, why_size, "window '%s' is not a duration (24h, 7d, 30d)", window);
    else
        return true;
    return false;
}

/* NAME:CHANNEL:CATEGORY:N/WINDOW. */
static sy_err_t cap_word(engine_safety_conf_t *conf, void *target, const char *word,
                         char *errbuf, size_t errbuf_size) {
    char copy[SY_ID_BYTES_MAX + 16], why[160];
    engine_cap_rule_t r = {0};
    (void)target;
    assert(strlen(word) < sizeof copy && conf->caps_count <= ENGINE_SAFETY_CAPS_MAX);
    snprintf(copy, sizeof copy, "%s", word);
    char *colon = strchr(copy, ':');
    size_t len = colon ? (size_t)(colon - copy) : strlen(copy);
    bool ok = false;
    if (!cap_name_valid(copy, len))
        snprintf(why, sizeof why, "name '%.*s' is not 1 to %d of a-z, 0-9, '_', '.', '-'",
                 (int)len, copy, SY_ID_BYTES_MAX);
    else if (!colon)
        snprintf(why, sizeof why, "write NAME:CHANNEL:CATEGORY:N/WINDOW");
    else
        ok = cap_parts(&r, colon + 1, why, sizeof why);
    for (size_t i = 0; ok && i < conf->caps_count; i++)
        if (strlen(conf->caps[i].name) == len && strncmp(conf->caps[i].name, copy, len) == 0) {
            snprintf(why, sizeof why, "a second rule named '%.*s'", (int)len, copy);
            ok = false;
        }
    if (ok && conf->caps_count == ENGINE_SAFETY_CAPS_MAX)
        snprintf(why, sizeof why, "more than %d rules", ENGINE_SAFETY_CAPS_MAX), ok = false;
    if (!ok) {
        sy_errf(errbuf, errbuf_size, "rule '%s': %s", word, why);
        return SY_ERR_CONFIG;
    }
    memcpy(r.name, copy, len);
    conf->caps[conf->caps_count++] = r;
    return SY_OK;
}

/* "HH:MM" (00:00 to 23:59) at text, exactly 5 characters, as a minute of the day; -1
 * when it is not one. */
static int quiet_minute(const char *text) {
    assert(text != NULL);
    if (strlen(text) != 5 || !isdigit((unsigned char)text[0]) ||
        !isdigit((unsigned char)text[1]) || text[2] != ':' ||
        !isdigit((unsigned char)text[3]) || !isdigit((unsigned char)text[4]))
        return -1;
    int h = (text[0] - '0') * 10 + text[1] - '0', m = (text[3] - '0') * 10 + text[4] - '0';
    return h < 24 && m < 60 ? h * 60 + m : -1;
}

sy_err_t engine_safety_quiet_parse(engine_safety_conf_t *conf, sy_channel_t channel,
                                   const char *text, char *errbuf, size_t errbuf_size) {
    char start[16] = "", end[16] = "";
    assert(conf != NULL && (unsigned)channel < SY_CHANNEL__COUNT);
    conf->quiet[channel] = (engine_quiet_hours_t){0};
    if (!text || !*text)
        return SY_OK;
    const char *dash = strchr(text, '-');
    if (dash && (size_t)(dash - text) < sizeof start && strlen(dash + 1) < sizeof end) {
        memcpy(start, text, (size_t)(dash - text));
        snprintf(end, sizeof end, "%s", dash + 1);
    }
    int a = quiet_minute(start), b = quiet_minute(end);
    if (!dash)
        sy_errf(errbuf, errbuf_size, "'%s' is not HH:MM-HH:MM (as 21:00-08:00)", text);
    else if (a < 0)
        sy_errf(errbuf, errbuf_size, "start '%s' is not a time HH:MM (00:00 to 23:59)",
                start);
    else if (b < 0)
        sy_errf(errbuf, errbuf_size, "end '%s' is not a time HH:MM (00:00 to 23:59)", end);
    else if (a == b)
        sy_errf(errbuf, errbuf_size, "start and end are both %s: leave the option empty "
                "for no quiet hours", start);
    else {
        conf->quiet[channel] = (engine_quiet_hours_t){true, a, b};
        return SY_OK;
    }
    return SY_ERR_CONFIG;
}

sy_err_t engine_safety_quiet_check(const engine_safety_conf_t *conf, char *errbuf,
                                   size_t errbuf_size) {
    assert(conf != NULL && conf->quiet_spread_ms >= 0);
    for (int c = 0; c < SY_CHANNEL__COUNT; c++) {
        const engine_quiet_hours_t *q = &conf->quiet[c];
        if (!q->on)
            continue;
        int quiet = (q->end_minute - q->start_minute + 1440) % 1440;
        int64_t open_ms = (int64_t)(1440 - quiet) * 60000;
        if (conf->quiet_spread_ms > open_ms) {
            sy_errf(errbuf, errbuf_size, "safety.quiet_hours.spread.ms: %lld ms is longer "
                    "than the %lld ms outside %s's quiet hours: held sends would leave "
                    "inside them", (long long)conf->quiet_spread_ms, (long long)open_ms,
                    sy_channel_name((sy_channel_t)c));
            return SY_ERR_CONFIG;
        }
    }
    return SY_OK;
}

/* The address attributes of best-channel sends, as the config's defaults. */
static void conf_addresses_default(engine_safety_conf_t *conf) {
    assert(conf != NULL);
    snprintf(conf->address_attr[SY_CHANNEL_EMAIL], SY_ID_BYTES_MAX + 1, "%s",
             ENGINE_SAFETY_ADDRESS_EMAIL);
    snprintf(conf->address_attr[SY_CHANNEL_SMS], SY_ID_BYTES_MAX + 1, "%s",
             ENGINE_SAFETY_ADDRESS_SMS);
    snprintf(conf->address_attr[SY_CHANNEL_PUSH], SY_ID_BYTES_MAX + 1, "%s",
             ENGINE_SAFETY_ADDRESS_PUSH);
    snprintf(conf->address_attr[SY_CHANNEL_VOICE], SY_ID_BYTES_MAX + 1, "%s",
             ENGINE_SAFETY_ADDRESS_VOICE);
}

/* One part of a fatigue rule, "ignored:N" or "engaged_elsewhere:D", into *f. */
static sy_err_t fatigue_part(const char *part, journey_fatigue_t *f, char *why,
                             size_t why_size) {
    static const char ignored[] = "ignored:", elsewhere[] = "engaged_elsewhere:";
    assert(part != NULL);
    if (strncmp(part, elsewhere, sizeof elsewhere - 1) == 0) {
        const char *d = part + sizeof elsewhere - 1;
        if (sy_duration_parse(d, &f->elsewhere_ms) == SY_DURATION_OK)
            return SY_OK;
        sy_errf(why, why_size, "bad duration '%s' (write 14d, 72h)", d);
        return SY_ERR_CONFIG;
    }
    if (strncmp(part, ignored, sizeof ignored - 1) == 0) {
        const char *n = part + sizeof ignored - 1;
        size_t digits = strspn(n, "0123456789");
        f->ignored = digits > 0 && digits <= 4 && n[digits] == '\0'
                         ? (int)strtol(n, NULL, 10) : 0;
        if (f->ignored >= 1 && f->ignored <= JOURNEY_FATIGUE_IGNORED_MAX)
            return SY_OK;
        sy_errf(why, why_size, "ignored must be 1 to %d, not '%s'",
                JOURNEY_FATIGUE_IGNORED_MAX, n);
        return SY_ERR_CONFIG;
    }
    sy_errf(why, why_size, "'%s' is neither ignored:N nor engaged_elsewhere:D", part);
    return SY_ERR_CONFIG;
}

sy_err_t engine_safety_fatigue_parse(engine_safety_conf_t *conf, sy_channel_t channel,
                                     const char *text, char *errbuf, size_t errbuf_size) {
    char copy[128], *save = NULL;
    journey_fatigue_t f = {.mode = JOURNEY_FATIGUE_RULE};
    assert(conf != NULL && (unsigned)channel < SY_CHANNEL__COUNT);
    conf->fatigue[channel] = (journey_fatigue_t){.mode = JOURNEY_FATIGUE_CONFIG};
    if (!text || !*text)
        return SY_OK;
    if (strlen(text) >= sizeof copy) {
        sy_errf(errbuf, errbuf_size, "longer than %zu bytes", sizeof copy - 1);
        return SY_ERR_CONFIG;
    }
    snprintf(copy, sizeof copy, "%s", text);
    for (char *part = strtok_r(copy, ",", &save); part; part = strtok_r(NULL, ",", &save)) {
        sy_err_t err = fatigue_part(part, &f, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
    }
    if (f.ignored == 0 || f.elsewhere_ms == 0) {
        sy_errf(errbuf, errbuf_size, "write both ignored:N and engaged_elsewhere:D");
        return SY_ERR_CONFIG;
    }
    conf->fatigue[channel] = f;
    return SY_OK;
}

void engine_safety_conf_default(engine_safety_conf_t *conf) {
    char errbuf[128];
    assert(conf != NULL);
    memset(conf, 0, sizeof *conf);
    conf->bounce_hard_suppress = true;
    conf->quiet_spread_ms = ENGINE_SAFETY_QUIET_SPREAD_MS_DEFAULT;
    snprintf(conf->timezone_attr, sizeof conf->timezone_attr, "%s",
             ENGINE_SAFETY_TIMEZONE_ATTR_DEFAULT);
    snprintf(conf->timezone_default, sizeof conf->timezone_default, "%s",
             ENGINE_SAFETY_TIMEZONE_DEFAULT);
    sy_err_t err = words_each(conf, conf->opt_out_event, ENGINE_SAFETY_OPT_OUT_EVENTS_DEFAULT,
                              event_word, errbuf, sizeof errbuf);
    err = err ? err : words_each(conf, &conf->stop, ENGINE_SAFETY_STOP_DEFAULT, keyword_word,
                                 errbuf, sizeof errbuf);
    err = err ? err : words_each(conf, &conf->stop_all, ENGINE_SAFETY_STOP_ALL_DEFAULT,
                                 keyword_word, errbuf, sizeof errbuf);
    err = err ? err : words_each(conf, &conf->start, ENGINE_SAFETY_START_DEFAULT,
                                 keyword_word, errbuf, sizeof errbuf);
    assert(err == SY_OK); /* the defaults are constants that parse */
    conf_addresses_default(conf);
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

/* The caps and quiet hours options of c into conf (its consent part already read). */
static sy_err_t conf_caps_quiet(engine_safety_conf_t *conf, const sy_config_t *c,
                                char *errbuf, size_t errbuf_size) {
    char why[256];
    assert(conf != NULL && c != NULL);
    sy_err_t err = option_words(conf, NULL, "safety.caps", c->safety_caps, cap_word, errbuf,
                                errbuf_size);
    for (int ch = 0; err == SY_OK && ch < SY_CHANNEL__COUNT; ch++) {
        err = engine_safety_quiet_parse(conf, (sy_channel_t)ch, c->safety_quiet_hours[ch], why,
                                        sizeof why);
        if (err != SY_OK)
            sy_errf(errbuf, errbuf_size, "safety.quiet_hours.%s: %s",
                    sy_channel_name((sy_channel_t)ch), why);
    }
    for (int ch = 0; err == SY_OK && ch < SY_CHANNEL__COUNT; ch++) {
        err = engine_safety_fatigue_parse(conf, (sy_channel_t)ch, c->safety_fatigue[ch], why,
                                          sizeof why);
        if (err != SY_OK)
            sy_errf(errbuf, errbuf_size, "safety.fatigue.%s: %s",
                    sy_channel_name((sy_channel_t)ch), why);
        if (c->safety_address[ch])
            snprintf(conf->address_attr[ch], SY_ID_BYTES_MAX + 1, "%s", c->safety_address[ch]);
    }
    conf->quiet_spread_ms = c->safety_quiet_hours_spread_ms;
    snprintf(conf->timezone_attr, sizeof conf->timezone_attr, "%s",
             c->safety_quiet_hours_timezone_attribute);
    snprintf(conf->timezone_default, sizeof conf->timezone_default, "%s",
             c->safety_quiet_hours_timezone_default);
    return err ? err : engine_safety_quiet_check(conf, errbuf, errbuf_size);
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
    err = err ? err : option_words(conf, NULL, "safety.suppression.lists",
                                   c->safety_suppression_lists, list_word, errbuf,
                                   errbuf_size);
    return err ? err : conf_caps_quiet(conf, c, errbuf, errbuf_size);
}

sy_err_t engine_safety_caps_parse(engine_safety_conf_t *conf, const char *text, char *errbuf,
                                  size_t errbuf_size) {
    assert(conf != NULL && text != NULL);
    return option_words(conf, NULL, "caps", text, cap_word, errbuf, errbuf_size);
}

sy_err_t engine_safety_lists_parse(engine_safety_conf_t *conf, const char *text, char *errbuf,
                                   size_t errbuf_size) {
    assert(conf != NULL && text != NULL);
    return option_words(conf, NULL, "suppression lists", text, list_word, errbuf,
                        errbuf_size);
}
