/* cli_map.c — `switchyard map`: the journey map of one journey (or of every journey of a
 * directory, one file each) as SVG or as an HTML page, with the counts of a counts file.
 * The map itself is journey_map.h's; this file picks journeys and writes files. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "journey_map.h"

typedef struct cli_map_args {
    const char *journeys_dir;
    const char *journey_id;  /* NULL: every journey */
    int32_t version;         /* 0: the highest loaded */
    const char *counts_path; /* NULL: no numbers */
    const char *out;         /* NULL: stdout */
} cli_map_args_t;

#define ARG(name) {name, required_argument, NULL, 0}
static const struct option args_options[] = {
    ARG("journeys"), ARG("journey"), ARG("version"), ARG("counts"), ARG("out"), {0}};
#undef ARG

static int args_fail(const char *message, const char *value) {
    return cli_usage_fail("map", message, value);
}

static int args_option(cli_map_args_t *a, const char *option, const char *value) {
    if (strcmp(option, "--journeys") == 0) {
        a->journeys_dir = value;
    } else if (strcmp(option, "--journey") == 0) {
        a->journey_id = value;
    } else if (strcmp(option, "--counts") == 0) {
        a->counts_path = value;
    } else if (strcmp(option, "--out") == 0) {
        a->out = value;
    } else {
        char *end;
        errno = 0;
        long n = strtol(value, &end, 10);
        if (errno || end == value || *end || n < 1 || n > INT32_MAX)
            return args_fail("--version takes a whole number from 1", value);
        a->version = (int32_t)n;
    }
    return 1;
}

static int args_parse(cli_map_args_t *a, int argc, char **argv) {
    *a = (cli_map_args_t){0};
    cli_args_t it;
    const char *option, *value;
    int more;
    cli_args_init(&it, "map", args_options, argc, argv);
    while ((more = cli_args_next(&it, &option, &value)) > 0)
        if (!args_option(a, option, value))
            return 0;
    if (more < 0 || !cli_args_no_operands(&it))
        return 0;
    if (!a->journeys_dir)
        return args_fail("--journeys DIR is required", NULL);
    if (a->version && !a->journey_id)
        return args_fail("--version goes with --journey", NULL);
    return 1;
}

/* The journey --journey and --version name (the highest version without --version), or
 * NULL after saying which are there. */
static const journey_t *journey_pick(const journey_set_t *set, const cli_map_args_t *a) {
    const journey_t *best = NULL;
    for (size_t i = 0; i < set->count; i++) {
        const journey_t *j = set->journeys[i];
        if (strcmp(j->id, a->journey_id) == 0 && (a->version ? j->version == a->version
                                                             : !best || j->version > best->version))
            best = j;
    }
    if (best)
        return best;
    fprintf(stderr, "switchyard map: no journey %s", a->journey_id);
    if (a->version)
        fprintf(stderr, " version %" PRId32, a->version);
    fprintf(stderr, " in %s; it holds:", a->journeys_dir);
    for (size_t i = 0; i < set->count; i++)
        fprintf(stderr, " %s v%" PRId32, set->journeys[i]->id, set->journeys[i]->version);
    fprintf(stderr, "\n");
    return NULL;
}

static bool ends_with(const char *s, const char *tail) {
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* One journey's map to path (NULL: stdout): an HTML page when path ends in .html. */
static int map_write(const journey_t *j, const journey_map_counts_set_t *counts,
                     const char *path) {
    char errbuf[1024], title[SY_ID_BYTES_MAX + 32];
    const journey_map_counts_t *c = counts ? journey_map_counts_set_find(counts, j->id,
                                                                         j->version) : NULL;
    journey_map_counts_t none = {.show = JOURNEY_MAP_SHOW_AT | JOURNEY_MAP_SHOW_TOOK |
                                         JOURNEY_MAP_SHOW_TOOK_UNNAMED};
    char *svg = NULL;
    size_t len = 0;
    sy_err_t err = journey_map_render_svg(j, counts && !c ? &none : c, &svg, &len, errbuf,
                                          sizeof errbuf);
    snprintf(title, sizeof title, "%s v%" PRId32, j->id, j->version);
    journey_map_figure_t figure = {NULL, svg};
    if (err != SY_OK) {
        /* errbuf says why */
    } else if (!path) {
        if (fwrite(svg, 1, len, stdout) != len || fflush(stdout) != 0) {
            snprintf(errbuf, sizeof errbuf, "stdout: %s", strerror(errno));
            err = SY_ERR_IO;
        }
    } else if (ends_with(path, ".html")) {
        err = journey_map_save_html(path, title, &figure, 1, errbuf, sizeof errbuf);
    } else {
        err = journey_map_save_text(path, svg, len, errbuf, sizeof errbuf);
    }
    free(svg);
    if (err != SY_OK)
        fprintf(stderr, "switchyard map: %s\n", errbuf);
    return err == SY_OK ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

/* Every journey into dir: ID.svg, or ID-vN.svg when the directory holds several versions
 * of ID. */
static int map_all(const journey_set_t *set, const journey_map_counts_set_t *counts,
                   const char *dir) {
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "switchyard map: %s: %s\n", dir, strerror(errno));
        return CLI_EXIT_FAILURE;
    }
    for (size_t i = 0; i < set->count; i++) {
        const journey_t *j = set->journeys[i];
        bool versions = false;
        for (size_t k = 0; k < set->count; k++)
            versions |= k != i && strcmp(set->journeys[k]->id, j->id) == 0;
        char path[4096];
        int n = versions ? snprintf(path, sizeof path, "%s/%s-v%" PRId32 ".svg", dir, j->id,
                                    j->version)
                         : snprintf(path, sizeof path, "%s/%s.svg", dir, j->id);
        if (n < 0 || (size_t)n >= sizeof path) {
            fprintf(stderr, "switchyard map: %s: path too long\n", dir);
            return CLI_EXIT_INVALID;
        }
        int code = map_write(j, counts, path);
        if (code != CLI_EXIT_OK)
            return code;
        printf("%s\n", path);
    }
    return CLI_EXIT_OK;
}

static bool is_dir(const char *path) {
    struct stat st;
    return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The journeys picked by the arguments, written where --out says. */
static int map_run(const cli_map_args_t *a, const journey_set_t *set,
                   const journey_map_counts_set_t *counts) {
    const journey_t *one = set->count == 1 ? set->journeys[0] : NULL;
    if (a->journey_id && !(one = journey_pick(set, a)))
        return CLI_EXIT_INVALID;
    if (!one && !a->out) {
        fprintf(stderr, "switchyard map: %s holds %zu journeys: give --journey ID, or "
                "--out DIR for one file each (see --help)\n", a->journeys_dir, set->count);
        return CLI_EXIT_INVALID;
    }
    if (!one || is_dir(a->out)) {
        journey_set_t picked = {1, (journey_t **)&one};
        return map_all(one ? &picked : set, counts, a->out);
    }
    return map_write(one, counts, a->out);
}

int cli_map_main(int argc, char **argv) {
    cli_map_args_t a;
    char errbuf[1024];
    journey_set_t *set = NULL;
    journey_map_counts_set_t *counts = NULL;
    if (!args_parse(&a, argc, argv))
        return CLI_EXIT_INVALID;
    if (journey_set_load_dir(&set, a.journeys_dir, errbuf, sizeof errbuf) != SY_OK ||
        (a.counts_path &&
         journey_map_counts_set_load(&counts, a.counts_path, errbuf, sizeof errbuf) != SY_OK)) {
        fprintf(stderr, "switchyard map: %s\n", errbuf);
        journey_set_free(set);
        return CLI_EXIT_INVALID;
    }
    int code = map_run(&a, set, counts);
    journey_map_counts_set_free(counts);
    journey_set_free(set);
    return code;
}
