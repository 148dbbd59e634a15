/* cli_usage.c — what every command's option parser shares: spotting --help and reporting a
 * usage error in one format. Not the command table (cli.c) nor any parser (cli_<command>.c). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

int cli_usage_fail(const char *command, const char *message, const char *value) {
    fprintf(stderr, "switchyard %s: %s%s%s (see --help)\n", command, message,
            value ? ": " : "", value ? value : "");
    return 0;
}
