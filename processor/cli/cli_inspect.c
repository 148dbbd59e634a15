/* cli_inspect.c — `switchyard inspect`: its options, where the state directory and the
 * journeys come from, and its exit codes. What is gathered and printed: inspect.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "inspect.h"
#include "sy_clock.h"
#include "sy_time.h"

typedef struct cli_inspect_args {
    const char *contact_id;
    const char *state_dir;
    const char *config_path;
    const char *journeys_dir;
    const char *at;                    /* --at: when the caps are counted; NULL: now */
    const engine_safety_conf_t *safety; /* the config's caps, or NULL */
    bool json;
} cli_inspect_args_t;

#define ARG(name) {name, required_argument, NULL, 0}
static const struct option args_options[] = {
    ARG("contact"), ARG("state-dir"), ARG("config"), ARG("journeys"), ARG("at"),
    {"json", no_argument, NULL, 0}, {0}};
#undef ARG

static int args_fail(const char *message, const char *value) {
    return cli_usage_fail("inspect", message, value);
}

static int args_parse(cli_inspect_args_t *a, int argc, char **argv) {
    *a = (cli_inspect_args_t){0};
    cli_args_t it;
    const char *option, *value;
    int more;
    cli_args_init(&it, "inspect", args_options, argc, argv);
    while ((more = cli_args_next(&it, &option, &value)) > 0) {
        if (strcmp(option, "--json") == 0) {
            a->json = true;
            continue;
        }
        const char **field = strcmp(option, "--contact") == 0     ? &a->contact_id
                             : strcmp(option, "--state-dir") == 0 ? &a->state_dir
                             : strcmp(option, "--config") == 0    ? &a->config_path
                             : strcmp(option, "--journeys") == 0  ? &a->journeys_dir
                             : strcmp(option, "--at") == 0        ? &a->at
                                                                  : NULL;
        if (!field)
            return args_fail("unknown option", option);
        *field = value;
    }
    if (more < 0 || !cli_args_no_operands(&it))
        return 0;
    if (!a->contact_id || !a->contact_id[0])
        return args_fail("--contact ID is required", NULL);
    if (!a->state_dir == !a->config_path)
        return args_fail("give one of --state-dir DIR and --config FILE", NULL);
    int64_t ignored;
    if (a->at && !sy_time_parse(a->at, &ignored))
        return args_fail("--at takes a time (2026-11-03T08:00:00Z or epoch ms)", a->at);
    return 1;
}

/* The report's output; exit 0 when the contact has state, 1 when it has none. */
static int report_print(const inspect_report_t *r, const journey_set_t *journeys,
                        const cli_inspect_args_t *a, const char *state_dir) {
    if (a->json && inspect_print_json(r, journeys, stdout) != SY_OK) {
        fprintf(stderr, "switchyard inspect: cannot write the JSON output\n");
        return CLI_EXIT_FAILURE;
    }
    if (!inspect_found(r)) {
        fprintf(stderr, "switchyard inspect: contact %s has no state in %s\n", r->contact_id,
                state_dir);
        return CLI_EXIT_FAILURE;
    }
    if (!a->json)
        inspect_print_text(r, journeys, stdout);
    return CLI_EXIT_OK;
}

/* Open the store read-only, gather and print. */
static int inspect_run(const cli_inspect_args_t *a, const char *state_dir,
                       const journey_set_t *journeys) {
    char errbuf[1024];
    state_store_t *store = NULL;
    inspect_report_t *report = malloc(sizeof *report);
    int code = CLI_EXIT_FAILURE;
    if (!report) {
        fprintf(stderr, "switchyard inspect: out of memory\n");
        return code;
    }
    sy_err_t err = state_store_open_read_only(&store, state_dir, errbuf, sizeof errbuf);
    if (err == SY_OK)
        err = inspect_gather(report, store, a->contact_id, errbuf, sizeof errbuf);
    if (err == SY_OK)
        err = inspect_leases_gather(report, store, errbuf, sizeof errbuf);
    int64_t at_ms = sy_clock_wall_ms();
    if (a->at)
        sy_time_parse(a->at, &at_ms);
    if (err == SY_OK && a->safety)
        inspect_caps_count(report, a->safety, at_ms);
    if (err == SY_OK)
        code = report_print(report, journeys, a, state_dir);
    else
        fprintf(stderr, "switchyard inspect: %s\n", errbuf);
    if (err == SY_ERR_LIMIT)
        code = CLI_EXIT_INVALID;
    state_store_close(store);
    free(report);
    return code;
}

int cli_inspect_main(int argc, char **argv) {
    cli_inspect_args_t a;
    char errbuf[1024];
    sy_config_t *config = NULL;
    journey_set_t *journeys = NULL;
    if (!args_parse(&a, argc, argv))
        return CLI_EXIT_INVALID;
    if (a.config_path &&
        config_load(&config, a.config_path, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "switchyard inspect: %s\n", errbuf);
        return CLI_EXIT_INVALID;
    }
    const char *state_dir = config ? config->state_dir : a.state_dir;
    const char *journeys_dir = a.journeys_dir ? a.journeys_dir
                               : config       ? config->journeys_dir
                                              : NULL;
    journey_load_opts_t opts = {.loop_period_min_ms = config
                                                          ? config->journeys_loop_period_min_ms
                                                          : JOURNEY_LOOP_PERIOD_MIN_MS_DEFAULT};
    int code = CLI_EXIT_INVALID;
    engine_safety_conf_t safety;
    a.safety = config ? &safety : NULL;
    if (config && engine_safety_conf_from_config(&safety, config, errbuf, sizeof errbuf) !=
                      SY_OK)
        fprintf(stderr, "switchyard inspect: %s: %s\n", config->source, errbuf);
    else if (journeys_dir && journey_set_load_dir_opts(&journeys, journeys_dir, &opts, errbuf,
                                                       sizeof errbuf) != SY_OK)
        fprintf(stderr, "switchyard inspect: %s\n", errbuf);
    else
        code = inspect_run(&a, state_dir, journeys);
    if (journeys)
        journey_set_free(journeys);
    config_free(config);
    return code;
}
