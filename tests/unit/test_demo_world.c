/* test_demo_world.c — unit tests of the demo's synthetic world (processor/demo/demo_world.h):
 * every event put in comes out once, whole, in (occurred_at_ms, event_id) order; an event
 * at or after the limit waits; answers clamped to one time come out by event id; and the
 * slots of events taken out hold the next ones, so a world that keeps few events pending
 * keeps one block however many pass through it. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "demo_world.h"

#define JOURNEYS SY_SOURCE_ROOT "/examples/journeys"

static char errbuf[1024];

/* Whether a comes strictly before b in the world's order. */
static bool event_before(const channel_sim_event_t *a, const channel_sim_event_t *b) {
    if (a->occurred_at_ms != b->occurred_at_ms)
        return a->occurred_at_ms < b->occurred_at_ms;
    return strcmp(a->event_id, b->event_id) < 0;
}

/* An email action "action-<n>" to "contact-<n>", not before not_before_ms. */
static void email_action(sy_action_t *action, char *action_id, char *contact_id, size_t size,
                         unsigned n, int64_t not_before_ms) {
    snprintf(action_id, size, "action-%05u", n);
    snprintf(contact_id, size, "contact-%05u", n);
    memset(action, 0, sizeof *action);
    action->action_id = action_id;
    action->contact_id = contact_id;
    action->channel = SY_CHANNEL_EMAIL;
    action->template_id = "promo";
    action->not_before_ms = not_before_ms;
}

Test(demo_world, the_population_comes_out_whole_in_time_then_event_id_order) {
    journey_set_t *set = NULL;
    cr_assert(eq(int, journey_set_load_dir(&set, JOURNEYS, errbuf, sizeof errbuf), SY_OK),
              "%s", errbuf);
    demo_world_t world;
    cr_assert(demo_world_init(&world, set, 500, 1));
    uint64_t put_in = world.entries + world.app_opens;
    cr_assert(gt(u64, put_in, DEMO_WORLD_BLOCK_EVENTS), "more events than one block holds");
    channel_sim_event_t prev, ev;
    uint64_t taken = 0;
    while (demo_world_next(&world, INT64_MAX, &ev)) {
        cr_assert(taken == 0 || event_before(&prev, &ev), "event %llu: %s at %lld after %s",
                  (unsigned long long)taken, ev.event_id, (long long)ev.occurred_at_ms,
                  prev.event_id);
        cr_assert(eq(int, strncmp(ev.event_id, ev.contact_id, strlen(ev.contact_id)), 0),
                  "event %s of contact %s", ev.event_id, ev.contact_id);
        prev = ev;
        taken++;
    }
    cr_assert(eq(u64, taken, put_in));
    cr_assert(eq(sz, world.count, 0));
    demo_world_deinit(&world);
    journey_set_free(set);
}

Test(demo_world, an_event_at_or_after_the_limit_waits) {
    journey_set_t none = {0};
    demo_world_t world;
    channel_sim_event_t first, ev;
    cr_assert(demo_world_init(&world, &none, 1, 7));
    cr_assert(demo_world_next(&world, INT64_MAX, &first));
    demo_world_deinit(&world);
    cr_assert(demo_world_init(&world, &none, 1, 7));
    cr_assert(eq(int, demo_world_next(&world, first.occurred_at_ms, &ev), 0));
    cr_assert(eq(sz, world.count, DEMO_WORLD_APP_OPENS));
    cr_assert(eq(int, demo_world_next(&world, first.occurred_at_ms + 1, &ev), 1));
    cr_assert(eq(str, ev.event_id, first.event_id));
    cr_assert(eq(i64, ev.occurred_at_ms, first.occurred_at_ms));
    demo_world_deinit(&world);
}

Test(demo_world, answers_clamped_to_one_time_come_out_by_event_id) {
    journey_set_t none = {0};
    demo_world_t world;
    sy_action_t action;
    char action_id[32], contact_id[32];
    int64_t later_ms = DEMO_WORLD_START_MS + 1000 * DEMO_HOUR_MS; /* after every answer */
    cr_assert(demo_world_init(&world, &none, 0, 1));
    const unsigned order[] = {9, 3, 7, 1, 8, 2, 6, 4, 5, 0};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        email_action(&action, action_id, contact_id, sizeof action_id, order[i],
                     DEMO_WORLD_START_MS);
        cr_assert(demo_world_answer(&world, &action, later_ms));
    }
    cr_assert(gt(u64, world.engagements, 1));
    channel_sim_event_t prev, ev;
    uint64_t taken = 0;
    while (demo_world_next(&world, INT64_MAX, &ev)) {
        cr_assert(eq(i64, ev.occurred_at_ms, later_ms));
        cr_assert(taken == 0 || strcmp(prev.event_id, ev.event_id) < 0, "%s after %s",
                  ev.event_id, prev.event_id);
        cr_assert(eq(str, ev.message_id + strlen("action-"), ev.contact_id + strlen("contact-")),
                  "event %s of contact %s", ev.event_id, ev.contact_id);
        prev = ev;
        taken++;
    }
    cr_assert(eq(u64, taken, world.engagements));
    demo_world_deinit(&world);
}

Test(demo_world, slots_of_events_taken_out_hold_the_next_ones) {
    journey_set_t none = {0};
    demo_world_t world;
    sy_action_t action;
    char action_id[32], contact_id[32];
    channel_sim_event_t ev;
    cr_assert(demo_world_init(&world, &none, 0, 1));
    for (unsigned n = 0; world.engagements < 3 * DEMO_WORLD_BLOCK_EVENTS; n++) {
        email_action(&action, action_id, contact_id, sizeof action_id, n, DEMO_WORLD_START_MS);
        cr_assert(demo_world_answer(&world, &action, 0));
        while (demo_world_next(&world, INT64_MAX, &ev))
            cr_assert(eq(str, ev.message_id, action_id), "event %s", ev.event_id);
    }
    cr_assert(eq(sz, world.blocks_count, 1), "%zu blocks", world.blocks_count);
    demo_world_deinit(&world);
}
