/* journey_conversion.c — reads one conversion rule (journey_conversion.h) from a document
 * map, with SOURCE:LINE:COLUMN errors, for the calls document and for journeys alike.
 * Not the list around it (names unique, how many) and not the evaluation of a rule. */
#include "journey_conversion.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey.h"

typedef struct rule_parse {
    const char *source;
    char *errbuf;
    size_t errbuf_size;
} rule_parse_t;

static sy_err_t fail(rule_parse_t *p, const journey_doc_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static sy_err_t fail(rule_parse_t *p, const journey_doc_node_t *at, const char *fmt, ...) {
    va_list ap;
    assert(p && at);
    va_start(ap, fmt);
    sy_errf_at_v(p->errbuf, p->errbuf_size, p->source, at->line, at->column, fmt, ap);
    va_end(ap);
    return SY_ERR_CONFIG;
}

/* A scalar's text, or an error naming key. */
static sy_err_t scalar(rule_parse_t *p, const journey_doc_node_t *v, const char *key,
                       const char **out) {
    assert(p && v && out);
    if (v->kind != JOURNEY_DOC_SCALAR || v->text[0] == '\0')
        return fail(p, v, "'%s' must be a non-empty value", key);
    *out = v->text;
    return SY_OK;
}

static sy_err_t owned(rule_parse_t *p, const journey_doc_node_t *v, const char *key,
                      char **out) {
    const char *text = NULL;
    sy_err_t err = scalar(p, v, key, &text);
    if (err)
        return err;
    *out = strdup(text);
    return *out ? SY_OK : SY_ERR_NOMEM;
}

/* A rule's value: a finite number. */
static sy_err_t rule_value(rule_parse_t *p, journey_conversion_t *rule,
                           const journey_doc_node_t *v) {
    char *end;
    const char *text = NULL;
    assert(rule);
    sy_err_t err = scalar(p, v, "value", &text);
    if (err)
        return err;
    errno = 0;
    rule->value = strtod(text, &end);
    if (*end || errno || !isfinite(rule->value))
        return fail(p, v, "'value' must be a number, not '%s'", text);
    return SY_OK;
}

static sy_err_t rule_phrases(rule_parse_t *p, journey_conversion_t *rule,
                             const journey_doc_node_t *seq) {
    assert(p && rule && seq);
    if (seq->kind != JOURNEY_DOC_SEQ || seq->count == 0 ||
        seq->count > JOURNEY_CONVERSION_PHRASES_MAX)
        return fail(p, seq, "'transcript_contains' must be a list of 1 to %d phrases",
                    JOURNEY_CONVERSION_PHRASES_MAX);
    for (size_t i = 0; i < seq->count; i++) {
        sy_err_t err = owned(p, seq->items[i], "transcript_contains", &rule->phrases[i]);
        if (err)
            return err;
        rule->phrases_count = i + 1;
        for (char *c = rule->phrases[i]; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    }
    return SY_OK;
}

/* The optional conditions of a rule. */
static sy_err_t rule_conditions(rule_parse_t *p, journey_conversion_t *rule,
                                const journey_doc_node_t *map) {
    const journey_doc_node_t *v;
    int64_t ms;
    sy_err_t err = SY_OK;
    assert(p && rule && map);
    rule->duration_min_s = -1;
    if ((v = journey_doc_get(map, "duration_min"))) {
        if (v->kind != JOURNEY_DOC_SCALAR || !journey_duration_parse(v->text, &ms) ||
            ms % 1000)
            return fail(p, v, "bad duration_min: write whole seconds or more, like 90s");
        rule->duration_min_s = ms / 1000;
    }
    if (!err && (v = journey_doc_get(map, "transcript_contains")))
        err = rule_phrases(p, rule, v);
    if (!err && (v = journey_doc_get(map, "outcome")))
        err = owned(p, v, "outcome", &rule->outcome);
    if (!err && (v = journey_doc_get(map, "caller_attribute")))
        err = owned(p, v, "caller_attribute", &rule->caller_attr);
    return err;
}

static const char *const rule_keys[] = {"name",          "duration_min", "transcript_contains",
                                        "outcome",       "caller_attribute", "value",
                                        "value_field",   "currency",     NULL};

/* Every key of map is a rule's. */
static sy_err_t keys_check(rule_parse_t *p, const journey_doc_node_t *map) {
    assert(p && map);
    if (map->kind != JOURNEY_DOC_MAP)
        return fail(p, map, "a conversion rule must be a map, not %s",
                    journey_doc_kind_name(map));
    for (size_t i = 0; i < map->count; i++) {
        size_t k = 0;
        while (rule_keys[k] && strcmp(rule_keys[k], map->keys[i].text) != 0)
            k++;
        if (!rule_keys[k])
            return fail(p, map->items[i], "unknown key '%s' in a conversion rule",
                        map->keys[i].text);
    }
    return SY_OK;
}

sy_err_t journey_conversion_parse(journey_conversion_t *rule, const journey_doc_node_t *map,
                                  const char *source, char *errbuf, size_t errbuf_size) {
    rule_parse_t p = {source, errbuf, errbuf_size};
    const journey_doc_node_t *v = NULL, *value, *field;
    const char *name = NULL, *currency = NULL;
    assert(rule && map && source);
    memset(rule, 0, sizeof *rule);
    rule->line = map->line;
    rule->column = map->column;
    sy_err_t err = keys_check(&p, map);
    if (!err && !journey_doc_get(map, "name"))
        err = fail(&p, map, "missing 'name' in conversion rule");
    if (!err && !(v = journey_doc_get(map, "currency")))
        err = fail(&p, map, "missing 'currency' in conversion rule");
    if (err || (err = scalar(&p, journey_doc_get(map, "name"), "name", &name)) ||
        (err = scalar(&p, v, "currency", &currency)))
        return err;
    if (strlen(name) > SY_ID_BYTES_MAX)
        return fail(&p, journey_doc_get(map, "name"), "rule name longer than %d bytes",
                    SY_ID_BYTES_MAX);
    memcpy(rule->name, name, strlen(name) + 1);
    if (strlen(currency) != 3 || strspn(currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
        return fail(&p, v, "bad currency '%s': write an ISO 4217 code, like USD", currency);
    memcpy(rule->currency, currency, 4);
    value = journey_doc_get(map, "value");
    field = journey_doc_get(map, "value_field");
    if ((value != NULL) == (field != NULL))
        return fail(&p, map, "a conversion rule needs one of 'value' and 'value_field'");
    if ((err = value ? rule_value(&p, rule, value)
                     : owned(&p, field, "value_field", &rule->value_field)))
        return err;
    return rule_conditions(&p, rule, map);
}

void journey_conversion_free(journey_conversion_t *rule) {
    /* no assert: NULL is a no-op */
    if (!rule)
        return;
    for (size_t k = 0; k < JOURNEY_CONVERSION_PHRASES_MAX; k++)
        free(rule->phrases[k]);
    free(rule->outcome);
    free(rule->caller_attr);
    free(rule->value_field);
    memset(rule, 0, sizeof *rule);
}
