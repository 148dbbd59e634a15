/* scaling_timeline.c — the partition ownership timeline of a scaling test, from the runs'
 * log lines (scaling_timeline.h). Not the test's schedule (test_scaling.c). */
#include "scaling_timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int timeline_run_add(timeline_t *t, const char *log) {
    if (t->run_count >= TIMELINE_RUNS_MAX)
        return -1;
    timeline_run_t *run = &t->runs[t->run_count];
    snprintf(run->log, sizeof run->log, "%s", log);
    run->ended_ms = 0;
    return t->run_count++;
}

/* The wall ms of a log line's timestamp (2026-12-05T01:09:06.870Z ...); -1 if none. */
static long long line_ms(const char *line) {
    struct tm tm;
    int ms = 0;
    memset(&tm, 0, sizeof tm);
    if (sscanf(line, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (long long)timegm(&tm) * 1000 + ms;
}

static void interval_add(timeline_t *t, int p, int run, long long from, long long to) {
    if (p < 0 || p >= TIMELINE_PARTITIONS || t->interval_count[p] >= TIMELINE_INTERVALS_MAX)
        return;
    t->intervals[p][t->interval_count[p]++] =
        (timeline_interval_t){.run = run, .from_ms = from, .to_ms = to};
}

/* A revoked/lost line: close the intervals of the partitions it lists. */
static void line_revoked(timeline_t *t, int run, const char *list, long long at,
                         long long open[]) {
    const char *colon = strstr(list, "partition(s):");
    char *end;
    if (!colon)
        return;
    for (const char *s = colon + strlen("partition(s):");; s = end) {
        long p = strtol(s, &end, 10);
        if (end == s || p < 0 || p >= TIMELINE_PARTITIONS)
            return;
        if (open[p] >= 0)
            interval_add(t, (int)p, run, open[p], at);
        open[p] = -1;
    }
}

static void run_read(timeline_t *t, int run) {
    long long open[TIMELINE_PARTITIONS], last = 0;
    char line[4096];
    for (int p = 0; p < TIMELINE_PARTITIONS; p++)
        open[p] = -1;
    FILE *f = fopen(t->runs[run].log, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        long long at = line_ms(line);
        const char *s;
        int p;
        if (at < 0)
            continue;
        last = at;
        if ((s = strstr(line, "restored partition ")) && sscanf(s, "restored partition %d:",
                                                                 &p) == 1 &&
            p >= 0 && p < TIMELINE_PARTITIONS)
            open[p] = at;
        else if ((s = strstr(line, "info: revoked ")) || (s = strstr(line, "info: lost ")))
            line_revoked(t, run, s, at, open);
    }
    fclose(f);
    long long ended = t->runs[run].ended_ms;
    for (int p = 0; p < TIMELINE_PARTITIONS; p++)
        if (open[p] >= 0)
            interval_add(t, p, run, open[p], ended ? (ended > last ? ended : last) : 0);
}

void timeline_read(timeline_t *t) {
    memset(t->interval_count, 0, sizeof t->interval_count);
    for (int run = 0; run < t->run_count; run++)
        run_read(t, run);
}

int timeline_owned(const timeline_t *t, int run) {
    int owned = 0;
    for (int p = 0; p < TIMELINE_PARTITIONS; p++)
        for (int i = 0; i < t->interval_count[p]; i++)
            owned += t->intervals[p][i].run == run && t->intervals[p][i].to_ms == 0;
    return owned;
}

int timeline_settled(const timeline_t *t) {
    int total = 0, least = TIMELINE_PARTITIONS, most = 0;
    for (int run = 0; run < t->run_count; run++) {
        if (t->runs[run].ended_ms)
            continue;
        int owned = timeline_owned(t, run);
        total += owned;
        least = owned < least ? owned : least;
        most = owned > most ? owned : most;
    }
    /* Balanced, as the sticky assignor ends: a cooperative rebalance passes through
     * states where every partition has an owner but some have more than their share. */
    return total == TIMELINE_PARTITIONS && least > 0 && most - least <= 1;
}

static int by_start(const void *a, const void *b) {
    const timeline_interval_t *x = a, *y = b;
    return x->from_ms < y->from_ms ? -1 : x->from_ms > y->from_ms;
}

int timeline_gaps(const timeline_t *t, long long since_ms, timeline_gap_t *gaps, int max) {
    int n = 0;
    for (int p = 0; p < TIMELINE_PARTITIONS; p++) {
        timeline_interval_t sorted[TIMELINE_INTERVALS_MAX];
        int count = t->interval_count[p];
        memcpy(sorted, t->intervals[p], sizeof sorted[0] * (size_t)count);
        qsort(sorted, (size_t)count, sizeof sorted[0], by_start);
        long long covered = count ? sorted[0].to_ms : 0; /* 0: open, covers all after */
        for (int i = 1; i < count && covered; i++) {
            if (sorted[i].from_ms > covered && covered >= since_ms && n < max)
                gaps[n++] = (timeline_gap_t){.partition = p, .from_ms = covered,
                                             .ms = sorted[i].from_ms - covered};
            if (sorted[i].to_ms == 0 || sorted[i].to_ms > covered)
                covered = sorted[i].to_ms;
        }
    }
    return n;
}

long timeline_restored(const timeline_t *t, long long since_ms) {
    char line[4096];
    long total = 0;
    for (int run = 0; run < t->run_count; run++) {
        FILE *f = fopen(t->runs[run].log, "r");
        while (f && fgets(line, sizeof line, f)) {
            const char *s = strstr(line, "restored partition ");
            int p;
            long records;
            if (s && line_ms(line) >= since_ms &&
                sscanf(s, "restored partition %d: %ld", &p, &records) == 2)
                total += records;
        }
        if (f)
            fclose(f);
    }
    return total;
}

long long timeline_first_line(const char *log, const char *needle, long long since_ms) {
    char line[4096];
    long long found = -1;
    FILE *f = fopen(log, "r");
    while (f && found < 0 && fgets(line, sizeof line, f)) {
        long long at = line_ms(line);
        if (at >= since_ms && strstr(line, needle))
            found = at;
    }
    if (f)
        fclose(f);
    return found;
}
