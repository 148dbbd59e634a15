/* tz_int.h — a parsed time zone, shared by tz.c (the cache and the public calls),
 * tz_file.c (reading TZif files) and tz_posix.c (the POSIX TZ rule of a file's footer).
 * Not for use outside tz. */
#ifndef SY_TZ_INT_H
#define SY_TZ_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where zone files are read from (Debian's tzdata package). */
#define TZ_DIR "/usr/share/zoneinfo"
/* Bytes of a zone name: IANA names are under 40 ("America/Argentina/ComodRivadavia"). */
#define TZ_NAME_BYTES_MAX 64
/* Bytes of a zone file: the largest tzdata file is a few KiB; refuse anything far off. */
#define TZ_FILE_BYTES_MAX (256 * 1024)

/* A day of a POSIX TZ rule: Jn (1..365, no Feb 29), n (0..365) or Mm.w.d. */
typedef struct tz_rule_day {
    char form; /* 'J', 'N' or 'M' */
    int n;     /* J and N */
    int month, week, weekday; /* M: 1..12, 1..5 (5 = last), 0..6 (Sunday = 0) */
    int32_t time_s; /* local time of the change, seconds after midnight (may be < 0) */
} tz_rule_day_t;

/* The footer of a v2+ file: how the zone behaves after its last transition. */
typedef struct tz_footer {
    bool valid;   /* false: absent or a form not supported (see tz_file.c) */
    bool has_dst;
    int32_t std_utoff_s, dst_utoff_s; /* seconds east of UTC */
    tz_rule_day_t start, end;         /* start in standard time, end in daylight time */
} tz_footer_t;

typedef struct tz_zone {
    char name[TZ_NAME_BYTES_MAX + 1];
    bool known;            /* false: no such zone (or unreadable): reads as UTC */
    size_t count;          /* transitions */
    int64_t *at_s;         /* transition instants, ascending (owned) */
    uint8_t *type;         /* type index after each transition (owned) */
    size_t types_count;
    int32_t utoff_s[256];  /* per type; type 0 holds before the first transition */
    tz_footer_t footer;
} tz_zone_t;

/* Read TZ_DIR/name into *zone (known = false when the file is missing or invalid).
 * zone->name must be set by the caller. Returns false only when out of memory. */
bool tz_zone_read(tz_zone_t *zone);

/* Free what tz_zone_read allocated. */
void tz_zone_deinit(tz_zone_t *zone);

/* Parse a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"). False when not supported. */
bool tz_footer_parse(const char *text, tz_footer_t *out);

/* The UTC offset a valid footer gives at t_s. */
int32_t tz_footer_offset_s(const tz_footer_t *footer, int64_t t_s);

/* The UTC offset of zone at t_s (Unix seconds). */
int32_t tz_zone_offset_s(const tz_zone_t *zone, int64_t t_s);

#endif
