/* inspect.h — what `switchyard inspect` shows of one contact: its journey instances, their
 * pending timers and its profile, gathered from a store (opened read-only by the CLI) and
 * printed as text or one JSON object, with node ids and watched event names when the
 * journey is loaded. Not the command line: cli_inspect.c. */
#ifndef SY_INSPECT_H
#define SY_INSPECT_H

#include <stdbool.h>
#include <stdio.h>

#include "engine_safety.h"
#include "journey.h"
#include "state_store.h"

/* Instances of one contact shown: one per journey it ever entered, in every partition;
 * JOURNEY_SET_MAX journeys run at once and retired ones keep their instances. */
#define INSPECT_INSTANCES_MAX 1024
/* Leases of one contact shown: a lease per send with a tracking number still kept. */
#define INSPECT_LEASES_MAX 64
/* Timers of one contact shown: one or two per active instance. */
#define INSPECT_TIMERS_MAX 4096

typedef struct inspect_instance {
    int32_t partition;
    char journey_id[SY_ID_BYTES_MAX + 1];
    state_instance_t instance;
} inspect_instance_t;

/* One frequency cap as it stands for the contact: count of its sends in the window. */
typedef struct inspect_cap {
    char name[SY_ID_BYTES_MAX + 1];
    int count;     /* sends in (at - window, at] matching the rule */
    int count_max; /* N */
    int64_t window_ms;
} inspect_cap_t;

/* Everything shown of one contact; large (the profile's buffer): allocate it. */
typedef struct inspect_report {
    char contact_id[SY_ID_BYTES_MAX + 1];
    size_t instances_count;
    bool instances_truncated; /* more than INSPECT_INSTANCES_MAX */
    inspect_instance_t instances[INSPECT_INSTANCES_MAX];
    size_t timers_count;
    bool timers_truncated;    /* more than INSPECT_TIMERS_MAX */
    state_timer_t timers[INSPECT_TIMERS_MAX]; /* the contact's, in due order per partition */
    bool has_profile;
    int32_t profile_partition;
    size_t attrs_count;
    sy_attr_t attrs[SY_PROFILE_ATTRS_MAX]; /* strings point into profile_buf */
    char profile_buf[STATE_PROFILE_BYTES_MAX];
    int32_t event_ids_partition; /* the contact's partition, -1 when it has no state */
    size_t event_ids_count;      /* recent input event ids kept for deduplication */
    state_event_id_t event_ids[STATE_EVENT_IDS_MAX]; /* oldest first */
    state_consent_t consent; /* of the same partition; all unknown when it has no state */
    state_engagement_t engagement; /* of the same partition; cleared when it has no state */
    /* The cap counters (inspect_caps_count): each configured rule's count at caps_at_ms. */
    int64_t caps_at_ms;
    size_t caps_count;
    inspect_cap_t caps[ENGINE_SAFETY_CAPS_MAX];
    /* The call-tracking leases the contact holds or held in its partition
     * (inspect_leases.c), in pool and number order. */
    size_t leases_count;
    bool leases_truncated; /* more than INSPECT_LEASES_MAX */
    struct inspect_lease {
        char pool[STATE_LEASE_POOL_BYTES];
        char number[STATE_LEASE_NUMBER_BYTES];
        state_lease_t lease;
    } leases[INSPECT_LEASES_MAX];
} inspect_report_t;

/* Fill report with contact_id's committed state in store: instances of every partition,
 * the timers of the partitions that hold them (found by scanning each such partition's
 * whole timer index), the profile, and the recent event ids and the consent (channels,
 * suppression lists) of the contact's partition (that of its first instance, else of its
 * profile, else of its consent record or event ids: a contact may have only those).
 * Errors: SY_ERR_LIMIT (over-long id), SY_ERR_STATE. */
sy_err_t inspect_gather(inspect_report_t *report, state_store_t *store,
                        const char *contact_id, char *errbuf, size_t errbuf_size);

/* Count the contact's cap log (report->consent) against conf's rules (borrowed) at at_ms
 * into report->caps. Without it no rule is shown, only the log's size. */
void inspect_caps_count(inspect_report_t *report, const engine_safety_conf_t *conf,
                        int64_t at_ms);

/* The release time of an instance held at a send node (journey's node is a send and a
 * timer of the report waits for it), or INT64_MIN when it is not held. */
int64_t inspect_held_release(const inspect_report_t *report, const inspect_instance_t *inst,
                             const journey_t *journey);

/* The caps and held sends part of the text report, and of the JSON one (a new object:
 * {"at", "rules": [{"name", "count", "max", "window"}], "log"}). */
void inspect_caps_print_text(const inspect_report_t *report, const journey_set_t *journeys,
                             FILE *out);
struct json_object *inspect_caps_json(const inspect_report_t *report);

/* inspect_leases.c: after inspect_gather, the contact's leases in its partition (a scan of
 * that partition's leases); printed only when there are some. Errors: the store's. */
sy_err_t inspect_leases_gather(inspect_report_t *report, state_store_t *store, char *errbuf,
                               size_t errbuf_size);
void inspect_leases_print_text(const inspect_report_t *report, FILE *out);
/* Adds "leases" to root when the contact has some. */
void inspect_leases_json(const inspect_report_t *report, struct json_object *root);
/* The engagement part of the text report (nothing when there is none), and of the JSON
 * one (a new object: {"<channel>": {"at", "sent_at", "delivered_at", "engaged_at",
 * "ignored_streak", "7d": {"sends", "engaged", "opens", "clicks", "engagement_rate"},
 * "30d", "90d"}}) (inspect_engagement.c). */
void inspect_engagement_print_text(const inspect_report_t *report, FILE *out);
struct json_object *inspect_engagement_json(const inspect_report_t *report);

/* True when the contact has any state: an instance, a profile, a consent record or
 * recent event ids. */
bool inspect_found(const inspect_report_t *report);

/* Print report for people (text) or as one JSON object and a newline. journeys (may be
 * NULL) names nodes and watched events; an instance of a journey version not in it shows
 * indexes and the raw seen mask. Both borrowed. */
void inspect_print_text(const inspect_report_t *report, const journey_set_t *journeys,
                        FILE *out);
sy_err_t inspect_print_json(const inspect_report_t *report, const journey_set_t *journeys,
                            FILE *out);

/* For the printers (inspect_text.c, inspect_json.c). */

/* The loaded journey of id and version, or NULL. */
const journey_t *inspect_journey_find(const journey_set_t *journeys, const char *id,
                                      int32_t version);

/* The watch list of journey's node index (branch or event wait), or NULL. */
const journey_watch_t *inspect_node_watch(const journey_t *journey, uint16_t node);

/* Bytes inspect_time_format writes, NUL included ("-292277026-..." and milliseconds). */
#define INSPECT_TIME_BYTES 40

/* ms as ISO-8601 UTC: 2026-11-02T08:00:00Z, with .mmm when not a whole second. */
void inspect_time_format(int64_t ms, char *buf);

/* The watched event's name as journeys write it: email.opened, custom.purchase. */
void inspect_event_name(const journey_event_match_t *m, char *buf, size_t size);

/* watch entry bit as inspect shows it: its event type, and a seen() condition after it in
 * parentheses ("push.clicked (link == \"offer\")"). Truncated to size. */
void inspect_watch_name(const journey_watch_t *watch, size_t bit, char *buf, size_t size);

#endif
