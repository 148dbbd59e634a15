/* ingest_profiles.h — which contact an email address or phone number belongs to, for
 * events that name no contact (an inbound SMS has only its From): a thread tails the
 * profiles topic from its beginning (read_committed, no consumer group commits) and keeps
 * an index of the attributes ingest.profiles.email.attribute and
 * ingest.profiles.phone.attribute to the contact that last set them. Not the engine's
 * profiles (state/); an attribute unset or changed later leaves the old address pointing
 * at its contact until another contact sets it. */
#ifndef SY_INGEST_PROFILES_H
#define SY_INGEST_PROFILES_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "ingest_batch.h"
#include "sy_error.h"

/* Addresses the index holds: ~100 bytes each, so about 2 GB at most; past it new
 * addresses are left out (logged once) and their events count as unmatched. */
#define INGEST_PROFILES_ADDRESSES_MAX 20000000

typedef struct ingest_profiles ingest_profiles_t;

/* Start tailing config's topic.profiles (config borrowed: it outlives the index). With
 * both attributes empty there is nothing to index: no thread, every address unknown.
 * While the broker is unreachable the thread retries with backoff. Errors: SY_ERR_CONFIG
 * (a kafka.* property refused), SY_ERR_NOMEM. */
sy_err_t ingest_profiles_open(ingest_profiles_t **out, const sy_config_t *config,
                              char *errbuf, size_t errbuf_size);

/* Stop the thread and free the index. NULL-safe. */
void ingest_profiles_close(ingest_profiles_t *profiles);

/* ingest_finder_t's function, opaque an ingest_profiles_t: FOUND with the contact id
 * copied into contact_id, UNKNOWN, or NOT_YET while the topic is not read to the end it
 * had at start. Emails are compared lower-cased (the caller lower-cases). Any thread. */
ingest_find_t ingest_profiles_find(void *opaque, ingest_address_t kind, const char *address,
                                   char *contact_id, size_t size);

/* Addresses indexed, and whether the topic was read to its end once. Any thread. */
size_t ingest_profiles_count(ingest_profiles_t *profiles);
bool ingest_profiles_caught_up(ingest_profiles_t *profiles);

#endif
