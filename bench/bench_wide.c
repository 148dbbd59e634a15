/* bench_wide.c — the journeys directory and padded profiles of bench_engine's
 * --attrs runs (bench_wide.h). The wide journey only reads: one condition over the
 * declared attributes, then exit; it sends nothing. */
#include "bench_wide.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sy_limits.h"

#define WIDE_FILE "wide_read.yaml"

static char wide_names[SY_PROFILE_ATTRS_MAX][BENCH_WIDE_NAME_BYTES];

static const char *wide_name(size_t i) {
    if (!wide_names[i][0])
        snprintf(wide_names[i], sizeof wide_names[i], "a%04zu", i);
    return wide_names[i];
}

/* The wide journey: reads attributes a0000.. in one condition. */
static int wide_journey_write(FILE *f, size_t reads) {
    fprintf(f, "id: wide_read\nversion: 1\nprofile:\n");
    for (size_t i = 0; i < reads; i++)
        fprintf(f, "  %s: {type: number, default: 0}\n", wide_name(i));
    fprintf(f, "entry:\n  event: custom.wide_read\nnodes:\n  - id: check\n"
               "    condition:\n      if: ");
    for (size_t i = 0; i < reads; i++)
        fprintf(f, "%scontact.%s >= 0", i ? " and " : "", wide_name(i));
    fprintf(f, "%s\n      then: done\n      else: done\n  - id: done\n    exit: {}\n",
            reads ? "" : "true");
    return ferror(f) == 0;
}

/* Link every .yaml file of src_dir into dir. */
static int links_make(const char *src_dir, const char *dir) {
    char src[PATH_MAX];
    DIR *d = realpath(src_dir, src) ? opendir(src) : NULL;
    struct dirent *ent;
    int ok = d != NULL;
    while (ok && (ent = readdir(d)) != NULL) {
        size_t n = strlen(ent->d_name);
        if (n < 5 || strcmp(ent->d_name + n - 5, ".yaml") != 0)
            continue;
        char from[2 * PATH_MAX], to[4096];
        snprintf(from, sizeof from, "%s/%s", src, ent->d_name);
        snprintf(to, sizeof to, "%s/%s", dir, ent->d_name);
        ok = symlink(from, to) == 0;
    }
    if (d)
        closedir(d);
    return ok;
}

int bench_wide_dir_make(const char *src_dir, size_t reads, char *dir, size_t dir_size,
                        char *errbuf, size_t errbuf_size) {
    char path[4096];
    snprintf(dir, dir_size, "/tmp/bench_wide.XXXXXX");
    if (reads > SY_PROFILE_ATTRS_MAX || !mkdtemp(dir)) {
        snprintf(errbuf, errbuf_size, "cannot make a journeys directory for %zu reads", reads);
        return 0;
    }
    snprintf(path, sizeof path, "%s/%s", dir, WIDE_FILE);
    FILE *f = fopen(path, "w");
    int ok = f && wide_journey_write(f, reads);
    if (f)
        ok = fclose(f) == 0 && ok;
    if (!ok || !links_make(src_dir, dir)) {
        snprintf(errbuf, errbuf_size, "cannot write the journeys of %s", dir);
        bench_wide_dir_remove(dir);
        return 0;
    }
    return 1;
}

void bench_wide_dir_remove(const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *ent;
    while (d && (ent = readdir(d)) != NULL) {
        char path[4096];
        if (ent->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

void bench_wide_pad(sy_profile_update_t *update, size_t attrs) {
    for (size_t i = 0; update->set_count < attrs && i < SY_PROFILE_ATTRS_MAX; i++)
        update->set[update->set_count++] =
            (sy_attr_t){.name = wide_name(i),
                        .value = {.kind = SY_VALUE_LONG, .u.l = (int64_t)i}};
}
