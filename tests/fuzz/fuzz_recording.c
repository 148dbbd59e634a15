/* fuzz_recording.c — fuzz target of the recording reader (recording.h): the input is a
 * whole recording file, written to a temporary file of this process (the reader takes a
 * path) and read to its end or its first error, as `switchyard replay` reads one. Not the
 * records inside: fuzz_codec.c decodes frames. */
#include <stdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "recording.h"

/* Records read from one input at most: a small file cannot hold more, unless it is a
 * decompression bomb, which the reader must refuse long before. */
#define FUZZ_RECORDS_MAX 1000000

static char fuzz_path[64];

static void fuzz_path_remove(void) {
    if (fuzz_path[0] != '\0')
        unlink(fuzz_path);
}

/* Replace the temporary file's content with data. */
static void fuzz_file_write(const uint8_t *data, size_t size) {
    if (fuzz_path[0] == '\0') {
        snprintf(fuzz_path, sizeof fuzz_path, "/tmp/fuzz-recording-XXXXXX");
        int fd = mkstemp(fuzz_path);
        if (fd < 0)
            abort();
        close(fd);
        atexit(fuzz_path_remove);
    }
    FILE *file = fopen(fuzz_path, "wb");
    if (file == NULL || (size > 0 && fwrite(data, 1, size, file) != size) || fclose(file) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char errbuf[512];
    fuzz_file_write(data, size);
    recording_reader_t *reader = NULL;
    if (recording_reader_open(&reader, fuzz_path, errbuf, sizeof errbuf) != SY_OK)
        return 0;
    recording_record_t rec;
    size_t count = 0;
    while (recording_reader_next(reader, &rec, errbuf, sizeof errbuf) == SY_OK) {
        if (++count > FUZZ_RECORDS_MAX)
            abort();
    }
    uint64_t bytes_read = 0, bytes_total = 0;
    recording_reader_progress(reader, &bytes_read, &bytes_total);
    recording_reader_close(reader);
    return 0;
}
