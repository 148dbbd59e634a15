/* engine_safety.h — consent and suppression, enforced on every send (docs/safety.md): which
 * events, SMS keywords, journey updates and hard bounces change a contact's consent, the
 * suppression lists, and the one gate every send passes. The conf is built from the config
 * options (consent.*, safety.*) and handed to the engine; without one it uses the defaults.
 * Not here: where consent is kept (state_consent.c). */
#ifndef SY_ENGINE_SAFETY_H
#define SY_ENGINE_SAFETY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "engine.h"
#include "records.h"
#include "state_store.h"

/* SMS keywords per list: carriers' lists hold about ten; 16 leaves room. */
#define ENGINE_SAFETY_KEYWORDS_MAX 16
/* Bytes of one keyword, with its terminator: keywords are short single words. */
#define ENGINE_SAFETY_KEYWORD_BYTES 32
/* Suppression lists the config names: each contact's record keeps its memberships of
 * these, so the state's limit is this one. */
#define ENGINE_SAFETY_LISTS_MAX STATE_CONSENT_LISTS_MAX

/* The default keyword lists (the config's defaults say the same). */
#define ENGINE_SAFETY_OPT_OUT_EVENTS_DEFAULT                                             \
    "email.unsubscribed,email.spam_report,sms.opted_out,voice.blocked"
#define ENGINE_SAFETY_STOP_DEFAULT "STOP,UNSUBSCRIBE,CANCEL,END,QUIT,REVOKE,OPTOUT"
#define ENGINE_SAFETY_STOP_ALL_DEFAULT "STOPALL"
#define ENGINE_SAFETY_START_DEFAULT "START,UNSTOP,YES"

typedef struct engine_safety_keywords {
    size_t count;
    char words[ENGINE_SAFETY_KEYWORDS_MAX][ENGINE_SAFETY_KEYWORD_BYTES]; /* upper case */
} engine_safety_keywords_t;

typedef struct engine_safety_list {
    char name[SY_ID_BYTES_MAX + 1];
    int channel; /* an sy_channel_t, or -1: every channel */
} engine_safety_list_t;

/* Frequency cap rules the config holds, and the most sends one rule allows per window:
 * each contact's cap log keeps at most their product (state_store.h). */
#define ENGINE_SAFETY_CAPS_MAX STATE_CONSENT_CAP_RULES_MAX
#define ENGINE_SAFETY_CAP_SENDS_MAX STATE_CONSENT_CAP_SENDS_MAX
_Static_assert(STATE_CONSENT_SENDS_MAX >=
                   2 * ENGINE_SAFETY_CAPS_MAX * ENGINE_SAFETY_CAP_SENDS_MAX,
               "the cap log holds two windows' sends (2N) of every rule");
/* Bytes of an IANA zone name, with its terminator (tz reads names up to 64 bytes). */
#define ENGINE_SAFETY_ZONE_BYTES 65

/* The defaults of the quiet hours' other settings (the config's say the same). */
#define ENGINE_SAFETY_QUIET_SPREAD_MS_DEFAULT INT64_C(3600000)
#define ENGINE_SAFETY_TIMEZONE_ATTR_DEFAULT "timezone"
#define ENGINE_SAFETY_TIMEZONE_DEFAULT "UTC"

/* One frequency cap: at most count_max sends matching channel and category in any
 * window_ms of event time, per contact, across all journeys. */
typedef struct engine_cap_rule {
    char name[SY_ID_BYTES_MAX + 1];
    int channel;       /* an sy_channel_t, or -1: every channel */
    int category;      /* a journey_category_t, or -1: any */
    int count_max;     /* N: 1..ENGINE_SAFETY_CAP_SENDS_MAX */
    int64_t window_ms; /* > 0 */
} engine_cap_rule_t;

/* Quiet hours of one channel, in the contact's local time: minutes of the day, start
 * inclusive, end exclusive; start > end wraps midnight. */
typedef struct engine_quiet_hours {
    bool on;
    int start_minute; /* 0..1439, != end_minute */
    int end_minute;   /* 0..1439 */
} engine_quiet_hours_t;

typedef struct engine_safety_conf {
    /* Events that opt a contact out of their channel's marketing, and of everything. */
    bool opt_out_event[SY_CHANNEL__COUNT][SY_EVENT_TYPE__COUNT];
    bool opt_out_all_event[SY_CHANNEL__COUNT][SY_EVENT_TYPE__COUNT];
    engine_safety_keywords_t stop, stop_all, start; /* whole SMS replies */
    bool bounce_hard_suppress; /* email.bounced with bounce hard suppresses email */
    size_t lists_count;
    engine_safety_list_t lists[ENGINE_SAFETY_LISTS_MAX];
    size_t caps_count; /* frequency caps (safety.caps), in the config's order */
    engine_cap_rule_t caps[ENGINE_SAFETY_CAPS_MAX];
    engine_quiet_hours_t quiet[SY_CHANNEL__COUNT]; /* safety.quiet_hours.<channel> */
    int64_t quiet_spread_ms; /* held sends leave over this long after quiet hours end */
    char timezone_attr[SY_ID_BYTES_MAX + 1]; /* profile attribute naming the contact's zone */
    char timezone_default[ENGINE_SAFETY_ZONE_BYTES]; /* for contacts without one */
    /* safety.fatigue.<channel>: RULE, or CONFIG for none (journeys' fatigue: may set
     * their own); by sy_channel_t. */
    journey_fatigue_t fatigue[SY_CHANNEL__COUNT];
    /* safety.address.<channel>: the profile attribute holding the contact's address on
     * the channel, for best-channel sends; "" for a channel that needs none. */
    char address_attr[SY_CHANNEL__COUNT][SY_ID_BYTES_MAX + 1];
} engine_safety_conf_t;

/* Sends the gate did not let through since the engine opened. */
typedef struct engine_safety_counts {
    uint64_t suppressed; /* opt-outs, hard bounces, suppression lists */
    uint64_t capped;     /* over a cap, skipped or routed (on_capped skip or a node) */
    uint64_t held;       /* held until later: quiet hours, or a cap with on_capped delay */
    uint64_t fatigued;   /* skipped or routed by a fatigue rule */
} engine_safety_counts_t;

/* The defaults: the events email.unsubscribed, email.spam_report, sms.opted_out and
 * voice.blocked; STOP, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT; STOPALL; START,
 * UNSTOP, YES; hard bounces suppress; no suppression lists, no caps, no quiet hours (a
 * spread of an hour, zones from the attribute timezone, else UTC). */
void engine_safety_conf_default(engine_safety_conf_t *conf);

/* Fill conf from the config's consent.* and safety.* options (config borrowed). Errors:
 * SY_ERR_CONFIG with errbuf naming the option and the bad word. */
sy_err_t engine_safety_conf_from_config(engine_safety_conf_t *conf, const sy_config_t *config,
                                        char *errbuf, size_t errbuf_size);

/* Add the suppression lists of text (safety.suppression.lists' syntax: LIST or
 * LIST:CHANNEL, comma-separated) to conf. Errors: SY_ERR_CONFIG, errbuf says why. */
sy_err_t engine_safety_lists_parse(engine_safety_conf_t *conf, const char *text, char *errbuf,
                                   size_t errbuf_size);

/* Add the cap rules of text (safety.caps' syntax: NAME:CHANNEL:CATEGORY:N/WINDOW,
 * comma-separated) to conf. Errors: SY_ERR_CONFIG, errbuf names the rule and its bad
 * part. */
sy_err_t engine_safety_caps_parse(engine_safety_conf_t *conf, const char *text, char *errbuf,
                                  size_t errbuf_size);

/* The default address attributes of best-channel sends (the config's say the same). */
#define ENGINE_SAFETY_ADDRESS_EMAIL "email"
#define ENGINE_SAFETY_ADDRESS_SMS "phone"
#define ENGINE_SAFETY_ADDRESS_PUSH "push_token"
#define ENGINE_SAFETY_ADDRESS_VOICE "phone"

/* Set channel's fatigue rule from text (safety.fatigue.<channel>'s syntax:
 * ignored:N,engaged_elsewhere:D; empty: none). Errors: SY_ERR_CONFIG, errbuf names the
 * bad part. */
sy_err_t engine_safety_fatigue_parse(engine_safety_conf_t *conf, sy_channel_t channel,
                                     const char *text, char *errbuf, size_t errbuf_size);

/* Set channel's quiet hours from text (HH:MM-HH:MM; empty: none). Errors: SY_ERR_CONFIG,
 * errbuf names the bad part. */
sy_err_t engine_safety_quiet_parse(engine_safety_conf_t *conf, sy_channel_t channel,
                                   const char *text, char *errbuf, size_t errbuf_size);

/* Check that conf's quiet_spread_ms fits in the part of the day outside the quiet hours
 * of every channel that has them, so no held send is released inside them. Errors:
 * SY_ERR_CONFIG, errbuf names the channel. Pure. */
sy_err_t engine_safety_quiet_check(const engine_safety_conf_t *conf, char *errbuf,
                                   size_t errbuf_size);

/* Use conf (copied) from the next input on; an engine starts with the defaults. */
void engine_safety_set(engine_t *engine, const engine_safety_conf_t *conf);

/* The sends the gate did not let through since the engine opened, into *out. */
void engine_safety_counts_get(const engine_t *engine, engine_safety_counts_t *out);

/* Quiet hours (engine_quiet.c): the release time of a send at t_ms on a channel with
 * quiet hours q in zone (NULL: UTC), or t_ms when t_ms is outside them. The release is
 * outside them too: their end plus the contact's offset (spread_ms > 0: a 64-bit FNV-1a
 * hash of contact_id, mixed by sy_hash_mix64, modulo spread_ms). Pure. */
int64_t engine_quiet_release(const engine_quiet_hours_t *q, const char *zone,
                             const char *contact_id, int64_t spread_ms, int64_t t_ms);

/* Caps (engine_caps.c): the caps at t_ms for a send on channel of category, given the
 * contact's cap log c: the index of the first rule (config order) that one more send at
 * t_ms would break — some window of it holding t_ms (ending at t_ms, or at a later send
 * of a late event's contact) already holds N sends; a send stamped more than a window
 * before the rule's newest send counts as breaking it — or -1 when none binds.
 * *release_ms (when one binds) is the latest, over the binding rules, of the earliest
 * time each lets the send go; *release_rule the rule that sets it. Pure. */
int engine_caps_binding(const engine_safety_conf_t *conf, const state_consent_t *c,
                        sy_channel_t channel, journey_category_t category, int64_t t_ms,
                        int64_t *release_ms, int *release_rule);

/* Caps: the sends of c that rule counts at t_ms, those in (t_ms - window, t_ms] matching
 * its channel and category. Pure. */
int engine_caps_count(const engine_cap_rule_t *rule, const state_consent_t *c, int64_t t_ms);

/* Caps: record a send at t_ms in c's cap log, keeping only what some rule may still
 * count (an entry goes when, for every rule it matches, it is more than two windows older
 * than the rule's newest send). False when no rule counts the send (c unchanged). */
bool engine_caps_record(const engine_safety_conf_t *conf, state_consent_t *c,
                        sy_channel_t channel, journey_category_t category, int64_t t_ms);

/* The SMS keyword list a reply's text (borrowed) matches, trimmed and case-insensitively:
 * 1 stop, 2 stop all, 3 start, 0 none. Pure. */
int engine_safety_keyword(const engine_safety_conf_t *conf, const char *text);

#endif
