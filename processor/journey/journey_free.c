/* journey_free.c — journey_free: everything a journey_t owns, node kind by node kind,
 * including compiled expressions and templates. Safe on a journey built only in part (a
 * failed load), where unset fields are zero. */
#include "journey_int.h"
#include "codec_part.h"
#include "journey_conversion.h"

#include <stdlib.h>

static void free_match(journey_event_match_t *match) { free(match->name); }

static void free_watch(journey_watch_t *watch) {
    for (size_t i = 0; i < watch->count; i++) {
        free_match(&watch->events[i]);
        expr_free(watch->filters[i]);
        free(watch->filter_texts[i]);
    }
}

/* params and their templates: a template's name and text point into params. */
static void free_params(size_t count, sy_kv_t *params, journey_param_t *templates) {
    for (size_t i = 0; i < count; i++) {
        free((char *)params[i].key);
        free((char *)params[i].value);
        if (templates)
            expr_template_free(templates[i].value);
    }
    free(params);
    free(templates);
}

static void free_branch(journey_branch_t *branch) {
    for (size_t i = 0; i < branch->paths_count; i++) {
        journey_path_t *path = &branch->paths[i];
        free(path->name);
        for (size_t m = 0; m < path->when_count; m++)
            free_match(&path->when[m]);
        for (size_t m = 0; m < path->unless_count; m++)
            free_match(&path->unless[m]);
        expr_free(path->filter);
    }
    free(branch->paths);
    free(branch->otherwise_name);
    free_watch(&branch->watch);
}

static void free_node(journey_node_t *node) {
    codec_part_free(node->id_part);
    codec_part_free(node->template_part);
    free(node->id);
    switch (node->kind) {
    case JOURNEY_NODE_SEND:
        free(node->u.send.template_id);
        free(node->u.send.tracking_pool);
        free(node->u.send.tracking_device_attr);
        for (int c = 0; c < SY_CHANNEL__COUNT; c++)
            free(node->u.send.templates[c]);
        free_params(node->u.send.params_count, node->u.send.params,
                    node->u.send.param_templates);
        break;
    case JOURNEY_NODE_BRANCH:
        free_branch(&node->u.branch);
        break;
    case JOURNEY_NODE_UPDATE:
        free(node->u.update.name);
        free(node->u.update.value);
        expr_template_free(node->u.update.value_template);
        break;
    case JOURNEY_NODE_WAIT:
        free(node->u.wait.timezone_attr);
        free_watch(&node->u.wait.watch);
        expr_free(node->u.wait.filter);
        break;
    case JOURNEY_NODE_CONDITION:
        expr_free(node->u.condition.test);
        free(node->u.condition.text);
        break;
    case JOURNEY_NODE_SPLIT:
        for (size_t i = 0; i < node->u.split.arms_count; i++)
            free(node->u.split.arms[i].name);
        break;
    case JOURNEY_NODE_TASK:
        free(node->u.task.queue);
        free_params(node->u.task.params_count, node->u.task.params,
                    node->u.task.param_templates);
        break;
    case JOURNEY_NODE_EXIT:
        break;
    }
}

static void free_rules(journey_rule_t *rules, size_t count) {
    for (size_t i = 0; i < count; i++) {
        free(rules[i].name);
        free_match(&rules[i].event);
        expr_free(rules[i].filter);
    }
}

void journey_free(journey_t *journey) {
    if (!journey)
        return;
    for (size_t i = 0; i < journey->nodes_count; i++)
        free_node(&journey->nodes[i]);
    free(journey->nodes);
    free_match(&journey->entry);
    free_rules(&journey->entry_rule, 1);
    expr_free(journey->entry_when);
    free(journey->entry_when_text);
    free_rules(journey->goals, journey->goals_count);
    free(journey->goals);
    free_rules(journey->exits, journey->exits_count);
    free(journey->exits);
    for (size_t i = 0; journey->conversions && i < journey->conversions_count; i++)
        journey_conversion_free(&journey->conversions[i]);
    free(journey->conversions);
    for (size_t i = 0; i < journey->attrs_count; i++) {
        free(journey->attrs[i].name);
        if (journey->attrs[i].default_value.kind == SY_VALUE_STRING)
            free((char *)journey->attrs[i].default_value.u.s);
    }
    free(journey->attrs);
    for (size_t i = 0; i < journey->migration.count; i++)
        free(journey->migration.from_nodes[i]);
    free(journey->migration.from_nodes);
    free(journey->migration.to_nodes);
    free(journey->source);
    codec_part_free(journey->part);
    free(journey->id);
    free(journey);
}
