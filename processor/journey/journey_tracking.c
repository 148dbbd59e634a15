/* journey_tracking.c — a send's `tracking:` map: the number pool a send leases a
 * call-tracking number from, an optional lease that overrides the pool's, and the contact
 * attribute holding the device class. Whether the pool exists is the config's, checked
 * where both are known (engine_calls_journeys_check); leasing is the engine's. */
#include "journey_int.h"

#include <string.h>

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
