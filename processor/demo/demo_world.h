/* demo_world.h — the demo's synthetic population: entry events for every loaded
 * journey, background app activity that moves each partition's event time on, and the
 * answers of simulated providers to action commands, all kept in event-time order.
 * For `switchyard demo`; not a load generator (that is bench/). */
#ifndef SY_DEMO_WORLD_H
#define SY_DEMO_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "channel_sim.h"
#include "journey.h"

/* Simulated start: Monday 2026-11-02 08:00 UTC, fixed so every run is the same. */
#define DEMO_WORLD_START_MS INT64_C(1793606400000)
#define DEMO_HOUR_MS (3600 * INT64_C(1000))
/* Contacts become eligible over the first 12 hours; the world runs for 4 days, longer
 * than the 72 h close of the coffee journey's branch plus the entry window. */
#define DEMO_WORLD_ENTRY_WINDOW_MS (12 * DEMO_HOUR_MS)
#define DEMO_WORLD_HORIZON_MS (96 * DEMO_HOUR_MS)
/* App-open events per contact, spread over the horizon. */
#define DEMO_WORLD_APP_OPENS 4
#define DEMO_WORLD_CONTACTS_MAX 100000

/* Pending events wait in slots of blocks that never move, DEMO_WORLD_BLOCK_EVENTS slots
 * (about 1.9 MB) to a block, so that the heap orders small keys instead of moving whole
 * events (464 bytes each) at every level; the slot an event leaves by demo_world_next
 * takes the next event put in. 4096, the first size of the heap when it held whole events:
 * a new block is rare, and a world of a few hundred contacts needs only one. */
#define DEMO_WORLD_BLOCK_EVENTS 4096

typedef union demo_world_slot demo_world_slot_t; /* an event or a link: demo_world.c */

/* A pending event in the heap: its time (a copy, so that a comparison of two different
 * times stays in the heap) and its slot. */
typedef struct demo_world_key {
    int64_t occurred_at_ms;
    demo_world_slot_t *slot;
} demo_world_key_t;

typedef struct demo_world {
    channel_sim_t sim;
    size_t count, capacity;  /* pending events; keys the heap has room for */
    demo_world_key_t *heap;  /* owned; min-heap by (occurred_at_ms, event_id) */
    demo_world_slot_t **blocks; /* owned, each owned, of DEMO_WORLD_BLOCK_EVENTS slots */
    size_t blocks_count, blocks_capacity;
    demo_world_slot_t *free_slots; /* slots of blocks holding no event, linked */
    uint64_t entries, engagements, app_opens; /* events put in, by kind */
    size_t contacts;
} demo_world_t;

/* Create the population: contacts "contact-00001".. with their entry and app-open
 * events. 0 on out of memory; demo_world_deinit frees what was made either way. */
int demo_world_init(demo_world_t *world, const journey_set_t *journeys, size_t contacts,
                    uint64_t seed);
void demo_world_deinit(demo_world_t *world);

/* Queue the simulated provider's answers to action, none earlier than not_before_ms. */
int demo_world_answer(demo_world_t *world, const sy_action_t *action, int64_t not_before_ms);

/* The profile of contact index (0-based): first name, lifetime value and time zone,
 * drawn from the seed; it takes effect an hour before the world starts. update's strings
 * point into profile or static tables. */
typedef struct demo_profile {
    char contact_id[32];
    sy_attr_t attrs[3];
} demo_profile_t;

void demo_world_profile(const demo_world_t *world, size_t index, demo_profile_t *profile,
                        sy_profile_update_t *update);

/* Take the earliest event if it happens before until_ms; 0 when there is none. */
int demo_world_next(demo_world_t *world, int64_t until_ms, channel_sim_event_t *out);

#endif
