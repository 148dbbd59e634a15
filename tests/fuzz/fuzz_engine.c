/* fuzz_engine.c — fuzz harness of the engine: the input drives the example journeys (and
 * optionally one journey of its own) over an in-memory store, as `simulate` does in event
 * time, to find what the decoders alone cannot: timer arithmetic, state round trips,
 * moves between nodes. Not a decoder target; its input format:
 *   [JOURNEY YAML, then a line "%%"]   a journey added to (or replacing one of) the examples
 *   event or profile JSON lines        as in an events file (docs/simulate.md)
 *   "@TIME" or "@+DURATION" lines      move the stream time: to TIME, or forward */
#include <stdio.h>

#include "fuzz.h"
#include "fuzz_feed.h"

/* The journeys of one input: the examples (loaded once) and one of the input's own. */
typedef struct fuzz_journeys {
    journey_t *list[JOURNEY_SET_MAX];
    journey_set_t set;
    journey_t *own; /* owned, or NULL */
} fuzz_journeys_t;

/* The examples plus the journey in text[0..len) when it loads; it replaces the example
 * of the same id, as a new version would. */
static void fuzz_journeys_make(fuzz_journeys_t *js, const char *text, size_t len) {
    char errbuf[512];
    const journey_set_t *examples = fuzz_examples();
    js->own = NULL;
    js->set = (journey_set_t){examples->count, js->list};
    memcpy(js->list, examples->journeys, examples->count * sizeof js->list[0]);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static fuzz_run_t run;
    static fuzz_journeys_t js;
    char *text = fuzz_text_dup(data, size);
    if (text == NULL)
        abort();
    char *events = text;
    char *split = strstr(text, "\n%%\n");
    fuzz_journeys_make(&js, split ? text : NULL, split ? (size_t)(split - text) + 1 : 0);
    if (split != NULL)
        events = split + 4;
    fuzz_run_open(&run, "fuzz-engine", &js.set);
    fuzz_feed(&run, events, size - (size_t)(events - text));
    fuzz_run_close(&run);
    journey_free(js.own);
    free(text);
    return 0;
}
