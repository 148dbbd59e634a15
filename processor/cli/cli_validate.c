/* cli_validate.c — `switchyard validate FILE...`: load each journey as the service would
 * and report it valid or the first problem with file:line:column. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "journey.h"

int cli_validate_main(int argc, char **argv) {
    char errbuf[1024];
    int invalid = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: switchyard validate FILE... (see --help)\n");
        return CLI_EXIT_INVALID;
    }
    for (int i = 1; i < argc; i++) { /* validate has no options but --help */
        if (strncmp(argv[i], "--", 2) == 0) {
            cli_usage_fail("validate", "unknown option", argv[i]);
            return CLI_EXIT_INVALID;
        }
    }
    for (int i = 1; i < argc; i++) {
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
