/* journey_best.c — the cross-channel parts of a journey file: a send node's
 * `channel: best` with its `among` channels and their `templates`, and the journey's
 * `fatigue:` rules. Checks and builds them only; the engine picks the channel and applies
 * fatigue (engine_engagement.c). */
#include "journey_int.h"

#include <stdlib.h>
#include <string.h>

/* A channel of among or of a fatigue map: one a journey sends on (not task), or -1. */
static int best_channel_parse(const journey_doc_node_t *value) {
    int c = value->kind == JOURNEY_DOC_SCALAR ? sy_channel_parse(value->text) : -1;
    return c == SY_CHANNEL_EMAIL || c == SY_CHANNEL_SMS || c == SY_CHANNEL_PUSH ||
                   c == SY_CHANNEL_VOICE || c == SY_CHANNEL_IN_APP || c == SY_CHANNEL_WEB
               ? c : -1;
}

uint32_t journey_best_channels(const journey_doc_node_t *send_map) {
    const journey_doc_node_t *channel = journey_doc_get(send_map, "channel");
    const journey_doc_node_t *among = journey_doc_get(send_map, "among");
    uint32_t mask = 0;
    if (!channel || channel->kind != JOURNEY_DOC_SCALAR || strcmp(channel->text, "best") != 0 ||
        !among || among->kind != JOURNEY_DOC_SEQ)
        return 0;
    for (size_t i = 0; i < among->count; i++) {
        int c = best_channel_parse(among->items[i]);
        if (c >= 0)
            mask |= 1u << c;
    }
    return mask;
}

/* `among:`: 2 to JOURNEY_BEST_CHANNELS_MAX distinct channels, in tie-break order. */
static sy_err_t best_among(journey_build_t *b, journey_send_t *send,
                           const journey_doc_node_t *among) {
    if (among->kind != JOURNEY_DOC_SEQ || among->count < 2 ||
        among->count > JOURNEY_BEST_CHANNELS_MAX)
        return journey_fail(b, SY_ERR_JOURNEY, among->line, among->column,
                            "'among' is a list of 2 to %d channels (email, sms, push, voice, "
                            "in_app, web)", JOURNEY_BEST_CHANNELS_MAX);
    for (size_t i = 0; i < among->count; i++) {
        const journey_doc_node_t *item = among->items[i];
        int c = best_channel_parse(item);
        if (c < 0)
            return journey_fail(b, SY_ERR_JOURNEY, item->line, item->column,
                                "'among' names channels email, sms, push, voice, in_app or "
                                "web, not '%s'", item->kind == JOURNEY_DOC_SCALAR
                                                     ? item->text : "a collection");
        for (size_t k = 0; k < i; k++)
            if (send->among[k] == (sy_channel_t)c)
                return journey_fail(b, SY_ERR_JOURNEY, item->line, item->column,
                                    "'among' names %s twice", item->text);
        send->among[send->among_count++] = (sy_channel_t)c;
    }
    return SY_OK;
}

/* `templates:`: a map from each among channel (and no other) to its template id. */
static sy_err_t best_templates(journey_build_t *b, journey_send_t *send,
                               const journey_doc_node_t *map) {
    if (map->kind != JOURNEY_DOC_MAP)
        return journey_fail(b, SY_ERR_JOURNEY, map->line, map->column,
                            "'templates' maps each channel of 'among' to its template");
    for (size_t i = 0; i < map->count; i++) {
        const journey_doc_key_t *key = &map->keys[i];
        int c = sy_channel_parse(key->text);
        bool listed = false;
        for (size_t k = 0; k < send->among_count; k++)
            listed |= c >= 0 && send->among[k] == (sy_channel_t)c;
        if (!listed)
            return journey_fail(b, SY_ERR_JOURNEY, key->line, key->column,
                                "'templates' names %s, which is not in 'among'", key->text);
        sy_err_t err = journey_string(b, map->items[i], "template", &send->templates[c]);
        if (err)
            return err;
    }
    for (size_t k = 0; k < send->among_count; k++)
        if (!send->templates[send->among[k]])
            return journey_fail(b, SY_ERR_JOURNEY, map->line, map->column,
                                "'templates' has no template for %s",
                                sy_channel_name(send->among[k]));
    return SY_OK;
}

sy_err_t journey_send_best(journey_build_t *b, journey_send_t *send,
                           const journey_doc_node_t *map) {
    const journey_doc_node_t *among, *templates, *single = journey_doc_get(map, "template");
    if (single)
        return journey_fail(b, SY_ERR_JOURNEY, single->line, single->column,
                            "a 'channel: best' send has 'templates' (one per channel), not "
                            "'template'");
    sy_err_t err = journey_need(b, map, "among", "send", &among);
    if (!err)
        err = journey_need(b, map, "templates", "send", &templates);
    if (!err)
        err = best_among(b, send, among);
    if (!err)
        err = best_templates(b, send, templates);
    if (err)
        return err;
    send->best = true;
    send->channel = send->among[0];
    send->template_id = strdup(send->templates[send->among[0]]);
    return send->template_id ? SY_OK : SY_ERR_NOMEM;
}

static const char *const fatigue_rule_keys[] = {"ignored", "engaged_elsewhere", NULL};

/* One channel's fatigue: off, or {ignored: N, engaged_elsewhere: D}. */
static sy_err_t fatigue_rule(journey_build_t *b, const journey_doc_node_t *value,
                             journey_fatigue_t *out) {
    const journey_doc_node_t *ignored, *elsewhere;
    if (value->kind == JOURNEY_DOC_SCALAR && strcmp(value->text, "off") == 0) {
        *out = (journey_fatigue_t){.mode = JOURNEY_FATIGUE_OFF};
        return SY_OK;
    }
    sy_err_t err = journey_keys_check(b, value, fatigue_rule_keys, "fatigue rule");
    if (!err)
        err = journey_need(b, value, "ignored", "fatigue rule", &ignored);
    if (!err)
        err = journey_need(b, value, "engaged_elsewhere", "fatigue rule", &elsewhere);
    if (!err)
        err = journey_duration(b, elsewhere, &out->elsewhere_ms);
    if (err)
        return err;
    const char *text = ignored->kind == JOURNEY_DOC_SCALAR ? ignored->text : "";
    size_t digits = strspn(text, "0123456789");
    long n = digits > 0 && digits <= 4 && text[digits] == '\0' ? strtol(text, NULL, 10) : 0;
    if (n < 1 || n > JOURNEY_FATIGUE_IGNORED_MAX)
        return journey_fail(b, SY_ERR_JOURNEY, ignored->line, ignored->column,
                            "'ignored' must be a whole number from 1 to %d, not '%s'",
                            JOURNEY_FATIGUE_IGNORED_MAX, text);
    out->mode = JOURNEY_FATIGUE_RULE;
    out->ignored = (int)n;
    return SY_OK;
}

sy_err_t journey_fatigue_build(journey_build_t *b, const journey_doc_node_t *value) {
    journey_fatigue_t *f = b->journey->fatigue;
    if (!value)
        return SY_OK;
    if (value->kind == JOURNEY_DOC_SCALAR && strcmp(value->text, "off") == 0) {
        for (int c = 0; c < SY_CHANNEL__COUNT; c++)
            f[c] = (journey_fatigue_t){.mode = JOURNEY_FATIGUE_OFF};
        return SY_OK;
    }
    if (value->kind != JOURNEY_DOC_MAP)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "'fatigue' is off, or a map of channel to off or {ignored: N, "
                            "engaged_elsewhere: D}");
    for (size_t i = 0; i < value->count; i++) {
        const journey_doc_key_t *key = &value->keys[i];
        journey_doc_node_t name = {.kind = JOURNEY_DOC_SCALAR, .text = key->text};
        int c = best_channel_parse(&name);
        if (c < 0)
            return journey_fail(b, SY_ERR_JOURNEY, key->line, key->column,
                                "'fatigue' names channels email, sms, push, voice, in_app or "
                                "web, not '%s'", key->text);
        sy_err_t err = fatigue_rule(b, value->items[i], &f[c]);
        if (err)
            return err;
    }
    return SY_OK;
}
