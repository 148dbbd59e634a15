/* service_fixture.c — starting and stopping `switchyard run` against the test broker. */
#include "service_fixture.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "child.h"
#include "text_file.h"
#include "tmpdir.h"

#define SERVICE_CALL_TIMEOUT_MS 60000

/* The config's topics, made by `switchyard topics create` as a deployment makes them: the
 * test broker does not create topics on first use. */
static void create_topics(const service_t *svc) {
    char command[512], out[8192];
    snprintf(command, sizeof command, "'%s' topics create --config '%s' 2>&1", SWITCHYARD_BIN,
             svc->config_path);
    int code = child_run(command, out, sizeof out);
    cr_assert(eq(int, code, 0), "%s: exit %d\n%s", command, code, out);
}

void service_prepare(service_t *svc, const char *name) {
    char base[96], text[2048];
    memset(svc, 0, sizeof *svc);
    snprintf(svc->dir, sizeof svc->dir, "/tmp/switchyard-it-XXXXXX");
    cr_assert_not_null(mkdtemp(svc->dir), "mkdtemp failed");
    harness_topic_name(name, base, sizeof base);
    snprintf(svc->events, sizeof svc->events, "%s.events", base);
    snprintf(svc->decisions, sizeof svc->decisions, "%s.decisions", base);
    snprintf(svc->actions_prefix, sizeof svc->actions_prefix, "%s.actions.", base);
    snprintf(svc->contact_updates, sizeof svc->contact_updates, "%s.contact-updates", base);
    snprintf(svc->dlq, sizeof svc->dlq, "%s.dlq", base);
    snprintf(svc->changelog, sizeof svc->changelog, "%s.changelog", base);
    snprintf(svc->state_dir, sizeof svc->state_dir, "%s/state", svc->dir);
    snprintf(svc->profiles, sizeof svc->profiles, "%.140s.profiles", svc->events);
    snprintf(svc->config_path, sizeof svc->config_path, "%s/switchyard.conf", svc->dir);
    snprintf(text, sizeof text,
             "journeys.dir = %s/examples/journeys\nstate.dir = %s\n"
             "group.id = %s\ntime.mode = event\n"
             "topic.events = %s\ntopic.profiles = %s\ntopic.decisions = %s\n"
             "topic.actions.prefix = %s\ntopic.contact_updates = %s\ntopic.dlq = %s\n"
             "topic.changelog = %s\ntopics.partitions = %d\n"
             "kafka.bootstrap.servers = %s\n",
             SY_SOURCE_ROOT, svc->state_dir, base, svc->events, svc->profiles,
             svc->decisions, svc->actions_prefix, svc->contact_updates, svc->dlq,
             svc->changelog, SERVICE_PARTITIONS, harness_bootstrap());
    cr_assert(eq(int, text_file_write(svc->config_path, text), 0), "write %s", svc->config_path);
    create_topics(svc);
}

void service_copy_file(const char *from, const char *to) {
    char chunk[8192];
    size_t n;
    FILE *in = fopen(from, "rb");
    cr_assert_not_null(in, "open %s", from);
    /* Write a temporary then rename: the service never reads a half-written file. */
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s.tmp~", to);
    FILE *out = fopen(tmp, "wb");
    cr_assert_not_null(out, "create %s", tmp);
    while ((n = fread(chunk, 1, sizeof chunk, in)) > 0)
        cr_assert(eq(sz, fwrite(chunk, 1, n, out), n), "write %s", tmp);
    fclose(in);
    cr_assert(eq(int, fclose(out), 0), "close %s", tmp);
    cr_assert(eq(int, rename(tmp, to), 0), "rename %s to %s", tmp, to);
}

void service_prepare_with_journeys(service_t *svc, const char *name,
                                   const char *journeys_dir) {
    char line[512];
    service_prepare(svc, name);
    snprintf(svc->journeys_dir, sizeof svc->journeys_dir, "%s/journeys", svc->dir);
    cr_assert(eq(int, mkdir(svc->journeys_dir, 0755), 0), "mkdir %s", svc->journeys_dir);
    DIR *d = opendir(journeys_dir);
    cr_assert_not_null(d, "open %s", journeys_dir);
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        char from[512], to[512];
        if (e->d_name[0] == '.')
            continue;
        snprintf(from, sizeof from, "%s/%s", journeys_dir, e->d_name);
        snprintf(to, sizeof to, "%s/%s", svc->journeys_dir, e->d_name);
        service_copy_file(from, to);
    }
    closedir(d);
    /* The config names each option once: write it again without its journeys.dir line
     * (the first), then the copy. */
    char text[4096];
    FILE *f = fopen(svc->config_path, "r");
    cr_assert_not_null(f, "open %s", svc->config_path);
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    const char *rest = strchr(text, '\n');
    cr_assert(strncmp(text, "journeys.dir", 12) == 0 && rest, "unexpected config %s", text);
    f = fopen(svc->config_path, "w");
    cr_assert_not_null(f, "rewrite %s", svc->config_path);
    snprintf(line, sizeof line, "journeys.dir = %s", svc->journeys_dir);
    fputs(line, f);
    fputs(rest, f);
    cr_assert(eq(int, fclose(f), 0), "write %s", svc->config_path);
}

void service_start(service_t *svc) {
    char *argv[] = {SWITCHYARD_BIN, "run", "--config", svc->config_path, NULL};
    svc->pid = child_spawn(argv);
    cr_assert_gt(svc->pid, 0, "could not start %s", SWITCHYARD_BIN);
}

int service_stop(service_t *svc, int timeout_ms) {
    int status = -1;
    if (svc->pid > 0)
        child_signal_and_wait(svc->pid, SIGTERM, timeout_ms, &status);
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
    cr_assert(eq(int, codec_open(&codec, errbuf, sizeof errbuf), SY_OK), "codec: %s", errbuf);
    cr_assert(eq(int, harness_producer_new(&p, harness_bootstrap(), NULL, errbuf, sizeof errbuf),
              SY_OK), "producer: %s", errbuf);
    for (size_t i = 0; i < count; i++) {
        const void *frame;
        size_t len;
        sy_err_t err = codec_encode_event(codec, &events[i], &frame, &len, errbuf,
                                          sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "encode event %zu: %s", i, errbuf);
        err = harness_produce(p, svc->events, events[i].contact_id,
                              strlen(events[i].contact_id), frame, len);
        cr_assert(eq(int, err, SY_OK), "produce event %zu", i);
    }
    cr_assert(eq(int, harness_producer_flush_close(p, SERVICE_CALL_TIMEOUT_MS, errbuf,
                                           sizeof errbuf),
              SY_OK), "flush: %s", errbuf);
    codec_close(codec);
}

void service_remove_state(service_t *svc) {
    cr_assert(eq(int, svc->pid, 0), "remove the state of a running service");
    cr_assert(eq(int, tmpdir_remove(svc->state_dir), 0),
              "remove %s", svc->state_dir);
    struct stat st;
    cr_assert(ne(int, stat(svc->state_dir, &st), 0), "%s is still there", svc->state_dir);
}

void service_cleanup(service_t *svc) {
    if (svc->pid > 0)
        service_stop(svc, 30000);
    if (svc->dir[0])
        tmpdir_remove(svc->dir);
}
