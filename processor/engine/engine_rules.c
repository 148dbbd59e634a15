/* engine_rules.c — a journey's event rules: entry (event, `if`, re-entry policy) for a
 * contact without an active instance, and goals and exits, which end an active instance
 * the moment their event arrives. It decides; engine.c walks the contact in or ends it.
 * Not here: what happens at the nodes. */
#include "engine.h"

#include <assert.h>

#include "engine_int.h"
#include "sy_time.h"

/* Does the rule's event match ev and its `if` hold? */
static sy_err_t rule_holds(engine_walk_t *w, const journey_rule_t *rule, bool *holds) {
    assert(w->event); /* rules read events; timers never reach them */
    const sy_event_t *alias = w->engine->event_as_opt_out;
    *holds = event_match_test(&rule->event, w->event) ||
             (alias && event_match_test(&rule->event, alias));
    if (!*holds || !rule->filter)
        return SY_OK;
    expr_env_t env;
    sy_err_t err = SY_OK;
    if (expr_reads_profile(rule->filter))
        err = engine_walk_env(w, &env);
    else
        engine_walk_env_bare(w, &env);
    if (err == SY_OK)
        *holds = expr_eval_bool(rule->filter, &env);
    return err;
}

/* The first rule of rules[count] that holds for w's event, or NULL. */
static sy_err_t rule_first(engine_walk_t *w, const journey_rule_t *rules, size_t count,
                           const journey_rule_t **out) {
    *out = NULL;
    assert(rules || count == 0);
    for (size_t i = 0; i < count && !*out; i++) {
        bool holds = false;
        sy_err_t err = rule_holds(w, &rules[i], &holds);
        if (err != SY_OK)
            return err;
        if (holds)
            *out = &rules[i];
    }
    return SY_OK;
}

sy_err_t engine_rules_end(engine_walk_t *w, const char **kind, const journey_rule_t **rule) {
    const journey_t *j = w->journey;
    assert(w->instance.status == STATE_INSTANCE_ACTIVE);
    *kind = "goal";
    sy_err_t err = rule_first(w, j->goals, j->goals_count, rule);
    if (err == SY_OK && !*rule) {
        *kind = "exit";
        err = rule_first(w, j->exits, j->exits_count, rule);
    }
    return err;
}

/* Does the re-entry policy let a contact whose last instance is w->instance (done) in? */
bool engine_rules_reentry_allows(const engine_walk_t *w, bool found) {
    const journey_t *j = w->journey;
    if (!found)
        return true;
    assert(w->instance.status != STATE_INSTANCE_ACTIVE);
    switch (j->reentry) {
    case JOURNEY_REENTRY_NEVER:
        return false;
    case JOURNEY_REENTRY_ALWAYS:
        return true;
    case JOURNEY_REENTRY_COOLDOWN:
        return w->t >= sy_time_add_ms(w->instance.entered_at_ms, j->reentry_cooldown_ms);
    }
    return false;
}

sy_err_t engine_rules_entry(engine_walk_t *w, bool found, bool *entered) {
    if (!event_match_test(&w->journey->entry, w->event) || !engine_rules_reentry_allows(w, found))
        return SY_OK;
    state_instance_t last = w->instance;
    w->instance = (state_instance_t){.status = STATE_INSTANCE_ACTIVE,
                                     .journey_version = w->journey->version,
                                     .occurrence = found ? last.occurrence + 1 : 1,
                                     .entered_at_ms = w->t};
    bool holds = true;
    if (w->journey->entry_rule.filter) {
        expr_env_t env;
        sy_err_t err = SY_OK;
        if (expr_reads_profile(w->journey->entry_rule.filter))
            err = engine_walk_env(w, &env);
        else
            engine_walk_env_bare(w, &env);
        if (err != SY_OK)
            return err;
        holds = expr_eval_bool(w->journey->entry_rule.filter, &env);
    }
    if (!holds) {
        w->instance = last;
        return SY_OK;
    }
    assert(w->instance.status == STATE_INSTANCE_ACTIVE && w->journey->nodes_count > 0);
    w->cause = SY_CAUSE_ENTRY;
    *entered = true;
    return SY_OK;
}
