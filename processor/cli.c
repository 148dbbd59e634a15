/* cli.c — the command table: every command's summary and --help text. */
#include "cli.h"

#include <string.h>

#include "config.h"

const cli_command_t cli_commands[] = {
    {"run", "run the service: consume events, run journeys, produce decisions and actions",
     "usage: switchyard run --config FILE\n\n"
     "Joins the consumer group on the events topic, runs the journeys of journeys.dir over\n"
     "every contact's events, keeps state in state.dir, and produces routing decisions,\n"
     "action commands (<topic.actions.prefix><channel>) and contact updates in one Kafka\n"
     "transaction per batch, together with the consumed offsets. A record that cannot be\n"
     "decoded goes to the dead-letter topic with headers naming its topic, partition,\n"
     "offset and error. SIGTERM or SIGINT: finish the batch, commit, leave the group.\n\n"
     "options:\n  --config FILE   the config file (see below and docs/config.md)\n"
     "  --help          this text\n\nconfig options:\n",
     cli_run_main, config_print_help},
    {"demo", "run the embedded demo: the coffee-chain email journey on an in-process Kafka",
     "usage: switchyard demo [--contacts N] [--seed N] [--journeys DIR]\n\n"
     "Starts an in-process Kafka cluster (librdkafka's mock cluster; nothing to install),\n"
     "runs the service on it with the coffee-chain email promo, feeds it a synthetic\n"
     "population whose simulated email and push providers answer every action command\n"
     "with engagement events, and prints how many contacts took each path.\n\n"
     "options:\n  --contacts N    population size (default 1000, at most 100000)\n"
     "  --seed N        seed of the population's behaviour (default 1)\n"
     "  --journeys DIR  journeys to run (default: the examples/journeys of the source tree)\n",
     cli_demo_main, NULL},
    {"validate", "check journey files and report every problem with file:line:column",
     "usage: switchyard validate FILE...\n\n"
     "Loads each journey file (YAML or JSON) as the service would and prints `FILE: ok`\n"
     "or the problem as FILE:LINE:COLUMN: message. Exits 2 when any file is invalid.\n",
     cli_validate_main, NULL},
    {"simulate", "run journeys over a JSON-lines event file, without Kafka",
     "usage: switchyard simulate --journeys DIR --events FILE\n\n"
     "Not built yet: planned for the journey-language release.\n", NULL, NULL},
    {"inspect", "show a contact's journeys, nodes and pending timers",
     "usage: switchyard inspect --contact ID (--state-dir DIR | --config FILE)\n\n"
     "Not built yet: planned for the durable-state release.\n", NULL, NULL},
    {"record", "capture a topic into a recording file",
     "usage: switchyard record --topic T --out FILE\n\n"
     "Not built yet: planned for the replay release.\n", NULL, NULL},
    {"replay", "re-run journeys over a recorded topic or recording file, in event time",
     "usage: switchyard replay (--recording FILE | --topic T) --journeys DIR\n\n"
     "Not built yet: planned for the replay release.\n", NULL, NULL},
};

const int cli_commands_count = (int)(sizeof cli_commands / sizeof cli_commands[0]);

int cli_wants_help(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}
