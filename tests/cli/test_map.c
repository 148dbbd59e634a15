/* test_map.c — `switchyard map` run as a person runs it, on the example journeys: one
 * journey's SVG on stdout or into a file or an HTML page, one file per journey into a
 * directory, the counts of a counts file on their nodes and edges, and the exit codes and
 * messages of bad usage, an unknown journey or version and a bad counts file. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "svg_text.h"
#include "text_file.h"
#include "tmpdir.h"

#define JOURNEYS SY_SOURCE_ROOT "/examples/journeys"
#define OUTPUT_MAX (256 * 1024)

static char dir[256];
static char out[OUTPUT_MAX];

static void map_setup(void) {
    tmpdir_make(dir, sizeof dir, "map");
}

static void map_teardown(void) {
    tmpdir_remove(dir);
}

TestSuite(map, .init = map_setup, .fini = map_teardown);

/* switchyard ARGS in the test's directory; stdout into out (stderr too unless ARGS
 * redirects it). */
static int run(const char *args) {
    char command[2048];
    snprintf(command, sizeof command, "cd %s && %s map %s%s", dir, SWITCHYARD_BIN, args,
             strstr(args, "2>") ? "" : " 2>&1");
    return child_run(command, out, sizeof out);
}

static void read_in_dir(const char *name, char *buf, size_t size) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    text_file_read(path, buf, size);
}

Test(map, one_journey_goes_to_stdout_as_svg_with_every_node) {
    cr_assert(eq(int, run("--journeys " JOURNEYS " --journey coffee_push_promo 2>/dev/null"),
                 0), "%s", out);
    cr_assert(eq(int, strncmp(out, "<?xml", 5), 0), "not SVG:\n%.200s", out);
    static const char *const nodes[] = {"offer_push", "outcome", "mark_claimed",
        "confirmation", "next_session", "banner", "offer_sms", "done", "goal:claimed"};
    char lines[1024];
    for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
        svg_text_node(out, nodes[i], lines, sizeof lines);
    svg_text_edge(out, "outcome", "mark_claimed", "claimed", lines, sizeof lines);
    cr_assert(eq(str, lines, "claimed"), "no counts without --counts: '%s'", lines);
}

Test(map, counts_of_a_counts_file_show_on_their_node_and_edge) {
    char path[512], lines[1024];
    snprintf(path, sizeof path, "%s/counts.json", dir);
    cr_assert(eq(int, text_file_write(path,
        "{\"journeys\":[{\"id\":\"coffee_push_promo\",\"version\":1,"
        "\"nodes\":{\"offer_push\":{\"at\":3,\"conversions\":0,\"revenue\":0.0}},"
        "\"edges\":[{\"from\":\"outcome\",\"path\":\"claimed\",\"to\":\"mark_claimed\","
        "\"took\":17}]}]}\n"), 0));
    cr_assert(eq(int, run("--journeys " JOURNEYS " --journey coffee_push_promo --counts "
                          "counts.json --out push.svg"), 0), "%s", out);
    static char svg[OUTPUT_MAX];
    read_in_dir("push.svg", svg, sizeof svg);
    svg_text_node(svg, "offer_push", lines, sizeof lines);
    cr_assert(eq(str, lines, "offer_push|send push: offer_push|at 3|conversions 0|"
                             "revenue 0.00"), "offer_push reads '%s'", lines);
    svg_text_edge(svg, "outcome", "mark_claimed", "claimed", lines, sizeof lines);
    cr_assert(eq(str, lines, "claimed|took 17"), "claimed reads '%s'", lines);
    svg_text_edge(svg, "outcome", "offer_sms", "otherwise", lines, sizeof lines);
    cr_assert(eq(str, lines, "otherwise|took 0"), "otherwise reads '%s'", lines);
    cr_assert(eq(int, run("--journeys " JOURNEYS " --journey coffee_push_promo --counts "
                          "counts.json --out push.html"), 0), "%s", out);
    read_in_dir("push.html", svg, sizeof svg);
    cr_assert(eq(int, strncmp(svg, "<!DOCTYPE html>", 15), 0), "not HTML:\n%.200s", svg);
    cr_assert_not_null(strstr(svg, "<svg"), "the map inline");
}

Test(map, every_journey_of_a_directory_goes_to_a_file_of_its_own) {
    cr_assert(eq(int, run("--journeys " JOURNEYS " --out maps 2>&1"), 0), "%s", out);
    static const char *const ids[] = {"coffee_email_promo", "coffee_push_promo",
                                      "coffee_sms_feedback", "coffee_voice_reactivation"};
    static char svg[OUTPUT_MAX];
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char name[256], line[300];
        snprintf(name, sizeof name, "maps/%s.svg", ids[i]);
        snprintf(line, sizeof line, "%s\n", name);
        cr_assert_not_null(strstr(out, line), "%s not printed:\n%s", name, out);
        read_in_dir(name, svg, sizeof svg);
        char title[300];
        snprintf(title, sizeof title, "<title>%s</title>", ids[i]);
        cr_assert_not_null(strstr(svg, title), "%s is not %s's map", name, ids[i]);
    }
}

Test(map, bad_usage_unknown_journeys_and_bad_counts_exit_2_naming_them) {
    cr_assert(eq(int, run("--journeys " JOURNEYS " --journey nope"), 2), "%s", out);
    cr_assert_not_null(strstr(out, "switchyard map: no journey nope in " JOURNEYS
                                   "; it holds: "), "%s", out);
    cr_assert_not_null(strstr(strstr(out, "; it holds: "), " coffee_email_promo v1 "), "%s",
                       out);
    cr_assert(eq(int, run("--journeys " JOURNEYS " --journey coffee_push_promo --version 9"),
                 2), "%s", out);
    cr_assert_not_null(strstr(out, "no journey coffee_push_promo version 9 in"), "%s", out);
    cr_assert(eq(int, run("--journeys " JOURNEYS " --version 1"), 2), "%s", out);
    cr_assert_not_null(strstr(out, "--version goes with --journey"), "%s", out);
    cr_assert(eq(int, run("--journeys " JOURNEYS " --journey coffee_push_promo --version x"),
                 2), "%s", out);
    cr_assert(eq(int, run("--journeys " JOURNEYS), 2), "%s", out);
    cr_assert_not_null(strstr(out, " journeys: give --journey ID, or --out DIR"),
                       "%s", out);
    cr_assert(eq(int, run("--journey coffee_push_promo"), 2), "%s", out);
    cr_assert_not_null(strstr(out, "--journeys DIR is required"), "%s", out);
    cr_assert(eq(int, run("--journeys nowhere"), 2), "%s", out);
    char path[512];
    snprintf(path, sizeof path, "%s/bad.json", dir);
    cr_assert(eq(int, text_file_write(path, "{\"journeys\":[{\"id\":\"x\",\"nodes\":"
                                            "{\"n\":{\"at\":-4}}}]}"), 0));
    cr_assert(eq(int, run("--journeys " JOURNEYS " --journey coffee_push_promo --counts "
                          "bad.json"), 2), "%s", out);
    cr_assert_not_null(strstr(out, "switchyard map: bad.json: journeys[0].nodes.n.at: not a "
                                   "count >= 0"), "%s", out);
    cr_assert(eq(int, run("--journeys " JOURNEYS " --journey coffee_push_promo --counts "
                          "missing.json"), 2), "%s", out);
    cr_assert_not_null(strstr(out, "missing.json"), "%s", out);
}
