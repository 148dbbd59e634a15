/* replay_main.c — runs a fuzz target without libFuzzer: every file of the directories named
 * on the command line (names starting with '.' skipped, in name order) goes through the
 * target's LLVMFuzzerTestOneInput once. The normal test suite links it with each target to
 * replay the corpus and the regression inputs. Not a fuzzer: it mutates nothing. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Largest input replayed: libFuzzer's default -max_len is far below it. */
#define REPLAY_FILE_BYTES_MAX (16u * 1024 * 1024)

/* Run the file at path; -1 when it cannot be read. */
static int replay_file(const char *path) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint8_t *data = malloc(REPLAY_FILE_BYTES_MAX);
    size_t size = data ? fread(data, 1, REPLAY_FILE_BYTES_MAX, file) : 0;
    int failed = data == NULL || ferror(file) || !feof(file);
    fclose(file);
    if (failed) {
        fprintf(stderr, "replay: %s: unreadable or over %u bytes\n", path,
                REPLAY_FILE_BYTES_MAX);
        free(data);
        return -1;
    }
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    /* A copy of exactly size bytes, so ASan sees any read past the input. */
    uint8_t *input = malloc(size ? size : 1);
    if (input == NULL)
        abort();
    memcpy(input, data, size);
    free(data);
    LLVMFuzzerTestOneInput(input, size);
    free(input);
    return 0;
}

static int replay_name_compare(const struct dirent **a, const struct dirent **b) {
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int replay_visible(const struct dirent *entry) {
    return entry->d_name[0] != '.';
}

/* Run every file of dir; returns how many, or -1 on an error. */
static int replay_dir(const char *dir) {
    struct dirent **names = NULL;
    int count = scandir(dir, &names, replay_visible, replay_name_compare);
    if (count < 0) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    int done = 0;
    for (int i = 0; i < count; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && done >= 0)
            done = replay_file(path) == 0 ? done + 1 : -1;
        free(names[i]);
    }
    free(names);
    return done;
}

int main(int argc, char **argv) {
    int total = 0;
    for (int i = 1; i < argc; i++) {
        int done = replay_dir(argv[i]);
        if (done < 0)
            return 1;
        total += done;
    }
    printf("replayed %d input(s)\n", total);
    return 0;
}
