/* send_ledger.h — the sender's memory of what it has delivered: a local RocksDB store of
 * "provider/action id" keys, checked before a send and written (synced) once the provider
 * accepted or refused it for good. Not shared between sender processes: one per
 * send.state.dir, which one process opens at a time (RocksDB's lock). */
#ifndef SY_SEND_LEDGER_H
#define SY_SEND_LEDGER_H

#include <stdbool.h>
#include <stddef.h>

#include "sy_error.h"

typedef struct send_ledger send_ledger_t;

/* What became of an action at a provider. */
typedef enum send_outcome {
    SEND_OUTCOME_NONE,      /* not recorded: send it */
    SEND_OUTCOME_ACCEPTED,  /* the provider accepted it */
    SEND_OUTCOME_FAILED,    /* refused for good; the failure event was produced */
} send_outcome_t;

/* Open (creating) the store in dir. *out set only on success. SY_ERR_STATE with
 * RocksDB's reason (another process holds the lock, the disk is full). */
sy_err_t send_ledger_open(send_ledger_t **out, const char *dir, char *errbuf,
                          size_t errbuf_size);

/* The recorded outcome of action_id at provider into *outcome. SY_ERR_STATE on a read
 * error. */
sy_err_t send_ledger_get(send_ledger_t *ledger, const char *provider, const char *action_id,
                         send_outcome_t *outcome, char *errbuf, size_t errbuf_size);

/* Record outcome (ACCEPTED or FAILED) with a detail for people (the provider's id or
 * reason, borrowed), synced to disk before returning. SY_ERR_STATE on failure. */
sy_err_t send_ledger_put(send_ledger_t *ledger, const char *provider, const char *action_id,
                         send_outcome_t outcome, const char *detail, char *errbuf,
                         size_t errbuf_size);

/* Close; NULL is a no-op. */
void send_ledger_close(send_ledger_t *ledger);

#endif
