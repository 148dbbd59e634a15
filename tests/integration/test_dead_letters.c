/* test_dead_letters.c — records that cannot be decoded, put among good ones on the events
 * topic of a running `switchyard run`: each one lands in the dead-letter topic with
 * headers naming its topic, partition, offset and error, carrying the original bytes,
 * and every good record is still processed. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "service_fixture.h"

#define GOOD 300
#define READ_TIMEOUT_MS 120000

/* One corrupted record: its key, its bytes, and the error it must be reported with. */
typedef struct bad_record {
    char key[32];
    unsigned char value[256];
    size_t len;
    const char *error;
    int seen;            /* times read from the dead-letter topic */
    int headers_ok;      /* topic/partition/offset/error headers present and right */
    int body_ok;         /* DeadLetter record carries the original value and error */
} bad_record_t;

enum { BAD_KINDS = 6, BAD_PER_KIND = 5, BAD = BAD_KINDS * BAD_PER_KIND };

static bad_record_t bad[BAD];
static const char *events_topic;
static codec_t *codec;

/* A valid frame of an engagement event, to corrupt. */
static size_t good_frame(int index, unsigned char *out, size_t size) {
    char event_id[32], contact_id[32], errbuf[256];
    const void *frame;
    size_t len;
    snprintf(event_id, sizeof event_id, "good-%04d", index);
    snprintf(contact_id, sizeof contact_id, "contact-%04d", index);
    sy_event_t ev = {.event_id = event_id, .contact_id = contact_id,
                     .occurred_at_ms = INT64_C(1793606400000) + index,
                     .channel = SY_CHANNEL_CUSTOM, .type = SY_EVENT_CUSTOM,
                     .name = "promo_eligible", .bounce = SY_BOUNCE_NONE};
    cr_assert(eq(int, codec_encode_event(codec, &ev, &frame, &len, errbuf, sizeof errbuf), SY_OK),
              "%s", errbuf);
    cr_assert_leq(len, size, "frame too long");
    memcpy(out, frame, len);
    return len;
}

/* Corruptions a consumer meets: a cut-off frame, another magic byte, an unknown schema
 * id, a frame cut inside its body, garbage after a valid header, and a record of another
 * schema (an action command) on the events topic. */
static void make_bad(int i) {
    bad_record_t *b = &bad[i];
    char errbuf[256];
    snprintf(b->key, sizeof b->key, "bad-%02d", i);
    b->len = good_frame(1000 + i, b->value, sizeof b->value);
    switch (i % BAD_KINDS) {
    case 0: b->len = 3; b->error = "truncated"; break;
    case 1: b->value[0] = 1; b->error = "bad_magic"; break;
    case 2: b->value[4] = 99; b->error = "unknown_schema"; break;
    case 3: b->len = b->len / 2; b->error = "truncated"; break;
    case 4:
        memset(b->value + 5, 0xff, 12);
        b->error = "malformed";
        break;
    case 5: {
        const void *frame;
        size_t len;
        sy_action_t a = {.action_id = "a1", .contact_id = "c1", .channel = SY_CHANNEL_EMAIL,
                         .template_id = "t", .journey_id = "j", .journey_version = 1,
                         .node_id = "n", .occurrence = 1};
        cr_assert(eq(int, codec_encode_action(codec, &a, &frame, &len, errbuf, sizeof errbuf),
                     SY_OK),
                  "%s", errbuf);
        memcpy(b->value, frame, len);
        b->len = len;
        b->error = "wrong_schema";
        break;
    }
    }
}

static const char *header(const rd_kafka_message_t *m, const char *name, char *buf, size_t size) {
    rd_kafka_headers_t *h = NULL;
    const void *value;
    size_t len;
    if (rd_kafka_message_headers(m, &h) || rd_kafka_header_get_last(h, name, &value, &len))
        return NULL;
    snprintf(buf, size, "%.*s", (int)len, (const char *)value);
    return buf;
}

/* The decimal integer text as *out, false if text is not one whole. */
static bool integer_parse(const char *text, long long *out) {
    char *end;
    errno = 0;
    *out = strtoll(text, &end, 10);
    return !errno && end != text && *end == '\0';
}

static void on_dead_letter(void *ctx, const rd_kafka_message_t *m) {
    (void)ctx;
    char topic[200], partition[16], offset[32], error[64], errbuf[256];
    sy_dead_letter_t dl;
    long long offset_value = -1;
    for (int i = 0; i < BAD; i++) {
        if (m->key_len != strlen(bad[i].key) || memcmp(m->key, bad[i].key, m->key_len))
            continue;
        bad_record_t *b = &bad[i];
        b->seen++;
        b->headers_ok = header(m, "switchyard.topic", topic, sizeof topic) &&
                        strcmp(topic, events_topic) == 0 &&
                        header(m, "switchyard.partition", partition, sizeof partition) &&
                        header(m, "switchyard.offset", offset, sizeof offset) &&
                        integer_parse(offset, &offset_value) && offset_value >= 0 &&
                        header(m, "switchyard.error", error, sizeof error) &&
                        strcmp(error, b->error) == 0;
        b->body_ok = codec_decode_dead_letter(codec, m->payload, m->len, &dl, errbuf,
                                              sizeof errbuf) == SY_OK &&
                     dl.value_len == b->len && memcmp(dl.value, b->value, b->len) == 0 &&
                     strcmp(dl.error_code, b->error) == 0 && dl.error[0] != '\0' &&
                     dl.offset == offset_value;
    }
}

Test(dead_letters, corrupted_records_go_to_the_dlq_and_good_ones_are_processed,
     .timeout = 600) {
    service_t svc;
    char errbuf[256], email[200];
    harness_producer_t *p = NULL;
    unsigned char frame[256];
    cr_assert(eq(int, codec_open(&codec, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    service_prepare(&svc, "dead-letters");
    events_topic = svc.events;
    service_start(&svc);
    cr_assert(eq(int, harness_producer_new(&p, harness_bootstrap(), NULL, errbuf, sizeof errbuf),
              SY_OK), "%s", errbuf);
    for (int i = 0, b = 0; i < GOOD; i++) {
        char key[32];
        size_t len = good_frame(i, frame, sizeof frame);
        snprintf(key, sizeof key, "contact-%04d", i);
        cr_assert(eq(int, harness_produce(p, svc.events, key, strlen(key), frame, len), SY_OK));
        if (i % (GOOD / BAD) == 0 && b < BAD) {
            make_bad(b);
            cr_assert(eq(int, harness_produce(p, svc.events, bad[b].key, strlen(bad[b].key),
                                      bad[b].value, bad[b].len), SY_OK));
            b++;
        }
    }
    cr_assert(eq(int, harness_producer_flush_close(p, 60000, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);

    long dead = harness_consume_all(harness_bootstrap(), svc.dlq, "read_committed", BAD,
                                    READ_TIMEOUT_MS, on_dead_letter, NULL);
    long emails = harness_consume_all(harness_bootstrap(),
                                      service_action_topic(&svc, "email", email, sizeof email),
                                      "read_committed", GOOD, READ_TIMEOUT_MS, NULL, NULL);
    int status = service_stop(&svc, 60000);
    cr_assert(eq(long, dead, BAD), "dead letters: %ld, expected %d", dead, BAD);
    for (int i = 0; i < BAD; i++) {
        cr_assert(eq(int, bad[i].seen, 1), "%s (%s) dead-lettered %d times", bad[i].key,
                  bad[i].error, bad[i].seen);
        cr_assert(bad[i].headers_ok, "%s: headers do not name topic/partition/offset/%s",
                  bad[i].key, bad[i].error);
        cr_assert(bad[i].body_ok, "%s: dead letter does not carry the record and %s",
                  bad[i].key, bad[i].error);
    }
    cr_assert(eq(long, emails, GOOD), "good records processed: %ld promo emails, expected %d",
              emails,
              GOOD);
    cr_assert(eq(int, child_exit_code(status), 0), "exit status %d", status);
    codec_close(codec);
    service_cleanup(&svc);
}
