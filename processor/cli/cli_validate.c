/* cli_validate.c — `switchyard validate FILE...`: load each journey as the service would
 * and report it valid or the first problem with file:line:column. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "journey.h"

static const struct option args_options[] = {{"config", required_argument, NULL, 0}, {0}};

/* The journey limits of --config FILE (or the defaults). 0 when the config is refused. */
static int opts_load(const char *config_path, journey_load_opts_t *opts) {
    char errbuf[1024];
    sy_config_t *config = NULL;
    *opts = (journey_load_opts_t){.loop_period_min_ms = JOURNEY_LOOP_PERIOD_MIN_MS_DEFAULT};
    if (!config_path)
        return 1;
    if (config_load(&config, config_path, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "switchyard validate: %s\n", errbuf);
        return 0;
    }
    opts->loop_period_min_ms = config->journeys_loop_period_min_ms;
    config_free(config);
    return 1;
}

int cli_validate_main(int argc, char **argv) {
    char errbuf[1024];
    int invalid = 0;
    cli_args_t it;
    const char *option, *value;
    const char *config_path = NULL;
    journey_load_opts_t opts;
    int more;
    cli_args_init(&it, "validate", args_options, argc, argv);
    while ((more = cli_args_next(&it, &option, &value)) > 0)
        config_path = value; /* --config, the only option */
    if (more < 0 || !opts_load(config_path, &opts))
        return CLI_EXIT_INVALID;
    if (it.operands >= argc) {
        fprintf(stderr, "usage: switchyard validate FILE... (see --help)\n");
        return CLI_EXIT_INVALID;
    }
    for (int i = it.operands; i < argc; i++) {
        journey_t *journey = NULL;
        if (journey_load_file_opts(&journey, argv[i], &opts, errbuf, sizeof errbuf) == SY_OK) {
            printf("%s: ok (journey %s version %d, %zu nodes)\n", argv[i], journey->id,
                   (int)journey->version, journey->nodes_count);
            journey_free(journey);
        } else {
            fprintf(stderr, "%s\n", errbuf);
            invalid++;
        }
    }
    return invalid ? CLI_EXIT_INVALID : CLI_EXIT_OK;
}
