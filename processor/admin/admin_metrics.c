/* admin_metrics.c — the body of /metrics: every catalog family from the published tables
 * (series sorted by labels, so scrapes read alike), the histograms, and what the
 * server measures itself when scraped: the process's resident memory and the bytes of the
 * state directory. Not the format's spelling (admin_expo.c). */
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin_int.h"

static int series_cmp(const void *a, const void *b) {
    const admin_series_t *x = *(const admin_series_t *const *)a;
    const admin_series_t *y = *(const admin_series_t *const *)b;
    size_t n = x->labels_len < y->labels_len ? x->labels_len : y->labels_len;
    int c = memcmp(x->labels, y->labels, n);
    assert(x && y);
    return c ? c : (x->labels_len > y->labels_len) - (x->labels_len < y->labels_len);
}

/* The present series of family in t, sorted, into *out (owned by the caller). */
static size_t family_series(const admin_table_t *t, uint16_t family,
                            const admin_series_t ***out) {
    size_t n = 0;
    assert(out);
    *out = t->count ? malloc(t->count * sizeof **out) : NULL;
    if (!*out)
        return 0;
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].hash && t->slots[i].present && t->slots[i].family == family)
            (*out)[n++] = &t->slots[i];
    qsort(*out, n, sizeof **out, series_cmp);
    return n;
}

static void family_render(admin_t *a, admin_buf_t *b, admin_family_t f) {
    const admin_family_def_t *d = &admin_families[f];
    const admin_table_t *t = d->type == ADMIN_GAUGE || d->set ? &a->gauges : &a->counters;
    const admin_series_t **series;
    assert(d->name && d->labels_count <= ADMIN_LABELS_MAX);
    admin_expo_family(b, d->name, d->type, d->help);
    size_t n = family_series(t, (uint16_t)f, &series);
    if (n == 0 && d->labels_count == 0)
        admin_expo_sample(b, d->name, "", NULL, NULL, 0, 0); /* a plain total starts at 0 */
    for (size_t i = 0; i < n; i++) {
        const char *values[ADMIN_LABELS_MAX];
        for (size_t k = 0; k < d->labels_count; k++)
            values[k] = admin_series_label(series[i], k);
        admin_expo_sample(b, d->name, "", d->labels, values, d->labels_count,
                          series[i]->value);
    }
    free(series);
}

/* The samples of histogram h of family name (its # lines written before): its buckets,
 * _sum and _count, each labelled label="value" first when label is not NULL. */
static void hist_samples(admin_buf_t *b, const char *name, const char *label,
                         const char *value, const admin_hist_t *h) {
    const char *names[] = {label, "le"};
    const char *values[] = {value, NULL};
    size_t first = label ? 0 : 1; /* unlabelled: from "le" on */
    char bound[32];
    uint64_t cumulative = 0;
    assert(h->bounds_count <= ADMIN_HIST_BUCKETS_MAX && (!label || value));
    for (size_t i = 0; i <= h->bounds_count; i++) {
        cumulative += h->counts[i];
        if (i < h->bounds_count)
            snprintf(bound, sizeof bound, "%g", h->bounds[i]);
        else
            snprintf(bound, sizeof bound, "+Inf");
        values[1] = bound;
        admin_expo_sample(b, name, "_bucket", names + first, values + first, 2 - first,
                          (double)cumulative);
    }
    admin_expo_sample(b, name, "_sum", names, values, 1 - first, h->sum);
    admin_expo_sample(b, name, "_count", names, values, 1 - first, (double)h->count);
}

static void hist_render(admin_buf_t *b, const char *name, const char *help,
                        const admin_hist_t *h) {
    assert(name && help);
    admin_expo_family(b, name, ADMIN_HISTOGRAM, help);
    hist_samples(b, name, NULL, NULL, h);
}

/* One family, one histogram per phase under the label phase: the phases of a commit are
 * parts of one measure, summed or compared by phase in a query. */
static void phases_render(admin_t *a, admin_buf_t *b) {
    static const char name[] = "switchyard_commit_phase_seconds";
    assert(a);
    admin_expo_family(b, name, ADMIN_HISTOGRAM,
                      "Time a committed batch's commit spent in each phase, retries included: "
                      "acknowledge, waiting for the broker to acknowledge its records; "
                      "transaction, the transaction calls (send offsets, commit).");
    for (int p = 0; p < ADMIN_PHASES; p++)
        hist_samples(b, name, "phase", admin_commit_phase_names[p],
                     &a->commit_phase_seconds[p]);
}

void admin_hist_observe(admin_hist_t *h, double value) {
    size_t i = 0;
    assert(h && h->bounds_count <= ADMIN_HIST_BUCKETS_MAX);
    while (i < h->bounds_count && value > h->bounds[i])
        i++;
    h->counts[i]++;
    h->sum += value;
    h->count++;
}

/* Resident set size from /proc/self/statm (pages); -1 when it cannot be read. */
static double rss_bytes(void) {
    long pages_total = 0, pages_resident = -1;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return -1;
    int n = fscanf(f, "%ld %ld", &pages_total, &pages_resident);
    fclose(f);
    assert(pages_total >= 0);
    return n == 2 ? (double)pages_resident * (double)sysconf(_SC_PAGESIZE) : -1;
}

/* Bytes of the regular files in dir (RocksDB keeps its files in one directory). */
static double dir_bytes(const char *dir) {
    double total = 0;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    assert(dir);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            total += (double)st.st_size;
    }
    closedir(d);
    return total;
}

static void process_render(admin_t *a, admin_buf_t *b) {
    double rss = rss_bytes(), disk = dir_bytes(a->state_dir);
    assert(a->state_dir);
    admin_expo_family(b, "switchyard_process_resident_memory_bytes", ADMIN_GAUGE,
                      "Resident set size of the process.");
    if (rss >= 0)
        admin_expo_sample(b, "switchyard_process_resident_memory_bytes", "", NULL, NULL, 0,
                          rss);
    admin_expo_family(b, "switchyard_state_disk_bytes", ADMIN_GAUGE,
                      "Bytes of the files in state.dir (RocksDB's SST files, logs, WAL).");
    if (disk >= 0)
        admin_expo_sample(b, "switchyard_state_disk_bytes", "", NULL, NULL, 0, disk);
}

void admin_metrics_render(admin_t *a, admin_buf_t *b) {
    assert(a && b);
    process_render(a, b); /* outside the lock: reads files */
    pthread_mutex_lock(&a->lock);
    admin_expo_family(b, "switchyard_ready", ADMIN_GAUGE,
                      "1 when every assigned partition is restored and consumed (/readyz).");
    admin_expo_sample(b, "switchyard_ready", "", NULL, NULL, 0, a->ready ? 1 : 0);
    for (int f = 0; f < ADMIN_FAMILY__COUNT; f++)
        family_render(a, b, (admin_family_t)f);
    hist_render(b, "switchyard_batch_records", "Input records per committed batch.",
                &a->batch_records);
    hist_render(b, "switchyard_commit_latency_seconds",
                "Time a committed batch took to become durable in Kafka, retries included.",
                &a->commit_seconds);
    phases_render(a, b);
    admin_expo_family(b, "switchyard_metrics_series_dropped_total", ADMIN_COUNTER,
                      "Series not kept because a table was full (the rest are exact).");
    admin_expo_sample(b, "switchyard_metrics_series_dropped_total", "", NULL, NULL, 0,
                      (double)(a->counters.dropped + a->gauges.dropped));
    pthread_mutex_unlock(&a->lock);
}
