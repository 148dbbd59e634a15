/* tz.c — the zone cache and the two questions journeys ask of a time zone: its offset at
 * an instant, and the next instant a wall-clock time of day comes round. Zones are read
 * on first use and kept for the life of the process (they never change under it). */
#include "tz.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tz_int.h"

#define DAY_S 86400

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static tz_zone_t *tz_cache[TZ_ZONES_MAX]; /* guarded by tz_lock; entries never freed */
static size_t tz_cache_count;

/* A name we may turn into a path under TZ_DIR: no "..", no leading '/', no oddities. */
static bool name_allowed(const char *name) {
    size_t len = strlen(name);
    if (len == 0 || len > TZ_NAME_BYTES_MAX || name[0] == '/' || strstr(name, ".."))
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+' || c == '.'))
            return false;
    }
    return true;
}

/* The zone named name, from the cache or read now. NULL means UTC. *owned is set when
 * the cache was full: the caller frees the zone after use. */
static tz_zone_t *zone_acquire(const char *name, bool *owned) {
    *owned = false;
    if (!name || !name_allowed(name))
        return NULL;
    pthread_mutex_lock(&tz_lock);
    for (size_t i = 0; i < tz_cache_count; i++) {
        if (strcmp(tz_cache[i]->name, name) == 0) {
            tz_zone_t *z = tz_cache[i];
            pthread_mutex_unlock(&tz_lock);
            return z;
        }
    }
    /* Read under the lock: a zone is read once per process, and two threads asking for
     * the same new zone must not both add it. */
    tz_zone_t *z = calloc(1, sizeof *z);
    if (z) {
        size_t len = strlen(name); /* bounded by name_allowed */
        assert(len < sizeof z->name);
        memcpy(z->name, name, len + 1);
        if (!tz_zone_read(z)) {
            free(z);
            z = NULL;
        } else if (tz_cache_count < TZ_ZONES_MAX) {
            tz_cache[tz_cache_count++] = z;
        } else {
            *owned = true;
        }
    }
    pthread_mutex_unlock(&tz_lock);
    return z;
}

static void zone_release(tz_zone_t *z, bool owned) {
    if (owned) {
        tz_zone_deinit(z);
        free(z);
    }
}

int32_t tz_offset_s(const char *zone, int64_t instant_ms) {
    bool owned;
    tz_zone_t *z = zone_acquire(zone, &owned);
    int64_t t_s = instant_ms / 1000 - (instant_ms % 1000 < 0);
    int32_t offset = tz_zone_offset_s(z, t_s);
    zone_release(z, owned);
    return offset;
}

/* In a gap (lo has the offset before it, hi the one after): the first second whose
 * offset is the later one, which is where the gap ends. */
static int64_t gap_end(const tz_zone_t *z, int64_t lo, int64_t hi) {
    int32_t before = tz_zone_offset_s(z, lo);
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (tz_zone_offset_s(z, mid) == before)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* The earliest instant (seconds) strictly after after_ms whose local time is local_s
 * (seconds since the epoch in local wall-clock terms), or the end of the gap local_s
 * falls in; INT64_MAX when there is none. The offsets a day either side cover every
 * offset in force that day. */
static int64_t local_next(const tz_zone_t *z, int64_t local_s, int64_t after_ms) {
    int32_t o1 = tz_zone_offset_s(z, local_s - DAY_S);
    int32_t o2 = tz_zone_offset_s(z, local_s + DAY_S);
    int32_t offsets[2] = {o1, o2};
    int64_t best = INT64_MAX;
    int valid = 0;
    for (int i = 0; i < (o1 == o2 ? 1 : 2); i++) {
        int64_t t = local_s - offsets[i];
        if (tz_zone_offset_s(z, t) != offsets[i])
            continue;
        valid++;
        if (t * 1000 > after_ms && t < best)
            best = t;
    }
    if (!valid && o1 < o2) {
        int64_t t = gap_end(z, local_s - o2, local_s - o1);
        if (t * 1000 > after_ms)
            best = t;
    }
    return best;
}

int64_t tz_next_minute_of_day(const char *zone, int64_t after_ms, int minute_of_day) {
    assert(minute_of_day >= 0 && minute_of_day < 24 * 60);
    bool owned;
    tz_zone_t *z = zone_acquire(zone, &owned);
    int64_t after_s = after_ms / 1000 - (after_ms % 1000 < 0);
    int64_t local = after_s + tz_zone_offset_s(z, after_s);
    int64_t day = local / DAY_S - (local % DAY_S < 0);
    int64_t t = INT64_MAX;
    /* The answer is on the local day of after_ms or one of the next two. */
    for (int64_t d = day - 1; d <= day + 2 && t == INT64_MAX; d++)
        t = local_next(z, d * DAY_S + (int64_t)minute_of_day * 60, after_ms);
    zone_release(z, owned);
    return t * 1000;
}
