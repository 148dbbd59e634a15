/* simulate_settings.c — the options of a service config that an offline run honours as
 * the service does (simulate.h's simulate_settings_apply): admission, consent and safety,
 * journey validation. Not the run itself (simulate.c). */
#include "simulate.h"

#include <assert.h>

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
    return err;
}
