/* action_id.h — the deterministic id of an action command. The same contact, journey,
 * version, node and occurrence always give the same id, so downstream senders dedupe on
 * it and providers echo it back as the engagement event's message id. */
#ifndef SY_ACTION_ID_H
#define SY_ACTION_ID_H

#include <stdint.h>

/* 32 lower-case hex digits (128 bits) and a NUL. */
#define ACTION_ID_BYTES 33

void action_id_format(char out[ACTION_ID_BYTES], const char *contact_id,
                      const char *journey_id, int32_t journey_version, const char *node_id,
                      uint32_t occurrence);

#endif
