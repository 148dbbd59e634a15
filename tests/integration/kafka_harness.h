/* kafka_harness.h — helpers for integration and fault tests against a real Kafka broker:
 * where the broker is, unique topics, a (transactional) producer, a bounded consumer that
 * reads a topic to its end. Child processes and files are in tests/support.
 * It is test code, not part of libswitchyard: it favours plain, bounded, obvious behaviour
 * over speed, and every call returns within the time it is given. Not thread-safe unless
 * a function says so; Criterion forks per test, so each test has its own harness state. */
#ifndef KAFKA_HARNESS_H
#define KAFKA_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#include <librdkafka/rdkafka.h>

#include "sy_error.h"

/* How long one admin or transaction call may take before the harness gives up: a fresh
 * broker creates its transaction-state topic on the first init_transactions. */
#define HARNESS_KAFKA_CALL_TIMEOUT_MS 60000

/* The broker's bootstrap address from SWITCHYARD_TEST_BOOTSTRAP (set by
 * tests/broker/with_kafka.sh). Aborts the test with a message saying how to run it when the
 * variable is unset. The string is the environment's: borrowed, never freed. */
const char *harness_bootstrap(void);

/* A librdkafka configuration with bootstrap.servers and the NULL-terminated key/value
 * pairs in kv (a NULL value skips its key). Returns NULL with errbuf filled when librdkafka
 * refuses a property. The caller owns it. */
rd_kafka_conf_t *harness_conf_new(const char *bootstrap, const char *const *kv,
                                  char *errbuf, size_t errbuf_size);

/* Writes "<prefix>-<pid>-<counter>-<time>" into buf: a topic name no other test, process
 * or run on this broker uses. Truncates to size-1 bytes; size must be > 0. */
void harness_topic_name(const char *prefix, char *buf, size_t size);

/* Creates topics names[0..n) with `partitions` partitions each, replication factor 1, and
 * waits until the broker has them and their partition leaders in its metadata.
 * A topic that already exists counts as created. names is borrowed.
 * Errors: SY_ERR_KAFKA_FATAL / SY_ERR_KAFKA_RETRIABLE with detail in errbuf. */
sy_err_t harness_create_topics(const char *bootstrap, const char *const *names, size_t n,
                               int partitions, char *errbuf, size_t errbuf_size);

/* Deletes topics names[0..n) and waits until the broker's metadata no longer has them.
 * A topic that does not exist counts as deleted. names is borrowed.
 * Errors: SY_ERR_KAFKA_FATAL / SY_ERR_KAFKA_RETRIABLE with detail in errbuf. */
sy_err_t harness_delete_topics(const char *bootstrap, const char *const *names, size_t n,
                               char *errbuf, size_t errbuf_size);

/* A producer. Opaque; created by harness_producer_new, freed by
 * harness_producer_flush_close. */
typedef struct harness_producer harness_producer_t;

/* Creates an idempotent producer (acks=all). With transactional_id non-NULL it is a
 * transactional producer and init_transactions has completed on success.
 * *out is set only on success and is owned by the caller. */
sy_err_t harness_producer_new(harness_producer_t **out, const char *bootstrap,
                              const char *transactional_id, char *errbuf,
                              size_t errbuf_size);

/* The librdkafka handle, for tests that need more than this harness offers.
 * Borrowed: valid until harness_producer_flush_close. */
rd_kafka_t *harness_producer_handle(harness_producer_t *p);

/* Queues one record (partitioned by key; key or value may be NULL). The bytes are copied.
 * Waits, bounded, while librdkafka's queue is full. A delivery failure is reported later
 * by harness_producer_flush_close or harness_txn_commit. */
sy_err_t harness_produce(harness_producer_t *p, const char *topic, const void *key,
                         size_t keylen, const void *value, size_t valuelen);

/* Transactions on a producer made with a transactional_id. commit flushes first. An error
 * from commit that requires it leaves the transaction for harness_txn_abort. abort purges
 * records not yet sent (flush first to have them written and then aborted) and forgets
 * the delivery failures counted so far. */
sy_err_t harness_txn_begin(harness_producer_t *p, char *errbuf, size_t errbuf_size);
sy_err_t harness_txn_commit(harness_producer_t *p, char *errbuf, size_t errbuf_size);
sy_err_t harness_txn_abort(harness_producer_t *p, char *errbuf, size_t errbuf_size);

/* Waits up to timeout_ms for every queued record to be delivered, then destroys p.
 * Returns SY_OK only when every record produced through p was delivered. p is freed in
 * every case; NULL is a no-op. */
sy_err_t harness_producer_flush_close(harness_producer_t *p, int timeout_ms, char *errbuf,
                                      size_t errbuf_size);

/* Called once per record read. msg is borrowed for the duration of the call only. */
typedef void harness_message_cb(void *ctx, const rd_kafka_message_t *msg);

/* A consumer assigned every partition of topic from the beginning (no group join), with
 * the given isolation level and partition EOF events on; NULL (logged) when the topic has
 * no metadata before timeout_ms. The caller polls, closes and destroys it. */
rd_kafka_t *harness_consumer_new(const char *bootstrap, const char *topic,
                                 const char *isolation, int timeout_ms);

/* Reads `topic` from the beginning of every partition with isolation.level `isolation`
 * ("read_committed" or "read_uncommitted") and calls cb (may be NULL) per record.
 * With expected_count >= 0 it stops once it has seen that many records AND every partition
 * has reached its end; with expected_count == -1 it stops when every partition has reached
 * its end once. Read committed, a partition's end is its high watermark: a transaction
 * still pending there (a killed producer's) is waited out. It stops in any case after
 * timeout_ms.
 * Returns the number of records read, or -1 when no consumer could be set up (detail on
 * stderr). */
long harness_consume_all(const char *bootstrap, const char *topic, const char *isolation,
                         long expected_count, int timeout_ms, harness_message_cb *cb,
                         void *ctx);

/* Called once per record read by harness_consume_json, with the record rendered as JSON
 * by codec_to_json (schemas/codec.h). json is borrowed for the duration of the call only. */
typedef void harness_json_cb(void *ctx, const char *json);

/* As harness_consume_all, but each record is decoded with the wire codec and cb (may be
 * NULL) gets its JSON: how tests read the service's output topics. A record that does not
 * decode is skipped and adds 1 to *undecodable (may be NULL), so a caller reading several
 * topics sums them. Returns the number of records read, decoded or not, or -1 when no
 * consumer or codec could be set up (detail on stderr). */
long harness_consume_json(const char *bootstrap, const char *topic, const char *isolation,
                          long expected_count, int timeout_ms, harness_json_cb *cb, void *ctx,
                          long *undecodable);

/* A harness_json_cb that adds every record to the transcripts_t at ctx (transcript.h):
 * decisions, actions and contact updates alike. */
void harness_json_to_transcripts(void *ctx, const char *json);

#endif
