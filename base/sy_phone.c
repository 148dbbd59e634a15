/* sy_phone.c — E.164 checks and display forms (sy_phone.h). The display table knows the
 * country codes the examples and tests use; adding one is a row. */
#include "sy_phone.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* A country's display: its code, the national significant number's length, the trunk
 * prefix people dial before it ("" or "0"), and the group sizes after it. */
static const struct {
    const char *code;
    size_t digits;
    const char *trunk;
    int groups[5];
} phone_countries[] = {
    {"1", 10, "", {3, 3, 4, 0, 0}},
    {"33", 9, "0", {1, 2, 2, 2, 2}},
    {"44", 10, "0", {4, 6, 0, 0, 0}},
};
#define PHONE_COUNTRIES_COUNT (sizeof phone_countries / sizeof phone_countries[0])

bool sy_phone_e164_valid(const char *text) {
    if (!text || text[0] != '+' || text[1] < '1' || text[1] > '9')
        return false;
    size_t n = strlen(text + 1);
    if (n < 2 || n > 15)
        return false;
    for (size_t i = 1; i <= n; i++)
        if (text[i] < '0' || text[i] > '9')
            return false;
    return true;
}

/* The row of e164's country, or -1. */
static int country_of(const char *e164) {
    assert(sy_phone_e164_valid(e164));
    for (size_t i = 0; i < PHONE_COUNTRIES_COUNT; i++) {
        size_t cl = strlen(phone_countries[i].code);
        if (strncmp(e164 + 1, phone_countries[i].code, cl) == 0 &&
            strlen(e164 + 1 + cl) == phone_countries[i].digits)
            return (int)i;
    }
    return -1;
}

const char *sy_phone_national(const char *e164) {
    int c = country_of(e164);
    return c < 0 ? NULL : e164 + 1 + strlen(phone_countries[c].code);
}

void sy_phone_display(const char *e164, char out[SY_PHONE_DISPLAY_BYTES]) {
    int c = country_of(e164);
    if (c < 0) {
        snprintf(out, SY_PHONE_DISPLAY_BYTES, "%s", e164);
        return;
    }
    const char *digits = sy_phone_national(e164);
    size_t used = 0;
    if (phone_countries[c].code[0] == '1' && phone_countries[c].code[1] == '\0') {
        snprintf(out, SY_PHONE_DISPLAY_BYTES, "(%.3s) %.3s-%.4s", digits, digits + 3,
                 digits + 6);
        return;
    }
    used = (size_t)snprintf(out, SY_PHONE_DISPLAY_BYTES, "%s", phone_countries[c].trunk);
    for (int g = 0; g < 5 && phone_countries[c].groups[g]; g++) {
        int n = phone_countries[c].groups[g];
        used += (size_t)snprintf(out + used, SY_PHONE_DISPLAY_BYTES - used, "%s%.*s",
                                 g ? " " : "", n, digits);
        digits += n;
        assert(used < SY_PHONE_DISPLAY_BYTES);
    }
}

void sy_phone_tel_uri(const char *e164, char out[SY_PHONE_TEL_BYTES]) {
    assert(sy_phone_e164_valid(e164));
    snprintf(out, SY_PHONE_TEL_BYTES, "tel:%s", e164);
}
