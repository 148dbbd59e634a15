/* fuzz.h — what the fuzz targets of tests/fuzz share: the libFuzzer entry point every target
 * defines, and a NUL-terminated copy of an input for decoders that read C strings. Each
 * target is built twice: with libFuzzer (-Dfuzz=true) and with replay_main.c, which feeds it
 * the corpus and regression files in the normal test suite. Not a harness of its own. */
#ifndef SY_FUZZ_H
#define SY_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Run one input through the target's decoder. Returns 0; a bug shows as a crash, a
 * sanitizer report or an abort (libFuzzer's contract). data is borrowed for the call. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of data (the caller frees it), or NULL when out of memory. */
static inline char *fuzz_text_dup(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (text != NULL) {
        if (size > 0)
            memcpy(text, data, size);
        text[size] = '\0';
    }
    return text;
}

#endif
