/* send.h — `switchyard send`: consume action commands of the configured channels
 * (read_committed, one consumer group), deliver each at most once per provider, and turn
 * permanent refusals into engagement events. The command line is cli_send.c; the config is
 * send_config.h. One thread; not a scheduler of far-future sends (see docs/connectors.md). */
#ifndef SY_SEND_H
#define SY_SEND_H

#include <stdatomic.h>
#include <stddef.h>

#include "send_config.h"
#include "sy_error.h"

/* Run until *stop is set (borrowed; a signal handler sets it). Returns SY_OK after a clean
 * stop (offsets of recorded actions committed); SY_ERR_STATE (the delivered-ids store
 * failed), SY_ERR_CONFIG (a kafka.* property refused), SY_ERR_KAFKA_FATAL: errbuf says
 * why. config is borrowed for the call. */
sy_err_t send_run(const send_config_t *config, atomic_int *stop, char *errbuf,
                  size_t errbuf_size);

#endif
