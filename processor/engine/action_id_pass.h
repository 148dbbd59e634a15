/* action_id_pass.h — the action id of a send node's latest pass in a contact's journey
 * instance: what an engagement event carrying a message id is compared with, by the
 * branch that waits on the message and by the campaign metrics. The id itself is
 * action_id.h's. */
#ifndef SY_ACTION_ID_PASS_H
#define SY_ACTION_ID_PASS_H

#include <stdbool.h>
#include <stddef.h>

#include "action_id.h"
#include "journey.h"
#include "state_store.h"

/* The id of the action the send node at node_index of journey made on instance's latest
 * pass of it: its only pass, or for a node on a loop the instance's last looped send.
 * False (out untouched) when the node is on a loop and its latest pass is not known: the
 * instance's last looped send was another node's. */
bool action_id_of_pass(char out[ACTION_ID_BYTES], const char *contact_id,
                       const journey_t *journey, size_t node_index,
                       const state_instance_t *instance);

/* action_id_of_pass for a caller that has the lengths of contact_id and journey->id: each
 * the id's strlen, or 0 when not known (see action_id_format_n). */
bool action_id_of_pass_n(char out[ACTION_ID_BYTES], const char *contact_id,
                         size_t contact_id_len, const journey_t *journey,
                         size_t journey_id_len, size_t node_index,
                         const state_instance_t *instance);

#endif
