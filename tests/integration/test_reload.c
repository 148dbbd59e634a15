/* test_reload.c — `switchyard run` picks up journey files while it runs: contacts that
 * entered version 1 stay on it when version 2 is dropped into journeys.dir (their later
 * branch step uses v1's nodes) while new contacts enter v2; a directory that fails to load
 * changes nothing; version 3 migrates v2's contacts in flight and leaves v1's alone.
 * SIGHUP reloads at once, even a change the 2 s look cannot see, and the service goes on.
 * Everything is read back with read_committed and counted exactly. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "service_fixture.h"

#define RELOAD_DIR SY_SOURCE_ROOT "/tests/integration/reload"
#define GROUP 10  /* contacts per group */
#define GROUPS 6  /* contacts 0..59 */
#define CONTACTS (GROUP * GROUPS)
#define HOUR_MS (3600 * INT64_C(1000))
#define T0_MS INT64_C(1793606400000) /* 2026-11-02T08:00Z */
#define READ_TIMEOUT_MS 120000
/* Longer than the service's 2 s look at journeys.dir, with room for a busy machine. */
#define RELOAD_WAIT_S 5

/* The templates each contact was sent, by contact index: "promo_v1 thanks_v1 ". */
static char sent[CONTACTS][64];
static long undecodable;
static codec_t *codec;

static int contact_index(const char *contact_id) {
    int index = -1;
    if (sscanf(contact_id, "contact-%d", &index) != 1 || index < 0 || index >= CONTACTS)
        return -1;
    return index;
}

static void on_action(void *ctx, const rd_kafka_message_t *m) {
    (void)ctx;
    sy_action_t a;
    char errbuf[256];
    if (codec_decode_action(codec, m->payload, m->len, &a, errbuf, sizeof errbuf) != SY_OK) {
        undecodable++;
        return;
    }
    int i = contact_index(a.contact_id);
    size_t used = i < 0 ? 0 : strlen(sent[i]);
    if (i < 0 || used + strlen(a.template_id) + 2 > sizeof sent[i]) {
        undecodable++;
        return;
    }
    snprintf(sent[i] + used, sizeof sent[i] - used, "%s ", a.template_id);
}

static char ids[CONTACTS][2][64];

/* Contacts first..first+GROUP-1 enter (custom.promo_eligible) or open their promo email
 * (named by journey and node, as providers without message ids report it). */
static void produce_group(const service_t *svc, int first, bool open, int64_t at_ms) {
    sy_event_t events[GROUP];
    for (int k = 0; k < GROUP; k++) {
        int i = first + k;
        snprintf(ids[i][0], sizeof ids[i][0], "ev-%03d-%s", i, open ? "open" : "enter");
        snprintf(ids[i][1], sizeof ids[i][1], "contact-%03d", i);
        events[k] = (sy_event_t){.event_id = ids[i][0], .contact_id = ids[i][1],
                                 .occurred_at_ms = at_ms + k * 1000,
                                 .bounce = SY_BOUNCE_NONE};
        if (open) {
            events[k].channel = SY_CHANNEL_EMAIL;
            events[k].type = SY_EVENT_OPENED;
            events[k].journey_id = "reload_promo";
            events[k].node_id = "promo_email";
        } else {
            events[k].channel = SY_CHANNEL_CUSTOM;
            events[k].type = SY_EVENT_CUSTOM;
            events[k].name = "promo_eligible";
        }
    }
    service_produce_events(svc, events, GROUP);
}

/* Read the email topic until `total` actions arrived; sent[] is rebuilt each time. */
static void read_emails(const service_t *svc, long total) {
    char topic[SERVICE_TOPIC_BYTES + 8];
    memset(sent, 0, sizeof sent);
    service_action_topic(svc, "email", topic, sizeof topic);
    long n = harness_consume_all(harness_bootstrap(), topic, "read_committed", total,
                                 READ_TIMEOUT_MS, on_action, NULL);
    cr_assert(eq(long, n, total), "email actions read: %ld, expected %ld", n, total);
}

static void assert_sent(int first, int last, const char *expected) {
    for (int i = first; i <= last; i++)
        cr_assert(eq(str, sent[i], (char *)expected), "contact-%03d was sent '%s', expected '%s'",
                  i,
                  sent[i], expected);
}

static void drop_file(const service_t *svc, const char *name) {
    char from[512], to[512];
    snprintf(from, sizeof from, "%s/%s", RELOAD_DIR, name);
    snprintf(to, sizeof to, "%s/%s", svc->journeys_dir, name);
    service_copy_file(from, to);
    sleep(RELOAD_WAIT_S);
}

Test(reload, new_versions_take_new_contacts_and_migration_moves_only_its_version,
     .timeout = 600) {
    service_t svc;
    char errbuf[256], path[512];
    cr_assert(eq(int, codec_open(&codec, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    service_prepare_with_journeys(&svc, "reload", RELOAD_DIR "/v1");
    service_start(&svc);

    /* Group 0 and 1 enter v1. */
    produce_group(&svc, 0, false, T0_MS);
    produce_group(&svc, GROUP, false, T0_MS);
    read_emails(&svc, 2 * GROUP);
    assert_sent(0, 2 * GROUP - 1, "promo_v1 ");

    /* v2 arrives: groups 2 and 3 enter it; group 0 (v1) opens and thanks with v1's node,
     * group 2 (v2) with v2's. */
    drop_file(&svc, "reload_promo_v2.yaml");
    produce_group(&svc, 2 * GROUP, false, T0_MS + HOUR_MS);
    produce_group(&svc, 3 * GROUP, false, T0_MS + HOUR_MS);
    read_emails(&svc, 4 * GROUP);
    produce_group(&svc, 0, true, T0_MS + 2 * HOUR_MS);
    produce_group(&svc, 2 * GROUP, true, T0_MS + 2 * HOUR_MS);
    read_emails(&svc, 6 * GROUP);
    assert_sent(0, GROUP - 1, "promo_v1 thanks_v1 ");
    assert_sent(GROUP, 2 * GROUP - 1, "promo_v1 ");
    assert_sent(2 * GROUP, 3 * GROUP - 1, "promo_v2 thanks_v2 ");
    assert_sent(3 * GROUP, 4 * GROUP - 1, "promo_v2 ");

    /* A file that does not load: the reload is refused, v2 still takes entries. */
    drop_file(&svc, "broken.yaml");
    produce_group(&svc, 4 * GROUP, false, T0_MS + 3 * HOUR_MS);
    read_emails(&svc, 7 * GROUP);
    assert_sent(4 * GROUP, 5 * GROUP - 1, "promo_v2 ");
    snprintf(path, sizeof path, "%s/broken.yaml", svc.journeys_dir);
    cr_assert(eq(int, unlink(path), 0), "remove %s", path);

    /* v3 migrates v2's contacts at `outcome`: groups 3 and 4 move; group 1 stays on v1.
     * Group 5 enters v3. */
    drop_file(&svc, "reload_promo_v3.yaml");
    produce_group(&svc, GROUP, true, T0_MS + 4 * HOUR_MS);
    produce_group(&svc, 3 * GROUP, true, T0_MS + 4 * HOUR_MS);
    produce_group(&svc, 5 * GROUP, false, T0_MS + 4 * HOUR_MS);
    read_emails(&svc, 10 * GROUP);
    int status = service_stop(&svc, 60000);
    cr_assert(eq(int, child_exit_code(status), 0),
              "switchyard run did not exit cleanly on SIGTERM (status %d)", status);

    assert_sent(0, GROUP - 1, "promo_v1 thanks_v1 ");
    assert_sent(GROUP, 2 * GROUP - 1, "promo_v1 thanks_v1 ");
    assert_sent(2 * GROUP, 3 * GROUP - 1, "promo_v2 thanks_v2 ");
    assert_sent(3 * GROUP, 4 * GROUP - 1, "promo_v2 thanks_v3 ");
    assert_sent(4 * GROUP, 5 * GROUP - 1, "promo_v2 ");
    assert_sent(5 * GROUP, 6 * GROUP - 1, "promo_v3 ");
    cr_assert(eq(long, undecodable, 0), "undecodable or unexpected actions: %ld", undecodable);
    codec_close(codec);
    service_cleanup(&svc);
}

/* Write from's content over to in place, padded with a comment to to's size, and give to
 * its old modification time back: the same name, size and time, so only a reload that
 * reads the files (SIGHUP) can see the change. */
static void replace_unseen(const char *from, const char *to) {
    static char text[4096];
    struct stat before;
    cr_assert(eq(int, stat(to, &before), 0), "stat %s", to);
    FILE *f = fopen(from, "r");
    cr_assert_not_null(f, "open %s", from);
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    cr_assert(lt(sz, n + 2, (size_t)before.st_size), "%s is not shorter than %s", from, to);
    text[n++] = '#';
    while (n + 1 < (size_t)before.st_size)
        text[n++] = ' ';
    text[n++] = '\n';
    f = fopen(to, "w");
    cr_assert_not_null(f, "write %s", to);
    cr_assert(eq(sz, fwrite(text, 1, n, f), n));
    cr_assert(eq(int, fclose(f), 0));
    struct timespec times[2] = {before.st_atim, before.st_mtim};
    cr_assert(eq(int, utimensat(AT_FDCWD, to, times, 0), 0), "utimensat %s", to);
}

Test(reload, sighup_reloads_at_once_and_the_service_keeps_running, .timeout = 300) {
    service_t svc;
    char errbuf[256], path[512];
    cr_assert(eq(int, codec_open(&codec, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    service_prepare_with_journeys(&svc, "sighup", RELOAD_DIR "/v1");
    service_start(&svc);
    produce_group(&svc, 0, false, T0_MS);
    read_emails(&svc, GROUP);
    assert_sent(0, GROUP - 1, "promo_v1 ");

    /* v2's content under v1's name, size and time: the periodic look misses it. */
    snprintf(path, sizeof path, "%s/reload_promo.yaml", svc.journeys_dir);
    replace_unseen(RELOAD_DIR "/reload_promo_v2.yaml", path);
    sleep(RELOAD_WAIT_S);
    produce_group(&svc, GROUP, false, T0_MS + HOUR_MS);
    read_emails(&svc, 2 * GROUP);
    assert_sent(GROUP, 2 * GROUP - 1, "promo_v1 ");

    cr_assert(eq(int, kill(svc.pid, SIGHUP), 0), "kill -HUP");
    sleep(2);
    int status = 0;
    cr_assert(eq(int, waitpid(svc.pid, &status, WNOHANG), 0),
              "switchyard run ended on SIGHUP (status %d)", status);
    produce_group(&svc, 2 * GROUP, false, T0_MS + 2 * HOUR_MS);
    read_emails(&svc, 3 * GROUP);
    assert_sent(2 * GROUP, 3 * GROUP - 1, "promo_v2 ");
    assert_sent(0, GROUP - 1, "promo_v1 ");

    status = service_stop(&svc, 60000);
    cr_assert(eq(int, child_exit_code(status), 0),
              "switchyard run did not exit cleanly on SIGTERM (status %d)", status);
    cr_assert(eq(long, undecodable, 0), "undecodable or unexpected actions: %ld", undecodable);
    codec_close(codec);
    service_cleanup(&svc);
}
