/* codec_part.h — prepared parts: a string that a producer's records carry again and again
 * (a journey's id with its version, a node's id, a template), encoded once for both
 * outputs, the Avro frame and the JSON line, so that the encoders copy it instead of
 * measuring, checking and escaping it in every record. Not a cache the codec keeps: the
 * producer owns its parts and hands them over in the record (records.h's *_part). */
#ifndef SY_CODEC_PART_H
#define SY_CODEC_PART_H

#include <stdint.h>

#include "records.h"
#include "sy_error.h"

/* Make the part of s (borrowed: it must outlive the part and not change), for a record
 * field that points at s. *out is NULL, with SY_OK, when s is not an id the rules pass
 * (NULL, empty, over SY_ID_BYTES_MAX bytes, not UTF-8): records then write the field one
 * by one, and refuse it where the rules do. Errors: SY_ERR_NOMEM (*out NULL). Any
 * thread; the part may be read by many threads at once. */
sy_err_t codec_part_make(sy_part_t **out, const char *s);

/* As codec_part_make, the part of a journey's id and version together, for the records'
 * journey_part. */
sy_err_t codec_part_make_journey(sy_part_t **out, const char *id, int32_t version);

/* Free a part; codec_part_free(NULL) is a no-op. */
void codec_part_free(sy_part_t *part);

#endif
