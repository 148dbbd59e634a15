/* fuzz_resolve.c — fuzz target of Avro schema resolution (codec_resolver_*): the input is a
 * writer's schema (JSON), a line "%%", and the Avro body of one record the writer wrote. The
 * body, framed, is resolved into the embedded schema of the writer's record name, twice (the
 * second time through the defaults the first kept), and decoded by that schema's decoder.
 * Not the registry's fetching or cache (schema_registry.c): the schema text is the input's. */
#include <stdio.h>

#include "codec.h"
#include "fuzz.h"
#include "fuzz_records.h"

/* Between the writer's schema and the body: the first occurrence splits them. */
#define FUZZ_RESOLVE_DELIMITER "\n%%\n"
/* The id a registry would have given the writer's schema: any; the resolver relabels. */
#define FUZZ_RESOLVE_WRITER_ID 1001

static uint8_t fuzz_frame[SY_FRAME_BYTES_MAX];
static uint8_t fuzz_first[SY_FRAME_BYTES_MAX]; /* the first resolution, to compare */
static fuzz_record_t fuzz_rec;

/* The resolver of the embedded schema whose record name the writer's has, or NULL. */
static codec_resolver_t *fuzz_resolver_new(const char *schema, size_t len,
                                           sy_schema_id_t *reader) {
    char errbuf[256];
    codec_resolver_t *res = NULL;
    for (sy_schema_id_t id = SY_SCHEMA_ID_MIN; id <= SY_SCHEMA_ID_MAX; id++)
        if (codec_resolver_new(fuzz_codec_get(), id, schema, len, &res, errbuf, sizeof errbuf) ==
            SY_OK)
            return *reader = id, res;
    return NULL;
}

/* Resolve the frame twice and decode it. What resolution writes is valid Avro of the
 * reader's schema: its decoder may refuse only the domain's rules, limits and strings that
 * are not UTF-8. A writer equal to the reader is only relabelled: its body is the input's,
 * and the decoder is what checks it. */
static void fuzz_resolve(codec_resolver_t *res, sy_schema_id_t reader, size_t len) {
    char errbuf[256];
    const void *out;
    size_t out_len, first_len;
    if (codec_resolve_frame(res, fuzz_frame, len, &out, &out_len, errbuf, sizeof errbuf) !=
        SY_OK)
        return;
    memcpy(fuzz_first, out, out_len);
    first_len = out_len;
    if (codec_resolve_frame(res, fuzz_frame, len, &out, &out_len, errbuf, sizeof errbuf) !=
            SY_OK ||
        out_len != first_len || memcmp(out, fuzz_first, out_len) != 0) {
        fprintf(stderr, "fuzz_resolve: the same frame resolves differently\n");
        abort();
    }
    sy_err_t err = fuzz_record_decode(reader, out, out_len, &fuzz_rec, errbuf, sizeof errbuf);
    if (codec_resolver_identity(res))
        return;
    if (err == SY_ERR_TRUNCATED || err == SY_ERR_BAD_MAGIC || err == SY_ERR_UNKNOWN_SCHEMA ||
        err == SY_ERR_WRONG_SCHEMA) {
        fprintf(stderr, "fuzz_resolve: a resolved frame does not decode: %s: %s\n",
                sy_err_name(err), errbuf);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const size_t delim_len = sizeof FUZZ_RESOLVE_DELIMITER - 1;
    const uint8_t *delim = memmem(data, size, FUZZ_RESOLVE_DELIMITER, delim_len);
    if (delim == NULL)
        return 0;
    size_t schema_len = (size_t)(delim - data), body_len = size - schema_len - delim_len;
    if (body_len > sizeof fuzz_frame - 5)
        return 0;
    sy_schema_id_t reader = 0;
    codec_resolver_t *res = fuzz_resolver_new((const char *)data, schema_len, &reader);
    if (res == NULL)
        return 0;
    const uint8_t header[5] = {0, 0, 0, FUZZ_RESOLVE_WRITER_ID >> 8,
                               FUZZ_RESOLVE_WRITER_ID & 0xff};
    memcpy(fuzz_frame, header, sizeof header);
    memcpy(fuzz_frame + 5, delim + delim_len, body_len);
    fuzz_resolve(res, reader, 5 + body_len);
    codec_resolver_free(res);
    return 0;
}
