/* progress.c — the progress line of progress.h: monotonic clock, carriage-return redraws
 * on a terminal, one summary line at the end. */
#include "progress.h"

#include <inttypes.h>
#include <time.h>
#include <unistd.h>

#include "sy_clock.h"
void progress_init(progress_t *p, FILE *out, const char *label) {
    *p = (progress_t){.out = out, .label = label, .enabled = isatty(fileno(out)) == 1};
    p->started_ms = sy_clock_mono_ms();
    p->drawn_ms = p->started_ms;
}

void progress_update(progress_t *p, uint64_t records, double done_fraction) {
    if (!p->enabled)
        return;
    int64_t now = sy_clock_mono_ms();
    if (now - p->drawn_ms < PROGRESS_REDRAW_MS)
        return;
    p->drawn_ms = now;
    double seconds = (double)(now - p->started_ms) / 1000.0;
    double rate = seconds > 0 ? (double)records / seconds : 0;
    if (done_fraction > 0 && done_fraction <= 1) {
        double eta = seconds * (1 - done_fraction) / done_fraction;
        fprintf(p->out, "\r%s: %" PRIu64 " records, %.0f records/s, %3.0f%%, ETA %.0f s   ",
                p->label, records, rate, done_fraction * 100, eta);
    } else {
        fprintf(p->out, "\r%s: %" PRIu64 " records, %.0f records/s   ", p->label, records,
                rate);
    }
    fflush(p->out);
}

void progress_finish(progress_t *p, uint64_t records) {
    double seconds = (double)(sy_clock_mono_ms() - p->started_ms) / 1000.0;
    fprintf(p->out, "%s%s: %" PRIu64 " records in %.2f s (%.0f records/s)\n",
            p->enabled ? "\r" : "", p->label, records, seconds,
            seconds > 0 ? (double)records / seconds : 0.0);
}
