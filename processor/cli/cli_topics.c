/* cli_topics.c — `switchyard topics create|check --config FILE`: its options and exit
 * codes. What is created and checked, and how: topics_admin.h. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "topics_admin.h"

typedef struct cli_topics_args {
    const char *action; /* "create" or "check" */
    const char *config_path;
    int timeout_ms;
} cli_topics_args_t;

static int args_fail(const char *message, const char *value) {
    return cli_usage_fail("topics", message, value);
}

/* 1: parsed; 0: a usage error (reported). -h and --help never come here: main.c prints
 * the command's usage from the table. */
static int args_parse(cli_topics_args_t *a, int argc, char **argv) {
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"timeout-ms", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    *a = (cli_topics_args_t){.timeout_ms = TOPICS_TIMEOUT_MS_DEFAULT};
    opterr = 0;
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, ":", options, NULL)) != -1;) {
        char *end = NULL;
        if (c == 'c')
            a->config_path = optarg;
        else if (c == 't' && ((a->timeout_ms = (int)strtol(optarg, &end, 10)) <= 0 || *end))
            return args_fail("--timeout-ms wants a positive number of milliseconds", optarg);
        else if (c == ':')
            return args_fail("an option without its value", argv[optind - 1]);
        else if (c == '?')
            return args_fail("unknown option", argv[optind - 1]);
    }
    if (optind != argc - 1)
        return args_fail("give one action, create or check", NULL);
    a->action = argv[optind];
    if (strcmp(a->action, "create") != 0 && strcmp(a->action, "check") != 0)
        return args_fail("unknown action (create or check)", a->action);
    if (!a->config_path)
        return args_fail("--config FILE is required", NULL);
    return 1;
}

static void problem_print(void *ctx, const char *topic, const char *message) {
    (void)topic;
    fprintf(stderr, "switchyard topics %s: %s\n", (const char *)ctx, message);
}

/* Create what is missing (create only), then check every topic. */
static int topics_run(const cli_topics_args_t *a, const sy_config_t *config) {
    char errbuf[1024];
    topics_admin_t *admin = NULL;
    sy_err_t err = topics_admin_open(&admin, config, NULL, a->timeout_ms, errbuf,
                                     sizeof errbuf);
    if (err == SY_OK)
        err = topics_admin_describe(admin, errbuf, sizeof errbuf);
    if (err == SY_OK && strcmp(a->action, "create") == 0)
        err = topics_admin_create(admin, stdout, errbuf, sizeof errbuf);
    size_t problems = 0;
    if (err == SY_OK)
        problems = topics_admin_check(admin, strcmp(a->action, "check") == 0 ? stdout : NULL,
                                      problem_print, (void *)a->action);
    topics_admin_close(admin);
    if (err != SY_OK) {
        fprintf(stderr, "switchyard topics %s: %s\n", a->action, errbuf);
        return err == SY_ERR_CONFIG ? CLI_EXIT_INVALID : CLI_EXIT_FAILURE;
    }
    if (problems > 0) {
        fprintf(stderr, "switchyard topics %s: %zu problem(s)\n", a->action, problems);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

int cli_topics_main(int argc, char **argv) {
    char errbuf[1024];
    cli_topics_args_t a;
    if (!args_parse(&a, argc, argv))
        return CLI_EXIT_INVALID;
    sy_config_t *config = NULL;
    if (config_load(&config, a.config_path, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "switchyard topics: %s\n", errbuf);
        return CLI_EXIT_INVALID;
    }
    int rc = topics_run(&a, config);
    config_free(config);
    return rc;
}
