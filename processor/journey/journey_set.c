/* journey_set.c — every journey file of one directory, loaded all or nothing, in file
 * name order so that every instance sees the same set in the same order. Not recursive,
 * and not a watcher: reloading on change is the caller's business. */
#include "journey.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool set_name_wanted(const char *name) {
    static const char *const suffixes[] = {".yaml", ".yml", ".json"};
    size_t len = strlen(name);
    if (name[0] == '.')
        return false;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t n = strlen(suffixes[i]);
        if (len > n && strcmp(name + len - n, suffixes[i]) == 0)
            return true;
    }
    return false;
}

static int set_name_cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_names_free(char **names, size_t count) {
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

/* The journey file names of dir, sorted; JOURNEY_SET_MAX of them at most. */
static sy_err_t set_list(const char *dir, char ***out, size_t *count, char *errbuf,
                         size_t errbuf_size) {
    size_t n = 0;
    char **names = calloc(JOURNEY_SET_MAX + 1, sizeof *names);
    sy_err_t err = SY_ERR_NOMEM;
    DIR *d = opendir(dir);
    if (!d || !names) {
        err = d ? SY_ERR_NOMEM : SY_ERR_IO;
        snprintf(errbuf, errbuf_size, "%s: %s", dir, d ? "out of memory" : strerror(errno));
        goto fail;
    }
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        if (!set_name_wanted(e->d_name))
            continue;
        if (n == JOURNEY_SET_MAX) {
            err = SY_ERR_LIMIT;
            snprintf(errbuf, errbuf_size, "%s: more than %d journeys", dir, JOURNEY_SET_MAX);
            goto fail;
        }
        names[n] = strdup(e->d_name);
        if (!names[n]) {
            snprintf(errbuf, errbuf_size, "%s: out of memory", dir);
            goto fail;
        }
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, set_name_cmp);
    *out = names;
    *count = n;
    return SY_OK;
fail:
    if (d)
        closedir(d);
    set_names_free(names, n);
    return err;
}

/* Two files that give the same journey id and version would race in the engine. */
static sy_err_t set_check_unique(const journey_set_t *set, char *errbuf,
                                 size_t errbuf_size) {
    for (size_t i = 0; i < set->count; i++) {
        const journey_t *a = set->journeys[i];
        for (size_t k = 0; k < i; k++) {
            const journey_t *b = set->journeys[k];
            if (strcmp(a->id, b->id) != 0 || a->version != b->version)
                continue;
            snprintf(errbuf, errbuf_size, "%s: journey '%s' version %d is also in %s",
                     a->source, a->id, (int)a->version, b->source);
            return SY_ERR_JOURNEY;
        }
    }
    return SY_OK;
}

sy_err_t journey_set_load_dir(journey_set_t **out, const char *dir, char *errbuf,
                              size_t errbuf_size) {
    return journey_set_load_dir_opts(out, dir, NULL, errbuf, errbuf_size);
}

sy_err_t journey_set_load_dir_opts(journey_set_t **out, const char *dir,
                                   const journey_load_opts_t *opts, char *errbuf,
                                   size_t errbuf_size) {
    char **names = NULL;
    size_t names_count = 0;
    journey_set_t *set = NULL;
    sy_err_t err = set_list(dir, &names, &names_count, errbuf, errbuf_size);
    if (err)
        return err;
    if (names_count == 0) { /* a wrong path would otherwise run nothing, silently */
        set_names_free(names, names_count);
        snprintf(errbuf, errbuf_size, "%s: no journey files (*.yaml, *.yml, *.json)", dir);
        return SY_ERR_JOURNEY;
    }
    set = calloc(1, sizeof *set);
    if (set)
        set->journeys = calloc(names_count ? names_count : 1, sizeof *set->journeys);
    if (!set || !set->journeys) {
        err = SY_ERR_NOMEM;
        snprintf(errbuf, errbuf_size, "%s: out of memory", dir);
        goto fail;
    }
    for (size_t i = 0; i < names_count; i++) {
        char path[4096];
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= (int)sizeof path) {
            err = SY_ERR_LIMIT;
            snprintf(errbuf, errbuf_size, "%s/%s: path too long", dir, names[i]);
            goto fail;
        }
        err = journey_load_file_opts(&set->journeys[set->count], path, opts, errbuf,
                                     errbuf_size);
        if (err)
            goto fail;
        set->count++;
    }
    err = set_check_unique(set, errbuf, errbuf_size);
    if (err)
        goto fail;
    set_names_free(names, names_count);
    *out = set;
    return SY_OK;
fail:
    set_names_free(names, names_count);
    journey_set_free(set);
    return err;
}

void journey_set_free(journey_set_t *set) {
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        journey_free(set->journeys[i]);
    free(set->journeys);
    free(set);
}
