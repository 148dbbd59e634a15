/* service_fixture.c — starting and stopping `switchyard run` against the test broker. */
#include "service_fixture.h"

#include <criterion/criterion.h>

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define SERVICE_CALL_TIMEOUT_MS 60000

void service_prepare(service_t *svc, const char *name) {
    char errbuf[512] = "", base[96], text[2048];
    memset(svc, 0, sizeof *svc);
    snprintf(svc->dir, sizeof svc->dir, "/tmp/switchyard-it-XXXXXX");
    cr_assert_not_null(mkdtemp(svc->dir), "mkdtemp failed");
    harness_topic_name(name, base, sizeof base);
    snprintf(svc->events, sizeof svc->events, "%s.events", base);
    snprintf(svc->decisions, sizeof svc->decisions, "%s.decisions", base);
    snprintf(svc->actions_prefix, sizeof svc->actions_prefix, "%s.actions.", base);
    snprintf(svc->contact_updates, sizeof svc->contact_updates, "%s.contact-updates", base);
    snprintf(svc->dlq, sizeof svc->dlq, "%s.dlq", base);
    char email[SERVICE_TOPIC_BYTES + 8], push[SERVICE_TOPIC_BYTES + 8];
    service_action_topic(svc, "email", email, sizeof email);
    service_action_topic(svc, "push", push, sizeof push);
    const char *names[] = {svc->events, svc->decisions, svc->contact_updates, svc->dlq,
                           email, push};
    sy_err_t err = harness_create_topics(harness_bootstrap(), names, 6, SERVICE_PARTITIONS,
                                         errbuf, sizeof errbuf);
    cr_assert_eq(err, SY_OK, "create topics: %s", errbuf);
    snprintf(svc->config_path, sizeof svc->config_path, "%s/switchyard.conf", svc->dir);
    snprintf(text, sizeof text,
             "journeys.dir = %s/examples/journeys\nstate.dir = %s/state\n"
             "group.id = %s\ntime.mode = event\n"
             "topic.events = %s\ntopic.decisions = %s\ntopic.actions.prefix = %s\n"
             "topic.contact_updates = %s\ntopic.dlq = %s\n"
             "kafka.bootstrap.servers = %s\n",
             SY_SOURCE_ROOT, svc->dir, base, svc->events, svc->decisions, svc->actions_prefix,
             svc->contact_updates, svc->dlq, harness_bootstrap());
    cr_assert_eq(harness_write_file(svc->config_path, text), 0, "write %s", svc->config_path);
}

void service_start(service_t *svc) {
    char *argv[] = {SWITCHYARD_BIN, "run", "--config", svc->config_path, NULL};
    svc->pid = harness_spawn(argv);
    cr_assert_gt(svc->pid, 0, "could not start %s", SWITCHYARD_BIN);
}

int service_stop(service_t *svc, int timeout_ms) {
    int status = -1;
    if (svc->pid > 0)
        harness_signal_and_wait(svc->pid, SIGTERM, timeout_ms, &status);
    svc->pid = 0;
    return status;
}

const char *service_action_topic(const service_t *svc, const char *channel, char *buf,
                                 size_t size) {
    snprintf(buf, size, "%s%s", svc->actions_prefix, channel);
    return buf;
}

void service_produce_events(const service_t *svc, const sy_event_t *events, size_t count) {
    char errbuf[512] = "";
    codec_t *codec = NULL;
    harness_producer_t *p = NULL;
    cr_assert_eq(codec_open(&codec, errbuf, sizeof errbuf), SY_OK, "codec: %s", errbuf);
    cr_assert_eq(harness_producer_new(&p, harness_bootstrap(), NULL, errbuf, sizeof errbuf),
                 SY_OK, "producer: %s", errbuf);
    for (size_t i = 0; i < count; i++) {
        const void *frame;
        size_t len;
        sy_err_t err = codec_encode_event(codec, &events[i], &frame, &len, errbuf,
                                          sizeof errbuf);
        cr_assert_eq(err, SY_OK, "encode event %zu: %s", i, errbuf);
        err = harness_produce(p, svc->events, events[i].contact_id,
                              strlen(events[i].contact_id), frame, len);
        cr_assert_eq(err, SY_OK, "produce event %zu", i);
    }
    cr_assert_eq(harness_producer_flush_close(p, SERVICE_CALL_TIMEOUT_MS, errbuf,
                                              sizeof errbuf),
                 SY_OK, "flush: %s", errbuf);
    codec_close(codec);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void service_cleanup(service_t *svc) {
    if (svc->pid > 0)
        service_stop(svc, 30000);
    if (svc->dir[0])
        nftw(svc->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}
