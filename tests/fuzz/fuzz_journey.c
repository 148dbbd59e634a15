/* fuzz_journey.c — fuzz target of the journey loader: the input is one journey file's text
 * (YAML, or JSON, which YAML reads), parsed and validated as `switchyard validate` does, and
 * freed. Not the engine: fuzz_engine.c runs journeys. */
#include "fuzz.h"
#include "journey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char errbuf[512];
    char *text = fuzz_text_dup(data, size);
    if (text == NULL)
        abort();
    journey_t *journey = NULL;
    if (journey_parse(&journey, text, size, "fuzz.yaml", errbuf, sizeof errbuf) == SY_OK)
        journey_free(journey);
    free(text);
    return 0;
}
