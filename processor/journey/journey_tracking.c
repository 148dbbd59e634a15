/* journey_tracking.c — a journey's call-tracking parts: a send's `tracking:` map (the
 * number pool a send leases a call-tracking number from, an optional lease that overrides
 * the pool's, and the contact attribute holding the device class) and the journey's own
 * `conversions:` rules. Whether the pool exists, and whether a rule's name is free of the
 * config's, is checked where both are known (engine_calls_journeys_check); leasing and
 * evaluating rules are the engine's. */
#include "journey_int.h"

#include <stdlib.h>
#include <string.h>

#include "journey_conversion.h"

static const char *const tracking_keys[] = {"pool", "lease", "device_attribute", NULL};

/* True when name is 1 to 64 bytes of a-z, 0-9, '_', '-' (a pool's name, as the config
 * writes it). */
static bool pool_name_valid(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
              name[i] == '_' || name[i] == '-'))
            return false;
    return true;
}

/* device_attribute: a contact attribute the profile declares as a string. */
static sy_err_t tracking_device(journey_build_t *b, journey_send_t *send,
                                const journey_doc_node_t *value) {
    sy_err_t err = journey_string(b, value, "device_attribute", &send->tracking_device_attr);
    if (err)
        return err;
    const journey_t *j = b->journey;
    for (size_t i = 0; i < j->attrs_count; i++)
        if (strcmp(j->attrs[i].name, value->text) == 0 && j->attrs[i].type == EXPR_TYPE_STRING)
            return SY_OK;
    return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                        "'device_attribute' names contact attribute '%s', which profile does "
                        "not declare as a string", value->text);
}

sy_err_t journey_tracking_build(journey_build_t *b, journey_send_t *send,
                                const journey_doc_node_t *map) {
    const journey_doc_node_t *pool, *value;
    sy_err_t err = journey_keys_check(b, map, tracking_keys, "tracking");
    if (!err)
        err = journey_need(b, map, "pool", "tracking", &pool);
    if (!err)
        err = journey_string(b, pool, "pool", &send->tracking_pool);
    if (err)
        return err;
    send->tracking_line = pool->line;
    send->tracking_column = pool->column;
    if (!pool_name_valid(send->tracking_pool))
        return journey_fail(b, SY_ERR_JOURNEY, pool->line, pool->column,
                            "bad pool name '%s': use 1 to 64 of a-z, 0-9, '_', '-'",
                            send->tracking_pool);
    if (send->channel == SY_CHANNEL_TASK)
        return journey_fail(b, SY_ERR_JOURNEY, map->line, map->column,
                            "a task hand-off carries no tracking number");
    if ((value = journey_doc_get(map, "lease")) &&
        (err = journey_duration(b, value, &send->tracking_lease_ms)))
        return err;
    if ((value = journey_doc_get(map, "device_attribute")))
        return tracking_device(b, send, value);
    return SY_OK;
}

sy_err_t journey_conversions_build(journey_build_t *b, const journey_doc_node_t *seq) {
    journey_t *j = b->journey;
    if (!seq)
        return SY_OK;
    if (seq->kind != JOURNEY_DOC_SEQ || seq->count == 0 ||
        seq->count > JOURNEY_CONVERSIONS_MAX)
        return journey_fail(b, SY_ERR_JOURNEY, seq->line, seq->column,
                            "'conversions' must be a list of 1 to %d conversion rules",
                            JOURNEY_CONVERSIONS_MAX);
    if (!(j->conversions = calloc(seq->count, sizeof *j->conversions)))
        return journey_fail(b, SY_ERR_NOMEM, seq->line, seq->column, "out of memory");
    j->conversions_count = seq->count; /* zeroed: each frees whatever it got */
    for (size_t i = 0; i < seq->count; i++) {
        journey_conversion_t *rule = &j->conversions[i];
        sy_err_t err = journey_conversion_parse(rule, seq->items[i], b->source, b->errbuf,
                                                b->errbuf_size);
        if (err)
            return err == SY_ERR_NOMEM ? err : SY_ERR_JOURNEY;
        for (size_t k = 0; k < i; k++)
            if (strcmp(j->conversions[k].name, rule->name) == 0) {
                const journey_doc_node_t *name = journey_doc_get(seq->items[i], "name");
                return journey_fail(b, SY_ERR_JOURNEY, name->line, name->column,
                                    "duplicate conversion rule '%s'", rule->name);
            }
    }
    return SY_OK;
}
