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
    {"demo", "run the embedded demo: the coffee-chain journeys on an in-process Kafka",
     "usage: switchyard demo [--contacts N] [--seed N] [--journeys DIR]\n\n"
     "Starts an in-process Kafka cluster (librdkafka's mock cluster; nothing to install),\n"
     "runs the service on it with the journeys of examples/journeys (the coffee chain's\n"
     "email promo, SMS feedback, push promo and voice reactivation), feeds it a synthetic\n"
     "population with profiles whose simulated email, SMS, push and voice providers answer\n"
     "every action command with engagement events, and prints how many contacts took each\n"
     "path of each branch.\n\n"
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
     "usage: switchyard simulate --journeys DIR --events FILE [--out FILE]\n"
     "                           [--until TIME|+DURATION|end] [--partitions N]\n\n"
     "Runs the journeys of DIR over a JSON-lines file of events and profile updates, in\n"
     "event time, with no Kafka and a throwaway in-memory state, and writes the routing\n"
     "decisions, action commands and contact updates as JSON lines (docs/simulate.md).\n"
     "The output is a function of the input: two runs give the same bytes.\n\n"
     "options:\n  --journeys DIR    the journeys to run (as `validate` checks them)\n"
     "  --events FILE     the JSON-lines input; - for stdin\n"
     "  --out FILE        where the JSON lines go (default: stdout)\n"
     "  --until WHEN      after the input, fire the timers due up to WHEN: end (default:\n"
     "                    every pending timer), a time (2026-11-03T08:00:00Z or epoch ms),\n"
     "                    or +DURATION after the latest input time (+1h, +3d)\n"
     "  --partitions N    hash contacts onto N partitions, each with its own event time\n"
     "                    (default 1)\n"
     "exit codes: 0 ok, 1 operating error, 2 bad usage, journey or input line (named\n"
     "as FILE:LINE)\n",
     cli_simulate_main, NULL},
    {"inspect", "show a contact's journeys, nodes and pending timers",
     "usage: switchyard inspect --contact ID (--state-dir DIR | --config FILE)\n"
     "                          [--journeys DIR] [--json]\n\n"
     "Prints every journey instance of the contact kept in the state directory: journey\n"
     "and version, active or done, current node, when it entered the journey and the node,\n"
     "its occurrence, the outcomes seen at the node, its pending timers, and the contact's\n"
     "profile (docs/inspect.md). It opens RocksDB read-only and takes no lock, so it works\n"
     "while the service runs on the directory; it shows what was written when it opened.\n"
     "Every partition is searched; timers are found by scanning the whole timer index of\n"
     "each partition holding the contact.\n\n"
     "options:\n  --contact ID      the contact id\n"
     "  --state-dir DIR   the state directory (state.dir of the service)\n"
     "  --config FILE     take state.dir and journeys.dir from the service's config\n"
     "  --journeys DIR    journeys that name nodes and watched events (default: the\n"
     "                    config's journeys.dir; without them, nodes show as indexes)\n"
     "  --json            print one JSON object instead of text\n"
     "exit codes: 0 found, 1 the contact has no state (or an operating error), 2 bad\n"
     "usage, config or journeys\n",
     cli_inspect_main, NULL},
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
