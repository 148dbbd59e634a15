/* bench_wide.h — bench_engine's wide profiles: a journeys directory that is the example
 * journeys plus one journey reading many declared attributes, and profile updates padded
 * to a number of attributes. Bench support only; it measures nothing itself. */
#ifndef BENCH_WIDE_H
#define BENCH_WIDE_H

#include <stddef.h>

#include "records.h"

/* Names of padding attributes: "a0000", "a0001", ... (SY_PROFILE_ATTRS_MAX of them). */
#define BENCH_WIDE_NAME_BYTES 8

/* Make a temporary directory holding links to every .yaml file of src_dir and
 * wide_read.yaml, a journey entered on custom.wide_read whose condition reads the first
 * reads padding attributes (declared as numbers, default 0). Writes its path into dir
 * (dir_size bytes). Returns 1, or 0 with errbuf set. */
int bench_wide_dir_make(const char *src_dir, size_t reads, char *dir, size_t dir_size,
                        char *errbuf, size_t errbuf_size);

/* Remove what bench_wide_dir_make made. */
void bench_wide_dir_remove(const char *dir);

/* Pad update (whose set holds the contact's own attributes) with padding attributes
 * until it sets attrs of them in all, each a long. The names are static. */
void bench_wide_pad(sy_profile_update_t *update, size_t attrs);

#endif
