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

/* Attributes of one contact's profile, and so of one profile update: marketers
 * personalize from hundreds of variables per contact; 1,024 leaves room while a profile
 * stays one bounded value (state_store.h's STATE_PROFILE_BYTES_MAX). Only attributes that
 * are set are stored. */
#define SY_PROFILE_ATTRS_MAX 1024

/* Bytes of one identifier (contact, event, journey, node, action id): long enough for
 * UUIDs and provider ids, short enough to keep state keys compact. */
#define SY_ID_BYTES_MAX 128

/* Bytes of one wire frame we accept or produce: Kafka's default message.max.bytes is
 * about 1 MiB, and no engagement record comes near it. */
#define SY_FRAME_BYTES_MAX (1024 * 1024)

/* Bytes of a Kafka topic name: Kafka refuses longer ones (its Topic.validate). The config
 * checks topic names against it; recordings store topic names under it. */
#define SY_TOPIC_BYTES_MAX 249

/* Partitions one store serves and one read may name: state keys carry the partition as
 * their first 2 bytes (big-endian), and profile keys in the pending batch start with a
 * tag byte no partition's high byte reaches (state_profile.c checks it). Topics rarely
 * have more than a few hundred partitions; 4096 leaves room and keeps per-partition arrays
 * small. */
#define SY_PARTITIONS_MAX 4096
_Static_assert(SY_PARTITIONS_MAX - 1 <= UINT16_MAX,
               "a partition fits the 2-byte key prefix");

/* Nodes per journey: a node index is a uint16_t in state (instances and timers);
 * marketers' journeys have dozens. */
#define SY_JOURNEY_NODES_MAX 1024
_Static_assert(SY_JOURNEY_NODES_MAX - 1 <= UINT16_MAX, "a node index fits a uint16_t");

/* Events a branch or wait watches: each has one bit in the contact's seen mask, a
 * uint32_t in state (state_store.h checks the field). */
#define SY_WATCH_MAX 32
_Static_assert(SY_WATCH_MAX <= 32, "one seen bit per watched event in a uint32_t");

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
