/* sy_limits.h — every named maximum of switchyard in one place, each with why that number.
 * A record or file that exceeds one is refused with SY_ERR_LIMIT, never truncated. */
#ifndef SY_LIMITS_H
#define SY_LIMITS_H

/* Properties on one engagement event: providers send a handful; 64 leaves room for
 * custom business events without letting one record carry an unbounded map. */
#define SY_EVENT_PROPS_MAX 64

/* Template parameters on one action command: a message template rarely has more than
 * a few dozen placeholders. */
#define SY_ACTION_PARAMS_MAX 64

/* Attributes in one profile update: DESIGN.md speaks of hundreds of variables per
 * contact; one update carries at most this many of them. */
#define SY_PROFILE_ATTRS_MAX 512

/* Bytes of one identifier (contact, event, journey, node, action id): long enough for
 * UUIDs and provider ids, short enough to keep state keys compact. */
#define SY_ID_BYTES_MAX 128

/* Bytes of one wire frame we accept or produce: Kafka's default message.max.bytes is
 * about 1 MiB, and no engagement record comes near it. */
#define SY_FRAME_BYTES_MAX (1024 * 1024)

#endif
