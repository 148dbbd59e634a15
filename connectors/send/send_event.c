/* send_event.c — the engagement event of a permanent failure, produced and waited for. */
#include <stdio.h>
#include <string.h>

#include "kafka_produce.h"
#include "log.h"
#include "send_event.h"
#include "sy_backoff.h"
#include "sy_clock.h"
#include "sy_hash.h"

/* How long one wait for the broker's acknowledgement lasts before producing again. */
#define SEND_EVENT_FLUSH_MS 5000

sy_event_type_t send_event_failure_type(sy_channel_t channel) {
    return channel == SY_CHANNEL_EMAIL ? SY_EVENT_BOUNCED
           : channel == SY_CHANNEL_VOICE ? SY_EVENT_NOT_ATTEMPTED : SY_EVENT_FAILED;
}

void send_event_delivered(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque) {
    (void)rk;
    (void)opaque;
    if (msg->_private)
        *(rd_kafka_resp_err_t *)msg->_private = msg->err;
}

/* "<action id>/failed", or a hash of the action id when that would be too long. */
static void event_id_make(char *id, size_t size, const char *action_id) {
    if (strlen(action_id) + 7 <= SY_ID_BYTES_MAX) {
        snprintf(id, size, "%s/failed", action_id);
        return;
    }
    uint64_t h = sy_hash_fnv1a64(UINT64_C(14695981039346656037), action_id,
                                 strlen(action_id));
    snprintf(id, size, "send-failed-%016llx", (unsigned long long)h);
}

static bool produce_once(rd_kafka_t *p, const char *topic, const sy_action_t *a,
                         const void *frame, size_t len, const atomic_int *stop) {
    rd_kafka_resp_err_t result = RD_KAFKA_RESP_ERR__IN_PROGRESS;
    rd_kafka_resp_err_t err = kafka_produce_copy(p, NULL, topic, RD_KAFKA_PARTITION_UA,
                                                 a->contact_id, strlen(a->contact_id), frame,
                                                 len, NULL, &result, stop);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        while (result == RD_KAFKA_RESP_ERR__IN_PROGRESS && !atomic_load(stop))
            rd_kafka_flush(p, SEND_EVENT_FLUSH_MS);
        if (result == RD_KAFKA_RESP_ERR__IN_PROGRESS) { /* stopped: let it finish */
            rd_kafka_flush(p, SEND_EVENT_FLUSH_MS);
        }
        err = result;
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        log_warn("send: produce failure event of %s to %s: %s", a->action_id, topic,
                 rd_kafka_err2str(err));
    return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

bool send_event_produce(rd_kafka_t *p, codec_t *codec, const char *topic,
                        const sy_action_t *a, const char *provider, const char *reason,
                        const atomic_int *stop) {
    char id[SY_ID_BYTES_MAX + 1], errbuf[512];
    event_id_make(id, sizeof id, a->action_id);
    sy_event_t ev = {
        .event_id = id, .contact_id = a->contact_id, .occurred_at_ms = sy_clock_wall_ms(),
        .channel = a->channel, .type = send_event_failure_type(a->channel),
        .message_id = a->action_id, .bounce = SY_BOUNCE_NONE, .props_count = 2,
        .props = {{"provider", provider}, {"reason", reason}},
    };
    /* A hard bounce may suppress the contact (consent.bounce.hard.suppress): only when the
     * mail server refused, not when the sender could not build the message. */
    if (a->channel == SY_CHANNEL_EMAIL && strcmp(provider, "smtp") == 0)
        ev.bounce = SY_BOUNCE_HARD;
    const void *frame = NULL;
    size_t len = 0;
    if (codec_encode_event(codec, &ev, &frame, &len, errbuf, sizeof errbuf) != SY_OK) {
        log_error("send: failure event of %s: %s", a->action_id, errbuf);
        return false;
    }
    sy_backoff_t b;
    sy_backoff_init(&b, 100, 10000, (uint64_t)sy_clock_mono_us());
    while (!produce_once(p, topic, a, frame, len, stop))
        if (!sy_backoff_wait(&b, stop))
            return false;
    return true;
}
