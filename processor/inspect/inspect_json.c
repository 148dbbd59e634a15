/* inspect_json.c — `switchyard inspect --json`: the same as inspect_text.c, as one JSON
 * object (built with json-c, which escapes every string). Fields: docs/inspect.md. */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "inspect.h"

static json_object *time_json(int64_t ms) {
    char buf[INSPECT_TIME_BYTES];
    inspect_time_format(ms, buf);
    return json_object_new_string(buf);
}

/* Add "node" (its id, or null when the journey is not loaded) and "node_index". */
static void node_add(json_object *o, const journey_t *journey, uint16_t node) {
    json_object_object_add(o, "node", journey && node < journey->nodes_count
                                          ? json_object_new_string(journey->nodes[node].id)
                                          : NULL);
    json_object_object_add(o, "node_index", json_object_new_int(node));
}

static json_object *seen_json(const journey_t *journey, const state_instance_t *in) {
    const journey_watch_t *watch = inspect_node_watch(journey, in->node);
    if (!watch)
        return NULL;
    json_object *names = json_object_new_array();
    for (size_t b = 0; b < watch->count; b++) {
        if (!((in->seen_mask >> b) & 1u))
            continue;
        char name[SY_ID_BYTES_MAX + EXPR_TEXT_BYTES_MAX + 32];
        inspect_watch_name(watch, b, name, sizeof name);
        json_object_array_add(names, json_object_new_string(name));
    }
    return names;
}

static json_object *timers_json(const inspect_report_t *r, const inspect_instance_t *i,
                                const journey_t *journey) {
    json_object *timers = json_object_new_array();
    for (size_t t = 0; t < r->timers_count; t++) {
        const state_timer_t *timer = &r->timers[t];
        if (timer->partition != i->partition || strcmp(timer->journey_id, i->journey_id))
            continue;
        json_object *o = json_object_new_object();
        json_object_object_add(o, "due", time_json(timer->due_ms));
        json_object_object_add(o, "due_ms", json_object_new_int64(timer->due_ms));
        node_add(o, journey, timer->node);
        bool stale = !state_timer_live(&i->instance, timer);
        json_object_object_add(o, "stale", json_object_new_boolean(stale));
        json_object_array_add(timers, o);
    }
    return timers;
}

static json_object *instance_json(const inspect_report_t *r, const inspect_instance_t *i,
                                  const journey_set_t *journeys) {
    const state_instance_t *in = &i->instance;
    const journey_t *journey = inspect_journey_find(journeys, i->journey_id,
                                                    in->journey_version);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "journey", json_object_new_string(i->journey_id));
    json_object_object_add(o, "version", json_object_new_int(in->journey_version));
    json_object_object_add(o, "partition", json_object_new_int(i->partition));
    json_object_object_add(o, "journey_loaded", json_object_new_boolean(journey != NULL));
    json_object_object_add(o, "status", json_object_new_string(
                                            in->status == STATE_INSTANCE_DONE ? "done"
                                                                              : "active"));
    node_add(o, journey, in->node);
    json_object_object_add(o, "entered_at", time_json(in->entered_at_ms));
    json_object_object_add(o, "node_entered_at", time_json(in->node_entered_at_ms));
    json_object_object_add(o, "occurrence", json_object_new_int64(in->occurrence));
    json_object_object_add(o, "outcomes_seen", seen_json(journey, in));
    json_object_object_add(o, "seen_mask", json_object_new_int64(in->seen_mask));
    json_object_object_add(o, "timers", timers_json(r, i, journey));
    return o;
}

static json_object *value_json(const sy_value_t *v) {
    switch (v->kind) {
    case SY_VALUE_BOOL:
        return json_object_new_boolean(v->u.b);
    case SY_VALUE_LONG:
        return json_object_new_int64(v->u.l);
    case SY_VALUE_DOUBLE:
        return json_object_new_double(v->u.d);
    case SY_VALUE_STRING:
        return json_object_new_string(v->u.s);
    case SY_VALUE_NULL:
        break;
    }
    return NULL;
}

/* {"channels": {"sms": {"status", "cause", "time"}, ..., "all": ...}, "lists": [{"name",
 * "time"}]}: known channels only. */
static json_object *consent_json(const state_consent_t *c) {
    json_object *root = json_object_new_object(), *channels = json_object_new_object(),
                *lists = json_object_new_array();
    for (int i = 0; i < STATE_CONSENT_SLOTS; i++) {
        const state_consent_slot_t *s = &c->slots[i];
        char when[INSPECT_TIME_BYTES];
        if (s->status == STATE_CONSENT_UNKNOWN)
            continue;
        inspect_time_format(s->time_ms, when);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "status", json_object_new_string(
            state_consent_status_name((state_consent_status_t)s->status)));
        json_object_object_add(o, "cause", json_object_new_string(
            state_consent_cause_name((state_consent_cause_t)s->cause)));
        json_object_object_add(o, "time", json_object_new_string(when));
        json_object_object_add(channels, i == STATE_CONSENT_ALL ? "all"
                                         : sy_channel_name((sy_channel_t)i), o);
    }
    for (size_t i = 0; i < c->lists_count; i++) {
        char when[INSPECT_TIME_BYTES];
        inspect_time_format(c->lists[i].time_ms, when);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(c->lists[i].name));
        json_object_object_add(o, "time", json_object_new_string(when));
        json_object_array_add(lists, o);
    }
    json_object_object_add(root, "channels", channels);
    json_object_object_add(root, "lists", lists);
    return root;
}

/* The recent event ids: [{"hash": "<16 hex digits>", "time": "<ISO>"}], oldest first. */
static json_object *event_ids_json(const inspect_report_t *r) {
    json_object *a = json_object_new_array();
    for (size_t i = 0; a && i < r->event_ids_count; i++) {
        char hash[17], when[INSPECT_TIME_BYTES];
        snprintf(hash, sizeof hash, "%016" PRIx64, r->event_ids[i].hash);
        inspect_time_format(r->event_ids[i].time_ms, when);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "hash", json_object_new_string(hash));
        json_object_object_add(o, "time", json_object_new_string(when));
        json_object_array_add(a, o);
    }
    return a;
}

static json_object *profile_json(const inspect_report_t *r) {
    if (!r->has_profile)
        return NULL;
    json_object *o = json_object_new_object(), *attrs = json_object_new_object();
    json_object_object_add(o, "partition", json_object_new_int(r->profile_partition));
    for (size_t a = 0; a < r->attrs_count; a++)
        json_object_object_add(attrs, r->attrs[a].name, value_json(&r->attrs[a].value));
    json_object_object_add(o, "attributes", attrs);
    return o;
}

/* Instances held at a send: [{"journey", "node", "release"}]. */
static json_object *held_json(const inspect_report_t *r, const journey_set_t *journeys) {
    json_object *a = json_object_new_array();
    for (size_t i = 0; a && journeys && i < r->instances_count; i++) {
        const inspect_instance_t *inst = &r->instances[i];
        const journey_t *j = inspect_journey_find(journeys, inst->journey_id,
                                                  inst->instance.journey_version);
        int64_t release = inspect_held_release(r, inst, j);
        if (release == INT64_MIN)
            continue;
        char when[INSPECT_TIME_BYTES];
        inspect_time_format(release, when);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "journey", json_object_new_string(inst->journey_id));
        json_object_object_add(o, "node", json_object_new_string(
                                              j->nodes[inst->instance.node].id));
        json_object_object_add(o, "release", json_object_new_string(when));
        json_object_array_add(a, o);
    }
    return a;
}

sy_err_t inspect_print_json(const inspect_report_t *r, const journey_set_t *journeys,
                            FILE *out) {
    json_object *root = json_object_new_object(), *instances = json_object_new_array();
    if (!root || !instances) {
        json_object_put(root);
        json_object_put(instances);
        return SY_ERR_NOMEM;
    }
    json_object_object_add(root, "contact", json_object_new_string(r->contact_id));
    json_object_object_add(root, "found", json_object_new_boolean(inspect_found(r)));
    for (size_t i = 0; i < r->instances_count; i++)
        json_object_array_add(instances, instance_json(r, &r->instances[i], journeys));
    json_object_object_add(root, "instances", instances);
    json_object_object_add(root, "instances_truncated",
                           json_object_new_boolean(r->instances_truncated));
    json_object_object_add(root, "timers_truncated",
                           json_object_new_boolean(r->timers_truncated));
    json_object_object_add(root, "profile", profile_json(r));
    json_object_object_add(root, "event_ids", event_ids_json(r));
    json_object_object_add(root, "consent", consent_json(&r->consent));
    json_object_object_add(root, "engagement", inspect_engagement_json(r));
    json_object_object_add(root, "caps", inspect_caps_json(r));
    json_object_object_add(root, "held", held_json(r, journeys));
    inspect_leases_json(r, root);
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                                JSON_C_TO_STRING_NOSLASHESCAPE);
    sy_err_t err = text && fprintf(out, "%s\n", text) >= 0 ? SY_OK : SY_ERR_IO;
    json_object_put(root);
    return err;
}
