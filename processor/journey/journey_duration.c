/* journey_duration.c — durations as journeys write them ("500ms", "90s", "30m", "24h",
 * "7d"): the journey language's name for sy_duration_parse, which owns the grammar and
 * the bound. Not calendar-aware: a day is 24 h. */
#include "journey.h"
#include "sy_time.h"

bool journey_duration_parse(const char *text, int64_t *ms) {
    return sy_duration_parse(text, ms) == SY_DURATION_OK;
}
