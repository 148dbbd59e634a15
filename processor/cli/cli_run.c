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
#include "topics_admin.h"

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

static const char *config_path_arg(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            return argv[i + 1];
        if (strncmp(argv[i], "--config=", 9) == 0)
            return argv[i] + 9;
    }
    return NULL;
}

static void topic_problem_log(void *ctx, const char *topic, const char *message) {
    (void)ctx;
    (void)topic;
    log_error("%s", message);
}

/* The start check of `switchyard topics check`: CLI_EXIT_OK when every topic is right,
 * else the exit code (each problem logged with the command that fixes it). While the
 * cluster cannot be reached it tries again, as the runner does, until a stop. */
static int topics_verify(const sy_config_t *config) {
    char errbuf[1024];
    for (;;) {
        size_t problems = 0;
        sy_err_t err = topics_admin_verify(config, &run_stop, TOPICS_TIMEOUT_MS_DEFAULT, NULL,
                                           topic_problem_log, NULL, &problems, errbuf,
                                           sizeof errbuf);
        if (err == SY_OK && problems == 0)
            return CLI_EXIT_OK;
        if (err == SY_OK) {
            log_error("%zu problem(s) with the topics: not starting", problems);
            return CLI_EXIT_FAILURE;
        }
        /* A stop while checking is a clean stop: the runner sees it at once. */
        if (atomic_load(&run_stop))
            return CLI_EXIT_OK;
        if (err != SY_ERR_KAFKA_RETRIABLE) {
            log_error("checking the topics: %s", errbuf);
            return err == SY_ERR_CONFIG ? CLI_EXIT_INVALID : CLI_EXIT_FAILURE;
        }
        log_warn("checking the topics: %s; trying again", errbuf);
    }
}

int cli_run_main(int argc, char **argv) {
    char errbuf[1024];
    const char *path = config_path_arg(argc, argv);
    if (!path || argc != 3) {
        fprintf(stderr, "usage: switchyard run --config FILE (see switchyard run --help)\n");
        return CLI_EXIT_INVALID;
    }
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
    if ((rc = topics_verify(config)) != CLI_EXIT_OK)
        goto done;
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
