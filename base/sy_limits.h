/* sy_limits.h — every named maximum of switchyard in one place, each with why that number.
 * A record or file that exceeds one is refused with SY_ERR_LIMIT, never truncated. */
#ifndef SY_LIMITS_H
#define SY_LIMITS_H

#include <stdint.h>

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

/* Bytes of one journey file: generated journeys of JOURNEY_NODES_MAX nodes stay well
 * under this; a bigger file is a mistake, not a journey, and is refused unread. The
 * loader and the runner's reload check (which hashes the files) share it. */
#define SY_JOURNEY_FILE_BYTES_MAX (16 * 1024 * 1024)

/* Instants switchyard reads, in epoch milliseconds: 0000-01-01T00:00:00.000Z to
 * 9999-12-31T23:59:59.999Z, the years ISO-8601 writes with four digits and the range the
 * outputs have always printed. Far from INT64 either side, so an instant plus a bounded
 * duration cannot overflow. */
#define SY_TIME_MIN_MS INT64_C(-62167219200000)
#define SY_TIME_MAX_MS INT64_C(253402300799999)

/* The longest duration a journey or option may write: 100 years of 365.25 days. Longer
 * waits are mistakes (a timer that would fire after everyone involved is gone), and the
 * bound keeps every due time (instant + duration) well inside int64. */
#define SY_DURATION_MAX_MS (INT64_C(36525) * 86400000)
#define SY_DURATION_MAX_TEXT "36525d" /* the same bound as messages write it */

_Static_assert(SY_TIME_MAX_MS <= INT64_MAX - SY_DURATION_MAX_MS,
               "an instant plus a duration must fit int64");
_Static_assert(SY_TIME_MIN_MS >= INT64_MIN + SY_DURATION_MAX_MS,
               "an instant minus a duration must fit int64");

#endif
