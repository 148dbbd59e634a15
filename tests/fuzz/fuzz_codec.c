/* fuzz_codec.c — fuzz target of the wire codec: the input is a Confluent frame; its schema
 * id picks one of the six decoders. A record that decodes must encode, and its encoding
 * must decode and encode to the same bytes; any frame may be rendered as JSON.
 * Not a test of the schemas' domain rules: test_codec.c pins those down. */
#include <assert.h>
#include <stdio.h>

#include "codec.h"
#include "fuzz.h"
#include "fuzz_records.h"

/* The bytes of the first encoding, kept while the second one is made. */
typedef struct fuzz_frame {
    uint8_t bytes[SY_FRAME_BYTES_MAX];
    size_t len;
} fuzz_frame_t;

static fuzz_frame_t fuzz_first;
static fuzz_record_t fuzz_rec; /* the record last decoded, of whichever kind */

static sy_err_t fuzz_encode(sy_schema_id_t id, const void **out, size_t *len, char *eb,
                            size_t ebs) {
    codec_t *c = fuzz_codec_get();
    switch (id) {
    case SY_SCHEMA_ENGAGEMENT_EVENT:
        return codec_encode_event(c, &fuzz_rec.event, out, len, eb, ebs);
    case SY_SCHEMA_PROFILE_UPDATE:
        return codec_encode_profile_update(c, &fuzz_rec.profile, out, len, eb, ebs);
    case SY_SCHEMA_ACTION_COMMAND_V1: /* written as version 2 */
    case SY_SCHEMA_ACTION_COMMAND:
        return codec_encode_action(c, &fuzz_rec.action, out, len, eb, ebs);
    case SY_SCHEMA_ROUTING_DECISION:
        return codec_encode_decision(c, &fuzz_rec.decision, out, len, eb, ebs);
    case SY_SCHEMA_CONTACT_UPDATE:
        return codec_encode_contact_update(c, &fuzz_rec.update, out, len, eb, ebs);
    case SY_SCHEMA_DEAD_LETTER:
        return codec_encode_dead_letter(c, &fuzz_rec.dead, out, len, eb, ebs);
    case SY_SCHEMA_CONVERSION:
        return codec_encode_conversion(c, &fuzz_rec.conversion, out, len, eb, ebs);
    }
    return SY_ERR_UNKNOWN_SCHEMA;
}

/* Decode frame as schema id and encode the record again into *out (owned by the codec).
 * Returns the decoder's error; a record that decodes but does not encode is a bug, unless
 * its frame grew past the limit (a longer varint may decode from a shorter one). */
static sy_err_t fuzz_recode(sy_schema_id_t id, const void *frame, size_t len,
                            const void **out, size_t *out_len) {
    char errbuf[256];
    sy_err_t err = fuzz_record_decode(id, frame, len, &fuzz_rec, errbuf, sizeof errbuf);
    if (err != SY_OK)
        return err;
    err = fuzz_encode(id, out, out_len, errbuf, sizeof errbuf);
    if (err != SY_OK && err != SY_ERR_LIMIT) {
        fprintf(stderr, "fuzz_codec: schema %d decodes but does not encode: %s\n", (int)id,
                errbuf);
        abort();
    }
    return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char errbuf[256];
    char *json = NULL;
    if (codec_to_json(fuzz_codec_get(), data, size, &json, errbuf, sizeof errbuf) == SY_OK)
        free(json);

    sy_schema_id_t id;
    if (codec_frame_schema(data, size, &id, errbuf, sizeof errbuf) != SY_OK)
        return 0;
    const void *frame = NULL;
    size_t len = 0;
    if (fuzz_recode(id, data, size, &frame, &len) != SY_OK)
        return 0;
    assert(len <= sizeof fuzz_first.bytes);
    memcpy(fuzz_first.bytes, frame, len);
    fuzz_first.len = len;
    /* What the codec wrote it must read back, and write the same again. */
    if (fuzz_recode(id, fuzz_first.bytes, fuzz_first.len, &frame, &len) != SY_OK ||
        len != fuzz_first.len || memcmp(frame, fuzz_first.bytes, len) != 0) {
        fprintf(stderr, "fuzz_codec: schema %d: re-encoding differs\n", (int)id);
        abort();
    }
    return 0;
}
