/* ingest_profiles_index.c — the address → contact hash table of ingest_profiles.h (open
 * addressing, linear probing, keys "e:<email>" and "p:<phone>"), guarded by a
 * reader-writer lock. Not the topic tailing (ingest_profiles.c). */
#include "ingest_profiles_int.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sy_hash.h"

static uint64_t index_hash(const char *key) {
    assert(key);
    return sy_hash_mix64(sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, key, strlen(key)));
}

/* The slot of key, or the empty slot where it would go. */
static profiles_slot_t *index_slot(profiles_index_t *ix, const char *key) {
    assert(ix && ix->cap > 0 && key);
    size_t mask = ix->cap - 1;
    for (size_t i = index_hash(key) & mask;; i = (i + 1) & mask)
        if (!ix->slots[i].key || strcmp(ix->slots[i].key, key) == 0)
            return &ix->slots[i];
}

static bool index_grow(profiles_index_t *ix) {
    assert(ix);
    size_t cap = ix->cap ? ix->cap * 2 : 1024;
    profiles_slot_t *old = ix->slots;
    size_t old_cap = ix->cap;
    profiles_slot_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    ix->slots = slots;
    ix->cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].key)
            *index_slot(ix, old[i].key) = old[i];
    free(old);
    return true;
}

void profiles_index_put(profiles_index_t *ix, char kind, const char *address,
                        const char *contact_id) {
    char key[512];
    assert(ix && address && contact_id);
    if (snprintf(key, sizeof key, "%c:%s", kind, address) >= (int)sizeof key)
        return; /* no such address reaches ingest either */
    pthread_rwlock_wrlock(&ix->lock);
    if ((ix->count + 1) * 10 > ix->cap * 7 && ix->count < INGEST_PROFILES_ADDRESSES_MAX &&
        !index_grow(ix))
        log_warn("ingest: out of memory growing the profiles index");
    profiles_slot_t *slot = ix->cap ? index_slot(ix, key) : NULL;
    if (slot && slot->key) {
        char *contact = strdup(contact_id);
        if (contact) {
            free(slot->contact);
            slot->contact = contact;
        }
    } else if (slot && (ix->count + 1) * 10 <= ix->cap * 9) {
        slot->key = strdup(key);
        slot->contact = strdup(contact_id);
        if (!slot->key || !slot->contact) {
            free(slot->key);
            free(slot->contact);
            *slot = (profiles_slot_t){0};
        } else {
            ix->count++;
        }
    } else if (!ix->full_logged) {
        ix->full_logged = true;
        log_warn("ingest: the profiles index is full (%zu addresses): newer ones are left out",
                 ix->count);
    }
    pthread_rwlock_unlock(&ix->lock);
}

bool profiles_index_get(profiles_index_t *ix, char kind, const char *address,
                        char *contact_id, size_t size) {
    char key[512];
    bool found = false;
    assert(ix && address && contact_id && size > 0);
    if (snprintf(key, sizeof key, "%c:%s", kind, address) >= (int)sizeof key)
        return false;
    pthread_rwlock_rdlock(&ix->lock);
    profiles_slot_t *slot = ix->cap ? index_slot(ix, key) : NULL;
    if (slot && slot->key) {
        snprintf(contact_id, size, "%s", slot->contact);
        found = true;
    }
    pthread_rwlock_unlock(&ix->lock);
    return found;
}

size_t profiles_index_count(profiles_index_t *ix) {
    assert(ix);
    pthread_rwlock_rdlock(&ix->lock);
    size_t n = ix->count;
    pthread_rwlock_unlock(&ix->lock);
    return n;
}

void profiles_index_deinit(profiles_index_t *ix) {
    assert(ix);
    for (size_t i = 0; i < ix->cap; i++) {
        free(ix->slots[i].key);
        free(ix->slots[i].contact);
    }
    free(ix->slots);
    pthread_rwlock_destroy(&ix->lock);
}
