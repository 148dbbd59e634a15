/* fuzz_records.c — the codec and the decoder by schema id that the codec's fuzz targets
 * share (fuzz_records.h). Decodes only: what a target checks of a record is its own. */
#include "fuzz_records.h"

#include <stdlib.h>

static codec_t *fuzz_codec;

static void fuzz_codec_close(void) {
    codec_close(fuzz_codec);
    fuzz_codec = NULL;
}

codec_t *fuzz_codec_get(void) {
    char errbuf[256];
    if (fuzz_codec == NULL) {
        if (codec_open(&fuzz_codec, errbuf, sizeof errbuf) != SY_OK)
            abort();
        atexit(fuzz_codec_close);
    }
    return fuzz_codec;
}

sy_err_t fuzz_record_decode(sy_schema_id_t id, const void *frame, size_t len,
                            fuzz_record_t *rec, char *eb, size_t ebs) {
    codec_t *c = fuzz_codec_get();
    switch (id) {
    case SY_SCHEMA_ENGAGEMENT_EVENT:
        return codec_decode_event(c, frame, len, &rec->event, eb, ebs);
    case SY_SCHEMA_PROFILE_UPDATE:
        return codec_decode_profile_update(c, frame, len, &rec->profile, eb, ebs);
    case SY_SCHEMA_ACTION_COMMAND_V1:
    case SY_SCHEMA_ACTION_COMMAND:
        return codec_decode_action(c, frame, len, &rec->action, eb, ebs);
    case SY_SCHEMA_ROUTING_DECISION:
        return codec_decode_decision(c, frame, len, &rec->decision, eb, ebs);
    case SY_SCHEMA_CONTACT_UPDATE:
        return codec_decode_contact_update(c, frame, len, &rec->update, eb, ebs);
    case SY_SCHEMA_DEAD_LETTER:
        return codec_decode_dead_letter(c, frame, len, &rec->dead, eb, ebs);
    case SY_SCHEMA_CONVERSION:
        return codec_decode_conversion(c, frame, len, &rec->conversion, eb, ebs);
    }
    return SY_ERR_UNKNOWN_SCHEMA;
}
