/* demo_world.c — the demo population and its event queue. */
#include "demo_world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sy_array.h"
#include "sy_heap.h"

union demo_world_slot {
    channel_sim_event_t event;    /* while the slot's key is in the heap */
    demo_world_slot_t *next_free; /* while it is in free_slots */
};

/* The order of events, (occurred_at_ms, event_id), over their keys. */
static bool key_before(const void *pa, const void *pb) {
    const demo_world_key_t *a = pa, *b = pb;
    if (a->occurred_at_ms != b->occurred_at_ms)
        return a->occurred_at_ms < b->occurred_at_ms;
    return strcmp(a->slot->event.event_id, b->slot->event.event_id) < 0;
}

/* One more block, its slots linked into free_slots in address order. 0 on out of memory. */
static int block_add(demo_world_t *w) {
    demo_world_slot_t **blocks = sy_array_grow(w->blocks, &w->blocks_capacity,
                                               w->blocks_count + 1, sizeof *blocks, 16);
    if (!blocks)
        return 0;
    w->blocks = blocks;
    demo_world_slot_t *block = malloc(DEMO_WORLD_BLOCK_EVENTS * sizeof *block);
    if (!block)
        return 0;
    blocks[w->blocks_count++] = block;
    for (size_t i = DEMO_WORLD_BLOCK_EVENTS; i-- > 0;) {
        block[i].next_free = w->free_slots;
        w->free_slots = &block[i];
    }
    return 1;
}

/* A copy of *ev into a free slot, and its key into the heap. 0 on out of memory. */
static int push(demo_world_t *w, const channel_sim_event_t *ev) {
    demo_world_key_t *heap = sy_array_grow(w->heap, &w->capacity, w->count + 1,
                                           sizeof *heap, 4096);
    if (!heap)
        return 0;
    w->heap = heap;
    if (!w->free_slots && !block_add(w))
        return 0;
    demo_world_key_t key = {ev->occurred_at_ms, w->free_slots};
    w->free_slots = key.slot->next_free;
    key.slot->event = *ev;
    sy_heap_push(w->heap, sizeof *w->heap, &w->count, &key, key_before);
    return 1;
}

static channel_sim_event_t custom_event(const char *contact, const char *name,
                                        const char *id_suffix, int64_t at_ms) {
    channel_sim_event_t ev;
    memset(&ev, 0, sizeof ev);
    snprintf(ev.event_id, sizeof ev.event_id, "%s.%s", contact, id_suffix);
    snprintf(ev.contact_id, sizeof ev.contact_id, "%s", contact);
    ev.name = name;
    ev.channel = SY_CHANNEL_CUSTOM;
    ev.type = SY_EVENT_CUSTOM;
    ev.bounce = SY_BOUNCE_NONE;
    ev.occurred_at_ms = at_ms;
    return ev;
}

static const char *const first_names[] = {"Ann", "Bo", "Chidi", "Dana", "Emil", "Fatima",
                                          "Goran", "Hana"};
static const char *const time_zones[] = {"Europe/London", "Europe/Paris", "America/New_York",
                                         "Asia/Kolkata", "UTC"};
static const char *const stores[] = {"Leeds", "York", "Hull", "Bath"};
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static void contact_name(char *buf, size_t size, size_t index) {
    snprintf(buf, size, "contact-%05zu", index + 1);
}

void demo_world_profile(const demo_world_t *w, size_t index, demo_profile_t *p,
                        sy_profile_update_t *update) {
    contact_name(p->contact_id, sizeof p->contact_id, index);
    double u = channel_sim_uniform(w->sim.seed, p->contact_id, 300);
    p->attrs[0] = (sy_attr_t){"first_name", {.kind = SY_VALUE_STRING,
                                             .u.s = first_names[(size_t)(u * 8) % 8]}};
    double ltv = channel_sim_uniform(w->sim.seed, p->contact_id, 302) * 1000;
    p->attrs[1] = (sy_attr_t){"ltv", {.kind = SY_VALUE_DOUBLE, .u.d = (double)(int)ltv}};
    p->attrs[2] = (sy_attr_t){
        "timezone", {.kind = SY_VALUE_STRING,
                     .u.s = time_zones[(size_t)(channel_sim_uniform(w->sim.seed, p->contact_id,
                                                                    301) * 5) % 5]}};
    memset(update, 0, sizeof *update);
    update->contact_id = p->contact_id;
    update->updated_at_ms = DEMO_WORLD_START_MS - DEMO_HOUR_MS;
    update->set_count = 3;
    memcpy(update->set, p->attrs, sizeof p->attrs);
}

static int add_contact(demo_world_t *w, const journey_set_t *journeys, size_t index) {
    char contact[32], suffix[48];
    contact_name(contact, sizeof contact, index);
    for (size_t j = 0; j < journeys->count; j++) {
        const journey_event_match_t *entry = &journeys->journeys[j]->entry;
        if (journeys->journeys[j]->entry_when)
            continue; /* entered by a profile change, not an event */
        double u = channel_sim_uniform(w->sim.seed, contact, 100 + j);
        channel_sim_event_t ev = custom_event(
            contact, entry->name, journeys->journeys[j]->id,
            DEMO_WORLD_START_MS + (int64_t)(u * (double)DEMO_WORLD_ENTRY_WINDOW_MS));
        ev.channel = entry->channel;
        ev.type = entry->type;
        ev.props_count = 1;
        ev.props[0] = (sy_kv_t){"store", stores[(index + j) % COUNT_OF(stores)]};
        if (!push(w, &ev))
            return 0;
        w->entries++;
    }
    for (int k = 0; k < DEMO_WORLD_APP_OPENS; k++) {
        double u = channel_sim_uniform(w->sim.seed, contact, 200 + (uint64_t)k);
        snprintf(suffix, sizeof suffix, "app_open.%d", k);
        channel_sim_event_t ev = custom_event(
            contact, "app_open", suffix,
            DEMO_WORLD_START_MS + (int64_t)(u * (double)DEMO_WORLD_HORIZON_MS));
        if (!push(w, &ev))
            return 0;
        w->app_opens++;
    }
    return 1;
}

int demo_world_init(demo_world_t *w, const journey_set_t *journeys, size_t contacts,
                    uint64_t seed) {
    memset(w, 0, sizeof *w);
    channel_sim_init(&w->sim, seed);
    w->contacts = contacts;
    for (size_t i = 0; i < contacts; i++)
        if (!add_contact(w, journeys, i))
            return 0;
    return 1;
}

void demo_world_deinit(demo_world_t *w) {
    for (size_t i = 0; i < w->blocks_count; i++)
        free(w->blocks[i]);
    free(w->blocks);
    free(w->heap);
    memset(w, 0, sizeof *w);
}

int demo_world_answer(demo_world_t *w, const sy_action_t *action, int64_t not_before_ms) {
    channel_sim_event_t out[CHANNEL_SIM_EVENTS_MAX];
    size_t n = channel_sim_respond(&w->sim, action, out);
    for (size_t i = 0; i < n; i++) {
        if (out[i].occurred_at_ms < not_before_ms)
            out[i].occurred_at_ms = not_before_ms;
        if (!push(w, &out[i]))
            return 0;
        w->engagements++;
    }
    return 1;
}

int demo_world_next(demo_world_t *w, int64_t until_ms, channel_sim_event_t *out) {
    if (!w->count || w->heap[0].occurred_at_ms >= until_ms)
        return 0;
    demo_world_slot_t *slot = w->heap[0].slot;
    *out = slot->event;
    sy_heap_pop(w->heap, sizeof *w->heap, &w->count, key_before);
    slot->next_free = w->free_slots; /* after the pop: its comparisons never read slot */
    w->free_slots = slot;
    return 1;
}
