/* send_deliver.c — which provider serves which channel, and the dispatch of one try to
 * it (send_smtp.c, send_twilio.c, send_fcm.c). Checks what every provider needs first: a
 * recipient. */
#include <stdio.h>

#include "send_deliver.h"

const char *send_provider_name(sy_channel_t channel) {
    switch (channel) {
    case SY_CHANNEL_EMAIL:
        return "smtp";
    case SY_CHANNEL_SMS:
    case SY_CHANNEL_VOICE:
        return "twilio";
    case SY_CHANNEL_PUSH:
        return "fcm";
    default:
        return NULL;
    }
}

void send_deliver(CURL *curl, const send_config_t *config, const sy_action_t *action,
                  const send_message_t *msg, send_result_t *res) {
    *res = (send_result_t){.kind = SEND_RESULT_PERMANENT, .retry_after_ms = -1};
    if (!send_action_to(action)) {
        res->local = true;
        snprintf(res->detail, sizeof res->detail, "no recipient: the action has no param '%s'",
                 SEND_PARAM_TO);
        return;
    }
    if (action->channel == SY_CHANNEL_EMAIL)
        send_smtp_deliver(curl, config, action, msg, res);
    else if (action->channel == SY_CHANNEL_SMS || action->channel == SY_CHANNEL_VOICE)
        send_twilio_deliver(curl, config, action, msg, res);
    else if (action->channel == SY_CHANNEL_PUSH)
        send_fcm_deliver(curl, config, action, msg, res);
    else
        snprintf(res->detail, sizeof res->detail, "no provider for channel %s",
                 sy_channel_name(action->channel));
}
