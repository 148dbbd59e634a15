/* journey_wait.c — wait nodes as journey files write them: `for` a duration, `until` a
 * time of day in the contact's time zone, or an `event` with a timeout path. When a wait
 * ends at run time (time zones, timers) is the engine's business, not this file's. */
#include "journey_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const wait_keys[] = {"for",     "until",      "timezone", "event", "if",
                                        "timeout", "timeout_to", NULL};
static const char *const wait_kind_keys[] = {"for", "until", "event", NULL};

/* The settings that belong to one kind, with the kind they need. */
static const struct {
    const char *key;
    const char *kind;
} wait_settings[] = {
    {"timezone", "until"},
    {"if", "event"},
    {"timeout", "event"},
    {"timeout_to", "event"},
};

/* Exactly one of for, until, event; no setting of another kind. */
static sy_err_t wait_kind(journey_build_t *b, const journey_doc_node_t *map,
                          const char **out) {
    const char *found = NULL;
    for (size_t i = 0; i < map->count; i++) {
        for (size_t k = 0; wait_kind_keys[k]; k++) {
            if (strcmp(map->keys[i].text, wait_kind_keys[k]) != 0)
                continue;
            if (found)
                return journey_fail(b, SY_ERR_JOURNEY, map->keys[i].line,
                                    map->keys[i].column,
                                    "wait has both '%s' and '%s': write one of for, until, "
                                    "event", found, wait_kind_keys[k]);
            found = wait_kind_keys[k];
        }
    }
    if (!found)
        return journey_fail(b, SY_ERR_JOURNEY, map->line, map->column,
                            "wait needs one of for, until, event");
    for (size_t i = 0; i < sizeof wait_settings / sizeof wait_settings[0]; i++) {
        const journey_doc_key_t *key = journey_doc_key(map, wait_settings[i].key);
        if (key && strcmp(found, wait_settings[i].kind) != 0)
            return journey_fail(b, SY_ERR_JOURNEY, key->line, key->column,
                                "'%s' belongs to a wait with '%s', not '%s'", key->text,
                                wait_settings[i].kind, found);
    }
    *out = found;
    return SY_OK;
}

/* "HH:MM", 00:00 to 23:59, into minutes after midnight. */
static sy_err_t wait_time_of_day(journey_build_t *b, const journey_doc_node_t *value,
                                 int *minute) {
    const char *t = value->kind == JOURNEY_DOC_SCALAR ? value->text : "";
    bool shape = strlen(t) == 5 && strspn(t, "0123456789") == 2 && t[2] == ':' &&
                 strspn(t + 3, "0123456789") == 2;
    int hour = shape ? (t[0] - '0') * 10 + (t[1] - '0') : 99;
    int min = shape ? (t[3] - '0') * 10 + (t[4] - '0') : 99;
    if (hour > 23 || min > 59)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "bad time of day '%s': write \"HH:MM\" from 00:00 to 23:59", t);
    *minute = hour * 60 + min;
    return SY_OK;
}

/* The contact attribute naming the zone: declared as a string when written. */
static sy_err_t wait_timezone(journey_build_t *b, journey_wait_t *wait,
                              const journey_doc_node_t *map) {
    const journey_doc_node_t *value = journey_doc_get(map, "timezone");
    if (!value) {
        wait->timezone_attr = strdup("timezone");
        if (!wait->timezone_attr)
            return journey_fail(b, SY_ERR_NOMEM, map->line, map->column, "out of memory");
        return SY_OK;
    }
    sy_err_t err = journey_string(b, value, "timezone", &wait->timezone_attr);
    if (err)
        return err;
    const journey_t *j = b->journey;
    for (size_t i = 0; i < j->attrs_count; i++) {
        if (strcmp(j->attrs[i].name, value->text) == 0 && j->attrs[i].type == EXPR_TYPE_STRING)
            return SY_OK;
    }
    return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                        "'timezone' names contact attribute '%s', which profile does not "
                        "declare as a string", value->text);
}

/* The awaited event (watch bit 0), its `if`, and the timeout path. */
static sy_err_t wait_event(journey_build_t *b, uint16_t index, journey_wait_t *wait,
                           const journey_doc_node_t *map) {
    journey_event_match_t match = {0};
    journey_watch_ctx_t ctx = {.b = b, .watch = &wait->watch, .message_channel = -1};
    sy_err_t err = journey_event(b, journey_doc_get(map, "event"), &match);
    if (err)
        return err;
    int bit = journey_watch_add(&ctx, &match, NULL, NULL, 0);
    free(match.name);
    if (bit < 0)
        return journey_fail(b, SY_ERR_NOMEM, map->line, map->column, "out of memory");
    const journey_doc_node_t *filter = journey_doc_get(map, "if"), *timeout;
    expr_scope_t scope = journey_scope(b, &ctx);
    if (filter)
        err = journey_expr(b, filter, &scope, &wait->filter);
    if (!err && ctx.failed_nomem)
        err = journey_fail(b, SY_ERR_NOMEM, filter->line, filter->column, "out of memory");
    if (!err)
        err = journey_need(b, map, "timeout", "wait", &timeout);
    if (!err)
        err = journey_duration(b, timeout, &wait->timeout_ms);
    if (!err)
        err = journey_target(b, index, map, "timeout_to", "wait", &wait->timeout_to);
    return err;
}

sy_err_t journey_wait_build(journey_build_t *b, uint16_t index,
                            const journey_doc_node_t *map) {
    journey_wait_t *wait = &b->journey->nodes[index].u.wait;
    const char *kind = NULL;
    sy_err_t err = journey_keys_check(b, map, wait_keys, "wait");
    if (!err)
        err = wait_kind(b, map, &kind);
    if (err)
        return err;
    const journey_doc_node_t *value = journey_doc_get(map, kind);
    if (strcmp(kind, "for") == 0) {
        wait->kind = JOURNEY_WAIT_DURATION;
        return journey_duration(b, value, &wait->duration_ms);
    }
    if (strcmp(kind, "until") == 0) {
        wait->kind = JOURNEY_WAIT_TIME_OF_DAY;
        err = wait_time_of_day(b, value, &wait->minute_of_day);
        return err ? err : wait_timezone(b, wait, map);
    }
    wait->kind = JOURNEY_WAIT_EVENT;
    return wait_event(b, index, wait, map);
}
