/* loadgen_rates.c — the load generator's behaviour table: defaults, "key=value" settings
 * (from --set or a rates file), checks and the printed table. Keys name a channel's event
 * types as journeys write them ("email.opened"); docs/loadgen.md lists them all. Not the
 * simulation itself: channel_sim.c draws the outcomes. */
#include "loadgen.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS (3600 * INT64_C(1000))
/* Longest delay or horizon a key accepts: 30 days, far past any journey window. */
#define LOADGEN_DELAY_MS_MAX (30 * 24 * HOUR_MS)

/* The channels channel_sim simulates, in the order of the printed table. */
static const sy_channel_t sim_channels[] = {SY_CHANNEL_EMAIL, SY_CHANNEL_SMS,
                                            SY_CHANNEL_PUSH, SY_CHANNEL_VOICE};
#define SIM_CHANNELS_COUNT (sizeof sim_channels / sizeof sim_channels[0])

/* Shares of the four coffee journeys: most contacts get the promo email, a third visit a
 * store, a fifth are lapsed customers due a call. */
static const struct {
    const char *journey_id;
    double share;
} default_shares[] = {{"coffee_email_promo", 0.6}, {"coffee_push_promo", 0.5},
                      {"coffee_sms_feedback", 0.3}, {"coffee_voice_reactivation", 0.2}};

void loadgen_rates_init(loadgen_rates_t *rates) {
    channel_sim_t sim;
    channel_sim_init(&sim, 0);
    memset(rates, 0, sizeof *rates);
    memcpy(rates->channels, sim.profiles, sizeof rates->channels);
    for (size_t i = 0; i < sizeof default_shares / sizeof default_shares[0]; i++) {
        snprintf(rates->shares[i].journey_id, sizeof rates->shares[i].journey_id, "%s",
                 default_shares[i].journey_id);
        rates->shares[i].share = default_shares[i].share;
        rates->shares_count++;
    }
    rates->share_default = 0.5;
    rates->app_opens = 2.0;
    rates->purchases = 0.3;
    rates->background_horizon_ms = 48 * HOUR_MS;
    rates->survey_completed = 0.5;
    rates->offer_claimed = 0.7;
    rates->send_delay_ms = 1000;
}

/* One settable field of a channel profile. */
typedef enum slot_kind { SLOT_PROBABILITY, SLOT_MS } slot_kind_t;
typedef struct slot {
    const char *generic; /* name valid on every channel */
    slot_kind_t kind;
    size_t offset;       /* in channel_sim_profile_t */
    int typed;           /* -1: no type; 0: reached, 1-2: failures, 3: engaged, 4: clicked */
    const char *doc;
} slot_t;

#define PROFILE_OFF(f) offsetof(channel_sim_profile_t, f)
static const slot_t slots[] = {
    {"reached", SLOT_PROBABILITY, PROFILE_OFF(reached.probability), 0,
     "of all sends: delivered (voice: attempted)"},
    {"failure1", SLOT_PROBABILITY, PROFILE_OFF(failures[0].probability), 1,
     "of all sends: first failure kind"},
    {"failure2", SLOT_PROBABILITY, PROFILE_OFF(failures[1].probability), 2,
     "of all sends: second failure kind"},
    {"engaged", SLOT_PROBABILITY, PROFILE_OFF(engaged.probability), 3,
     "given reached: opened / replied / answered"},
    {"clicked", SLOT_PROBABILITY, PROFILE_OFF(clicked.probability), 4, "given engaged"},
    {"clicked_alone", SLOT_PROBABILITY, PROFILE_OFF(clicked_alone), -1,
     "given reached and not engaged: a click without an open or reply"},
    {"reach_delay_min_ms", SLOT_MS, PROFILE_OFF(reach_delay_min_ms), -1,
     "send -> delivered/failed, uniform in [min, max]"},
    {"reach_delay_max_ms", SLOT_MS, PROFILE_OFF(reach_delay_max_ms), -1, ""},
    {"engage_delay_min_ms", SLOT_MS, PROFILE_OFF(engage_delay_min_ms), -1,
     "reached -> engaged, uniform in [min, max]; a click 1 min after"},
    {"engage_delay_max_ms", SLOT_MS, PROFILE_OFF(engage_delay_max_ms), -1, ""},
};
#define SLOTS_COUNT (sizeof slots / sizeof slots[0])

/* The event type a typed slot stands for on profile p, or CHANNEL_SIM_NO_EVENT. */
static sy_event_type_t slot_type(const slot_t *s, const channel_sim_profile_t *p) {
    switch (s->typed) {
    case 0: return p->reached.type;
    case 1: return p->failures[0].type;
    case 2: return p->failures[1].type;
    case 3: return p->engaged.type;
    case 4: return p->clicked.type;
    default: return CHANNEL_SIM_NO_EVENT;
    }
}

/* A slot usable on p: a typed one needs its event type; a click slot needs clicks. */
static int slot_usable(const slot_t *s, const channel_sim_profile_t *p) {
    if (s->typed >= 0 && slot_type(s, p) == CHANNEL_SIM_NO_EVENT)
        return 0;
    return strcmp(s->generic, "clicked_alone") != 0 || p->clicked.type != CHANNEL_SIM_NO_EVENT;
}

static const slot_t *slot_find(const channel_sim_profile_t *p, const char *name) {
    for (size_t i = 0; i < SLOTS_COUNT; i++) {
        const slot_t *s = &slots[i];
        if (!slot_usable(s, p))
            continue;
        if (strcmp(name, s->generic) == 0)
            return s;
        if (s->typed >= 0 && strcmp(name, sy_event_type_name(slot_type(s, p))) == 0)
            return s;
    }
    return NULL;
}

static int parse_probability(const char *text, double *out) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= 0.0 && v <= 1.0))
        return 0;
    *out = v;
    return 1;
}

static int parse_double_range(const char *text, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= lo && v <= hi))
        return 0;
    *out = v;
    return 1;
}

static int parse_ms(const char *text, int64_t lo, int64_t *out) {
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < lo || v > LOADGEN_DELAY_MS_MAX)
        return 0;
    *out = v;
    return 1;
}

static sy_err_t bad_value(const char *key, const char *value, const char *want, char *errbuf,
                          size_t errbuf_size) {
    snprintf(errbuf, errbuf_size, "rate %s: bad value \"%s\" (want %s)", key, value, want);
    return SY_ERR_INVALID_ARG;
}

static sy_err_t set_channel(loadgen_rates_t *rates, sy_channel_t channel, const char *key,
                            const char *name, const char *value, char *errbuf,
                            size_t errbuf_size) {
    channel_sim_profile_t *p = &rates->channels[channel];
    const slot_t *s = slot_find(p, name);
    if (!s) {
        snprintf(errbuf, errbuf_size, "rate %s: unknown key (see loadgen --print-rates)", key);
        return SY_ERR_INVALID_ARG;
    }
    char *field = (char *)p + s->offset;
    if (s->kind == SLOT_PROBABILITY) {
        double v;
        if (!parse_probability(value, &v))
            return bad_value(key, value, "a probability in [0, 1]", errbuf, errbuf_size);
        memcpy(field, &v, sizeof v);
    } else {
        int64_t v;
        if (!parse_ms(value, 0, &v))
            return bad_value(key, value, "milliseconds, 0 to 30 days", errbuf, errbuf_size);
        memcpy(field, &v, sizeof v);
    }
    return SY_OK;
}

static sy_err_t set_share(loadgen_rates_t *rates, const char *key, const char *journey_id,
                          const char *value, char *errbuf, size_t errbuf_size) {
    double v;
    if (!parse_probability(value, &v))
        return bad_value(key, value, "a probability in [0, 1]", errbuf, errbuf_size);
    if (strcmp(journey_id, "default") == 0) {
        rates->share_default = v;
        return SY_OK;
    }
    if (!*journey_id || strlen(journey_id) > SY_ID_BYTES_MAX) {
        snprintf(errbuf, errbuf_size, "rate %s: bad journey id", key);
        return SY_ERR_INVALID_ARG;
    }
    for (size_t i = 0; i < rates->shares_count; i++) {
        if (strcmp(rates->shares[i].journey_id, journey_id) == 0) {
            rates->shares[i].share = v;
            return SY_OK;
        }
    }
    if (rates->shares_count == LOADGEN_JOURNEYS_MAX) {
        snprintf(errbuf, errbuf_size, "rate %s: more than %d shares", key, LOADGEN_JOURNEYS_MAX);
        return SY_ERR_INVALID_ARG;
    }
    size_t i = rates->shares_count++;
    snprintf(rates->shares[i].journey_id, sizeof rates->shares[i].journey_id, "%s", journey_id);
    rates->shares[i].share = v;
    return SY_OK;
}

static sy_err_t set_world(loadgen_rates_t *rates, const char *key, const char *value,
                          char *errbuf, size_t errbuf_size) {
    double *prob = NULL, *count = NULL;
    int64_t *ms = NULL;
    if (strcmp(key, "background.app_opens") == 0)
        count = &rates->app_opens;
    else if (strcmp(key, "background.purchases") == 0)
        count = &rates->purchases;
    else if (strcmp(key, "background.horizon_ms") == 0)
        ms = &rates->background_horizon_ms;
    else if (strcmp(key, "reaction.survey_completed") == 0)
        prob = &rates->survey_completed;
    else if (strcmp(key, "reaction.offer_claimed") == 0)
        prob = &rates->offer_claimed;
    else if (strcmp(key, "send.delay_ms") == 0)
        ms = &rates->send_delay_ms;
    if (prob && !parse_probability(value, prob))
        return bad_value(key, value, "a probability in [0, 1]", errbuf, errbuf_size);
    if (count && !parse_double_range(value, 0, LOADGEN_BACKGROUND_MAX, count))
        return bad_value(key, value, "a mean from 0 to 16", errbuf, errbuf_size);
    if (ms && !parse_ms(value, strcmp(key, "send.delay_ms") == 0 ? 0 : 1, ms))
        return bad_value(key, value, "milliseconds, up to 30 days", errbuf, errbuf_size);
    if (prob || count || ms)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "rate %s: unknown key (see loadgen --print-rates)", key);
    return SY_ERR_INVALID_ARG;
}

sy_err_t loadgen_rates_set(loadgen_rates_t *rates, const char *text, char *errbuf,
                           size_t errbuf_size) {
    char key[LOADGEN_RATES_LINE_MAX];
    const char *eq = strchr(text, '=');
    if (!eq || (size_t)(eq - text) >= sizeof key || eq == text) {
        snprintf(errbuf, errbuf_size, "rate \"%s\": want KEY=VALUE", text);
        return SY_ERR_INVALID_ARG;
    }
    /* "key = value", as loadgen_rates_print writes it: blanks around '=' are not part of
     * either. */
    size_t key_len = (size_t)(eq - text);
    while (key_len > 0 && (text[key_len - 1] == ' ' || text[key_len - 1] == '\t'))
        key_len--;
    memcpy(key, text, key_len);
    key[key_len] = '\0';
    const char *value = eq + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    loadgen_rates_t next = *rates;
    sy_err_t err;
    const char *dot = strchr(key, '.');
    int channel = -1;
    if (dot) {
        char prefix[32];
        size_t n = (size_t)(dot - key);
        if (n < sizeof prefix) {
            memcpy(prefix, key, n);
            prefix[n] = '\0';
            channel = sy_channel_parse(prefix);
        }
    }
    int simulated = 0;
    for (size_t i = 0; i < SIM_CHANNELS_COUNT; i++)
        simulated |= channel >= 0 && sim_channels[i] == (sy_channel_t)channel;
    if (simulated)
        err = set_channel(&next, (sy_channel_t)channel, key, dot + 1, value, errbuf,
                          errbuf_size);
    else if (strncmp(key, "share.", 6) == 0)
        err = set_share(&next, key, key + 6, value, errbuf, errbuf_size);
    else
        err = set_world(&next, key, value, errbuf, errbuf_size);
    if (err == SY_OK)
        *rates = next;
    return err;
}

sy_err_t loadgen_rates_load(loadgen_rates_t *rates, const char *path, char *errbuf,
                            size_t errbuf_size) {
    char line[LOADGEN_RATES_LINE_MAX], detail[512];
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errbuf, errbuf_size, "%s: %s", path, strerror(errno));
        return SY_ERR_IO;
    }
    sy_err_t err = SY_OK;
    for (int lineno = 1; fgets(line, sizeof line, f); lineno++) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *start = line, *end = line + strlen(line);
        while (*start == ' ' || *start == '\t')
            start++;
        while (end > start && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' ||
                               end[-1] == '\t'))
            *--end = '\0';
        if (!*start)
            continue;
        if ((err = loadgen_rates_set(rates, start, detail, sizeof detail)) != SY_OK) {
            snprintf(errbuf, errbuf_size, "%s:%d: %s", path, lineno, detail);
            break;
        }
    }
    if (err == SY_OK && ferror(f)) {
        snprintf(errbuf, errbuf_size, "%s: read error", path);
        err = SY_ERR_IO;
    }
    fclose(f);
    return err;
}

sy_err_t loadgen_rates_check(const loadgen_rates_t *rates, char *errbuf, size_t errbuf_size) {
    for (size_t i = 0; i < SIM_CHANNELS_COUNT; i++) {
        const channel_sim_profile_t *p = &rates->channels[sim_channels[i]];
        const char *name = sy_channel_name(sim_channels[i]);
        double sum = p->reached.probability + p->failures[0].probability +
                     p->failures[1].probability;
        if (sum > 1.0 + 1e-9) {
            snprintf(errbuf, errbuf_size,
                     "rates of %s: reached + failures = %.4f, more than 1", name, sum);
            return SY_ERR_INVALID_ARG;
        }
        if (p->reach_delay_min_ms > p->reach_delay_max_ms ||
            p->engage_delay_min_ms > p->engage_delay_max_ms) {
            snprintf(errbuf, errbuf_size, "rates of %s: a delay's min is above its max", name);
            return SY_ERR_INVALID_ARG;
        }
    }
    return SY_OK;
}

static void print_channel(const channel_sim_profile_t *p, const char *channel, FILE *out) {
    for (size_t i = 0; i < SLOTS_COUNT; i++) {
        const slot_t *s = &slots[i];
        if (!slot_usable(s, p))
            continue;
        const char *name = s->typed >= 0 ? sy_event_type_name(slot_type(s, p)) : s->generic;
        const char *field = (const char *)p + s->offset;
        char key[64];
        snprintf(key, sizeof key, "%s.%s", channel, name);
        if (s->kind == SLOT_PROBABILITY) {
            double v;
            memcpy(&v, field, sizeof v);
            fprintf(out, "%-36s = %-10.4g", key, v);
        } else {
            int64_t v;
            memcpy(&v, field, sizeof v);
            fprintf(out, "%-36s = %-10lld", key, (long long)v);
        }
        fprintf(out, "%s%s\n", *s->doc ? " # " : "", s->doc);
    }
}

void loadgen_rates_print(const loadgen_rates_t *rates, FILE *out) {
    fprintf(out, "# loadgen rates: KEY = VALUE  (--set KEY=VALUE, or --rates FILE of these "
                 "lines)\n");
    for (size_t i = 0; i < SIM_CHANNELS_COUNT; i++)
        print_channel(&rates->channels[sim_channels[i]], sy_channel_name(sim_channels[i]),
                      out);
    for (size_t i = 0; i < rates->shares_count; i++) {
        char key[SY_ID_BYTES_MAX + 8];
        snprintf(key, sizeof key, "share.%s", rates->shares[i].journey_id);
        fprintf(out, "%-36s = %-10.4g # of contacts entering the journey\n", key,
                rates->shares[i].share);
    }
    fprintf(out, "%-36s = %-10.4g # for journeys without a share.<id>\n", "share.default",
            rates->share_default);
    fprintf(out, "%-36s = %-10.4g # mean custom.app_open per contact\n",
            "background.app_opens", rates->app_opens);
    fprintf(out, "%-36s = %-10.4g # mean custom.purchase per contact\n",
            "background.purchases", rates->purchases);
    fprintf(out, "%-36s = %-10lld # background events within this of arrival\n",
            "background.horizon_ms", (long long)rates->background_horizon_ms);
    fprintf(out, "%-36s = %-10.4g # given an SMS click\n", "reaction.survey_completed",
            rates->survey_completed);
    fprintf(out, "%-36s = %-10.4g # given a push click\n", "reaction.offer_claimed",
            rates->offer_claimed);
    fprintf(out, "%-36s = %-10lld # open loop: entry -> the send answered\n",
            "send.delay_ms", (long long)rates->send_delay_ms);
}

double loadgen_rates_share(const loadgen_rates_t *rates, const char *journey_id) {
    for (size_t i = 0; i < rates->shares_count; i++)
        if (strcmp(rates->shares[i].journey_id, journey_id) == 0)
            return rates->shares[i].share;
    return rates->share_default;
}

size_t loadgen_rates_respond(const loadgen_rates_t *rates, uint64_t seed,
                             const sy_action_t *action, channel_sim_event_t *out) {
    channel_sim_t sim;
    sim.seed = seed;
    memcpy(sim.profiles, rates->channels, sizeof sim.profiles);
    return channel_sim_respond(&sim, action, out);
}
