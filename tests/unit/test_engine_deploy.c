/* test_engine_deploy.c — what a deploy needs from the engine: node timers scheduled for
 * instances migrated to a node (wait, branch, others). A new journey set swapped in
 * between batches is in test_engine_wait.c, on its waits journey. The environment is
 * engine_fixture.h's; no Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

/* ---- node timers for deploy-time migration ---- */

static void instance_place(env_t *env, const char *node_id, int64_t entered_ms) {
    int node = journey_node_index(env->journey, node_id);
    cr_assert_geq(node, 0, "no node %s", node_id);
    state_instance_t inst = {.status = STATE_INSTANCE_ACTIVE, .node = (uint16_t)node,
                             .journey_version = env->journey->version, .occurrence = 1,
                             .entered_at_ms = entered_ms, .node_entered_at_ms = entered_ms};
    sy_err_t err = engine_schedule_node_timers(env->engine, PARTITION, contact, env->journey,
                                               &inst);
    cr_assert(eq(int, err, SY_OK), "engine_schedule_node_timers returned %d", err);
    err = state_store_instance_put(env->store, PARTITION, contact, env->journey->id, &inst);
    cr_assert(eq(int, err, SY_OK), "instance_put returned %d", err);
}

Test(engine_lang, schedule_node_timers_sets_a_waits_due_time) {
    lx_open(wait_yaml);
    instance_place(&lx, "pause", T0_MS);
    advance(&lx, T0_MS + 2 * H_MS - 1);
    expect_counts(&lx.rec, 0, 0, 0);
    advance(&lx, T0_MS + 2 * H_MS);
    expect_counts(&lx.rec, 1, 0, 0);
    expect_move(&lx, 0, "pause", "morning", "<null>", SY_CAUSE_TIMER, "<null>",
                T0_MS + 2 * H_MS);
}

Test(engine_lang, schedule_node_timers_sets_a_branchs_after_and_close) {
    env_open_with(&lx, "engine-lang", coffee_load());
    instance_place(&lx, "outcome", T0_MS);
    /* Nothing delivered: the 24h moment passes with no path holding, and the close's
     * timer, set then, takes the otherwise path at 72h. */
    size_t fired = advance(&lx, T0_MS + 24 * H_MS);
    cr_assert(eq(sz, fired, 1), "%zu timers fired at 24h, want 1", fired);
    expect_counts(&lx.rec, 0, 0, 0);
    fired = advance(&lx, T0_MS + 72 * H_MS);
    cr_assert(eq(sz, fired, 1), "%zu timers fired at the close, want 1", fired);
    expect_counts(&lx.rec, 1, 0, 0);
    expect_move(&lx, 0, "outcome", "done", "otherwise", SY_CAUSE_TIMER, "<null>",
                T0_MS + 72 * H_MS);
}

Test(engine_lang, schedule_node_timers_sets_a_branchs_after) {
    env_open_with(&lx, "engine-lang", coffee_load());
    instance_place(&lx, "outcome", T0_MS);
    action_id_buf_t id = promo_id(contact, 1);
    feed_email(&lx, "delivered-1", contact, T0_MS + H_MS, SY_EVENT_DELIVERED, id.s);
    advance(&lx, T0_MS + 24 * H_MS);
    expect_counts(&lx.rec, 2, 1, 0);
    expect_move(&lx, 0, "outcome", "push_nudge", "not_opened", SY_CAUSE_TIMER, "<null>",
                T0_MS + 24 * H_MS);
    size_t fired = advance(&lx, T0_MS + 72 * H_MS);
    cr_assert(eq(sz, fired, 0), "%zu timers fired at the close, want 0 (the contact left)",
              fired);
}

Test(engine_lang, schedule_node_timers_needs_none_elsewhere_and_checks_the_node) {
    lx_open(tier_yaml);
    state_instance_t inst = {.status = STATE_INSTANCE_ACTIVE, .node = 0, .occurrence = 1,
                             .journey_version = lx.journey->version,
                             .entered_at_ms = T0_MS, .node_entered_at_ms = T0_MS};
    sy_err_t err = engine_schedule_node_timers(lx.engine, PARTITION, contact, lx.journey,
                                               &inst);
    cr_assert(eq(int, err, SY_OK), "condition node: %d, want SY_OK", err);
    cr_assert(eq(int, inst.timer, STATE_INSTANCE_TIMER_NONE), "a condition node needs no timer");
    inst.node = (uint16_t)lx.journey->nodes_count;
    err = engine_schedule_node_timers(lx.engine, PARTITION, contact, lx.journey, &inst);
    cr_assert(eq(int, err, SY_ERR_INVALID_ARG), "node out of range: %d, want invalid arg", err);
    size_t fired = advance(&lx, INT64_MAX);
    cr_assert(eq(sz, fired, 0), "%zu timers fired, want 0", fired);
}
