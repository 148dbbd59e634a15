/* state_store.h — switchyard's durable state in RocksDB: journey instances (each with its
 * live timer), the timer index ordered by due time (in memory, rebuilt from the
 * instances), and per-partition metadata. Writes collect in one pending
 * batch, one final write per key, that state_store_commit writes at once (after the Kafka
 * transaction committed), or state_store_abort drops; a batch may be sealed first and
 * committed while the next one is pending (state_store_seal). Reads see the pending batch,
 * then the sealed one. Not thread-safe: one store per
 * processing thread. */
#ifndef SY_STATE_STORE_H
#define SY_STATE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "state_cache.h"
#include "sy_error.h"
#include "sy_limits.h"

typedef struct state_store state_store_t;

/* Partitions one store serves; keys carry the partition as 2 bytes (sy_limits.h). */
#define STATE_PARTITIONS_MAX SY_PARTITIONS_MAX

typedef enum state_instance_status {
    STATE_INSTANCE_ACTIVE = 1, /* the contact is in the journey */
    STATE_INSTANCE_DONE = 2,   /* the contact left the journey (exit, goal) */
} state_instance_status_t;

/* One contact in one journey. Encoded in tens of bytes (state_codec.c). */
/* Whether an instance has a live timer. LEGACY: written by a version that kept timers in a
 * timer index of their own (the timers column family), where its timers still are; such
 * an instance is written in its old form until a fire or a move settles it. */
typedef enum state_instance_timer {
    STATE_INSTANCE_TIMER_NONE = 0,
    STATE_INSTANCE_TIMER_ARMED,
    STATE_INSTANCE_TIMER_LEGACY,
} state_instance_timer_t;

typedef struct state_instance {
    state_instance_status_t status;
    uint16_t node;              /* current node index in its journey version */
    int32_t journey_version;
    uint32_t occurrence;        /* how many times the contact entered this journey */
    int64_t entered_at_ms;      /* event time of the entry */
    int64_t node_entered_at_ms; /* event time the current node was entered */
    uint32_t seen_mask;         /* outcomes seen on the branch's message: bit per type */
    /* The last send made from a node on a loop in this occurrence: 1 + its node index (0:
     * none yet) and its event time, which its action id carries, so a branch on it finds
     * the id of the pass it waits on. */
    uint16_t looped_send;
    int64_t looped_send_at_ms;
    /* The instance's one live timer, when it has one: its due time. Timers are not stored
     * on their own; a partition's are rebuilt from its instances. */
    state_instance_timer_t timer;
    int64_t timer_due_ms; /* when timer is STATE_INSTANCE_TIMER_ARMED */
} state_instance_t;

_Static_assert(SY_WATCH_MAX <= 8 * sizeof(((state_instance_t *)0)->seen_mask),
               "every watched event has its bit in seen_mask");
_Static_assert(SY_JOURNEY_NODES_MAX <= 1 << (8 * sizeof(((state_instance_t *)0)->node)),
               "every node index fits an instance's node field");

/* A timer: re-evaluate contact's instance in journey at due_ms, if it is still at node
 * since node_entered_at_ms (otherwise the timer is stale and ignored). */
typedef struct state_timer {
    int32_t partition;
    int64_t due_ms;
    char contact_id[SY_ID_BYTES_MAX + 1];
    char journey_id[SY_ID_BYTES_MAX + 1];
    uint16_t node;
    int64_t node_entered_at_ms;
    bool from_pending; /* private: where state_store_timer_next found it (the pending */
    bool from_sealed;  /* batch's timers, the sealed one's, else the committed ones) */
} state_timer_t;

_Static_assert(SY_JOURNEY_NODES_MAX <= 1 << (8 * sizeof(((state_timer_t *)0)->node)),
               "every node index fits a timer's node field");

/* Default budget of the write-back cache of committed instances (config option
 * state.cache.bytes): ~4 million hot instances at ~64 bytes each with the index, a
 * small share of the memory of a machine that runs the processor. */
#define STATE_CACHE_BYTES_DEFAULT ((size_t)256 * 1024 * 1024)

/* Default of state_store_checkpoint_every (config option state.checkpoint.batches). */
#define STATE_CHECKPOINT_BATCHES_DEFAULT 16

/* Open (creating when missing) the store in dir. in_memory keeps everything in RAM (tests,
 * the engine benchmark); dir then only names it. cache_bytes bounds the write-back cache
 * of committed instances in front of RocksDB (index included; 0: no cache). *out set
 * only on success. Errors: SY_ERR_STATE with RocksDB's message, SY_ERR_NOMEM. */
sy_err_t state_store_open(state_store_t **out, const char *dir, bool in_memory,
                          size_t cache_bytes, char *errbuf, size_t errbuf_size);

/* Open the existing store in dir read-only, for inspection: it takes no lock, so it
 * works while a service has the directory open, and sees what was written when it
 * opened. Writes through it fail at commit. No write-back cache. *out set only on
 * success. Errors: SY_ERR_STATE (no store there, or RocksDB's message). */
sy_err_t state_store_open_read_only(state_store_t **out, const char *dir, char *errbuf,
                                    size_t errbuf_size);

/* Fill the cache of committed state with the contact records RocksDB holds, before any
 * batch, reading at most bytes_max and half the cache's budget of them (keys and values).
 * When they all fit, the cache holds all the state (as a new store's does from the
 * start), and a contact it lacks is answered as having none without reading RocksDB,
 * until the cache drops a record (an eviction; a restore writing contacts' records).
 * Reads RocksDB for a while at start: ~2,600 instructions a record. True when the cache
 * holds all the state; false otherwise (what was read stays cached; the rest fills as
 * reads ask). bytes_max 0 reads nothing: true only over a RocksDB with no contact record
 * (what the open does for a new store). */
bool state_store_contacts_warm(state_store_t *store, size_t bytes_max);

/* Close; drops an uncommitted batch and writes every committed one (an in-memory store's
 * state dies with it: nothing is written). state_store_close(NULL) is a no-op. */
void state_store_close(state_store_t *store);

/* Committed batches reach RocksDB together, every batches commits (0 or 1: at each
 * commit), or sooner when many writes wait: until then they are in memory, where reads
 * find them. RocksDB is a checkpoint behind the changelog: a crash loses the batches
 * since the last one, which a restore reads back from the changelog (it starts after
 * the offsets the checkpoint holds). A batch with a restore's writes is written at once.
 * An in-memory store, until this is called, writes only when many writes wait or an
 * iterator needs RocksDB (its RocksDB is memory too). */
void state_store_checkpoint_every(state_store_t *store, unsigned batches);

/* Write every committed batch to RocksDB now (the service does when it is idle; every
 * iterator over RocksDB does first); an in-memory store's RocksDB opens here if it has
 * not yet. Errors: SY_ERR_STATE (the write failed: nothing is written again),
 * SY_ERR_NOMEM. */
sy_err_t state_store_checkpoint(state_store_t *store, char *errbuf, size_t errbuf_size);

/* Read contact's instance in journey. SY_ERR_NOT_FOUND when there is none. */
sy_err_t state_store_instance_get(state_store_t *store, int32_t partition,
                                  const char *contact_id, const char *journey_id,
                                  state_instance_t *out, char *errbuf, size_t errbuf_size);

/* Write contact's instance in journey into the pending batch. */
sy_err_t state_store_instance_put(state_store_t *store, int32_t partition,
                                  const char *contact_id, const char *journey_id,
                                  const state_instance_t *instance);

/* A contact's instance key in one journey, made for the reads and writes of one input:
 * the contact's part once (state_instance_key_contact), then each journey's
 * (state_instance_key_journey). The same bytes state_store_instance_get makes. */
typedef struct state_instance_key {
    size_t contact_len; /* 2 + the contact id's length: the contact table's key */
    size_t len;         /* contact_len, then 1 + the journey id's length once set */
    int slot;           /* the journey's state_store_instance_slot, or -1: look it up */
    /* the partition (2 bytes big-endian), the contact id, NUL, the journey id */
    uint8_t bytes[2 + 2 * (SY_ID_BYTES_MAX + 1)];
} state_instance_key_t;

/* Make contact's part of *key (no journey yet). SY_ERR_LIMIT: contact id too long (*key
 * not usable). */
sy_err_t state_instance_key_contact(state_instance_key_t *key, int32_t partition,
                                    const char *contact_id);

/* Put journey_id after the contact's part of *key (made by state_instance_key_contact),
 * in place of any journey before, with slot: state_store_instance_slot(store, journey_id)
 * of the store the key is used with, or -1 (looked up then). SY_ERR_LIMIT: journey id too
 * long (*key unchanged). */
sy_err_t state_instance_key_journey(state_instance_key_t *key, const char *journey_id,
                                    int slot);

/* state_instance_key_journey of a journey id whose length (strlen) the caller knows,
 * journey_len: the same key, without measuring the id. */
sy_err_t state_instance_key_journey_len(state_instance_key_t *key, const char *journey_id,
                                        size_t journey_len, int slot);

/* Where store's contact table keeps the instances of journey_id, the same for the
 * store's life: a key that carries it spares each read that lookup. -1: the table keeps
 * none (no table, too many journeys, an over-long id). */
int state_store_instance_slot(state_store_t *store, const char *journey_id);

/* state_store_instance_get and _put by a key with its journey set (borrowed): the same
 * reads and writes, without making the key again. */
sy_err_t state_store_instance_get_at(state_store_t *store, const state_instance_key_t *key,
                                     state_instance_t *out, char *errbuf, size_t errbuf_size);
sy_err_t state_store_instance_put_at(state_store_t *store, const state_instance_key_t *key,
                                     const state_instance_t *instance);

/* Whether timer is instance's live one (the instance keyed by the timer's contact and
 * journey). Stale: the contact moved on, ended (goal, exit) or re-entered since it was
 * set, or its live timer is another (a later moment of its branch). An instance written
 * before instances kept their timer has its timers in the old index: any there for its
 * node since its entry is live. */
bool state_timer_live(const state_instance_t *instance, const state_timer_t *timer);

/* The key of timer's instance (its contact's, in its journey) into *key: the bytes
 * state_instance_key_contact and state_instance_key_journey make, made at once, with slot
 * -1 (a caller that knows the journey's state_store_instance_slot may set key->slot).
 * SY_ERR_LIMIT: an id too long (*key not usable). */
sy_err_t state_timer_instance_key(const state_timer_t *timer, state_instance_key_t *key);

/* Add a timer to the pending batch. It is kept only as its instance's live timer: the
 * caller puts the instance with it (timer, timer_due_ms) in the same batch, and a
 * partition's timers are rebuilt from its instances after a reopen or a restore. A timer
 * of no instance lasts until then. SY_ERR_LIMIT on an over-long id. */
sy_err_t state_store_timer_add(state_store_t *store, const state_timer_t *timer);

/* The earliest timer of partition due at or before due_max, pending ones included.
 * SY_ERR_NOT_FOUND when none is due; SY_ERR_STATE on a corrupt timer (its ids and value
 * are read only once it is due). *out is set only on SY_OK. Call state_store_timer_remove
 * on it before asking again. */
sy_err_t state_store_timer_next(state_store_t *store, int32_t partition, int64_t due_max,
                                state_timer_t *out, char *errbuf, size_t errbuf_size);

/* state_store_timer_next and _remove at once: the earliest timer of partition due at or
 * before due_max, taken out of the index (its fire is kept until the batch ends: an abort
 * puts it back). SY_ERR_NOT_FOUND when none is due; SY_ERR_STATE on a corrupt timer;
 * SY_ERR_NOMEM without memory for the batch. Nothing is taken on an error, and *out is
 * the caller's to read only on SY_OK. */
sy_err_t state_store_timer_take(state_store_t *store, int32_t partition, int64_t due_max,
                                state_timer_t *out, char *errbuf, size_t errbuf_size);

/* Take the next timer of first's run, as state_store_timer_take: the earliest timer of
 * first's partition when it is due at first's due time for first's contact (another
 * journey's; the index keeps a run adjacent). SY_ERR_NOT_FOUND when the earliest is not
 * of the run: it is told from its key's bytes, decoding nothing. first (borrowed) is a
 * timer taken before, not out. */
sy_err_t state_store_timer_take_run(state_store_t *store, const state_timer_t *first,
                                    state_timer_t *out, char *errbuf, size_t errbuf_size);

/* Remove the timer state_store_timer_next just returned, with no commit, restore or timer
 * add in between (an assertion: the timer is still the head of its queue, with its due
 * time). Its key is that head's, not encoded again. SY_ERR_NOMEM without memory for the
 * batch. */
sy_err_t state_store_timer_remove(state_store_t *store, const state_timer_t *timer);

/* Profiles: a contact's attributes, merged from profile updates (set / unset), kept
 * with the contact's partition. Encoded values never exceed STATE_PROFILE_BYTES_MAX. */
#define STATE_PROFILE_BYTES_MAX (64 * 1024)

/* Merge update into the contact's stored profile (pending batch). Errors: SY_ERR_LIMIT
 * when the merged profile would exceed SY_PROFILE_ATTRS_MAX attributes or
 * STATE_PROFILE_BYTES_MAX bytes, SY_ERR_STATE. */
sy_err_t state_store_profile_apply(state_store_t *store, int32_t partition,
                                   const sy_profile_update_t *update, char *errbuf,
                                   size_t errbuf_size);

/* Read contact's profile: up to attrs_max attributes into attrs, sorted by name, strings
 * pointing into buf (buf_size bytes, the caller's, at least STATE_PROFILE_BYTES_MAX).
 * A contact without a profile reads as zero attributes (SY_OK). Sees the pending batch. */
sy_err_t state_store_profile_get(state_store_t *store, int32_t partition,
                                 const char *contact_id, sy_attr_t *attrs, size_t attrs_max,
                                 size_t *attrs_count, void *buf, size_t buf_size,
                                 char *errbuf, size_t errbuf_size);

/* state_store_profile_get by the contact's part of key (borrowed; made by
 * state_instance_key_contact, a journey after it unread): the same read, without making
 * the contact's key again. */
sy_err_t state_store_profile_get_at(state_store_t *store, const state_instance_key_t *key,
                                    sy_attr_t *attrs, size_t attrs_max, size_t *attrs_count,
                                    void *buf, size_t buf_size, char *errbuf,
                                    size_t errbuf_size);

/* Event ids: each contact's recently seen input event ids, as 8-byte hashes with their
 * event times, kept with the contact's partition (column family event_ids), so that an
 * event delivered twice is applied once. */

/* Most ids one contact's record can keep (the config's events.dedup.ids.max is at most
 * this): 16 bytes each, so a record stays under 16 KiB. */
#define STATE_EVENT_IDS_MAX 1024

typedef struct state_event_id {
    uint64_t hash;   /* of the event id (sy_hash_fnv1a64) */
    int64_t time_ms; /* the event's time */
} state_event_id_t;

typedef struct state_event_ids_conf {
    int64_t window_ms; /* an id is remembered this long, in event time, past the newest */
    size_t ids_max;    /* 1..STATE_EVENT_IDS_MAX ids per contact; the oldest go first */
} state_event_ids_conf_t;

/* Was an event with id hash at time_ms seen for contact within conf's window? The
 * window ends at the newest event time of the contact's record (this one included): an
 * id older than window_ms before it is forgotten, as are the oldest beyond ids_max. When
 * not seen (*seen false), the id is added to the record in the pending batch. Pure event
 * time, no clock: replays decide alike. Errors: SY_ERR_LIMIT (contact id too long),
 * SY_ERR_STATE, SY_ERR_NOMEM. */
sy_err_t state_store_event_id_seen(state_store_t *store, int32_t partition,
                                   const char *contact_id, uint64_t hash, int64_t time_ms,
                                   const state_event_ids_conf_t *conf, bool *seen,
                                   char *errbuf, size_t errbuf_size);

/* Read contact's recorded ids (at most STATE_EVENT_IDS_MAX into ids, oldest first) into
 * *count; none is zero ids. Sees the pending batch. Errors as state_store_event_id_seen. */
sy_err_t state_store_event_ids_get(state_store_t *store, int32_t partition,
                                   const char *contact_id, state_event_id_t *ids,
                                   size_t *count, char *errbuf, size_t errbuf_size);

/* Decode an event-ids value: 1 when it is well formed and holds at most ids_max ids. */
int state_event_ids_decode(const uint8_t *value, size_t len, state_event_id_t *ids,
                           size_t ids_max, size_t *count);

/* Consent: each contact's consent per channel (opted in, opted out, suppressed or
 * unknown, with time and cause) and its memberships of suppression lists, kept with the
 * contact's partition (column family consent). What the record means for a send is the
 * engine's (engine_safety.c); the store only keeps it. */

/* A record's slots: one per channel, and last one for every channel at once (STOPALL). */
#define STATE_CONSENT_ALL SY_CHANNEL__COUNT
#define STATE_CONSENT_SLOTS (SY_CHANNEL__COUNT + 1)
/* Lists one record keeps: only configured suppression lists are kept, and the config
 * names at most this many (engine_safety.h). */
#define STATE_CONSENT_LISTS_MAX 16

typedef enum state_consent_status {
    STATE_CONSENT_UNKNOWN = 0,    /* nothing known: marketing may be sent */
    STATE_CONSENT_OPTED_IN = 1,   /* opted (back) in */
    STATE_CONSENT_OPTED_OUT = 2,  /* opted out: no marketing (the all slot: nothing) */
    STATE_CONSENT_SUPPRESSED = 3, /* the address is dead (hard bounce): nothing at all */
    STATE_CONSENT_STATUS__COUNT
} state_consent_status_t;

typedef enum state_consent_cause {
    STATE_CONSENT_CAUSE_NONE = 0,
    STATE_CONSENT_CAUSE_EVENT = 1,   /* an engagement event (email.unsubscribed, ...) */
    STATE_CONSENT_CAUSE_KEYWORD = 2, /* an SMS reply that is a keyword (STOP, START) */
    STATE_CONSENT_CAUSE_JOURNEY = 3, /* a journey's update node */
    STATE_CONSENT_CAUSE_BOUNCE = 4,  /* a hard bounce */
    STATE_CONSENT_CAUSE_PROFILE = 5, /* a consent attribute on the profiles topic */
    STATE_CONSENT_CAUSE__COUNT
} state_consent_cause_t;

typedef struct state_consent_slot {
    uint8_t status;  /* state_consent_status_t */
    uint8_t cause;   /* state_consent_cause_t */
    int64_t time_ms; /* event time of the change; 0 while unknown */
} state_consent_slot_t;

typedef struct state_consent_list {
    char name[SY_ID_BYTES_MAX + 1];
    int64_t time_ms; /* event time the contact was added */
} state_consent_list_t;

/* Frequency caps: the config holds at most STATE_CONSENT_CAP_RULES_MAX rules, each
 * allowing at most STATE_CONSENT_CAP_SENDS_MAX sends per window (engine_safety.h). A rule
 * counts exactly, late sends included, with its sends of the two windows before its
 * newest — at most 2N, as no window holds more than N — so a record never needs more
 * than twice their product to keep every rule exact. */
#define STATE_CONSENT_CAP_RULES_MAX 16
#define STATE_CONSENT_CAP_SENDS_MAX 50
#define STATE_CONSENT_SENDS_MAX (2 * STATE_CONSENT_CAP_RULES_MAX * STATE_CONSENT_CAP_SENDS_MAX)

/* One send counted by the caps (the cap log). */
typedef struct state_consent_send {
    int64_t time_ms;  /* event time the send went out */
    uint8_t channel;  /* sy_channel_t */
    uint8_t category; /* 0 marketing, 1 transactional (journey_category_t) */
} state_consent_send_t;

typedef struct state_consent {
    state_consent_slot_t slots[STATE_CONSENT_SLOTS]; /* by sy_channel_t, then ALL */
    size_t lists_count;
    state_consent_list_t lists[STATE_CONSENT_LISTS_MAX]; /* read up to lists_count only */
    /* The cap log: recent sends, oldest first (ties in the order they went out); which to
     * keep is the engine's (engine_caps.c). A record from before caps has none. Reading
     * or decoding sets each array only up to its count: what lies past it is stale. */
    size_t sends_count;
    state_consent_send_t sends[STATE_CONSENT_SENDS_MAX];
} state_consent_t;

/* Read contact's consent into *out; a contact without a record reads as all unknown, no
 * lists and an empty cap log (SY_OK). Sees the pending batch. Errors: SY_ERR_LIMIT
 * (contact id too long), SY_ERR_STATE (read error, corrupt record). */
sy_err_t state_store_consent_get(state_store_t *store, int32_t partition,
                                 const char *contact_id, state_consent_t *out, char *errbuf,
                                 size_t errbuf_size);

/* Write contact's consent (borrowed) to the pending batch, changelogged with it.
 * Errors: SY_ERR_LIMIT (contact id too long), SY_ERR_NOMEM. */
sy_err_t state_store_consent_put(state_store_t *store, int32_t partition,
                                 const char *contact_id, const state_consent_t *consent,
                                 char *errbuf, size_t errbuf_size);

/* state_store_consent_get and _put by the contact's part of key (borrowed; made by
 * state_instance_key_contact, a journey after it unread): the same read and write, without
 * making the contact's key again. Errors as theirs (never SY_ERR_LIMIT: the key is made). */
sy_err_t state_store_consent_get_at(state_store_t *store, const state_instance_key_t *key,
                                    state_consent_t *out, char *errbuf, size_t errbuf_size);
sy_err_t state_store_consent_put_at(state_store_t *store, const state_instance_key_t *key,
                                    const state_consent_t *consent);

/* Decode a consent value: 1 when it is well formed. */
int state_consent_decode(const uint8_t *value, size_t len, state_consent_t *out);

/* "unknown", "opted_in", "opted_out", "suppressed"; "event", "keyword", "journey",
 * "bounce" ("" for none); NULL out of range. */
const char *state_consent_status_name(state_consent_status_t status);
const char *state_consent_cause_name(state_consent_cause_t cause);

/* Engagement memory: per contact and channel, what the engine saw of the contact's
 * sends and engagement (docs/expressions.md#engagement), kept in the contact's partition
 * (column family engagement), read and written through the pending batch like consent.
 * What counts as what and how it decays is engine_engagement.c's; this is the record. */

/* Half-lives of the decayed counters: 7, 30 and 90 days. */
#define STATE_ENGAGEMENT_HORIZONS 3
/* Every channel, as a set of channels (bit c: channel c). */
#define STATE_ENGAGEMENT_CHANNELS_ALL ((UINT32_C(1) << SY_CHANNEL__COUNT) - 1)
/* The decayed counters of each horizon. */
enum {
    STATE_ENGAGEMENT_SENDS,   /* the engine's sends on the channel */
    STATE_ENGAGEMENT_ENGAGED, /* opens, clicks, replies and answers */
    STATE_ENGAGEMENT_OPENS,   /* opens */
    STATE_ENGAGEMENT_CLICKS,  /* clicks */
    STATE_ENGAGEMENT_COUNTERS
};

typedef struct state_engagement_channel {
    int64_t updated_ms;   /* the time the counters are decayed to; INT64_MIN: no record */
    int64_t sent_ms;      /* the latest send, INT64_MIN: none */
    int64_t delivered_ms; /* the latest delivery, INT64_MIN: none */
    int64_t engaged_ms;   /* the latest engagement, INT64_MIN: none */
    uint16_t ignored_streak; /* sends since the latest engagement (saturates) */
    float decayed[STATE_ENGAGEMENT_HORIZONS][STATE_ENGAGEMENT_COUNTERS];
} state_engagement_channel_t;

typedef struct state_engagement {
    state_engagement_channel_t channels[SY_CHANNEL__COUNT]; /* by sy_channel_t */
} state_engagement_t;

/* Clear e: every channel without a record. */
void state_engagement_clear(state_engagement_t *e);

/* Read contact's engagement into *out; a contact without a record reads as cleared. Sees
 * the pending batch. *out must hold a record as state_engagement_decode says (cleared, or
 * read before), and still does after an error (cleared when the value is corrupt). Errors:
 * SY_ERR_LIMIT (contact id too long), SY_ERR_STATE (a read error, a corrupt value). */
sy_err_t state_store_engagement_get(state_store_t *store, int32_t partition,
                                    const char *contact_id, state_engagement_t *out,
                                    char *errbuf, size_t errbuf_size);

/* Write contact's engagement (borrowed) to the pending batch, changelogged with it: only
 * the channels with a record. Errors: SY_ERR_LIMIT, SY_ERR_NOMEM. */
sy_err_t state_store_engagement_put(state_store_t *store, int32_t partition,
                                    const char *contact_id, const state_engagement_t *e,
                                    char *errbuf, size_t errbuf_size);

/* A contact's key in the engagement column family (its partition, then its id), made once
 * for the reads and writes of one contact (the engine keeps its current contact's). */
typedef struct state_engagement_key {
    size_t len; /* 2 + the id's length */
    uint8_t bytes[2 + SY_ID_BYTES_MAX]; /* the partition (2 bytes big-endian), the id */
} state_engagement_key_t;

/* Make contact's key into *key. Errors: SY_ERR_LIMIT (contact id too long; *key not set). */
sy_err_t state_engagement_key_make(state_engagement_key_t *key, int32_t partition,
                                   const char *contact_id, char *errbuf, size_t errbuf_size);

/* Make *key the engagement key of the contact of instance_key (borrowed; its contact part
 * made by state_instance_key_contact): the same bytes state_engagement_key_make makes. */
void state_engagement_key_from(state_engagement_key_t *key,
                               const state_instance_key_t *instance_key);

/* state_store_engagement_get and _put by a key from state_engagement_key_make (borrowed):
 * the same reads and writes, without making the key again. */
sy_err_t state_store_engagement_get_at(state_store_t *store, const state_engagement_key_t *key,
                                       state_engagement_t *out, char *errbuf,
                                       size_t errbuf_size);
sy_err_t state_store_engagement_put_at(state_store_t *store, const state_engagement_key_t *key,
                                       const state_engagement_t *e);

/* An engagement record's value, as a read found it or a write left it: its channels are
 * decoded one at a time, when used (state_engagement_value_channel_get), and a write that
 * changed one channel of the record then encodes that channel alone into it (the other
 * channels' bytes are the record's already). A value is kept in the order this module
 * writes, so every write gives the bytes _put would. */
#define STATE_ENGAGEMENT_CHANNEL_BYTES                                                     \
    (1 + 4 * 8 + 2 + 4 * STATE_ENGAGEMENT_HORIZONS * STATE_ENGAGEMENT_COUNTERS)
#define STATE_ENGAGEMENT_VALUE_BYTES_MAX (2 + STATE_ENGAGEMENT_CHANNEL_BYTES * SY_CHANNEL__COUNT)
typedef struct state_engagement_value {
    size_t len;        /* 0: none kept (the next write encodes the whole record) */
    uint32_t channels; /* bit c set: channel c has a record in the value */
    uint8_t bytes[STATE_ENGAGEMENT_VALUE_BYTES_MAX];
} state_engagement_value_t;

/* Read key's record (key borrowed) into *value (owned by the caller), checked whole as
 * state_engagement_decode checks it and kept in this module's order (a value in another
 * order is written in order); a contact without a record reads as the value of an empty
 * one. Sees the pending batch. After an error, len 0. Errors: SY_ERR_STATE (a read error,
 * a corrupt value). */
sy_err_t state_store_engagement_value_get_at(state_store_t *store,
                                             const state_engagement_key_t *key,
                                             state_engagement_value_t *value, char *errbuf,
                                             size_t errbuf_size);

/* Channel channel of the record *value holds (len > 0, as
 * state_store_engagement_value_get_at or state_store_engagement_put_channel_at left it)
 * into *out; cleared when it has none. *out must hold a channel: with updated_ms
 * INT64_MIN, clear in every field (a channel without a time is left as it is). */
void state_engagement_value_channel_get(const state_engagement_value_t *value,
                                        sy_channel_t channel, state_engagement_channel_t *out);

/* state_engagement_value_channel_get of every channel that done does not name (bit c:
 * channel c) into *out, in one pass over the value. */
void state_engagement_value_decode(const state_engagement_value_t *value, uint32_t done,
                                   state_engagement_t *out);

/* Write the record *value holds (as state_store_engagement_value_get_at or this function
 * left it, for the same key) with its channel `channel` as e's: only that channel of e is
 * read and encoded, into *value, then *value is written. With a *value of len 0 the whole
 * of e is encoded into it. Errors: SY_ERR_NOMEM. */
sy_err_t state_store_engagement_put_channel_at(state_store_t *store,
                                               const state_engagement_key_t *key,
                                               const state_engagement_t *e,
                                               state_engagement_value_t *value,
                                               sy_channel_t channel);

/* Decode an engagement value into *out: 1 when it is well formed; 0 and *out cleared when
 * not. *out must hold a record: cleared (state_engagement_clear) or decoded before, and
 * changed since only so that a channel with updated_ms INT64_MIN is clear in every field;
 * only the channels it had set are cleared, not all of them (not any memory). */
int state_engagement_decode(const uint8_t *value, size_t len, state_engagement_t *out);

/* Counts: signed counts kept per partition (column family counts), each under a 64-bit
 * id the caller chooses with up to STATE_COUNT_LABELS_BYTES_MAX bytes of its own labels
 * beside it (what the count is of, for a scan to tell). Written and changelogged with the
 * pending batch; a restore brings them back like the rest of the state. */

/* Label bytes one count keeps: a journey path's five ids with their separators. */
#define STATE_COUNT_LABELS_BYTES_MAX 1024

/* The count under id in partition into *count (0 when there is none). Sees the pending
 * batch. Errors: SY_ERR_INVALID_ARG (partition out of range), SY_ERR_STATE. */
sy_err_t state_store_count_get(state_store_t *store, int32_t partition, uint64_t id,
                               int64_t *count, char *errbuf, size_t errbuf_size);

/* Write count with its labels (borrowed, copied) under id to the pending batch.
 * Errors: SY_ERR_INVALID_ARG (partition out of range, labels too long), SY_ERR_NOMEM. */
sy_err_t state_store_count_put(state_store_t *store, int32_t partition, uint64_t id,
                               int64_t count, const void *labels, size_t labels_len);

/* Visit every committed count of partition (labels borrowed for the call); visit returns
 * non-zero to stop. Errors: SY_ERR_INVALID_ARG, SY_ERR_STATE (a corrupt value). */
typedef int state_count_visit_fn(void *ctx, int32_t partition, uint64_t id, int64_t count,
                                 const uint8_t *labels, size_t labels_len);
sy_err_t state_store_counts_scan(state_store_t *store, int32_t partition,
                                 state_count_visit_fn *visit, void *ctx, char *errbuf,
                                 size_t errbuf_size);

/* Decode a count value: 1 when well formed; labels point into value. */
int state_count_decode(const uint8_t *value, size_t len, int64_t *count,
                       const uint8_t **labels, size_t *labels_len);

/* Leases (state_leases.c): call-tracking numbers leased to a contact and message, and the
 * calls made to them, kept per partition (column family leases, changelog code 7). The
 * store only keeps the records; which number to lease and what a call means is the
 * engine's (engine_calls_*.c). */

/* Bytes of a pool name and of an E.164 number ("+" and at most 15 digits), terminator
 * included; of an action id (action_id.h's 32 hex digits); of a caller, an outcome and a
 * kept transcript (longer transcripts are cut: conversion rules read this much). */
#define STATE_LEASE_POOL_BYTES 65
#define STATE_LEASE_NUMBER_BYTES 17
#define STATE_LEASE_ACTION_BYTES 65
#define STATE_CALL_CALLER_BYTES 33
#define STATE_CALL_OUTCOME_BYTES 33
#define STATE_CALL_TRANSCRIPT_BYTES 4096

/* Who a number is leased to, from leased_at_ms until expires_at_ms (exclusive). */
typedef struct state_lease {
    int64_t leased_at_ms;
    int64_t expires_at_ms;
    int32_t journey_version;
    char contact_id[SY_ID_BYTES_MAX + 1];
    char journey_id[SY_ID_BYTES_MAX + 1];
    char node_id[SY_ID_BYTES_MAX + 1];
    char action_id[STATE_LEASE_ACTION_BYTES];
} state_lease_t;

/* One inbound call, as its callbacks arrived: attributed (lease is who the number was
 * leased to at started_at_ms) or not (pool and number only). Unknown parts: duration_s
 * -1, empty outcome, has_transcript false. converted_mask: the conversion rules that
 * already converted this call, so none converts twice. */
typedef struct state_call {
    int64_t started_at_ms;
    int32_t duration_s;
    uint32_t converted_mask;
    bool attributed;
    bool has_transcript;
    char pool[STATE_LEASE_POOL_BYTES];
    char number[STATE_LEASE_NUMBER_BYTES];
    char caller[STATE_CALL_CALLER_BYTES];
    char outcome[STATE_CALL_OUTCOME_BYTES];
    state_lease_t lease;
    char transcript[STATE_CALL_TRANSCRIPT_BYTES];
} state_call_t;

/* The lease of number in pool, in partition, into *out (expired ones too).
 * SY_ERR_NOT_FOUND when the number was never leased there. Sees the pending batch.
 * Errors: SY_ERR_INVALID_ARG (partition, or a name over its bytes), SY_ERR_STATE. */
sy_err_t state_store_lease_get(state_store_t *store, int32_t partition, const char *pool,
                               const char *number, state_lease_t *out, char *errbuf,
                               size_t errbuf_size);

/* Write the lease of number in pool (borrowed, copied) to the pending batch, replacing
 * any older one. Errors: SY_ERR_INVALID_ARG, SY_ERR_NOMEM. */
sy_err_t state_store_lease_put(state_store_t *store, int32_t partition, const char *pool,
                               const char *number, const state_lease_t *lease);

/* The call call_id of partition into *out; SY_ERR_NOT_FOUND when none. Sees the pending
 * batch. Errors as state_store_lease_get. */
sy_err_t state_store_call_get(state_store_t *store, int32_t partition, const char *call_id,
                              state_call_t *out, char *errbuf, size_t errbuf_size);

/* Write call call_id (borrowed, copied) to the pending batch. Errors as lease_put. */
sy_err_t state_store_call_put(state_store_t *store, int32_t partition, const char *call_id,
                              const state_call_t *call);

/* Visit every committed lease of partition, in key order (pool, then number); visit
 * returns non-zero to stop. For inspection: it scans. Errors: SY_ERR_STATE (corrupt). */
typedef int state_lease_visit_fn(void *ctx, int32_t partition, const char *pool,
                                 const char *number, const state_lease_t *lease);
sy_err_t state_store_leases_scan(state_store_t *store, int32_t partition,
                                 state_lease_visit_fn *visit, void *ctx, char *errbuf,
                                 size_t errbuf_size);

/* A sweep's place in a partition's leases family: the last key it looked at (the
 * partition, the kind, a pool and number or a call id). Zeroed: from the start. */
#define STATE_LEASES_CURSOR_BYTES (3 + SY_ID_BYTES_MAX + 1)
typedef struct state_leases_cursor {
    size_t len;
    uint8_t key[STATE_LEASES_CURSOR_BYTES];
} state_leases_cursor_t;

/* What a sweep removes: calls that started before calls_before_ms, leases that ended
 * before leases_before_ms; looking at records_max records at most. */
typedef struct state_leases_sweep {
    int64_t calls_before_ms;
    int64_t leases_before_ms;
    size_t records_max;
} state_leases_sweep_t;

/* Look at the next sweep->records_max committed records of partition after *cursor (its
 * caller's, moved on; back to the start after the last) and delete, in the pending
 * batch (changelogged as deletes), those sweep says are old, as the batch sees them (a
 * record rewritten in it is judged by its new value). *removed (may be NULL) counts the
 * deletes. Reads after it in the batch find the deleted records absent. Errors as
 * state_store_leases_scan, SY_ERR_NOMEM. */
sy_err_t state_store_leases_sweep(state_store_t *store, int32_t partition,
                                  const state_leases_sweep_t *sweep,
                                  state_leases_cursor_t *cursor, size_t *removed,
                                  char *errbuf, size_t errbuf_size);

/* Check a leases-family record (key and value, value NULL for a delete): 1 when this
 * version can read it. For the changelog's apply. */
int state_lease_record_check(const uint8_t *key, size_t key_len, const uint8_t *value,
                             size_t value_len);

/* The deploy-time scan of one journey version over one partition's stored profiles
 * (state_scans.c): the last contact id visited ("" none yet), how many were visited and
 * entered, and whether the scan reached the partition's end. */
typedef struct state_scan {
    bool done;
    uint64_t scanned;
    uint64_t entered;
    char cursor[SY_ID_BYTES_MAX + 1];
} state_scan_t;

/* The scan cursor of (journey_id, version) in partition, through the pending batch.
 * Errors: SY_ERR_NOT_FOUND (no scan began), SY_ERR_INVALID_ARG (bad partition or id),
 * SY_ERR_STATE (corrupt). */
sy_err_t state_store_scan_get(state_store_t *store, int32_t partition, const char *journey_id,
                              int32_t version, state_scan_t *out, char *errbuf,
                              size_t errbuf_size);

/* Write the scan cursor (borrowed, copied) to the pending batch: committed and changelogged
 * with the entries the slice made. Errors: SY_ERR_INVALID_ARG, SY_ERR_NOMEM. */
sy_err_t state_store_scan_put(state_store_t *store, int32_t partition, const char *journey_id,
                              int32_t version, const state_scan_t *scan);

/* Decode a cursor's value: 1 when this version can read it. */
int state_scan_decode(const uint8_t *value, size_t len, state_scan_t *out);

/* Check a default-family record with a key longer than a partition: 1 when it is a scan
 * cursor this version can read (value NULL: a delete). For the changelog's apply. */
int state_scan_record_check(const uint8_t *key, size_t key_len, const uint8_t *value,
                            size_t value_len);

/* Visit, in key order, the contact ids of at most max committed profiles of partition whose
 * id sorts after `after` ("" the partition's start); *visited says how many (fewer than max:
 * the end was reached). A non-SY_OK return of visit stops and is returned (its errbuf is
 * the visit's). Writes the visit makes go to the pending batch, unseen by this walk.
 * Errors: SY_ERR_INVALID_ARG, SY_ERR_STATE, or the visit's. */
typedef sy_err_t state_profile_key_visit_fn(void *ctx, int32_t partition,
                                            const char *contact_id);
sy_err_t state_store_profiles_after(state_store_t *store, int32_t partition, const char *after,
                                    size_t max, state_profile_key_visit_fn *visit, void *ctx,
                                    size_t *visited, char *errbuf, size_t errbuf_size);

/* Visit every committed instance of journey_id in partition (for deploy-time migration).
 * visit returns non-zero to stop. Instances the visit puts go to the pending batch. */
typedef int state_instance_visit_fn(void *ctx, int32_t partition, const char *contact_id,
                                    const state_instance_t *instance);
sy_err_t state_store_instances_scan(state_store_t *store, int32_t partition,
                                    const char *journey_id, state_instance_visit_fn *visit,
                                    void *ctx, char *errbuf, size_t errbuf_size);

/* Per-partition stream time (highest event time seen), kept with the state it reflects.
 * get returns INT64_MIN for a partition never seen. set costs no write: the batch gets
 * each partition's last time once, when it is committed or its op log is read. */
int64_t state_store_stream_time_get(state_store_t *store, int32_t partition);
void state_store_stream_time_set(state_store_t *store, int32_t partition, int64_t time_ms);

/* Commit the pending batch: each key once, with its final value (state_store_pending_
 * each's writes), written to RocksDB with the next checkpoint (state_store_checkpoint_
 * every). SY_ERR_STATE on a write error (full disk, I/O error), SY_ERR_NOMEM when a write
 * could not be kept: the caller must stop committing; the pending batch is dropped. It is
 * state_store_seal then state_store_commit_sealed; with a batch already sealed, that one
 * is committed first (as state_store_commit_sealed: on its error both are dropped). */
sy_err_t state_store_commit(state_store_t *store, char *errbuf, size_t errbuf_size);

/* Pipelined commits: batch n is sealed at its close (after its changelog was taken from
 * state_store_pending_each), batch n+1 is processed on top while n's Kafka transaction
 * commits, then n is committed (state_store_commit_sealed) or both are dropped.
 *
 * Seal the pending batch: its stream times are written into it and it becomes the sealed
 * batch; an empty pending batch opens on top. Every read (gets, instance reads, timers
 * next/fire, profiles, event ids, consent, engagement, counts, leases, calls, scan
 * cursors) sees the pending batch, then the sealed one, then the committed state; the
 * walks of committed records (instances_scan, profiles_after, counts_scan, leases_scan,
 * inspection) see neither batch, as they never saw the pending one. At most one batch is
 * sealed (asserted). SY_ERR_NOMEM, nothing sealed (the pending batch left as it is, for
 * state_store_abort), when the pending batch's log is partial. A restore
 * (state_store_changelog_apply) writes around the pending batch only with nothing sealed
 * (asserted). */
sy_err_t state_store_seal(state_store_t *store, char *errbuf, size_t errbuf_size);

/* Is a batch sealed? */
bool state_store_sealed(const state_store_t *store);

/* Fold the sealed batch (asserted there is one) into the committed state, with the
 * changelog offsets set since it was sealed, as state_store_commit did a pending batch:
 * contact table, write-back, checkpoint when due, timer queues. The pending batch stays
 * pending and keeps reading on top (a timer of the sealed batch it fired stays fired).
 * Errors as state_store_commit: the sealed batch is dropped then, and the pending one too. */
sy_err_t state_store_commit_sealed(state_store_t *store, char *errbuf, size_t errbuf_size);

/* Drop the pending batch and the sealed one: reads see the last committed state again. */
void state_store_abort(state_store_t *store);

/* Inspection (state_inspect.c, for `switchyard inspect`): reads of committed state
 * across partitions. They scan, so they are for tools, never for the processing path. */

/* Visit every committed instance of contact_id, in every partition that has one (one
 * seek per partition present in the store). visit returns non-zero to stop. */
typedef int state_contact_visit_fn(void *ctx, int32_t partition, const char *journey_id,
                                   const state_instance_t *instance);
sy_err_t state_store_contact_scan(state_store_t *store, const char *contact_id,
                                  state_contact_visit_fn *visit, void *ctx, char *errbuf,
                                  size_t errbuf_size);

/* The lowest partition holding a committed profile of contact_id into *partition.
 * SY_ERR_NOT_FOUND when there is none. */
sy_err_t state_store_profile_partition_find(state_store_t *store, const char *contact_id,
                                            int32_t *partition, char *errbuf,
                                            size_t errbuf_size);

/* The lowest partition holding a committed consent record, else recent event ids, of
 * contact_id into *partition: the state a contact can have without an instance or a
 * profile (an opt-out event of a contact no journey took). SY_ERR_NOT_FOUND when none. */
sy_err_t state_store_consent_partition_find(state_store_t *store, const char *contact_id,
                                            int32_t *partition, char *errbuf,
                                            size_t errbuf_size);

/* Visit every timer of partition in the old timer index (a column family of their own,
 * which only a store written by an older version holds), in due order. visit returns
 * non-zero to stop. */
typedef int state_timer_visit_fn(void *ctx, const state_timer_t *timer);
sy_err_t state_store_timers_scan(state_store_t *store, int32_t partition,
                                 state_timer_visit_fn *visit, void *ctx, char *errbuf,
                                 size_t errbuf_size);

/* The changelog (state_changelog.c): every write of the pending batch, in order, for the
 * runner to produce to topic.changelog in the transaction that commits the batch; and
 * the apply and checkpoint a restore from that topic uses. */

/* A changelog record's first key byte: the column family of the state key that
 * follows. The numbers are on the wire: never change or reuse one. */
typedef enum state_changelog_cf {
    STATE_CHANGELOG_CF_META = 0,      /* per-partition stream time and scan cursors */
    STATE_CHANGELOG_CF_INSTANCES = 1, /* journey instances */
    STATE_CHANGELOG_CF_TIMERS = 2,    /* the timer index */
    STATE_CHANGELOG_CF_PROFILES = 3,  /* profiles */
    STATE_CHANGELOG_CF_EVENT_IDS = 4, /* recent input event ids per contact */
    STATE_CHANGELOG_CF_CONSENT = 5,   /* consent and suppression lists per contact */
    STATE_CHANGELOG_CF_COUNTS = 6,    /* named counts per partition (state_store_count_put) */
    STATE_CHANGELOG_CF_LEASES = 7,    /* tracking-number leases and calls (state_leases.c) */
    STATE_CHANGELOG_CF_ENGAGEMENT = 8, /* engagement memory per contact and channel */
} state_changelog_cf_t;

/* One write: the state key (partition first) and value, both borrowed for the call;
 * value NULL is a delete. Anything but SY_OK stops the walk. */
typedef sy_err_t state_changelog_op_fn(void *ctx, state_changelog_cf_t cf, int32_t partition,
                                       const uint8_t *key, size_t key_len,
                                       const uint8_t *value, size_t value_len);

/* Call fn once for every key the pending batch writes (instances, timers, profiles,
 * stream times), with its final value, in the order of each key's first write: a key
 * put several times gives its last value, a timer added and removed within the batch
 * gives nothing, and a delete is given only for a key that had a committed value.
 * Applying these in order gives the state the batch commits; restore's applies are not
 * included. After state_store_seal it walks the new pending batch (nothing, right after
 * the seal): take a batch's walk before sealing it. A key the sealed batch put and the
 * pending one deletes is given as a delete. Returns what stopped the walk (fn's error),
 * SY_ERR_NOMEM when a write could not be logged (the batch must not commit: abort it),
 * else SY_OK. */
sy_err_t state_store_pending_each(state_store_t *store, state_changelog_op_fn *fn,
                                  void *ctx);

/* Apply one changelog record to the pending batch: a put of value (value NULL: a delete)
 * at key in cf. The bytes are copied. Reads are not guaranteed to see an applied record
 * before state_store_commit: apply a run of records, then commit. Errors:
 * SY_ERR_INVALID_ARG for a record this version cannot read (unknown cf, malformed key or
 * value), SY_ERR_NOMEM, SY_ERR_STATE. */
sy_err_t state_store_changelog_apply(state_store_t *store, state_changelog_cf_t cf,
                                     const uint8_t *key, size_t key_len, const uint8_t *value,
                                     size_t value_len, char *errbuf, size_t errbuf_size);

/* The changelog offset partition's committed state reflects (the offset of the last
 * record in it). SY_ERR_NOT_FOUND when the store has none: the partition is new to it.
 * SY_ERR_STATE on a read error. */
sy_err_t state_store_changelog_offset_get(state_store_t *store, int32_t partition,
                                          int64_t *offset, char *errbuf, size_t errbuf_size);

/* Record in the pending batch that partition's state reflects the changelog up to offset
 * (inclusive); commits with the batch (with the sealed batch when one is sealed: the
 * offsets set since the seal are its own, set once its transaction committed). Local
 * bookkeeping, not a state change: it is not in the op log. SY_ERR_INVALID_ARG for a
 * partition out of range. */
sy_err_t state_store_changelog_offset_set(state_store_t *store, int32_t partition,
                                          int64_t offset);

/* ---- what the store holds and costs: for benchmarks and diagnostics (state_stats.c) ---- */

/* The write-back cache's counters since open; all zero when the store has no cache. */
void state_store_cache_stats_get(const state_store_t *store, state_cache_stats_t *out);

/* Keys and RocksDB SST bytes per column family. */
typedef struct state_store_disk_stats {
    /* keys, counted with an iterator; timers: the old timer index's (0 on a store
     * written by this version, whose timers are kept in their instances) */
    uint64_t instances, timers, profiles;
    uint64_t instances_sst_bytes, timers_sst_bytes, profiles_sst_bytes;
} state_store_disk_stats_t;

/* Flush and compact every column family, so that the SST bytes say what the data takes,
 * then count into *out. Slow (rewrites the store's files, reads every key); committed
 * state only. The service never calls it. SY_ERR_STATE when the flush failed. */
sy_err_t state_store_disk_stats_get(state_store_t *store, state_store_disk_stats_t *out,
                                    char *errbuf, size_t errbuf_size);

#endif
