/* test_replay.c — `switchyard replay` over recording files the test writes from the
 * example journeys' event files (tests/journeys/paths): the same bytes on every replay,
 * each contact's outputs equal to `switchyard simulate` over the same lines, poison records
 * as dead letters, a replay continued from a state directory, the what-if report, and the
 * exit codes of bad usage. No broker. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <json-c/json.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"
#include "codec.h"
#include "event_json.h"
#include "recording.h"
#include "simulate.h"
#include "svg_text.h"
#include "text_file.h"
#include "tmpdir.h"

#define PATHS SY_SOURCE_ROOT "/tests/journeys/paths/"
#define JOURNEYS SY_SOURCE_ROOT "/examples/journeys"

/* Input records the test makes (the four path files hold under a hundred), bytes of one
 * command's or output file's text, and partitions the records are spread over. */
#define ITEMS_MAX 512
#define OUTPUT_MAX (512 * 1024)
#define TEST_PARTITIONS 3

typedef struct item {
    char line[1024];      /* the JSON line, for `simulate` */
    char contact[160];
    int32_t partition;    /* simulate_partition(contact, TEST_PARTITIONS) */
    int64_t time_ms;
    int second_half;      /* in the second half of its own file */
    unsigned char frame[2048];
    size_t frame_len;
} item_t;

static item_t items[ITEMS_MAX];
static size_t items_count;
static char dir[] = "/tmp/switchyard-replay-XXXXXX";
static char out[OUTPUT_MAX], a_text[OUTPUT_MAX], b_text[OUTPUT_MAX];

/* Parse one path file into items: each line encoded as its wire frame. */
static void items_load(const char *name, codec_t *codec) {
    char path[512], errbuf[512];
    event_json_t *parser = NULL;
    snprintf(path, sizeof path, "%s%s.jsonl", PATHS, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    cr_assert(eq(int, event_json_open(&parser, path, errbuf, sizeof errbuf), SY_OK));
    char text[1024];
    size_t first = items_count;
    for (long no = 1; fgets(text, sizeof text, f); no++) {
        event_json_line_t l;
        cr_assert(eq(int, event_json_parse(parser, text, strlen(text), no, &l, errbuf,
                                   sizeof errbuf), SY_OK), "%s", errbuf);
        if (l.kind == EVENT_JSON_SKIP)
            continue;
        cr_assert_lt(items_count, ITEMS_MAX);
        item_t *it = &items[items_count++];
        const void *frame = NULL;
        sy_err_t err = l.event ? codec_encode_event(codec, l.event, &frame, &it->frame_len,
                                                    errbuf, sizeof errbuf)
                               : codec_encode_profile_update(codec, l.profile, &frame,
                                                             &it->frame_len, errbuf,
                                                             sizeof errbuf);
        cr_assert(eq(int, err, SY_OK), "%s", errbuf);
        cr_assert_leq(it->frame_len, sizeof it->frame);
        memcpy(it->frame, frame, it->frame_len);
        snprintf(it->line, sizeof it->line, "%s", text);
        snprintf(it->contact, sizeof it->contact, "%s",
                 l.event ? l.event->contact_id : l.profile->contact_id);
        it->time_ms = l.event ? l.event->occurred_at_ms : l.profile->updated_at_ms;
        it->partition = simulate_partition(it->contact, TEST_PARTITIONS);
    }
    for (size_t i = first; i < items_count; i++)
        items[i].second_half = i - first >= (items_count - first) / 2;
    event_json_close(parser);
    fclose(f);
}

static void append(recording_writer_t *w, int32_t partition, int64_t offset, int64_t time_ms,
                   const char *key, const void *value, size_t value_len) {
    char errbuf[512];
    recording_record_t r = {"events", partition, offset, time_ms, key, key ? strlen(key) : 0,
                            value, value_len};
    cr_assert(eq(int, recording_writer_append(w, &r, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
}

/* Two records that are not input the engine takes: where they go in a recording. */
static const unsigned char poison_unknown_schema[] = {0, 0, 0, 0, 99, 1, 2, 3};
static const char poison_not_avro[] = "not avro at all";
static int64_t poison_offset[2]; /* in partitions 0 and 1 */

/* Which items a recording holds. */
enum { ALL, FIRST_HALVES, SECOND_HALVES };

static int item_in(const item_t *it, int which) {
    return which == ALL || it->second_half == (which == SECOND_HALVES);
}

/* Write the items of which partition after partition, as `switchyard record` writes a
 * topic; with poison, a bad record ends partitions 0 and 1. */
static void recording_make(const char *path, int which, int poison) {
    char errbuf[512];
    recording_writer_t *w = NULL;
    cr_assert(eq(int, recording_writer_open(&w, path, RECORDING_CODEC_NULL, errbuf, sizeof errbuf),
              SY_OK), "%s", errbuf);
    for (int32_t p = 0; p < TEST_PARTITIONS; p++) {
        int64_t offset = 0;
        for (size_t i = 0; i < items_count; i++)
            if (items[i].partition == p && item_in(&items[i], which))
                append(w, p, offset++, items[i].time_ms, items[i].contact, items[i].frame,
                       items[i].frame_len);
        if (poison && p < 2) {
            poison_offset[p] = offset;
            if (p == 0)
                append(w, p, offset, 1, "x", poison_not_avro, strlen(poison_not_avro));
            else
                append(w, p, offset, 2, NULL, poison_unknown_schema,
                       sizeof poison_unknown_schema);
        }
    }
    cr_assert(eq(int, recording_writer_close(w, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
}

static const char *const path_files[] = {"coffee_email_promo", "coffee_push_promo",
                                         "coffee_sms_feedback", "coffee_voice_reactivation"};

static void path_in(char *buf, size_t size, const char *name) {
    snprintf(buf, size, "%s/%s", dir, name);
}

/* The four path files as items, one JSON-lines file of them all for `simulate`, the
 * whole recording (with poison) and its two halves. */
static void replay_setup(void) {
    char path[256], errbuf[256];
    codec_t *codec = NULL;
    cr_assert_not_null(mkdtemp(dir));
    cr_assert(eq(int, codec_open(&codec, errbuf, sizeof errbuf), SY_OK));
    items_count = 0;
    for (size_t i = 0; i < sizeof path_files / sizeof path_files[0]; i++)
        items_load(path_files[i], codec);
    codec_close(codec);
    path_in(path, sizeof path, "all.jsonl");
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    for (size_t i = 0; i < items_count; i++)
        fputs(items[i].line, f);
    cr_assert(eq(int, fclose(f), 0));
    path_in(path, sizeof path, "all.rec");
    recording_make(path, ALL, 1);
    path_in(path, sizeof path, "first.rec");
    recording_make(path, FIRST_HALVES, 0);
    path_in(path, sizeof path, "second.rec");
    recording_make(path, SECOND_HALVES, 0);
}

static void replay_teardown(void) {
    cr_assert(eq(int, tmpdir_remove(dir), 0), "remove %s", dir);
}

TestSuite(replay, .init = replay_setup, .fini = replay_teardown);

/* Run `switchyard COMMAND ARGS` in the test's directory; stdout, and stderr unless ARGS
 * redirect it, into out. */
static int run(const char *command_args) {
    char command[2048];
    snprintf(command, sizeof command, "cd %s && %s %s%s", dir, SWITCHYARD_BIN, command_args,
             strstr(command_args, "2>") ? "" : " 2>&1");
    return child_run(command, out, OUTPUT_MAX);
}

static void run_ok(const char *command_args) {
    int rc = run(command_args);
    cr_assert(eq(int, rc, 0), "switchyard %s: exit %d\n%s", command_args, rc, out);
}

static void read_text(const char *name, char *buf) {
    char path[256];
    path_in(path, sizeof path, name);
    text_file_read(path, buf, OUTPUT_MAX);
}

static const char *member(json_object *o, const char *name) {
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, name, &v) || !v)
        return "-";
    return json_object_get_string(v);
}

/* Member name of o as a whole decimal integer; fails the test otherwise. */
static long long member_integer(json_object *o, const char *name) {
    const char *text = member(o, name);
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    int parse_error = errno;
    cr_assert(parse_error == 0 && end != text && *end == '\0', "%s: not an integer: %s", name,
              text);
    return v;
}

/* Every output line of contact, in order, into buf. */
static void contact_lines(const char *text, const char *contact, char *buf, size_t size) {
    size_t n = 0;
    buf[0] = '\0';
    for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
        const char *end = strchr(l, '\n');
        cr_assert_not_null(end, "unterminated line: %.200s", l);
        json_object *o = json_tokener_parse(l);
        cr_assert_not_null(o, "not JSON: %.200s", l);
        if (strcmp(member(o, "contact_id"), contact) == 0)
            n += (size_t)snprintf(buf + n, size - n, "%.*s", (int)(end - l + 1), l);
        json_object_put(o);
        cr_assert_lt(n, size, "contact %s: too much output", contact);
    }
}

Test(replay, two_replays_of_one_recording_give_the_same_bytes) {
    run_ok("replay --journeys " JOURNEYS " --recording all.rec --out a.jsonl");
    run_ok("replay --journeys " JOURNEYS " --recording all.rec --out b.jsonl");
    read_text("a.jsonl", a_text);
    read_text("b.jsonl", b_text);
    cr_assert_gt(strlen(a_text), 1000, "replay wrote little:\n%s", a_text);
    cr_assert_str_eq(a_text, b_text);
}

static char contact_a[64 * 1024], contact_b[64 * 1024];

Test(replay, each_contact_gets_what_simulate_gives_over_the_same_lines) {
    char args[512];
    snprintf(args, sizeof args,
             "simulate --journeys %s --events all.jsonl --partitions %d --out sim.jsonl",
             JOURNEYS, TEST_PARTITIONS);
    run_ok(args);
    run_ok("replay --journeys " JOURNEYS " --recording all.rec --out rep.jsonl");
    read_text("sim.jsonl", a_text);
    read_text("rep.jsonl", b_text);
    size_t compared = 0;
    for (size_t i = 0; i < items_count; i++) {
        contact_lines(a_text, items[i].contact, contact_a, sizeof contact_a);
        contact_lines(b_text, items[i].contact, contact_b, sizeof contact_b);
        cr_assert(eq(str, contact_b, contact_a), "contact %s: replay (first) vs simulate",
                  items[i].contact);
        compared += contact_a[0] != '\0';
    }
    cr_assert_gt(compared, 20, "only %zu contacts had output", compared);
    cr_assert_not_null(strstr(out, " 2 dead letters"), "summary:\n%s", out);
}

/* The dead letter of partition, or NULL. */
static json_object *dead_letter_of(const char *text, int partition) {
    for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
        json_object *o = json_tokener_parse(l);
        cr_assert_not_null(o);
        if (strcmp(member(o, "schema"), "DeadLetter") == 0 &&
            member_integer(o, "partition") == partition)
            return o;
        json_object_put(o);
    }
    return NULL;
}

Test(replay, records_that_do_not_decode_are_dead_letters_naming_where_and_why) {
    run_ok("replay --journeys " JOURNEYS " --recording all.rec --out rep.jsonl");
    read_text("rep.jsonl", a_text);
    const char *want_code[2] = {"bad_magic", "unknown_schema"};
    for (int p = 0; p < 2; p++) {
        json_object *o = dead_letter_of(a_text, p);
        cr_assert_not_null(o, "no dead letter for partition %d in:\n%s", p, a_text);
        cr_assert_str_eq(member(o, "source_topic"), "events");
        cr_assert(eq(llong, member_integer(o, "offset"), poison_offset[p]),
                  "partition %d: %s vs %lld",
                  p, member(o, "offset"), (long long)poison_offset[p]);
        cr_assert(eq(str, (char *)member(o, "error_code"), (char *)want_code[p]), "partition %d",
                  p);
        cr_assert(ne(chr, member(o, "error")[0], '\0'));
        json_object_put(o);
    }
}

/* A recording of one contact's profile updates: 1,024 attributes (the limit), then one
 * more attribute, which the store refuses. */
static void wide_recording_make(const char *path) {
    static sy_profile_update_t u = {.contact_id = "wide", .updated_at_ms = 1};
    static char names[SY_PROFILE_ATTRS_MAX][16];
    char errbuf[512];
    codec_t *codec = NULL;
    recording_writer_t *w = NULL;
    const void *frame;
    size_t len;
    cr_assert(eq(int, codec_open(&codec, errbuf, sizeof errbuf), SY_OK));
    cr_assert(eq(int, recording_writer_open(&w, path, RECORDING_CODEC_NULL, errbuf,
                                            sizeof errbuf), SY_OK), "%s", errbuf);
    for (size_t i = 0; i < SY_PROFILE_ATTRS_MAX; i++) {
        snprintf(names[i], sizeof names[i], "v%04zu", i);
        u.set[i] = (sy_attr_t){names[i], {.kind = SY_VALUE_LONG, .u.l = (int64_t)i}};
    }
    for (int k = 0; k < 2; k++) {
        u.set_count = k == 0 ? SY_PROFILE_ATTRS_MAX : 1;
        u.set[0].name = k == 0 ? names[0] : "one_more";
        cr_assert(eq(int, codec_encode_profile_update(codec, &u, &frame, &len, errbuf,
                                                      sizeof errbuf), SY_OK), "%s", errbuf);
        append(w, 0, k, 1 + k, "wide", frame, len);
    }
    cr_assert(eq(int, recording_writer_close(w, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    codec_close(codec);
}

Test(replay, a_profile_update_past_1024_attributes_is_a_dead_letter_with_its_reason) {
    char path[256];
    path_in(path, sizeof path, "wide.rec");
    wide_recording_make(path);
    run_ok("replay --journeys " JOURNEYS " --recording wide.rec --out wide.jsonl");
    read_text("wide.jsonl", a_text);
    json_object *o = dead_letter_of(a_text, 0);
    cr_assert_not_null(o, "no dead letter in:\n%s", a_text);
    cr_assert(eq(llong, member_integer(o, "offset"), 1), "the second update: %s",
              member(o, "offset"));
    cr_assert(eq(str, (char *)member(o, "error_code"), "limit"));
    cr_assert(eq(str, (char *)member(o, "error"),
                 "profile of wide would have more than 1024 attributes"));
    json_object_put(o);
}

Test(replay, a_replay_continued_from_a_state_dir_equals_one_replay_of_both_halves) {
    run_ok("replay --journeys " JOURNEYS " --recording first.rec --state-dir state "
           "--until input --out one.jsonl");
    run_ok("replay --journeys " JOURNEYS " --recording second.rec --state-dir state "
           "--out two.jsonl");
    run_ok("replay --journeys " JOURNEYS " --recording first.rec --recording second.rec "
           "--out both.jsonl");
    read_text("one.jsonl", a_text);
    size_t first_len = strlen(a_text);
    read_text("two.jsonl", a_text + first_len);
    read_text("both.jsonl", b_text);
    cr_assert_gt(first_len, 0);
    cr_assert_gt(strlen(a_text), first_len, "the second half gave nothing");
    cr_assert(eq(str, a_text, b_text), "halves (first) vs whole");
}

Test(replay, takes_opt_equals_value_and_opt_space_value_alike) {
    run_ok("replay --journeys=" JOURNEYS " --recording=all.rec --out=a.jsonl --until=end");
    run_ok("replay --journeys " JOURNEYS " --recording all.rec --out b.jsonl --until end");
    read_text("a.jsonl", a_text);
    read_text("b.jsonl", b_text);
    cr_assert_gt(strlen(a_text), 1000, "replay wrote little:\n%s", a_text);
    cr_assert(eq(str, a_text, b_text), "--opt=value (first) vs --opt value");
    cr_assert(eq(int, run("replay --journeys=" JOURNEYS " --recording=all.rec --frob=1"), 2),
              "%s", out);
    cr_assert_not_null(strstr(out, "switchyard replay: unknown option: --frob=1 (see --help)"),
                       "%s", out);
    cr_assert(eq(int, run("replay --journeys=" JOURNEYS " all.rec"), 2), "%s", out);
    cr_assert_not_null(strstr(out, "unexpected argument: all.rec"), "%s", out);
}

Test(replay, bad_usage_and_missing_files_exit_2) {
    cr_assert(eq(int, run("replay"), 2), "%s", out);
    cr_assert(eq(int, run("replay --journeys " JOURNEYS), 2), "%s", out);
    cr_assert(eq(int, run("replay --journeys " JOURNEYS " --recording all.rec --topic t"), 2),
              "%s", out);
    cr_assert(eq(int, run("replay --journeys " JOURNEYS " --recording all.rec --what-if "
                  JOURNEYS " --out x.jsonl"), 2), "%s", out);
    cr_assert(eq(int, run("replay --journeys " JOURNEYS " --recording all.rec --bogus 1"), 2),
              "%s", out);
    cr_assert(eq(int, run("replay --journeys " JOURNEYS " --recording nowhere.rec"), 2), "%s",
              out);
    cr_assert_not_null(strstr(out, "nowhere.rec"), "%s", out);
    cr_assert(eq(int, run("replay --journeys " JOURNEYS " --recording all.jsonl"), 2), "%s", out);
    cr_assert(eq(int, run("replay --journeys nowhere --recording all.rec"), 2), "%s", out);
}

/* Call tracking shares a pool among the events topic's partitions: a recording does not
 * say how many there were, so a replay with a calls config needs --events-partitions. */
Test(replay, call_tracking_from_a_recording_needs_the_events_partitions) {
    char path[256];
    path_in(path, sizeof path, "calls.conf");
    cr_assert(eq(int, text_file_write(path, "kafka.bootstrap.servers = 127.0.0.1:1\n"
                                            "journeys.dir = .\nstate.dir = unused\n"
                                            "calls.file = " SY_SOURCE_ROOT
                                            "/examples/calls/sales.yaml\n"), 0));
    cr_assert(eq(int, run("replay --journeys " JOURNEYS " --recording all.rec --config "
                          "calls.conf"), 2), "%s", out);
    cr_assert_not_null(strstr(out, "give --events-partitions N, the partition count of the "
                                   "recorded topic"), "%s", out);
    cr_assert(eq(int, run("replay --journeys " JOURNEYS " --recording all.rec --config "
                          "calls.conf --events-partitions 0"), 2), "%s", out);
    cr_assert_not_null(strstr(out, "--events-partitions takes 1..4096"), "%s", out);
}

/* The base, what-if and diff cells of the report's row named name, as "base what-if diff". */
static void report_row(const char *report, const char *name, char *cells, size_t size) {
    char prefix[128];
    snprintf(prefix, sizeof prefix, "\n  %s ", name);
    const char *row = strstr(report, prefix);
    cr_assert_not_null(row, "no row %s in:\n%s", name, report);
    char base[32], draft[32], diff[32];
    cr_assert(eq(int, sscanf(row + strlen(prefix), "%31s %31s %31s", base, draft, diff), 3));
    snprintf(cells, size, "%s %s %s", base, draft, diff);
}

static void expect_row(const char *report, const char *name, const char *want) {
    char cells[128];
    report_row(report, name, cells, sizeof cells);
    cr_assert(eq(str, cells, (char *)want), "row %s: got (first) vs want", name);
}

/* v2 of the email promo: the opened path, renamed opened_fast, must hold within 1 h of the
 * email instead of 24 h. Of the path file's six contacts, e1 opens 2 h after the email:
 * v1 sends it on to discount_email; v2 lets the path's window pass, its later open does
 * not match not_opened (unless opened) either, so e1 leaves at the 72 h close
 * (otherwise). Everything else is the same: 6 entries, one contact per other path, five
 * reach done (e6 leaves by the unsubscribe exit). */
static void what_if_versions_make(void) {
    char command[1024];
    snprintf(command, sizeof command,
             "mkdir -p %s/v1 %s/v2 && cp %s/coffee_email_promo.yaml %s/v1/ && "
             "sed 's/within: 24h/within: 1h/; s/- name: opened$/- name: opened_fast/' "
             "%s/v1/coffee_email_promo.yaml > %s/v2/coffee_email_promo.yaml",
             dir, dir, JOURNEYS, dir, dir, dir);
    cr_assert(eq(int, system(command), 0), "%s", command);
}

Test(replay, what_if_counts_each_version_node_by_node_and_path_by_path) {
    what_if_versions_make();
    run_ok("replay --journeys v1 --what-if v2 --recording all.rec");
    expect_row(out, "promo_email", "6 6 +0");
    expect_row(out, "outcome", "6 6 +0");
    expect_row(out, "discount_email", "1 0 -1");
    expect_row(out, "push_nudge", "1 1 +0");
    expect_row(out, "done", "5 5 +0");
    expect_row(out, "exit:email.unsubscribed", "1 1 +0");
    expect_row(out, "outcome / opened", "1 - -");
    expect_row(out, "outcome / opened_fast", "- 0 -");
    expect_row(out, "outcome / not_opened", "1 1 +0");
    expect_row(out, "outcome / bounced", "1 1 +0");
    expect_row(out, "outcome / blocked", "1 1 +0");
    expect_row(out, "outcome / otherwise", "1 2 +1");
    run_ok("replay --journeys v1 --what-if v2 --recording all.rec --json 2>/dev/null");
    json_object *report = json_tokener_parse(out);
    cr_assert_not_null(report, "--json printed no JSON:\n%s", out);
    cr_assert_str_eq(member(report, "counts"), "decisions");
    json_object_put(report);
}

/* The same run as above with --map: the report is unchanged, and the page shows the two
 * versions' maps, each node and path with the report's count for that version. */
Test(replay, what_if_map_shows_both_versions_with_the_reports_counts) {
    static char page[OUTPUT_MAX];
    what_if_versions_make();
    run_ok("replay --journeys v1 --what-if v2 --recording all.rec 2>/dev/null");
    snprintf(a_text, sizeof a_text, "%s", out);
    run_ok("replay --journeys v1 --what-if v2 --recording all.rec --map maps 2>/dev/null");
    cr_assert(eq(str, out, a_text), "the report with --map (first) vs without");
    read_text("maps/coffee_email_promo.html", page);
    char *base = strstr(page, "<figcaption>base: coffee_email_promo v1</figcaption>");
    char *draft = strstr(page, "<figcaption>what-if: coffee_email_promo v1</figcaption>");
    cr_assert(base != NULL && draft != NULL && base < draft, "both maps, base first:\n%.400s",
              page);
    *draft = '\0'; /* base: the text before the what-if's figure */
    static const char *const want[][5] = {
        /* version, node or from, to (NULL: a node), path, lines */
        {"base", "discount_email", NULL, NULL,
         "discount_email|send email: personal_discount|in 1"},
        {"what-if", "discount_email", NULL, NULL,
         "discount_email|send email: personal_discount|in 0"},
        {"base", "outcome", "discount_email", "opened", "opened|took 1"},
        {"what-if", "outcome", "discount_email", "opened_fast", "opened_fast|took 0"},
        {"base", "outcome", "done", "otherwise", "otherwise|took 1"},
        {"what-if", "outcome", "done", "otherwise", "otherwise|took 2"},
        {"what-if", "exit:email.unsubscribed", NULL, NULL, "exit:email.unsubscribed|in 1"},
    };
    char lines[1024];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *svg = strcmp(want[i][0], "base") == 0 ? base : draft + 1;
        if (want[i][2])
            svg_text_edge(svg, want[i][1], want[i][2], want[i][3], lines, sizeof lines);
        else
            svg_text_node(svg, want[i][1], lines, sizeof lines);
        cr_assert(eq(str, lines, (char *)want[i][4]), "%s %s: '%s', want '%s'", want[i][0],
                  want[i][1], lines, want[i][4]);
    }
    cr_assert(eq(int, run("replay --journeys v1 --recording all.rec --map maps"), 2), "%s",
              out);
    cr_assert_not_null(strstr(out, "--map goes with --what-if"), "%s", out);
}
