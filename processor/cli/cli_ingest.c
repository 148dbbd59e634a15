/* cli_ingest.c — `switchyard ingest --config FILE`: load the config, then serve the
 * provider webhooks until SIGTERM or SIGINT (connectors/ingest/, docs/connectors.md).
 * Not the server itself. */
#include <stdio.h>

#include "cli.h"
#include "config.h"
#include "ingest.h"
#include "log.h"

int cli_ingest_main(int argc, char **argv) {
    char errbuf[1024];
    const char *path = cli_config_path_arg("ingest", argc, argv);
    if (!path)
        return CLI_EXIT_INVALID;
    atomic_int *stop = cli_stop_signals_install();
    sy_config_t *config = NULL;
    ingest_t *ingest = NULL;
    if (config_load(&config, path, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "switchyard ingest: %s\n", errbuf);
        return CLI_EXIT_INVALID;
    }
    log_level_set(config->log_level);
    log_format_set(config->log_format);
    sy_err_t err = ingest_open(&ingest, config, stop, errbuf, sizeof errbuf);
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
