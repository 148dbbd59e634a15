/* bench_args.h — whole, in-range decimal integers from a benchmark's command line.
 * Header-only like bench_clock.h: each benchmark is its own executable. Not an option
 * parser: benchmarks take positional arguments and print their usage on a bad one. */
#ifndef SY_BENCH_ARGS_H
#define SY_BENCH_ARGS_H

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

/* text as *out when it is a whole decimal integer in [lo, hi]; false otherwise, and *out
 * is left alone. */
static inline bool bench_arg_long(const char *text, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

#endif
