/* engine_calls.h — call tracking (docs/call_tracking.md): the number pools and conversion
 * rules of the config, leasing a pool's number to a send, attributing an inbound call to
 * the lease live at its time, and the conversions rules find in attributed calls. The
 * leases themselves are kept by the state store (state_leases.c); the HTTP side (Twilio
 * callbacks, click redirects) is ingest's, which hands calls in as call.inbound events. */
#ifndef SY_ENGINE_CALLS_H
#define SY_ENGINE_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "journey.h"
#include "journey_conversion.h"
#include "state_store.h"
#include "sy_error.h"
#include "sy_phone.h"

/* Pools a config names; numbers one pool holds (each send reads the leases of its
 * partition's share, so a pool stays in the thousands); conversion rules of the config
 * and of one journey (a call keeps a bit per rule that converted it, 32 in all: the
 * config's first, then those of the journey it is attributed to); phrases per rule. */
#define ENGINE_CALLS_POOLS_MAX 16
#define ENGINE_CALLS_POOL_NUMBERS_MAX 10000
#define ENGINE_CALLS_RULES_MAX 24
#define ENGINE_CALLS_PHRASES_MAX JOURNEY_CONVERSION_PHRASES_MAX
/* How long calls and ended leases are kept by default (the calls document's `retention`),
 * and how many records one sweep looks at: a sweep follows each call callback and each
 * lease, which write one or two records, so the sweep outpaces the writes. */
#define ENGINE_CALLS_RETENTION_MS_DEFAULT (90LL * 24 * 3600 * 1000)
#define ENGINE_CALLS_SWEEP_RECORDS 16
_Static_assert(ENGINE_CALLS_RULES_MAX + JOURNEY_CONVERSIONS_MAX <= 32,
               "a call's converted_mask has a bit per rule");
/* click_base_url, with its terminator: a host and a short path prefix. */
#define ENGINE_CALLS_CLICK_BASE_BYTES 257

/* The key (and contact id) of a call.inbound event ingest produces for a call to a
 * tracking number: this prefix and the called number in E.164. */
#define ENGINE_CALLS_KEY_PREFIX "call:"

typedef struct engine_calls_pool {
    char name[STATE_LEASE_POOL_BYTES];
    size_t numbers_count;
    char (*numbers)[SY_PHONE_E164_BYTES]; /* owned, in the config's order */
    int64_t lease_ms;                     /* how long a lease lasts, > 0 */
    char fallback[SY_PHONE_E164_BYTES];   /* sent when the pool's share is exhausted */
    char *area_code_attr; /* owned; NULL: no area-code preference */
} engine_calls_pool_t;

/* A conversion rule: the config's or a journey's, one shape (journey_conversion.h). */
typedef journey_conversion_t engine_calls_rule_t;

typedef struct engine_calls_conf {
    int64_t retention_ms; /* a call is gone this long after it started, a lease this long
                           * after it ended (> 0) */
    /* Where ingest's GET /c/<token> is reached from outside ("https://go.example.com",
     * no trailing '/'); "": none, and action.call_link is absent. */
    char click_base_url[ENGINE_CALLS_CLICK_BASE_BYTES];
    size_t pools_count;
    engine_calls_pool_t pools[ENGINE_CALLS_POOLS_MAX];
    size_t rules_count;
    engine_calls_rule_t rules[ENGINE_CALLS_RULES_MAX];
} engine_calls_conf_t;

/* What call tracking did since the engine opened. */
typedef struct engine_calls_counts {
    uint64_t leased;       /* sends that got a number of their pool */
    uint64_t fallback;     /* sends that got the fallback number: the share was exhausted */
    uint64_t attributed;   /* calls attributed to a lease live at their time */
    uint64_t unattributed; /* calls to an expired or never-leased number */
    uint64_t conversions;  /* conversion records written */
    uint64_t swept;        /* calls and ended leases deleted past the retention */
} engine_calls_counts_t;

/* Parse the calls document text (YAML or JSON: `pools:` and `conversions:`, see
 * docs/call_tracking.md) into *conf (zeroed first; free with engine_calls_conf_free even
 * on error). source names it in errors: "SOURCE:LINE:COLUMN: problem". Errors:
 * SY_ERR_CONFIG, SY_ERR_NOMEM. */
sy_err_t engine_calls_conf_parse(engine_calls_conf_t *conf, const char *text, size_t len,
                                 const char *source, char *errbuf, size_t errbuf_size);

/* Read and parse the file at path, as engine_calls_conf_parse. */
sy_err_t engine_calls_conf_load(engine_calls_conf_t *conf, const char *path, char *errbuf,
                                size_t errbuf_size);

/* Free what conf owns; the struct itself is the caller's. NULL is a no-op. */
void engine_calls_conf_free(engine_calls_conf_t *conf);

/* The pool named name, or NULL. */
const engine_calls_pool_t *engine_calls_pool_find(const engine_calls_conf_t *conf,
                                                  const char *name);

/* Check that every send's tracking pool in journeys is one of conf's (conf NULL: none
 * is), and that no journey's conversion rule has the name of one of conf's. Errors:
 * SY_ERR_CONFIG naming the file, line and column, the journey, and the node and pool or
 * the rule. */
sy_err_t engine_calls_journeys_check(const engine_calls_conf_t *conf,
                                     const journey_set_t *journeys, char *errbuf,
                                     size_t errbuf_size);

/* The partition that owns number's leases among partitions: where the Kafka producer's
 * partitioner (murmur2) puts the key ENGINE_CALLS_KEY_PREFIX + number, so the calls to
 * it arrive where its leases are kept. */
int32_t engine_calls_owner(const char *number, int32_t partitions);

/* Use conf (borrowed, outliving its use; NULL: no call tracking) with partitions input
 * partitions from the next input on. An engine starts without. */
void engine_calls_set(engine_t *engine, const engine_calls_conf_t *conf, int32_t partitions);

void engine_calls_counts_get(const engine_t *engine, engine_calls_counts_t *out);

/* Is a record of time_ms (a call's start, a lease's end) past conf's retention at t_ms?
 * Such a record counts as gone whether or not a sweep deleted it yet, so what the engine
 * does never depends on when sweeps ran. */
bool engine_calls_expired(const engine_calls_conf_t *conf, int64_t time_ms, int64_t t_ms);

/* What a rule says of a call so far. */
typedef enum engine_calls_verdict {
    ENGINE_CALLS_WAIT,  /* something it reads has not arrived yet */
    ENGINE_CALLS_NO,    /* it cannot hold for this call */
    ENGINE_CALLS_YES,   /* it holds */
} engine_calls_verdict_t;

/* Evaluate rule on call (borrowed): duration, transcript phrases (case-insensitive, as
 * words), outcome; caller is the contact's caller_attr value (NULL when the rule has
 * none or the contact lacks it, which fails a rule that needs it). Pure. */
engine_calls_verdict_t engine_calls_rule_eval(const engine_calls_rule_t *rule,
                                              const state_call_t *call, const char *caller);

#endif
