/* config_prefix.c — topic.prefix: prepending it to every topic name option once a file is
 * read, and keeping names right when config_set changes a name or the prefix. Not the
 * checks of a name's characters (config_value.c). */
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

static char **config_topic_field(sy_config_t *config, const config_option_t *opt) {
    return (char **)((char *)config + opt->offset);
}

int config_option_is_topic_prefix(const config_option_t *opt) {
    return opt->offset == offsetof(sy_config_t, topic_prefix);
}

/* True when opt names a topic (or the action topics' prefix) that topic.prefix goes in
 * front of. */
static int config_option_is_topic_name(const config_option_t *opt) {
    return opt->check == CONFIG_CHECK_TOPIC && !config_option_is_topic_prefix(opt);
}

/* True when applying the prefix after setting changed touches opt. */
static int config_prefix_targets(const config_option_t *changed, const config_option_t *opt) {
    if (!config_option_is_topic_name(opt))
        return 0;
    return !changed || config_option_is_topic_prefix(changed) || changed == opt;
}

sy_err_t config_topic_prefix_apply(sy_config_t *config, const config_option_t *changed,
                                   const char *old_prefix, const char *where, char *errbuf,
                                   size_t errbuf_size) {
    const char *prefix = config->topic_prefix ? config->topic_prefix : "";
    /* Only a new prefix replaces the old one; a name just set holds none. */
    size_t strip = changed && config_option_is_topic_prefix(changed) ? strlen(old_prefix) : 0;

    for (size_t i = 0; i < config_options_count; i++) {
        const config_option_t *opt = &config_options[i];
        if (!config_prefix_targets(changed, opt))
            continue;
        const char *name = *config_topic_field(config, opt) + strip;
        size_t len = strlen(prefix) + strlen(name);
        if ((int64_t)len > opt->max) {
            sy_errf(errbuf, errbuf_size, "%s: %s: topic.prefix '%s' and '%s' make %zu "
                    "bytes, above the maximum %lld", where, opt->name, prefix, name, len,
                    (long long)opt->max);
            return SY_ERR_CONFIG;
        }
    }
    for (size_t i = 0; i < config_options_count; i++) {
        const config_option_t *opt = &config_options[i];
        if (!config_prefix_targets(changed, opt))
            continue;
        char **field = config_topic_field(config, opt);
        size_t len = strlen(prefix) + strlen(*field + strip) + 1;
        char *name = malloc(len);
        if (!name) {
            sy_errf(errbuf, errbuf_size, "%s: out of memory", where);
            return SY_ERR_NOMEM;
        }
        memcpy(name, prefix, strlen(prefix));
        memcpy(name + strlen(prefix), *field + strip, len - strlen(prefix));
        free(*field);
        *field = name;
    }
    return SY_OK;
}
