/* runner.c — opening the runner's parts and the consume → engine → produce loop. The
 * transaction handling is in runner_txn.c and the producing in runner_output.c. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "engine_safety.h"
#include "runner_int.h"
#include "sy_clock.h"

/* The engine's consent and suppression settings, from the config (docs/safety.md). */
static sy_err_t safety_init(runner_t *r, char *errbuf, size_t errbuf_size) {
    engine_safety_conf_t safety;
    assert(r->engine != NULL);
    sy_err_t err = engine_safety_conf_from_config(&safety, r->config, errbuf, errbuf_size);
    if (err == SY_OK)
        engine_safety_set(r->engine, &safety);
    return err;
}

/* Campaign metrics, counted into the batch's live counts; an engagement kind counts once
 * per message within the events' dedup window. */
static void campaign_open(runner_t *r) {
    const sy_config_t *c = r->config;
    assert(r->store && r->journeys);
    campaign_conf_t conf = {.journeys = &r->journeys->set, .store = r->store,
                            .window_ms = c->events_dedup_window_ms,
                            .marks_max = (size_t)c->events_dedup_ids_max,
                            .count = runner_counts_campaign, .ctx = r};
    campaign_init(&r->campaign, &conf);
}

sy_err_t runner_open(runner_t **out, const sy_config_t *config, const journey_set_t *journeys,
                     atomic_int *stop, char *errbuf, size_t errbuf_size) {
    sy_err_t err;
    assert(out && config && journeys && stop);
    runner_t *r = calloc(1, sizeof *r);
    if (!r)
        return SY_ERR_NOMEM;
    r->config = config;
    r->stop = stop;
    runner_retry_init(r);
    r->offsets = rd_kafka_topic_partition_list_new(16);
    r->inflight.offsets = rd_kafka_topic_partition_list_new(16); /* the spare */
    r->assigned = rd_kafka_topic_partition_list_new(0);
    r->restore.checked_max = -1;
    r->profile_update = malloc(sizeof *r->profile_update);
    if (!r->profile_update) {
        runner_close(r);
        return SY_ERR_NOMEM;
    }
    engine_sink_t sink = runner_sink_template;
    sink.ctx = r;
    if ((err = runner_journeys_init(r, journeys, errbuf, errbuf_size)) ||
        (err = runner_metrics_open(r, errbuf, errbuf_size)) ||
        (err = state_store_open(&r->store, config->state_dir, false,
                                (size_t)config->state_cache_bytes, errbuf, errbuf_size)) ||
        (err = codec_open(&r->codec, errbuf, errbuf_size)) ||
        (err = schema_registry_open(&r->registry, config, r->codec, stop, errbuf,
                                    errbuf_size)) ||
        (err = engine_open(&r->engine, &r->journeys->set, r->store, &sink, errbuf,
                           errbuf_size)) ||
        (err = safety_init(r, errbuf, errbuf_size)) ||
        (err = runner_producer_open(r, errbuf, errbuf_size)) ||
        (err = runner_calls_open(r, errbuf, errbuf_size)) ||
        (err = runner_changelog_open(r, errbuf, errbuf_size)) ||
        (err = runner_consumer_open(r, errbuf, errbuf_size)))
        goto fail;
    state_store_checkpoint_every(r->store, (unsigned)config->state_checkpoint_batches);
    if (state_store_contacts_warm(r->store, (size_t)config->state_cache_warm_bytes))
        log_info("state: the cache holds all the state in %s", config->state_dir);
    campaign_open(r);
    *out = r;
    return SY_OK;
fail:
    runner_close(r);
    return err;
}

void runner_close(runner_t *r) {
    if (!r)
        return;
    /* Closed between batches, or after an error that left one open. */
    assert(r->txn_state != RUNNER_TXN_COMMITTING);
    runner_metrics_close(r); /* first: the server's thread reads the journeys */
    runner_pipeline_free(r);
    runner_held_free(r);
    runner_standby_forget(r); /* its queue belongs to the consumer */
    runner_offsets_detach(r);
    if (r->consumer)
        rd_kafka_destroy(r->consumer);
    kafka_topics_clear(&r->producer_topics); /* before their producer */
    if (r->producer)
        rd_kafka_destroy(r->producer);
    runner_changelog_close(r);
    for (int ch = 0; ch < SY_CHANNEL__COUNT; ch++)
        free(r->action_topics[ch]);
    engine_close(r->engine);
    runner_calls_close(r);
    runner_journeys_deinit(r);
    free(r->profile_update);
    schema_registry_close(r->registry);
    codec_close(r->codec);
    state_store_close(r->store);
    rd_kafka_topic_partition_list_destroy(r->offsets);
    rd_kafka_topic_partition_list_destroy(r->assigned);
    free(r);
}

void runner_stats_get(const runner_t *r, runner_stats_t *out) {
    runner_t *m = (runner_t *)r; /* atomics are read, never written, here */
    assert(r && out);
    out->records = atomic_load(&m->total_records);
    out->decisions = atomic_load(&m->total_decisions);
    out->actions = atomic_load(&m->total_actions);
    out->contact_updates = atomic_load(&m->total_contact_updates);
    out->dead_letters = atomic_load(&m->total_dead_letters);
    out->timers_fired = atomic_load(&m->total_timers_fired);
    out->duplicates = atomic_load(&m->total_duplicates);
    out->transactions = atomic_load(&m->total_transactions);
    out->overlapped = atomic_load(&m->total_overlapped);
    out->commit_ms_total = (double)atomic_load(&m->commit_us_total) / 1000.0;
    out->commit_ms_max = (double)atomic_load(&m->commit_us_max) / 1000.0;
    for (int i = 0; i < RUNNER_COMMIT_BUCKETS; i++)
        out->commit_ms_histogram[i] = atomic_load(&m->commit_hist[i]);
    for (int p = 0; p < RUNNER_PHASES; p++) {
        out->phase_ms_max[p] = (double)atomic_load(&m->phase_us_max[p]) / 1000.0;
        for (int i = 0; i < RUNNER_COMMIT_BUCKETS; i++)
            out->phase_ms_histogram[p][i] = atomic_load(&m->phase_hist[p][i]);
    }
}
