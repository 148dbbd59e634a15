/* cli_simulate.c — `switchyard simulate`: its options, the exit codes of its failures and
 * the summary line. The simulation itself is simulate.h; the line format event_json.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "simulate.h"
#include "state_store.h"

typedef struct cli_simulate_args {
    simulate_conf_t conf;
    const char *events_path;
    const char *config_path; /* --config: its engine options apply */
    const char *lists_text;  /* --suppression-lists, added to the config's lists */
    simulate_settings_t settings;
    bool report, json;       /* --report [--json]: the campaign metrics on stdout */
    campaign_report_t counts;
} cli_simulate_args_t;

static int partitions_parse(const char *text, int32_t *out) {
    char *end = NULL;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || n < 1 || n > STATE_PARTITIONS_MAX)
        return 0;
    *out = (int32_t)n;
    return 1;
}

/* The settings of --config (or the defaults), then --suppression-lists (the value of
 * safety.suppression.lists, docs/safety.md). 0 when either is refused (said on stderr). */
static int settings_load(cli_simulate_args_t *a) {
    char errbuf[1024];
    sy_config_t *config = NULL;
    sy_err_t err = a->config_path ? config_load(&config, a->config_path, errbuf, sizeof errbuf)
                                  : SY_OK;
    if (err == SY_OK)
        err = simulate_settings_apply(&a->conf, &a->settings, config, errbuf, sizeof errbuf);
    config_free(config);
    if (err == SY_OK && a->lists_text &&
        engine_safety_lists_parse(&a->settings.safety, a->lists_text, errbuf,
                                  sizeof errbuf) != SY_OK)
        return cli_usage_fail("simulate", errbuf, NULL);
    if (err != SY_OK)
        fprintf(stderr, "switchyard simulate: %s\n", errbuf);
    return err == SY_OK;
}

static const struct option args_options[] = {
    {"journeys", required_argument, NULL, 0}, {"events", required_argument, NULL, 0},
    {"out", required_argument, NULL, 0},      {"until", required_argument, NULL, 0},
    {"partitions", required_argument, NULL, 0},
    {"suppression-lists", required_argument, NULL, 0},
    {"config", required_argument, NULL, 0},   {"report", no_argument, NULL, 0},
    {"json", no_argument, NULL, 0},           {0}};

static int args_fail(const char *message, const char *value) {
    return cli_usage_fail("simulate", message, value);
}

static int args_parse(cli_simulate_args_t *a, int argc, char **argv) {
    *a = (cli_simulate_args_t){.conf = {.partitions = 1, .until = SIMULATE_UNTIL_END}};
    cli_args_t it;
    const char *option, *value;
    int more;
    cli_args_init(&it, "simulate", args_options, argc, argv);
    while ((more = cli_args_next(&it, &option, &value)) > 0) {
        if (strcmp(option, "--journeys") == 0) {
            a->conf.journeys_dir = value;
        } else if (strcmp(option, "--events") == 0) {
            a->events_path = value;
        } else if (strcmp(option, "--out") == 0) {
            a->conf.output_path = value;
        } else if (strcmp(option, "--until") == 0) {
            if (!simulate_until_parse(value, &a->conf))
                return args_fail("--until takes end, a time (2026-11-03T08:00:00Z or epoch "
                                 "ms) or +DURATION (+1h, +3d)", value);
        } else if (strcmp(option, "--partitions") == 0) {
            if (!partitions_parse(value, &a->conf.partitions))
                return args_fail("--partitions takes 1..4096", value);
        } else if (strcmp(option, "--suppression-lists") == 0) {
            a->lists_text = value;
        } else if (strcmp(option, "--config") == 0) {
            a->config_path = value;
        } else if (strcmp(option, "--report") == 0 || strcmp(option, "--json") == 0) {
            *(option[2] == 'r' ? &a->report : &a->json) = true;
        } else {
            return args_fail("unknown option", option);
        }
    }
    if (more < 0 || !cli_args_no_operands(&it))
        return 0;
    if (!a->conf.journeys_dir || !a->events_path)
        return args_fail("--journeys DIR and --events FILE are required", NULL);
    if (a->json && !a->report)
        return args_fail("--json goes with --report", NULL);
    if (a->report && a->conf.output_path && strcmp(a->conf.output_path, "-") == 0)
        return args_fail("--report writes to stdout: give --out FILE for the outputs", NULL);
    if (a->report) {
        a->conf.report = &a->counts;
        if (!a->conf.output_path)
            a->conf.output_path = "/dev/null"; /* the report alone on stdout */
    }
    return settings_load(a);
}

static int simulate_exit_code(sy_err_t err) {
    return err == SY_ERR_INVALID_RECORD || err == SY_ERR_LIMIT ? CLI_EXIT_INVALID
                                                               : CLI_EXIT_FAILURE;
}

static void summary_print(const simulate_t *sim) {
    simulate_stats_t s;
    simulate_stats_get(sim, &s);
    char fatigued[48] = ""; /* only when a fatigue rule skipped a send */
    if (s.fatigued)
        snprintf(fatigued, sizeof fatigued, ", %" PRIu64 " fatigued", s.fatigued);
    fprintf(stderr,
            "switchyard simulate: %" PRIu64 " events, %" PRIu64 " profile updates, %" PRIu64
            " decisions, %" PRIu64 " actions, %" PRIu64 " contact updates, %" PRIu64
            " timers fired, %" PRIu64 " duplicates, %" PRIu64 " dead letters, %" PRIu64
            " sends suppressed, %" PRIu64 " capped, %" PRIu64 " held%s%s\n",
            s.events, s.profile_updates, s.decisions, s.actions, s.contact_updates,
            s.timers_fired, s.duplicates, s.dead_letters, s.suppressed, s.capped, s.held,
            fatigued, s.timers_left ? " (timers due over 5 years after the last event left unfired)"
                          : "");
}

int cli_simulate_main(int argc, char **argv) {
    cli_simulate_args_t a;
    simulate_t *sim = NULL;
    char errbuf[1024];
    if (!args_parse(&a, argc, argv))
        return CLI_EXIT_INVALID;
    int stdin_input = strcmp(a.events_path, "-") == 0;
    FILE *input = stdin_input ? stdin : fopen(a.events_path, "r");
    if (!input) {
        fprintf(stderr, "switchyard simulate: %s: %s\n", a.events_path, strerror(errno));
        simulate_settings_free(&a.settings);
        return CLI_EXIT_INVALID;
    }
    struct stat st;
    if (fstat(fileno(input), &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "switchyard simulate: %s: it is a directory, not an event file\n",
                a.events_path);
        fclose(input);
        simulate_settings_free(&a.settings);
        return CLI_EXIT_INVALID;
    }
    /* Journey and input errors name their file and line, as `validate` prints them. */
    sy_err_t err = simulate_open(&sim, &a.conf, errbuf, sizeof errbuf);
    int rc = err == SY_OK ? CLI_EXIT_OK
             : err == SY_ERR_STATE || err == SY_ERR_NOMEM ? CLI_EXIT_FAILURE
                                                          : CLI_EXIT_INVALID;
    if (err == SY_OK) {
        err = simulate_feed(sim, input, stdin_input ? "stdin" : a.events_path, errbuf,
                            sizeof errbuf);
        rc = err == SY_OK ? CLI_EXIT_OK : simulate_exit_code(err);
    }
    if (err != SY_OK) {
        fprintf(stderr, "%s\n", errbuf);
    } else if ((err = simulate_finish(sim, errbuf, sizeof errbuf)) != SY_OK ||
               (a.report && (err = campaign_report_write(&a.counts, simulate_journeys(sim),
                                                         a.json, stdout, errbuf,
                                                         sizeof errbuf)) != SY_OK)) {
        fprintf(stderr, "switchyard simulate: %s\n", errbuf);
        rc = CLI_EXIT_FAILURE;
    }
    if (sim)
        summary_print(sim);
    simulate_close(sim);
    simulate_settings_free(&a.settings);
    campaign_report_deinit(&a.counts);
    if (!stdin_input)
        fclose(input);
    return rc;
}
