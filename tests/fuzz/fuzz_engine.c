/* fuzz_engine.c — fuzz harness of the engine: the input drives the example journeys (and
 * optionally one journey of its own) over an in-memory store, as `simulate` does in event
 * time, to find what the decoders alone cannot: timer arithmetic, state round trips,
 * moves between nodes. Not a decoder target; its input format:
 *   [JOURNEY YAML, then a line "%%"]   a journey added to (or replacing one of) the examples
 *   event or profile JSON lines        as in an events file (docs/simulate.md)
 *   "@TIME" or "@+DURATION" lines      move the stream time: to TIME, or forward */
#include <stdio.h>

#include "engine.h"
#include "event_json.h"
#include "fuzz.h"
#include "log.h"
#include "sy_time.h"

/* Outputs of one input at most: a journey that loops through a short wait produces one
 * per loop forever; the sink stops the engine there. */
#define FUZZ_OUTPUTS_MAX 20000
/* After the input, timers due within this long of the stream time fire (every example
 * journey ends within it). */
#define FUZZ_END_HORIZON_MS (INT64_C(400) * 24 * 3600 * 1000)

/* The journeys of one input: the examples (loaded once) and one of the input's own. */
typedef struct fuzz_journeys {
    journey_t *list[JOURNEY_SET_MAX];
    journey_set_t set;
    journey_t *own; /* owned, or NULL */
} fuzz_journeys_t;

typedef struct fuzz_run {
    state_store_t *store;
    engine_t *engine;
    size_t outputs;
    char errbuf[512];
} fuzz_run_t;

static journey_set_t *fuzz_examples;

static sy_err_t fuzz_count(fuzz_run_t *run) {
    return ++run->outputs > FUZZ_OUTPUTS_MAX ? SY_ERR_LIMIT : SY_OK;
}
static sy_err_t fuzz_decision(void *ctx, const sy_decision_t *decision) {
    if (decision->contact_id == NULL || decision->to_node == NULL)
        abort();
    return fuzz_count(ctx);
}
static sy_err_t fuzz_action(void *ctx, const sy_action_t *action) {
    (void)action;
    return fuzz_count(ctx);
}
static sy_err_t fuzz_update(void *ctx, const sy_contact_update_t *update) {
    (void)update;
    return fuzz_count(ctx);
}

/* The examples plus the journey in text[0..len) when it loads; it replaces the example
 * of the same id, as a new version would. */
static void fuzz_journeys_make(fuzz_journeys_t *js, const char *text, size_t len) {
    char errbuf[512];
    js->own = NULL;
    js->set = (journey_set_t){fuzz_examples->count, js->list};
    memcpy(js->list, fuzz_examples->journeys, fuzz_examples->count * sizeof js->list[0]);
    if (text == NULL ||
        journey_parse(&js->own, text, len, "fuzz.yaml", errbuf, sizeof errbuf) != SY_OK)
        return;
    size_t i = 0;
    while (i < js->set.count && strcmp(js->list[i]->id, js->own->id) != 0)
        i++;
    js->list[i] = js->own;
    if (i == js->set.count)
        js->set.count++;
}

/* An error that the input cannot cause: the in-memory store failed, or a contract broke. */
static void fuzz_check(sy_err_t err, const fuzz_run_t *run) {
    if (err == SY_ERR_STATE || err == SY_ERR_INVALID_ARG || err == SY_ERR_NOMEM) {
        fprintf(stderr, "fuzz_engine: %s: %s\n", sy_err_name(err), run->errbuf);
        abort();
    }
}

/* A "@TIME" or "@+DURATION" line: the new stream time, or false. */
static bool fuzz_time_line(fuzz_run_t *run, const char *line, int64_t *to_ms) {
    int64_t now = state_store_stream_time_get(run->store, 0), ms;
    if (line[1] != '+')
        return sy_time_parse(line + 1, to_ms);
    if (now == INT64_MIN || !journey_duration_parse(line + 2, &ms))
        return false;
    *to_ms = sy_time_add_ms(now, ms);
    return true;
}

/* Apply one line; false stops the input. */
static bool fuzz_line(fuzz_run_t *run, event_json_t *parser, char *line, size_t len,
                      long line_no) {
    event_json_line_t parsed;
    size_t fired = 0;
    int64_t to_ms;
    sy_err_t err = SY_OK;
    char *eb = run->errbuf;
    size_t ebs = sizeof run->errbuf;
    if (line[0] == '@') {
        line[len - (len > 0 && line[len - 1] == '\n')] = '\0';
        if (!fuzz_time_line(run, line, &to_ms))
            return false;
        err = engine_advance_stream_time(run->engine, 0, to_ms, &fired, eb, ebs);
    } else if (event_json_parse(parser, line, len, line_no, &parsed, eb, ebs) != SY_OK) {
        return false;
    } else if (parsed.kind == EVENT_JSON_EVENT) {
        const sy_event_t *ev = parsed.event;
        err = engine_advance_stream_time(run->engine, 0, ev->occurred_at_ms, &fired, eb, ebs);
        if (err == SY_OK)
            err = engine_on_event(run->engine, 0, ev, eb, ebs);
    } else if (parsed.kind == EVENT_JSON_PROFILE) {
        err = state_store_profile_apply(run->store, 0, parsed.profile, eb, ebs);
    }
    if (err == SY_OK)
        err = state_store_commit(run->store, eb, ebs);
    fuzz_check(err, run);
    return err == SY_OK;
}

/* Feed the lines of text[0..size) to run's engine, then fire what falls due soon after. */
static void fuzz_feed(fuzz_run_t *run, char *text, size_t size) {
    event_json_t *parser = NULL;
    if (event_json_open(&parser, "fuzz.jsonl", run->errbuf, sizeof run->errbuf) != SY_OK)
        abort();
    long line_no = 0;
    bool going = true;
    for (char *line = text; going && line < text + size;) {
        char *nl = memchr(line, '\n', (size_t)(text + size - line));
        size_t len = nl != NULL ? (size_t)(nl - line) + 1 : (size_t)(text + size - line);
        going = fuzz_line(run, parser, line, len, ++line_no);
        line += len;
    }
    event_json_close(parser);
    int64_t now = state_store_stream_time_get(run->store, 0);
    size_t fired = 0;
    if (!going || now == INT64_MIN)
        return;
    now = now > INT64_MAX - FUZZ_END_HORIZON_MS ? INT64_MAX : now + FUZZ_END_HORIZON_MS;
    sy_err_t err = engine_fire_timers(run->engine, 0, now, &fired, run->errbuf,
                                      sizeof run->errbuf);
    if (err == SY_OK)
        err = state_store_commit(run->store, run->errbuf, sizeof run->errbuf);
    fuzz_check(err, run);
}

static void fuzz_examples_load(void) {
    char errbuf[512];
    log_level_set(LOG_ERROR);
    if (journey_set_load_dir(&fuzz_examples, SY_SOURCE_ROOT "/examples/journeys", errbuf,
                             sizeof errbuf) != SY_OK) {
        fprintf(stderr, "fuzz_engine: %s\n", errbuf);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static fuzz_run_t run;
    static fuzz_journeys_t js;
    if (fuzz_examples == NULL)
        fuzz_examples_load();
    char *text = fuzz_text_dup(data, size);
    if (text == NULL)
        abort();
    char *events = text;
    char *split = strstr(text, "\n%%\n");
    fuzz_journeys_make(&js, split ? text : NULL, split ? (size_t)(split - text) + 1 : 0);
    if (split != NULL)
        events = split + 4;
    memset(&run, 0, sizeof run);
    if (state_store_open(&run.store, "fuzz-engine", true, 1 << 20, run.errbuf,
                         sizeof run.errbuf) != SY_OK)
        abort();
    engine_sink_t sink = {fuzz_decision, fuzz_action, fuzz_update, &run, NULL};
    if (engine_open(&run.engine, &js.set, run.store, &sink, run.errbuf, sizeof run.errbuf) !=
        SY_OK)
        abort();
    fuzz_feed(&run, events, size - (size_t)(events - text));
    engine_close(run.engine);
    state_store_close(run.store);
    journey_free(js.own);
    free(text);
    return 0;
}
