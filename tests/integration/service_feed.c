/* service_feed.c — feeding a service under test from a JSON-lines event file (the format
 * of `switchyard simulate`): its profile updates or its events produced in file order to
 * the service's topics, and the service's group: a handle on it, and waiting until it
 * has read the profiles.
 * Part of service_fixture.h; not the service process itself (service_fixture.c). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "event_json.h"
#include "service_fixture.h"

/* Longest line of a test event file: well above any line the test files hold. */
#define SERVICE_FEED_LINE_BYTES 8192
/* How long the service may take to commit the profiles it was given. */
#define SERVICE_FEED_WAIT_MS 120000

long service_produce_jsonl(const service_t *svc, const char *path, int profiles_pass) {
    char line[SERVICE_FEED_LINE_BYTES], errbuf[512];
    event_json_t *parser = NULL;
    harness_producer_t *p = NULL;
    codec_t *codec = NULL;
    long produced = 0;
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    cr_assert(eq(int, codec_open(&codec, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, event_json_open(&parser, path, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, harness_producer_new(&p, harness_bootstrap(), NULL, errbuf, sizeof errbuf),
              SY_OK), "%s", errbuf);
    for (long n = 1; fgets(line, sizeof line, f); n++) {
        event_json_line_t l;
        const void *frame = NULL;
        size_t len = 0;
        const char *topic = NULL, *key = NULL;
        sy_err_t err = event_json_parse(parser, line, strlen(line), n, &l, errbuf,
                                        sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "%s", errbuf);
        if (l.kind == EVENT_JSON_PROFILE && profiles_pass) {
            err = codec_encode_profile_update(codec, l.profile, &frame, &len, errbuf,
                                              sizeof errbuf);
            topic = svc->profiles, key = l.profile->contact_id;
        } else if (l.kind == EVENT_JSON_EVENT && !profiles_pass) {
            err = codec_encode_event(codec, l.event, &frame, &len, errbuf, sizeof errbuf);
            topic = svc->events, key = l.event->contact_id;
        }
        cr_assert(eq(int, err, SY_OK), "%s:%ld: %s", path, n, errbuf);
        if (topic) {
            cr_assert(eq(int, harness_produce(p, topic, key, strlen(key), frame, len), SY_OK));
            produced++;
        }
    }
    cr_assert(eq(int, harness_producer_flush_close(p, 60000, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
    event_json_close(parser);
    codec_close(codec);
    fclose(f);
    return produced;
}

rd_kafka_t *service_group_handle(const service_t *svc) {
    char errbuf[512], group[SERVICE_TOPIC_BYTES];
    snprintf(group, sizeof group, "%.*s", (int)(strlen(svc->events) - strlen(".events")),
             svc->events);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", harness_bootstrap(), errbuf, sizeof errbuf);
    rd_kafka_conf_set(conf, "group.id", group, errbuf, sizeof errbuf);
    rd_kafka_conf_set(conf, "log_level", "3", errbuf, sizeof errbuf);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errbuf, sizeof errbuf);
    cr_assert_not_null(rk, "%s", errbuf);
    return rk;
}

void service_wait_profiles_read(const service_t *svc, long count) {
    rd_kafka_t *rk = service_group_handle(svc);
    long committed = 0;
    for (int waited = 0; committed < count && waited < SERVICE_FEED_WAIT_MS; waited += 200) {
        rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(8);
        for (int p = 0; p < SERVICE_PARTITIONS; p++)
            rd_kafka_topic_partition_list_add(parts, svc->profiles, p);
        committed = 0;
        if (rd_kafka_committed(rk, parts, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR)
            for (int i = 0; i < parts->cnt; i++)
                committed += parts->elems[i].offset > 0 ? parts->elems[i].offset : 0;
        rd_kafka_topic_partition_list_destroy(parts);
        if (committed < count)
            usleep(200 * 1000);
    }
    rd_kafka_destroy(rk);
    cr_assert(eq(long, committed, count), "the service read %ld of %ld profile updates", committed,
              count);
}
