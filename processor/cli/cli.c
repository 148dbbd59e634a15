/* cli.c — the command table: every command's summary and --help text. The parsers are
 * cli_<command>.c; the usage-error report they share is cli_usage.c. */
#include "cli.h"

#include "config.h"

const cli_command_t cli_commands[] = {
    {"run", "run the service: consume events, run journeys, produce decisions and actions",
     "usage: switchyard run --config FILE\n\n"
     "Joins the consumer group on the events topic, runs the journeys of journeys.dir over\n"
     "every contact's events, keeps state in state.dir, and produces routing decisions,\n"
     "action commands (<topic.actions.prefix><channel>) and contact updates in one Kafka\n"
     "transaction per batch, together with the consumed offsets. A record that cannot be\n"
     "decoded goes to the dead-letter topic with headers naming its topic, partition,\n"
     "offset and error. SIGTERM or SIGINT: finish the batch, commit, leave the group.\n"
     "SIGHUP: load journeys.dir again and apply log.level and log.format from the config\n"
     "file, and keep running. Exit codes: 0 stopped cleanly, 1 operating error, 2 bad\n"
     "usage, config or journeys.\n\n"
     "options:\n  --config FILE   the config file (see below and docs/config.md)\n"
     "  --help          this text\n\nconfig options:\n",
     cli_run_main, config_print_help},
    {"topics", "create the topics a config names, or check them before a deployment",
     "usage: switchyard topics create|check --config FILE [--timeout-ms N]\n\n"
     "The topics are the config's topic.events, topic.profiles, topic.changelog,\n"
     "topic.decisions, topic.contact_updates, topic.dlq and one action topic per channel\n"
     "switchyard knows (<topic.actions.prefix><channel>: email, sms, push, voice, call,\n"
     "in_app, custom, task), each with topic.prefix in front.\n\n"
     "create: creates every one that is missing, with topics.partitions partitions (the\n"
     "events, profiles and changelog topics share one count: that of whichever of them\n"
     "exists already), topics.replication.factor, and the changelog with\n"
     "cleanup.policy=compact; prints a line per topic, `created` or `exists` (a topic\n"
     "that exists is left as it is), then checks them all as `check` does.\n"
     "check: prints a line per topic (ok, missing, wrong) and, on stderr, each problem\n"
     "with the command that fixes it: a topic missing, the profiles or changelog topic\n"
     "with another partition count than the events topic, the changelog not compacted.\n"
     "`switchyard run` makes the same check at start and refuses to start on a problem.\n"
     "Retriable broker errors are retried with backoff for up to --timeout-ms.\n\n"
     "options:\n  --config FILE    the service's config (docs/config.md)\n"
     "  --timeout-ms N   longest wait for the cluster, retries included (default 30000)\n"
     "  -h, --help       this text\n"
     "exit codes: 0 ok, 1 a problem with the topics or an operating error (broker\n"
     "unreachable, creation refused), 2 bad usage or config\n",
     cli_topics_main, NULL},
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
     "                           [--until TIME|+DURATION|end|input] [--partitions N]\n\n"
     "Runs the journeys of DIR over a JSON-lines file of events and profile updates, in\n"
     "event time, with no Kafka and a throwaway in-memory state, and writes the routing\n"
     "decisions, action commands and contact updates as JSON lines (docs/simulate.md).\n"
     "The output is a function of the input: two runs give the same bytes.\n\n"
     "options:\n  --journeys DIR    the journeys to run (as `validate` checks them)\n"
     "  --events FILE     the JSON-lines input; - for stdin\n"
     "  --out FILE        where the JSON lines go (default: stdout)\n"
     "  --until WHEN      after the input, fire the timers due up to WHEN: end (default:\n"
     "                    every pending timer), a time (2026-11-03T08:00:00Z or epoch ms),\n"
     "                    +DURATION after the latest input time (+1h, +3d), or input\n"
     "                    (none beyond the input's own times)\n"
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
     "usage: switchyard record --topic T --out FILE (--bootstrap HOST:PORT | --config FILE)\n"
     "                         [--partitions 0,2,5] [--from-offset N | --from-time TIME]\n"
     "                         [--to-offset N | --to-time TIME] [--codec null|deflate]\n\n"
     "Copies the committed records of a topic (read_committed: aborted transactions are\n"
     "left out) into a recording file: an Avro object container file keeping each\n"
     "record's topic, partition, offset, timestamp, key and value (docs/recording.md).\n"
     "Partitions are read one after the other in ascending order, offsets ascending. The\n"
     "default range is every partition from its first offset to its end when the command\n"
     "starts. The file is written as FILE.part and renamed to FILE once complete. Stderr\n"
     "shows progress on a terminal, then the records, time and rate, and a summary line.\n\n"
     "options:\n  --topic T            the topic to record\n"
     "  --out FILE           the recording file to write (replaced)\n"
     "  --bootstrap H:P      the Kafka bootstrap servers (overrides the config's)\n"
     "  --config FILE        take the kafka.* properties from the service's config\n"
     "  --partitions LIST    only these partitions (default: all)\n"
     "  --from-offset N      start at offset N of each partition (inclusive)\n"
     "  --from-time TIME     start at the first record with a timestamp >= TIME\n"
     "  --to-offset N        stop before offset N of each partition (exclusive)\n"
     "  --to-time TIME       stop before the first record with a timestamp >= TIME\n"
     "  --codec C            null (default: fastest to read) or deflate (smaller)\n"
     "  --timeout-ms N       longest wait for the broker (default 30000)\n"
     "TIME is ISO-8601 (2026-11-02T08:00:00Z, 2026-11-02T09:00:00.250+01:00) or epoch ms.\n"
     "exit codes: 0 ok, 1 operating error (broker unreachable, unknown topic or partition,\n"
     "the file cannot be written), 2 bad usage or config\n",
     cli_record_main, NULL},
    {"replay", "re-run journeys over a recorded topic or recording file, in event time",
     "usage: switchyard replay --journeys DIR\n"
     "         (--recording FILE... | --topic T [--profiles-topic P] [--partitions P,P..]\n"
     "          [--bootstrap B]\n"
     "          [--from-offset N|--from-time T] [--to-offset N|--to-time T])\n"
     "         [--out FILE | --config FILE] [--state-dir DIR] [--until WHEN]\n"
     "         [--what-if DIR2 [--json]]\n\n"
     "Re-runs the journeys of DIR over recorded Kafka records, in event time (each\n"
     "partition its own time), as the service runs them in time.mode = event, and writes\n"
     "the decisions, actions, contact updates and dead letters as JSON lines or to the\n"
     "config's output topics. Two replays of the same input give the same bytes. A record\n"
     "that does not decode becomes a dead letter naming its topic, partition, offset and\n"
     "reason, and the replay goes on. Progress on a terminal; a summary on stderr\n"
     "(docs/replay.md).\n\n"
     "options:\n  --journeys DIR     the journeys to run\n"
     "  --recording FILE   a recording (`switchyard record`); may repeat: read in order\n"
     "  --topic T          read topic T from Kafka instead (read_committed)\n"
     "  --profiles-topic P with --topic: read topic P whole first (the profiles)\n"
     "  --partitions P,..  the topic's partitions to read (default: all)\n"
     "  --from-offset N, --from-time T   where each partition starts (default: its first)\n"
     "  --to-offset N, --to-time T       where it stops, exclusive (default: its end)\n"
     "  --bootstrap B      the brokers (overrides the config's kafka.bootstrap.servers)\n"
     "  --out FILE         JSON lines output (default: stdout)\n"
     "  --config FILE      produce to this config's topic.decisions, topic.actions.prefix,\n"
     "                     topic.contact_updates and topic.dlq instead (idempotent)\n"
     "  --state-dir DIR    keep state in DIR, continuing from what it holds (default: a\n"
     "                     fresh in-memory state)\n"
     "  --until WHEN       after the input, fire the timers due up to WHEN: end (default),\n"
     "                     input (none beyond the input's time: for a replay continued\n"
     "                     later from --state-dir), a time, or +DURATION\n"
     "  --what-if DIR2     run DIR and DIR2 side by side, each in its own in-memory state,\n"
     "                     and print per journey the decisions into each node and along\n"
     "                     each branch path under both, and the difference\n"
     "  --json             the what-if report as one JSON object\n"
     "exit codes: 0 ok, 1 operating error (broker, state, output), 2 bad usage, journey,\n"
     "config or a recording that cannot be opened\n",
     cli_replay_main, NULL},
};

const int cli_commands_count = (int)(sizeof cli_commands / sizeof cli_commands[0]);
