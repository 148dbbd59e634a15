/* loadgen_world.c — the streaming population behind loadgen.h. A contact's records (its
 * plan) are a pure function of the seed, its index and the rates, so the heap keeps only
 * (next time, contact, cursor) per in-flight contact and rebuilds a plan when it needs
 * the record. Not the output side: loadgen_main.c and loadgen_kafka.c encode and send. */
#include "loadgen.h"
#include "sy_heap.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MINUTE_MS (60 * INT64_C(1000))
/* Entry events follow the profile update 1 ms apart, one per journey, so the engine
 * knows the contact's profile before any entry rule reads it. */
#define ENTRY_GAP_MS 1
/* A reaction (survey completed, offer claimed) comes 1 minute to 1 hour after the click. */
#define REACTION_DELAY_MIN_MS MINUTE_MS
#define REACTION_DELAY_MAX_MS (60 * MINUTE_MS)
/* channel_sim's click follows the open by a minute; counted in a contact's span. */
#define CLICK_AFTER_OPEN_MS MINUTE_MS
/* Heap keys pack the contact index above a 16-bit plan cursor. */
#define CURSOR_BITS 16
#define CONTACTS_LIMIT (UINT64_C(1) << 47)
/* Longest contact id: "c-" and up to 15 digits (CONTACTS_LIMIT). */
#define CONTACT_ID_BYTES 24

/* Salts of the draws keyed by contact id: each decision has its own stream. */
enum {
    SALT_SHARE = 1000,      /* + journey index */
    SALT_REACTION = 1100,   /* + journey index */
    SALT_REACTION_AT = 1200,
    SALT_STORE = 1300,
    SALT_APP_COUNT = 2000,
    SALT_APP_AT = 2100,     /* + k */
    SALT_BUY_COUNT = 2200,
    SALT_BUY_AT = 2300,     /* + k */
    SALT_BUY_VALUE = 2400,  /* + k */
    SALT_FIRST_NAME = 3000,
    SALT_TIMEZONE,
    SALT_LTV,
};

typedef enum plan_what {
    PLAN_PROFILE, PLAN_ENTRY, PLAN_ANSWER, PLAN_REACTION, PLAN_APP_OPEN, PLAN_PURCHASE
} plan_what_t;

typedef struct plan_entry {
    int64_t time_ms;
    uint8_t what;    /* plan_what_t */
    uint8_t journey; /* ENTRY, ANSWER, REACTION */
    uint8_t slot;    /* ANSWER: index in the provider's answers; APP_OPEN, PURCHASE: k */
} plan_entry_t;

typedef struct heap_entry {
    int64_t time_ms;
    uint64_t key; /* contact << CURSOR_BITS | cursor */
} heap_entry_t;

typedef struct gen_journey {
    const journey_t *journey;
    const journey_node_t *send; /* the first send node, or NULL */
    double share;
    char tag[SY_ID_BYTES_MAX + 1]; /* in record ids: the journey id, or "j<index>" */
} gen_journey_t;

struct loadgen {
    loadgen_conf_t conf;
    loadgen_rates_t rates;
    channel_sim_t sim;
    size_t journeys_count;
    gen_journey_t journeys[LOADGEN_JOURNEYS_MAX];
    uint64_t next_contact;
    heap_entry_t *heap;
    size_t count, capacity;
    uint64_t plan_contact; /* whose plan is cached; UINT64_MAX: none */
    size_t plan_count;
    plan_entry_t plan[LOADGEN_PLAN_MAX];
    /* The item handed out last. */
    char contact_id[CONTACT_ID_BYTES];
    char event_id[SY_ID_BYTES_MAX + 1];
    char ltv_tier[8];
    channel_sim_event_t answers[CHANNEL_SIM_EVENTS_MAX];
    sy_event_t event;
    sy_profile_update_t profile;
    loadgen_stats_t stats;
};

static const char *const first_names[] = {"Ann", "Bo", "Chidi", "Dana", "Emil", "Fatima",
                                          "Goran", "Hana", "Ines", "Jun"};
static const char *const time_zones[] = {"Europe/London", "Europe/Paris", "America/New_York",
                                         "America/Los_Angeles", "Asia/Kolkata", "UTC"};
static const char *const stores[] = {"Leeds", "York", "Hull", "Bath", "Derby", "Ely"};
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const origin_names[LOADGEN_ORIGIN__COUNT] = {
    "profile", "entry", "answer", "reaction", "background"};

const char *loadgen_origin_name(loadgen_origin_t origin) {
    return (unsigned)origin < LOADGEN_ORIGIN__COUNT ? origin_names[origin] : NULL;
}

int64_t loadgen_arrival_ms(const loadgen_conf_t *conf, uint64_t index) {
    return conf->start_ms + (int64_t)floor((double)index * 1000.0 / conf->arrival_rate);
}

static double draw(const loadgen_t *gen, const char *key, uint64_t salt) {
    return channel_sim_uniform(gen->conf.seed, key, salt);
}

/* floor(mean), plus one with probability frac(mean). */
static unsigned draw_count(const loadgen_t *gen, const char *key, uint64_t salt, double mean) {
    unsigned n = (unsigned)mean;
    if (draw(gen, key, salt) < mean - (double)n)
        n++;
    return n > LOADGEN_BACKGROUND_MAX ? LOADGEN_BACKGROUND_MAX : n;
}

static void contact_name(char *buf, size_t size, uint64_t index) {
    snprintf(buf, size, "c-%" PRIu64, index + 1);
}

/* The action whose answers open loop reports: contact j's first send, entry + delay. */
static void answer_action(const loadgen_t *gen, const char *contact, size_t j,
                          int64_t entry_ms, char *action_id, size_t action_id_size,
                          sy_action_t *action) {
    const gen_journey_t *gj = &gen->journeys[j];
    snprintf(action_id, action_id_size, "%s.%s", contact, gj->tag);
    memset(action, 0, sizeof *action);
    action->action_id = action_id;
    action->contact_id = contact;
    action->channel = gj->send->u.send.channel;
    action->template_id = gj->send->u.send.template_id;
    action->not_before_ms = entry_ms + gen->rates.send_delay_ms;
    action->journey_id = gj->journey->id;
    action->journey_version = gj->journey->version;
    action->node_id = gj->send->id;
}

static void plan_add(loadgen_t *gen, int64_t time_ms, plan_what_t what, size_t journey,
                     unsigned slot) {
    assert(gen->plan_count < LOADGEN_PLAN_MAX);
    gen->plan[gen->plan_count++] = (plan_entry_t){time_ms, (uint8_t)what, (uint8_t)journey,
                                                  (uint8_t)slot};
}

/* The click that earns a reaction, and the reaction's name; NULL when none. */
static const char *reaction_name(const loadgen_t *gen, const channel_sim_event_t *ev,
                                 double *probability) {
    if (ev->type != SY_EVENT_CLICKED)
        return NULL;
    if (ev->channel == SY_CHANNEL_SMS) {
        *probability = gen->rates.survey_completed;
        return "survey_completed";
    }
    if (ev->channel == SY_CHANNEL_PUSH) {
        *probability = gen->rates.offer_claimed;
        return "offer_claimed";
    }
    return NULL;
}

/* Journey j's records for contact: the entry, the answers to its first send and the
 * reaction to a click. */
static void plan_journey(loadgen_t *gen, const char *contact, size_t j, int64_t entry_ms) {
    char action_id[SY_ID_BYTES_MAX + 1];
    sy_action_t action;
    channel_sim_event_t out[CHANNEL_SIM_EVENTS_MAX];
    plan_add(gen, entry_ms, PLAN_ENTRY, j, 0);
    if (!gen->conf.answers || !gen->journeys[j].send)
        return;
    answer_action(gen, contact, j, entry_ms, action_id, sizeof action_id, &action);
    size_t n = channel_sim_respond(&gen->sim, &action, out);
    for (size_t k = 0; k < n; k++) {
        plan_add(gen, out[k].occurred_at_ms, PLAN_ANSWER, j, (unsigned)k);
        double p = 0;
        if (reaction_name(gen, &out[k], &p) && draw(gen, contact, SALT_REACTION + j) < p) {
            double u = draw(gen, contact, SALT_REACTION_AT + j);
            int64_t at = out[k].occurred_at_ms + REACTION_DELAY_MIN_MS +
                         (int64_t)(u * (double)(REACTION_DELAY_MAX_MS - REACTION_DELAY_MIN_MS));
            plan_add(gen, at, PLAN_REACTION, j, (unsigned)k);
        }
    }
}

static void plan_background(loadgen_t *gen, const char *contact, int64_t t0) {
    const double horizon = (double)gen->rates.background_horizon_ms;
    unsigned opens = draw_count(gen, contact, SALT_APP_COUNT, gen->rates.app_opens);
    for (unsigned k = 0; k < opens; k++)
        plan_add(gen, t0 + (int64_t)(draw(gen, contact, SALT_APP_AT + k) * horizon),
                 PLAN_APP_OPEN, 0, k);
    unsigned buys = draw_count(gen, contact, SALT_BUY_COUNT, gen->rates.purchases);
    for (unsigned k = 0; k < buys; k++)
        plan_add(gen, t0 + (int64_t)(draw(gen, contact, SALT_BUY_AT + k) * horizon),
                 PLAN_PURCHASE, 0, k);
}

/* Stable insertion sort by time: plans are short and mostly in order already. */
static void plan_sort(loadgen_t *gen) {
    for (size_t i = 1; i < gen->plan_count; i++) {
        plan_entry_t e = gen->plan[i];
        size_t k = i;
        for (; k > 0 && gen->plan[k - 1].time_ms > e.time_ms; k--)
            gen->plan[k] = gen->plan[k - 1];
        gen->plan[k] = e;
    }
}

/* Build (or reuse) the plan of contact index; gen->contact_id names it after. */
static void plan_build(loadgen_t *gen, uint64_t index) {
    contact_name(gen->contact_id, sizeof gen->contact_id, index);
    if (gen->plan_contact == index)
        return;
    gen->plan_contact = index;
    gen->plan_count = 0;
    const char *contact = gen->contact_id;
    int64_t t0 = loadgen_arrival_ms(&gen->conf, index);
    if (gen->conf.profiles)
        plan_add(gen, t0, PLAN_PROFILE, 0, 0);
    for (size_t j = 0; j < gen->journeys_count; j++)
        if (draw(gen, contact, SALT_SHARE + j) < gen->journeys[j].share)
            plan_journey(gen, contact, j, t0 + (int64_t)(j + 1) * ENTRY_GAP_MS);
    plan_background(gen, contact, t0);
    plan_sort(gen);
}

static bool heap_before(const void *pa, const void *pb) {
    const heap_entry_t *a = pa, *b = pb;
    return a->time_ms != b->time_ms ? a->time_ms < b->time_ms : a->key < b->key;
}

static void heap_push(loadgen_t *gen, heap_entry_t e) {
    assert(gen->count < gen->capacity);
    sy_heap_push(gen->heap, sizeof *gen->heap, &gen->count, &e, heap_before);
}

/* Put e at the root (or drop the root when e is NULL) and restore the order. */
static void heap_replace_top(loadgen_t *gen, const heap_entry_t *e) {
    heap_entry_t top = e ? *e : (heap_entry_t){0}; /* a copy: e may point into the heap */
    if (e)
        sy_heap_sift_down(gen->heap, sizeof *gen->heap, gen->count, &top, heap_before);
    else
        sy_heap_pop(gen->heap, sizeof *gen->heap, &gen->count, heap_before);
}

/* Longest span from a contact's arrival to its last record, for the heap's size. */
static int64_t contact_span_ms(const loadgen_t *gen) {
    int64_t span = (int64_t)gen->journeys_count * ENTRY_GAP_MS, answers = 0;
    for (int c = 0; c < SY_CHANNEL__COUNT; c++) {
        const channel_sim_profile_t *p = &gen->rates.channels[c];
        int64_t s = p->reach_delay_max_ms + p->engage_delay_max_ms + CLICK_AFTER_OPEN_MS;
        answers = s > answers ? s : answers;
    }
    if (gen->conf.answers)
        span += gen->rates.send_delay_ms + answers + REACTION_DELAY_MAX_MS;
    if (gen->rates.app_opens > 0 || gen->rates.purchases > 0)
        span = span > gen->rates.background_horizon_ms ? span : gen->rates.background_horizon_ms;
    return span;
}

static sy_err_t journeys_prepare(loadgen_t *gen, char *errbuf, size_t errbuf_size) {
    const journey_set_t *set = gen->conf.journeys;
    size_t n = set ? set->count : 0;
    if (n > LOADGEN_JOURNEYS_MAX) {
        snprintf(errbuf, errbuf_size, "%zu journeys loaded; the load generator feeds at most %d",
                 n, LOADGEN_JOURNEYS_MAX);
        return SY_ERR_LIMIT;
    }
    for (size_t j = 0; j < n; j++) {
        gen_journey_t *gj = &gen->journeys[j];
        gj->journey = set->journeys[j];
        gj->share = loadgen_rates_share(&gen->rates, gj->journey->id);
        for (size_t k = 0; k < gj->journey->nodes_count && !gj->send; k++)
            if (gj->journey->nodes[k].kind == JOURNEY_NODE_SEND)
                gj->send = &gj->journey->nodes[k];
        /* Ids "c-<n>.<tag>.not_attempted" must fit SY_ID_BYTES_MAX. */
        if (strlen(gj->journey->id) + CONTACT_ID_BYTES + 24 <= SY_ID_BYTES_MAX)
            snprintf(gj->tag, sizeof gj->tag, "%s", gj->journey->id);
        else
            snprintf(gj->tag, sizeof gj->tag, "j%zu", j);
    }
    gen->journeys_count = n;
    return SY_OK;
}

static sy_err_t conf_check(const loadgen_conf_t *conf, char *errbuf, size_t errbuf_size) {
    if (!(conf->arrival_rate > 0) || conf->arrival_rate > 1e9) {
        snprintf(errbuf, errbuf_size, "arrival rate %g: want (0, 1e9] contacts per second",
                 conf->arrival_rate);
        return SY_ERR_INVALID_ARG;
    }
    if (conf->contacts >= CONTACTS_LIMIT) {
        snprintf(errbuf, errbuf_size, "contacts: at most %" PRIu64, CONTACTS_LIMIT - 1);
        return SY_ERR_INVALID_ARG;
    }
    return loadgen_rates_check(conf->rates, errbuf, errbuf_size);
}

sy_err_t loadgen_open(loadgen_t **out, const loadgen_conf_t *conf, char *errbuf,
                      size_t errbuf_size) {
    sy_err_t err = conf_check(conf, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    loadgen_t *gen = calloc(1, sizeof *gen);
    if (!gen) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return SY_ERR_NOMEM;
    }
    gen->conf = *conf;
    gen->rates = *conf->rates;
    gen->conf.rates = &gen->rates;
    gen->plan_contact = UINT64_MAX;
    gen->sim.seed = conf->seed;
    memcpy(gen->sim.profiles, gen->rates.channels, sizeof gen->sim.profiles);
    if ((err = journeys_prepare(gen, errbuf, errbuf_size)) != SY_OK)
        goto fail;
    size_t max = conf->inflight_max ? conf->inflight_max : LOADGEN_INFLIGHT_MAX;
    /* Contacts arrived within one span of the newest are all that can be in flight. */
    double needed = conf->arrival_rate * (double)(contact_span_ms(gen) + 1) / 1000.0 + 3;
    gen->capacity = needed < (double)conf->contacts ? (size_t)needed : conf->contacts;
    if (gen->capacity > max) {
        snprintf(errbuf, errbuf_size,
                 "arrival rate %g x span %.0f s puts %.0f contacts in flight, over the %zu "
                 "allowed: lower the arrival rate or the delays",
                 conf->arrival_rate, (double)contact_span_ms(gen) / 1000.0, needed, max);
        err = SY_ERR_INVALID_ARG;
        goto fail;
    }
    gen->heap = malloc((gen->capacity ? gen->capacity : 1) * sizeof *gen->heap);
    if (!gen->heap) {
        snprintf(errbuf, errbuf_size, "out of memory");
        err = SY_ERR_NOMEM;
        goto fail;
    }
    gen->stats.inflight_capacity = gen->capacity;
    *out = gen;
    return SY_OK;
fail:
    loadgen_close(gen);
    return err;
}

void loadgen_close(loadgen_t *gen) {
    if (!gen)
        return;
    free(gen->heap);
    free(gen);
}

static sy_event_t *event_reset(loadgen_t *gen, int64_t time_ms) {
    sy_event_t *ev = &gen->event;
    memset(ev, 0, sizeof *ev);
    ev->event_id = gen->event_id;
    ev->contact_id = gen->contact_id;
    ev->occurred_at_ms = time_ms;
    ev->bounce = SY_BOUNCE_NONE;
    return ev;
}

static sy_event_t *custom_event(loadgen_t *gen, int64_t time_ms, const char *name) {
    sy_event_t *ev = event_reset(gen, time_ms);
    ev->channel = SY_CHANNEL_CUSTOM;
    ev->type = SY_EVENT_CUSTOM;
    ev->name = name;
    return ev;
}

static const char *store_of(const loadgen_t *gen) {
    double u = draw(gen, gen->contact_id, SALT_STORE);
    return stores[(size_t)(u * (double)COUNT_OF(stores)) % COUNT_OF(stores)];
}

static void emit_profile(loadgen_t *gen, int64_t time_ms) {
    const char *c = gen->contact_id;
    size_t name = (size_t)(draw(gen, c, SALT_FIRST_NAME) * COUNT_OF(first_names));
    size_t tz = (size_t)(draw(gen, c, SALT_TIMEZONE) * COUNT_OF(time_zones));
    /* Lifetime value: most customers spend little, a few a lot (u^2 x 2000). */
    double u = draw(gen, c, SALT_LTV), ltv = floor(u * u * 2000.0);
    snprintf(gen->ltv_tier, sizeof gen->ltv_tier, "%s",
             ltv >= 1000 ? "gold" : ltv >= 100 ? "silver" : "bronze");
    sy_profile_update_t *p = &gen->profile;
    p->contact_id = c;
    p->updated_at_ms = time_ms;
    p->unset_count = 0;
    p->set_count = 4;
    p->set[0] = (sy_attr_t){"first_name", {.kind = SY_VALUE_STRING,
                                           .u.s = first_names[name % COUNT_OF(first_names)]}};
    p->set[1] = (sy_attr_t){"timezone", {.kind = SY_VALUE_STRING,
                                         .u.s = time_zones[tz % COUNT_OF(time_zones)]}};
    p->set[2] = (sy_attr_t){"ltv", {.kind = SY_VALUE_DOUBLE, .u.d = ltv}};
    p->set[3] = (sy_attr_t){"tier", {.kind = SY_VALUE_STRING, .u.s = gen->ltv_tier}};
}

static void emit_entry(loadgen_t *gen, const plan_entry_t *e) {
    const gen_journey_t *gj = &gen->journeys[e->journey];
    snprintf(gen->event_id, sizeof gen->event_id, "%s.entry.%s", gen->contact_id, gj->tag);
    sy_event_t *ev = event_reset(gen, e->time_ms);
    ev->channel = gj->journey->entry.channel;
    ev->type = gj->journey->entry.type;
    ev->name = gj->journey->entry.name;
    ev->props_count = 1;
    ev->props[0] = (sy_kv_t){"store", store_of(gen)};
}

/* The provider's report e->slot on journey e->journey's send; open loop names the message
 * by journey and node, since the action id is the engine's to make. */
static void emit_answer(loadgen_t *gen, const plan_entry_t *e, int reaction) {
    char action_id[SY_ID_BYTES_MAX + 1];
    sy_action_t action;
    const gen_journey_t *gj = &gen->journeys[e->journey];
    int64_t entry_ms = loadgen_arrival_ms(&gen->conf, gen->plan_contact) +
                       (int64_t)(e->journey + 1) * ENTRY_GAP_MS;
    answer_action(gen, gen->contact_id, e->journey, entry_ms, action_id, sizeof action_id,
                  &action);
    size_t n = channel_sim_respond(&gen->sim, &action, gen->answers);
    assert(e->slot < n);
    const channel_sim_event_t *answer = &gen->answers[e->slot];
    double p;
    if (reaction) {
        const char *name = reaction_name(gen, answer, &p);
        snprintf(gen->event_id, sizeof gen->event_id, "%s.%s.%s", gen->contact_id, gj->tag,
                 name);
        custom_event(gen, e->time_ms, name);
        return;
    }
    snprintf(gen->event_id, sizeof gen->event_id, "%s", answer->event_id);
    channel_sim_event_view(answer, &gen->event);
    gen->event.event_id = gen->event_id;
    gen->event.contact_id = gen->contact_id;
    gen->event.message_id = NULL;
    gen->event.journey_id = gj->journey->id;
    gen->event.node_id = gj->send->id;
}

static void emit_background(loadgen_t *gen, const plan_entry_t *e) {
    if (e->what == PLAN_APP_OPEN) {
        snprintf(gen->event_id, sizeof gen->event_id, "%s.app_open.%u", gen->contact_id,
                 e->slot);
        custom_event(gen, e->time_ms, "app_open");
        return;
    }
    snprintf(gen->event_id, sizeof gen->event_id, "%s.purchase.%u", gen->contact_id, e->slot);
    sy_event_t *ev = custom_event(gen, e->time_ms, "purchase");
    /* A coffee-shop basket: 3.00 to 30.00, in cents. */
    double u = draw(gen, gen->contact_id, SALT_BUY_VALUE + e->slot);
    ev->has_value = true;
    ev->value = (300.0 + floor(u * 2700.0)) / 100.0;
    ev->props_count = 1;
    ev->props[0] = (sy_kv_t){"store", store_of(gen)};
}

static loadgen_origin_t emit(loadgen_t *gen, const plan_entry_t *e, loadgen_item_t *out) {
    loadgen_origin_t origin;
    switch ((plan_what_t)e->what) {
    case PLAN_PROFILE:
        emit_profile(gen, e->time_ms);
        origin = LOADGEN_PROFILE;
        break;
    case PLAN_ENTRY:
        emit_entry(gen, e);
        origin = LOADGEN_ENTRY;
        break;
    case PLAN_ANSWER:
    case PLAN_REACTION:
        emit_answer(gen, e, e->what == PLAN_REACTION);
        origin = e->what == PLAN_REACTION ? LOADGEN_REACTION : LOADGEN_ANSWER;
        break;
    default:
        emit_background(gen, e);
        origin = LOADGEN_BACKGROUND;
        break;
    }
    out->origin = origin;
    out->contact_id = gen->contact_id;
    out->time_ms = e->time_ms;
    out->event = origin == LOADGEN_PROFILE ? NULL : &gen->event;
    out->profile = origin == LOADGEN_PROFILE ? &gen->profile : NULL;
    return origin;
}

/* Let the next contacts arrive while they come no later than the heap's earliest record. */
static void admit(loadgen_t *gen) {
    while (gen->next_contact < gen->conf.contacts &&
           (!gen->count ||
            loadgen_arrival_ms(&gen->conf, gen->next_contact) <= gen->heap[0].time_ms)) {
        uint64_t index = gen->next_contact++;
        gen->stats.contacts++;
        plan_build(gen, index);
        if (!gen->plan_count)
            continue;
        heap_push(gen, (heap_entry_t){gen->plan[0].time_ms, index << CURSOR_BITS});
        if (gen->count > gen->stats.inflight_peak)
            gen->stats.inflight_peak = gen->count;
    }
}

bool loadgen_next(loadgen_t *gen, loadgen_item_t *out) {
    admit(gen);
    if (!gen->count)
        return false;
    heap_entry_t top = gen->heap[0];
    uint64_t index = top.key >> CURSOR_BITS;
    size_t cursor = (size_t)(top.key & ((UINT64_C(1) << CURSOR_BITS) - 1));
    plan_build(gen, index);
    assert(cursor < gen->plan_count);
    loadgen_origin_t origin = emit(gen, &gen->plan[cursor], out);
    gen->stats.items[origin]++;
    if (cursor + 1 < gen->plan_count) {
        heap_entry_t next = {gen->plan[cursor + 1].time_ms, top.key + 1};
        heap_replace_top(gen, &next);
    } else {
        heap_replace_top(gen, NULL);
    }
    return true;
}

int64_t loadgen_peek_ms(const loadgen_t *gen) {
    int64_t next = gen->count ? gen->heap[0].time_ms : INT64_MAX;
    if (gen->next_contact < gen->conf.contacts) {
        int64_t arrival = loadgen_arrival_ms(&gen->conf, gen->next_contact);
        next = arrival < next ? arrival : next;
    }
    return next;
}

void loadgen_stats_get(const loadgen_t *gen, loadgen_stats_t *out) {
    *out = gen->stats;
    out->inflight = gen->count;
}
