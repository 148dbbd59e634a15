/* cli_ingest.c — `switchyard ingest --config FILE`: load the config, then serve the
 * provider webhooks until SIGTERM or SIGINT (connectors/ingest/, docs/connectors.md).
 * Not the server itself. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "ingest.h"
#include "log.h"

static atomic_int ingest_stop;

static void on_stop_signal(int sig) {
    (void)sig;
    atomic_store(&ingest_stop, 1);
}

static const struct option args_options[] = {{"config", required_argument, NULL, 0}, {0}};

int cli_ingest_main(int argc, char **argv) {
    char errbuf[1024];
    cli_args_t it;
    const char *option, *value, *path = NULL;
    int more;
    cli_args_init(&it, "ingest", args_options, argc, argv);
    while ((more = cli_args_next(&it, &option, &value)) > 0)
        path = value;
    if (more < 0 || !cli_args_no_operands(&it))
        return CLI_EXIT_INVALID;
    if (!path) {
        cli_usage_fail("ingest", "--config FILE is required", NULL);
        return CLI_EXIT_INVALID;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sy_config_t *config = NULL;
    ingest_t *ingest = NULL;
    if (config_load(&config, path, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "switchyard ingest: %s\n", errbuf);
        return CLI_EXIT_INVALID;
    }
    log_level_set(config->log_level);
    log_format_set(config->log_format);
    sy_err_t err = ingest_open(&ingest, config, &ingest_stop, errbuf, sizeof errbuf);
    if (err == SY_OK)
        err = ingest_run(ingest, errbuf, sizeof errbuf);
    int rc = err == SY_OK ? CLI_EXIT_OK : err == SY_ERR_CONFIG ? CLI_EXIT_INVALID
                                                                : CLI_EXIT_FAILURE;
    if (err != SY_OK)
        log_error("ingest: %s: %s", sy_err2str(err), errbuf);
    ingest_close(ingest);
    config_free(config);
    return rc;
}
