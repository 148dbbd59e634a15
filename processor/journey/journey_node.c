/* journey_node.c — the `nodes` list of a journey file: ids and kinds first (so that
 * references may point forward), then send, update, task and exit nodes and every `next`.
 * Branch nodes are journey_branch.c; wait, condition and split are journey_wait.c and
 * journey_choice.c; the graph checks are journey_validate.c. */
#include "journey_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const node_keys[] = {"id",   "send",      "branch", "update", "exit",
                                        "wait", "condition", "split",  "task",   "next",
                                        NULL};
static const char *const node_task_keys[] = {"queue", "params", NULL};
static const char *const node_send_keys[] = {"channel",  "template", "params",    "category",
                                             "on_capped", "tracking", "among", "templates",
                                             NULL};
static const char *const node_update_keys[] = {"add_to_list", "remove_from_list",
                                               "set_attribute", "unset_attribute",
                                               "opt_out", "opt_in", "flag", "unflag",
                                               NULL};
static const char *const node_attr_keys[] = {"name", "value", NULL};

static const struct {
    const char *key;
    journey_node_kind_t kind;
} node_kinds[] = {
    {"send", JOURNEY_NODE_SEND},
    {"branch", JOURNEY_NODE_BRANCH},
    {"update", JOURNEY_NODE_UPDATE},
    {"exit", JOURNEY_NODE_EXIT},
    {"wait", JOURNEY_NODE_WAIT},
    {"condition", JOURNEY_NODE_CONDITION},
    {"split", JOURNEY_NODE_SPLIT},
    {"task", JOURNEY_NODE_TASK},
};
#define NODE_KINDS_COUNT (sizeof node_kinds / sizeof node_kinds[0])

/* The kind key of a node map: exactly one of node_kinds. */
static sy_err_t node_kind(journey_build_t *b, const journey_doc_node_t *map, const char *id,
                          journey_node_kind_t *out) {
    const char *found = NULL;
    for (size_t i = 0; i < map->count; i++) {
        for (size_t k = 0; k < NODE_KINDS_COUNT; k++) {
            if (strcmp(map->keys[i].text, node_kinds[k].key) != 0)
                continue;
            if (found)
                return journey_fail(b, SY_ERR_JOURNEY, map->keys[i].line,
                                    map->keys[i].column,
                                    "node '%s' has both '%s' and '%s': a node does one thing",
                                    id, found, node_kinds[k].key);
            found = node_kinds[k].key;
            *out = node_kinds[k].kind;
        }
    }
    if (!found)
        return journey_fail(b, SY_ERR_JOURNEY, map->line, map->column,
                            "node '%s' needs one of send, branch, update, exit, wait, "
                            "condition, split, task", id);
    return SY_OK;
}

static const char *node_kind_name(journey_node_kind_t kind) {
    for (size_t k = 0; k < NODE_KINDS_COUNT; k++) {
        if (node_kinds[k].kind == kind)
            return node_kinds[k].key;
    }
    return "?";
}

/* Pass 1: the id and kind of nodes[index]. */
static sy_err_t node_declare(journey_build_t *b, uint16_t index,
                             const journey_doc_node_t *map) {
    journey_t *j = b->journey;
    const journey_doc_node_t *value;
    sy_err_t err = journey_keys_check(b, map, node_keys, "node");
    if (!err)
        err = journey_need(b, map, "id", "node", &value);
    if (!err)
        err = journey_string(b, value, "id", &j->nodes[index].id);
    if (err)
        return err;
    const char *id = j->nodes[index].id;
    if (!journey_id_valid(id))
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "bad node id '%s': use 1 to %d of a-z, 0-9, '_', '.', '-'", id,
                            SY_ID_BYTES_MAX);
    for (uint16_t i = 0; i < index; i++) {
        if (strcmp(j->nodes[i].id, id) == 0)
            return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                                "duplicate node id '%s' (first at line %d)", id,
                                j->nodes[i].line);
    }
    j->nodes[index].line = map->line;
    b->node_maps[index] = map;
    return node_kind(b, map, id, &j->nodes[index].kind);
}

/* `category:` of a send: marketing (also when absent) or transactional. */
static sy_err_t send_category(journey_build_t *b, const journey_doc_node_t *value,
                              journey_category_t *out) {
    *out = JOURNEY_CATEGORY_MARKETING;
    if (!value)
        return SY_OK;
    if (value->kind == JOURNEY_DOC_SCALAR && strcmp(value->text, "transactional") == 0)
        *out = JOURNEY_CATEGORY_TRANSACTIONAL;
    else if (value->kind != JOURNEY_DOC_SCALAR || strcmp(value->text, "marketing") != 0)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "send category must be marketing or transactional");
    return SY_OK;
}

/* The channel and template of a send of one channel (not best). */
static sy_err_t send_channel(journey_build_t *b, journey_send_t *send,
                             const journey_doc_node_t *map, const journey_doc_node_t *channel) {
    const journey_doc_node_t *template_id, *extra = journey_doc_get(map, "among");
    if (extra || (extra = journey_doc_get(map, "templates")) != NULL)
        return journey_fail(b, SY_ERR_JOURNEY, extra->line, extra->column,
                            "'among' and 'templates' are for 'channel: best' only");
    sy_err_t err = journey_need(b, map, "template", "send", &template_id);
    if (err)
        return err;
    int c = channel->kind == JOURNEY_DOC_SCALAR ? sy_channel_parse(channel->text) : -1;
    if (c != SY_CHANNEL_EMAIL && c != SY_CHANNEL_SMS && c != SY_CHANNEL_PUSH &&
        c != SY_CHANNEL_VOICE && c != SY_CHANNEL_IN_APP && c != SY_CHANNEL_WEB &&
        c != SY_CHANNEL_TASK)
        return journey_fail(b, SY_ERR_JOURNEY, channel->line, channel->column,
                            "send channel must be email, sms, push, voice, in_app, web, "
                            "task or best, not '%s'", channel->kind == JOURNEY_DOC_SCALAR
                                                          ? channel->text : "a collection");
    send->channel = (sy_channel_t)c;
    return journey_string(b, template_id, "template", &send->template_id);
}

static sy_err_t node_send(journey_build_t *b, journey_send_t *send,
                          const journey_doc_node_t *map) {
    const journey_doc_node_t *channel;
    sy_err_t err = journey_keys_check(b, map, node_send_keys, "send");
    if (!err)
        err = journey_need(b, map, "channel", "send", &channel);
    if (err)
        return err;
    if (channel->kind == JOURNEY_DOC_SCALAR && strcmp(channel->text, "best") == 0)
        err = journey_send_best(b, send, map);
    else
        err = send_channel(b, send, map, channel);
    if (!err)
        err = send_category(b, journey_doc_get(map, "category"), &send->category);
    const journey_doc_node_t *params = journey_doc_get(map, "params");
    if (!err && params)
        err = journey_params_build(b, params, true, &send->params_count, &send->params,
                                   &send->param_templates);
    const journey_doc_node_t *tracking = journey_doc_get(map, "tracking");
    if (!err && tracking)
        err = journey_tracking_build(b, send, tracking);
    return err;
}

/* `on_capped:` of the send nodes[index]: skip (also when absent), delay, or a node id
 * (a graph edge, like next). */
static sy_err_t send_on_capped(journey_build_t *b, uint16_t index,
                               const journey_doc_node_t *body) {
    journey_send_t *send = &b->journey->nodes[index].u.send;
    const journey_doc_node_t *value = journey_doc_get(body, "on_capped");
    char where[SY_ID_BYTES_MAX + 16];
    send->on_capped = JOURNEY_ON_CAPPED_SKIP;
    if (!value)
        return SY_OK;
    const char *text = value->kind == JOURNEY_DOC_SCALAR ? value->text : "";
    if (strcmp(text, "skip") == 0)
        return SY_OK;
    if (strcmp(text, "delay") == 0) {
        send->on_capped = JOURNEY_ON_CAPPED_DELAY;
        return SY_OK;
    }
    if (value->kind != JOURNEY_DOC_SCALAR || journey_node_index(b->journey, text) < 0)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "on_capped must be skip, delay or a node id; '%s' is none of "
                            "them", value->kind == JOURNEY_DOC_SCALAR ? text
                                                                      : "a collection");
    snprintf(where, sizeof where, "send '%s'", b->journey->nodes[index].id);
    send->on_capped = JOURNEY_ON_CAPPED_NODE;
    return journey_target(b, index, body, "on_capped", where, &send->capped_to);
}

/* A hand-off: the queue becomes the action's template id on the task channel. */
static sy_err_t node_task(journey_build_t *b, journey_task_t *task,
                          const journey_doc_node_t *map) {
    const journey_doc_node_t *queue;
    sy_err_t err = journey_keys_check(b, map, node_task_keys, "task");
    if (!err)
        err = journey_need(b, map, "queue", "task", &queue);
    if (!err)
        err = journey_string(b, queue, "queue", &task->queue);
    if (!err && !journey_id_valid(task->queue))
        err = journey_fail(b, SY_ERR_JOURNEY, queue->line, queue->column,
                           "bad queue '%s': use 1 to %d of a-z, 0-9, '_', '.', '-'",
                           queue->text, SY_ID_BYTES_MAX);
    const journey_doc_node_t *params = journey_doc_get(map, "params");
    if (!err && params)
        err = journey_params_build(b, params, false, &task->params_count, &task->params,
                                   &task->param_templates);
    return err;
}

/* The channel of an opt_out or opt_in (key): one a send can use. */
static sy_err_t node_consent(journey_build_t *b, const journey_doc_node_t *value,
                             const char *key, char **out) {
    int c = value->kind == JOURNEY_DOC_SCALAR ? sy_channel_parse(value->text) : -1;
    if (c != SY_CHANNEL_EMAIL && c != SY_CHANNEL_SMS && c != SY_CHANNEL_PUSH &&
        c != SY_CHANNEL_VOICE && c != SY_CHANNEL_IN_APP && c != SY_CHANNEL_WEB)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "%s names a channel: email, sms, push, voice, in_app or web", key);
    return journey_string(b, value, key, out);
}

/* `flag: vip` sets the contact attribute vip to the bool true; `unflag: vip` unsets it.
 * The name is one has_flag() and contact.<name> can read. */
static sy_err_t node_flag(journey_build_t *b, journey_update_t *update, const char *op,
                          const journey_doc_node_t *value) {
    sy_err_t err = journey_string(b, value, op, &update->name);
    if (err)
        return err;
    const char *name = update->name;
    size_t len = strlen(name);
    if (len == 0 || len > SY_ID_BYTES_MAX || (name[0] >= '0' && name[0] <= '9') ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != len)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "bad flag name '%s': write a-z, A-Z, 0-9 and _, not starting "
                            "with a digit", name);
    update->flag = true;
    if (strcmp(op, "unflag") == 0) {
        update->op = SY_UPDATE_UNSET_ATTRIBUTE;
        return SY_OK;
    }
    update->op = SY_UPDATE_SET_ATTRIBUTE;
    update->value = strdup("true");
    if (!update->value)
        return journey_fail(b, SY_ERR_NOMEM, value->line, value->column, "out of memory");
    expr_scope_t scope = journey_scope(b, NULL);
    char message[128];
    int column = 1;
    if (expr_template_compile(&update->value_template, "true", &scope, &column, message,
                              sizeof message))
        return journey_fail(b, SY_ERR_NOMEM, value->line, value->column, "out of memory");
    return SY_OK;
}

static sy_err_t node_update(journey_build_t *b, journey_update_t *update,
                            const journey_doc_node_t *map) {
    sy_err_t err = journey_keys_check(b, map, node_update_keys, "update");
    if (err)
        return err;
    if (map->count != 1) {
        int line = map->count ? map->keys[1].line : map->line;
        int column = map->count ? map->keys[1].column : map->column;
        return journey_fail(b, SY_ERR_JOURNEY, line, column, "update needs exactly one of "
                            "add_to_list, remove_from_list, set_attribute, unset_attribute, "
                            "opt_out, opt_in, flag, unflag");
    }
    const char *op = map->keys[0].text;
    const journey_doc_node_t *value = map->items[0];
    bool opt_out = strcmp(op, "opt_out") == 0;
    if (opt_out || strcmp(op, "opt_in") == 0) {
        update->op = opt_out ? SY_UPDATE_OPT_OUT : SY_UPDATE_OPT_IN;
        return node_consent(b, value, op, &update->name);
    }
    if (strcmp(op, "flag") == 0 || strcmp(op, "unflag") == 0)
        return node_flag(b, update, op, value);
    if (strcmp(op, "set_attribute") != 0) {
        update->op = strcmp(op, "add_to_list") == 0        ? SY_UPDATE_ADD_TO_LIST
                     : strcmp(op, "remove_from_list") == 0 ? SY_UPDATE_REMOVE_FROM_LIST
                                                           : SY_UPDATE_UNSET_ATTRIBUTE;
        return journey_string(b, value, op, &update->name);
    }
    const journey_doc_node_t *name, *attr_value;
    update->op = SY_UPDATE_SET_ATTRIBUTE;
    err = journey_keys_check(b, value, node_attr_keys, "set_attribute");
    if (!err)
        err = journey_need(b, value, "name", "set_attribute", &name);
    if (!err)
        err = journey_need(b, value, "value", "set_attribute", &attr_value);
    if (!err)
        err = journey_string(b, name, "name", &update->name);
    if (!err)
        err = journey_string(b, attr_value, "value", &update->value);
    expr_scope_t scope = journey_scope(b, NULL);
    if (!err)
        err = journey_template(b, attr_value, &scope, &update->value_template);
    return err;
}

/* `next` is required after send, update, task and wait; the other kinds say where to go
 * in their own keys (or end the journey). */
static sy_err_t node_next(journey_build_t *b, uint16_t index, const journey_doc_node_t *map) {
    journey_node_t *node = &b->journey->nodes[index];
    char where[SY_ID_BYTES_MAX + 16];
    snprintf(where, sizeof where, "node '%s'", node->id);
    if (node->kind == JOURNEY_NODE_SEND)
        return journey_target(b, index, map, "next", where, &node->u.send.next);
    if (node->kind == JOURNEY_NODE_UPDATE)
        return journey_target(b, index, map, "next", where, &node->u.update.next);
    if (node->kind == JOURNEY_NODE_TASK)
        return journey_target(b, index, map, "next", where, &node->u.task.next);
    if (node->kind == JOURNEY_NODE_WAIT)
        return journey_target(b, index, map, "next", where, &node->u.wait.next);
    const journey_doc_key_t *next = journey_doc_key(map, "next");
    const char *why = node->kind == JOURNEY_NODE_BRANCH ? "its paths say where to go"
                      : node->kind == JOURNEY_NODE_CONDITION ? "'then' and 'else' say where to go"
                      : node->kind == JOURNEY_NODE_SPLIT ? "its arms say where to go"
                                                         : "the contact leaves the journey";
    if (next)
        return journey_fail(b, SY_ERR_JOURNEY, next->line, next->column,
                            "%s %s node has no 'next': %s",
                            node->kind == JOURNEY_NODE_EXIT ? "an" : "a",
                            node_kind_name(node->kind), why);
    return SY_OK;
}

/* Pass 2: what nodes[index] does. */
static sy_err_t node_build(journey_build_t *b, uint16_t index) {
    journey_node_t *node = &b->journey->nodes[index];
    const journey_doc_node_t *map = b->node_maps[index];
    const journey_doc_node_t *body = NULL;
    sy_err_t err = SY_OK;
    switch (node->kind) {
    case JOURNEY_NODE_SEND:
        body = journey_doc_get(map, "send");
        err = node_send(b, &node->u.send, body);
        if (!err)
            err = send_on_capped(b, index, body);
        break;
    case JOURNEY_NODE_BRANCH:
        body = journey_doc_get(map, "branch");
        err = journey_branch_build(b, index, body);
        break;
    case JOURNEY_NODE_UPDATE:
        body = journey_doc_get(map, "update");
        err = node_update(b, &node->u.update, body);
        break;
    case JOURNEY_NODE_EXIT:
        body = journey_doc_get(map, "exit");
        if (!journey_doc_is_null(body) && !(body->kind == JOURNEY_DOC_MAP && !body->count))
            err = journey_fail(b, SY_ERR_JOURNEY, body->line, body->column,
                               "an exit node takes no settings: write exit: {}");
        break;
    case JOURNEY_NODE_WAIT:
        err = journey_wait_build(b, index, journey_doc_get(map, "wait"));
        break;
    case JOURNEY_NODE_CONDITION:
        err = journey_condition_build(b, index, journey_doc_get(map, "condition"));
        break;
    case JOURNEY_NODE_SPLIT:
        err = journey_split_build(b, index, journey_doc_get(map, "split"));
        break;
    case JOURNEY_NODE_TASK:
        err = node_task(b, &node->u.task, journey_doc_get(map, "task"));
        break;
    }
    return err ? err : node_next(b, index, map);
}

sy_err_t journey_nodes_build(journey_build_t *b, const journey_doc_node_t *nodes) {
    journey_t *j = b->journey;
    if (nodes->kind != JOURNEY_DOC_SEQ || nodes->count == 0)
        return journey_fail(b, SY_ERR_JOURNEY, nodes->line, nodes->column,
                            "'nodes' must be a list of at least one node");
    if (nodes->count > JOURNEY_NODES_MAX) {
        const journey_doc_node_t *extra = nodes->items[JOURNEY_NODES_MAX];
        return journey_fail(b, SY_ERR_LIMIT, extra->line, extra->column,
                            "more than %d nodes", JOURNEY_NODES_MAX);
    }
    j->nodes = calloc(nodes->count, sizeof *j->nodes);
    b->node_maps = calloc(nodes->count, sizeof *b->node_maps);
    if (!j->nodes || !b->node_maps)
        return journey_fail(b, SY_ERR_NOMEM, nodes->line, nodes->column, "out of memory");
    j->nodes_count = nodes->count;
    for (uint16_t i = 0; i < nodes->count; i++) {
        sy_err_t err = node_declare(b, i, nodes->items[i]);
        if (err)
            return err;
    }
    for (uint16_t i = 0; i < nodes->count; i++) {
        sy_err_t err = node_build(b, i);
        if (err)
            return err;
    }
    sy_err_t err = journey_validate_graph(b);
    return err ? err : journey_validate_loops(b, b->loop_period_min_ms);
}
