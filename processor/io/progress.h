/* progress.h — the one-line progress report of long commands (`record`, `replay`): records
 * so far, their rate and, when the amount of work is known, how much is done and an ETA.
 * Redrawn in place at most PROGRESS_REDRAW_MS apart, and only when the stream is a terminal:
 * piped or redirected output stays clean. Not a logger (log.h). */
#ifndef SY_PROGRESS_H
#define SY_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A person reads a line redrawn four times a second; more often only costs time. */
#define PROGRESS_REDRAW_MS 250

typedef struct progress {
    FILE *out;          /* borrowed */
    const char *label;  /* borrowed: "replay", "record" */
    bool enabled;       /* out is a terminal */
    int64_t started_ms; /* monotonic */
    int64_t drawn_ms;   /* last redraw, monotonic */
} progress_t;

/* Start measuring; draws nothing unless out is a terminal. label is borrowed. */
void progress_init(progress_t *progress, FILE *out, const char *label);

/* Records done so far; done_fraction in [0, 1] when the total is known (it gives the
 * percentage and the ETA), negative when it is not. Redraws at most every
 * PROGRESS_REDRAW_MS. */
void progress_update(progress_t *progress, uint64_t records, double done_fraction);

/* The final line (also when out is not a terminal): records, seconds, mean rate. */
void progress_finish(progress_t *progress, uint64_t records);

#endif
