/* cli_run.c — `switchyard run --config FILE`: load and validate the config and the
 * journeys, then run the service until SIGTERM or SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "journey.h"
#include "log.h"
#include "runner.h"

static atomic_int run_stop;

static void on_stop_signal(int sig) {
    (void)sig;
    atomic_store(&run_stop, 1);
}

static void install_stop_handlers(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

static const struct option args_options[] = {{"config", required_argument, NULL, 0}, {0}};

/* The --config FILE argument; NULL after reporting a usage error. */
static const char *config_path_arg(int argc, char **argv) {
    cli_args_t it;
    const char *option, *value, *path = NULL;
    int more;
    cli_args_init(&it, "run", args_options, argc, argv);
    while ((more = cli_args_next(&it, &option, &value)) > 0)
        path = value;
    if (more < 0 || !cli_args_no_operands(&it))
        return NULL;
    if (!path)
        fprintf(stderr, "usage: switchyard run --config FILE (see switchyard run --help)\n");
    return path;
}

int cli_run_main(int argc, char **argv) {
    char errbuf[1024];
    const char *path = config_path_arg(argc, argv);
    if (!path)
        return CLI_EXIT_INVALID;
    sy_config_t *config = NULL;
    journey_set_t *journeys = NULL;
    runner_t *runner = NULL;
    int rc = CLI_EXIT_INVALID;
    /* First, so a stop asked for while starting is a clean stop, not a kill. */
    install_stop_handlers();
    if (config_load(&config, path, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "switchyard run: %s\n", errbuf);
        goto done;
    }
    journey_load_opts_t opts = {.loop_period_min_ms = config->journeys_loop_period_min_ms};
    if (journey_set_load_dir_opts(&journeys, config->journeys_dir, &opts, errbuf,
                                  sizeof errbuf) != SY_OK) {
        fprintf(stderr, "switchyard run: %s\n", errbuf);
        goto done;
    }
    log_info("loaded %zu journey(s) from %s", journeys->count, config->journeys_dir);
    rc = CLI_EXIT_FAILURE;
    sy_err_t err = runner_open(&runner, config, journeys, &run_stop, errbuf, sizeof errbuf);
    if (err == SY_OK)
        err = runner_run(runner, errbuf, sizeof errbuf);
    if (err == SY_OK)
        rc = CLI_EXIT_OK;
    else
        log_error("%s: %s", sy_err2str(err), errbuf);
    if (err == SY_ERR_CONFIG)
        rc = CLI_EXIT_INVALID;
done:
    runner_close(runner);
    journey_set_free(journeys);
    config_free(config);
    return rc;
}
