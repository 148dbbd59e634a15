/* test_journey_map.c — unit tests of the journey map (journey_map.h): every node kind and
 * every edge kind in the SVG with its id and path name, counts on the node or edge they
 * belong to and nowhere else, the same bytes for the same input, the counts file's errors
 * naming file and place, the HTML page, and a journey's outline copy drawing the same map
 * as the journey. The SVG is read as a person reads it: the text lines of each node's and
 * edge's group. Not `switchyard map` (tests/cli). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey_map.h"
#include "svg_text.h"
#include "text_file.h"
#include "tmpdir.h"

static char errbuf[1024];

/* Every node kind, every edge kind (on_capped too), goals (one named, one by its event)
 * and an exit. */
static const char full_journey[] =
    "id: full\nversion: 3\n"
    "profile:\n  ltv: {type: number, default: 0}\n  zone: {type: string, default: UTC}\n"
    "entry:\n  event: custom.store_visit\n"
    "goals:\n  - {name: bought, event: custom.purchase}\n  - event: custom.offer_claimed\n"
    "exits: [{event: sms.opted_out}]\n"
    "nodes:\n"
    "  - id: pick\n    split:\n      - {name: a, percent: 45.25, to: hello}\n"
    "      - {name: b, percent: 44.75, to: hello}\n      - {name: hold, percent: 10, to: done}\n"
    "  - id: hello\n    send: {channel: sms, template: hi, on_capped: tag}\n    next: outcome\n"
    "  - id: outcome\n    branch:\n      message: hello\n      paths:\n"
    "        - {name: replied, when: [sms.replied], within: 2h, to: later}\n"
    "      otherwise: {after: 1d, to: check}\n"
    "  - id: later\n    wait: {for: 2h}\n    next: morning\n"
    "  - id: morning\n    wait: {until: '09:30', timezone: zone}\n    next: app\n"
    "  - id: app\n    wait: {event: custom.app_open, timeout: 48h, timeout_to: done}\n"
    "    next: check\n"
    "  - id: check\n    condition: {if: 'contact.zone == \"a\\\\b\"', then: queue, else: tag}\n"
    "  - id: queue\n    task: {queue: manual_calls}\n    next: tag\n"
    "  - id: tag\n    update: {set_attribute: {name: seen_at, value: x}}\n    next: done\n"
    "  - id: done\n    exit: {}\n";

static journey_t *journey_full(void) {
    journey_t *j = NULL;
    sy_err_t err = journey_parse(&j, full_journey, strlen(full_journey), "full.yaml", errbuf,
                                 sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "journey_parse: %s", errbuf);
    return j;
}

static char *render(const journey_t *j, const journey_map_counts_t *counts, size_t *len) {
    char *svg = NULL;
    size_t n = 0;
    sy_err_t err = journey_map_render_svg(j, counts, &svg, &n, errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "journey_map_render_svg: %s", errbuf);
    cr_assert(eq(sz, strlen(svg), n), "svg_len %zu, strlen %zu", n, strlen(svg));
    if (len)
        *len = n;
    return svg;
}

Test(journey_map, every_node_kind_shows_its_id_and_what_it_does) {
    journey_t *j = journey_full();
    char *svg = render(j, NULL, NULL);
    static const char *const want[][2] = {
        {"pick", "pick|split 3 ways"},
        {"hello", "hello|send sms: hi"},
        {"outcome", "outcome|branch on hello"},
        {"later", "later|wait 2h"},
        {"morning", "morning|wait until 09:30"},
        {"app", "app|wait for custom.app_open (48h)"},
        {"check", "check|if contact.zone == \"a\\\\b\""},
        {"queue", "queue|task: manual_calls"},
        {"tag", "tag|set_attribute seen_at"},
        {"done", "done|exit"},
        {"(entry)", "entry|custom.store_visit"},
        {"goal:bought", "goal:bought"},
        {"goal:custom.offer_claimed", "goal:custom.offer_claimed"},
        {"exit:sms.opted_out", "exit:sms.opted_out"},
    };
    char lines[1024];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        svg_text_node(svg, want[i][0], lines, sizeof lines);
        cr_assert(eq(str, lines, (char *)want[i][1]), "node %s reads '%s', want '%s'",
                  want[i][0], lines, want[i][1]);
    }
    static const char *const kinds[] = {"class=\"node send\"", "class=\"node branch\"",
        "class=\"node wait\"", "class=\"node condition\"", "class=\"node split\"",
        "class=\"node task\"", "class=\"node update\"", "class=\"node exit\""};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        cr_assert(strstr(svg, kinds[i]) != NULL, "no %s in the map", kinds[i]);
    free(svg);
    journey_free(j);
}

Test(journey_map, every_edge_kind_is_labelled_with_its_path_name) {
    journey_t *j = journey_full();
    char *svg = render(j, NULL, NULL);
    static const char *const want[][4] = {
        {"(entry)", "pick", NULL, ""},
        {"pick", "hello", "a", "a|45.25%"},
        {"pick", "hello", "b", "b|44.75%"},
        {"pick", "done", "hold", "hold|10%"},
        {"hello", "outcome", NULL, ""},
        {"outcome", "later", "replied", "replied"},
        {"outcome", "check", "otherwise", "otherwise"},
        {"later", "morning", NULL, ""},
        {"app", "check", "event", "event"},
        {"app", "done", "timeout", "timeout"},
        {"check", "queue", "then", "then"},
        {"check", "tag", "else", "else"},
        {"queue", "tag", NULL, ""},
        {"hello", "tag", "on_capped", "on_capped"},
        {"(any node)", "goal:bought", "custom.purchase", "custom.purchase"},
        {"(any node)", "goal:custom.offer_claimed", "custom.offer_claimed",
         "custom.offer_claimed"},
        {"(any node)", "exit:sms.opted_out", "sms.opted_out", "sms.opted_out"},
    };
    char lines[1024];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        svg_text_edge(svg, want[i][0], want[i][1], want[i][2], lines, sizeof lines);
        cr_assert(eq(str, lines, (char *)want[i][3]), "edge %s -> %s reads '%s', want '%s'",
                  want[i][0], want[i][1], lines, want[i][3]);
    }
    cr_assert(strstr(svg, "took") == NULL, "a map without counts shows no counts");
    free(svg);
    journey_free(j);
}

static journey_map_counts_set_t *counts_parse(const char *text) {
    journey_map_counts_set_t *set = NULL;
    sy_err_t err = journey_map_counts_set_parse(&set, text, strlen(text), "counts.json",
                                                errbuf, sizeof errbuf);
    cr_assert(eq(int, err, SY_OK), "journey_map_counts_set_parse: %s", errbuf);
    return set;
}

static const char full_counts[] =
    "{\"journeys\":[{\"id\":\"full\",\"version\":3,"
    "\"nodes\":{\"outcome\":{\"at\":7,\"conversions\":2,\"revenue\":19.5},"
    "\"app\":{\"at\":3}},"
    "\"edges\":[{\"from\":null,\"to\":\"pick\",\"took\":40},"
    "{\"from\":\"pick\",\"path\":\"a\",\"to\":\"hello\",\"took\":18},"
    "{\"from\":\"pick\",\"path\":\"hold\",\"took\":4},"
    "{\"from\":\"outcome\",\"path\":\"replied\",\"to\":\"later\",\"took\":11},"
    "{\"from\":\"hello\",\"to\":\"outcome\",\"took\":30},"
    "{\"from\":\"hello\",\"path\":\"suppressed:opted_out\",\"took\":6},"
    "{\"from\":\"hello\",\"path\":\"capped:sms_daily\",\"to\":\"tag\",\"took\":5},"
    "{\"from\":\"hello\",\"path\":\"capped:sms_weekly\",\"took\":1},"
    "{\"from\":\"hello\",\"path\":\"held:quiet_hours@2026-11-02T20:00:00.000Z\","
    "\"to\":\"hello\",\"took\":2},"
    "{\"from\":\"hello\",\"path\":\"held:quiet_hours@2026-11-03T20:00:00.000Z\","
    "\"to\":\"hello\",\"took\":3},"
    "{\"from\":\"outcome\",\"to\":\"goal:bought\",\"took\":2},"
    "{\"from\":\"later\",\"to\":\"goal:bought\",\"took\":1},"
    "{\"from\":\"nowhere\",\"path\":\"x\",\"to\":\"done\",\"took\":99}]}]}";

Test(journey_map, counts_show_on_the_node_and_the_edge_they_belong_to) {
    journey_t *j = journey_full();
    journey_map_counts_set_t *set = counts_parse(full_counts);
    const journey_map_counts_t *c = journey_map_counts_set_find(set, "full", 3);
    cr_assert_not_null(c, "counts of full v3");
    char *svg = render(j, c, NULL);
    char lines[1024];
    svg_text_node(svg, "outcome", lines, sizeof lines);
    cr_assert(eq(str, lines, "outcome|branch on hello|at 7|conversions 2|revenue 19.50"),
              "outcome reads '%s'", lines);
    svg_text_node(svg, "app", lines, sizeof lines);
    cr_assert(eq(str, lines, "app|wait for custom.app_open (48h)|at 3|conversions 0|"
                             "revenue 0.00"), "app reads '%s'", lines);
    svg_text_node(svg, "goal:bought", lines, sizeof lines);
    cr_assert(eq(str, lines, "goal:bought"), "a terminal has no 'at': '%s'", lines);
    static const char *const want[][4] = {
        {"(entry)", "pick", NULL, "took 40"},
        {"pick", "hello", "a", "a|45.25%|took 18"},
        {"pick", "hello", "b", "b|44.75%|took 0"},
        {"pick", "done", "hold", "hold|10%|took 4"},
        {"hello", "outcome", NULL, "took 30"},
        {"hello", "outcome", "suppressed:opted_out", "suppressed:opted_out|took 6"},
        {"hello", "tag", "on_capped", "on_capped|took 6"},
        {"hello", "hello", "held:quiet_hours", "held:quiet_hours|took 5"},
        {"outcome", "later", "replied", "replied|took 11"},
        {"app", "done", "timeout", "timeout|took 0"},
        {"(any node)", "goal:bought", "custom.purchase", "custom.purchase|took 3"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        svg_text_edge(svg, want[i][0], want[i][1], want[i][2], lines, sizeof lines);
        cr_assert(eq(str, lines, (char *)want[i][3]), "edge %s -> %s reads '%s', want '%s'",
                  want[i][0], want[i][1], lines, want[i][3]);
    }
    const char *held = strstr(svg, ">held:quiet_hours<");
    cr_assert(held != NULL && strstr(held + 1, ">held:quiet_hours<") == NULL,
              "holds until different times make one edge");
    cr_assert(strstr(svg, "nowhere") == NULL, "a node the journey lacks is left out");
    cr_assert(strstr(svg, "took 99") == NULL,
              "a move from a node the journey lacks is left out");
    free(svg);
    journey_map_counts_set_free(set);
    journey_free(j);
}

Test(journey_map, counts_built_in_code_show_moves_in_and_named_paths_only) {
    journey_t *j = journey_full();
    journey_map_counts_t c = {.show = JOURNEY_MAP_SHOW_ENTERED | JOURNEY_MAP_SHOW_TOOK};
    journey_map_node_counts_t *n = journey_map_counts_node(&c, "hello");
    cr_assert_not_null(n);
    n->entered = 12;
    cr_assert(eq(ptr, journey_map_counts_node(&c, "hello"), n), "one entry per node");
    cr_assert(eq(int, journey_map_counts_edge_add(&c, "check", "then", NULL, 5), SY_OK));
    cr_assert(eq(int, journey_map_counts_edge_add(&c, "check", "then", NULL, 2), SY_OK));
    cr_assert(eq(sz, c.edges_count, 1), "the same edge adds up");
    char *svg = render(j, &c, NULL), lines[1024];
    svg_text_node(svg, "hello", lines, sizeof lines);
    cr_assert(eq(str, lines, "hello|send sms: hi|in 12"), "hello reads '%s'", lines);
    svg_text_edge(svg, "check", "queue", "then", lines, sizeof lines);
    cr_assert(eq(str, lines, "then|took 7"), "then reads '%s'", lines);
    svg_text_edge(svg, "hello", "outcome", NULL, lines, sizeof lines);
    cr_assert(eq(str, lines, ""), "an unnamed move is not counted here: '%s'", lines);
    free(svg);
    journey_map_counts_deinit(&c);
    journey_map_counts_deinit(NULL);
    journey_free(j);
}

Test(journey_map, the_same_journey_and_counts_give_the_same_bytes) {
    journey_t *j = journey_full();
    journey_map_counts_set_t *set = counts_parse(full_counts);
    size_t len_a, len_b;
    char *a = render(j, &set->journeys[0], &len_a), *b = render(j, &set->journeys[0], &len_b);
    cr_assert(eq(sz, len_a, len_b), "lengths %zu and %zu", len_a, len_b);
    cr_assert(memcmp(a, b, len_a) == 0, "two renders differ");
    free(a);
    free(b);
    journey_map_counts_set_free(set);
    journey_free(j);
}

/* The map of journey_map_outline_copy's copy, drawn after the original is freed, is the
 * original's map byte for byte (with and without counts). */
static void outline_draws_the_same(journey_t *j, const journey_map_counts_t *counts) {
    journey_t *copy = NULL;
    size_t len_a, len_b;
    char *a = render(j, counts, &len_a);
    cr_assert(eq(int, journey_map_outline_copy(j, &copy), SY_OK));
    journey_free(j);
    char *b = render(copy, counts, &len_b);
    cr_assert(eq(sz, len_b, len_a), "%s: the copy's map has %zu bytes, the original's %zu",
              copy->id, len_b, len_a);
    cr_assert(memcmp(a, b, len_a) == 0, "%s: the copy's map differs", copy->id);
    free(a);
    free(b);
    journey_free(copy);
}

Test(journey_map, an_outline_copy_draws_the_same_map_after_the_journey_is_freed) {
    journey_map_counts_set_t *set = counts_parse(full_counts);
    outline_draws_the_same(journey_full(), &set->journeys[0]);
    outline_draws_the_same(journey_full(), NULL);
    journey_map_counts_set_free(set);
    journey_set_t *examples = NULL;
    cr_assert(eq(int, journey_set_load_dir(&examples, SY_SOURCE_ROOT "/examples/journeys",
                                           errbuf, sizeof errbuf), SY_OK), "%s", errbuf);
    cr_assert(examples->count > 0);
    for (size_t i = 0; i < examples->count; i++) {
        outline_draws_the_same(examples->journeys[i], NULL);
        examples->journeys[i] = NULL;
    }
    journey_set_free(examples);
}

/* Parsing text fails with SY_ERR_INVALID_ARG and exactly message. */
static void counts_fail(const char *text, const char *message) {
    journey_map_counts_set_t *set = (journey_map_counts_set_t *)&errbuf;
    errbuf[0] = '\0';
    sy_err_t err = journey_map_counts_set_parse(&set, text, strlen(text), "c.json", errbuf,
                                                sizeof errbuf);
    cr_assert(eq(int, err, SY_ERR_INVALID_ARG), "err %d for %s", err, text);
    cr_assert(eq(str, errbuf, (char *)message), "message '%s', want '%s'", errbuf, message);
    cr_assert(eq(ptr, set, (journey_map_counts_set_t *)&errbuf), "*out untouched");
}

Test(journey_map, a_bad_counts_file_is_refused_naming_file_and_place) {
    counts_fail("{\"journeys\":[\n{\"id\":\"x\",}]}",
                "c.json: not JSON: unexpected character at line 2");
    counts_fail("[]", "c.json: not a counts file: want {\"journeys\": [...]}");
    counts_fail("{\"journeys\":[{\"version\":1}]}", "c.json: journeys[0].id: missing, or not "
                "a string");
    counts_fail("{\"journeys\":[{\"id\":\"x\",\"version\":0}]}",
                "c.json: journeys[0].version: not a version (1 and up)");
    counts_fail("{\"journeys\":[{\"id\":\"x\",\"nodes\":{\"n\":{\"at\":-1}}}]}",
                "c.json: journeys[0].nodes.n.at: not a count >= 0");
    counts_fail("{\"journeys\":[{\"id\":\"x\",\"nodes\":{\"n\":{\"at\":1.5}}}]}",
                "c.json: journeys[0].nodes.n.at: not a whole number");
    counts_fail("{\"journeys\":[{\"id\":\"x\",\"nodes\":{\"n\":{\"here\":1}}}]}",
                "c.json: journeys[0].nodes.n.here: unknown key (at, entered, conversions, "
                "revenue, call_revenue)");
    counts_fail("{\"journeys\":[{\"id\":\"x\",\"nodes\":{\"n\":{\"call_revenue\":{\"usd\":1}}}}]}",
                "c.json: journeys[0].nodes.n.call_revenue.usd: not an ISO 4217 code, like USD");
    counts_fail("{\"journeys\":[{\"id\":\"x\",\"edges\":[{\"from\":1}]}]}",
                "c.json: journeys[0].edges[0].from: not a string or null");
    counts_fail("{\"journeys\":[{\"id\":\"x\",\"edges\":[{\"took\":\"3\"}]}]}",
                "c.json: journeys[0].edges[0].took: not a whole number");
    counts_fail("{\"journeys\":[{\"id\":\"x\",\"nodes\":{\"n\":{\"revenue\":-2}}}]}",
                "c.json: journeys[0].nodes.n.revenue: not a number >= 0");
    counts_fail("{\"journeys\":[]}\n x", "c.json: not JSON: unexpected character at line 2");
    counts_fail("{\"journeys\":[]}\n{}", "c.json: not JSON: unexpected character at line 2");
}

Test(journey_map, a_send_shows_the_revenue_of_its_tracked_calls_per_currency) {
    journey_t *j = journey_full();
    journey_map_counts_set_t *set = counts_parse(
        "{\"journeys\":[{\"id\":\"full\",\"nodes\":{\"hello\":{\"at\":2,"
        "\"call_revenue\":{\"USD\":100,\"EUR\":42.5}}}}]}");
    const journey_map_counts_t *c = journey_map_counts_set_find(set, "full", 3);
    cr_assert_not_null(c);
    char *svg = render(j, c, NULL);
    char lines[1024];
    svg_text_node(svg, "hello", lines, sizeof lines);
    cr_assert(strstr(lines, "|at 2|calls 42.50 EUR|calls 100.00 USD") != NULL,
              "hello reads '%s'", lines);
    svg_text_node(svg, "outcome", lines, sizeof lines);
    cr_assert(strstr(lines, "calls") == NULL, "a node without calls shows none: '%s'", lines);
    free(svg);
    journey_map_counts_set_free(set);
    journey_free(j);
}

Test(journey_map, counts_files_are_read_from_disk_and_found_by_id_and_version) {
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir, "journey-map");
    snprintf(path, sizeof path, "%s/counts.json", dir);
    journey_map_counts_set_t *set = NULL;
    cr_assert(eq(int, journey_map_counts_set_load(&set, path, errbuf, sizeof errbuf),
                 SY_ERR_IO), "a missing file");
    cr_assert(strstr(errbuf, path) != NULL, "the message names the file: %s", errbuf);
    cr_assert(eq(int, text_file_write(path, "{\"journeys\":[{\"id\":\"a\",\"version\":2},"
                                            "{\"id\":\"b\"}]}\n\n"), 0));
    cr_assert(eq(int, journey_map_counts_set_load(&set, path, errbuf, sizeof errbuf), SY_OK),
              "%s", errbuf);
    cr_assert_not_null(journey_map_counts_set_find(set, "a", 2));
    cr_assert_null(journey_map_counts_set_find(set, "a", 1), "another version of a");
    cr_assert_not_null(journey_map_counts_set_find(set, "b", 7), "no version: any version");
    cr_assert_null(journey_map_counts_set_find(set, "c", 1));
    journey_map_counts_set_free(set);
    journey_map_counts_set_free(NULL);
    cr_assert(eq(int, tmpdir_remove(dir), 0));
}

Test(journey_map, the_html_page_holds_each_map_inline_under_its_caption) {
    journey_t *j = journey_full();
    char *svg = render(j, NULL, NULL), page[256 * 1024];
    char dir[256], path[512];
    tmpdir_make(dir, sizeof dir, "journey-map-html");
    snprintf(path, sizeof path, "%s/page.html", dir);
    journey_map_figure_t figures[] = {{"base <v3>", svg}, {"what-if", svg}};
    cr_assert(eq(int, journey_map_save_html(path, "full & co", figures, 2, errbuf,
                                            sizeof errbuf), SY_OK), "%s", errbuf);
    text_file_read(path, page, sizeof page);
    cr_assert(strstr(page, "<title>full &amp; co</title>") != NULL, "the title, escaped");
    cr_assert(strstr(page, "<figcaption>base &lt;v3&gt;</figcaption>") != NULL,
              "the caption, escaped");
    cr_assert(strstr(page, "<?xml") == NULL, "no XML prolog inside HTML");
    const char *first = strstr(page, "<svg"), *second = first ? strstr(first + 4, "<svg") : NULL;
    cr_assert(first != NULL && second != NULL, "both maps inline");
    snprintf(path, sizeof path, "%s/missing/page.html", dir);
    cr_assert(eq(int, journey_map_save_html(path, "x", figures, 1, errbuf, sizeof errbuf),
                 SY_ERR_IO), "a directory that does not exist");
    cr_assert(strstr(errbuf, path) != NULL, "the message names the file: %s", errbuf);
    cr_assert(eq(int, tmpdir_remove(dir), 0));
    free(svg);
    journey_free(j);
}

Test(journey_map, a_long_detail_is_cut_after_40_bytes_at_a_character_boundary) {
    /* 17 bytes of `contact.zone == "`, then two-byte characters: byte 40 falls in
     * the middle of one, which is left out whole. */
    static const char text[] =
        "id: long\nversion: 1\nprofile:\n  zone: {type: string, default: x}\n"
        "entry: {event: custom.go}\nnodes:\n"
        "  - id: check\n    condition:\n"
        "      if: 'contact.zone == \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"'\n"
        "      then: done\n      else: done\n"
        "  - id: done\n    exit: {}\n";
    journey_t *j = NULL;
    cr_assert(eq(int, journey_parse(&j, text, strlen(text), "long.yaml", errbuf,
                                    sizeof errbuf), SY_OK), "%s", errbuf);
    char *svg = render(j, NULL, NULL), lines[1024];
    svg_text_node(svg, "check", lines, sizeof lines);
    cr_assert(eq(str, lines, "check|if contact.zone == \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                             "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9..."),
              "check reads '%s'", lines);
    free(svg);
    journey_free(j);
}
