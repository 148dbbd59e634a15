/* test_file.c — unit tests of base/sy_file.h: whole regular files read under a cap, and
 * FIFOs, directories and missing files refused without blocking — also through the
 * journey loader's directory scan and the config loader, which read with it. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "journey.h"
#include "sy_file.h"

static char dir[] = "/tmp/sy-test-file-XXXXXX";
static char path[512], errbuf[512];

static void file_setup(void) { cr_assert_not_null(mkdtemp(dir)); }

static void file_teardown(void) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert(eq(i64, system(cmd), 0));
}

TestSuite(file, .init = file_setup, .fini = file_teardown);

static const char *file_make(const char *name, const char *text) {
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static const char *fifo_make(const char *name) {
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert(eq(i64, mkfifo(path, 0600), 0), "mkfifo %s", path);
    return path;
}

Test(file, reads_a_regular_file_whole_and_nul_terminated) {
    char *text = NULL;
    size_t len = 0;
    const char *p = file_make("a.txt", "hello\n");
    sy_err_t err = sy_file_read(p, 6, &text, &len, errbuf, sizeof errbuf);
    cr_assert(eq(i64, err, SY_OK), "%s", errbuf);
    cr_assert(eq(i64, len, 6), "len %zu", len);
    cr_assert_str_eq(text, "hello\n");
    free(text);
}

Test(file, refuses_a_file_over_the_cap_naming_it) {
    char *text = NULL;
    size_t len = 0;
    const char *p = file_make("big.txt", "1234567");
    sy_err_t err = sy_file_read(p, 6, &text, &len, errbuf, sizeof errbuf);
    cr_assert(eq(i64, err, SY_ERR_LIMIT), "got %s", sy_err_name(err));
    cr_assert(strstr(errbuf, "big.txt: larger than 6 bytes") != NULL, "%s", errbuf);
    cr_assert_null(text);
}

Test(file, refuses_fifos_directories_and_missing_files_without_blocking, .timeout = 10) {
    char *text = NULL;
    size_t len = 0;
    const char *p = fifo_make("x.yaml");
    sy_err_t err = sy_file_read(p, 100, &text, &len, errbuf, sizeof errbuf);
    cr_assert(eq(i64, err, SY_ERR_IO), "got %s", sy_err_name(err));
    cr_assert(strstr(errbuf, "x.yaml: not a regular file") != NULL, "%s", errbuf);
    err = sy_file_read(dir, 100, &text, &len, errbuf, sizeof errbuf);
    cr_assert(eq(i64, err, SY_ERR_IO), "got %s", sy_err_name(err));
    cr_assert(strstr(errbuf, "not a regular file") != NULL, "%s", errbuf);
    snprintf(path, sizeof path, "%s/none", dir);
    err = sy_file_read(path, 100, &text, &len, errbuf, sizeof errbuf);
    cr_assert(eq(i64, err, SY_ERR_IO), "got %s", sy_err_name(err));
    cr_assert(strstr(errbuf, "No such file") != NULL, "%s", errbuf);
    cr_assert_null(text);
}

Test(file, a_fifo_in_the_journeys_directory_is_an_error_not_a_hang, .timeout = 10) {
    file_make("a.yaml", "id: a\nversion: 1\nentry: {event: custom.go}\n"
                        "nodes:\n  - id: done\n    exit: {}\n");
    fifo_make("x.yaml");
    journey_set_t *set = NULL;
    sy_err_t err = journey_set_load_dir(&set, dir, errbuf, sizeof errbuf);
    cr_assert(ne(i64, err, SY_OK));
    cr_assert_null(set);
    cr_assert(strstr(errbuf, "x.yaml: not a regular file") != NULL, "%s", errbuf);
}

Test(file, a_fifo_as_the_config_is_an_error_not_a_hang, .timeout = 10) {
    sy_config_t *config = NULL;
    sy_err_t err = config_load(&config, fifo_make("switchyard.conf"), errbuf, sizeof errbuf);
    cr_assert(eq(i64, err, SY_ERR_IO), "got %s", sy_err_name(err));
    cr_assert_null(config);
    cr_assert(strstr(errbuf, "switchyard.conf: not a regular file") != NULL, "%s", errbuf);
}
