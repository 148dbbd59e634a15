/* cli_send.c — `switchyard send --config FILE`: reads the sender's config, installs the
 * stop signals and runs the senders (send.h). What a sender does: docs/connectors.md. */
#include <stdio.h>

#include "cli.h"
#include "log.h"
#include "send.h"

int cli_send_main(int argc, char **argv) {
    const char *path = cli_config_path_arg("send", argc, argv);
    if (!path)
        return CLI_EXIT_INVALID;
    atomic_int *stop = cli_stop_signals_install();
    char errbuf[1024];
    send_config_t *config = NULL;
    if (send_config_load(&config, path, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "switchyard send: %s\n", errbuf);
        return CLI_EXIT_INVALID;
    }
    sy_err_t err = send_run(config, stop, errbuf, sizeof errbuf);
    send_config_free(config);
    if (err != SY_OK) {
        fprintf(stderr, "switchyard send: %s\n", errbuf);
        return err == SY_ERR_CONFIG ? CLI_EXIT_INVALID : CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}
