/* fuzz_records.h — what the codec's fuzz targets (fuzz_codec.c, fuzz_resolve.c) share: the
 * codec, opened on first use and closed at exit, a record of any of the six kinds, and the
 * decoder a schema id picks. Test code for the fuzz targets; not a codec API. */
#ifndef SY_FUZZ_RECORDS_H
#define SY_FUZZ_RECORDS_H

#include <stddef.h>

#include "codec.h"

/* One decoded record, of whichever kind the frame's schema id says. */
typedef union fuzz_record {
    sy_event_t event;
    sy_profile_update_t profile;
    sy_action_t action;
    sy_decision_t decision;
    sy_contact_update_t update;
    sy_dead_letter_t dead;
    sy_conversion_t conversion;
} fuzz_record_t;

/* The targets' codec: opened on the first call (aborts when it cannot be: the target
 * cannot run without it), closed at exit. */
codec_t *fuzz_codec_get(void);

/* Decode frame (borrowed) with the decoder of schema id into *rec, whose strings then
 * point into the codec's scratch. Errors: the decoder's (errbuf says why), and
 * SY_ERR_UNKNOWN_SCHEMA for an id of no schema. */
sy_err_t fuzz_record_decode(sy_schema_id_t id, const void *frame, size_t len,
                            fuzz_record_t *rec, char *errbuf, size_t errbuf_size);

#endif
