/* simulate.c — the engine driven in event time from JSON lines or Kafka records, one loop
 * for `simulate` and `replay`; outputs counted and handed to output_json or the caller's
 * sink. Nothing here reads a clock or depends on an address, so the output is a function
 * of the input, the journeys and the state it starts from. Not the option parsing. */
#include "simulate.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "codec.h"
#include "engine.h"
#include "engine_calls.h"
#include "event_json.h"
#include "journey.h"
#include "output_json.h"
#include "state_store.h"
#include "sy_hash.h"
#include "sy_time.h"

struct simulate {
    simulate_conf_t conf;
    output_json_t *json;      /* owned; NULL when conf.sink is set */
    engine_sink_t output;     /* where the counted outputs go: json's sink or conf.sink */
    journey_set_t *journeys;  /* owned */
    state_store_t *store;     /* owned, in memory or in conf.state_dir */
    codec_t *codec;           /* owned: decodes the records of simulate_feed_frame */
    engine_t *engine;         /* owned */
    int64_t latest_ms;        /* highest input time seen, INT64_MIN before any */
    int32_t partitions_fed;   /* 1 + the highest partition fed, 0 before any */
    uint64_t uncommitted;     /* records and timers since the last commit */
    simulate_stats_t stats;
    engine_admit_conf_t admit;
    campaign_t campaign;      /* counts into conf.report; off without one */
    char sink_error[512];     /* why a sink call failed: the sink has no errbuf */
    sy_profile_update_t frame_profile; /* simulate_feed_frame's: too large for the stack */
};

/* ---- outputs: counted here, then handed to the output ---- */

/* An output's failure: its reason, when it is the JSON output, else the code's. */
static sy_err_t sim_output_fail(simulate_t *s, sy_err_t err) {
    if (err != SY_OK)
        snprintf(s->sink_error, sizeof s->sink_error, "%s",
                 s->json && output_json_error(s->json)[0] ? output_json_error(s->json)
                                                          : sy_err2str(err));
    return err;
}

static sy_err_t sim_decision(void *ctx, const sy_decision_t *decision) {
    simulate_t *s = ctx;
    s->stats.decisions++;
    campaign_decision(&s->campaign, decision);
    return sim_output_fail(s, s->output.decision(s->output.ctx, decision));
}

static sy_err_t sim_action(void *ctx, const sy_action_t *action) {
    simulate_t *s = ctx;
    s->stats.actions++;
    campaign_action(&s->campaign, action);
    return sim_output_fail(s, s->output.action(s->output.ctx, action));
}

static sy_err_t sim_conversion(void *ctx, const sy_conversion_t *conversion) {
    simulate_t *s = ctx;
    s->stats.conversions++;
    campaign_conversion(&s->campaign, conversion);
    if (!s->output.conversion)
        return SY_OK;
    return sim_output_fail(s, s->output.conversion(s->output.ctx, conversion));
}

static sy_err_t sim_contact_update(void *ctx, const sy_contact_update_t *update) {
    simulate_t *s = ctx;
    s->stats.contact_updates++;
    return sim_output_fail(s, s->output.contact_update(s->output.ctx, update));
}

/* ---- open, close ---- */

/* The output, created once the journeys are known to be good. */
static sy_err_t sim_output_open(simulate_t *s, const simulate_conf_t *conf, char *errbuf,
                                size_t errbuf_size) {
    if (conf->sink) {
        s->output = *conf->sink;
        return SY_OK;
    }
    sy_err_t err = output_json_open(&s->json, conf->output_path, errbuf, errbuf_size);
    if (err == SY_OK)
        s->output = output_json_sink(s->json);
    return err;
}

/* The store: a throwaway one in memory, or the RocksDB directory conf->state_dir. */
static sy_err_t sim_store_open(simulate_t *s, const simulate_conf_t *conf, char *errbuf,
                               size_t errbuf_size) {
    const char *dir = conf->state_dir ? conf->state_dir : "switchyard-simulate";
    return state_store_open(&s->store, dir, conf->state_dir == NULL,
                            STATE_CACHE_BYTES_DEFAULT, errbuf, errbuf_size);
}

/* Call tracking: conf's pools and rules (when set), checked against the journeys'
 * tracking pools. Without them a send's tracking: leases nothing. */
static sy_err_t sim_calls_open(simulate_t *s, const simulate_conf_t *conf, char *errbuf,
                               size_t errbuf_size) {
    assert(s->engine);
    if (!conf->calls)
        return SY_OK;
    sy_err_t err = engine_calls_journeys_check(conf->calls, s->journeys, errbuf, errbuf_size);
    if (err == SY_OK)
        engine_calls_set(s->engine, conf->calls,
                         conf->calls_partitions > 0 ? conf->calls_partitions
                                                    : conf->partitions);
    return err;
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
    s->conf.sink = NULL;
    s->conf.state_dir = NULL;
    s->conf.admit = NULL;
    s->admit = conf->admit ? *conf->admit : engine_admit_conf_default();
    s->latest_ms = INT64_MIN;
    engine_sink_t sink = {sim_decision, sim_action, sim_contact_update, s, sim_conversion};
    if ((err = journey_set_load_dir_opts(&s->journeys, conf->journeys_dir,
                                         conf->journey_opts, errbuf, errbuf_size)) != SY_OK ||
        (err = sim_output_open(s, conf, errbuf, errbuf_size)) != SY_OK ||
        (err = sim_store_open(s, conf, errbuf, errbuf_size)) != SY_OK ||
        (err = codec_open(&s->codec, errbuf, errbuf_size)) != SY_OK ||
        (err = engine_open(&s->engine, s->journeys, s->store, &sink, errbuf, errbuf_size)) !=
            SY_OK)
        goto fail;
    if (conf->safety)
        engine_safety_set(s->engine, conf->safety);
    if ((err = sim_calls_open(s, conf, errbuf, errbuf_size)) != SY_OK)
        goto fail;
    if (conf->report) {
        campaign_conf_t counting = {.journeys = s->journeys, .store = s->store,
                                    .window_ms = s->admit.dedup_window_ms,
                                    .marks_max = s->admit.dedup_ids_max,
                                    .count = campaign_report_count, .ctx = conf->report};
        campaign_init(&s->campaign, &counting);
    }
    s->conf.report = NULL;
    s->conf.safety = NULL;
    s->conf.journey_opts = NULL;
    /* A continued store may hold timers on any partition: finish looks at them all. */
    s->partitions_fed = conf->state_dir ? conf->partitions : 0;
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
    char ignored[16];
    output_json_close(s->json, ignored, sizeof ignored);
    if (s->journeys)
        journey_set_free(s->journeys);
    free(s);
}

int64_t simulate_latest_ms(const simulate_t *s) {
    return s->latest_ms;
}

void simulate_latest_raise(simulate_t *s, int64_t latest_ms) {
    assert(s);
    if (latest_ms > s->latest_ms)
        s->latest_ms = latest_ms;
}

const journey_set_t *simulate_journeys(const simulate_t *s) {
    return s->journeys;
}

void simulate_stats_get(const simulate_t *s, simulate_stats_t *out) {
    *out = s->stats;
    engine_safety_counts_t counts = {0};
    if (s->engine)
        engine_safety_counts_get(s->engine, &counts);
    out->suppressed = counts.suppressed;
    out->capped = counts.capped;
    out->held = counts.held;
    out->fatigued = counts.fatigued;
}

/* ---- partitions, time, commits ---- */

int32_t simulate_partition(const char *contact_id, int32_t partitions) {
    assert(contact_id && partitions > 0);
    uint32_t h = sy_hash_murmur2(contact_id, strlen(contact_id));
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

/* Apply one record of partition (-1: the contact's hash among conf.partitions). */
static sy_err_t sim_record(simulate_t *s, int32_t partition, const event_json_line_t *line,
                           char *errbuf, size_t errbuf_size) {
    const char *contact = line->event ? line->event->contact_id : line->profile->contact_id;
    int32_t p = partition >= 0 ? partition : simulate_partition(contact, s->conf.partitions);
    uint64_t timers_before = s->stats.timers_fired;
    sy_err_t err = SY_OK;
    if (p >= s->partitions_fed)
        s->partitions_fed = p + 1;
    /* Only events move a partition's time, as in the service: profiles come from another
     * topic whose times say nothing about how far the events have got. */
    if (line->event) {
        bool duplicate = false;
        s->stats.events++;
        err = engine_admit_event(s->store, &s->admit, p, line->event, INT64_MIN, &duplicate,
                                 errbuf, errbuf_size);
        s->stats.duplicates += err == SY_OK && duplicate;
        if (err == SY_OK && !duplicate)
            err = sim_advance(s, p, line->event->occurred_at_ms, errbuf, errbuf_size);
        if (err == SY_OK && !duplicate)
            err = campaign_event_begin(&s->campaign, p, line->event, errbuf, errbuf_size);
        if (err == SY_OK && !duplicate)
            err = engine_on_event(s->engine, p, line->event, errbuf, errbuf_size);
        campaign_event_end(&s->campaign);
    } else {
        s->stats.profile_updates++;
        err = engine_on_profile(s->engine, p, line->profile, errbuf, errbuf_size);
    }
    if (err == SY_OK)
        err = sim_commit_due(s, 1 + (s->stats.timers_fired - timers_before), errbuf,
                             errbuf_size);
    return err;
}

/* Bytes of the line buffer: the longest line event_json takes, its newline, and one more
 * byte that tells a longer line from one at the limit. */
#define SIM_LINE_BUFFER_BYTES ((size_t)EVENT_JSON_LINE_BYTES_MAX + 2)

/* One line of input (with its newline) into buf, reading at most cap bytes of it: a longer
 * line comes back cut to cap bytes, which the parser refuses by its length, and the rest
 * of it is never held in memory. -1 at the end of the input. */
static ssize_t sim_line_read(FILE *input, char *buf, size_t cap) {
    size_t len = 0;
    int c = EOF;
    while (len < cap && (c = getc_unlocked(input)) != EOF) {
        buf[len++] = (char)c;
        if (c == '\n')
            break;
    }
    return len == 0 && c == EOF ? -1 : (ssize_t)len;
}

/* A line whose event has an implausible time (its reason in errbuf): a dead letter in
 * the output, as the service would produce one, and the run goes on. */
static sy_err_t sim_dead_letter(simulate_t *s, const char *source, long line_no,
                                const char *text, size_t len, char *errbuf,
                                size_t errbuf_size) {
    char reason[512];
    snprintf(reason, sizeof reason, "%s", errbuf);
    s->stats.dead_letters++;
    if (len > 0 && text[len - 1] == '\n')
        len--;
    sy_dead_letter_t dl = {.source_topic = source, .partition = -1, .offset = line_no,
                           .error_code = sy_err_name(SY_ERR_IMPLAUSIBLE_TIME),
                           .error = reason, .value = text, .value_len = len,
                           .failed_at_ms = 0};
    return s->json ? output_json_dead_letter(s->json, &dl, errbuf, errbuf_size) : SY_OK;
}

sy_err_t simulate_feed(simulate_t *s, FILE *input, const char *source, char *errbuf,
                       size_t errbuf_size) {
    event_json_t *parser = NULL;
    event_json_line_t line;
    char *text = malloc(SIM_LINE_BUFFER_BYTES);
    long line_no = 0;
    ssize_t len;
    sy_err_t err = event_json_open(&parser, source, errbuf, errbuf_size);
    if (err == SY_OK && !text) {
        snprintf(errbuf, errbuf_size, "%s: out of memory", source);
        err = SY_ERR_NOMEM;
    }
    while (err == SY_OK && (len = sim_line_read(input, text, SIM_LINE_BUFFER_BYTES)) >= 0) {
        if ((size_t)len == SIM_LINE_BUFFER_BYTES && text[len - 1] != '\n') {
            snprintf(errbuf, errbuf_size, "%s:%ld: a line longer than %d bytes (the limit "
                     "of a line)", source, line_no + 1, EVENT_JSON_LINE_BYTES_MAX);
            err = SY_ERR_LIMIT;
            break;
        }
        err = event_json_parse(parser, text, (size_t)len, ++line_no, &line, errbuf,
                               errbuf_size);
        if (err != SY_OK || line.kind == EVENT_JSON_SKIP)
            continue;
        s->sink_error[0] = '\0';
        err = sim_record(s, -1, &line, errbuf, errbuf_size);
        if (err == SY_ERR_IMPLAUSIBLE_TIME)
            err = sim_dead_letter(s, source, line_no, text, (size_t)len, errbuf, errbuf_size);
        if (err != SY_OK)
            err = sim_engine_fail(s, err, source, line_no, errbuf, errbuf_size);
    }
    if (err == SY_OK && ferror(input)) {
        snprintf(errbuf, errbuf_size, "%s: read error: %s", source, strerror(errno));
        err = SY_ERR_IO;
    }
    free(text);
    event_json_close(parser);
    return err;
}

/* Decode frame by its schema id into line; the input's faults are returned as such. */
static sy_err_t sim_decode(simulate_t *s, const void *frame, size_t len,
                           event_json_line_t *line, sy_event_t *event,
                           sy_profile_update_t *profile, char *errbuf, size_t errbuf_size) {
    sy_schema_id_t id;
    sy_err_t err = codec_frame_schema(frame, len, &id, errbuf, errbuf_size);
    *line = (event_json_line_t){.kind = EVENT_JSON_SKIP};
    if (err == SY_OK && id == SY_SCHEMA_ENGAGEMENT_EVENT) {
        err = codec_decode_event(s->codec, frame, len, event, errbuf, errbuf_size);
        *line = (event_json_line_t){EVENT_JSON_EVENT, event, NULL};
    } else if (err == SY_OK && id == SY_SCHEMA_PROFILE_UPDATE) {
        err = codec_decode_profile_update(s->codec, frame, len, profile, errbuf, errbuf_size);
        *line = (event_json_line_t){EVENT_JSON_PROFILE, NULL, profile};
    } else if (err == SY_OK) {
        snprintf(errbuf, errbuf_size, "schema id %d is neither an engagement event nor a "
                 "profile update", (int)id);
        err = SY_ERR_WRONG_SCHEMA;
    }
    const char *contact = line->event     ? line->event->contact_id
                          : line->profile ? line->profile->contact_id
                                          : NULL;
    if (err == SY_OK && strlen(contact) > SY_ID_BYTES_MAX) {
        snprintf(errbuf, errbuf_size, "contact id longer than %d bytes", SY_ID_BYTES_MAX);
        err = SY_ERR_LIMIT;
    }
    return err;
}

sy_err_t simulate_feed_frame(simulate_t *s, int32_t partition, const void *frame,
                             size_t frame_len, sy_err_t *fault, char *errbuf,
                             size_t errbuf_size) {
    event_json_line_t line;
    sy_event_t event;
    sy_err_t err = sim_decode(s, frame, frame_len, &line, &event, &s->frame_profile, errbuf,
                              errbuf_size);
    if (err == SY_OK && (partition < 0 || partition >= s->conf.partitions)) {
        snprintf(errbuf, errbuf_size, "partition %d is not in 0..%d", (int)partition,
                 (int)s->conf.partitions - 1);
        err = SY_ERR_LIMIT;
    }
    if (err == SY_OK) {
        s->sink_error[0] = '\0';
        err = sim_record(s, partition, &line, errbuf, errbuf_size);
        /* A profile over the store's limits is the record's fault, as in the service. */
        if (err != SY_OK && !(line.profile && err == SY_ERR_LIMIT))
            return sim_engine_fail(s, err, NULL, 0, errbuf, errbuf_size);
    }
    if (err != SY_OK && !sy_err_is_input_fault(err) && err != SY_ERR_LIMIT)
        return err;
    s->stats.input_faults += err != SY_OK;
    *fault = err;
    return SY_OK;
}

int simulate_until_parse(const char *text, simulate_conf_t *conf) {
    if (strcmp(text, "end") == 0 || strcmp(text, "input") == 0) {
        conf->until = text[0] == 'e' ? SIMULATE_UNTIL_END : SIMULATE_UNTIL_INPUT;
        return 1;
    }
    if (text[0] == '+') {
        conf->until = SIMULATE_UNTIL_AFTER;
        return sy_duration_parse(text + 1, &conf->until_ms) == SY_DURATION_OK &&
               conf->until_ms <= SIMULATE_END_HORIZON_MS;
    }
    conf->until = SIMULATE_UNTIL_TIME;
    return sy_time_parse(text, &conf->until_ms);
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
    int32_t n = s->partitions_fed;
    int64_t *next = malloc((size_t)(n > 0 ? n : 1) * sizeof *next);
    sy_err_t err = next ? SY_OK : SY_ERR_NOMEM;
    for (int32_t p = 0; err == SY_OK && p < n; p++)
        err = sim_next_due(s, p, limit_ms, &next[p], errbuf, errbuf_size);
    while (err == SY_OK && n > 0) {
        int32_t best = 0;
        for (int32_t p = 1; p < n; p++)
            if (next[p] < next[best])
                best = p;
        if (next[best] == INT64_MAX)
            break;
        size_t fired = 0;
        s->sink_error[0] = '\0';
        if (s->conf.on_timer_firing)
            s->conf.on_timer_firing(s->conf.firing_ctx, best, next[best]);
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
    for (int32_t p = 0; p < s->partitions_fed && !*left; p++) {
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
        limit = s->latest_ms == INT64_MIN ? INT64_MIN
                                          : sy_time_add_ms(s->latest_ms, SIMULATE_END_HORIZON_MS);
    else if (s->conf.until == SIMULATE_UNTIL_AFTER)
        limit = s->latest_ms == INT64_MIN ? INT64_MIN
                                          : sy_time_add_ms(s->latest_ms, s->conf.until_ms);
    else if (s->conf.until == SIMULATE_UNTIL_INPUT)
        limit = INT64_MIN;
    if (limit != INT64_MIN)
        err = sim_fire_until(s, limit, errbuf, errbuf_size);
    if (err == SY_OK && s->conf.until == SIMULATE_UNTIL_END)
        err = sim_timers_left(s, &s->stats.timers_left, errbuf, errbuf_size);
    if (err == SY_OK)
        err = state_store_commit(s->store, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    err = output_json_close(s->json, errbuf, errbuf_size);
    s->json = NULL;
    if (err != SY_OK)
        return err;
    return SY_OK;
}
