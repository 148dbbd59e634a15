/* config_int.h — private details shared by the config module's files: the option table
 * that drives parsing, validation, --help and docs, and the helpers around it.
 * Not for other modules: they use config.h. */
#ifndef SY_CONFIG_INT_H
#define SY_CONFIG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Prefix of the keys passed through to librdkafka. */
#define CONFIG_KAFKA_PREFIX "kafka."
#define CONFIG_KAFKA_PREFIX_LEN (sizeof CONFIG_KAFKA_PREFIX - 1)

/* The pass-through property every deployment must set. */
#define CONFIG_KAFKA_REQUIRED "bootstrap.servers"

/* Stands for the file name in messages about config_set. */
#define CONFIG_OVERRIDE_SOURCE "<override>"

/* Kafka refuses topic names longer than this (sy_limits.h). */
#define CONFIG_TOPIC_BYTES_MAX SY_TOPIC_BYTES_MAX

/* A prefix leaves room for a name of its own: at least 49 bytes of the 249. */
#define CONFIG_TOPIC_PREFIX_BYTES_MAX 200

typedef enum config_type {
    CONFIG_TYPE_STRING, /* text, its length within [min, max] */
    CONFIG_TYPE_PATH,   /* made absolute against the config's base directory */
    CONFIG_TYPE_INT,    /* decimal int64 within [min, max] */
    CONFIG_TYPE_ENUM,   /* one of words; stored as the word's index */
} config_type_t;

typedef enum config_check {
    CONFIG_CHECK_NONE,
    CONFIG_CHECK_TOPIC, /* only Kafka topic name characters: [a-zA-Z0-9._-] */
} config_check_t;

/* One row of the option table. */
typedef struct config_option {
    const char *name;
    config_type_t type;
    const char *default_value;  /* as written in a file; NULL: the option is required */
    const char *default_shown;  /* for --help when the default needs words; else NULL */
    int64_t min;                /* int: smallest value; string, path: shortest length */
    int64_t max;                /* int: largest value; string, path: longest length */
    const char *const *words;   /* enum: allowed words, NULL-terminated; index = value */
    config_check_t check;
    size_t offset;              /* of the field in sy_config_t */
    const char *doc;
} config_option_t;

extern const config_option_t config_options[];
extern const size_t config_options_count;

/* The option called name, or NULL. */
const config_option_t *config_option_find(const char *name);

/* The known option closest to name when it is close enough to be a likely typo, else
 * NULL. A name librdkafka knows suggests its kafka.-prefixed form. Writes the suggestion
 * into buf. */
const char *config_option_suggest(const char *name, char *buf, size_t buf_size);

/* Validate value for opt and store it in config; on error config is unchanged and errbuf
 * reads "<where>: <name>: <problem>". base_dir (absolute) resolves relative paths. */
sy_err_t config_option_set(sy_config_t *config, const config_option_t *opt,
                           const char *value, const char *where, const char *base_dir,
                           char *errbuf, size_t errbuf_size);

/* The option's allowed range or values as text for --help and docs ("" when any). */
void config_option_range(const config_option_t *opt, char *buf, size_t buf_size);

/* A config holding every default; required options are NULL. */
sy_err_t config_new_defaults(sy_config_t **out);

/* Append or replace the pass-through property name (without prefix). Copies both. */
sy_err_t config_kafka_put(sy_config_t *config, const char *name, const char *value);

/* Append the pass-through property name, which the caller knows is not set yet (a file's
 * parser, which refuses repeats): no search through the earlier ones. Copies both. */
sy_err_t config_kafka_append(sy_config_t *config, const char *name, const char *value);

/* Set transactional_id to <group.id>-<hostname>-<fnv1a32(state.dir)> for a config whose
 * state_dir is set. */
sy_err_t config_txn_id_derive(sy_config_t *config);

/* True when the config's transactional id is the one derived from its current values. */
int config_txn_id_is_derived(const sy_config_t *config);

/* The derived transactional id for group_id and state_dir, in a new string; NULL on
 * allocation failure. */
char *config_txn_id_format(const char *group_id, const char *state_dir);

/* True when opt is topic.prefix. */
int config_option_is_topic_prefix(const config_option_t *opt);

/* Prepend topic.prefix to the topic name options. changed NULL: after a whole file was
 * read, every name is as written. changed = topic.prefix: the names hold old_prefix, which
 * the new prefix replaces. Any other topic option: only that name, as just set, gets the
 * prefix (other options: nothing to do). Checks every length first: on SY_ERR_CONFIG
 * (a name too long, errbuf starting with where) no name changed. */
sy_err_t config_topic_prefix_apply(sy_config_t *config, const config_option_t *changed,
                                   const char *old_prefix, const char *where, char *errbuf,
                                   size_t errbuf_size);

/* The current working directory in a new string, or NULL (errno set). */
char *config_cwd(void);

#endif
