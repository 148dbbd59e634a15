/* cli_send.c — `switchyard send --config FILE`: reads the sender's config, installs the
 * stop signals and runs the senders (send.h). What a sender does: docs/connectors.md. */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "send.h"

static atomic_int send_stop;

static void on_stop_signal(int sig) {
    (void)sig;
    atomic_store(&send_stop, 1);
}

static const struct option send_args_options[] = {{"config", required_argument, NULL, 0},
                                                  {0}};

int cli_send_main(int argc, char **argv) {
    cli_args_t it;
    const char *option, *value, *path = NULL;
    int more;
    cli_args_init(&it, "send", send_args_options, argc, argv);
    while ((more = cli_args_next(&it, &option, &value)) > 0)
        path = value;
    if (more < 0 || !cli_args_no_operands(&it))
        return CLI_EXIT_INVALID;
    if (!path) {
        cli_usage_fail("send", "--config FILE is required", NULL);
        return CLI_EXIT_INVALID;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    char errbuf[1024];
    send_config_t *config = NULL;
    if (send_config_load(&config, path, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "switchyard send: %s\n", errbuf);
        return CLI_EXIT_INVALID;
    }
    sy_err_t err = send_run(config, &send_stop, errbuf, sizeof errbuf);
    send_config_free(config);
    if (err != SY_OK) {
        fprintf(stderr, "switchyard send: %s\n", errbuf);
        return err == SY_ERR_CONFIG ? CLI_EXIT_INVALID : CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}
