/* cli_demo.c — `switchyard demo`: its options and its course (demo.h explains the parts). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo.h"
#include "log.h"

static int parse_args(demo_t *d, int argc, char **argv) {
    d->contacts = 1000;
    d->seed = 1;
    d->journeys_dir = SY_SOURCE_ROOT "/examples/journeys";
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--contacts") == 0 && value)
            d->contacts = strtoull(value, NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0 && value)
            d->seed = strtoull(value, NULL, 10);
        else if (strcmp(argv[i], "--journeys") == 0 && value)
            d->journeys_dir = value;
        else {
            fprintf(stderr, "switchyard demo: unknown option '%s' (see --help)\n", argv[i]);
            return 0;
        }
        i++;
    }
    if (d->contacts < 1 || d->contacts > DEMO_WORLD_CONTACTS_MAX) {
        fprintf(stderr, "switchyard demo: --contacts must be 1..%d\n",
                DEMO_WORLD_CONTACTS_MAX);
        return 0;
    }
    return 1;
}

int cli_demo_main(int argc, char **argv) {
    static demo_t d; /* large (report tables); one demo per process */
    char errbuf[1024];
    if (!parse_args(&d, argc, argv))
        return CLI_EXIT_INVALID;
    log_level_set(LOG_WARN);
    printf("switchyard demo: the journeys of %s on an in-process Kafka cluster\n"
           "(librdkafka's mock cluster, %d partitions), %zu synthetic contacts, seed %" PRIu64
           ".\n",
           d.journeys_dir, DEMO_PARTITIONS, d.contacts, d.seed);
    sy_err_t err = demo_setup(&d, errbuf, sizeof errbuf);
    if (err == SY_OK)
        err = demo_simulate(&d, errbuf, sizeof errbuf);
    if (err != SY_OK)
        fprintf(stderr, "switchyard demo: %s\n", errbuf);
    demo_cleanup(&d);
    if (err == SY_OK)
        return CLI_EXIT_OK;
    return err == SY_ERR_JOURNEY ? CLI_EXIT_INVALID : CLI_EXIT_FAILURE;
}
