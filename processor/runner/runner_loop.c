/* runner_loop.c — the service loop: poll records, up to RUNNER_TURN_RECORDS_MAX a turn,
 * decode each (an event: fire the timers its time passes, run the engine; a profile
 * update: merge it into the stored profile); commit when the batch is full, old or the
 * input idle; between batches, look for changed journeys. A record that is the input's
 * fault becomes a dead letter in the same transaction. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "engine_admit.h"
#include "engine_safety.h"
#include "log.h"
#include "runner_int.h"
#include "sy_clock.h"

static sy_err_t fire_timers(runner_t *r, int32_t partition, int64_t now_ms, char *errbuf,
                            size_t errbuf_size) {
    size_t fired = 0;
    assert(r->txn_state == RUNNER_TXN_OPEN);
    r->batch_partition = partition;
    sy_err_t err = engine_fire_timers(r->engine, partition, now_ms, &fired, errbuf,
                                      errbuf_size);
    r->batch.timers_fired += fired;
    return err;
}

/* An engine error on an input record: the input's fault goes to the dead-letter topic;
 * the rest stop the batch. */
static sy_err_t process_event(runner_t *r, const rd_kafka_message_t *m, const sy_event_t *ev,
                              char *errbuf, size_t errbuf_size) {
    assert(r->txn_state == RUNNER_TXN_OPEN && ev->contact_id);
    r->batch_partition = m->partition;
    if (r->config->time_mode == CONFIG_TIME_EVENT) {
        size_t fired = 0;
        sy_err_t err = engine_advance_stream_time(r->engine, m->partition, ev->occurred_at_ms,
                                                  &fired, errbuf, errbuf_size);
        r->batch.timers_fired += fired;
        if (err != SY_OK)
            return err;
    }
    sy_err_t err = campaign_event_begin(&r->campaign, m->partition, ev, errbuf, errbuf_size);
    if (err == SY_OK)
        err = engine_on_event(r->engine, m->partition, ev, errbuf, errbuf_size);
    campaign_event_end(&r->campaign);
    return err;
}

/* The checks before the engine (engine_admit.h): an implausible time is the input's
 * fault, a duplicate is counted and dropped. Only time.mode = wallclock reads the clock. */
static sy_err_t admit_event(runner_t *r, const rd_kafka_message_t *m, const sy_event_t *ev,
                            bool *duplicate, char *reason, size_t reason_size) {
    assert(r->txn_state == RUNNER_TXN_OPEN);
    const sy_config_t *c = r->config;
    engine_admit_conf_t conf = engine_admit_conf_from_config(c);
    int64_t wall_ms = c->time_mode == CONFIG_TIME_WALLCLOCK ? sy_clock_wall_ms() : INT64_MIN;
    sy_err_t err = engine_admit_event(r->store, &conf, m->partition, ev, wall_ms, duplicate,
                                      reason, reason_size);
    r->batch.duplicates += err == SY_OK && *duplicate;
    return err;
}

/* A profile update merges into the contact's stored profile, and its consent attributes
 * into the contact's consent (the engine's, as in simulate and replay). */
static sy_err_t process_profile(runner_t *r, const rd_kafka_message_t *m, char *reason,
                                size_t reason_size, char *errbuf, size_t errbuf_size) {
    sy_profile_update_t *update = r->profile_update;
    assert(r->txn_state == RUNNER_TXN_OPEN);
    const void *frame;
    size_t len;
    sy_err_t err = schema_registry_input(r->registry, SY_SCHEMA_PROFILE_UPDATE, m->payload,
                                         m->len, &frame, &len, reason, reason_size);
    if (err == SY_OK)
        err = codec_decode_profile_update(r->codec, frame, len, update, reason, reason_size);
    if (err != SY_OK && !sy_err_is_input_fault(err) && err != SY_ERR_LIMIT)
        snprintf(errbuf, errbuf_size, "%s", reason); /* the registry: not the record's fault */
    if (err == SY_OK && strlen(update->contact_id) > SY_ID_BYTES_MAX) {
        snprintf(reason, reason_size, "contact id longer than %d bytes", SY_ID_BYTES_MAX);
        return SY_ERR_LIMIT;
    }
    if (err != SY_OK)
        return err;
    err = engine_on_profile(r->engine, m->partition, update, reason, reason_size);
    if (err != SY_OK && err != SY_ERR_LIMIT)
        snprintf(errbuf, errbuf_size, "%s", reason);
    return err;
}

/* Count an events record by its type; ev NULL: it goes to the dead letters. */
static void input_count(runner_t *r, const sy_event_t *ev) {
    char type[64];
    assert(r->config->topic_events);
    if (!r->admin)
        return;
    if (ev)
        snprintf(type, sizeof type, "%s.%s", sy_channel_name(ev->channel),
                 sy_event_type_name(ev->type));
    runner_metrics_input(r, r->config->topic_events, ev ? type : "invalid");
}

static sy_err_t process_record(runner_t *r, const rd_kafka_message_t *m, char *errbuf,
                               size_t errbuf_size) {
    sy_event_t ev;
    char reason[512];
    sy_err_t err = runner_txn_begin(r, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    assert(!m->err);
    int side = runner_offsets_side(r, m);
    runner_offsets_track(r, side, m);
    r->batch.records++;
    if (side == RUNNER_SIDE_PROFILES) {
        err = process_profile(r, m, reason, sizeof reason, errbuf, errbuf_size);
        bool invalid = sy_err_is_input_fault(err) || err == SY_ERR_LIMIT;
        runner_metrics_input(r, r->config->topic_profiles, invalid ? "invalid" : "profile");
        if (!invalid)
            return err;
        return runner_dead_letter(r, m, err, reason, errbuf, errbuf_size);
    }
    const void *frame;
    size_t len;
    err = schema_registry_input(r->registry, SY_SCHEMA_ENGAGEMENT_EVENT, m->payload, m->len,
                                &frame, &len, reason, sizeof reason);
    if (err == SY_OK)
        err = codec_decode_event(r->codec, frame, len, &ev, reason, sizeof reason);
    if (err == SY_OK && strlen(ev.contact_id) > SY_ID_BYTES_MAX) {
        err = SY_ERR_LIMIT;
        snprintf(reason, sizeof reason, "contact id longer than %d bytes", SY_ID_BYTES_MAX);
    }
    bool duplicate = false;
    if (err == SY_OK)
        err = admit_event(r, m, &ev, &duplicate, reason, sizeof reason);
    input_count(r, err == SY_OK ? &ev : NULL);
    if (err == SY_OK)
        return duplicate ? SY_OK : process_event(r, m, &ev, errbuf, errbuf_size);
    if (sy_err_is_input_fault(err) || err == SY_ERR_LIMIT)
        return runner_dead_letter(r, m, err, reason, errbuf, errbuf_size);
    snprintf(errbuf, errbuf_size, "%s", reason);
    return err;
}

static sy_err_t fire_wallclock_timers(runner_t *r, char *errbuf, size_t errbuf_size) {
    int64_t now = sy_clock_mono_ms();
    if (r->config->time_mode != CONFIG_TIME_WALLCLOCK ||
        now - r->last_timer_scan_ms < RUNNER_TIMER_SCAN_MS)
        return SY_OK;
    r->last_timer_scan_ms = now;
    int64_t wall = sy_clock_wall_ms();
    for (int i = 0; i < r->assigned->cnt; i++) {
        state_timer_t next;
        int32_t p = r->assigned->elems[i].partition;
        if (strcmp(r->assigned->elems[i].topic, r->config->topic_events) != 0)
            continue; /* timers belong to the events partition of the same number */
        if (state_store_timer_next(r->store, p, wall, &next, errbuf, errbuf_size) != SY_OK)
            continue;
        assert(next.due_ms <= wall); /* a timer fires only once it is due */
        sy_err_t err = runner_txn_begin(r, errbuf, errbuf_size);
        if (err == SY_OK)
            err = fire_timers(r, p, wall, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
    }
    return SY_OK;
}

/* Whether the open batch closes now: the input idle, the batch full, or old enough. Old
 * enough while the batch before still commits, it takes records on (up to full): closing
 * it would wait for that commit with nothing processed meanwhile, and the turn after the
 * commit ends (runner_pipeline_drive) closes it. */
static int batch_due(const runner_t *r, int idle) {
    if (r->txn_state == RUNNER_TXN_IDLE)
        return 0;
    assert(r->txn_state == RUNNER_TXN_OPEN);
    return idle || r->batch.records >= (uint64_t)r->config->batch_records_max ||
           (!r->inflight.active &&
            sy_clock_mono_ms() - r->batch_started_ms >= r->config->commit_interval_ms);
}

/* One polled record (destroyed here): an error, a record processed here, or one of a
 * partition not processed here. */
static sy_err_t record_handle(runner_t *r, rd_kafka_message_t *m, char *errbuf,
                              size_t errbuf_size) {
    sy_err_t err = SY_OK;
    assert(m);
    if (m->err == RD_KAFKA_RESP_ERR__FATAL) {
        char why[256];
        rd_kafka_fatal_error(r->consumer, why, sizeof why);
        rd_kafka_message_destroy(m); /* before the consumer it belongs to goes */
        return runner_consumer_renew(r, why, errbuf, errbuf_size);
    }
    if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            log_warn("consumer: %s", rd_kafka_message_errstr(m));
    } else if (runner_restore_admit(r, m)) {
        err = process_record(r, m, errbuf, errbuf_size);
    } else {
        log_debug("record of %s [%" PRId32 "] at %" PRId64 " while the partition is not "
                  "processed here (restoring, or revoked): not consumed now",
                  rd_kafka_topic_name(m->rkt), m->partition, m->offset);
    }
    rd_kafka_message_destroy(m);
    return err;
}

/* Poll and process records until none is waiting (the first poll waits wait_ms), the
 * turn has taken RUNNER_TURN_RECORDS_MAX, the batch is due, a stop is asked, a record
 * fails or a callback failed (r->fatal). Each record is processed as it is polled:
 * nothing consumed is held over, and rebalance callbacks and errors are served between
 * records, as with one a turn. *taken: how many were polled. */
static sy_err_t records_take(runner_t *r, int wait_ms, size_t *taken, char *errbuf,
                             size_t errbuf_size) {
    sy_err_t err = SY_OK;
    assert(r->txn_state == RUNNER_TXN_IDLE || r->txn_state == RUNNER_TXN_OPEN);
    *taken = 0;
    while (err == SY_OK && r->fatal == SY_OK && *taken < RUNNER_TURN_RECORDS_MAX &&
           !atomic_load(r->stop) && !batch_due(r, 0)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r->consumer, *taken ? 0 : wait_ms);
        if (!m)
            break;
        ++*taken;
        err = record_handle(r, m, errbuf, errbuf_size);
    }
    return err;
}

/* Between batches (none open), a slice of the background restore of new partitions and
 * the standbys' placement and tailing. Their writes go around no sealed batch: a commit
 * still on its way ends first when there is such work (commits are not pipelined while
 * partitions restore, nor with standbys). */
static sy_err_t between_batches(runner_t *r, char *errbuf, size_t errbuf_size) {
    sy_err_t err = SY_OK;
    assert(r->txn_state == RUNNER_TXN_IDLE || r->txn_state == RUNNER_TXN_OPEN);
    if (r->txn_state != RUNNER_TXN_IDLE)
        return SY_OK;
    if (r->inflight.active && runner_restore_work_pending(r))
        err = runner_pipeline_finish(r, true, errbuf, errbuf_size);
    if (err != SY_OK || r->inflight.active || r->txn_state != RUNNER_TXN_IDLE)
        return err;
    if ((err = runner_standby_place(r, errbuf, errbuf_size)) != SY_OK)
        return err;
    return runner_restore_step(r, errbuf, errbuf_size);
}

/* The open batch when due: exactly_once closes it and its commit goes on while the next
 * batch is processed (runner_pipeline.c); at_least_once commits it. With the input idle a
 * commit still on its way is waited for: nothing would be processed meanwhile. */
static sy_err_t batch_end(runner_t *r, bool idle, char *errbuf, size_t errbuf_size) {
    sy_err_t err = SY_OK;
    assert(r->txn_state == RUNNER_TXN_IDLE || r->txn_state == RUNNER_TXN_OPEN);
    if (batch_due(r, idle))
        err = r->config->processing_guarantee == CONFIG_EXACTLY_ONCE
                  ? runner_pipeline_close(r, errbuf, errbuf_size)
                  : runner_txn_commit(r, errbuf, errbuf_size);
    if (err == SY_OK && idle && r->txn_state == RUNNER_TXN_IDLE && r->inflight.active)
        err = runner_pipeline_finish(r, true, errbuf, errbuf_size);
    return err;
}

/* One turn of the loop: up to RUNNER_TURN_RECORDS_MAX records, then the turn's work. */
static sy_err_t runner_step(runner_t *r, char *errbuf, size_t errbuf_size) {
    assert(r->txn_state == RUNNER_TXN_IDLE || r->txn_state == RUNNER_TXN_OPEN);
    admin_loop_turned(r->admin);
    sy_err_t err = between_batches(r, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    /* A batch open or committing, a scan, or partitions restoring: back soon, but not at
     * once (the restore slice reads what has come, and never waits while others are
     * processed). */
    int wait_ms = r->txn_state == RUNNER_TXN_OPEN || r->inflight.active || r->scan.busy ||
                          r->restore.count
                      ? RUNNER_IDLE_MS
                      : 100;
    size_t taken;
    err = records_take(r, wait_ms, &taken, errbuf, errbuf_size);
    bool idle = taken == 0;
    if (!runner_committer_running(r)) /* the committer's thread serves the reports then */
        rd_kafka_poll(r->producer, 0);
    if (err == SY_OK)
        err = runner_pipeline_drive(r, errbuf, errbuf_size);
    if (err == SY_OK)
        err = fire_wallclock_timers(r, errbuf, errbuf_size);
    if (err == SY_ERR_KAFKA_ABORT) {
        /* A produce failed (runner_produce said why in fatal_msg): redo the batch. */
        runner_txn_redo(r, r->fatal_msg);
        err = SY_OK;
    }
    if (err == SY_OK && r->fatal != SY_OK) {
        snprintf(errbuf, errbuf_size, "%s", r->fatal_msg);
        err = r->fatal;
    }
    if (err == SY_OK)
        err = batch_end(r, idle, errbuf, errbuf_size);
    /* Idle input: the committed state reaches RocksDB (what `inspect` reads) now. */
    if (err == SY_OK && idle && r->txn_state == RUNNER_TXN_IDLE && !r->inflight.active)
        err = state_store_checkpoint(r->store, errbuf, errbuf_size);
    if (err == SY_OK)
        err = runner_journeys_check(r, errbuf, errbuf_size);
    if (err == SY_OK)
        err = runner_scan_step(r, errbuf, errbuf_size);
    if (err == SY_OK)
        runner_progress_log(r);
    return err;
}

sy_err_t runner_run(runner_t *r, char *errbuf, size_t errbuf_size) {
    sy_err_t err = SY_OK;
    assert(r->txn_state == RUNNER_TXN_IDLE);
    log_info("consuming %s as group %s (transactional id %s, time mode %s)",
             r->config->topic_events, r->config->group_id, r->config->transactional_id,
             r->config->time_mode == CONFIG_TIME_EVENT ? "event" : "wallclock");
    while (!atomic_load(r->stop) && err == SY_OK)
        err = runner_step(r, errbuf, errbuf_size);
    if (err == SY_OK && r->fatal == SY_OK)
        err = runner_txn_commit(r, errbuf, errbuf_size);
    if (err == SY_OK && r->fatal != SY_OK) {
        snprintf(errbuf, errbuf_size, "%s", r->fatal_msg);
        err = r->fatal;
    }
    if (err == SY_OK && r->redo_pending) {
        /* Stopped while Kafka kept refusing the batch: an operating error, exit 1. */
        snprintf(errbuf, errbuf_size, "stopped before the batch could be committed (the "
                 "next start processes it again): %s", r->redo_why);
        err = SY_ERR_KAFKA_RETRIABLE;
    }
    if (err != SY_OK) {
        runner_txn_abandon(r); /* before the close: its revocation would commit it */
        rd_kafka_consumer_close(r->consumer);
        return err;
    }
    rd_kafka_consumer_close(r->consumer);
    rd_kafka_flush(r->producer, RUNNER_TXN_TIMEOUT_MS);
    runner_stats_t s;
    engine_safety_counts_t gate;
    runner_stats_get(r, &s);
    engine_safety_counts_get(r->engine, &gate);
    log_info("stopped: %" PRIu64 " records, %" PRIu64 " decisions, %" PRIu64
             " actions, %" PRIu64 " dead letters, %" PRIu64 " duplicates in %" PRIu64
             " transactions; %" PRIu64 " sends suppressed, %" PRIu64 " capped, %" PRIu64
             " held", s.records, s.decisions, s.actions, s.dead_letters, s.duplicates,
             s.transactions, gate.suppressed, gate.capped, gate.held);
    log_info("commit latency: p50 %.1f ms, p99 %.1f ms, max %.1f ms, mean %.1f ms; %" PRIu64
             " commits overlapped by the next batch",
             runner_commit_ms_quantile(&s, 0.50), runner_commit_ms_quantile(&s, 0.99),
             s.commit_ms_max, s.transactions ? s.commit_ms_total / (double)s.transactions : 0.0,
             s.overlapped);
    log_info("commit phases: acknowledge p50 %.1f ms, p99 %.1f ms; transaction p50 %.1f ms, "
             "p99 %.1f ms", runner_phase_ms_quantile(&s, RUNNER_PHASE_ACKNOWLEDGE, 0.50),
             runner_phase_ms_quantile(&s, RUNNER_PHASE_ACKNOWLEDGE, 0.99),
             runner_phase_ms_quantile(&s, RUNNER_PHASE_TRANSACTION, 0.50),
             runner_phase_ms_quantile(&s, RUNNER_PHASE_TRANSACTION, 0.99));
    return SY_OK;
}
