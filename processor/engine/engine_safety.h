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

typedef struct engine_safety_conf {
    /* Events that opt a contact out of their channel's marketing, and of everything. */
    bool opt_out_event[SY_CHANNEL__COUNT][SY_EVENT_TYPE__COUNT];
    bool opt_out_all_event[SY_CHANNEL__COUNT][SY_EVENT_TYPE__COUNT];
    engine_safety_keywords_t stop, stop_all, start; /* whole SMS replies */
    bool bounce_hard_suppress; /* email.bounced with bounce hard suppresses email */
    size_t lists_count;
    engine_safety_list_t lists[ENGINE_SAFETY_LISTS_MAX];
} engine_safety_conf_t;

/* The defaults: the events email.unsubscribed, email.spam_report, sms.opted_out and
 * voice.blocked; STOP, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT; STOPALL; START,
 * UNSTOP, YES; hard bounces suppress; no suppression lists. */
void engine_safety_conf_default(engine_safety_conf_t *conf);

/* Fill conf from the config's consent.* and safety.* options (config borrowed). Errors:
 * SY_ERR_CONFIG with errbuf naming the option and the bad word. */
sy_err_t engine_safety_conf_from_config(engine_safety_conf_t *conf, const sy_config_t *config,
                                        char *errbuf, size_t errbuf_size);

/* Add the suppression lists of text (safety.suppression.lists' syntax: LIST or
 * LIST:CHANNEL, comma-separated) to conf. Errors: SY_ERR_CONFIG, errbuf says why. */
sy_err_t engine_safety_lists_parse(engine_safety_conf_t *conf, const char *text, char *errbuf,
                                   size_t errbuf_size);

/* Use conf (copied) from the next input on; an engine starts with the defaults. */
void engine_safety_set(engine_t *engine, const engine_safety_conf_t *conf);

/* Sends the gate stopped since the engine opened (suppressed: opt-outs, bounces, lists). */
uint64_t engine_safety_suppressed_count(const engine_t *engine);

/* The SMS keyword list a reply's text (borrowed) matches, trimmed and case-insensitively:
 * 1 stop, 2 stop all, 3 start, 0 none. Pure. */
int engine_safety_keyword(const engine_safety_conf_t *conf, const char *text);

#endif
