/* promo_workload.c — the 1,000-contact coffee email promo workload (promo_workload.h). */
#include "promo_workload.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONTACTS PROMO_CONTACTS
#define HOUR_MS (3600 * INT64_C(1000))
#define T0_MS INT64_C(1793606400000) /* 2026-11-02T08:00Z */
#define READ_TIMEOUT_MS 180000

/* What each contact does with the promo email, by contact index % 5. */
enum behaviour { OPENS, IGNORES, BOUNCES, BLOCKS, SILENT, BEHAVIOURS };
static const char *const expected_path[BEHAVIOURS] = {"opened", "not_opened", "bounced",
                                                      "blocked", "otherwise"};

typedef struct contact_seen {
    char promo_action_id[64];
    char path[32];
    int paths_taken;
    int emails, pushes, cleansing, suppression;
} contact_seen_t;

typedef struct seen {
    codec_t *codec;
    contact_seen_t contacts[CONTACTS];
    long undecodable;
    char action_ids[3 * CONTACTS][40];
    int action_ids_count;
} seen_t;

static seen_t seen;
/* Event ids and contact ids of the produced events: 128 bytes per event. */
static char event_ids[4 * CONTACTS][128];
static sy_event_t events[4 * CONTACTS];

static int contact_index(const char *contact_id) {
    int index = -1;
    if (sscanf(contact_id, "contact-%d", &index) != 1 || index < 0 || index >= CONTACTS)
        return -1;
    return index;
}

static void on_action(void *ctx, const rd_kafka_message_t *m) {
    seen_t *s = ctx;
    sy_action_t a;
    char errbuf[256];
    int i = -1;
    if (codec_decode_action(s->codec, m->payload, m->len, &a, errbuf, sizeof errbuf) == SY_OK)
        i = contact_index(a.contact_id);
    if (i < 0 || s->action_ids_count == 3 * CONTACTS) {
        s->undecodable++;
        return;
    }
    snprintf(s->action_ids[s->action_ids_count++], sizeof s->action_ids[0], "%s", a.action_id);
    contact_seen_t *c = &s->contacts[i];
    if (a.channel == SY_CHANNEL_EMAIL) {
        c->emails++;
        if (strcmp(a.template_id, "autumn_promo") == 0)
            snprintf(c->promo_action_id, sizeof c->promo_action_id, "%s", a.action_id);
    } else if (a.channel == SY_CHANNEL_PUSH) {
        c->pushes++;
    }
}

static void on_decision(void *ctx, const rd_kafka_message_t *m) {
    seen_t *s = ctx;
    sy_decision_t d;
    char errbuf[256];
    if (codec_decode_decision(s->codec, m->payload, m->len, &d, errbuf, sizeof errbuf) != SY_OK) {
        s->undecodable++;
        return;
    }
    int i = contact_index(d.contact_id);
    if (i >= 0 && d.from_node && strcmp(d.from_node, "outcome") == 0) {
        s->contacts[i].paths_taken++;
        snprintf(s->contacts[i].path, sizeof s->contacts[i].path, "%s", d.path ? d.path : "");
    }
}

static void on_contact_update(void *ctx, const rd_kafka_message_t *m) {
    seen_t *s = ctx;
    sy_contact_update_t u;
    char errbuf[256];
    if (codec_decode_contact_update(s->codec, m->payload, m->len, &u, errbuf,
                                    sizeof errbuf) != SY_OK) {
        s->undecodable++;
        return;
    }
    int i = contact_index(u.contact_id);
    if (i >= 0 && strcmp(u.name, "data_cleansing") == 0)
        s->contacts[i].cleansing++;
    else if (i >= 0 && strcmp(u.name, "suppression") == 0)
        s->contacts[i].suppression++;
}

static sy_event_t make_event(size_t n, int index, const char *suffix, sy_channel_t channel,
                             sy_event_type_t type, int64_t at_ms) {
    char *event_id = event_ids[n], *contact_id = event_ids[n] + 64;
    snprintf(event_id, 64, "ev-%04d-%s", index, suffix);
    snprintf(contact_id, 64, "contact-%04d", index);
    return (sy_event_t){.event_id = event_id, .contact_id = contact_id, .occurred_at_ms = at_ms,
                        .channel = channel, .type = type, .bounce = SY_BOUNCE_NONE};
}

void promo_produce_entries(const service_t *svc) {
    for (int i = 0; i < CONTACTS; i++) {
        events[i] = make_event((size_t)i, i, "eligible", SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM,
                               T0_MS + i * 1000);
        events[i].name = "promo_eligible";
    }
    service_produce_events(svc, events, CONTACTS);
}

/* The outcome events of each contact's promo email, then an app-open per contact four
 * days later: it moves every partition's event time past the branch's timers. */
void promo_produce_engagement(const service_t *svc) {
    size_t n = 0;
    for (int i = 0; i < CONTACTS; i++) {
        int b = i % BEHAVIOURS;
        int64_t t = T0_MS + HOUR_MS + i * 1000;
        sy_event_type_t type = b == BOUNCES ? SY_EVENT_BOUNCED
                               : b == BLOCKS ? SY_EVENT_BLOCKED
                                             : SY_EVENT_DELIVERED;
        if (b == SILENT)
            continue;
        events[n] = make_event(n, i, "first", SY_CHANNEL_EMAIL, type, t);
        events[n++].message_id = seen.contacts[i].promo_action_id;
        if (b == OPENS) {
            events[n] = make_event(n, i, "opened", SY_CHANNEL_EMAIL, SY_EVENT_OPENED,
                                   t + HOUR_MS);
            events[n++].message_id = seen.contacts[i].promo_action_id;
        }
    }
    for (int i = 0; i < CONTACTS; i++) {
        events[n] = make_event(n, i, "app_open", SY_CHANNEL_CUSTOM, SY_EVENT_CUSTOM,
                               T0_MS + 96 * HOUR_MS + i * 1000);
        events[n++].name = "app_open";
    }
    service_produce_events(svc, events, n);
}

void promo_workload_open(void) {
    char errbuf[256];
    memset(&seen, 0, sizeof seen);
    cr_assert(eq(int, codec_open(&seen.codec, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
}

void promo_workload_close(void) {
    codec_close(seen.codec);
    seen.codec = NULL;
}

void promo_read_promos(const service_t *svc) {
    char email[SERVICE_TOPIC_BYTES + 16];
    service_action_topic(svc, "email", email, sizeof email);
    long promos = harness_consume_all(harness_bootstrap(), email, "read_committed", CONTACTS,
                                      READ_TIMEOUT_MS, on_action, &seen);
    cr_assert(eq(long, promos, CONTACTS), "promo emails read: %ld, expected %d", promos, CONTACTS);
    for (int i = 0; i < CONTACTS; i++)
        cr_assert(ne(chr, seen.contacts[i].promo_action_id[0], '\0'), "contact-%04d: no promo", i);
}

long promo_read_decisions(const service_t *svc) {
    return harness_consume_all(harness_bootstrap(), svc->decisions, "read_committed",
                               PROMO_DECISIONS, READ_TIMEOUT_MS, on_decision, &seen);
}

static int cmp_ids(const void *a, const void *b) { return strcmp(a, b); }

void promo_assert_outputs(const service_t *svc) {
    char email[200], push[200];
    const char *bootstrap = harness_bootstrap();
    service_action_topic(svc, "email", email, sizeof email);
    service_action_topic(svc, "push", push, sizeof push);
    seen.action_ids_count = 0;
    for (int i = 0; i < CONTACTS; i++)
        seen.contacts[i].emails = seen.contacts[i].pushes = 0;
    long emails = harness_consume_all(bootstrap, email, "read_committed", -1, READ_TIMEOUT_MS,
                                      on_action, &seen);
    long pushes = harness_consume_all(bootstrap, push, "read_committed", -1, READ_TIMEOUT_MS,
                                      on_action, &seen);
    long updates = harness_consume_all(bootstrap, svc->contact_updates, "read_committed", -1,
                                       READ_TIMEOUT_MS, on_contact_update, &seen);
    cr_assert(eq(long, emails, CONTACTS + CONTACTS / 5), "emails: %ld", emails);
    cr_assert(eq(long, pushes, CONTACTS / 5), "pushes: %ld", pushes);
    cr_assert(eq(long, updates, 2 * CONTACTS / 5), "contact updates: %ld", updates);
    cr_assert(eq(long, seen.undecodable, 0), "undecodable outputs: %ld", seen.undecodable);
    for (int i = 0; i < CONTACTS; i++) {
        const contact_seen_t *c = &seen.contacts[i];
        int b = i % BEHAVIOURS;
        cr_assert(eq(int, c->paths_taken, 1), "contact-%04d left the branch %d times", i,
                  c->paths_taken);
        cr_assert(eq(str, (char *)c->path, (char *)expected_path[b]),
                  "contact-%04d took '%s', expected '%s'", i,
                  c->path, expected_path[b]);
        cr_assert(eq(int, c->emails, b == OPENS ? 2 : 1), "contact-%04d got %d emails", i,
                  c->emails);
        cr_assert(eq(int, c->pushes, b == IGNORES), "contact-%04d got %d pushes", i, c->pushes);
        cr_assert(eq(int, c->cleansing, b == BOUNCES), "contact-%04d cleansing %d", i,
                  c->cleansing);
        cr_assert(eq(int, c->suppression, b == BLOCKS), "contact-%04d suppression %d", i,
                  c->suppression);
    }
    qsort(seen.action_ids, (size_t)seen.action_ids_count, sizeof seen.action_ids[0], cmp_ids);
    for (int i = 1; i < seen.action_ids_count; i++)
        cr_assert(ne(str, seen.action_ids[i], seen.action_ids[i - 1]), "action %s twice",
                  seen.action_ids[i]);
}

