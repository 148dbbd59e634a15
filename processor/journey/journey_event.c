/* journey_event.c — event type names as journeys write them: "channel.type" for what a
 * provider reports ("email.opened", "in_app.shown") and "custom.<name>" for business
 * events. Which types a channel has is records.h's sy_event_type_allowed, not this file. */
#include "journey_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "sent, delivered, ..." for the types channel reports, for messages. */
static void event_type_list(char *buf, size_t size, sy_channel_t channel) {
    size_t used = 0;
    buf[0] = '\0';
    for (int t = 0; t < SY_EVENT_TYPE__COUNT && used < size; t++) {
        if (t == SY_EVENT_CUSTOM || !sy_event_type_allowed(channel, (sy_event_type_t)t))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                         sy_event_type_name((sy_event_type_t)t));
        if (n < 0)
            return;
        used += (size_t)n;
    }
}

static bool event_custom_name_ok(const char *name) {
    size_t len = strlen(name);
    if (len == 0 || len > SY_ID_BYTES_MAX)
        return false;
    return strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == len;
}

static sy_err_t event_custom(journey_build_t *b, const journey_doc_node_t *value,
                             const char *name, journey_event_match_t *out) {
    if (!event_custom_name_ok(name))
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "bad custom event '%s': write custom.<name>, the name in "
                            "a-z, 0-9 and '_'", value->text);
    char *copy = strdup(name);
    if (!copy)
        return journey_fail(b, SY_ERR_NOMEM, value->line, value->column, "out of memory");
    *out = (journey_event_match_t){
        .channel = SY_CHANNEL_CUSTOM, .type = SY_EVENT_CUSTOM, .name = copy};
    return SY_OK;
}

sy_err_t journey_event(journey_build_t *b, const journey_doc_node_t *value,
                       journey_event_match_t *out) {
    if (value->kind != JOURNEY_DOC_SCALAR || journey_doc_is_null(value))
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "an event type must be a string like email.opened, not %s",
                            journey_doc_kind_name(value));
    const char *dot = strchr(value->text, '.');
    char channel_name[32] = "";
    size_t channel_len = dot ? (size_t)(dot - value->text) : 0;
    int channel = -1;
    if (dot && channel_len < sizeof channel_name) {
        memcpy(channel_name, value->text, channel_len);
        channel_name[channel_len] = '\0';
        channel = sy_channel_parse(channel_name);
    }
    if (channel == SY_CHANNEL_CUSTOM)
        return event_custom(b, value, dot + 1, out);
    if (channel < 0)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "unknown event type '%s' (write channel.type: email, sms, "
                            "push, voice, call, in_app, web; or custom.<name>)",
                            value->text);
    int type = sy_event_type_parse(dot + 1);
    if (type < 0 || type == SY_EVENT_CUSTOM ||
        !sy_event_type_allowed((sy_channel_t)channel, (sy_event_type_t)type)) {
        char types[256];
        event_type_list(types, sizeof types, (sy_channel_t)channel);
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "unknown event type '%s' (%s events: %s)", value->text,
                            channel_name, types[0] ? types : "none");
    }
    *out = (journey_event_match_t){
        .channel = (sy_channel_t)channel, .type = (sy_event_type_t)type, .name = NULL};
    return SY_OK;
}
