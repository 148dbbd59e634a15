/* sy_time.c — the one reader and writer of instants and durations (see sy_time.h):
 * ISO-8601 text with a UTC offset, epoch milliseconds, "24h"-style durations, the
 * proleptic Gregorian calendar (Howard Hinnant's 400-year eras of 146097 days) and
 * saturating due-time sums. Not time zones, not clocks. */
#include "sy_time.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define TIME_MS_PER_DAY INT64_C(86400000)

int64_t sy_time_days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                    /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365, March = 0 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            /* 0..146096 */
    return era * 146097 + doe - 719468; /* 719468: days from 0000-03-01 to 1970-01-01 */
}

void sy_time_civil_from_days(int64_t days, int64_t *y, int *m, int *d) {
    int64_t z = days + 719468; /* days since 0000-03-01 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

bool sy_time_is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int sy_time_days_in_month(int64_t y, int m) {
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && sy_time_is_leap(y) ? 29 : days[m - 1];
}

int64_t sy_time_add_ms(int64_t at_ms, int64_t after_ms) {
    int64_t sum;
    if (!__builtin_add_overflow(at_ms, after_ms, &sum))
        return sum;
    return after_ms > 0 ? INT64_MAX : INT64_MIN;
}

void sy_time_format_ms(int64_t ms, char *buf) {
    int64_t days = ms / TIME_MS_PER_DAY, rest = ms % TIME_MS_PER_DAY, y;
    int m, d;
    if (rest < 0) {
        rest += TIME_MS_PER_DAY;
        days--;
    }
    sy_time_civil_from_days(days, &y, &m, &d);
    snprintf(buf, SY_TIME_TEXT_BYTES, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d,
             (int)(rest / 3600000), (int)(rest / 60000 % 60), (int)(rest / 1000 % 60),
             (int)(rest % 1000));
}

/* Exactly n digits at *p into *value; advances *p past them. */
static bool time_digits(const char **p, int n, int *value) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *value = v;
    return true;
}

static bool time_char(const char **p, char c) {
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

/* "[.f{1,9}]" then "Z" or "±HH:MM" then the end: milliseconds and the offset in minutes. */
static bool time_tail(const char *p, int *frac_ms, int *offset_min) {
    int sign, hh, mm, digit, count = 0;
    *frac_ms = 0;
    if (time_char(&p, '.')) {
        for (int scale = 100; time_digits(&p, 1, &digit); scale /= 10, count++)
            *frac_ms += digit * scale; /* scale is 0 past milliseconds */
        if (count < 1 || count > 9)
            return false;
    }
    if (time_char(&p, 'Z')) {
        *offset_min = 0;
        return *p == '\0';
    }
    if (*p != '+' && *p != '-')
        return false;
    sign = *p++ == '-' ? -1 : 1;
    if (!time_digits(&p, 2, &hh) || !time_char(&p, ':') || !time_digits(&p, 2, &mm) ||
        *p != '\0' || hh > 23 || mm > 59)
        return false;
    *offset_min = sign * (hh * 60 + mm);
    return true;
}

bool sy_time_parse_iso(const char *text, int64_t *ms) {
    const char *p = text;
    int y, mo, d, h, mi, s, frac_ms, offset_min;
    if (!time_digits(&p, 4, &y) || !time_char(&p, '-') || !time_digits(&p, 2, &mo) ||
        !time_char(&p, '-') || !time_digits(&p, 2, &d) || !time_char(&p, 'T') ||
        !time_digits(&p, 2, &h) || !time_char(&p, ':') || !time_digits(&p, 2, &mi) ||
        !time_char(&p, ':') || !time_digits(&p, 2, &s) || !time_tail(p, &frac_ms, &offset_min))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > sy_time_days_in_month(y, mo) || h > 23 || mi > 59 ||
        s > 59)
        return false;
    int64_t seconds = sy_time_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    int64_t v = (seconds - (int64_t)offset_min * 60) * 1000 + frac_ms;
    if (!sy_time_in_bounds(v))
        return false;
    *ms = v;
    return true;
}

/* Digits only, no sign, as a count that stays below limit; false past it. */
static bool time_count(const char *text, const char **end, int64_t limit, int64_t *out) {
    int64_t v = 0;
    const char *p = text;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (limit - (*p - '0')) / 10)
            return false;
        v = v * 10 + (*p - '0');
    }
    *end = p;
    *out = v;
    return p != text;
}

bool sy_time_parse(const char *text, int64_t *ms) {
    const char *end;
    int64_t v;
    if (time_count(text, &end, SY_TIME_MAX_MS, &v) && *end == '\0') {
        *ms = v;
        return true;
    }
    return sy_time_parse_iso(text, ms);
}

static const struct {
    const char *unit;
    int64_t ms;
} duration_units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 60 * 60 * 1000}, {"d", 24 * 60 * 60 * 1000},
};

sy_duration_status_t sy_duration_parse(const char *text, int64_t *ms) {
    const char *p = text;
    int64_t count = 0;
    bool too_large = false;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (count > (INT64_MAX - 9) / 10)
            too_large = true;
        else
            count = count * 10 + (*p - '0');
    }
    if (p == text || (count == 0 && !too_large))
        return SY_DURATION_BAD;
    for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++) {
        if (strcmp(p, duration_units[i].unit) != 0)
            continue;
        if (too_large || count > SY_DURATION_MAX_MS / duration_units[i].ms)
            return SY_DURATION_TOO_LARGE;
        *ms = count * duration_units[i].ms;
        return SY_DURATION_OK;
    }
    return SY_DURATION_BAD;
}

void sy_duration_format(int64_t ms, char *buf, size_t size) {
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"h", 3600000}, {"m", 60000}, {"s", 1000}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (ms != 0 && ms % units[i].ms == 0) {
            snprintf(buf, size, "%" PRId64 "%s", ms / units[i].ms, units[i].unit);
            return;
        }
    }
    if (ms == 0)
        snprintf(buf, size, "0s");
    else
        snprintf(buf, size, "%" PRId64 "ms", ms);
}
