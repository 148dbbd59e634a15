/* test_targeting.c — targeting in seconds: a journey file added to journeys.dir of a
 * running service (journeys.reload.interval.ms = 100) enters its first contact, for an
 * event entry and for an audience entry (`when:` over the profile). Entry records for new
 * contacts are produced one at a time while an action of the new journey is awaited
 * under read_committed. The deploy-to-first-action time is printed; only a generous bound
 * stops the test, nothing asserts on the time. Not a benchmark. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "service_fixture.h"
#include "sy_clock.h"

#define TARGET_DIR SY_SOURCE_ROOT "/tests/integration/targeting"
#define T0_MS INT64_C(1793606400000) /* 2026-11-02T08:00Z */
/* Stops a test whose journey never enters anyone; far above the seconds expected. */
#define BOUND_MS 60000
/* How long one poll for an action waits between two entry records. */
#define POLL_MS 50

static codec_t *codec;
static harness_producer_t *producer;
static rd_kafka_t *emails;
static char ids[2][64];

static void produce_frame(const char *topic, const char *key, const void *frame, size_t len) {
    cr_assert(eq(int, harness_produce(producer, topic, key, strlen(key), frame, len), SY_OK),
              "produce to %s", topic);
    cr_assert(eq(int, rd_kafka_flush(harness_producer_handle(producer), 10000),
                 RD_KAFKA_RESP_ERR_NO_ERROR), "flush to %s", topic);
}

/* Entry record i: custom.<name> for contact <prefix>-<i>, or its profile with score 1. */
static void produce_entry(const service_t *svc, const char *prefix, int i, bool profile) {
    char errbuf[256];
    const void *frame;
    size_t len;
    int64_t at_ms = T0_MS + (int64_t)i * 1000;
    snprintf(ids[0], sizeof ids[0], "%s-%d", prefix, i);
    snprintf(ids[1], sizeof ids[1], "%s-%d-ev", prefix, i);
    sy_err_t err;
    if (profile) {
        static sy_profile_update_t u;
        u = (sy_profile_update_t){.contact_id = ids[0], .updated_at_ms = at_ms,
                                  .set_count = 1};
        u.set[0] = (sy_attr_t){"score", {.kind = SY_VALUE_DOUBLE, .u.d = 1}};
        err = codec_encode_profile_update(codec, &u, &frame, &len, errbuf, sizeof errbuf);
    } else {
        sy_event_t ev = {.event_id = ids[1], .contact_id = ids[0], .occurred_at_ms = at_ms,
                         .channel = SY_CHANNEL_CUSTOM, .type = SY_EVENT_CUSTOM,
                         .name = strcmp(prefix, "warm") == 0 ? "promo_eligible"
                                                              : "target_now",
                         .bounce = SY_BOUNCE_NONE};
        err = codec_encode_event(codec, &ev, &frame, &len, errbuf, sizeof errbuf);
    }
    cr_assert(eq(int, err, SY_OK), "encode: %s", errbuf);
    produce_frame(profile ? svc->profiles : svc->events, ids[0], frame, len);
}

/* Poll the email topic up to POLL_MS: true when an action of template_id came. */
static bool action_seen(const char *template_id) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(emails, POLL_MS);
    bool seen = false;
    if (m && !m->err) {
        sy_action_t a;
        char errbuf[256];
        seen = codec_decode_action(codec, m->payload, m->len, &a, errbuf, sizeof errbuf) ==
                   SY_OK && strcmp(a.template_id, template_id) == 0;
    }
    if (m)
        rd_kafka_message_destroy(m);
    return seen;
}

/* Produce entry records for new contacts until an action of template_id is read; the
 * milliseconds from since_ms to it. Asserts within BOUND_MS. */
static int64_t first_action_ms(const service_t *svc, const char *prefix, bool profile,
                               const char *template_id, int64_t since_ms) {
    for (int i = 0; sy_clock_mono_ms() - since_ms < BOUND_MS; i++) {
        produce_entry(svc, prefix, i, profile);
        for (int k = 0; k < 4; k++)
            if (action_seen(template_id))
                return sy_clock_mono_ms() - since_ms;
    }
    cr_assert(false, "no %s action within %d ms of the deploy", template_id, BOUND_MS);
    return -1;
}

/* Write name into journeys.dir as a deploy would: a temporary name, then a rename. The
 * monotonic time of the rename. */
static int64_t deploy(const service_t *svc, const char *name) {
    char from[512], tmp[512], to[512];
    snprintf(from, sizeof from, "%s/%s", TARGET_DIR, name);
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", svc->journeys_dir, name);
    snprintf(to, sizeof to, "%s/%s", svc->journeys_dir, name);
    service_copy_file(from, tmp);
    int64_t at_ms = sy_clock_mono_ms();
    cr_assert(eq(int, rename(tmp, to), 0), "rename %s", tmp);
    return at_ms;
}

static void setup(service_t *svc) {
    char errbuf[256];
    cr_assert(eq(int, codec_open(&codec, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, harness_producer_new(&producer, harness_bootstrap(), NULL, errbuf,
                                           sizeof errbuf), SY_OK), "%s", errbuf);
    service_prepare_with_journeys(svc, "targeting", TARGET_DIR "/base");
    FILE *f = fopen(svc->config_path, "a");
    cr_assert_not_null(f, "open %s", svc->config_path);
    fputs("journeys.reload.interval.ms = 100\n", f);
    cr_assert(eq(int, fclose(f), 0));
    char topic[SERVICE_TOPIC_BYTES + 8];
    service_action_topic(svc, "email", topic, sizeof topic);
    emails = harness_consumer_new(harness_bootstrap(), topic, "read_committed", 30000);
    cr_assert_not_null(emails, "consumer of %s", topic);
    service_start(svc);
    /* The service is up and consuming once the journey it started with sends. */
    int64_t start_ms = sy_clock_mono_ms();
    int64_t up_ms = first_action_ms(svc, "warm", false, "promo_v1", start_ms);
    printf("targeting: service up and sending %lld ms after start\n", (long long)up_ms);
}

static void teardown(service_t *svc) {
    char errbuf[256];
    int status = service_stop(svc, 60000);
    cr_assert(eq(int, child_exit_code(status), 0),
              "switchyard run did not exit cleanly on SIGTERM (status %d)", status);
    rd_kafka_consumer_close(emails);
    rd_kafka_destroy(emails);
    cr_assert(eq(int, harness_producer_flush_close(producer, 10000, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    codec_close(codec);
    service_cleanup(svc);
}

Test(targeting, a_journey_added_to_journeys_dir_enters_its_first_contacts, .timeout = 600) {
    service_t svc;
    setup(&svc);
    int64_t at_ms = deploy(&svc, "target_event.yaml");
    int64_t event_ms = first_action_ms(&svc, "ev", false, "target_event", at_ms);
    printf("targeting: event entry, deploy to first action %lld ms\n", (long long)event_ms);
    at_ms = deploy(&svc, "target_audience.yaml");
    int64_t audience_ms = first_action_ms(&svc, "aud", true, "target_audience", at_ms);
    printf("targeting: audience entry, deploy to first action %lld ms\n",
           (long long)audience_ms);
    fflush(stdout);
    teardown(&svc);
}
