/* expr_time.c — times and durations as expressions and templates read and write them:
 * ISO-8601 text to and from epoch milliseconds (proleptic Gregorian, UTC offsets only,
 * no zone names) and durations as "24h", "90s", "1500ms". No allocation. */
#include <inttypes.h>
#include <stdio.h>

#include "expr_int.h"

#define TIME_MS_PER_DAY INT64_C(86400000)

/* Days since 1970-01-01 of a civil date (400-year eras of 146097 days). */
static int64_t time_days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The civil date of a day count since 1970-01-01. */
static void time_civil_from_days(int64_t days, int64_t *y, int *m, int *d) {
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void expr_time_format(int64_t ms, char *buf) {
    int64_t days = ms / TIME_MS_PER_DAY, rest = ms % TIME_MS_PER_DAY, y;
    if (rest < 0) {
        rest += TIME_MS_PER_DAY;
        days--;
    }
    int m, d;
    time_civil_from_days(days, &y, &m, &d);
    snprintf(buf, EXPR_TIME_TEXT_BYTES, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m,
             d, (int)(rest / 3600000), (int)(rest / 60000 % 60), (int)(rest / 1000 % 60),
             (int)(rest % 1000));
}

/* Exactly n digits at *p into *value; advances *p. */
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

/* "Z", "+HH:MM", "+HHMM" (or '-') at the end of the text, as an offset in minutes. */
static bool time_zone(const char *p, int *offset_min) {
    int sign, hh, mm;
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        *offset_min = 0;
        return true;
    }
    if (*p != '+' && *p != '-')
        return false;
    sign = *p++ == '-' ? -1 : 1;
    if (!time_digits(&p, 2, &hh))
        return false;
    time_char(&p, ':');
    if (!time_digits(&p, 2, &mm) || *p != '\0' || hh > 23 || mm > 59)
        return false;
    *offset_min = sign * (hh * 60 + mm);
    return true;
}

bool expr_time_parse(const char *text, int64_t *ms) {
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = text;
    int y, mo, d, h, mi, s, frac = 0, offset_min;
    if (!time_digits(&p, 4, &y) || !time_char(&p, '-') || !time_digits(&p, 2, &mo) ||
        !time_char(&p, '-') || !time_digits(&p, 2, &d) ||
        !(time_char(&p, 'T') || time_char(&p, 't')) || !time_digits(&p, 2, &h) ||
        !time_char(&p, ':') || !time_digits(&p, 2, &mi) || !time_char(&p, ':') ||
        !time_digits(&p, 2, &s))
        return false;
    if (time_char(&p, '.')) {
        int scale = 100, digit;
        if (*p < '0' || *p > '9')
            return false;
        for (; time_digits(&p, 1, &digit); scale /= 10)
            frac += digit * scale; /* digits past milliseconds add 0 */
    }
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
        h > 23 || mi > 59 || s > 59 || !time_zone(p, &offset_min))
        return false;
    int64_t days = time_days_from_civil(y, mo, d);
    *ms = days * TIME_MS_PER_DAY + ((int64_t)h * 3600 + mi * 60 + s) * 1000 + frac -
          (int64_t)offset_min * 60000;
    return true;
}

void expr_duration_format(int64_t ms, char *buf, size_t size) {
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
