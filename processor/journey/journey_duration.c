/* journey_duration.c — durations as journeys write them ("500ms", "90s", "30m", "24h",
 * "7d") to milliseconds. Not calendar-aware: a day is 24 h; time-of-day waits are a
 * later version's business. */
#include "journey.h"

#include <stdint.h>
#include <string.h>

static const struct {
    const char *unit;
    int64_t ms;
} duration_units[] = {
    {"ms", 1},
    {"s", 1000},
    {"m", 60 * 1000},
    {"h", 60 * 60 * 1000},
    {"d", 24 * 60 * 60 * 1000},
};

bool journey_duration_parse(const char *text, int64_t *ms) {
    int64_t count = 0;
    const char *p = text;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (count > (INT64_MAX - 9) / 10)
            return false;
        count = count * 10 + (*p - '0');
    }
    if (p == text || count <= 0)
        return false;
    for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++) {
        if (strcmp(p, duration_units[i].unit) != 0)
            continue;
        if (count > INT64_MAX / duration_units[i].ms)
            return false;
        *ms = count * duration_units[i].ms;
        return true;
    }
    return false;
}
