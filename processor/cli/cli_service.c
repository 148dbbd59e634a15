/* cli_service.c — what the long-running commands (run, ingest, send) share: their one
 * argument, --config FILE, and the stop request SIGTERM and SIGINT make. Not what each
 * command runs. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static atomic_int stop_requested;

static void on_stop_signal(int sig) {
    (void)sig;
    atomic_store(&stop_requested, 1);
}

const char *cli_config_path_arg(const char *command, int argc, char **argv) {
    static const struct option options[] = {{"config", required_argument, NULL, 0}, {0}};
    cli_args_t it;
    const char *option, *value, *path = NULL;
    int more;
    cli_args_init(&it, command, options, argc, argv);
    while ((more = cli_args_next(&it, &option, &value)) > 0)
        path = value;
    if (more < 0 || !cli_args_no_operands(&it))
        return NULL;
    if (!path)
        cli_usage_fail(command, "--config FILE is required", NULL);
    return path;
}

atomic_int *cli_stop_signals_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    return &stop_requested;
}
