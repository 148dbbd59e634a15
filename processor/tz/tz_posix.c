/* tz_posix.c — the POSIX TZ strings of TZif footers, which say how a zone behaves after
 * its last listed transition: "EST5EDT,M3.2.0,M11.1.0", "<+03>-3", "CET-1CEST,M3.5.0,
 * M10.5.0/3". Supported: quoted and unquoted names, offsets [+-]hh[:mm[:ss]], rules in
 * the Jn, n and Mm.w.d forms with optional [+-]hh[:mm[:ss]] times (RFC 8536 allows hours
 * up to 167). Not supported: a daylight name without a rule (the rule is then left to
 * the implementation); such a footer is ignored and the last transition's offset holds. */
#include <ctype.h>
#include <string.h>

#include "sy_time.h"
#include "tz_int.h"

#define DAY_S 86400

/* A zone name: alphabetic, at least 3 characters, or anything between < and >. */
static bool parse_name(const char **p) {
    const char *s = *p;
    if (*s == '<') {
        const char *end = strchr(s, '>');
        if (!end || end - s < 4)
            return false;
        *p = end + 1;
        return true;
    }
    while (isalpha((unsigned char)*s))
        s++;
    if (s - *p < 3)
        return false;
    *p = s;
    return true;
}

static bool parse_number(const char **p, int max, int *out) {
    int v = 0, digits = 0;
    while (isdigit((unsigned char)**p) && digits < 3) {
        v = v * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    if (!digits || v > max)
        return false;
    *out = v;
    return true;
}

/* [+-]hh[:mm[:ss]] in seconds; hours up to hours_max. */
static bool parse_hms(const char **p, int hours_max, int32_t *out) {
    int sign = 1, h, m = 0, s = 0;
    if (**p == '+' || **p == '-')
        sign = *(*p)++ == '-' ? -1 : 1;
    if (!parse_number(p, hours_max, &h))
        return false;
    if (**p == ':') {
        (*p)++;
        if (!parse_number(p, 59, &m))
            return false;
        if (**p == ':') {
            (*p)++;
            if (!parse_number(p, 59, &s))
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
}

static bool parse_rule_day(const char **p, tz_rule_day_t *d) {
    memset(d, 0, sizeof *d);
    d->time_s = 2 * 3600; /* POSIX: the change happens at 02:00 unless told */
    bool ok;
    if (**p == 'M') {
        (*p)++;
        d->form = 'M';
        ok = parse_number(p, 12, &d->month) && d->month >= 1 && *(*p)++ == '.' &&
             parse_number(p, 5, &d->week) && d->week >= 1 && *(*p)++ == '.' &&
             parse_number(p, 6, &d->weekday);
    } else if (**p == 'J') {
        (*p)++;
        d->form = 'J';
        ok = parse_number(p, 365, &d->n) && d->n >= 1;
    } else {
        d->form = 'N';
        ok = parse_number(p, 365, &d->n);
    }
    if (ok && **p == '/') {
        (*p)++;
        ok = parse_hms(p, 167, &d->time_s);
    }
    return ok;
}

bool tz_footer_parse(const char *text, tz_footer_t *out) {
    const char *p = text;
    int32_t posix;
    tz_footer_t f = {0};
    if (!parse_name(&p) || !parse_hms(&p, 24, &posix))
        return false;
    f.std_utoff_s = -posix; /* POSIX offsets are west of Greenwich */
    f.dst_utoff_s = f.std_utoff_s;
    if (*p) {
        if (!parse_name(&p))
            return false;
        f.has_dst = true;
        f.dst_utoff_s = f.std_utoff_s + 3600;
        if (*p && *p != ',') {
            if (!parse_hms(&p, 24, &posix))
                return false;
            f.dst_utoff_s = -posix;
        }
        if (*p++ != ',' || !parse_rule_day(&p, &f.start) || *p++ != ',' ||
            !parse_rule_day(&p, &f.end) || *p)
            return false;
    }
    f.valid = true;
    *out = f;
    return true;
}

/* The year of a day count since 1970-01-01. */
static int64_t year_of_day(int64_t days) {
    int64_t y;
    int m, d;
    sy_time_civil_from_days(days, &y, &m, &d);
    return y;
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The day (days since the epoch) a rule names in year y. */
static int64_t rule_day(const tz_rule_day_t *d, int64_t y) {
    int64_t jan1 = sy_time_days_from_civil(y, 1, 1);
    if (d->form == 'J')
        return jan1 + d->n - 1 + (sy_time_is_leap(y) && d->n >= 60);
    if (d->form == 'N')
        return jan1 + d->n;
    int64_t first = sy_time_days_from_civil(y, d->month, 1);
    int first_wd = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
    int day = 1 + (d->weekday - first_wd + 7) % 7 + 7 * (d->week - 1);
    int len = sy_time_days_in_month(y, d->month);
    while (day > len)
        day -= 7;
    return first + day - 1;
}

int32_t tz_footer_offset_s(const tz_footer_t *f, int64_t t_s) {
    if (!f->has_dst)
        return f->std_utoff_s;
    int64_t y = year_of_day(floor_div(t_s + f->std_utoff_s, DAY_S));
    int64_t start = rule_day(&f->start, y) * DAY_S + f->start.time_s - f->std_utoff_s;
    int64_t end = rule_day(&f->end, y) * DAY_S + f->end.time_s - f->dst_utoff_s;
    bool dst = start < end ? (t_s >= start && t_s < end) : !(t_s >= end && t_s < start);
    return dst ? f->dst_utoff_s : f->std_utoff_s;
}
