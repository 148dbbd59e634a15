/* cli_run.c — `switchyard run --config FILE`: load and validate the config and the
 * journeys, then run the service until SIGTERM or SIGINT; SIGHUP re-reads the log options
 * and journeys.dir (the runner reloads). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "journey.h"
#include "log.h"
#include "runner.h"
#include "topics_admin.h"

static atomic_int *run_stop; /* cli_stop_signals_install's flag */
static atomic_int run_reload;

static void on_reload_signal(int sig) {
    (void)sig;
    atomic_store(&run_reload, 1);
}

static void install_signal_handlers(void) {
    struct sigaction sa;
    run_stop = cli_stop_signals_install();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_reload_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
}

static void log_options_apply(const sy_config_t *config) {
    log_level_set(config->log_level);
    log_format_set(config->log_format);
}

/* The runner's reload callback: read the config file again and apply the options that
 * change while running (log.level, log.format); the others wait for a restart. */
static void on_reload(void *opaque) {
    const char *path = opaque;
    char errbuf[1024];
    sy_config_t *config = NULL;
    if (config_load(&config, path, errbuf, sizeof errbuf) != SY_OK) {
        log_error("reload: keeping the log options: %s", errbuf);
        return;
    }
    log_options_apply(config);
    log_info("reload: %s read again (log.level and log.format applied; other options "
             "take effect at restart)", path);
    config_free(config);
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
        sy_err_t err = topics_admin_verify(config, run_stop, TOPICS_TIMEOUT_MS_DEFAULT, NULL,
                                           topic_problem_log, NULL, &problems, errbuf,
                                           sizeof errbuf);
        if (err == SY_OK && problems == 0)
            return CLI_EXIT_OK;
        if (err == SY_OK) {
            log_error("%zu problem(s) with the topics: not starting", problems);
            return CLI_EXIT_FAILURE;
        }
        /* A stop while checking is a clean stop: the runner sees it at once. */
        if (atomic_load(run_stop))
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
    const char *path = cli_config_path_arg("run", argc, argv);
    if (!path)
        return CLI_EXIT_INVALID;
    sy_config_t *config = NULL;
    journey_set_t *journeys = NULL;
    runner_t *runner = NULL;
    int rc = CLI_EXIT_INVALID;
    /* First, so a stop asked for while starting is a clean stop, not a kill. */
    install_signal_handlers();
    if (config_load(&config, path, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "switchyard run: %s\n", errbuf);
        goto done;
    }
    log_options_apply(config);
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
    sy_err_t err = runner_open(&runner, config, journeys, run_stop, errbuf, sizeof errbuf);
    /* A config librdkafka refuses is the config's fault (2); once running, a missing or
     * short changelog topic and every other failure are operating errors (1). */
    if (err == SY_ERR_CONFIG)
        rc = CLI_EXIT_INVALID;
    if (err == SY_OK) {
        runner_reload_watch(runner, &run_reload, on_reload, (void *)path);
        err = runner_run(runner, errbuf, sizeof errbuf);
    }
    if (err == SY_OK)
        rc = CLI_EXIT_OK;
    else
        log_error("%s: %s", sy_err2str(err), errbuf);
done:
    runner_close(runner);
    journey_set_free(journeys);
    config_free(config);
    return rc;
}
