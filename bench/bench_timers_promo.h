/* bench_timers_promo.h — bench_timers' --promo mode: the timer index under the service's
 * pattern, N contacts in event time. Not a test. */
#ifndef BENCH_TIMERS_PROMO_H
#define BENCH_TIMERS_PROMO_H

/* Run one row per contact count of the comma-separated list (on disk, in a temporary
 * directory) and print a Markdown table. Returns the process exit status. */
int bench_timers_promo(const char *counts);

#endif
