/* safety_workload.h — the input of the safety fault run (test_safety.c): contacts in five
 * time zones (profiles first), sign-ups, orders and browsing from 2026-03-05 to 04-02 (the
 * US and EU daylight-saving changes fall inside), opt-outs of several kinds mid-journey
 * and opt-ins after some, events delivered two or three times with the same event_id;
 * and each contact's consent over time as docs/safety.md defines it, computed here from
 * the input alone. Deterministic (a fixed seed). Not the checks (safety_check.h). */
#ifndef SAFETY_WORKLOAD_H
#define SAFETY_WORKLOAD_H

#include "fault_common.h"

#define SAFETY_CONTACTS 400
#define SAFETY_T0_MS 1772668800000LL  /* 2026-03-05T00:00:00Z */
#define SAFETY_END_MS 1775088000000LL /* 2026-04-02T00:00:00Z: every contact's last event */
#define SAFETY_DAY_MS 86400000LL
/* Consent changes of one contact: the workload makes at most four. */
#define SAFETY_CHANGES_MAX 8

/* One change of consent: on `channel` ("sms", "email", "voice") or on "all". */
typedef struct safety_change {
    long long at_ms;
    const char *channel; /* static */
    int opted_out;       /* 1 out, 0 back in */
} safety_change_t;

typedef struct safety_contact {
    const char *zone; /* IANA name, as in the profile; static */
    int changes_count;
    safety_change_t changes[SAFETY_CHANGES_MAX]; /* in time order */
} safety_contact_t;

typedef struct safety_workload {
    fault_workload_t file; /* dir/events.jsonl; lines: its event lines, in file order */
    long profiles;         /* profile lines, all before the first event */
    long duplicates;       /* extra copies of events */
    long opt_outs, opt_ins;
    safety_contact_t contacts[SAFETY_CONTACTS];
} safety_workload_t;

/* Write dir/events.jsonl and fill w (owned; free with safety_workload_free). Contact i is
 * "c%04d". Asserts. */
void safety_workload_write(safety_workload_t *w, const char *dir);
void safety_workload_free(safety_workload_t *w);

/* 1 when consent lets contact c get a message on channel at at_ms: a marketing message
 * when neither the channel nor everything is opted out at that instant, a transactional
 * one when everything is not. */
int safety_consent_allows(const safety_contact_t *c, const char *channel, int marketing,
                          long long at_ms);

#endif
