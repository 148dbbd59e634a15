/* journey.c — the public entry points of journey.h: text or a file in, a validated
 * journey_t out (or nothing and a FILE:LINE:COLUMN message). The sections of a file are
 * read in journey_profile.c, journey_rules.c, journey_node.c (and the node kinds' files)
 * and journey_migrate.c; freeing is journey_free.c. */
#include "journey_int.h"

#include <stdlib.h>
#include <string.h>

#include "sy_file.h"

static const char *const journey_top_keys[] = {"id",    "version", "profile", "entry",
                                               "goals", "exits",   "migrate", "nodes",
                                               "priority", "fatigue", "conversions", NULL};

static sy_err_t journey_top_id(journey_build_t *b, const journey_doc_node_t *root) {
    const journey_doc_node_t *id;
    sy_err_t err = journey_need(b, root, "id", "journey", &id);
    if (!err)
        err = journey_string(b, id, "id", &b->journey->id);
    if (!err && !journey_id_valid(b->journey->id))
        err = journey_fail(b, SY_ERR_JOURNEY, id->line, id->column,
                           "bad journey id '%s': use 1 to %d of a-z, 0-9, '_', '.', '-'",
                           id->text, SY_ID_BYTES_MAX);
    return err;
}

static sy_err_t journey_top_version(journey_build_t *b, const journey_doc_node_t *root) {
    const journey_doc_node_t *version;
    sy_err_t err = journey_need(b, root, "version", "journey", &version);
    if (err)
        return err;
    const char *text = version->kind == JOURNEY_DOC_SCALAR ? version->text : "";
    int64_t value = 0;
    size_t digits = strspn(text, "0123456789");
    if (digits > 0 && digits <= 9 && text[digits] == '\0')
        value = strtoll(text, NULL, 10);
    if (value < 1)
        return journey_fail(b, SY_ERR_JOURNEY, version->line, version->column,
                            "'version' must be a whole number from 1 to 999999999");
    b->journey->version = (int32_t)value;
    return SY_OK;
}

/* `priority:`, a whole number in JOURNEY_PRIORITY_MIN..MAX; 0 when absent. */
static sy_err_t journey_top_priority(journey_build_t *b, const journey_doc_node_t *root) {
    const journey_doc_node_t *value = journey_doc_get(root, "priority");
    if (!value)
        return SY_OK;
    const char *text = value->kind == JOURNEY_DOC_SCALAR ? value->text : "";
    const char *digits = text[0] == '-' ? text + 1 : text;
    size_t n = strspn(digits, "0123456789");
    long p = n > 0 && n <= 4 && digits[n] == '\0' ? strtol(text, NULL, 10)
                                                   : JOURNEY_PRIORITY_MAX + 1;
    if (p < JOURNEY_PRIORITY_MIN || p > JOURNEY_PRIORITY_MAX)
        return journey_fail(b, SY_ERR_JOURNEY, value->line, value->column,
                            "'priority' must be a whole number from %d to %d, not '%s'",
                            JOURNEY_PRIORITY_MIN, JOURNEY_PRIORITY_MAX, text);
    b->journey->priority = (int32_t)p;
    return SY_OK;
}

/* Sections in the order they depend on each other: expressions need the profile, the
 * migration map needs the nodes. */
static sy_err_t journey_top(journey_build_t *b, const journey_doc_node_t *root) {
    const journey_doc_node_t *nodes;
    sy_err_t err = journey_keys_check(b, root, journey_top_keys, "journey");
    if (!err)
        err = journey_top_id(b, root);
    if (!err)
        err = journey_top_version(b, root);
    if (!err)
        err = journey_top_priority(b, root);
    if (!err)
        err = journey_fatigue_build(b, journey_doc_get(root, "fatigue"));
    if (!err)
        err = journey_profile_build(b, root);
    if (!err)
        err = journey_rules_build(b, root);
    if (!err)
        err = journey_conversions_build(b, journey_doc_get(root, "conversions"));
    if (!err)
        err = journey_need(b, root, "nodes", "journey", &nodes);
    if (!err)
        err = journey_nodes_build(b, nodes);
    if (!err)
        err = journey_migrate_build(b, root);
    return err;
}

sy_err_t journey_parse(journey_t **out, const char *text, size_t len, const char *source,
                       char *errbuf, size_t errbuf_size) {
    return journey_parse_opts(out, text, len, source, NULL, errbuf, errbuf_size);
}

sy_err_t journey_parse_opts(journey_t **out, const char *text, size_t len,
                            const char *source, const journey_load_opts_t *opts,
                            char *errbuf, size_t errbuf_size) {
    journey_build_t b = {.source = source, .errbuf = errbuf, .errbuf_size = errbuf_size};
    b.loop_period_min_ms =
        opts ? opts->loop_period_min_ms : JOURNEY_LOOP_PERIOD_MIN_MS_DEFAULT;
    journey_doc_node_t *root = NULL;
    sy_err_t err = journey_doc_parse(&root, text, len, source, errbuf, errbuf_size);
    if (err)
        return err;
    b.journey = calloc(1, sizeof *b.journey);
    if (b.journey)
        b.journey->source = strdup(source);
    if (!b.journey || !b.journey->source) {
        err = journey_fail(&b, SY_ERR_NOMEM, 1, 1, "out of memory");
        goto fail;
    }
    err = journey_top(&b, root);
    if (!err && journey_parts_make(b.journey) != SY_OK)
        err = journey_fail(&b, SY_ERR_NOMEM, 1, 1, "out of memory");
    if (err)
        goto fail;
    journey_doc_free(root);
    free(b.node_maps);
    free(b.edges);
    *out = b.journey;
    return SY_OK;
fail:
    journey_doc_free(root);
    free(b.node_maps);
    free(b.edges);
    journey_free(b.journey);
    return err;
}

sy_err_t journey_load_file(journey_t **out, const char *path, char *errbuf,
                           size_t errbuf_size) {
    return journey_load_file_opts(out, path, NULL, errbuf, errbuf_size);
}

sy_err_t journey_load_file_opts(journey_t **out, const char *path,
                                const journey_load_opts_t *opts, char *errbuf,
                                size_t errbuf_size) {
    char *text = NULL;
    size_t len = 0;
    sy_err_t err =
        sy_file_read(path, SY_JOURNEY_FILE_BYTES_MAX, &text, &len, errbuf, errbuf_size);
    if (err)
        return err;
    err = journey_parse_opts(out, text, len, path, opts, errbuf, errbuf_size);
    free(text);
    return err;
}
