/* records.c — the name tables of records.h: lower-case names of the enums as journeys and
 * JSON write them, and which event types each channel reports. No codec here. */
#include <assert.h>
#include <string.h>

#include "records.h"

static const char *const channel_names[SY_CHANNEL__COUNT] = {
    [SY_CHANNEL_EMAIL] = "email", [SY_CHANNEL_SMS] = "sms",
    [SY_CHANNEL_PUSH] = "push",   [SY_CHANNEL_VOICE] = "voice",
    [SY_CHANNEL_CALL] = "call",   [SY_CHANNEL_IN_APP] = "in_app",
    [SY_CHANNEL_CUSTOM] = "custom", [SY_CHANNEL_TASK] = "task",
    [SY_CHANNEL_WEB] = "web",
};

static const char *const event_type_names[SY_EVENT_TYPE__COUNT] = {
    [SY_EVENT_SENT] = "sent",
    [SY_EVENT_DELIVERED] = "delivered",
    [SY_EVENT_OPENED] = "opened",
    [SY_EVENT_CLICKED] = "clicked",
    [SY_EVENT_BOUNCED] = "bounced",
    [SY_EVENT_BLOCKED] = "blocked",
    [SY_EVENT_UNSUBSCRIBED] = "unsubscribed",
    [SY_EVENT_SPAM_REPORT] = "spam_report",
    [SY_EVENT_FAILED] = "failed",
    [SY_EVENT_REPLIED] = "replied",
    [SY_EVENT_OPTED_OUT] = "opted_out",
    [SY_EVENT_DISMISSED] = "dismissed",
    [SY_EVENT_ATTEMPTED] = "attempted",
    [SY_EVENT_NOT_ATTEMPTED] = "not_attempted",
    [SY_EVENT_ANSWERED] = "answered",
    [SY_EVENT_NOT_ANSWERED] = "not_answered",
    [SY_EVENT_VOICEMAIL] = "voicemail",
    [SY_EVENT_INBOUND] = "inbound",
    [SY_EVENT_SHOWN] = "shown",
    [SY_EVENT_CUSTOM] = "custom",
    [SY_EVENT_CONVERTED] = "converted",
};

static const char *const cause_names[SY_CAUSE__COUNT] = {
    [SY_CAUSE_ENTRY] = "entry", [SY_CAUSE_EVENT] = "event", [SY_CAUSE_TIMER] = "timer",
};

static const char *const update_op_names[SY_UPDATE_OP__COUNT] = {
    [SY_UPDATE_SET_ATTRIBUTE] = "set_attribute",
    [SY_UPDATE_UNSET_ATTRIBUTE] = "unset_attribute",
    [SY_UPDATE_ADD_TO_LIST] = "add_to_list",
    [SY_UPDATE_REMOVE_FROM_LIST] = "remove_from_list",
    [SY_UPDATE_OPT_OUT] = "opt_out",
    [SY_UPDATE_OPT_IN] = "opt_in",
};

#define BIT(type) (UINT32_C(1) << (type))

/* Event types each channel reports (DESIGN.md "Domain"); bit i is sy_event_type_t i. */
const uint32_t sy_channel_event_types[SY_CHANNEL__COUNT] = {
    [SY_CHANNEL_EMAIL] = BIT(SY_EVENT_SENT) | BIT(SY_EVENT_DELIVERED) |
                         BIT(SY_EVENT_OPENED) | BIT(SY_EVENT_CLICKED) |
                         BIT(SY_EVENT_BOUNCED) | BIT(SY_EVENT_BLOCKED) |
                         BIT(SY_EVENT_UNSUBSCRIBED) | BIT(SY_EVENT_SPAM_REPORT),
    [SY_CHANNEL_SMS] = BIT(SY_EVENT_SENT) | BIT(SY_EVENT_DELIVERED) | BIT(SY_EVENT_FAILED) |
                       BIT(SY_EVENT_REPLIED) | BIT(SY_EVENT_CLICKED) |
                       BIT(SY_EVENT_OPTED_OUT),
    [SY_CHANNEL_PUSH] = BIT(SY_EVENT_SENT) | BIT(SY_EVENT_DELIVERED) | BIT(SY_EVENT_OPENED) |
                        BIT(SY_EVENT_CLICKED) | BIT(SY_EVENT_DISMISSED) |
                        BIT(SY_EVENT_FAILED),
    [SY_CHANNEL_VOICE] = BIT(SY_EVENT_ATTEMPTED) | BIT(SY_EVENT_NOT_ATTEMPTED) |
                         BIT(SY_EVENT_ANSWERED) | BIT(SY_EVENT_NOT_ANSWERED) |
                         BIT(SY_EVENT_BLOCKED) | BIT(SY_EVENT_VOICEMAIL),
    [SY_CHANNEL_CALL] = BIT(SY_EVENT_INBOUND) | BIT(SY_EVENT_CONVERTED),
    [SY_CHANNEL_IN_APP] = BIT(SY_EVENT_SHOWN) | BIT(SY_EVENT_CLICKED),
    [SY_CHANNEL_CUSTOM] = BIT(SY_EVENT_CUSTOM),
    [SY_CHANNEL_TASK] = 0, /* tasks are handed off; nothing reports on them */
    /* A web push notification or an on-site message (banner, modal) in the browser. */
    [SY_CHANNEL_WEB] = BIT(SY_EVENT_SENT) | BIT(SY_EVENT_DELIVERED) | BIT(SY_EVENT_SHOWN) |
                       BIT(SY_EVENT_CLICKED) | BIT(SY_EVENT_DISMISSED) | BIT(SY_EVENT_FAILED),
};

static const char *name_of(const char *const *names, int count, int v) {
    assert(names && count > 0);
    return v >= 0 && v < count ? names[v] : NULL;
}

static int name_parse(const char *const *names, int count, const char *name) {
    assert(names && count > 0);
    for (int i = 0; name != NULL && i < count; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *sy_channel_name(sy_channel_t channel) {
    /* no assert: a one-line lookup; name_of asserts its table */
    return name_of(channel_names, SY_CHANNEL__COUNT, (int)channel);
}

const char *sy_event_type_name(sy_event_type_t type) {
    /* no assert: a one-line lookup; name_of asserts its table */
    return name_of(event_type_names, SY_EVENT_TYPE__COUNT, (int)type);
}

const char *sy_cause_name(sy_cause_t cause) {
    /* no assert: a one-line lookup; name_of asserts its table */
    return name_of(cause_names, SY_CAUSE__COUNT, (int)cause);
}

const char *sy_update_op_name(sy_update_op_t op) {
    /* no assert: a one-line lookup; name_of asserts its table */
    return name_of(update_op_names, SY_UPDATE_OP__COUNT, (int)op);
}

int sy_channel_parse(const char *name) {
    /* no assert: a one-line lookup; name_parse asserts its table */
    return name_parse(channel_names, SY_CHANNEL__COUNT, name);
}

int sy_event_type_parse(const char *name) {
    /* no assert: a one-line lookup; name_parse asserts its table */
    return name_parse(event_type_names, SY_EVENT_TYPE__COUNT, name);
}

