/* engine_render.c — what send, task and update nodes hand to the sink: action commands
 * with their parameters rendered from the profile and the event, and contact updates
 * with their rendered value (also applied to the stored profile). Renders go into the
 * engine's one render buffer, reused for every output: nothing is allocated. */
#include "engine.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "action_id.h"
#include "engine_int.h"

/* Render count parameters into a->params, texts in the engine's render buffer. Without
 * compiled templates (literal parameters) the written texts are used. action.call_link
 * reads the engine's call_link ("": absent). */
static sy_err_t params_render(engine_walk_t *w, size_t count, const sy_kv_t *literal,
                              const journey_param_t *templates, sy_action_t *a) {
    if (count > SY_ACTION_PARAMS_MAX)
        return SY_ERR_LIMIT;
    a->params_count = count;
    if (!templates) {
        if (count)
            memcpy(a->params, literal, count * sizeof *literal);
        return SY_OK;
    }
    expr_env_t env;
    sy_err_t err = engine_walk_env(w, &env);
    if (err != SY_OK)
        return err;
    env.call_link = w->engine->call_link[0] ? w->engine->call_link : NULL;
    char *buf = w->engine->render_buf;
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        size_t room = ENGINE_RENDER_BYTES_MAX - used;
        size_t need = expr_template_render(templates[i].value, &env, buf + used, room);
        if (need >= room)
            return SY_ERR_LIMIT;
        assert(used + need < ENGINE_RENDER_BYTES_MAX);
        a->params[i] = (sy_kv_t){.key = templates[i].name, .value = buf + used};
        used += need + 1;
    }
    return SY_OK;
}

/* An action with every field but params zero, as its initializer would make it, without
 * zeroing the params (1 KB, most of an initializer's cost): params_render sets params_count
 * and the entries below it, and no one reads past them (records.h). */
static void action_clear(sy_action_t *a) {
    assert(a);
    memset(a, 0, offsetof(sy_action_t, params));
    a->tracking_display = a->tracking_tel = a->tracking_cta = NULL;
    a->tracking_fallback = false;
}

sy_err_t engine_render_action(engine_walk_t *w, const journey_node_t *node) {
    char action_id[ACTION_ID_BYTES];
    bool task = node->kind == JOURNEY_NODE_TASK;
    assert(task || node->kind == JOURNEY_NODE_SEND);
    const journey_send_t *send = &node->u.send;
    const journey_task_t *t = &node->u.task;
    sy_action_t a;
    action_clear(&a);
    a.action_id = action_id;
    a.contact_id = w->contact_id;
    a.channel = task ? SY_CHANNEL_TASK : send->channel;
    a.template_id = task ? t->queue : send->template_id;
    a.not_before_ms = w->t;
    a.journey_id = w->journey->id;
    a.journey_version = w->journey->version;
    a.node_id = node->id;
    a.occurrence = (int32_t)w->instance.occurrence;
    a.contact_id_len = w->contact_id_len;
    a.journey_id_len = w->journey_id_len;
    a.journey_part = w->journey->part; /* prepared at load (journey_parts.c) */
    a.node_part = node->id_part;
    a.template_part = node->template_part;
    if (!task && w->best_chosen) { /* a best-channel send: the channel the gate picked */
        a.channel = w->best_channel;
        a.template_id = send->templates[w->best_channel];
        a.template_part = NULL; /* that channel's template has none */
    }
    /* A node on a loop is passed more than once per occurrence: each pass has its own id,
     * and the instance remembers the last looped send for a branch on it. */
    bool on_loop = task ? t->on_loop : send->on_loop;
    if (on_loop && !task) {
        w->instance.looped_send = (uint16_t)(node - w->journey->nodes + 1);
        w->instance.looped_send_at_ms = w->t;
    }
    action_id_format_n(action_id, w->contact_id, w->contact_id_len, w->journey->id,
                       w->journey_id_len, w->journey->version, node->id,
                       w->instance.occurrence, on_loop ? w->t : ACTION_ID_ONE_PASS);
    /* The number first: the params may carry its click-to-call link. */
    sy_err_t err = SY_OK;
    w->engine->call_link[0] = '\0';
    if (!task && send->tracking_pool && (err = engine_calls_lease(w, send, &a)) != SY_OK)
        return err;
    err = task ? params_render(w, t->params_count, t->params, t->param_templates, &a)
               : params_render(w, send->params_count, send->params, send->param_templates,
                               &a);
    if (err != SY_OK)
        return err;
    return w->engine->sink.action(w->engine->sink.ctx, &a);
}

/* The value a set_attribute writes: rendered when it has holes, else as written. */
static sy_err_t value_render(engine_walk_t *w, const journey_update_t *up,
                             const char **value) {
    assert(up->op != SY_UPDATE_SET_ATTRIBUTE || up->value || up->value_template);
    *value = up->value;
    if (up->op != SY_UPDATE_SET_ATTRIBUTE || !up->value_template)
        return SY_OK;
    expr_env_t env;
    sy_err_t err = engine_walk_env(w, &env);
    if (err != SY_OK)
        return err;
    char *buf = w->engine->render_buf;
    if (expr_template_render(up->value_template, &env, buf, ENGINE_RENDER_BYTES_MAX) >=
        ENGINE_RENDER_BYTES_MAX)
        return SY_ERR_LIMIT;
    *value = buf;
    return SY_OK;
}

sy_err_t engine_render_update(engine_walk_t *w, const journey_node_t *node) {
    const journey_update_t *up = &node->u.update;
    const char *value = NULL;
    assert(node->kind == JOURNEY_NODE_UPDATE && up->name);
    sy_err_t err = value_render(w, up, &value);
    if (err != SY_OK)
        return err;
    sy_contact_update_t u = {
        .contact_id = w->contact_id,
        .journey_id = w->journey->id,
        .journey_version = w->journey->version,
        .node_id = node->id,
        .op = up->op,
        .name = up->name,
        .value = value,
        .at_ms = w->t,
    };
    if ((err = w->engine->sink.contact_update(w->engine->sink.ctx, &u)) != SY_OK ||
        (err = engine_safety_on_update(w, up)) != SY_OK)
        return err;
    return engine_profile_apply(w, up, value ? value : "");
}
