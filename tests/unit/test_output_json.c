/* test_output_json.c — the JSON-lines output's memory mode (replay's workers write there)
 * and its lines hand-over: a memory output holds the lines a file output writes, grows past
 * its first buffer, empties on clear; lines handed to a file land as they are. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_json.h"
#include "text_file.h"
#include "tmpdir.h"

/* Records the tests write: enough decisions to pass the memory output's first 256 KiB. */
#define DECISIONS 4000
#define TEXT_MAX (2 * 1024 * 1024)

static char dir[256];
static char text[TEXT_MAX];

static void json_setup(void) {
    tmpdir_make(dir, sizeof dir, "output-json");
}

static void json_teardown(void) {
    cr_assert(eq(int, tmpdir_remove(dir), 0), "remove %s", dir);
}

TestSuite(output_json, .init = json_setup, .fini = json_teardown);

/* Decision i of the tests: each different, so an order mix-up shows. */
static void decision_write(engine_sink_t *sink, int i) {
    char contact[32];
    snprintf(contact, sizeof contact, "contact-%d", i);
    sy_decision_t d = {.contact_id = contact, .journey_id = "coffee", .journey_version = 1,
                       .from_node = "wait", .to_node = "send", .cause = SY_CAUSE_TIMER,
                       .decided_at_ms = 1700000000000 + i};
    cr_assert(eq(int, sink->decision(sink->ctx, &d), SY_OK), "decision %d", i);
}

/* The file a file output writes for decisions 0..count-1, read into text. */
static void file_of_decisions(const char *name, int count) {
    char path[512], errbuf[256];
    output_json_t *o = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert(eq(int, output_json_open(&o, path, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    engine_sink_t sink = output_json_sink(o);
    for (int i = 0; i < count; i++)
        decision_write(&sink, i);
    cr_assert(eq(int, output_json_close(o, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    text_file_read(path, text, sizeof text);
}

Test(output_json, a_memory_output_holds_the_lines_a_file_gets_past_its_first_buffer) {
    char errbuf[256];
    output_json_t *m = NULL;
    cr_assert(eq(int, output_json_open_memory(&m, errbuf, sizeof errbuf), SY_OK));
    engine_sink_t sink = output_json_sink(m);
    for (int i = 0; i < DECISIONS; i++)
        decision_write(&sink, i);
    size_t len = 0;
    const char *lines = output_json_memory(m, &len);
    cr_assert_gt(len, 256 * 1024, "the first buffer was not passed: %zu bytes", len);
    file_of_decisions("file.jsonl", DECISIONS);
    cr_assert(eq(sz, len, strlen(text)));
    cr_assert(eq(int, memcmp(lines, text, len), 0), "memory and file lines differ");
    output_json_memory_clear(m);
    output_json_memory(m, &len);
    cr_assert(eq(sz, len, 0));
    decision_write(&sink, 0);
    lines = output_json_memory(m, &len);
    cr_assert(eq(int, strncmp(lines, text, len), 0), "after clear: %.*s", (int)len, lines);
    cr_assert(eq(int, output_json_close(m, errbuf, sizeof errbuf), SY_OK));
}

Test(output_json, lines_handed_to_a_file_land_as_they_are_in_any_pieces) {
    char path[512], errbuf[256];
    output_json_t *m = NULL, *f = NULL;
    cr_assert(eq(int, output_json_open_memory(&m, errbuf, sizeof errbuf), SY_OK));
    engine_sink_t sink = output_json_sink(m);
    for (int i = 0; i < DECISIONS; i++)
        decision_write(&sink, i);
    size_t len = 0;
    const char *lines = output_json_memory(m, &len);
    snprintf(path, sizeof path, "%s/handed.jsonl", dir);
    cr_assert(eq(int, output_json_open(&f, path, errbuf, sizeof errbuf), SY_OK));
    /* Pieces of 1 byte, a few lines, and one over the file output's 64 KiB buffer. */
    size_t piece[] = {1, 700, 100 * 1024, 3};
    size_t at = 0;
    for (size_t i = 0; at < len; i = (i + 1) % 4) {
        size_t n = piece[i] < len - at ? piece[i] : len - at;
        cr_assert(eq(int, output_json_lines(f, lines + at, n, errbuf, sizeof errbuf), SY_OK));
        at += n;
    }
    cr_assert(eq(int, output_json_close(f, errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    static char handed[TEXT_MAX];
    text_file_read(path, handed, sizeof handed);
    file_of_decisions("direct.jsonl", DECISIONS);
    cr_assert(eq(str, handed, text));
    cr_assert(eq(int, output_json_close(m, errbuf, sizeof errbuf), SY_OK));
}

Test(output_json, a_dead_letter_goes_to_memory_as_to_a_file) {
    char errbuf[256];
    output_json_t *m = NULL;
    cr_assert(eq(int, output_json_open_memory(&m, errbuf, sizeof errbuf), SY_OK));
    sy_dead_letter_t dl = {.source_topic = "events", .partition = 2, .offset = 36,
                           .error_code = "bad_magic", .error = "bad magic byte",
                           .value = "xyz", .value_len = 3, .failed_at_ms = 1};
    cr_assert(eq(int, output_json_dead_letter(m, &dl, errbuf, sizeof errbuf), SY_OK));
    size_t len = 0;
    const char *lines = output_json_memory(m, &len);
    cr_assert_gt(len, 0);
    cr_assert(eq(chr, lines[len - 1], '\n'));
    snprintf(text, sizeof text, "%.*s", (int)len, lines); /* memory lines have no NUL */
    cr_assert_not_null(strstr(text, "\"schema\":\"DeadLetter\""), "%s", text);
    cr_assert(eq(int, output_json_close(m, errbuf, sizeof errbuf), SY_OK));
}
