/* journey_branch.c — the multi-engagement branch as journey files write it: the message
 * it reads, its watch list, its paths in priority order (when/unless/if and windows) and
 * the otherwise path that closes it. How a branch is evaluated at run time is the
 * engine's (journey.h's journey_path_t says it). */
#include "journey_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const branch_keys[] = {"message", "paths", "otherwise", NULL};
static const char *const branch_path_keys[] = {"name",   "when",  "unless", "if",
                                               "within", "after", "to",     NULL};
static const char *const branch_otherwise_keys[] = {"after", "to", NULL};

/* The channel written on the send node at index, or -1 when it is not (yet) valid: the
 * send node's own checks report that. */
static int branch_message_channel(journey_build_t *b, uint16_t index) {
    const journey_doc_node_t *send = journey_doc_get(b->node_maps[index], "send");
    const journey_doc_node_t *channel = journey_doc_get(send, "channel");
    if (!channel || channel->kind != JOURNEY_DOC_SCALAR)
        return -1;
    return sy_channel_parse(channel->text);
}

/* A when/unless list: event types, each added to the branch's watch list and *mask.
 * Events on the message's channel count for the message only; others for any event. */
static sy_err_t branch_matches(journey_build_t *b, const journey_doc_node_t *list,
                               const char *key, journey_watch_ctx_t *ctx,
                               journey_event_match_t *matches, size_t *count,
                               uint32_t *mask) {
    if (list->kind != JOURNEY_DOC_SEQ || list->count == 0)
        return journey_fail(b, SY_ERR_JOURNEY, list->line, list->column,
                            "'%s' must be a list of at least one event type", key);
    if (list->count > JOURNEY_MATCHES_MAX) {
        const journey_doc_node_t *extra = list->items[JOURNEY_MATCHES_MAX];
        return journey_fail(b, SY_ERR_LIMIT, extra->line, extra->column,
                            "more than %d event types in '%s'", JOURNEY_MATCHES_MAX, key);
    }
    for (size_t i = 0; i < list->count; i++) {
        const journey_doc_node_t *item = list->items[i];
        sy_err_t err = journey_event(b, item, &matches[*count]);
        if (err)
            return err;
        (*count)++;
        int bit = journey_watch_add(ctx, &matches[*count - 1], NULL, NULL, 0);
        if (bit < 0 && ctx->failed_nomem)
            return journey_fail(b, SY_ERR_NOMEM, item->line, item->column, "out of memory");
        if (bit < 0)
            return journey_fail(b, SY_ERR_LIMIT, item->line, item->column,
                                "more than %d event types watched by one branch",
                                JOURNEY_WATCH_MAX);
        *mask |= UINT32_C(1) << bit;
    }
    return SY_OK;
}

static sy_err_t branch_path_name(journey_build_t *b, const journey_branch_t *branch,
                                 journey_path_t *path, const journey_doc_node_t *map) {
    const journey_doc_node_t *name;
    sy_err_t err = journey_need(b, map, "name", "path", &name);
    if (!err)
        err = journey_string(b, name, "name", &path->name);
    if (err)
        return err;
    if (strcmp(path->name, "otherwise") == 0)
        return journey_fail(b, SY_ERR_JOURNEY, name->line, name->column,
                            "a path may not be named 'otherwise': that path is the branch's own");
    for (size_t i = 0; i + 1 < branch->paths_count; i++) {
        if (strcmp(branch->paths[i].name, path->name) == 0)
            return journey_fail(b, SY_ERR_JOURNEY, name->line, name->column,
                                "duplicate path name '%s' (first at line %d)", path->name,
                                branch->paths[i].line);
    }
    return SY_OK;
}

/* The optional durations of a path; after past within leaves no time the path holds. */
static sy_err_t branch_path_windows(journey_build_t *b, journey_path_t *path,
                                    const journey_doc_node_t *map) {
    const journey_doc_node_t *within = journey_doc_get(map, "within");
    const journey_doc_node_t *after = journey_doc_get(map, "after");
    sy_err_t err = SY_OK;
    if (within)
        err = journey_duration(b, within, &path->within_ms);
    if (!err && after)
        err = journey_duration(b, after, &path->after_ms);
    if (!err && within && after && path->after_ms > path->within_ms)
        err = journey_fail(b, SY_ERR_JOURNEY, after->line, after->column,
                           "path '%s' can never hold: 'after' %s is past 'within' %s",
                           path->name, after->text, within->text);
    return err;
}

/* The path's `if`: seen(channel.type) in it adds to the watch list too. */
static sy_err_t branch_path_filter(journey_build_t *b, journey_watch_ctx_t *ctx,
                                   journey_path_t *path, const journey_doc_node_t *map) {
    const journey_doc_node_t *filter = journey_doc_get(map, "if");
    if (!filter)
        return SY_OK;
    expr_scope_t scope = journey_scope(b, ctx);
    sy_err_t err = journey_expr(b, filter, &scope, &path->filter);
    if (!err && ctx->failed_nomem)
        err = journey_fail(b, SY_ERR_NOMEM, filter->line, filter->column, "out of memory");
    return err;
}

static sy_err_t branch_path(journey_build_t *b, uint16_t index, journey_branch_t *branch,
                            const journey_doc_node_t *map) {
    journey_path_t *path = &branch->paths[branch->paths_count++];
    journey_watch_ctx_t ctx = {.b = b,
                               .watch = &branch->watch,
                               .message_channel = branch_message_channel(b,
                                                                         branch->message_node),
                               .message_channels = journey_best_channels(journey_doc_get(
                                   b->node_maps[branch->message_node], "send"))};
    path->line = map->line;
    const journey_doc_node_t *when;
    sy_err_t err = journey_keys_check(b, map, branch_path_keys, "path");
    if (!err)
        err = branch_path_name(b, branch, path, map);
    if (!err)
        err = journey_need(b, map, "when", "path", &when);
    if (!err)
        err = branch_matches(b, when, "when", &ctx, path->when, &path->when_count,
                             &path->when_mask);
    const journey_doc_node_t *unless = journey_doc_get(map, "unless");
    if (!err && unless)
        err = branch_matches(b, unless, "unless", &ctx, path->unless, &path->unless_count,
                             &path->unless_mask);
    if (!err)
        err = branch_path_filter(b, &ctx, path, map);
    if (!err)
        err = branch_path_windows(b, path, map);
    if (!err)
        err = journey_target(b, index, map, "to", "path", &path->to);
    return err;
}

static sy_err_t branch_paths(journey_build_t *b, uint16_t index, journey_branch_t *branch,
                             const journey_doc_node_t *paths) {
    if (paths->kind != JOURNEY_DOC_SEQ || paths->count == 0)
        return journey_fail(b, SY_ERR_JOURNEY, paths->line, paths->column,
                            "'paths' must be a list of at least one path");
    if (paths->count > JOURNEY_PATHS_MAX) {
        const journey_doc_node_t *extra = paths->items[JOURNEY_PATHS_MAX];
        return journey_fail(b, SY_ERR_LIMIT, extra->line, extra->column,
                            "more than %d paths in a branch", JOURNEY_PATHS_MAX);
    }
    branch->paths = calloc(paths->count, sizeof *branch->paths);
    if (!branch->paths)
        return journey_fail(b, SY_ERR_NOMEM, paths->line, paths->column, "out of memory");
    for (size_t i = 0; i < paths->count; i++) {
        sy_err_t err = branch_path(b, index, branch, paths->items[i]);
        if (err)
            return err;
    }
    return SY_OK;
}

/* The otherwise path closes the branch at `after`, by default the latest window. */
static sy_err_t branch_otherwise(journey_build_t *b, uint16_t index,
                                 journey_branch_t *branch, const journey_doc_node_t *map) {
    sy_err_t err = journey_keys_check(b, map, branch_otherwise_keys, "otherwise");
    if (err)
        return err;
    branch->otherwise_name = strdup("otherwise");
    if (!branch->otherwise_name)
        return journey_fail(b, SY_ERR_NOMEM, map->line, map->column, "out of memory");
    const journey_doc_node_t *after = journey_doc_get(map, "after");
    if (after) {
        err = journey_duration(b, after, &branch->otherwise_after_ms);
    } else {
        for (size_t i = 0; i < branch->paths_count; i++) {
            const journey_path_t *path = &branch->paths[i];
            int64_t window = path->within_ms > path->after_ms ? path->within_ms
                                                              : path->after_ms;
            if (window > branch->otherwise_after_ms)
                branch->otherwise_after_ms = window;
        }
        if (branch->otherwise_after_ms == 0)
            err = journey_fail(b, SY_ERR_JOURNEY, map->line, map->column,
                               "otherwise needs 'after' when no path has a window");
    }
    if (!err)
        err = journey_target(b, index, map, "to", "otherwise", &branch->otherwise_to);
    return err;
}

sy_err_t journey_branch_build(journey_build_t *b, uint16_t index,
                              const journey_doc_node_t *map) {
    journey_node_t *node = &b->journey->nodes[index];
    journey_branch_t *branch = &node->u.branch;
    const journey_doc_node_t *message, *paths, *otherwise = journey_doc_get(map, "otherwise");
    sy_err_t err = journey_keys_check(b, map, branch_keys, "branch");
    if (!err)
        err = journey_need(b, map, "message", "branch", &message);
    if (!err)
        err = journey_ref(b, message, "message", &branch->message_node);
    if (err)
        return err;
    journey_node_kind_t kind = b->journey->nodes[branch->message_node].kind;
    if (kind != JOURNEY_NODE_SEND)
        return journey_fail(b, SY_ERR_JOURNEY, message->line, message->column,
                            "'message' names node '%s', which is not a send node",
                            message->text);
    if (branch_message_channel(b, branch->message_node) == SY_CHANNEL_TASK)
        return journey_fail(b, SY_ERR_JOURNEY, message->line, message->column,
                            "'message' names node '%s', a task hand-off, which reports no "
                            "events to branch on", message->text);
    err = journey_need(b, map, "paths", "branch", &paths);
    if (!err)
        err = branch_paths(b, index, branch, paths);
    if (!err && !otherwise)
        err = journey_fail(b, SY_ERR_JOURNEY, map->line, map->column,
                           "branch in node '%s' has no 'otherwise'", node->id);
    if (!err)
        err = branch_otherwise(b, index, branch, otherwise);
    return err;
}
