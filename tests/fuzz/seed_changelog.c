/* seed_changelog.c — writes seeds of the changelog fuzz corpus (tests/fuzz/corpus/changelog):
 * each events file runs through the example journeys as fuzz_engine.c runs an input, and
 * the records the changelog would carry (state_store_pending_each before each commit) are
 * written in fuzz_changelog.c's input format: all of them to OUT_DIR/<file name without
 * .jsonl>, those of the first half of the commits to <that name>-half (a restore in the
 * middle of the journeys, with timers still to fire). A tool, not a test: run it by hand
 * when a state record's format changes.
 * Usage: fuzz_seed_changelog OUT_DIR EVENTS_FILE... */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_feed.h"
#include "sy_file.h"

/* The largest events file read: the example paths are a few KiB. */
#define SEED_EVENTS_BYTES_MAX (16u * 1024 * 1024)

/* The seed being written: the records of the commits before commits_max. */
typedef struct seed_out {
    FILE *file;
    size_t records, skipped, commits, commits_max;
} seed_out_t;

/* One changelog record in the fuzz input format; values over 0xfffe bytes do not fit it
 * and are skipped (counted). */
static sy_err_t seed_record(void *ctx, state_changelog_cf_t cf, int32_t partition,
                            const uint8_t *key, size_t key_len, const uint8_t *value,
                            size_t value_len) {
    seed_out_t *out = ctx;
    (void)partition;
    if (key_len > 0xffff || (value != NULL && value_len >= 0xffff)) {
        out->skipped++;
        return SY_OK;
    }
    size_t len = value != NULL ? value_len : 0xffff;
    uint8_t head[3] = {(uint8_t)cf, (uint8_t)(key_len >> 8), (uint8_t)key_len};
    uint8_t tail[2] = {(uint8_t)(len >> 8), (uint8_t)len};
    fwrite(head, 1, 3, out->file);
    fwrite(key, 1, key_len, out->file);
    fwrite(tail, 1, 2, out->file);
    if (value != NULL)
        fwrite(value, 1, value_len, out->file);
    out->records++;
    return SY_OK;
}

static void seed_before_commit(fuzz_run_t *run, void *ctx) {
    seed_out_t *out = ctx;
    if (out->commits++ < out->commits_max &&
        state_store_pending_each(run->store, seed_record, ctx) != SY_OK)
        abort();
}

/* Run the events text[0..size) (copied: the feed writes into it) into out. */
static void seed_run(const char *text, size_t size, seed_out_t *out) {
    char *copy = malloc(size + 1);
    if (copy == NULL)
        abort();
    memcpy(copy, text, size + 1);
    fuzz_run_t run = {.before_commit = seed_before_commit, .hook_ctx = out};
    fuzz_run_open(&run, "seed-changelog", fuzz_examples());
    fuzz_feed(&run, copy, size);
    fuzz_run_close(&run);
    free(copy);
}

/* Write the records of the first commits_max commits of text's run to path. */
static int seed_write(const char *path, const char *text, size_t size, size_t *commits_max) {
    seed_out_t out = {fopen(path, "wb"), 0, 0, 0, *commits_max};
    if (out.file == NULL) {
        fprintf(stderr, "fuzz_seed_changelog: cannot write %s\n", path);
        return 1;
    }
    seed_run(text, size, &out);
    *commits_max = out.commits;
    printf("%s: %zu records (%zu values too long for the format)\n", path, out.records,
           out.skipped);
    return fclose(out.file) != 0;
}

static int seed_one(const char *dir, const char *events_path) {
    const char *base = strrchr(events_path, '/') ? strrchr(events_path, '/') + 1 : events_path;
    char path[4096];
    size_t size = 0, base_len = strcspn(base, "."), commits = SIZE_MAX;
    char *text = NULL, errbuf[512];
    if (sy_file_read(events_path, SEED_EVENTS_BYTES_MAX, &text, &size, errbuf,
                     sizeof errbuf) != SY_OK) {
        fprintf(stderr, "fuzz_seed_changelog: %s\n", errbuf);
        return 1;
    }
    snprintf(path, sizeof path, "%s/%.*s", dir, (int)base_len, base);
    int failed = seed_write(path, text, size, &commits);
    commits /= 2;
    snprintf(path, sizeof path, "%s/%.*s-half", dir, (int)base_len, base);
    failed |= seed_write(path, text, size, &commits);
    free(text);
    return failed;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: fuzz_seed_changelog OUT_DIR EVENTS_FILE...\n");
        return 2;
    }
    int failed = 0;
    for (int i = 2; i < argc; i++)
        failed |= seed_one(argv[1], argv[i]);
    return failed;
}
