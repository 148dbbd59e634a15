/* scaling_timeline.h — who processed which partition when, read back from the logs of the
 * runs of a scaling test: a partition is processed by a run from its "restored partition
 * P" line until its "revoked/lost N partition(s): P ..." line, or until the run was
 * killed (the test notes when). From these intervals: whether every partition has an
 * owner among the runs still alive, and the gaps during which a partition had none.
 * Test code: no assertions, bounded work. */
#ifndef SCALING_TIMELINE_H
#define SCALING_TIMELINE_H

#include <stddef.h>

#define TIMELINE_PARTITIONS 12
#define TIMELINE_RUNS_MAX 16
#define TIMELINE_INTERVALS_MAX 256
#define TIMELINE_GAPS_MAX 256

/* One run of one instance: its own log file. */
typedef struct timeline_run {
    char log[256];
    long long ended_ms; /* wall ms it was killed or stopped; 0 while it runs */
} timeline_run_t;

typedef struct timeline_interval {
    int run;
    long long from_ms, to_ms; /* to_ms 0: still processing */
} timeline_interval_t;

typedef struct timeline_gap {
    int partition;
    long long from_ms, ms; /* the partition had no owner from from_ms, for ms */
} timeline_gap_t;

typedef struct timeline {
    timeline_run_t runs[TIMELINE_RUNS_MAX];
    int run_count;
    timeline_interval_t intervals[TIMELINE_PARTITIONS][TIMELINE_INTERVALS_MAX];
    int interval_count[TIMELINE_PARTITIONS];
} timeline_t;

/* Add a run logging to log; returns its index. */
int timeline_run_add(timeline_t *t, const char *log);

/* Read every run's log again into the intervals. */
void timeline_read(timeline_t *t);

/* 1 when every partition has an owner among the runs alive and they share them evenly
 * (at most one apart): the group has settled. */
int timeline_settled(const timeline_t *t);

/* Partitions run processes now (its interval open). */
int timeline_owned(const timeline_t *t, int run);

/* Changelog records restored (the "restored partition P: N changelog records" lines) by
 * lines stamped at or after since_ms, over every run. */
long timeline_restored(const timeline_t *t, long long since_ms);

/* The wall ms of the first line of log at or after since_ms that contains needle; -1
 * when there is none. */
long long timeline_first_line(const char *log, const char *needle, long long since_ms);

/* The gaps (after each partition's first owner) when a partition had no owner, those
 * starting at or after since_ms, into gaps (at most max); returns how many. */
int timeline_gaps(const timeline_t *t, long long since_ms, timeline_gap_t *gaps, int max);

#endif
