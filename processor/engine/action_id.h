/* action_id.h — the deterministic id of an action command. The same contact, journey,
 * version, node, occurrence and pass always give the same id, so downstream senders dedupe
 * on it and providers echo it back as the engagement event's message id. */
#ifndef SY_ACTION_ID_H
#define SY_ACTION_ID_H

#include <stddef.h>
#include <stdint.h>

/* 32 lower-case hex digits (128 bits) and a NUL. */
#define ACTION_ID_BYTES 33

/* pass_at_ms for a node that is on no loop: each occurrence passes it at most once. */
#define ACTION_ID_ONE_PASS INT64_MIN

/* The id of the action of node_id for the contact's occurrence of the journey version.
 * A node on a loop is passed several times in one occurrence: pass_at_ms, the event time
 * of the pass, tells the passes apart; ACTION_ID_ONE_PASS for every other node. */
void action_id_format(char out[ACTION_ID_BYTES], const char *contact_id,
                      const char *journey_id, int32_t journey_version, const char *node_id,
                      uint32_t occurrence, int64_t pass_at_ms);

/* action_id_format for a caller that has the lengths of contact_id and journey_id: each is
 * the id's strlen, or 0 when not known (measured here). The same id. */
void action_id_format_n(char out[ACTION_ID_BYTES], const char *contact_id,
                        size_t contact_id_len, const char *journey_id, size_t journey_id_len,
                        int32_t journey_version, const char *node_id, uint32_t occurrence,
                        int64_t pass_at_ms);

#endif
