/* inspect_caps.c — what `inspect` shows of frequency caps and held sends: each configured
 * rule's count of the contact's cap log at an instant (N of it used), and the instances
 * resting at a send node with their release time. Not the counting rules themselves
 * (engine_caps.c), not the rest of the report (inspect_text.c, inspect_json.c). */
#include "inspect.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "sy_time.h"

void inspect_caps_count(inspect_report_t *r, const engine_safety_conf_t *conf,
                        int64_t at_ms) {
    r->caps_at_ms = at_ms;
    r->caps_count = conf->caps_count;
    for (size_t i = 0; i < conf->caps_count; i++) {
        const engine_cap_rule_t *rule = &conf->caps[i];
        inspect_cap_t *c = &r->caps[i];
        snprintf(c->name, sizeof c->name, "%s", rule->name);
        c->count = engine_caps_count(rule, &r->consent, at_ms);
        c->count_max = rule->count_max;
        c->window_ms = rule->window_ms;
    }
}

int64_t inspect_held_release(const inspect_report_t *r, const inspect_instance_t *inst,
                             const journey_t *journey) {
    const state_instance_t *in = &inst->instance;
    if (!journey || in->status != STATE_INSTANCE_ACTIVE || in->node >= journey->nodes_count ||
        journey->nodes[in->node].kind != JOURNEY_NODE_SEND)
        return INT64_MIN;
    for (size_t t = 0; t < r->timers_count; t++) {
        const state_timer_t *timer = &r->timers[t];
        if (timer->partition == inst->partition && timer->node == in->node &&
            timer->node_entered_at_ms == in->node_entered_at_ms &&
            strcmp(timer->journey_id, inst->journey_id) == 0)
            return timer->due_ms;
    }
    return INT64_MIN;
}

void inspect_caps_print_text(const inspect_report_t *r, const journey_set_t *journeys,
                             FILE *out) {
    char when[INSPECT_TIME_BYTES], window[SY_DURATION_TEXT_BYTES];
    bool header = false;
    for (size_t i = 0; journeys && i < r->instances_count; i++) {
        const inspect_instance_t *inst = &r->instances[i];
        const journey_t *j = inspect_journey_find(journeys, inst->journey_id,
                                                  inst->instance.journey_version);
        int64_t release = inspect_held_release(r, inst, j);
        if (release == INT64_MIN)
            continue;
        if (!header)
            fprintf(out, "\nheld sends:\n");
        header = true;
        inspect_time_format(release, when);
        fprintf(out, "  %s at %s until %s\n", inst->journey_id,
                j->nodes[inst->instance.node].id, when);
    }
    if (r->caps_count) {
        inspect_time_format(r->caps_at_ms, when);
        fprintf(out, "\ncaps at %s:\n", when);
    }
    for (size_t i = 0; i < r->caps_count; i++) {
        sy_duration_format(r->caps[i].window_ms, window, sizeof window);
        fprintf(out, "  %s %d/%d in %s\n", r->caps[i].name, r->caps[i].count,
                r->caps[i].count_max, window);
    }
    if (r->consent.sends_count) {
        inspect_time_format(r->consent.sends[r->consent.sends_count - 1].time_ms, when);
        fprintf(out, "\ncap log: %zu sends kept, the newest at %s\n", r->consent.sends_count,
                when);
    }
}

struct json_object *inspect_caps_json(const inspect_report_t *r) {
    char when[INSPECT_TIME_BYTES], window[SY_DURATION_TEXT_BYTES];
    json_object *o = json_object_new_object(), *rules = json_object_new_array();
    inspect_time_format(r->caps_at_ms, when);
    json_object_object_add(o, "at", r->caps_count ? json_object_new_string(when) : NULL);
    for (size_t i = 0; i < r->caps_count; i++) {
        json_object *rule = json_object_new_object();
        sy_duration_format(r->caps[i].window_ms, window, sizeof window);
        json_object_object_add(rule, "name", json_object_new_string(r->caps[i].name));
        json_object_object_add(rule, "count", json_object_new_int(r->caps[i].count));
        json_object_object_add(rule, "max", json_object_new_int(r->caps[i].count_max));
        json_object_object_add(rule, "window", json_object_new_string(window));
        json_object_array_add(rules, rule);
    }
    json_object_object_add(o, "rules", rules);
    json_object_object_add(o, "log", json_object_new_int((int32_t)r->consent.sends_count));
    return o;
}
