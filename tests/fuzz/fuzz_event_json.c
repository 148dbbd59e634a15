/* fuzz_event_json.c — fuzz target of the JSON-lines event reader (event_json.h): the input
 * is split into lines as `switchyard simulate` splits a file, and every line is parsed by
 * one parser. Also the ISO-8601 time parser on each whole line. Not the simulate driver:
 * fuzz_engine.c feeds parsed lines to the engine. */
#include <stdio.h>

#include "event_json.h"
#include "sy_time.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char errbuf[512];
    event_json_t *parser = NULL;
    if (event_json_open(&parser, "fuzz.jsonl", errbuf, sizeof errbuf) != SY_OK)
        abort();
    char *text = fuzz_text_dup(data, size);
    if (text == NULL)
        abort();
    long line_no = 0;
    for (char *line = text; line < text + size;) {
        char *nl = memchr(line, '\n', (size_t)(text + size - line));
        size_t len = nl != NULL ? (size_t)(nl - line) + 1 : (size_t)(text + size - line);
        event_json_line_t out;
        (void)event_json_parse(parser, line, len, ++line_no, &out, errbuf, sizeof errbuf);
        if (nl != NULL)
            *nl = '\0';
        int64_t ms;
        (void)sy_time_parse(line, &ms);
        (void)sy_duration_parse(line, &ms);
        line += len;
    }
    free(text);
    event_json_close(parser);
    return 0;
}
