/* journey_map_outline.c — a copy of the part of a journey its map draws: ids, kinds, the
 * detail line of each node, where each path leads, the entry and rule events. The copy is
 * owned and shares nothing with the original, for a thread that draws maps of journeys
 * another thread owns. It does not run: no expressions, parameters, templates, profile
 * attributes, watch lists of branches or migration. Not the drawing (journey_map_graph.c). */
#include <stdlib.h>
#include <string.h>

#include "journey_map.h"

/* text copied, or NULL for NULL; *ok turns false when a copy could not be made. */
static char *text_copy(const char *text, bool *ok) {
    if (!text)
        return NULL;
    char *copy = strdup(text);
    *ok = *ok && copy != NULL;
    return copy;
}

static journey_event_match_t match_copy(const journey_event_match_t *m, bool *ok) {
    return (journey_event_match_t){.channel = m->channel, .type = m->type,
                                   .name = text_copy(m->name, ok)};
}

static journey_rule_t *rules_copy(const journey_rule_t *rules, size_t count, bool *ok) {
    journey_rule_t *copy = count ? calloc(count, sizeof *copy) : NULL;
    *ok = *ok && (copy || !count);
    for (size_t i = 0; copy && i < count; i++)
        copy[i] = (journey_rule_t){.name = text_copy(rules[i].name, ok),
                                   .event = match_copy(&rules[i].event, ok),
                                   .line = rules[i].line};
    return copy;
}

static void branch_copy(journey_branch_t *to, const journey_branch_t *from, bool *ok) {
    *to = (journey_branch_t){.message_node = from->message_node,
                             .otherwise_name = text_copy(from->otherwise_name, ok),
                             .otherwise_after_ms = from->otherwise_after_ms,
                             .otherwise_to = from->otherwise_to};
    to->paths = from->paths_count ? calloc(from->paths_count, sizeof *to->paths) : NULL;
    *ok = *ok && (to->paths || !from->paths_count);
    for (size_t i = 0; to->paths && i < from->paths_count; i++) {
        const journey_path_t *p = &from->paths[i];
        to->paths[i] = (journey_path_t){.name = text_copy(p->name, ok),
                                        .within_ms = p->within_ms, .after_ms = p->after_ms,
                                        .to = p->to, .line = p->line};
        to->paths_count = i + 1;
    }
}

static void wait_copy(journey_wait_t *to, const journey_wait_t *from, bool *ok) {
    *to = (journey_wait_t){.kind = from->kind, .duration_ms = from->duration_ms,
                           .minute_of_day = from->minute_of_day,
                           .timeout_ms = from->timeout_ms, .timeout_to = from->timeout_to,
                           .next = from->next};
    if (from->kind == JOURNEY_WAIT_EVENT && from->watch.count > 0) {
        to->watch.events[0] = match_copy(&from->watch.events[0], ok); /* the awaited one */
        to->watch.count = 1;
    }
}

/* Copy node from into to (zeroed); *ok false when something could not be copied. */
static void node_copy(journey_node_t *to, const journey_node_t *from, bool *ok) {
    to->id = text_copy(from->id, ok);
    to->kind = from->kind;
    to->line = from->line;
    const journey_send_t *s = &from->u.send;
    switch (from->kind) {
    case JOURNEY_NODE_SEND:
        to->u.send = (journey_send_t){.channel = s->channel, .category = s->category,
                                      .on_capped = s->on_capped, .capped_to = s->capped_to,
                                      .template_id = text_copy(s->template_id, ok),
                                      .next = s->next};
        break;
    case JOURNEY_NODE_TASK:
        to->u.task = (journey_task_t){.queue = text_copy(from->u.task.queue, ok),
                                      .next = from->u.task.next};
        break;
    case JOURNEY_NODE_UPDATE:
        to->u.update = (journey_update_t){.op = from->u.update.op,
                                          .name = text_copy(from->u.update.name, ok),
                                          .next = from->u.update.next};
        break;
    case JOURNEY_NODE_CONDITION:
        to->u.condition = (journey_condition_t){
            .text = text_copy(from->u.condition.text, ok),
            .then_to = from->u.condition.then_to, .else_to = from->u.condition.else_to};
        break;
    case JOURNEY_NODE_SPLIT:
        to->u.split.arms_count = from->u.split.arms_count;
        for (size_t i = 0; i < from->u.split.arms_count; i++)
            to->u.split.arms[i] = (journey_split_arm_t){
                .name = text_copy(from->u.split.arms[i].name, ok),
                .basis_points = from->u.split.arms[i].basis_points,
                .to = from->u.split.arms[i].to};
        break;
    case JOURNEY_NODE_BRANCH:
        branch_copy(&to->u.branch, &from->u.branch, ok);
        break;
    case JOURNEY_NODE_WAIT:
        wait_copy(&to->u.wait, &from->u.wait, ok);
        break;
    case JOURNEY_NODE_EXIT:
        break;
    }
}

sy_err_t journey_map_outline_copy(const journey_t *journey, journey_t **out) {
    bool ok = true;
    journey_t *j = calloc(1, sizeof *j);
    if (!j)
        return SY_ERR_NOMEM;
    *j = (journey_t){.id = text_copy(journey->id, &ok), .version = journey->version,
                     .source = text_copy(journey->source, &ok),
                     .entry = match_copy(&journey->entry, &ok),
                     .entry_when_text = text_copy(journey->entry_when_text, &ok),
                     .priority = journey->priority, .reentry = journey->reentry,
                     .reentry_cooldown_ms = journey->reentry_cooldown_ms,
                     .goals = rules_copy(journey->goals, journey->goals_count, &ok),
                     .exits = rules_copy(journey->exits, journey->exits_count, &ok)};
    j->goals_count = j->goals ? journey->goals_count : 0;
    j->exits_count = j->exits ? journey->exits_count : 0;
    j->nodes = calloc(journey->nodes_count ? journey->nodes_count : 1, sizeof *j->nodes);
    ok = ok && j->nodes;
    for (size_t i = 0; j->nodes && i < journey->nodes_count; i++) {
        node_copy(&j->nodes[i], &journey->nodes[i], &ok);
        j->nodes_count = i + 1;
    }
    if (!ok) {
        journey_free(j); /* frees what was copied: the rest is zero */
        return SY_ERR_NOMEM;
    }
    *out = j;
    return SY_OK;
}
