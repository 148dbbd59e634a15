/* config.c — life of a config once read: defaults, single-option overrides, the derived
 * transactional id, the kafka.* pass-through list and applying it to librdkafka.
 * Reading files is config_parse.c; the option table is config_options.c. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_int.h"
#include "log.h"
#include "sy_hash.h"

/* Room for a host name: POSIX HOST_NAME_MAX is 255 on Linux. */
#define CONFIG_HOSTNAME_BYTES_MAX 256

/* Room for a working directory path: PATH_MAX on Linux. */
#define CONFIG_CWD_BYTES_MAX 4096

char *config_cwd(void) {
    char buf[CONFIG_CWD_BYTES_MAX];

    if (!getcwd(buf, sizeof buf))
        return NULL;
    return strdup(buf);
}

sy_err_t config_new_defaults(sy_config_t **out) {
    sy_config_t *config = calloc(1, sizeof *config);
    char errbuf[256];

    if (!config)
        return SY_ERR_NOMEM;
    for (size_t i = 0; i < config_options_count; i++) {
        const config_option_t *opt = &config_options[i];
        sy_err_t err;

        if (!opt->default_value)
            continue;
        err = config_option_set(config, opt, opt->default_value, "<default>", "/", errbuf,
                                sizeof errbuf);
        /* A default the table's own checks refuse is a programmer error. */
        assert(err == SY_OK || err == SY_ERR_NOMEM);
        if (err != SY_OK) {
            config_free(config);
            return err;
        }
    }
    *out = config;
    return SY_OK;
}

void config_free(sy_config_t *config) {
    if (!config)
        return;
    for (size_t i = 0; i < config_options_count; i++) {
        const config_option_t *opt = &config_options[i];
        if (opt->type == CONFIG_TYPE_STRING || opt->type == CONFIG_TYPE_PATH)
            free(*(char **)((char *)config + opt->offset));
    }
    for (size_t i = 0; i < config->kafka_count; i++) {
        free(config->kafka_names[i]);
        free(config->kafka_values[i]);
    }
    free(config->kafka_names);
    free(config->kafka_values);
    free(config->source);
    free(config);
}

char *config_txn_id_format(const char *group_id, const char *state_dir) {
    char host[CONFIG_HOSTNAME_BYTES_MAX];
    char *id = NULL;

    if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    uint32_t hash = sy_hash_fnv1a32(SY_HASH_FNV32_OFFSET, state_dir, strlen(state_dir));
    if (asprintf(&id, "%s-%s-%08x", group_id, host, (unsigned)hash) < 0)
        return NULL;
    return id;
}

sy_err_t config_txn_id_derive(sy_config_t *config) {
    char *id;

    if (!config->state_dir || !config->group_id)
        return SY_OK;
    id = config_txn_id_format(config->group_id, config->state_dir);
    if (!id)
        return SY_ERR_NOMEM;
    free(config->transactional_id);
    config->transactional_id = id;
    return SY_OK;
}

int config_txn_id_is_derived(const sy_config_t *config) {
    char *derived;
    int same;

    if (!config->state_dir || !config->group_id || !config->transactional_id)
        return 0;
    derived = config_txn_id_format(config->group_id, config->state_dir);
    same = derived && strcmp(derived, config->transactional_id) == 0;
    free(derived);
    return same;
}

sy_err_t config_kafka_put(sy_config_t *config, const char *name, const char *value) {
    for (size_t i = 0; i < config->kafka_count; i++) {
        if (strcmp(config->kafka_names[i], name) == 0) {
            char *value_copy = strdup(value);
            if (!value_copy)
                return SY_ERR_NOMEM;
            free(config->kafka_values[i]);
            config->kafka_values[i] = value_copy;
            return SY_OK;
        }
    }
    return config_kafka_append(config, name, value);
}

sy_err_t config_kafka_append(sy_config_t *config, const char *name, const char *value) {
    char *name_copy = NULL, *value_copy = strdup(value);
    char **names, **values;

    if (!value_copy)
        goto fail;
    name_copy = strdup(name);
    if (!name_copy)
        goto fail;
    names = realloc(config->kafka_names, (config->kafka_count + 1) * sizeof *names);
    if (!names)
        goto fail;
    config->kafka_names = names;
    values = realloc(config->kafka_values, (config->kafka_count + 1) * sizeof *values);
    if (!values)
        goto fail;
    config->kafka_values = values;
    names[config->kafka_count] = name_copy;
    values[config->kafka_count] = value_copy;
    config->kafka_count++;
    return SY_OK;
fail:
    free(name_copy);
    free(value_copy);
    return SY_ERR_NOMEM;
}

char *config_action_topic(const sy_config_t *config, sy_channel_t channel) {
    size_t len = strlen(config->topic_actions_prefix) + strlen(sy_channel_name(channel)) + 1;
    char *topic = malloc(len);
    if (topic)
        snprintf(topic, len, "%s%s", config->topic_actions_prefix, sy_channel_name(channel));
    return topic;
}

const char *config_kafka_get(const sy_config_t *config, const char *name) {
    assert(config && name);
    for (size_t i = 0; i < config->kafka_count; i++) {
        if (strcmp(config->kafka_names[i], name) == 0)
            return config->kafka_values[i];
    }
    return NULL;
}

/* librdkafka's log callback, on its own threads (log_write is thread-safe). Syslog
 * levels: 0-3 emergency to error, 4 warning, 5-6 notice and info, 7 debug. */
static void config_kafka_log(const rd_kafka_t *rk, int level, const char *facility,
                             const char *message) {
    log_level_t to = level <= 3 ? LOG_ERROR : level == 4 ? LOG_WARN
                   : level <= 6 ? LOG_INFO : LOG_DEBUG;
    log_write_component(to, "kafka", "%s %s: %s", rk ? rd_kafka_name(rk) : "-", facility,
                        message);
}

rd_kafka_conf_t *config_kafka_conf_new(void) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (conf)
        rd_kafka_conf_set_log_cb(conf, config_kafka_log);
    return conf;
}

sy_err_t config_apply_kafka(const sy_config_t *config, rd_kafka_conf_t *conf, char *errbuf,
                            size_t errbuf_size) {
    char reason[512];

    assert(config && conf);
    for (size_t i = 0; i < config->kafka_count; i++) {
        reason[0] = '\0';
        if (rd_kafka_conf_set(conf, config->kafka_names[i], config->kafka_values[i], reason,
                              sizeof reason) != RD_KAFKA_CONF_OK) {
            sy_errf(errbuf, errbuf_size, "%s: %s%s: %s",
                    config->source ? config->source : CONFIG_OVERRIDE_SOURCE,
                    CONFIG_KAFKA_PREFIX, config->kafka_names[i], reason);
            return SY_ERR_CONFIG;
        }
    }
    return SY_OK;
}
