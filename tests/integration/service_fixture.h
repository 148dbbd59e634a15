/* service_fixture.h — a `switchyard run` process under test: its own topics on the test
 * broker, a config file and state directory in a temporary directory, the process
 * started and stopped with a signal. For integration tests; the broker comes from
 * kafka_harness.h. */
#ifndef SERVICE_FIXTURE_H
#define SERVICE_FIXTURE_H

#include <stddef.h>
#include <sys/types.h>

#include "codec.h"
#include "kafka_harness.h"

#define SERVICE_TOPIC_BYTES 160
#define SERVICE_PARTITIONS 4

typedef struct service {
    char dir[64];        /* temporary directory: config, state */
    char config_path[128];
    char events[SERVICE_TOPIC_BYTES];
    char decisions[SERVICE_TOPIC_BYTES];
    char actions_prefix[SERVICE_TOPIC_BYTES]; /* actions go to <prefix>email, ... */
    char contact_updates[SERVICE_TOPIC_BYTES];
    char dlq[SERVICE_TOPIC_BYTES];
    pid_t pid;
    char journeys_dir[128];  /* service_prepare_with_journeys: the copy the service reads */
    char profiles[SERVICE_TOPIC_BYTES]; /* the profiles topic */
    char changelog[SERVICE_TOPIC_BYTES]; /* compacted, SERVICE_PARTITIONS partitions */
    char state_dir[128];                 /* the service's state.dir */
} service_t;

/* Write a config running the repository's examples/journeys in event-time mode on unique
 * topics (svc->events, ..., svc->profiles) and create them all with `switchyard topics
 * create` (SERVICE_PARTITIONS partitions each, the changelog compacted). Asserts on
 * failure (Criterion). */
void service_prepare(service_t *svc, const char *name);

/* As service_prepare, but the service reads a copy of journeys_dir's files made in
 * svc->journeys_dir (tests add and change files there while it runs). Asserts. */
void service_prepare_with_journeys(service_t *svc, const char *name,
                                   const char *journeys_dir);

/* Copy the file at from to to (replacing it). Asserts. */
void service_copy_file(const char *from, const char *to);

/* Start `switchyard run --config` for svc. Asserts the process started. */
void service_start(service_t *svc);

/* Send SIGTERM and wait; returns the raw wait status. Kills after timeout_ms. */
int service_stop(service_t *svc, int timeout_ms);

/* The action topic of a channel ("email"). Writes into buf. */
const char *service_action_topic(const service_t *svc, const char *channel, char *buf,
                                 size_t size);

/* Produce framed events (from sy_event_t) keyed by contact id; flushes. Asserts. */
void service_produce_events(const service_t *svc, const sy_event_t *events, size_t count);

/* Produce the profile updates (profiles_pass) or the events of a JSON-lines event file
 * (docs/simulate.md) in file order to the service's profiles or events topic, keyed by
 * contact; flushes. Returns how many records it produced. Asserts (service_feed.c). */
long service_produce_jsonl(const service_t *svc, const char *path, int profiles_pass);

/* A consumer handle in the service's group, for reading its committed offsets; it never
 * subscribes. The caller destroys it. Asserts. */
rd_kafka_t *service_group_handle(const service_t *svc);

/* Wait until the service's group has committed count records of its profiles topic, so
 * events produced next find their profiles, as in a recording replayed profiles first.
 * Asserts after a bounded wait. */
void service_wait_profiles_read(const service_t *svc, long count);

/* Delete the service's state directory (RocksDB), as a lost disk would; the service
 * must not be running. Asserts. */
void service_remove_state(service_t *svc);

/* Remove the temporary directory. */
void service_cleanup(service_t *svc);

#endif
