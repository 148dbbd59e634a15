/* tmpdir.h — temporary directories of the tests: one made under /tmp with a name that says
 * which test made it, and removed again with everything in it. Test code only; not a
 * general file-system library (no symlink following, no retries). */
#ifndef TMPDIR_H
#define TMPDIR_H

#include <stddef.h>

/* Makes /tmp/switchyard-<name>-XXXXXX (mkdtemp) and writes its path into dir (size bytes).
 * Asserts (Criterion) that it was made. */
void tmpdir_make(char *dir, size_t size, const char *name);

/* Removes path and everything below it, depth first, without following symbolic links.
 * Returns 0, or -1 when an entry could not be removed (errno from that entry). A path that
 * does not exist is an error too. */
int tmpdir_remove(const char *path);

#endif
