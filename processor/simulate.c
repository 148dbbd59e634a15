/* simulate.c — the engine driven from a JSON-lines file in event time, outputs written as
 * JSON lines (codec_to_json of each encoded record, as docs/records.md renders them).
 * Nothing here reads a clock or depends on an address, so the output is a function of the
 * input and the journeys. Not the option parsing: cli_simulate.c. */
#include "simulate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "codec.h"
#include "engine.h"
#include "event_json.h"
#include "journey.h"
#include "state_store.h"

struct simulate {
    simulate_conf_t conf;
    FILE *output;             /* owned, unless it is stdout */
    journey_set_t *journeys;  /* owned */
    state_store_t *store;     /* owned, in memory */
    codec_t *codec;           /* owned */
    engine_t *engine;         /* owned */
    int64_t latest_ms;        /* highest input time seen, INT64_MIN before any */
    uint64_t uncommitted;     /* records and timers since the last commit */
    simulate_stats_t stats;
    char sink_error[512];     /* why a sink call failed: the sink has no errbuf */
};

/* ---- outputs ---- */

/* Write the frame just encoded (err is the encoder's result) as one JSON line. */
static sy_err_t sim_emit(simulate_t *s, sy_err_t err, const void *frame, size_t len) {
    char *json = NULL;
    if (err == SY_OK)
        err = codec_to_json(s->codec, frame, len, &json, s->sink_error, sizeof s->sink_error);
    if (err != SY_OK)
        return err;
    fputs(json, s->output);
    fputc('\n', s->output);
    free(json);
    return SY_OK;
}

static sy_err_t sim_decision(void *ctx, const sy_decision_t *decision) {
    simulate_t *s = ctx;
    const void *frame = NULL;
    size_t len = 0;
    s->stats.decisions++;
    sy_err_t err = codec_encode_decision(s->codec, decision, &frame, &len, s->sink_error,
                                         sizeof s->sink_error);
    return sim_emit(s, err, frame, len);
}

static sy_err_t sim_action(void *ctx, const sy_action_t *action) {
    simulate_t *s = ctx;
    const void *frame = NULL;
    size_t len = 0;
    s->stats.actions++;
    sy_err_t err = codec_encode_action(s->codec, action, &frame, &len, s->sink_error,
                                       sizeof s->sink_error);
    return sim_emit(s, err, frame, len);
}

static sy_err_t sim_contact_update(void *ctx, const sy_contact_update_t *update) {
    simulate_t *s = ctx;
    const void *frame = NULL;
    size_t len = 0;
    s->stats.contact_updates++;
    sy_err_t err = codec_encode_contact_update(s->codec, update, &frame, &len, s->sink_error,
                                               sizeof s->sink_error);
    return sim_emit(s, err, frame, len);
}

/* ---- open, close ---- */

/* The output file, created once the journeys are known to be good. */
static sy_err_t sim_output_open(simulate_t *s, const char *path, char *errbuf,
                                size_t errbuf_size) {
    if (!path || strcmp(path, "-") == 0) {
        s->output = stdout;
        return SY_OK;
    }
    s->output = fopen(path, "w");
    if (s->output)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "%s: %s", path, strerror(errno));
    return SY_ERR_IO;
}

sy_err_t simulate_open(simulate_t **out, const simulate_conf_t *conf, char *errbuf,
                       size_t errbuf_size) {
    sy_err_t err = SY_ERR_NOMEM;
    if (conf->partitions < 1 || conf->partitions > STATE_PARTITIONS_MAX) {
        snprintf(errbuf, errbuf_size, "partitions must be 1..%d, not %d",
                 STATE_PARTITIONS_MAX, (int)conf->partitions);
        return SY_ERR_INVALID_ARG;
    }
    simulate_t *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(errbuf, errbuf_size, "out of memory");
        goto fail;
    }
    s->conf = *conf;
    s->conf.journeys_dir = NULL; /* borrowed for this call only */
    s->conf.output_path = NULL;
    s->latest_ms = INT64_MIN;
    engine_sink_t sink = {sim_decision, sim_action, sim_contact_update, s};
    if ((err = journey_set_load_dir(&s->journeys, conf->journeys_dir, errbuf,
                                    errbuf_size)) != SY_OK ||
        (err = sim_output_open(s, conf->output_path, errbuf, errbuf_size)) != SY_OK ||
        (err = state_store_open(&s->store, "switchyard-simulate", true,
                                STATE_CACHE_BYTES_DEFAULT, errbuf,
                                errbuf_size)) != SY_OK ||
        (err = codec_open(&s->codec, errbuf, errbuf_size)) != SY_OK ||
        (err = engine_open(&s->engine, s->journeys, s->store, &sink, errbuf, errbuf_size)) !=
            SY_OK)
        goto fail;
    *out = s;
    return SY_OK;
fail:
    simulate_close(s);
    return err;
}

void simulate_close(simulate_t *s) {
    if (!s)
        return;
    engine_close(s->engine);
    codec_close(s->codec);
    state_store_close(s->store);
    if (s->output && s->output != stdout)
        fclose(s->output);
    if (s->journeys)
        journey_set_free(s->journeys);
    free(s);
}

void simulate_stats_get(const simulate_t *s, simulate_stats_t *out) {
    *out = s->stats;
}

/* ---- partitions, time, commits ---- */

int32_t simulate_partition(const char *contact_id, int32_t partitions) {
    /* MurmurHash2 as Kafka's Java client computes it (Utils.murmur2). */
    const uint32_t m = 0x5bd1e995, seed = 0x9747b28c;
    const unsigned char *data = (const unsigned char *)contact_id;
    size_t len = strlen(contact_id), i = 0;
    uint32_t h = seed ^ (uint32_t)len;
    for (; i + 4 <= len; i += 4) {
        uint32_t k = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 |
                     (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24;
        k *= m;
        k ^= k >> 24;
        k *= m;
        h = h * m ^ k;
    }
    switch (len - i) {
    case 3:
        h ^= (uint32_t)data[i + 2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)data[i + 1] << 8;
        /* fall through */
    case 1:
        h ^= data[i];
        h *= m;
        break;
    default:
        break;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)((h & 0x7fffffff) % (uint32_t)partitions);
}

/* Commit the store once SIMULATE_COMMIT_RECORDS records or timers are pending. */
static sy_err_t sim_commit_due(simulate_t *s, uint64_t added, char *errbuf,
                               size_t errbuf_size) {
    s->uncommitted += added;
    if (s->uncommitted < SIMULATE_COMMIT_RECORDS)
        return SY_OK;
    s->uncommitted = 0;
    return state_store_commit(s->store, errbuf, errbuf_size);
}

/* An engine error: the sink's reason when a sink failed, prefixed with where. */
static sy_err_t sim_engine_fail(simulate_t *s, sy_err_t err, const char *source, long line_no,
                                char *errbuf, size_t errbuf_size) {
    char reason[512];
    snprintf(reason, sizeof reason, "%s", s->sink_error[0] ? s->sink_error : errbuf);
    if (source)
        snprintf(errbuf, errbuf_size, "%s:%ld: %s", source, line_no, reason);
    else
        snprintf(errbuf, errbuf_size, "%s", reason);
    return err;
}

/* Partition p's time moves to t: its timers due before t fire first, in due order. */
static sy_err_t sim_advance(simulate_t *s, int32_t p, int64_t t, char *errbuf,
                            size_t errbuf_size) {
    size_t fired = 0;
    if (t > s->latest_ms)
        s->latest_ms = t;
    sy_err_t err = engine_advance_stream_time(s->engine, p, t, &fired, errbuf, errbuf_size);
    s->stats.timers_fired += fired;
    return err;
}

/* ---- input ---- */

static sy_err_t sim_record(simulate_t *s, const event_json_line_t *line, char *errbuf,
                           size_t errbuf_size) {
    const char *contact = line->event ? line->event->contact_id : line->profile->contact_id;
    int64_t t = line->event ? line->event->occurred_at_ms : line->profile->updated_at_ms;
    int32_t p = simulate_partition(contact, s->conf.partitions);
    uint64_t timers_before = s->stats.timers_fired;
    sy_err_t err = sim_advance(s, p, t, errbuf, errbuf_size);
    if (err == SY_OK && line->event) {
        s->stats.events++;
        err = engine_on_event(s->engine, p, line->event, errbuf, errbuf_size);
    } else if (err == SY_OK) {
        s->stats.profile_updates++;
        err = state_store_profile_apply(s->store, p, line->profile, errbuf, errbuf_size);
    }
    if (err == SY_OK)
        err = sim_commit_due(s, 1 + (s->stats.timers_fired - timers_before), errbuf,
                             errbuf_size);
    return err;
}

sy_err_t simulate_feed(simulate_t *s, FILE *input, const char *source, char *errbuf,
                       size_t errbuf_size) {
    event_json_t *parser = NULL;
    event_json_line_t line;
    char *text = NULL;
    size_t text_cap = 0;
    long line_no = 0;
    ssize_t len;
    sy_err_t err = event_json_open(&parser, source, errbuf, errbuf_size);
    while (err == SY_OK && (len = getline(&text, &text_cap, input)) >= 0) {
        err = event_json_parse(parser, text, (size_t)len, ++line_no, &line, errbuf,
                               errbuf_size);
        if (err != SY_OK || line.kind == EVENT_JSON_SKIP)
            continue;
        s->sink_error[0] = '\0';
        err = sim_record(s, &line, errbuf, errbuf_size);
        if (err != SY_OK)
            err = sim_engine_fail(s, err, source, line_no, errbuf, errbuf_size);
    }
    if (err == SY_OK && ferror(input)) {
        snprintf(errbuf, errbuf_size, "%s: read error", source);
        err = SY_ERR_IO;
    }
    free(text);
    event_json_close(parser);
    return err;
}

/* ---- after the input ---- */

/* The due time of partition p's next timer at or before limit_ms; INT64_MAX for none. */
static sy_err_t sim_next_due(simulate_t *s, int32_t p, int64_t limit_ms, int64_t *due,
                             char *errbuf, size_t errbuf_size) {
    state_timer_t timer;
    sy_err_t err = state_store_timer_next(s->store, p, limit_ms, &timer, errbuf, errbuf_size);
    *due = err == SY_OK ? timer.due_ms : INT64_MAX;
    return err == SY_ERR_NOT_FOUND ? SY_OK : err;
}

/* Fire every timer due at or before limit_ms, in due order across partitions. Firing on
 * one partition touches only its own timers, so only its next due time is asked again. */
static sy_err_t sim_fire_until(simulate_t *s, int64_t limit_ms, char *errbuf,
                               size_t errbuf_size) {
    int32_t n = s->conf.partitions;
    int64_t *next = malloc((size_t)n * sizeof *next);
    sy_err_t err = next ? SY_OK : SY_ERR_NOMEM;
    for (int32_t p = 0; err == SY_OK && p < n; p++)
        err = sim_next_due(s, p, limit_ms, &next[p], errbuf, errbuf_size);
    while (err == SY_OK) {
        int32_t best = 0;
        for (int32_t p = 1; p < n; p++)
            if (next[p] < next[best])
                best = p;
        if (next[best] == INT64_MAX)
            break;
        size_t fired = 0;
        s->sink_error[0] = '\0';
        if (next[best] > state_store_stream_time_get(s->store, best))
            state_store_stream_time_set(s->store, best, next[best]);
        err = engine_fire_timers(s->engine, best, next[best], &fired, errbuf, errbuf_size);
        if (err != SY_OK)
            err = sim_engine_fail(s, err, NULL, 0, errbuf, errbuf_size);
        s->stats.timers_fired += fired;
        if (err == SY_OK)
            err = sim_commit_due(s, fired, errbuf, errbuf_size);
        if (err == SY_OK)
            err = sim_next_due(s, best, limit_ms, &next[best], errbuf, errbuf_size);
    }
    if (!next)
        snprintf(errbuf, errbuf_size, "out of memory");
    free(next);
    return err;
}

/* True when some partition still holds a timer. */
static sy_err_t sim_timers_left(simulate_t *s, bool *left, char *errbuf, size_t errbuf_size) {
    *left = false;
    for (int32_t p = 0; p < s->conf.partitions && !*left; p++) {
        int64_t due;
        sy_err_t err = sim_next_due(s, p, INT64_MAX, &due, errbuf, errbuf_size);
        if (err != SY_OK)
            return err;
        *left = due != INT64_MAX;
    }
    return SY_OK;
}

sy_err_t simulate_finish(simulate_t *s, char *errbuf, size_t errbuf_size) {
    sy_err_t err = SY_OK;
    int64_t limit = s->conf.until_ms;
    if (s->conf.until == SIMULATE_UNTIL_END)
        limit = s->latest_ms == INT64_MIN ? INT64_MIN : s->latest_ms + SIMULATE_END_HORIZON_MS;
    else if (s->conf.until == SIMULATE_UNTIL_AFTER)
        limit = s->latest_ms == INT64_MIN ? INT64_MIN : s->latest_ms + s->conf.until_ms;
    if (limit != INT64_MIN)
        err = sim_fire_until(s, limit, errbuf, errbuf_size);
    if (err == SY_OK && s->conf.until == SIMULATE_UNTIL_END)
        err = sim_timers_left(s, &s->stats.timers_left, errbuf, errbuf_size);
    if (err == SY_OK)
        err = state_store_commit(s->store, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    bool failed = fflush(s->output) != 0 || ferror(s->output);
    if (s->output != stdout)
        failed |= fclose(s->output) != 0;
    s->output = NULL;
    if (failed) {
        snprintf(errbuf, errbuf_size, "cannot write the output: %s", strerror(errno));
        return SY_ERR_IO;
    }
    return SY_OK;
}
