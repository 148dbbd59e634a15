/* send_event.h — a permanent delivery failure as an engagement event (email.bounced,
 * sms.failed, push.failed, voice.not_attempted) with the provider's reason, produced to the
 * events topic keyed by contact and waited for until the broker has it. Its event id comes
 * from the action id, so producing it twice (after a crash) is one event for the engine. */
#ifndef SY_SEND_EVENT_H
#define SY_SEND_EVENT_H

#include <stdatomic.h>
#include <stdbool.h>

#include <librdkafka/rdkafka.h>

#include "codec.h"
#include "records.h"

/* The event type a permanent failure on channel becomes. */
sy_event_type_t send_event_failure_type(sy_channel_t channel);

/* Produce the failure event of action with reason (both borrowed) to topic on producer
 * (whose dr_msg_cb is send_event_delivered), retrying with backoff until the broker has it.
 * provider names who refused ("switchyard" when the sender could not build the message:
 * then no hard bounce).
 * Returns false only when *stop was set first, or the record cannot be encoded (logged). */
bool send_event_produce(rd_kafka_t *producer, codec_t *codec, const char *topic,
                        const sy_action_t *action, const char *provider, const char *reason,
                        const atomic_int *stop);

/* The delivery report callback the producer must have. */
void send_event_delivered(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque);

#endif
