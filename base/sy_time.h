/* sy_time.h — instants and durations as switchyard reads and writes them: one grammar for
 * ISO-8601 instants, one for durations, the ISO text the outputs use, civil-date arithmetic
 * and checked due-time sums. The grammar and bounds are documented once, in
 * docs/expressions.md ("Times and durations"). Not time zones (tz.h), not clocks
 * (sy_clock.h). No allocation; every function may be called from any thread. */
#ifndef SY_TIME_H
#define SY_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sy_limits.h"

/* Bytes sy_time_format_ms writes at most, NUL included: room for any int64 (a year of
 * "-292277026" does not occur for bounded instants, but formatting never truncates). */
#define SY_TIME_TEXT_BYTES 40

/* Bytes sy_duration_format writes at most, NUL included: 19 digits, a unit, a sign. */
#define SY_DURATION_TEXT_BYTES 24

/* Instant text "YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)" to epoch milliseconds. Digits past
 * the third fraction digit are read and dropped. Refuses any other form (lower-case t or
 * z, "+HHMM", a missing offset, trailing text), impossible dates (2026-02-30) and results
 * outside [SY_TIME_MIN_MS, SY_TIME_MAX_MS]. *ms is set only on success. */
bool sy_time_parse_iso(const char *text, int64_t *ms);

/* An instant as text: the ISO form above, or epoch milliseconds as decimal digits (no
 * sign), in the same bounds. *ms is set only on success. */
bool sy_time_parse(const char *text, int64_t *ms);

/* Whether ms lies within the documented instant bounds. Inline: the rules check the time
 * of every event read and written. */
static inline bool sy_time_in_bounds(int64_t ms) {
    return ms >= SY_TIME_MIN_MS && ms <= SY_TIME_MAX_MS;
}

/* ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, always three fraction digits) into buf of at
 * least SY_TIME_TEXT_BYTES: the form every output of switchyard uses. Any int64 is
 * formatted (years outside 0000..9999 print with more digits or a sign). */
void sy_time_format_ms(int64_t ms, char *buf);

/* Outcome of sy_duration_parse: which part of the text was wrong. */
typedef enum {
    SY_DURATION_OK = 0,
    SY_DURATION_BAD,       /* not "<positive whole number><unit>" */
    SY_DURATION_TOO_LARGE, /* well-formed, but longer than SY_DURATION_MAX_MS */
} sy_duration_status_t;

/* Duration text "<count><unit>", unit one of ms s m h d (a day is 24 h), count a positive
 * whole number with nothing between it and the unit: "500ms", "90s", "24h", "7d". The
 * result is 1..SY_DURATION_MAX_MS; *ms is set only on SY_DURATION_OK. */
sy_duration_status_t sy_duration_parse(const char *text, int64_t *ms);

/* ms as the shortest whole "<n>h", "<n>m", "<n>s" or "<n>ms" ("0s" for 0) into buf. */
void sy_duration_format(int64_t ms, char *buf, size_t size);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d (m 1..12, d 1..31; the
 * caller checks the day exists). Exact for |y| below 10^9. */
int64_t sy_time_days_from_civil(int64_t y, int m, int d);

/* The proleptic Gregorian date of a day count since 1970-01-01 (|days| below 10^11). */
void sy_time_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/* Whether y is a Gregorian leap year; the number of days of month m (1..12) of year y. */
bool sy_time_is_leap(int64_t y);
int sy_time_days_in_month(int64_t y, int m);

/* The due time at_ms + after_ms, saturated to INT64_MAX (never due) or INT64_MIN instead
 * of overflowing. With bounded instants and durations the sum never saturates; the check
 * keeps a damaged or hostile input from wrapping into the past. */
int64_t sy_time_add_ms(int64_t at_ms, int64_t after_ms);

#endif
