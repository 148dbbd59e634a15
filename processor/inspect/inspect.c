/* inspect.c — gathering one contact's state for `switchyard inspect` (instances, the
 * timers of their partitions, the profile, event ids and consent) and the lookups both
 * printers share. The printing itself: inspect_text.c and inspect_json.c. */
#include "inspect.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int instance_visit(void *ctx, int32_t partition, const char *journey_id,
                          const state_instance_t *instance) {
    inspect_report_t *r = ctx;
    if (r->instances_count == INSPECT_INSTANCES_MAX) {
        r->instances_truncated = true;
        return 1;
    }
    inspect_instance_t *i = &r->instances[r->instances_count++];
    i->partition = partition;
    snprintf(i->journey_id, sizeof i->journey_id, "%s", journey_id);
    i->instance = *instance;
    return 0;
}

static int timer_visit(void *ctx, const state_timer_t *timer) {
    inspect_report_t *r = ctx;
    if (strcmp(timer->contact_id, r->contact_id) != 0)
        return 0;
    if (r->timers_count == INSPECT_TIMERS_MAX) {
        r->timers_truncated = true;
        return 1;
    }
    r->timers[r->timers_count++] = *timer;
    return 0;
}

/* The live timer instance i keeps, if it has one. */
static void instance_timer_add(inspect_report_t *r, const inspect_instance_t *i) {
    assert(i->instance.timer == STATE_INSTANCE_TIMER_ARMED);
    state_timer_t t = {.partition = i->partition, .due_ms = i->instance.timer_due_ms,
                       .node = i->instance.node,
                       .node_entered_at_ms = i->instance.node_entered_at_ms};
    snprintf(t.contact_id, sizeof t.contact_id, "%s", r->contact_id);
    snprintf(t.journey_id, sizeof t.journey_id, "%s", i->journey_id);
    timer_visit(r, &t);
}

/* Due order, then journey id. */
static int timer_cmp(const void *pa, const void *pb) {
    const state_timer_t *a = pa, *b = pb;
    assert(a && b);
    if (a->due_ms != b->due_ms)
        return a->due_ms < b->due_ms ? -1 : 1;
    return strcmp(a->journey_id, b->journey_id);
}

/* The live timers the instances keep, then those of a store written by an older version
 * (its own timer index), scanned in every partition holding an instance, each partition
 * once (the instances come partition by partition in ascending order); in due order. */
static sy_err_t timers_gather(inspect_report_t *r, state_store_t *store, char *errbuf,
                              size_t errbuf_size) {
    for (size_t i = 0; i < r->instances_count; i++)
        if (r->instances[i].instance.timer == STATE_INSTANCE_TIMER_ARMED)
            instance_timer_add(r, &r->instances[i]);
    for (size_t i = 0; i < r->instances_count; i++) {
        int32_t p = r->instances[i].partition;
        if (i > 0 && r->instances[i - 1].partition == p)
            continue;
        sy_err_t err = state_store_timers_scan(store, p, timer_visit, r, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
    }
    qsort(r->timers, r->timers_count, sizeof *r->timers, timer_cmp);
    return SY_OK;
}

sy_err_t inspect_gather(inspect_report_t *r, state_store_t *store, const char *contact_id,
                        char *errbuf, size_t errbuf_size) {
    memset(r, 0, sizeof *r);
    state_engagement_clear(&r->engagement);
    if (strlen(contact_id) > SY_ID_BYTES_MAX) {
        snprintf(errbuf, errbuf_size, "contact id longer than %d bytes", SY_ID_BYTES_MAX);
        return SY_ERR_LIMIT;
    }
    snprintf(r->contact_id, sizeof r->contact_id, "%s", contact_id);
    sy_err_t err = state_store_contact_scan(store, contact_id, instance_visit, r, errbuf,
                                            errbuf_size);
    if (err == SY_OK)
        err = timers_gather(r, store, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    err = state_store_profile_partition_find(store, contact_id, &r->profile_partition, errbuf,
                                             errbuf_size);
    if (err == SY_OK)
        err = state_store_profile_get(store, r->profile_partition, contact_id, r->attrs,
                                      SY_PROFILE_ATTRS_MAX, &r->attrs_count, r->profile_buf,
                                      sizeof r->profile_buf, errbuf, errbuf_size);
    r->has_profile = err == SY_OK;
    if (err != SY_OK && err != SY_ERR_NOT_FOUND)
        return err;
    r->event_ids_partition = r->instances_count ? r->instances[0].partition
                             : r->has_profile   ? r->profile_partition
                                                : -1;
    if (r->event_ids_partition < 0) {
        err = state_store_consent_partition_find(store, contact_id, &r->event_ids_partition,
                                                 errbuf, errbuf_size);
        if (err != SY_OK) {
            r->event_ids_partition = -1;
            return err == SY_ERR_NOT_FOUND ? SY_OK : err;
        }
    }
    err = state_store_event_ids_get(store, r->event_ids_partition, contact_id, r->event_ids,
                                    &r->event_ids_count, errbuf, errbuf_size);
    if (err == SY_OK)
        err = state_store_engagement_get(store, r->event_ids_partition, contact_id,
                                         &r->engagement, errbuf, errbuf_size);
    return err != SY_OK ? err
                        : state_store_consent_get(store, r->event_ids_partition, contact_id,
                                                  &r->consent, errbuf, errbuf_size);
}

bool inspect_found(const inspect_report_t *r) {
    return r->instances_count || r->has_profile || r->event_ids_partition >= 0;
}

const journey_t *inspect_journey_find(const journey_set_t *journeys, const char *id,
                                      int32_t version) {
    for (size_t i = 0; journeys && i < journeys->count; i++) {
        const journey_t *j = journeys->journeys[i];
        if (j->version == version && strcmp(j->id, id) == 0)
            return j;
    }
    return NULL;
}

const journey_watch_t *inspect_node_watch(const journey_t *journey, uint16_t node) {
    if (!journey || node >= journey->nodes_count)
        return NULL;
    const journey_node_t *n = &journey->nodes[node];
    if (n->kind == JOURNEY_NODE_BRANCH)
        return &n->u.branch.watch;
    if (n->kind == JOURNEY_NODE_WAIT && n->u.wait.kind == JOURNEY_WAIT_EVENT)
        return &n->u.wait.watch;
    return NULL;
}

void inspect_time_format(int64_t ms, char *buf) {
    int64_t s = ms / 1000, frac = ms % 1000;
    if (frac < 0) {
        frac += 1000;
        s--;
    }
    time_t t = (time_t)s;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        snprintf(buf, INSPECT_TIME_BYTES, "%" PRId64 " ms", ms);
        return;
    }
    int n = (int)strftime(buf, INSPECT_TIME_BYTES, "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac)
        snprintf(buf + n, INSPECT_TIME_BYTES - (size_t)n, ".%03dZ", (int)frac);
    else
        snprintf(buf + n, INSPECT_TIME_BYTES - (size_t)n, "Z");
}

void inspect_event_name(const journey_event_match_t *m, char *buf, size_t size) {
    if (m->type == SY_EVENT_CUSTOM)
        snprintf(buf, size, "custom.%s", m->name ? m->name : "");
    else
        snprintf(buf, size, "%s.%s", sy_channel_name(m->channel), sy_event_type_name(m->type));
}

void inspect_watch_name(const journey_watch_t *watch, size_t bit, char *buf, size_t size) {
    inspect_event_name(&watch->events[bit], buf, size);
    size_t len = strlen(buf);
    if (watch->filter_texts[bit] && len < size)
        snprintf(buf + len, size - len, " (%s)", watch->filter_texts[bit]);
}
