/* fuzz_feed.c — the example journeys, runs over an in-memory store and the feeding of
 * events-file lines for the engine-driven fuzz targets (fuzz_feed.h). */
#include "fuzz_feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_json.h"
#include "log.h"
#include "sy_time.h"

const journey_set_t *fuzz_examples(void) {
    static journey_set_t *examples;
    char errbuf[512];
    if (examples != NULL)
        return examples;
    log_level_set(LOG_ERROR);
    if (journey_set_load_dir(&examples, SY_SOURCE_ROOT "/examples/journeys", errbuf,
                             sizeof errbuf) != SY_OK) {
        fprintf(stderr, "fuzz: %s\n", errbuf);
        abort();
    }
    return examples;
}

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

void fuzz_run_open(fuzz_run_t *run, const char *name, const journey_set_t *journeys) {
    fuzz_commit_hook_fn *hook = run->before_commit;
    void *hook_ctx = run->hook_ctx;
    memset(run, 0, sizeof *run);
    run->before_commit = hook, run->hook_ctx = hook_ctx;
    if (state_store_open(&run->store, name, true, 1 << 20, run->errbuf, sizeof run->errbuf) !=
        SY_OK)
        abort();
    engine_sink_t sink = {fuzz_decision, fuzz_action, fuzz_update, run, NULL};
    if (engine_open(&run->engine, journeys, run->store, &sink, run->errbuf,
                    sizeof run->errbuf) != SY_OK)
        abort();
}

void fuzz_run_close(fuzz_run_t *run) {
    engine_close(run->engine);
    state_store_close(run->store);
    run->engine = NULL, run->store = NULL;
}

void fuzz_check(sy_err_t err, const fuzz_run_t *run, const char *who) {
    if (err == SY_ERR_STATE || err == SY_ERR_INVALID_ARG || err == SY_ERR_NOMEM) {
        fprintf(stderr, "%s: %s: %s\n", who, sy_err_name(err), run->errbuf);
        abort();
    }
}

sy_err_t fuzz_commit(fuzz_run_t *run) {
    if (run->before_commit != NULL)
        run->before_commit(run, run->hook_ctx);
    return state_store_commit(run->store, run->errbuf, sizeof run->errbuf);
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
        err = fuzz_commit(run);
    fuzz_check(err, run, "fuzz");
    return err == SY_OK;
}

void fuzz_feed(fuzz_run_t *run, char *text, size_t size) {
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
        err = fuzz_commit(run);
    fuzz_check(err, run, "fuzz");
}
