/* codec_random.h — seeded random records of every kind, valid for the codec (ids within
 * their limits, event types their channel reports), for the property tests against avro-c
 * (test_codec_avro.c). Not a fuzzer: the same seed gives the same records. */
#ifndef CODEC_RANDOM_H
#define CODEC_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

/* Strings of one record live here; a record needs far less. */
#define AVRO_ARENA_BYTES (64 * 1024)

/* A generator: seed rng (non-zero) once, set used to 0 before each record. The strings of
 * a record point into arena and live until the next record. */
typedef struct gen {
    uint64_t rng;
    char arena[AVRO_ARENA_BYTES];
    size_t used;
} gen_t;

/* One random record of each kind into *out (overwritten). */
void gen_event(gen_t *g, sy_event_t *e);
void gen_profile_update(gen_t *g, sy_profile_update_t *p);
void gen_action(gen_t *g, sy_action_t *a);
void gen_decision(gen_t *g, sy_decision_t *d);
void gen_contact_update(gen_t *g, sy_contact_update_t *u);
void gen_dead_letter(gen_t *g, sy_dead_letter_t *d);
void gen_conversion(gen_t *g, sy_conversion_t *c);

#endif
