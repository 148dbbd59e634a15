/* ingest_profiles_int.h — the profiles index's hash table, shared by ingest_profiles.c
 * (which fills it from the topic) and ingest_profiles_index.c (the table). Not for use
 * outside connectors/ingest/. */
#ifndef SY_INGEST_PROFILES_INT_H
#define SY_INGEST_PROFILES_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "ingest_profiles.h"

typedef struct profiles_slot {
    char *key;     /* owned "e:<email>" or "p:<phone>"; NULL: empty */
    char *contact; /* owned */
} profiles_slot_t;

/* Zero-initialise, then pthread_rwlock_init the lock. */
typedef struct profiles_index {
    pthread_rwlock_t lock; /* guards the rest */
    profiles_slot_t *slots;
    size_t cap;            /* a power of two, or 0 */
    size_t count;
    bool full_logged;
} profiles_index_t;

/* Point kind's ('e', 'p') address at contact_id (both copied). Writer lock. */
void profiles_index_put(profiles_index_t *ix, char kind, const char *address,
                        const char *contact_id);
/* The contact of kind's address into contact_id; false when none. Reader lock. */
bool profiles_index_get(profiles_index_t *ix, char kind, const char *address,
                        char *contact_id, size_t size);
size_t profiles_index_count(profiles_index_t *ix);
void profiles_index_deinit(profiles_index_t *ix);

#endif
