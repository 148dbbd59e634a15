/* tz.h — local time of day in IANA time zones ("Europe/Paris"), read from the system's
 * zoneinfo files (TZif), for `wait: {until: "09:30"}`. Zones are parsed once and kept;
 * no process-wide TZ is touched, so it is safe from any thread. */
#ifndef SY_TZ_H
#define SY_TZ_H

#include <stdint.h>

/* Zones kept in memory at once: a deployment's contacts live in a few dozen. */
#define TZ_ZONES_MAX 512

/* The first instant strictly after after_ms at which the local wall-clock time in zone
 * is minute_of_day (0..1439), in Unix epoch ms. An unknown or NULL zone is UTC. Across a
 * DST gap (the minute does not exist that day) it is the first instant after the gap. */
int64_t tz_next_minute_of_day(const char *zone, int64_t after_ms, int minute_of_day);

/* The UTC offset of zone at instant_ms, in seconds (UTC: 0). */
int32_t tz_offset_s(const char *zone, int64_t instant_ms);

#endif
