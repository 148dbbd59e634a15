/* expr.h — the journeys' expression language: a small typed language over a contact's
 * profile attributes, the triggering event's fields, the outcomes seen at the current node,
 * and time. Compiled once when a journey loads (where every type error is found);
 * evaluated without allocating and without run-time errors. Also the `{{...}}` templates
 * of send parameters, which use the same variables. docs/journeys.md is the reference. */
#ifndef SY_EXPR_H
#define SY_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event_match.h"
#include "records.h"
#include "sy_error.h"

/* Longest expression or template text, and most operations in one compiled expression:
 * journey conditions are one-liners; these bound the compiled size. */
#define EXPR_TEXT_BYTES_MAX 4096
#define EXPR_OPS_MAX 256
/* Deepest evaluation stack: nesting of parentheses and operators. */
#define EXPR_STACK_MAX 64
/* Bytes one rendered template may produce. */
#define EXPR_RENDER_BYTES_MAX 4096

typedef enum expr_type {
    EXPR_TYPE_BOOL,
    EXPR_TYPE_NUMBER,   /* double */
    EXPR_TYPE_STRING,
    EXPR_TYPE_DURATION, /* milliseconds; literals 90s, 24h, 7d */
    EXPR_TYPE_TIME,     /* Unix epoch milliseconds */
} expr_type_t;

/* A contact attribute a journey declares in its `profile:` section. Expressions and
 * templates may use contact.<name> only for declared names; a contact without the
 * attribute (or with a value of another type) reads as the default. */
typedef struct expr_attr {
    char *name;        /* owned by the journey */
    expr_type_t type;  /* BOOL, NUMBER, STRING or TIME */
    bool has_default;
    sy_value_t default_value; /* string default owned by the journey */
} expr_attr_t;

/* A contact's profile as read from state: attributes sorted by name (strcmp), strings
 * borrowed from whoever filled it. */
typedef struct expr_profile {
    size_t count;
    const sy_attr_t *attrs;
} expr_profile_t;

typedef struct expr expr_t;

/* What an expression may refer to where it is compiled. */
typedef struct expr_scope {
    const expr_attr_t *attrs; /* declared contact attributes */
    size_t attrs_count;
    bool has_event; /* event.* is defined here (entry, goal, exit, branch path, wait event) */
    /* seen(channel.type) and seen(channel.type, condition) in a branch: returns the bit of
     * (match, condition) in the branch's watch list (adding it), or -1 when the list is
     * full. filter is NULL for the plain form; otherwise the compiled condition, which the
     * callee owns from the call on (it frees it when the pair already has a bit, or on
     * -1), and filter_text[0..filter_len) its text as written, which identifies it.
     * NULL where seen() is not allowed. */
    int (*watch)(void *ctx, const journey_event_match_t *match, expr_t *filter,
                 const char *filter_text, size_t filter_len);
    void *watch_ctx;
    /* Set to true when an expression uses has_flag(): the profile must be read even if no
     * attribute is declared. May be NULL. */
    bool *reads_flags;
    bool has_action; /* action.* is defined here (a send's params) */
} expr_scope_t;

/* The engagement memory's variables, contact.engagement.<channel>.<field>
 * (docs/expressions.md#engagement): a measure at each horizon (7, 30 and 90 days:
 * field = measure * EXPR_ENGAGEMENT_HORIZONS + horizon), then the times and the streak. */
#define EXPR_ENGAGEMENT_HORIZONS 3
typedef enum expr_engagement_field {
    EXPR_ENGAGEMENT_RATE = 0,       /* engagement_rate_7d, _30d, _90d: number */
    EXPR_ENGAGEMENT_OPEN_RATE = 3,  /* open_rate_7d, ...: number */
    EXPR_ENGAGEMENT_CLICK_RATE = 6, /* click_rate_7d, ...: number */
    EXPR_ENGAGEMENT_SENDS = 9,      /* sends_7d, ...: number, never absent */
    EXPR_ENGAGEMENT_ENGAGED_AT = 12, /* time */
    EXPR_ENGAGEMENT_SENT_AT,         /* time */
    EXPR_ENGAGEMENT_DELIVERED_AT,    /* time */
    EXPR_ENGAGEMENT_IGNORED_STREAK,  /* number, never absent */
    EXPR_ENGAGEMENT__COUNT
} expr_engagement_field_t;

/* One engagement value: a number (n) or a time (ms), or absent. */
typedef struct expr_engagement_value {
    bool absent;
    double n;
    int64_t ms;
} expr_engagement_value_t;

/* Reads one engagement variable of the contact at now_ms into *out. */
typedef void expr_engagement_fn(void *ctx, sy_channel_t channel,
                                expr_engagement_field_t field, int64_t now_ms,
                                expr_engagement_value_t *out);

/* Everything an evaluation reads. Borrowed for the call. */
typedef struct expr_env {
    const sy_event_t *event;      /* NULL when a timer caused the evaluation */
    const expr_profile_t *profile; /* never NULL; may be empty */
    uint32_t seen_mask;           /* watch bits seen at the current node */
    int64_t now_ms;               /* the event's time, or the timer's due time */
    int64_t entered_at_ms;        /* when the contact entered the journey */
    uint32_t entries;             /* times the contact entered this journey, this one included */
    /* The contact's engagement memory; NULL: rates and times read absent, sends and the
     * streak 0. */
    expr_engagement_fn *engagement;
    void *engagement_ctx;
    const char *call_link; /* action.call_link, or NULL: absent */
} expr_env_t;

/* Compile text to an expression of type want (usually EXPR_TYPE_BOOL). On error errbuf
 * reads "column C: problem" (C 1-based within text) and *column holds C, so a journey
 * loader can add file and line. Errors: SY_ERR_JOURNEY, SY_ERR_LIMIT, SY_ERR_NOMEM.
 * text and scope are borrowed for the call; *out is owned by the caller. */
sy_err_t expr_compile(expr_t **out, const char *text, const expr_scope_t *scope,
                      expr_type_t want, int *column, char *errbuf, size_t errbuf_size);

void expr_free(expr_t *expr); /* NULL is a no-op */

/* Evaluate a BOOL expression. Never fails: absent event fields compare unequal to
 * anything, absent attributes read as their declared default. Allocates nothing. */
bool expr_eval_bool(const expr_t *expr, const expr_env_t *env);

/* Whether expr reads the contact's profile (a contact.* variable or has_flag()). One that
 * does not evaluates alike with an empty profile, so the caller need not read it. */
bool expr_reads_profile(const expr_t *expr);

/* A template: text with {{variable}} and {{variable | "default"}} holes. Every hole's
 * variable must be defined in scope and must have a default — declared for contact
 * attributes, or written after `|` — unless it is always present (event.event_id,
 * event.contact_id, event.time). */
typedef struct expr_template expr_template_t;

sy_err_t expr_template_compile(expr_template_t **out, const char *text,
                               const expr_scope_t *scope, int *column, char *errbuf,
                               size_t errbuf_size);

void expr_template_free(expr_template_t *tmpl); /* NULL is a no-op */

/* True when the template has no holes (its text is the value). */
bool expr_template_is_literal(const expr_template_t *tmpl);

/* Render into buf (NUL-terminated, truncated to size). Returns the full length the
 * rendering needs; a return >= size means it was truncated. Allocates nothing. */
size_t expr_template_render(const expr_template_t *tmpl, const expr_env_t *env, char *buf,
                            size_t size);

#endif
