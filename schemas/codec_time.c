/* codec_time.c — epoch milliseconds as ISO-8601 UTC text for the JSON rendering.
 * Proleptic Gregorian calendar, no time zones, no parsing. */
#include <stdio.h>

#include "codec_int.h"

#define MS_PER_DAY INT64_C(86400000)

/* Civil date of a day count since 1970-01-01 (Gregorian 400-year eras of 146097 days). */
static void time_civil(int64_t days, int64_t *year, int *month, int *day) {
    int64_t z = days + 719468; /* days since 0000-03-01 */
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                  /* 0..146096 */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* 0..399 */
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);           /* 0..365 */
    int64_t mp = (5 * doy + 2) / 153;                                /* March = 0 */
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = yoe + era * 400 + (*month <= 2);
}

bool codec_time_format_ms(int64_t ms, char *buf, size_t buf_size) {
    /* Years 0000..9999 only: -62167219200000 is 0000-01-01, 253402300800000 is 10000. */
    if (ms < INT64_C(-62167219200000) || ms >= INT64_C(253402300800000))
        return false;
    int64_t days = ms / MS_PER_DAY, rest = ms % MS_PER_DAY, year;
    int month, day;
    if (rest < 0) {
        rest += MS_PER_DAY;
        days--;
    }
    time_civil(days, &year, &month, &day);
    snprintf(buf, buf_size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", (int)year, month, day,
             (int)(rest / 3600000), (int)(rest / 60000 % 60), (int)(rest / 1000 % 60),
             (int)(rest % 1000));
    return true;
}
