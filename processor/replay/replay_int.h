/* replay_int.h — what replay.c, replay_what_if.c and replay_parallel.c share: the input
 * (recording files in turn, or a topic range), the loop that feeds its records to one or
 * more drivers, and the workers that run the partitions in parallel. */
#ifndef SY_REPLAY_INT_H
#define SY_REPLAY_INT_H

#include "journey_map.h"
#include "output_json.h"
#include "recording.h"
#include "replay.h"

typedef struct replay_input replay_input_t;

/* Open conf's input: every recording is checked to exist first (SY_ERR_IO names a
 * missing one), then the first is opened; or the topic reader. *out set only on success.
 * Errors: SY_ERR_IO, SY_ERR_MALFORMED, the topic reader's, SY_ERR_NOMEM. */
sy_err_t replay_input_open(replay_input_t **out, const replay_conf_t *conf, char *errbuf,
                           size_t errbuf_size);

/* Wait for the check of the first recording's blocks, which its open started on a thread
 * of its own (recording_reader_checked): SY_OK for a topic. A later recording is checked
 * when the replay reaches it. */
sy_err_t replay_input_checked(replay_input_t *input, char *errbuf, size_t errbuf_size);

/* The partition count of the topic read (the profiles topic's, read first, is the same:
 * the service refuses topics that are not co-partitioned); 0 for recordings. */
int32_t replay_input_topic_partitions(const replay_input_t *input);

/* The next record into *rec (its pointers borrowed until the next call), going on to the
 * next recording at the end of one. SY_ERR_NOT_FOUND at the end of the input; else the
 * readers' errors. */
sy_err_t replay_input_next(replay_input_t *input, recording_record_t *rec, char *errbuf,
                           size_t errbuf_size);

/* How much of the input is read, 0..1; negative when unknown. */
double replay_input_done(const replay_input_t *input);

/* replay_input_close(NULL) is a no-op. */
void replay_input_close(replay_input_t *input);

/* Where dead letters go: the record is borrowed for the call. */
typedef sy_err_t replay_dead_letter_fn(void *ctx, const sy_dead_letter_t *dead_letter,
                                       char *errbuf, size_t errbuf_size);

/* One record (borrowed) to each of sims; a fault of sims[0] makes the dead letter (counted
 * in stats->dead_letters, then handed to dead_letter unless NULL). Errors: the drivers',
 * dead_letter's. */
sy_err_t replay_drive_record(const recording_record_t *rec, simulate_t *const *sims,
                             size_t sims_count, replay_dead_letter_fn *dead_letter,
                             void *ctx, replay_stats_t *stats, char *errbuf,
                             size_t errbuf_size);

/* Feed every record of input, in order, to each of sims (borrowed), then finish them
 * (simulate_finish). A record that is the input's fault for sims[0] goes to dead_letter
 * (may be NULL: only counted), with the reason sims[0] gave. Counts go to *stats (its run
 * field from sims[0]). Progress on progress (NULL: none). Errors: the input's, the
 * drivers', dead_letter's. */
sy_err_t replay_drive(replay_input_t *input, simulate_t *const *sims, size_t sims_count,
                      replay_dead_letter_fn *dead_letter, void *ctx, FILE *progress,
                      replay_stats_t *stats, char *errbuf, size_t errbuf_size);

/* ---- the parallel replay (replay_parallel.c) ---- */

typedef struct replay_parallel replay_parallel_t;

/* Open threads (2..REPLAY_THREADS_MAX) workers, each a driver of conf (borrowed for the
 * call; its sink, report and state_dir are not used: the state is in memory, the outputs
 * go to the worker's memory) over the partitions p with p % threads == its index.
 * report: where the workers' campaign metrics are added after the run (borrowed, outlives
 * par), or NULL. *out set only on success. Errors: simulate_open's, SY_ERR_NOMEM. */
sy_err_t replay_parallel_open(replay_parallel_t **out, const simulate_conf_t *conf,
                              int threads, campaign_report_t *report, char *errbuf,
                              size_t errbuf_size);

/* Read input on this thread, hand each record to its partition's worker in blocks, and
 * write the workers' outputs to json (borrowed; NULL: outputs and dead letters dropped,
 * a report-only run) in the order one driver writes them, the timers fired after the
 * input included (simulate_finish's due order across partitions). Counts to *stats,
 * summed over the workers. The first error in input order stops every worker, with the
 * message and the outputs before it that one driver gives. Errors as replay_drive. */
sy_err_t replay_parallel_drive(replay_parallel_t *par, replay_input_t *input,
                               output_json_t *json, FILE *progress, replay_stats_t *stats,
                               char *errbuf, size_t errbuf_size);

/* The journeys the workers run (the first worker's): borrowed until the close. */
const journey_set_t *replay_parallel_journeys(const replay_parallel_t *par);

/* Stop the workers and free them. replay_parallel_close(NULL) is a no-op. */
void replay_parallel_close(replay_parallel_t *par);

/* The versions --what-if compares: the base (DIR) and the what-if (DIR2). */
enum { REPLAY_WHAT_IF_BASE, REPLAY_WHAT_IF_DRAFT, REPLAY_WHAT_IF_VERSIONS };

/* The counts of a what-if run, per version and journey, for its maps
 * (replay_what_if_map.c). Zero-initialised: empty. */
typedef struct replay_what_if_map {
    journey_map_counts_set_t versions[REPLAY_WHAT_IF_VERSIONS];
} replay_what_if_map_t;

/* Add count moves of version into node (path NULL) or along path from node. Strings are
 * copied. Errors: SY_ERR_NOMEM. */
sy_err_t replay_what_if_map_count(replay_what_if_map_t *m, int version, const char *journey,
                                  const char *node, const char *path, uint64_t count);

/* Write DIR/ID.html for every journey id of base or what_if (the highest version of each):
 * both versions' maps side by side with their counts. dir is made when missing. Errors:
 * SY_ERR_IO (errbuf names the file), journey_map_render_svg's. */
sy_err_t replay_what_if_map_write(const replay_what_if_map_t *m, const char *dir,
                                  const journey_set_t *base, const journey_set_t *what_if,
                                  char *errbuf, size_t errbuf_size);

/* Free what m holds; m is empty again. */
void replay_what_if_map_deinit(replay_what_if_map_t *m);

#endif
