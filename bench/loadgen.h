/* loadgen.h — the load generator's population: contacts "c-<n>" arrive at a rate in event
 * time, each with a profile update, entry events for the loaded journeys, background
 * events (app opens, purchases) and, in open loop, the engagement a simulated provider
 * reports for each journey's first send. Streams in event-time order from a bounded heap
 * of in-flight contacts; deterministic for a seed. Not a Kafka client and not a file
 * writer: loadgen_main.c and loadgen_kafka.c send the items out (docs/loadgen.md). */
#ifndef SY_LOADGEN_H
#define SY_LOADGEN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "channel_sim.h"
#include "codec.h"
#include "journey.h"
#include "records.h"
#include "recording.h"
#include "sy_error.h"

/* Journeys the generator feeds at once: the share table and a contact's plan are sized by
 * it; a benchmark mix has a handful (the four coffee journeys and a few more). */
#define LOADGEN_JOURNEYS_MAX 32
/* Background events of one kind per contact (app opens, purchases): a plan holds them all. */
#define LOADGEN_BACKGROUND_MAX 16
/* Planned records of one contact: a profile update, per journey an entry, the provider's
 * answers and a reaction, and the background events. */
#define LOADGEN_PLAN_MAX (1 + LOADGEN_JOURNEYS_MAX * (2 + CHANNEL_SIM_EVENTS_MAX) + \
                          2 * LOADGEN_BACKGROUND_MAX)
/* Contacts in flight at once (arrived, with records still to come): 16 bytes each, so
 * 64 MB at most. It bounds arrival rate x horizon (docs/loadgen.md); memory does not
 * grow with the contact count. */
#define LOADGEN_INFLIGHT_MAX 4000000
/* Longest key=value line of a rates file, and the longest key. */
#define LOADGEN_RATES_LINE_MAX 512

/* Behaviour: the channel providers' profiles (channel_sim.h) and the population's shares
 * and background activity. Every field is a key of loadgen_rates_set(). */
typedef struct loadgen_rates {
    channel_sim_profile_t channels[SY_CHANNEL__COUNT];
    size_t shares_count;
    struct {
        char journey_id[SY_ID_BYTES_MAX + 1];
        double share; /* probability that a contact enters this journey */
    } shares[LOADGEN_JOURNEYS_MAX];
    double share_default;        /* for journeys without a share of their own */
    double app_opens;            /* mean custom.app_open events per contact */
    double purchases;            /* mean custom.purchase events per contact */
    int64_t background_horizon_ms; /* background events fall in [arrival, + this) */
    double survey_completed;     /* custom.survey_completed given an SMS click */
    double offer_claimed;        /* custom.offer_claimed given a push click */
    int64_t send_delay_ms;       /* open loop: entry -> the send the answers are for */
} loadgen_rates_t;

/* The defaults: channel_sim_init's channel profiles and the shares of the four coffee
 * journeys (docs/loadgen.md has the table). */
void loadgen_rates_init(loadgen_rates_t *rates);

/* Set one rate: "email.opened=0.3", "share.coffee_sms_feedback=0.5", "background.app_opens=1"
 * (docs/loadgen.md lists the keys). text is borrowed. Errors: SY_ERR_INVALID_ARG for an
 * unknown key, a malformed or out-of-range value (errbuf says which); rates is unchanged
 * then. */
sy_err_t loadgen_rates_set(loadgen_rates_t *rates, const char *text, char *errbuf,
                           size_t errbuf_size);

/* Apply every "key=value" line of path ('#' starts a comment, blank lines are skipped).
 * Errors: SY_ERR_IO, and loadgen_rates_set's with "PATH:LINE: " before the message. */
sy_err_t loadgen_rates_load(loadgen_rates_t *rates, const char *path, char *errbuf,
                            size_t errbuf_size);

/* Check the whole table: reached + failures <= 1 per channel. SY_ERR_INVALID_ARG. */
sy_err_t loadgen_rates_check(const loadgen_rates_t *rates, char *errbuf, size_t errbuf_size);

/* Write every key with its value and meaning, as a rates file loadgen_rates_load reads. */
void loadgen_rates_print(const loadgen_rates_t *rates, FILE *out);

/* The share of journey_id (its own, or share_default). */
double loadgen_rates_share(const loadgen_rates_t *rates, const char *journey_id);

/* What the recipient of action does under these rates: channel_sim_respond with rates'
 * channel profiles and seed. out holds CHANNEL_SIM_EVENTS_MAX events. */
size_t loadgen_rates_respond(const loadgen_rates_t *rates, uint64_t seed,
                             const sy_action_t *action, channel_sim_event_t *out);

typedef struct loadgen_conf {
    uint64_t seed;
    uint64_t contacts;             /* c-1 .. c-<contacts> */
    double arrival_rate;           /* contacts per second of event time, > 0 */
    int64_t start_ms;              /* event time of c-1's arrival (epoch ms) */
    const journey_set_t *journeys; /* borrowed for the generator's life; NULL: none */
    const loadgen_rates_t *rates;  /* copied by loadgen_open */
    bool answers;                  /* open loop: emit the providers' answers */
    bool profiles;                 /* emit each contact's profile update */
    size_t inflight_max;           /* 0: LOADGEN_INFLIGHT_MAX */
} loadgen_conf_t;

/* Arrival time of contact index (0-based): start + floor(index * 1000 / rate) ms. */
int64_t loadgen_arrival_ms(const loadgen_conf_t *conf, uint64_t index);

typedef enum loadgen_origin {
    LOADGEN_PROFILE,    /* a profile update */
    LOADGEN_ENTRY,      /* a journey's entry event */
    LOADGEN_ANSWER,     /* a provider's report on a send (open loop) */
    LOADGEN_REACTION,   /* survey_completed / offer_claimed after a click */
    LOADGEN_BACKGROUND, /* app_open, purchase */
    LOADGEN_ORIGIN__COUNT
} loadgen_origin_t;

const char *loadgen_origin_name(loadgen_origin_t origin);

/* One record to send. Strings and the profile are borrowed from the generator until the
 * next loadgen_next or loadgen_close. */
typedef struct loadgen_item {
    loadgen_origin_t origin;
    const char *contact_id;
    int64_t time_ms;                      /* event time */
    const sy_event_t *event;              /* all but LOADGEN_PROFILE */
    const sy_profile_update_t *profile;   /* LOADGEN_PROFILE */
} loadgen_item_t;

typedef struct loadgen_stats {
    uint64_t contacts;                   /* arrived so far */
    uint64_t items[LOADGEN_ORIGIN__COUNT];
    size_t inflight, inflight_peak;      /* contacts in the heap, now and at most */
    size_t inflight_capacity;            /* the heap's size, fixed at open */
} loadgen_stats_t;

typedef struct loadgen loadgen_t;

/* Check conf (a journey set of at most LOADGEN_JOURNEYS_MAX; arrival rate x the longest
 * span of a contact's records within inflight_max) and allocate the in-flight heap once.
 * *out is set only on success. Errors: SY_ERR_INVALID_ARG (errbuf says what to change),
 * SY_ERR_LIMIT, SY_ERR_NOMEM. */
sy_err_t loadgen_open(loadgen_t **out, const loadgen_conf_t *conf, char *errbuf,
                      size_t errbuf_size);

/* The next record in event-time order (ties: lower contact, then plan order). Returns
 * false when every contact has arrived and every record was taken. */
bool loadgen_next(loadgen_t *gen, loadgen_item_t *out);

/* A lower bound of the next record's event time (its time, or the next arrival when a
 * contact is yet to come); INT64_MAX when none is left. */
int64_t loadgen_peek_ms(const loadgen_t *gen);

void loadgen_stats_get(const loadgen_t *gen, loadgen_stats_t *out);

/* loadgen_close(NULL) is a no-op. */
void loadgen_close(loadgen_t *gen);

/* Encode item as its wire frame (EngagementEvent or ProfileUpdate) on codec: *frame is
 * the codec's until its next encode. Errors: the codec's (a record over the limits). */
sy_err_t loadgen_encode(codec_t *codec, const loadgen_item_t *item, const void **frame,
                        size_t *frame_len, char *errbuf, size_t errbuf_size);

/* Partitions of a recording's topics: Kafka topics of a benchmark have dozens; the offset
 * table is sized by it. */
#define LOADGEN_PARTITIONS_MAX 4096

typedef struct loadgen_record_conf {
    const char *path;           /* the recording file, created or truncated; borrowed */
    recording_codec_t codec;
    const char *events_topic;   /* borrowed */
    const char *profiles_topic; /* borrowed */
    int32_t partitions;         /* 1..LOADGEN_PARTITIONS_MAX */
} loadgen_record_conf_t;

/* Write every record of gen into a recording file: key = contact id, partition = Kafka's
 * murmur2 of it (simulate_partition), offsets counted per topic and partition from 0,
 * timestamp = event time. *records is how many were written. The file is complete only on
 * SY_OK. Errors: SY_ERR_INVALID_ARG (partitions), recording_writer_*'s, the codec's. */
sy_err_t loadgen_record(loadgen_t *gen, const loadgen_record_conf_t *conf, uint64_t *records,
                        char *errbuf, size_t errbuf_size);

#endif
