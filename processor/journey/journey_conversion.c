/* journey_conversion.c — reads one conversion rule (journey_conversion.h) from a document
 * map, with SOURCE:LINE:COLUMN errors, for the calls document and for journeys alike.
 * Not the list around it (names unique, how many) and not the evaluation of a rule. */
#include "journey_conversion.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "journey.h"
#include "journey_doc_read.h"

/* A rule's value: a finite number. */
static sy_err_t rule_value(const journey_doc_reader_t *r, journey_conversion_t *rule,
                           const journey_doc_node_t *v) {
    char *end;
    const char *text = NULL;
    assert(rule);
    sy_err_t err = journey_doc_scalar(r, v, "value", &text);
    if (err)
        return err;
    errno = 0;
    rule->value = strtod(text, &end);
    if (*end || errno || !isfinite(rule->value))
        return journey_doc_fail(r, v, "'value' must be a number, not '%s'", text);
    return SY_OK;
}

static sy_err_t rule_phrases(const journey_doc_reader_t *r, journey_conversion_t *rule,
                             const journey_doc_node_t *seq) {
    assert(r && rule && seq);
    if (seq->kind != JOURNEY_DOC_SEQ || seq->count == 0 ||
        seq->count > JOURNEY_CONVERSION_PHRASES_MAX)
        return journey_doc_fail(r, seq,
                                "'transcript_contains' must be a list of 1 to %d phrases",
                                JOURNEY_CONVERSION_PHRASES_MAX);
    for (size_t i = 0; i < seq->count; i++) {
        sy_err_t err = journey_doc_owned(r, seq->items[i], "transcript_contains",
                                         &rule->phrases[i]);
        if (err)
            return err;
        rule->phrases_count = i + 1;
        for (char *c = rule->phrases[i]; *c; c++)
            *c = (char)tolower((unsigned char)*c);
    }
    return SY_OK;
}

/* The optional conditions of a rule. */
static sy_err_t rule_conditions(const journey_doc_reader_t *r, journey_conversion_t *rule,
                                const journey_doc_node_t *map) {
    const journey_doc_node_t *v;
    int64_t ms;
    sy_err_t err = SY_OK;
    assert(r && rule && map);
    rule->duration_min_s = -1;
    if ((v = journey_doc_get(map, "duration_min"))) {
        if (v->kind != JOURNEY_DOC_SCALAR || !journey_duration_parse(v->text, &ms) ||
            ms % 1000)
            return journey_doc_fail(r, v,
                                    "bad duration_min: write whole seconds or more, like 90s");
        rule->duration_min_s = ms / 1000;
    }
    if (!err && (v = journey_doc_get(map, "transcript_contains")))
        err = rule_phrases(r, rule, v);
    if (!err && (v = journey_doc_get(map, "outcome")))
        err = journey_doc_owned(r, v, "outcome", &rule->outcome);
    if (!err && (v = journey_doc_get(map, "caller_attribute")))
        err = journey_doc_owned(r, v, "caller_attribute", &rule->caller_attr);
    return err;
}

static const char *const rule_keys[] = {"name",          "duration_min", "transcript_contains",
                                        "outcome",       "caller_attribute", "value",
                                        "value_field",   "currency",     NULL};

sy_err_t journey_conversion_parse(journey_conversion_t *rule, const journey_doc_node_t *map,
                                  const char *source, char *errbuf, size_t errbuf_size) {
    journey_doc_reader_t r = {source, errbuf, errbuf_size};
    const journey_doc_node_t *v = NULL, *value, *field;
    const char *name = NULL, *currency = NULL;
    assert(rule && map && source);
    memset(rule, 0, sizeof *rule);
    rule->line = map->line;
    rule->column = map->column;
    sy_err_t err = journey_doc_keys_check(&r, map, rule_keys, "a conversion rule");
    if (!err && !journey_doc_get(map, "name"))
        err = journey_doc_fail(&r, map, "missing 'name' in conversion rule");
    if (!err && !(v = journey_doc_get(map, "currency")))
        err = journey_doc_fail(&r, map, "missing 'currency' in conversion rule");
    if (err || (err = journey_doc_scalar(&r, journey_doc_get(map, "name"), "name", &name)) ||
        (err = journey_doc_scalar(&r, v, "currency", &currency)))
        return err;
    if (strlen(name) > SY_ID_BYTES_MAX)
        return journey_doc_fail(&r, journey_doc_get(map, "name"),
                                "rule name longer than %d bytes", SY_ID_BYTES_MAX);
    memcpy(rule->name, name, strlen(name) + 1);
    if (strlen(currency) != 3 || strspn(currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)
        return journey_doc_fail(&r, v, "bad currency '%s': write an ISO 4217 code, like USD",
                                currency);
    memcpy(rule->currency, currency, 4);
    value = journey_doc_get(map, "value");
    field = journey_doc_get(map, "value_field");
    if ((value != NULL) == (field != NULL))
        return journey_doc_fail(&r, map,
                                "a conversion rule needs one of 'value' and 'value_field'");
    if ((err = value ? rule_value(&r, rule, value)
                     : journey_doc_owned(&r, field, "value_field", &rule->value_field)))
        return err;
    return rule_conditions(&r, rule, map);
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
