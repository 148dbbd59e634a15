/* demo_loop.c — the demo's lock-step: produce the next step of the world's events, wait
 * until the service committed them, read what it produced, let the simulated providers
 * answer, and go on until the world has no events left. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "demo.h"

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int produce_event(demo_t *d, const channel_sim_event_t *sim_ev, char *errbuf,
                         size_t errbuf_size) {
    sy_event_t ev;
    const void *frame;
    size_t len;
    channel_sim_event_view(sim_ev, &ev);
    if (codec_encode_event(d->codec, &ev, &frame, &len, errbuf, errbuf_size) != SY_OK)
        return 0;
    rd_kafka_resp_err_t err = rd_kafka_producev(
        d->producer, RD_KAFKA_V_TOPIC(d->config->topic_events),
        RD_KAFKA_V_KEY(ev.contact_id, strlen(ev.contact_id)),
        RD_KAFKA_V_VALUE((void *)frame, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_END);
    if (err) {
        snprintf(errbuf, errbuf_size, "produce event: %s", rd_kafka_err2str(err));
        return 0;
    }
    d->produced++;
    return 1;
}

static uint64_t outputs_committed(const runner_stats_t *s) {
    return s->decisions + s->actions + s->contact_updates;
}

/* Wait until the service committed every produced event; its outputs are then final. */
static int wait_committed(demo_t *d, runner_stats_t *s, char *errbuf, size_t errbuf_size) {
    for (int waited = 0; waited < DEMO_STEP_TIMEOUT_MS; waited += 2) {
        runner_stats_get(d->runner, s);
        if (s->records >= d->produced)
            return 1;
        if (atomic_load(&d->stop)) {
            snprintf(errbuf, errbuf_size, "the service stopped: %s", d->runner_errbuf);
            return 0;
        }
        sleep_ms(2);
    }
    snprintf(errbuf, errbuf_size, "the service did not commit %" PRIu64 " events in %d ms",
             d->produced, DEMO_STEP_TIMEOUT_MS);
    return 0;
}

static int handle_output(demo_t *d, const rd_kafka_message_t *m, int64_t step_end_ms,
                         char *errbuf, size_t errbuf_size) {
    sy_schema_id_t id;
    union {
        sy_decision_t decision;
        sy_action_t action;
        sy_contact_update_t update;
    } rec;
    if (codec_frame_schema(m->payload, m->len, &id, errbuf, errbuf_size) != SY_OK)
        return 0;
    if (id == SY_SCHEMA_ROUTING_DECISION &&
        codec_decode_decision(d->codec, m->payload, m->len, &rec.decision, errbuf,
                              errbuf_size) == SY_OK)
        demo_report_decision(&d->report, &rec.decision);
    else if ((id == SY_SCHEMA_ACTION_COMMAND || id == SY_SCHEMA_ACTION_COMMAND_V1) &&
             codec_decode_action(d->codec, m->payload, m->len, &rec.action, errbuf,
                                 errbuf_size) == SY_OK) {
        demo_report_action(&d->report, &rec.action);
        if (!demo_world_answer(&d->world, &rec.action, step_end_ms)) {
            snprintf(errbuf, errbuf_size, "out of memory");
            return 0;
        }
    } else if (id == SY_SCHEMA_CONTACT_UPDATE &&
               codec_decode_contact_update(d->codec, m->payload, m->len, &rec.update, errbuf,
                                           errbuf_size) == SY_OK)
        demo_report_contact_update(&d->report, &rec.update);
    else
        return 0;
    d->outputs_seen++;
    return 1;
}

/* Read outputs until every committed one was seen. */
static int read_outputs(demo_t *d, const runner_stats_t *s, int64_t step_end_ms,
                        char *errbuf, size_t errbuf_size) {
    int64_t waited = 0;
    while (d->outputs_seen < outputs_committed(s)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(d->consumer, 10);
        if (!m) {
            if ((waited += 10) > DEMO_STEP_TIMEOUT_MS) {
                snprintf(errbuf, errbuf_size, "committed outputs did not arrive");
                return 0;
            }
            continue;
        }
        int ok = m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF ||
                 (!m->err && handle_output(d, m, step_end_ms, errbuf, errbuf_size));
        if (!ok && m->err)
            snprintf(errbuf, errbuf_size, "read outputs: %s", rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
        if (!ok)
            return 0;
    }
    return 1;
}

/* Every contact's profile, before the world starts: journeys read first names, lifetime
 * values and time zones. */
static int produce_profiles(demo_t *d, char *errbuf, size_t errbuf_size) {
    static sy_profile_update_t update; /* large: attribute arrays of the limit */
    demo_profile_t profile;
    for (size_t i = 0; i < d->contacts; i++) {
        const void *frame;
        size_t len;
        demo_world_profile(&d->world, i, &profile, &update);
        if (codec_encode_profile_update(d->codec, &update, &frame, &len, errbuf,
                                        errbuf_size) != SY_OK)
            return 0;
        rd_kafka_resp_err_t err = rd_kafka_producev(
            d->producer, RD_KAFKA_V_TOPIC(d->config->topic_profiles),
            RD_KAFKA_V_KEY(profile.contact_id, strlen(profile.contact_id)),
            RD_KAFKA_V_VALUE((void *)frame, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_END);
        if (err) {
            snprintf(errbuf, errbuf_size, "produce profile: %s", rd_kafka_err2str(err));
            return 0;
        }
        d->produced++;
    }
    return 1;
}

sy_err_t demo_simulate(demo_t *d, char *errbuf, size_t errbuf_size) {
    runner_stats_t stats;
    channel_sim_event_t ev;
    if (!produce_profiles(d, errbuf, errbuf_size))
        return SY_ERR_KAFKA_FATAL;
    rd_kafka_flush(d->producer, DEMO_STEP_TIMEOUT_MS);
    if (!wait_committed(d, &stats, errbuf, errbuf_size))
        return SY_ERR_KAFKA_FATAL;
    for (int64_t t = DEMO_WORLD_START_MS; d->world.count; t += DEMO_STEP_MS) {
        int64_t step_end = t + DEMO_STEP_MS;
        while (demo_world_next(&d->world, step_end, &ev))
            if (!produce_event(d, &ev, errbuf, errbuf_size))
                return SY_ERR_KAFKA_FATAL;
        rd_kafka_flush(d->producer, DEMO_STEP_TIMEOUT_MS);
        if (!wait_committed(d, &stats, errbuf, errbuf_size) ||
            !read_outputs(d, &stats, step_end, errbuf, errbuf_size))
            return SY_ERR_KAFKA_FATAL;
    }
    printf("The world ran for %d simulated hours in %d-minute steps.\n",
           (int)(DEMO_WORLD_HORIZON_MS / DEMO_HOUR_MS), (int)(DEMO_STEP_MS / 60000));
    demo_report_print(&d->report, stdout, &stats, d->world.entries, d->world.engagements,
                      d->world.app_opens);
    return SY_OK;
}
