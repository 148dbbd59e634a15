/* tmpdir.c — making and removing the tests' temporary directories (tmpdir.h). */
#include "tmpdir.h"

#include <criterion/criterion.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

/* Open directory handles nftw may hold while it walks. */
#define TMPDIR_WALK_FDS 16

void tmpdir_make(char *dir, size_t size, const char *name) {
    int n = snprintf(dir, size, "/tmp/switchyard-%s-XXXXXX", name);
    cr_assert(n > 0 && (size_t)n < size, "tmpdir_make: no room for the name %s", name);
    cr_assert_not_null(mkdtemp(dir), "mkdtemp %s failed", dir);
}

static int tmpdir_remove_entry(const char *path, const struct stat *st, int flag,
                               struct FTW *ftw) {
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int tmpdir_remove(const char *path) {
    return nftw(path, tmpdir_remove_entry, TMPDIR_WALK_FDS, FTW_DEPTH | FTW_PHYS);
}
