/* safety_workload.c — the safety fault run's input and its consent model (see
 * safety_workload.h). */
#include "safety_workload.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SAFETY_SEED 20260305u
#define SAFETY_LINE_BYTES 512
/* Lines of one contact at most: 12 events, each up to three times. */
#define SAFETY_LINES_PER_CONTACT 40
#define SAFETY_HOUR_MS 3600000LL

static const char *const zones[] = {"America/New_York", "Europe/Berlin", "Asia/Kolkata",
                                    "Australia/Sydney", "UTC"};
/* STOP as people type it; "unsubscribe" is on the default stop list too. */
static const char *const stops[] = {"STOP", " stop ", "Stop", "unsubscribe"};
static const char *const stop_alls[] = {"stopall", "STOPALL", " StopAll "};
static const char *const starts[] = {"START", " start", "Start "};

/* One input line before ordering: the time it is delivered at orders the file. */
typedef struct pending {
    long long deliver_ms;
    long seq;
    char text[SAFETY_LINE_BYTES];
} pending_t;

typedef struct gen {
    pending_t *items; /* owned */
    size_t count, cap;
    unsigned rng;
    long seq;
    long duplicates;
} gen_t;

static unsigned next_rand(gen_t *g) {
    g->rng ^= g->rng << 13;
    g->rng ^= g->rng >> 17;
    g->rng ^= g->rng << 5;
    return g->rng;
}

/* A time from lo to hi (ms), whole seconds plus a contact-specific millisecond, so that
 * no two contacts' events share an instant by accident. */
static long long between(gen_t *g, long long lo, long long hi, int contact) {
    long long span_s = (hi - lo) / 1000;
    return lo + (long long)(next_rand(g) % (unsigned)span_s) * 1000 + contact % 1000;
}

static void push(gen_t *g, long long deliver_ms, const char *text) {
    cr_assert_lt(g->count, g->cap, "more lines than the workload expects");
    pending_t *p = &g->items[g->count++];
    p->deliver_ms = deliver_ms;
    p->seq = g->seq++;
    snprintf(p->text, sizeof p->text, "%s", text);
}

/* One event of contact i, delivered once, or two or three times (the copies up to 90
 * minutes late, carrying the same event_id and time). */
static void event(gen_t *g, int i, const char *id, long long at_ms, const char *type,
                  const char *extra) {
    char text[SAFETY_LINE_BYTES];
    snprintf(text, sizeof text,
             "{\"event_id\":\"c%04d-%s\",\"contact_id\":\"c%04d\",\"time\":%lld,"
             "\"type\":\"%s\"%s}",
             i, id, i, at_ms, type, extra ? extra : "");
    push(g, at_ms, text);
    unsigned r = next_rand(g) % 12;
    int copies = r == 0 ? 2 : r < 3 ? 1 : 0;
    for (int k = 1; k <= copies; k++) {
        long long late = (long long)(next_rand(g) % 90) * 60000LL;
        push(g, at_ms + late, text);
        g->duplicates++;
    }
}

static void change(safety_contact_t *c, long long at_ms, const char *channel, int out) {
    cr_assert_lt(c->changes_count, SAFETY_CHANGES_MAX);
    c->changes[c->changes_count++] = (safety_change_t){at_ms, channel, out};
}

static void sms_reply(gen_t *g, int i, const char *id, long long at_ms, const char *text) {
    char extra[128];
    snprintf(extra, sizeof extra, ",\"text\":\"%s\"", text);
    event(g, i, id, at_ms, "sms.replied", extra);
}

/* Contact i's opt-outs and opt-ins, by i % 8: none; STOP as typed; an email unsubscribe;
 * calls turned off (a journey's update); STOPALL; STOP then START; STOPALL then START;
 * an unsubscribe, an SMS "unsubscribe" and calls off. */
static void consent_events(gen_t *g, safety_workload_t *w, int i) {
    safety_contact_t *c = &w->contacts[i];
    long long t1 = between(g, SAFETY_T0_MS + 3 * SAFETY_DAY_MS, SAFETY_T0_MS + 15 * SAFETY_DAY_MS,
                           i);
    long long t2 = between(g, t1 + 2 * SAFETY_DAY_MS, t1 + 8 * SAFETY_DAY_MS, i);
    long long t3 = between(g, t2 + SAFETY_HOUR_MS, t2 + 2 * SAFETY_DAY_MS, i);
    int kind = i % 8, variant = i / 8;
    if (kind == 1 || kind == 5)
        sms_reply(g, i, "stop", t1, stops[variant % 4]), change(c, t1, "sms", 1);
    if (kind == 4 || kind == 6) {
        sms_reply(g, i, "stopall", t1, stop_alls[variant % 3]);
        change(c, t1, "all", 1), change(c, t1, "sms", 1);
    }
    if (kind == 5 || kind == 6) {
        sms_reply(g, i, "start", t2, starts[variant % 3]);
        change(c, t2, "sms", 0);
        if (kind == 6)
            change(c, t2, "all", 0); /* START undoes a keyword's opt-out of everything */
        w->opt_ins++;
    }
    if (kind == 2 || kind == 7)
        event(g, i, "unsub", t1, "email.unsubscribed", NULL), change(c, t1, "email", 1);
    if (kind == 7)
        sms_reply(g, i, "stop", t2, "unsubscribe"), change(c, t2, "sms", 1);
    if (kind == 3 || kind == 7) {
        long long t = kind == 3 ? t1 : t3;
        event(g, i, "calls-off", t, "custom.voice_pref_off", NULL), change(c, t, "voice", 1);
    }
    if (kind == 0 && variant % 2 == 0) /* a reply that mentions stop is not a keyword */
        sms_reply(g, i, "chat", t1, "please stop by on friday");
    w->opt_outs += kind == 0 ? 0 : kind == 7 ? 3 : 1;
}

/* Contact i's business events and its last event, at SAFETY_END_MS. */
static void contact_events(gen_t *g, safety_workload_t *w, int i) {
    char id[32];
    event(g, i, "signup", between(g, SAFETY_T0_MS, SAFETY_T0_MS + 36 * SAFETY_HOUR_MS, i),
          "custom.signup", NULL);
    for (unsigned k = 0, n = next_rand(g) % 3; k < n; k++) {
        snprintf(id, sizeof id, "order-%u", k);
        event(g, i, id, between(g, SAFETY_T0_MS + SAFETY_DAY_MS, SAFETY_END_MS - 2 * SAFETY_DAY_MS,
                                i), "custom.order", NULL);
    }
    for (unsigned k = 0, n = next_rand(g) % 3; k < n; k++) {
        snprintf(id, sizeof id, "browse-%u", k);
        event(g, i, id, between(g, SAFETY_T0_MS + SAFETY_DAY_MS, SAFETY_END_MS - 2 * SAFETY_DAY_MS,
                                i), "custom.browse", NULL);
    }
    consent_events(g, w, i);
    /* One instant for every contact: each partition's time passes every timer due
     * before it, as simulate --until input does over the whole file. */
    event(g, i, "last", SAFETY_END_MS, "custom.tick", NULL);
}

static int pending_order(const void *a, const void *b) {
    const pending_t *x = a, *y = b;
    if (x->deliver_ms != y->deliver_ms)
        return x->deliver_ms < y->deliver_ms ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void write_file(safety_workload_t *w, gen_t *g, FILE *f) {
    fault_workload_t *file = &w->file;
    fprintf(f, "# safety fault run: %d contacts, profiles first (tests/fault/test_safety.c)\n",
            SAFETY_CONTACTS);
    for (int i = 0; i < SAFETY_CONTACTS; i++) {
        fprintf(f, "{\"profile\":{\"contact_id\":\"c%04d\",\"time\":%lld,"
                   "\"set\":{\"timezone\":\"%s\"}}}\n",
                i, SAFETY_T0_MS - SAFETY_DAY_MS, w->contacts[i].zone);
        w->profiles++;
    }
    qsort(g->items, g->count, sizeof *g->items, pending_order);
    file->lines = calloc(g->count, sizeof *file->lines);
    cr_assert_not_null(file->lines, "out of memory");
    for (size_t k = 0; k < g->count; k++) {
        file->lines[file->count] = strdup(g->items[k].text);
        cr_assert_not_null(file->lines[file->count], "out of memory");
        file->count++;
        cr_assert_gt(fprintf(f, "%s\n", g->items[k].text), 0, "write %s", file->path);
    }
}

void safety_workload_write(safety_workload_t *w, const char *dir) {
    gen_t g = {.rng = SAFETY_SEED, .cap = (size_t)SAFETY_CONTACTS * SAFETY_LINES_PER_CONTACT};
    memset(w, 0, sizeof *w);
    g.items = calloc(g.cap, sizeof *g.items);
    cr_assert_not_null(g.items, "out of memory");
    for (int i = 0; i < SAFETY_CONTACTS; i++) {
        w->contacts[i].zone = zones[i % 5];
        contact_events(&g, w, i);
    }
    w->duplicates = g.duplicates;
    w->file.contacts = SAFETY_CONTACTS;
    snprintf(w->file.path, sizeof w->file.path, "%s/events.jsonl", dir);
    FILE *f = fopen(w->file.path, "w");
    cr_assert_not_null(f, "create %s", w->file.path);
    write_file(w, &g, f);
    cr_assert(eq(int, fclose(f), 0), "write %s", w->file.path);
    free(g.items);
    printf("workload: %d contacts in 5 zones, %ld profiles, %zu event lines (%ld duplicate "
           "deliveries), %ld opt-outs, %ld opt-ins\n",
           SAFETY_CONTACTS, w->profiles, w->file.count, w->duplicates, w->opt_outs, w->opt_ins);
    fflush(stdout);
}

void safety_workload_free(safety_workload_t *w) { fault_workload_free(&w->file); }

/* The latest change of slot at or before at_ms opted out. */
static int slot_out(const safety_contact_t *c, const char *slot, long long at_ms) {
    int out = 0;
    for (int k = 0; k < c->changes_count; k++)
        if (c->changes[k].at_ms <= at_ms && strcmp(c->changes[k].channel, slot) == 0)
            out = c->changes[k].opted_out;
    return out;
}

int safety_consent_allows(const safety_contact_t *c, const char *channel, int marketing,
                          long long at_ms) {
    if (slot_out(c, "all", at_ms))
        return 0;
    return !marketing || !slot_out(c, channel, at_ms);
}
