/* runner_journeys.c — the journey versions `switchyard run` keeps: the set it started
 * with, plus every version a reload of journeys.dir added since. A version, once
 * loaded, stays for the life of the process: contacts in flight keep it. Not the
 * migration of contacts between versions: see runner_migrate.c. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"
#include "sy_file.h"

#define FNV_OFFSET UINT64_C(1469598103934665603)
#define FNV_PRIME UINT64_C(1099511628211)

static uint64_t fnv(uint64_t h, const void *p, size_t len) {
    const uint8_t *b = p;
    assert(p || !len);
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * FNV_PRIME;
    return h;
}

/* A hash of the file's bytes; 0 when it cannot be read or is not a regular file (a FIFO
 * is never opened for reading in a way that could block). */
static uint64_t file_hash(const char *path) {
    char why[64];
    int fd;
    assert(path);
    if (sy_file_open_regular(path, &fd, why, sizeof why) != SY_OK)
        return 0;
    uint8_t chunk[8192];
    uint64_t h = FNV_OFFSET;
    size_t total = 0;
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0 && total < SY_JOURNEY_FILE_BYTES_MAX) {
        h = fnv(h, chunk, (size_t)n);
        total += (size_t)n;
    }
    close(fd);
    return h ? h : 1;
}

/* The names, sizes and modification times of dir's entries, as one number: the sum of
 * one hash per entry, so the order readdir gives does not matter. */
static uint64_t dir_signature(const char *dir) {
    assert(dir);
    DIR *d = opendir(dir);
    if (!d)
        return 1;
    uint64_t sum = 0, count = 0;
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
            fstatat(dirfd(d), e->d_name, &st, 0) != 0)
            continue;
        int64_t stamp[3] = {(int64_t)st.st_mtim.tv_sec, (int64_t)st.st_mtim.tv_nsec,
                            (int64_t)st.st_size};
        uint64_t h = fnv(FNV_OFFSET, e->d_name, strlen(e->d_name));
        sum += fnv(h, stamp, sizeof stamp);
        count++;
    }
    closedir(d);
    return fnv(sum, &count, sizeof count);
}

static int entry_cmp(const void *a, const void *b) {
    const journey_t *x = ((const runner_journey_t *)a)->journey;
    const journey_t *y = ((const runner_journey_t *)b)->journey;
    assert(x && y);
    int c = strcmp(x->id, y->id);
    return c ? c : (x->version > y->version) - (x->version < y->version);
}

/* Sort by id and version (one order whatever the files are called) and point the set
 * at the entries. */
static void set_rebuild(runner_journeys_t *js) {
    assert(js->count <= RUNNER_JOURNEYS_MAX);
    qsort(js->entries, js->count, sizeof *js->entries, entry_cmp);
    for (size_t i = 0; i < js->count; i++)
        js->pointers[i] = js->entries[i].journey;
    js->set.count = js->count;
    js->set.journeys = js->pointers;
}

static runner_journey_t *entry_find(runner_journeys_t *js, const char *id, int32_t version) {
    assert(id && js->count <= RUNNER_JOURNEYS_MAX);
    for (size_t i = 0; i < js->count; i++) {
        journey_t *j = js->entries[i].journey;
        if (j->version == version && strcmp(j->id, id) == 0)
            return &js->entries[i];
    }
    return NULL;
}

sy_err_t runner_journeys_init(runner_t *r, const journey_set_t *set, char *errbuf,
                              size_t errbuf_size) {
    assert(!r->journeys && set);
    runner_journeys_t *js = calloc(1, sizeof *js);
    if (!js)
        return SY_ERR_NOMEM;
    r->journeys = js;
    if (set->count > RUNNER_JOURNEYS_MAX) {
        snprintf(errbuf, errbuf_size, "more than %d journey versions", RUNNER_JOURNEYS_MAX);
        return SY_ERR_LIMIT;
    }
    for (size_t i = 0; i < set->count; i++) {
        js->entries[i] = (runner_journey_t){.journey = set->journeys[i],
                                            .content_hash = file_hash(set->journeys[i]->source)};
    }
    js->count = set->count;
    set_rebuild(js);
    js->dir_signature = dir_signature(r->config->journeys_dir);
    js->last_check_ms = sy_clock_mono_ms();
    return SY_OK;
}

void runner_journeys_deinit(runner_t *r) {
    if (!r->journeys)
        return;
    assert(r->journeys->count <= RUNNER_JOURNEYS_MAX);
    for (size_t i = 0; i < r->journeys->count; i++) {
        free(r->journeys->entries[i].scan_done);
        if (r->journeys->entries[i].owned)
            journey_free(r->journeys->entries[i].journey);
    }
    free(r->journeys);
    r->journeys = NULL;
}

/* Which of fresh's journeys are new versions (is_new[i]; hashes[i] for all). Refuses
 * (returns 0, logged) a loaded id+version whose file now says something else. */
static int reload_plan(runner_journeys_t *js, const journey_set_t *fresh, uint64_t *hashes,
                       bool *is_new, size_t *new_count) {
    *new_count = 0;
    assert(fresh->count <= JOURNEY_SET_MAX);
    for (size_t i = 0; i < fresh->count; i++) {
        const journey_t *j = fresh->journeys[i];
        const runner_journey_t *old = entry_find(js, j->id, j->version);
        hashes[i] = file_hash(j->source);
        is_new[i] = old == NULL;
        *new_count += is_new[i];
        if (old && old->content_hash != hashes[i]) {
            log_error("journeys: %s: journey '%s' version %d is already loaded with other "
                      "content (from %s); reload refused: give the change a new version",
                      j->source, j->id, (int)j->version, old->journey->source);
            return 0;
        }
    }
    if (js->count + *new_count > RUNNER_JOURNEYS_MAX) {
        log_error("journeys: reload refused: more than %d journey versions would be loaded",
                  RUNNER_JOURNEYS_MAX);
        return 0;
    }
    return 1;
}

/* Load journeys.dir again and add its new versions; migrate where they ask for it. */
static sy_err_t reload(runner_t *r, char *errbuf, size_t errbuf_size) {
    runner_journeys_t *js = r->journeys;
    journey_set_t *fresh = NULL;
    assert(r->txn_state == RUNNER_TXN_IDLE); /* between batches only */
    char why[1024];
    journey_load_opts_t opts = {.loop_period_min_ms = r->config->journeys_loop_period_min_ms};
    if (journey_set_load_dir_opts(&fresh, r->config->journeys_dir, &opts, why, sizeof why) !=
        SY_OK) {
        log_error("journeys: reload refused, keeping the %zu loaded version(s): %s",
                  js->count, why);
        return SY_OK;
    }
    uint64_t hashes[JOURNEY_SET_MAX];
    bool is_new[JOURNEY_SET_MAX];
    size_t new_count, first_new = js->count;
    /* A send's pool is checked against the calls config as at start (none: no leasing). */
    if (r->calls && engine_calls_journeys_check(r->calls, fresh, why, sizeof why) != SY_OK) {
        log_error("journeys: reload refused, keeping the %zu loaded version(s): %s",
                  js->count, why);
        journey_set_free(fresh);
        return SY_OK;
    }
    if (!reload_plan(js, fresh, hashes, is_new, &new_count) || new_count == 0) {
        journey_set_free(fresh);
        return SY_OK;
    }
    for (size_t i = 0; i < fresh->count; i++) {
        if (!is_new[i])
            continue;
        js->entries[js->count++] = (runner_journey_t){.journey = fresh->journeys[i],
                                                      .owned = true,
                                                      .content_hash = hashes[i]};
        log_info("journeys: loaded '%s' version %d from %s", fresh->journeys[i]->id,
                 (int)fresh->journeys[i]->version, fresh->journeys[i]->source);
        fresh->journeys[i] = NULL; /* now the runner's */
    }
    /* Migrations run in the order the new versions came, before the sort moves them. */
    journey_t *added[JOURNEY_SET_MAX];
    for (size_t i = first_new; i < js->count; i++)
        added[i - first_new] = js->entries[i].journey;
    journey_set_free(fresh);
    set_rebuild(js);
    engine_journeys_set(r->engine, &js->set);
    runner_metrics_journeys(r);
    sy_err_t err = SY_OK;
    for (size_t i = 0; i < new_count && err == SY_OK; i++)
        if (added[i]->migration.from_version != 0)
            err = runner_migrate(r, added[i], errbuf, errbuf_size);
    return err;
}

void runner_reload_watch(runner_t *r, atomic_int *reload, runner_reload_fn *fn,
                         void *opaque) {
    assert(r != NULL && (fn == NULL || reload != NULL));
    r->reload = reload;
    r->reload_fn = fn;
    r->reload_opaque = opaque;
}

sy_err_t runner_journeys_check(runner_t *r, char *errbuf, size_t errbuf_size) {
    runner_journeys_t *js = r->journeys;
    int64_t now = sy_clock_mono_ms();
    assert(js && r->engine);
    bool idle = r->txn_state == RUNNER_TXN_IDLE;
    bool asked = idle && r->reload && atomic_exchange(r->reload, 0);
    if (asked) {
        log_info("reload asked for: log options and journeys.dir %s",
                 r->config->journeys_dir);
        if (r->reload_fn)
            r->reload_fn(r->reload_opaque);
    } else if (!idle || now - js->last_check_ms < r->config->journeys_reload_interval_ms) {
        return SY_OK;
    }
    js->last_check_ms = now;
    uint64_t signature = dir_signature(r->config->journeys_dir);
    if (signature == js->dir_signature && !asked)
        return SY_OK;
    js->dir_signature = signature;
    /* A migration walks committed instances: a commit on its way ends first. */
    sy_err_t err = runner_pipeline_finish(r, true, errbuf, errbuf_size);
    if (err != SY_OK || r->txn_state != RUNNER_TXN_IDLE)
        return err;
    return reload(r, errbuf, errbuf_size);
}
