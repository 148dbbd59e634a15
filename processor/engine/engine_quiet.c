/* engine_quiet.c — quiet hours: whether a marketing send falls inside its channel's quiet
 * hours in the contact's local time (an IANA zone from its profile, processor/tz), and
 * when a held send is released: the end of the quiet hours plus a stable offset of the
 * contact, so held sends do not leave in one burst. Not caps (engine_caps.c), not where
 * the gate asks (engine_safety.c). */
#include "engine.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "sy_hash.h"
#include "tz.h"

#define DAY_MS INT64_C(86400000)

/* Tries at moving a release out of quiet hours: one is enough except round a DST change
 * (a fall-back hour repeats the end of the quiet hours). */
#define QUIET_RELEASE_TRIES 4

/* The local minute of the day (0..1439) at t_ms in zone. */
static int quiet_local_minute(const char *zone, int64_t t_ms) {
    int64_t local = t_ms + (int64_t)tz_offset_s(zone, t_ms) * 1000;
    int64_t in_day = local % DAY_MS;
    if (in_day < 0)
        in_day += DAY_MS;
    assert(in_day >= 0 && in_day < DAY_MS);
    return (int)(in_day / 60000);
}

/* Is local minute m inside q (start inclusive, end exclusive, maybe across midnight)? */
static bool quiet_holds(const engine_quiet_hours_t *q, int m) {
    assert(q->on && q->start_minute != q->end_minute);
    if (q->start_minute < q->end_minute)
        return m >= q->start_minute && m < q->end_minute;
    return m >= q->start_minute || m < q->end_minute;
}

/* The contact's stable offset in [0, spread_ms). */
static int64_t quiet_offset_ms(const char *contact_id, int64_t spread_ms) {
    assert(contact_id != NULL && spread_ms >= 0);
    if (spread_ms == 0)
        return 0;
    uint64_t h = sy_hash_mix64(sy_hash_fnv1a64(SY_HASH_FNV64_OFFSET, contact_id,
                                               strlen(contact_id)));
    return (int64_t)(h % (uint64_t)spread_ms);
}

int64_t engine_quiet_release(const engine_quiet_hours_t *q, const char *zone,
                             const char *contact_id, int64_t spread_ms, int64_t t_ms) {
    assert(q != NULL && contact_id != NULL);
    int64_t release = t_ms, offset = quiet_offset_ms(contact_id, spread_ms);
    for (int i = 0; i < QUIET_RELEASE_TRIES; i++) {
        if (!q->on || !quiet_holds(q, quiet_local_minute(zone, release)))
            return release;
        release = sy_time_add_ms(tz_next_minute_of_day(zone, release, q->end_minute), offset);
    }
    return release;
}

sy_err_t engine_quiet_check(engine_walk_t *w, const journey_send_t *send,
                            engine_verdict_t *verdict) {
    char when[SY_TIME_TEXT_BYTES];
    engine_t *e = w->engine;
    assert((unsigned)send->channel < SY_CHANNEL__COUNT);
    const engine_quiet_hours_t *q = &e->safety.quiet[send->channel];
    if (!q->on || send->category != JOURNEY_CATEGORY_MARKETING)
        return SY_OK;
    sy_err_t err = engine_profile_load_always(w);
    if (err != SY_OK)
        return err;
    const char *zone = engine_profile_zone(e, e->safety.timezone_attr);
    if (!zone)
        zone = strcmp(e->safety.timezone_default, "UTC") == 0 ? NULL
                                                               : e->safety.timezone_default;
    int64_t release = engine_quiet_release(q, zone, w->contact_id, e->safety.quiet_spread_ms,
                                           w->t);
    if (release == w->t)
        return SY_OK;
    sy_time_format_ms(release, when);
    snprintf(e->reason, sizeof e->reason, "held:quiet_hours@%s", when);
    *verdict = (engine_verdict_t){.kind = ENGINE_VERDICT_HELD, .reason = e->reason,
                                  .release_ms = release};
    return SY_OK;
}
