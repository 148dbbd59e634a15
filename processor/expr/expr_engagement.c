/* expr_engagement.c — the engagement variables of expressions and templates,
 * contact.engagement.<channel>.<field>: their names and types, resolved at compile time,
 * and their values, read at run time through the environment's engagement reader. What
 * the values mean (decay, rates) is the engine's (engine_engagement.c), not this file's. */
#include <stdio.h>
#include <string.h>

#include "expr_int.h"

#define ENGAGEMENT_PREFIX "contact.engagement."

/* The channels a journey sends on, which have engagement (not call, custom, task). */
static const sy_channel_t engagement_channels[] = {SY_CHANNEL_EMAIL, SY_CHANNEL_SMS,
                                                   SY_CHANNEL_PUSH, SY_CHANNEL_VOICE,
                                                   SY_CHANNEL_IN_APP, SY_CHANNEL_WEB};

static const char *const measure_names[] = {"engagement_rate", "open_rate", "click_rate",
                                            "sends"};
static const char *const horizon_names[EXPR_ENGAGEMENT_HORIZONS] = {"7d", "30d", "90d"};

/* The field named name[0..len), or -1. */
static int engagement_field(const char *name, size_t len) {
    static const char *const others[] = {"engaged_at", "sent_at", "delivered_at",
                                         "ignored_streak"};
    char text[64];
    for (int m = 0; m < 4; m++)
        for (int h = 0; h < EXPR_ENGAGEMENT_HORIZONS; h++) {
            int n = snprintf(text, sizeof text, "%s_%s", measure_names[m], horizon_names[h]);
            if ((size_t)n == len && memcmp(text, name, len) == 0)
                return m * EXPR_ENGAGEMENT_HORIZONS + h;
        }
    for (int i = 0; i < 4; i++)
        if (strlen(others[i]) == len && memcmp(others[i], name, len) == 0)
            return EXPR_ENGAGEMENT_ENGAGED_AT + i;
    return -1;
}

bool expr_engagement_resolve(const char *name, size_t len, expr_var_t *out) {
    size_t prefix = sizeof ENGAGEMENT_PREFIX - 1;
    if (len <= prefix || memcmp(name, ENGAGEMENT_PREFIX, prefix) != 0)
        return false;
    const char *rest = name + prefix, *dot = memchr(rest, '.', len - prefix);
    if (!dot)
        return false;
    size_t channel_len = (size_t)(dot - rest);
    int field = engagement_field(dot + 1, len - prefix - channel_len - 1);
    for (size_t i = 0; field >= 0 && i < sizeof engagement_channels /
                                         sizeof engagement_channels[0]; i++) {
        const char *c = sy_channel_name(engagement_channels[i]);
        if (strlen(c) != channel_len || memcmp(c, rest, channel_len) != 0)
            continue;
        out->kind = EXPR_VAR_ENGAGEMENT;
        out->bit = (int)engagement_channels[i] * EXPR_ENGAGEMENT__COUNT + field;
        out->type = field >= EXPR_ENGAGEMENT_ENGAGED_AT && field <= EXPR_ENGAGEMENT_DELIVERED_AT
                        ? EXPR_TYPE_TIME : EXPR_TYPE_NUMBER;
        return true;
    }
    return false;
}

bool expr_engagement_always_present(const expr_var_t *var) {
    int field = var->bit % EXPR_ENGAGEMENT__COUNT;
    return field == EXPR_ENGAGEMENT_IGNORED_STREAK ||
           (field >= EXPR_ENGAGEMENT_SENDS && field < EXPR_ENGAGEMENT_ENGAGED_AT);
}

void expr_engagement_read(const expr_var_t *var, const expr_env_t *env, expr_cell_t *out) {
    expr_engagement_value_t v = {.absent = !expr_engagement_always_present(var)};
    sy_channel_t channel = (sy_channel_t)(var->bit / EXPR_ENGAGEMENT__COUNT);
    expr_engagement_field_t field = (expr_engagement_field_t)(var->bit % EXPR_ENGAGEMENT__COUNT);
    if (env->engagement)
        env->engagement(env->engagement_ctx, channel, field, env->now_ms, &v);
    out->absent = v.absent;
    if (var->type == EXPR_TYPE_TIME)
        out->u.ms = v.ms;
    else
        out->u.n = v.n;
}
