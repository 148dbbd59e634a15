/* channel_sim.h — simulated channel providers: given an action command, what the
 * recipient does and when, as the engagement events a real email or push provider would
 * report. Deterministic for a seed and an action id. For the demo and load generation;
 * no network, no real provider. */
#ifndef SY_CHANNEL_SIM_H
#define SY_CHANNEL_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "records.h"

/* Events one action can cause: sent, delivered or bounced/blocked, opened, clicked. */
#define CHANNEL_SIM_EVENTS_MAX 4

/* How recipients behave on one channel. A message is reached (delivered; for voice: the
 * call attempted) or fails one of two ways (bounced/blocked, failed, not attempted) or
 * nothing is reported. A reached recipient engages (opens, replies, answers) or not (for
 * voice, "not answered" is reported); one who engaged may also click. Probabilities of
 * failures are of all messages; engaged is given reached, clicked given engaged. Delays
 * are uniform in [min, max]. */
typedef struct channel_sim_outcome {
    double probability;
    sy_event_type_t type;
} channel_sim_outcome_t;

/* Marks "no event" in a profile's type fields. */
#define CHANNEL_SIM_NO_EVENT SY_EVENT_TYPE__COUNT

typedef struct channel_sim_profile {
    channel_sim_outcome_t reached;
    channel_sim_outcome_t failures[2];
    channel_sim_outcome_t engaged;   /* given reached */
    sy_event_type_t not_engaged_type; /* reported when not engaged, or CHANNEL_SIM_NO_EVENT */
    channel_sim_outcome_t clicked;   /* given engaged */
    double clicked_alone;            /* click probability given reached but not engaged */
    int64_t reach_delay_min_ms, reach_delay_max_ms;
    int64_t engage_delay_min_ms, engage_delay_max_ms; /* after reaching */
} channel_sim_profile_t;

typedef struct channel_sim {
    uint64_t seed;
    channel_sim_profile_t profiles[SY_CHANNEL__COUNT];
} channel_sim_t;

/* An event the simulation produced; ids are held inline so it outlives the action. */
typedef struct channel_sim_event {
    char event_id[SY_ID_BYTES_MAX + 1];
    char contact_id[SY_ID_BYTES_MAX + 1];
    char message_id[SY_ID_BYTES_MAX + 1];
    const char *name; /* custom event name (static storage), or NULL */
    size_t props_count; /* properties, keys and values in static storage */
    sy_kv_t props[2];
    sy_channel_t channel;
    sy_event_type_t type;
    sy_bounce_t bounce;
    int64_t occurred_at_ms;
} channel_sim_event_t;

/* Default behaviour (channel_sim.c has the figures): email delivered 82%, bounced 8%,
 * blocked 5%, 55% of the delivered opened within 5 minutes to 30 hours, 40% of those
 * clicked; SMS delivered 95%, 25% reply, 20% of the others click the link; push delivered
 * 95%, opened 30%, half of those clicked; voice attempted 85% (not attempted 10%, blocked
 * 5%), answered 55%. */
void channel_sim_init(channel_sim_t *sim, uint64_t seed);

/* Fill out with what the recipient of action does; returns how many events (at most
 * CHANNEL_SIM_EVENTS_MAX), in time order, none before action->not_before_ms. Channels
 * without a profile (delivered == 0) report nothing. */
size_t channel_sim_respond(const channel_sim_t *sim, const sy_action_t *action,
                           channel_sim_event_t *out);

/* A uniform double in [0, 1) from seed, a string and a salt: stable across runs. */
double channel_sim_uniform(uint64_t seed, const char *key, uint64_t salt);

/* The draws of one key under several salts: hash seed and key once with
 * channel_sim_key_hash, then channel_sim_uniform_at(hash, salt) equals
 * channel_sim_uniform(seed, key, salt) for every salt. */
uint64_t channel_sim_key_hash(uint64_t seed, const char *key);
double channel_sim_uniform_at(uint64_t key_hash, uint64_t salt);

/* The event as an sy_event_t whose strings borrow from ev. */
void channel_sim_event_view(const channel_sim_event_t *ev, sy_event_t *out);

#endif
