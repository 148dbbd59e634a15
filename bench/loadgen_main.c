/* loadgen_main.c — `loadgen`: the load generator's command line (docs/loadgen.md). Parses
 * the options shared by every mode, loads the journeys and the rates, and runs `recording`
 * here; `kafka` and `closed-loop` are in loadgen_kafka.c. A benchmark tool, not part of
 * the switchyard binary. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loadgen_cli.h"
#include "sy_clock.h"

/* Event time of c-1's arrival in a recording: Monday 2026-11-02 08:00 UTC, the demo's
 * start, fixed so the same seed gives the same bytes. */
#define LOADGEN_RECORDING_START_MS INT64_C(1793606400000)

static const char usage[] =
    "usage: loadgen recording --out FILE [options]\n"
    "       loadgen kafka --bootstrap B --rate EVENTS_PER_S [--duration S] [options]\n"
    "       loadgen closed-loop --bootstrap B --rate EVENTS_PER_S --duration S\n"
    "                           [--actions-prefix PFX] [--group G] [options]\n"
    "       loadgen --print-rates [--set KEY=VALUE]... [--rates FILE]\n"
    "options:\n"
    "  --contacts N          contacts c-1..c-N (default 1000)\n"
    "  --seed S              same seed, same records (default 1)\n"
    "  --arrival-rate C      contacts arriving per second of event time (default 10)\n"
    "  --start MS|now        event time of the first arrival, epoch ms (default: recording\n"
    "                        2026-11-02T08:00Z, kafka modes now)\n"
    "  --journeys DIR        journeys whose entry events to make (default examples/journeys)\n"
    "  --only ID             feed only this journey (repeatable)\n"
    "  --set KEY=VALUE       change a rate (repeatable; see --print-rates)\n"
    "  --rates FILE          KEY=VALUE lines, as --print-rates writes them\n"
    "  --no-answers          no open-loop provider answers\n"
    "  --no-profiles         no profile updates\n"
    "  --topic T             events topic (default events)\n"
    "  --profiles-topic T    profiles topic (recording default profiles; kafka modes: no\n"
    "                        profile updates unless given)\n"
    "  --partitions P        recording: partitions of the topics (default 4)\n"
    "  --codec null|deflate  recording: block codec (default null)\n"
    "  -X KEY=VALUE          kafka modes: a librdkafka property (repeatable)\n";

enum {
    OPT_CONTACTS = 256, OPT_SEED, OPT_ARRIVAL, OPT_START, OPT_JOURNEYS, OPT_ONLY, OPT_SET,
    OPT_RATES, OPT_NO_ANSWERS, OPT_NO_PROFILES, OPT_TOPIC, OPT_PROFILES_TOPIC,
    OPT_PARTITIONS, OPT_CODEC, OPT_OUT, OPT_BOOTSTRAP, OPT_RATE, OPT_DURATION,
    OPT_ACTIONS_PREFIX, OPT_GROUP, OPT_PRINT_RATES, OPT_HELP,
};

static const struct option long_options[] = {
    {"contacts", required_argument, NULL, OPT_CONTACTS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"arrival-rate", required_argument, NULL, OPT_ARRIVAL},
    {"start", required_argument, NULL, OPT_START},
    {"journeys", required_argument, NULL, OPT_JOURNEYS},
    {"only", required_argument, NULL, OPT_ONLY},
    {"set", required_argument, NULL, OPT_SET},
    {"rates", required_argument, NULL, OPT_RATES},
    {"no-answers", no_argument, NULL, OPT_NO_ANSWERS},
    {"no-profiles", no_argument, NULL, OPT_NO_PROFILES},
    {"topic", required_argument, NULL, OPT_TOPIC},
    {"profiles-topic", required_argument, NULL, OPT_PROFILES_TOPIC},
    {"partitions", required_argument, NULL, OPT_PARTITIONS},
    {"codec", required_argument, NULL, OPT_CODEC},
    {"out", required_argument, NULL, OPT_OUT},
    {"bootstrap", required_argument, NULL, OPT_BOOTSTRAP},
    {"rate", required_argument, NULL, OPT_RATE},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"actions-prefix", required_argument, NULL, OPT_ACTIONS_PREFIX},
    {"group", required_argument, NULL, OPT_GROUP},
    {"print-rates", no_argument, NULL, OPT_PRINT_RATES},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

/* Parse state beyond the cli struct. */
typedef struct parse_extra {
    const char *journeys_dir;
    const char *only[LOADGEN_JOURNEYS_MAX];
    size_t only_count;
    int start_set, print_rates;
} parse_extra_t;

static int number(const char *opt, const char *text, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !(v >= lo && v <= hi)) {
        fprintf(stderr, "loadgen: --%s %s: want a number in [%g, %g]\n", opt, text, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

static int parse_start(loadgen_cli_t *cli, const char *text) {
    double v;
    if (strcmp(text, "now") == 0) {
        cli->conf.start_ms = sy_clock_wall_ms();
        return 1;
    }
    if (!number("start", text, 0, 1e15, &v))
        return 0;
    cli->conf.start_ms = (int64_t)v;
    return 1;
}

static int parse_kafka_prop(loadgen_cli_t *cli, char *text) {
    char *eq = strchr(text, '=');
    if (!eq || eq == text || cli->kafka_props_count == LOADGEN_KAFKA_PROPS_MAX) {
        fprintf(stderr, "loadgen: -X %s: want KEY=VALUE (at most %d)\n", text,
                LOADGEN_KAFKA_PROPS_MAX);
        return 0;
    }
    *eq = '\0';
    cli->kafka_props[2 * cli->kafka_props_count] = text;
    cli->kafka_props[2 * cli->kafka_props_count + 1] = eq + 1;
    cli->kafka_props_count++;
    return 1;
}

static int parse_rate_option(loadgen_cli_t *cli, int opt, const char *arg) {
    char errbuf[768];
    sy_err_t err = opt == OPT_SET ? loadgen_rates_set(&cli->rates, arg, errbuf, sizeof errbuf)
                                  : loadgen_rates_load(&cli->rates, arg, errbuf, sizeof errbuf);
    if (err != SY_OK)
        fprintf(stderr, "loadgen: %s\n", errbuf);
    return err == SY_OK;
}

/* One option; 0 on a bad one (after saying why). */
static int parse_option(loadgen_cli_t *cli, parse_extra_t *x, int opt, char *arg) {
    double v;
    switch (opt) {
    case OPT_CONTACTS:
        return number("contacts", arg, 0, 1e14, &v) && ((cli->conf.contacts = (uint64_t)v), 1);
    case OPT_SEED:
        return number("seed", arg, 0, 1.8e19, &v) && ((cli->conf.seed = (uint64_t)v), 1);
    case OPT_ARRIVAL: return number("arrival-rate", arg, 1e-6, 1e9, &cli->conf.arrival_rate);
    case OPT_START: return (x->start_set = 1), parse_start(cli, arg);
    case OPT_JOURNEYS: x->journeys_dir = arg; return 1;
    case OPT_ONLY:
        if (x->only_count == LOADGEN_JOURNEYS_MAX)
            return fprintf(stderr, "loadgen: too many --only\n"), 0;
        x->only[x->only_count++] = arg;
        return 1;
    case OPT_SET: case OPT_RATES: return parse_rate_option(cli, opt, arg);
    case OPT_NO_ANSWERS: cli->conf.answers = false; return 1;
    case OPT_NO_PROFILES: cli->conf.profiles = false; return 1;
    case OPT_TOPIC: cli->topic = arg; return 1;
    case OPT_PROFILES_TOPIC: cli->profiles_topic = arg; return 1;
    case OPT_PARTITIONS:
        return number("partitions", arg, 1, LOADGEN_PARTITIONS_MAX, &v) &&
               ((cli->partitions = (int)v), 1);
    case OPT_CODEC:
        if (strcmp(arg, "null") && strcmp(arg, "deflate"))
            return fprintf(stderr, "loadgen: --codec %s: want null or deflate\n", arg), 0;
        cli->codec = strcmp(arg, "null") ? RECORDING_CODEC_DEFLATE : RECORDING_CODEC_NULL;
        return 1;
    case OPT_OUT: cli->out = arg; return 1;
    case OPT_BOOTSTRAP: cli->bootstrap = arg; return 1;
    case OPT_RATE: return number("rate", arg, 1e-3, 1e8, &cli->rate);
    case OPT_DURATION: return number("duration", arg, 0, 1e7, &cli->duration_s);
    case OPT_ACTIONS_PREFIX: cli->actions_prefix = arg; return 1;
    case OPT_GROUP: cli->group = arg; return 1;
    case OPT_PRINT_RATES: x->print_rates = 1; return 1;
    case 'X': return parse_kafka_prop(cli, arg);
    default: fputs(usage, opt == OPT_HELP ? stdout : stderr); return 0;
    }
}

static void cli_defaults(loadgen_cli_t *cli, parse_extra_t *x) {
    memset(cli, 0, sizeof *cli);
    memset(x, 0, sizeof *x);
    loadgen_rates_init(&cli->rates);
    cli->conf.seed = 1;
    cli->conf.contacts = 1000;
    cli->conf.arrival_rate = 10;
    cli->conf.answers = true;
    cli->conf.profiles = true;
    cli->topic = "events";
    cli->partitions = 4;
    cli->codec = RECORDING_CODEC_NULL;
    cli->actions_prefix = "actions.";
    x->journeys_dir = SY_SOURCE_ROOT "/examples/journeys";
}

/* Mode-dependent defaults and required options; 0 when something is missing. */
static int cli_finish(loadgen_cli_t *cli, const parse_extra_t *x) {
    int recording = strcmp(cli->mode, "recording") == 0;
    int closed = strcmp(cli->mode, "closed-loop") == 0;
    if (!recording && !closed && strcmp(cli->mode, "kafka") != 0) {
        fprintf(stderr, "loadgen: unknown mode \"%s\"\n%s", cli->mode, usage);
        return 0;
    }
    if (!x->start_set)
        cli->conf.start_ms = recording ? LOADGEN_RECORDING_START_MS : sy_clock_wall_ms();
    if (recording && !cli->profiles_topic)
        cli->profiles_topic = "profiles";
    if (!cli->profiles_topic)
        cli->conf.profiles = false;
    if (closed)
        cli->conf.answers = false;
    if (recording && !cli->out)
        return fprintf(stderr, "loadgen recording: --out FILE is required\n"), 0;
    if (!recording && (!cli->bootstrap || cli->rate <= 0))
        return fprintf(stderr, "loadgen %s: --bootstrap and --rate are required\n",
                       cli->mode), 0;
    if (closed && cli->duration_s <= 0)
        return fprintf(stderr, "loadgen closed-loop: --duration S is required\n"), 0;
    return 1;
}

/* The journeys fed: all of set, or those --only names (each must exist). */
static int journeys_select(loadgen_cli_t *cli, const parse_extra_t *x, journey_set_t *set) {
    cli->view.journeys = cli->view_items;
    for (size_t j = 0; j < set->count; j++) {
        int keep = x->only_count == 0;
        for (size_t k = 0; k < x->only_count; k++)
            keep |= strcmp(x->only[k], set->journeys[j]->id) == 0;
        if (!keep)
            continue;
        if (cli->view.count == LOADGEN_JOURNEYS_MAX) {
            fprintf(stderr, "loadgen: more than %d journeys: use --only\n",
                    LOADGEN_JOURNEYS_MAX);
            return 0;
        }
        cli->view_items[cli->view.count++] = set->journeys[j];
    }
    for (size_t k = 0; k < x->only_count; k++) {
        int found = 0;
        for (size_t j = 0; j < cli->view.count; j++)
            found |= strcmp(x->only[k], cli->view_items[j]->id) == 0;
        if (!found)
            return fprintf(stderr, "loadgen: --only %s: no such journey in %s\n", x->only[k],
                           x->journeys_dir), 0;
    }
    cli->conf.journeys = &cli->view;
    return 1;
}

static void print_counts(const loadgen_t *gen) {
    loadgen_stats_t st;
    loadgen_stats_get(gen, &st);
    printf("contacts %" PRIu64, st.contacts);
    for (int o = 0; o < LOADGEN_ORIGIN__COUNT; o++)
        printf(" %s %" PRIu64, loadgen_origin_name((loadgen_origin_t)o), st.items[o]);
    printf(" inflight_peak %zu inflight_capacity %zu\n", st.inflight_peak,
           st.inflight_capacity);
}

static int run_recording(const loadgen_cli_t *cli, loadgen_t *gen) {
    char errbuf[768];
    uint64_t records = 0;
    loadgen_record_conf_t rc = {cli->out, cli->codec, cli->topic, cli->profiles_topic,
                                cli->partitions};
    double t0 = sy_clock_mono_s();
    sy_err_t err = loadgen_record(gen, &rc, &records, errbuf, sizeof errbuf);
    double s = sy_clock_mono_s() - t0;
    if (err != SY_OK) {
        fprintf(stderr, "loadgen recording: %s\n", errbuf);
        return 1;
    }
    printf("recorded %" PRIu64 " seconds %.2f records_per_s %.0f file %s\n", records, s,
           s > 0 ? (double)records / s : 0.0, cli->out);
    print_counts(gen);
    return 0;
}

static int run(loadgen_cli_t *cli, const parse_extra_t *x) {
    char errbuf[768];
    journey_set_t *set = NULL;
    loadgen_t *gen = NULL;
    int rc = 1;
    if (journey_set_load_dir(&set, x->journeys_dir, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "loadgen: %s\n", errbuf);
        return 1;
    }
    if (!journeys_select(cli, x, set))
        goto done;
    cli->conf.rates = &cli->rates;
    if (loadgen_open(&gen, &cli->conf, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "loadgen: %s\n", errbuf);
        goto done;
    }
    if (strcmp(cli->mode, "recording") == 0)
        rc = run_recording(cli, gen);
    else if (strcmp(cli->mode, "kafka") == 0)
        rc = loadgen_kafka_run(cli, gen);
    else
        rc = loadgen_closed_loop_run(cli, gen);
    if (rc == 0 && strcmp(cli->mode, "recording") != 0)
        print_counts(gen);
done:
    loadgen_close(gen);
    journey_set_free(set);
    return rc;
}

int main(int argc, char **argv) {
    static loadgen_cli_t cli; /* large (the rates and the journey view): not on the stack */
    parse_extra_t x;
    char errbuf[768];
    cli_defaults(&cli, &x);
    int first = 1;
    if (argc > 1 && argv[1][0] != '-') {
        cli.mode = argv[1];
        first = 2;
    }
    optind = first;
    int opt;
    while ((opt = getopt_long(argc, argv, "X:", long_options, NULL)) != -1)
        if (!parse_option(&cli, &x, opt, optarg))
            return opt == OPT_HELP ? 0 : 2;
    if (optind < argc) {
        fprintf(stderr, "loadgen: unexpected argument \"%s\"\n%s", argv[optind], usage);
        return 2;
    }
    if (loadgen_rates_check(&cli.rates, errbuf, sizeof errbuf) != SY_OK) {
        fprintf(stderr, "loadgen: %s\n", errbuf);
        return 2;
    }
    if (x.print_rates) {
        loadgen_rates_print(&cli.rates, stdout);
        return 0;
    }
    if (!cli.mode) {
        fputs(usage, stderr);
        return 2;
    }
    if (!cli_finish(&cli, &x))
        return 2;
    return run(&cli, &x);
}
