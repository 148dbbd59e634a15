/* test_engine_loops.c — a send on a loop is passed several times in one occurrence: each
 * pass gets its own action id (senders dedupe on it, so one id per loop would drop every
 * later message), and a branch on such a send counts the outcomes of its last pass only.
 * Sends on no loop keep their one id per occurrence. The environment is engine_fixture.h's.
 * No Kafka. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

#include "action_id.h"
#include "engine_fixture.h"

/* A reminder every 2 h while the contact has not opened the last one; an open of the
 * last reminder ends it. */
static const char reminder_yaml[] =
    "id: reminder\n"
    "version: 1\n"
    "entry: {event: custom.go}\n"
    "nodes:\n"
    "  - id: ping\n"
    "    send: {channel: email, template: ping}\n"
    "    next: seen\n"
    "  - id: seen\n"
    "    branch:\n"
    "      message: ping\n"
    "      paths:\n"
    "        - {name: opened, when: [email.opened], to: done}\n"
    "      otherwise: {after: 2h, to: ping}\n"
    "  - id: done\n"
    "    exit: {}\n";

Test(engine_lang, every_pass_of_a_looped_send_has_its_own_action_id) {
    lx_open(reminder_yaml);
    feed_custom(&lx, "go", T0_MS, "go", -1);
    advance(&lx, T0_MS + 5 * H_MS); /* passes at 0, 2 h and 4 h */
    cr_assert(eq(sz, lx.rec.actions_count, 3));
    for (size_t i = 0; i < 3; i++) {
        char want[ACTION_ID_BYTES];
        action_id_format(want, contact, "reminder", 1, "ping", 1,
                         T0_MS + (int64_t)i * 2 * H_MS);
        cr_assert(eq(str, lx.rec.actions[i].action_id, want), "pass %zu", i);
        cr_assert(eq(int, lx.rec.actions[i].occurrence, 1));
    }
    cr_assert(ne(str, lx.rec.actions[0].action_id, lx.rec.actions[1].action_id));
}

Test(engine_lang, a_branch_on_a_looped_send_counts_its_last_pass_only) {
    lx_open(reminder_yaml);
    feed_custom(&lx, "go", T0_MS, "go", -1);
    advance(&lx, T0_MS + 3 * H_MS); /* the second reminder went at 2 h */
    cr_assert(eq(sz, lx.rec.actions_count, 2));
    char first[REC_STR];
    snprintf(first, sizeof first, "%s", lx.rec.actions[0].action_id);
    /* An open of the first reminder, arriving now: not an outcome of the second. */
    feed_email(&lx, "late-open", contact, T0_MS + 3 * H_MS, SY_EVENT_OPENED, first);
    advance(&lx, T0_MS + 4 * H_MS + 1);
    cr_assert(eq(sz, lx.rec.actions_count, 3), "the loop went on");
    char third[REC_STR];
    snprintf(third, sizeof third, "%s", lx.rec.actions[2].action_id);
    feed_email(&lx, "open", contact, T0_MS + 4 * H_MS + 2, SY_EVENT_OPENED, third);
    advance(&lx, T0_MS + 10 * H_MS);
    cr_assert(eq(sz, lx.rec.actions_count, 3), "no reminder after the open of the last");
    expect_instance(&lx, STATE_INSTANCE_DONE, 1);
}
