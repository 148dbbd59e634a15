/* admin_snapshot.c — the journeys the admin server shows, handed over by the runner at its
 * start and at each reload (admin_journeys_set): an immutable, reference-counted set of
 * copies of what /journeys and the maps read, made on the runner's thread and swapped in
 * under the admin lock, so the HTTP threads never read a journey the runner owns. Not the
 * pages that read it (admin_journeys.c, admin_map.c). */
#include <assert.h>
#include <stdlib.h>

#include "admin_int.h"
#include "journey_map.h"
#include "log.h"

/* A snapshot of journeys[0..n) with one reference; NULL when out of memory. */
static admin_snapshot_t *snapshot_make(const journey_t *const *journeys, size_t n) {
    admin_snapshot_t *s = calloc(1, sizeof *s);
    assert(journeys || n == 0);
    if (!s)
        return NULL;
    atomic_init(&s->refs, 1);
    s->journeys = calloc(n ? n : 1, sizeof *s->journeys);
    for (size_t i = 0; s->journeys && i < n; i++) {
        if (journey_map_outline_copy(journeys[i], &s->journeys[i]) != SY_OK)
            break;
        s->count = i + 1;
    }
    if (!s->journeys || s->count != n) {
        admin_snapshot_unref(s);
        return NULL;
    }
    return s;
}

admin_snapshot_t *admin_snapshot_ref(admin_snapshot_t *s) {
    assert(s && atomic_load(&s->refs) > 0);
    atomic_fetch_add(&s->refs, 1);
    return s;
}

void admin_snapshot_unref(admin_snapshot_t *s) {
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
        return; /* no assert: NULL, or others still hold it */
    for (size_t i = 0; i < s->count; i++)
        journey_free(s->journeys[i]);
    free(s->journeys);
    free(s);
}

void admin_journeys_set(admin_t *a, const journey_t *const *journeys, size_t n) {
    if (!a)
        return; /* no assert: the server is off */
    assert(journeys || n == 0);
    admin_snapshot_t *fresh = snapshot_make(journeys, n);
    if (!fresh) {
        log_warn("admin: out of memory copying the %zu loaded journey version(s): "
                 "/journeys and the maps keep showing the previous ones", n);
        return;
    }
    pthread_mutex_lock(&a->lock);
    admin_snapshot_t *old = a->snapshot;
    a->snapshot = fresh;
    a->journeys = (const journey_t *const *)fresh->journeys;
    a->journeys_count = fresh->count;
    pthread_mutex_unlock(&a->lock);
    admin_snapshot_unref(old); /* a map being drawn holds its own reference */
}
