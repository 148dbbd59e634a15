/* cli_demo.c — `switchyard demo`: its options and its course (demo.h explains the parts). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "demo.h"
#include "log.h"

static const struct option args_options[] = {
    {"contacts", required_argument, NULL, 0}, {"seed", required_argument, NULL, 0},
    {"journeys", required_argument, NULL, 0}, {0}};

static int parse_args(demo_t *d, int argc, char **argv) {
    d->contacts = 1000;
    d->seed = 1;
    d->journeys_dir = SY_SOURCE_ROOT "/examples/journeys";
    cli_args_t it;
    const char *option, *value;
    int more;
    cli_args_init(&it, "demo", args_options, argc, argv);
    while ((more = cli_args_next(&it, &option, &value)) > 0) {
        if (strcmp(option, "--contacts") == 0)
            d->contacts = strtoull(value, NULL, 10);
        else if (strcmp(option, "--seed") == 0)
            d->seed = strtoull(value, NULL, 10);
        else
            d->journeys_dir = value;
    }
    if (more < 0 || !cli_args_no_operands(&it))
        return 0;
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
