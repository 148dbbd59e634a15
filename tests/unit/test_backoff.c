/* test_backoff.c — unit tests of base/sy_backoff.h (delays bounded, growing, jittered,
 * reset; a sleep that a stop flag cuts short) and of log.h's rate limit (a repeated line
 * goes out once per interval, and the next says how many were dropped). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sy_backoff.h"
#include "sy_clock.h"

Test(backoff, delays_grow_from_initial_to_max_and_stay_within_bounds) {
    sy_backoff_t b;
    sy_backoff_init(&b, 100, 5000, 42);
    int64_t step = 100;
    for (int i = 0; i < 40; i++) {
        int64_t d = sy_backoff_next_ms(&b);
        cr_assert(ge(i64, d, step / 2), "delay %d: %lld under half the step %lld", i,
                  (long long)d, (long long)step);
        cr_assert(le(i64, d, step), "delay %d: %lld over the step %lld", i, (long long)d,
                  (long long)step);
        step = step * 2 > 5000 ? 5000 : step * 2;
    }
    cr_assert(eq(u32, sy_backoff_attempts(&b), 40));
}

Test(backoff, reset_starts_again_from_initial) {
    sy_backoff_t b;
    sy_backoff_init(&b, 10, 1000, 7);
    for (int i = 0; i < 10; i++)
        sy_backoff_next_ms(&b);
    sy_backoff_reset(&b);
    cr_assert(eq(u32, sy_backoff_attempts(&b), 0));
    cr_assert(le(i64, sy_backoff_next_ms(&b), 10));
}

Test(backoff, jitter_spreads_delays_and_differs_by_seed) {
    sy_backoff_t a, b;
    int differ = 0;
    sy_backoff_init(&a, 1000, 1000, 1);
    sy_backoff_init(&b, 1000, 1000, 2);
    int64_t first = sy_backoff_next_ms(&a), distinct = 0;
    for (int i = 0; i < 50; i++) {
        int64_t da = sy_backoff_next_ms(&a), db = sy_backoff_next_ms(&b);
        differ += da != db;
        distinct += da != first;
    }
    cr_assert(gt(int, differ, 25), "two seeds gave the same delays %d times of 50",
              50 - differ);
    cr_assert(gt(i64, distinct, 25), "the delays barely vary");
}

Test(backoff, out_of_range_bounds_are_clamped) {
    sy_backoff_t b;
    sy_backoff_init(&b, 0, -5, 3);
    cr_assert(le(i64, sy_backoff_next_ms(&b), 1));
}

static atomic_int stop_flag;

static void *stop_later(void *arg) {
    (void)arg;
    usleep(150 * 1000);
    atomic_store(&stop_flag, 1);
    return NULL;
}

Test(backoff, sleep_wakes_within_the_check_interval_of_a_stop) {
    pthread_t t;
    atomic_store(&stop_flag, 0);
    cr_assert(eq(int, pthread_create(&t, NULL, stop_later, NULL), 0));
    int64_t start = sy_clock_mono_ms();
    bool slept = sy_backoff_sleep_ms(10000, &stop_flag);
    int64_t took = sy_clock_mono_ms() - start;
    pthread_join(t, NULL);
    cr_assert(not(slept), "the sleep did not report the stop");
    cr_assert(lt(i64, took, 150 + SY_BACKOFF_STOP_CHECK_MS + 200), "took %lld ms",
              (long long)took);
    cr_assert(not(sy_backoff_sleep_ms(1000, &stop_flag)), "a set flag must not sleep");
}

Test(backoff, sleep_without_a_flag_sleeps_the_whole_time) {
    int64_t start = sy_clock_mono_ms();
    cr_assert(sy_backoff_sleep_ms(120, NULL));
    cr_assert(ge(i64, sy_clock_mono_ms() - start, 120));
}

static char captured[8192];

/* Count the lines written to stderr while f runs; their text in captured. */
static int stderr_lines(void (*f)(void)) {
    char path[] = "/tmp/sy-test-log-XXXXXX", line[2048];
    int fd = mkstemp(path), saved = dup(2), lines = 0;
    cr_assert(fd >= 0 && saved >= 0);
    fflush(stderr);
    dup2(fd, 2);
    f();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    FILE *in = fdopen(fd, "r");
    rewind(in);
    captured[0] = '\0';
    while (fgets(line, sizeof line, in)) {
        lines++;
        strncat(captured, line, sizeof captured - strlen(captured) - 1);
    }
    fclose(in);
    unlink(path);
    return lines;
}

static void repeat_one_line(void) {
    log_limit_t limit = {.interval_ms = 200};
    for (int i = 0; i < 1000; i++)
        log_write_limited(&limit, LOG_WARN, "commit transaction: %s; retrying", "timed out");
    usleep(250 * 1000);
    log_write_limited(&limit, LOG_WARN, "commit transaction: %s; retrying", "timed out");
    log_write_limited(&limit, LOG_WARN, "another line");
}

Test(log_limit, a_repeated_line_goes_out_once_per_interval_with_the_count_dropped) {
    cr_assert(eq(int, stderr_lines(repeat_one_line), 3), "%s", captured);
    cr_assert_not_null(strstr(captured, "retrying (999 repeated line(s) suppressed over"),
                       "%s", captured);
    cr_assert_not_null(strstr(captured, "another line\n"), "%s", captured);
}
