/* engine_timer.c — adding one timer for a contact resting at a node, as the state store
 * keeps it. Which timers a node needs is engine_branch.c's and engine_wait.c's; firing
 * those that fell due is an entry point of the engine (engine.c). */
#include "engine.h"

#include <assert.h>

#include "engine_int.h"
#include "sy_str.h"

sy_err_t engine_timer_add(engine_walk_t *w, uint16_t node, int64_t entered_ms,
                          int64_t due_ms) {
    assert(node < w->journey->nodes_count && node == w->instance.node &&
           entered_ms == w->instance.node_entered_at_ms &&
           w->instance.timer == STATE_INSTANCE_TIMER_NONE);
    /* The instance keeps it: the state rebuilds a partition's timers from its instances. */
    w->instance.timer = STATE_INSTANCE_TIMER_ARMED;
    w->instance.timer_due_ms = due_ms;
    /* Field by field: the ids' arrays past their NULs are neither read nor cleared. */
    state_timer_t timer;
    timer.partition = w->partition;
    timer.due_ms = due_ms;
    timer.node = node;
    timer.node_entered_at_ms = entered_ms;
    timer.from_pending = false;
    if (sy_str_copy(timer.contact_id, sizeof timer.contact_id, w->contact_id) >=
            sizeof timer.contact_id ||
        sy_str_copy(timer.journey_id, sizeof timer.journey_id, w->journey->id) >=
            sizeof timer.journey_id)
        return SY_ERR_LIMIT;
    return state_store_timer_add(w->engine->store, &timer);
}
