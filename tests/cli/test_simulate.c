/* test_simulate.c — `switchyard simulate` as a marketer runs it: the coffee-chain promo over
 * examples/events/coffee_email_promo.jsonl gives each contact the decisions and actions
 * the journey promises, the same bytes on every run, timers only as far as --until says,
 * and errors that name file and line. No broker. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <json-c/json.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "text_file.h"
#include "tmpdir.h"

#define EVENTS SY_SOURCE_ROOT "/examples/events/coffee_email_promo.jsonl"
#define JOURNEY SY_SOURCE_ROOT "/examples/journeys/coffee_email_promo.yaml"

/* Output of one command, and of one simulation's JSON lines, at most this many bytes. */
#define SIM_OUTPUT_MAX (256 * 1024)

static char dir[] = "/tmp/switchyard-simulate-XXXXXX";
static char journeys[128], out_path[128];
static char out[SIM_OUTPUT_MAX];

/* A journeys directory holding only the coffee promo: other example journeys that may
 * join examples/journeys must not change what this test sees. */
static void sim_setup(void) {
    char command[512];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(journeys, sizeof journeys, "%s/journeys", dir);
    snprintf(out_path, sizeof out_path, "%s/out.jsonl", dir);
    snprintf(command, sizeof command, "mkdir %s && cp %s %s/", journeys, JOURNEY, journeys);
    cr_assert(eq(int, system(command), 0), "%s", command);
}

static void sim_teardown(void) {
    cr_assert(eq(int, tmpdir_remove(dir), 0), "remove %s", dir);
}

TestSuite(simulate, .init = sim_setup, .fini = sim_teardown);

/* Run `switchyard simulate ARGS`; stdout, and stderr unless ARGS redirect it, into
 * output. */
static int run(const char *args, char *output) {
    char command[1024];
    snprintf(command, sizeof command, "%s simulate %s%s", SWITCHYARD_BIN, args,
             strstr(args, "2>") ? "" : " 2>&1");
    return child_run(command, output, SIM_OUTPUT_MAX);
}

/* Simulate the example into out_path with extra options; the JSON lines into buf. */
static void simulate_example(const char *options, char *buf) {
    char args[512];
    snprintf(args, sizeof args, "--journeys %s --events %s --out %s %s", journeys, EVENTS,
             out_path, options);
    cr_assert(eq(int, run(args, out), 0), "simulate %s:\n%s", args, out);
    text_file_read(out_path, buf, SIM_OUTPUT_MAX);
}

static const char *member(json_object *o, const char *name) {
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, name, &v) || !v)
        return "-";
    return json_object_get_string(v);
}

/* One contact's outputs as text: "from>to(path)/cause" for a decision, "send node channel
 * template" for an action, "update op name" for a contact update, joined by " | ". */
static void contact_trace(const char *lines, const char *contact, char *trace, size_t size) {
    size_t n = 0;
    trace[0] = '\0';
    for (const char *l = lines; *l; l = strchr(l, '\n') + 1) {
        cr_assert_not_null(strchr(l, '\n'), "unterminated line: %s", l);
        json_object *o = json_tokener_parse(l);
        cr_assert_not_null(o, "not JSON: %.200s", l);
        const char *schema = member(o, "schema");
        if (strcmp(member(o, "contact_id"), contact) == 0) {
            char item[256];
            if (strcmp(schema, "RoutingDecision") == 0)
                snprintf(item, sizeof item, "%s>%s(%s)/%s", member(o, "from_node"),
                         member(o, "to_node"), member(o, "path"), member(o, "cause"));
            else if (strcmp(schema, "ActionCommand") == 0)
                snprintf(item, sizeof item, "send %s %s %s", member(o, "node_id"),
                         member(o, "channel"), member(o, "template_id"));
            else
                snprintf(item, sizeof item, "update %s %s", member(o, "op"), member(o, "name"));
            n += (size_t)snprintf(trace + n, size - n, "%s%s", n ? " | " : "", item);
        }
        json_object_put(o);
    }
}

static void expect_trace(const char *lines, const char *contact, const char *want) {
    char trace[2048];
    contact_trace(lines, contact, trace, sizeof trace);
    cr_assert(eq(str, trace, (char *)want), "contact %s", contact);
}

static char lines[SIM_OUTPUT_MAX], again[SIM_OUTPUT_MAX];

Test(simulate, the_example_gives_each_contact_the_path_the_journey_promises) {
    simulate_example("", lines);
    expect_trace(lines, "ann",
                 "->promo_email(-)/entry | send promo_email email autumn_promo | "
                 "promo_email>outcome(-)/entry | "
                 "outcome>discount_email(opened)/event | "
                 "send discount_email email personal_discount | discount_email>done(-)/event");
    expect_trace(lines, "ben",
                 "->promo_email(-)/entry | send promo_email email autumn_promo | "
                 "promo_email>outcome(-)/entry | "
                 "outcome>push_nudge(not_opened)/timer | "
                 "send push_nudge push autumn_promo_reminder | push_nudge>done(-)/timer");
    expect_trace(lines, "cat",
                 "->promo_email(-)/entry | send promo_email email autumn_promo | "
                 "promo_email>outcome(-)/entry | "
                 "outcome>flag_cleansing(bounced)/event | "
                 "update add_to_list data_cleansing | flag_cleansing>done(-)/event");
    cr_assert_not_null(strstr(out, "switchyard simulate: 7 events, 0 profile updates, "),
                       "summary:\n%s", out);
}

Test(simulate, the_opened_path_is_caused_by_the_open_at_its_event_time) {
    simulate_example("", lines);
    const char *open = strstr(lines, "\"to_node\":\"discount_email\"");
    cr_assert_not_null(open, "%s", lines);
    const char *end = strchr(open, '\n');
    cr_assert_not_null(strstr(open, "\"cause_event_id\":\"e7\""), "%.*s", (int)(end - open),
                       open);
    cr_assert_not_null(strstr(open, "\"decided_at\":\"2026-11-02T11:30:00.000Z\""), "%.*s",
                       (int)(end - open), open);
}

Test(simulate, two_runs_give_the_same_bytes) {
    simulate_example("", lines);
    simulate_example("", again);
    cr_assert_gt(strlen(lines), 0);
    cr_assert_str_eq(lines, again);
    simulate_example("--partitions 3", lines);
    simulate_example("--partitions 3", again);
    cr_assert_str_eq(lines, again);
}

Test(simulate, stdin_and_stdout_give_the_file_result) {
    char args[512];
    simulate_example("", lines);
    snprintf(args, sizeof args, "--journeys %s --events - < %s 2>/dev/null", journeys, EVENTS);
    cr_assert(eq(int, run(args, out), 0), "%s", out);
    cr_assert_str_eq(out, lines);
}

Test(simulate, until_one_hour_after_leaves_the_24h_timers_unfired) {
    simulate_example("--until +1h", lines);
    expect_trace(lines, "ben",
                 "->promo_email(-)/entry | send promo_email email autumn_promo | "
                 "promo_email>outcome(-)/entry");
    cr_assert_null(strstr(lines, "\"cause\":\"timer\""), "%s", lines);
    cr_assert_not_null(strstr(out, " 0 timers fired"), "summary:\n%s", out);
    /* A time past the 24 h mark fires it. */
    simulate_example("--until 2026-11-03T08:00:00Z", lines);
    cr_assert_not_null(strstr(lines, "\"path\":\"not_opened\""), "%s", lines);
}

Test(simulate, a_bad_line_is_named_by_file_and_line_and_exits_2) {
    char events[160], args[512];
    snprintf(events, sizeof events, "%s/bad.jsonl", dir);
    FILE *f = fopen(events, "w");
    cr_assert_not_null(f);
    fputs("# one good event, then a typo\n"
          "{\"contact_id\":\"ann\",\"time\":0,\"type\":\"custom.promo_eligible\"}\n"
          "\n"
          "{\"contact_id\":\"ann\",\"time\":1,\"type\":\"email.opend\"}\n",
          f);
    fclose(f);
    snprintf(args, sizeof args, "--journeys %s --events %s --out %s", journeys, events,
             out_path);
    cr_assert(eq(int, run(args, out), 2), "output:\n%s", out);
    char want[256];
    snprintf(want, sizeof want, "%s:4: unknown event type 'email.opend'", events);
    cr_assert_not_null(strstr(out, want), "expected '%s' in:\n%s", want, out);
}

Test(simulate, an_unknown_journeys_dir_exits_2) {
    char args[512];
    snprintf(args, sizeof args, "--journeys %s/nowhere --events %s --out %s", dir, EVENTS,
             out_path);
    cr_assert(eq(int, run(args, out), 2), "output:\n%s", out);
    cr_assert_not_null(strstr(out, "nowhere"), "%s", out);
    cr_assert(ne(int, access(out_path, F_OK), 0), "the output was created");
}

Test(simulate, usage_errors_exit_2) {
    cr_assert(eq(int, run("--events x.jsonl", out), 2), "%s", out);
    cr_assert_not_null(strstr(out, "--journeys DIR and --events FILE are required"), "%s", out);
    cr_assert(eq(int, run("--journeys j --events e --until tomorrow", out), 2), "%s", out);
    cr_assert(eq(int, run("--journeys j --events e --partitions 0", out), 2), "%s", out);
    cr_assert(eq(int, run("--journeys j --events e --frobnicate 1", out), 2), "%s", out);
}

/* Write text to the file name in dir; its path into path. */
static void dir_file_write(const char *name, const char *text, char *path, size_t size) {
    snprintf(path, size, "%s/%s", dir, name);
    cr_assert(eq(int, text_file_write(path, text), 0), "write %s", path);
}

Test(simulate, a_journey_with_a_web_send_validates_and_sends_on_web) {
    char path[256], events[256], args[768];
    dir_file_write("journeys/web.yaml",
                   "id: web_banner\nversion: 1\nentry: {event: custom.cart_abandoned}\n"
                   "nodes:\n  - id: banner\n    send: {channel: web, template: cart}\n"
                   "    next: done\n  - id: done\n    exit: {}\n", path, sizeof path);
    snprintf(args, sizeof args, "%s validate %s 2>&1", SWITCHYARD_BIN, path);
    cr_assert(eq(int, child_run(args, out, SIM_OUTPUT_MAX), 0), "%s", out);
    dir_file_write("web.jsonl", "{\"event_id\":\"w1\",\"contact_id\":\"wes\",\"time\":0,"
                   "\"type\":\"custom.cart_abandoned\"}\n", events, sizeof events);
    snprintf(args, sizeof args, "--journeys %s --events %s --out %s", journeys, events,
             out_path);
    cr_assert(eq(int, run(args, out), 0), "%s", out);
    text_file_read(out_path, lines, SIM_OUTPUT_MAX);
    expect_trace(lines, "wes", "->banner(-)/entry | send banner web cart | "
                               "banner>done(-)/entry");
}

/* An event stamped a year ahead of the partition's event time is a dead letter with its
 * reason: it moves no time, so ben's 24 h timer does not fire at it (--until input). */
Test(simulate, an_event_a_year_ahead_is_a_dead_letter_and_fires_no_timer) {
    char events[256], args[768];
    char text[4096];
    text_file_read(EVENTS, text, sizeof text);
    size_t n = strlen(text);
    snprintf(text + n, sizeof text - n, "{\"event_id\":\"far\",\"contact_id\":\"zed\","
             "\"time\":\"2027-11-02T12:00:00Z\",\"type\":\"custom.promo_eligible\"}\n");
    dir_file_write("far.jsonl", text, events, sizeof events);
    snprintf(args, sizeof args, "--journeys %s --events %s --out %s --until input",
             journeys, events, out_path);
    cr_assert(eq(int, run(args, out), 0), "%s", out);
    text_file_read(out_path, lines, SIM_OUTPUT_MAX);
    cr_assert_not_null(strstr(lines, "\"error_code\":\"implausible_time\""), "%s", lines);
    cr_assert_null(strstr(lines, "\"cause\":\"timer\""), "%s", lines);
    cr_assert_null(strstr(lines, "\"contact_id\":\"zed\",\"journey"), "%s", lines);
    cr_assert_not_null(strstr(out, " 0 timers fired, 0 duplicates, 1 dead letters"), "%s",
                       out);
}

/* Consent (tests/journeys/consent): " Stop " stops marketing SMS but not the transactional
 * receipt; STOPALL stops everything; a hard bounce stops email; START undoes STOP; a member
 * of a suppression list gets nothing; a journey's opt_in undoes its opt_out, and so do the
 * profiles' consent.sms attributes; a bad consent attribute is ignored with one warning.
 * Each stopped send's move on says why. */
Test(simulate, consent_and_suppression_stop_sends_and_say_why) {
    char args[768];
    snprintf(args, sizeof args, "--journeys %s/tests/journeys/consent --events "
             "%s/tests/journeys/consent/events.jsonl --out %s --suppression-lists "
             "do_not_contact", SY_SOURCE_ROOT, SY_SOURCE_ROOT, out_path);
    cr_assert(eq(int, run(args, out), 0), "%s", out);
    text_file_read(out_path, lines, SIM_OUTPUT_MAX);
    expect_trace(lines, "a", "->promo_sms(-)/entry | send promo_sms sms promo | "
                 "promo_sms>receipt_sms(-)/entry | send receipt_sms sms receipt | "
                 "receipt_sms>promo_email(-)/entry | send promo_email email promo | "
                 "promo_email>done(-)/entry | update opt_out sms | ->promo_sms(-)/entry | "
                 "promo_sms>receipt_sms(suppressed:opted_out)/entry | "
                 "send receipt_sms sms receipt | receipt_sms>promo_email(-)/entry | "
                 "send promo_email email promo | promo_email>done(-)/entry");
    expect_trace(lines, "b", "update opt_out sms | ->promo_sms(-)/entry | "
                 "promo_sms>receipt_sms(suppressed:opted_out)/entry | "
                 "receipt_sms>promo_email(suppressed:opted_out)/entry | "
                 "promo_email>done(suppressed:opted_out)/entry");
    expect_trace(lines, "c", "->promo_sms(-)/entry | send promo_sms sms promo | "
                 "promo_sms>receipt_sms(-)/entry | send receipt_sms sms receipt | "
                 "receipt_sms>promo_email(-)/entry | "
                 "promo_email>done(suppressed:hard_bounce)/entry");
    expect_trace(lines, "d", "update opt_out sms | ->promo_sms(-)/entry | "
                 "send promo_sms sms promo | promo_sms>receipt_sms(-)/entry | "
                 "send receipt_sms sms receipt | receipt_sms>promo_email(-)/entry | "
                 "send promo_email email promo | promo_email>done(-)/entry");
    expect_trace(lines, "e", "->flag(-)/entry | update add_to_list do_not_contact | "
                 "flag>done(-)/entry | ->promo_sms(-)/entry | "
                 "promo_sms>receipt_sms(suppressed:list:do_not_contact)/entry | "
                 "receipt_sms>promo_email(suppressed:list:do_not_contact)/entry | "
                 "promo_email>done(suppressed:list:do_not_contact)/entry");
    expect_trace(lines, "f", "->which(-)/entry | which>opt_out(then)/entry | "
                 "update opt_out sms | opt_out>done(-)/entry | ->promo_sms(-)/entry | "
                 "promo_sms>receipt_sms(suppressed:opted_out)/entry | "
                 "send receipt_sms sms receipt | receipt_sms>promo_email(-)/entry | "
                 "send promo_email email promo | promo_email>done(-)/entry | "
                 "->which(-)/entry | which>opt_in(else)/entry | update opt_in sms | "
                 "opt_in>done(-)/entry | ->promo_sms(-)/entry | send promo_sms sms promo | "
                 "promo_sms>receipt_sms(-)/entry | send receipt_sms sms receipt | "
                 "receipt_sms>promo_email(-)/entry | send promo_email email promo | "
                 "promo_email>done(-)/entry");
    expect_trace(lines, "g", "->promo_sms(-)/entry | "
                 "promo_sms>receipt_sms(suppressed:opted_out)/entry | "
                 "send receipt_sms sms receipt | receipt_sms>promo_email(-)/entry | "
                 "send promo_email email promo | promo_email>done(-)/entry | "
                 "->promo_sms(-)/entry | send promo_sms sms promo | "
                 "promo_sms>receipt_sms(-)/entry | send receipt_sms sms receipt | "
                 "receipt_sms>promo_email(-)/entry | send promo_email email promo | "
                 "promo_email>done(-)/entry");
    expect_trace(lines, "h", "->promo_sms(-)/entry | send promo_sms sms promo | "
                 "promo_sms>receipt_sms(-)/entry | send receipt_sms sms receipt | "
                 "receipt_sms>promo_email(-)/entry | send promo_email email promo | "
                 "promo_email>done(-)/entry");
    /* h's two bad consent attributes: one warning for the run, naming the first. */
    const char *warning = strstr(out, "profile of contact h: consent.sms is \"later\", not "
                                      "opted_in or opted_out: ignored");
    cr_assert_not_null(warning, "%s", out);
    cr_assert_null(strstr(warning + 1, "profile of contact"), "%s", out);
    cr_assert_not_null(strstr(out, " 0 dead letters, 10 sends suppressed, 0 capped, 0 held"),
                       "%s", out);
}

/* --config applies the service config's consent and safety options as the service does:
 * its suppression list gives the bytes --suppression-lists gives, and its own SMS stop
 * keywords replace the defaults (" Stop " no longer opts contact a out). */
Test(simulate, a_service_config_applies_its_consent_and_safety_options) {
    char config[256], args[768];
    const char *base = "kafka.bootstrap.servers = 127.0.0.1:1\njourneys.dir = .\n"
                       "state.dir = unused\nsafety.suppression.lists = do_not_contact\n";
    const char *common = "--journeys " SY_SOURCE_ROOT "/tests/journeys/consent --events "
                         SY_SOURCE_ROOT "/tests/journeys/consent/events.jsonl";
    snprintf(args, sizeof args, "%s --out %s --suppression-lists do_not_contact", common,
             out_path);
    cr_assert(eq(int, run(args, out), 0), "%s", out);
    text_file_read(out_path, again, SIM_OUTPUT_MAX);
    dir_file_write("lists.conf", base, config, sizeof config);
    snprintf(args, sizeof args, "%s --out %s --config %s", common, out_path, config);
    cr_assert(eq(int, run(args, out), 0), "%s", out);
    text_file_read(out_path, lines, SIM_OUTPUT_MAX);
    cr_assert(eq(str, lines, again), "--config vs --suppression-lists");

    char text[512];
    snprintf(text, sizeof text, "%sconsent.sms.stop.keywords = HALT\n", base);
    dir_file_write("halt.conf", text, config, sizeof config);
    snprintf(args, sizeof args, "%s --out %s --config %s", common, out_path, config);
    cr_assert(eq(int, run(args, out), 0), "%s", out);
    text_file_read(out_path, lines, SIM_OUTPUT_MAX);
    char trace[2048];
    contact_trace(lines, "a", trace, sizeof trace);
    const char *second = strstr(strstr(trace, "send promo_sms sms promo") + 1,
                                "send promo_sms sms promo");
    cr_assert_not_null(second, "\" Stop \" is no keyword with HALT alone: %s", trace);

    dir_file_write("bad.conf", "kafka.bootstrap.servers = x\njourneys.dir = .\n"
                   "state.dir = y\nsafety.caps.bogus = 1\n", config, sizeof config);
    snprintf(args, sizeof args, "%s --out %s --config %s", common, out_path, config);
    cr_assert(eq(int, run(args, out), 2), "%s", out);
    cr_assert_not_null(strstr(out, "bad.conf:4:"), "the file and line: %s", out);
}

/* Caps, quiet hours and priority (tests/journeys/caps with caps.conf): every reason a
 * send is capped or held, its decision's path, and what happens at the release. */
Test(simulate, caps_quiet_hours_and_priority_say_why_and_release_on_time) {
    char args[768];
    snprintf(args, sizeof args, "--journeys %s/tests/journeys/caps --events "
             "%s/tests/journeys/caps/events.jsonl --config %s/tests/journeys/caps/caps.conf "
             "--out %s", SY_SOURCE_ROOT, SY_SOURCE_ROOT, SY_SOURCE_ROOT, out_path);
    cr_assert(eq(int, run(args, out), 0), "%s", out);
    text_file_read(out_path, lines, SIM_OUTPUT_MAX);
    const char *two_emails = "->promo_email(-)/entry | send promo_email email promo | "
                             "promo_email>done(-)/entry | ->promo_email(-)/entry | "
                             "send promo_email email promo | promo_email>done(-)/entry | ";
    char want[1024];
    snprintf(want, sizeof want, "%s->promo_email(-)/entry | "
             "promo_email>done(capped:email_daily)/entry", two_emails);
    expect_trace(lines, "skip", want);
    snprintf(want, sizeof want, "%s->promo_email(-)/entry | "
             "promo_email>promo_sms(capped:email_daily)/entry | send promo_sms sms promo | "
             "promo_sms>done(-)/entry", two_emails);
    expect_trace(lines, "route", want);
    /* Held until the 09:00 send leaves the 24h window, then sent, stamped then. */
    snprintf(want, sizeof want, "%s->promo_email(-)/entry | promo_email>promo_email("
             "held:capped:email_daily@2026-11-03T09:00:00.000Z)/entry | "
             "send promo_email email promo | promo_email>done(-)/timer", two_emails);
    expect_trace(lines, "delay", want);
    /* 22:30 in Berlin: the receipt goes; the promo is held until 08:00 there plus the
     * contact's offset (< 10 min), then sent, stamped then. */
    expect_trace(lines, "berlin",
                 "->receipt_sms(-)/entry | send receipt_sms sms receipt | "
                 "receipt_sms>promo_sms(-)/entry | promo_sms>promo_sms("
                 "held:quiet_hours@2026-11-03T07:04:34.277Z)/entry | "
                 "send promo_sms sms promo | promo_sms>done(-)/timer");
    cr_assert_not_null(strstr(lines, "\"template_id\":\"promo\",\"not_before\":"
                                     "\"2026-11-03T07:04:34.277Z\""), "%s", lines);
    expect_trace(lines, "utc", "->receipt_sms(-)/entry | send receipt_sms sms receipt | "
                 "receipt_sms>promo_sms(-)/entry | send promo_sms sms promo | "
                 "promo_sms>done(-)/entry");
    /* A STOP while held: at the release the gate stops it. */
    expect_trace(lines, "stop", "->receipt_sms(-)/entry | send receipt_sms sms receipt | "
                 "receipt_sms>promo_sms(-)/entry | promo_sms>promo_sms("
                 "held:quiet_hours@2026-11-03T08:04:38.147Z)/entry | update opt_out sms | "
                 "promo_sms>done(suppressed:opted_out)/timer");
    /* An exit rule ends a held instance: its timer finds it gone and sends nothing. */
    expect_trace(lines, "cancel", "->receipt_sms(-)/entry | send receipt_sms sms receipt | "
                 "receipt_sms>promo_sms(-)/entry | promo_sms>promo_sms("
                 "held:quiet_hours@2026-11-03T08:04:09.717Z)/entry | "
                 "promo_sms>exit:custom.cancel(-)/event");
    /* push_one allows one push: prio_b (priority 10) before prio_a, on an event and on
     * timers due at the same millisecond. */
    expect_trace(lines, "prio", "->push_now(-)/entry | send push_now push high | "
                 "push_now>done(-)/entry | ->push_now(-)/entry | "
                 "push_now>done(capped:push_one)/entry");
    expect_trace(lines, "prio_wait", "->pause(-)/entry | ->pause(-)/entry | "
                 "pause>push_later(-)/timer | send push_later push high | "
                 "push_later>done(-)/timer | pause>push_later(-)/timer | "
                 "push_later>done(capped:push_one)/timer");
    cr_assert_not_null(strstr(out, "1 sends suppressed, 4 capped, 4 held"), "%s", out);
}
