/* replay.c — `switchyard replay` into its output: JSON lines (output_json.h) or the
 * config's output topics (output_kafka.h), dead letters included, through the event-time
 * driver of simulate.h, or through --threads workers of it (replay_parallel.c). Not the
 * input loop (replay_input.c), not what-if (replay_what_if.c). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output_json.h"
#include "output_kafka.h"
#include "replay_int.h"

/* The output, opened after the journeys loaded: the driver's sink forwards to it. */
typedef struct replay_output {
    output_json_t *json;   /* owned, or NULL */
    output_kafka_t *kafka; /* owned, or NULL */
    engine_sink_t sink;    /* json's or kafka's */
} replay_output_t;

static sy_err_t out_decision(void *ctx, const sy_decision_t *d) {
    replay_output_t *o = ctx;
    return o->sink.decision(o->sink.ctx, d);
}

static sy_err_t out_action(void *ctx, const sy_action_t *a) {
    replay_output_t *o = ctx;
    return o->sink.action(o->sink.ctx, a);
}

static sy_err_t out_contact_update(void *ctx, const sy_contact_update_t *u) {
    replay_output_t *o = ctx;
    return o->sink.contact_update(o->sink.ctx, u);
}

static sy_err_t out_conversion(void *ctx, const sy_conversion_t *c) {
    replay_output_t *o = ctx;
    return o->sink.conversion ? o->sink.conversion(o->sink.ctx, c) : SY_OK;
}

static sy_err_t out_dead_letter(void *ctx, const sy_dead_letter_t *dl, char *errbuf,
                                size_t errbuf_size) {
    replay_output_t *o = ctx;
    if (!o->json && !o->kafka)
        return SY_OK; /* a report-only run: dead letters are counted in the summary */
    return o->json ? output_json_dead_letter(o->json, dl, errbuf, errbuf_size)
                   : output_kafka_dead_letter(o->kafka, dl, errbuf, errbuf_size);
}

static sy_err_t discard_decision(void *ctx, const sy_decision_t *d) {
    (void)ctx;
    (void)d;
    return SY_OK; /* no assert: a report-only run drops its outputs */
}

static sy_err_t discard_action(void *ctx, const sy_action_t *a) {
    (void)ctx;
    (void)a;
    return SY_OK; /* no assert: idem */
}

static sy_err_t discard_contact_update(void *ctx, const sy_contact_update_t *u) {
    (void)ctx;
    (void)u;
    return SY_OK; /* no assert: idem */
}

static sy_err_t out_open(replay_output_t *o, const replay_conf_t *conf, char *errbuf,
                         size_t errbuf_size) {
    sy_err_t err;
    if (conf->report && !conf->output_path && !conf->output_config) {
        o->sink = (engine_sink_t){discard_decision, discard_action, discard_contact_update,
                                  NULL, NULL};
        return SY_OK;
    }
    if (conf->output_config) {
        err = output_kafka_open(&o->kafka, conf->output_config, conf->output_bootstrap,
                                errbuf, errbuf_size);
        if (err == SY_OK)
            o->sink = output_kafka_sink(o->kafka);
        return err;
    }
    err = output_json_open(&o->json, conf->output_path, errbuf, errbuf_size);
    if (err == SY_OK)
        o->sink = output_json_sink(o->json);
    return err;
}

/* Flush and close the output; the first error wins. */
static sy_err_t out_close(replay_output_t *o, sy_err_t err, char *errbuf,
                          size_t errbuf_size) {
    char close_error[512];
    sy_err_t closed = o->json ? output_json_close(o->json, close_error, sizeof close_error)
                              : output_kafka_close(o->kafka, close_error,
                                                   sizeof close_error);
    o->json = NULL;
    o->kafka = NULL;
    if (err == SY_OK && closed != SY_OK) {
        snprintf(errbuf, errbuf_size, "%s", close_error);
        return closed;
    }
    return err;
}

/* An output's failure reads better with the output's own reason. */
static void out_reason(const replay_output_t *o, char *errbuf, size_t errbuf_size) {
    const char *why = o->json    ? output_json_error(o->json)
                      : o->kafka ? output_kafka_error(o->kafka)
                                 : "";
    if (why[0] && !strstr(errbuf, why)) {
        size_t len = strlen(errbuf);
        snprintf(errbuf + len, errbuf_size - len, "%s%s", len ? ": " : "", why);
    }
}

/* The partitions call tracking shares each pool among: the service's, the events topic's
 * count (--events-partitions, else the topic's own); a recording does not hold it. */
static sy_err_t calls_partitions(const replay_conf_t *conf, const replay_input_t *input,
                                 int32_t *out, char *errbuf, size_t errbuf_size) {
    *out = conf->events_partitions > 0 ? conf->events_partitions
                                       : replay_input_topic_partitions(input);
    if (*out > 0)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "call tracking (calls.file, calls.inline) shares each pool "
             "among the events topic's partitions, which a recording does not hold: give "
             "--events-partitions N, the partition count of the recorded topic");
    return SY_ERR_CONFIG;
}

/* The workers of the run: conf->threads, or the online CPUs capped at 4 (an in-memory
 * store leaves its write-back thread idle until its unwritten writes reach their bound, so
 * a worker needs one core, not two); never more than the partitions. One for what stays on
 * one driver: a state directory (a store continued in place), the Kafka output (its
 * producer keeps the order it is handed), call tracking (its pools are shared among
 * partitions). */
static int replay_threads(const replay_conf_t *conf, const simulate_conf_t *sim_conf) {
    if (conf->state_dir || conf->output_config || sim_conf->calls)
        return 1;
    long threads = conf->threads;
    if (threads <= 0) {
        threads = sysconf(_SC_NPROCESSORS_ONLN);
        threads = threads < 1 ? 1 : threads > 4 ? 4 : threads;
    }
    if (threads > REPLAY_THREADS_MAX)
        threads = REPLAY_THREADS_MAX;
    return threads > conf->partitions ? (int)conf->partitions : (int)threads;
}

/* Open the driver, or threads workers of drivers (replay_parallel.c). */
static sy_err_t drivers_open(simulate_t **sim, replay_parallel_t **par,
                             const simulate_conf_t *sim_conf, int threads, char *errbuf,
                             size_t errbuf_size) {
    if (threads > 1)
        return replay_parallel_open(par, sim_conf, threads, sim_conf->report, errbuf,
                                    errbuf_size);
    return simulate_open(sim, sim_conf, errbuf, errbuf_size);
}

sy_err_t replay_run(const replay_conf_t *conf, replay_stats_t *stats, replay_stage_t *stage,
                    char *errbuf, size_t errbuf_size) {
    replay_output_t out = {0};
    campaign_report_t report = {0};
    engine_sink_t sink = {out_decision, out_action, out_contact_update, &out, out_conversion};
    simulate_conf_t sim_conf = {
        .journeys_dir = conf->journeys_dir, .sink = &sink, .state_dir = conf->state_dir,
        .partitions = conf->partitions, .until = conf->until, .until_ms = conf->until_ms,
        .report = conf->report ? &report : NULL};
    /* With --config, its events.*, consent.*, safety.* and journeys.* options apply, as in
     * the service. */
    simulate_settings_t settings;
    sy_err_t err = simulate_settings_apply(&sim_conf, &settings, conf->output_config, errbuf,
                                           errbuf_size);
    replay_input_t *input = NULL;
    simulate_t *sim = NULL;
    replay_parallel_t *par = NULL;
    *stats = (replay_stats_t){0};
    *stage = REPLAY_STAGE_OPEN;
    if (err == SY_OK)
        err = replay_input_open(&input, conf, errbuf, errbuf_size);
    if (err == SY_OK && sim_conf.calls)
        err = calls_partitions(conf, input, &sim_conf.calls_partitions, errbuf, errbuf_size);
    if (err == SY_OK)
        err = drivers_open(&sim, &par, &sim_conf, replay_threads(conf, &sim_conf), errbuf,
                           errbuf_size);
    /* The recording's blocks were checked meanwhile: a damaged file says so before any
     * other error, as when it was checked first (the check writes errbuf only then). */
    sy_err_t checked = input ? replay_input_checked(input, errbuf, errbuf_size) : SY_OK;
    if (checked != SY_OK)
        err = checked;
    if (err == SY_OK)
        err = out_open(&out, conf, errbuf, errbuf_size);
    if (err == SY_OK) {
        *stage = REPLAY_STAGE_RUN;
        err = par ? replay_parallel_drive(par, input, out.json, conf->progress, stats,
                                          errbuf, errbuf_size)
                  : replay_drive(input, &sim, 1, out_dead_letter, &out, conf->progress,
                                 stats, errbuf, errbuf_size);
        if (err != SY_OK)
            out_reason(&out, errbuf, errbuf_size);
    }
    if (out.json || out.kafka)
        err = out_close(&out, err, errbuf, errbuf_size);
    if (err == SY_OK && conf->report)
        err = campaign_report_write(&report,
                                    par ? replay_parallel_journeys(par)
                                        : simulate_journeys(sim),
                                    conf->report_json, conf->report, errbuf, errbuf_size);
    campaign_report_deinit(&report);
    replay_parallel_close(par);
    simulate_close(sim);
    simulate_settings_free(&settings);
    replay_input_close(input);
    return err;
}
