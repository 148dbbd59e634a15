/* simulate_settings.c — the options of a service config that an offline run honours as
 * the service does (simulate.h's simulate_settings_apply): admission, consent and safety,
 * journey validation. Not the run itself (simulate.c). */
#include "simulate.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Call tracking: the pools and rules of calls.file or calls.inline, when one is set. */
static sy_err_t settings_calls(simulate_settings_t *settings, const sy_config_t *config,
                               char *errbuf, size_t errbuf_size) {
    bool file = config->calls_file && config->calls_file[0];
    bool inline_doc = config->calls_inline && config->calls_inline[0];
    assert(settings->calls == NULL);
    if (file && inline_doc) {
        snprintf(errbuf, errbuf_size, "calls.file and calls.inline are both set: use one");
        return SY_ERR_CONFIG;
    }
    if (!file && !inline_doc)
        return SY_OK;
    if (!(settings->calls = calloc(1, sizeof *settings->calls)))
        return SY_ERR_NOMEM;
    return file ? engine_calls_conf_load(settings->calls, config->calls_file, errbuf,
                                         errbuf_size)
                : engine_calls_conf_parse(settings->calls, config->calls_inline,
                                          strlen(config->calls_inline), "calls.inline",
                                          errbuf, errbuf_size);
}

sy_err_t simulate_settings_apply(simulate_conf_t *conf, simulate_settings_t *settings,
                                 const sy_config_t *config, char *errbuf,
                                 size_t errbuf_size) {
    assert(conf != NULL && settings != NULL);
    settings->admit = config ? engine_admit_conf_from_config(config)
                             : engine_admit_conf_default();
    settings->journey_opts = (journey_load_opts_t){
        .loop_period_min_ms = config ? config->journeys_loop_period_min_ms
                                     : JOURNEY_LOOP_PERIOD_MIN_MS_DEFAULT};
    engine_safety_conf_default(&settings->safety);
    sy_err_t err = config ? engine_safety_conf_from_config(&settings->safety, config, errbuf,
                                                           errbuf_size)
                          : SY_OK;
    conf->admit = &settings->admit;
    conf->safety = &settings->safety;
    conf->journey_opts = &settings->journey_opts;
    settings->calls = NULL;
    conf->calls = NULL;
    if (err == SY_OK && config)
        err = settings_calls(settings, config, errbuf, errbuf_size);
    conf->calls = settings->calls;
    return err;
}

void simulate_settings_free(simulate_settings_t *settings) {
    assert(settings);
    engine_calls_conf_free(settings->calls);
    free(settings->calls);
    settings->calls = NULL;
}
