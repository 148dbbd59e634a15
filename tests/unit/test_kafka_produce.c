/* test_kafka_produce.c — unit tests of kafka_produce_copy and _copies (kafka_produce.h) against a
 * producer with no broker: its queue holds a handful of records and each record times out
 * after a short while, which is what empties a full queue here. A stop set while the
 * queue is full ends the wait; records refused for a full queue are produced once there
 * is room. No broker needed: nothing is delivered, every record fails its delivery. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "kafka_produce.h"

/* Room for this many records in the producer's queue. */
#define QUEUE_RECORDS 10
#define RECORDS 25

static int delivered; /* delivery reports (all failures: there is no broker) */
/* The key and value of each record reported, in order ("key=value"), and how many of them
 * had headers. */
static char reported[32][32];
static int reported_headers;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    rd_kafka_headers_t *headers = NULL;
    (void)rk, (void)opaque;
    cr_assert(eq(ptr, m->_private, (void *)&delivered), "a record lost its opaque");
    if (delivered < 32)
        snprintf(reported[delivered], sizeof reported[delivered], "%.*s=%.*s",
                 (int)m->key_len, (const char *)m->key, (int)m->len,
                 (const char *)m->payload);
    reported_headers += rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR;
    delivered++;
}

/* A producer whose records wait for a broker that is never there: port 9 on loopback
 * (discard, never a Kafka broker) and a queue of QUEUE_RECORDS. */
static rd_kafka_t *producer_new(void) {
    char errbuf[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const char *settings[][2] = {{"bootstrap.servers", "127.0.0.1:9"},
                                 {"queue.buffering.max.messages", "10"},
                                 {"message.timeout.ms", "300"},
                                 {"log_level", "0"}};
    for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
        cr_assert(eq(int, rd_kafka_conf_set(conf, settings[i][0], settings[i][1], errbuf,
                                            sizeof errbuf),
                     RD_KAFKA_CONF_OK),
                  "%s: %s", settings[i][0], errbuf);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errbuf, sizeof errbuf);
    cr_assert_not_null(rk, "rd_kafka_new: %s", errbuf);
    delivered = reported_headers = 0;
    return rk;
}

static void records_fill(rd_kafka_message_t *records, char keys[][16], size_t count) {
    for (size_t i = 0; i < count; i++) {
        snprintf(keys[i], sizeof keys[i], "key-%02zu", i);
        records[i] = (rd_kafka_message_t){.payload = keys[i], .len = strlen(keys[i]),
                                          .key = keys[i], .key_len = strlen(keys[i]),
                                          ._private = &delivered};
    }
}

Test(kafka_produce, records_refused_for_a_full_queue_are_produced_when_it_has_room) {
    rd_kafka_t *rk = producer_new();
    kafka_topics_t topics = {0};
    rd_kafka_message_t records[RECORDS];
    char keys[RECORDS][16];
    records_fill(records, keys, RECORDS);
    size_t produced = 0;
    rd_kafka_resp_err_t err =
        kafka_produce_copies(rk, &topics, "produce-test", 0, records, RECORDS, &produced, NULL);
    cr_assert(eq(int, err, RD_KAFKA_RESP_ERR_NO_ERROR), "%s", rd_kafka_err2str(err));
    cr_assert(eq(sz, produced, RECORDS), "%zu of %d records produced", produced, RECORDS);
    rd_kafka_flush(rk, 5000);
    cr_assert(eq(int, delivered, RECORDS), "%d delivery reports, want %d", delivered, RECORDS);
    kafka_topics_clear(&topics);
    rd_kafka_destroy(rk);
}

Test(kafka_produce, a_stop_ends_the_wait_for_room_and_says_the_queue_is_full) {
    rd_kafka_t *rk = producer_new();
    rd_kafka_message_t records[RECORDS];
    char keys[RECORDS][16];
    records_fill(records, keys, RECORDS);
    atomic_int stop = 1;
    size_t produced = 0;
    rd_kafka_resp_err_t err = kafka_produce_copies(rk, NULL, "produce-test", 0, records,
                                                   RECORDS, &produced, &stop);
    cr_assert(eq(int, err, RD_KAFKA_RESP_ERR__QUEUE_FULL), "%s", rd_kafka_err2str(err));
    cr_assert(eq(sz, produced, QUEUE_RECORDS), "%zu records produced, the queue holds %d",
              produced, QUEUE_RECORDS);
    rd_kafka_flush(rk, 5000);
    rd_kafka_destroy(rk);
}

/* One record at a time, by a kept handle or by name, with headers or without: each is
 * produced as given (key, value, opaque, its headers), and a full queue with a stop set
 * refuses the next one with RD_KAFKA_RESP_ERR__QUEUE_FULL. */
Test(kafka_produce, records_one_at_a_time_keep_key_value_opaque_and_headers) {
    rd_kafka_t *rk = producer_new();
    kafka_topics_t topics = {0};
    atomic_int stop = 1;
    char key[16], value[16];
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    int i = 0;
    for (; i < QUEUE_RECORDS && err == RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
        snprintf(key, sizeof key, "k%d", i);
        snprintf(value, sizeof value, "v%d", i);
        rd_kafka_headers_t *headers = i % 3 == 2 ? rd_kafka_headers_new(1) : NULL;
        if (headers)
            rd_kafka_header_add(headers, "h", -1, "x", -1);
        err = kafka_produce_copy(rk, i % 2 ? NULL : &topics, "produce-test", 0, key,
                                 strlen(key), value, strlen(value), headers, &delivered,
                                 &stop);
    }
    cr_assert(eq(int, err, RD_KAFKA_RESP_ERR_NO_ERROR), "record %d: %s", i - 1,
              rd_kafka_err2str(err));
    err = kafka_produce_copy(rk, &topics, "produce-test", 0, "k", 1, "v", 1, NULL,
                             &delivered, &stop);
    cr_assert(eq(int, err, RD_KAFKA_RESP_ERR__QUEUE_FULL), "%s", rd_kafka_err2str(err));
    rd_kafka_flush(rk, 5000);
    cr_assert(eq(int, delivered, QUEUE_RECORDS));
    for (i = 0; i < QUEUE_RECORDS; i++) {
        snprintf(key, sizeof key, "k%d=v%d", i, i);
        cr_expect(eq(str, reported[i], key));
    }
    cr_expect(eq(int, reported_headers, QUEUE_RECORDS / 3), "records with headers");
    kafka_topics_clear(&topics);
    rd_kafka_destroy(rk);
}

/* A topic keeps one handle whether its name comes as the same string or as an equal one
 * elsewhere; another name gets its own. */
Test(kafka_produce, a_topic_keeps_one_handle_for_equal_names_at_any_address) {
    rd_kafka_t *rk = producer_new();
    kafka_topics_t topics = {0};
    char first[] = "produce-test", copy[] = "produce-test", other[] = "produce-other";
    const char *names[] = {first, copy, first, other, copy, other};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        rd_kafka_resp_err_t err = kafka_produce_copy(rk, &topics, names[i], 0, "k", 1, "v",
                                                     1, NULL, &delivered, NULL);
        cr_assert(eq(int, err, RD_KAFKA_RESP_ERR_NO_ERROR), "%s", rd_kafka_err2str(err));
    }
    cr_expect(eq(sz, topics.count, 2), "handles kept for two topic names");
    cr_expect(eq(str, topics.names[0], "produce-test"));
    cr_expect(eq(str, topics.names[1], "produce-other"));
    rd_kafka_flush(rk, 5000);
    cr_expect(eq(int, delivered, 6), "delivery reports");
    kafka_topics_clear(&topics);
    rd_kafka_destroy(rk);
}
