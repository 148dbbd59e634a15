/* records.h — the records switchyard reads and writes, as C structs.
 * The Avro schemas in the .avsc files of schemas/ are the wire truth; these structs mirror
 * them field for field. Decoding and encoding live in codec.h; this file holds only types and the
 * tables that name enum symbols. */
#ifndef SY_RECORDS_H
#define SY_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sy_limits.h"

/* Schema ids of the Confluent wire frame (magic 0, 4-byte big-endian id). switchyard
 * ships its schemas inside the binary, so the ids are fixed here and documented in
 * docs/records.md; a schema registry, where one is used, is told these ids. */
typedef enum sy_schema_id {
    SY_SCHEMA_ENGAGEMENT_EVENT = 1,
    SY_SCHEMA_PROFILE_UPDATE = 2,
    SY_SCHEMA_ACTION_COMMAND_V1 = 3, /* read, no longer written: ActionCommand version 1 */
    SY_SCHEMA_ROUTING_DECISION = 4,
    SY_SCHEMA_CONTACT_UPDATE = 5,
    SY_SCHEMA_DEAD_LETTER = 6,
    SY_SCHEMA_CONVERSION = 7,
    SY_SCHEMA_ACTION_COMMAND = 8, /* version 2: version 1 and the call-to-action fields */
} sy_schema_id_t;
#define SY_SCHEMA_ID_MIN 1
#define SY_SCHEMA_ID_MAX 8

/* Avro enum "Channel"; symbol order is the wire order. */
typedef enum sy_channel {
    SY_CHANNEL_EMAIL,
    SY_CHANNEL_SMS,
    SY_CHANNEL_PUSH,
    SY_CHANNEL_VOICE,
    SY_CHANNEL_CALL,   /* inbound call to a tracking number */
    SY_CHANNEL_IN_APP,
    SY_CHANNEL_CUSTOM, /* business events by name: store_visit, purchase, ... */
    SY_CHANNEL_TASK,   /* hand-off outside the journey: call queue, callback */
    SY_CHANNEL_WEB,    /* web push and on-site messages; last: added after the others */
    SY_CHANNEL__COUNT
} sy_channel_t;

/* Avro enum "EventType"; symbol order is the wire order. Which types each channel
 * allows is sy_event_type_allowed(). */
typedef enum sy_event_type {
    SY_EVENT_SENT,
    SY_EVENT_DELIVERED,
    SY_EVENT_OPENED,
    SY_EVENT_CLICKED,
    SY_EVENT_BOUNCED,
    SY_EVENT_BLOCKED,
    SY_EVENT_UNSUBSCRIBED,
    SY_EVENT_SPAM_REPORT,
    SY_EVENT_FAILED,
    SY_EVENT_REPLIED,
    SY_EVENT_OPTED_OUT,
    SY_EVENT_DISMISSED,
    SY_EVENT_ATTEMPTED,
    SY_EVENT_NOT_ATTEMPTED,
    SY_EVENT_ANSWERED,
    SY_EVENT_NOT_ANSWERED,
    SY_EVENT_VOICEMAIL,
    SY_EVENT_INBOUND,
    SY_EVENT_SHOWN,
    SY_EVENT_CUSTOM,
    SY_EVENT_CONVERTED, /* call.converted; last: added after the others */
    SY_EVENT_TYPE__COUNT
} sy_event_type_t;

/* Avro enum "BounceKind", optional on email.bounced. */
typedef enum sy_bounce {
    SY_BOUNCE_NONE = -1, /* field absent (null) */
    SY_BOUNCE_HARD = 0,
    SY_BOUNCE_SOFT = 1,
} sy_bounce_t;

/* Avro enum "Cause" of a routing decision. */
typedef enum sy_cause {
    SY_CAUSE_ENTRY, /* the contact entered the journey on an event */
    SY_CAUSE_EVENT, /* an engagement event moved the contact */
    SY_CAUSE_TIMER, /* a timer fired */
    SY_CAUSE__COUNT
} sy_cause_t;

/* Avro enum "UpdateOp" of a contact update. */
typedef enum sy_update_op {
    SY_UPDATE_SET_ATTRIBUTE,
    SY_UPDATE_UNSET_ATTRIBUTE,
    SY_UPDATE_ADD_TO_LIST,
    SY_UPDATE_REMOVE_FROM_LIST,
    SY_UPDATE_OPT_OUT, /* name is the channel, lower case */
    SY_UPDATE_OPT_IN,  /* the same; last, so older readers keep their symbols' places */
    SY_UPDATE_OP__COUNT
} sy_update_op_t;

/* A prepared part (codec_part.h): a string that a producer's records carry again and again
 * (a journey's id and version, a node's id, a template), encoded once by the codec for both
 * outputs. Opaque: producers hold pointers to the parts codec_part_make made. */
typedef struct sy_part sy_part_t;

/* A string key and value, both borrowed (see codec.h for how long they live). */
typedef struct sy_kv {
    const char *key;
    const char *value;
} sy_kv_t;

/* A typed profile attribute value: Avro union {null, boolean, long, double, string}. */
typedef enum sy_value_kind {
    SY_VALUE_NULL,
    SY_VALUE_BOOL,
    SY_VALUE_LONG,
    SY_VALUE_DOUBLE,
    SY_VALUE_STRING,
} sy_value_kind_t;

typedef struct sy_value {
    sy_value_kind_t kind;
    union {
        bool b;
        int64_t l;
        double d;
        const char *s; /* borrowed */
    } u;
} sy_value_t;

typedef struct sy_attr {
    const char *name; /* borrowed */
    sy_value_t value;
} sy_attr_t;

/* EngagementEvent (schema id 1): what a person did, reported by a channel provider.
 * Optional fields are NULL (strings) or flagged (has_value) when absent. */
typedef struct sy_event {
    const char *event_id;
    const char *contact_id;
    int64_t occurred_at_ms; /* Unix epoch milliseconds, event time */
    sy_channel_t channel;
    sy_event_type_t type;
    const char *message_id; /* the action id the provider echoes back, or NULL */
    const char *journey_id; /* for events without a message id, or NULL */
    const char *node_id;    /* idem, or NULL */
    const char *name;       /* custom event name (store_visit), NULL unless CUSTOM */
    const char *link;       /* clicked link, or NULL */
    const char *text;       /* SMS reply text or call transcript, or NULL */
    sy_bounce_t bounce;
    bool has_value;
    double value; /* business value (purchase amount), when has_value */
    size_t props_count;
    sy_kv_t props[SY_EVENT_PROPS_MAX];
} sy_event_t;

/* ProfileUpdate (schema id 2): attributes to set and to remove for one contact. */
typedef struct sy_profile_update {
    const char *contact_id;
    int64_t updated_at_ms;
    size_t set_count;
    sy_attr_t set[SY_PROFILE_ATTRS_MAX];
    size_t unset_count;
    const char *unset[SY_PROFILE_ATTRS_MAX];
} sy_profile_update_t;

/* ActionCommand (schema id 8, version 2; version 1, id 3, is read too and leaves the
 * tracking_display..tracking_fallback fields NULL / false): send this message. action_id
 * is deterministic from contact, journey, version, node and occurrence; downstream
 * senders dedupe on it. */
typedef struct sy_action {
    const char *action_id;
    const char *contact_id;
    sy_channel_t channel;
    const char *template_id;
    int64_t not_before_ms;
    const char *journey_id;
    int32_t journey_version;
    const char *node_id;
    int32_t occurrence;
    const char *tracking_number; /* or NULL */
    /* For the encoder, from a producer that measured them (the engine): strlen(contact_id)
     * and strlen(journey_id), or 0: not given, the encoder measures. A length given must
     * be the id's strlen. An initializer leaves them 0; the decoders write 0. */
    uint16_t contact_id_len, journey_id_len;
    /* For the encoders, from a producer that prepared them (codec_part.h): journey_id and
     * journey_version, node_id and template_id as parts, each made from this record's own
     * string (the same pointer; the encoders assert it) and version; or NULL: written field
     * by field. An initializer leaves them NULL; the decoders write NULL. */
    const sy_part_t *journey_part, *node_part, *template_part;
    size_t params_count;
    sy_kv_t params[SY_ACTION_PARAMS_MAX]; /* the first params_count; the rest unspecified */
    /* With a tracking number (ActionCommand version 2; all NULL / false without one,
     * and in a version 1 record): its national display form ("(212) 555-0100"), its tel: URI, the
     * call-to-action for the contact's device class ("button" on a smartphone, "text"
     * otherwise), and whether the pool was exhausted and this is its fallback number. */
    const char *tracking_display;
    const char *tracking_tel;
    const char *tracking_cta;
    bool tracking_fallback;
} sy_action_t;

/* RoutingDecision (schema id 4): a contact moved from one node to another. */
typedef struct sy_decision {
    const char *contact_id;
    const char *journey_id;
    int32_t journey_version;
    const char *from_node; /* NULL on entry */
    const char *to_node;
    const char *path;      /* branch path name, or NULL when not leaving a branch */
    sy_cause_t cause;
    const char *cause_event_id; /* NULL when a timer caused it */
    int64_t decided_at_ms;
    /* As sy_action_t's: strlen(contact_id) and strlen(journey_id) when the producer knows
     * them, or 0 (the encoder measures). */
    uint16_t contact_id_len, journey_id_len;
    /* As sy_action_t's: journey_id and journey_version, from_node and to_node as parts made
     * from this record's own strings, or NULL. */
    const sy_part_t *journey_part, *from_part, *to_part;
} sy_decision_t;

/* ContactUpdate (schema id 5): a change a journey makes to a contact. */
typedef struct sy_contact_update {
    const char *contact_id;
    const char *journey_id;
    int32_t journey_version;
    const char *node_id;
    sy_update_op_t op;
    const char *name;  /* attribute, list or channel name */
    const char *value; /* attribute value for SET_ATTRIBUTE, else NULL */
    int64_t at_ms;
} sy_contact_update_t;

/* DeadLetter (schema id 6): an input record that could not be processed, and why. */
typedef struct sy_dead_letter {
    const char *source_topic;
    int32_t partition;
    int64_t offset;
    const char *error_code; /* sy_err_name() */
    const char *error;      /* the message for people */
    const void *key;        /* or NULL */
    size_t key_len;
    const void *value;      /* or NULL */
    size_t value_len;
    int64_t failed_at_ms;
} sy_dead_letter_t;

/* Conversion: an attributed inbound call that met a conversion rule (conversion.avsc);
 * written once per call and rule to the conversions topic. */
typedef struct sy_conversion {
    const char *contact_id;
    const char *journey_id;
    int32_t journey_version;
    const char *node_id;
    const char *action_id; /* the message whose tracking number was called */
    const char *rule;      /* the conversion rule's name */
    double value;          /* finite */
    const char *currency;  /* ISO 4217, three upper-case letters */
    const char *call_id;   /* the provider's call id (Twilio's CallSid) */
    const char *tracking_number;
    int64_t converted_at_ms; /* event time of the callback that completed the rule */
} sy_conversion_t;

/* Names: lower case, as journeys and JSON write them ("email", "opened").
 * Each returns NULL for an out-of-range value. */
const char *sy_channel_name(sy_channel_t channel);
const char *sy_event_type_name(sy_event_type_t type);
const char *sy_cause_name(sy_cause_t cause);
const char *sy_update_op_name(sy_update_op_t op);

/* Parse a lower-case name; return -1 when unknown. */
int sy_channel_parse(const char *name);
int sy_event_type_parse(const char *name);

/* The event types each channel reports: bit t of [c] is set when channel c reports type t
 * (sy_event_type_allowed reads it). */
extern const uint32_t sy_channel_event_types[SY_CHANNEL__COUNT];
_Static_assert(SY_EVENT_TYPE__COUNT <= 32, "a channel's types are bits of a uint32_t");

/* True when a channel reports this event type (email may be opened, voice answered); false
 * for a value out of range. Inline: the rules ask it of every event. */
static inline bool sy_event_type_allowed(sy_channel_t channel, sy_event_type_t type) {
    /* no assert: total over every value */
    if ((unsigned)channel >= SY_CHANNEL__COUNT || (unsigned)type >= SY_EVENT_TYPE__COUNT)
        return false;
    return (sy_channel_event_types[channel] >> (unsigned)type & 1u) != 0;
}

#endif
