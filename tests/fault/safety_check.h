/* safety_check.h — the properties the safety fault run asserts, each computed from the
 * input (safety_workload.h) and the config alone, never from the engine's reasons: no
 * marketing action on a channel while the contact is opted out of it (by event time), no
 * action at all after STOPALL until START; no marketing SMS or call inside quiet hours in
 * the contact's local time (libc's zone rules); no cap exceeded in any window; no action
 * id twice, neither one send made twice nor two sends sharing an id. The action's time
 * is its not_before. Not the comparison with simulate (fault_common.h). */
#ifndef SAFETY_CHECK_H
#define SAFETY_CHECK_H

#include "safety_workload.h"

#define SAFETY_CAP_RULES_MAX 16
#define SAFETY_NAME_BYTES 64

typedef struct safety_action {
    int contact;
    char channel[16];
    char journey[SAFETY_NAME_BYTES];
    char node[SAFETY_NAME_BYTES];
    long long at_ms; /* not_before */
    char id[FAULT_ID_BYTES];
} safety_action_t;

typedef struct safety_actions {
    safety_action_t *items; /* owned */
    size_t count, cap;
} safety_actions_t;

/* A cap rule as safety.caps writes it: NAME:CHANNEL:CATEGORY:N/WINDOW. */
typedef struct safety_cap {
    char name[SAFETY_NAME_BYTES];
    char channel[16];  /* a channel or "all" */
    char category[16]; /* marketing, transactional or any */
    long max;
    long long window_ms;
} safety_cap_t;

/* Quiet hours of one channel: local minutes of the day, start inclusive, end exclusive,
 * wrapping midnight when start > end. */
typedef struct safety_quiet {
    char channel[16];
    int start_min, end_min;
} safety_quiet_t;

typedef struct safety_rules {
    size_t caps_count;
    safety_cap_t caps[SAFETY_CAP_RULES_MAX];
    size_t quiet_count;
    safety_quiet_t quiet[4];
} safety_rules_t;

typedef struct safety_report {
    long checked;         /* actions looked at */
    long marketing;       /* of them marketing */
    long after_opt_out;   /* actions consent forbade at their time */
    long quiet_checked;   /* marketing actions on a channel with quiet hours */
    long quiet_after_dst; /* of them at a UTC offset their zone did not have at the start */
    long in_quiet_hours;  /* marketing actions inside their channel's quiet hours */
    long over_cap;        /* windows holding more sends than a rule allows */
    long duplicate_ids;   /* one send twice: an action id again at the same time */
    long shared_ids;      /* another send with an earlier send's action id */
} safety_report_t;

/* Parse safety.caps' value into rules (appending). Asserts it is well formed. */
void safety_rules_caps(safety_rules_t *rules, const char *caps);
/* Add quiet hours "HH:MM-HH:MM" of channel. Asserts it is well formed. */
void safety_rules_quiet(safety_rules_t *rules, const char *channel, const char *hours);

/* Record one output line (codec_to_json or simulate's JSON); non-actions are ignored. */
void safety_actions_add_json(safety_actions_t *a, const char *json);
/* Read the action topics of svc (every channel) with read_committed into a. Asserts. */
void safety_actions_read(const service_t *svc, safety_actions_t *a);
void safety_actions_free(safety_actions_t *a);

/* 1 for a marketing send, 0 for a transactional one: the journeys in
 * tests/fault/journeys_safety mark their receipts transactional. */
int safety_is_marketing(const safety_action_t *action);

/* Check a's actions against w and rules (sorts a); prints the first violations and the
 * counts into *r. */
void safety_check(const safety_workload_t *w, const safety_rules_t *rules, safety_actions_t *a,
                  safety_report_t *r);

#endif
