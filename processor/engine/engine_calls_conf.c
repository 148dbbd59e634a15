/* engine_calls_conf.c — the calls document of the config (calls.file, or calls.inline):
 * number pools and conversion rules, validated with SOURCE:LINE:COLUMN errors. It is YAML
 * (or JSON), read with the journey loader's document tree. Not the leasing or the rules'
 * evaluation: engine_calls_lease.c and engine_calls_rules.c. */
#include "engine_calls.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey_doc_read.h"
#include "sy_file.h"

/* A calls document is a few pools of numbers: 4 MiB holds the largest pools. */
#define CALLS_FILE_BYTES_MAX (4 * 1024 * 1024)

typedef struct conf_parse {
    engine_calls_conf_t *conf;
    journey_doc_reader_t doc; /* where errors go */
} conf_parse_t;

static sy_err_t number(conf_parse_t *p, const journey_doc_node_t *v, const char *key,
                       char out[SY_PHONE_E164_BYTES]) {
    assert(p && v && out);
    const char *text = NULL;
    sy_err_t err = journey_doc_scalar(&p->doc, v, key, &text);
    if (err)
        return err;
    if (!sy_phone_e164_valid(text))
        return journey_doc_fail(&p->doc, v, "'%s' is not an E.164 number: write + and 2 to "
                                "15 digits, like +12125550100", text);
    memcpy(out, text, strlen(text) + 1);
    return SY_OK;
}

static sy_err_t pool_numbers(conf_parse_t *p, engine_calls_pool_t *pool,
                             const journey_doc_node_t *seq) {
    assert(p && pool && seq);
    if (seq->kind != JOURNEY_DOC_SEQ || seq->count == 0)
        return journey_doc_fail(&p->doc, seq, "'numbers' must be a list of 1 to %d numbers",
                                ENGINE_CALLS_POOL_NUMBERS_MAX);
    if (seq->count > ENGINE_CALLS_POOL_NUMBERS_MAX)
        return journey_doc_fail(&p->doc, seq, "more than %d numbers in pool '%s'",
                                ENGINE_CALLS_POOL_NUMBERS_MAX, pool->name);
    pool->numbers = calloc(seq->count, sizeof *pool->numbers);
    if (!pool->numbers)
        return SY_ERR_NOMEM;
    for (size_t i = 0; i < seq->count; i++) {
        sy_err_t err = number(p, seq->items[i], "numbers", pool->numbers[i]);
        if (err)
            return err;
        for (size_t k = 0; k < i; k++)
            if (strcmp(pool->numbers[k], pool->numbers[i]) == 0)
                return journey_doc_fail(&p->doc, seq->items[i],
                                        "number %s is twice in pool '%s'", pool->numbers[i],
                                        pool->name);
        pool->numbers_count = i + 1;
    }
    return SY_OK;
}

/* A number in two pools could be leased twice: a call to it could not be attributed. */
static sy_err_t pool_overlap(conf_parse_t *p, const engine_calls_pool_t *pool,
                             const journey_doc_node_t *seq) {
    assert(p && pool && seq);
    for (size_t i = 0; i < p->conf->pools_count; i++)
        for (size_t a = 0; a < p->conf->pools[i].numbers_count; a++)
            for (size_t b = 0; b < pool->numbers_count; b++)
                if (strcmp(p->conf->pools[i].numbers[a], pool->numbers[b]) == 0)
                    return journey_doc_fail(&p->doc, seq->items[b],
                                            "number %s is in pools '%s' and '%s'",
                                            pool->numbers[b], p->conf->pools[i].name,
                                            pool->name);
    return SY_OK;
}

static const char *const pool_keys[] = {"name", "numbers", "lease", "fallback",
                                        "area_code_attribute", NULL};

static sy_err_t pool_parse(conf_parse_t *p, const journey_doc_node_t *map) {
    assert(p && map && p->conf->pools_count < ENGINE_CALLS_POOLS_MAX);
    engine_calls_pool_t *pool = &p->conf->pools[p->conf->pools_count];
    const journey_doc_node_t *v;
    const char *name = NULL;
    sy_err_t err = journey_doc_keys_check(&p->doc, map, pool_keys, "a pool");
    for (const char *const *k = pool_keys; !err && k < pool_keys + 4; k++)
        if (!journey_doc_get(map, *k))
            err = journey_doc_fail(&p->doc, map, "missing '%s' in pool", *k);
    if (!err)
        err = journey_doc_scalar(&p->doc, journey_doc_get(map, "name"), "name", &name);
    if (err)
        return err;
    if (strlen(name) >= sizeof pool->name || strspn(name, "abcdefghijklmnopqrstuvwxyz"
                                                          "0123456789_-") != strlen(name))
        return journey_doc_fail(&p->doc, journey_doc_get(map, "name"),
                                "bad pool name '%s': use 1 to 64 of a-z, 0-9, '_', '-'", name);
    if (engine_calls_pool_find(p->conf, name))
        return journey_doc_fail(&p->doc, journey_doc_get(map, "name"), "duplicate pool '%s'",
                                name);
    memcpy(pool->name, name, strlen(name) + 1);
    v = journey_doc_get(map, "lease");
    if (v->kind != JOURNEY_DOC_SCALAR || !journey_duration_parse(v->text, &pool->lease_ms))
        return journey_doc_fail(&p->doc, v, "bad lease '%s': write a positive whole number and "
                                "a unit (ms, s, m, h, d), like 30d",
                                v->kind == JOURNEY_DOC_SCALAR ? v->text : "");
    if ((err = number(p, journey_doc_get(map, "fallback"), "fallback", pool->fallback)) ||
        (err = pool_numbers(p, pool, journey_doc_get(map, "numbers"))) ||
        (err = pool_overlap(p, pool, journey_doc_get(map, "numbers"))))
        return err;
    if ((v = journey_doc_get(map, "area_code_attribute")) &&
        (err = journey_doc_owned(&p->doc, v, "area_code_attribute", &pool->area_code_attr)))
        return err;
    p->conf->pools_count++;
    return SY_OK;
}

static sy_err_t rule_parse(conf_parse_t *p, const journey_doc_node_t *map) {
    assert(p && map && p->conf->rules_count < ENGINE_CALLS_RULES_MAX);
    engine_calls_rule_t *rule = &p->conf->rules[p->conf->rules_count];
    sy_err_t err = journey_conversion_parse(rule, map, p->doc.source, p->doc.errbuf,
                                            p->doc.errbuf_size);
    if (err)
        return err;
    p->conf->rules_count++; /* freed with the conf from here on */
    for (size_t i = 0; i + 1 < p->conf->rules_count; i++)
        if (strcmp(p->conf->rules[i].name, rule->name) == 0)
            return journey_doc_fail(&p->doc, journey_doc_get(map, "name"),
                                    "duplicate rule '%s'", rule->name);
    return SY_OK;
}

/* A list under key of the root, each item parsed by fn, at most max. */
static sy_err_t list_parse(conf_parse_t *p, const journey_doc_node_t *root, const char *key,
                           size_t max, sy_err_t (*fn)(conf_parse_t *, const journey_doc_node_t *)) {
    assert(p && root && key && fn);
    const journey_doc_node_t *seq = journey_doc_get(root, key);
    if (!seq)
        return SY_OK;
    if (seq->kind != JOURNEY_DOC_SEQ)
        return journey_doc_fail(&p->doc, seq, "'%s' must be a list", key);
    if (seq->count > max)
        return journey_doc_fail(&p->doc, seq, "more than %zu %s", max, key);
    for (size_t i = 0; i < seq->count; i++) {
        sy_err_t err = fn(p, seq->items[i]);
        if (err)
            return err;
    }
    return SY_OK;
}

/* `retention:` (absent: the default): at least a day, so a call's late callbacks still
 * find it. */
static sy_err_t retention_parse(conf_parse_t *p, const journey_doc_node_t *v) {
    assert(p);
    if (!v)
        return SY_OK;
    if (v->kind != JOURNEY_DOC_SCALAR || !journey_duration_parse(v->text, &p->conf->retention_ms) ||
        p->conf->retention_ms < 24LL * 3600 * 1000)
        return journey_doc_fail(&p->doc, v,
                                "bad retention '%s': write a duration of at least 1d, like 90d",
                                v->kind == JOURNEY_DOC_SCALAR ? v->text : "");
    return SY_OK;
}

/* click_base_url: an http(s) URL of printable characters that need no quoting in a link
 * or an HTML attribute, kept without its trailing '/'. */
static sy_err_t click_base(conf_parse_t *p, const journey_doc_node_t *root) {
    const journey_doc_node_t *v = journey_doc_get(root, "click_base_url");
    const char *text = NULL;
    assert(p && root);
    if (!v)
        return SY_OK;
    sy_err_t err = journey_doc_scalar(&p->doc, v, "click_base_url", &text);
    if (err)
        return err;
    size_t len = strlen(text), scheme = strncmp(text, "https://", 8) == 0  ? 8
                                        : strncmp(text, "http://", 7) == 0 ? 7
                                                                           : 0;
    while (len > scheme && text[len - 1] == '/')
        len--;
    if (scheme == 0 || len == scheme || len >= ENGINE_CALLS_CLICK_BASE_BYTES ||
        strcspn(text, " \t\"'<>\\`{}|^") < len)
        return journey_doc_fail(&p->doc, v, "bad click_base_url '%s': write an http:// or "
                                "https:// URL of at most %d bytes without spaces or quotes, "
                                "like https://go.example.com",
                                text, ENGINE_CALLS_CLICK_BASE_BYTES - 1);
    memcpy(p->conf->click_base_url, text, len);
    p->conf->click_base_url[len] = '\0';
    return SY_OK;
}

sy_err_t engine_calls_conf_parse(engine_calls_conf_t *conf, const char *text, size_t len,
                                 const char *source, char *errbuf, size_t errbuf_size) {
    static const char *const root_keys[] = {"pools", "conversions", "retention",
                                            "click_base_url", NULL};
    journey_doc_node_t *root = NULL;
    assert(conf && text && source);
    memset(conf, 0, sizeof *conf);
    conf_parse_t p = {conf, {source, errbuf, errbuf_size}};
    sy_err_t err = journey_doc_parse(&root, text, len, source, errbuf, errbuf_size);
    if (err)
        return err == SY_ERR_NOMEM ? err : SY_ERR_CONFIG;
    conf->retention_ms = ENGINE_CALLS_RETENTION_MS_DEFAULT;
    if (!(err = journey_doc_keys_check(&p.doc, root, root_keys, "the calls document")) &&
        !(err = retention_parse(&p, journey_doc_get(root, "retention"))) &&
        !(err = click_base(&p, root)) &&
        !(err = list_parse(&p, root, "pools", ENGINE_CALLS_POOLS_MAX, pool_parse)))
        err = list_parse(&p, root, "conversions", ENGINE_CALLS_RULES_MAX, rule_parse);
    journey_doc_free(root);
    return err;
}

sy_err_t engine_calls_conf_load(engine_calls_conf_t *conf, const char *path, char *errbuf,
                                size_t errbuf_size) {
    char *text = NULL;
    size_t len = 0;
    assert(conf && path);
    memset(conf, 0, sizeof *conf);
    sy_err_t err = sy_file_read(path, CALLS_FILE_BYTES_MAX, &text, &len, errbuf, errbuf_size);
    if (err)
        return err == SY_ERR_NOMEM ? err : SY_ERR_CONFIG;
    err = engine_calls_conf_parse(conf, text, len, path, errbuf, errbuf_size);
    free(text);
    return err;
}

void engine_calls_conf_free(engine_calls_conf_t *conf) {
    /* no assert: NULL is a no-op */
    if (!conf)
        return;
    for (size_t i = 0; i < ENGINE_CALLS_POOLS_MAX; i++) {
        free(conf->pools[i].numbers);
        free(conf->pools[i].area_code_attr);
    }
    for (size_t i = 0; i < ENGINE_CALLS_RULES_MAX; i++)
        journey_conversion_free(&conf->rules[i]);
    memset(conf, 0, sizeof *conf);
}

const engine_calls_pool_t *engine_calls_pool_find(const engine_calls_conf_t *conf,
                                                  const char *name) {
    assert(name);
    for (size_t i = 0; conf && i < conf->pools_count; i++)
        if (strcmp(conf->pools[i].name, name) == 0)
            return &conf->pools[i];
    return NULL;
}

/* No conversion rule of j has the name of one of conf's: a call converts once per name. */
static sy_err_t journey_rules_check(const engine_calls_conf_t *conf, const journey_t *j,
                                    char *errbuf, size_t errbuf_size) {
    assert(j);
    for (size_t r = 0; conf && r < j->conversions_count; r++)
        for (size_t i = 0; i < conf->rules_count; i++)
            if (strcmp(j->conversions[r].name, conf->rules[i].name) == 0) {
                snprintf(errbuf, errbuf_size, "%s:%d:%d: journey '%s' version %d: "
                         "conversion rule '%s' is also a rule of the calls config "
                         "(calls.file, calls.inline): give it another name",
                         j->source ? j->source : "?", j->conversions[r].line,
                         j->conversions[r].column, j->id, (int)j->version,
                         j->conversions[r].name);
                return SY_ERR_CONFIG;
            }
    return SY_OK;
}

sy_err_t engine_calls_journeys_check(const engine_calls_conf_t *conf,
                                     const journey_set_t *journeys, char *errbuf,
                                     size_t errbuf_size) {
    assert(journeys);
    for (size_t i = 0; i < journeys->count; i++) {
        const journey_t *j = journeys->journeys[i];
        for (size_t n = 0; n < j->nodes_count; n++) {
            const journey_node_t *node = &j->nodes[n];
            const char *pool = node->kind == JOURNEY_NODE_SEND ? node->u.send.tracking_pool
                                                               : NULL;
            if (pool && !engine_calls_pool_find(conf, pool)) {
                snprintf(errbuf, errbuf_size, "%s:%d:%d: journey '%s' version %d: send '%s' "
                         "leases from pool '%s', which the calls config (calls.file, "
                         "calls.inline) does not define",
                         j->source ? j->source : "?", node->u.send.tracking_line,
                         node->u.send.tracking_column, j->id, (int)j->version, node->id, pool);
                return SY_ERR_CONFIG;
            }
        }
        sy_err_t err = journey_rules_check(conf, j, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}
