/* tz_file.c — TZif zone files (RFC 8536, versions 1 to 4): the transitions and their
 * offsets, from the 64-bit section when the file has one, and the POSIX TZ footer for
 * instants after the last transition. Leap-second records are skipped (zoneinfo's
 * default files have none). Not a cache: see tz.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sy_file.h"
#include "tz_int.h"

#define TZIF_HEADER_BYTES 44
/* Offsets beyond ±26 h do not exist; a file claiming one is not a zone file. */
#define TZIF_UTOFF_MAX_S (26 * 3600)

typedef struct tzif_header {
    char version; /* 0, '2', '3', '4' */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
} tzif_header_t;

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t get_i64(const uint8_t *p) {
    return (int64_t)((uint64_t)get_u32(p) << 32 | get_u32(p + 4));
}

static bool header_read(const uint8_t *p, size_t len, tzif_header_t *h) {
    if (len < TZIF_HEADER_BYTES || memcmp(p, "TZif", 4) != 0)
        return false;
    h->version = (char)p[4];
    h->isutcnt = get_u32(p + 20);
    h->isstdcnt = get_u32(p + 24);
    h->leapcnt = get_u32(p + 28);
    h->timecnt = get_u32(p + 32);
    h->typecnt = get_u32(p + 36);
    h->charcnt = get_u32(p + 40);
    return h->typecnt >= 1 && h->typecnt <= 256 && h->timecnt <= TZ_FILE_BYTES_MAX &&
           h->leapcnt <= TZ_FILE_BYTES_MAX && h->charcnt <= TZ_FILE_BYTES_MAX &&
           h->isutcnt <= 256 && h->isstdcnt <= 256;
}

/* Bytes of the data block after a header, with time_bytes-wide times. */
static size_t data_bytes(const tzif_header_t *h, size_t time_bytes) {
    return h->timecnt * time_bytes + h->timecnt + h->typecnt * 6u + h->charcnt +
           h->leapcnt * (time_bytes + 4) + h->isstdcnt + h->isutcnt;
}

/* Fill zone from one data block. False when malformed or out of memory. */
static bool data_read(tz_zone_t *z, const tzif_header_t *h, const uint8_t *p,
                      size_t time_bytes) {
    z->count = h->timecnt;
    z->at_s = malloc((h->timecnt ? h->timecnt : 1) * sizeof *z->at_s);
    z->type = malloc(h->timecnt ? h->timecnt : 1);
    if (!z->at_s || !z->type)
        return false;
    for (size_t i = 0; i < h->timecnt; i++, p += time_bytes) {
        z->at_s[i] = time_bytes == 8 ? get_i64(p) : (int64_t)(int32_t)get_u32(p);
        if (i && z->at_s[i] <= z->at_s[i - 1])
            return false;
    }
    for (size_t i = 0; i < h->timecnt; i++) {
        z->type[i] = *p++;
        if (z->type[i] >= h->typecnt)
            return false;
    }
    z->types_count = h->typecnt;
    for (size_t i = 0; i < h->typecnt; i++, p += 6) {
        int32_t utoff = (int32_t)get_u32(p);
        if (utoff > TZIF_UTOFF_MAX_S || utoff < -TZIF_UTOFF_MAX_S)
            return false;
        z->utoff_s[i] = utoff;
    }
    return true;
}

/* The footer: "\n" TZ-string "\n" right after the 64-bit data block. */
static void footer_read(tz_zone_t *z, const uint8_t *p, size_t len) {
    char text[128];
    if (len < 2 || p[0] != '\n')
        return;
    const uint8_t *end = memchr(p + 1, '\n', len - 1);
    size_t n = end ? (size_t)(end - p - 1) : 0;
    if (!end || n == 0 || n >= sizeof text)
        return;
    memcpy(text, p + 1, n);
    text[n] = '\0';
    tz_footer_parse(text, &z->footer);
}

static bool zone_parse(tz_zone_t *z, const uint8_t *buf, size_t len) {
    tzif_header_t h;
    if (!header_read(buf, len, &h))
        return false;
    size_t v1_bytes = data_bytes(&h, 4);
    if (len - TZIF_HEADER_BYTES < v1_bytes)
        return false;
    if (h.version == 0)
        return data_read(z, &h, buf + TZIF_HEADER_BYTES, 4);
    const uint8_t *p2 = buf + TZIF_HEADER_BYTES + v1_bytes;
    size_t len2 = len - TZIF_HEADER_BYTES - v1_bytes;
    if (!header_read(p2, len2, &h))
        return false;
    size_t v2_bytes = data_bytes(&h, 8);
    if (len2 - TZIF_HEADER_BYTES < v2_bytes || !data_read(z, &h, p2 + TZIF_HEADER_BYTES, 8))
        return false;
    footer_read(z, p2 + TZIF_HEADER_BYTES + v2_bytes, len2 - TZIF_HEADER_BYTES - v2_bytes);
    return true;
}

bool tz_zone_read(tz_zone_t *z) {
    char path[sizeof TZ_DIR + TZ_NAME_BYTES_MAX + 2];
    snprintf(path, sizeof path, "%s/%s", TZ_DIR, z->name);
    char *buf = NULL, why[64];
    size_t len = 0;
    sy_err_t err = sy_file_read(path, TZ_FILE_BYTES_MAX, &buf, &len, why, sizeof why);
    if (err == SY_ERR_NOMEM)
        return false;
    z->known = err == SY_OK && zone_parse(z, (const uint8_t *)buf, len);
    free(buf);
    if (!z->known) {
        tz_zone_deinit(z);
        z->known = false;
    }
    return true;
}

void tz_zone_deinit(tz_zone_t *z) {
    free(z->at_s);
    free(z->type);
    z->at_s = NULL;
    z->type = NULL;
    z->count = 0;
    memset(&z->footer, 0, sizeof z->footer);
}

int32_t tz_zone_offset_s(const tz_zone_t *z, int64_t t_s) {
    if (!z || !z->known)
        return 0;
    if (z->count == 0 || t_s >= z->at_s[z->count - 1]) {
        if (z->footer.valid)
            return tz_footer_offset_s(&z->footer, t_s);
        return z->utoff_s[z->count ? z->type[z->count - 1] : 0];
    }
    if (t_s < z->at_s[0])
        return z->utoff_s[0];
    size_t lo = 0, hi = z->count - 1; /* at_s[lo] <= t_s < at_s[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->at_s[mid] <= t_s)
            lo = mid;
        else
            hi = mid;
    }
    return z->utoff_s[z->type[lo]];
}
