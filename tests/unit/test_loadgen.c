/* test_loadgen.c — unit tests of the load generator (bench/loadgen.h): over large samples
 * every configured rate and delay is what the simulated providers produce, a changed rate
 * changes the output, contacts arrive at the configured rate, the same seed gives the
 * same records, the in-flight heap stays bounded, and a recording reads back. No broker;
 * statistical checks allow 5 standard deviations (binomial). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loadgen.h"
#include "simulate.h"

/* Simulated sends per channel: enough that 5 sd of a 50% rate is 0.56 points. */
#define SENDS_PER_CHANNEL 200000
#define SIGMAS 5.0
#define T0_MS INT64_C(1793606400000) /* 2026-11-02T08:00:00.000Z */

static char errbuf[768];
static journey_set_t *journeys;

static void journeys_setup(void) {
    sy_err_t err = journey_set_load_dir(&journeys, SY_SOURCE_ROOT "/examples/journeys", errbuf,
                                        sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "journeys: %s", errbuf);
}

static void journeys_teardown(void) {
    journey_set_free(journeys);
    journeys = NULL;
}

TestSuite(loadgen, .init = journeys_setup, .fini = journeys_teardown);

/* k successes of n trials are within SIGMAS sd of probability p. */
static void expect_rate(const char *what, uint64_t k, uint64_t n, double p) {
    double sd = sqrt((double)n * p * (1 - p));
    double diff = fabs((double)k - (double)n * p);
    cr_expect(diff <= SIGMAS * sd + 1e-9,
              "%s: %" PRIu64 " of %" PRIu64 " = %.5f, configured %.5f (5 sd = %.5f)", what, k, n,
              n ? (double)k / (double)n : 0.0, p, n ? SIGMAS * sd / (double)n : 0.0);
}

/* Delays uniform in [min, max]: each inside, mean within SIGMAS sd of the middle. */
typedef struct delay_stat {
    uint64_t n, outside;
    double sum;
} delay_stat_t;

static void delay_add(delay_stat_t *d, int64_t ms, int64_t min, int64_t max) {
    d->n++;
    d->sum += (double)ms;
    d->outside += ms < min || ms > max;
}

static void expect_delay(const char *what, const delay_stat_t *d, int64_t min, int64_t max) {
    cr_expect(eq(u64, d->outside, 0), "%s: %" PRIu64 " delays outside [%" PRId64 ", %" PRId64 "]",
              what, d->outside, min, max);
    double mid = (double)(min + max) / 2, mean = d->n ? d->sum / (double)d->n : mid;
    double sd = (double)(max - min) / sqrt(12.0 * (double)(d->n ? d->n : 1));
    cr_expect(fabs(mean - mid) <= SIGMAS * sd + 1, "%s: mean %.0f ms, middle %.0f (5 sd %.0f)",
              what, mean, mid, SIGMAS * sd);
}

/* Outcomes of SENDS_PER_CHANNEL sends on one channel. */
typedef struct channel_counts {
    uint64_t reached, fail[2], engaged, not_engaged_reported, clicked, clicked_alone;
    delay_stat_t reach, engage;
} channel_counts_t;

static void count_channel(const loadgen_rates_t *rates, sy_channel_t channel, uint64_t seed,
                          channel_counts_t *c) {
    const channel_sim_profile_t *p = &rates->channels[channel];
    channel_sim_event_t out[CHANNEL_SIM_EVENTS_MAX];
    char id[32];
    memset(c, 0, sizeof *c);
    for (int i = 0; i < SENDS_PER_CHANNEL; i++) {
        snprintf(id, sizeof id, "a-%d", i);
        sy_action_t action = {.action_id = id, .contact_id = "c-1", .channel = channel,
                              .template_id = "t", .not_before_ms = T0_MS,
                              .journey_id = "j", .node_id = "n"};
        size_t n = loadgen_rates_respond(rates, seed, &action, out);
        if (n == 0)
            continue;
        delay_add(&c->reach, out[0].occurred_at_ms - T0_MS, p->reach_delay_min_ms,
                  p->reach_delay_max_ms);
        c->fail[0] += out[0].type == p->failures[0].type;
        c->fail[1] += out[0].type == p->failures[1].type;
        if (out[0].type != p->reached.type)
            continue;
        c->reached++;
        int engaged = n > 1 && out[1].type == p->engaged.type;
        c->engaged += engaged;
        c->not_engaged_reported += n > 1 && out[1].type == p->not_engaged_type;
        if (n > 1 && out[1].type != p->clicked.type)
            delay_add(&c->engage, out[1].occurred_at_ms - out[0].occurred_at_ms,
                      p->engage_delay_min_ms, p->engage_delay_max_ms);
        int clicked = out[n - 1].type == p->clicked.type && p->clicked.type != out[0].type;
        c->clicked += engaged && clicked;
        c->clicked_alone += !engaged && clicked;
    }
}

static void expect_channel(const loadgen_rates_t *rates, sy_channel_t channel, uint64_t seed) {
    const channel_sim_profile_t *p = &rates->channels[channel];
    const char *name = sy_channel_name(channel);
    char what[64];
    channel_counts_t c;
    count_channel(rates, channel, seed, &c);
    snprintf(what, sizeof what, "%s reached (%s)", name, sy_event_type_name(p->reached.type));
    expect_rate(what, c.reached, SENDS_PER_CHANNEL, p->reached.probability);
    for (int f = 0; f < 2; f++) {
        if (p->failures[f].type == CHANNEL_SIM_NO_EVENT)
            continue;
        snprintf(what, sizeof what, "%s %s", name, sy_event_type_name(p->failures[f].type));
        expect_rate(what, c.fail[f], SENDS_PER_CHANNEL, p->failures[f].probability);
    }
    snprintf(what, sizeof what, "%s %s | reached", name, sy_event_type_name(p->engaged.type));
    expect_rate(what, c.engaged, c.reached, p->engaged.probability);
    if (p->not_engaged_type != CHANNEL_SIM_NO_EVENT)
        cr_expect(eq(u64, c.engaged + c.not_engaged_reported, c.reached),
                  "%s: every reached call is answered or not answered", name);
    if (p->clicked.type != CHANNEL_SIM_NO_EVENT) {
        snprintf(what, sizeof what, "%s clicked | engaged", name);
        expect_rate(what, c.clicked, c.engaged, p->clicked.probability);
        snprintf(what, sizeof what, "%s clicked | not engaged", name);
        expect_rate(what, c.clicked_alone, c.reached - c.engaged, p->clicked_alone);
    }
    snprintf(what, sizeof what, "%s reach delay", name);
    expect_delay(what, &c.reach, p->reach_delay_min_ms, p->reach_delay_max_ms);
    snprintf(what, sizeof what, "%s engage delay", name);
    expect_delay(what, &c.engage, p->engage_delay_min_ms, p->engage_delay_max_ms);
}

Test(loadgen, default_rates_and_delays_match_over_200000_sends_per_channel) {
    loadgen_rates_t rates;
    loadgen_rates_init(&rates);
    const sy_channel_t channels[] = {SY_CHANNEL_EMAIL, SY_CHANNEL_SMS, SY_CHANNEL_PUSH,
                                     SY_CHANNEL_VOICE};
    for (size_t i = 0; i < 4; i++)
        expect_channel(&rates, channels[i], 42);
}

Test(loadgen, rates_changed_with_set_and_a_rates_file_change_the_measured_rates) {
    loadgen_rates_t rates;
    loadgen_rates_init(&rates);
    const char *sets[] = {"email.opened=0.3", "email.delivered=0.5", "email.bounced=0.2",
                          "sms.engaged=0.6", "voice.answered=0.9", "email.reach_delay_min_ms=0",
                          "email.reach_delay_max_ms=1000"};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
        cr_assert(eq(int, loadgen_rates_set(&rates, sets[i], errbuf, sizeof errbuf), SY_OK),
                  "%s: %s",
                  sets[i], errbuf);
    char path[] = "/tmp/test_loadgen_rates_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("# push, as --print-rates writes it\npush.delivered  = 0.7   # comment\n"
          "\npush.clicked=0.9\n", f);
    fclose(f);
    sy_err_t err = loadgen_rates_load(&rates, path, errbuf, sizeof errbuf);
    unlink(path);
    cr_assert(eq(int, err, SY_OK), "%s", errbuf);
    cr_assert(eq(dbl, rates.channels[SY_CHANNEL_EMAIL].engaged.probability, 0.3));
    cr_assert(eq(dbl, rates.channels[SY_CHANNEL_PUSH].reached.probability, 0.7));
    cr_assert(eq(int, loadgen_rates_check(&rates, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    expect_channel(&rates, SY_CHANNEL_EMAIL, 7);
    expect_channel(&rates, SY_CHANNEL_SMS, 7);
    expect_channel(&rates, SY_CHANNEL_PUSH, 7);
    expect_channel(&rates, SY_CHANNEL_VOICE, 7);
}

Test(loadgen, bad_rate_settings_are_refused_with_the_key_named) {
    loadgen_rates_t rates, before;
    loadgen_rates_init(&rates);
    before = rates;
    const char *bad[] = {"email.opened=1.5", "email.nope=0.1", "voice.clicked=0.2",
                         "sms.blocked=0.1", "email.opened", "background.app_opens=99",
                         "share.coffee_email_promo=-1", "email.reach_delay_max_ms=x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errbuf[0] = '\0';
        cr_expect(eq(int, loadgen_rates_set(&rates, bad[i], errbuf, sizeof errbuf),
                  SY_ERR_INVALID_ARG), "%s accepted", bad[i]);
        cr_expect(ne(chr, errbuf[0], '\0'), "%s: no message", bad[i]);
    }
    cr_expect(eq(int, memcmp(&rates, &before, sizeof rates), 0),
              "a refused setting changed rates");
    cr_assert(eq(int, loadgen_rates_set(&rates, "email.delivered=0.95", errbuf, sizeof errbuf),
                 SY_OK));
    cr_expect(eq(int, loadgen_rates_check(&rates, errbuf, sizeof errbuf), SY_ERR_INVALID_ARG),
              "delivered + bounced + blocked > 1 accepted");
    cr_expect(strstr(errbuf, "email") != NULL, "message: %s", errbuf);
}

static loadgen_t *open_gen(const loadgen_conf_t *conf) {
    loadgen_t *gen = NULL;
    sy_err_t err = loadgen_open(&gen, conf, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "loadgen_open: %s", errbuf);
    return gen;
}

static loadgen_conf_t base_conf(const loadgen_rates_t *rates, uint64_t contacts, double rate) {
    return (loadgen_conf_t){.seed = 1, .contacts = contacts, .arrival_rate = rate,
                            .start_ms = T0_MS, .journeys = journeys, .rates = rates,
                            .answers = true, .profiles = true};
}

/* The entry schedule follows the arrival rate: 50 contacts/s -> 500 profile updates in
 * every full 10 s window; entries per journey as its share. */
Test(loadgen, contacts_arrive_at_the_configured_rate_and_enter_by_share) {
    enum { CONTACTS = 40000, WINDOW_MS = 10000, RATE = 50 };
    loadgen_rates_t rates;
    loadgen_rates_init(&rates);
    cr_assert(eq(int, loadgen_rates_set(&rates, "background.app_opens=0", errbuf, sizeof errbuf),
              SY_OK));
    loadgen_conf_t conf = base_conf(&rates, CONTACTS, RATE);
    conf.answers = false;
    loadgen_t *gen = open_gen(&conf);
    static uint64_t windows[CONTACTS / RATE * 1000 / WINDOW_MS + 1];
    uint64_t entries[LOADGEN_JOURNEYS_MAX] = {0};
    loadgen_item_t item;
    int64_t last = INT64_MIN;
    while (loadgen_next(gen, &item)) {
        cr_assert_geq(item.time_ms, last, "records out of event-time order");
        last = item.time_ms;
        if (item.origin == LOADGEN_PROFILE) {
            size_t w = (size_t)((item.time_ms - T0_MS) / WINDOW_MS);
            cr_assert_lt(w, sizeof windows / sizeof windows[0]);
            windows[w]++;
        }
        for (size_t j = 0; item.origin == LOADGEN_ENTRY && j < journeys->count; j++)
            entries[j] += strstr(item.event->event_id, journeys->journeys[j]->id) != NULL;
    }
    for (size_t w = 0; w < CONTACTS / RATE * 1000 / WINDOW_MS; w++)
        cr_expect(eq(u64, windows[w], RATE * WINDOW_MS / 1000), "window %zu: %" PRIu64 " arrivals",
                  w, windows[w]);
    for (size_t j = 0; j < journeys->count; j++)
        expect_rate(journeys->journeys[j]->id, entries[j], CONTACTS,
                    loadgen_rates_share(&rates, journeys->journeys[j]->id));
    loadgen_close(gen);
}

/* FNV-1a over every encoded record, its time and contact. */
static uint64_t digest(uint64_t seed, uint64_t contacts, uint64_t *count) {
    loadgen_rates_t rates;
    loadgen_rates_init(&rates);
    loadgen_conf_t conf = base_conf(&rates, contacts, 20);
    conf.seed = seed;
    loadgen_t *gen = open_gen(&conf);
    codec_t *codec = NULL;
    cr_assert(eq(int, codec_open(&codec, errbuf, sizeof errbuf), SY_OK));
    uint64_t h = UINT64_C(1469598103934665603);
    loadgen_item_t item;
    *count = 0;
    while (loadgen_next(gen, &item)) {
        const void *frame;
        size_t len;
        cr_assert(eq(int, loadgen_encode(codec, &item, &frame, &len, errbuf, sizeof errbuf),
                     SY_OK),
                  "encode: %s", errbuf);
        for (size_t i = 0; i < len; i++)
            h = (h ^ ((const unsigned char *)frame)[i]) * UINT64_C(1099511628211);
        h = (h ^ (uint64_t)item.time_ms) * UINT64_C(1099511628211);
        (*count)++;
    }
    codec_close(codec);
    loadgen_close(gen);
    return h;
}

Test(loadgen, the_same_seed_gives_the_same_records_and_another_seed_others) {
    uint64_t n1, n2, n3;
    uint64_t a = digest(5, 3000, &n1), b = digest(5, 3000, &n2), c = digest(6, 3000, &n3);
    cr_expect(eq(u64, n1, n2), "record counts %" PRIu64 " and %" PRIu64, n1, n2);
    cr_expect(eq(u64, a, b), "same seed, different records: %016" PRIx64 " vs %016" PRIx64, a, b);
    cr_expect(ne(u64, a, c), "seeds 5 and 6 gave the same records");
}

/* Memory does not grow with N: 60,000 contacts arriving 1 every 4 s keep about 13 hours'
 * arrivals in flight (the longest answer delay plus a reaction), within the heap fixed at
 * open. */
Test(loadgen, the_in_flight_heap_stays_within_its_bound_for_many_contacts) {
    enum { CONTACTS = 60000 };
    loadgen_rates_t rates;
    loadgen_rates_init(&rates);
    cr_assert(eq(int, loadgen_rates_set(&rates, "background.horizon_ms=3600000", errbuf,
                                sizeof errbuf), SY_OK));
    cr_assert(eq(int, loadgen_rates_set(&rates, "email.engage_delay_max_ms=3600000", errbuf,
                                sizeof errbuf), SY_OK));
    loadgen_conf_t conf = base_conf(&rates, CONTACTS, 0.25);
    loadgen_t *gen = open_gen(&conf);
    loadgen_item_t item;
    uint64_t items = 0;
    while (loadgen_next(gen, &item))
        items++;
    loadgen_stats_t st;
    loadgen_stats_get(gen, &st);
    cr_expect(eq(u64, st.contacts, CONTACTS));
    cr_expect(eq(sz, st.inflight, 0));
    cr_expect_leq(st.inflight_peak, st.inflight_capacity, "peak %zu over capacity %zu",
                  st.inflight_peak, st.inflight_capacity);
    cr_expect_lt(st.inflight_capacity, CONTACTS / 4, "capacity %zu grows with N",
                 st.inflight_capacity);
    cr_expect_gt(items, 4 * (uint64_t)CONTACTS, "%" PRIu64 " records", items);
    loadgen_close(gen);
    /* A span the bound cannot hold is refused, naming what to change. */
    conf.arrival_rate = 1e6;
    conf.contacts = UINT64_C(1) << 40;
    loadgen_t *too_big = NULL;
    cr_expect(eq(int, loadgen_open(&too_big, &conf, errbuf, sizeof errbuf), SY_ERR_INVALID_ARG));
    cr_expect(strstr(errbuf, "arrival rate") != NULL, "message: %s", errbuf);
}

/* Counts of one recording, by topic and by what the value decodes as. */
typedef struct rec_counts {
    uint64_t profiles, events, answers, with_message_id, bad_partition, bad_offset;
} rec_counts_t;

static void read_back(const char *path, rec_counts_t *c) {
    recording_reader_t *reader = NULL;
    codec_t *codec = NULL;
    int64_t next_offset[2][4] = {{0}};
    cr_assert(eq(int, recording_reader_open(&reader, path, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    cr_assert(eq(int, codec_open(&codec, errbuf, sizeof errbuf), SY_OK));
    recording_record_t rec;
    sy_err_t err;
    memset(c, 0, sizeof *c);
    while ((err = recording_reader_next(reader, &rec, errbuf, sizeof errbuf)) == SY_OK) {
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)rec.key_len, (const char *)rec.key);
        int profile = strcmp(rec.topic, "profiles") == 0;
        c->bad_partition += rec.partition != simulate_partition(key, 4);
        c->bad_offset += rec.offset != next_offset[profile][rec.partition & 3]++;
        if (profile) {
            sy_profile_update_t p;
            cr_assert(eq(int,
                         codec_decode_profile_update(codec, rec.value, rec.value_len, &p, errbuf,
                                                  sizeof errbuf), SY_OK), "%s", errbuf);
            c->profiles++;
            continue;
        }
        cr_assert_str_eq(rec.topic, "events");
        sy_event_t ev;
        cr_assert(eq(int, codec_decode_event(codec, rec.value, rec.value_len, &ev, errbuf,
                                     sizeof errbuf), SY_OK), "%s", errbuf);
        cr_assert(eq(i64, ev.occurred_at_ms, rec.timestamp_ms), "timestamp is not the event time");
        c->events++;
        c->answers += ev.journey_id && ev.node_id;
        c->with_message_id += ev.message_id != NULL;
    }
    cr_assert(eq(int, err, SY_ERR_NOT_FOUND), "read: %s", errbuf);
    codec_close(codec);
    recording_reader_close(reader);
}

Test(loadgen, a_recording_reads_back_with_every_record_by_kind) {
    loadgen_rates_t rates;
    loadgen_rates_init(&rates);
    loadgen_conf_t conf = base_conf(&rates, 500, 10);
    loadgen_t *gen = open_gen(&conf);
    char path[] = "/tmp/test_loadgen_rec_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    loadgen_record_conf_t rc = {path, RECORDING_CODEC_DEFLATE, "events", "profiles", 4};
    uint64_t records = 0;
    sy_err_t err = loadgen_record(gen, &rc, &records, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "loadgen_record: %s", errbuf);
    loadgen_stats_t st;
    loadgen_stats_get(gen, &st);
    loadgen_close(gen);
    rec_counts_t c;
    read_back(path, &c);
    unlink(path);
    cr_expect(eq(u64, c.profiles, 500));
    cr_expect(eq(u64, c.profiles + c.events, records));
    cr_expect(eq(u64, c.events, st.items[LOADGEN_ENTRY] + st.items[LOADGEN_ANSWER] +
                            st.items[LOADGEN_REACTION] + st.items[LOADGEN_BACKGROUND]));
    cr_expect(eq(u64, c.answers, st.items[LOADGEN_ANSWER]), "answers naming journey and node");
    cr_expect_gt(c.answers, 0);
    cr_expect(eq(u64, c.with_message_id, 0), "open loop cannot know action ids");
    cr_expect(eq(u64, c.bad_partition, 0), "records not on murmur2(contact) %% 4");
    cr_expect(eq(u64, c.bad_offset, 0), "offsets not consecutive per partition");
}
