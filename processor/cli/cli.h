/* cli.h — the `switchyard` command line: the command table, exit codes, and one entry
 * point per command (cli_<command>.c). main.c only dispatches. */
#ifndef SY_CLI_H
#define SY_CLI_H

#include <getopt.h>
#include <stdatomic.h>
#include <stdio.h>

/* Exit codes of every command. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1,   /* an operating error stopped the command: see stderr */
    CLI_EXIT_INVALID = 2,   /* bad usage, or an invalid config or journey file */
};

typedef struct cli_command {
    const char *name;
    const char *summary; /* one line for `switchyard --help` */
    const char *usage;   /* the command's own --help text */
    int (*main)(int argc, char **argv);
    void (*usage_more)(FILE *out);      /* prints more of --help, or NULL */
} cli_command_t;

extern const cli_command_t cli_commands[];
extern const int cli_commands_count;

/* True when argv holds -h or --help. */
int cli_wants_help(int argc, char **argv);

/* Report a usage error of command on stderr as "switchyard COMMAND: MESSAGE: VALUE (see
 * --help)" (no ": VALUE" when value is NULL). Returns 0, so that an option parser can
 * `return cli_usage_fail(...)` for "stop, exit CLI_EXIT_INVALID". */
int cli_usage_fail(const char *command, const char *message, const char *value);

/* Bytes of "--" + the longest option name a command has. */
#define CLI_OPTION_NAME_BYTES 64

/* A command's pass over its arguments with getopt_long (cli_args.c): long options only,
 * each `--opt value` or `--opt=value`; operands may come between them. */
typedef struct cli_args {
    const char *command;          /* for the messages: "switchyard COMMAND: ..." */
    const struct option *options; /* borrowed: flag NULL, val 0, ends with {0} */
    int argc;
    char **argv;                  /* borrowed; getopt_long reorders it (operands last) */
    int operands;                 /* after the last option: argv[operands..argc) */
    char name[CLI_OPTION_NAME_BYTES];
} cli_args_t;

/* Start a pass (resets getopt's state: parsers may run more than once per process;
 * quiet: errors come from cli_args_next). options and argv must outlive the pass. */
void cli_args_init(cli_args_t *it, const char *command, const struct option *options,
                   int argc, char **argv);

/* The next option: 1 with *option = "--name" (the full name, even when abbreviated; valid
 * until the next call) and *value (NULL for an option without one); 0 after the last,
 * it->operands set; -1 after reporting an unknown option, a missing value or a value
 * given to an option that takes none, as cli_usage_fail does (exit CLI_EXIT_INVALID). */
int cli_args_next(cli_args_t *it, const char **option, const char **value);

/* After the pass: 1 when there are no operands, else 0 after reporting the first as
 * "unexpected argument". */
int cli_args_no_operands(const cli_args_t *it);

/* The --config FILE argument of a long-running command (cli_service.c); NULL after
 * reporting a usage error (exit CLI_EXIT_INVALID), "--config FILE is required" among them. */
const char *cli_config_path_arg(const char *command, int argc, char **argv);

/* Make SIGTERM and SIGINT set the returned flag, the command's stop request (cli_service.c);
 * install first, so a stop asked for while starting is a clean stop, not a kill. */
atomic_int *cli_stop_signals_install(void);

/* Print switchyard's version and commit and those of librdkafka, RocksDB and avro-c, one
 * per line (cli_version.c). */
void cli_version_print(FILE *out);

int cli_run_main(int argc, char **argv);
int cli_demo_main(int argc, char **argv);
int cli_validate_main(int argc, char **argv);
int cli_simulate_main(int argc, char **argv);
int cli_inspect_main(int argc, char **argv);
int cli_replay_main(int argc, char **argv);
int cli_record_main(int argc, char **argv);
int cli_topics_main(int argc, char **argv);
int cli_map_main(int argc, char **argv);
int cli_ingest_main(int argc, char **argv);
int cli_send_main(int argc, char **argv);

#endif
