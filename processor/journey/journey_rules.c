/* journey_rules.c — the event rules of a journey: `entry` (event, `if`, re-entry policy)
 * and the `goals` and `exits` that end an instance the moment their event arrives.
 * Applying them to events is the engine's business, not this file's. */
#include "journey_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const rules_entry_keys[] = {"event", "if", "when", "reentry", "on_deploy",
                                                NULL};
static const char *const rules_rule_keys[] = {"name", "event", "if", NULL};
static const char *const rules_cooldown_keys[] = {"cooldown", NULL};

/* event and optional `if` of a rule map into *rule (owned by the journey as filled). */
static sy_err_t rules_event_if(journey_build_t *b, const journey_doc_node_t *map,
                               const char *where, journey_rule_t *rule) {
    const journey_doc_node_t *event, *filter = journey_doc_get(map, "if");
    rule->line = map->line;
    sy_err_t err = journey_need(b, map, "event", where, &event);
    if (!err)
        err = journey_event(b, event, &rule->event);
    expr_scope_t scope = journey_scope(b, NULL);
    if (!err && filter)
        err = journey_expr(b, filter, &scope, &rule->filter);
    return err;
}

static sy_err_t rules_reentry(journey_build_t *b, const journey_doc_node_t *value) {
    journey_t *j = b->journey;
    if (value->kind == JOURNEY_DOC_SCALAR && strcmp(value->text, "never") == 0) {
        j->reentry = JOURNEY_REENTRY_NEVER;
        return SY_OK;
    }
    if (value->kind == JOURNEY_DOC_SCALAR && strcmp(value->text, "always") == 0)
        return SY_OK;
    const journey_doc_node_t *cooldown = journey_doc_get(value, "cooldown");
    if (value->kind != JOURNEY_DOC_MAP || value->count != 1 || !cooldown)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "bad reentry: write never, always or {cooldown: <duration>}");
    sy_err_t err = journey_keys_check(b, value, rules_cooldown_keys, "reentry");
    if (!err)
        err = journey_duration(b, cooldown, &j->reentry_cooldown_ms);
    if (!err)
        j->reentry = JOURNEY_REENTRY_COOLDOWN;
    return err;
}

/* Audience entry, `when:` over the profile alone: no event, so event.* is an error. The
 * entry event matches nothing (a custom event without a name). */
static sy_err_t rules_entry_when(journey_build_t *b, const journey_doc_node_t *entry,
                                 const journey_doc_node_t *when) {
    journey_t *j = b->journey;
    const journey_doc_node_t *other = journey_doc_get(entry, "event");
    if (!other)
        other = journey_doc_get(entry, "if");
    if (other)
        return journey_fail(b, SY_ERR_JOURNEY, other->line, other->column,
                            "entry has when: an audience entry takes no event or if");
    j->entry = (journey_event_match_t){.channel = SY_CHANNEL_CUSTOM,
                                       .type = SY_EVENT_CUSTOM};
    j->entry_rule = (journey_rule_t){.event = j->entry, .line = entry->line};
    expr_scope_t scope = journey_scope(b, NULL);
    scope.has_event = false;
    sy_err_t err = journey_expr(b, when, &scope, &j->entry_when);
    if (!err && !(j->entry_when_text = strdup(when->text)))
        err = journey_fail(b, SY_ERR_NOMEM, when->line, when->column, "out of memory");
    return err;
}

/* `on_deploy: scan` (audience entry only) enters the stored contacts that already match
 * when the version is deployed; `none` (the default) does not. */
static sy_err_t rules_on_deploy(journey_build_t *b, const journey_doc_node_t *value,
                                bool audience) {
    bool scan = value->kind == JOURNEY_DOC_SCALAR && strcmp(value->text, "scan") == 0;
    if (!scan && !(value->kind == JOURNEY_DOC_SCALAR && strcmp(value->text, "none") == 0))
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "bad on_deploy: write scan or none");
    if (scan && !audience)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "on_deploy: scan needs an audience entry (when:)");
    b->journey->entry_scan = scan;
    return SY_OK;
}

static sy_err_t rules_entry(journey_build_t *b, const journey_doc_node_t *root) {
    const journey_doc_node_t *entry, *event, *when;
    journey_t *j = b->journey;
    j->reentry = JOURNEY_REENTRY_ALWAYS;
    sy_err_t err = journey_need(b, root, "entry", "journey", &entry);
    if (err) /* entry is unset: nothing below may read it */
        return err;
    err = journey_keys_check(b, entry, rules_entry_keys, "entry");
    when = err ? NULL : journey_doc_get(entry, "when");
    if (!err && when)
        err = rules_entry_when(b, entry, when);
    if (!err && !when)
        err = journey_need(b, entry, "event", "entry", &event);
    if (!err && !when)
        err = journey_event(b, event, &j->entry);
    if (!err && !when)
        err = rules_event_if(b, entry, "entry", &j->entry_rule);
    const journey_doc_node_t *on_deploy = journey_doc_get(entry, "on_deploy");
    if (!err && on_deploy)
        err = rules_on_deploy(b, on_deploy, when != NULL);
    const journey_doc_node_t *reentry = journey_doc_get(entry, "reentry");
    if (!err && reentry)
        err = rules_reentry(b, reentry);
    return err;
}

/* A goal or exit: its name defaults to the event type as written; names are unique. */
static sy_err_t rules_one(journey_build_t *b, const journey_doc_node_t *map,
                          const char *where, journey_rule_t *rules, size_t *count) {
    journey_rule_t *rule = &rules[*count];
    sy_err_t err = journey_keys_check(b, map, rules_rule_keys, where);
    if (!err)
        err = rules_event_if(b, map, where, rule);
    const journey_doc_node_t *name = journey_doc_get(map, "name");
    if (!name)
        name = journey_doc_get(map, "event");
    if (!err) /* the event is a valid scalar by now */
        err = journey_string(b, name, "name", &rule->name);
    (*count)++; /* whatever was filled in is the journey's to free */
    for (size_t i = 0; !err && i + 1 < *count; i++) {
        if (strcmp(rules[i].name, rule->name) == 0)
            err = journey_fail(b, SY_ERR_JOURNEY, name->line, name->column,
                               "duplicate %s name '%s' (first at line %d)", where,
                               rule->name, rules[i].line);
    }
    return err;
}

static sy_err_t rules_list(journey_build_t *b, const journey_doc_node_t *root,
                           const char *key, const char *where, journey_rule_t **rules,
                           size_t *count) {
    const journey_doc_node_t *list = journey_doc_get(root, key);
    if (!list || journey_doc_is_null(list))
        return SY_OK;
    if (list->kind != JOURNEY_DOC_SEQ)
        return journey_fail(b, SY_ERR_JOURNEY, list->line, list->column,
                            "'%s' must be a list of {event, if, name}", key);
    if (list->count > JOURNEY_RULES_MAX) {
        const journey_doc_node_t *extra = list->items[JOURNEY_RULES_MAX];
        return journey_fail(b, SY_ERR_LIMIT, extra->line, extra->column,
                            "more than %d %ss", JOURNEY_RULES_MAX, where);
    }
    *rules = calloc(list->count ? list->count : 1, sizeof **rules);
    if (!*rules)
        return journey_fail(b, SY_ERR_NOMEM, list->line, list->column, "out of memory");
    for (size_t i = 0; i < list->count; i++) {
        sy_err_t err = rules_one(b, list->items[i], where, *rules, count);
        if (err)
            return err;
    }
    return SY_OK;
}

sy_err_t journey_rules_build(journey_build_t *b, const journey_doc_node_t *root) {
    journey_t *j = b->journey;
    sy_err_t err = rules_entry(b, root);
    if (!err)
        err = rules_list(b, root, "goals", "goal", &j->goals, &j->goals_count);
    if (!err)
        err = rules_list(b, root, "exits", "exit", &j->exits, &j->exits_count);
    return err;
}
