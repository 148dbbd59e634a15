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
} service_t;

/* Create unique topics (events with SERVICE_PARTITIONS partitions, outputs too) and write
 * a config running the repository's examples/journeys in event-time mode. Asserts on
 * failure (Criterion). */
void service_prepare(service_t *svc, const char *name);

/* Start `switchyard run --config` for svc. Asserts the process started. */
void service_start(service_t *svc);

/* Send SIGTERM and wait; returns the raw wait status. Kills after timeout_ms. */
int service_stop(service_t *svc, int timeout_ms);

/* The action topic of a channel ("email"). Writes into buf. */
const char *service_action_topic(const service_t *svc, const char *channel, char *buf,
                                 size_t size);

/* Produce framed events (from sy_event_t) keyed by contact id; flushes. Asserts. */
void service_produce_events(const service_t *svc, const sy_event_t *events, size_t count);

/* Remove the temporary directory. */
void service_cleanup(service_t *svc);

#endif
