/* runner.h — the service loop of `switchyard run`: consume engagement events and
 * profile updates in a consumer group, run the engine, and commit outputs, dead letters
 * and consumed offsets in one Kafka transaction per batch, then the state the batch
 * produced. Journey files are reloaded when journeys.dir changes. */
#ifndef SY_RUNNER_H
#define SY_RUNNER_H

#include <stdatomic.h>
#include <stdint.h>

#include "config.h"
#include "journey.h"
#include "sy_error.h"

typedef struct runner runner_t;

/* Counts of what committed transactions hold. Read from any thread. */
typedef struct runner_stats {
    uint64_t records;        /* input records consumed */
    uint64_t decisions;
    uint64_t actions;
    uint64_t contact_updates;
    uint64_t dead_letters;
    uint64_t timers_fired;
    uint64_t transactions;
} runner_stats_t;

/* Open the state store, the codec, the consumer and the transactional producer (this
 * waits for the broker to initialise the transactions; it retries while the broker is
 * unreachable, until stop is set). config and journeys (the versions loaded at start)
 * are borrowed and outlive the runner; versions later reloads add are the runner's. stop
 * is polled (a signal handler or another thread sets it).
 * Errors: SY_ERR_STATE, SY_ERR_CONFIG, SY_ERR_KAFKA_FATAL. */
sy_err_t runner_open(runner_t **out, const sy_config_t *config, const journey_set_t *journeys,
                     atomic_int *stop, char *errbuf, size_t errbuf_size);

/* Process until *stop is set, then finish the batch, commit and leave the group.
 * Returns SY_OK after a clean stop, or the fatal error that ended the loop. */
sy_err_t runner_run(runner_t *runner, char *errbuf, size_t errbuf_size);

/* A snapshot of the committed counts. Thread-safe. */
void runner_stats_get(const runner_t *runner, runner_stats_t *out);

/* runner_close(NULL) is a no-op. */
void runner_close(runner_t *runner);

#endif
