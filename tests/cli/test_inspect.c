/* test_inspect.c — `switchyard inspect` on a state directory written with the library
 * (instances in two partitions, a pending timer, a done instance, a profile; contacts with
 * only consent or event ids) while the writer still holds it open read-write: node ids
 * from the example journeys, due times, --json, --config, and the exit codes of an
 * unknown contact and bad usage. No broker. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "journey.h"
#include "state_store.h"
#include "tmpdir.h"

/* Output of one command run through the shell, at most this many bytes. */
#define INSPECT_OUTPUT_MAX (64 * 1024)
#define JOURNEYS_DIR SY_SOURCE_ROOT "/examples/journeys"
/* 2026-11-02T08:00:00Z */
#define T0_MS INT64_C(1793606400000)
#define MINUTE_MS INT64_C(60000)
#define HOUR_MS (60 * MINUTE_MS)

static char dir[64], out[INSPECT_OUTPUT_MAX], errbuf[1024];
static state_store_t *writer; /* held open read-write through every test */
static uint32_t opened_bit;   /* email.opened's bit in the outcome branch's watch list */
static uint16_t outcome_node; /* coffee_email_promo's branch node */

static int run(const char *args, char *buf) {
    char command[2048];
    snprintf(command, sizeof command, "%s inspect %s 2>&1", SWITCHYARD_BIN, args);
    return child_run(command, buf, INSPECT_OUTPUT_MAX);
}

/* The branch node of the email promo and the watch bit of email.opened on it. */
static void email_promo_find(void) {
    journey_t *j = NULL;
    sy_err_t err = journey_load_file(&j, JOURNEYS_DIR "/coffee_email_promo.yaml", errbuf,
                                     sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "load coffee_email_promo: %s", errbuf);
    int node = journey_node_index(j, "outcome");
    cr_assert_geq(node, 0, "coffee_email_promo has no node 'outcome'");
    outcome_node = (uint16_t)node;
    const journey_watch_t *w = &j->nodes[node].u.branch.watch;
    for (size_t b = 0; b < w->count; b++)
        if (w->events[b].channel == SY_CHANNEL_EMAIL && w->events[b].type == SY_EVENT_OPENED)
            opened_bit = UINT32_C(1) << b;
    cr_assert(ne(u32, opened_bit, 0), "the branch does not watch email.opened");
    journey_free(j);
}

/* carol: only a consent record (an SMS opt-out of a contact no journey took, in
 * partition 4) and an event id; dave: only an event id (partition 6). */
static void consent_only_write(void) {
    state_consent_t c = {0};
    state_event_ids_conf_t conf = {24 * HOUR_MS, 64};
    bool seen = true;
    c.slots[SY_CHANNEL_SMS] = (state_consent_slot_t){STATE_CONSENT_OPTED_OUT,
                                                     STATE_CONSENT_CAUSE_EVENT, T0_MS};
    cr_assert(eq(int, state_store_consent_put(writer, 4, "carol", &c, errbuf, sizeof errbuf),
                 SY_OK), "%s", errbuf);
    cr_assert(eq(int, state_store_event_id_seen(writer, 4, "carol", 0xca201, T0_MS, &conf,
                                                &seen, errbuf, sizeof errbuf), SY_OK));
    cr_assert(eq(int, state_store_event_id_seen(writer, 6, "dave", 0xda7e, T0_MS, &conf, &seen,
                                                errbuf, sizeof errbuf), SY_OK));
    /* and carol's engagement: two emails a week apart, the second opened at once */
    state_engagement_t e;
    state_engagement_clear(&e);
    state_engagement_channel_t *m = &e.channels[SY_CHANNEL_EMAIL];
    m->updated_ms = m->sent_ms = m->engaged_ms = T0_MS;
    m->decayed[0][STATE_ENGAGEMENT_SENDS] = 1.5f;
    m->decayed[0][STATE_ENGAGEMENT_ENGAGED] = m->decayed[0][STATE_ENGAGEMENT_OPENS] = 1.0f;
    cr_assert(eq(int, state_store_engagement_put(writer, 4, "carol", &e, errbuf,
                                                 sizeof errbuf), SY_OK), "%s", errbuf);
}

/* Commit the writer's batch as a live service does, which writes its committed state to
 * RocksDB (what inspect reads) when its input is idle. */
static void commit_as_idle_service(void) {
    cr_assert(eq(int, state_store_commit(writer, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(eq(int, state_store_checkpoint(writer, errbuf, sizeof errbuf), SY_OK), "%s",
              errbuf);
}

static void state_write(void) {
    /* alice waits at the branch with its 24h timer, which her instance keeps */
    state_instance_t active = {STATE_INSTANCE_ACTIVE, outcome_node, 1, 2, T0_MS,
                               T0_MS + 5 * MINUTE_MS, opened_bit, 0, 0,
                               STATE_INSTANCE_TIMER_ARMED,
                               T0_MS + 5 * MINUTE_MS + 24 * HOUR_MS};
    state_instance_t done = {STATE_INSTANCE_DONE, 0, 1, 1, T0_MS - 48 * HOUR_MS,
                             T0_MS - 47 * HOUR_MS, 0, 0, 0, STATE_INSTANCE_TIMER_NONE, 0};
    state_timer_t timer = {.partition = 3, .due_ms = T0_MS + 5 * MINUTE_MS + 24 * HOUR_MS,
                           .contact_id = "alice", .journey_id = "coffee_email_promo",
                           .node = outcome_node, .node_entered_at_ms = T0_MS + 5 * MINUTE_MS};
    static sy_profile_update_t update = {.contact_id = "alice", .set_count = 1};
    update.set[0] = (sy_attr_t){"first_name", {SY_VALUE_STRING, {.s = "Ana"}}};
    cr_assert(eq(int, state_store_instance_put(writer, 3, "alice", "coffee_email_promo", &active),
              SY_OK));
    cr_assert(eq(int, state_store_instance_put(writer, 5, "alice", "coffee_push_promo", &done),
              SY_OK));
    cr_assert(eq(int, state_store_instance_put(writer, 3, "bob", "coffee_email_promo", &done),
              SY_OK));
    cr_assert(eq(int, state_store_timer_add(writer, &timer), SY_OK));
    consent_only_write();
    cr_assert(eq(int, state_store_profile_apply(writer, 3, &update, errbuf, sizeof errbuf), SY_OK),
              "%s", errbuf);
    commit_as_idle_service();
}

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/sy-inspect-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp failed");
    email_promo_find();
    sy_err_t err = state_store_open(&writer, dir, false, STATE_CACHE_BYTES_DEFAULT, errbuf,
                                    sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "state_store_open(%s): %s", dir, errbuf);
    state_write();
}

static void teardown(void) {
    state_store_close(writer);
    writer = NULL;
    tmpdir_remove(dir);
}

TestSuite(inspect, .init = setup, .fini = teardown);

Test(inspect, shows_nodes_by_name_timers_done_instances_and_profile) {
    char args[512];
    snprintf(args, sizeof args, "--contact alice --state-dir %s --journeys %s", dir,
             JOURNEYS_DIR);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    const char *want[] = {
        "journey coffee_email_promo version 1 (partition 3): active",
        "node:            outcome (node",
        "entered at:      2026-11-02T08:00:00Z (occurrence 2)",
        "node entered at: 2026-11-02T08:05:00Z",
        "outcomes seen:   email.opened",
        "timers:          2026-11-03T08:05:00Z at outcome (node",
        "journey coffee_push_promo version 1 (partition 5): done",
        "first_name = \"Ana\"",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_not_null(strstr(out, want[i]), "missing '%s' in:\n%s", want[i], out);
    cr_assert_null(strstr(out, "bob"), "another contact's state shown:\n%s", out);
}

Test(inspect, names_a_seen_condition_with_its_event_type) {
    /* coffee_push_promo's branch (node 1) watches push.opened (bit 0) and
     * seen(push.clicked, link == "offer") (bit 1); erin has seen both. */
    state_instance_t active = {STATE_INSTANCE_ACTIVE, 1, 1, 1, T0_MS, T0_MS, 0x3u, 0, 0,
                               STATE_INSTANCE_TIMER_NONE, 0};
    cr_assert(eq(int, state_store_instance_put(writer, 2, "erin", "coffee_push_promo",
                                               &active), SY_OK));
    commit_as_idle_service();
    char args[512];
    snprintf(args, sizeof args, "--contact erin --state-dir %s --journeys %s", dir,
             JOURNEYS_DIR);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    const char *want = "outcomes seen:   push.opened, push.clicked (link == \"offer\")";
    cr_assert_not_null(strstr(out, want), "missing '%s' in:\n%s", want, out);
}

Test(inspect, without_journeys_shows_indexes_and_the_seen_mask) {
    char args[512], want[64];
    snprintf(args, sizeof args, "--contact alice --state-dir %s", dir);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    snprintf(want, sizeof want, "node:            node %u\n", outcome_node);
    cr_assert_not_null(strstr(out, want), "missing '%s' in:\n%s", want, out);
    snprintf(want, sizeof want, "outcomes seen:   mask 0x%08x", opened_bit);
    cr_assert_not_null(strstr(out, want), "missing '%s' in:\n%s", want, out);
}

Test(inspect, json_output_parses_and_holds_the_same) {
    char args[512];
    snprintf(args, sizeof args, "--contact alice --state-dir %s --journeys %s --json", dir,
             JOURNEYS_DIR);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    json_object *root = json_tokener_parse(out), *v = NULL;
    cr_assert_not_null(root, "not JSON:\n%s", out);
    cr_assert(json_object_object_get_ex(root, "instances", &v));
    cr_assert(eq(sz, json_object_array_length(v), 2), "instances:\n%s", out);
    json_object *first = json_object_array_get_idx(v, 0), *timers, *node, *due;
    cr_assert(json_object_object_get_ex(first, "node", &node));
    cr_assert_str_eq(json_object_get_string(node), "outcome");
    cr_assert(json_object_object_get_ex(first, "timers", &timers));
    cr_assert(eq(sz, json_object_array_length(timers), 1), "timers:\n%s", out);
    cr_assert(json_object_object_get_ex(json_object_array_get_idx(timers, 0), "due", &due));
    cr_assert_str_eq(json_object_get_string(due), "2026-11-03T08:05:00Z");
    json_object *second = json_object_array_get_idx(v, 1), *status;
    cr_assert(json_object_object_get_ex(second, "status", &status));
    cr_assert_str_eq(json_object_get_string(status), "done");
    json_object_put(root);
}

Test(inspect, reads_through_the_config_file) {
    char path[128], args[512];
    snprintf(path, sizeof path, "%s/inspect.conf", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "state.dir = %s\njourneys.dir = %s\nkafka.bootstrap.servers = 127.0.0.1:9\n",
            dir, JOURNEYS_DIR);
    fclose(f);
    snprintf(args, sizeof args, "--contact alice --config %s", path);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    cr_assert_not_null(strstr(out, "outcome (node"), "%s", out);
}

Test(inspect, takes_opt_equals_value_and_opt_space_value_alike) {
    static char spaced[INSPECT_OUTPUT_MAX];
    char args[512];
    snprintf(args, sizeof args, "--contact alice --state-dir %s --journeys %s --json", dir,
             JOURNEYS_DIR);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    snprintf(spaced, sizeof spaced, "%s", out);
    snprintf(args, sizeof args, "--json --contact=alice --state-dir=%s --journeys=%s", dir,
             JOURNEYS_DIR);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    cr_assert(eq(str, out, spaced), "--opt=value (first) vs --opt value");
    cr_assert(eq(int, run("--contact=alice --state-dir", out), 2), "output:\n%s", out);
    cr_assert_not_null(strstr(out, "an option without its value: --state-dir"), "%s", out);
    cr_assert(eq(int, run("--contact=alice --json=yes --state-dir=/tmp", out), 2), "%s", out);
    cr_assert_not_null(strstr(out, "takes no value: --json=yes"), "%s", out);
}

Test(inspect, a_contact_with_only_consent_or_event_ids_is_shown) {
    char args[512];
    snprintf(args, sizeof args, "--contact carol --state-dir %s", dir);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    const char *want[] = {"contact carol: 0 journey instances", "profile: none",
                          "sms      opted_out at 2026-11-02T08:00:00Z (event)",
                          "event ids (partition 4): 1 recent", "00000000000ca201 at "};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_assert_not_null(strstr(out, want[i]), "missing '%s' in:\n%s", want[i], out);
    snprintf(args, sizeof args, "--contact carol --state-dir %s --json", dir);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    json_object *root = json_tokener_parse(out), *v = NULL;
    cr_assert_not_null(root, "not JSON:\n%s", out);
    cr_assert(json_object_object_get_ex(root, "found", &v) && json_object_get_boolean(v),
              "%s", out);
    cr_assert(json_object_object_get_ex(root, "consent", &v) &&
              json_object_object_get_ex(v, "channels", &v) &&
              json_object_object_get_ex(v, "sms", &v) &&
              json_object_object_get_ex(v, "status", &v), "%s", out);
    cr_assert_str_eq(json_object_get_string(v), "opted_out");
    json_object_put(root);
    snprintf(args, sizeof args, "--contact dave --state-dir %s", dir);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    cr_assert_not_null(strstr(out, "event ids (partition 6): 1 recent"), "%s", out);
    cr_assert_null(strstr(out, "consent:"), "%s", out);
}

Test(inspect, unknown_contact_exits_1_and_says_so) {
    char args[512];
    snprintf(args, sizeof args, "--contact nobody --state-dir %s", dir);
    cr_assert(eq(int, run(args, out), 1), "exit code; output:\n%s", out);
    cr_assert_not_null(strstr(out, "no state"), "%s", out);
}

Test(inspect, bad_usage_exits_2) {
    cr_assert(eq(int, run("--state-dir /tmp", out), 2), "no --contact; output:\n%s", out);
    cr_assert(eq(int, run("--contact a", out), 2), "no directory; output:\n%s", out);
    cr_assert(eq(int, run("--contact a --state-dir /tmp --bogus", out), 2), "output:\n%s", out);
}

Test(inspect, works_while_the_directory_is_locked_by_a_writer) {
    state_store_t *second = NULL;
    sy_err_t err = state_store_open(&second, dir, false, 0, errbuf, sizeof errbuf);
    cr_assert(ne(int, err, SY_OK), "a second read-write open succeeded: the writer holds no lock");
    state_store_close(second);
    char args[512];
    snprintf(args, sizeof args, "--contact bob --state-dir %s", dir);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    cr_assert_not_null(strstr(out, "coffee_email_promo version 1 (partition 3): done"),
                       "%s", out);
}

/* A contact held at a send by a cap: its held send with the release time, and each rule
 * of the config's caps counted at --at, in text and JSON. */
Test(inspect, shows_held_sends_and_cap_counters) {
    state_instance_t held = {STATE_INSTANCE_ACTIVE, 0, 1, 1, T0_MS, T0_MS + HOUR_MS, 0, 0, 0,
                             STATE_INSTANCE_TIMER_ARMED, T0_MS + 25 * HOUR_MS};
    state_timer_t timer = {.partition = 0, .due_ms = T0_MS + 25 * HOUR_MS,
                           .contact_id = "carol", .journey_id = "caps_delay", .node = 0,
                           .node_entered_at_ms = T0_MS + HOUR_MS};
    state_consent_t c = {.sends_count = 2};
    c.sends[0] = (state_consent_send_t){T0_MS, SY_CHANNEL_EMAIL, 0};
    c.sends[1] = (state_consent_send_t){T0_MS + 30 * MINUTE_MS, SY_CHANNEL_EMAIL, 0};
    cr_assert(eq(int, state_store_instance_put(writer, 0, "carol", "caps_delay", &held), SY_OK));
    cr_assert(eq(int, state_store_timer_add(writer, &timer), SY_OK));
    cr_assert(eq(int, state_store_consent_put(writer, 0, "carol", &c, errbuf, sizeof errbuf),
                 SY_OK));
    commit_as_idle_service();
    char path[128], args[512];
    snprintf(path, sizeof path, "%s/caps.conf", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "state.dir = %s\njourneys.dir = %s/tests/journeys/caps\n"
            "kafka.bootstrap.servers = 127.0.0.1:9\n"
            "safety.caps = email_daily:email:marketing:2/24h,all_hourly:all:any:3/1h\n",
            dir, SY_SOURCE_ROOT);
    fclose(f);
    snprintf(args, sizeof args, "--contact carol --config %s --at 2026-11-02T08:45:00Z", path);
    cr_assert(eq(int, run(args, out), 0), "%s", out);
    cr_assert_not_null(strstr(out, "held sends:\n  caps_delay at promo_email until "
                                   "2026-11-03T09:00:00Z\n"), "%s", out);
    cr_assert_not_null(strstr(out, "caps at 2026-11-02T08:45:00Z:\n  email_daily 2/2 in 24h\n"
                                   "  all_hourly 2/3 in 1h\n"), "%s", out);
    snprintf(args, sizeof args, "--contact carol --config %s --at 2026-11-02T09:10:00Z --json",
             path);
    cr_assert(eq(int, run(args, out), 0), "%s", out);
    json_object *o = json_tokener_parse(out), *caps, *rules, *held_list;
    cr_assert_not_null(o, "%s", out);
    cr_assert(json_object_object_get_ex(o, "caps", &caps));
    cr_assert(json_object_object_get_ex(caps, "rules", &rules));
    json_object *hourly = json_object_array_get_idx(rules, 1), *count;
    cr_assert(json_object_object_get_ex(hourly, "count", &count));
    cr_assert(eq(int, json_object_get_int(count), 1), "the 08:00 send left the hour: %s", out);
    cr_assert(json_object_object_get_ex(o, "held", &held_list));
    cr_assert(eq(sz, json_object_array_length(held_list), 1), "%s", out);
    json_object_put(o);
}

Test(inspect, shows_the_engagement_memory_per_channel) {
    char args[512];
    snprintf(args, sizeof args, "--contact carol --state-dir %s", dir);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    const char *want[] = {"engagement (counters decayed to each channel's last update):",
                          "  email    at ", ", ignored_streak 0; sent ",
                          "    7d  sends 1.5 engaged 1 opens 1 clicks 0 engagement_rate "
                          "0.666667\n"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_not_null(strstr(out, want[i]), "missing '%s' in:\n%s", want[i], out);
    cr_expect_null(strstr(out, "  sms      at "), "no record on sms:\n%s", out);
    snprintf(args, sizeof args, "--contact carol --state-dir %s --json", dir);
    cr_assert(eq(int, run(args, out), 0), "exit code; output:\n%s", out);
    json_object *root = json_tokener_parse(out), *eng, *email, *d7, *rate;
    cr_assert_not_null(root, "not JSON:\n%s", out);
    cr_assert(json_object_object_get_ex(root, "engagement", &eng));
    cr_assert(json_object_object_get_ex(eng, "email", &email));
    cr_assert(json_object_object_get_ex(email, "7d", &d7));
    cr_assert(json_object_object_get_ex(d7, "engagement_rate", &rate));
    cr_expect(ieee_ulp_eq(dbl, json_object_get_double(rate), 1.0 / 1.5, 4));
    json_object_put(root);
}
