/* action_id_pass.c — the action id of a send node's latest pass in an instance: one pass,
 * or the last looped send's time for a node on a loop. See action_id_pass.h. */
#include "action_id_pass.h"

#include <assert.h>

bool action_id_of_pass_n(char out[ACTION_ID_BYTES], const char *contact_id,
                         size_t contact_id_len, const journey_t *journey,
                         size_t journey_id_len, size_t node_index,
                         const state_instance_t *instance) {
    assert(node_index < journey->nodes_count);
    const journey_node_t *n = &journey->nodes[node_index];
    assert(n->kind == JOURNEY_NODE_SEND);
    bool on_loop = n->u.send.on_loop;
    if (on_loop && instance->looped_send != node_index + 1)
        return false;
    action_id_format_n(out, contact_id, contact_id_len, journey->id, journey_id_len,
                       journey->version, n->id, instance->occurrence,
                       on_loop ? instance->looped_send_at_ms : ACTION_ID_ONE_PASS);
    return true;
}

bool action_id_of_pass(char out[ACTION_ID_BYTES], const char *contact_id,
                       const journey_t *journey, size_t node_index,
                       const state_instance_t *instance) {
    /* no assert: a call of action_id_of_pass_n, which asserts */
    return action_id_of_pass_n(out, contact_id, 0, journey, 0, node_index, instance);
}
