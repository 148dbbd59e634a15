/* cli_args.c — one getopt_long loop for every command: `--opt value`, `--opt=value`, the
 * operands after the options, and usage errors reported through cli_usage_fail. Not the
 * meaning of any option: each parser (cli_<command>.c) dispatches on the name it gets. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_args_init(cli_args_t *it, const char *command, const struct option *options,
                   int argc, char **argv) {
    *it = (cli_args_t){.command = command, .options = options, .argc = argc, .argv = argv};
    optind = 0; /* GNU: a full restart, so parsers can run again in one process */
    opterr = 0;
}

/* "--json=x" for an option that takes no value. */
static int takes_no_value(const struct option *options, const char *token) {
    const char *eq = strchr(token, '=');
    if (strncmp(token, "--", 2) != 0 || !eq)
        return 0;
    size_t len = (size_t)(eq - token - 2);
    for (const struct option *o = options; o->name; o++)
        if (o->has_arg == no_argument && strlen(o->name) == len &&
            strncmp(o->name, token + 2, len) == 0)
            return 1;
    return 0;
}

static int args_error(cli_args_t *it, int c) {
    char short_name[3] = {'-', (char)optopt, '\0'};
    const char *token = optopt > 0 && optopt < 128 ? short_name : it->argv[optind - 1];
    if (c == ':')
        cli_usage_fail(it->command, "an option without its value", token);
    else if (takes_no_value(it->options, token))
        cli_usage_fail(it->command, "an option that takes no value", token);
    else
        cli_usage_fail(it->command, "unknown option", token);
    return -1;
}

int cli_args_next(cli_args_t *it, const char **option, const char **value) {
    int index = -1;
    int c = getopt_long(it->argc, it->argv, ":", it->options, &index);
    if (c == -1) {
        it->operands = optind;
        return 0;
    }
    if (c != 0 || index < 0)
        return args_error(it, c);
    snprintf(it->name, sizeof it->name, "--%s", it->options[index].name);
    *option = it->name;
    *value = it->options[index].has_arg == no_argument ? NULL : optarg;
    return 1;
}

int cli_args_no_operands(const cli_args_t *it) {
    if (it->operands < it->argc)
        return cli_usage_fail(it->command, "unexpected argument", it->argv[it->operands]);
    return 1;
}
