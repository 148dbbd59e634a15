/* cli_validate.c — `switchyard validate FILE...`: load each journey as the service would
 * and report it valid or the first problem with file:line:column. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "journey.h"

static const struct option args_options[] = {{0}}; /* none but --help (main.c) */

int cli_validate_main(int argc, char **argv) {
    char errbuf[1024];
    int invalid = 0;
    cli_args_t it;
    const char *option, *value;
    cli_args_init(&it, "validate", args_options, argc, argv);
    if (cli_args_next(&it, &option, &value) != 0)
        return CLI_EXIT_INVALID;
    if (it.operands >= argc) {
        fprintf(stderr, "usage: switchyard validate FILE... (see --help)\n");
        return CLI_EXIT_INVALID;
    }
    for (int i = it.operands; i < argc; i++) {
        journey_t *journey = NULL;
        if (journey_load_file(&journey, argv[i], errbuf, sizeof errbuf) == SY_OK) {
            printf("%s: ok (journey %s version %d, %zu nodes)\n", argv[i], journey->id,
                   (int)journey->version, journey->nodes_count);
            journey_free(journey);
        } else {
            fprintf(stderr, "%s\n", errbuf);
            invalid++;
        }
    }
    return invalid ? CLI_EXIT_INVALID : CLI_EXIT_OK;
}
