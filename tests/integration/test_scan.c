/* test_scan.c — the deploy-time scan against the real broker: profiles are stored by a
 * running service, then a journey with `on_deploy: scan` is added to journeys.dir; exactly
 * the stored contacts that match get its email, once each, read under read_committed —
 * also when the service is killed with SIGKILL during the scan and started again (the
 * scan goes on from its committed cursor), with its state directory or without it (the
 * cursor comes back from the changelog, as when a partition moves to another instance).
 * The scan rate is low so the kill lands inside the scan; nothing asserts on time. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "service_fixture.h"
#include "sy_clock.h"

#define SCAN_DIR SY_SOURCE_ROOT "/tests/integration/scan"
#define BASE_DIR SY_SOURCE_ROOT "/tests/integration/targeting/base"
#define T0_MS INT64_C(1793606400000) /* 2026-11-02T08:00Z */
/* Stored contacts; every GOLD_EVERY-th is gold. */
#define CONTACTS 3000
#define GOLD_EVERY 4
#define GOLD (CONTACTS / GOLD_EVERY)
/* Contacts a second per partition: 4 partitions scan 3,000 profiles in about 15 s, so the
 * kill, after a tenth of the emails, lands well inside the scan. */
#define SCAN_RATE 50
/* Stops a scan that never ends; far above the seconds expected. */
#define BOUND_MS 120000

static codec_t *codec;

static void produce_profiles(const service_t *svc) {
    char errbuf[256], id[32];
    harness_producer_t *producer = NULL;
    cr_assert(eq(int, harness_producer_new(&producer, harness_bootstrap(), NULL, errbuf,
                                           sizeof errbuf), SY_OK), "%s", errbuf);
    static sy_profile_update_t u;
    for (int i = 0; i < CONTACTS; i++) {
        const void *frame;
        size_t len;
        snprintf(id, sizeof id, "s-%05d", i);
        u = (sy_profile_update_t){.contact_id = id, .updated_at_ms = T0_MS, .set_count = 1};
        const char *tier = i % GOLD_EVERY == 0 ? "gold" : "basic";
        u.set[0] = (sy_attr_t){"tier", {.kind = SY_VALUE_STRING, .u.s = tier}};
        cr_assert(eq(int, codec_encode_profile_update(codec, &u, &frame, &len, errbuf,
                                                      sizeof errbuf), SY_OK), "%s", errbuf);
        cr_assert(eq(int, harness_produce(producer, svc->profiles, id, strlen(id), frame, len),
                     SY_OK), "produce %s", id);
    }
    cr_assert(eq(int, harness_producer_flush_close(producer, 30000, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
}

/* Emails of template scan_gold per contact number, and any to other contacts. */
typedef struct tally {
    int per_contact[CONTACTS];
    long total, wrong;
} tally_t;

static void tally_action(void *ctx, const rd_kafka_message_t *m) {
    tally_t *t = ctx;
    sy_action_t a;
    char errbuf[256];
    int n = -1;
    if (codec_decode_action(codec, m->payload, m->len, &a, errbuf, sizeof errbuf) != SY_OK ||
        strcmp(a.template_id, "scan_gold") != 0)
        return;
    t->total++;
    if (sscanf(a.contact_id, "s-%d", &n) != 1 || n < 0 || n >= CONTACTS || n % GOLD_EVERY)
        t->wrong++;
    else
        t->per_contact[n]++;
}

/* Read the email topic to its end under read_committed into t. */
static void tally_read(const service_t *svc, tally_t *t) {
    char topic[SERVICE_TOPIC_BYTES + 8];
    memset(t, 0, sizeof *t);
    service_action_topic(svc, "email", topic, sizeof topic);
    long n = harness_consume_all(harness_bootstrap(), topic, "read_committed", -1, 60000,
                                 tally_action, t);
    cr_assert_geq(n, 0, "read %s", topic);
}

/* Wait until at least want scan emails are committed; asserts within BOUND_MS. */
static void wait_emails(const service_t *svc, long want, tally_t *t) {
    int64_t since = sy_clock_mono_ms();
    for (;;) {
        tally_read(svc, t);
        if (t->total >= want)
            return;
        cr_assert(sy_clock_mono_ms() - since < BOUND_MS, "%ld of %ld scan emails after %d ms",
                  t->total, want, BOUND_MS);
        usleep(200 * 1000);
    }
}

static void deploy_scan(const service_t *svc) {
    char tmp[512], to[512];
    snprintf(tmp, sizeof tmp, "%s/scan_gold.yaml.tmp", svc->journeys_dir);
    snprintf(to, sizeof to, "%s/scan_gold.yaml", svc->journeys_dir);
    service_copy_file(SCAN_DIR "/scan_gold.yaml", tmp);
    cr_assert(eq(int, rename(tmp, to), 0), "rename %s", tmp);
}

/* A service over BASE_DIR with the profiles stored (committed by it). */
static void setup(service_t *svc, const char *name) {
    char errbuf[256];
    cr_assert(eq(int, codec_open(&codec, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    service_prepare_with_journeys(svc, name, BASE_DIR);
    FILE *f = fopen(svc->config_path, "a");
    cr_assert_not_null(f, "open %s", svc->config_path);
    fprintf(f, "journeys.reload.interval.ms = 100\njourneys.scan.rate = %d\n", SCAN_RATE);
    cr_assert(eq(int, fclose(f), 0));
    service_start(svc);
    produce_profiles(svc);
    service_wait_profiles_read(svc, CONTACTS);
}

/* Stop cleanly, then: every gold contact got exactly one scan email, no one else any. */
static void check_exactly_once(service_t *svc) {
    tally_t *t = calloc(1, sizeof *t);
    cr_assert_not_null(t);
    int status = service_stop(svc, 60000);
    cr_assert(eq(int, child_exit_code(status), 0), "exit status %d", status);
    tally_read(svc, t);
    int missing = 0, twice = 0;
    for (int i = 0; i < CONTACTS; i += GOLD_EVERY) {
        missing += t->per_contact[i] == 0;
        twice += t->per_contact[i] > 1;
    }
    cr_expect(eq(long, t->wrong, 0), "emails to contacts that do not match");
    cr_expect(eq(int, missing, 0), "gold contacts never entered");
    cr_expect(eq(int, twice, 0), "gold contacts entered more than once");
    cr_expect(eq(long, t->total, GOLD), "scan emails in all");
    free(t);
    codec_close(codec);
    service_cleanup(svc);
}

/* A read_committed consumer of svc's email topic, from the beginning. */
static rd_kafka_t *emails_open(const service_t *svc) {
    char topic[SERVICE_TOPIC_BYTES + 8];
    service_action_topic(svc, "email", topic, sizeof topic);
    rd_kafka_t *consumer = harness_consumer_new(harness_bootstrap(), topic, "read_committed",
                                                30000);
    cr_assert_not_null(consumer, "consumer of %s", topic);
    return consumer;
}

static void emails_close(rd_kafka_t *consumer) {
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
}

/* Poll consumer until it has read want scan emails; the milliseconds from since_ms.
 * Asserts within BOUND_MS. */
static int64_t emails_until(rd_kafka_t *consumer, long want, int64_t since_ms) {
    tally_t *t = calloc(1, sizeof *t);
    cr_assert_not_null(t);
    while (t->total < want) {
        cr_assert(sy_clock_mono_ms() - since_ms < BOUND_MS, "%ld of %ld scan emails "
                  "within %d ms", t->total, want, BOUND_MS);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 50);
        if (m && !m->err)
            tally_action(t, m);
        if (m)
            rd_kafka_message_destroy(m);
    }
    free(t);
    return sy_clock_mono_ms() - since_ms;
}

Test(scan, a_journey_deployed_with_on_deploy_scan_enters_the_stored_matches_once,
     .timeout = 600) {
    service_t svc;
    setup(&svc, "scan");
    rd_kafka_t *emails = emails_open(&svc);
    int64_t at_ms = sy_clock_mono_ms();
    deploy_scan(&svc);
    /* Printed, not asserted (journeys.reload.interval.ms = 100). */
    printf("scan: deploy to first scan email %lld ms\n",
           (long long)emails_until(emails, 1, at_ms));
    fflush(stdout);
    emails_close(emails);
    tally_t *t = calloc(1, sizeof *t);
    cr_assert_not_null(t);
    wait_emails(&svc, GOLD, t);
    free(t);
    check_exactly_once(&svc);
}

/* Kill the service once want scan emails are committed; lose its disk too when asked (its
 * partitions then come back from the changelog, as on another instance); start it again. */
static void kill_and_restart(service_t *svc, rd_kafka_t *emails, long want, bool lose_disk) {
    emails_until(emails, want, sy_clock_mono_ms());
    kill(svc->pid, SIGKILL);
    int status;
    waitpid(svc->pid, &status, 0);
    svc->pid = 0;
    tally_t *t = calloc(1, sizeof *t);
    cr_assert_not_null(t);
    tally_read(svc, t);
    /* Printed, not asserted: where the kill lands is the box's timing. */
    printf("scan: killed with %ld of %d scan emails committed%s\n", t->total, GOLD,
           lose_disk ? ", state directory removed" : "");
    fflush(stdout);
    free(t);
    if (lose_disk)
        service_remove_state(svc);
    service_start(svc);
}

Test(scan, a_scan_killed_midway_goes_on_from_its_cursor_after_a_restart, .timeout = 600) {
    service_t svc;
    setup(&svc, "scan-kill");
    rd_kafka_t *emails = emails_open(&svc);
    deploy_scan(&svc);
    kill_and_restart(&svc, emails, GOLD / 10, false);
    emails_close(emails);
    tally_t *t = calloc(1, sizeof *t);
    cr_assert_not_null(t);
    wait_emails(&svc, GOLD, t);
    free(t);
    check_exactly_once(&svc);
}

Test(scan, a_scan_whose_state_is_lost_midway_goes_on_from_the_changelog, .timeout = 600) {
    service_t svc;
    setup(&svc, "scan-lost");
    rd_kafka_t *emails = emails_open(&svc);
    deploy_scan(&svc);
    kill_and_restart(&svc, emails, GOLD / 10, true);
    emails_close(emails);
    tally_t *t = calloc(1, sizeof *t);
    cr_assert_not_null(t);
    wait_emails(&svc, GOLD, t);
    free(t);
    check_exactly_once(&svc);
}
