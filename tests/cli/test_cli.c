/* test_cli.c — the `switchyard` command line as a person meets it: the command list,
 * every command's --help, an unknown command, `validate`, and the embedded demo (no
 * broker: librdkafka's mock cluster) printing per-path counts that add up to the
 * population. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"

/* Output of one command run through the shell, at most this many bytes. */
#define CLI_OUTPUT_MAX (64 * 1024)

static int run(const char *args, char *out) {
    char command[1024];
    snprintf(command, sizeof command, "%s %s 2>&1", SWITCHYARD_BIN, args);
    return child_run(command, out, CLI_OUTPUT_MAX);
}

static char out[CLI_OUTPUT_MAX];

Test(cli, help_lists_every_command) {
    cr_assert(eq(int, run("--help", out), 0), "exit code, output:\n%s", out);
    const char *commands[] = {"run", "demo", "validate", "simulate", "inspect", "record",
                              "replay", "map", "send"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char line[32];
        snprintf(line, sizeof line, "\n  %s ", commands[i]);
        cr_assert_not_null(strstr(out, line), "'%s' missing from --help:\n%s", commands[i], out);
    }
    cr_assert_not_null(strstr(out, "replay     re-run journeys"), "%s", out);
    cr_assert_null(strstr(out, "not built"), "%s", out);
}

Test(cli, every_command_has_its_own_help) {
    const char *commands[] = {"run", "demo", "validate", "simulate", "inspect", "record",
                              "replay", "map", "send"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char args[64], usage[64];
        snprintf(args, sizeof args, "%s --help", commands[i]);
        snprintf(usage, sizeof usage, "usage: switchyard %s", commands[i]);
        cr_assert(eq(int, run(args, out), 0), "%s exit code, output:\n%s", args, out);
        cr_assert_not_null(strstr(out, usage), "%s printed:\n%s", args, out);
    }
    run("run --help", out);
    cr_assert_not_null(strstr(out, "commit.interval.ms"), "run --help lacks options:\n%s", out);
}

Test(cli, version_prints_switchyard_and_the_three_libraries) {
    cr_assert(eq(int, run("--version", out), 0), "exit code, output:\n%s", out);
    const char *lines[] = {"switchyard 0.", "(commit ", "\nlibrdkafka ", "\nrocksdb ",
                           "\navro-c "};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        cr_assert_not_null(strstr(out, lines[i]), "'%s' missing from --version:\n%s", lines[i],
                           out);
    static char again[CLI_OUTPUT_MAX];
    snprintf(again, sizeof again, "%s", out);
    cr_assert(eq(int, run("version", out), 0), "exit code, output:\n%s", out);
    cr_assert(eq(str, out, again), "`version` (first) vs `--version`");
    run("--help", out);
    cr_assert_not_null(strstr(out, "\n  version "), "--help lacks version:\n%s", out);
}

Test(cli, send_without_config_or_with_a_bad_one_exits_2) {
    cr_assert(eq(int, run("send", out), 2), "output:\n%s", out);
    cr_assert_not_null(strstr(out, "--config FILE is required"), "%s", out);
    cr_assert(eq(int, run("send --config /nonexistent/send.conf", out), 2), "output:\n%s", out);
    cr_assert_not_null(strstr(out, "/nonexistent/send.conf"), "%s", out);
}

Test(cli, unknown_command_exits_2) {
    cr_assert(eq(int, run("frobnicate", out), 2), "output:\n%s", out);
    cr_assert_not_null(strstr(out, "unknown command 'frobnicate'"), "%s", out);
}

Test(cli, validate_accepts_the_example_and_names_the_problem_in_a_bad_file) {
    cr_assert(eq(int, run(SY_SOURCE_ROOT "/examples/journeys/coffee_email_promo.yaml", out), 2));
    cr_assert(eq(int, run("validate " SY_SOURCE_ROOT "/examples/journeys/coffee_email_promo.yaml",
                  out),
              0), "output:\n%s", out);
    cr_assert_not_null(strstr(out, ": ok"), "%s", out);
    cr_assert(eq(int, run("validate " SY_SOURCE_ROOT "/tests/journeys/invalid/unknown_node.yaml",
                  out),
              2), "output:\n%s", out);
    cr_assert_not_null(strstr(out, "unknown_node.yaml:"), "no file:line in:\n%s", out);
}

/* validate --config checks a journey against the config's journeys.* limits: a loop that
 * sends every 2 h passes the default 1 h minimum and fails a config's 3 h. */
Test(cli, validate_takes_the_loop_minimum_from_a_config) {
    char dir[] = "/tmp/switchyard-cli-XXXXXX", path[128], config[128], args[512];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/loop.yaml", dir);
    snprintf(config, sizeof config, "%s/three_hours.conf", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("id: loopy\nversion: 1\nentry: {event: custom.app_opened}\nnodes:\n"
          "  - id: hello\n    send: {channel: push, template: hi}\n    next: pause\n"
          "  - id: pause\n    wait: {for: 2h}\n    next: hello\n", f);
    fclose(f);
    f = fopen(config, "w");
    cr_assert_not_null(f);
    fputs("kafka.bootstrap.servers = 127.0.0.1:1\njourneys.dir = .\nstate.dir = x\n"
          "journeys.loop.period.min.ms = 10800000\n", f);
    fclose(f);
    snprintf(args, sizeof args, "validate %s", path);
    cr_assert(eq(int, run(args, out), 0), "output:\n%s", out);
    snprintf(args, sizeof args, "validate --config %s %s", config, path);
    cr_assert(eq(int, run(args, out), 2), "output:\n%s", out);
    cr_assert_not_null(strstr(out, "less than the minimum period 3h"), "%s", out);
    snprintf(args, sizeof args, "validate --config %s/none.conf %s", dir, path);
    cr_assert(eq(int, run(args, out), 2), "output:\n%s", out);
    cr_assert_not_null(strstr(out, "none.conf"), "%s", out);
    remove(path);
    remove(config);
    rmdir(dir);
}

Test(cli, run_names_the_config_file_and_line_of_a_bad_option) {
    char path[] = "/tmp/switchyard-cli-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("state.dir = /tmp/x\ncomit.interval.ms = 5\n", f);
    fclose(f);
    char args[128];
    snprintf(args, sizeof args, "run --config %s", path);
    cr_assert(eq(int, run(args, out), 2), "output:\n%s", out);
    char expect[128];
    snprintf(expect, sizeof expect, "%s:2: unknown option 'comit.interval.ms'", path);
    cr_assert_not_null(strstr(out, expect), "expected '%s' in:\n%s", expect, out);
    remove(path);
}

/* Sum the "contacts" column of one journey's path table in the demo's output. */
static long demo_path_total(const char *text, const char *journey) {
    long total = 0, count;
    char path[64], next[64], heading[128];
    snprintf(heading, sizeof heading, "Journey %s ", journey);
    const char *line = strstr(text, heading);
    cr_assert_not_null(line, "no table for %s in:\n%s", journey, text);
    for (line = strchr(line, '\n'); line && line[1] && line[1] != '\n';
         line = strchr(line + 1, '\n'))
        if (sscanf(line + 1, " %63s -> %63s %ld", path, next, &count) == 3)
            total += count;
    return total;
}

Test(cli, demo_prints_per_path_counts_that_add_up_to_the_population, .timeout = 300) {
    cr_assert(eq(int, run("demo --contacts 200 --seed 7", out), 0), "output:\n%s", out);
    cr_assert_not_null(strstr(out, "; 0 were still waiting at a branch"), "%s", out);
    cr_assert_not_null(strstr(out, "    opened            -> discount_email"), "%s", out);
    cr_assert_not_null(strstr(out, "    otherwise         -> done"), "%s", out);
    /* Every contact enters the email promo (no filter) and leaves its branch by a path. */
    cr_assert(eq(long, demo_path_total(out, "coffee_email_promo"), 200),
              "email promo paths do not add up to 200:\n%s", out);
    cr_assert(eq(long, demo_path_total(out, "coffee_sms_feedback"), 200),
              "SMS feedback paths do not add up to 200:\n%s", out);
    cr_assert_not_null(strstr(out, " 0 dead letters"), "%s", out);
}
