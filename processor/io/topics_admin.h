/* topics_admin.h — the Kafka topics a config names (events, profiles, decisions, one
 * action topic per channel, contact updates, dead letters, changelog): creating the
 * missing ones and checking the cluster's (present, co-partitioned, the changelog
 * compacted) through librdkafka's Admin API. Not the service's produce or consume paths,
 * and it never changes or deletes a topic that exists. */
#ifndef SY_TOPICS_ADMIN_H
#define SY_TOPICS_ADMIN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"
#include "sy_error.h"

/* Longest a command waits for the cluster before it gives up (retries included). */
#define TOPICS_TIMEOUT_MS_DEFAULT 30000

/* Partitions of a new topic when topics.partitions is 0 and no co-partitioned topic
 * exists to follow: room for six instances without re-partitioning. */
#define TOPICS_PARTITIONS_FALLBACK 6

/* Longest cleanup.policy value kept ("compact,delete" and some room). */
#define TOPICS_POLICY_BYTES_MAX 64

/* One topic of the config, and what the cluster holds of it. */
typedef struct topics_entry {
    char *name;           /* full name, topic.prefix included; owned by the admin */
    const char *option;   /* the config option naming it ("topic.events"); static */
    bool copartitioned;   /* must have the events topic's partition count */
    bool compacted;       /* must have cleanup.policy=compact */
    int partitions;       /* on the cluster; -1 when the topic does not exist */
    char cleanup_policy[TOPICS_POLICY_BYTES_MAX]; /* compacted entries that exist */
} topics_entry_t;

typedef struct topics_admin topics_admin_t;

/* An admin client for config's topics (kafka.* properties applied), waiting at most
 * timeout_ms in all for the cluster. config is borrowed and must outlive the admin; stop
 * (may be NULL) is polled between retries: once set, calls give up. *out is set only on
 * success. Errors: SY_ERR_CONFIG (librdkafka refused a property), SY_ERR_NOMEM. */
sy_err_t topics_admin_open(topics_admin_t **out, const sy_config_t *config,
                           const atomic_int *stop, int timeout_ms, char *errbuf,
                           size_t errbuf_size);

/* Frees the admin; NULL is a no-op. */
void topics_admin_close(topics_admin_t *admin);

/* Read the cluster's metadata (every topic) and the cleanup.policy of the compacted
 * entries into the entries. Retriable errors (broker down, no leader yet, request timed
 * out) are retried with bounded backoff until the admin's time runs out.
 * Errors: SY_ERR_KAFKA_RETRIABLE (still failing when time ran out or stop was asked),
 * SY_ERR_KAFKA_FATAL (e.g. not authorized). */
sy_err_t topics_admin_describe(topics_admin_t *admin, char *errbuf, size_t errbuf_size);

/* The entries, in a fixed order: events, profiles, changelog, decisions, contact updates,
 * dead letters, then one action topic per channel switchyard knows. Borrowed. */
size_t topics_admin_count(const topics_admin_t *admin);
const topics_entry_t *topics_admin_entry(const topics_admin_t *admin, size_t i);

/* Create every entry missing after topics_admin_describe, with the partitions the config
 * asks for (docs/deploy.md), topics.replication.factor and, for the changelog,
 * cleanup.policy=compact, then wait until the cluster shows them and describe again.
 * Writes one line per entry to out: "created" or "exists" (left as it is).
 * Errors: as topics_admin_describe; a topic the broker refuses is SY_ERR_KAFKA_FATAL
 * with its name and the broker's reason. */
sy_err_t topics_admin_create(topics_admin_t *admin, FILE *out, char *errbuf,
                             size_t errbuf_size);

/* Called once per problem check finds: topic's full name and a message that names the
 * problem and the command that fixes it. Both borrowed for the call. */
typedef void topics_problem_cb(void *ctx, const char *topic, const char *message);

/* Check the entries as described: each present, the co-partitioned ones with the events
 * topic's partition count, the compacted ones with cleanup.policy=compact. Writes one line
 * per entry to out (NULL: none) and calls problem (may be NULL) per problem. Returns how
 * many problems it found. */
size_t topics_admin_check(const topics_admin_t *admin, FILE *out, topics_problem_cb *problem,
                          void *ctx);

/* open, describe, check and close in one call, as `switchyard run` does at start and
 * `switchyard topics check` does: *problems is set when the cluster could be read.
 * Errors: as topics_admin_open and topics_admin_describe. */
sy_err_t topics_admin_verify(const sy_config_t *config, const atomic_int *stop,
                             int timeout_ms, FILE *out, topics_problem_cb *problem, void *ctx,
                             size_t *problems, char *errbuf, size_t errbuf_size);

#endif
