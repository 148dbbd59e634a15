/* cli_replay.c — `switchyard replay`: its options, the exit codes of its failures and the
 * summary line. The replay itself is replay.h; the what-if report replay_what_if.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "replay.h"
#include "state_store.h"

/* --recording may repeat: a profiles recording and an events one, or a topic's recording
 * split in parts; more than this is a sign of a shell glob gone wrong. */
#define CLI_REPLAY_RECORDINGS_MAX 256

/* Longest wait for the broker when reading a topic: long enough for a busy cluster's
 * metadata, short enough that a wrong --bootstrap fails while the user is still there. */
#define CLI_REPLAY_TIMEOUT_MS 30000

typedef struct cli_replay_args {
    replay_conf_t conf;
    const char *recordings[CLI_REPLAY_RECORDINGS_MAX];
    topic_reader_conf_t topic;
    int32_t partitions[TOPIC_READER_PARTITIONS_MAX];
    const char *config_path;
    const char *what_if_dir;
    const char *map_dir;
    bool json;
    bool report; /* --report: the campaign metrics on stdout */
} cli_replay_args_t;

#define ARG(name) {name, required_argument, NULL, 0}
static const struct option args_options[] = {
    ARG("journeys"),  ARG("recording"), ARG("topic"),     ARG("profiles-topic"),
    ARG("partitions"), ARG("from-offset"), ARG("from-time"), ARG("to-offset"),
    ARG("to-time"),   ARG("bootstrap"), ARG("out"),       ARG("config"),
    ARG("state-dir"), ARG("until"),     ARG("what-if"),   ARG("map"),
    ARG("events-partitions"), ARG("threads"),
    {"json", no_argument, NULL, 0}, {"report", no_argument, NULL, 0}, {0}};
#undef ARG

static int args_fail(const char *message, const char *value) {
    return cli_usage_fail("replay", message, value);
}

/* The input options: recordings, or a topic and its range. */
static int input_option(cli_replay_args_t *a, const char *option, const char *value) {
    const char *problem = NULL;
    int range = topic_reader_option(&a->topic, a->partitions, option, value, &problem);
    if (range >= 0)
        return range ? 1 : args_fail(problem, value);
    if (strcmp(option, "--recording") == 0) {
        if (a->conf.recordings_count == CLI_REPLAY_RECORDINGS_MAX)
            return args_fail("too many --recording files", value);
        a->recordings[a->conf.recordings_count++] = value;
    } else if (strcmp(option, "--topic") == 0) {
        a->topic.topic = value;
    } else if (strcmp(option, "--profiles-topic") == 0) {
        a->conf.profiles_topic = value;
    } else if (strcmp(option, "--bootstrap") == 0) {
        a->topic.bootstrap = value;
        a->conf.output_bootstrap = value;
    } else {
        return -1;
    }
    return 1;
}

/* Every other option; -1 for an unknown one. */
static int run_option(cli_replay_args_t *a, const char *option, const char *value) {
    if (strcmp(option, "--journeys") == 0) {
        a->conf.journeys_dir = value;
    } else if (strcmp(option, "--out") == 0) {
        a->conf.output_path = value;
    } else if (strcmp(option, "--config") == 0) {
        a->config_path = value;
    } else if (strcmp(option, "--state-dir") == 0) {
        a->conf.state_dir = value;
    } else if (strcmp(option, "--what-if") == 0) {
        a->what_if_dir = value;
    } else if (strcmp(option, "--map") == 0) {
        a->map_dir = value;
    } else if (strcmp(option, "--events-partitions") == 0) {
        char *end;
        long n = strtol(value, &end, 10);
        if (*end || end == value || n < 1 || n > STATE_PARTITIONS_MAX)
            return args_fail("--events-partitions takes 1..4096", value);
        a->conf.events_partitions = (int32_t)n;
    } else if (strcmp(option, "--threads") == 0) {
        char *end;
        long n = strtol(value, &end, 10);
        if (*end || end == value || n < 1 || n > REPLAY_THREADS_MAX)
            return args_fail("--threads takes 1..64", value);
        a->conf.threads = (int)n;
    } else if (strcmp(option, "--until") == 0) {
        simulate_conf_t until = {0};
        if (!simulate_until_parse(value, &until))
            return args_fail("--until takes end, input, a time (2026-11-03T08:00:00Z or "
                             "epoch ms) or +DURATION (+1h, +3d)", value);
        a->conf.until = until.until;
        a->conf.until_ms = until.until_ms;
    } else {
        return input_option(a, option, value);
    }
    return 1;
}

/* The combinations the options allow. */
static int args_check(const cli_replay_args_t *a) {
    if (!a->conf.journeys_dir)
        return args_fail("--journeys DIR is required", NULL);
    if ((a->conf.recordings_count > 0) == (a->topic.topic != NULL))
        return args_fail("give --recording FILE... or --topic T, not both", NULL);
    if (a->conf.recordings_count > 0 &&
        (a->topic.partitions_count || a->topic.from.kind != TOPIC_POSITION_BEGINNING ||
         a->topic.to.kind != TOPIC_POSITION_END))
        return args_fail("--partitions, --from-* and --to-* go with --topic", NULL);
    for (size_t i = 0; i < a->topic.partitions_count; i++) {
        char limit[64];
        snprintf(limit, sizeof limit, "partition numbers below %d", STATE_PARTITIONS_MAX);
        if (a->partitions[i] >= STATE_PARTITIONS_MAX)
            return args_fail("--partitions takes", limit);
    }
    if (a->conf.profiles_topic && !a->topic.topic)
        return args_fail("--profiles-topic goes with --topic", NULL);
    if (a->conf.output_path && a->config_path)
        return args_fail("give --out FILE or --config FILE, not both", NULL);
    if (a->what_if_dir && (a->conf.output_path || a->config_path || a->conf.state_dir))
        return args_fail("--what-if writes a report only: no --out, --config or "
                         "--state-dir", NULL);
    if (a->report && a->what_if_dir)
        return args_fail("give --report or --what-if, not both", NULL);
    if (a->report && a->conf.output_path && strcmp(a->conf.output_path, "-") == 0)
        return args_fail("--report writes to stdout: give --out FILE for the outputs", NULL);
    if (a->json && !a->what_if_dir && !a->report)
        return args_fail("--json goes with --what-if or --report", NULL);
    if (a->map_dir && !a->what_if_dir)
        return args_fail("--map goes with --what-if", NULL);
    return 1;
}

static int args_parse(cli_replay_args_t *a, int argc, char **argv) {
    memset(a, 0, sizeof *a);
    a->conf.partitions = STATE_PARTITIONS_MAX;
    a->conf.until = SIMULATE_UNTIL_END;
    a->conf.recordings = a->recordings;
    a->topic.from.kind = TOPIC_POSITION_BEGINNING;
    a->topic.to.kind = TOPIC_POSITION_END;
    a->topic.timeout_ms = CLI_REPLAY_TIMEOUT_MS;
    cli_args_t it;
    const char *option, *value;
    int more;
    cli_args_init(&it, "replay", args_options, argc, argv);
    while ((more = cli_args_next(&it, &option, &value)) > 0) {
        if (strcmp(option, "--json") == 0 || strcmp(option, "--report") == 0) {
            *(option[2] == 'j' ? &a->json : &a->report) = true;
            continue;
        }
        int ok = run_option(a, option, value);
        if (ok < 0)
            return args_fail("unknown option", option);
        if (!ok)
            return 0;
    }
    if (more < 0 || !cli_args_no_operands(&it))
        return 0;
    return args_check(a);
}

static void summary_print(const replay_stats_t *s) {
    char fatigued[48] = ""; /* only when a fatigue rule skipped a send */
    if (s->run.fatigued)
        snprintf(fatigued, sizeof fatigued, ", %" PRIu64 " fatigued", s->run.fatigued);
    fprintf(stderr,
            "switchyard replay: %" PRIu64 " records, %" PRIu64 " events, %" PRIu64
            " profile updates, %" PRIu64 " decisions, %" PRIu64 " actions, %" PRIu64
            " contact updates, %" PRIu64 " timers fired, %" PRIu64 " dead letters, %" PRIu64
            " duplicates, %" PRIu64 " sends suppressed, %" PRIu64 " capped, %" PRIu64
            " held%s%s\n",
            s->records, s->run.events, s->run.profile_updates, s->run.decisions,
            s->run.actions, s->run.contact_updates, s->run.timers_fired, s->dead_letters,
            s->run.duplicates, s->run.suppressed, s->run.capped, s->run.held, fatigued,
            s->run.timers_left ? " (timers due over 5 years after the last event left "
                                 "unfired)"
                               : "");
}

/* Failures while opening are the arguments' (a journey, a file, a topic) unless they are
 * the machine's or the broker's; failures while running are operating errors. */
static int replay_exit_code(sy_err_t err, replay_stage_t stage) {
    if (err == SY_OK)
        return CLI_EXIT_OK;
    if (stage == REPLAY_STAGE_RUN || err == SY_ERR_STATE || err == SY_ERR_NOMEM ||
        err == SY_ERR_KAFKA_RETRIABLE || err == SY_ERR_KAFKA_FATAL)
        return CLI_EXIT_FAILURE;
    return CLI_EXIT_INVALID;
}

int cli_replay_main(int argc, char **argv) {
    cli_replay_args_t a;
    sy_config_t *config = NULL;
    replay_stats_t stats = {0};
    replay_stage_t stage = REPLAY_STAGE_OPEN;
    char errbuf[1024];
    if (!args_parse(&a, argc, argv))
        return CLI_EXIT_INVALID;
    sy_err_t err = SY_OK;
    if (a.config_path && (err = config_load(&config, a.config_path, errbuf,
                                            sizeof errbuf)) != SY_OK) {
        fprintf(stderr, "switchyard replay: %s\n", errbuf);
        return CLI_EXIT_INVALID;
    }
    a.topic.config = config;
    a.conf.topic = &a.topic;
    a.conf.output_config = config;
    a.conf.progress = stderr;
    a.conf.report = a.report ? stdout : NULL;
    a.conf.report_json = a.json;
    if (a.what_if_dir)
        err = replay_what_if(&a.conf, a.what_if_dir, a.json, a.map_dir, stdout, &stats,
                             &stage, errbuf, sizeof errbuf);
    else
        err = replay_run(&a.conf, &stats, &stage, errbuf, sizeof errbuf);
    if (err != SY_OK)
        fprintf(stderr, "switchyard replay: %s\n", errbuf);
    if (stage == REPLAY_STAGE_RUN)
        summary_print(&stats);
    config_free(config);
    return replay_exit_code(err, stage);
}
