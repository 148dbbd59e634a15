/* bench_timers_promo.c — the timer index as the service uses it on the email promo: contact
 * i enters at i × 500 ms and sets a timer 24 h later, which sets the next one at 72 h when
 * it fires (the instance keeps its live timer, as the engine's does); an app open ten days
 * after entry ends each contact. Events go in time order; before each, its partition fires every
 * timer due before the event's time (as engine_advance_stream_time does), and a batch
 * commits every 10,000 events. Every timer falls due a few per batch while the fired ones
 * pile up: the cost per event should not grow with N. Store calls only, no engine. */
#include "bench_timers_promo.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"
#include "state_store.h"

#define PROMO_BATCH_EVENTS 10000
#define PROMO_PARTITIONS 4
#define PROMO_STEP_MS 500LL
#define PROMO_HOUR_MS 3600000LL
#define PROMO_BASE_MS 1795305600000LL /* 2026-11-22T00:00:00Z: any fixed time */

typedef struct promo_run {
    size_t contacts, events, fired;
    double cpu_s, wall_s;
    char errbuf[512];
} promo_run_t;

/* Timer t (or, when armed is 0, none) as its contact's live one: its instance keeps it,
 * the store queues it. */
static int promo_arm(state_store_t *store, const state_timer_t *t, int armed) {
    state_instance_t in = {.status = STATE_INSTANCE_ACTIVE, .node = t->node,
                           .journey_version = 1, .occurrence = 1,
                           .entered_at_ms = t->node_entered_at_ms,
                           .node_entered_at_ms = t->node_entered_at_ms,
                           .timer = armed ? STATE_INSTANCE_TIMER_ARMED
                                          : STATE_INSTANCE_TIMER_NONE,
                           .timer_due_ms = armed ? t->due_ms : 0};
    return state_store_instance_put(store, t->partition, t->contact_id, t->journey_id,
                                    &in) == SY_OK &&
           (!armed || state_store_timer_add(store, t) == SY_OK);
}

/* One event at at_ms on contact i's partition: fire what is due (a 24 h timer sets the
 * 72 h one), then an entry sets the contact's first timer. */
static int promo_event(state_store_t *store, promo_run_t *r, size_t i, int64_t at_ms,
                       int entry) {
    state_timer_t t;
    sy_err_t err;
    int32_t p = (int32_t)(i % PROMO_PARTITIONS);
    while ((err = state_store_timer_next(store, p, at_ms - 1, &t, r->errbuf,
                                         sizeof r->errbuf)) == SY_OK) {
        int first = t.due_ms - t.node_entered_at_ms == 24 * PROMO_HOUR_MS;
        if (state_store_timer_remove(store, &t) != SY_OK)
            return 0;
        t.due_ms = t.node_entered_at_ms + 72 * PROMO_HOUR_MS;
        if (!promo_arm(store, &t, first))
            return 0;
        r->fired++;
    }
    if (err != SY_ERR_NOT_FOUND)
        return 0;
    if (entry) {
        memset(&t, 0, sizeof t);
        t.partition = p;
        t.node = 1;
        t.node_entered_at_ms = at_ms;
        t.due_ms = at_ms + 24 * PROMO_HOUR_MS;
        snprintf(t.journey_id, sizeof t.journey_id, "coffee_email_promo");
        snprintf(t.contact_id, sizeof t.contact_id, "c%zu", i);
        if (!promo_arm(store, &t, 1))
            return 0;
    }
    r->events++;
    return r->events % PROMO_BATCH_EVENTS ||
           state_store_commit(store, r->errbuf, sizeof r->errbuf) == SY_OK;
}

/* Entries and app opens (240 h after entry, 3 ms off so no two share a time) merged. */
static int promo_drive(state_store_t *store, promo_run_t *r) {
    size_t next_entry = 0, next_open = 0, n = r->contacts;
    const int64_t open_ms = 240 * PROMO_HOUR_MS + 3;
    while (next_open < n) {
        int64_t entry_at = PROMO_BASE_MS + (int64_t)next_entry * PROMO_STEP_MS;
        int64_t open_at = PROMO_BASE_MS + open_ms + (int64_t)next_open * PROMO_STEP_MS;
        int ok = next_entry < n && entry_at < open_at
                     ? promo_event(store, r, next_entry++, entry_at, 1)
                     : promo_event(store, r, next_open++, open_at, 0);
        if (!ok)
            return 0;
    }
    return state_store_commit(store, r->errbuf, sizeof r->errbuf) == SY_OK;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int promo_row(promo_run_t *r) {
    char dir[] = "/tmp/switchyard-bench-promo-XXXXXX";
    state_store_t *store = NULL;
    if (!mkdtemp(dir))
        return 0;
    int ok = state_store_open(&store, dir, false, 0, r->errbuf, sizeof r->errbuf) == SY_OK;
    double cpu = bench_cpu_seconds_now(), wall = bench_seconds_now();
    ok = ok && promo_drive(store, r);
    r->cpu_s = bench_cpu_seconds_now() - cpu;
    r->wall_s = bench_seconds_now() - wall;
    state_store_close(store);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (ok && r->fired != 2 * r->contacts) {
        snprintf(r->errbuf, sizeof r->errbuf, "fired %zu of %zu timers", r->fired,
                 2 * r->contacts);
        ok = 0;
    }
    return ok;
}

int bench_timers_promo(const char *counts) {
    printf("| contacts | events | timers fired | CPU s | wall s | events per CPU s |"
           " µs CPU per event |\n|---|---|---|---|---|---|---|\n");
    for (const char *c = counts; c && *c; c = strchr(c, ',') ? strchr(c, ',') + 1 : NULL) {
        promo_run_t r = {.contacts = strtoull(c, NULL, 10)};
        if (!promo_row(&r)) {
            fprintf(stderr, "bench_timers --promo: %zu contacts: %s\n", r.contacts, r.errbuf);
            return 1;
        }
        printf("| %zu | %zu | %zu | %.2f | %.2f | %.0f | %.2f |\n", r.contacts, r.events,
               r.fired, r.cpu_s, r.wall_s, r.events / r.cpu_s, 1e6 * r.cpu_s / r.events);
        fflush(stdout);
    }
    return 0;
}
