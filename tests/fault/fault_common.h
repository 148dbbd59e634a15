/* fault_common.h — what the fault tests (tests/fault/) share: the workload (a JSON-lines
 * event file for N contacts through the coffee email promo, docs/simulate.md), its
 * reference outputs from `switchyard simulate`, producing it to a service's events topic
 * in chunks, starting the service with its stderr in a file (and optionally a file-size
 * limit), waiting until its group has committed the whole input, and comparing what the
 * service wrote (read_committed) with the reference: per contact, decisions in order,
 * action commands and contact updates as sorted lists, and every action id exactly once.
 * Test code: asserts with Criterion, bounded waits only, prints what it does. */
#ifndef FAULT_COMMON_H
#define FAULT_COMMON_H

#include <stddef.h>
#include <sys/types.h>

#include "child.h"
#include "service_fixture.h"
#include "support_clock.h"
#include "text_file.h"
#include "transcript.h"

/* Contacts of the standard workload: enough that a kill lands mid-run. */
#define FAULT_CONTACTS 3000
#define FAULT_ID_BYTES 40

enum { FAULT_DECISIONS, FAULT_ACTIONS, FAULT_UPDATES, FAULT_KINDS };

/* Outputs of one run, per contact. Contacts are "c0000".."c2999": contact i lives in
 * shard i / TRANSCRIPT_CONTACTS_MAX of each kind (a transcripts_t holds 64 contacts). */
typedef struct fault_outputs {
    transcripts_t *shards[FAULT_KINDS]; /* owned, shard_count each */
    size_t shard_count;
    int contacts; /* as initialised */
    long counts[FAULT_KINDS];
    long foreign;                       /* records of contacts outside the workload */
    char (*action_ids)[FAULT_ID_BYTES]; /* owned */
    size_t ids_count, ids_cap;
} fault_outputs_t;

void fault_outputs_init(fault_outputs_t *o, int contacts);
void fault_outputs_free(fault_outputs_t *o);
/* One output record rendered as JSON (simulate's line, or codec_to_json of a record). */
void fault_outputs_add_json(fault_outputs_t *o, const char *json);

/* The event file: lines kept in memory too, for producing them in chunks. */
typedef struct fault_workload {
    char path[256];
    char **lines; /* owned; event lines only, in file order */
    size_t count;
    int contacts;
} fault_workload_t;

/* Write dir/events.jsonl for `contacts` contacts: entries, engagement with the promo email
 * by contact index % 5 (opened / delivered only / bounced / blocked / silent), then one
 * custom.app_open per contact 10 days later so every timer fires. Asserts. */
void fault_workload_write(fault_workload_t *w, const char *dir, int contacts);
void fault_workload_free(fault_workload_t *w);

/* `switchyard simulate` over the workload with the repository's examples/journeys (the
 * journeys service_prepare gives the service): the reference. Asserts. */
void fault_simulate(const fault_workload_t *w, fault_outputs_t *want);

/* As fault_simulate, with the journeys of journeys_dir and further simulate options
 * `options` (NULL for none: "--until input --config FILE"). Asserts. */
void fault_simulate_journeys(const fault_workload_t *w, const char *journeys_dir,
                             const char *options, fault_outputs_t *want);

/* Produce lines [from, to) of the workload to svc's events topic, keyed by contact, in
 * order; flushes. Asserts. */
void fault_produce_lines(const service_t *svc, const fault_workload_t *w, size_t from,
                         size_t to);

/* The seed of a run's random kill times: SWITCHYARD_FAULT_SEED when set (to repeat a
 * run), else the wall clock. */
unsigned fault_seed_from_env(void);

/* Set `key = value` in svc's config (replacing the line of that key, or appending). */
void fault_config_set(const service_t *svc, const char *key, const char *value);

/* A short consumer-group session (6 s, the broker's minimum), so that an instance started
 * after a kill -9 gets its partitions within seconds instead of the default 45 s. */
void fault_config_fast_rejoin(const service_t *svc);

/* Start `switchyard run` for svc with stdout and stderr appended to log_path. With
 * fsize_limit > 0 the child runs with RLIMIT_FSIZE = fsize_limit bytes and SIGXFSZ
 * ignored, so a write past it fails with EFBIG. Sets svc->pid; asserts it started. */
void fault_start(service_t *svc, const char *log_path, long long fsize_limit);

/* fault_start without a size limit, then wait (60 s at most) until the service has its
 * partitions and their state back ("state restored; processing" in log_path). Returns the
 * milliseconds waited; `what` names the start in the messages. Asserts. */
long fault_start_and_wait_assigned(service_t *svc, const char *log_path, const char *what);

/* Restart the test broker (tests/broker/kafka_fixture.sh restart-broker, same ports and
 * data) under svc's running service, which must ride it out: asserts it is still running
 * afterwards (its log at log_path printed if not). Needs SWITCHYARD_TEST_BROKER_DIR, set
 * by tests/broker/with_kafka.sh when it owns the broker; asserts it is set. */
void fault_broker_restart(service_t *svc, const char *log_path);

/* SIGKILL svc's service min_ms + rand_r(seed) % (span_ms + 1) after assigned_at (a
 * monotonic ms), asserting it is still running then (start k, log named if not); returns
 * that delay. svc->pid is 0 afterwards. */
long fault_kill_later(service_t *svc, long long assigned_at, long min_ms, long span_ms,
                      unsigned *seed, int k, const char *log);

/* As fault_broker_restart, the broker staying down down_s seconds before it starts. */
void fault_broker_restart_down(service_t *svc, const char *log_path, int down_s);

/* Wait until log_path holds needle; returns the milliseconds waited, or -1 after
 * timeout_ms or when svc's process exits first (its status then in *exit_status, which
 * may be NULL; svc->pid is cleared). */
long fault_wait_log(service_t *svc, const char *log_path, const char *needle, int timeout_ms,
                    int *exit_status);

/* 1 while svc's process runs; 0 once it has exited (status in *exit_status, svc->pid
 * cleared). */
int fault_alive(service_t *svc, int *exit_status);

/* Partitions of the events topic the group functions below look at: SERVICE_PARTITIONS
 * unless a test made its topics with another count. */
extern int fault_partitions;

/* Wait until svc's group has committed, on every partition of its events topic, the end
 * offset. Returns 1 when caught up, 0 after timeout_ms, -1 when the service exited (status
 * in *exit_status, may be NULL). Prints progress every 10 s. */
int fault_wait_caught_up(service_t *svc, int timeout_ms, int *exit_status);

/* The group's committed offsets and the end offsets of svc's events topic, summed over
 * its partitions (-1 each when the broker did not answer). */
void fault_group_committed(const service_t *svc, long *committed, long *end);

/* Read svc's decisions, actions of every channel and contact updates with read_committed
 * to their ends, into got. Asserts the topics could be read. */
void fault_read_outputs(const service_t *svc, fault_outputs_t *got);

/* Compare got with want; prints the counts and the first differences. Returns the number
 * of problems: contacts whose outputs differ plus action ids missing, duplicated or
 * unexpected (0 when the run gave exactly the reference). */
long fault_compare(const fault_outputs_t *want, const fault_outputs_t *got);

/* The end of a fault run: wait (timeout_ms at most) until svc's group has committed the
 * whole input, stop the service with SIGTERM (exit 0 expected), read its outputs with
 * read_committed and compare them with want. after names the fault in the messages
 * ("after a broker restart"); log is the service's current log, shown when it did not
 * catch up. Asserts. */
void fault_finish(service_t *svc, const char *log, int timeout_ms,
                  const fault_outputs_t *want, const char *after);

/* Print the last lines of a log file that mention errors or warnings (at most max). */
void fault_print_log_problems(const char *log_path, int max);

/* 1 when the file at path contains needle. */
int fault_file_contains(const char *path, const char *needle);

#endif
