/* replay_int.h — what replay.c and replay_what_if.c share: the input (recording files in
 * turn, or a topic range) and the loop that feeds its records to one or more drivers. */
#ifndef SY_REPLAY_INT_H
#define SY_REPLAY_INT_H

#include "recording.h"
#include "replay.h"

typedef struct replay_input replay_input_t;

/* Open conf's input: every recording is checked to exist first (SY_ERR_IO names a
 * missing one), then the first is opened; or the topic reader. *out set only on success.
 * Errors: SY_ERR_IO, SY_ERR_MALFORMED, the topic reader's, SY_ERR_NOMEM. */
sy_err_t replay_input_open(replay_input_t **out, const replay_conf_t *conf, char *errbuf,
                           size_t errbuf_size);

/* replay_input_close(NULL) is a no-op. */
void replay_input_close(replay_input_t *input);

/* Where dead letters go: the record is borrowed for the call. */
typedef sy_err_t replay_dead_letter_fn(void *ctx, const sy_dead_letter_t *dead_letter,
                                       char *errbuf, size_t errbuf_size);

/* Feed every record of input, in order, to each of sims (borrowed), then finish them
 * (simulate_finish). A record that is the input's fault for sims[0] goes to dead_letter
 * (may be NULL: only counted), with the reason sims[0] gave. Counts go to *stats (its run
 * field from sims[0]). Progress on progress (NULL: none). Errors: the input's, the
 * drivers', dead_letter's. */
sy_err_t replay_drive(replay_input_t *input, simulate_t *const *sims, size_t sims_count,
                      replay_dead_letter_fn *dead_letter, void *ctx, FILE *progress,
                      replay_stats_t *stats, char *errbuf, size_t errbuf_size);

#endif
