/* main.c — `switchyard COMMAND [OPTIONS]`: finds the command in the table of cli.h and
 * runs it; prints the command list for --help. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_commands(FILE *out) {
    fprintf(out, "usage: switchyard COMMAND [OPTIONS]\n\n"
                 "switchyard runs customer journeys on Kafka: it consumes engagement events,\n"
                 "keeps every contact's place in every journey, and produces routing\n"
                 "decisions and action commands, exactly once.\n\ncommands:\n");
    for (int i = 0; i < cli_commands_count; i++)
        fprintf(out, "  %-10s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fprintf(out, "  %-10s %s\n", "version",
            "print the versions of switchyard (and its commit), librdkafka, RocksDB, avro-c");
    fprintf(out, "\n`switchyard COMMAND --help` explains a command; `switchyard --version`"
                 " is `version`.\n"
                 "exit codes: 0 ok, 1 operating error, 2 invalid usage/config/journey\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_commands(stderr);
        return CLI_EXIT_INVALID;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_commands(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        cli_version_print(stdout);
        return CLI_EXIT_OK;
    }
    for (int i = 0; i < cli_commands_count; i++) {
        const cli_command_t *c = &cli_commands[i];
        if (strcmp(argv[1], c->name) != 0)
            continue;
        if (cli_wants_help(argc - 1, argv + 1)) {
            fputs(c->usage, stdout);
            if (c->usage_more)
                c->usage_more(stdout);
            return CLI_EXIT_OK;
        }
        return c->main(argc - 1, argv + 1);
    }
    fprintf(stderr, "switchyard: unknown command '%s'\n\n", argv[1]);
    print_commands(stderr);
    return CLI_EXIT_INVALID;
}
