/* calls_ua.c — the device class of a User-Agent, by a rule table: the first rule whose
 * words are all in the header (and none of its "unless" word) decides. No maintained C
 * parser of User-Agents ships with the system's packages, and three classes need only
 * a handful of words. iPadOS 13 and later send a desktop Safari header by default: such
 * an iPad is a desktop here, which shows it the number rather than a button. */
#include "calls_http.h"

#include <string.h>

static const struct {
    const char *word;   /* must be in the header */
    const char *also;   /* and this too, or NULL */
    const char *unless; /* and not this, or NULL */
    calls_device_t device;
} ua_rules[] = {
    {"iPad", NULL, NULL, CALLS_DEVICE_TABLET},
    {"Tablet", NULL, NULL, CALLS_DEVICE_TABLET},        /* Windows tablets, Firefox OS */
    {"Kindle", NULL, NULL, CALLS_DEVICE_TABLET},
    {"Silk/", NULL, NULL, CALLS_DEVICE_TABLET},         /* Amazon Fire */
    {"PlayBook", NULL, NULL, CALLS_DEVICE_TABLET},
    {"iPhone", NULL, NULL, CALLS_DEVICE_SMARTPHONE},
    {"iPod", NULL, NULL, CALLS_DEVICE_SMARTPHONE},
    {"Windows Phone", NULL, NULL, CALLS_DEVICE_SMARTPHONE},
    {"Android", "Mobile", NULL, CALLS_DEVICE_SMARTPHONE},
    {"Android", NULL, NULL, CALLS_DEVICE_TABLET},       /* Android without "Mobile" */
    {"BlackBerry", NULL, NULL, CALLS_DEVICE_SMARTPHONE},
    {"BB10", NULL, NULL, CALLS_DEVICE_SMARTPHONE},
    {"Opera Mini", NULL, NULL, CALLS_DEVICE_SMARTPHONE},
    {"Mobi", NULL, "iPad", CALLS_DEVICE_SMARTPHONE},    /* the Mozilla advice: "Mobi" */
};

calls_device_t calls_ua_classify(const char *ua) {
    for (size_t i = 0; ua && i < sizeof ua_rules / sizeof ua_rules[0]; i++)
        if (strstr(ua, ua_rules[i].word) && (!ua_rules[i].also || strstr(ua, ua_rules[i].also))
            && (!ua_rules[i].unless || !strstr(ua, ua_rules[i].unless)))
            return ua_rules[i].device;
    return CALLS_DEVICE_DESKTOP;
}

const char *calls_device_name(calls_device_t device) {
    return device == CALLS_DEVICE_SMARTPHONE ? "smartphone"
           : device == CALLS_DEVICE_TABLET   ? "tablet"
                                             : "desktop";
}
