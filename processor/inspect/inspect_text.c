/* inspect_text.c — `switchyard inspect` for people: one block per journey instance (node,
 * times, outcomes seen, timers), then the profile. The JSON form: inspect_json.c. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "inspect.h"

/* One line of a node: "wait_open (node 2)" when the journey is loaded, else "node 2". */
static void node_print(const journey_t *journey, uint16_t node, FILE *out) {
    if (journey && node < journey->nodes_count)
        fprintf(out, "%s (node %u)", journey->nodes[node].id, node);
    else
        fprintf(out, "node %u", node);
}

static void seen_print(const journey_t *journey, const state_instance_t *in, FILE *out) {
    const journey_watch_t *watch = inspect_node_watch(journey, in->node);
    fprintf(out, "  outcomes seen:   ");
    if (!watch) {
        fprintf(out, "mask 0x%08" PRIx32 "\n", in->seen_mask);
        return;
    }
    int any = 0;
    for (size_t b = 0; b < watch->count; b++) {
        if (!((in->seen_mask >> b) & 1u))
            continue;
        char name[SY_ID_BYTES_MAX + EXPR_TEXT_BYTES_MAX + 32];
        inspect_watch_name(watch, b, name, sizeof name);
        fprintf(out, "%s%s", any++ ? ", " : "", name);
    }
    fprintf(out, "%s\n", any ? "" : "none");
}

static void timers_print(const inspect_report_t *r, const inspect_instance_t *i,
                         const journey_t *journey, FILE *out) {
    int any = 0;
    for (size_t t = 0; t < r->timers_count; t++) {
        const state_timer_t *timer = &r->timers[t];
        if (timer->partition != i->partition || strcmp(timer->journey_id, i->journey_id))
            continue;
        char due[INSPECT_TIME_BYTES];
        inspect_time_format(timer->due_ms, due);
        fprintf(out, "  %s %s at ", any++ ? "                " : "timers:         ", due);
        node_print(journey, timer->node, out);
        bool stale = !state_timer_live(&i->instance, timer);
        fprintf(out, "%s\n", stale ? " (stale: the instance has moved on; ignored)" : "");
    }
    if (!any)
        fprintf(out, "  timers:          none\n");
}

static void instance_print(const inspect_report_t *r, const inspect_instance_t *i,
                           const journey_set_t *journeys, FILE *out) {
    const state_instance_t *in = &i->instance;
    const journey_t *journey = inspect_journey_find(journeys, i->journey_id,
                                                    in->journey_version);
    char entered[INSPECT_TIME_BYTES], node_entered[INSPECT_TIME_BYTES];
    inspect_time_format(in->entered_at_ms, entered);
    inspect_time_format(in->node_entered_at_ms, node_entered);
    fprintf(out, "\njourney %s version %" PRId32 " (partition %" PRId32 "): %s%s\n",
            i->journey_id, in->journey_version, i->partition,
            in->status == STATE_INSTANCE_DONE ? "done" : "active",
            journey ? "" : " [journey not loaded: nodes by index]");
    fprintf(out, "  node:            ");
    node_print(journey, in->node, out);
    fprintf(out, "\n  entered at:      %s (occurrence %" PRIu32 ")\n", entered,
            in->occurrence);
    fprintf(out, "  node entered at: %s\n", node_entered);
    seen_print(journey, in, out);
    timers_print(r, i, journey, out);
}

static void value_print(const sy_value_t *v, FILE *out) {
    switch (v->kind) {
    case SY_VALUE_NULL:
        fprintf(out, "null");
        break;
    case SY_VALUE_BOOL:
        fprintf(out, "%s", v->u.b ? "true" : "false");
        break;
    case SY_VALUE_LONG:
        fprintf(out, "%" PRId64, v->u.l);
        break;
    case SY_VALUE_DOUBLE:
        fprintf(out, "%.17g", v->u.d);
        break;
    case SY_VALUE_STRING:
        fputc('"', out);
        for (const char *c = v->u.s; *c; c++)
            fprintf(out, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
        fputc('"', out);
        break;
    }
}

static void profile_print(const inspect_report_t *r, FILE *out);
static void consent_print(const state_consent_t *c, FILE *out);

void inspect_print_text(const inspect_report_t *r, const journey_set_t *journeys,
                        FILE *out) {
    fprintf(out, "contact %s: %zu journey instance%s%s\n", r->contact_id, r->instances_count,
            r->instances_count == 1 ? "" : "s",
            r->instances_truncated ? " (more not shown)" : "");
    for (size_t i = 0; i < r->instances_count; i++)
        instance_print(r, &r->instances[i], journeys, out);
    if (r->timers_truncated)
        fprintf(out, "\n(more than %d timers: the rest are not shown)\n", INSPECT_TIMERS_MAX);
    profile_print(r, out);
    consent_print(&r->consent, out);
    inspect_engagement_print_text(r, out);
    inspect_caps_print_text(r, journeys, out);
    inspect_leases_print_text(r, out);
    if (r->event_ids_count == 0)
        return;
    fprintf(out, "\nevent ids (partition %" PRId32 "): %zu recent, for deduplication\n",
            r->event_ids_partition, r->event_ids_count);
    for (size_t i = 0; i < r->event_ids_count; i++) {
        char when[INSPECT_TIME_BYTES];
        inspect_time_format(r->event_ids[i].time_ms, when);
        fprintf(out, "  %016" PRIx64 " at %s\n", r->event_ids[i].hash, when);
    }
}

/* The name of consent slot i: a channel, or "all". */
static const char *consent_slot_name(int i) {
    return i == STATE_CONSENT_ALL ? "all" : sy_channel_name((sy_channel_t)i);
}

/* Known consent and suppression lists; nothing when there is none. */
static void consent_print(const state_consent_t *c, FILE *out) {
    bool header = false;
    for (int i = 0; i < STATE_CONSENT_SLOTS; i++) {
        const state_consent_slot_t *s = &c->slots[i];
        if (s->status == STATE_CONSENT_UNKNOWN)
            continue;
        char when[INSPECT_TIME_BYTES];
        inspect_time_format(s->time_ms, when);
        if (!header)
            fprintf(out, "\nconsent:\n");
        header = true;
        fprintf(out, "  %-8s %s at %s (%s)\n", consent_slot_name(i),
                state_consent_status_name((state_consent_status_t)s->status), when,
                state_consent_cause_name((state_consent_cause_t)s->cause));
    }
    if (c->lists_count)
        fprintf(out, "\nsuppression lists:\n");
    for (size_t i = 0; i < c->lists_count; i++) {
        char when[INSPECT_TIME_BYTES];
        inspect_time_format(c->lists[i].time_ms, when);
        fprintf(out, "  %s since %s\n", c->lists[i].name, when);
    }
}

static void profile_print(const inspect_report_t *r, FILE *out) {
    if (!r->has_profile) {
        fprintf(out, "\nprofile: none\n");
        return;
    }
    fprintf(out, "\nprofile (partition %" PRId32 "): %zu attribute%s\n", r->profile_partition,
            r->attrs_count, r->attrs_count == 1 ? "" : "s");
    for (size_t a = 0; a < r->attrs_count; a++) {
        fprintf(out, "  %s = ", r->attrs[a].name);
        value_print(&r->attrs[a].value, out);
        fputc('\n', out);
    }
}
